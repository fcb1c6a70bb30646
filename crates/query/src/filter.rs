//! Protocol-neutral filters over catalogue columns, translated into DataFusion expressions.
//!
//! Every protocol parses its own filter language (Ahrefs' `where` JSON, DataForSEO's nested
//! arrays, Ahrefs v2's `where`/`having`) into a [`Filter`], so the semantics of each operator
//! live here, once. Values are already coerced to the column's type by [`coerce`].

use anchorage_core::catalogue::{ColType, Column};
use anchorage_core::time::{Micros, parse_any};
use datafusion::arrow::array::{Array, ArrayRef, AsArray, BooleanBuilder};
use datafusion::arrow::datatypes::{DataType, Int64Type};
use datafusion::common::{DataFusionError, ScalarValue};
use datafusion::logical_expr::{
    BinaryExpr, ColumnarValue, Expr, Like, Operator, ScalarFunctionArgs, ScalarUDF, ScalarUDFImpl,
    Signature, Volatility, cast, col, lit,
};
use std::hash::{Hash, Hasher};
use std::sync::Arc;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
    Time(Micros),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CmpOp {
    Eq,
    Neq,
    Gt,
    Gte,
    Lt,
    Lte,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TextOp {
    /// Contains, case-sensitive.
    Substring,
    /// Contains, case-insensitive.
    ISubstring,
    /// Whole words/phrase, case-sensitive.
    PhraseMatch,
    /// Whole words/phrase, case-insensitive.
    IPhraseMatch,
    Prefix,
    Suffix,
    /// SQL LIKE with `%` and `_` wildcards.
    Like,
    ILike,
}

/// One test of one value.
#[derive(Debug, Clone, PartialEq)]
pub enum Condition {
    Cmp(CmpOp, Value),
    Text(TextOp, String),
    /// RE2-style regular expression (Rust `regex` syntax), unanchored.
    Regex(String),
    /// The value equals one of these.
    In(Vec<Value>),
    /// Empty string or empty list.
    Empty,
    IsNull,
}

/// A transformation applied to a column before the condition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Modifier {
    Uppercase,
    Lowercase,
    /// Length in characters (strings) or elements (lists).
    Length,
    /// The first element of a list (null when the list is empty).
    First,
    /// The last element of a list (null when the list is empty).
    Last,
    /// What follows a string's last dot: a host's top-level label (`com` of `a.b.com`).
    LastLabel,
}

