//! A cheap check that a text sample is in the language the page declares, so the expensive
//! whatlang detection (≈100–200 µs per call, mostly a fixed cost) can be skipped when it
//! would only confirm the declaration.
//!
//! Rule: count the sample's words that are among the 30 most frequent words of each of the
//! languages below. The declaration is confirmed when the declared language is in the table,
//! the sample has at least [`MIN_WORDS`] words, at least [`MIN_SHARE`] of them are the
//! declared language's frequent words, and no other language of the table counts as many.
//! Anything else (undeclared, unlisted, mixed, too short) goes to whatlang.

use std::collections::HashMap;
use std::sync::LazyLock;

/// Fewer words than this prove nothing.
pub(crate) const MIN_WORDS: usize = 20;
/// Share of the words that must be the declared language's frequent words.
pub(crate) const MIN_SHARE: f32 = 0.15;

/// The most frequent words of common web languages written in Latin or Cyrillic script (the
/// scripts whatlang resolves slowly, by trigrams).
const FREQUENT: &[(&str, &str)] = &[
    (
        "en",
        "the and of to in is that for it with as was on are this be by you from or have an \
         they which not at his but we can",
    ),
    (
        "de",
        "der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch \
         es an werden aus er hat dass sie nach",
    ),
    (
        "fr",
        "de la le et les des en un du une que est pour qui dans par plus pas au sur ne se ce il \
         sont avec ou aux son mais",
    ),
    (
        "es",
        "de la que el en y a los del se las por un para con no una su al es lo como más pero \
         sus le ya o fue este",
    ),
    (
        "it",
        "di e il la che in a per del un della è non una le i si con sono da al dei nel come \
         alla anche più delle gli ma",
    ),
    (
        "pt",
        "de a o que e do da em um para é com não uma os no se na por mais as dos como mas ao \
         ele das à seu sua",
    ),
    (
        "nl",
        "de van een het en in is dat op te zijn voor met die niet aan er om ook als bij of maar \
         worden door naar heeft dan wordt nog",
    ),
    (
        "pl",
        "w i na z się nie do to że jest o a jak po co od za dla ale jego tak przez już może są \
         czy oraz tym być który",
    ),
    (
        "ru",
        "и в не на что с по как это он к а из за то для от его так но все о же у она бы был \
         только было мы",
    ),
    (
        "sv",
        "och i att det som en på är av för med till den har de inte om ett var jag men så från \
         vid kan sig eller han vi hade",
    ),
    (
        "tr",
        "bir ve bu da de için ile çok olarak daha gibi en ne ama olan kadar sonra her o değil \
         var ki mi ya veya ise diye şey göre üzerinde",
    ),
    (
        "cs",
        "a v se na je že s z o do to i k jako ve pro by za není jsou po ale od tak jeho který \
         být byl má které",
    ),
];

/// Word → bit set of the languages (indexes into [`FREQUENT`]) it is frequent in.
static WORDS: LazyLock<HashMap<&'static str, u16>> = LazyLock::new(|| {
    let mut map: HashMap<&'static str, u16> = HashMap::new();
    for (i, (_, words)) in FREQUENT.iter().enumerate() {
        for word in words.split_whitespace() {
            *map.entry(word).or_default() |= 1 << i;
        }
    }
    map
});

/// Whether `sample` is clearly in the declared language `code` (ISO 639-1).
pub(crate) fn confirms(code: &str, sample: &str) -> bool {
    let Some(declared) = FREQUENT.iter().position(|(c, _)| *c == code) else {
        return false;
    };
    let mut counts = [0usize; FREQUENT.len()];
    let mut words = 0;
    let mut lower = String::new();
    for word in sample
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        words += 1;
        lower.clear();
        lower.extend(word.chars().flat_map(char::to_lowercase));
        if let Some(&langs) = WORDS.get(lower.as_str()) {
            for (i, count) in counts.iter_mut().enumerate() {
                *count += usize::from(langs & (1 << i) != 0);
            }
        }
    }
    let mine = counts[declared];
    words >= MIN_WORDS
        && mine as f32 >= MIN_SHARE * words as f32
        && counts
            .iter()
            .enumerate()
            .all(|(i, &c)| i == declared || c < mine)
}

#[cfg(test)]
mod tests {
    use super::*;

    const EN: &str = "The Mona Lisa is a half-length portrait painting by the Italian artist \
        Leonardo da Vinci. It has been described as the best known, the most visited and the \
        most written about work of art in the world, and it is on display at the Louvre.";
    const ES: &str = "La Gioconda es una obra pictórica del pintor renacentista italiano \
        Leonardo da Vinci. Fue adquirida por el rey Francisco I de Francia a principios del \
        siglo XVI y desde entonces es propiedad del Estado francés y se exhibe en el Louvre.";

    #[test]
    fn confirms_matching_declarations_only() {
        assert!(confirms("en", EN));
        assert!(confirms("es", ES));
        assert!(
            !confirms("en", ES),
            "a Spanish text does not confirm a lang=en template"
        );
        assert!(!confirms("pt", ES));
        assert!(!confirms("fr", EN));
        assert!(!confirms("en", "Home About Contact"), "too short");
        assert!(!confirms("ja", EN), "not in the table");
    }
}
