#!/usr/bin/env python3
"""Whether budgetkit JSON documents (any layout family) are valid against the schema.
usage: schema_valid.py SCHEMA DOC.json..."""
import json
import sys

from jsonschema import Draft202012Validator

with open(sys.argv[1], encoding="utf-8") as f:
    validator = Draft202012Validator(json.load(f))
bad = 0
for path in sys.argv[2:]:
    with open(path, encoding="utf-8") as f:
        for err in validator.iter_errors(json.load(f)):
            print("%s: %s at %s" % (path, err.message, "/".join(map(str, err.path))))
            bad += 1
sys.exit(1 if bad else 0)
