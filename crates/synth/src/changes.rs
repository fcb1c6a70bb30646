//! Scripted changes between epochs, and their expected effect on links.
//!
//! Epoch 0 is the initial web. Epoch 1 applies one change of each kind, each to a different
//! content page (on different sites where possible): a link removed, a page turned `noindex`, a
//! page redirected (301), a page answering 404, one 410, one 500 and one 503, a canonical moved
//! to another page, a link added, and a new page linked from its site's homepage. Epoch 2 puts
//! the removed link back. Later epochs keep the epoch-2 state (only fetch times move on).
//!
//! Changes are mutations of the page model, applied whenever a page is generated in an epoch
//! where they are in force, so any single page of any epoch can be generated on its own. The
//! expected effects are not written by hand: they are derived by generating the touched pages
//! before and after the change and comparing their links, then labelled with the reason a
//! correct index should report (`lost_reason`, `discovered_status`).

use crate::Synth;
use crate::doc::{LinkKind, LinkTok, PageDoc, Slot, Tok};
use crate::href;
use crate::plan::{FIRST_CONTENT, HOME, SitePlan};
use crate::rng::{Rng, tag};
use crate::templates::{self, Dest};
use crate::truth::{
    ChangeKind, DiscoveredStatus, LinkEffect, LostReason, ScriptedChange, TruthLink,
};
use crate::words::{self, Label};
use anchorage_core::record::LinkElement;
use std::collections::BTreeSet;

/// What a mutation does to its page.
#[derive(Debug, Clone)]
pub(crate) enum Action {
    RemoveLink {
        id: u32,
    },
    Noindex,
    Redirect {
        to: usize,
    },
    Status(u16),
    Canonical {
        to: usize,
    },
    AddLink {
        slot: Slot,
        dest: Dest,
        text: String,
    },
    /// The site's fresh page exists.
    AddPage,
}

#[derive(Debug, Clone)]
pub(crate) struct Mutation {
    pub site: usize,
    pub page: usize,
    /// First epoch the mutation is in force.
    pub from: u32,
    /// First epoch it no longer is.
    pub until: Option<u32>,
    pub action: Action,
    /// The change it implements; `None` for the homepage link that goes with a new page.
    pub kind: Option<ChangeKind>,
}

impl Mutation {
    pub(crate) fn in_force(&self, epoch: u32) -> bool {
        self.from <= epoch && self.until.is_none_or(|u| epoch < u)
    }
}

/// The id given to a link added by a change (template ids are small).
const ADDED_LINK_ID: u32 = 1_000_000;

/// Applies a mutation to a page model.
pub(crate) fn apply(g: &Synth, doc: &mut PageDoc, site: usize, action: &Action) {
    match action {
        Action::RemoveLink { id } => doc
            .body
            .retain(|t| !matches!(t, Tok::Link(l) if l.id == *id)),
        Action::Noindex => doc.robots = Some("noindex, follow"),
        Action::Canonical { to } => {
            let Some(url) = g.page_url(site, *to) else {
                return;
            };
            doc.head.retain(|t| {
                !matches!(
                    t,
                    Tok::Link(LinkTok {
                        kind: LinkKind::Canonical,
                        ..
                    })
                )
            });
            let tok = LinkTok {
                id: ADDED_LINK_ID,
                href: url.clone(),
                target: url,
                to_site: Some(site),
                kind: LinkKind::Canonical,
            };
            doc.head.insert(0, Tok::Link(tok));
        }
        Action::AddLink { slot, dest, text } => fill_slot(doc, site, *slot, dest, text),
        Action::Redirect { .. } | Action::Status(_) | Action::AddPage => {}
    }
}

