//! DataForSEO's `filters` grammar, parsed into the query layer's [`Filter`].
//!
//! ```text
//! filters      ::= cond | [ item ( , logic , item )* ]     at most 8 conditions in all
//! item         ::= cond | filters                           nesting allowed
//! logic        ::= "and" | "or"                             "and" binds tighter than "or"
//! cond         ::= [ field, operator, value ]
//! ```
//! Operators by field type: num/time `= <> < <= > >= in not_in`; str adds `like not_like
//! ilike not_ilike regex not_regex match not_match`; bool `= <>`; arrays `has has_not`.
//! Numbers may come as strings (`"55"`); `null` with `=`/`<>` tests for absence.

use super::fields::RankScale;
use anchorage_core::catalogue::ColType;
use anchorage_query::filter::{
    CmpOp, Condition, ElementFilter, Field, Filter, Modifier, Quantifier, RawValue, TextOp, Value,
    coerce,
};
use serde_json::Value as Json;

pub const MAX_CONDITIONS: usize = 8;
const MAX_DEPTH: usize = 8;
const MAX_REGEX: usize = 1000;

/// A field a filter may test: the query field, and whether its values are ranks (given on
/// the request's rank scale, stored as 0–100 ratings).
#[derive(Debug, Clone, Copy)]
pub struct FilterField {
    pub field: Field,
    pub is_rank: bool,
    /// How the field derives from `field` when it is not the column as stored.
    pub derived: Option<Derivation>,
}

/// A DataForSEO field computed from a column, as a filter sees it.
#[derive(Debug, Clone, Copy)]
pub enum Derivation {
    /// A function of the column (`tld_from`: the last label of `name_source`).
    Modified(Modifier),
    /// A boolean that is true where the filter holds (`url_from_https`).
    Flag(fn() -> Filter),
    /// A list of names, each present where its filter holds (`attributes`); `None` for a
    /// name the list never holds.
    Flags(fn(&str) -> Option<Filter>),
    /// A value computed per request outside the tables, of this type: the filter tests a
    /// column named after the field, which [`super::lookups::bind`] replaces.
    Lookup(ColType),
    /// The column as stored, though the item renders it with a default (`group_count`).
    AsStored,
}

impl FilterField {
    /// A stored column, tested as it is.
    pub fn column(field: Field, is_rank: bool) -> Self {
        FilterField {
            field,
            is_rank,
            derived: None,
        }
    }

    /// The type of the values the filter compares.
    pub fn value_type(&self) -> ColType {
        match self.derived {
            None => self.field.ty,
            Some(Derivation::Modified(m)) => m.output(self.field.ty),
            Some(Derivation::Flag(_)) => ColType::Bool,
            Some(Derivation::Flags(_)) => ColType::StrList,
            Some(Derivation::Lookup(ty)) => ty,
            Some(Derivation::AsStored) => self.field.ty,
        }
    }

    fn modifier(&self) -> Option<Modifier> {
        match self.derived {
            Some(Derivation::Modified(m)) => Some(m),
            _ => None,
        }
    }
}

/// Resolves a DataForSEO field name, or explains why it cannot be filtered on.
pub type Resolver<'a> = &'a dyn Fn(&str) -> Result<FilterField, String>;

/// Parses `filters`; errors are the reason only (the caller names the request field).
pub fn parse(json: &Json, resolve: Resolver<'_>, scale: RankScale) -> Result<Filter, String> {
    let parser = Parser { resolve, scale };
    let mut conditions = 0;
    let filter = parser.filters(json, 0, &mut conditions)?;
    if conditions > MAX_CONDITIONS {
        return Err(format!(
            "{conditions} conditions, at most {MAX_CONDITIONS} are allowed"
        ));
    }
    Ok(filter)
}

struct Parser<'a> {
    resolve: Resolver<'a>,
    scale: RankScale,
}

fn is_condition(items: &[Json]) -> bool {
    items.first().is_some_and(Json::is_string)
}

