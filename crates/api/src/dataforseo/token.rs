//! `search_after_token`: keyset pagination. The token carries the sort key of the last row
//! served, so the next page starts strictly after it whatever the page sizes; it also names
//! the index generation and the request it belongs to, so it never continues another query
//! or a changed index (which would skip or repeat rows). Opaque to clients: base64url JSON.

use super::envelope::DfsError;
use anchorage_query::ScalarValue;
use base64::Engine as _;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Map, Value, json};
use sha2::{Digest, Sha256};

const FIELD: &str = "search_after_token";
/// Fields that may change from page to page without changing the query.
const PAGING_FIELDS: &[&str] = &["search_after_token", "offset", "limit", "tag", "rank_scale"];

#[derive(Debug, Clone, PartialEq)]
pub struct PageToken {
    pub generation: String,
    pub fingerprint: String,
    /// The sort key of the last row served.
    pub after: Vec<ScalarValue>,
    /// Rows served so far, the first page's offset included.
    pub seen: u64,
}

/// A digest of the request without its paging fields.
pub fn fingerprint(echo: &Map<String, Value>) -> String {
    let query: Map<String, Value> = echo
        .iter()
        .filter(|(k, _)| !PAGING_FIELDS.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    let digest = Sha256::digest(Value::Object(query).to_string().as_bytes());
    hex::encode(&digest[..8])
}

impl PageToken {
    pub fn encode(&self) -> Result<String, DfsError> {
        let keys = self
            .after
            .iter()
            .map(scalar_to_json)
            .collect::<Result<Vec<_>, _>>()
            .map_err(DfsError::Internal)?;
        let body = json!({
            "v": 1,
            "g": self.generation,
            "q": self.fingerprint,
            "k": keys,
            "n": self.seen,
        });
        Ok(URL_SAFE_NO_PAD.encode(body.to_string()))
    }

    pub fn decode(token: &str, fingerprint: &str) -> Result<PageToken, DfsError> {
        let bad = |reason: &str| DfsError::invalid(FIELD, reason);
        let bytes = URL_SAFE_NO_PAD
            .decode(token.trim())
            .map_err(|_| bad("not a token this server issued"))?;
        let body: Value =
            serde_json::from_slice(&bytes).map_err(|_| bad("not a token this server issued"))?;
        let text = |k: &str| body.get(k).and_then(Value::as_str).map(str::to_string);
        let (Some(generation), Some(issued_for), Some(keys), Some(seen)) = (
            text("g"),
            text("q"),
            body.get("k").and_then(Value::as_array),
            body.get("n").and_then(Value::as_u64),
        ) else {
            return Err(bad("not a token this server issued"));
        };
        if issued_for != fingerprint {
            return Err(bad(
                "the token belongs to another request: send every other field as in the request that returned it",
            ));
        }
        let after = keys
            .iter()
            .map(json_to_scalar)
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| bad(&e))?;
        Ok(PageToken {
            generation,
            fingerprint: issued_for,
            after,
            seen,
        })
    }

    /// Pages of one request must come from one index generation.
    pub fn check_generation(&self, current: &str) -> Result<(), DfsError> {
        if self.generation == current {
            Ok(())
        } else {
            Err(DfsError::invalid(
                FIELD,
                "the index was rebuilt since this token was issued: start again without it",
            ))
        }
    }
}

/// Sort-key values as tagged JSON (the types the backlink sort keys use).
fn scalar_to_json(v: &ScalarValue) -> Result<Value, String> {
    if v.is_null() {
        return Ok(Value::Null);
    }
    Ok(match v {
        ScalarValue::Boolean(Some(b)) => json!({ "b": b }),
        ScalarValue::Int8(Some(i)) => json!({ "i": i }),
        ScalarValue::Int16(Some(i)) => json!({ "i": i }),
        ScalarValue::Int32(Some(i)) => json!({ "i": i }),
        ScalarValue::Int64(Some(i)) => json!({ "i": i }),
        ScalarValue::UInt32(Some(i)) => json!({ "i": i }),
        ScalarValue::UInt64(Some(i)) => json!({ "u": i }),
        ScalarValue::Float64(Some(f)) => json!({ "f": f }),
        ScalarValue::Utf8(Some(s))
        | ScalarValue::LargeUtf8(Some(s))
        | ScalarValue::Utf8View(Some(s)) => json!({ "s": s }),
        ScalarValue::TimestampMicrosecond(Some(t), _) => json!({ "t": t }),
        other => {
            return Err(format!(
                "cannot page on a value of type {}",
                other.data_type()
            ));
        }
    })
}

fn json_to_scalar(v: &Value) -> Result<ScalarValue, String> {
    let bad = || "not a token this server issued".to_string();
    if v.is_null() {
        return Ok(ScalarValue::Null);
    }
    let obj = v.as_object().ok_or_else(bad)?;
    let (tag, value) = obj.iter().next().ok_or_else(bad)?;
    Ok(match tag.as_str() {
        "b" => ScalarValue::Boolean(Some(value.as_bool().ok_or_else(bad)?)),
        "i" => ScalarValue::Int64(Some(value.as_i64().ok_or_else(bad)?)),
        "u" => ScalarValue::UInt64(Some(value.as_u64().ok_or_else(bad)?)),
        "f" => ScalarValue::Float64(Some(value.as_f64().ok_or_else(bad)?)),
        "s" => ScalarValue::Utf8(Some(value.as_str().ok_or_else(bad)?.to_string())),
        "t" => ScalarValue::TimestampMicrosecond(
            Some(value.as_i64().ok_or_else(bad)?),
            Some("UTC".into()),
        ),
        _ => return Err(bad()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_refuse_other_requests() {
        let token = PageToken {
            generation: "g1".into(),
            fingerprint: "abc".into(),
            after: vec![
                ScalarValue::Float64(Some(42.125)),
                ScalarValue::Utf8(Some("https://a.example/".into())),
                ScalarValue::Int64(Some(-7)),
                ScalarValue::TimestampMicrosecond(Some(1_700_000_000_000_000), Some("UTC".into())),
                ScalarValue::Null,
                ScalarValue::Boolean(Some(true)),
            ],
            seen: 300,
        };
        let text = token.encode().unwrap();
        assert_eq!(PageToken::decode(&text, "abc").unwrap(), token);
        assert_eq!(PageToken::decode(&text, "other").unwrap_err().code(), 40501);
        assert!(PageToken::decode("garbage!", "abc").is_err());
        assert!(token.check_generation("g2").is_err());
    }
}
