#!/usr/bin/env bash
# The JSON export of the seed sample is byte-identical to it and valid against
# formats/budget.schema.json (checked with a real JSON Schema validator, which must also
# reject documents broken on purpose); a bulk file round-trips through the command line too.
set -euo pipefail

out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
sample=samples/dapeng-2024/budget.json

"$BK" convert "$sample" "$out/budget.json"
if ! cmp "$sample" "$out/budget.json"; then
    echo "FAIL: the JSON export of $sample differs from it" >&2
    exit 1
fi

# A bulk is written as JSON Lines (json.md); written again it gives the same bytes.
cat "$sample" "$sample" "$sample" > "$out/bulk-in.json"
"$BK" convert "$out/bulk-in.json" "$out/bulk-out.json"
"$BK" convert "$out/bulk-out.json" "$out/bulk-again.json"
if [ "$(wc -l < "$out/bulk-out.json")" != 3 ] || ! cmp "$out/bulk-out.json" "$out/bulk-again.json"; then
    echo "FAIL: a bulk of three documents does not round-trip as three lines" >&2
    exit 1
fi

/usr/bin/python3 tests/json/schema_check.py formats/budget.schema.json formats/layouts \
    "$out/budget.json" "$out/bulk-out.json"

# The checker itself must be able to fail: a document outside the schema is reported.
sed 's/"fiscal_year": 2024/"fiscal_year": "2024"/' "$sample" > "$out/broken.json"
if /usr/bin/python3 tests/json/schema_check.py formats/budget.schema.json formats/layouts \
    "$out/broken.json" > "$out/broken.log" 2>&1; then
    echo "FAIL: the schema check accepted a document with a string fiscal_year" >&2
    exit 1
fi
if ! grep -q "is not of type 'integer'" "$out/broken.log"; then
    echo "FAIL: the schema check did not explain why the broken document is invalid:" >&2
    cat "$out/broken.log" >&2
    exit 1
fi
echo "ok"
