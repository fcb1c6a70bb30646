#!/usr/bin/env bash
# Crawl throughput: `anchorage crawl` beside Scrapy on the nine documentation sites of
# ../shared/scripts/get-doc-sites.sh, served by nginx (Debian package) on 127.0.0.1 over http
# and https (nginx-doc-sites.sh), in the same run, with the same limits: the seeds'
# directories in scope, 64 requests in flight (64 per host), no delay, no retries,
# robots.txt obeyed, 16 MiB per response. Prints pages, seconds, pages/s and peak memory
# (/usr/bin/time -v) of both, and the ratio.
#
#   bench/crawl.sh            (needs root for ports 80/443, nginx, openssl, python3)
#
# Env: ANCHORAGE_DOC_SITES_DIR (default target/doc-sites, downloaded on first use),
# ANCHORAGE_BIN (default target/release/anchorage, built if missing), SKIP_SCRAPY=1.
# Scrapy is installed from PyPI into bench/.venv-scrapy.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SITES_DIR=${ANCHORAGE_DOC_SITES_DIR:-$ROOT/target/doc-sites}
BIN=${ANCHORAGE_BIN:-$ROOT/target/release/anchorage}
WORK=$(mktemp -d /tmp/anchorage-crawl-bench.XXXX)

command -v nginx >/dev/null || test -x /usr/sbin/nginx || { echo "nginx missing: apt-get install nginx openssl" >&2; exit 1; }
command -v /usr/bin/time >/dev/null || { echo "/usr/bin/time missing: apt-get install time" >&2; exit 1; }
if [ ! -f "$SITES_DIR/sites.txt" ]; then
  sh ../shared/scripts/get-doc-sites.sh "$SITES_DIR" || { apt-get update -qq; sh ../shared/scripts/get-doc-sites.sh "$SITES_DIR"; }
fi
# The whole workspace with one feature set (see README, "Build time").
[ -x "$BIN" ] || cargo build --release --workspace

NGINX=$(sh ../shared/scripts/nginx-doc-sites.sh "$SITES_DIR/sites.txt")
NGINX_PID=$(echo "$NGINX" | sed -n 1p)
CA=$(echo "$NGINX" | sed -n 2p)
trap 'kill "$NGINX_PID" 2>/dev/null || true; rm -rf "$WORK"' EXIT

SEEDS=()
RESOLVE=()
while read -r site _dir entry; do
  [ -n "$site" ] || continue
  host=${site%%/*}
  prefix=${site#"$host"}
  SEEDS+=("https://$host${entry:-$prefix/}")
  RESOLVE+=(--resolve "$host:127.0.0.1")
done < "$SITES_DIR/sites.txt"

peak_mb() { awk -F': ' '/Maximum resident set size/ {printf "%.0f", $2 / 1024}' "$1"; }
wall_s() { awk -F': ' '/Elapsed \(wall clock\)/ {n = split($2, t, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + t[i]; printf "%.1f", s}' "$1"; }

echo "== anchorage crawl (${#SEEDS[@]} seeds, politeness off)"
/usr/bin/time -v -o "$WORK/anchorage.time" "$BIN" crawl --data-dir "$WORK/anchorage-data" \
  --scope seeds --ca-cert "$CA" "${RESOLVE[@]}" \
  --concurrency 64 --per-host 64 --delay 0 --ignore-crawl-delay --max-body $((16 * 1024 * 1024)) \
  "${SEEDS[@]}" | tee "$WORK/anchorage.out"
A_PAGES=$(sed -n 's/^crawled \([0-9]*\) pages.*/\1/p' "$WORK/anchorage.out")
A_SECS=$(wall_s "$WORK/anchorage.time")
A_MB=$(peak_mb "$WORK/anchorage.time")

if [ "${SKIP_SCRAPY:-}" != 1 ]; then
  VENV=$ROOT/bench/.venv-scrapy
  [ -x "$VENV/bin/scrapy" ] || { python3 -m venv "$VENV" && "$VENV/bin/pip" install -q 'scrapy>=2.11,<3'; }
  echo "== Scrapy $("$VENV/bin/python" -c 'import scrapy; print(scrapy.__version__)') (same seeds and limits)"
  /usr/bin/time -v -o "$WORK/scrapy.time" "$VENV/bin/python" bench/scrapy_doc_sites.py "$WORK/scrapy.json" "${SEEDS[@]}"
  S_PAGES=$("$VENV/bin/python" -c "import json; print(json.load(open('$WORK/scrapy.json'))['pages'])")
  S_SECS=$(wall_s "$WORK/scrapy.time")
  S_MB=$(peak_mb "$WORK/scrapy.time")
fi

echo
printf '%-10s %8s %9s %9s %12s\n' tool pages seconds pages/s "peak MB"
rate() { awk -v p="$1" -v s="$2" 'BEGIN { printf "%.1f", p / s }'; }
printf '%-10s %8s %9s %9s %12s\n' anchorage "$A_PAGES" "$A_SECS" "$(rate "$A_PAGES" "$A_SECS")" "$A_MB"
if [ "${SKIP_SCRAPY:-}" != 1 ]; then
  printf '%-10s %8s %9s %9s %12s\n' scrapy "$S_PAGES" "$S_SECS" "$(rate "$S_PAGES" "$S_SECS")" "$S_MB"
  echo "ratio (pages/s, anchorage / scrapy): $(awk -v a="$(rate "$A_PAGES" "$A_SECS")" -v b="$(rate "$S_PAGES" "$S_SECS")" 'BEGIN { printf "%.1f", a / b }')x"
fi
