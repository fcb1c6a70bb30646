//! Ahrefs v3 output formats: every response is one object with one wrapper key holding a list
//! of rows or one object, written as JSON, CSV, XML or PHP `serialize()`.
//!
//! - json: `{"<wrapper>": [...]}` or `{"<wrapper>": {...}}`.
//! - csv: a header row with the columns in `select` order, then one line per row (RFC 4180:
//!   comma separated, CRLF line ends, fields with a comma, quote or line break quoted, quotes
//!   doubled). A cell starting with `=`, `+`, `-` or `@` gets a leading `'` so spreadsheets
//!   do not run it as a formula. Lists are written as JSON arrays, nulls as empty cells.
//! - xml: root `<AhrefsApiResponse>`, then `<wrapper>`, one `<item>` per row with one child
//!   element per column; list values repeat `<item>` inside the column element; nulls are
//!   empty elements with `nil="true"`.
//! - php: PHP `serialize()` of the same structure as the JSON.

use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Map, Value};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Json,
    Csv,
    Xml,
    Php,
}

impl Format {
    pub const NAMES: &'static [&'static str] = &["json", "csv", "xml", "php"];

    pub fn parse(s: &str) -> Result<Self, String> {
        match s {
            "json" => Ok(Format::Json),
            "csv" => Ok(Format::Csv),
            "xml" => Ok(Format::Xml),
            "php" => Ok(Format::Php),
            other => Err(format!("'{other}' is not one of json, csv, xml, php")),
        }
    }
}

/// What an endpoint answers: rows or one object, under its wrapper key.
pub enum Payload {
    Rows(Vec<Map<String, Value>>),
    Object(Map<String, Value>),
    /// Any other value (an error message, say).
    Value(Value),
}

impl Payload {
    pub fn rows(&self) -> usize {
        match self {
            Payload::Rows(r) => r.len(),
            Payload::Object(_) | Payload::Value(_) => 1,
        }
    }

    fn into_json(self) -> Value {
        match self {
            Payload::Rows(rows) => Value::Array(rows.into_iter().map(Value::Object).collect()),
            Payload::Object(o) => Value::Object(o),
            Payload::Value(v) => v,
        }
    }
}

/// Renders `{wrapper: payload}`; `columns` is the header of CSV output.
pub fn render(format: Format, wrapper: &str, columns: &[&str], payload: Payload) -> Response {
    render_items(format, wrapper, "item", columns, payload)
}

/// [`render`], with `item` as the XML element of each row (Ahrefs v2 names it after the
/// wrapper: `<refpages><refpage>…`, where v3 writes `<item>`).
pub fn render_items(
    format: Format,
    wrapper: &str,
    item: &str,
    columns: &[&str],
    payload: Payload,
) -> Response {
    match format {
        Format::Json => {
            let body = serde_json::json!({ wrapper: payload.into_json() });
            axum::Json(body).into_response()
        }
        Format::Csv => with_type(csv(columns, payload), "text/csv; charset=utf-8"),
        Format::Xml => {
            let mut out =
                String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<AhrefsApiResponse>");
            xml_element(&mut out, wrapper, item, &payload.into_json());
            out.push_str("</AhrefsApiResponse>\n");
            with_type(out, "application/xml; charset=utf-8")
        }
        Format::Php => {
            let mut root = Map::new();
            root.insert(wrapper.to_string(), payload.into_json());
            with_type(
                php_serialize(&Value::Object(root)),
                "text/plain; charset=utf-8",
            )
        }
    }
}

fn with_type(body: String, content_type: &'static str) -> Response {
    let mut r = body.into_response();
    r.headers_mut()
        .insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    r
}

fn csv(columns: &[&str], payload: Payload) -> String {
    let rows = match payload {
        Payload::Rows(rows) => rows,
        Payload::Object(o) => vec![o],
        Payload::Value(v) => {
            let mut row = Map::new();
            row.insert("value".into(), v);
            vec![row]
        }
    };
    let columns: Vec<String> = if columns.is_empty() {
        rows.first()
            .map(|r| r.keys().cloned().collect())
            .unwrap_or_default()
    } else {
        columns.iter().map(|c| c.to_string()).collect()
    };
    let mut out = String::new();
    push_csv_line(&mut out, columns.iter().map(|c| c.to_string()));
    for row in &rows {
        push_csv_line(
            &mut out,
            columns
                .iter()
                .map(|c| csv_cell(row.get(c).unwrap_or(&Value::Null))),
        );
    }
    out
}

