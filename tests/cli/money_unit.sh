#!/usr/bin/env bash
# convert --money-unit writes every figure in one unit, exactly, whatever unit each table
# printed (the Putuo sample: 元, its 三公 table in 万元); 元 → 万元 → 元 gives back every figure;
# --round rounds half away from zero and says how many cells it changed; the validators find
# the same in every unit.
set -euo pipefail
: "${BK:?}"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
in=samples/putuo-caizhengju-2025-dept/budget.json
"$BK" convert --money-unit 万元 "$in" "$tmp/wan.json"
"$BK" convert --money-unit 元 "$tmp/wan.json" "$tmp/yuan.json"
"$BK" convert --round 2 "$tmp/wan.json" "$tmp/round.json" 2>"$tmp/round.err"
python3 - "$in" "$tmp/wan.json" "$tmp/yuan.json" "$tmp/round.json" "$tmp/round.err" <<'PY'
import json, sys
from decimal import Decimal, ROUND_HALF_UP
orig, wan, yuan, rnd = (json.load(open(p, encoding="utf-8")) for p in sys.argv[1:5])
FACTOR = {"元": Decimal(1), "万元": Decimal(10000)}

def figures(doc):
    """Every amount cell as an exact value in 元, keyed by table, row and column."""
    out = {}
    for t in doc["tables"]:
        unit = FACTOR[t.get("money_unit", doc["money_unit"])]
        amount = {c["id"] for c in t.get("columns", [])} if "columns" in t else None
        for i, r in enumerate(t["rows"]):
            for col, v in r["cells"].items():
                if isinstance(v, str):
                    try:
                        out[(t["id"], i, col)] = Decimal(v) * unit
                    except Exception:
                        pass
    return out

assert wan["money_unit"] == "万元" and all("money_unit" not in t for t in wan["tables"])
assert yuan["money_unit"] == "元" and all("money_unit" not in t for t in yuan["tables"])
f0, fw, fy = figures(orig), figures(wan), figures(yuan)
assert f0 == fw == fy, "a figure changed in conversion"
sh01 = next(t for t in wan["tables"] if t["id"] == "SH01")
assert sh01["rows"][0]["cells"]["amount"] == "3121.420580", sh01["rows"][0]
sh09 = next(t for t in yuan["tables"] if t["id"] == "SH09")
assert sh09["rows"][0]["cells"]["total"] == "9500", sh09["rows"][0]
print("ok   元 → 万元 keeps every digit (31,214,205.80 元 = 3121.420580 万元), and back")

changed = 0
for t_w, t_r in zip(wan["tables"], rnd["tables"]):
    for r_w, r_r in zip(t_w["rows"], t_r["rows"]):
        for col, v in r_w["cells"].items():
            try:
                d = Decimal(v)
            except Exception:
                continue
            if -d.as_tuple().exponent <= 2:
                assert r_r["cells"][col] == v
                continue
            want = d.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
            assert Decimal(r_r["cells"][col]) == want and r_r["cells"][col] == str(want), \
                (t_w["id"], col, v, r_r["cells"][col])
            changed += want != d
err = open(sys.argv[5], encoding="utf-8").read()
assert "%d cells changed" % changed in err and changed > 0, (changed, err)
print("ok   --round 2: half away from zero, %d cells changed, as reported" % changed)
PY
for doc in "$in" "$tmp/wan.json" "$tmp/yuan.json"; do
  "$BK" validate --lang en --skip narrative "$doc" | tail -1 | sed 's/^[^:]*: *//'
done | sort -u >"$tmp/summaries"
[ "$(wc -l <"$tmp/summaries")" -eq 1 ] || { echo "FAIL validation differs by unit:"; cat "$tmp/summaries"; exit 1; }
echo "ok   the validators find the same in 元, in 万元 and in the tables' own units"
# A cross-table rule between a 万元 table and a 元 one compares the same amount: the Jiangsu
# sample (all 万元) with its economic table JS06 rewritten in 元, exactly.
python3 - samples/jiangsu-shengwei-bangongting-2019/budget.json "$tmp/mixed.json" <<'PY'
import json, sys
from decimal import Decimal
d = json.load(open(sys.argv[1], encoding="utf-8"))
t = next(t for t in d["tables"] if t["id"] == "JS06")
t["money_unit"] = "元"
for r in t["rows"]:
    r["cells"] = {k: str(Decimal(v) * 10000) for k, v in r["cells"].items()}
json.dump(d, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
"$BK" validate --lang en --skip codes "$tmp/mixed.json" >"$tmp/mixed.out" ||
  { echo "FAIL a 元 table against a 万元 one:"; cat "$tmp/mixed.out"; exit 1; }
grep -q ' 0 errors' "$tmp/mixed.out" || { cat "$tmp/mixed.out"; exit 1; }
python3 - "$tmp/mixed.json" <<'PY'
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
t = next(t for t in d["tables"] if t["id"] == "JS06")
t["rows"][0]["cells"]["amount"] = "117006301.0000"   # 1 元 more than JS04's 11,700.63 万元
json.dump(d, open(sys.argv[1], "w", encoding="utf-8"), ensure_ascii=False)
PY
status=0
"$BK" validate --lang en --skip codes "$tmp/mixed.json" >"$tmp/mixed.out" || status=$?
[ "$status" -eq 1 ] && grep -q 'totals.cross-table' "$tmp/mixed.out" ||
  { echo "FAIL 1 元 off across units: exit $status"; cat "$tmp/mixed.out"; exit 1; }
echo "ok   cross-table rules compare a 元 table with a 万元 one exactly (and see 1 元 off)"
status=0
"$BK" convert --money-unit 美元 "$in" "$tmp/x.json" 2>/dev/null || status=$?
[ "$status" -eq 2 ] && [ ! -e "$tmp/x.json" ] || { echo "FAIL an unknown unit: exit $status"; exit 1; }
echo "ok   an unknown unit is refused, nothing written"
