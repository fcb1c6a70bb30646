//! API keys: created with `anchorage keys create`, stored hashed (SHA-256) in
//! `DATA_DIR/keys.json`, each with an optional unit budget and a rate limit.
//!
//! A key is shown once, when created (`anc_` + 40 hex digits); only its hash is kept. Units
//! used are counted per key and saved with the keys, so a restart does not reset a budget.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use thiserror::Error;

pub const KEYS_FILE: &str = "keys.json";
/// Requests per minute of a key created without `--rate-limit` (Ahrefs' commonly quoted default).
pub const DEFAULT_RATE_PER_MINUTE: u32 = 60;

#[derive(Debug, Error)]
pub enum KeyError {
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path}: invalid keys file: {source}")]
    Json {
        path: PathBuf,
        #[source]
        source: serde_json::Error,
    },
    #[error("no key with id '{0}'")]
    Unknown(String),
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct ApiKey {
    /// Short public id (the first 8 hex digits of the hash), for `list` and `revoke`.
    pub id: String,
    pub name: String,
    pub sha256: String,
    pub created_at: String,
    pub revoked: bool,
    /// Units this key may spend in total; `None`: unlimited.
    pub unit_budget: Option<u64>,
    pub units_used: u64,
    pub rate_per_minute: u32,
}

impl ApiKey {
    pub fn budget_left(&self) -> Option<u64> {
        self.unit_budget.map(|b| b.saturating_sub(self.units_used))
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct KeyStore {
    pub keys: Vec<ApiKey>,
}

pub fn hash(secret: &str) -> String {
    hex::encode(Sha256::digest(secret.as_bytes()))
}

impl KeyStore {
    pub fn path(data_dir: &Path) -> PathBuf {
        data_dir.join(KEYS_FILE)
    }

    pub fn load(data_dir: &Path) -> Result<KeyStore, KeyError> {
        let path = Self::path(data_dir);
        match std::fs::read(&path) {
            Ok(bytes) => {
                serde_json::from_slice(&bytes).map_err(|source| KeyError::Json { path, source })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(KeyStore::default()),
            Err(source) => Err(KeyError::Io { path, source }),
        }
    }

    /// Saves atomically (temporary file, fsync, rename).
    pub fn save(&self, data_dir: &Path) -> Result<(), KeyError> {
        let path = Self::path(data_dir);
        let json = serde_json::to_vec_pretty(self).map_err(|source| KeyError::Json {
            path: path.clone(),
            source,
        })?;
        anchorage_index::layout::write_atomic(&path, &json).map_err(|e| KeyError::Io {
            path: path.clone(),
            source: std::io::Error::other(e.to_string()),
        })
    }

    /// Adds a key and returns its secret (shown once).
    pub fn create(
        &mut self,
        name: &str,
        unit_budget: Option<u64>,
        rate_per_minute: u32,
    ) -> (String, &ApiKey) {
        let secret = format!("anc_{}", hex::encode(rand::random::<[u8; 20]>()));
        let sha256 = hash(&secret);
        self.keys.push(ApiKey {
            id: sha256[..8].to_string(),
            name: name.to_string(),
            sha256,
            created_at: anchorage_core::time::iso(anchorage_core::time::now()),
            revoked: false,
            unit_budget,
            units_used: 0,
            rate_per_minute: rate_per_minute.max(1),
        });
        let key = self.keys.last().expect("just pushed");
        (secret, key)
    }

    pub fn revoke(&mut self, id: &str) -> Result<(), KeyError> {
        let key = self
            .keys
            .iter_mut()
            .find(|k| k.id == id)
            .ok_or_else(|| KeyError::Unknown(id.to_string()))?;
        key.revoked = true;
        Ok(())
    }

    pub fn active(&self) -> impl Iterator<Item = &ApiKey> {
        self.keys.iter().filter(|k| !k.revoked)
    }

    /// The active key a secret belongs to.
    pub fn find(&self, secret: &str) -> Option<&ApiKey> {
        let h = hash(secret);
        self.active().find(|k| k.sha256 == h)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_are_stored_hashed_and_revocable() {
        let dir = tempfile::tempdir().unwrap();
        let mut store = KeyStore::default();
        let (secret, key) = store.create("ci", Some(1000), 60);
        let id = key.id.clone();
        assert!(secret.starts_with("anc_") && secret.len() == 44);
        store.save(dir.path()).unwrap();
        let text = std::fs::read_to_string(KeyStore::path(dir.path())).unwrap();
        assert!(!text.contains(&secret), "the secret is never stored");
        let mut loaded = KeyStore::load(dir.path()).unwrap();
        assert_eq!(loaded.find(&secret).unwrap().id, id);
        assert!(loaded.find("anc_wrong").is_none());
        loaded.revoke(&id).unwrap();
        assert!(loaded.find(&secret).is_none());
        assert!(matches!(loaded.revoke("nope"), Err(KeyError::Unknown(_))));
    }
}
