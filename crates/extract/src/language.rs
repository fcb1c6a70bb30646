//! Page languages as ISO 639-1 codes.
//!
//! Declared languages come first, in this order: `<html lang>` (or `xml:lang`), the
//! `Content-Language` header, `<meta http-equiv=content-language>`. Each value may list
//! several tags (`en, fr`); each tag is reduced to its primary subtag in lower case
//! (`en-US` → `en`, `zh_Hant` → `zh`), deprecated codes are replaced (`iw` → `he`, `in` → `id`,
//! `ji` → `yi`), three-letter codes whatlang knows become two-letter ones (`deu` → `de`), and
//! anything else that is not two letters (`x-default`, `und`, `mul`) is dropped. Then whatlang
//! runs on a sample of the visible text (the first `language_sample_bytes` of paragraph-like
//! runs outside `<pre>`, see [`crate::html`]) and its language is added when whatlang calls
//! the detection reliable — unless the sample plainly confirms the first declared language (see
//! `stopwords.rs`: frequent-word counts), in which case whatlang, which would only agree, is
//! skipped to save its ≈100–200 µs. Duplicates are dropped, keeping the first position.

use whatlang::Lang;

/// Adds every language of a declaration such as `en-US, fr` to `out`.
pub(crate) fn push_declared(value: &str, out: &mut Vec<String>) {
    for tag in value.split(',') {
        if let Some(code) = normalize(tag) {
            push_unique(out, code);
        }
    }
}

pub(crate) fn push_unique(out: &mut Vec<String>, code: &str) {
    if !out.iter().any(|c| c == code) {
        out.push(code.to_string());
    }
}

/// The ISO 639-1 code of a language tag, if it has one.
pub(crate) fn normalize(tag: &str) -> Option<&'static str> {
    let primary = tag.trim().split(['-', '_']).next()?.trim();
    let mut buf = [0u8; 3];
    if !(2..=3).contains(&primary.len()) || !primary.bytes().all(|b| b.is_ascii_alphabetic()) {
        return None;
    }
    for (d, s) in buf.iter_mut().zip(primary.bytes()) {
        *d = s.to_ascii_lowercase();
    }
    let code = std::str::from_utf8(&buf[..primary.len()]).ok()?;
    match code {
        "iw" => Some("he"),
        "in" => Some("id"),
        "ji" => Some("yi"),
        "no" | "nb" | "nn" => Some(if code == "nn" { "nn" } else { "nb" }),
        _ if code.len() == 2 => ISO_639_1.iter().find(|&&c| c == code).copied(),
        _ => Lang::from_code(code).map(iso639_1),
    }
}

/// The language of the text, unless it merely confirms `declared` (the first declared
/// language): then `None`, as the language is already listed.
pub(crate) fn detect_unless_confirmed(
    declared: Option<&str>,
    sample: &str,
) -> Option<&'static str> {
    if declared.is_some_and(|d| crate::stopwords::confirms(d, sample)) {
        return None;
    }
    detect(sample)
}

/// Detects the language of a text sample; `None` unless whatlang deems it reliable.
pub(crate) fn detect(sample: &str) -> Option<&'static str> {
    let info = whatlang::detect(sample)?;
    info.is_reliable().then(|| iso639_1(info.lang()))
}

