//! The tasks this server answered, for `POST /v3/backlinks/id_list` (every task) and
//! `POST /v3/backlinks/errors` (the tasks that failed): the latest [`CAPACITY`] tasks, kept
//! in memory and appended to a JSON-lines file in the data directory ([`FILE_NAME`]) so that
//! a restart (or a `kill -9`: each task is one `write`) keeps them. The file is rewritten
//! with the latest tasks once it holds twice as many; a line that cannot be read is skipped
//! with a warning.

use super::envelope::{DfsError, TaskOut};
use super::task::Task;
use anchorage_core::time::{self, Micros};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};
use std::collections::VecDeque;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

pub const CAPACITY: usize = 10_000;
pub const FILE_NAME: &str = "dataforseo-tasks.jsonl";
const MAX_LIMIT: i64 = 1000;

/// One answered task.
#[derive(Debug, Clone, Serialize, Deserialize)]
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
    tasks: Mutex<Tasks>,
}

#[derive(Debug, Default)]
struct Tasks {
    recent: VecDeque<Logged>,
    file: Option<LogFile>,
}

/// The file the tasks are appended to, and how many lines it holds.
#[derive(Debug)]
struct LogFile {
    path: PathBuf,
    out: File,
    lines: usize,
}

impl TaskLog {
    /// The log kept in `dir`'s [`FILE_NAME`], with the tasks it already holds. A file that
    /// cannot be opened leaves the log in memory only (with a warning).
    pub fn open(dir: &Path) -> TaskLog {
        let path = dir.join(FILE_NAME);
        let (recent, lines) = read_tasks(&path);
        let file = match open_for_append(&path) {
            Ok(out) => Some(LogFile { path, out, lines }),
            Err(e) => {
                tracing::warn!(path = %path.display(), error = %e, "DataForSEO task log kept in memory only");
                None
            }
        };
        TaskLog {
            tasks: Mutex::new(Tasks { recent, file }),
        }
    }

    /// Records a task of `function` posted at `posted`, as it was answered.
    pub fn record(&self, function: &str, posted: Micros, task: &TaskOut) {
        let logged = Logged {
            id: task.id.clone(),
            function: function.to_string(),
            posted,
            done: time::now(),
            status_code: task.status_code,
            status_message: task.status_message.clone(),
            cost: task.cost,
            data: task.data.clone(),
        };
        let mut tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        keep_latest(&mut tasks.recent, logged);
        tasks.persist_latest();
    }

    fn snapshot(&self) -> Vec<Logged> {
        let tasks = self.tasks.lock().unwrap_or_else(|e| e.into_inner());
        tasks.recent.iter().cloned().collect()
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

impl Tasks {
    /// Appends the latest task to the file (rewriting the file when it has grown to twice
    /// [`CAPACITY`]); on an error the log goes on in memory only.
    fn persist_latest(&mut self) {
        let (Some(file), Some(latest)) = (self.file.as_mut(), self.recent.back()) else {
            return;
        };
        let written = if file.lines >= 2 * CAPACITY {
            file.rewrite(&self.recent)
        } else {
            file.append(latest)
        };
        if let Err(e) = written {
            tracing::warn!(path = %file.path.display(), error = %e, "DataForSEO task log kept in memory only from now on");
            self.file = None;
        }
    }
}

impl LogFile {
    fn append(&mut self, task: &Logged) -> std::io::Result<()> {
        let mut line = serde_json::to_vec(task)?;
        line.push(b'\n');
        self.out.write_all(&line)?;
        self.lines += 1;
        Ok(())
    }

    /// Replaces the file by one holding `tasks`, atomically.
    fn rewrite(&mut self, tasks: &VecDeque<Logged>) -> std::io::Result<()> {
        let mut lines = Vec::new();
        for task in tasks {
            serde_json::to_writer(&mut lines, task)?;
            lines.push(b'\n');
        }
        anchorage_index::layout::write_atomic(&self.path, &lines)
            .map_err(|e| std::io::Error::other(e.to_string()))?;
        self.out = OpenOptions::new().append(true).open(&self.path)?;
        self.lines = tasks.len();
        Ok(())
    }
}

/// The file, opened to append whole lines: a line cut short by a crash is ended first, so it
/// is the only one lost.
fn open_for_append(path: &Path) -> std::io::Result<File> {
    let mut out = OpenOptions::new()
        .create(true)
        .read(true)
        .append(true)
        .open(path)?;
    let mut last = [b'\n'];
    if out.metadata()?.len() > 0 {
        out.seek(SeekFrom::End(-1))?;
        out.read_exact(&mut last)?;
    }
    if last != [b'\n'] {
        out.write_all(b"\n")?;
    }
    Ok(out)
}

/// The latest [`CAPACITY`] tasks of a log file and its line count; none when it is absent.
fn read_tasks(path: &Path) -> (VecDeque<Logged>, usize) {
    let mut recent = VecDeque::new();
    let Ok(file) = File::open(path) else {
        return (recent, 0);
    };
    let (mut lines, mut unreadable) = (0, 0);
    for line in BufReader::new(file).lines() {
        lines += 1;
        match line.map(|l| serde_json::from_str::<Logged>(&l)) {
            Ok(Ok(task)) => keep_latest(&mut recent, task),
            _ => unreadable += 1,
        }
    }
    if unreadable > 0 {
        tracing::warn!(path = %path.display(), unreadable, "unreadable lines of the DataForSEO task log skipped");
    }
    (recent, lines)
}

/// Adds `task`, dropping the oldest beyond [`CAPACITY`].
fn keep_latest(recent: &mut VecDeque<Logged>, task: Logged) {
    if recent.len() == CAPACITY {
        recent.pop_front();
    }
    recent.push_back(task);
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

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    fn answered(log: &TaskLog, target: &str) -> String {
        let data = json!({"target": target}).as_object().unwrap().clone();
        let task = TaskOut::new("summary", data, Ok(json!({})), Instant::now());
        log.record("summary", time::now(), &task);
        task.id
    }

    fn ids(log: &TaskLog) -> Vec<String> {
        log.snapshot().into_iter().map(|t| t.id).collect()
    }

    #[test]
    fn tasks_survive_a_restart_and_a_torn_last_line() {
        let dir = tempfile::tempdir().unwrap();
        let log = TaskLog::open(dir.path());
        let first = [answered(&log, "a.com"), answered(&log, "b.com")];
        drop(log);
        // A crash in the middle of a write leaves half a line.
        let path = dir.path().join(FILE_NAME);
        let mut out = OpenOptions::new().append(true).open(&path).unwrap();
        out.write_all(b"{\"id\": \"half").unwrap();
        let log = TaskLog::open(dir.path());
        assert_eq!(ids(&log), first);
        let third = answered(&log, "c.com");
        drop(log);
        let log = TaskLog::open(dir.path());
        assert_eq!(ids(&log), [first[0].clone(), first[1].clone(), third]);
        assert_eq!(log.snapshot()[2].data["target"], "c.com");
    }

    #[test]
    fn the_file_is_rewritten_with_the_latest_tasks() {
        let dir = tempfile::tempdir().unwrap();
        let log = TaskLog::open(dir.path());
        let all: Vec<String> = (0..2 * CAPACITY + 5)
            .map(|i| answered(&log, &format!("{i}.com")))
            .collect();
        let lines = std::fs::read_to_string(dir.path().join(FILE_NAME))
            .unwrap()
            .lines()
            .count();
        assert!(lines <= 2 * CAPACITY, "{lines} lines");
        drop(log);
        let log = TaskLog::open(dir.path());
        assert_eq!(ids(&log), all[all.len() - CAPACITY..]);
    }
}
