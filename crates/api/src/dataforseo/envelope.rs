//! DataForSEO's response envelope and its status codes.
//!
//! Every answer, errors included, is the same envelope: `version`, `status_code`,
//! `status_message`, `time` (a string such as `"0.0188 sec."`), `cost`, `tasks_count`,
//! `tasks_error` and `tasks[]`. Most errors are HTTP 200 with a 4xxxx code on the task, as the
//! official API does; only bad credentials (401), unknown paths (404) and internal failures
//! (500) change the HTTP status.

use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Serialize;
use serde_json::{Map, Value};
use std::time::Instant;

/// The API version the envelope reports (the version of the official API Anchorage follows).
pub const VERSION: &str = "0.1.20221214";

/// A DataForSEO status code and its message. The messages are the official ones; Anchorage
/// appends the reason (the field and what is wrong with it) after them.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DfsError {
    /// 40000: live endpoints take one task per request.
    #[error("You can set only one task at a time.")]
    OneTaskAtATime,
    /// 40100: missing or wrong login/password.
    #[error("You are not authorized to access this resource.")]
    NotAuthorized,
    /// 40200: the key's unit budget is spent.
    #[error("Payment Required. {0}")]
    PaymentRequired(String),
    /// 40202: over the key's requests per minute.
    #[error("Rate-limit per minute exceeded. {0}")]
    RateLimited(String),
    /// 40400: no such endpoint.
    #[error("Not Found.")]
    NotFound,
    /// 40501: a field with a wrong value or type; names the field.
    #[error("Invalid Field: '{field}'. {reason}")]
    InvalidField { field: String, reason: String },
    /// 40502: no body, or an empty array of tasks.
    #[error("POST Data Is Empty.")]
    EmptyPost,
    /// 40503: the body is not a JSON array of task objects.
    #[error("POST Data Is Invalid. {0}")]
    InvalidPost(String),
    /// 40506: a field the function does not know.
    #[error("Unknown Fields in POST Data: '{0}'.")]
    UnknownField(String),
    /// 50000: the query failed inside the server.
    #[error("Internal Error. {0}")]
    Internal(String),
    /// 50100: an official function Anchorage does not serve.
    #[error("Not Implemented. {0}")]
    NotImplemented(String),
}

impl DfsError {
    pub fn invalid(field: &str, reason: impl Into<String>) -> Self {
        DfsError::InvalidField {
            field: field.to_string(),
            reason: reason.into(),
        }
    }

    pub fn code(&self) -> u32 {
        match self {
            DfsError::OneTaskAtATime => 40000,
            DfsError::NotAuthorized => 40100,
            DfsError::PaymentRequired(_) => 40200,
            DfsError::RateLimited(_) => 40202,
            DfsError::NotFound => 40400,
            DfsError::InvalidField { .. } => 40501,
            DfsError::EmptyPost => 40502,
            DfsError::InvalidPost(_) => 40503,
            DfsError::UnknownField(_) => 40506,
            DfsError::Internal(_) => 50000,
            DfsError::NotImplemented(_) => 50100,
        }
    }

    /// The HTTP status of a whole response failing with this error.
    pub fn http_status(&self) -> StatusCode {
        match self {
            DfsError::NotAuthorized => StatusCode::UNAUTHORIZED,
            DfsError::PaymentRequired(_) => StatusCode::PAYMENT_REQUIRED,
            DfsError::NotFound => StatusCode::NOT_FOUND,
            DfsError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
            _ => StatusCode::OK,
        }
    }
}

impl From<anchorage_query::QueryError> for DfsError {
    fn from(e: anchorage_query::QueryError) -> Self {
        match e {
            anchorage_query::QueryError::Invalid(m) => DfsError::InvalidPost(m),
            other => {
                tracing::error!(error = %other, "dataforseo query failed");
                DfsError::Internal(other.to_string())
            }
        }
    }
}

impl From<crate::error::ApiError> for DfsError {
    fn from(e: crate::error::ApiError) -> Self {
        match e.status {
            StatusCode::NOT_FOUND => DfsError::Internal(e.message),
            StatusCode::BAD_REQUEST => DfsError::InvalidPost(e.message),
            _ => DfsError::Internal(e.message),
        }
    }
}

/// One task of the response.
#[derive(Debug, Serialize)]
pub struct TaskOut {
    pub id: String,
    pub status_code: u32,
    pub status_message: String,
    pub time: String,
    pub cost: f64,
    pub result_count: usize,
    pub path: Vec<String>,
    pub data: Map<String, Value>,
    pub result: Option<Vec<Value>>,
}

