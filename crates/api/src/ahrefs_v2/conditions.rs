//! v2 conditions ([`expr::Condition`]) as the query layer's [`Filter`]s: the meaning of each
//! operator and function on each kind of v2 column, once.
//!
//! - Values are converted to the column's type (numbers and booleans may come quoted).
//! - A rounded rating compares as shown: `domain_rating=45` holds for 44.5 ≤ DR < 45.5.
//! - A date (`"2024-01-31"`) against a date-time column stands for that whole day:
//!   `first_seen="2024-01-31"` holds all day, `first_seen>"2024-01-31"` from the next day.
//! - `<>` holds where the column is null too (as in the v3 and DataForSEO filters).
//! - A value v2 shows in place of null (`redirect` 0, `alt` "") matches the null rows.
//! - `substring` and `word` ignore case; `subdomain(col, "example.com")` holds when the host in
//!   `col` (a URL or a domain) is example.com or one of its subdomains.

use super::columns::{Group, LINK_TYPES, Link, SITEWIDE_LOCATIONS, Table};
use super::error::V2Error;
use super::expr::{self, Function, Literal, Operator, Test};
use anchorage_core::catalogue::{ColType, backlink_column};
use anchorage_core::reports::Report;
use anchorage_core::time::parse_date;
use anchorage_query::filter::{
    CmpOp, Condition, ElementFilter, Field, Filter, Modifier, Quantifier, RawValue, TextOp, Value,
    coerce, type_name,
};

const DAY: i64 = 86_400_000_000;

/// Which parameter a condition came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Clause {
    Where,
    Having,
}

impl Clause {
    pub fn param(self) -> &'static str {
        match self {
            Clause::Where => "where",
            Clause::Having => "having",
        }
    }
}

/// The filters of one request: on the links (before grouping) and on the grouped rows.
#[derive(Debug, Default)]
pub struct Filters {
    pub links: Vec<Filter>,
    pub groups: Vec<Filter>,
}

impl Filters {
    pub fn is_empty(&self) -> bool {
        self.links.is_empty() && self.groups.is_empty()
    }

    pub fn link_filter(&self) -> Option<Filter> {
        all(&self.links)
    }

    pub fn group_filter(&self) -> Option<Filter> {
        all(&self.groups)
    }
}

fn all(parts: &[Filter]) -> Option<Filter> {
    match parts {
        [] => None,
        [one] => Some(one.clone()),
        many => Some(Filter::And(many.to_vec())),
    }
}

/// Adds the conditions of `clause` to `filters`.
///
/// In a link table both clauses test the rows. In a grouped table `where` tests the links —
/// through the column's link value, else (a count such as `backlinks`) the grouped value —
/// and `having` the grouped values; each clause only takes the columns v2 allows in it.
pub fn add(
    table: &Table,
    clause: Clause,
    conditions: &[expr::Condition],
    filters: &mut Filters,
) -> Result<(), V2Error> {
    let param = clause.param();
    for c in conditions {
        let column = table
            .column(&c.column)
            .ok_or_else(|| V2Error::UnknownColumn {
                param,
                column: c.column.clone(),
                table: table.name,
            })?;
        let fail = |reason: String| V2Error::condition(param, c.at, &c.column, reason);
        let Some(report) = table.report() else {
            let link = column
                .link
                .ok_or_else(|| fail(format!("not a column of {}", table.name)))?;
            filters
                .links
                .push(link_filter(link, &c.test).map_err(fail)?);
            continue;
        };
        let own = table.own.iter().any(|o| o.name == column.name);
        let allowed = if own {
            column.clauses
                & match clause {
                    Clause::Where => super::columns::WHERE,
                    Clause::Having => super::columns::HAVING,
                }
                != 0
        } else {
            clause == Clause::Where
        };
        if !allowed {
            let other = match clause {
                Clause::Where => "having",
                Clause::Having => "where",
            };
            return Err(fail(format!(
                "{} cannot be used in {param} in {}; use {other}",
                column.name, table.name
            )));
        }
        match (clause, column.link, column.group) {
            (Clause::Where, Some(link), _) => filters
                .links
                .push(link_filter(link, &c.test).map_err(fail)?),
            (_, _, Some(group)) => filters
                .groups
                .push(group_filter(report, group, &c.test).map_err(fail)?),
            _ => return Err(fail(format!("cannot be used in {param} in {}", table.name))),
        }
    }
    Ok(())
}

