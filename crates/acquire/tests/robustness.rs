//! No input makes the reader panic, hang or give up on records it can still read: random
//! bytes, truncation at every offset, flipped bits in gzip members, lying headers.

use anchorage_acquire::{ArchiveReader, ReadStats, ReaderConfig, reasons, warnings};
use anchorage_core::record::Capture;
use flate2::Compression;
use flate2::write::GzEncoder;
use std::io::{Cursor, Write};

/// Deterministic pseudo-random bytes (xorshift64*), so failures reproduce.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn read_bytes(data: Vec<u8>, config: ReaderConfig) -> (Vec<Capture>, ReadStats) {
    match ArchiveReader::from_reader("fuzz", Cursor::new(data), config) {
        Ok(mut reader) => {
            let captures: Vec<Capture> = reader.by_ref().collect();
            (captures, reader.stats().clone())
        }
        // Only a zstd/bzip2/xz/zip magic is refused at opening.
        Err(_) => (Vec::new(), ReadStats::default()),
    }
}

fn read(data: Vec<u8>) -> (Vec<Capture>, ReadStats) {
    read_bytes(data, ReaderConfig::default())
}

fn record(kind: &str, uri: &str, block: &[u8]) -> Vec<u8> {
    let mut raw = format!(
        "WARC/1.1\r\nWARC-Type: {kind}\r\nWARC-Target-URI: {uri}\r\nWARC-Date: 2024-01-02T03:04:05Z\r\n\
         WARC-Record-ID: <urn:uuid:{uri}>\r\nContent-Length: {}\r\n\r\n",
        block.len()
    )
    .into_bytes();
    raw.extend_from_slice(block);
    raw.extend_from_slice(b"\r\n\r\n");
    raw
}

fn page(n: usize) -> Vec<u8> {
    let body = format!("<html><body>page {n} {}</body></html>", "text ".repeat(200));
    let block = format!(
        "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {}\r\n\r\n{body}",
        body.len()
    );
    record("response", &format!("http://e.com/{n}"), block.as_bytes())
}

fn gz(data: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::default());
    enc.write_all(data).unwrap();
    enc.finish().unwrap()
}

/// `n` pages, plain and as one gzip member per record.
fn archive(n: usize) -> (Vec<u8>, Vec<Vec<u8>>) {
    let records: Vec<Vec<u8>> = (0..n).map(page).collect();
    let members = records.iter().map(|r| gz(r)).collect();
    (records.concat(), members)
}

#[test]
fn random_bytes_never_panic() {
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    let prefixes: [&[u8]; 5] = [
        b"",
        b"WARC/1.0\r\n",
        &[0x1f, 0x8b, 0x08, 0],
        b"filedesc://",
        b"WARC/1.0\r\nContent-Length: 10\r\n\r\n",
    ];
    for round in 0..300 {
        let len = (rng.next() % 5000) as usize;
        let mut data = prefixes[round % prefixes.len()].to_vec();
        data.extend(rng.bytes(len));
        let (captures, stats) = read(data);
        assert!(captures.len() as u64 == stats.captures);
    }
}

#[test]
fn empty_input_is_an_empty_archive() {
    let (captures, stats) = read(Vec::new());
    assert!(captures.is_empty());
    assert_eq!((stats.total_records(), stats.skipped), (0, 0));
}

#[test]
fn every_truncation_of_a_plain_archive_is_survived() {
    let (plain, _) = archive(3);
    for cut in 0..plain.len() {
        let (captures, stats) = read(plain[..cut].to_vec());
        assert!(captures.len() <= 3);
        // A record cut inside its block is still yielded, marked truncated.
        let truncated = captures
            .iter()
            .filter(|c| matches!(c, Capture::Response(f) if f.truncated))
            .count();
        assert!(truncated <= 1, "cut at {cut}");
        assert!(
            stats
                .warnings
                .get(warnings::RECORD_TRUNCATED)
                .copied()
                .unwrap_or(0)
                <= 1
        );
    }
}

#[test]
fn every_truncation_of_a_gzip_archive_is_survived() {
    let (_, members) = archive(3);
    let data = members.concat();
    let first = members[0].len();
    for cut in 0..data.len() {
        let (captures, _) = read(data[..cut].to_vec());
        if cut >= first {
            // The first member is complete: its page is always there, whole.
            let Some(Capture::Response(f)) = captures.first() else {
                panic!("cut at {cut}: first page lost");
            };
            assert!(!f.truncated && f.url == "http://e.com/0", "cut at {cut}");
        }
    }
}

