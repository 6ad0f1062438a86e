#!/usr/bin/env bash
# The published JSON Schemas compile under ajv's strict mode (an independent validator, from
# tests/node, installed by tools/install-deps.sh), accept the sample and what budgetkit writes,
# and refuse the amounts budgetkit refuses. Skipped (status 77) when node or ajv is absent.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
cd "$BK_SOURCE_DIR"
ajv=tests/node/node_modules/.bin/ajv
if ! command -v node >/dev/null || [ ! -x "$ajv" ]; then
  echo "SKIP: node or ajv-cli is not installed (tools/install-deps.sh installs them into tests/node)"
  exit 77
fi
t=$(mktemp -d)
trap 'rm -rf "$t"' EXIT
pass=0 failures=0
check() {
  local what=$1
  shift
  if "$@" >"$t/out" 2>&1; then echo "ok   $what"; pass=$((pass + 1))
  else echo "FAIL $what"; sed 's/^/  /' "$t/out" | head -10; failures=$((failures + 1)); fi
}
refuses() { ! "$@"; }
strict=(--spec=draft2020 --strict=true -c ajv-formats)
S_JSON=samples/dapeng-2024/budget.json

check "budget.schema.json compiles in strict mode" "$ajv" compile "${strict[@]}" -s formats/budget.schema.json
check "datapackage.schema.json compiles in strict mode" "$ajv" compile "${strict[@]}" -s formats/datapackage.schema.json
check "the sample is valid" "$ajv" validate "${strict[@]}" -s formats/budget.schema.json -d samples/dapeng-2024/budget.json
"$BK" convert samples/dapeng-2024/budget.csv "$t/from-csv.json"
check "a document budgetkit writes is valid" "$ajv" validate "${strict[@]}" -s formats/budget.schema.json -d "$t/from-csv.json"
check "an amount of 20 digits is refused" refuses "$ajv" validate "${strict[@]}" -s formats/budget.schema.json -d samples/invalid/json/decimal-overflow.json
python3 - "$t" <<'PY'
import json, sys
d = json.load(open("samples/dapeng-2024/budget.json", encoding="utf-8"))
cells = d["tables"][0]["rows"][0]["cells"]
for name, value in [("decimals-19", "1." + "1" * 19), ("digits-19", "1" * 19), ("digits-20", "1" * 20),
                    ("decimals-18", "1." + "1" * 18)]:
    cells["amount"] = value
    json.dump(d, open(f"{sys.argv[1]}/{name}.json", "w", encoding="utf-8"), ensure_ascii=False)
PY
check "19 decimals refused" refuses "$ajv" validate "${strict[@]}" -s formats/budget.schema.json -d "$t/decimals-19.json"
check "20 digits refused" refuses "$ajv" validate "${strict[@]}" -s formats/budget.schema.json -d "$t/digits-20.json"
check "19 digits accepted (budgetkit may hold them)" "$ajv" validate "${strict[@]}" -s formats/budget.schema.json -d "$t/digits-19.json"
check "18 decimals accepted" "$ajv" validate "${strict[@]}" -s formats/budget.schema.json -d "$t/decimals-18.json"
check "budgetkit agrees: 19 decimals refused" refuses "$BK" convert "$t/decimals-19.json" "$t/x.json"
check "budgetkit agrees: 18 decimals read" "$BK" convert "$t/decimals-18.json" "$t/y.json"

# The open-data description (json.md, "For open data"): what the schema can check of it.
"$BK" convert "$S_JSON" "$t/pub.json" --option publisher=深圳市大鹏新区政务服务数据管理局 --option license=CC-BY-4.0 \
  --option source-path=https://example.org/dapeng-2024-budget.pdf
check "a document with its publication is valid" "$ajv" validate "${strict[@]}" -s formats/budget.schema.json -d "$t/pub.json"
check "a table with its own money unit, described, is valid" "$ajv" validate "${strict[@]}" -s formats/budget.schema.json -d samples/putuo-caizhengju-2025-dept/budget.json
python3 - "$t" <<'PY'
import json, sys
base = json.load(open(f"{sys.argv[1]}/pub.json", encoding="utf-8"))
for name, change in [("mult", lambda d: d.update(unit_mult=3)),
                     ("usd", lambda d: d.update(currency="USD")),
                     ("table-mult", lambda d: d["tables"][0].update(unit_mult=4)),
                     ("layout", lambda d: d["tables"][0].update(layout="shanghai")),
                     ("licence", lambda d: d["publication"].update(license="CC BY")),
                     ("empty-publication", lambda d: d.update(publication={}))]:
    d = json.loads(json.dumps(base))
    change(d)
    json.dump(d, open(f"{sys.argv[1]}/{name}.json", "w", encoding="utf-8"), ensure_ascii=False)
PY
for bad in mult usd table-mult layout licence empty-publication; do
  check "refused by the schema and by budgetkit: $bad" refuses "$ajv" validate "${strict[@]}" -s formats/budget.schema.json -d "$t/$bad.json"
  check "budgetkit agrees: $bad" refuses "$BK" convert "$t/$bad.json" "$t/x.json"
done

echo "ajv: $pass passed, $failures failed"
[ "$failures" = 0 ]
