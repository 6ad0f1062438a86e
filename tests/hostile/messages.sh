#!/usr/bin/env bash
# Messages about hostile input say what is wrong in the user's terms, and text from the input
# cannot drive the terminal or split the one-finding-a-line report.
set -euo pipefail

: "${BK:?}" "${BK_SOURCE_DIR:?}"
source "$BK_SOURCE_DIR/tests/support/check.sh"
sample="$BK_SOURCE_DIR/samples/dapeng-2024/budget.json"

# refused FILE TEXT [ARGS...]: validate FILE exits 2 with TEXT in its message.
refused() {
    local file=$1 text=$2 status=0
    shift 2
    "$BK" validate "$@" "$file" > /dev/null 2> "$t/err" || status=$?
    [ "$status" -eq 2 ] || die "$(basename "$file"): status $status: $(cat "$t/err")"
    grep -qF -- "$text" "$t/err" || die "$(basename "$file"): no '$text' in: $(cat "$t/err")"
}

# \u0000 in a string: no parser flag names in the message.
printf '{"format": "budgetkit-budget", "department": {"name": "a\\u0000b"}}\n' > "$t/nul.json"
refused "$t/nul.json" 'a string holds \u0000 (a NUL character)'
grep -q "JSON_ALLOW_NUL" "$t/err" && die "the NUL message names a parser flag: $(cat "$t/err")"

# JSON saved in UTF-16 or UTF-32, with or without a byte order mark, is named for what it is.
for enc in utf-16 utf-16-le utf-16-be utf-32 utf-32-le utf-32-be; do
    python3 -c "import sys; sys.stdout.buffer.write(open(sys.argv[1], encoding='utf-8').read().encode(sys.argv[2]))" \
        "$sample" "$enc" > "$t/$enc.json"
    case $enc in
    utf-16 | utf-16-le) want=UTF-16LE ;;
    utf-16-be) want=UTF-16BE ;;
    utf-32 | utf-32-le) want=UTF-32LE ;;
    utf-32-be) want=UTF-32BE ;;
    esac
    refused "$t/$enc.json" "the JSON text is in $want; budgetkit reads JSON in UTF-8" --from json
done

# A file name holding an ANSI escape and a line end: every finding stays on one line, escaped.
name=$'evil\e[31m\nname.json'
python3 - "$sample" "$t/$name" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
t = [t for t in d["tables"] if t["id"] == "T08"][0]
t["rows"][0]["cells"]["total"] = "9999.99"
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False, indent=1)
PY
status=0
"$BK" validate "$t/$name" > "$t/report" 2>&1 || status=$?
[ "$status" -eq 1 ] || die "validate of the escaped name: status $status"
if grep -q $'\e' "$t/report"; then
    die "an escape character reached the report"
fi
findings=$(grep -cE ': (error|warning|rounding|info) \[' "$t/report")
escaped=$(grep -cE 'evil\\x1B\[31m\\nname.json(:[0-9]+)?: ' "$t/report")
[ "$findings" -ge 1 ] && [ "$findings" -eq "$escaped" ] ||
    die "findings not one a line with the name escaped: $(cat "$t/report")"

# A manifest hash whose algorithm is written in capitals is checked all the same.
python3 - "$sample" "$t/upper.zip" <<'PY'
import hashlib, json, sys, zipfile
data = open(sys.argv[1], "rb").read()
path = "documents/0001-a-2024.json"
res = {"name": "document-0001", "path": path, "format": "json", "bytes": len(data),
       "hash": "SHA256:" + "0" * 64}
with zipfile.ZipFile(sys.argv[2], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr(path, data)
    z.writestr("datapackage.json", json.dumps({"profile": "data-package", "name": "b",
                                               "resources": [res]}))
PY
refused "$t/upper.zip" "hash mismatch" --from archive
# An attribute value of 12 MB (past libxml2's own bound of 10 MB) is refused at max-string,
# not as "internal error: Huge input lookup".
python3 - "$t/attr.xml" <<'PY'
import sys
with open(sys.argv[1], "w", encoding="utf-8") as f:
    f.write('<?xml version="1.0" encoding="UTF-8"?>\n<budget xmlns="urn:budgetkit:budget:1" a="')
    f.write("x" * (12 * 1000 * 1000) + '"/>\n')
PY
refused "$t/attr.xml" "attr.xml:2:1: an attribute of the start tag here is longer than 1048576 bytes (max-string)" --from xml

# A misspelt --option key is a usage error, before anything is written; budgetkit's own keys
# and keys named after a plugin are taken.
status=0
"$BK" convert --option encodng=gb18030 "$sample" "$t/opt.csv" 2> "$t/err" || status=$?
[ "$status" -eq 2 ] || die "a misspelt option key: status $status"
grep -qF 'no option is called "encodng"' "$t/err" || die "misspelt option: $(cat "$t/err")"
[ ! -e "$t/opt.csv" ] || die "a misspelt option key still wrote the output"
"$BK" convert --option bom=yes --option csv.note=1 "$sample" "$t/opt.csv" ||
    die "known option keys were refused"
echo "messages checked"
