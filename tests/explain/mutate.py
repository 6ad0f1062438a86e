#!/usr/bin/env python3
"""Single-cell mutations of the seed budget, each validated and its explanation checked.

Every 10th amount cell of T01-T09 (in document order: table, row, template column) is changed
by +1.00 and by -0.37, one at a time. A mutation is explained correctly when the report's
explain.likely-cell findings name exactly that cell with its original value. Prints one line
per mutation that is not, then the shares; exits 1 when a mutation that the checks detect is
explained wrongly or not at all, apart from the shapes listed in AMBIGUOUS (a parent and its
only child: both cells fit equally, and both are reported).

usage: mutate.py BUDGETKIT SEED.json TEMPLATES_DIR WORKDIR [STEP]  (STEP 1: every cell)
"""
import json
import os
import subprocess
import sys
from decimal import Decimal

bk, seed, tpl_dir, work = sys.argv[1:5]
step = int(sys.argv[5]) if len(sys.argv) > 5 else 10
doc = json.load(open(seed, encoding="utf-8"))

amount_cols = {}
for t in doc["tables"]:
    tpl = json.load(open(os.path.join(tpl_dir, t["id"] + ".json"), encoding="utf-8"))
    amount_cols[t["id"]] = [c["id"] for c in tpl["columns"] if c["type"] == "amount"]

cells = []
for ti, t in enumerate(doc["tables"]):
    if t["id"] not in ("T01", "T02", "T03", "T04", "T05", "T06", "T07", "T08", "T09"):
        continue
    for ri, r in enumerate(t["rows"]):
        for col in amount_cols[t["id"]]:
            v = r.get("cells", {}).get(col)
            if isinstance(v, str) and v.strip():
                cells.append((ti, ri, col))
sample = cells[::step]


def fmt(d):
    return format(d, "f")


def run(path):
    p = subprocess.run([bk, "validate", "--format", "json", path], capture_output=True)
    if p.returncode not in (0, 1):
        sys.exit("budgetkit failed on %s: %s" % (path, p.stderr.decode()))
    return json.loads(p.stdout)


counts = {"correct": 0, "ambiguous": 0, "undetected": 0, "wrong": 0, "none": 0}
failures = 0
path = os.path.join(work, "mutated.json")
for ti, ri, col in sample:
    for delta in (Decimal("1.00"), Decimal("-0.37")):
        t = doc["tables"][ti]
        row = t["rows"][ri]
        original = row["cells"][col]
        row["cells"][col] = fmt(Decimal(original) + delta)
        with open(path, "w", encoding="utf-8") as f:
            json.dump(doc, f, ensure_ascii=False)
        row["cells"][col] = original
        rep = run(path)
        errors = [f for f in rep["findings"] if f["severity"] == "error"]
        expl = [f for f in rep["findings"] if f["rule"] == "explain.likely-cell"]
        label = "%s row %d %s %s %s%s" % (t["id"], ri + 1, row.get("code") or row.get("name"),
                                          col, original, ("+" if delta > 0 else "") + fmt(delta))
        hits = [f for f in expl if f["location"]["table"] == t["id"]
                and f["location"].get("row_index") == ri + 1
                and f["location"]["column"] == col and Decimal(f["expected"]) == Decimal(original)]
        if not errors:
            kind = "undetected"
        elif len(expl) == 1 and hits:
            kind = "correct"
        elif hits and all(f.get("confidence", "").startswith("one of ") and
                          "single-cell" in f.get("confidence", "") for f in expl):
            kind = "ambiguous"
        elif not expl:
            kind = "none"
        else:
            kind = "wrong"
        counts[kind] += 1
        if kind != "correct":
            others = "; ".join("%s %s/%s=%s (%s)" % (f["location"]["table"], f["location"]["row"],
                                                     f["location"]["column"], f["expected"],
                                                     f.get("confidence")) for f in expl)
            print("%-10s %s  %s" % (kind, label, others))
        if kind in ("wrong", "none"):
            failures += 1

total = sum(counts.values())
detected = total - counts["undetected"]
print("%d amount cells in T01-T09, %d sampled, %d mutations: %d detected by the checks" %
      (len(cells), len(sample), total, detected))
print("explained by exactly the mutated cell with its original value: %d of %d detected (%.1f%%)"
      % (counts["correct"], detected, 100.0 * counts["correct"] / max(detected, 1)))
print("among equal single-cell explanations (reported as such): %d; wrong: %d; "
      "unexplained: %d; undetected: %d" % (counts["ambiguous"], counts["wrong"], counts["none"],
                                          counts["undetected"]))
sys.exit(1 if failures else 0)
