#!/usr/bin/env python3
"""Write the broken PDFs of samples/invalid/pdf/ (small, hand-made, kept reproducible):
a scanned page (an image, no text), a PDF that needs a password, a page whose font maps its
glyphs to private-use characters (what a font without a Unicode map gives), a page-count bomb.

    make_invalid.py OUTDIR
"""
import os
import sys


def pdf(objects, trailer_extra=""):
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for i, body in enumerate(objects, 1):
        offsets.append(len(out))
        if isinstance(body, str):
            body = body.encode("latin-1")
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for o in offsets:
        out += b"%010d 00000 n \n" % o
    out += ("trailer\n<< /Size %d /Root 1 0 R %s >>\nstartxref\n%d\n%%%%EOF\n"
            % (len(objects) + 1, trailer_extra, xref)).encode("latin-1")
    return bytes(out)


def stream(data, extra=""):
    if isinstance(data, str):
        data = data.encode("latin-1")
    return b"<< /Length %d %s >>\nstream\n" % (len(data), extra.encode()) + data + b"\nendstream"


def scanned():
    content = "q 500 0 0 700 50 50 cm /Im1 Do Q"
    return pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /XObject << /Im1 5 0 R >> >> >>",
        stream(content),
        stream(bytes([0x80] * 4), "/Type /XObject /Subtype /Image /Width 2 /Height 2 "
               "/ColorSpace /DeviceGray /BitsPerComponent 8"),
    ])


def encrypted():
    o = "<" + "11" * 32 + ">"
    u = "<" + "22" * 32 + ">"
    return pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
        "<< /Filter /Standard /V 1 /R 2 /O %s /U %s /P -44 >>" % (o, u),
    ], "/Encrypt 4 0 R /ID [<0123456789abcdef0123456789abcdef> <0123456789abcdef0123456789abcdef>]")


def private_use():
    cmap = ("/CIDInit /ProcSet findresource begin 12 dict begin begincmap "
            "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def "
            "/CMapName /Adobe-Identity-UCS def /CMapType 2 def "
            "1 begincodespacerange <0000> <FFFF> endcodespacerange "
            "1 beginbfrange <0001> <0040> <E000> endbfrange "
            "endcmap CMapName currentdict /CMap defineresource pop end end")
    codes = "".join("%04X" % (1 + i % 60) for i in range(120))
    content = "BT /F1 12 Tf 50 780 Td <%s> Tj 0 -20 Td <%s> Tj ET" % (codes[:240], codes[240:])
    return pdf([
        "<< /Type /Catalog /Pages 2 0 R >>",
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        "/Resources << /Font << /F1 5 0 R >> >> >>",
        stream(content),
        "<< /Type /Font /Subtype /Type0 /BaseFont /SimSun /Encoding /Identity-H "
        "/DescendantFonts [6 0 R] /ToUnicode 7 0 R >>",
        "<< /Type /Font /Subtype /CIDFontType2 /BaseFont /SimSun /CIDSystemInfo "
        "<< /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> /FontDescriptor 8 0 R "
        "/DW 1000 >>",
        stream(cmap),
        "<< /Type /FontDescriptor /FontName /SimSun /Flags 4 /FontBBox [0 -141 1000 859] "
        "/ItalicAngle 0 /Ascent 859 /Descent -141 /CapHeight 700 /StemV 80 >>",
    ])


def many_pages(n=3):
    """Read with --option max-pages=2."""
    kids = " ".join("%d 0 R" % (3 + i) for i in range(n))
    objs = ["<< /Type /Catalog /Pages 2 0 R >>",
            "<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, n)]
    objs += ["<< /Type /Page /Parent 2 0 R /MediaBox [0 0 10 10] >>"] * n
    return pdf(objs)


out = sys.argv[1]
for name, data in [("scanned.pdf", scanned()), ("encrypted.pdf", encrypted()),
                   ("private-use-font.pdf", private_use()), ("too-many-pages.pdf", many_pages())]:
    with open(os.path.join(out, name), "wb") as f:
        f.write(data)
