"""Which rows of the link tables changed between two generations, and where they lie.

    changed_rows.py OLD_GENERATION_DIR NEW_GENERATION_DIR [--block ROWS] [--tables T,...]
                    [--bin PATH]

Needs DuckDB (`pip install duckdb`). The question it answers: could a build rewrite only part
of `backlinks` (target order) and `outlinks` (source order)? Links are matched by identity
(url_from, url_to, link_type, ordinal among equal links). Columns are grouped by where the
column catalogue (`anchorage columns`, run from --bin) says they come from: the graph
metrics, the counts and `is_new` one by one, every other source (extract, url, history,
target check, ...) as a group. For each, it prints how many rows of the new generation differ
from the old one (a link the old one lacks counts as changed) and how many blocks of --block
consecutive rows, in the file's order, hold at least one of them: a block without a change is
all an incremental build could keep. Runs on one thread.
"""

import argparse
import os
import re
import subprocess
from collections import defaultdict

import duckdb

# Catalogue sources whose columns are reported one by one: they move with the whole graph.
GLOBAL_SOURCES = ("graph", "count")
# Relative to the previous build, so reported on its own.
IS_NEW = "is_new"
IDENTITY = ("url_from", "url_to", "link_type", "_ordinal")


def catalogue_sources(binary):
    """Column name -> catalogue source, from `anchorage columns` (a Markdown table)."""
    table = subprocess.run([binary, "columns"], check=True, capture_output=True, text=True)
    sources = {}
    for line in table.stdout.splitlines()[2:]:
        # Cells may hold escaped pipes (`integer\|null`).
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        sources[cells[0].strip("`")] = cells[5]
    return sources


def column_groups(con, path, sources):
    """Group name -> the columns of `path` it covers."""
    stored = {
        r[0]
        for r in con.execute("select name from parquet_schema(?)", [path]).fetchall()
    }
    groups = defaultdict(list)
    for name, source in sources.items():
        if name not in stored:
            continue
        if name == IS_NEW or source in GLOBAL_SOURCES:
            groups[name].append(name)
        else:
            groups[f"{source} columns"].append(name)
    return dict(sorted(groups.items(), key=lambda g: (len(g[1]) == 1, g[0])))


def quoted(columns):
    return ", ".join(f'"{c}"' for c in columns)


def compare(con, old, new, block, sources):
    groups = column_groups(con, new, sources)
    keys = [f"g{i}" for i in range(len(groups))]
    hashes = ", ".join(
        [f"hash({quoted(IDENTITY)}) as id"]
        + [f"hash({quoted(columns)}) as {k}" for k, columns in zip(keys, groups.values())]
    )
    con.execute(f"create or replace table old as select {hashes} from read_parquet(?)", [old])
    con.execute(
        f"create or replace table new as select row_number() over () - 1 as pos, {hashes} "
        "from read_parquet(?)",
        [new],
    )
    changed = ", ".join(f"(o.id is null or o.{k} <> n.{k}) as {k}" for k in keys)
    con.execute(
        f"create or replace table diff as select n.pos, {changed} "
        "from new n left join old o on n.id = o.id"
    )
    total, blocks = con.execute(
        f"select count(*), count(distinct pos // {block}) from diff"
    ).fetchone()
    print(f"  {total:,} rows, {blocks} blocks of {block:,}")
    for name, predicate in list(zip(groups, keys)) + [("anything", " or ".join(keys))]:
        rows, touched = con.execute(
            f"select count(*), count(distinct pos // {block}) from diff where {predicate}"
        ).fetchone()
        print(f"  {name:40} {rows:>12,} rows ({100 * rows / total:5.1f} %) in {touched:>5} blocks")


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("old")
    parser.add_argument("new")
    parser.add_argument("--block", type=int, default=128 * 1024)
    parser.add_argument("--tables", default="backlinks,outlinks")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser.add_argument("--bin", default=os.path.join(root, "target", "release", "anchorage"))
    args = parser.parse_args()
    sources = catalogue_sources(args.bin)
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
            sources,
        )


if __name__ == "__main__":
    main()
