#!/usr/bin/env bash
# The budgetkit benchmark: bulk conversion and validation beside a peer tool on the same input.
# Usage: tools/bench/run.sh [CELLS...]        (default 1000000; see tools/bench/README.md)
set -euo pipefail

usage() {
    cat <<'EOF'
Usage: tools/bench/run.sh [CELLS...]
Generate a bulk submission of about CELLS cells (default 1000000), convert it with budgetkit
into line-item CSV, XML, a folder of documents and an archive, then time each budgetkit job
beside its peer on the same input files. Give several sizes to see how the cost scales.

Environment:
  BUILD_DIR  the build tree (default: build); BK and BULKGEN default to the programs in it
  BK         the budgetkit program
  BULKGEN    the bulk generator (budgetkit-bulkgen)
  RUNS       runs per job, the median is shown (default 3)
  SEED       the generator's seed (default 1)
  WORK       folder for the files (default: a new temporary folder, removed at the end)
  KEEP=1     keep WORK
EOF
}

for a in "$@"; do
    case "$a" in
    -h | --help) usage; exit 0 ;;
    *[!0-9]* | '') echo "run.sh: '$a' is not a number of cells" >&2; exit 2 ;;
    esac
done
[ $# -gt 0 ] || set -- 1000000

BUILD_DIR=${BUILD_DIR:-build}
BK=${BK:-$BUILD_DIR/tools/budgetkit}
BULKGEN=${BULKGEN:-$BUILD_DIR/tools/bench/budgetkit-bulkgen}
RUNS=${RUNS:-3}
SEED=${SEED:-1}

for prog in "$BK" "$BULKGEN"; do
    [ -x "$prog" ] || { echo "run.sh: $prog is not built (set BUILD_DIR, BK or BULKGEN)" >&2; exit 2; }
done
[ -x /usr/bin/time ] || { echo "run.sh: /usr/bin/time is missing (Debian package: time)" >&2; exit 2; }
have() { command -v "$1" >/dev/null 2>&1; }
have mlr || echo "run.sh: mlr is missing (Debian package: miller); its columns stay empty" >&2
have xmllint || echo "run.sh: xmllint is missing (Debian package: libxml2-utils)" >&2
# The workbook peer is openpyxl, run by Debian's python (python3-openpyxl).
if /usr/bin/python3 -c 'import openpyxl' 2>/dev/null; then
    openpyxl() { /usr/bin/python3 "$@"; }
else
    echo "run.sh: openpyxl is missing (Debian package: python3-openpyxl)" >&2
fi
PEER_XLSX=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/openpyxl_peer.py
# The generic-engine peer is DuckDB through its Node.js API, installed into tools/bench/node
# by `BK_BENCH=1 tools/install-deps.sh`.
PEER_DUCKDB=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)/node/duckdb_peer.mjs
if have node && [ -d "$(dirname "$PEER_DUCKDB")/node_modules/@duckdb/node-api" ]; then
    duckdb() { node "$PEER_DUCKDB" "$@"; } # for `have`; the jobs run node themselves
else
    echo "run.sh: DuckDB is missing (BK_BENCH=1 tools/install-deps.sh installs it); its lines stay empty" >&2
fi

if [ -n "${WORK:-}" ]; then
    mkdir -p "$WORK"
else
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/bkbench.XXXXXX")
    [ "${KEEP:-0}" = 1 ] || trap 'rm -rf "$WORK"' EXIT
fi

# ---- measuring ------------------------------------------------------------------------------

# run_once OUT CMD...: run CMD with its output cleared first; prints
# "WALL-MICROSECONDS PEAK-KIB CPU-SECONDS STATUS".
run_once() {
    local out=$1
    shift
    rm -rf "$out"
    local t0 t1 status=0
    t0=$(date +%s%N)
    /usr/bin/time -f '%M %U %S' -o "$WORK/rss" "$@" >"$WORK/stdout" 2>"$WORK/stderr" || status=$?
    t1=$(date +%s%N)
    echo "$(((t1 - t0) / 1000)) $(tail -n 1 "$WORK/rss" | awk '{printf "%d %.2f", $1, $2 + $3}') $status"
}

