//! The `where` / `having` expression language of Ahrefs API v2, parsed by hand into a list of
//! conditions that must all hold. This module only knows the syntax; which columns exist and
//! what a condition means on them is [`super::columns`]' business.
//!
//! ```text
//! expression ::= condition ( "," condition )*            (the commas mean AND)
//! condition  ::= column operator value
//!              | function "(" column "," string ")"
//! operator   ::= "=" | "<>" | "<" | "<=" | ">" | ">="
//! function   ::= "substring" | "word" | "subdomain"
//! value      ::= string | number | "true" | "false"
//! string     ::= '"' ( any character but '"' and '\' | '\"' | '\\' | '\'' )* '"'
//! number     ::= "-"? digits ( "." digits )?
//! column     ::= letter ( letter | digit | "_" )*
//! ```
//! Spaces between tokens are ignored. Published v2 clients write exactly this: the Node
//! client (`ahrefs` on npm) quotes strings and dates and writes numbers and booleans bare,
//! the Ruby one quotes every value — both are accepted, values are converted to the column's
//! type afterwards. Positions in errors count characters from 1.

use thiserror::Error;

/// A comparison operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operator {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl Operator {
    pub fn symbol(self) -> &'static str {
        match self {
            Operator::Eq => "=",
            Operator::Ne => "<>",
            Operator::Lt => "<",
            Operator::Le => "<=",
            Operator::Gt => ">",
            Operator::Ge => ">=",
        }
    }
}

/// A function-style predicate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Function {
    /// The column contains the text (case-insensitive).
    Substring,
    /// The column contains the text as whole words (case-insensitive).
    Word,
    /// The URL or host in the column is the domain or one of its subdomains.
    Subdomain,
}

impl Function {
    pub const NAMES: &'static str = "substring, word, subdomain";

    fn parse(name: &str) -> Option<Self> {
        match name {
            "substring" => Some(Function::Substring),
            "word" => Some(Function::Word),
            "subdomain" => Some(Function::Subdomain),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Function::Substring => "substring",
            Function::Word => "word",
            Function::Subdomain => "subdomain",
        }
    }
}

/// A value as written, before it is converted to the column's type.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
}

/// What a condition tests on its column.
#[derive(Debug, Clone, PartialEq)]
pub enum Test {
    Compare(Operator, Literal),
    Call(Function, String),
}

/// One condition: `column <op> value` or `function(column, "text")`.
#[derive(Debug, Clone, PartialEq)]
pub struct Condition {
    pub column: String,
    pub test: Test,
    /// Where the condition starts (characters from 1), for later errors.
    pub at: usize,
}

#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum SyntaxError {
    #[error("the expression is empty")]
    Empty,
    #[error("at character {at}: expected {expected}, found {found}")]
    Expected {
        at: usize,
        expected: &'static str,
        found: String,
    },
    #[error("at character {at}: the string is not closed (a '\"' is missing)")]
    UnclosedString { at: usize },
    #[error("at character {at}: unknown escape '\\{escape}' (use \\\" \\\\ or \\')")]
    UnknownEscape { at: usize, escape: char },
    #[error(
        "at character {at}: unknown function '{name}' (functions: {})",
        Function::NAMES
    )]
    UnknownFunction { at: usize, name: String },
    #[error("at character {at}: '{text}' is not a valid number")]
    BadNumber { at: usize, text: String },
    #[error(
        "at character {at}: '{word}' is not a value: quote text and dates (\"{word}\"), numbers and true/false may stay bare"
    )]
    BareWord { at: usize, word: String },
}

/// Parses a whole `where` or `having` expression.
pub fn parse(text: &str) -> Result<Vec<Condition>, SyntaxError> {
    let mut parser = Parser {
        chars: text.chars().collect(),
        pos: 0,
    };
    parser.skip_spaces();
    if parser.at_end() {
        return Err(SyntaxError::Empty);
    }
    let mut conditions = vec![parser.condition()?];
    loop {
        parser.skip_spaces();
        match parser.peek() {
            None => return Ok(conditions),
            Some(',') => {
                parser.pos += 1;
                parser.skip_spaces();
                conditions.push(parser.condition()?);
            }
            Some(_) => return Err(parser.expected("',' between conditions or the end")),
        }
    }
}

struct Parser {
    chars: Vec<char>,
    pos: usize,
}

impl Parser {
    fn peek(&self) -> Option<char> {
        self.chars.get(self.pos).copied()
    }

    fn at_end(&self) -> bool {
        self.pos >= self.chars.len()
    }

    /// The 1-based position of the next character.
    fn here(&self) -> usize {
        self.pos + 1
    }

