//! Ahrefs v3 `where`: the JSON filter grammar of the official docs, parsed into the query
//! layer's [`Filter`]. Every error names the field (or the part of the expression) and why.
//!
//! ```text
//! bool_filter ::= {"and": [bool_filter+]} | {"or": [bool_filter+]} | {"not": bool_filter} | expr
//! expr        ::= {"field": F, "modifier"?: M, "is": condition} | {"field": F, "list_is": list_condition}
//! condition   ::= [op, value] | "empty" | "is_null"
//! list_condition ::= {"any": cbf} | {"all": cbf} | cbf        (a bare cbf means "any")
//! cbf         ::= {"and": [cbf+]} | {"or": [cbf+]} | {"not": cbf} | condition
//! ```
//! `is` on a list column tests its elements (some element satisfies), except `empty` and
//! `is_null`, which test the list.

use anchorage_core::catalogue::ColType;
use anchorage_query::filter::{
    CmpOp, Condition, ElementFilter, Field, Filter, Modifier, Quantifier, RawValue, TextOp, coerce,
    type_name,
};
use serde_json::Value as Json;

const MAX_DEPTH: usize = 32;

/// Resolves a field name to a filterable column, or explains why it is not one.
pub type Resolver<'a> = &'a (dyn Fn(&str) -> Result<Field, String> + Sync);

pub fn parse(text: &str, resolve: Resolver<'_>) -> Result<Filter, String> {
    let json: Json = serde_json::from_str(text).map_err(|e| format!("where: invalid JSON: {e}"))?;
    bool_filter(&json, resolve, 0)
}

fn bool_filter(json: &Json, resolve: Resolver<'_>, depth: usize) -> Result<Filter, String> {
    if depth > MAX_DEPTH {
        return Err(format!("where: nested deeper than {MAX_DEPTH} levels"));
    }
    let obj = json
        .as_object()
        .ok_or_else(|| format!("where: expected an object, got {json}"))?;
    if let Some(parts) = obj.get("and") {
        return Ok(Filter::And(list(parts, "and", |p| {
            bool_filter(p, resolve, depth + 1)
        })?));
    }
    if let Some(parts) = obj.get("or") {
        return Ok(Filter::Or(list(parts, "or", |p| {
            bool_filter(p, resolve, depth + 1)
        })?));
    }
    if let Some(inner) = obj.get("not") {
        return Ok(Filter::Not(Box::new(bool_filter(
            inner,
            resolve,
            depth + 1,
        )?)));
    }
    expr(obj, resolve)
}

fn list<T>(
    parts: &Json,
    name: &str,
    f: impl Fn(&Json) -> Result<T, String>,
) -> Result<Vec<T>, String> {
    let arr = parts
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or_else(|| format!("where: \"{name}\" needs a non-empty array"))?;
    arr.iter().map(f).collect()
}

fn expr(obj: &serde_json::Map<String, Json>, resolve: Resolver<'_>) -> Result<Filter, String> {
    let name = obj.get("field").and_then(Json::as_str).ok_or_else(|| {
        "where: an expression needs \"field\" (or use \"and\", \"or\", \"not\")".to_string()
    })?;
    if let Some(unknown) = obj
        .keys()
        .find(|k| !["field", "modifier", "is", "list_is"].contains(&k.as_str()))
    {
        return Err(format!("where: field '{name}': unknown key \"{unknown}\""));
    }
    let column = resolve(name).map_err(|e| format!("where: field '{name}': {e}"))?;
    let err = |e: String| format!("where: field '{name}': {e}");
    let modifier = obj
        .get("modifier")
        .map(|m| modifier(m, &column))
        .transpose()
        .map_err(err)?;
    match (obj.get("is"), obj.get("list_is")) {
        (Some(is), None) => {
            let ty = modifier.map_or(column.ty, |m| m.output(column.ty));
            let condition = condition(is, ty).map_err(err)?;
            let tests_list = matches!(condition, Condition::Empty | Condition::IsNull);
            if column.ty.is_list() && modifier.is_none() && !tests_list {
                return Ok(Filter::List {
                    column,
                    quantifier: Quantifier::Any,
                    element: ElementFilter::Cond(condition),
                });
            }
            Ok(Filter::Cond {
                column,
                modifier,
                condition,
            })
        }
        (None, Some(list_is)) => {
            if !column.ty.is_list() {
                return Err(err(format!(
                    "list_is needs a list column, this one is a {}",
                    type_name(column.ty)
                )));
            }
            let (quantifier, element) =
                list_condition(list_is, column.ty.element()).map_err(err)?;
            Ok(Filter::List {
                column,
                quantifier,
                element,
            })
        }
        (Some(_), Some(_)) => Err(err("give either \"is\" or \"list_is\", not both".into())),
        (None, None) => Err(err("missing \"is\" or \"list_is\"".into())),
    }
}

