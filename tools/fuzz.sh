#!/bin/bash
# Run every libFuzzer target for SECONDS each and report executions, speed and coverage.
#
#   tools/fuzz.sh [SECONDS] [TARGET...]
#
# SECONDS defaults to 60. TARGET names a target without its fuzz_ prefix (decimal, templates,
# json, xml, archive, csv_lines, csv_wide, xlsx, validate, words); the default is every target
# the build has.
#
# The first run configures a clang build with -DBK_FUZZ=ON -DBK_SANITIZE=ON in build-fuzz/
# (BK_FUZZ_BUILD_DIR to change it); later runs rebuild it incrementally. Corpora live in
# fuzz-out/corpus/TARGET (BK_FUZZ_OUT to change the folder), seeded from samples/ and
# samples/invalid/, and grow from run to run. A crash, hang or leak is written to
# fuzz-out/crashes/TARGET/ and makes the script exit 1; turn each one into a regression case
# (tests/fuzz/regressions/FORMAT/) once it is understood.
#
# Extra libFuzzer flags can be given in BK_FUZZ_FLAGS (e.g. "-jobs=2 -workers=2"). An input
# that takes more than BK_FUZZ_TIMEOUT seconds (default 2) is reported as a finding: slow
# inputs (quadratic work) are bugs too. Inputs grow to BK_FUZZ_MAX_LEN bytes (default 16384),
# room for the repetition (many keys, units, rows, attributes) that makes such work show; each
# target has a dictionary (tests/fuzz/TARGET.dict) with whole repeated members for it.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BK_FUZZ_BUILD_DIR:-$root/build-fuzz}
out=${BK_FUZZ_OUT:-$root/fuzz-out}
seconds=${1:-60}
shift || true

case $seconds in
'' | *[!0-9]*)
    echo "usage: tools/fuzz.sh [SECONDS] [TARGET...]   (SECONDS per target, a whole number)" >&2
    exit 2
    ;;
esac
if [ "$seconds" -eq 0 ]; then
    echo "tools/fuzz.sh: SECONDS must be at least 1" >&2
    exit 2
fi

# ---- build ----
mkdir -p "$out"
if [ ! -f "$build/CMakeCache.txt" ]; then
    echo "== configuring a fuzzing build in $build"
    cmake -S "$root" -B "$build" -DCMAKE_C_COMPILER="${BK_FUZZ_CC:-clang}" \
        -DBK_FUZZ=ON -DBK_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
        -DCMAKE_C_FLAGS_DEBUG="-O1 -g" >"$out/configure.log" 2>&1 || {
        cat "$out/configure.log" >&2
        echo "tools/fuzz.sh: cannot configure the fuzzing build" >&2
        exit 2
    }
fi
echo "== building the fuzz targets"
unbuilt=()
if ! cmake --build "$build" --target fuzz -j "${BK_FUZZ_JOBS:-2}" >"$out/build.log" 2>&1; then
    # One plugin that does not compile must not stop the others from being fuzzed; the run
    # still fails at the end.
    echo "tools/fuzz.sh: not every fuzz target builds (log: $out/build.log); building one by one" >&2
    grep -E 'error:' "$out/build.log" | head -10 >&2 || true
    for t in $(cmake --build "$build" --target help | sed -n 's/^\.\.\. \(fuzz_[a-z_]*\).*/\1/p'); do
        if ! cmake --build "$build" --target "$t" -j "${BK_FUZZ_JOBS:-2}" >>"$out/build.log" 2>&1; then
            unbuilt+=("$t")
            rm -f "$build/fuzz/$t"
        fi
    done
fi

# ---- targets ----
if [ $# -gt 0 ]; then
    targets=("$@")
else
    targets=()
    for bin in "$build"/fuzz/fuzz_*; do
        [ -x "$bin" ] && targets+=("$(basename "$bin" | sed 's/^fuzz_//')")
    done
fi
if [ ${#targets[@]} -eq 0 ]; then
    echo "tools/fuzz.sh: no fuzz target was built in $build/fuzz" >&2
    exit 2
fi

mkdir -p "$out/corpus" "$out/crashes" "$out/logs"

# Seed files of a target: samples with the target's extensions, broken ones included, and the
# inputs kept from earlier crashes.
seed_files() {
    local regress=$root/tests/fuzz/regressions
    case $1 in
    json | validate) find "$root/samples" "$regress/json" -type f -name '*.json' 2>/dev/null ;;
    xml) find "$root/samples" "$regress/xml" -type f -name '*.xml' 2>/dev/null ;;
    archive) find "$root/samples" "$regress/archive" -type f -name '*.zip' 2>/dev/null ;;
    csv_lines | csv_wide) find "$root/samples" "$regress/csv" -type f -name '*.csv' 2>/dev/null ;;
    xlsx) find "$root/samples" "$root/tests/xlsx" "$regress/xlsx" -type f \( -name '*.xlsx' -o -name '*.xls' \) 2>/dev/null ;;
    templates) find "$root/formats/layouts" -type f -name '*.json' ;;
    esac
}