/// A filterable catalogue column.
fn field(name: &'static str) -> Result<Field, String> {
    backlink_column(name)
        .map(Field::from)
        .ok_or_else(|| format!("internal: '{name}' is missing from the column catalogue"))
}

fn cond(column: Field, condition: Condition) -> Filter {
    Filter::Cond {
        column,
        modifier: None,
        condition,
    }
}

fn is_null(column: Field) -> Filter {
    cond(column, Condition::IsNull)
}

fn equals(column: Field, value: Value) -> Filter {
    cond(column, Condition::Cmp(CmpOp::Eq, value))
}

/// `condition` on the first element of the list `column`, the one v2 shows.
fn first(column: Field, condition: Condition) -> Filter {
    Filter::Cond {
        column,
        modifier: Some(Modifier::First),
        condition,
    }
}

/// Null, or not `inner`: what `<>` means on a column that may be null.
fn outside(column: Field, inner: Filter) -> Filter {
    Filter::Or(vec![is_null(column), Filter::Not(Box::new(inner))])
}

fn raw(literal: &Literal) -> RawValue {
    match literal {
        Literal::Str(s) => RawValue::Str(s.clone()),
        Literal::Int(i) => RawValue::Int(*i),
        Literal::Float(f) => RawValue::Float(*f),
        Literal::Bool(b) => RawValue::Bool(*b),
    }
}

fn cmp_op(op: Operator) -> CmpOp {
    match op {
        Operator::Eq => CmpOp::Eq,
        Operator::Ne => CmpOp::Neq,
        Operator::Lt => CmpOp::Lt,
        Operator::Le => CmpOp::Lte,
        Operator::Gt => CmpOp::Gt,
        Operator::Ge => CmpOp::Gte,
    }
}

/// `column <op> literal`. With `rounded`, a whole number stands for the ratings that round
/// to it; a date against a date-time column stands for the whole day.
fn compare(
    column: Field,
    op: Operator,
    literal: &Literal,
    rounded: bool,
) -> Result<Filter, String> {
    if column.ty == ColType::Bool && !matches!(op, Operator::Eq | Operator::Ne) {
        return Err(format!(
            "only = and <> apply to a boolean, not {}",
            op.symbol()
        ));
    }
    let value = coerce(column.ty, &raw(literal))?;
    let span = match (&value, literal) {
        (Value::Float(f), _) if rounded && f.fract() == 0.0 => {
            Some((Value::Float(f - 0.5), Value::Float(f + 0.5)))
        }
        (Value::Time(t), Literal::Str(s)) if parse_date(s).is_some() => {
            Some((Value::Time(*t), Value::Time(t + DAY)))
        }
        _ => None,
    };
    let Some((low, high)) = span else {
        return Ok(cond(column, Condition::Cmp(cmp_op(op), value)));
    };
    let at_least = |v: Value| cond(column, Condition::Cmp(CmpOp::Gte, v));
    let below = |v: Value| cond(column, Condition::Cmp(CmpOp::Lt, v));
    let within = Filter::And(vec![at_least(low.clone()), below(high.clone())]);
    Ok(match op {
        Operator::Eq => within,
        Operator::Ne => outside(column, within),
        Operator::Lt => below(low),
        Operator::Le => below(high),
        Operator::Gt => at_least(high),
        Operator::Ge => at_least(low),
    })
}

/// Does `shown <op> value` hold (the value v2 shows for a null)?
fn holds(op: Operator, shown: &Value, value: &Value) -> bool {
    let ordering = match (shown, value) {
        (Value::Int(a), Value::Int(b)) => a.partial_cmp(b),
        (Value::Int(a), Value::Float(b)) => (*a as f64).partial_cmp(b),
        (Value::Str(a), Value::Str(b)) => a.partial_cmp(b),
        _ => None,
    };
    let Some(o) = ordering else { return false };
    match op {
        Operator::Eq => o.is_eq(),
        Operator::Ne => o.is_ne(),
        Operator::Lt => o.is_lt(),
        Operator::Le => o.is_le(),
        Operator::Gt => o.is_gt(),
        Operator::Ge => o.is_ge(),
    }
}

