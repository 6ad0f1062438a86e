/* The archive plugin's descriptor and probe. */
#include "archive.h"

#include <string.h>
#include <strings.h>
#include <zlib.h>

static const bkar_format formats[] = {
    {"json", "application/json"},
    {"xml", "application/xml"},
    {"csv", "text/csv"},
};

const bkar_format *bkar_format_find(const char *name)
{
    if (!name)
        return NULL;
    for (size_t i = 0; i < sizeof formats / sizeof formats[0]; i++)
        if (strcasecmp(name, formats[i].name) == 0)
            return &formats[i];
    return NULL;
}

const bkar_format *bkar_format_of_path(const char *path)
{
    const char *slash = strrchr(path, '/');
    const char *dot = strrchr(slash ? slash + 1 : path, '.');
    return dot ? bkar_format_find(dot + 1) : NULL;
}

/* Length of a well-formed UTF-8 sequence at s (at most n bytes), 0 when it is not one. */
size_t bkar_utf8_sequence(const unsigned char *s, size_t n)
{
    size_t len;
    uint32_t cp;
    if (s[0] >= 0xC2 && s[0] <= 0xDF) {
        len = 2;
        cp = s[0] & 0x1Fu;
    } else if (s[0] >= 0xE0 && s[0] <= 0xEF) {
        len = 3;
        cp = s[0] & 0x0Fu;
    } else if (s[0] >= 0xF0 && s[0] <= 0xF4) {
        len = 4;
        cp = s[0] & 0x07u;
    } else {
        return 0;
    }
    if (len > n)
        return 0;
    for (size_t i = 1; i < len; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (s[i] & 0x3Fu);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    return len;
}

int bkar_is_utf8(const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n;) {
        size_t seq = s[i] < 0x80 ? 1 : bkar_utf8_sequence(s + i, n - i);
        if (seq == 0)
            return 0;
        i += seq;
    }
    return 1;
}

uint32_t bkar_crc32(const unsigned char *data, size_t len)
{
    /* zlib counts in uInt: go in steps. */
    uLong crc = crc32(0L, Z_NULL, 0);
    for (size_t done = 0; done < len;) {
        size_t step = len - done < 0x40000000u ? len - done : 0x40000000u;
        crc = crc32(crc, data + done, (uInt)step);
        done += step;
    }
    return (uint32_t)crc;
}

static int bkar_probe(const bk_probe *p)
{
    if (p->is_dir)
        return 0;
    if (p->head_len >= 4 && memcmp(p->head, "PK\x03\x04", 4) == 0)
        return 95;
    if (p->head_len >= 4 && memcmp(p->head, "PK\x05\x06", 4) == 0)
        return 90; /* an empty archive is only an end record */
    /* A damaged or foreign file named .zip should be refused by the reader that names the
     * problem, not read as text by the CSV fallback. */
    if (bk_probe_has_extension(p, "zip"))
        return 40;
    return 0;
}

BK_PLUGIN(archive, .version = "1.0.0", .license = "MIT",
          .summary = "ZIP archive of budget documents with a Frictionless Data Package manifest",
          .kinds = BK_PLUGIN_IMPORT | BK_PLUGIN_EXPORT, .caps = BK_CAP_MULTI_DOC | BK_CAP_CONTAINER,
          .extensions = BK_PLUGIN_EXTENSIONS("zip"), .media_type = "application/zip",
          .priority = 50, BK_PLUGIN_IMPORTER(bkar), BK_PLUGIN_EXPORTER(bkar))
