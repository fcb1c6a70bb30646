//! Page templates: how each kind of site lays out a page, and which links go where.
//!
//! Every HTML page has the usual parts — `<header>` with a logo image link, a `<nav>` menu and
//! sometimes a search form; `<main>` holding an `<article>` (blogs, news, docs, universities,
//! government) or the main content directly (homepages, shops, forums); an `<aside>` sidebar;
//! a `<footer>` with internal, social and "powered by" links. Within the content, paragraphs of
//! text in the page's language carry inline links:
//! - internal links to other pages of the site (anchor = their title);
//! - external links to other synthetic sites, chosen with probability proportional to the
//!   target's popularity (preferential attachment), to its homepage or one of its pages; most
//!   are dofollow, some carry `nofollow`, `sponsored` or harmless `noopener` rels;
//! - dangling links to sites outside the synthetic web (encyclopedias, embeds, social networks).
//!
//! Blogs add a site-wide blogroll of popular sites, universities and government sites a list of
//! related organisations; comment sections carry `rel="external nofollow ugc"` author links.
//!
//! Pages are built from a random stream seeded by (site, page) only, never by epoch, so a page
//! that no change touches renders to the same bytes in every epoch.

use crate::Synth;
use crate::doc::{JsonLd, LinkKind, LinkTok, Markup, PageDoc, Slot, Tok};
use crate::href::{self, Style};
use crate::plan::{ABOUT, ARCHIVE, FIRST_CONTENT, HOME, Role, SiteKind, SitePlan, Special};
use crate::rng::{Rng, tag};
use crate::words::{self, Label, Lang};
use anchorage_core::time::iso_date;
use chrono::SecondsFormat;

/// A link target.
#[derive(Debug, Clone)]
pub(crate) struct Dest {
    /// Normalised URL.
    pub url: String,
    /// Synthetic site it belongs to.
    pub site: Option<usize>,
    /// Page index within that site.
    pub page: Option<usize>,
}

/// Builds one page's token stream.
pub(crate) struct Builder<'a> {
    pub g: &'a Synth,
    pub plan: &'a SitePlan,
    pub idx: usize,
    pub url: String,
    /// The document base URL hrefs are spelled against.
    pub base: String,
    pub lang: Lang,
    pub rng: Rng,
    pub toks: Vec<Tok>,
    next_id: u32,
}

/// Builds the HTML page `idx` of `site` as it is in epoch 0.
pub(crate) fn build(g: &Synth, site: usize, idx: usize) -> Option<PageDoc> {
    let plan = g.plans.get(site)?;
    let url = g.page_url(site, idx)?;
    let role = plan.role(idx);
    let base_href = (role == Role::Content(0) && plan.features.base_href)
        .then(|| format!("{}://{}/", href::parts(&url).scheme, href::parts(&url).host));
    let mut b = Builder {
        g,
        plan,
        idx,
        base: base_href.clone().unwrap_or_else(|| url.clone()),
        url,
        lang: plan.page_lang(idx),
        rng: Rng::derive(g.config.seed, &[site as u64, idx as u64, tag("page")]),
        toks: Vec::new(),
        next_id: 0,
    };
    let mut doc = b.head_doc(role, base_href);
    b.head_links(role);
    doc.head = std::mem::take(&mut b.toks);
    b.body(role);
    doc.body = b.toks;
    Some(doc)
}

