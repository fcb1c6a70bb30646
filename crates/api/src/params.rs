//! Query-string parameters with typed accessors whose errors name the parameter.

use crate::error::ApiError;
use std::collections::BTreeSet;
use std::sync::Mutex;

pub struct Params {
    pairs: Vec<(String, String)>,
    used: Mutex<BTreeSet<String>>,
}

impl Params {
    pub fn parse(raw: Option<&str>) -> Self {
        let pairs = url::form_urlencoded::parse(raw.unwrap_or("").as_bytes())
            .map(|(k, v)| (k.into_owned(), v.into_owned()))
            .collect();
        Params {
            pairs,
            used: Mutex::new(BTreeSet::new()),
        }
    }

    /// The value of `name`; an empty value counts as absent.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string());
        self.pairs
            .iter()
            .rev()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
            .filter(|v| !v.is_empty())
    }

    pub fn required(&self, name: &str) -> Result<&str, ApiError> {
        self.get(name)
            .ok_or_else(|| ApiError::param(name, "this parameter is required"))
    }

    pub fn parsed<T>(
        &self,
        name: &str,
        parse: impl Fn(&str) -> Result<T, String>,
    ) -> Result<Option<T>, ApiError> {
        self.get(name)
            .map(|v| parse(v).map_err(|e| ApiError::param(name, e)))
            .transpose()
    }

    /// A non-negative integer no larger than `max`.
    pub fn count(&self, name: &str, max: usize) -> Result<Option<usize>, ApiError> {
        self.parsed(name, |v| {
            let n: usize = v
                .trim()
                .parse()
                .map_err(|_| format!("'{v}' is not a non-negative integer"))?;
            if n > max {
                return Err(format!("{n} is larger than the maximum {max}"));
            }
            Ok(n)
        })
    }

    /// Fails on the first parameter no accessor asked for.
    pub fn reject_unknown(&self, endpoint: &str) -> Result<(), ApiError> {
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        match self.pairs.iter().find(|(k, _)| !used.contains(k)) {
            Some((k, _)) => Err(ApiError::param(
                k,
                format!("unknown parameter for {endpoint}"),
            )),
            None => Ok(()),
        }
    }
}

/// `name` must be one of `allowed`.
pub fn one_of<'a>(allowed: &'a [&'a str]) -> impl Fn(&str) -> Result<&'a str, String> + 'a {
    move |v| {
        allowed
            .iter()
            .find(|a| **a == v)
            .copied()
            .ok_or_else(|| format!("'{v}' is not one of {}", allowed.join(", ")))
    }
}
