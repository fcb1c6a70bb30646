//! WARC digests (`sha1:` + RFC 4648 base32, as Heritrix, wget and Common Crawl write them) and
//! record ids (random v4 UUIDs).

use sha1::{Digest, Sha1};
use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

const BASE32: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

/// `sha1:` + base32 of the SHA-1 of the concatenated `parts` (a block is hashed in pieces so
/// that a body is never copied just to be hashed).
pub fn sha1_base32(parts: &[&[u8]]) -> String {
    let mut hasher = Sha1::new();
    for part in parts {
        hasher.update(part);
    }
    format!("sha1:{}", base32(&hasher.finalize()))
}

/// RFC 4648 base32, unpadded (a SHA-1 is exactly 32 characters).
fn base32(data: &[u8]) -> String {
    let mut out = String::with_capacity(data.len().div_ceil(5) * 8);
    let (mut acc, mut bits) = (0u32, 0u32);
    for &byte in data {
        acc = (acc << 8) | u32::from(byte);
        bits += 8;
        while bits >= 5 {
            bits -= 5;
            out.push(char::from(BASE32[((acc >> bits) & 31) as usize]));
        }
        acc &= (1 << bits) - 1;
    }
    if bits > 0 {
        out.push(char::from(BASE32[((acc << (5 - bits)) & 31) as usize]));
    }
    out
}

/// A fresh `<urn:uuid:…>` (version 4 layout). The randomness comes from std's per-process
/// randomly keyed SipHash over a counter and the clock: unique without a `uuid`/`rand`
/// dependency, and record ids need uniqueness, not cryptographic strength.
pub fn new_record_id() -> String {
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let n = COUNTER.fetch_add(1, Ordering::Relaxed);
    let nanos = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or_default();
    let state = RandomState::new();
    let half = |salt: u64| {
        let mut h = state.build_hasher();
        h.write_u64(salt);
        h.write_u64(n);
        h.write_u128(nanos);
        h.write_u32(std::process::id());
        h.finish()
    };
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&half(0x5157_4152_4331).to_le_bytes());
    bytes[8..].copy_from_slice(&half(0x4e43_484f_5241).to_le_bytes());
    bytes[6] = (bytes[6] & 0x0f) | 0x40;
    bytes[8] = (bytes[8] & 0x3f) | 0x80;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!(
        "<urn:uuid:{}-{}-{}-{}-{}>",
        &hex[..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..]
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn known_digests() {
        // The empty payload's digest as Common Crawl's WAT gives it ("Entity-Digest").
        assert_eq!(sha1_base32(&[]), "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ");
        assert_eq!(sha1_base32(&[b"a", b"bc"]), sha1_base32(&[b"abc"]));
        // RFC 4648 test vectors.
        assert_eq!(base32(b"f"), "MY");
        assert_eq!(base32(b"foobar"), "MZXW6YTBOI");
    }

    #[test]
    fn record_ids_are_unique_v4() {
        let ids: HashSet<String> = (0..10_000).map(|_| new_record_id()).collect();
        assert_eq!(ids.len(), 10_000);
        let id = new_record_id();
        assert_eq!(id.len(), "<urn:uuid:>".len() + 36);
        assert_eq!(&id[24..25], "4");
        assert!(matches!(&id[29..30], "8" | "9" | "a" | "b"));
    }
}