fn fill_slot(doc: &mut PageDoc, site: usize, slot: Slot, dest: &Dest, text: &str) {
    let Some(pos) = doc
        .body
        .iter()
        .position(|t| matches!(t, Tok::Slot(s) if *s == slot))
    else {
        return;
    };
    let lang = lang_of(&doc.html_lang);
    // Editors paste external URLs whole; CMS menus write internal ones root-relative.
    let href = if dest.site == Some(site) {
        href::parts(&dest.url).path.to_string()
    } else {
        dest.url.clone()
    };
    let kind = LinkKind::Text {
        text: text.to_string(),
        markup: crate::doc::Markup::Plain,
        rel: None,
        blank: false,
    };
    let link = Tok::Link(LinkTok {
        id: ADDED_LINK_ID + 1,
        href,
        target: dest.url.clone(),
        to_site: dest.site,
        kind,
    });
    let (before, after) = match slot {
        Slot::ContentEnd => (
            format!("<p>{} ", href::text(words::label(lang, Label::Update))),
            ".</p>\n".to_string(),
        ),
        Slot::Latest => ("<li>".to_string(), "</li>".to_string()),
    };
    doc.body
        .splice(pos..=pos, [Tok::Raw(before), link, Tok::Raw(after)]);
}

fn lang_of(html_lang: &str) -> words::Lang {
    match html_lang.get(..2) {
        Some("de") => words::Lang::De,
        Some("fr") => words::Lang::Fr,
        Some("es") => words::Lang::Es,
        _ => words::Lang::En,
    }
}

/// Chooses the pages every change applies to.
pub(crate) fn plan_mutations(g: &Synth) -> Vec<Mutation> {
    let mut p = Planner {
        g,
        rng: Rng::derive(g.config.seed, &[tag("changes")]),
        used_pages: BTreeSet::new(),
        used_sites: BTreeSet::new(),
        out: Vec::new(),
    };
    p.link_removed();
    p.page_level(ChangeKind::Noindex, |_| Action::Noindex);
    p.redirected();
    for (kind, code) in [
        (ChangeKind::NotFound, 404),
        (ChangeKind::Gone, 410),
        (ChangeKind::ServerError, 500),
        (ChangeKind::Unavailable, 503),
    ] {
        p.page_level(kind, |_| Action::Status(code));
    }
    p.canonical_moved();
    p.link_added();
    p.page_added();
    p.out
}

struct Planner<'a> {
    g: &'a Synth,
    rng: Rng,
    used_pages: BTreeSet<(usize, usize)>,
    used_sites: BTreeSet<usize>,
    out: Vec<Mutation>,
}