impl Builder<'_> {
    fn seed(&self) -> u64 {
        self.g.config.seed
    }

    fn site_index(&self) -> usize {
        self.plan.site.index
    }

    pub(crate) fn raw(&mut self, s: impl Into<String>) {
        self.toks.push(Tok::Raw(s.into()));
    }

    fn open(&mut self, tag: &'static str, attrs: &str) {
        self.toks.push(Tok::Open {
            tag,
            attrs: attrs.to_string(),
            content: false,
        });
    }

    fn open_content(&mut self, tag: &'static str, attrs: &str) {
        self.toks.push(Tok::Open {
            tag,
            attrs: attrs.to_string(),
            content: true,
        });
    }

    fn close(&mut self, tag: &'static str) {
        self.toks.push(Tok::Close(tag));
    }

    // ---- targets -------------------------------------------------------------------------

    pub(crate) fn internal(&self, idx: usize) -> Dest {
        self.g.dest(self.site_index(), idx)
    }

    /// Another page of this site: mostly content pages, sometimes home/about, rarely an old
    /// URL that now redirects or is missing.
    fn random_internal(&mut self) -> Dest {
        let p = self.plan;
        let r = self.rng.below(100);
        let idx = match r {
            0..10 => HOME,
            10..15 => ABOUT,
            15..20 => p
                .special_index(
                    self.rng
                        .pick(&[Special::Moved, Special::Missing, Special::Latest]),
                )
                .unwrap_or(ARCHIVE),
            _ => FIRST_CONTENT + self.rng.index(p.content_pages),
        };
        let idx = if idx == self.idx { HOME } else { idx };
        self.internal(idx)
    }

    /// A page of another synthetic site chosen by popularity.
    fn popular_external(&mut self) -> Option<Dest> {
        let me = self.site_index();
        let j = self.g.pick_site(&mut self.rng, me)?;
        Some(self.page_of(j))
    }

    /// A page of site `j`: its homepage half of the time, else a content page, rarely one of
    /// its redirecting or missing URLs.
    fn page_of(&mut self, j: usize) -> Dest {
        let p = &self.g.plans[j];
        let idx = match self.rng.below(100) {
            0..50 => HOME,
            50..95 => FIRST_CONTENT + self.rng.index(p.content_pages),
            _ => {
                let s = self.rng.pick(&[
                    Special::Moved,
                    Special::Missing,
                    Special::HttpUpgrade,
                    Special::ApexRedirect,
                ]);
                p.special_index(s).unwrap_or(HOME)
            }
        };
        self.g.dest(j, idx)
    }

    fn dangling(&mut self) -> Dest {
        let host = self.rng.pick(&words::DANGLING_HOSTS);
        let topic = words::topic(&mut self.rng, Lang::En);
        let path = match self.rng.below(3) {
            0 => "/".to_string(),
            1 => format!("/wiki/{}", words::slug(topic, false)),
            _ => format!(
                "/{}/{}",
                words::slug(topic, false),
                100 + self.rng.below(900)
            ),
        };
        Dest {
            url: format!("https://{host}{path}"),
            site: None,
            page: None,
        }
    }

    // ---- links ---------------------------------------------------------------------------

    fn style_for(&mut self, dest: &Dest) -> Style {
        let utf8 = self.plan.site.charset == crate::plan::Charset::Utf8;
        if utf8 && dest.url.contains('%') && self.rng.chance(50) {
            return self.rng.pick(&[Style::RawUnicodePath, Style::LowerEscapes]);
        }
        let r = self.rng.below(100);
        if dest.site == Some(self.site_index()) {
            return match r {
                0..55 => Style::RootRelative,
                55..75 => Style::Absolute,
                75..93 => Style::Relative,
                _ => Style::ProtocolRelative,
            };
        }
        match r {
            0..88 => Style::Absolute,
            88..93 => Style::ProtocolRelative,
            _ if utf8 => Style::MixedCaseHost,
            _ => Style::Absolute,
        }
    }

    pub(crate) fn spell(&mut self, dest: &Dest) -> String {
        let style = self.style_for(dest);
        let unicode = dest
            .site
            .and_then(|s| self.g.plans.get(s))
            .and_then(|p| p.unicode_host.as_deref())
            .filter(|_| {
                href::host_of(&dest.url).starts_with("xn--") || dest.url.contains("://www.xn--")
            });
        href::spell(&dest.url, &self.base, style, unicode)
    }

    pub(crate) fn link(&mut self, dest: &Dest, kind: LinkKind) -> u32 {
        let id = self.next_id;
        self.next_id += 1;
        let href = match kind {
            // Head links are usually written absolute by CMSs.
            LinkKind::Canonical | LinkKind::Alternate { .. } => dest.url.clone(),
            _ => self.spell(dest),
        };
        self.toks.push(Tok::Link(LinkTok {
            id,
            href,
            target: dest.url.clone(),
            to_site: dest.site,
            kind,
        }));
        id
    }

    fn markup(&mut self) -> Markup {
        match self.rng.below(100) {
            0..70 => Markup::Plain,
            70..80 => Markup::Spaced,
            80..90 => Markup::Strong,
            _ => Markup::Entities,
        }
    }

    pub(crate) fn text_link(&mut self, dest: &Dest, text: &str, rel: Option<&'static str>) -> u32 {
        let markup = self.markup();
        let blank = dest.site != Some(self.site_index()) && self.rng.chance(20);
        let text = collapse(text);
        self.link(
            dest,
            LinkKind::Text {
                text,
                markup,
                rel,
                blank,
            },
        )
    }

    fn li_link(&mut self, dest: &Dest, text: &str) {
        self.raw("<li>");
        self.text_link(dest, text, None);
        self.raw("</li>");
    }

    /// Title of a page of any site, as used for anchors.
    fn title_of(&self, dest: &Dest) -> String {
        match (dest.site, dest.page) {
            (Some(s), Some(p)) => match self.g.plans.get(s) {
                Some(plan) if matches!(plan.role(p), Role::Content(_) | Role::Fresh) => {
                    plan.page_title(self.seed(), p)
                }
                Some(plan) => plan.site.name.clone(),
                None => String::new(),
            },
            _ => outside_title(&dest.url),
        }
    }

    /// What people write when they link to another site.
    fn external_anchor(&mut self, dest: &Dest) -> String {
        let name = dest
            .site
            .and_then(|s| self.g.plans.get(s))
            .map(|p| p.site.name.clone());
        match (self.rng.below(100), name) {
            (0..35, _) => self.title_of(dest),
            (35..60, Some(n)) => n,
            (60..75, _) => match dest.page {
                Some(HOME) => dest.url.clone(),
                _ => href::host_of(&dest.url).to_string(),
            },
            (75..90, _) => words::generic_anchor(&mut self.rng, self.lang).to_string(),
            _ => words::capitalise(words::topic(&mut self.rng, self.lang)),
        }
    }

    fn content_rel(&mut self) -> Option<&'static str> {
        let legacy = self.plan.features.legacy_markup;
        match self.rng.below(100) {
            0..78 => None,
            78..88 if legacy => Some("NoFollow"),
            78..88 => Some("nofollow"),
            88..92 => Some("nofollow noopener"),
            92..97 => Some("noopener noreferrer"),
            _ => Some("external"),
        }
    }

    // ---- text ----------------------------------------------------------------------------

    fn sentence(&mut self) -> String {
        words::sentence(&mut self.rng, self.lang)
    }

    /// A sentence unlike `previous` (real paragraphs rarely repeat themselves).
    fn next_sentence(&mut self, previous: &str) -> String {
        let mut s = self.sentence();
        for _ in 0..3 {
            if s != previous {
                break;
            }
            s = self.sentence();
        }
        s
    }

    /// `count` paragraphs carrying `internal` internal and `external` popularity-chosen
    /// external links, plus one dangling link now and then.
    fn paragraphs(&mut self, count: usize, internal: usize, external: usize) {
        let mut intents: Vec<u8> = [vec![0; internal], vec![1; external]].concat();
        if self.rng.chance(25) {
            intents.push(2);
        }
        self.rng.shuffle(&mut intents);
        let count = count.max(1);
        let mut per_para = vec![Vec::new(); count];
        for intent in intents {
            let p = self.rng.index(count);
            per_para[p].push(intent);
        }
        for links in per_para {
            self.paragraph(&links);
        }
    }

    fn paragraph(&mut self, intents: &[u8]) {
        let mut html = String::from("<p>");
        let mut previous = String::new();
        for s in 0..self.rng.range(2, 4) {
            if s > 0 {
                html.push(' ');
            }
            previous = self.next_sentence(&previous);
            html.push_str(&href::text(&previous));
        }
        for &intent in intents {
            let (before, after) = words::link_frame(&mut self.rng, self.lang);
            self.raw(format!("{html} {before} "));
            html.clear();
            self.inline_link(intent);
            html.push_str(&href::text(after));
        }
        html.push_str("</p>\n");
        self.raw(html);
    }

    fn inline_link(&mut self, intent: u8) {
        match intent {
            0 => {
                let d = self.random_internal();
                let text = if self.rng.chance(85) {
                    self.title_of(&d)
                } else {
                    words::generic_anchor(&mut self.rng, self.lang).to_string()
                };
                self.text_link(&d, &text, None);
            }
            1 => match self.popular_external() {
                Some(d) => {
                    let text = self.external_anchor(&d);
                    let rel = self.content_rel();
                    self.text_link(&d, &text, rel);
                }
                None => self.inline_link(2),
            },
            _ => {
                let d = self.dangling();
                let text = self.title_of(&d);
                self.text_link(&d, &text, None);
            }
        }
    }

    // ---- head ----------------------------------------------------------------------------

    fn head_doc(&mut self, role: Role, base_href: Option<String>) -> PageDoc {
        let site = &self.plan.site;
        let title = self.plan.page_title(self.seed(), self.idx);
        let full_title = match role {
            Role::Home => title.clone(),
            _ => format!(
                "{title}{}{}",
                title_separator(site.generator.as_deref()),
                site.name
            ),
        };
        let first = role == Role::Content(0);
        let (json_ld, author_meta) = self.authorship(role, &title);
        PageDoc {
            html_lang: html_lang(self.lang, &site.root_domain).to_string(),
            charset: site.charset,
            title: full_title,
            description: self.sentence(),
            generator: site.generator.clone(),
            robots: (first && self.plan.features.meta_nofollow).then_some("nofollow"),
            author_meta,
            json_ld,
            base_href,
            script_trap: matches!(site.kind, SiteKind::Shop | SiteKind::News)
                .then(|| "https://www.vidstream.net/promo".to_string()),
            head: Vec::new(),
            body: Vec::new(),
            body_class: body_class(site.kind, role),
            legacy: self.plan.features.legacy_markup,
        }
    }

    /// Blog and news articles declare their author and date in JSON-LD, or only the author in
    /// `<meta name=author>`; the byline shows the same facts.
    fn authorship(&mut self, role: Role, title: &str) -> (Option<JsonLd>, Option<String>) {
        let article = matches!(role, Role::Content(_) | Role::Fresh)
            && matches!(self.plan.site.kind, SiteKind::Blog | SiteKind::News);
        if !article {
            return (None, None);
        }
        let mut rng = Rng::derive(
            self.seed(),
            &[self.site_index() as u64, self.idx as u64, tag("author")],
        );
        let author = words::person(&mut rng);
        match rng.below(100) {
            0..70 => {
                let ts = self
                    .plan
                    .published(self.seed(), self.g.config.start, self.idx);
                let published =
                    crate::plan::to_date(ts).to_rfc3339_opts(SecondsFormat::Secs, false);
                let ld = JsonLd {
                    headline: title.to_string(),
                    author,
                    published,
                    publisher: self.plan.site.name.clone(),
                };
                (Some(ld), None)
            }
            70..85 => (None, Some(author)),
            _ => (None, None),
        }
    }

    fn head_links(&mut self, role: Role) {
        if role == Role::Special(Special::Refresh) {
            let home = self.internal(HOME);
            self.link(&home, LinkKind::Refresh);
        }
        if self.plan.features.canonical && !matches!(role, Role::Special(_)) {
            let me = self.internal(self.idx);
            self.link(&me, LinkKind::Canonical);
        }
        if let (Role::Content(k), Some(alt)) = (role, self.plan.site.alt_language) {
            let primary = self.idx - k % 2;
            let pairs = [
                (self.plan.site.language.code(), primary),
                (alt.code(), primary + 1),
                ("x-default", primary),
            ];
            for (hreflang, idx) in pairs {
                let d = self.internal(idx);
                self.link(&d, LinkKind::Alternate { hreflang });
            }
        }
        if let Some(feed) = self.plan.special_index(Special::Feed) {
            let d = self.internal(feed);
            let title = format!("{} » Feed", self.plan.site.name);
            self.link(&d, LinkKind::Feed { title });
        }
    }

    // ---- body ----------------------------------------------------------------------------

    fn body(&mut self, role: Role) {
        if role == Role::Special(Special::Refresh) {
            return self.refresh_body();
        }
        self.header(role);
        match role {
            Role::Home => self.home_main(),
            Role::Archive => self.archive_main(),
            Role::About | Role::Special(_) => self.about_main(),
            Role::Content(_) | Role::Fresh => match self.plan.site.kind {
                SiteKind::Shop => self.product_main(),
                SiteKind::Forum => self.topic_main(),
                _ => self.article_main(role),
            },
        }
        if !matches!(self.plan.site.kind, SiteKind::Shop | SiteKind::Forum) {
            self.aside();
        }
        self.footer();
    }

    /// A sentence of prose besides the link, so the block reads as content, not as a menu.
    fn refresh_body(&mut self) {
        self.open_content("main", "");
        let moved = self.sentence();
        self.raw(format!(
            "<p>{} {} ",
            href::text(&moved),
            href::text(words::label(self.lang, Label::Redirecting))
        ));
        let home = self.internal(HOME);
        let label = words::label(self.lang, Label::Home);
        self.text_link(&home, label, None);
        self.raw("</p>");
        self.close("main");
    }

    fn header(&mut self, role: Role) {
        self.open("header", " class=\"site-header\"");
        self.raw("\n  ");
        let home = self.internal(HOME);
        let alt = self.rng.chance(90).then(|| self.plan.site.name.clone());
        let src = self.internal_asset("/assets/logo.png");
        self.link(
            &home,
            LinkKind::Image {
                src_href: src.1,
                src: src.0,
                alt,
                rel: None,
            },
        );
        self.raw("\n  ");
        self.open("nav", " class=\"main-nav\" aria-label=\"Main\"");
        self.raw("<ul>");
        self.nav_items(role);
        self.raw("</ul>");
        self.close("nav");
        if self.plan.features.search_form {
            self.search_form();
        }
        self.raw("\n");
        self.close("header");
        self.raw("\n");
    }

    fn nav_items(&mut self, role: Role) {
        let lang = self.plan.site.language;
        for (idx, label) in [
            (HOME, Label::Home),
            (ARCHIVE, Label::Archive),
            (ABOUT, Label::About),
        ] {
            let d = self.internal(idx);
            self.li_link(&d, words::label(lang, label));
        }
        if self.plan.secondary_host.is_some() && self.plan.content_pages > 2 {
            let d = self.internal(FIRST_CONTENT + 2);
            let label = if self.plan.site.kind == SiteKind::Docs {
                "Docs"
            } else {
                "Blog"
            };
            self.li_link(&d, label);
        }
        if let Some(i) = self.plan.special_index(Special::Latest) {
            let d = self.internal(i);
            self.li_link(&d, words::label(lang, Label::Latest));
        }
        if let Some(i) = self.plan.special_index(Special::Disallowed) {
            let d = self.internal(i);
            let label = if self.plan.site.kind == SiteKind::Shop {
                Label::Cart
            } else {
                Label::Staff
            };
            self.li_link(&d, words::label(lang, label));
        }
        if let (Role::Content(k), Some(_)) = (role, self.plan.site.alt_language) {
            let other = if k % 2 == 0 {
                self.idx + 1
            } else {
                self.idx - 1
            };
            let d = self.internal(other);
            let label = words::label(self.plan.page_lang(other), Label::Translation);
            self.li_link(&d, label);
        }
    }

    fn search_form(&mut self) {
        let d = self.internal_path("/search");
        let label = words::label(self.lang, Label::Search);
        let inner = format!(
            "<input type=\"search\" name=\"q\" placeholder=\"{}…\"><button type=\"submit\">{}</button>",
            href::attr(label),
            href::text(label)
        );
        self.link(
            &d,
            LinkKind::Form {
                method: "get",
                inner,
            },
        );
    }

    /// A URL on this page's host that is not a page (form actions, images).
    fn internal_path(&self, path: &str) -> Dest {
        let p = href::parts(&self.url);
        Dest {
            url: format!("{}://{}{path}", p.scheme, p.host),
            site: Some(self.site_index()),
            page: None,
        }
    }

    /// (normalised URL, href) of an asset on this host.
    fn internal_asset(&mut self, path: &str) -> (String, String) {
        let d = self.internal_path(path);
        let style = self.rng.pick(&[
            Style::RootRelative,
            Style::RootRelative,
            Style::Absolute,
            Style::Relative,
        ]);
        let spelled = href::spell(&d.url, &self.base, style, None);
        (d.url, spelled)
    }

    fn home_main(&mut self) {
        self.open_content("main", " id=\"content\" class=\"home\"");
        self.raw(format!("\n<h1>{}</h1>\n", href::text(&self.plan.site.name)));
        let external = self.rng.range(1, 2);
        self.paragraphs(1, 0, external);
        self.raw(format!(
            "<h2>{}</h2>\n<ul class=\"latest\">",
            href::text(words::label(self.lang, Label::Latest))
        ));
        self.toks.push(Tok::Slot(Slot::Latest));
        let step = if self.plan.is_bilingual() { 2 } else { 1 };
        for k in (0..self.plan.content_pages).step_by(step).take(8) {
            let d = self.internal(FIRST_CONTENT + k);
            let t = self.title_of(&d);
            self.li_link(&d, &t);
        }
        self.raw("</ul>\n");
        self.toks.push(Tok::Slot(Slot::ContentEnd));
        self.close("main");
        self.raw("\n");
    }

    fn archive_main(&mut self) {
        self.open_content("main", " id=\"content\" class=\"archive\"");
        let title = self.plan.page_title(self.seed(), self.idx);
        // An introduction, so the block has prose and not only links.
        let intro = format!("{} {}", self.sentence(), self.sentence());
        self.raw(format!(
            "\n<h1>{}</h1>\n<p>{}</p>\n<ul class=\"archive-list\">",
            href::text(&title),
            href::text(&intro)
        ));
        for k in 0..self.plan.content_pages {
            let d = self.internal(FIRST_CONTENT + k);
            let t = self.title_of(&d);
            self.li_link(&d, &t);
        }
        for s in [Special::Moved, Special::Missing, Special::Refresh] {
            if let Some(i) = self.plan.special_index(s) {
                let d = self.internal(i);
                let text = match s {
                    Special::Refresh => words::label(self.lang, Label::OldHome).to_string(),
                    _ => format!("2019: {}", words::capitalise(self.plan.topic(i))),
                };
                self.li_link(&d, &text);
            }
        }
        self.raw("</ul>\n");
        self.close("main");
        self.raw("\n");
    }

    fn about_main(&mut self) {
        self.open_content("main", " id=\"content\" class=\"page\"");
        let title = self.plan.page_title(self.seed(), self.idx);
        self.raw(format!("\n<h1>{}</h1>\n", href::text(&title)));
        let external = self.rng.range(1, 3);
        self.paragraphs(3, 1, external);
        if self.plan.role(self.idx) == Role::About {
            self.partners();
        }
        self.close("main");
        self.raw("\n");
    }

    /// The about page's list of partner sites (see [`Synth::partners`]).
    fn partners(&mut self) {
        let partners = self.g.partners(self.site_index());
        if partners.is_empty() {
            return;
        }
        self.open("section", " class=\"partners\"");
        self.raw(format!(
            "<h2>{}</h2>\n<ul>",
            href::text(words::label(self.lang, Label::Partners))
        ));
        for j in partners {
            let d = self.g.dest(j, HOME);
            let name = self.g.plans[j].site.name.clone();
            self.li_link(&d, &name);
        }
        self.raw("</ul>");
        self.close("section");
        self.raw("\n");
    }

    fn article_main(&mut self, role: Role) {
        self.open("main", " id=\"content\"");
        self.raw("\n");
        self.open_content("article", " class=\"post\"");
        let title = self.plan.page_title(self.seed(), self.idx);
        self.raw(format!("\n<h1>{}</h1>\n", href::text(&title)));
        self.byline(role);
        let count = self.rng.range(3, 6);
        let (internal, external) = (self.rng.range(1, 3), self.rng.range(1, 3));
        self.paragraphs(count, internal, external);
        self.extras();
        if matches!(
            self.plan.site.kind,
            SiteKind::Docs | SiteKind::University | SiteKind::Government
        ) {
            self.open("section", " class=\"details\"");
            let topic = words::capitalise(words::topic(&mut self.rng, self.lang));
            self.raw(format!("<h2>{}</h2>\n", href::text(&topic)));
            let external = self.rng.range(0, 2);
            self.paragraphs(2, 1, external);
            self.close("section");
            self.raw("\n");
        }
        self.toks.push(Tok::Slot(Slot::ContentEnd));
        self.close("article");
        self.raw("\n");
        self.post_nav(role);
        if self.plan.features.comments {
            self.comments();
        }
        self.close("main");
        self.raw("\n");
    }

    fn byline(&mut self, role: Role) {
        let (ld, meta) = self.authorship(role, "");
        let Some(author) = ld.as_ref().map(|l| l.author.clone()).or(meta) else {
            return;
        };
        self.raw("<p class=\"byline\">");
        let about = self.internal(ABOUT);
        self.text_link(&about, &author, None);
        if let Some(ld) = ld {
            let ts = self
                .plan
                .published(self.seed(), self.g.config.start, self.idx);
            self.raw(format!(
                " · <time datetime=\"{}\">{}</time>",
                ld.published,
                iso_date(ts)
            ));
        }
        self.raw("</p>\n");
    }

    /// Figures, embeds, sponsored mentions and code samples.
    fn extras(&mut self) {
        if self.rng.chance(30) {
            self.figure();
        }
        if self.rng.chance(15) {
            self.embed();
        }
        if matches!(self.plan.site.kind, SiteKind::Blog | SiteKind::News) && self.rng.chance(12) {
            self.sponsored_mention();
        }
        if self.plan.site.kind == SiteKind::Docs {
            self.code_sample();
        }
    }

    fn figure(&mut self) {
        let dest = if self.rng.chance(50) {
            self.popular_external()
        } else {
            None
        };
        let dest = dest.unwrap_or_else(|| self.random_internal());
        let topic = words::topic(&mut self.rng, self.lang);
        let file = format!("/images/{}-{}.jpg", words::slug(topic, false), self.idx);
        let (src, src_href) = self.internal_asset(&file);
        let alt = self.rng.chance(85).then(|| words::capitalise(topic));
        let rel = if dest.site == Some(self.site_index()) {
            None
        } else {
            self.content_rel()
        };
        self.raw("<figure>");
        self.link(
            &dest,
            LinkKind::Image {
                src_href,
                src,
                alt,
                rel,
            },
        );
        let caption = self.sentence();
        self.raw(format!(
            "<figcaption>{}</figcaption></figure>\n",
            href::text(&caption)
        ));
    }

    fn embed(&mut self) {
        let id = self.rng.below(1_000_000);
        let (url, title) = if self.rng.chance(60) {
            (format!("https://www.vidstream.net/embed/v{id}"), "Video")
        } else {
            (format!("https://maps.mapsly.com/embed?pb={id}&z=12"), "Map")
        };
        let d = Dest {
            url,
            site: None,
            page: None,
        };
        self.raw("<div class=\"embed\">");
        self.link(
            &d,
            LinkKind::Frame {
                title: title.to_string(),
            },
        );
        self.raw("</div>\n");
    }

    fn sponsored_mention(&mut self) {
        let me = self.site_index();
        let Some(j) = self.g.pick_site(&mut self.rng, me) else {
            return;
        };
        let d = self.g.dest(j, HOME);
        let name = self.g.plans[j].site.name.clone();
        self.raw(format!(
            "<p class=\"sponsor\">{}: ",
            href::text(words::label(self.lang, Label::Sponsored))
        ));
        self.text_link(&d, &name, Some("sponsored"));
        self.raw("</p>\n");
    }

    /// Markup shown as text: an escaped `<a href>` that is not a link.
    fn code_sample(&mut self) {
        let target = self.g.dest(self.rng.index(self.g.plans.len()), HOME).url;
        self.raw(format!(
            "<pre><code>&lt;a href=\"{}\"&gt;Example&lt;/a&gt;</code></pre>\n",
            href::attr(&target)
        ));
    }

    /// Previous/next links, after the article as WordPress themes put them (inside it they
    /// would sit in the content block).
    fn post_nav(&mut self, role: Role) {
        let Role::Content(k) = role else { return };
        let step = if self.plan.is_bilingual() { 2 } else { 1 };
        self.open("nav", " class=\"navigation post-navigation\"");
        for (label, k2) in [
            (Label::Previous, k.checked_sub(step)),
            (Label::Next, Some(k + step)),
        ] {
            let Some(k2) = k2.filter(|k2| *k2 < self.plan.content_pages) else {
                continue;
            };
            let d = self.internal(FIRST_CONTENT + k2);
            let text = format!("{}: {}", words::label(self.lang, label), self.title_of(&d));
            self.raw(" ");
            self.text_link(&d, &text, None);
        }
        self.close("nav");
        self.raw("\n");
    }

    fn comments(&mut self) {
        let n = self.rng.range(0, 4);
        if n == 0 {
            return;
        }
        self.open("section", " class=\"comments\" id=\"comments\"");
        self.raw(format!(
            "<h2>{n} {}</h2>\n",
            href::text(words::label(self.lang, Label::Comments))
        ));
        for _ in 0..n {
            self.comment();
        }
        self.close("section");
        self.raw("\n");
    }

    fn comment(&mut self) {
        let name = words::person(&mut self.rng);
        self.raw("<div class=\"comment\"><p class=\"comment-author\">");
        if self.rng.chance(70) {
            // Commenters link their own sites: any site, not a popular one (comment spam).
            let d = if self.rng.chance(50) {
                let j = self.rng.index(self.g.plans.len());
                self.g.dest(j, HOME)
            } else {
                self.dangling()
            };
            self.text_link(&d, &name, Some("external nofollow ugc"));
        } else {
            self.raw(href::text(&name));
        }
        let says = words::label(self.lang, Label::Says);
        let text = self.sentence();
        self.raw(format!(" {says}:</p><p>{}", href::text(&text)));
        if self.rng.chance(20) {
            let d = self.dangling();
            self.raw(" ");
            let t = self.title_of(&d);
            self.text_link(&d, &t, Some("nofollow ugc"));
        }
        self.raw("</p></div>\n");
    }

    fn product_main(&mut self) {
        self.open_content("main", " id=\"content\" class=\"product\"");
        let title = self.plan.page_title(self.seed(), self.idx);
        let price = self.price();
        self.raw(format!(
            "\n<h1>{}</h1>\n<p class=\"price\">{price}</p>\n",
            href::text(&title)
        ));
        let external = self.rng.range(0, 1);
        self.paragraphs(2, 1, external);
        self.gallery();
        if self.plan.special_index(Special::Disallowed).is_some() {
            self.cart_form();
        }
        self.press();
        self.toks.push(Tok::Slot(Slot::ContentEnd));
        self.close("main");
        self.raw("\n");
    }

    /// Thumbnails of other products, each an image link.
    fn gallery(&mut self) {
        self.raw("<div class=\"gallery\">");
        for _ in 0..self.rng.range(2, 3) {
            let k = self.rng.index(self.plan.content_pages);
            let d = self.internal(FIRST_CONTENT + k);
            let (src, src_href) =
                self.internal_asset(&format!("/images/thumb-{}.jpg", d.page.unwrap_or(0)));
            let alt = Some(self.title_of(&d));
            self.link(
                &d,
                LinkKind::Image {
                    src_href,
                    src,
                    alt,
                    rel: None,
                },
            );
        }
        self.raw("</div>\n");
    }

    /// "Add to cart" posts under `/cart/`, which robots.txt disallows.
    fn cart_form(&mut self) {
        let d = self.internal_path(&format!("/cart/add?product={}&qty=1", 100 + self.idx));
        let label = href::text(words::label(self.lang, Label::AddToCart));
        let inner = format!("<button type=\"submit\">{label}</button>");
        self.link(
            &d,
            LinkKind::Form {
                method: "post",
                inner,
            },
        );
    }

    /// Press mentions: links to popular sites, named after them.
    fn press(&mut self) {
        self.open("section", " class=\"press\"");
        self.raw("<h2>As featured in</h2><p>");
        for _ in 0..self.rng.range(1, 2) {
            if let Some(d) = self.popular_external() {
                let name = d
                    .site
                    .and_then(|s| self.g.plans.get(s))
                    .map(|p| p.site.name.clone())
                    .unwrap_or_default();
                self.raw(" ");
                self.text_link(&d, &name, None);
            }
        }
        self.raw("</p>");
        self.close("section");
    }

    fn price(&mut self) -> String {
        let (whole, cents) = (self.rng.range(5, 250), self.rng.range(0, 99));
        match (self.lang, self.plan.site.root_domain.ends_with(".uk")) {
            (Lang::En, true) => format!("£{whole}.{cents:02}"),
            (Lang::En, false) => format!("${whole}.{cents:02}"),
            _ => format!("{whole},{cents:02} €"),
        }
    }

    fn topic_main(&mut self) {
        self.open_content("main", " id=\"content\" class=\"topic\"");
        let title = self.plan.page_title(self.seed(), self.idx);
        self.raw(format!("\n<h1>{}</h1>\n", href::text(&title)));
        // A list, not one `<div>` per post: the whole thread is the content block, and a
        // per-post container would let a content-block detector pick a single post.
        self.raw("<ol class=\"posts\">\n");
        for n in 0..self.rng.range(3, 6) {
            let author = words::person(&mut self.rng);
            self.raw(format!(
                "<li class=\"post\" id=\"post-{}\"><p class=\"author\">{}</p>\n",
                n + 1,
                href::text(&author)
            ));
            let (internal, external) = (self.rng.range(0, 1), self.rng.range(0, 1));
            self.forum_post(internal, external);
            self.raw("</li>\n");
        }
        self.raw("</ol>\n");
        self.toks.push(Tok::Slot(Slot::ContentEnd));
        self.close("main");
        self.raw("\n");
    }

    /// Forum software marks links of untrusted users `nofollow ugc`, trusted users' links not.
    fn forum_post(&mut self, internal: usize, external: usize) {
        let start = self.toks.len();
        self.paragraphs(1, internal, external);
        let trusted = self.rng.chance(50);
        for t in &mut self.toks[start..] {
            if let Tok::Link(LinkTok {
                to_site,
                kind: LinkKind::Text { rel, .. },
                ..
            }) = t
                && *to_site != Some(self.plan.site.index)
                && !trusted
            {
                *rel = Some("nofollow ugc");
            }
        }
        if self.rng.chance(25) {
            let d = self.dangling();
            let t = self.title_of(&d);
            self.raw("<p class=\"signature\">");
            self.text_link(&d, &t, Some("ugc"));
            self.raw("</p>\n");
        }
    }

    fn aside(&mut self) {
        self.open("aside", " class=\"sidebar\"");
        self.raw(format!(
            "\n<div class=\"widget\"><h3>{}</h3><ul>",
            href::text(words::label(self.lang, Label::Popular))
        ));
        for _ in 0..self.rng.range(3, 5) {
            let k = self.rng.index(self.plan.content_pages);
            let d = self.internal(FIRST_CONTENT + k);
            let t = self.title_of(&d);
            self.li_link(&d, &t);
        }
        self.raw("</ul></div>\n");
        match self.plan.site.kind {
            SiteKind::Blog => self.site_wide_list(Label::Friends, 3, 6),
            SiteKind::University | SiteKind::Government => {
                self.site_wide_list(Label::Friends, 2, 4)
            }
            SiteKind::News => self.sponsored_widget(),
            SiteKind::Docs => self.docs_nav(),
            _ => {}
        }
        self.close("aside");
        self.raw("\n");
    }

    /// The same popular sites on every page of the site (a blogroll).
    fn site_wide_list(&mut self, label: Label, min: usize, max: usize) {
        let mut rng = Rng::derive(self.seed(), &[self.site_index() as u64, tag("blogroll")]);
        let mut chosen: Vec<usize> = Vec::new();
        for _ in 0..rng.range(min, max) * 2 {
            if let Some(j) = self.g.pick_site(&mut rng, self.site_index())
                && !chosen.contains(&j)
                && chosen.len() < max
            {
                chosen.push(j);
            }
        }
        self.raw(format!(
            "<div class=\"widget blogroll\"><h3>{}</h3><ul>",
            href::text(words::label(self.lang, label))
        ));
        for j in chosen {
            let d = self.g.dest(j, HOME);
            let name = self.g.plans[j].site.name.clone();
            self.li_link(&d, &name);
        }
        self.raw("</ul></div>\n");
    }

    fn sponsored_widget(&mut self) {
        let me = self.site_index();
        let Some(j) = self.g.pick_site(&mut self.rng, me) else {
            return;
        };
        let d = self.g.dest(j, HOME);
        let alt = Some(self.g.plans[j].site.name.clone());
        let src = format!("https://{}/banners/{}.png", self.plan.site.primary_host, j);
        self.raw(format!(
            "<div class=\"widget ad\"><span>{}</span>",
            href::text(words::label(self.lang, Label::Sponsored))
        ));
        self.link(
            &d,
            LinkKind::Image {
                src_href: src.clone(),
                src,
                alt,
                rel: Some("sponsored noopener"),
            },
        );
        self.raw("</div>\n");
    }

    fn docs_nav(&mut self) {
        self.open("nav", " class=\"docs-nav\"");
        self.raw("<ul>");
        for k in 0..self.plan.content_pages.min(10) {
            let d = self.internal(FIRST_CONTENT + k);
            let t = self.title_of(&d);
            self.li_link(&d, &t);
        }
        self.raw("</ul>");
        self.close("nav");
        self.raw("\n");
    }

    fn footer(&mut self) {
        self.open("footer", " class=\"site-footer\"");
        self.raw("\n<ul class=\"footer-links\">");
        for (idx, label) in [(ABOUT, Label::About), (ARCHIVE, Label::Archive)] {
            let d = self.internal(idx);
            self.li_link(&d, words::label(self.lang, label));
        }
        if let Some(i) = self.plan.special_index(Special::Feed) {
            let d = self.internal(i);
            self.li_link(&d, words::label(self.lang, Label::Feed));
        }
        self.raw("</ul>\n");
        if self.plan.features.newsletter {
            self.newsletter();
        }
        self.social();
        self.powered_by();
        self.closing_line();
        self.close("footer");
        self.raw("\n");
    }

    fn newsletter(&mut self) {
        let list = words::slug(&self.plan.site.name, false);
        let d = Dest {
            url: format!("https://newsletterly.com/subscribe?list={list}&src=footer"),
            site: None,
            page: None,
        };
        let label = words::label(self.lang, Label::Subscribe);
        let inner = format!(
            "<input type=\"email\" name=\"email\"><button>{}</button>",
            href::text(label)
        );
        self.link(
            &d,
            LinkKind::Form {
                method: "post",
                inner,
            },
        );
        self.raw("\n");
    }

    fn social(&mut self) {
        let handle = words::slug(&self.plan.site.name, false).replace('-', "");
        self.raw(format!(
            "<p class=\"social\">{}: ",
            href::text(words::label(self.lang, Label::Follow))
        ));
        let n = self.rng.range(1, 3);
        for (base, name) in words::SOCIAL.iter().take(n) {
            let d = Dest {
                url: format!("{base}{handle}"),
                site: None,
                page: None,
            };
            self.raw(" ");
            self.text_link(&d, name, None);
        }
        self.raw("</p>\n");
    }

    fn powered_by(&mut self) {
        let Some((url, name)) = self
            .plan
            .site
            .generator
            .as_deref()
            .and_then(crate::plan::generator_home)
        else {
            return;
        };
        let d = Dest {
            url: url.to_string(),
            site: None,
            page: None,
        };
        self.raw(format!(
            "<p class=\"powered\">{} ",
            href::text(words::label(self.lang, Label::PoweredBy))
        ));
        self.text_link(&d, name, None);
        self.raw("</p>\n");
    }

    /// Copyright line with a commented-out old link (not a link) and a `mailto:` link, which
    /// is always the page's last link so it never shifts an ordinal.
    fn closing_line(&mut self) {
        if self.plan.salt.is_multiple_of(3) {
            self.raw("<!-- <a href=\"https://defunct-startup.io/\">Our old partner</a> -->\n");
        }
        let root = &self.plan.site.root_domain;
        self.raw(format!(
            "<p class=\"legal\">© 2024 {} · <a href=\"mailto:hello@{root}\">hello@{root}</a></p>\n",
            href::text(&self.plan.site.name)
        ));
    }
}

