//! The tasks this server answered, for `POST /v3/backlinks/id_list` (every task) and
//! `POST /v3/backlinks/errors` (the tasks that failed). The log lives in memory, holds the
//! latest [`CAPACITY`] tasks and starts empty with the server.

use super::envelope::{DfsError, TaskOut};
use super::task::Task;
use anchorage_core::time::{self, Micros};
use serde_json::{Map, Value, json};
use std::collections::VecDeque;
use std::sync::Mutex;

pub const CAPACITY: usize = 10_000;
const MAX_LIMIT: i64 = 1000;

/// One answered task.
#[derive(Debug, Clone)]
struct Logged {
    id: String,
    function: String,
    posted: Micros,
    done: Micros,
    status_code: u32,
    status_message: String,
    cost: f64,
    data: Map<String, Value>,
}

#[derive(Debug, Default)]
pub struct TaskLog {
    tasks: Mutex<VecDeque<Logged>>,
}

impl TaskLog {
    /// Records a task of `function` posted at `posted`, as it was answered.
    pub fn record(&self, function: &str, posted: Micros, task: &TaskOut) {
        let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        if tasks.len() == CAPACITY {
            tasks.pop_front();
        }
        tasks.push_back(Logged {
            id: task.id.clone(),
            function: function.to_string(),
            posted,
            done: time::now(),
            status_code: task.status_code,
            status_message: task.status_message.clone(),
            cost: task.cost,
            data: task.data.clone(),
        });
    }

    fn snapshot(&self) -> Vec<Logged> {
        let tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        tasks.iter().cloned().collect()
    }

    /// `id_list`: the tasks posted from `datetime_from` to `datetime_to` (both required),
    /// oldest first unless `sort: "desc"`, with their request fields when
    /// `include_metadata` is true.
    pub fn id_list(&self, task: &Task) -> Result<Vec<Value>, DfsError> {
        let from = datetime(task, "datetime_from")?
            .ok_or_else(|| DfsError::invalid("datetime_from", "this field is required"))?;
        let to = datetime(task, "datetime_to")?
            .ok_or_else(|| DfsError::invalid("datetime_to", "this field is required"))?;
        let (limit, offset) = paging(task)?;
        let descending = task.one_of("sort", &["asc", "desc"], "asc")? == "desc";
        let metadata = task.bool("include_metadata", false)?;
        task.reject_unknown()?;
        let mut tasks: Vec<Logged> = self
            .snapshot()
            .into_iter()
            .filter(|t| t.posted >= from && t.posted <= to)
            .collect();
        if descending {
            tasks.reverse();
        }
        Ok(tasks
            .iter()
            .skip(offset)
            .take(limit)
            .map(|t| {
                json!({
                    "id": t.id,
                    "url": url(&t.function),
                    "datetime_posted": time::dataforseo(t.posted),
                    "datetime_done": time::dataforseo(t.done),
                    "status": t.status_message,
                    "cost": t.cost,
                    "metadata": if metadata { Value::Object(t.data.clone()) } else { Value::Null },
                })
            })
            .collect())
    }

    /// `errors`: the failed tasks, newest first, optionally of one `filtered_function`
    /// (`backlinks/live`) and within `datetime_from`..`datetime_to`.
    pub fn errors(&self, task: &Task) -> Result<Vec<Value>, DfsError> {
        let (limit, offset) = paging(task)?;
        let function = task.str("filtered_function")?.map(str::to_string);
        let from = datetime(task, "datetime_from")?.unwrap_or(Micros::MIN);
        let to = datetime(task, "datetime_to")?.unwrap_or(Micros::MAX);
        task.reject_unknown()?;
        Ok(self
            .snapshot()
            .into_iter()
            .rev()
            .filter(|t| t.status_code >= 40000 && t.posted >= from && t.posted <= to)
            .filter(|t| {
                function
                    .as_deref()
                    .is_none_or(|f| f == format!("{}/live", t.function))
            })
            .skip(offset)
            .take(limit)
            .map(|t| {
                json!({
                    "id": t.id,
                    "datetime": time::dataforseo(t.posted),
                    "function": format!("{}/live", t.function),
                    "error_code": t.status_code,
                    "error_message": t.status_message,
                    "http_url": url(&t.function),
                    "http_method": "POST",
                    "http_code": 200,
                    "http_time": (t.done - t.posted) as f64 / 1e6,
                    "http_response": null,
                })
            })
            .collect())
    }
}

fn url(function: &str) -> String {
    format!("/v3/backlinks/{function}/live")
}

fn paging(task: &Task) -> Result<(usize, usize), DfsError> {
    let limit = task.int("limit", 1, MAX_LIMIT)?.unwrap_or(MAX_LIMIT) as usize;
    let offset = task.int("offset", 0, CAPACITY as i64)?.unwrap_or(0) as usize;
    Ok((limit, offset))
}

/// A `"yyyy-mm-dd hh:mm:ss +00:00"` field.
fn datetime(task: &Task, name: &str) -> Result<Option<Micros>, DfsError> {
    task.str(name)?
        .map(|s| {
            time::parse_any(s).ok_or_else(|| {
                DfsError::invalid(
                    name,
                    format!("'{s}' is not a date-time like 2023-01-15 12:57:46 +00:00"),
                )
            })
        })
        .transpose()
}
