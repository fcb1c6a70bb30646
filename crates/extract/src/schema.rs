//! Page type and page category: only what the page declares, mapped onto small fixed trees.
//!
//! **page_type** comes from schema.org types (JSON-LD `@type`, also inside `@graph`, and
//! microdata `itemtype` on `html`, `body` and container elements) or, when those give nothing,
//! Open Graph `og:type`. Types describing the page's main thing rank first (articles, products,
//! recipes, events…), then page kinds (`FAQPage`, `ProfilePage`, `AboutPage`…), then local
//! businesses; within a rank the first declared wins. Generic types (`WebPage`, `WebSite`,
//! `Organization`, `Person`, `BreadcrumbList`, `ImageObject`…) and `og:type=website` say
//! nothing about the page and map to nothing. Undeclared → `null`; never guessed.
//!
//! | declared | page_type |
//! |---|---|
//! | Article, og:type article | /Article |
//! | NewsArticle (+ Reportage/Analysis/Opinion/Review/Background/AskPublic) | /Article/NewsArticle |
//! | BlogPosting, LiveBlogPosting, SocialMediaPosting | /Article/BlogPosting |
//! | TechArticle, APIReference | /Article/TechArticle |
//! | ScholarlyArticle, MedicalScholarlyArticle | /Article/ScholarlyArticle |
//! | Report | /Article/Report |
//! | HowTo | /Article/How_to |
//! | DiscussionForumPosting | /Forum_post |
//! | Product, ProductGroup, IndividualProduct, ProductModel, Vehicle, Car, og:type product | /Product |
//! | Recipe | /Recipe |
//! | Event and its subtypes (…Event, Festival) | /Event |
//! | Course | /Course |
//! | JobPosting | /Job_posting |
//! | Book, og:type book | /Book |
//! | Movie, og:type video.movie | /Movie |
//! | VideoObject, og:type video.* | /Video |
//! | MusicRecording, MusicAlbum, MusicPlaylist, og:type music.* | /Music |
//! | Review, CriticReview, UserReview | /Review |
//! | SoftwareApplication, MobileApplication, WebApplication, VideoGame | /Software |
//! | Dataset | /Dataset |
//! | FAQPage | /FAQ |
//! | QAPage, Question | /QA |
//! | ProfilePage, og:type profile | /Profile |
//! | AboutPage / ContactPage / CollectionPage / SearchResultsPage / CheckoutPage | /About, /Contact, /Collection, /Search_results, /Checkout |
//! | LocalBusiness, Restaurant, Store, Hotel | /Local_business |
//!
//! **page_category** comes from, in order: JSON-LD `articleSection`, JSON-LD `genre`,
//! `<meta property=article:section>`, `<meta name=category>`, the names of a JSON-LD
//! `BreadcrumbList` (after a leading "Home"). The first value containing a keyword of
//! [`CATEGORY_KEYWORDS`] (whole words, case-insensitive, earliest word wins) gives the
//! category; `null` when nothing maps. The tree: /Technology, /Science, /Sports, /Business,
//! /Health, /Arts_and_Entertainment, /News, /Travel, /Food_and_Drink, /Education.

/// How specific a page type is: lower wins.
pub(crate) type Rank = u8;

