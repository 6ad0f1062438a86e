#!/usr/bin/env python3
"""Add to a budget document a table no layout knows (a generic table, as the layout engine
keeps one from print: title, every printed column with its header path, rows of cells), made
on purpose for the tests that check such a table survives every format. (What print cannot
tell, such as a percent column from an amount one, csv-wide.md lists.)

usage: with-generic-table.py IN.json OUT.json"""
import json
import sys

doc = json.load(open(sys.argv[1], encoding="utf-8"))
dept = next(u for u in doc["units"] if u["kind"] == "department")
doc["tables"].insert(0, {
    "id": "generic-1",
    "title": "预算单位财务收支预算总表",
    "unit_label": dept["name"],
    "columns": [
        {"id": "col_1", "path": ["本年收入", "项目"], "type": "text"},
        {"id": "col_2", "path": ["本年收入", "预算数"], "type": "amount"},
        {"id": "col_3", "path": ["本年支出", "项目"], "type": "text"},
        {"id": "col_4", "path": ["本年支出", "预算数", "合计"], "type": "amount"},
        {"id": "col_5", "path": ["本年支出", "预算数", "基本支出"], "type": "amount"},
    ],
    "rows": [
        {"kind": "item", "unit": dept["id"], "name": "",
         "cells": {"col_1": "一、财政拨款收入", "col_2": "1000.50", "col_3": "一、一般公共服务支出",
                   "col_4": "1000.50", "col_5": "600.25"}},
        {"kind": "total", "unit": dept["id"], "name": "",
         "cells": {"col_1": "收入总计", "col_2": "1000.50", "col_3": "支出总计", "col_4": "1000.50"}},
    ],
})
with open(sys.argv[2], "w", encoding="utf-8") as f:
    json.dump(doc, f, ensure_ascii=False, indent=2)
    f.write("\n")
