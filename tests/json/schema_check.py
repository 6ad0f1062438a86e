"""Check JSON budget documents against formats/budget.schema.json with a real validator.

usage: schema_check.py SCHEMA TEMPLATE_DIR FILE...

Each FILE (one document or several one after another) must be valid and written in the
canonical layout; the schema must agree with the templates; and documents broken on purpose
must be rejected, so that a schema that accepts everything fails this check.
"""
import copy
import glob
import json
import os
import sys

sys.dont_write_bytecode = True  # no cache in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "support"))
from json_docs import documents  # noqa: E402

try:
    from jsonschema import Draft202012Validator
except ImportError:
    sys.exit("python3-jsonschema is needed for this test (Debian package python3-jsonschema)")

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL: " + msg)


def check_templates(schema, template_dir):
    defs = schema["$defs"]
    paths = glob.glob(os.path.join(template_dir, "*.json")) + glob.glob(
        os.path.join(template_dir, "*", "*.json"))
    for path in sorted(paths):
        with open(path, encoding="utf-8") as f:
            tpl = json.load(f)
        cells = defs.get("cells-" + tpl["id"])
        if cells is None:
            fail("the schema has no cells-%s for template %s" % (tpl["id"], path))
            continue
        want = {}
        for col in tpl["columns"]:
            text = col["type"] == "text"
            want[col["id"]] = {"type": "string"} if text else {"$ref": "#/$defs/amount"}
        if cells["properties"] != want:
            fail("cells-%s in the schema does not match the columns of %s" % (tpl["id"], path))


def first_row(doc, table_id):
    for t in doc["tables"]:
        if t["id"] == table_id and t["rows"]:
            return t["rows"][0]
    raise KeyError(table_id)


def set_first_amount(doc, value):
    row = first_row(doc, "T07")
    row["cells"]["total"] = value


def broken_variants(doc):
    """Each breaks the format in exactly one way the schema must catch."""
    def mutate(fn):
        d = copy.deepcopy(doc)
        fn(d)
        return d
    return [
        ("amount as a JSON number", mutate(lambda d: set_first_amount(d, 4115.36))),
        ("amount with an exponent", mutate(lambda d: set_first_amount(d, "1e5"))),
        ("amount with a thousands separator", mutate(lambda d: set_first_amount(d, "4,115.36"))),
        ("amount NaN", mutate(lambda d: set_first_amount(d, "NaN"))),
        ("unknown column", mutate(lambda d: first_row(d, "T07")["cells"].update(totl="1.00"))),
        ("misspelt row key", mutate(lambda d: first_row(d, "T07").update(nmae="x"))),
        ("unknown top-level key", mutate(lambda d: d.update(extra=1))),
        ("fiscal_year as a string", mutate(lambda d: d.update(fiscal_year="2024"))),
        ("wrong format", mutate(lambda d: d.update(format="other"))),
        ("version 2", mutate(lambda d: d.update(version=2))),
        ("money unit 美元", mutate(lambda d: d.update(money_unit="美元"))),
        ("missing units", mutate(lambda d: d.pop("units"))),
        ("missing department name", mutate(lambda d: d["department"].pop("name"))),
        ("level 10", mutate(lambda d: first_row(d, "T01").update(level=10))),
        ("unknown row kind", mutate(lambda d: first_row(d, "T07").update(kind="subtotal"))),
        ("unit id with a space", mutate(lambda d: d["units"][0].update(id="de pt"))),
        ("two department units", mutate(lambda d: d["units"][1].update(kind="department"))),
        ("indicator without target",
         mutate(lambda d: d["performance"]["indicators"][0].pop("target"))),
    ]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    Draft202012Validator.check_schema(schema)
    validator = Draft202012Validator(schema)
    check_templates(schema, sys.argv[2])

    checked = 0
    for path in sys.argv[3:]:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        docs = documents(text)
        if not docs:
            fail("%s holds no document" % path)
        for i, (doc, raw) in enumerate(docs):
            checked += 1
            for err in validator.iter_errors(doc):
                fail("%s document %d: %s at %s" % (path, i + 1, err.message,
                                                   "/".join(map(str, err.path))))
            pretty = json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
            line = json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"
            # One document is pretty; a bulk is JSON Lines (json.md).
            if raw != (pretty if len(docs) == 1 else line):
                fail("%s document %d is not in the canonical layout" % (path, i + 1))
        for name, bad in broken_variants(docs[0][0]):
            if validator.is_valid(bad):
                fail("the schema accepts a document with %s" % name)

    if failures:
        sys.exit("%d schema check(s) failed" % len(failures))
    print("ok: %d document(s) valid, broken variants rejected, schema matches the templates"
          % checked)


main()