impl Parser<'_> {
    fn filters(&self, json: &Json, depth: usize, count: &mut usize) -> Result<Filter, String> {
        if depth > MAX_DEPTH {
            return Err(format!("nested deeper than {MAX_DEPTH} levels"));
        }
        let items = json
            .as_array()
            .filter(|a| !a.is_empty())
            .ok_or_else(|| format!("expected a non-empty array, got {json}"))?;
        if is_condition(items) {
            *count += 1;
            return self.condition(items);
        }
        // item (logic item)*: "and" binds tighter than "or".
        let mut any_of: Vec<Filter> = Vec::new();
        let mut all_of: Vec<Filter> = Vec::new();
        for (i, item) in items.iter().enumerate() {
            if i % 2 == 1 {
                match item.as_str() {
                    Some("and") => {}
                    Some("or") => any_of.push(and(std::mem::take(&mut all_of))),
                    _ => {
                        return Err(format!(
                            "expected \"and\" or \"or\" between conditions, got {item}"
                        ));
                    }
                }
                continue;
            }
            all_of.push(self.filters(item, depth + 1, count)?);
        }
        if items.len() % 2 == 0 {
            return Err("a logical operator must be followed by a condition".into());
        }
        any_of.push(and(all_of));
        Ok(if any_of.len() == 1 {
            any_of.remove(0)
        } else {
            Filter::Or(any_of)
        })
    }

    fn condition(&self, items: &[Json]) -> Result<Filter, String> {
        let [name, op, value] = items else {
            return Err(format!(
                "a condition is [field, operator, value], got {}",
                Json::Array(items.to_vec())
            ));
        };
        let name = name.as_str().unwrap_or_default();
        let op = op
            .as_str()
            .ok_or_else(|| format!("'{name}': the operator must be a string, got {op}"))?;
        let target = (self.resolve)(name)?;
        self.build(name, op, value, target)
            .map_err(|e| format!("'{name}' {op}: {e}"))
    }

    fn build(&self, name: &str, op: &str, value: &Json, f: FilterField) -> Result<Filter, String> {
        let ty = f.value_type();
        let cond = |condition: Condition| Filter::Cond {
            column: f.field,
            modifier: f.modifier(),
            condition,
        };
        let not = |inner: Filter| Filter::Not(Box::new(inner));
        check_operator(op, ty)?;
        match f.derived {
            Some(Derivation::Flag(holds)) => return flag(op, value, holds()),
            Some(Derivation::Flags(holds)) => return flags(op, value, holds),
            _ => {}
        }
        if value.is_null() {
            return match op {
                "=" => Ok(cond(Condition::IsNull)),
                "<>" => Ok(not(cond(Condition::IsNull))),
                _ => Err("null is only compared with = or <>".into()),
            };
        }
        Ok(match op {
            // The query layer's "<>" keeps rows without a value, as a reader expects.
            "=" | "<>" | "<" | "<=" | ">" | ">=" => {
                cond(Condition::Cmp(cmp(op), self.value(value, f)?))
            }
            "in" | "not_in" => {
                let values = value
                    .as_array()
                    .ok_or_else(|| format!("expected an array of values, got {value}"))?
                    .iter()
                    .map(|v| self.value(v, f))
                    .collect::<Result<Vec<_>, _>>()?;
                let c = cond(Condition::In(values));
                if op == "in" { c } else { not(c) }
            }
            "like" | "not_like" | "ilike" | "not_ilike" => {
                let text = string(value)?;
                let like = if op.contains("ilike") {
                    TextOp::ILike
                } else {
                    TextOp::Like
                };
                let c = cond(Condition::Text(like, text));
                if op.starts_with("not_") { not(c) } else { c }
            }
            "regex" | "not_regex" => {
                let re = string(value)?;
                if re.chars().count() > MAX_REGEX {
                    return Err(format!("a regex is at most {MAX_REGEX} characters"));
                }
                regex::Regex::new(&re).map_err(|e| format!("invalid regex: {e}"))?;
                let c = cond(Condition::Regex(re));
                if op == "regex" { c } else { not(c) }
            }
            "match" | "not_match" => {
                let c = cond(Condition::Text(TextOp::IPhraseMatch, string(value)?));
                if op == "match" { c } else { not(c) }
            }
            "has" | "has_not" => {
                let element = coerce(ty.element(), &raw(value)?)?;
                let c = Filter::List {
                    column: f.field,
                    quantifier: Quantifier::Any,
                    element: ElementFilter::Cond(Condition::Cmp(CmpOp::Eq, element)),
                };
                if op == "has" { c } else { not(c) }
            }
            other => return Err(format!("unknown operator '{other}' for {name}")),
        })
    }

    /// A comparison value in the column's type; ranks convert to the stored 0–100 rating.
    fn value(&self, json: &Json, f: FilterField) -> Result<Value, String> {
        let v = coerce(f.value_type(), &raw(json)?)?;
        if !f.is_rank {
            return Ok(v);
        }
        let factor = self.scale.factor();
        Ok(match v {
            Value::Int(i) => Value::Float(i as f64 / factor),
            Value::Float(x) => Value::Float(x / factor),
            other => other,
        })
    }
}

/// `= true`, `= false`, `<> true`, `<> false` on a derived boolean.
fn flag(op: &str, value: &Json, holds: Filter) -> Result<Filter, String> {
    let Value::Bool(wanted) = coerce(ColType::Bool, &raw(value)?)? else {
        return Err(format!("expected true or false, got {value}"));
    };
    Ok(if wanted == (op == "=") {
        holds
    } else {
        Filter::Not(Box::new(holds))
    })
}

/// `has` / `has_not` on a derived list of names.
fn flags(op: &str, value: &Json, holds: fn(&str) -> Option<Filter>) -> Result<Filter, String> {
    let name = string(value)?;
    let filter = holds(&name).ok_or_else(|| format!("'{name}' is never in this list"))?;
    Ok(if op == "has" {
        filter
    } else {
        Filter::Not(Box::new(filter))
    })
}