/// The page type of a schema.org type name (`NewsArticle`, `http://schema.org/Recipe`).
pub(crate) fn page_type_of_schema(t: &str) -> Option<(&'static str, Rank)> {
    let name = t.trim().rsplit(['/', ':', '#']).next().unwrap_or_default();
    let main = |p| Some((p, 0));
    match name {
        "Article" => main("/Article"),
        "NewsArticle"
        | "ReportageNewsArticle"
        | "AnalysisNewsArticle"
        | "OpinionNewsArticle"
        | "ReviewNewsArticle"
        | "BackgroundNewsArticle"
        | "AskPublicNewsArticle" => main("/Article/NewsArticle"),
        "BlogPosting" | "LiveBlogPosting" | "SocialMediaPosting" => main("/Article/BlogPosting"),
        "TechArticle" | "APIReference" => main("/Article/TechArticle"),
        "ScholarlyArticle" | "MedicalScholarlyArticle" => main("/Article/ScholarlyArticle"),
        "Report" => main("/Article/Report"),
        "HowTo" => main("/Article/How_to"),
        "DiscussionForumPosting" => main("/Forum_post"),
        "Product" | "ProductGroup" | "IndividualProduct" | "ProductModel" | "Vehicle" | "Car" => {
            main("/Product")
        }
        "Recipe" => main("/Recipe"),
        "Course" => main("/Course"),
        "JobPosting" => main("/Job_posting"),
        "Book" => main("/Book"),
        "Movie" => main("/Movie"),
        "VideoObject" => main("/Video"),
        "MusicRecording" | "MusicAlbum" | "MusicPlaylist" => main("/Music"),
        "Review" | "CriticReview" | "UserReview" => main("/Review"),
        "SoftwareApplication" | "MobileApplication" | "WebApplication" | "VideoGame" => {
            main("/Software")
        }
        "Dataset" => main("/Dataset"),
        "Festival" => main("/Event"),
        _ if name.ends_with("Event") => main("/Event"),
        "FAQPage" => Some(("/FAQ", 1)),
        "QAPage" | "Question" => Some(("/QA", 1)),
        "ProfilePage" => Some(("/Profile", 1)),
        "AboutPage" => Some(("/About", 1)),
        "ContactPage" => Some(("/Contact", 1)),
        "CollectionPage" => Some(("/Collection", 1)),
        "SearchResultsPage" => Some(("/Search_results", 1)),
        "CheckoutPage" => Some(("/Checkout", 1)),
        "LocalBusiness" | "Restaurant" | "Store" | "Hotel" => Some(("/Local_business", 2)),
        _ => None,
    }
}

/// The page type of an Open Graph `og:type`.
pub(crate) fn page_type_of_og(t: &str) -> Option<&'static str> {
    let t = t.trim().to_ascii_lowercase();
    match t.as_str() {
        "article" => Some("/Article"),
        "product" | "og:product" | "product.item" | "product.group" => Some("/Product"),
        "book" | "books.book" => Some("/Book"),
        "profile" => Some("/Profile"),
        "video.movie" => Some("/Movie"),
        _ if t.starts_with("video.") => Some("/Video"),
        _ if t.starts_with("music.") => Some("/Music"),
        _ => None,
    }
}