fn modifier(json: &Json, column: &Field) -> Result<Modifier, String> {
    let m = match json.as_str() {
        Some("uppercase") => Modifier::Uppercase,
        Some("lowercase") => Modifier::Lowercase,
        Some("length") => Modifier::Length,
        _ => {
            return Err(format!(
                "modifier {json} is not one of uppercase, lowercase, length"
            ));
        }
    };
    if m != Modifier::Length && !column.ty.is_textual() {
        return Err(format!(
            "modifier {json} needs a text column, this one is a {}",
            type_name(column.ty)
        ));
    }
    Ok(m)
}

fn list_condition(json: &Json, element: ColType) -> Result<(Quantifier, ElementFilter), String> {
    if let Some(obj) = json.as_object() {
        if let Some(inner) = obj.get("any") {
            return Ok((Quantifier::Any, element_filter(inner, element, 0)?));
        }
        if let Some(inner) = obj.get("all") {
            return Ok((Quantifier::All, element_filter(inner, element, 0)?));
        }
    }
    Ok((Quantifier::Any, element_filter(json, element, 0)?))
}

fn element_filter(json: &Json, ty: ColType, depth: usize) -> Result<ElementFilter, String> {
    if depth > MAX_DEPTH {
        return Err(format!("nested deeper than {MAX_DEPTH} levels"));
    }
    if let Some(obj) = json.as_object() {
        if let Some(parts) = obj.get("and") {
            return Ok(ElementFilter::And(list(parts, "and", |p| {
                element_filter(p, ty, depth + 1)
            })?));
        }
        if let Some(parts) = obj.get("or") {
            return Ok(ElementFilter::Or(list(parts, "or", |p| {
                element_filter(p, ty, depth + 1)
            })?));
        }
        if let Some(inner) = obj.get("not") {
            return Ok(ElementFilter::Not(Box::new(element_filter(
                inner,
                ty,
                depth + 1,
            )?)));
        }
        return Err(format!(
            "expected \"any\", \"all\", \"and\", \"or\", \"not\" or a condition, got {json}"
        ));
    }
    Ok(ElementFilter::Cond(condition(json, ty)?))
}

/// `[op, value]`, `"empty"` or `"is_null"`, with the value coerced to `ty`.
fn condition(json: &Json, ty: ColType) -> Result<Condition, String> {
    match json {
        Json::String(s) if s == "empty" => {
            if ty.is_textual() || ty.is_list() {
                Ok(Condition::Empty)
            } else {
                Err(format!(
                    "\"empty\" needs a text or list column, this one is a {}",
                    type_name(ty)
                ))
            }
        }
        Json::String(s) if s == "is_null" => Ok(Condition::IsNull),
        Json::Array(pair) if pair.len() == 2 => {
            let op = pair[0]
                .as_str()
                .ok_or_else(|| format!("operator {} is not a string", pair[0]))?;
            operator(op, &pair[1], ty)
        }
        other => Err(format!(
            "condition {other} is not [operator, value], \"empty\" or \"is_null\""
        )),
    }
}

fn operator(op: &str, value: &Json, ty: ColType) -> Result<Condition, String> {
    let cmp = |c: CmpOp| -> Result<Condition, String> {
        if matches!(c, CmpOp::Gt | CmpOp::Gte | CmpOp::Lt | CmpOp::Lte)
            && ty.element() == ColType::Bool
        {
            return Err(format!("operator '{op}' does not apply to a boolean"));
        }
        Ok(Condition::Cmp(c, coerce(ty, &raw(value)?)?))
    };
    let text = |t: TextOp| -> Result<Condition, String> {
        if !ty.element().is_textual() {
            return Err(format!(
                "operator '{op}' needs a text column, this one is a {}",
                type_name(ty)
            ));
        }
        let s = value
            .as_str()
            .ok_or_else(|| format!("operator '{op}' needs a string value, got {value}"))?;
        Ok(Condition::Text(t, s.to_string()))
    };
    match op {
        "eq" => cmp(CmpOp::Eq),
        "neq" => cmp(CmpOp::Neq),
        "gt" => cmp(CmpOp::Gt),
        "gte" => cmp(CmpOp::Gte),
        "lt" => cmp(CmpOp::Lt),
        "lte" => cmp(CmpOp::Lte),
        "substring" => text(TextOp::Substring),
        "isubstring" => text(TextOp::ISubstring),
        "phrase_match" => text(TextOp::PhraseMatch),
        "iphrase_match" => text(TextOp::IPhraseMatch),
        "prefix" => text(TextOp::Prefix),
        "suffix" => text(TextOp::Suffix),
        "regex" => match text(TextOp::Substring)? {
            Condition::Text(_, re) => {
                regex::Regex::new(&re).map_err(|e| format!("invalid regex: {e}"))?;
                Ok(Condition::Regex(re))
            }
            _ => unreachable!("text() returns Text"),
        },
        other => Err(format!(
            "unknown operator '{other}' (eq, neq, gt, gte, lt, lte, substring, isubstring, phrase_match, iphrase_match, prefix, suffix, regex)"
        )),
    }
}