/// `column <op> literal` where v2 shows `shown` for a null.
fn compare_or_shown(
    column: Field,
    op: Operator,
    literal: &Literal,
    shown: RawValue,
) -> Result<Filter, String> {
    let direct = compare(column, op, literal, false)?;
    let value = coerce(column.ty, &raw(literal))?;
    let shown = coerce(column.ty, &shown)?;
    // The comparisons leave the nulls out, except `<>`, which keeps them.
    let keeps_nulls = op == Operator::Ne;
    Ok(match (holds(op, &shown, &value), keeps_nulls) {
        (true, false) => Filter::Or(vec![direct, is_null(column)]),
        (false, true) => Filter::And(vec![direct, Filter::Not(Box::new(is_null(column)))]),
        _ => direct,
    })
}

fn text_condition(function: Function, argument: &str, ty: ColType) -> Result<Condition, String> {
    Ok(match function {
        Function::Substring => Condition::Text(TextOp::ISubstring, argument.to_string()),
        Function::Word => Condition::Text(TextOp::IPhraseMatch, argument.to_string()),
        Function::Subdomain => Condition::Regex(subdomain_regex(argument, ty == ColType::Url)?),
    })
}

/// The regex of "the host is `domain` or one of its subdomains", on a URL or on a host.
fn subdomain_regex(domain: &str, url: bool) -> Result<String, String> {
    let domain = domain.trim().trim_start_matches('.').to_ascii_lowercase();
    if domain.is_empty() || domain.contains(['/', ' ']) {
        return Err(format!(
            "subdomain needs a domain such as \"example.com\", not \"{domain}\""
        ));
    }
    let domain = regex::escape(&domain);
    Ok(if url {
        format!(r"(?i)^[a-z][a-z0-9+.-]*://([^/?#@]*@)?([^/?#:@]*\.)?{domain}(:[0-9]+)?([/?#]|$)")
    } else {
        format!(r"(?i)^([^/]*\.)?{domain}$")
    })
}

/// A function on a text column.
fn function_filter(column: Field, function: Function, argument: &str) -> Result<Filter, String> {
    let element = column.ty.element();
    if !matches!(element, ColType::Str | ColType::Url) {
        return Err(format!(
            "{} applies to text, and this is a {} column",
            function.name(),
            type_name(column.ty)
        ));
    }
    let condition = text_condition(function, argument, element)?;
    Ok(if column.ty.is_list() {
        Filter::List {
            column,
            quantifier: Quantifier::Any,
            element: ElementFilter::Cond(condition),
        }
    } else {
        cond(column, condition)
    })
}

fn equality_only(op: Operator) -> Result<bool, String> {
    match op {
        Operator::Eq => Ok(true),
        Operator::Ne => Ok(false),
        other => Err(format!("only = and <> apply here, not {}", other.symbol())),
    }
}

fn boolean(literal: &Literal) -> Result<bool, String> {
    match coerce(ColType::Bool, &raw(literal))? {
        Value::Bool(b) => Ok(b),
        _ => Err("expected true or false".into()),
    }
}

fn text(literal: &Literal) -> String {
    match literal {
        Literal::Str(s) => s.clone(),
        Literal::Int(i) => i.to_string(),
        Literal::Float(f) => f.to_string(),
        Literal::Bool(b) => b.to_string(),
    }
}

fn one_of(literal: &Literal, allowed: &[&str]) -> Result<String, String> {
    let value = text(literal);
    if allowed.contains(&value.as_str()) {
        Ok(value)
    } else {
        Err(format!("\"{value}\" is not one of {}", allowed.join(", ")))
    }
}

