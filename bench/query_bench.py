"""Query latency and throughput: Anchorage's Ahrefs v3 API beside DuckDB on the same rows.

    query_bench.py GENERATION_DIR BASE_URL [--rounds N] [--seconds S] [--wrk PATH]

GENERATION_DIR is a snapshot generation (its backlinks.parquet is loaded into a native DuckDB
table, with the columns the queries read); BASE_URL is a running `anchorage serve` over the same
generation. Every Anchorage request carries `Cache-Control: no-cache`, so the response cache
never answers, and `history=live`, as the SQL. Targets are hosts (mode=domain) of three sizes by
live backlinks: small (50-500), medium (5,000-50,000) and the largest ones (huge). Each query
class runs on every size, `--rounds` times over up to 10 targets of the size; p50 and p99 are
printed per class with the ratio Anchorage / DuckDB (below 1: Anchorage faster). Then requests/s
on small targets: wrk (64 connections, 2 threads) against Anchorage, and two DuckDB threads
running the same queries in-process, for `--seconds` each.
"""

import argparse
import http.client
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse

import duckdb

LINK_SELECT = "url_from,url_to,anchor,domain_rating_source,first_seen_link"
QUALITY = "domain_rating_source DESC, url_rating_source DESC, url_from, url_to, ordinal"
SCOPE = "is_internal = false AND target_key >= ? AND target_key < ? AND is_lost = false"
WHERE_JSON = json.dumps(
    {
        "and": [
            {"field": "is_dofollow", "is": ["eq", 1]},
            {"field": "domain_rating_source", "is": ["gte", 10]},
        ]
    }
)
WHERE_SQL = "is_dofollow AND domain_rating_source >= 10"

# Query classes: (name, Anchorage endpoint + parameters, DuckDB SQL over one key range).
CLASSES = [
    (
        "all-backlinks all",
        ("all-backlinks", {"select": LINK_SELECT, "aggregation": "all"}),
        f"SELECT {LINK_SELECT} FROM backlinks WHERE {SCOPE} ORDER BY {QUALITY} LIMIT 100",
    ),
    (
        "all-backlinks all + where",
        ("all-backlinks", {"select": LINK_SELECT, "aggregation": "all", "where": WHERE_JSON}),
        f"SELECT {LINK_SELECT} FROM backlinks WHERE {SCOPE} AND {WHERE_SQL} "
        f"ORDER BY {QUALITY} LIMIT 100",
    ),
    (
        "all-backlinks similar_links",
        (
            "all-backlinks",
            {"select": LINK_SELECT + ",link_group_count", "aggregation": "similar_links"},
        ),
        f"SELECT {LINK_SELECT}, count(*) OVER (PARTITION BY similar_group) AS link_group_count "
        f"FROM backlinks WHERE {SCOPE} "
        f"QUALIFY row_number() OVER (PARTITION BY similar_group ORDER BY {QUALITY}) = 1 "
        f"ORDER BY {QUALITY} LIMIT 100",
    ),
    (
        "all-backlinks similar_links + where",
        (
            "all-backlinks",
            {
                "select": LINK_SELECT + ",link_group_count",
                "aggregation": "similar_links",
                "where": WHERE_JSON,
            },
        ),
        f"SELECT {LINK_SELECT}, count(*) OVER (PARTITION BY similar_group) AS link_group_count "
        f"FROM backlinks WHERE {SCOPE} AND {WHERE_SQL} "
        f"QUALIFY row_number() OVER (PARTITION BY similar_group ORDER BY {QUALITY}) = 1 "
        f"ORDER BY {QUALITY} LIMIT 100",
    ),
    (
        "all-backlinks 1_per_domain",
        ("all-backlinks", {"select": LINK_SELECT, "aggregation": "1_per_domain"}),
        f"SELECT {LINK_SELECT} FROM backlinks WHERE {SCOPE} "
        f"QUALIFY row_number() OVER (PARTITION BY root_name_source ORDER BY {QUALITY}) = 1 "
        f"ORDER BY {QUALITY} LIMIT 100",
    ),
    (
        "refdomains",
        (
            "refdomains",
            {"select": "domain,domain_rating,links_to_target,dofollow_links,first_seen"},
        ),
        "SELECT root_name_source AS domain, max(domain_rating_source) AS domain_rating, "
        "count(*) AS links_to_target, count(*) FILTER (WHERE is_dofollow) AS dofollow_links, "
        f"min(first_seen_link) AS first_seen FROM backlinks WHERE {SCOPE} "
        "GROUP BY root_name_source ORDER BY domain_rating DESC, domain LIMIT 100",
    ),
    (
        "anchors",
        ("anchors", {"select": "anchor,refdomains,links_to_target,dofollow_links,first_seen"}),
        "SELECT anchor, count(DISTINCT root_name_source) AS refdomains, "
        "count(*) AS links_to_target, count(*) FILTER (WHERE is_dofollow) AS dofollow_links, "
        f"min(first_seen_link) AS first_seen FROM backlinks WHERE {SCOPE} "
        "GROUP BY anchor ORDER BY refdomains DESC, anchor LIMIT 100",
    ),
]

