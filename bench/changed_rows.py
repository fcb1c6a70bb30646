"""Which rows of the link tables changed between two generations, and where they lie.

    changed_rows.py OLD_GENERATION_DIR NEW_GENERATION_DIR [--block ROWS] [--tables T,...]

Needs DuckDB (`pip install duckdb`). The question it answers: could a build rewrite only part
of `backlinks` (target order) and `outlinks` (source order)? Links are matched by identity
(url_from, url_to, link_type, ordinal among equal links). For each graph metric column, for
`is_new`, for the target's status columns together and for all the other columns together, it prints how many rows of the new
generation differ from the old one (a link the old one lacks counts as changed) and how many
blocks of --block consecutive rows, in the file's order, hold at least one of them: a block
without a change is all an incremental build could keep. Runs on one thread.
"""

import argparse
import os

import duckdb

# The columns a build derives from the whole link graph rather than from the link's own page.
GRAPH_METRIC_PREFIXES = (
    "domain_rating_",
    "url_rating_",
    "ahrefs_rank_",
    "refdomains_",
    "dofollow_refdomains_",
    "linked_domains_source_domain",
    "linked_domains_target_domain",
    "dofollow_linked_domains_",
    "backlink_spam_score",
    "is_spam",
)
# The columns that describe the linked-to URL (its status, as the targets' own fetches found it).
TARGET_SIDE = ("_target", "url_redirect", "broken_redirect_", "redirect_kind", "len_url_redirect")
TARGET_SIDE_NAMES = ("is_redirect", "is_broken", "http_code_target", "last_visited_target")
IDENTITY = ("url_from", "url_to", "link_type", "_ordinal")


def quoted(columns):
    return ", ".join(f'"{c}"' for c in columns)


def columns_of(con, path):
    rows = con.execute(
        "select name from parquet_schema(?) where name not in ('arrow_schema', 'list', 'item')",
        [path],
    ).fetchall()
    names = dict.fromkeys(r[0] for r in rows)
    metrics = [c for c in names if c.startswith(GRAPH_METRIC_PREFIXES)]
    rest = [c for c in names if not c.startswith("_") and c not in metrics and c != "is_new"]
    target = [c for c in rest if c in TARGET_SIDE_NAMES or any(t in c for t in TARGET_SIDE)]
    link = [c for c in rest if c not in target]
    return metrics, link, target


def compare(con, old, new, block):
    metrics, link, target = columns_of(con, new)
    groups = metrics + ["is_new"]
    hashes = ", ".join(
        [
            f"hash({quoted(IDENTITY)}) as id",
            f"hash({quoted(link)}) as link",
            f"hash({quoted(target)}) as target",
        ]
        + [f'hash("{c}") as "{c}"' for c in groups]
    )
    con.execute(f"create or replace table old as select {hashes} from read_parquet(?)", [old])
    con.execute(
        f"create or replace table new as select row_number() over () - 1 as pos, {hashes} "
        "from read_parquet(?)",
        [new],
    )
    changed = ", ".join(
        f'(o.id is null or o."{c}" <> n."{c}") as "{c}"' for c in ["link", "target"] + groups
    )
    con.execute(
        f"create or replace table diff as select n.pos, {changed} "
        "from new n left join old o on n.id = o.id"
    )
    total, blocks = con.execute(f"select count(*), count(distinct pos // {block}) from diff").fetchone()
    print(f"  {total:,} rows, {blocks} blocks of {block:,}")
    for name, predicate in (
        [
            ("the link and its source page (all other columns)", '"link"'),
            ("the target's status and redirects", '"target"'),
        ]
        + [(c, f'"{c}"') for c in groups]
        + [("anything", " or ".join(f'"{c}"' for c in ["link", "target"] + groups))]
    ):
        rows, touched = con.execute(
            f"select count(*), count(distinct pos // {block}) from diff where {predicate}"
        ).fetchone()
        print(f"  {name:45} {rows:>12,} rows ({100 * rows / total:5.1f} %) in {touched:>5} blocks")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--block", type=int, default=128 * 1024)
    parser.add_argument("--tables", default="backlinks,outlinks")
    args = parser.parse_args()
    con = duckdb.connect()
    con.execute("set threads = 1")
    con.execute("set preserve_insertion_order = true")
    for table in args.tables.split(","):
        print(f"{table}: {args.old} -> {args.new}")
        compare(
            con,
            os.path.join(args.old, f"{table}.parquet"),
            os.path.join(args.new, f"{table}.parquet"),
            args.block,
        )


if __name__ == "__main__":
    main()
