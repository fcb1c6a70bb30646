#!/usr/bin/env bash
# Index build throughput on a web of 10M+ links: the synthetic web at scale (default 500:
# 20,000 sites, ~480k pages, ~12.5M links) is written as WARC, ingested, then built from the
# log (links/s = links in the log / wall seconds, peak memory, and each phase's end from the
# build's log). Then a recrawl of PERCENT of the sites (epoch 1, default 10 %) is ingested
# into a copy and built twice: incrementally (resumed from the full build's replay checkpoint,
# the default) and with --full, in the same run. With --prior-epochs N, epochs 1..N are
# whole recrawls ingested before the first build (a log with history: a full replay reads all
# of it, an incremental one the checkpoint and the new segment) and the partial recrawl is
# epoch N+1.
# The PageRank comparison with webgraph-rs on cnr-2000 is `cargo bench -p anchorage-rank`.
#
#   bench/build.sh [--scale N] [--work DIR] [--bin PATH] [--recrawl-percent PERCENT]
#                  [--prior-epochs N]
#
# WORK (default target/bench-build) keeps the WARC and data between runs; delete it to start
# over. Needs /usr/bin/time (Debian package `time`).
set -euo pipefail
cd "$(dirname "$0")/.."
scale=500 work=target/bench-build bin="" percent=10 prior=0
while [ $# -gt 0 ]; do
  case "$1" in
    --scale) scale="$2"; shift ;;
    --work) work="$2"; shift ;;
    --bin) bin="$2"; shift ;;
    --recrawl-percent) percent="$2"; shift ;;
    --prior-epochs) prior="$2"; shift ;;
    *) sed -n '2,18p' "$0" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$bin" ]; then
  cargo build --release -q
  bin=target/release/anchorage
fi
mkdir -p "$work"
data="$work/data-$scale-e$prior"

timed() { # label, command...: runs it under /usr/bin/time, prints wall seconds and peak MB
  local label="$1"; shift
  /usr/bin/time -f '%e %M' -o "$work/time" "$@" >"$work/out" 2>"$work/err" || { cat "$work/err" >&2; exit 1; }
  read -r wall kb <"$work/time"
  printf '%-34s %8.1f s %8.0f MB peak   %s\n' "$label" "$wall" "$((kb / 1024))" "$(tail -1 "$work/out")"
}

if [ ! -d "$data/log" ]; then
  : >"$data.links"
  for epoch in $(seq 0 "$prior"); do
    warc="$work/web-$scale-e$epoch.warc.gz"
    [ -f "$warc" ] || timed "synth (epoch $epoch, scale $scale)" "$bin" synth --scale "$scale" --epoch "$epoch" "$warc"
    timed "ingest epoch $epoch" "$bin" ingest --data-dir "$data" "$warc"
    sed -n 's/.*pages, \([0-9]*\) links.*/\1/p' "$work/out" >>"$data.links"
  done
  mv "$data.links" "$data/links-in-log"
fi
rm -rf "$data/generations" "$data/CURRENT" "$data"/log/tmp/*.building
links=$(awk '{ s += $1 } END { print s }' "$data/links-in-log")

phases() { # started: the build's phases from its log, seconds since the start at the end of each
  python3 - "$1" "$work/err" <<'PY'
import datetime, re, sys
started = float(sys.argv[1])
for line in open(sys.argv[2], encoding="utf-8", errors="replace"):
    line = re.sub(r"\x1b\[[0-9;]*m", "", line)
    m = re.match(r"(\S+)Z\s+INFO \S+: (.*)", line)
    if m:
        at = datetime.datetime.fromisoformat(m[1]).replace(tzinfo=datetime.timezone.utc)
        print(f"  {at.timestamp() - started:7.1f} s  {m[2][:110]}")
PY
}

build() { # label, links, build arguments...: a timed build with its phases and links/s
  local label="$1" n="$2"; shift 2
  local started; started=$(date +%s.%N)
  ANCHORAGE_LOG=info timed "$label ($n links)" "$bin" build "$@"
  phases "$started"
  echo "$label: $(awk -v l="$n" -v s="$(cut -d' ' -f1 "$work/time")" 'BEGIN { printf "%.0f", l / s }') links/s"
}

build "full build" "$links" --data-dir "$data"

recrawl_epoch=$((prior + 1))
warc1="$work/web-$scale-e$recrawl_epoch-p$percent.warc.gz"
[ -f "$warc1" ] || timed "synth (epoch $recrawl_epoch, $percent % of sites)" "$bin" synth --scale "$scale" --epoch "$recrawl_epoch" --sites-percent "$percent" "$warc1"
recrawl="$data-recrawl"
rm -rf "$recrawl"
cp -a "$data" "$recrawl"
timed "ingest the recrawl" "$bin" ingest --data-dir "$recrawl" "$warc1"
total=$((links + $(sed -n 's/.*pages, \([0-9]*\) links.*/\1/p' "$work/out")))
build "incremental build" "$total" --data-dir "$recrawl"
build "full build, same log" "$total" --data-dir "$recrawl" --full