impl TaskOut {
    /// The task of `function`, answered with `outcome`, which took since `started`.
    pub fn new(
        function: &str,
        data: Map<String, Value>,
        outcome: Result<Value, DfsError>,
        started: Instant,
    ) -> Self {
        let (status_code, status_message, result) = match outcome {
            Ok(result) => (20000, "Ok.".to_string(), Some(vec![result])),
            Err(e) => (e.code(), e.to_string(), None),
        };
        TaskOut {
            id: task_id(),
            status_code,
            status_message,
            time: seconds(started),
            cost: 0.0,
            result_count: result.as_ref().map_or(0, Vec::len),
            path: path(function),
            data: with_api(function, data),
            result,
        }
    }

    /// A task whose result is a list of entries (`id_list`, `errors`) rather than one object.
    pub fn listing(
        function: &str,
        data: Map<String, Value>,
        outcome: Result<Vec<Value>, DfsError>,
        started: Instant,
    ) -> Self {
        let mut task = TaskOut::new(function, data, Ok(Value::Null), started);
        match outcome {
            Ok(entries) => {
                task.result_count = entries.len();
                task.result = Some(entries);
            }
            Err(e) => {
                task.status_code = e.code();
                task.status_message = e.to_string();
                task.result_count = 0;
                task.result = None;
            }
        }
        task
    }

    pub fn is_error(&self) -> bool {
        self.status_code >= 40000
    }
}

/// The whole response.
#[derive(Debug, Serialize)]
pub struct Envelope {
    pub version: &'static str,
    pub status_code: u32,
    pub status_message: String,
    pub time: String,
    pub cost: f64,
    pub tasks_count: usize,
    pub tasks_error: usize,
    pub tasks: Vec<TaskOut>,
    #[serde(skip)]
    pub http: StatusCode,
}

impl Envelope {
    /// A processed request: status Ok, whatever its tasks' own codes.
    pub fn ok(tasks: Vec<TaskOut>, started: Instant) -> Self {
        Envelope {
            version: VERSION,
            status_code: 20000,
            status_message: "Ok.".into(),
            time: seconds(started),
            cost: 0.0,
            tasks_count: tasks.len(),
            tasks_error: tasks.iter().filter(|t| t.is_error()).count(),
            tasks,
            http: StatusCode::OK,
        }
    }

    /// A request refused as a whole; `function` names the endpoint when it is known, and
    /// then the error is also reported on a task so that clients reading tasks see it.
    pub fn refused(error: DfsError, function: Option<&str>, started: Instant) -> Self {
        let tasks: Vec<TaskOut> = function
            .map(|f| TaskOut::new(f, Map::new(), Err(error.clone()), started))
            .into_iter()
            .collect();
        Envelope {
            version: VERSION,
            status_code: error.code(),
            status_message: error.to_string(),
            time: seconds(started),
            cost: 0.0,
            tasks_count: tasks.len(),
            tasks_error: tasks.len(),
            tasks,
            http: error.http_status(),
        }
    }
}

impl IntoResponse for Envelope {
    fn into_response(self) -> Response {
        let status = self.http;
        let mut response = (status, axum::Json(&self)).into_response();
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Basic realm=\"DataForSEO REST API\""),
            );
        }
        response
    }
}

/// `"0.0188 sec."`
pub fn seconds(started: Instant) -> String {
    format!("{:.4} sec.", started.elapsed().as_secs_f64())
}

/// `["v3", "backlinks", function, "live"]`; GET functions (`index`, `available_filters`)
/// have no `live` segment.
pub fn path(function: &str) -> Vec<String> {
    let mut p = vec![
        "v3".to_string(),
        "backlinks".to_string(),
        function.to_string(),
    ];
    if !super::GET_FUNCTIONS.contains(&function) && !super::TASK_FUNCTIONS.contains(&function) {
        p.push("live".to_string());
    }
    p
}

/// The task's echo: `api` and `function` first, then the fields the client sent.
fn with_api(function: &str, data: Map<String, Value>) -> Map<String, Value> {
    let mut out = Map::new();
    out.insert("api".into(), Value::from("backlinks"));
    out.insert("function".into(), Value::from(function));
    out.extend(data);
    out
}

/// A task id shaped like DataForSEO's (`03281835-1535-0269-0000-d857d95c335e`): the time
/// (month, day, hour, minute), then random digits.
fn task_id() -> String {
    let now = anchorage_core::time::now() / 1_000_000;
    let minutes = (now / 60) % 100_000_000;
    let r: u64 = rand::random();
    let tail: u64 = rand::random::<u64>() & 0xffff_ffff_ffff;
    format!(
        "{minutes:08}-{:04}-{:04}-0000-{tail:012x}",
        (r >> 16) % 10_000,
        r % 10_000
    )
}
