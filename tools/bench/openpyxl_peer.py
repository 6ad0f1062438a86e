#!/usr/bin/python3
"""The benchmark's peer for workbooks: openpyxl, the usual Python library.

  openpyxl_peer.py read BOOK.xlsx...      read-only mode, every cell of every sheet visited
  openpyxl_peer.py write OUTDIR DOC.json... write-only mode, one workbook per document: one
                                           sheet per table, a row per table row, its cells as
                                           numbers (the same cells budgetkit writes, without
                                           budgetkit's layout)"""
import json
import os
import sys

import openpyxl


def read(paths):
    cells = 0
    for path in paths:
        wb = openpyxl.load_workbook(path, read_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                for v in row:
                    if v is not None:
                        cells += 1
        wb.close()
    print(cells)


def write(out, paths):
    os.makedirs(out, exist_ok=True)
    for path in paths:
        with open(path, encoding="utf-8") as f:
            doc = json.load(f)
        wb = openpyxl.Workbook(write_only=True)
        for t in doc.get("tables", []):
            ws = wb.create_sheet(t["id"])
            for r in t.get("rows", []):
                line = [r.get("code", ""), r.get("name", "")]
                for k, v in r.get("cells", {}).items():
                    try:
                        line.append(float(v))
                    except ValueError:
                        line.append(v)
                ws.append(line)
        wb.save(os.path.join(out, os.path.basename(path)[:-5] + ".xlsx"))


if __name__ == "__main__":
    if sys.argv[1] == "read":
        read(sys.argv[2:])
    else:
        write(sys.argv[2], sys.argv[3:])
