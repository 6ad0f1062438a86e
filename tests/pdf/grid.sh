#!/usr/bin/env bash
# The real publications under tests/data/pdf read into a grid holding every figure of their
# table pages once, row by row as printed (blank cells blank, code columns split, tables
# continued over pages), checked against figures lists made from pdftotext -layout.
set -euo pipefail
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for pdf in tests/data/pdf/*.pdf; do
  name=$(basename "$pdf" .pdf)
  rm -f "$tmp/grid.csv"
  # The grid is written before the layout engine runs: whether the engine knows this
  # agency's layouts is tested with the layouts.
  "$BK" convert --option grid-out="$tmp/grid.csv" "$pdf" "$tmp/out.json" 2>"$tmp/err" || true
  [ -s "$tmp/grid.csv" ] || { echo "$name: no grid: $(cat "$tmp/err")"; exit 1; }
  python3 tests/pdf/check_grid.py "$tmp/grid.csv" "tests/data/pdf/$name.figures.tsv"
done
# Blank cells stay blank: the 基本支出 of a project-only row is empty, not shifted.
"$BK" convert --option grid-out="$tmp/grid.csv" tests/data/pdf/putuo-caizhengju-2025-dept.pdf \
  "$tmp/out.json" 2>/dev/null || true
tr -d '\r' <"$tmp/grid.csv" >"$tmp/grid.txt"
grep -qx '"201","06","02","一般行政管理事务","100,000.00",,"100,000.00"' "$tmp/grid.txt"
# A header cell wrapped over two lines is one label, in its own column between its neighbours;
# labels printed centred over two header rows (功能分类科目名称, 合计, ...) stand in the row
# of the labels beside them, under 项目 / 收入预算.
grep -qx '"项目",,,,"收入预算"' "$tmp/grid.txt"
grep -qx '"功能分类科目编码",,,"功能分类科目名称","合计","财政拨款收入","事业收入","事业单位经营收入","其他收入"' "$tmp/grid.txt"
grep -qx '"类","款","项"' "$tmp/grid.txt"
