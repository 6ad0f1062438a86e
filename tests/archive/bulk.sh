#!/usr/bin/env bash
# A bulk submission: three documents packed into one archive, checked from outside (python's
# zipfile and hashlib), unpacked into a folder, and read again without a manifest.
set -euo pipefail

source "$BK_SOURCE_DIR/tests/archive/common.sh"

# same_as_refs DIR WHAT: DIR holds the three reference documents, in their order.
same_as_refs() {
    local i=0 f
    for f in "$1"/*.json; do
        i=$((i + 1))
        cmp "$work/ref$i.json" "$f" || fail "$2: document $i differs"
    done
    [ "$i" -eq 3 ] || fail "$2 gave $i documents, expected 3"
}

# Two more documents made from the sample: another department, and a sub-unit's own budget
# whose department name has a space and a slash, which must not reach the member name.
python3 - "$sample" "$work" <<'PY'
import json, sys
sample, work = sys.argv[1], sys.argv[2]
text = open(sample, encoding="utf-8").read()
dept = "深圳市大鹏新区政务服务数据管理局"
assert dept in text
open(work + "/d1.json", "w", encoding="utf-8").write(text)
open(work + "/d2.json", "w", encoding="utf-8").write(text.replace(dept, "深圳市大鹏新区文化教育局"))
d3 = json.loads(text.replace(dept, "深圳市大鹏新区 城市/管理局"))
for unit in d3["units"]:
    if unit["kind"] == "self":
        unit["kind"], unit["name"] = "subunit", "城市管理服务中心"
json.dump(d3, open(work + "/d3.json", "w", encoding="utf-8"), ensure_ascii=False, indent=2)
PY
for i in 1 2 3; do
    "$BK" convert "$work/d$i.json" "$work/ref$i.json"
done

"$BK" convert "$work/d1.json" "$work/d2.json" "$work/d3.json" "$work/bulk.zip"
"$BK" convert "$work/d1.json" "$work/d2.json" "$work/d3.json" "$work/bulk2.zip"
cmp "$work/bulk.zip" "$work/bulk2.zip" || fail "two packs of the same three documents differ"

# Read from outside: python's zipfile checks every CRC; the manifest's bytes and hashes must
# match the members; the manifest must follow formats/datapackage.schema.json.
python3 - "$work/bulk.zip" "$BK_SOURCE_DIR/formats/datapackage.schema.json" <<'PY'
import hashlib, json, sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
bad = z.testzip()
assert bad is None, "python's zipfile finds a bad CRC in %s" % bad
names = z.namelist()
want = ["documents/", "documents/0001-深圳市大鹏新区政务服务数据管理局-2024.json",
        "documents/0002-深圳市大鹏新区文化教育局-2024.json",
        "documents/0003-深圳市大鹏新区-城市-管理局-城市管理服务中心-2024.json",
        "datapackage.json"]
assert names == want, "members %r" % names
assert len(set(names)) == len(names), "duplicate member names"
m = json.loads(z.read("datapackage.json"))
assert m["profile"] == "data-package" and m["name"] == "budgets-2024", m
assert [r["path"] for r in m["resources"]] == want[1:4], m["resources"]
for r in m["resources"]:
    data = z.read(r["path"])
    assert r["bytes"] == len(data), "%s: bytes %d, member has %d" % (r["path"], r["bytes"], len(data))
    assert r["hash"] == "sha256:" + hashlib.sha256(data).hexdigest(), "%s: hash differs" % r["path"]
    assert r["format"] == "json" and r["mediatype"] == "application/json" and r["encoding"] == "utf-8"
    assert r["budgetkit"]["fiscal_year"] == 2024
    assert json.loads(data)["department"]["name"] == r["budgetkit"]["department"]
try:
    import jsonschema
except ImportError:
    print("manifest schema check skipped: python3-jsonschema is not installed")
else:
    jsonschema.validate(m, json.load(open(sys.argv[2], encoding="utf-8")))
    print("manifest follows formats/datapackage.schema.json")
PY

# Unpack into a folder: one file per document, the same documents.
"$BK" convert "$work/bulk.zip" "$work/out/"
count=$(find "$work/out" -type f | wc -l)
[ "$count" -eq 3 ] || fail "unpacking gave $count files, expected 3"
i=0
for f in "$work"/out/*.json; do
    i=$((i + 1))
    cmp "$work/ref$i.json" "$f" || fail "unpacked document $i ($f) differs from its input"
done

# info lists the three documents.
docs=$("$BK" info "$work/bulk.zip" | grep -c '^document ')
[ "$docs" -eq 3 ] || fail "info shows $docs documents, expected 3"

# Archives and documents mix as inputs; the new archive holds them in input order.
"$BK" convert "$work/bulk.zip" "$work/d2.json" "$work/four.zip"
python3 - "$work/four.zip" <<'PY'
import json, sys, zipfile
m = json.loads(zipfile.ZipFile(sys.argv[1]).read("datapackage.json"))
paths = [r["path"] for r in m["resources"]]
assert len(paths) == 4 and paths[3] == "documents/0004-深圳市大鹏新区文化教育局-2024.json", paths
PY

# Without a manifest every .json, .xml and .csv member is read; anything else is ignored.
# With a manifest, resources that are not documents travel along unread, and a hash the
# reader cannot check (md5) is reported, not trusted silently.
python3 - "$work" <<'PY'
import hashlib, json, sys, zipfile
work = sys.argv[1]
docs = [open("%s/ref%d.json" % (work, i), "rb").read() for i in (1, 2, 3)]
with zipfile.ZipFile(work + "/plain.zip", "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("README.txt", "three budgets\n")
    z.writestr("budgets/", "")
    for i, d in enumerate(docs, 1):
        z.writestr("budgets/unit-%d.json" % i, d)
with zipfile.ZipFile(work + "/foreign.zip", "w", zipfile.ZIP_DEFLATED) as z:
    resources = [{"name": "readme", "path": "README.md", "format": "md"}]
    for i, d in enumerate(docs, 1):
        z.writestr("data/u%d.json" % i, d)
        resources.append({"name": "u%d" % i, "path": "data/u%d.json" % i, "bytes": len(d),
                          "hash": hashlib.md5(d).hexdigest() if i == 2 else
                                  "sha256:" + hashlib.sha256(d).hexdigest().upper()})
    z.writestr("README.md", "# three budgets\n")
    z.writestr("datapackage.json", json.dumps({"name": "foreign", "resources": resources}))
PY
"$BK" convert "$work/plain.zip" "$work/plain/"
same_as_refs "$work/plain" "archive without manifest"

# Unpacked by hand and zipped again as a folder, as file managers do: the manifest is then in
# the one top folder, and still verified (a changed member is caught).
python3 - "$work" <<'PY'
import sys, zipfile
work = sys.argv[1]
src = zipfile.ZipFile(work + "/bulk.zip")
for name, tamper in (("refolded.zip", False), ("refolded-tampered.zip", True)):
    with zipfile.ZipFile(work + "/" + name, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("bulk/", "")
        for info in src.infolist():
            data = src.read(info)
            if tamper and info.filename.startswith("documents/0002"):
                data = data.replace("文化教育局".encode(), "文化体育局".encode())
            z.writestr("bulk/" + info.filename, data)
PY
"$BK" convert "$work/refolded.zip" "$work/refolded/"
same_as_refs "$work/refolded" "archive zipped as a folder"
if "$BK" convert "$work/refolded-tampered.zip" "$work/tampered/" 2> "$work/tampered.err"; then
    fail "a changed member passed the manifest's hash"
fi
grep -q 'entry bulk/documents/0002-深圳市大鹏新区文化教育局-2024.json: hash mismatch' "$work/tampered.err" \
    || fail "unexpected message for a changed member: $(cat "$work/tampered.err")"

"$BK" convert "$work/foreign.zip" "$work/foreign/" 2> "$work/foreign.err"
grep -q 'foreign.zip: warning: resource 3 ("data/u2.json"): its md5 hash is not checked' "$work/foreign.err" \
    || fail "no warning about the unchecked md5 hash: $(cat "$work/foreign.err")"
[ "$(find "$work/foreign" -type f | wc -l)" -eq 3 ] || fail "foreign package: expected 3 documents"

echo "archive bulk: ok"
