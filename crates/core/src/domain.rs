//! Root domains, `is_root` and `tld_class`, by the Public Suffix List (compiled into `psl`).

use serde::{Deserialize, Serialize};

/// The registrable root domain of `host`: `www.bbc.co.uk` → `bbc.co.uk`.
/// Hosts without a registrable part (IP addresses, `localhost`, a bare suffix) are their own root.
pub fn root_domain(host: &str) -> &str {
    if is_ip(host) {
        return host;
    }
    psl::domain_str(host).unwrap_or(host)
}

/// The highest ancestor of `host` (itself included) that is a registrable domain by the
/// Public Suffix List: `www.example.com` → `example.com`; `bucket.s3.amazonaws.com` →
/// `amazonaws.com`, although that host's own root is itself (`s3.amazonaws.com` is a suffix).
/// Every host under such a domain has it as this ancestor too, so it names the hosts of a
/// `subdomains` target exactly. None for IP addresses and hosts under no registrable domain.
pub fn highest_registrable(host: &str) -> Option<&str> {
    if is_ip(host) {
        return None;
    }
    let mut highest = None;
    let mut rest = host;
    loop {
        if psl::domain_str(rest) == Some(rest) {
            highest = Some(rest);
        }
        match rest.split_once('.') {
            Some((_, parent)) => rest = parent,
            None => return highest,
        }
    }
}

/// [`highest_registrable`] of a host as target keys write it, reversed (`com.example.www` →
/// `example.com`; [`crate::urls::reversed_host`] undoes itself).
pub fn highest_registrable_of_reversed(reversed: &str) -> Option<String> {
    highest_registrable(&crate::urls::reversed_host(reversed)).map(str::to_string)
}

/// The country a host's top-level domain names, as an ISO 3166-1 alpha-2 code: the ccTLD
/// upper-cased (`uk` is `GB`), for ISO codes only (so not `eu`, `su`, `ac`). ccTLDs sold
/// worldwide as generic names ([`VANITY_CCTLDS`]: `.io`, `.ai`, `.co`, `.tv`, `.me`…) name
/// no country. IP addresses and generic TLDs: None.
pub fn cctld_country(host: &str) -> Option<&'static str> {
    if is_ip(host) {
        return None;
    }
    let tld = host.trim_end_matches('.').rsplit('.').next()?;
    if tld.len() != 2 || VANITY_CCTLDS.contains(&tld.to_ascii_lowercase().as_str()) {
        return None;
    }
    let code = if tld.eq_ignore_ascii_case("uk") {
        "GB".to_string()
    } else {
        tld.to_ascii_uppercase()
    };
    ISO_COUNTRIES.iter().copied().find(|c| *c == code)
}

/// ccTLDs marketed as generic names (`.io` startups, `.tv` video, `.me` personal…).
pub const VANITY_CCTLDS: &[&str] = &[
    "ai", "cc", "co", "fm", "gg", "io", "la", "ly", "me", "nu", "sh", "so", "to", "tv", "vc", "ws",
];

/// ISO 3166-1 alpha-2 country codes.
const ISO_COUNTRIES: &[&str] = &[
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

/// The host is its own root domain (no subdomain part).
pub fn is_root(host: &str) -> bool {
    root_domain(host) == host
}

pub fn is_ip(host: &str) -> bool {
    host.starts_with('[') || host.parse::<std::net::IpAddr>().is_ok()
}

/// Ahrefs' `tld_class`: government and education hosts by their public suffix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TldClass {
    Gov,
    Edu,
    Normal,
}

impl TldClass {
    pub fn as_str(self) -> &'static str {
        match self {
            TldClass::Gov => "gov",
            TldClass::Edu => "edu",
            TldClass::Normal => "normal",
        }
    }
}

/// Labels that mark a government or an education registry when they appear in a host's
/// public suffix (`gov`, `gov.uk`, `gouv.fr`, `go.jp`, `mil`; `edu`, `ac.uk`, `edu.au`).
const GOV_LABELS: &[&str] = &["gov", "gob", "gouv", "govt", "go", "mil", "gv"];
const EDU_LABELS: &[&str] = &["edu", "ac"];

