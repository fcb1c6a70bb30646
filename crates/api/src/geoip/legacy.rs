//! MaxMind's legacy binary country databases, as Debian's `geoip-database` package ships them
//! (`/usr/share/GeoIP/GeoIP.dat` for IPv4, `GeoIPv6.dat` for IPv6). No maintained Rust crate
//! reads this format, and the country edition is small: a binary tree over the address bits
//! whose leaves are country numbers.
//!
//! Layout (libGeoIP's, and pygeoip's on PyPI): nodes of two 3-byte little-endian records,
//! left (bit 0) then right (bit 1), from the address's most significant bit down; a record
//! at or above [`COUNTRY_BEGIN`] ends the walk with country number `record − COUNTRY_BEGIN`
//! (an index into [`COUNTRY_CODES`]), any other is the next node. The edition is the byte
//! after the last `FF FF FF` among the file's final 20 bytes. libGeoIP takes a file without
//! that marker for a country database; so would any file, so Anchorage requires it (every
//! database of the last two decades, Debian's included, has it).

use std::net::IpAddr;

/// The first leaf record: country number 0.
const COUNTRY_BEGIN: u32 = 16_776_960;
const RECORD_BYTES: usize = 3;
/// How far from the end the edition marker may be.
const STRUCTURE_INFO_MAX_SIZE: usize = 20;
const COUNTRY_EDITION: u8 = 1;
const COUNTRY_EDITION_V6: u8 = 12;

/// libGeoIP's country numbers (`GeoIP_country_code` of libGeoIP 1.5 on: 10 is CW, once AN,
/// and 75 is SX, once FX); "" and numbers past the list are unknown. AP, EU, A1, A2 and O1
/// are regions, anonymous proxies and "other", not countries.
const COUNTRY_CODES: &[&str] = &[
    "", "AP", "EU", "AD", "AE", "AF", "AG", "AI", "AL", "AM", "CW", "AO", "AQ", "AR", "AS", "AT",
    "AU", "AW", "AZ", "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BM", "BN", "BO", "BR",
    "BS", "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM",
    "CN", "CO", "CR", "CU", "CV", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "SX", "GA", "GB", "GD", "GE",
    "GF", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IN", "IO", "IQ", "IR", "IS", "IT", "JM", "JO", "JP",
    "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC", "LI", "LK",
    "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "MG", "MH", "MK", "ML", "MM", "MN", "MO",
    "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA", "NC", "NE", "NF", "NG",
    "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG", "PH", "PK", "PL", "PM",
    "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RU", "RW", "SA", "SB", "SC", "SD", "SE",
    "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "ST", "SV", "SY", "SZ", "TC", "TD",
    "TF", "TG", "TH", "TJ", "TK", "TM", "TN", "TO", "TL", "TR", "TT", "TV", "TW", "TZ", "UA", "UG",
    "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI", "VN", "VU", "WF", "WS", "YE", "YT", "RS",
    "ZA", "ZM", "ME", "ZW", "A1", "A2", "O1", "AX", "GG", "IM", "JE", "BL", "MF", "BQ", "SS",
];

const NOT_COUNTRIES: &[&str] = &["", "AP", "EU", "A1", "A2", "O1"];

/// A legacy country database in memory.
pub struct LegacyCountries {
    data: Vec<u8>,
    ipv6: bool,
}

impl LegacyCountries {
    /// Reads a country database, or says why `data` is not one.
    pub fn parse(data: Vec<u8>) -> Result<Self, String> {
        let ipv6 = match edition(&data) {
            None => return Err("no legacy GeoIP edition marker at its end".into()),
            Some(COUNTRY_EDITION) => false,
            Some(COUNTRY_EDITION_V6) => true,
            Some(other) => {
                return Err(format!(
                    "legacy GeoIP edition {other} is not a country database (GeoIP.dat or GeoIPv6.dat)"
                ));
            }
        };
        if data.len() < 2 * RECORD_BYTES {
            return Err("too short for a legacy GeoIP database".into());
        }
        Ok(LegacyCountries { data, ipv6 })
    }