impl Modifier {
    /// The type of the modified value of a column of type `ty`.
    pub fn output(self, ty: ColType) -> ColType {
        match self {
            Modifier::Uppercase | Modifier::Lowercase | Modifier::LastLabel => ColType::Str,
            Modifier::Length => ColType::Int,
            Modifier::First | Modifier::Last => ty.element(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Quantifier {
    Any,
    All,
}

/// A boolean combination of conditions on one list element.
#[derive(Debug, Clone, PartialEq)]
pub enum ElementFilter {
    And(Vec<ElementFilter>),
    Or(Vec<ElementFilter>),
    Not(Box<ElementFilter>),
    Cond(Condition),
}

/// A column a filter tests: a link column, or a column of an aggregate report.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Field {
    pub name: &'static str,
    pub ty: ColType,
}

impl From<&'static Column> for Field {
    fn from(c: &'static Column) -> Self {
        Field {
            name: c.name,
            ty: c.ty,
        }
    }
}

/// A boolean combination of conditions on columns.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Vec<Filter>),
    Or(Vec<Filter>),
    Not(Box<Filter>),
    Cond {
        column: Field,
        modifier: Option<Modifier>,
        condition: Condition,
    },
    /// Some (`Any`) or every (`All`) element of a list column satisfies the element filter.
    List {
        column: Field,
        quantifier: Quantifier,
        element: ElementFilter,
    },
}

impl Filter {
    /// Every field the filter tests.
    pub fn fields(&self, out: &mut Vec<Field>) {
        match self {
            Filter::And(v) | Filter::Or(v) => v.iter().for_each(|f| f.fields(out)),
            Filter::Not(f) => f.fields(out),
            Filter::Cond { column, .. } | Filter::List { column, .. } => out.push(*column),
        }
    }
}

/// Coerces a filter value given as text (or JSON scalar rendered as text) to `ty`.
/// Booleans also accept 0/1 and true/false; date-times accept ISO-8601 and `YYYY-MM-DD`.
pub fn coerce(ty: ColType, raw: &RawValue) -> Result<Value, String> {
    let ty = ty.element();
    match (ty, raw) {
        (ColType::Int, RawValue::Int(i)) => Ok(Value::Int(*i)),
        (ColType::Int, RawValue::Float(f)) if f.fract() == 0.0 => Ok(Value::Int(*f as i64)),
        (ColType::Int, RawValue::Str(s)) => s
            .trim()
            .parse()
            .map(Value::Int)
            .map_err(|_| format!("'{s}' is not an integer")),
        (ColType::Float, RawValue::Int(i)) => Ok(Value::Float(*i as f64)),
        (ColType::Float, RawValue::Float(f)) => Ok(Value::Float(*f)),
        (ColType::Float, RawValue::Str(s)) => s
            .trim()
            .parse()
            .map(Value::Float)
            .map_err(|_| format!("'{s}' is not a number")),
        (ColType::Bool, RawValue::Bool(b)) => Ok(Value::Bool(*b)),
        (ColType::Bool, RawValue::Int(0)) => Ok(Value::Bool(false)),
        (ColType::Bool, RawValue::Int(1)) => Ok(Value::Bool(true)),
        (ColType::Bool, RawValue::Str(s)) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "1" => Ok(Value::Bool(true)),
            "false" | "0" => Ok(Value::Bool(false)),
            _ => Err(format!("'{s}' is not a boolean (true, false, 1 or 0)")),
        },
        (ColType::DateTime, RawValue::Str(s)) => parse_any(s)
            .map(Value::Time)
            .ok_or_else(|| format!("'{s}' is not a date or date-time (YYYY-MM-DD or ISO 8601)")),
        (ColType::Str | ColType::Url | ColType::Date, RawValue::Str(s)) => {
            Ok(Value::Str(s.clone()))
        }
        (ColType::Str | ColType::Url | ColType::Date, RawValue::Int(i)) => {
            Ok(Value::Str(i.to_string()))
        }
        (ColType::Str | ColType::Url | ColType::Date, RawValue::Float(f)) => {
            Ok(Value::Str(f.to_string()))
        }
        (_, raw) => Err(format!(
            "{} is not a valid {} value",
            raw.describe(),
            type_name(ty)
        )),
    }
}

/// A scalar as a protocol delivered it, before coercion.
#[derive(Debug, Clone, PartialEq)]
pub enum RawValue {
    Int(i64),
    Float(f64),
    Bool(bool),
    Str(String),
}

impl RawValue {
    fn describe(&self) -> String {
        match self {
            RawValue::Int(i) => i.to_string(),
            RawValue::Float(f) => f.to_string(),
            RawValue::Bool(b) => b.to_string(),
            RawValue::Str(s) => format!("'{s}'"),
        }
    }
}

pub fn type_name(ty: ColType) -> &'static str {
    match ty {
        ColType::Int => "integer",
        ColType::Float => "number",
        ColType::Bool => "boolean",
        ColType::Str => "string",
        ColType::Url => "URL",
        ColType::DateTime => "date-time",
        ColType::Date => "date",
        ColType::StrList | ColType::UrlList => "list of strings",
        ColType::IntList => "list of integers",
    }
}

impl Value {
    pub(crate) fn to_expr(&self) -> Expr {
        match self {
            Value::Int(i) => lit(*i),
            Value::Float(f) => lit(*f),
            Value::Bool(b) => lit(*b),
            Value::Str(s) => lit(s.clone()),
            Value::Time(t) => lit(ScalarValue::TimestampMicrosecond(
                Some(*t),
                Some("UTC".into()),
            )),
        }
    }
}

/// The DataFusion expression of a filter.
pub fn to_expr(filter: &Filter) -> Result<Expr, String> {
    Ok(match filter {
        Filter::And(parts) => combine(parts, Expr::and, true)?,
        Filter::Or(parts) => combine(parts, Expr::or, false)?,
        Filter::Not(inner) => Expr::Not(Box::new(to_expr(inner)?)),
        Filter::Cond {
            column,
            modifier,
            condition,
        } => {
            let (target, ty) = apply_modifier(column, *modifier);
            condition_expr(target, ty, condition)?
        }
        Filter::List {
            column,
            quantifier,
            element,
        } => ListMatch::udf(*quantifier, element.clone())?.call(vec![col(column.name)]),
    })
}

