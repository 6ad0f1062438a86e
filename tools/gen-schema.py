#!/usr/bin/env python3
"""Regenerate the layout-dependent parts of formats/budget.schema.json from the layouts
(formats/layouts/FAMILY/*.json): one cells-ID definition per declared table and the rule that
binds a table id to it. Run after adding or changing a layout; the test suite checks that the
schema matches the layouts.

usage: tools/gen-schema.py [SCHEMA [LAYOUTS_DIR]]"""
import glob
import json
import os
import sys

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
schema_path = sys.argv[1] if len(sys.argv) > 1 else os.path.join(root, "formats/budget.schema.json")
layouts = sys.argv[2] if len(sys.argv) > 2 else os.path.join(root, "formats/layouts")

with open(schema_path, encoding="utf-8") as f:
    schema = json.load(f)
defs = schema["$defs"]
for k in [k for k in defs if k.startswith("cells-")]:
    del defs[k]
tpls = []
for path in sorted(glob.glob(os.path.join(layouts, "*", "*.json"))):
    with open(path, encoding="utf-8") as f:
        t = json.load(f)
    t["family"] = os.path.basename(os.path.dirname(path))
    tpls.append(t)
tpls.sort(key=lambda t: (t.get("number", 0), t["id"]))
allof = []
for t in tpls:
    props = {}
    for col in t["columns"]:
        props[col["id"]] = {"type": "string"} if col.get("type") == "text" else {
            "$ref": "#/$defs/amount"}
    defs["cells-" + t["id"]] = {
        "type": "object",
        "additionalProperties": False,
        "properties": props,
        "patternProperties": {"^extra_[0-9]+$": {"type": "string"}},
    }
    allof.append({
        # Every subschema names its type: the schema compiles under strict validators.
        "if": {"type": "object", "properties": {"id": {"type": "string", "const": t["id"]}},
               "required": ["id"]},
        "then": {"type": "object", "properties": {
            "layout": {"type": "string", "const": t["family"]},
            "rows": {"type": "array", "items": {
            "type": "object", "properties": {"cells": {"$ref": "#/$defs/cells-" + t["id"]}}}}}},
    })
table = defs["table"]
p = table["properties"]
p.setdefault("layout", {
    "description": "The layout family whose dictionary (formats/layouts/FAMILY/ID.json, "
                   "budgetkit layouts --format json) gives the table's printed title and "
                   "column labels.",
    "$ref": "#/$defs/id"})
p.setdefault("title", {"type": "string"})
p.setdefault("money_unit", {"type": "string", "enum": ["元", "千元", "万元", "亿元"]})
p.setdefault("currency", {"description": "ISO 4217: what money_unit counts", "const": "CNY"})
p.setdefault("unit_mult", {"description": "SDMX UNIT_MULT: money_unit is 10^unit_mult CNY",
                           "type": "integer", "enum": [0, 3, 4, 8]})
# currency and unit_mult describe the table's own money_unit: never without it, and the
# multiplier is that unit's.
table["dependentRequired"] = {"currency": ["money_unit"], "unit_mult": ["money_unit"]}
mults = {"元": 0, "千元": 3, "万元": 4, "亿元": 8}
unit_rules = [{"if": {"type": "object", "properties": {"money_unit": {"const": u}},
                      "required": ["money_unit"]},
               "then": {"type": "object", "properties": {"unit_mult": {"const": m}}}}
              for u, m in mults.items()]
p.setdefault("columns", {
    "description": "The columns of a layout the document defines: the printed columns its "
                   "template lacks (extra_1...), or every column of a table no layout knows.",
    "type": "array",
    "minItems": 1,
    "maxItems": 4096,
    "items": {
        "type": "object",
        "additionalProperties": False,
        "required": ["id"],
        "properties": {
            "id": {"type": "string", "pattern": "^[a-z0-9_]+$"},
            "path": {"type": "array", "maxItems": 8, "items": {"type": "string"}},
            "type": {"enum": ["amount", "percent", "text"]},
        },
    },
})
table["allOf"] = allof + unit_rules
# Properties in a stable order: the table's own first, then the generated ones.
order = ["id", "layout", "title", "unit_label", "note", "money_unit", "currency", "unit_mult",
         "columns", "rows"]
table["properties"] = {k: p[k] for k in order if k in p}
with open(schema_path, "w", encoding="utf-8") as f:
    f.write(json.dumps(schema, indent=2, ensure_ascii=False) + "\n")
