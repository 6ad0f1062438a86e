#!/usr/bin/env bash
# Reading published PDFs: budgetkit (PDF → JSON) beside `pdftotext -layout` on the same files.
# Usage: tools/bench/pdf.sh [PDF...]     (default: tests/data/pdf/*.pdf)
# Prints pages per second (all files, RUNS runs, the median) and the peak memory of each.
# Environment: BUILD_DIR (default build), BK, RUNS (default 5).
set -euo pipefail
BUILD_DIR=${BUILD_DIR:-build}
BK=${BK:-$BUILD_DIR/tools/budgetkit}
RUNS=${RUNS:-5}
[ -x "$BK" ] || { echo "pdf.sh: $BK is not built" >&2; exit 2; }
command -v pdftotext >/dev/null || { echo "pdf.sh: pdftotext is missing (poppler-utils)" >&2; exit 2; }
command -v pdfinfo >/dev/null || { echo "pdf.sh: pdfinfo is missing (poppler-utils)" >&2; exit 2; }
[ -x /usr/bin/time ] || { echo "pdf.sh: /usr/bin/time is missing (Debian package: time)" >&2; exit 2; }
[ $# -gt 0 ] || set -- tests/data/pdf/*.pdf
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

pages=0
for f in "$@"; do
    pages=$((pages + $(pdfinfo "$f" | sed -n 's/^Pages: *//p')))
done

# one_pass NAME: every file once; prints "SECONDS PEAK-KIB FAILED" (the largest peak).
one_pass() {
    local name=$1 f t0 t1 peak=0 kib failed=0
    t0=$(date +%s%N)
    for f in "${files[@]}"; do
        case $name in
        budgetkit) /usr/bin/time -f %M -o "$work/mem" "$BK" convert "$f" "$work/out.json" \
                       2>/dev/null >/dev/null || failed=$((failed + 1)) ;;
        pdftotext) /usr/bin/time -f %M -o "$work/mem" pdftotext -layout "$f" "$work/out.txt" ;;
        esac
        kib=$(tail -1 "$work/mem")
        [ "$kib" -gt "$peak" ] && peak=$kib
    done
    t1=$(date +%s%N)
    echo "$(( (t1 - t0) / 1000 )) $peak $failed"
}

files=("$@")
printf '%d files, %d pages, %d runs (median)\n' "$#" "$pages" "$RUNS"
printf '%-12s %12s %12s %s\n' tool pages/s peak-MiB note
for tool in budgetkit pdftotext; do
    results=()
    for _ in $(seq "$RUNS"); do results+=("$(one_pass $tool)"); done
    med=$(printf '%s\n' "${results[@]}" | sort -n | sed -n "$(( (RUNS + 1) / 2 ))p")
    read -r us peak failed <<<"$med"
    note=""
    [ "$failed" -gt 0 ] && note="($failed of $# stopped at the layout engine: no layout for them yet)"
    awk -v p="$pages" -v us="$us" -v k="$peak" -v t="$tool" -v n="$note" \
        'BEGIN { printf "%-12s %12.1f %12.1f %s\n", t, p / (us / 1e6), k / 1024, n }'
done