/// A readable title for a page outside the synthetic web: its last wordy path segment, or
/// the name of its domain.
fn outside_title(url: &str) -> String {
    let p = href::parts(url);
    let segment = p
        .path
        .split(['/', '?'])
        .rev()
        .find(|s| !s.is_empty() && !s.bytes().all(|b| b.is_ascii_digit()));
    let name = match segment {
        Some(s) => s.to_string(),
        None => {
            let root = anchorage_core::domain::root_domain(href::host_of(url));
            root.split('.').next().unwrap_or(root).to_string()
        }
    };
    words::capitalise(&name.replace('-', " "))
}

/// Collapses runs of whitespace and trims, as a browser shows text.
pub(crate) fn collapse(s: &str) -> String {
    s.split_ascii_whitespace().collect::<Vec<_>>().join(" ")
}

fn title_separator(generator: Option<&str>) -> &'static str {
    match generator {
        Some(g) if g.starts_with("WordPress") || g.starts_with("WooCommerce") => " – ",
        Some(_) => " | ",
        None => " - ",
    }
}

fn html_lang(lang: Lang, root: &str) -> &'static str {
    match lang {
        Lang::En if root.ends_with(".uk") => "en-GB",
        Lang::En => "en",
        Lang::De => "de-DE",
        Lang::Fr => "fr",
        Lang::Es => "es-ES",
    }
}

fn body_class(kind: SiteKind, role: Role) -> &'static str {
    match (kind, role) {
        (_, Role::Home) => "home",
        (SiteKind::Shop, Role::Content(_)) => "single-product",
        (SiteKind::Forum, Role::Content(_)) => "topic",
        (_, Role::Content(_) | Role::Fresh) => "single-post",
        _ => "page",
    }
}
