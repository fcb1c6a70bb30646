//! `/openapi.json`: the served API described from the column catalogue and the report tables,
//! so the document cannot drift from what the server validates and returns.

use crate::ahrefs_v3::UNSERVED;
use anchorage_core::catalogue::{BacklinkReport, ColType, SELECT};
use anchorage_core::reports::{OBJECT_REPORTS, REPORTS};
use anchorage_core::target::{Protocol, TargetMode};
use anchorage_query::Aggregation;
use serde_json::{Map, Value, json};

fn schema(ty: ColType, nullable: bool, enum_values: &[&str], description: &str) -> Value {
    let (t, format) = ty.openapi();
    let mut s = Map::new();
    let t = if nullable {
        json!([t, "null"])
    } else {
        json!(t)
    };
    s.insert("type".into(), t);
    if let Some(f) = format {
        s.insert("format".into(), json!(f));
    }
    if ty.is_list() {
        let (et, ef) = ty.element().openapi();
        let mut items = json!({"type": et});
        if let Some(f) = ef {
            items["format"] = json!(f);
        }
        s.insert("items".into(), items);
    }
    if !enum_values.is_empty() {
        s.insert("enum".into(), json!(enum_values));
    }
    if !description.is_empty() {
        s.insert("description".into(), json!(description));
    }
    Value::Object(s)
}

fn param(name: &str, required: bool, schema: Value, description: &str) -> Value {
    json!({"name": name, "in": "query", "required": required, "schema": schema, "description": description})
}

fn common_param(name: &str) -> Value {
    match name {
        "target" => param(
            "target",
            true,
            json!({"type": "string"}),
            "The target of the search: a domain or a URL.",
        ),
        "mode" => param(
            "mode",
            false,
            json!({"type": "string", "enum": TargetMode::NAMES, "default": "subdomains"}),
            "The scope of the search based on the target.",
        ),
        "protocol" => param(
            "protocol",
            false,
            json!({"type": "string", "enum": Protocol::NAMES, "default": "both"}),
            "The protocol of your target.",
        ),
        "select" => param(
            "select",
            true,
            json!({"type": "string"}),
            "A comma-separated list of columns to return.",
        ),
        "where" => param(
            "where",
            false,
            json!({"type": "string"}),
            "The filter expression (JSON, Ahrefs filter syntax).",
        ),
        "order_by" => param(
            "order_by",
            false,
            json!({"type": "string"}),
            "Columns to order by: col[:asc|:desc],...",
        ),
        "limit" => param(
            "limit",
            false,
            json!({"type": "integer", "default": 1000}),
            "The number of results to return.",
        ),
        "offset" => param(
            "offset",
            false,
            json!({"type": "integer", "default": 0}),
            "The number of results to skip.",
        ),
        "timeout" => param(
            "timeout",
            false,
            json!({"type": "integer"}),
            "A manual timeout duration in seconds.",
        ),
        "history" => param(
            "history",
            false,
            json!({"type": "string", "default": "all_time"}),
            "live, since:YYYY-MM-DD or all_time.",
        ),
        "aggregation" => param(
            "aggregation",
            false,
            json!({"type": "string", "enum": Aggregation::NAMES, "default": "similar_links"}),
            "The backlinks grouping mode.",
        ),
        "date" => param(
            "date",
            true,
            json!({"type": "string", "format": "date"}),
            "A date in YYYY-MM-DD format.",
        ),
        "date_from" => param(
            "date_from",
            true,
            json!({"type": "string", "format": "date"}),
            "The start date of the historical period.",
        ),
        "date_to" => param(
            "date_to",
            false,
            json!({"type": "string", "format": "date"}),
            "The end date of the historical period.",
        ),
        "history_grouping" => param(
            "history_grouping",
            false,
            json!({"type": "string", "enum": ["daily", "weekly", "monthly"], "default": "monthly"}),
            "The time interval used to group historical data.",
        ),
        _ => param(
            "output",
            false,
            json!({"type": "string", "enum": ["json", "csv", "xml", "php"], "default": "json"}),
            "The output format.",
        ),
    }
}