    fn skip_spaces(&mut self) {
        while self.peek().is_some_and(char::is_whitespace) {
            self.pos += 1;
        }
    }

    /// What stands at the cursor, for an error message.
    fn found(&self) -> String {
        match self.peek() {
            None => "the end".into(),
            Some(_) => {
                let rest: String = self.chars[self.pos..].iter().take(12).collect();
                format!("'{rest}'")
            }
        }
    }

    fn expected(&self, expected: &'static str) -> SyntaxError {
        SyntaxError::Expected {
            at: self.here(),
            expected,
            found: self.found(),
        }
    }

    fn eat(&mut self, c: char, expected: &'static str) -> Result<(), SyntaxError> {
        self.skip_spaces();
        if self.peek() == Some(c) {
            self.pos += 1;
            Ok(())
        } else {
            Err(self.expected(expected))
        }
    }

    fn identifier(&mut self, expected: &'static str) -> Result<String, SyntaxError> {
        self.skip_spaces();
        let start = self.pos;
        if !self
            .peek()
            .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        {
            return Err(self.expected(expected));
        }
        while self
            .peek()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
        {
            self.pos += 1;
        }
        Ok(self.chars[start..self.pos].iter().collect())
    }

    fn condition(&mut self) -> Result<Condition, SyntaxError> {
        let at = self.here();
        let name = self.identifier("a column name or a function")?;
        self.skip_spaces();
        if self.peek() == Some('(') {
            let function =
                Function::parse(&name).ok_or(SyntaxError::UnknownFunction { at, name })?;
            self.pos += 1;
            let column = self.identifier("a column name")?;
            self.eat(',', "',' after the column name")?;
            self.skip_spaces();
            if self.peek() != Some('"') {
                return Err(self.expected("a double-quoted string"));
            }
            let argument = self.string()?;
            self.eat(')', "')'")?;
            return Ok(Condition {
                column,
                test: Test::Call(function, argument),
                at,
            });
        }
        let operator = self.operator()?;
        let value = self.value()?;
        Ok(Condition {
            column: name,
            test: Test::Compare(operator, value),
            at,
        })
    }

    fn operator(&mut self) -> Result<Operator, SyntaxError> {
        let next = self.chars.get(self.pos + 1).copied();
        let (operator, width) = match (self.peek(), next) {
            (Some('<'), Some('>')) => (Operator::Ne, 2),
            (Some('<'), Some('=')) => (Operator::Le, 2),
            (Some('>'), Some('=')) => (Operator::Ge, 2),
            (Some('<'), _) => (Operator::Lt, 1),
            (Some('>'), _) => (Operator::Gt, 1),
            (Some('='), _) => (Operator::Eq, 1),
            _ => return Err(self.expected("an operator (=, <>, <, <=, >, >=) or '('")),
        };
        self.pos += width;
        Ok(operator)
    }

    fn value(&mut self) -> Result<Literal, SyntaxError> {
        self.skip_spaces();
        let at = self.here();
        match self.peek() {
            Some('"') => self.string().map(Literal::Str),
            Some(c) if c == '-' || c.is_ascii_digit() => self.number(),
            Some(c) if c.is_alphabetic() || c == '_' => {
                let start = self.pos;
                while self
                    .peek()
                    .is_some_and(|c| !c.is_whitespace() && c != ',' && c != ')')
                {
                    self.pos += 1;
                }
                let word: String = self.chars[start..self.pos].iter().collect();
                match word.as_str() {
                    "true" => Ok(Literal::Bool(true)),
                    "false" => Ok(Literal::Bool(false)),
                    _ => Err(SyntaxError::BareWord { at, word }),
                }
            }
            _ => Err(self.expected("a value (a double-quoted string, a number, true or false)")),
        }
    }

    fn number(&mut self) -> Result<Literal, SyntaxError> {
        let at = self.here();
        let start = self.pos;
        while self
            .peek()
            .is_some_and(|c| c == '-' || c == '.' || c.is_ascii_alphanumeric())
        {
            self.pos += 1;
        }
        let text: String = self.chars[start..self.pos].iter().collect();
        let bad = || SyntaxError::BadNumber {
            at,
            text: text.clone(),
        };
        let digits = text.strip_prefix('-').unwrap_or(&text);
        let well_formed = match digits.split_once('.') {
            Some((whole, fraction)) => is_digits(whole) && is_digits(fraction),
            None => is_digits(digits),
        };
        if !well_formed {
            return Err(bad());
        }
        if text.contains('.') {
            text.parse().map(Literal::Float).map_err(|_| bad())
        } else {
            text.parse().map(Literal::Int).map_err(|_| bad())
        }
    }