# The snapshot's internal columns carry a leading underscore; DuckDB's table names them plainly.
COLUMNS = (
    "url_from, url_to, anchor, domain_rating_source, url_rating_source, first_seen_link, "
    "_ordinal AS ordinal, _similar_group AS similar_group, root_name_source, is_dofollow, "
    "is_internal, is_lost, _target_key AS target_key"
)


def host_of_key(key_host):
    return ".".join(reversed(key_host.split(".")))


def load_duckdb(generation):
    con = duckdb.connect()
    con.execute("SET threads TO 2")
    started = time.perf_counter()
    parquet = os.path.join(generation, "backlinks.parquet")
    con.execute(f"CREATE TABLE backlinks AS SELECT {COLUMNS} FROM read_parquet(?)", [parquet])
    rows = con.execute("SELECT count(*) FROM backlinks").fetchone()[0]
    print(f"DuckDB {duckdb.__version__}: {rows:,} rows loaded into a native table "
          f"in {time.perf_counter() - started:.1f} s")
    return con, rows


def pick_targets(con):
    hosts = con.execute(
        "SELECT split_part(target_key, '/', 1) AS h, count(*) AS n FROM backlinks "
        "WHERE is_internal = false AND is_lost = false GROUP BY h ORDER BY n DESC, h"
    ).fetchall()
    rng = random.Random(7)
    sizes = {}
    for name, low, high in (("small", 50, 500), ("medium", 5_000, 50_000)):
        pool = [h for h in hosts if low <= h[1] <= high]
        sizes[name] = rng.sample(pool, min(10, len(pool)))
    sizes["huge"] = hosts[:3]
    for name, chosen in sizes.items():
        counts = sorted(n for _, n in chosen)
        print(f"  {name:6} targets: {len(chosen)}, live backlinks {counts[0]:,}-{counts[-1]:,}")
    return {name: [(host_of_key(h), h) for h, _ in chosen] for name, chosen in sizes.items()}


def key_range(key_host):
    return [f"{key_host}/", f"{key_host}0"]


def api_path(endpoint, params, host):
    query = {"target": host, "mode": "domain", "history": "live", "limit": "100", "output": "json"}
    query.update(params)
    return f"/v3/site-explorer/{endpoint}?" + urllib.parse.urlencode(query)


