//! Pre-aggregated reports. A report over a huge target groups hundreds of thousands of links
//! per request; the build instead groups every target at once, per target URL (mode `exact`),
//! per target host (mode `domain`) and per highest registrable domain (mode `subdomains` of
//! one), with the very
//! plan a request would run ([`group_rows`]), and writes the rows sorted by scope. A request
//! whose rows those are (no link filter, both protocols, no port, a pre-aggregated history)
//! then reads one scope's rows and only filters, orders and pages them; any other request
//! runs the generic plan over the links.

use crate::QueryError;
use crate::reports::{ReportQuery, group_rows, key_order};
use crate::scope::{History, rows_predicate};
use anchorage_core::domain::{highest_registrable, highest_registrable_of_reversed};
use anchorage_core::reports::{Report, ReportColumn, report};
use anchorage_core::target::{Protocol, TargetMode};
use anchorage_core::urls::reversed_host;
use anchorage_index::IndexError;
use anchorage_index::build::table::TARGET_KEY;
use anchorage_index::build::{BuildConfig, BuildReport, build_with};
use anchorage_index::snapshot::{BACKLINKS, Generation};
use datafusion::arrow::array::{AsArray, StringArray};
use datafusion::arrow::datatypes::DataType;
use datafusion::config::TableParquetOptions;
use datafusion::dataframe::DataFrameWriteOptions;
use datafusion::execution::memory_pool::FairSpillPool;
use datafusion::execution::runtime_env::RuntimeEnvBuilder;
use datafusion::functions::expr_fn::split_part;
use datafusion::logical_expr::{ColumnarValue, Expr, ScalarUDF, Volatility, col, create_udf, lit};
use datafusion::prelude::{ParquetReadOptions, SessionContext};
use futures::{StreamExt, TryStreamExt};
use std::path::Path;
use std::sync::Arc;

/// The column of a pre-aggregated table naming the scope (target host or root domain) a row
/// belongs to.
pub const SCOPE_KEY: &str = "_scope_key";

/// The reports the build pre-aggregates, each for Site Explorer's default history (all
/// time) and for live links (DataForSEO's and `history=live`), and the scopes it groups them
/// by. `pages-by-backlinks` of one URL is a single row: grouping it per URL would copy the
/// host's file.
const PREAGGREGATED: &[(&str, History, &[Scope])] = &[
    ("refdomains", History::AllTime, &Scope::ALL),
    ("refdomains", History::Live, &Scope::ALL),
    ("anchors", History::AllTime, &Scope::ALL),
    ("anchors", History::Live, &Scope::ALL),
    ("pages-by-backlinks", History::AllTime, &Scope::SITES),
    ("pages-by-backlinks", History::Live, &Scope::SITES),
];

/// What a pre-aggregated row is grouped by, besides the report's own key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    /// The target URL itself: mode `exact`.
    Url,
    /// The target URL's host: mode `domain`.
    Host,
    /// The highest registrable domain above the target URL's host: mode `subdomains` of
    /// such a domain (a key range, so PSL roots, which can nest, would not do).
    RootDomain,
}

impl Scope {
    const ALL: [Scope; 3] = [Scope::Url, Scope::Host, Scope::RootDomain];
    const SITES: [Scope; 2] = [Scope::Host, Scope::RootDomain];

    fn name(self) -> &'static str {
        match self {
            Scope::Url => "url",
            Scope::Host => "host",
            Scope::RootDomain => "root",
        }
    }

    /// The scope of a backlink row, as [`SCOPE_KEY`] holds it.
    fn of_link(self) -> Expr {
        match self {
            Scope::Url => col(TARGET_KEY),
            // The target key is the reversed host, then the path.
            Scope::Host => split_part(col(TARGET_KEY), lit("/"), lit(1i64)),
            Scope::RootDomain => highest_registrable_udf().call(vec![split_part(
                col(TARGET_KEY),
                lit("/"),
                lit(1i64),
            )]),
        }
    }
}

/// `highest_registrable` of a reversed host (`com.example.www` → `example.com`).
fn highest_registrable_udf() -> ScalarUDF {
    create_udf(
        "highest_registrable",
        vec![DataType::Utf8],
        DataType::Utf8,
        Volatility::Immutable,
        Arc::new(move |args: &[ColumnarValue]| {
            let arrays = ColumnarValue::values_to_arrays(args)?;
            let hosts = arrays[0].as_string::<i32>();
            let scopes: StringArray = hosts
                .iter()
                .map(|h| h.and_then(highest_registrable_of_reversed))
                .collect();
            Ok(ColumnarValue::Array(Arc::new(scopes)))
        }),
    )
}

fn history_name(history: History) -> Option<&'static str> {
    match history {
        History::AllTime => Some("all_time"),
        History::Live => Some("live"),
        History::Since(_) | History::Lost => None,
    }
}

/// The generation's file of one pre-aggregated report.
pub fn file_name(report: &Report, history: History, scope: Scope) -> Option<String> {
    let history = history_name(history)?;
    Some(format!(
        "agg-{}-{history}-{}.parquet",
        report.endpoint,
        scope.name()
    ))
}