#[test]
fn a_damaged_member_costs_only_its_own_record() {
    let (_, members) = archive(3);
    let middle = members[1].len() / 2;
    for offset in [middle, middle + 7, 12, members[1].len() - 6] {
        let mut damaged = members.clone();
        damaged[1][offset] ^= 0xa5;
        damaged[1][offset.saturating_sub(1)] ^= 0x3c;
        let (captures, stats) = read(damaged.concat());
        let urls: Vec<String> = captures
            .iter()
            .filter_map(|c| match c {
                Capture::Response(f) if !f.truncated => Some(f.url.clone()),
                _ => None,
            })
            .collect();
        assert!(
            urls.contains(&"http://e.com/0".to_string()),
            "offset {offset}: {urls:?}"
        );
        assert!(
            urls.contains(&"http://e.com/2".to_string()),
            "offset {offset}: {urls:?}"
        );
        assert!(
            stats.warnings.contains_key(warnings::READ_ERROR)
                || stats.skipped > 0
                || urls.len() == 3
        );
    }
}

#[test]
fn flipped_bytes_anywhere_never_panic() {
    let (plain, members) = archive(3);
    let gzip = members.concat();
    let mut rng = Rng(42);
    for source in [plain, gzip] {
        for _ in 0..400 {
            let mut data = source.clone();
            for _ in 0..=(rng.next() % 4) {
                let at = (rng.next() as usize) % data.len();
                data[at] = rng.next() as u8;
            }
            let _ = read(data);
        }
    }
}

#[test]
fn lying_content_lengths() {
    // Absurdly large: the record runs to the end of the input and is marked truncated.
    let huge = b"WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: http://e.com/\r\n\
        WARC-Date: 2024-01-02T03:04:05Z\r\nContent-Length: 18446744073709551615\r\n\r\n\
        HTTP/1.1 200 OK\r\n\r\n<html>"
        .to_vec();
    let (captures, _) = read(huge);
    assert!(matches!(&captures[..], [Capture::Response(f)] if f.truncated));

    // Not a number: the record is skipped, the next one read.
    let mut data = b"WARC/1.0\r\nWARC-Type: response\r\nContent-Length: ten\r\n\r\nHTTP/1.1 200 OK\r\n\r\nx\r\n\r\n"
        .to_vec();
    data.extend(page(1));
    let (captures, stats) = read(data);
    assert_eq!(captures.len(), 1);
    assert_eq!(stats.skip_reasons.get(reasons::NO_LENGTH), Some(&1));
    assert_eq!(stats.skipped, 1, "the unframed block is not counted twice");
}

#[test]
fn garbage_between_records_is_counted_once_and_skipped() {
    let mut data = page(0);
    data.extend_from_slice(b"\x00\x01 some junk\r\nmore junk\n");
    data.extend(page(1));
    let (captures, stats) = read(data);
    assert_eq!(captures.len(), 2);
    assert_eq!(stats.skip_reasons.get(reasons::GARBAGE), Some(&1));
}

#[test]
fn body_cap_marks_truncated() {
    let config = ReaderConfig {
        max_body_bytes: 100,
    };
    let (captures, stats) = read_bytes(page(0), config);
    let Some(Capture::Response(f)) = captures.first() else {
        panic!("page expected")
    };
    assert_eq!((f.body.len(), f.truncated), (100, true));
    assert!(f.body.starts_with(b"<html><body>page 0"));
    assert_eq!(stats.warnings.get(warnings::RECORD_TRUNCATED), None);
}

#[test]
fn whole_file_gzip_reads_like_per_record_gzip() {
    let (plain, members) = archive(5);
    let (a, _) = read(gz(&plain));
    let (b, _) = read(members.concat());
    let urls = |c: &[Capture]| -> Vec<String> {
        c.iter()
            .filter_map(|c| {
                if let Capture::Response(f) = c {
                    Some(f.url.clone())
                } else {
                    None
                }
            })
            .collect()
    };
    assert_eq!(urls(&a), urls(&b));
    assert_eq!(urls(&a).len(), 5);
}

#[test]
fn other_compressions_are_refused_clearly() {
    let zstd = vec![0x28, 0xb5, 0x2f, 0xfd, 0, 0, 0, 0];
    let err = ArchiveReader::from_reader("x.warc.zst", Cursor::new(zstd), ReaderConfig::default())
        .err()
        .unwrap();
    assert!(err.to_string().contains("zstd"));
}

#[test]
fn warc_truncated_header_marks_the_capture() {
    let data = page(0)
        .splitn(2, |&b| b == b'\n')
        .enumerate()
        .flat_map(|(i, part)| {
            let mut v = part.to_vec();
            if i == 0 {
                v.extend_from_slice(b"\nWARC-Truncated: length\r\n");
            }
            v
        })
        .collect::<Vec<u8>>();
    let (captures, _) = read(data);
    assert!(matches!(&captures[..], [Capture::Response(f)] if f.truncated));
}

#[test]
fn readers_can_move_to_worker_threads() {
    fn assert_send<T: Send>() {}
    assert_send::<ArchiveReader>();
    assert_send::<anchorage_acquire::WarcWriter>();
}