/// The filter of one test on a link value.
pub fn link_filter(link: Link, test: &Test) -> Result<Filter, String> {
    let (op, literal) = match test {
        Test::Compare(op, literal) => (*op, literal),
        Test::Call(function, argument) => {
            return match link {
                Link::Column(c) => function_filter(field(c)?, *function, argument),
                Link::First(c) => {
                    let column = field(c)?;
                    if !matches!(column.ty.element(), ColType::Str | ColType::Url) {
                        return Err(format!("{} applies to text columns", function.name()));
                    }
                    let element = column.ty.element();
                    Ok(first(column, text_condition(*function, argument, element)?))
                }
                // "" contains only the empty string.
                Link::EmptyIfNull(c) => {
                    let f = function_filter(field(c)?, *function, argument)?;
                    Ok(if *function == Function::Substring && argument.is_empty() {
                        Filter::Or(vec![f, is_null(field(c)?)])
                    } else {
                        f
                    })
                }
                _ => Err(format!("{} applies to text columns", function.name())),
            };
        }
    };
    let lost = || field("is_lost");
    match link {
        Link::Column(c) => compare(field(c)?, op, literal, false),
        Link::Rounded(c) => compare(field(c)?, op, literal, true),
        Link::ZeroIfNull(c) => compare_or_shown(field(c)?, op, literal, RawValue::Int(0)),
        Link::EmptyIfNull(c) => {
            compare_or_shown(field(c)?, op, literal, RawValue::Str(String::new()))
        }
        Link::Not(c) => {
            let same = equality_only(op)?;
            let b = boolean(literal)?;
            Ok(equals(field(c)?, Value::Bool(if same { !b } else { b })))
        }
        Link::First(c) => {
            let column = field(c)?;
            let value = coerce(column.ty.element(), &raw(literal))?;
            Ok(first(column, Condition::Cmp(cmp_op(op), value)))
        }
        Link::LinkType => {
            let same = equality_only(op)?;
            let kind = one_of(literal, LINK_TYPES)?;
            let column = field("link_type")?;
            let inner = if kind == "href" {
                cond(
                    column,
                    Condition::In(vec![Value::Str("text".into()), Value::Str("image".into())]),
                )
            } else {
                equals(column, Value::Str(kind))
            };
            Ok(if same { inner } else { outside(column, inner) })
        }
        Link::Sitewide => {
            let want = equality_only(op)? == boolean(literal)?;
            let column = field("semantic_location")?;
            let inner = cond(
                column,
                Condition::In(
                    SITEWIDE_LOCATIONS
                        .iter()
                        .map(|l| Value::Str(l.to_string()))
                        .collect(),
                ),
            );
            Ok(if want { inner } else { outside(column, inner) })
        }
        Link::Original => {
            let want = equality_only(op)? == boolean(literal)?;
            let op = if want { CmpOp::Eq } else { CmpOp::Neq };
            Ok(cond(
                field("discovered_status")?,
                Condition::Cmp(op, Value::Str("pagefound".into())),
            ))
        }
        Link::EventDate => Ok(Filter::Or(vec![
            Filter::And(vec![
                equals(lost()?, Value::Bool(true)),
                compare(field("last_seen")?, op, literal, false)?,
            ]),
            Filter::And(vec![
                equals(lost()?, Value::Bool(false)),
                compare(field("first_seen_link")?, op, literal, false)?,
            ]),
        ])),
        Link::EventType => {
            let same = equality_only(op)?;
            let kind = one_of(literal, &["new", "lost"])?;
            Ok(equals(lost()?, Value::Bool((kind == "lost") == same)))
        }
        Link::Origin => {
            let same = equality_only(op)?;
            let origin = one_of(literal, &["fresh", "recrawl", "drop"])?;
            let pagefound = || Value::Str("pagefound".into());
            let found_with_page = cond(
                field("discovered_status")?,
                Condition::Cmp(CmpOp::Eq, pagefound()),
            );
            let dropped = Filter::Not(Box::new(is_null(field("drop_reason")?)));
            let is_lost = |b: bool| lost().map(|f| equals(f, Value::Bool(b)));
            let inner = match origin.as_str() {
                "fresh" => Filter::And(vec![is_lost(false)?, found_with_page]),
                "drop" => Filter::And(vec![is_lost(true)?, dropped]),
                _ => Filter::Or(vec![
                    Filter::And(vec![
                        is_lost(false)?,
                        Filter::Not(Box::new(found_with_page)),
                    ]),
                    Filter::And(vec![is_lost(true)?, Filter::Not(Box::new(dropped))]),
                ]),
            };
            Ok(if same {
                inner
            } else {
                Filter::Not(Box::new(inner))
            })
        }
        Link::HttpError => Err("cannot be filtered on; filter on http_code".into()),
    }
}