/// Keywords mapping onto the category tree (whole lower-case words or two-word phrases).
pub const CATEGORY_KEYWORDS: &[(&str, &[&str])] = &[
    (
        "/Technology",
        &[
            "technology",
            "technologies",
            "tech",
            "software",
            "hardware",
            "programming",
            "computer",
            "computers",
            "computing",
            "gadgets",
            "internet",
            "ai",
            "cybersecurity",
            "developer",
            "developers",
            "coding",
            "apps",
            "electronics",
            "linux",
            "cloud",
            "artificial intelligence",
            "machine learning",
            "web development",
        ],
    ),
    (
        "/Science",
        &[
            "science",
            "sciences",
            "physics",
            "chemistry",
            "biology",
            "astronomy",
            "space",
            "mathematics",
            "math",
            "maths",
            "research",
            "environment",
            "climate",
            "geology",
            "ecology",
            "nature",
        ],
    ),
    (
        "/Sports",
        &[
            "sport",
            "sports",
            "football",
            "soccer",
            "basketball",
            "baseball",
            "tennis",
            "golf",
            "cricket",
            "rugby",
            "hockey",
            "nfl",
            "nba",
            "mlb",
            "nhl",
            "olympics",
            "athletics",
            "cycling",
            "boxing",
            "motorsport",
            "f1",
            "formula 1",
        ],
    ),
    (
        "/Business",
        &[
            "business",
            "economy",
            "economics",
            "finance",
            "financial",
            "markets",
            "money",
            "companies",
            "startups",
            "startup",
            "investing",
            "investment",
            "marketing",
            "entrepreneurship",
            "industry",
            "careers",
            "jobs",
            "banking",
            "real estate",
        ],
    ),
    (
        "/Health",
        &[
            "health",
            "medicine",
            "medical",
            "wellness",
            "fitness",
            "nutrition",
            "diet",
            "diseases",
            "healthcare",
            "mental health",
        ],
    ),
    (
        "/Arts_and_Entertainment",
        &[
            "arts",
            "art",
            "entertainment",
            "culture",
            "movies",
            "movie",
            "film",
            "films",
            "cinema",
            "music",
            "tv",
            "television",
            "celebrity",
            "celebrities",
            "books",
            "literature",
            "games",
            "gaming",
            "theater",
            "theatre",
            "photography",
            "comics",
            "anime",
        ],
    ),
    (
        "/News",
        &[
            "news",
            "world",
            "politics",
            "breaking",
            "local",
            "national",
            "international",
            "elections",
            "government",
        ],
    ),
    (
        "/Travel",
        &[
            "travel",
            "tourism",
            "destinations",
            "hotels",
            "flights",
            "vacation",
            "holidays",
            "trips",
        ],
    ),
    (
        "/Food_and_Drink",
        &[
            "food",
            "recipes",
            "recipe",
            "cooking",
            "drink",
            "drinks",
            "wine",
            "beer",
            "restaurants",
            "restaurant",
            "dining",
            "baking",
            "cocktails",
            "coffee",
        ],
    ),
    (
        "/Education",
        &[
            "education",
            "school",
            "schools",
            "university",
            "universities",
            "learning",
            "courses",
            "teaching",
            "students",
            "college",
            "academics",
            "tutorials",
            "training",
        ],
    ),
];

fn category_of_word(word: &str) -> Option<&'static str> {
    CATEGORY_KEYWORDS
        .iter()
        .find(|(_, words)| words.contains(&word))
        .map(|(cat, _)| *cat)
}

/// The category a section/genre/breadcrumb label maps to: the earliest word (or two-word
/// phrase) found in the keyword table.
pub(crate) fn category(label: &str) -> Option<&'static str> {
    let lower = label.to_lowercase();
    let words: Vec<&str> = lower
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    for (i, word) in words.iter().enumerate() {
        if let Some(next) = words.get(i + 1) {
            let phrase = format!("{word} {next}");
            if let Some(cat) = category_of_word(&phrase) {
                return Some(cat);
            }
        }
        if let Some(cat) = category_of_word(word) {
            return Some(cat);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schema_types_map_to_paths() {
        assert_eq!(
            page_type_of_schema("NewsArticle"),
            Some(("/Article/NewsArticle", 0))
        );
        assert_eq!(
            page_type_of_schema("https://schema.org/Recipe"),
            Some(("/Recipe", 0))
        );
        assert_eq!(page_type_of_schema("MusicEvent"), Some(("/Event", 0)));
        assert_eq!(page_type_of_schema("FAQPage"), Some(("/FAQ", 1)));
        assert_eq!(page_type_of_schema("WebPage"), None);
        assert_eq!(page_type_of_schema("Organization"), None);
        assert_eq!(page_type_of_og("article"), Some("/Article"));
        assert_eq!(page_type_of_og("video.episode"), Some("/Video"));
        assert_eq!(page_type_of_og("website"), None);
    }

    #[test]
    fn categories_map_by_keyword() {
        assert_eq!(category("Science & Technology"), Some("/Science"));
        assert_eq!(category("Premier League Football"), Some("/Sports"));
        assert_eq!(category("Machine Learning"), Some("/Technology"));
        assert_eq!(category("Real Estate"), Some("/Business"));
        assert_eq!(category("Uncategorized"), None);
        assert_eq!(category("Mail"), None);
    }
}
