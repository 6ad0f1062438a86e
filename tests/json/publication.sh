#!/usr/bin/env bash
# Self-describing JSON and XML for open data (json.md and xml.md, "For open data"): every
# printed money unit is described as ISO 4217 currency and SDMX UNIT_MULT, every table names
# the layout family whose dictionary holds its printed title and column labels, and
# --option publisher/source/source-path/license are kept in the document through JSON and
# XML round trips, absent when not given. The readers check the new fields strictly.
set -uo pipefail
: "${BK:?}" "${BK_SOURCE_DIR:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"
P=samples/putuo-caizhengju-2025-dept

# refused WHAT FILE PATTERN [OPTIONS...]: budgetkit refuses FILE, writes nothing, and says
# where (file:line:column) and PATTERN.
refused() {
  local what=$1 file=$2 pattern=$3
  shift 3
  rm -f "$t/refused.json"
  if "$BK" convert "$@" "$file" "$t/refused.json" 2>"$t/err"; then
    echo "FAIL $what: accepted"; failures=$((failures + 1)); return
  fi
  if [ -e "$t/refused.json" ]; then
    echo "FAIL $what: an output was left"; failures=$((failures + 1)); return
  fi
  if ! grep -Eq "$(basename "$file"):[0-9]+:[0-9]+: .*$pattern" "$t/err"; then
    echo "FAIL $what: message lacks the place or '$pattern':"; sed 's/^/  /' "$t/err"
    failures=$((failures + 1)); return
  fi
  echo "ok   $what"; pass=$((pass + 1))
}

# The units of measure and the dictionary reference are always written.
check "the sample's unit is described: CNY, 10^4" python3 - "$S/budget.json" "$P/budget.json" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert (d["money_unit"], d["currency"], d["unit_mult"]) == ("万元", "CNY", 4), d
assert "publication" not in d
for t in d["tables"]:
    assert t["layout"] == "shenzhen", t["id"]
    # The dictionary the table names holds its title and a label for every column it uses.
    tpl = json.load(open(os.path.join("formats/layouts", t["layout"], t["id"] + ".json"),
                         encoding="utf-8"))
    assert tpl["title"], t["id"]
    labels = {c["id"]: c["path"] for c in tpl["columns"]}
    for row in t["rows"]:
        for col in row["cells"]:
            assert labels.get(col), (t["id"], col)
    assert "currency" not in t and "unit_mult" not in t
p = json.load(open(sys.argv[2], encoding="utf-8"))
assert (p["money_unit"], p["currency"], p["unit_mult"]) == ("元", "CNY", 0)
own = [t for t in p["tables"] if "money_unit" in t]
assert own and all((t["money_unit"], t["currency"], t["unit_mult"]) == ("万元", "CNY", 4)
                   for t in own), own
PY
check "the XML sample's unit is described" grep -q 'money-unit="万元" currency="CNY" unit-mult="4"' "$S/budget.xml"
check "each XML table names its layout family" test "$(grep -c '<table id="T[0-9]*" layout="shenzhen"' "$S/budget.xml")" = "$(grep -c '<table ' "$S/budget.xml")"

# Publication metadata from the options, kept through every round trip.
"$BK" convert "$S/budget.json" "$t/pub.json" --option publisher=深圳市大鹏新区政务服务数据管理局 \
  --option source=2024年部门预算 --option source-path=https://example.org/dapeng-2024-budget.pdf --option license=CC-BY-4.0
check "the options give a publication" python3 - "$t/pub.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert d["publication"] == {"publisher": "深圳市大鹏新区政务服务数据管理局", "source": "2024年部门预算",
                            "source_path": "https://example.org/dapeng-2024-budget.pdf", "license": "CC-BY-4.0"}, d
assert list(d)[:9] == ["format", "version", "fiscal_year", "department", "money_unit", "currency",
                       "unit_mult", "precision", "publication"], list(d)
PY
"$BK" convert "$t/pub.json" "$t/pub.xml"
check "XML carries it" grep -q '^  <publication publisher="深圳市大鹏新区政务服务数据管理局" source="2024年部门预算" source-path="https://example.org/dapeng-2024-budget.pdf" license="CC-BY-4.0"/>$' "$t/pub.xml"
check "the XML is valid against budget.xsd" xmllint --noout --schema formats/budget.xsd "$t/pub.xml"
"$BK" convert "$t/pub.xml" "$t/pub2.json"
check "JSON -> XML -> JSON gives the same bytes" cmp -s "$t/pub2.json" "$t/pub.json"
"$BK" convert "$t/pub.xml" "$t/pub2.xml"
check "XML -> XML gives the same bytes" cmp -s "$t/pub2.xml" "$t/pub.xml"
"$BK" convert "$t/pub.json" "$t/pub.json" "$t/bulk.json"
"$BK" convert "$t/bulk.json" "$t/bulk.xml"
"$BK" convert "$t/bulk.xml" "$t/bulk2.json"
check "a JSON Lines bulk keeps it through XML" cmp -s "$t/bulk2.json" "$t/bulk.json"
check "the JSON is valid against the schema" python3 tests/json/schema_check.py formats/budget.schema.json formats/layouts "$t/pub.json"