class Api:
    def __init__(self, base):
        url = urllib.parse.urlparse(base)
        self.conn = http.client.HTTPConnection(url.hostname, url.port, timeout=120)

    def get(self, path):
        started = time.perf_counter()
        self.conn.request("GET", path, headers={"Cache-Control": "no-cache"})
        response = self.conn.getresponse()
        body = response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}: {body[:300]!r}")
        return elapsed, json.loads(body)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def latency(con, api, targets, rounds):
    print(f"\n{'query class':38} {'size':7} {'anchorage p50/p99 ms':>22} "
          f"{'duckdb p50/p99 ms':>20} {'p50 ratio':>10}")
    results = []
    for name, (endpoint, params), sql in CLASSES:
        for size, chosen in targets.items():
            a_times, d_times = [], []
            for _ in range(rounds):
                for host, key_host in chosen:
                    elapsed, body = api.get(api_path(endpoint, params, host))
                    a_times.append(elapsed)
                    started = time.perf_counter()
                    rows = con.execute(sql, key_range(key_host)).fetchall()
                    d_times.append(time.perf_counter() - started)
                    got = len(next(iter(body.values())))
                    if got != len(rows):
                        print(f"  note: {name} {host}: anchorage {got} rows, duckdb {len(rows)}",
                              file=sys.stderr)
            a50, a99 = percentile(a_times, 50) * 1e3, percentile(a_times, 99) * 1e3
            d50, d99 = percentile(d_times, 50) * 1e3, percentile(d_times, 99) * 1e3
            results.append((name, size, a50, a99, d50, d99))
            print(f"{name:38} {size:7} {a50:10.1f} / {a99:8.1f} {d50:9.1f} / {d99:8.1f} "
                  f"{a50 / d50:10.2f}")
    return results


WRK_SCRIPT = """
local paths = {}
for line in io.lines(os.getenv("BENCH_PATHS")) do paths[#paths + 1] = line end
local i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i], {["Cache-Control"] = "no-cache"})
end
"""


def throughput(con, base, targets, seconds, wrk):
    endpoint, params = CLASSES[0][1]
    paths = [api_path(endpoint, params, host) for host, _ in targets["small"]]
    with tempfile.TemporaryDirectory() as tmp:
        paths_file = os.path.join(tmp, "paths.txt")
        script = os.path.join(tmp, "paths.lua")
        with open(paths_file, "w") as f:
            f.write("\n".join(paths) + "\n")
        with open(script, "w") as f:
            f.write(WRK_SCRIPT)
        out = subprocess.run(
            [wrk, "-t2", "-c64", f"-d{seconds}s", "--latency", "-s", script, base],
            env={**os.environ, "BENCH_PATHS": paths_file},
            capture_output=True, text=True, check=True,
        ).stdout
    anchorage_rps = float(next(l.split()[1] for l in out.splitlines()
                               if l.startswith("Requests/sec")))
    errors = sum(int(l.split()[-1]) for l in out.splitlines()
                 if l.strip().startswith("Non-2xx"))
    socket_errors = next((l.strip() for l in out.splitlines() if "Socket errors" in l), "none")

    sql = CLASSES[0][2]
    ranges = [key_range(k) for _, k in targets["small"]]
    done = [0, 0]
    stop = time.perf_counter() + seconds

    def worker(slot):
        cursor = con.cursor()
        i = slot
        while time.perf_counter() < stop:
            cursor.execute(sql, ranges[i % len(ranges)]).fetchall()
            done[slot] += 1
            i += 1

    threads = [threading.Thread(target=worker, args=(s,)) for s in range(2)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    duck_rps = sum(done) / (time.perf_counter() - started)
    print(f"\nrequests/s, all-backlinks on small targets ({seconds} s each):")
    print(f"  anchorage (wrk, 64 connections): {anchorage_rps:8.1f}/s, non-2xx: {errors}, "
          f"socket errors: {socket_errors}")
    print(f"  duckdb (2 threads, in-process):  {duck_rps:8.1f}/s")
    print(f"  ratio anchorage / duckdb: {anchorage_rps / duck_rps:.2f}x")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("generation")
    parser.add_argument("base_url")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--wrk", default="wrk")
    args = parser.parse_args()
    con, _ = load_duckdb(args.generation)
    targets = pick_targets(con)
    api = Api(args.base_url)
    # Warm both sides once (file cache, DuckDB buffers), untimed.
    for _, (endpoint, params), sql in CLASSES:
        host, key_host = targets["huge"][0]
        api.get(api_path(endpoint, params, host))
        con.execute(sql, key_range(key_host)).fetchall()
    latency(con, api, targets, args.rounds)
    throughput(con, args.base_url, targets, args.seconds, args.wrk)


if __name__ == "__main__":
    main()