fn combine(parts: &[Filter], op: fn(Expr, Expr) -> Expr, empty: bool) -> Result<Expr, String> {
    let mut exprs = parts.iter().map(to_expr);
    let Some(first) = exprs.next() else {
        return Ok(lit(empty));
    };
    exprs.try_fold(first?, |acc, e| Ok(op(acc, e?)))
}

/// The expression of `modifier` applied to `column`.
pub fn modified(column: &Field, modifier: Modifier) -> Expr {
    apply_modifier(column, Some(modifier)).0
}

fn apply_modifier(column: &Field, modifier: Option<Modifier>) -> (Expr, ColType) {
    use datafusion::functions::expr_fn::{character_length, lower, regexp_replace, upper};
    use datafusion::functions_nested::expr_fn::{array_element, cardinality};
    let c = col(column.name);
    let Some(modifier) = modifier else {
        return (c, column.ty);
    };
    let expr = match modifier {
        Modifier::Uppercase => upper(c),
        Modifier::Lowercase => lower(c),
        Modifier::Length if column.ty.is_list() => cardinality(c),
        Modifier::Length => character_length(c),
        Modifier::First => array_element(c, lit(1i64)),
        // Index 0 (an empty list) gives null.
        Modifier::Last => array_element(c.clone(), cast(cardinality(c), DataType::Int64)),
        Modifier::LastLabel => regexp_replace(c, lit(r"^.*\."), lit(""), None),
    };
    (expr, modifier.output(column.ty))
}

fn condition_expr(target: Expr, ty: ColType, condition: &Condition) -> Result<Expr, String> {
    Ok(match condition {
        Condition::Cmp(op, value) => {
            let op = match op {
                CmpOp::Eq => Operator::Eq,
                CmpOp::Neq => Operator::NotEq,
                CmpOp::Gt => Operator::Gt,
                CmpOp::Gte => Operator::GtEq,
                CmpOp::Lt => Operator::Lt,
                CmpOp::Lte => Operator::LtEq,
            };
            let cmp = Expr::BinaryExpr(BinaryExpr::new(
                Box::new(target.clone()),
                op,
                Box::new(value.to_expr()),
            ));
            // "not equal" keeps rows where the column is null, as a user reading it expects.
            if op == Operator::NotEq {
                cmp.or(target.is_null())
            } else {
                cmp
            }
        }
        Condition::Text(op, text) => text_expr(target, *op, text),
        Condition::Regex(re) => {
            regex::Regex::new(re).map_err(|e| format!("invalid regex: {e}"))?;
            regex_expr(target, re, false)
        }
        Condition::In(values) => target.in_list(values.iter().map(Value::to_expr).collect(), false),
        Condition::Empty if ty.is_list() => {
            datafusion::functions_nested::expr_fn::cardinality(target).eq(lit(0u64))
        }
        Condition::Empty => target.eq(lit("")),
        Condition::IsNull => target.is_null(),
    })
}

fn like(target: Expr, pattern: String, case_insensitive: bool) -> Expr {
    Expr::Like(Like::new(
        false,
        Box::new(target),
        Box::new(lit(pattern)),
        Some('\\'),
        case_insensitive,
    ))
}

fn escape_like(s: &str) -> String {
    s.replace('\\', "\\\\")
        .replace('%', "\\%")
        .replace('_', "\\_")
}

fn regex_expr(target: Expr, re: &str, case_insensitive: bool) -> Expr {
    let op = if case_insensitive {
        Operator::RegexIMatch
    } else {
        Operator::RegexMatch
    };
    Expr::BinaryExpr(BinaryExpr::new(
        Box::new(target),
        op,
        Box::new(lit(re.to_string())),
    ))
}

/// The regex of a phrase match: the words of the phrase in order, as whole words.
pub fn phrase_regex(phrase: &str) -> String {
    let words: Vec<String> = phrase.split_whitespace().map(regex::escape).collect();
    format!(r"(^|\W){}($|\W)", words.join(r"\W+"))
}

