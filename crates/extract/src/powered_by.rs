//! `powered_by`: the technologies a page shows, from a small fingerprint table.
//!
//! Three kinds of evidence, each matched case-insensitively as a substring:
//!
//! - `<meta name=generator>`: WordPress, Drupal, Joomla, Ghost, Hugo, Jekyll, Sphinx,
//!   Docutils, MediaWiki, Docusaurus, Hexo, Wix, Squarespace, Shopify, Gatsby, Next.js,
//!   Blogger, Webflow, TYPO3, MkDocs, Pelican, Astro, Eleventy, Nuxt, VuePress, GitBook.
//! - Headers: `Server` (Nginx, Apache, Cloudflare, IIS for `Microsoft-IIS`, LiteSpeed,
//!   OpenResty), `X-Powered-By` (PHP, Express, ASP.NET, Next.js), `X-AspNet-Version`
//!   (ASP.NET), `X-Generator` (as the generator meta), `X-Drupal-Cache` (Drupal),
//!   `X-Shopify-Stage` (Shopify), `X-Wix-Request-Id` (Wix).
//! - Asset URLs of `<script src>`, `<link href>` and `<img src>`, and `<link rel>` values:
//!   `/wp-content/`, `/wp-includes/`, `api.w.org` → WordPress; `/sites/default/files/`,
//!   `/sites/all/` → Drupal; `/media/jui/`, `/media/system/js/` → Joomla; `cdn.shopify.com` →
//!   Shopify; `static.wixstatic.com`, `static.parastorage.com` → Wix; `squarespace.com` →
//!   Squarespace; `_static/doctools.js`, `_static/sphinx_highlight.js`,
//!   `_static/documentation_options.js` → Sphinx; `/load.php?` → MediaWiki;
//!   `/_next/static/` → Next.js; `/_nuxt/` → Nuxt; `/typo3conf/`, `/typo3temp/` → TYPO3;
//!   `assets.website-files.com` → Webflow.
//!
//! Names are reported once each, in the order first seen (headers first, then the document).

use aho_corasick::AhoCorasick;
use std::sync::LazyLock;

const GENERATORS: &[(&str, &str)] = &[
    ("wordpress", "WordPress"),
    ("drupal", "Drupal"),
    ("joomla", "Joomla"),
    ("ghost", "Ghost"),
    ("hugo", "Hugo"),
    ("jekyll", "Jekyll"),
    ("sphinx", "Sphinx"),
    ("docutils", "Docutils"),
    ("mediawiki", "MediaWiki"),
    ("docusaurus", "Docusaurus"),
    ("hexo", "Hexo"),
    ("wix.com", "Wix"),
    ("squarespace", "Squarespace"),
    ("shopify", "Shopify"),
    ("gatsby", "Gatsby"),
    ("next.js", "Next.js"),
    ("blogger", "Blogger"),
    ("webflow", "Webflow"),
    ("typo3", "TYPO3"),
    ("mkdocs", "MkDocs"),
    ("pelican", "Pelican"),
    ("astro", "Astro"),
    ("eleventy", "Eleventy"),
    ("nuxt", "Nuxt"),
    ("vuepress", "VuePress"),
    ("gitbook", "GitBook"),
];

const SERVERS: &[(&str, &str)] = &[
    ("openresty", "OpenResty"),
    ("nginx", "Nginx"),
    ("apache", "Apache"),
    ("cloudflare", "Cloudflare"),
    ("microsoft-iis", "IIS"),
    ("litespeed", "LiteSpeed"),
];

const POWERED: &[(&str, &str)] = &[
    ("php", "PHP"),
    ("express", "Express"),
    ("asp.net", "ASP.NET"),
    ("next.js", "Next.js"),
];

const ASSETS: &[(&str, &str)] = &[
    ("/wp-content/", "WordPress"),
    ("/wp-includes/", "WordPress"),
    ("api.w.org", "WordPress"),
    ("/sites/default/files/", "Drupal"),
    ("/sites/all/", "Drupal"),
    ("/media/jui/", "Joomla"),
    ("/media/system/js/", "Joomla"),
    ("cdn.shopify.com", "Shopify"),
    ("static.wixstatic.com", "Wix"),
    ("static.parastorage.com", "Wix"),
    ("squarespace.com", "Squarespace"),
    ("_static/doctools.js", "Sphinx"),
    ("_static/sphinx_highlight.js", "Sphinx"),
    ("_static/documentation_options.js", "Sphinx"),
    ("/load.php?", "MediaWiki"),
    ("/_next/static/", "Next.js"),
    ("/_nuxt/", "Nuxt"),
    ("/typo3conf/", "TYPO3"),
    ("/typo3temp/", "TYPO3"),
    ("assets.website-files.com", "Webflow"),
];