impl Planner<'_> {
    /// A content page (not the first one, which carries the per-site special features) no
    /// change has touched, on a site no change has touched if possible.
    fn pick_page(&mut self, ok: &dyn Fn(&SitePlan, usize) -> bool) -> Option<(usize, usize)> {
        let n = self.g.plans.len();
        if n == 0 {
            return None;
        }
        for attempt in 0..400 {
            let site = self.rng.index(n);
            let plan = &self.g.plans[site];
            if (attempt < 200 && self.used_sites.contains(&site)) || plan.content_pages < 3 {
                continue;
            }
            let idx = FIRST_CONTENT + 1 + self.rng.index(plan.content_pages - 1);
            if self.used_pages.contains(&(site, idx)) || !ok(plan, idx) {
                continue;
            }
            self.used_sites.insert(site);
            self.used_pages.insert((site, idx));
            return Some((site, idx));
        }
        None
    }

    /// Another unused content page of the same site (for redirect and canonical targets).
    fn sibling(&mut self, site: usize, idx: usize) -> usize {
        let content = self.g.plans[site].content_pages;
        for _ in 0..20 {
            let to = FIRST_CONTENT + self.rng.index(content);
            if to != idx && !self.used_pages.contains(&(site, to)) {
                self.used_pages.insert((site, to));
                return to;
            }
        }
        HOME
    }

    fn push(&mut self, site: usize, page: usize, action: Action, kind: Option<ChangeKind>) {
        self.out.push(Mutation {
            site,
            page,
            from: 1,
            until: None,
            action,
            kind,
        });
    }

    fn page_level(&mut self, kind: ChangeKind, action: impl Fn(usize) -> Action) {
        if let Some((site, idx)) = self.pick_page(&|_, _| true) {
            self.push(site, idx, action(idx), Some(kind));
        }
    }

    fn redirected(&mut self) {
        if let Some((site, idx)) = self.pick_page(&|_, _| true) {
            let to = self.sibling(site, idx);
            self.push(
                site,
                idx,
                Action::Redirect { to },
                Some(ChangeKind::Redirected),
            );
        }
    }

    fn canonical_moved(&mut self) {
        if let Some((site, idx)) = self.pick_page(&|_, _| true) {
            let to = self.sibling(site, idx);
            self.push(
                site,
                idx,
                Action::Canonical { to },
                Some(ChangeKind::CanonicalMoved),
            );
        }
    }

    /// Removes a dofollow in-content link to another synthetic site whose target appears only
    /// once on the page, so the removal is unambiguous; restores it in epoch 2.
    fn link_removed(&mut self) {
        let g = self.g;
        let removable = |site: usize, idx: usize| -> Option<u32> {
            let links = g.page_links(site, idx, 0);
            let chosen = links.iter().find(|l| {
                l.element == LinkElement::Anchor
                    && l.is_content
                    && l.is_dofollow()
                    && l.to_site.is_some_and(|s| s != site)
                    && links.iter().filter(|m| m.to == l.to).count() == 1
            })?;
            // Truth links and link tokens come in the same (document) order.
            let doc = templates::build(g, site, idx)?;
            doc.links().nth(chosen.ordinal as usize).map(|l| l.id)
        };
        let ok = |plan: &SitePlan, idx: usize| removable(plan.site.index, idx).is_some();
        if let Some((site, idx)) = self.pick_page(&ok)
            && let Some(id) = removable(site, idx)
        {
            self.out.push(Mutation {
                site,
                page: idx,
                from: 1,
                until: Some(2),
                action: Action::RemoveLink { id },
                kind: Some(ChangeKind::LinkRemoved),
            });
        }
    }

    fn link_added(&mut self) {
        let Some((site, idx)) = self.pick_page(&|_, _| true) else {
            return;
        };
        let Some(j) = self.g.pick_site(&mut self.rng, site) else {
            return;
        };
        let dest = self.g.dest(j, HOME);
        let text = self.g.plans[j].site.name.clone();
        let action = Action::AddLink {
            slot: Slot::ContentEnd,
            dest,
            text,
        };
        self.push(site, idx, action, Some(ChangeKind::LinkAdded));
    }

    fn page_added(&mut self) {
        let n = self.g.plans.len();
        let free = (0..n).find(|s| !self.used_sites.contains(s)).unwrap_or(0);
        let Some(plan) = self.g.plans.get(free) else {
            return;
        };
        let fresh = plan.fresh_index();
        self.used_sites.insert(free);
        self.push(free, fresh, Action::AddPage, Some(ChangeKind::PageAdded));
        let dest = self.g.dest(free, fresh);
        let text = plan.page_title(self.g.config.seed, fresh);
        self.push(
            free,
            HOME,
            Action::AddLink {
                slot: Slot::Latest,
                dest,
                text,
            },
            None,
        );
    }
}

/// Describes every change with its expected link effects.
pub(crate) fn describe(g: &Synth) -> Vec<ScriptedChange> {
    let mut out = Vec::new();
    for m in &g.mutations {
        let Some(kind) = m.kind else { continue };
        out.push(describe_one(g, m, kind, m.from));
        if let (ChangeKind::LinkRemoved, Some(until)) = (kind, m.until) {
            out.push(describe_one(g, m, ChangeKind::LinkRestored, until));
        }
    }
    out.sort_by_key(|c| c.epoch);
    out
}

fn describe_one(g: &Synth, m: &Mutation, kind: ChangeKind, epoch: u32) -> ScriptedChange {
    let (effects, target) = expected_effects(g, m, kind, epoch);
    let page_url = g.page_url(m.site, m.page).unwrap_or_default();
    ScriptedChange {
        epoch,
        kind,
        site: m.site,
        description: description(kind, &page_url, target.as_deref()),
        new_status: match m.action {
            Action::Status(code) => code,
            Action::Redirect { .. } => 301,
            _ => 200,
        },
        page_url,
        target_url: target,
        effects,
    }
}