fn text_expr(target: Expr, op: TextOp, text: &str) -> Expr {
    let escaped = escape_like(text);
    match op {
        TextOp::Substring => like(target, format!("%{escaped}%"), false),
        TextOp::ISubstring => like(target, format!("%{escaped}%"), true),
        TextOp::Prefix => like(target, format!("{escaped}%"), false),
        TextOp::Suffix => like(target, format!("%{escaped}"), false),
        TextOp::Like => like(target, text.to_string(), false),
        TextOp::ILike => like(target, text.to_string(), true),
        TextOp::PhraseMatch => regex_expr(target, &phrase_regex(text), false),
        TextOp::IPhraseMatch => regex_expr(target, &phrase_regex(text), true),
    }
}

/// A compiled element predicate for list columns.
enum Compiled {
    And(Vec<Compiled>),
    Or(Vec<Compiled>),
    Not(Box<Compiled>),
    Test(Box<dyn Fn(Element<'_>) -> bool + Send + Sync>),
}

#[derive(Clone, Copy)]
enum Element<'a> {
    Str(&'a str),
    Int(i64),
}

impl Compiled {
    fn eval(&self, e: Element<'_>) -> bool {
        match self {
            Compiled::And(v) => v.iter().all(|c| c.eval(e)),
            Compiled::Or(v) => v.iter().any(|c| c.eval(e)),
            Compiled::Not(c) => !c.eval(e),
            Compiled::Test(f) => f(e),
        }
    }
}

fn compile(filter: &ElementFilter) -> Result<Compiled, String> {
    Ok(match filter {
        ElementFilter::And(v) => Compiled::And(v.iter().map(compile).collect::<Result<_, _>>()?),
        ElementFilter::Or(v) => Compiled::Or(v.iter().map(compile).collect::<Result<_, _>>()?),
        ElementFilter::Not(c) => Compiled::Not(Box::new(compile(c)?)),
        ElementFilter::Cond(c) => Compiled::Test(compile_condition(c)?),
    })
}

type Test = Box<dyn Fn(Element<'_>) -> bool + Send + Sync>;

fn compile_condition(c: &Condition) -> Result<Test, String> {
    let text_re = |re: String| -> Result<Test, String> {
        let re = regex::Regex::new(&re).map_err(|e| format!("invalid regex: {e}"))?;
        Ok(Box::new(
            move |e| matches!(e, Element::Str(s) if re.is_match(s)),
        ))
    };
    Ok(match c.clone() {
        Condition::Cmp(op, value) => {
            Box::new(move |e| compare(e, &value).is_some_and(|o| cmp_holds(op, o)))
        }
        Condition::In(values) => Box::new(move |e| {
            values
                .iter()
                .any(|v| compare(e, v) == Some(std::cmp::Ordering::Equal))
        }),
        Condition::Regex(re) => text_re(re)?,
        Condition::Text(TextOp::PhraseMatch, t) => text_re(phrase_regex(&t))?,
        Condition::Text(TextOp::IPhraseMatch, t) => text_re(format!("(?i){}", phrase_regex(&t)))?,
        Condition::Text(TextOp::Like, t) => text_re(like_regex(&t, false))?,
        Condition::Text(TextOp::ILike, t) => text_re(like_regex(&t, true))?,
        Condition::Text(op, t) => Box::new(move |e| match e {
            Element::Str(s) => match op {
                TextOp::Substring => s.contains(&t),
                TextOp::ISubstring => s.to_lowercase().contains(&t.to_lowercase()),
                TextOp::Prefix => s.starts_with(&t),
                _ => s.ends_with(&t),
            },
            Element::Int(_) => false,
        }),
        Condition::Empty => Box::new(|e| matches!(e, Element::Str(""))),
        Condition::IsNull => Box::new(|_| false),
    })
}

/// Whether `condition` holds for one value (`None`: null), as the expression of
/// [`to_expr`] decides it for a row: nulls pass `IsNull` and `<>` only. For protocols that
/// evaluate a condition on a value computed outside the tables.
pub fn holds(condition: &Condition, value: Option<&Value>) -> Result<bool, String> {
    let Some(value) = value else {
        return Ok(matches!(
            condition,
            Condition::IsNull | Condition::Cmp(CmpOp::Neq, _)
        ));
    };
    Ok(match (condition, value) {
        (Condition::IsNull, _) => false,
        (Condition::Cmp(op, wanted), v) => {
            compare_values(v, wanted).is_some_and(|o| cmp_holds(*op, o))
        }
        (Condition::In(values), v) => values
            .iter()
            .any(|w| compare_values(v, w) == Some(std::cmp::Ordering::Equal)),
        (c, Value::Str(s)) => compile_condition(c)?(Element::Str(s)),
        (c, Value::Int(i)) => compile_condition(c)?(Element::Int(*i)),
        _ => false,
    })
}

fn compare_values(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Int(x), Value::Int(y)) => Some(x.cmp(y)),
        (Value::Int(x), Value::Float(y)) => (*x as f64).partial_cmp(y),
        (Value::Float(x), Value::Int(y)) => x.partial_cmp(&(*y as f64)),
        (Value::Float(x), Value::Float(y)) => x.partial_cmp(y),
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Str(x), Value::Str(y)) => Some(x.cmp(y)),
        (Value::Time(x), Value::Time(y)) => Some(x.cmp(y)),
        _ => None,
    }
}