/// The pre-aggregated file and scope key holding exactly the groups `query` asks for, if the
/// build wrote them.
pub fn source_of(query: &ReportQuery) -> Option<(String, String)> {
    let target = &query.target;
    let plain = query.link_filter.is_none()
        && query.protocol == Protocol::Both
        && target.port.is_none()
        && target.indirect_urls.is_empty()
        && !query.include_internal;
    if !plain {
        return None;
    }
    let host = target.url.host();
    let (scope, key) = match target.mode {
        TargetMode::Exact => (Scope::Url, target.url.key()),
        TargetMode::Domain => (Scope::Host, reversed_host(host)),
        TargetMode::Subdomains if highest_registrable(host) == Some(host) => {
            (Scope::RootDomain, host.to_string())
        }
        _ => return None,
    };
    let pre_aggregated = PREAGGREGATED.iter().any(|(endpoint, history, scopes)| {
        report(endpoint).is_some_and(|r| std::ptr::eq(r, query.report))
            && *history == query.effective_history()
            && scopes.contains(&scope)
    });
    if !pre_aggregated {
        return None;
    }
    Some((
        file_name(query.report, query.effective_history(), scope)?,
        key,
    ))
}

/// Writes every pre-aggregated report of the generation in `dir` (whose `backlinks` table is
/// written) and returns each file's name and rows. DataFusion needs a runtime of its own: the
/// build is synchronous and may itself run on a runtime's thread (tests), so it gets a thread.
pub fn write_all(dir: &Path) -> Result<Vec<(String, u64)>, QueryError> {
    std::thread::scope(|s| {
        s.spawn(|| {
            tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .map_err(|e| QueryError::Invalid(format!("cannot start a runtime: {e}")))?
                .block_on(write_reports(dir))
        })
        .join()
        .map_err(|_| QueryError::Invalid("pre-aggregation failed".into()))?
    })
}

/// The memory the pre-aggregation's plans may hold; beyond it, their groups and sorts spill
/// to temporary files (a huge web's per-URL anchors would otherwise take tens of GB).
const PREAGGREGATE_MEMORY: usize = 6 << 30;

async fn write_reports(dir: &Path) -> Result<Vec<(String, u64)>, QueryError> {
    let runtime = RuntimeEnvBuilder::new()
        .with_memory_pool(Arc::new(FairSpillPool::new(PREAGGREGATE_MEMORY)))
        .build_arc()?;
    let ctx = SessionContext::new_with_config_rt(crate::session_config(), runtime);
    let backlinks = dir.join(BACKLINKS);
    ctx.register_parquet(
        "backlinks",
        backlinks.to_string_lossy().as_ref(),
        ParquetReadOptions::default(),
    )
    .await?;
    let mut jobs = Vec::new();
    for &(endpoint, history, scopes) in PREAGGREGATED {
        let report = report(endpoint)
            .ok_or_else(|| QueryError::Invalid(format!("no report {endpoint} to pre-aggregate")))?;
        for &scope in scopes {
            if let Some(name) = file_name(report, history, scope) {
                jobs.push((report, history, scope, name));
            }
        }
    }
    // A report's plan keeps about one core busy (its final sort and the file's encoding
    // are single streams): two at a time keep both busy.
    futures::stream::iter(jobs)
        .map(|(report, history, scope, name)| {
            let ctx = &ctx;
            async move {
                let started = std::time::Instant::now();
                let rows = write_report(ctx, report, history, scope, &dir.join(&name)).await?;
                tracing::info!(
                    table = name,
                    rows,
                    seconds = started.elapsed().as_secs_f64(),
                    "pre-aggregated"
                );
                Ok((name, rows))
            }
        })
        .buffered(2)
        .try_collect()
        .await
}

async fn write_report(
    ctx: &SessionContext,
    report: &'static Report,
    history: History,
    scope: Scope,
    path: &Path,
) -> Result<u64, QueryError> {
    let links = ctx.table("backlinks").await?.filter(rows_predicate(
        report.table,
        Protocol::Both,
        Some(report.internal),
        history,
    ))?;
    let every_column: Vec<&'static ReportColumn> = report.columns.iter().collect();
    let (order_column, descending) = report.default_order;
    let rows = group_rows(report, links, Some(scope.of_link()), &every_column)?
        .filter(col(SCOPE_KEY).is_not_null())?
        .sort(vec![
            col(SCOPE_KEY).sort(true, false),
            col(order_column).sort(!descending, false),
            key_order(report),
        ])?;
    let mut options = TableParquetOptions::default();
    options.global.compression = Some("lz4_raw".into());
    options.global.statistics_enabled = Some("page".into());
    options.global.data_page_row_count_limit = 2048;
    options.global.max_row_group_size = 128 * 1024;
    let counts = rows
        .write_parquet(
            &path.to_string_lossy(),
            DataFrameWriteOptions::new().with_single_file_output(true),
            Some(options),
        )
        .await?;
    crate::single_count(counts)
}

/// `anchorage build`: the index's build, each generation with its pre-aggregated reports.
pub fn build(
    dir: &anchorage_index::DataDir,
    config: &BuildConfig,
) -> Result<(Generation, BuildReport), QueryError> {
    let derived = |tmp: &Path| {
        write_all(tmp).map_err(|e| IndexError::Invalid(format!("pre-aggregating reports: {e}")))
    };
    Ok(build_with(dir, config, &derived)?)
}