/// The links a change loses or adds, labelled, and the other URL the change involves.
fn expected_effects(
    g: &Synth,
    m: &Mutation,
    kind: ChangeKind,
    epoch: u32,
) -> (Vec<LinkEffect>, Option<String>) {
    let previous = epoch.saturating_sub(1);
    let before = g.page_links(m.site, m.page, previous);
    let after = g.page_links(m.site, m.page, epoch);
    let lost = |reason| effects(&before, Some(reason), None);
    let found = |status| effects(&minus(&after, &before), None, Some(status));
    // The one link a removal or restoration is about.
    let single = |v: Vec<LinkEffect>| {
        let to = v.first().map(|e| e.to.clone());
        (v, to)
    };
    match (&m.action, kind) {
        (Action::RemoveLink { .. }, ChangeKind::LinkRestored) => {
            single(found(DiscoveredStatus::LinkRestored))
        }
        (Action::RemoveLink { .. }, _) => single(effects(
            &minus(&before, &after),
            Some(LostReason::RemovedFromHtml),
            None,
        )),
        (Action::Noindex, _) => (lost(LostReason::Noindex), None),
        (Action::Status(404 | 410), _) => (lost(LostReason::NotFound), None),
        (Action::Status(_), _) => (lost(LostReason::PageError), None),
        (Action::Redirect { to }, _) => {
            // Every link of the page is lost; the page's one link is now the redirect.
            let mut v = lost(LostReason::PageRedirected);
            v.extend(effects(&after, None, Some(DiscoveredStatus::LinkFound)));
            (v, g.page_url(m.site, *to))
        }
        (Action::Canonical { to }, _) => {
            // Links of a non-canonical page are lost, the new canonical link is found.
            let mut v = lost(LostReason::NotCanonical);
            v.extend(found(DiscoveredStatus::LinkFound));
            (v, g.page_url(m.site, *to))
        }
        (Action::AddLink { dest, .. }, _) => {
            (found(DiscoveredStatus::LinkFound), Some(dest.url.clone()))
        }
        (Action::AddPage, _) => {
            let mut v = effects(&after, None, Some(DiscoveredStatus::PageFound));
            let home_before = g.page_links(m.site, HOME, previous);
            let home_after = g.page_links(m.site, HOME, epoch);
            v.extend(effects(
                &minus(&home_after, &home_before),
                None,
                Some(DiscoveredStatus::LinkFound),
            ));
            (v, g.page_url(m.site, HOME))
        }
    }
}

/// Links of `a` not in `b`, as multisets keyed by (target, element, anchor).
fn minus(a: &[TruthLink], b: &[TruthLink]) -> Vec<TruthLink> {
    let mut pool: Vec<&TruthLink> = b.iter().collect();
    let mut out = Vec::new();
    for l in a {
        match pool
            .iter()
            .position(|m| m.to == l.to && m.element == l.element && m.anchor == l.anchor)
        {
            Some(i) => {
                pool.swap_remove(i);
            }
            None => out.push(l.clone()),
        }
    }
    out
}

fn effects(
    links: &[TruthLink],
    lost: Option<LostReason>,
    found: Option<DiscoveredStatus>,
) -> Vec<LinkEffect> {
    links
        .iter()
        .map(|l| LinkEffect {
            from: l.from.clone(),
            to: l.to.clone(),
            element: l.element,
            anchor: l.anchor.clone(),
            lost_reason: lost,
            discovered_status: found,
        })
        .collect()
}

fn description(kind: ChangeKind, page: &str, target: Option<&str>) -> String {
    let target = target.unwrap_or("-");
    match kind {
        ChangeKind::LinkRemoved => {
            format!("the link from {page} to {target} is removed from the HTML")
        }
        ChangeKind::Noindex => {
            format!("{page} gains <meta name=robots content=\"noindex, follow\">")
        }
        ChangeKind::Redirected => format!("{page} now answers 301 to {target}"),
        ChangeKind::NotFound => format!("{page} now answers 404"),
        ChangeKind::Gone => format!("{page} now answers 410"),
        ChangeKind::ServerError => format!("{page} now answers 500"),
        ChangeKind::Unavailable => format!("{page} now answers 503"),
        ChangeKind::CanonicalMoved => format!("the canonical of {page} now names {target}"),
        ChangeKind::LinkAdded => format!("a link from {page} to {target} is added"),
        ChangeKind::PageAdded => format!("new page {page}, linked from {target}"),
        ChangeKind::LinkRestored => format!("the link from {page} to {target} is back"),
    }
}