fn and(mut parts: Vec<Filter>) -> Filter {
    if parts.len() == 1 {
        parts.remove(0)
    } else {
        Filter::And(parts)
    }
}

fn cmp(op: &str) -> CmpOp {
    match op {
        "<>" => CmpOp::Neq,
        "<" => CmpOp::Lt,
        "<=" => CmpOp::Lte,
        ">" => CmpOp::Gt,
        ">=" => CmpOp::Gte,
        _ => CmpOp::Eq,
    }
}

/// Which operators a column type takes.
fn check_operator(op: &str, ty: ColType) -> Result<(), String> {
    const ORDERED: &[&str] = &["=", "<>", "<", "<=", ">", ">=", "in", "not_in"];
    const TEXT: &[&str] = &[
        "=",
        "<>",
        "in",
        "not_in",
        "like",
        "not_like",
        "ilike",
        "not_ilike",
        "regex",
        "not_regex",
        "match",
        "not_match",
    ];
    const BOOL: &[&str] = &["=", "<>"];
    const LIST: &[&str] = &["has", "has_not"];
    let allowed = match ty {
        ColType::Int | ColType::Float | ColType::DateTime => ORDERED,
        ColType::Bool => BOOL,
        ColType::Str | ColType::Url | ColType::Date => TEXT,
        ColType::StrList | ColType::UrlList | ColType::IntList => LIST,
    };
    if allowed.contains(&op) {
        Ok(())
    } else {
        Err(format!(
            "operator '{op}' is not one of {}",
            allowed.join(", ")
        ))
    }
}

fn raw(json: &Json) -> Result<RawValue, String> {
    match json {
        Json::Bool(b) => Ok(RawValue::Bool(*b)),
        Json::String(s) => Ok(RawValue::Str(s.clone())),
        Json::Number(n) => Ok(n
            .as_i64()
            .map(RawValue::Int)
            .unwrap_or_else(|| RawValue::Float(n.as_f64().unwrap_or(f64::NAN)))),
        other => Err(format!("expected a number, string or boolean, got {other}")),
    }
}

fn string(json: &Json) -> Result<String, String> {
    json.as_str()
        .map(str::to_string)
        .ok_or_else(|| format!("expected a string, got {json}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn resolve(name: &str) -> Result<FilterField, String> {
        let ty = match name {
            "dofollow" => ColType::Bool,
            "rank" => ColType::Float,
            "anchor" => ColType::Str,
            "langs" => ColType::StrList,
            _ => return Err(format!("'{name}' is not a field")),
        };
        Ok(FilterField::column(Field { name: "x", ty }, name == "rank"))
    }

    fn parse_one(j: Json) -> Result<Filter, String> {
        parse(&j, &resolve, RankScale::OneThousand)
    }

    #[test]
    fn single_combined_and_nested() {
        assert!(matches!(
            parse_one(json!(["dofollow", "=", true])).unwrap(),
            Filter::Cond { .. }
        ));
        let f = parse_one(json!([["rank", ">", "55"], "and", ["dofollow", "=", true]])).unwrap();
        assert!(matches!(f, Filter::And(ref v) if v.len() == 2));
        let f = parse_one(json!([
            ["rank", ">", 500],
            "or",
            [["anchor", "like", "%seo%"], "and", ["langs", "has", "en"]]
        ]))
        .unwrap();
        assert!(matches!(f, Filter::Or(ref v) if v.len() == 2));
    }

    #[test]
    fn ranks_are_scaled_to_ratings() {
        let f = parse_one(json!(["rank", ">", 550])).unwrap();
        let Filter::Cond { condition, .. } = f else {
            panic!("{f:?}")
        };
        assert_eq!(condition, Condition::Cmp(CmpOp::Gt, Value::Float(55.0)));
    }

    #[test]
    fn errors_name_the_problem() {
        let e = parse_one(json!(["anchor", "bogus", "x"])).unwrap_err();
        assert!(e.contains("operator 'bogus'"), "{e}");
        let e = parse_one(json!(["dofollow", "like", "x"])).unwrap_err();
        assert!(e.contains("operator 'like'"), "{e}");
        let e = parse_one(json!(["nope", "=", 1])).unwrap_err();
        assert!(e.contains("'nope'"), "{e}");
        let nine: Vec<Json> = (0..9)
            .flat_map(|i| {
                let c = json!(["rank", ">", i]);
                if i == 0 {
                    vec![c]
                } else {
                    vec![json!("and"), c]
                }
            })
            .collect();
        let e = parse_one(Json::Array(nine)).unwrap_err();
        assert!(e.contains("9 conditions"), "{e}");
        assert!(parse_one(json!([["rank", ">", 1], "xor", ["rank", "<", 9]])).is_err());
        assert!(parse_one(json!([["rank", ">", 1], "and"])).is_err());
    }
}
