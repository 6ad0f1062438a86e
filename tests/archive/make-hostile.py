#!/usr/bin/env python3
"""Build the hostile ZIP archives of samples/invalid/archive.

Each archive is written byte by byte with struct, so that it can lie where a ZIP library would
refuse to: wrong CRCs, declared sizes that differ from the data, names that climb out of the
archive, encryption flags, links. The archives are small and committed together with their
.error files; this script is how they were made and how to make them again:

    python3 tests/archive/make-hostile.py samples/invalid/archive

    python3 tests/archive/make-hostile.py --bomb OUT.zip MEGABYTES [--declare BYTES]

    python3 tests/archive/make-hostile.py --readable DOCUMENT FOLDER

writes one archive holding MEGABYTES of zeros (a decompression bomb too large to commit), whose
header declares their true size, or BYTES; and the archives that are unusual but sound (ZIP64,
a name in GB18030), which must read like DOCUMENT.
"""
import argparse
import hashlib
import json
import os
import struct
import sys
import zlib

# Fixed DOS date and time (1980-01-01 00:00) so that every run gives the same bytes.
DOS_TIME = 0
DOS_DATE = (1 << 5) | 1
UNIX = 3

PLACEHOLDER = b'{"format": "budgetkit-budget", "note": "never read: refused before"}\n'


def deflate(data):
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


class Entry:
    """One member. Every field a hostile archive may want to lie about can be overridden."""

    def __init__(self, name, data=b"", method=8, crc=None, size=None, csize=None, flags=0,
                 payload=None, external=0o100644 << 16, made_by=(UNIX << 8) | 20,
                 utf8_flag=None):
        self.name = name.encode("utf-8") if isinstance(name, str) else name
        self.data = data
        self.method = method
        self.payload = payload if payload is not None else (deflate(data) if method == 8 else data)
        self.crc = zlib.crc32(data) if crc is None else crc
        self.size = len(data) if size is None else size
        self.csize = len(self.payload) if csize is None else csize
        if utf8_flag is None:
            utf8_flag = any(b >= 0x80 for b in self.name)
        self.flags = flags | (0x800 if utf8_flag else 0)
        self.external = external
        self.made_by = made_by


def build(entries, zip64=False, locator_at=None):
    """The archive; with zip64, every size and offset of the central directory moves into the
    ZIP64 extra field and the ZIP64 end records come before the classic one (locator_at makes
    the locator point elsewhere)."""
    out = bytearray()
    central = bytearray()
    for e in entries:
        offset = len(out)
        out += struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, e.flags, e.method, DOS_TIME, DOS_DATE,
                           e.crc, e.csize, e.size, len(e.name), 0)
        out += e.name + e.payload
        extra = b""
        csize, size, where = e.csize, e.size, offset
        if zip64:
            extra = struct.pack("<HHQQQ", 1, 24, e.size, e.csize, offset)
            csize = size = where = 0xFFFFFFFF
        central += struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, e.made_by, 45 if zip64 else 20,
                               e.flags, e.method, DOS_TIME, DOS_DATE, e.crc, csize, size,
                               len(e.name), len(extra), 0, 0, 0, e.external, where)
        central += e.name + extra
    start = len(out)
    out += central
    if not zip64:
        out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries),
                           len(central), start, 0)
        return bytes(out)
    end64 = len(out)
    out += struct.pack("<IQHHIIQQQQ", 0x06064B50, 44, (UNIX << 8) | 45, 45, 0, 0, len(entries),
                       len(entries), len(central), start)
    out += struct.pack("<IIQI", 0x07064B50, 0, end64 if locator_at is None else locator_at, 1)
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, 0xFFFF, 0xFFFF, 0xFFFFFFFF, 0xFFFFFFFF, 0)
    return bytes(out)


def readable(doc):
    """name -> archive bytes that must be read like the document doc."""
    return {
        "zip64": build([Entry("documents/0001-a-2024.json", doc)], zip64=True),
        # Archivers on a Chinese Windows write names in the system code page, unflagged.
        "gbk-name": build([Entry("documents/预算.json".encode("gbk"), doc, utf8_flag=False)]),
    }