/// `gov` or `edu` when a label of the host's public suffix is a government or an education
/// label; `normal` otherwise. Second-level registries count (`gov.uk`, `ac.jp`), so do the
/// plain `.gov`, `.mil` and `.edu` top-level domains.
pub fn tld_class(host: &str) -> TldClass {
    if is_ip(host) {
        return TldClass::Normal;
    }
    let suffix = psl::suffix_str(host).unwrap_or("");
    let labels = suffix.split('.');
    for label in labels {
        if GOV_LABELS.contains(&label) {
            return TldClass::Gov;
        }
        if EDU_LABELS.contains(&label) {
            return TldClass::Edu;
        }
    }
    TldClass::Normal
}

/// The /24 network of an IPv4 address (`1.2.3.4` → `1.2.3`), Ahrefs' "class C".
pub fn class_c(ip: &str) -> Option<String> {
    let addr: std::net::Ipv4Addr = ip.parse().ok()?;
    let [a, b, c, _] = addr.octets();
    Some(format!("{a}.{b}.{c}"))
}

#[cfg(test)]
mod tests {
    #[test]
    fn country_of_a_cctld() {
        use super::cctld_country;
        assert_eq!(cctld_country("www.bbc.co.uk"), Some("GB"));
        assert_eq!(cctld_country("spiegel.de"), Some("DE"));
        assert_eq!(cctld_country("EXAMPLE.FR"), Some("FR"));
        assert_eq!(cctld_country("europa.eu"), None);
        assert_eq!(cctld_country("github.io"), None);
        assert_eq!(cctld_country("example.com"), None);
        assert_eq!(cctld_country("192.168.1.1"), None);
        assert_eq!(cctld_country("localhost"), None);
    }

    #[test]
    fn highest_registrable_ancestor() {
        use super::highest_registrable as h;
        assert_eq!(h("www.example.com"), Some("example.com"));
        assert_eq!(h("example.com"), Some("example.com"));
        assert_eq!(h("a.b.bbc.co.uk"), Some("bbc.co.uk"));
        assert_eq!(h("bucket.s3.amazonaws.com"), Some("amazonaws.com"));
        assert_eq!(h("user.github.io"), Some("user.github.io"));
        assert_eq!(h("github.io"), None);
        assert_eq!(h("co.uk"), None);
        assert_eq!(h("192.0.2.1"), None);
    }

    use super::*;

    #[test]
    fn root_domains_follow_the_public_suffix_list() {
        assert_eq!(root_domain("www.bbc.co.uk"), "bbc.co.uk");
        assert_eq!(root_domain("en.wikipedia.org"), "wikipedia.org");
        assert_eq!(root_domain("foo.github.io"), "foo.github.io");
        assert_eq!(root_domain("127.0.0.1"), "127.0.0.1");
        assert_eq!(root_domain("localhost"), "localhost");
        assert!(is_root("example.com"));
        assert!(!is_root("www.example.com"));
    }

    #[test]
    fn tld_classes() {
        assert_eq!(tld_class("www.whitehouse.gov"), TldClass::Gov);
        assert_eq!(tld_class("www.gov.uk"), TldClass::Gov);
        assert_eq!(tld_class("service.gouv.fr"), TldClass::Gov);
        assert_eq!(tld_class("cs.stanford.edu"), TldClass::Edu);
        assert_eq!(tld_class("www.ox.ac.uk"), TldClass::Edu);
        assert_eq!(tld_class("example.co.uk"), TldClass::Normal);
        assert_eq!(tld_class("github.com"), TldClass::Normal);
        assert_eq!(tld_class("10.0.0.1"), TldClass::Normal);
    }

    #[test]
    fn class_c_of_ipv4() {
        assert_eq!(class_c("192.168.10.77").as_deref(), Some("192.168.10"));
        assert_eq!(class_c("::1"), None);
    }
}