/// Whether a `powered_by` name is a web server (or CDN) rather than page software.
pub fn is_web_server(name: &str) -> bool {
    SERVERS.iter().any(|(_, n)| *n == name)
}

/// Whether a `powered_by` name is a CMS or site generator (as `<meta name=generator>` names).
pub fn is_site_software(name: &str) -> bool {
    GENERATORS.iter().any(|(_, n)| *n == name)
}

/// All asset needles in one case-insensitive automaton: one pass per URL.
static ASSET_MATCHER: LazyLock<Option<AhoCorasick>> = LazyLock::new(|| {
    AhoCorasick::builder()
        .ascii_case_insensitive(true)
        .build(ASSETS.iter().map(|(needle, _)| needle))
        .ok()
});

/// Technologies found so far, in first-seen order, each once.
#[derive(Debug, Default)]
pub(crate) struct PoweredBy(Vec<&'static str>);

impl PoweredBy {
    fn add(&mut self, name: &'static str) {
        if !self.0.contains(&name) {
            self.0.push(name);
        }
    }

    fn match_table(&mut self, value: &str, table: &[(&str, &'static str)], first_only: bool) {
        let lower = value.to_ascii_lowercase();
        for (needle, name) in table {
            if lower.contains(needle) {
                self.add(name);
                if first_only {
                    return;
                }
            }
        }
    }

    /// A `<meta name=generator>` value (or an `X-Generator` header).
    pub(crate) fn generator(&mut self, content: &str) {
        self.match_table(content, GENERATORS, false);
    }

    /// Response headers.
    pub(crate) fn headers(&mut self, headers: &[(String, String)]) {
        for (name, value) in headers {
            let name = name.trim();
            if name.eq_ignore_ascii_case("server") {
                // `openresty` also contains `nginx` in some builds' banners: the first wins.
                self.match_table(value, SERVERS, true);
            } else if name.eq_ignore_ascii_case("x-powered-by") {
                self.match_table(value, POWERED, false);
            } else if name.eq_ignore_ascii_case("x-aspnet-version") {
                self.add("ASP.NET");
            } else if name.eq_ignore_ascii_case("x-generator") {
                self.generator(value);
            } else if name.eq_ignore_ascii_case("x-drupal-cache") {
                self.add("Drupal");
            } else if name.eq_ignore_ascii_case("x-shopify-stage") {
                self.add("Shopify");
            } else if name.eq_ignore_ascii_case("x-wix-request-id") {
                self.add("Wix");
            }
        }
    }

    /// An asset URL or a `<link rel>` value as written in the page.
    pub(crate) fn asset(&mut self, url: &str) {
        let Some(matcher) = ASSET_MATCHER.as_ref() else {
            return;
        };
        if let Some(m) = matcher.find(url) {
            self.add(ASSETS[m.pattern().as_usize()].1);
        }
    }

    /// Appends what another collector found (document evidence after header evidence).
    pub(crate) fn merge(&mut self, other: &PoweredBy) {
        for name in &other.0 {
            self.add(name);
        }
    }

    pub(crate) fn into_vec(self) -> Vec<String> {
        self.0.into_iter().map(str::to_string).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect()
    }

    #[test]
    fn fingerprints_generators_headers_and_assets() {
        let mut p = PoweredBy::default();
        p.headers(&h(&[("Server", "nginx/1.25"), ("X-Powered-By", "PHP/8.2")]));
        p.generator("WordPress 6.4.2");
        p.asset("https://example.com/wp-content/themes/x.css");
        p.asset("https://example.com/app.js");
        assert_eq!(p.into_vec(), ["Nginx", "PHP", "WordPress"]);

        let mut p = PoweredBy::default();
        p.headers(&h(&[
            ("server", "Microsoft-IIS/10.0"),
            ("X-AspNet-Version", "4.0"),
        ]));
        p.asset("_static/documentation_options.js");
        p.asset("//cdn.shopify.com/s/files/1/x.js");
        assert_eq!(p.into_vec(), ["IIS", "ASP.NET", "Sphinx", "Shopify"]);

        let mut p = PoweredBy::default();
        p.headers(&h(&[("Server", "openresty/1.21 nginx")]));
        p.generator("MediaWiki 1.42.0-wmf.5");
        assert_eq!(p.into_vec(), ["OpenResty", "MediaWiki"]);
    }
}
