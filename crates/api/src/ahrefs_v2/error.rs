//! Errors of the v2 protocol. Ahrefs v2 answered `{"error": "..."}`; Anchorage does the same
//! (in the requested output: XML and PHP carry the same object) with an HTTP status that says
//! what went wrong, and a message naming the parameter and the reason.

use super::expr::SyntaxError;
use crate::error::ApiError;
use crate::output::{self, Format, Payload};
use axum::http::StatusCode;
use axum::response::Response;
use serde_json::Value;
use thiserror::Error;

#[derive(Debug, Error)]
pub enum V2Error {
    #[error("{param}: this parameter is required")]
    Missing { param: &'static str },
    #[error("token: {0}")]
    Token(String),
    #[error("from: unknown table '{name}'; the tables are {tables}")]
    UnknownTable { name: String, tables: String },
    #[error("{param}: {source}")]
    Syntax {
        param: &'static str,
        #[source]
        source: SyntaxError,
    },
    #[error("{param}: '{column}' is not a column of {table}")]
    UnknownColumn {
        param: &'static str,
        column: String,
        table: &'static str,
    },
    /// A column used where the table does not allow it, or a test that does not apply to it.
    #[error("{param}: {at}'{column}': {reason}")]
    Column {
        param: &'static str,
        /// `at character N, ` for a condition, empty elsewhere.
        at: String,
        column: String,
        reason: String,
    },
    #[error("{param}: {reason}")]
    Invalid { param: &'static str, reason: String },
    /// Refused by the key store (401, 403, 429) or failed elsewhere in the application.
    #[error("{}", .0.message)]
    Api(ApiError),
}

impl V2Error {
    pub fn status(&self) -> StatusCode {
        match self {
            V2Error::Token(_) => StatusCode::UNAUTHORIZED,
            V2Error::Api(e) => e.status,
            _ => StatusCode::BAD_REQUEST,
        }
    }

    /// A condition's error: names the clause, where the condition starts, and the column.
    pub fn condition(
        param: &'static str,
        at: usize,
        column: &str,
        reason: impl Into<String>,
    ) -> Self {
        V2Error::Column {
            param,
            at: format!("at character {at}, "),
            column: column.to_string(),
            reason: reason.into(),
        }
    }

    pub fn column(param: &'static str, column: &str, reason: impl Into<String>) -> Self {
        V2Error::Column {
            param,
            at: String::new(),
            column: column.to_string(),
            reason: reason.into(),
        }
    }

    /// `{"error": message}` in `format`, with the error's status.
    pub fn respond(&self, format: Format) -> Response {
        let mut response = output::render(
            format,
            "error",
            &[],
            Payload::Value(Value::from(self.to_string())),
        );
        *response.status_mut() = self.status();
        if let V2Error::Api(ApiError {
            retry_after: Some(seconds),
            ..
        }) = self
        {
            response
                .headers_mut()
                .insert(axum::http::header::RETRY_AFTER, (*seconds).into());
        }
        response
    }
}

impl From<ApiError> for V2Error {
    fn from(e: ApiError) -> Self {
        V2Error::Api(e)
    }
}

impl From<anchorage_query::QueryError> for V2Error {
    fn from(e: anchorage_query::QueryError) -> Self {
        V2Error::Api(ApiError::from(e))
    }
}