/// The anchored regex of a SQL LIKE pattern.
pub fn like_regex(pattern: &str, case_insensitive: bool) -> String {
    let mut re = String::from(if case_insensitive { "(?is)^" } else { "(?s)^" });
    let mut chars = pattern.chars();
    while let Some(c) = chars.next() {
        match c {
            '%' => re.push_str(".*"),
            '_' => re.push('.'),
            '\\' => re.push_str(&regex::escape(
                &chars.next().map(String::from).unwrap_or_default(),
            )),
            other => re.push_str(&regex::escape(&other.to_string())),
        }
    }
    re.push('$');
    re
}

fn compare(e: Element<'_>, v: &Value) -> Option<std::cmp::Ordering> {
    match (e, v) {
        (Element::Str(s), Value::Str(t)) => Some(s.cmp(t.as_str())),
        (Element::Int(i), Value::Int(j)) => Some(i.cmp(j)),
        (Element::Int(i), Value::Float(f)) => (i as f64).partial_cmp(f),
        _ => None,
    }
}

fn cmp_holds(op: CmpOp, o: std::cmp::Ordering) -> bool {
    use std::cmp::Ordering::*;
    match op {
        CmpOp::Eq => o == Equal,
        CmpOp::Neq => o != Equal,
        CmpOp::Gt => o == Greater,
        CmpOp::Gte => o != Less,
        CmpOp::Lt => o == Less,
        CmpOp::Lte => o != Greater,
    }
}

/// `list_match(list)`: does any / every element satisfy the compiled predicate?
struct ListMatch {
    spec: String,
    quantifier: Quantifier,
    predicate: Compiled,
    signature: Signature,
}

impl std::fmt::Debug for ListMatch {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "ListMatch({})", self.spec)
    }
}

impl PartialEq for ListMatch {
    fn eq(&self, other: &Self) -> bool {
        self.spec == other.spec
    }
}
impl Eq for ListMatch {}
impl Hash for ListMatch {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.spec.hash(state);
    }
}

impl ListMatch {
    fn udf(quantifier: Quantifier, element: ElementFilter) -> Result<ScalarUDF, String> {
        let spec = format!("{quantifier:?} {element:?}");
        Ok(ScalarUDF::from(ListMatch {
            spec,
            quantifier,
            predicate: compile(&element)?,
            signature: Signature::any(1, Volatility::Immutable),
        }))
    }

    fn matches(&self, list: &ArrayRef) -> bool {
        let mut elements: Box<dyn Iterator<Item = Element<'_>>> = match list.data_type() {
            DataType::Utf8 => Box::new(list.as_string::<i32>().iter().flatten().map(Element::Str)),
            DataType::Int64 => Box::new(
                list.as_primitive::<Int64Type>()
                    .iter()
                    .flatten()
                    .map(Element::Int),
            ),
            _ => Box::new(std::iter::empty()),
        };
        match self.quantifier {
            Quantifier::Any => elements.any(|e| self.predicate.eval(e)),
            Quantifier::All => elements.all(|e| self.predicate.eval(e)),
        }
    }
}

