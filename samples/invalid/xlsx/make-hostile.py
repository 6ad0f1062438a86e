#!/usr/bin/python3
"""Broken and hostile workbooks, each beside NAME.error (the message budgetkit must give) or
NAME.args (options for the run). Made by hand with zipfile, since no spreadsheet program
writes them: run this script in its folder to make them again."""
import os
import zipfile

HERE = os.path.dirname(os.path.abspath(__file__))
NS = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
RNS = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"

CONTENT_TYPES = ('<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.'
                 'openxmlformats.org/package/2006/content-types"><Default Extension="xml" '
                 'ContentType="application/xml"/></Types>')
ROOT_RELS = ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
             'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="'
             + REL + 'officeDocument" Target="xl/workbook.xml"/></Relationships>')


def workbook(sheets):
    items = "".join('<sheet name="%s" sheetId="%d" %s r:id="rId%d"/>'
                    % (name, i + 1, extra, i + 1) for i, (name, extra) in enumerate(sheets))
    return '<?xml version="1.0" encoding="UTF-8"?><workbook %s %s><sheets>%s</sheets></workbook>' \
        % (NS, RNS, items)


def wb_rels(targets, sst=False):
    items = "".join('<Relationship Id="rId%d" Type="%sworksheet" Target="%s"/>'
                    % (i + 1, REL, t) for i, t in enumerate(targets))
    if sst:
        items += '<Relationship Id="rIdS" Type="%ssharedStrings" Target="sharedStrings.xml"/>' \
            % REL
    return ('<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships">%s</Relationships>' % items)


def sheet(rows, tail=""):
    return '<?xml version="1.0" encoding="UTF-8"?><worksheet %s><sheetData>%s</sheetData>%s' \
           '</worksheet>' % (NS, rows, tail)


def book(name, sheet_xml, error=None, args=None, sheets=(("T04", ""),), sst=None, parts=None,
         compress=zipfile.ZIP_DEFLATED):
    path = os.path.join(HERE, name)
    with zipfile.ZipFile(path, "w", compress) as z:
        if parts is None:
            z.writestr("[Content_Types].xml", CONTENT_TYPES)
            z.writestr("_rels/.rels", ROOT_RELS)
            z.writestr("xl/workbook.xml", workbook(sheets))
            z.writestr("xl/_rels/workbook.xml.rels",
                       wb_rels(["worksheets/sheet%d.xml" % (i + 1) for i in range(len(sheets))],
                               sst is not None))
            if sheet_xml is not None:
                z.writestr("xl/worksheets/sheet1.xml", sheet_xml)
            if sst is not None:
                z.writestr("xl/sharedStrings.xml", '<sst %s>%s</sst>' % (NS, sst))
        else:
            for part, text in parts.items():
                z.writestr(part, text)
    if error:
        with open(path + ".error", "w") as f:
            f.write(error + "\n")
    if args:
        with open(path + ".args", "w") as f:
            f.write(args + "\n")


def main():
    book("doctype.xlsx",
         '<?xml version="1.0"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;">]>'
         + sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row>')[21:],
         "xl/worksheets/sheet1.xml: DOCTYPE declarations are not accepted")
    # In UTF-16 the bytes hold no "<!DOCTYPE": the parser's own callback refuses it.
    book("doctype-utf16.xlsx",
         ('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE w [<!ENTITY a "aaaaaaaaaa">]>'
          + sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row>')[21:])
         .encode("utf-16"),
         "xl/worksheets/sheet1.xml: DOCTYPE declarations are not accepted")
    book("undeclared-entity.xlsx",
         sheet('<row r="1"><c r="A1" t="inlineStr"><is><t>&a;</t></is></c></row>'),
         "xl/worksheets/sheet1.xml:1: malformed XML: Entity 'a' not defined")
    # Attribute values are decoded: the sheet name T&04 is written "T&amp;04".
    book("escaped-sheet-name.xlsx", sheet('<row r="2"><c r="C2"><v>1x</v></c></row>'),
         'T&04!C2: the number cell holds "1x", which is not a number',
         sheets=(("T&amp;04", ""),))
    book("sst-out-of-range.xlsx",
         sheet('<row r="6"><c r="M6" t="s"><v>0</v></c><c r="N6" t="s"><v>99</v></c></row>'),
         'T04!N6: shared string "99" is out of range: the workbook has 1 shared strings',
         sst="<si><t>一般公共预算拨款</t></si>")
    book("formula-no-value.xlsx",
         sheet('<row r="6"><c r="N6"><f>SUM(N7:N9)</f></c></row>'),
         "T04!N6: the formula =SUM(N7:N9) has no stored value")
    book("absurd-cell.xlsx",
         sheet('<row r="1048576"><c r="XFE1048576"><v>1</v></c></row>'),
         'T04: row 1048576: "XFE1048576" is no cell of a sheet (columns A to XFD, rows 1 to '
         '1048576)')
    book("absurd-row.xlsx", sheet('<row r="1048577"><c><v>1</v></c></row>'),
         'T04: row number "1048577" is not between 1 and 1048576')
    book("wide-row.xlsx", sheet('<row r="1"><c r="A1"><v>1</v></c><c r="XFD1"><v>2</v></c>'
                                '</row>'),
         "T04!XFD1: the sheets reach more than 1000 cells", args="--limit max-cells=1000")
    book("missing-sheet.xlsx", None,
         "xl/worksheets/sheet1.xml: the workbook has no part xl/worksheets/sheet1.xml")
    book("no-workbook.xlsx", None, "not an .xlsx workbook: the package has no workbook part",
         parts={"[Content_Types].xml": CONTENT_TYPES, "_rels/.rels": ROOT_RELS})
    book("not-a-number.xlsx", sheet('<row r="2"><c r="C2"><v>12,5</v></c></row>'),
         'T04!C2: the number cell holds "12,5", which is not a number')
    book("malformed.xlsx", sheet('<row r="2"><c r="C2"><v>1</v></row>'),
         "xl/worksheets/sheet1.xml:1: malformed XML")
    book("bad-merge.xlsx",
         sheet('<row r="1"><c r="A1"><v>1</v></c></row>',
               '<mergeCells count="1"><mergeCell ref="B2:A1"/></mergeCells>'),
         'T04: merged range "B2:A1" is not a range of cells')
    book("out-of-order.xlsx",
         sheet('<row r="3"><c r="A3"><v>1</v></c></row><row r="2"><c r="A2"><v>1</v></c></row>'),
         "T04: row 2 comes after row 3: the rows are out of order")
    book("only-hidden.xlsx", sheet('<row r="1"><c r="A1"><v>1</v></c></row>'),
         "the workbook has no visible worksheet", sheets=(("T04", 'state="hidden"'),))
    zeros = sheet('<row><c><v>0</v></c></row>' * 60000)
    book("bomb-ratio.xlsx", zeros, "xl/worksheets/sheet1.xml: the part declares",
         args="--limit max-ratio=20")
    book("bomb-size.xlsx", zeros, "the part declares", args="--limit max-input-bytes=100000")


if __name__ == "__main__":
    main()