# measure OUT OKSTATUS CMD...: RUNS runs; sets WALL (median seconds), CPU (user + system
# seconds of the median run), RSS (largest, MiB) and FAILED (the first line of the error when
# a run exited with another status than OKSTATUS).
measure() {
    local out=$1 ok=$2
    shift 2
    local times=() rss=0 r us kib cpu status
    FAILED=
    for ((r = 0; r < RUNS; r++)); do
        read -r us kib cpu status < <(run_once "$out" "$@")
        if [ "$status" != "$ok" ] && ! { [ "$ok" = any ] && [ "$status" -lt 2 ]; }; then
            FAILED="exit $status: $(grep -v '^Command exited' "$WORK/stderr" | head -n 1)"
            break
        fi
        times+=("$us $cpu")
        [ "$kib" -gt "$rss" ] && rss=$kib
    done
    if [ -n "$FAILED" ]; then
        WALL='' RSS='' CPU=''
        return
    fi
    read -r WALL CPU < <(printf '%s\n' "${times[@]}" | sort -n |
        awk '{v[NR] = $1; c[NR] = $2} END {m = int((NR + 1) / 2); printf "%.3f %.2f\n", v[m] / 1e6, c[m]}')
    RSS=$(awk -v k="$rss" 'BEGIN {printf "%.1f", k / 1024}')
}

size_of() { { du -cb "$@" 2>/dev/null || true; } | tail -n 1 | cut -f 1; }

# ---- reporting ------------------------------------------------------------------------------

header() {
    printf '%-18s %-10s %9s %8s %7s %8s %9s %8s  %s\n' job tool "input MB" "wall s" "cpu s" "MB/s" \
        "Mcells/s" "RSS MiB" "vs peer"
}

# row JOB TOOL BYTES CELLS WALL CPU RSS [RATIO TARGET]
row() {
    local job=$1 tool=$2 bytes=$3 cells=$4 wall=$5 cpu=$6 rss=$7 ratio=${8:-} target=${9:-}
    if [ -z "$wall" ]; then
        printf '%-18s %-10s %9s  %s\n' "$job" "$tool" "$(awk -v b="$bytes" 'BEGIN {printf "%.1f", b / 1e6}')" "FAILED ($FAILED)"
        return
    fi
    awk -v job="$job" -v tool="$tool" -v b="$bytes" -v c="$cells" -v w="$wall" -v cpu="$cpu" -v rss="$rss" \
        -v ratio="$ratio" -v target="$target" 'BEGIN {
        w1 = w > 0 ? w : 0.001
        vs = ""
        if (ratio != "") {
            vs = sprintf("%.2fx", ratio)
            if (target != "")
                vs = vs sprintf(" (target %sx: %s)", target, ratio + 0 >= target + 0 ? "met" : "MISSED")
        }
        if (tool == "budgetkit" && rss + 0 > 64)
            vs = vs " RSS over 64 MiB"
        printf "%-18s %-10s %9.1f %8.3f %7.2f %8.1f %9.3f %8.1f  %s\n", job, tool, b / 1e6, w, \
            cpu, b / 1e6 / w1, c / 1e6 / w1, rss, vs
    }'
}

ratio() { awk -v p="$1" -v b="$2" 'BEGIN {if (p == "" || b == "" || b + 0 == 0) print ""; else printf "%.4f", p / b}'; }

declare -A SUMMARY

