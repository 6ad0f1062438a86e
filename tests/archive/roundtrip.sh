#!/usr/bin/env bash
# One document through an archive and back: same canonical JSON, same archive bytes every run,
# and the committed sample archive holds the committed sample document.
set -euo pipefail

source "$BK_SOURCE_DIR/tests/archive/common.sh"
sample_zip="$BK_SOURCE_DIR/samples/dapeng-2024/budget.zip"

# The reference: the sample as the JSON exporter writes it.
"$BK" convert "$sample" "$work/reference.json"

"$BK" convert "$sample" "$work/a.zip"
[ -s "$work/a.zip" ] || fail "no archive written"
head -c 4 "$work/a.zip" | cmp -s - <(printf 'PK\003\004') || fail "archive does not start with a local header"

"$BK" convert "$work/a.zip" "$work/back.json"
cmp "$work/reference.json" "$work/back.json" || fail "JSON -> ZIP -> JSON changed the document"

# Determinism: a second run, and a run through standard input, give the same bytes.
"$BK" convert "$sample" "$work/b.zip"
cmp "$work/a.zip" "$work/b.zip" || fail "two packs of the same input differ"
"$BK" convert --from json - "$work/c.zip" < "$sample"
cmp "$work/a.zip" "$work/c.zip" || fail "packing from standard input differs"

# Reading from standard input goes through memory instead of the file.
"$BK" convert --from archive - "$work/stdin.json" < "$work/a.zip"
cmp "$work/reference.json" "$work/stdin.json" || fail "reading the archive from standard input differs"

# A pipe cannot be read in place; it is read into memory like standard input.
"$BK" convert <(cat "$work/a.zip") "$work/pipe.json"
cmp "$work/reference.json" "$work/pipe.json" || fail "reading the archive from a pipe differs"

# ZIP -> ZIP is stable too.
"$BK" convert "$work/a.zip" "$work/again.zip"
cmp "$work/a.zip" "$work/again.zip" || fail "ZIP -> ZIP changed the archive"

# The committed sample archive holds the committed sample.
"$BK" convert "$sample_zip" "$work/from-sample-zip.json"
cmp "$work/reference.json" "$work/from-sample-zip.json" \
    || fail "samples/dapeng-2024/budget.zip does not hold budget.json; regenerate it:" \
            "budgetkit convert samples/dapeng-2024/budget.json samples/dapeng-2024/budget.zip"

# Fixed names and timestamps, members in order, manifest last.
python3 - "$work/a.zip" <<'PY'
import sys, zipfile
z = zipfile.ZipFile(sys.argv[1])
names = [i.filename for i in z.infolist()]
want = ["documents/", "documents/0001-深圳市大鹏新区政务服务数据管理局-2024.json", "datapackage.json"]
assert names == want, "members %r, expected %r" % (names, want)
for i in z.infolist():
    assert i.date_time == (1980, 1, 1, 0, 0, 0), "%s has time %r" % (i.filename, i.date_time)
    if i.is_dir():
        assert i.file_size == 0 and i.compress_type == zipfile.ZIP_STORED, "%s: folder with data" % i.filename
    else:
        assert i.compress_type == zipfile.ZIP_DEFLATED, "%s is not deflated" % i.filename
    assert i.extra == b"", "%s has an extra field" % i.filename
PY

# Other member formats, when their exporters are built.
for fmt in xml csv; do
    if "$BK" plugins | grep -Eq "^ +$fmt +"; then
        "$BK" convert --option member-format=$fmt "$sample" "$work/$fmt.zip"
        python3 - "$work/$fmt.zip" "$fmt" <<'PY'
import sys, zipfile, json
z = zipfile.ZipFile(sys.argv[1]); fmt = sys.argv[2]
docs = [n for n in z.namelist() if n.startswith("documents/") and not n.endswith("/")]
assert len(docs) == 1 and docs[0].endswith("." + fmt), docs
res = json.loads(z.read("datapackage.json"))["resources"][0]
assert res["format"] == fmt and res["path"] == docs[0], res
PY
        "$BK" convert "$work/$fmt.zip" "$work/$fmt-back.json"
        cmp "$work/reference.json" "$work/$fmt-back.json" || fail "JSON -> ZIP of $fmt -> JSON changed the document"
        echo "member-format=$fmt: round trip identical"
    else
        echo "member-format=$fmt: skipped, the $fmt plugin is not built"
    fi
done

# A member format that does not exist is a usage error, and nothing is written.
if "$BK" convert --option member-format=pdf "$sample" "$work/pdf.zip" 2> "$work/err"; then
    fail "member-format=pdf was accepted"
fi
grep -q 'unknown member-format "pdf"' "$work/err" || fail "unexpected message: $(cat "$work/err")"
[ ! -e "$work/pdf.zip" ] || fail "an archive was written despite the error"

echo "archive round trip: ok"
