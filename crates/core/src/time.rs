//! Timestamps: UTC microseconds since the Unix epoch, as stored in every table.

use chrono::{DateTime, NaiveDate, NaiveDateTime, TimeZone, Utc};

pub type Micros = i64;

/// `2024-02-10T14:20:00Z`: Ahrefs' date-time format.
pub fn iso(ts: Micros) -> String {
    to_datetime(ts).format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `2024-02-10`: a date.
pub fn iso_date(ts: Micros) -> String {
    to_datetime(ts).format("%Y-%m-%d").to_string()
}

/// `2022-01-27 20:18:57 +00:00`: DataForSEO's date-time format.
pub fn dataforseo(ts: Micros) -> String {
    to_datetime(ts)
        .format("%Y-%m-%d %H:%M:%S +00:00")
        .to_string()
}

fn to_datetime(ts: Micros) -> DateTime<Utc> {
    Utc.timestamp_micros(ts).single().unwrap_or_default()
}

/// A WARC-Date (ISO 8601, `Z` or offset, optional fraction; WARC 1.1 allows lower precision
/// like `2024-05` or `2024-05-20`).
pub fn parse_warc_date(s: &str) -> Option<Micros> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc3339(s) {
        return Some(dt.with_timezone(&Utc).timestamp_micros());
    }
    for fmt in [
        "%Y-%m-%dT%H:%M:%SZ",
        "%Y-%m-%dT%H:%MZ",
        "%Y-%m-%dT%H:%M:%S%.fZ",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(s, fmt) {
            return Some(dt.and_utc().timestamp_micros());
        }
    }
    parse_date(s).or_else(|| {
        // `YYYY-MM` and `YYYY`: the first instant of the period.
        let padded = match s.len() {
            7 => format!("{s}-01"),
            4 => format!("{s}-01-01"),
            _ => return None,
        };
        parse_date(&padded)
    })
}

/// An ARC / CDX 14-digit date `YYYYMMDDhhmmss`.
pub fn parse_arc_date(s: &str) -> Option<Micros> {
    let s = s.trim();
    if s.len() < 14 || !s.as_bytes()[..14].iter().all(u8::is_ascii_digit) {
        return None;
    }
    NaiveDateTime::parse_from_str(&s[..14], "%Y%m%d%H%M%S")
        .ok()
        .map(|dt| dt.and_utc().timestamp_micros())
}

/// `YYYY-MM-DD` as midnight UTC.
pub fn parse_date(s: &str) -> Option<Micros> {
    let d = NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").ok()?;
    Some(d.and_hms_opt(0, 0, 0)?.and_utc().timestamp_micros())
}

/// An HTTP date (`Last-Modified`, `Date`) or an ISO 8601 date-time.
pub fn parse_any(s: &str) -> Option<Micros> {
    let s = s.trim();
    if let Ok(dt) = DateTime::parse_from_rfc2822(s) {
        return Some(dt.with_timezone(&Utc).timestamp_micros());
    }
    // ISO 8601 with a numeric offset, and DataForSEO's `2022-01-27 20:18:57 +00:00`.
    for fmt in ["%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d %H:%M:%S %:z"] {
        if let Ok(dt) = DateTime::parse_from_str(s, fmt) {
            return Some(dt.with_timezone(&Utc).timestamp_micros());
        }
    }
    parse_warc_date(s).or_else(|| s.get(..10).and_then(parse_date))
}

pub fn now() -> Micros {
    Utc::now().timestamp_micros()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn warc_and_arc_dates() {
        let t = parse_warc_date("2024-05-20T10:11:12Z").unwrap();
        assert_eq!(iso(t), "2024-05-20T10:11:12Z");
        assert_eq!(dataforseo(t), "2024-05-20 10:11:12 +00:00");
        assert_eq!(parse_any("2024-05-20 10:11:12 +00:00"), Some(t));
        assert_eq!(iso_date(t), "2024-05-20");
        assert_eq!(
            parse_warc_date("2024-05-20T10:11:12.345678Z"),
            Some(t + 345_678)
        );
        assert_eq!(parse_arc_date("20240520101112"), Some(t));
        assert_eq!(
            iso(parse_warc_date("2024-05").unwrap()),
            "2024-05-01T00:00:00Z"
        );
        assert_eq!(parse_warc_date("2009-03-65T08:43:19-0800"), None);
        assert_eq!(parse_arc_date("2024x"), None);
    }

    #[test]
    fn loose_dates() {
        assert_eq!(
            parse_any("2021-03-04T05:06:07+02:00").map(iso).as_deref(),
            Some("2021-03-04T03:06:07Z")
        );
        assert_eq!(
            parse_any("Tue, 15 Nov 1994 08:12:31 GMT")
                .map(iso)
                .as_deref(),
            Some("1994-11-15T08:12:31Z")
        );
        assert_eq!(
            parse_any("2020-01-02 garbage").map(iso_date).as_deref(),
            Some("2020-01-02")
        );
    }
}