fn operation(summary: &str, params: &[&str], wrapper: &str, row: Value, list: bool) -> Value {
    let body = if list {
        json!({"type": "array", "items": row})
    } else {
        row
    };
    let error = json!({"$ref": "#/components/responses/Error"});
    json!({"get": {
        "summary": summary,
        "parameters": params.iter().map(|p| common_param(p)).collect::<Vec<_>>(),
        "responses": {
            "200": {"description": "OK", "content": {"application/json": {"schema": {
                "type": "object", "properties": {wrapper: body}, "xml": {"name": "AhrefsApiResponse"}}}}},
            "400": error, "401": error, "403": error, "429": error, "500": error
        }
    }})
}

fn object(properties: Map<String, Value>) -> Value {
    json!({"type": "object", "properties": properties})
}

fn backlink_paths(paths: &mut Map<String, Value>) {
    for report in [
        BacklinkReport::AllBacklinks,
        BacklinkReport::BrokenBacklinks,
    ] {
        let row: Map<String, Value> = report
            .selectable()
            .map(|c| {
                (
                    c.name.to_string(),
                    schema(c.ty, c.nullable, c.enum_values, c.description),
                )
            })
            .collect();
        let mut params = vec![
            "target",
            "mode",
            "protocol",
            "select",
            "where",
            "order_by",
            "limit",
            "offset",
            "timeout",
            "aggregation",
        ];
        if report == BacklinkReport::AllBacklinks {
            params.push("history");
        }
        params.push("output");
        debug_assert!(report.selectable().all(|c| report.access(c) & SELECT != 0));
        paths.insert(
            format!("/site-explorer/{}", report.name()),
            operation(report.name(), &params, "backlinks", object(row), true),
        );
    }
}

/// The OpenAPI 3.1 document of the served Ahrefs v3 endpoints.
pub fn document() -> Value {
    let mut paths = Map::new();
    backlink_paths(&mut paths);
    for r in REPORTS {
        let row: Map<String, Value> = r
            .columns
            .iter()
            .map(|c| {
                (
                    c.name.to_string(),
                    schema(c.ty, c.nullable, &[], c.description),
                )
            })
            .collect();
        let mut params = vec![
            "target", "mode", "protocol", "select", "where", "order_by", "limit", "offset",
            "timeout",
        ];
        if r.history {
            params.push("history");
        }
        params.push("output");
        paths.insert(
            format!("/site-explorer/{}", r.endpoint),
            operation(r.endpoint, &params, r.wrapper, object(row), true),
        );
    }
    for r in OBJECT_REPORTS {
        let row: Map<String, Value> = r
            .fields
            .iter()
            .map(|f| {
                (
                    f.name.to_string(),
                    schema(f.ty, f.nullable, &[], f.description),
                )
            })
            .collect();
        let mut params = r.params.to_vec();
        params.push("output");
        paths.insert(
            format!("/site-explorer/{}", r.endpoint),
            operation(r.endpoint, &params, r.wrapper, object(row), r.list),
        );
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Anchorage: Ahrefs API v3 Site Explorer compatible backlink API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": format!("Served by Anchorage. Not served (a link index has no such data): {}.",
                UNSERVED.iter().map(|(e, _)| *e).collect::<Vec<_>>().join(", ")),
        },
        "servers": [{"url": "/v3"}],
        "security": [{"bearer": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}},
            "responses": {"Error": {"description": "Error", "content": {"application/json": {"schema": {
                "type": "object", "properties": {"error": {"type": "string"}}, "required": ["error"],
                "xml": {"name": "AhrefsApiResponse"}}}}}}
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_served_endpoint_is_described() {
        let doc = document();
        let paths = doc["paths"].as_object().unwrap();
        assert_eq!(paths.len(), 2 + REPORTS.len() + OBJECT_REPORTS.len());
        let all = &paths["/site-explorer/all-backlinks"]["get"];
        let row = &all["responses"]["200"]["content"]["application/json"]["schema"]["properties"]["backlinks"]
            ["items"]["properties"];
        assert_eq!(row["domain_rating_source"]["format"], "float");
        assert_eq!(row["link_type"]["enum"].as_array().unwrap().len(), 8);
        assert_eq!(row["last_seen"]["type"], json!(["string", "null"]));
    }
}