# job NAME TARGET INPUTBYTES OUT OKSTATUS BK-CMD... [-- PEER PEERBYTES OUT PEER-CMD...]...
# OKSTATUS is the exit status a run must have ("any": 0 or 1, for validate). Each peer group
# names the peer program (skipped when it is not installed), the size of its input and its
# output; the first peer's ratio is the one the TARGET is set against.
job() {
    local name=$1 target=$2 bytes=$3 out=$4 ok=$5
    shift 5
    local bk=()
    while [ $# -gt 0 ] && [ "$1" != -- ]; do bk+=("$1"); shift; done
    measure "$out" "$ok" "${bk[@]}"
    local bk_wall=$WALL bk_cpu=$CPU bk_rss=$RSS bk_failed=$FAILED
    local peers=() first_wall='' first=1
    while [ $# -gt 0 ]; do
        shift
        local peer=$1 peer_bytes=$2 peer_out=$3 cmd=()
        shift 3
        while [ $# -gt 0 ] && [ "$1" != -- ]; do cmd+=("$1"); shift; done
        if have "$peer"; then
            measure "$peer_out" 0 "${cmd[@]}"
            [ "$first" = 1 ] && first_wall=$WALL
            peers+=("$peer|$peer_bytes|$WALL|$CPU|$RSS|$FAILED")
        fi
        first=0
    done
    FAILED=$bk_failed
    row "$name" budgetkit "$bytes" "$CELLS" "$bk_wall" "$bk_cpu" "$bk_rss" "$(ratio "$first_wall" "$bk_wall")" "$target"
    local p
    for p in "${peers[@]}"; do
        local peer peer_bytes wall cpu rss
        IFS='|' read -r peer peer_bytes wall cpu rss FAILED <<<"$p"
        row "" "$peer" "$peer_bytes" "$CELLS" "$wall" "$cpu" "$rss" "$(ratio "$wall" "$bk_wall")"
    done
    SUMMARY["$name"]+=" $CELLS:${bk_wall:-x}:${bk_cpu:-x}"
    LAST_WALL=$bk_wall
}

# threads NAME TARGET INPUTBYTES OUT OKSTATUS BK-CMD...: the job again with --jobs 2 (the
# command line ends with its output, so --jobs goes first); "vs peer" is then the --jobs 1
# line's wall time / this one's: the speed-up of a second thread.
threads() {
    local name=$1 target=$2 bytes=$3 out=$4 ok=$5 base=$LAST_WALL
    shift 5
    measure "$out" "$ok" "$1" "$2" --jobs 2 "${@:3}"
    row "  --jobs 2" budgetkit "$bytes" "$CELLS" "$WALL" "$CPU" "$RSS" "$(ratio "$base" "$WALL")" "$target"
    SUMMARY["$name --jobs 2"]+=" $CELLS:${WALL:-x}:${CPU:-x}"
}

# ---- one size -------------------------------------------------------------------------------

# The peers' command lines are single-quoted on purpose: sh expands them.
# shellcheck disable=SC2016
bench_size() {
    local want=$1 d=$WORK/$1
    mkdir -p "$d"
    local gen
    gen=$("$BULKGEN" --cells "$want" --seed "$SEED" -o "$d/bulk.json" -v 2>&1)
    "$BULKGEN" --cells "$want" --seed "$SEED" -d "$d/docs" --catalog "$d/catalog.csv" >/dev/null
    DOCS=$(echo "$gen" | awk '{print $2}')
    CELLS=$(echo "$gen" | awk '{print $4}')

    # The inputs of the timed jobs, all made from the same bulk.
    # A job whose input could not be made fails on its own line.
    "$BK" convert "$d/bulk.json" "$d/bulk.csv" || echo "run.sh: could not make bulk.csv" >&2
    "$BK" convert "$d/bulk.json" "$d/bulk.xml" || echo "run.sh: could not make bulk.xml" >&2
    "$BK" convert "$d"/docs/*.json "$d/bulk.zip" || echo "run.sh: could not make bulk.zip" >&2
    "$BK" convert --to xlsx "$d"/docs/*.json "$d/xlsx/" || echo "run.sh: could not make xlsx/" >&2

    echo
    echo "== $CELLS cells in $DOCS documents (seed $SEED); median of $RUNS runs; vs peer = peer time / budgetkit time"
    echo "   bulk.json $(size_of "$d/bulk.json") B, bulk.csv $(size_of "$d/bulk.csv") B, bulk.xml $(size_of "$d/bulk.xml") B, bulk.zip $(size_of "$d/bulk.zip") B"
    header
    job "csv -> json" 4 "$(size_of "$d/bulk.csv")" "$d/out.json" 0 \
        "$BK" convert --jobs 1 "$d/bulk.csv" "$d/out.json" -- \
        mlr "$(size_of "$d/bulk.csv")" "$d/peer.json" sh -c 'exec mlr --icsv --ojson cat "$1" >"$2"' sh "$d/bulk.csv" "$d/peer.json" -- \
        duckdb "$(size_of "$d/bulk.csv")" "$d/duck.json" node "$PEER_DUCKDB" csv2json "$d/bulk.csv" "$d/duck.json"
    threads "csv -> json" 1.6 "$(size_of "$d/bulk.csv")" "$d/out.json" 0 "$BK" convert "$d/bulk.csv" "$d/out.json"
    job "json -> csv" 4 "$(size_of "$d/bulk.json")" "$d/out.csv" 0 \
        "$BK" convert --jobs 1 "$d/bulk.json" "$d/out.csv" -- \
        mlr "$(size_of "$d/bulk.json")" "$d/peer.csv" sh -c 'exec mlr --ijson --ocsv cat "$1" >"$2"' sh "$d/bulk.json" "$d/peer.csv" -- \
        duckdb "$(size_of "$d/bulk.json")" "$d/duck.csv" node "$PEER_DUCKDB" json2csv "$d/bulk.json" "$d/duck.csv"
    threads "json -> csv" "" "$(size_of "$d/bulk.json")" "$d/out.csv" 0 "$BK" convert "$d/bulk.json" "$d/out.csv"
    job "csv -> xml" "" "$(size_of "$d/bulk.csv")" "$d/out.xml" 0 \
        "$BK" convert "$d/bulk.csv" "$d/out.xml"
    job "xml -> json" 0.5 "$(size_of "$d/bulk.xml")" "$d/out.json" 0 \
        "$BK" convert --jobs 1 "$d/bulk.xml" "$d/out.json" -- \
        xmllint "$(size_of "$d/bulk.xml")" "$d/peer.none" xmllint --stream --noout "$d/bulk.xml"
    threads "xml -> json" "" "$(size_of "$d/bulk.xml")" "$d/out.json" 0 "$BK" convert "$d/bulk.xml" "$d/out.json"
    job "folder -> archive" "" "$(size_of "$d"/docs/*.json)" "$d/out.zip" 0 \
        "$BK" convert "$d"/docs/*.json "$d/out.zip"
    job "archive -> folder" "" "$(size_of "$d/bulk.zip")" "$d/out/" 0 \
        "$BK" convert "$d/bulk.zip" "$d/out/"
    job "xlsx -> json" 10 "$(size_of "$d"/xlsx/*.xlsx)" "$d/out.json" 0 \
        "$BK" convert "$d"/xlsx/*.xlsx "$d/out.json" -- \
        openpyxl "$(size_of "$d"/xlsx/*.xlsx)" "$d/peer.none" /usr/bin/python3 "$PEER_XLSX" read "$d"/xlsx/*.xlsx
    job "json -> xlsx" 10 "$(size_of "$d"/docs/*.json)" "$d/outx/" 0 \
        "$BK" convert --to xlsx "$d"/docs/*.json "$d/outx/" -- \
        openpyxl "$(size_of "$d"/docs/*.json)" "$d/peerx/" /usr/bin/python3 "$PEER_XLSX" write "$d/peerx" "$d"/docs/*.json
    job "validate archive" 3 "$(size_of "$d/bulk.zip")" "$d/report.txt" any \
        "$BK" validate --jobs 1 --catalog "$d/catalog.csv" "$d/bulk.zip" -- \
        mlr "$(size_of "$d/bulk.csv")" "$d/peer.sums" sh -c 'exec mlr --icsv --ojson filter "\$record == \"cell\"" then stats1 -a sum -f value -g unit,table,column "$1" >"$2"' sh "$d/bulk.csv" "$d/peer.sums" -- \
        duckdb "$(size_of "$d/bulk.csv")" "$d/duck.sums" node "$PEER_DUCKDB" sums "$d/bulk.csv" "$d/duck.sums"
    threads "validate archive" 1.6 "$(size_of "$d/bulk.zip")" "$d/report.txt" any "$BK" validate --catalog "$d/catalog.csv" "$d/bulk.zip"
    if [ "${KEEP:-0}" != 1 ]; then
        rm -rf "$d"
    fi
}

echo "budgetkit benchmark: $("$BK" --version)"
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2 / 1048576}' /proc/meminfo); peers: $(mlr --version 2>/dev/null || echo 'no mlr'), $(xmllint --version 2>&1 | head -n 1 | sed 's/^xmllint: //' || true)"
if have duckdb; then
    echo "       DuckDB $(cd "$(dirname "$PEER_DUCKDB")" && node -p 'require("@duckdb/node-api/package.json").version') through Node.js $(node --version), all cores"
fi
echo "load average before: $(cut -d' ' -f1-3 /proc/loadavg) (other work on the machine slows wall time; cpu s is less affected)"
for cells in "$@"; do
    bench_size "$cells"
done

# Linear cost: time per cell of each size against the first, in wall and in cpu time (the
# latter is the steadier one on a machine shared with other work).
if [ $# -gt 1 ]; then
    echo
    echo "== scaling (budgetkit time per cell, relative to the first size; 1.00 = linear)"
    for name in "csv -> json" "csv -> json --jobs 2" "json -> csv" "json -> csv --jobs 2" "csv -> xml" \
        "xml -> json" "xml -> json --jobs 2" "folder -> archive" "archive -> folder" "xlsx -> json" \
        "json -> xlsx" "validate archive" "validate archive --jobs 2"; do
        printf '%-18s' "$name"
        echo "${SUMMARY[$name]}" | awk '{
            for (i = 1; i <= NF; i++) {
                split($i, p, ":")
                if (p[2] == "x") { printf "  %s cells: failed", p[1]; continue }
                wall = p[2] / p[1]
                cpu = p[3] / p[1]
                if (i == 1) { wall0 = wall; cpu0 = cpu }
                printf "  %s cells: wall %.2f cpu %.2f", p[1], (wall0 > 0 ? wall / wall0 : 0), (cpu0 > 0 ? cpu / cpu0 : 0)
            }
            print ""
        }'
    done
fi