    /// Whether the database covers IPv6 (else IPv4) addresses.
    pub fn is_ipv6(&self) -> bool {
        self.ipv6
    }

    /// The ISO 3166-1 alpha-2 code of `ip`'s country, when the database has one for it.
    pub fn country(&self, ip: IpAddr) -> Option<&'static str> {
        let (bits, number) = match (ip, self.ipv6) {
            (IpAddr::V4(v4), false) => (32, u128::from(u32::from(v4))),
            (IpAddr::V6(v6), true) => (128, u128::from(v6)),
            (IpAddr::V6(v6), false) => (32, u128::from(u32::from(v6.to_ipv4_mapped()?))),
            (IpAddr::V4(v4), true) => (128, u128::from(v4.to_ipv6_mapped())),
        };
        let id = self.leaf(number, bits)?;
        let code = COUNTRY_CODES.get(id as usize)?;
        (!NOT_COUNTRIES.contains(code)).then_some(*code)
    }

    /// The country number the tree gives the `bits`-bit address `number`.
    fn leaf(&self, number: u128, bits: u32) -> Option<u32> {
        let mut node: usize = 0;
        for depth in (0..bits).rev() {
            let start = node.checked_mul(2 * RECORD_BYTES)?;
            let side = if (number >> depth) & 1 == 1 {
                RECORD_BYTES
            } else {
                0
            };
            let record = self.data.get(start + side..start + side + RECORD_BYTES)?;
            let value =
                u32::from(record[0]) | u32::from(record[1]) << 8 | u32::from(record[2]) << 16;
            if value >= COUNTRY_BEGIN {
                return Some(value - COUNTRY_BEGIN);
            }
            node = value as usize;
        }
        None
    }
}

/// The database edition the file's tail names (libGeoIP's `_setup_segments`).
fn edition(data: &[u8]) -> Option<u8> {
    (0..STRUCTURE_INFO_MAX_SIZE)
        .filter_map(|back| {
            let at = data.len().checked_sub(RECORD_BYTES + back)?;
            (data[at..at + RECORD_BYTES] == [0xFF; RECORD_BYTES])
                .then(|| data.get(at + RECORD_BYTES).copied())
                .flatten()
        })
        .next()
        // Databases of April 2003 and earlier numbered editions from 106.
        .map(|e| if e >= 106 { e - 105 } else { e })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(value: u32) -> [u8; 3] {
        [value as u8, (value >> 8) as u8, (value >> 16) as u8]
    }

    /// A two-node tree: 0.0.0.0/1 is DE (number 56), 128.0.0.0/2 is US (225), 192.0.0.0/2 is
    /// unknown; edition marker for the country edition.
    fn tiny() -> LegacyCountries {
        let mut data = Vec::new();
        data.extend(record(COUNTRY_BEGIN + 56));
        data.extend(record(1));
        data.extend(record(COUNTRY_BEGIN + 225));
        data.extend(record(COUNTRY_BEGIN));
        data.extend([0xFF, 0xFF, 0xFF, COUNTRY_EDITION]);
        LegacyCountries::parse(data).unwrap()
    }

    #[test]
    fn walks_the_tree_to_a_country() {
        let db = tiny();
        assert_eq!(COUNTRY_CODES[56], "DE");
        assert_eq!(COUNTRY_CODES[225], "US");
        assert_eq!(db.country("1.2.3.4".parse().unwrap()), Some("DE"));
        assert_eq!(db.country("130.0.0.1".parse().unwrap()), Some("US"));
        assert_eq!(db.country("200.0.0.1".parse().unwrap()), None);
        assert_eq!(db.country("::ffff:130.0.0.1".parse().unwrap()), Some("US"));
        assert_eq!(db.country("2001:db8::1".parse().unwrap()), None);
    }

    #[test]
    fn other_editions_and_other_files_are_refused() {
        let city = vec![0, 0, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 2];
        let err = LegacyCountries::parse(city).err().unwrap();
        assert!(err.contains("edition 2"), "{err}");
        let html = b"<html>not a database</html>".to_vec();
        let err = LegacyCountries::parse(html).err().unwrap();
        assert!(err.contains("marker"), "{err}");
    }
}