fn push_csv_line(out: &mut String, cells: impl Iterator<Item = String>) {
    let line: Vec<String> = cells.map(|c| csv_quote(&c)).collect();
    out.push_str(&line.join(","));
    out.push_str("\r\n");
}

fn csv_cell(v: &Value) -> String {
    let text = match v {
        Value::Null => return String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    };
    if text.starts_with(['=', '+', '-', '@']) {
        format!("'{text}")
    } else {
        text
    }
}

fn csv_quote(cell: &str) -> String {
    if cell.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", cell.replace('"', "\"\""))
    } else {
        cell.to_string()
    }
}

fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            // Characters XML 1.0 cannot carry at all.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => out.push('\u{FFFD}'),
            c => out.push(c),
        }
    }
    out
}

/// `value` as the element `name`; the elements of an array, at the top level, are named `item`
/// (deeper lists, such as a column's values, always use `item`).
fn xml_element(out: &mut String, name: &str, item: &str, value: &Value) {
    match value {
        Value::Null => out.push_str(&format!("<{name} nil=\"true\"/>")),
        Value::Array(items) => {
            out.push_str(&format!("<{name}>"));
            for element in items {
                xml_element(out, item, "item", element);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::Object(map) => {
            out.push_str(&format!("<{name}>"));
            for (k, v) in map {
                xml_element(out, k, "item", v);
            }
            out.push_str(&format!("</{name}>"));
        }
        Value::String(s) => out.push_str(&format!("<{name}>{}</{name}>", xml_escape(s))),
        other => out.push_str(&format!("<{name}>{other}</{name}>")),
    }
}

/// PHP `serialize()` of a JSON value (string lengths in bytes, as PHP counts them).
pub fn php_serialize(v: &Value) -> String {
    match v {
        Value::Null => "N;".into(),
        Value::Bool(b) => format!("b:{};", u8::from(*b)),
        Value::Number(n) if n.is_i64() || n.is_u64() => format!("i:{n};"),
        Value::Number(n) => format!("d:{};", n.as_f64().unwrap_or(0.0)),
        Value::String(s) => format!("s:{}:\"{s}\";", s.len()),
        Value::Array(items) => {
            let body: String = items
                .iter()
                .enumerate()
                .map(|(i, x)| format!("i:{i};{}", php_serialize(x)))
                .collect();
            format!("a:{}:{{{body}}}", items.len())
        }
        Value::Object(map) => {
            let body: String = map
                .iter()
                .map(|(k, x)| format!("s:{}:\"{k}\";{}", k.len(), php_serialize(x)))
                .collect();
            format!("a:{}:{{{body}}}", map.len())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn csv_quotes_and_neutralises_formulas() {
        let row = json!({"anchor": "=HYPERLINK(\"x\")", "title": "a, \"b\"", "n": 3, "l": ["en"], "z": null});
        let out = csv(
            &["anchor", "title", "n", "l", "z"],
            Payload::Rows(vec![row.as_object().unwrap().clone()]),
        );
        assert_eq!(
            out,
            "anchor,title,n,l,z\r\n\"'=HYPERLINK(\"\"x\"\")\",\"a, \"\"b\"\"\",3,\"[\"\"en\"\"]\",\r\n"
        );
    }

    #[test]
    fn php_serialize_matches_php() {
        // php -r 'echo serialize(["a" => [1, "é", null, true, 1.5]]);'
        let v = json!({"a": [1, "é", null, true, 1.5]});
        assert_eq!(
            php_serialize(&v),
            "a:1:{s:1:\"a\";a:5:{i:0;i:1;i:1;s:2:\"é\";i:2;N;i:3;b:1;i:4;d:1.5;}}"
        );
    }

    #[test]
    fn xml_escapes_and_nests() {
        let mut out = String::new();
        xml_element(
            &mut out,
            "backlinks",
            "item",
            &json!([{"anchor": "a<b", "langs": ["en"], "x": null}]),
        );
        assert_eq!(
            out,
            "<backlinks><item><anchor>a&lt;b</anchor><langs><item>en</item></langs><x nil=\"true\"/></item></backlinks>"
        );
    }
}
