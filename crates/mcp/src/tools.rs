//! The tool table: one tool per endpoint of the API's OpenAPI document (so per catalogue
//! entry), named as Ahrefs' MCP server names them, plus `doc` and `explain-domain-rating`.

use rmcp::model::Tool;
use serde_json::{Map, Value, json};
use std::sync::Arc;

/// The tool returning another tool's input schema.
pub const DOC: &str = "doc";

/// A tool and the API path that answers it.
#[derive(Debug, Clone)]
pub struct ToolRoute {
    pub tool: Tool,
    pub path: String,
}

/// Ahrefs' MCP tool name of a Site Explorer endpoint.
fn tool_name(endpoint: &str) -> String {
    match endpoint {
        "pages-by-backlinks" => "site-explorer-best-by-external-links".to_string(),
        "pages-by-internal-links" => "site-explorer-best-by-internal-links".to_string(),
        other => format!("site-explorer-{other}"),
    }
}

/// Every endpoint tool, in the OpenAPI document's order, then `explain-domain-rating`.
pub fn tool_routes() -> Vec<ToolRoute> {
    let document = anchorage_api::openapi::document();
    let mut routes: Vec<ToolRoute> = document["paths"]
        .as_object()
        .into_iter()
        .flatten()
        .filter_map(|(path, item)| {
            let endpoint = path.strip_prefix("/site-explorer/")?;
            Some(endpoint_tool(endpoint, &item["get"]))
        })
        .collect();
    routes.push(explain_tool());
    routes
}