"$BK" convert "$t/pub.json" "$t/over.json" --option publisher=某出版者
check "an option replaces its field only" python3 - "$t/over.json" <<'PY'
import json, sys
p = json.load(open(sys.argv[1], encoding="utf-8"))["publication"]
assert p["publisher"] == "某出版者" and p["license"] == "CC-BY-4.0", p
PY
"$BK" convert "$S/budget.json" "$t/plain.json"
check "absent when not given" cmp -s "$t/plain.json" "$S/budget.json"

if "$BK" convert "$S/budget.json" "$t/bad-licence.json" --option "license=CC BY" 2>"$t/err"; then
  check "a licence that is no SPDX id is refused" false
else
  check "a licence that is no SPDX id is a usage error" grep -q "SPDX" "$t/err"
  check "... and writes nothing" test ! -e "$t/bad-licence.json"
fi

# The JSON reader: what the new fields may hold.
edit() { # NAME PYTHON-STATEMENT on d: writes $t/NAME.json from the publication document
  python3 - "$t/pub.json" "$t/$1.json" "$2" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
exec(sys.argv[3])
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
}
edit usd 'd["currency"] = "USD"'
refused "JSON: a currency other than CNY" "$t/usd.json" 'budgets are in CNY'
edit mult 'd["unit_mult"] = 3'
refused "JSON: a unit_mult that is not the money unit's" "$t/mult.json" '"unit_mult" is 3, but 万元 is 10\^4'
edit multstr 'd["unit_mult"] = "4"'
refused "JSON: unit_mult as a string" "$t/multstr.json" 'expected an integer for "unit_mult"'
edit layout 'd["tables"][0]["layout"] = "shanghai"'
refused "JSON: a layout family that is not the template's" "$t/layout.json" 'table T01 is of layout family "shenzhen", not "shanghai"'
edit tablemult 'd["tables"][0]["unit_mult"] = 4'
refused "JSON: a table's unit_mult without its money_unit" "$t/tablemult.json" 'the table has none'
edit empty 'd["publication"] = {}'
refused "JSON: an empty publication" "$t/empty.json" '"publication" is empty'
edit notobj 'd["publication"] = "CC-BY-4.0"'
refused "JSON: a publication that is not an object" "$t/notobj.json" 'expected an object for "publication"'
edit unknown 'd["publication"]["licence"] = "MIT"'
refused "JSON: an unknown key in publication" "$t/unknown.json" 'unknown key "licence" in "publication"'
edit licence 'd["publication"]["license"] = "CC BY 4.0"'
refused "JSON: a licence that is no SPDX id" "$t/licence.json" 'not an SPDX licence identifier'
edit blank 'd["publication"]["source"] = ""'
refused "JSON: an empty source" "$t/blank.json" '"source" of "publication" is empty'
edit control 'd["publication"]["publisher"] = "a\nb"'
refused "JSON: a control character in the publisher" "$t/control.json" 'publisher holds a control character'
edit long 'd["publication"]["publisher"] = "x" * 5000'
refused "JSON: a publisher past max-string" "$t/long.json" 'more than the limit of 4096 bytes \(max-string\)' --limit max-string=4096

# The XML reader, alike.
xedit() { # NAME SED-EXPRESSION: writes $t/NAME.xml from the publication document
  sed "$2" "$t/pub.xml" >"$t/$1.xml"
}
xedit usd 's/currency="CNY"/currency="USD"/'
refused "XML: a currency other than CNY" "$t/usd.xml" 'currency "USD" is not CNY'
xedit mult 's/unit-mult="4"/unit-mult="8"/'
refused "XML: a unit-mult that is not the money unit's" "$t/mult.xml" 'unit-mult "8" does not match money-unit 万元'
xedit layout '0,/layout="shenzhen"/s//layout="jiangsu-2019"/'
refused "XML: a layout family that is not the template's" "$t/layout.xml" 'table T01 is of layout family "shenzhen", not "jiangsu-2019"'
xedit empty 's|^  <publication .*/>$|  <publication/>|'
refused "XML: an empty publication" "$t/empty.xml" '<publication> has no attribute'
xedit unknown 's|<publication |<publication licence="MIT" |'
refused "XML: an unknown attribute of publication" "$t/unknown.xml" 'unknown attribute "licence"'
xedit licence 's|license="CC-BY-4.0"|license="CC BY"|'
refused "XML: a licence that is no SPDX id" "$t/licence.xml" 'not an SPDX licence identifier'
xedit blank 's|source="2024年部门预算"|source=""|'
refused "XML: an empty source" "$t/blank.xml" 'the source of <publication> is empty'
sed -e '/^  <publication /{h;d}' -e '/^  <\/units>$/{p;x}' "$t/pub.xml" >"$t/order.xml"
refused "XML: publication after units" "$t/order.xml" '<publication> is out of place'
xedit long "s|publisher=\"[^\"]*\"|publisher=\"$(printf 'x%.0s' $(seq 5000))\"|"
refused "XML: a publisher past max-string" "$t/long.xml" 'longer than 4096 bytes \(max-string\)' --limit max-string=4096

finish publication