fn raw(value: &Json) -> Result<RawValue, String> {
    match value {
        Json::Bool(b) => Ok(RawValue::Bool(*b)),
        Json::String(s) => Ok(RawValue::Str(s.clone())),
        Json::Number(n) => match n.as_i64() {
            Some(i) => Ok(RawValue::Int(i)),
            None => n
                .as_f64()
                .map(RawValue::Float)
                .ok_or_else(|| format!("{n} is out of range")),
        },
        other => Err(format!("value {other} is not a scalar")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use anchorage_core::catalogue::backlink_column;

    fn resolve(name: &str) -> Result<Field, String> {
        backlink_column(name)
            .map(Field::from)
            .ok_or_else(|| "unknown column".to_string())
    }

    #[test]
    fn parses_the_documented_examples() {
        let f = parse(r#"{"and":[{"field":"domain_rating_source","is":["gte",29.5]},{"field":"links_external","is":["lte",300]}]}"#, &resolve).unwrap();
        assert!(matches!(f, Filter::And(ref v) if v.len() == 2));
        let f = parse(
            r#"{"not":{"field":"root_name_source","is":["isubstring","fortraders"]}}"#,
            &resolve,
        )
        .unwrap();
        assert!(matches!(f, Filter::Not(_)));
        let f = parse(r#"{"or":[{"field":"anchor","modifier":"uppercase","is":["eq","AHREFS"]},{"field":"powered_by","list_is":{"and":[["prefix","Word"],["suffix","ss"]]}}]}"#, &resolve).unwrap();
        assert!(matches!(f, Filter::Or(_)));
        let f = parse(r#"{"field":"is_dofollow","is":["eq",0]}"#, &resolve).unwrap();
        assert!(matches!(
            f,
            Filter::Cond {
                condition: Condition::Cmp(CmpOp::Eq, anchorage_query::Value::Bool(false)),
                ..
            }
        ));
        assert!(
            parse(
                r#"{"field":"languages","list_is":{"all":["eq","en"]}}"#,
                &resolve
            )
            .is_ok()
        );
        assert!(parse(r#"{"field":"alt","is":"is_null"}"#, &resolve).is_ok());
    }

    #[test]
    fn errors_name_the_field_and_reason() {
        let e = parse(r#"{"field":"nope","is":["eq",1]}"#, &resolve).unwrap_err();
        assert!(e.contains("'nope'") && e.contains("unknown column"), "{e}");
        let e = parse(r#"{"field":"links_external","is":["eq","many"]}"#, &resolve).unwrap_err();
        assert!(e.contains("links_external") && e.contains("integer"), "{e}");
        let e = parse(r#"{"field":"anchor","is":["like","x"]}"#, &resolve).unwrap_err();
        assert!(e.contains("unknown operator 'like'"), "{e}");
        let e = parse(r#"{"field":"anchor","is":["regex","(unclosed"]}"#, &resolve).unwrap_err();
        assert!(e.contains("invalid regex"), "{e}");
        let e = parse(r#"{"and":[]}"#, &resolve).unwrap_err();
        assert!(e.contains("non-empty"), "{e}");
        let e = parse("{not json", &resolve).unwrap_err();
        assert!(e.contains("invalid JSON"), "{e}");
        let e = parse(
            r#"{"field":"anchor","list_is":{"any":["eq","x"]}}"#,
            &resolve,
        )
        .unwrap_err();
        assert!(e.contains("list column"), "{e}");
        let deep = format!(
            "{}{}{}",
            r#"{"not":"#.repeat(40),
            r#"{"field":"anchor","is":"empty"}"#,
            "}".repeat(40)
        );
        assert!(parse(&deep, &resolve).unwrap_err().contains("deeper"));
    }
}