fn endpoint_tool(endpoint: &str, operation: &Value) -> ToolRoute {
    let (wrapper, columns) = response_shape(operation);
    let params = operation["parameters"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let schema = input_schema(&params, &columns);
    let description = format!(
        "Ahrefs Site Explorer `{endpoint}` over Anchorage's own index: the JSON of GET /v3/site-explorer/{endpoint}, \
         under the key \"{wrapper}\". Arguments are the HTTP parameters."
    );
    ToolRoute {
        tool: Tool::new(tool_name(endpoint), description, Arc::new(schema)),
        path: format!("/v3/site-explorer/{endpoint}"),
    }
}

/// The wrapper key of an operation's 200 answer and the columns of its rows.
fn response_shape(operation: &Value) -> (String, Vec<String>) {
    let body =
        &operation["responses"]["200"]["content"]["application/json"]["schema"]["properties"];
    let Some((wrapper, schema)) = body.as_object().and_then(|o| o.iter().next()) else {
        return (String::new(), Vec::new());
    };
    let row = if schema["type"] == "array" {
        &schema["items"]
    } else {
        schema
    };
    let columns = row["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default();
    (wrapper.clone(), columns)
}

/// The JSON Schema of a tool's arguments: the operation's query parameters (all but
/// `output`: tools answer JSON), with the selectable columns named where they are used.
fn input_schema(params: &[Value], columns: &[String]) -> Map<String, Value> {
    let mut properties = Map::new();
    let mut required = Vec::new();
    for p in params {
        let Some(name) = p["name"].as_str() else {
            continue;
        };
        if name == "output" {
            continue;
        }
        let mut schema = p["schema"].as_object().cloned().unwrap_or_default();
        let mut description = p["description"].as_str().unwrap_or_default().to_string();
        match name {
            "select" | "order_by" if !columns.is_empty() => {
                description.push_str(&format!(" Columns: {}.", columns.join(", ")));
            }
            "where" => {
                schema.insert("type".into(), json!(["string", "object"]));
                description.push_str(" An object or its JSON text.");
            }
            _ => {}
        }
        schema.insert("description".into(), Value::String(description));
        properties.insert(name.to_string(), Value::Object(schema));
        if p["required"] == true {
            required.push(Value::String(name.to_string()));
        }
    }
    object_schema(properties, required)
}

fn object_schema(properties: Map<String, Value>, required: Vec<Value>) -> Map<String, Value> {
    let mut schema = Map::new();
    schema.insert("type".into(), json!("object"));
    schema.insert("properties".into(), Value::Object(properties));
    schema.insert("required".into(), Value::Array(required));
    schema.insert("additionalProperties".into(), json!(false));
    schema
}

fn explain_tool() -> ToolRoute {
    let properties = json!({
        "target": {"type": "string", "description": "A domain or URL; its root domain is explained."},
        "top": {"type": "integer", "minimum": 0, "maximum": 1000, "default": 10,
                "description": "How many referring domains to list, largest share first."}
    });
    let schema = object_schema(
        properties.as_object().cloned().unwrap_or_default(),
        vec![json!("target")],
    );
    let description = "Why a domain has its Domain Rating: each referring domain's share of its PageRank, the \
                       teleport and dangling shares, from the current build (GET /v3/anchorage/explain-domain-rating).";
    ToolRoute {
        tool: Tool::new("explain-domain-rating", description, Arc::new(schema)),
        path: "/v3/anchorage/explain-domain-rating".to_string(),
    }
}

/// `doc`, whose argument is one of the other tools' names.
pub fn doc_tool(routes: &[ToolRoute]) -> Tool {
    let names: Vec<Value> = routes
        .iter()
        .map(|r| Value::String(r.tool.name.to_string()))
        .collect();
    let properties =
        json!({"tool": {"type": "string", "enum": names, "description": "The tool to describe."}});
    let schema = object_schema(
        properties.as_object().cloned().unwrap_or_default(),
        vec![json!("tool")],
    );
    Tool::new(
        DOC,
        "The full input schema of a tool (its parameters, enums and columns).",
        Arc::new(schema),
    )
}

/// The HTTP query string of a tool call's arguments: strings as they are, numbers and
/// booleans as their JSON text, lists of strings comma-joined (`select`), objects as JSON
/// (`where`); nulls mean "not given".
pub fn query_string(arguments: &Map<String, Value>) -> Result<String, String> {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    for (name, value) in arguments {
        let text = match value {
            Value::Null => continue,
            Value::String(s) => s.clone(),
            Value::Number(n) => n.to_string(),
            Value::Bool(b) => b.to_string(),
            Value::Array(items) => items
                .iter()
                .map(|v| {
                    v.as_str()
                        .map(str::to_string)
                        .ok_or_else(|| format!("{name}: expected a list of strings"))
                })
                .collect::<Result<Vec<_>, _>>()?
                .join(","),
            Value::Object(_) => value.to_string(),
        };
        query.append_pair(name, &text);
    }
    Ok(query.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_site_explorer_endpoint_has_its_ahrefs_tool_name() {
        let names: Vec<String> = tool_routes()
            .iter()
            .map(|t| t.tool.name.to_string())
            .collect();
        for want in [
            "site-explorer-all-backlinks",
            "site-explorer-broken-backlinks",
            "site-explorer-refdomains",
            "site-explorer-anchors",
            "site-explorer-linkeddomains",
            "site-explorer-linked-anchors-external",
            "site-explorer-linked-anchors-internal",
            "site-explorer-backlinks-stats",
            "site-explorer-outlinks-stats",
            "site-explorer-domain-rating",
            "site-explorer-domain-rating-history",
            "site-explorer-url-rating-history",
            "site-explorer-refdomains-history",
            "site-explorer-best-by-external-links",
            "site-explorer-best-by-internal-links",
            "explain-domain-rating",
        ] {
            assert!(
                names.iter().any(|n| n == want),
                "{want} missing from {names:?}"
            );
        }
    }

    #[test]
    fn schemas_carry_the_catalogue() {
        let routes = tool_routes();
        let all = routes
            .iter()
            .find(|t| t.tool.name == "site-explorer-all-backlinks")
            .unwrap();
        let props = &all.tool.input_schema["properties"];
        assert_eq!(
            all.tool.input_schema["required"],
            json!(["target", "select"])
        );
        assert!(
            props["select"]["description"]
                .as_str()
                .unwrap()
                .contains("domain_rating_source")
        );
        assert_eq!(
            props["mode"]["enum"],
            json!(["exact", "prefix", "domain", "subdomains"])
        );
        assert!(props.get("output").is_none());
    }

    #[test]
    fn arguments_become_the_query_string() {
        let args = json!({"target": "a.com", "limit": 5, "select": ["url_from", "anchor"], "where": {"field": "x"}, "mode": null});
        let q = query_string(args.as_object().unwrap()).unwrap();
        assert_eq!(
            q,
            "target=a.com&limit=5&select=url_from%2Canchor&where=%7B%22field%22%3A%22x%22%7D"
        );
        assert!(
            query_string(json!({"select": [1]}).as_object().unwrap())
                .unwrap_err()
                .contains("select")
        );
    }
}
