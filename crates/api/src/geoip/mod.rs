//! The country of a referring host (DataForSEO `domain_from_country`, the summary's
//! `referring_links_countries`): its IP address's country in a GeoIP database when the server
//! was given one (`anchorage serve --geoip FILE.mmdb`), else the country its ccTLD names.
//!
//! Any MaxMind DB country or city database is read: MaxMind's GeoLite2/GeoIP2 and DB-IP's
//! (`country.iso_code`) and the ip-location-db builds (`country_code`); so are the legacy
//! `GeoIP.dat` / `GeoIPv6.dat` country databases of Debian's `geoip-database` ([`legacy`]).

pub mod legacy;

use legacy::LegacyCountries;
use serde::Deserialize;
use std::net::IpAddr;
use std::path::{Path, PathBuf};

#[derive(Debug, thiserror::Error)]
pub enum GeoIpError {
    #[error("cannot read the GeoIP database {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot read the GeoIP database {path}: {source}")]
    Open {
        path: PathBuf,
        #[source]
        source: maxminddb::MaxMindDbError,
    },
    #[error("{path} is neither a MaxMind DB (.mmdb) nor a legacy GeoIP country database: {reason}")]
    Legacy { path: PathBuf, reason: String },
    #[error(
        "{path} is a '{kind}' database, which has no countries: give a country or city database (GeoLite2-Country, DB-IP country lite…)"
    )]
    NoCountries { path: PathBuf, kind: String },
}

pub enum GeoIp {
    MaxMind(maxminddb::Reader<Vec<u8>>),
    Legacy(LegacyCountries),
}

/// Ends every MaxMind DB file: the start of its metadata section.
const MAXMIND_METADATA_MARKER: &[u8] = b"\xAB\xCD\xEFMaxMind.com";

/// The fields of a record that may carry its ISO 3166-1 country code.
#[derive(Deserialize)]
struct Record<'a> {
    #[serde(borrow)]
    country: Option<IsoCode<'a>>,
    #[serde(borrow)]
    registered_country: Option<IsoCode<'a>>,
    country_code: Option<&'a str>,
}

#[derive(Deserialize)]
struct IsoCode<'a> {
    iso_code: Option<&'a str>,
}

impl GeoIp {
    pub fn open(path: &Path) -> Result<Self, GeoIpError> {
        let bytes = std::fs::read(path).map_err(|source| GeoIpError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let tail = &bytes[bytes.len().saturating_sub(128 * 1024)..];
        if !tail
            .windows(MAXMIND_METADATA_MARKER.len())
            .any(|w| w == MAXMIND_METADATA_MARKER)
        {
            let legacy = LegacyCountries::parse(bytes).map_err(|reason| GeoIpError::Legacy {
                path: path.to_path_buf(),
                reason,
            })?;
            tracing::info!(path = %path.display(), ipv6 = legacy.is_ipv6(), "legacy GeoIP country database");
            return Ok(GeoIp::Legacy(legacy));
        }
        let reader = maxminddb::Reader::from_source(bytes).map_err(|source| GeoIpError::Open {
            path: path.to_path_buf(),
            source,
        })?;
        let kind = reader.metadata.database_type.clone();
        let lowered = kind.to_ascii_lowercase();
        if ["asn", "isp", "domain", "connection-type", "anonymous"]
            .iter()
            .any(|k| lowered.contains(k))
        {
            return Err(GeoIpError::NoCountries {
                path: path.to_path_buf(),
                kind,
            });
        }
        tracing::info!(path = %path.display(), kind, "GeoIP database");
        Ok(GeoIp::MaxMind(reader))
    }

    /// The ISO 3166-1 alpha-2 code of the country `ip` is in, when the database knows it.
    pub fn country(&self, ip: IpAddr) -> Option<String> {
        let reader = match self {
            GeoIp::MaxMind(reader) => reader,
            GeoIp::Legacy(db) => return db.country(ip).map(str::to_string),
        };
        let record: Record = reader.lookup(ip).ok()??;
        let code = record
            .country
            .and_then(|c| c.iso_code)
            .or(record.country_code)
            .or(record.registered_country.and_then(|c| c.iso_code))?;
        (code.len() == 2).then(|| code.to_ascii_uppercase())
    }
}

/// The country of a referring host: its address's in `geoip`, else its ccTLD's, else none.
pub fn host_country(geoip: Option<&GeoIp>, host: &str, ip: Option<&str>) -> Option<String> {
    let located = geoip.zip(ip.and_then(|ip| ip.parse().ok()));
    located
        .and_then(|(geoip, ip)| geoip.country(ip))
        .or_else(|| anchorage_core::domain::cctld_country(host).map(str::to_string))
}
