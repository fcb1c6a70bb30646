//! One task of a request: typed accessors whose errors name the field.
//!
//! The official client sends every optional field it does not set as JSON `null`, so `null`
//! counts as absent. Fields no accessor asked for are reported by [`Task::reject_unknown`].

use super::envelope::DfsError;
use anchorage_core::target::{Target, TargetMode};
use serde_json::{Map, Value};
use std::collections::BTreeSet;
use std::sync::Mutex;

pub struct Task {
    fields: Map<String, Value>,
    used: Mutex<BTreeSet<String>>,
}

impl Task {
    pub fn new(fields: Map<String, Value>) -> Self {
        Task {
            fields,
            used: Mutex::new(BTreeSet::new()),
        }
    }

    /// The fields the client gave (not null), for the task's `data` echo.
    pub fn echo(&self) -> Map<String, Value> {
        self.fields
            .iter()
            .filter(|(_, v)| !v.is_null())
            .map(|(k, v)| (k.clone(), v.clone()))
            .collect()
    }

    /// The value of `name`; null counts as absent.
    pub fn get(&self, name: &str) -> Option<&Value> {
        self.used
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .insert(name.to_string());
        self.fields.get(name).filter(|v| !v.is_null())
    }

    pub fn str(&self, name: &str) -> Result<Option<&str>, DfsError> {
        self.get(name)
            .map(|v| {
                v.as_str()
                    .ok_or_else(|| DfsError::invalid(name, format!("expected a string, got {v}")))
            })
            .transpose()
    }

    pub fn required_str(&self, name: &str) -> Result<&str, DfsError> {
        self.str(name)?
            .filter(|s| !s.trim().is_empty())
            .ok_or_else(|| DfsError::invalid(name, "this field is required"))
    }

    pub fn bool(&self, name: &str, default: bool) -> Result<bool, DfsError> {
        match self.get(name) {
            None => Ok(default),
            Some(v) => v
                .as_bool()
                .ok_or_else(|| DfsError::invalid(name, format!("expected true or false, got {v}"))),
        }
    }

    /// An integer within `min..=max`.
    pub fn int(&self, name: &str, min: i64, max: i64) -> Result<Option<i64>, DfsError> {
        let Some(v) = self.get(name) else {
            return Ok(None);
        };
        let n = v
            .as_i64()
            .ok_or_else(|| DfsError::invalid(name, format!("expected an integer, got {v}")))?;
        if n < min || n > max {
            return Err(DfsError::invalid(
                name,
                format!("must be between {min} and {max}, got {n}"),
            ));
        }
        Ok(Some(n))
    }

    /// One of `allowed`, or `default` when absent.
    pub fn one_of(
        &self,
        name: &str,
        allowed: &[&'static str],
        default: &'static str,
    ) -> Result<&'static str, DfsError> {
        let Some(v) = self.str(name)? else {
            return Ok(default);
        };
        allowed.iter().copied().find(|a| *a == v).ok_or_else(|| {
            DfsError::invalid(name, format!("'{v}' is not one of {}", allowed.join(", ")))
        })
    }

    /// Fails on the first field no accessor asked for.
    pub fn reject_unknown(&self) -> Result<(), DfsError> {
        let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
        match self.fields.keys().find(|k| !used.contains(k.as_str())) {
            Some(k) => Err(DfsError::UnknownField(k.clone())),
            None => Ok(()),
        }
    }

    /// `tag`: echoed only, at most 255 characters.
    pub fn tag(&self) -> Result<(), DfsError> {
        if let Some(tag) = self.str("tag")?
            && tag.chars().count() > 255
        {
            return Err(DfsError::invalid("tag", "at most 255 characters"));
        }
        Ok(())
    }

    /// `target` (a domain, a subdomain or an absolute URL) with `include_subdomains`: a URL
    /// is one page; a domain covers its subdomains unless `include_subdomains` is false.
    pub fn target(&self, subdomains_field: bool) -> Result<Target, DfsError> {
        let raw = self.required_str("target")?;
        let include_subdomains = if subdomains_field {
            self.bool("include_subdomains", true)?
        } else {
            true
        };
        target_of(raw, include_subdomains).map_err(|e| DfsError::invalid("target", e))
    }
}

/// A DataForSEO target: an absolute URL is one page, anything else a domain.
pub fn target_of(raw: &str, include_subdomains: bool) -> Result<Target, String> {
    let raw = raw.trim();
    let mode = if raw.contains("://") {
        TargetMode::Exact
    } else if include_subdomains {
        TargetMode::Subdomains
    } else {
        TargetMode::Domain
    };
    let domain = raw.trim_end_matches('/');
    if mode != TargetMode::Exact && domain.contains('/') {
        return Err(format!(
            "'{raw}' is neither a domain nor an absolute URL (a page needs http:// or https://)"
        ));
    }
    Target::parse(
        if mode == TargetMode::Exact {
            raw
        } else {
            domain
        },
        mode,
    )
    .map_err(|e| e.to_string())
}