/// whatlang's ISO 639-3 languages mapped to ISO 639-1.
pub(crate) fn iso639_1(lang: Lang) -> &'static str {
    match lang {
        Lang::Epo => "eo",
        Lang::Eng => "en",
        Lang::Rus => "ru",
        Lang::Cmn => "zh",
        Lang::Spa => "es",
        Lang::Por => "pt",
        Lang::Ita => "it",
        Lang::Ben => "bn",
        Lang::Fra => "fr",
        Lang::Deu => "de",
        Lang::Ukr => "uk",
        Lang::Kat => "ka",
        Lang::Ara => "ar",
        Lang::Hin => "hi",
        Lang::Jpn => "ja",
        Lang::Heb => "he",
        Lang::Yid => "yi",
        Lang::Pol => "pl",
        Lang::Amh => "am",
        Lang::Jav => "jv",
        Lang::Kor => "ko",
        Lang::Nob => "nb",
        Lang::Dan => "da",
        Lang::Swe => "sv",
        Lang::Fin => "fi",
        Lang::Tur => "tr",
        Lang::Nld => "nl",
        Lang::Hun => "hu",
        Lang::Ces => "cs",
        Lang::Ell => "el",
        Lang::Bul => "bg",
        Lang::Bel => "be",
        Lang::Mar => "mr",
        Lang::Kan => "kn",
        Lang::Ron => "ro",
        Lang::Slv => "sl",
        Lang::Hrv => "hr",
        Lang::Srp => "sr",
        Lang::Mkd => "mk",
        Lang::Lit => "lt",
        Lang::Lav => "lv",
        Lang::Est => "et",
        Lang::Tam => "ta",
        Lang::Vie => "vi",
        Lang::Urd => "ur",
        Lang::Tha => "th",
        Lang::Guj => "gu",
        Lang::Uzb => "uz",
        Lang::Pan => "pa",
        Lang::Aze => "az",
        Lang::Ind => "id",
        Lang::Tel => "te",
        Lang::Pes => "fa",
        Lang::Mal => "ml",
        Lang::Ori => "or",
        Lang::Mya => "my",
        Lang::Nep => "ne",
        Lang::Sin => "si",
        Lang::Khm => "km",
        Lang::Tuk => "tk",
        Lang::Aka => "ak",
        Lang::Zul => "zu",
        Lang::Sna => "sn",
        Lang::Afr => "af",
        Lang::Lat => "la",
        Lang::Slk => "sk",
        Lang::Cat => "ca",
        Lang::Tgl => "tl",
        Lang::Hye => "hy",
        Lang::Cym => "cy",
    }
}

/// Every ISO 639-1 code.
const ISO_639_1: &[&str] = &[
    "aa", "ab", "ae", "af", "ak", "am", "an", "ar", "as", "av", "ay", "az", "ba", "be", "bg", "bh",
    "bi", "bm", "bn", "bo", "br", "bs", "ca", "ce", "ch", "co", "cr", "cs", "cu", "cv", "cy", "da",
    "de", "dv", "dz", "ee", "el", "en", "eo", "es", "et", "eu", "fa", "ff", "fi", "fj", "fo", "fr",
    "fy", "ga", "gd", "gl", "gn", "gu", "gv", "ha", "he", "hi", "ho", "hr", "ht", "hu", "hy", "hz",
    "ia", "id", "ie", "ig", "ii", "ik", "io", "is", "it", "iu", "ja", "jv", "ka", "kg", "ki", "kj",
    "kk", "kl", "km", "kn", "ko", "kr", "ks", "ku", "kv", "kw", "ky", "la", "lb", "lg", "li", "ln",
    "lo", "lt", "lu", "lv", "mg", "mh", "mi", "mk", "ml", "mn", "mr", "ms", "mt", "my", "na", "nb",
    "nd", "ne", "ng", "nl", "nn", "no", "nr", "nv", "ny", "oc", "oj", "om", "or", "os", "pa", "pi",
    "pl", "ps", "pt", "qu", "rm", "rn", "ro", "ru", "rw", "sa", "sc", "sd", "se", "sg", "si", "sk",
    "sl", "sm", "sn", "so", "sq", "sr", "ss", "st", "su", "sv", "sw", "ta", "te", "tg", "th", "ti",
    "tk", "tl", "tn", "to", "tr", "ts", "tt", "tw", "ty", "ug", "uk", "ur", "uz", "ve", "vi", "vo",
    "wa", "wo", "xh", "yi", "yo", "za", "zh", "zu",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_declared_tags() {
        assert_eq!(normalize("en-US"), Some("en"));
        assert_eq!(normalize(" DE "), Some("de"));
        assert_eq!(normalize("zh_Hant"), Some("zh"));
        assert_eq!(normalize("iw"), Some("he"));
        assert_eq!(normalize("deu"), Some("de"));
        assert_eq!(normalize("no"), Some("nb"));
        assert_eq!(normalize("x-default"), None);
        assert_eq!(normalize("und"), None);
        assert_eq!(normalize("qq"), None);
        assert_eq!(normalize(""), None);
        let mut out = vec![];
        push_declared("en-GB, fr, en", &mut out);
        assert_eq!(out, ["en", "fr"]);
    }

    #[test]
    fn detects_reliable_languages_only() {
        let de = "Die Mona Lisa ist ein weltberühmtes Ölgemälde von Leonardo da Vinci aus der \
                  Hochphase der italienischen Renaissance Anfang des 16. Jahrhunderts.";
        assert_eq!(detect(de), Some("de"));
        assert_eq!(detect("ok"), None);
    }
}