# The decimal target reads a flag byte then text: seed it with every figure of the samples
# under each combination of flags.
seed_decimal() {
    local dir=$1 i=0 flags figure
    {
        grep -ohE '"-?[0-9][0-9,.]*"' "$root"/samples/*/*.json 2>/dev/null | tr -d '"' | sort -u |
            head -200
        printf '%s\n' '4,115.36' '-217.70' '１２３．４５' '  332  ' '0.000000000000000001' \
            '9223372036854775807' '-9223372036854775807' '1e400' 'NaN' '--5' '+7' '.5' '5.'
    } | while IFS= read -r figure; do
        for flags in 0 1 2 4 7 15; do
            i=$((i + 1))
            printf "\\x$(printf %02x "$flags")%s" "$figure" >"$dir/seed-$i"
        done
    done
}

# The words target reads a mode byte: 1 = layout text follows. Seed it with the text samples
# and a layout text made from the real PDFs when pdftotext is there.
seed_words() {
    local dir=$1 f i=0
    for f in "$root"/tests/data/text/*.txt "$root"/samples/invalid/text/*.txt; do
        i=$((i + 1))
        { printf '\x01'; cat "$f"; } >"$dir/seed-text-$i"
    done
    if command -v pdftotext >/dev/null; then
        for f in "$root"/tests/data/pdf/*.pdf; do
            i=$((i + 1))
            { printf '\x01'; pdftotext -layout "$f" - | head -c 65536; } >"$dir/seed-text-$i"
        done
    fi
}

seed() {
    local name=$1 dir=$2 f n
    if [ "$name" = words ]; then
        [ -n "$(ls -A "$dir")" ] || seed_words "$dir"
        return
    fi
    if [ "$name" = decimal ]; then
        [ -n "$(ls -A "$dir")" ] || seed_decimal "$dir"
        return
    fi
    while IFS= read -r f; do
        n=seed-$(printf '%s' "${f#"$root"/}" | tr '/' '_')
        [ -e "$dir/$n" ] || cp "$f" "$dir/$n"
    done < <(seed_files "$name")
}

# "stat::average_exec_per_sec: 1234" → 1234
final_stat() { sed -n "s/^stat::$1: *//p" "$2" | tail -1; }

summary=()
failed=0
for t in "${unbuilt[@]}"; do
    summary+=("$(printf '%-14s does not build (see %s)' "$t" "$out/build.log")")
    failed=1
done
for name in "${targets[@]}"; do
    bin=$build/fuzz/fuzz_$name
    if [ ! -x "$bin" ]; then
        echo "tools/fuzz.sh: no target fuzz_$name in $build/fuzz" >&2
        exit 2
    fi
    corpus=$out/corpus/$name
    crashes=$out/crashes/$name
    log=$out/logs/$name.log
    mkdir -p "$corpus" "$crashes"
    seed "$name" "$corpus"
    dict=()
    words=$root/tests/fuzz/$name.dict
    [ "$name" = validate ] && words=$root/tests/fuzz/json.dict
    [ -f "$words" ] && dict=(-dict="$words")
    echo "== fuzz_$name for ${seconds}s ($(find "$corpus" -type f | wc -l) corpus files)"
    status=0
    # shellcheck disable=SC2086
    "$bin" -max_total_time="$seconds" -timeout="${BK_FUZZ_TIMEOUT:-2}" \
        -max_len="${BK_FUZZ_MAX_LEN:-16384}" -rss_limit_mb=2048 -print_final_stats=1 \
        -artifact_prefix="$crashes/" "${dict[@]}" ${BK_FUZZ_FLAGS:-} "$corpus" >"$log" 2>&1 ||
        status=$?
    runs=$(final_stat number_of_executed_units "$log")
    speed=$(final_stat average_exec_per_sec "$log")
    last=$(grep -E '^#[0-9]+' "$log" | tail -1 || true)
    cov=$(printf '%s' "$last" | sed -n 's/.*cov: \([0-9]*\).*/\1/p')
    ft=$(printf '%s' "$last" | sed -n 's/.*ft: \([0-9]*\).*/\1/p')
    result=ok
    if [ "$status" -ne 0 ]; then
        failed=1
        artifact=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" | tail -1)
        kind=$(grep -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer): [a-z-]+|runtime error|ERROR: libFuzzer: timeout' "$log" | head -1 || true)
        result="FAILED (exit $status${kind:+, $kind}) ${artifact:-see $log}"
        grep -E 'ERROR|runtime error|SUMMARY|^    #[0-9]' "$log" | head -25 >&2 || true
    fi
    summary+=("$(printf '%-14s %6ss %12s runs %8s exec/s  cov %-6s ft %-7s %s' "fuzz_$name" "$seconds" \
        "${runs:-?}" "${speed:-?}" "${cov:-?}" "${ft:-?}" "$result")")
done

echo
echo "== summary (logs in $out/logs)"
printf '%s\n' "${summary[@]}"
exit $failed