/// The filter of one test on a grouped value.
pub fn group_filter(report: &Report, group: Group, test: &Test) -> Result<Filter, String> {
    let column = report.column(group.name()).ok_or_else(|| {
        format!(
            "internal: {} has no column {}",
            report.endpoint,
            group.name()
        )
    })?;
    let field = Field {
        name: column.name,
        ty: column.ty,
    };
    match test {
        Test::Compare(op, literal) => {
            compare(field, *op, literal, matches!(group, Group::Rounded(_)))
        }
        Test::Call(function, argument) => function_filter(field, *function, argument),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn test(text: &str) -> Test {
        expr::parse(text).unwrap().remove(0).test
    }

    #[test]
    fn ratings_compare_as_shown() {
        let dr = field("domain_rating_source").unwrap();
        let f = link_filter(Link::Rounded("domain_rating_source"), &test("x=45")).unwrap();
        assert_eq!(
            f,
            Filter::And(vec![
                cond(dr, Condition::Cmp(CmpOp::Gte, Value::Float(44.5))),
                cond(dr, Condition::Cmp(CmpOp::Lt, Value::Float(45.5))),
            ])
        );
        let f = link_filter(Link::Rounded("domain_rating_source"), &test("x>\"45\"")).unwrap();
        assert_eq!(f, cond(dr, Condition::Cmp(CmpOp::Gte, Value::Float(45.5))));
    }

    #[test]
    fn dates_are_whole_days() {
        let f = link_filter(Link::Column("first_seen_link"), &test(r#"x<="2024-01-31""#)).unwrap();
        let Filter::Cond {
            condition: Condition::Cmp(CmpOp::Lt, Value::Time(t)),
            ..
        } = f
        else {
            panic!("{f:?}")
        };
        assert_eq!(t, parse_date("2024-02-01").unwrap());
    }

    #[test]
    fn nofollow_is_not_dofollow() {
        let dofollow = field("is_dofollow").unwrap();
        assert_eq!(
            link_filter(Link::Not("is_dofollow"), &test("x=false")).unwrap(),
            equals(dofollow, Value::Bool(true))
        );
        assert_eq!(
            link_filter(Link::Not("is_dofollow"), &test("x<>\"true\"")).unwrap(),
            equals(dofollow, Value::Bool(true))
        );
        assert!(
            link_filter(Link::Not("is_dofollow"), &test("x>true"))
                .unwrap_err()
                .contains("only = and <>")
        );
    }

    #[test]
    fn shown_defaults_match_nulls() {
        let code = field("redirect_code").unwrap();
        let f = link_filter(Link::ZeroIfNull("redirect_code"), &test("x=0")).unwrap();
        assert_eq!(
            f,
            Filter::Or(vec![
                cond(code, Condition::Cmp(CmpOp::Eq, Value::Int(0))),
                is_null(code)
            ])
        );
        let f = link_filter(Link::ZeroIfNull("redirect_code"), &test("x>=301")).unwrap();
        assert_eq!(f, cond(code, Condition::Cmp(CmpOp::Gte, Value::Int(301))));
        // `<>` keeps nulls, which are shown as the value: not here.
        let f = link_filter(Link::ZeroIfNull("redirect_code"), &test("x<>0")).unwrap();
        assert_eq!(
            f,
            Filter::And(vec![
                cond(code, Condition::Cmp(CmpOp::Neq, Value::Int(0))),
                Filter::Not(Box::new(is_null(code)))
            ])
        );
        let f = link_filter(Link::ZeroIfNull("redirect_code"), &test("x<>301")).unwrap();
        assert_eq!(f, cond(code, Condition::Cmp(CmpOp::Neq, Value::Int(301))));
    }

    #[test]
    fn subdomains_of_urls_and_hosts() {
        let url = regex::Regex::new(&subdomain_regex("Example.com", true).unwrap()).unwrap();
        assert!(url.is_match("https://example.com/"));
        assert!(url.is_match("http://blog.example.com:8080/x"));
        assert!(!url.is_match("https://notexample.com/"));
        assert!(!url.is_match("https://example.com.evil.org/"));
        let host = regex::Regex::new(&subdomain_regex("example.com", false).unwrap()).unwrap();
        assert!(host.is_match("a.b.example.com") && !host.is_match("myexample.com"));
    }

    #[test]
    fn wrong_tests_explain_themselves() {
        let e = |link: Link, t: &str| link_filter(link, &test(t)).unwrap_err();
        assert!(
            e(Link::Rounded("url_rating_source"), r#"substring(x,"a")"#)
                .contains("applies to text")
        );
        assert!(e(Link::LinkType, r#"x="image""#).contains("is not one of href"));
        assert!(e(Link::Column("page_size"), r#"x="big""#).contains("not an integer"));
        assert!(e(Link::HttpError, r#"x="404""#).contains("filter on http_code"));
    }
}
