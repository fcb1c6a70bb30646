#!/usr/bin/env bash
# Runs every fuzz target for SECONDS each (default 600), one after the other, and copies any
# crash, timeout or out-of-memory input into the crate's tests/fuzz_regressions/ folder, where
# `cargo test` replays it. Exits 1 when a target found something.
#
#   fuzz/run.sh [SECONDS]
#
# Needs cargo-fuzz (`cargo install cargo-fuzz`). libFuzzer and the sanitizer need unstable
# rustc flags: the nightly toolchain is used when rustup has one, otherwise the stable one
# with RUSTC_BOOTSTRAP=1 (no download needed).
set -euo pipefail

seconds="${1:-600}"
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -eq 0 ]; then
    echo "usage: $0 [SECONDS per target, default 600]" >&2
    exit 2
fi

fuzz_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(dirname "$fuzz_dir")"
# The shared real test data lives beside the checkout (see ../shared/testdata/SOURCES.md).
testdata="$(dirname "$root")/shared/testdata"

if ! cargo fuzz --version >/dev/null 2>&1; then
    echo "cargo-fuzz is missing: cargo install cargo-fuzz" >&2
    exit 2
fi
toolchain=()
if rustup toolchain list 2>/dev/null | grep -q '^nightly'; then
    toolchain=(+nightly)
else
    echo "no nightly toolchain: using stable with RUSTC_BOOTSTRAP=1"
    export RUSTC_BOOTSTRAP=1
fi

# target name → where its regression inputs are replayed from, and the largest input tried:
# HTML bugs show in a few KB; archives need room for a record or two of a real WARC.
declare -A regressions=(
    [extract]="$root/crates/extract/tests/fuzz_regressions"
    [acquire]="$root/crates/acquire/tests/fuzz_regressions"
)
declare -A max_len=([extract]=16384 [acquire]=65536)

# The corpus grows in fuzz/corpus/TARGET (gitignored) from the seeds kept in fuzz/seeds and,
# for the archive reader, the small real WARCs of the shared test data.
seed_corpus() {
    local target="$1" corpus="$fuzz_dir/corpus/$1"
    mkdir -p "$corpus"
    cp -n "$fuzz_dir/seeds/$target"/* "$corpus"/ 2>/dev/null || true
    if [ "$target" = acquire ] && [ -d "$testdata/warc" ]; then
        find "$testdata/warc" -type f -size -64k -exec cp -n {} "$corpus"/ \;
    fi
}

cd "$fuzz_dir"
# The fuzz workspace builds the crates with the main workspace's dependency versions.
cp "$root/Cargo.lock" "$fuzz_dir/Cargo.lock"
found=0
summary=()
for target in extract acquire; do
    seed_corpus "$target"
    artifacts="$fuzz_dir/artifacts/$target"
    mkdir -p "$artifacts"
    log="$artifacts/last-run.log"
    echo "== fuzzing $target for ${seconds}s (log: ${log#"$root"/})"
    status=0
    # One job, one core: the targets run one after the other, never side by side.
    cargo "${toolchain[@]}" fuzz run "$target" "corpus/$target" -- \
        -max_total_time="$seconds" -max_len="${max_len[$target]}" -timeout=30 \
        -rss_limit_mb=4096 -print_final_stats=1 -artifact_prefix="$artifacts/" \
        >"$log" 2>&1 || status=$?
    execs="$(grep -Eo 'stat::number_of_executed_units: *[0-9]+' "$log" | grep -Eo '[0-9]+$' | tail -1 || true)"
    cov="$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$log" | tail -1 || true)"
    new_inputs=0
    mkdir -p "${regressions[$target]}"
    for input in "$artifacts"/crash-* "$artifacts"/timeout-* "$artifacts"/oom-* "$artifacts"/leak-*; do
        [ -e "$input" ] || continue
        cp -n "$input" "${regressions[$target]}/"
        new_inputs=$((new_inputs + 1))
        echo "   saved $(basename "$input") → ${regressions[$target]#"$root"/}/"
    done
    if [ "$status" -ne 0 ] || [ "$new_inputs" -gt 0 ]; then
        found=1
        echo "   $target stopped with status $status; the end of its log:"
        tail -n 40 "$log" | sed 's/^/   | /'
    fi
    summary+=("$target: ${execs:-?} executions in ${seconds}s, ${cov:-coverage n/a}, exit $status, inputs saved $new_inputs")
done

echo "== summary"
printf '%s\n' "${summary[@]}"
exit "$found"