def manifest(resources):
    """A datapackage.json such as budgetkit writes, for (path, data) pairs, with overrides."""
    items = []
    for number, r in enumerate(resources, 1):
        path, data = r[0], r[1]
        res = {"name": "document-%04d" % number, "path": path, "format": "json",
               "mediatype": "application/json", "encoding": "utf-8", "bytes": len(data),
               "hash": "sha256:" + hashlib.sha256(data).hexdigest()}
        if len(r) > 2:
            res.update(r[2])
        items.append(res)
    doc = {"profile": "data-package", "name": "budgets-2024", "resources": items}
    return (json.dumps(doc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")


def samples():
    """name -> (archive bytes, expected error substring)."""
    doc = PLACEHOLDER
    good = "documents/0001-a-2024.json"
    s = {}

    def with_manifest(text):
        """An archive of the good document and text as its datapackage.json."""
        return build([Entry(good, doc), Entry("datapackage.json", text)])

    s["path-traversal"] = (build([Entry("../evil.json", doc)]),
                           "entry ../evil.json: unsafe entry name: the name climbs out of the "
                           "archive")
    s["path-traversal-deep"] = (build([Entry("documents/../../evil.json", doc)]),
                                "entry documents/../../evil.json: unsafe entry name: the name "
                                "climbs out")
    s["absolute-path"] = (build([Entry("/evil.json", doc)]),
                          "entry /evil.json: unsafe entry name: the name is an absolute path")
    s["drive-letter"] = (build([Entry("C:/evil.json", doc)]),
                         "entry C:/evil.json: unsafe entry name: the name starts with a drive "
                         "letter")
    s["backslash"] = (build([Entry("..\\evil.json", doc)]),
                      "entry ..\\evil.json: unsafe entry name: the name holds a backslash")
    s["duplicate-names"] = (build([Entry(good, doc), Entry(good, doc)]),
                            "entry %s: the name appears twice" % good)
    s["symlink"] = (build([Entry("documents/link.json", b"../../secret.json", method=0,
                                 external=0o120777 << 16)]),
                    "entry documents/link.json: the entry is a symbolic link")

    # Decompression bombs. Declared sizes are checked before inflating anything...
    s["bomb-declared-huge"] = (
        build([Entry("documents/huge.json", payload=deflate(b"\0" * 1024), size=0xFFFFFFF0,
                     crc=0)]),
        "entry documents/huge.json: the entry declares 4294967280 bytes, more than "
        "max-input-bytes")
    zeros = b"\0" * (4 << 20)
    s["bomb-ratio"] = (build([Entry("documents/zeros.json", zeros)]),
                       "entry documents/zeros.json: the entry declares 4194304 bytes from")
    # ...and the bytes that actually come out are counted while inflating, so a header that
    # understates them is caught after one read.
    s["bomb-size-lie"] = (build([Entry("documents/lie.json", zeros, size=1000)]),
                          "entry documents/lie.json: the entry inflates to more than its "
                          "declared 1000 bytes")

    s["crc-mismatch"] = (build([Entry(good, doc, crc=zlib.crc32(doc) ^ 0x5A5A5A5A)]),
                         "entry %s: CRC mismatch" % good)
    bad_deflate = bytearray(deflate(doc * 4))
    bad_deflate[len(bad_deflate) // 2:] = b"\xff" * (len(bad_deflate) - len(bad_deflate) // 2)
    s["damaged-deflate"] = (build([Entry(good, doc * 4, payload=bytes(bad_deflate))]),
                            "entry %s: the entry's compressed data is damaged" % good)
    # Traditional PKWARE encryption: a 12-byte header before the data. The bytes need not be
    # real ciphertext, only look like it.
    scrambled = bytes((i * 37 + 11) & 0xFF for i in range(12 + len(doc)))
    s["encrypted"] = (build([Entry(good, doc, method=0, flags=1, payload=scrambled)]),
                      "entry %s: the entry is encrypted" % good)
    s["unsupported-method"] = (build([Entry(good, doc, method=12, payload=b"BZh9" + doc)]),
                               "entry %s: unsupported compression method 12" % good)
    s["stored-size-mismatch"] = (build([Entry(good, doc, method=0, size=len(doc) + 5)]),
                                 "entry %s: the entry is stored uncompressed but its two sizes "
                                 "differ" % good)
    inner = build([Entry(good, doc)])
    s["nested-archive"] = (build([Entry("documents/inner.json", inner)]),
                           "entry documents/inner.json: the entry holds another ZIP archive")

    # The manifest.
    wrong = "0" * 64
    s["manifest-hash-mismatch"] = (
        with_manifest(manifest([(good, doc, {"hash": "sha256:" + wrong})])),
        "entry %s: hash mismatch" % good)
    s["manifest-bytes-mismatch"] = (
        with_manifest(manifest([(good, doc, {"bytes": len(doc) + 1})])),
        "entry %s: the entry holds %d bytes but datapackage.json says %d"
        % (good, len(doc), len(doc) + 1))
    s["manifest-missing-resource"] = (
        with_manifest(manifest([(good, doc), ("documents/0002-b-2024.json", doc)])),
        "entry datapackage.json: resource 2: \"documents/0002-b-2024.json\" is not in the archive")
    s["manifest-unlisted"] = (
        build([Entry(good, doc), Entry("documents/extra.json", doc),
               Entry("datapackage.json", manifest([(good, doc)]))]),
        "entry documents/extra.json: the entry is a document but datapackage.json does not list")
    s["manifest-unsafe-path"] = (
        with_manifest(manifest([("../evil.json", doc)])),
        "entry datapackage.json: resource 1: unsafe path \"../evil.json\"")
    s["manifest-not-a-package"] = (
        with_manifest(b'{"files": ["%s"]}\n' % good.encode()),
        "entry datapackage.json: expected an object with a \"resources\" array")
    s["manifest-url"] = (
        with_manifest(manifest([("https://example.org/budget.json", doc)])),
        "entry datapackage.json: resource 1: \"https://example.org/budget.json\" is a URL")
    s["manifest-lists-itself"] = (
        with_manifest(manifest([(good, doc), ("datapackage.json", b"")])),
        "entry datapackage.json: resource 2: the manifest cannot list itself")
    s["manifest-not-at-root"] = (
        build([Entry(good, doc), Entry("extra/datapackage.json", manifest([(good, doc)]))]),
        "entry extra/datapackage.json: a datapackage.json that is not at the root")
    s["manifest-bad-json"] = (
        with_manifest(b'{"resources": [\n  {"path": }\n]}\n'),
        "entry datapackage.json: the manifest is not valid JSON (line 2, column 12)")

    # A spreadsheet is a ZIP too; it is named for what it is.
    s["office-spreadsheet"] = (
        build([Entry("[Content_Types].xml", b'<?xml version="1.0"?><Types/>'),
               Entry("xl/workbook.xml", b'<?xml version="1.0"?><workbook/>')]),
        "this is an Office Open XML file (.xlsx, .docx), not an archive of budget documents")

    # Not a (whole) archive.
    real = build([Entry(good, doc * 50), Entry("datapackage.json", manifest([(good, doc * 50)]))])
    s["truncated"] = (real[: len(real) // 2], "not a ZIP archive, or a truncated one")
    s["truncated-directory"] = (real[:-30], "not a ZIP archive, or a truncated one")
    s["data-cut-out"] = (real[:200] + real[400:], "damaged or truncated")
    s["not-a-zip"] = (b"This file is named .zip but it is plain text.\n",
                      "not a ZIP archive, or a truncated one")
    s["empty"] = (build([]), "the archive holds no budget documents")
    s["zip64-locator-wrong"] = (build([Entry(good, doc)], zip64=True, locator_at=1 << 40),
                                "damaged or truncated")
    s["name-not-text"] = (build([Entry(b"documents/\xff\xfe.json", doc, utf8_flag=False)]),
                          "entry 1 of the central directory has a name that is neither UTF-8 "
                          "nor GB18030")
    s["manifest-too-deep"] = (
        with_manifest(b'{"resources": [], "x": ' + b"[" * 70 + b"]" * 70 + b"}\n"),
        "entry datapackage.json: the manifest is not valid JSON (line 1, column 87): nested "
        "deeper than 64 levels")
    s["manifest-trailing-comma"] = (
        with_manifest(b'{"resources": [\n  {"path": "%s"},\n]}\n' % good.encode()),
        "entry datapackage.json: the manifest is not valid JSON (line 3, column 1): a ',' "
        "before ']'")
    return s


def write_bomb(path, megabytes, declared=None):
    """An archive of zeros, compressed in pieces so that the zeros never sit in memory. Its
    header tells the truth unless a declared size is given."""
    chunk = b"\0" * (1 << 20)
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    crc, parts = 0, []
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
        parts.append(comp.compress(chunk))
    parts.append(comp.flush())
    payload = b"".join(parts)
    size = megabytes << 20 if declared is None else declared
    e = Entry("documents/bomb.json", payload=payload, crc=crc, size=size)
    with open(path, "wb") as f:
        f.write(build([e]))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("folder", nargs="?", default="samples/invalid/archive")
    ap.add_argument("--bomb", nargs=2, metavar=("OUT", "MEGABYTES"))
    ap.add_argument("--declare", type=int, metavar="BYTES")
    ap.add_argument("--readable", nargs=2, metavar=("DOCUMENT", "FOLDER"),
                    help="write the archives that must read like DOCUMENT into FOLDER")
    args = ap.parse_args()
    if args.readable:
        with open(args.readable[0], "rb") as f:
            doc = f.read()
        os.makedirs(args.readable[1], exist_ok=True)
        for name, data in sorted(readable(doc).items()):
            with open(os.path.join(args.readable[1], name + ".zip"), "wb") as f:
                f.write(data)
        return 0
    if args.bomb:
        write_bomb(args.bomb[0], int(args.bomb[1]), args.declare)
        return 0
    os.makedirs(args.folder, exist_ok=True)
    for name, (data, error) in sorted(samples().items()):
        path = os.path.join(args.folder, name + ".zip")
        with open(path, "wb") as f:
            f.write(data)
        with open(path + ".error", "w", encoding="utf-8") as f:
            f.write(error + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