    /// A double-quoted string; the cursor is on the opening quote.
    fn string(&mut self) -> Result<String, SyntaxError> {
        let at = self.here();
        self.pos += 1;
        let mut out = String::new();
        loop {
            match self.peek() {
                None => return Err(SyntaxError::UnclosedString { at }),
                Some('"') => {
                    self.pos += 1;
                    return Ok(out);
                }
                Some('\\') => {
                    let escape_at = self.here();
                    self.pos += 1;
                    match self.peek() {
                        Some(c @ ('"' | '\\' | '\'')) => out.push(c),
                        // The Node client writes NUL as `\0`.
                        Some('0') => out.push('\0'),
                        Some(other) => {
                            return Err(SyntaxError::UnknownEscape {
                                at: escape_at,
                                escape: other,
                            });
                        }
                        None => return Err(SyntaxError::UnclosedString { at }),
                    }
                    self.pos += 1;
                }
                Some(c) => {
                    out.push(c);
                    self.pos += 1;
                }
            }
        }
    }
}

fn is_digits(s: &str) -> bool {
    !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn compare(column: &str, op: Operator, value: Literal, at: usize) -> Condition {
        Condition {
            column: column.into(),
            test: Test::Compare(op, value),
            at,
        }
    }

    #[test]
    fn comparisons_joined_by_commas() {
        let got = parse(r#"ahrefs_rank>=10, nofollow=false,anchor<>"a \"b\"",x<-2.5"#).unwrap();
        assert_eq!(
            got,
            vec![
                compare("ahrefs_rank", Operator::Ge, Literal::Int(10), 1),
                compare("nofollow", Operator::Eq, Literal::Bool(false), 18),
                compare("anchor", Operator::Ne, Literal::Str("a \"b\"".into()), 33),
                compare("x", Operator::Lt, Literal::Float(-2.5), 51),
            ]
        );
    }

    #[test]
    fn every_operator() {
        for (text, op) in [
            ("a=1", Operator::Eq),
            ("a<>1", Operator::Ne),
            ("a<1", Operator::Lt),
            ("a<=1", Operator::Le),
            ("a>1", Operator::Gt),
            ("a>=1", Operator::Ge),
        ] {
            assert_eq!(
                parse(text).unwrap()[0].test,
                Test::Compare(op, Literal::Int(1))
            );
        }
    }

    #[test]
    fn functions() {
        let got = parse(r#"substring(anchor,"seo"), word( title , "who is" ),subdomain(url_from,"example.com")"#)
            .unwrap();
        let tests: Vec<_> = got
            .iter()
            .map(|c| (c.column.as_str(), c.test.clone()))
            .collect();
        assert_eq!(
            tests,
            vec![
                ("anchor", Test::Call(Function::Substring, "seo".into())),
                ("title", Test::Call(Function::Word, "who is".into())),
                (
                    "url_from",
                    Test::Call(Function::Subdomain, "example.com".into())
                ),
            ]
        );
    }

    #[test]
    fn quoted_values_of_every_type_stay_strings() {
        // The Ruby client quotes numbers and dates too; conversion happens later.
        let got = parse(r#"ahrefs_rank>"10",first_seen>"2024-01-31""#).unwrap();
        assert_eq!(
            got[0].test,
            Test::Compare(Operator::Gt, Literal::Str("10".into()))
        );
        assert_eq!(got[1].column, "first_seen");
    }

    #[test]
    fn errors_say_where_and_what() {
        let err = |t: &str| parse(t).unwrap_err().to_string();
        assert_eq!(parse("  ").unwrap_err(), SyntaxError::Empty);
        assert_eq!(
            err("a=1,"),
            "at character 5: expected a column name or a function, found the end"
        );
        assert_eq!(
            err("a==1"),
            "at character 3: expected a value (a double-quoted string, a number, true or false), found '=1'"
        );
        assert_eq!(
            err(r#"a="open"#),
            "at character 3: the string is not closed (a '\"' is missing)"
        );
        assert!(err("a=href").contains("'href' is not a value: quote text"));
        assert!(err("contains(anchor,\"x\")").contains("unknown function 'contains'"));
        assert!(err("a=1 b=2").contains("at character 5: expected ',' between conditions"));
        assert!(err("a!1").contains("expected an operator"));
        assert!(err("a=1.2.3").contains("'1.2.3' is not a valid number"));
        assert!(err(r#"a="\q""#).contains("unknown escape '\\q'"));
        assert!(err("substring(anchor,seo)").contains("expected a double-quoted string"));
        assert!(err(r#"substring(anchor "x")"#).contains("expected ',' after the column name"));
    }
}
