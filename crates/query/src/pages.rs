//! The facts of fetched pages, from the generation's `pages` table (one row per URL the index
//! fetched): what DataForSEO's `domain_pages` items tell about the page itself.

use crate::{Engine, QueryError};
use anchorage_core::catalogue::ColType;
use datafusion::arrow::record_batch::RecordBatch;
use datafusion::logical_expr::{col, lit};

/// The columns [`Engine::page_facts`] returns, in order, with the type each is served as.
pub const PAGE_FACTS: &[(&str, ColType)] = &[
    ("url", ColType::Url),
    ("http_code", ColType::Int),
    ("location", ColType::Url),
    ("title", ColType::Str),
    ("canonical", ColType::Url),
    ("languages", ColType::StrList),
    ("ip", ColType::Str),
    ("content_type", ColType::Str),
    ("encoding", ColType::Str),
    ("page_size", ColType::Int),
    ("powered_by", ColType::StrList),
    ("page_type", ColType::Str),
    ("links_internal", ColType::Int),
    ("links_external", ColType::Int),
    ("first_seen", ColType::DateTime),
    ("last_visited", ColType::DateTime),
    ("prev_visited", ColType::DateTime),
];

impl Engine {
    /// The [`PAGE_FACTS`] of those of `urls` the index fetched. Empty for a generation built
    /// before the `pages` table held them.
    pub async fn page_facts(&self, urls: &[String]) -> Result<Vec<RecordBatch>, QueryError> {
        if urls.is_empty() || !self.ctx.table_exist("pages")? {
            return Ok(Vec::new());
        }
        let pages = self.ctx.table("pages").await?;
        let schema = pages.schema().clone();
        if !PAGE_FACTS
            .iter()
            .all(|(name, _)| schema.has_column_with_unqualified_name(name))
        {
            return Ok(Vec::new());
        }
        let wanted = urls.iter().map(|u| lit(u.as_str())).collect();
        Ok(pages
            .filter(col("url").in_list(wanted, false))?
            .select(PAGE_FACTS.iter().map(|(name, _)| col(*name)))?
            .collect()
            .await?)
    }
}
