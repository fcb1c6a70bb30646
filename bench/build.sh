#!/usr/bin/env bash
# Index build throughput on a web of 10M+ links: the synthetic web at scale (default 500:
# 20,000 sites, ~480k pages, ~12.5M links) is written as WARC, ingested, then built from the
# log (links/s = links in the log / wall seconds, peak memory, and each phase's end from the
# build's log). Builds are full rebuilds: incremental builds are not implemented yet (README,
# known gaps).
# The PageRank comparison with webgraph-rs on cnr-2000 is `cargo bench -p anchorage-rank`.
#
#   bench/build.sh [--scale N] [--work DIR] [--bin PATH]
#
# WORK (default target/bench-build) keeps the WARC and data between runs; delete it to start
# over. Needs /usr/bin/time (Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
scale=500 work=target/bench-build bin=""
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale="$2"; shift ;;
    --work) work="$2"; shift ;;
    --bin) bin="$2"; shift ;;
    *) sed -n '2,12p' "$0" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$bin" ]; then
  cargo build --release -q
  bin=target/release/anchorage
fi
mkdir -p "$work"
data="$work/data-$scale"
warc0="$work/web-$scale-e0.warc.gz"

timed() { # label, command...: runs it under /usr/bin/time, prints wall seconds and peak MB
  local label="$1"; shift
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r wall kb <"$work/time"
  printf '%-34s %8.1f s %8.0f MB peak   %s\n' "$label" "$wall" "$((kb / 1024))" "$(tail -1 "$work/out")"
}

[ -f "$warc0" ] || timed "synth (epoch 0, scale $scale)" "$bin" synth --scale "$scale" "$warc0"
if [ ! -d "$data/log" ]; then
  timed "ingest epoch 0" "$bin" ingest --data-dir "$data" "$warc0"
  sed -n 's/.*pages, \([0-9]*\) links.*/\1/p' "$work/out" >"$data/links-in-log"
fi
rm -rf "$data/generations" "$data/CURRENT" "$data"/log/tmp/*.building
links=$(cat "$data/links-in-log")
started=$(date +%s.%N)
ANCHORAGE_LOG=info timed "full build ($links links)" "$bin" build --data-dir "$data"
# The build's phases from its log: seconds since the start at the end of each.
python3 - "$started" "$work/err" <<'PY'
import datetime, re, sys
started = float(sys.argv[1])
for line in open(sys.argv[2], encoding="utf-8", errors="replace"):
    line = re.sub(r"\x1b\[[0-9;]*m", "", line)
    m = re.match(r"(\S+)Z\s+INFO \S+: (.*)", line)
    if m:
        at = datetime.datetime.fromisoformat(m[1]).replace(tzinfo=datetime.timezone.utc)
        print(f"  {at.timestamp() - started:7.1f} s  {m[2][:110]}")
PY
full_s=$(cut -d' ' -f1 "$work/time")
echo "full build: $(awk -v l="$links" -v s="$full_s" 'BEGIN { printf "%.0f", l / s }') links/s"
