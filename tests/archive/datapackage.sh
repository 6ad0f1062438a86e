#!/usr/bin/env bash
# The archive is a Data Package that an independent reader opens as the archive itself: the
# Frictionless library (tests/node, installed by tools/install-deps.sh) loads the .zip (it needs
# folder entries to unpack it), finds the descriptor valid against the Data Package profile,
# each member's size and SHA-256 as declared, and reads CSV members under their Table Schema
# (codes as strings). The descriptor carries title, sources, licences and created. Skipped
# (status 77) when node or the library is absent.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
cd "$BK_SOURCE_DIR"
if ! command -v node >/dev/null || [ ! -d tests/node/node_modules/datapackage ]; then
  echo "SKIP: node or the datapackage library is not installed (tools/install-deps.sh installs them into tests/node)"
  exit 77
fi
source "$BK_SOURCE_DIR/tests/support/check.sh"
has() { grep -qF -- "$1" "$2" || { echo "  no '$1' in:"; sed 's/^/  /' "$2" | cut -c1-300; return 1; }; }

"$BK" convert "$S/budget.json" "$S/budget.xml" "$t/json.zip"
check "zip lists the documents/ folder" bash -c "unzip -Z1 '$t/json.zip' | head -1 | grep -qx 'documents/'"
node tests/node/datapackage-check.js "$t/json.zip" >"$t/json.out" 2>&1
check "the library opens the JSON archive" test $? = 0
check "both documents, hashes verified" has "resource document-0002 json bytes=104485 hash ok" "$t/json.out"
check "title" has "title=深圳市大鹏新区政务服务数据管理局 2024年部门预算 sources=1" "$t/json.out"

"$BK" convert --option member-format=csv --option license=CC-BY-4.0 --option created=2024-03-01T00:00:00Z \
  --option "source=深圳市大鹏新区2024年部门预算公开" "$S/budget.json" "$t/csv.zip"
node tests/node/datapackage-check.js "$t/csv.zip" >"$t/csv.out" 2>&1
check "the library opens the CSV archive" test $? = 0
check "licence and created" has "licenses=CC-BY-4.0 created=2024-03-01T00:00:00Z" "$t/csv.out"
check "CSV read under its Table Schema: every record" has "resource document-0001 rows=1154 " "$t/csv.out"
check "typed fields" has "fields=record:string,unit:string,table:string,row:integer,kind:string,section:string,code:string,name:string,level:integer,column:string,value:string" "$t/csv.out"
check "amount read exactly" has 'T07-total="4115.36"' "$t/csv.out"
check "code kept as a string" has 'first-code="2080505"' "$t/csv.out"
unzip -p "$t/csv.zip" datapackage.json >"$t/dp.json"
check "source title given" grep -q '"title": "深圳市大鹏新区2024年部门预算公开"' "$t/dp.json"

# Reproducible: no clock in the output unless asked, SOURCE_DATE_EPOCH honoured.
"$BK" convert "$S/budget.json" "$t/a.zip"
"$BK" convert "$S/budget.json" "$t/b.zip"
check "deterministic without created" cmp -s "$t/a.zip" "$t/b.zip"
check "no created unless given" bash -c "! unzip -p '$t/a.zip' datapackage.json | grep -q created"
SOURCE_DATE_EPOCH=1709251200 "$BK" convert "$S/budget.json" "$t/e.zip"
check "SOURCE_DATE_EPOCH gives created" bash -c "unzip -p '$t/e.zip' datapackage.json | grep -q '\"created\": \"2024-03-01T00:00:00Z\"'"

# budgetkit's own contract of the manifest, by ajv in strict mode. (The Data Package profile
# itself is checked by the library above, which validates the descriptor against it.)
if [ -x tests/node/node_modules/.bin/ajv ]; then
  check "descriptor valid against formats/datapackage.schema.json (ajv, strict)" \
    tests/node/node_modules/.bin/ajv validate --spec=draft2020 --strict=true -c ajv-formats \
      -s formats/datapackage.schema.json -d "$t/dp.json"
fi
finish datapackage