impl ScalarUDFImpl for ListMatch {
    fn name(&self) -> &str {
        "list_match"
    }
    fn signature(&self) -> &Signature {
        &self.signature
    }
    fn return_type(&self, _args: &[DataType]) -> datafusion::common::Result<DataType> {
        Ok(DataType::Boolean)
    }
    fn invoke_with_args(
        &self,
        args: ScalarFunctionArgs,
    ) -> datafusion::common::Result<ColumnarValue> {
        let arrays = ColumnarValue::values_to_arrays(&args.args)?;
        let lists = arrays
            .first()
            .and_then(|a| a.as_list_opt::<i32>())
            .ok_or_else(|| DataFusionError::Execution("list_match expects a list column".into()))?;
        let mut out = BooleanBuilder::with_capacity(lists.len());
        for i in 0..lists.len() {
            out.append_value(!lists.is_null(i) && self.matches(&lists.value(i)));
        }
        Ok(ColumnarValue::Array(Arc::new(out.finish())))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn holds_decides_one_value_as_the_expression_decides_a_row() {
        let us = Value::Str("US".into());
        let eq = Condition::Cmp(CmpOp::Eq, us.clone());
        assert_eq!(holds(&eq, Some(&us)), Ok(true));
        assert_eq!(holds(&eq, None), Ok(false));
        assert_eq!(
            holds(&Condition::Cmp(CmpOp::Neq, us.clone()), None),
            Ok(true)
        );
        assert_eq!(holds(&Condition::IsNull, None), Ok(true));
        let gt = Condition::Cmp(CmpOp::Gt, Value::Int(30));
        assert_eq!(holds(&gt, Some(&Value::Int(31))), Ok(true));
        assert_eq!(holds(&gt, Some(&Value::Float(29.5))), Ok(false));
        let like = Condition::Text(TextOp::ILike, "u%".into());
        assert_eq!(holds(&like, Some(&us)), Ok(true));
        let listed = Condition::In(vec![Value::Str("DE".into()), us.clone()]);
        assert_eq!(holds(&listed, Some(&us)), Ok(true));
        assert!(holds(&Condition::Regex("(".into()), Some(&us)).is_err());
    }

    #[test]
    fn coercion_follows_column_types() {
        assert_eq!(
            coerce(ColType::Bool, &RawValue::Int(1)),
            Ok(Value::Bool(true))
        );
        assert_eq!(
            coerce(ColType::Int, &RawValue::Str("55".into())),
            Ok(Value::Int(55))
        );
        assert!(
            coerce(ColType::Int, &RawValue::Str("x".into()))
                .unwrap_err()
                .contains("integer")
        );
        assert!(matches!(
            coerce(ColType::DateTime, &RawValue::Str("2024-01-02".into())),
            Ok(Value::Time(_))
        ));
        assert!(coerce(ColType::Bool, &RawValue::Int(3)).is_err());
        assert_eq!(
            coerce(ColType::StrList, &RawValue::Str("en".into())),
            Ok(Value::Str("en".into()))
        );
    }

    #[test]
    fn like_and_phrase_regexes() {
        let re = regex::Regex::new(&like_regex("%seo_tools%", false)).unwrap();
        assert!(re.is_match("best seo-tools here"));
        assert!(!re.is_match("best SEO-tools here"));
        let p = regex::Regex::new(&phrase_regex("who is")).unwrap();
        assert!(p.is_match("and who  is there"));
        assert!(!p.is_match("whois"));
    }

    #[test]
    fn element_predicates() {
        let c = compile(&ElementFilter::And(vec![
            ElementFilter::Cond(Condition::Text(TextOp::Prefix, "Ah".into())),
            ElementFilter::Not(Box::new(ElementFilter::Cond(Condition::Text(
                TextOp::Suffix,
                "x".into(),
            )))),
        ]))
        .unwrap();
        assert!(c.eval(Element::Str("Ahrefs")));
        assert!(!c.eval(Element::Str("Ahx")));
        let n = compile(&ElementFilter::Cond(Condition::Cmp(
            CmpOp::Gte,
            Value::Int(301),
        )))
        .unwrap();
        assert!(n.eval(Element::Int(302)) && !n.eval(Element::Int(200)));
    }
}
