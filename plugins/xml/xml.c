/* The XML plugin: budgets as XML documents in the budgetkit namespace (formats/xml.md,
 * formats/budget.xsd), read with libxml2's SAX2 push parser and written with its text writer. */
#include <string.h>

#include "xml_internal.h"

static int starts_with(const unsigned char *s, size_t len, const char *prefix)
{
    size_t n = strlen(prefix);
    return len >= n && memcmp(s, prefix, n) == 0;
}

/* The ASCII characters of a UTF-16 head (with or without byte-order mark), so that the same
 * tests apply to it; 0 when the head is not UTF-16. */
static size_t narrow_utf16(const unsigned char *s, size_t len, unsigned char *out)
{
    int le;
    size_t n = 0, i = 0;
    if (len < 2)
        return 0;
    if ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == '<' && s[1] == 0))
        le = 1;
    else if ((s[0] == 0xFE && s[1] == 0xFF) || (s[0] == 0 && s[1] == '<'))
        le = 0;
    else
        return 0;
    if (s[0] == 0xFF || s[0] == 0xFE)
        i = 2;
    for (; i + 1 < len; i += 2) {
        unsigned u = le ? (unsigned)s[i] | (unsigned)s[i + 1] << 8
                        : (unsigned)s[i] << 8 | (unsigned)s[i + 1];
        out[n++] = u < 0x80 ? (unsigned char)u : 0x80;
    }
    return n;
}

static int probe_head(const unsigned char *head, size_t head_len)
{
    const unsigned char *s = head;
    size_t len = head_len;
    if (starts_with(s, len, "\xEF\xBB\xBF")) {
        s += 3;
        len -= 3;
    }
    while (len > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
        s++;
        len--;
    }
    if (!starts_with(s, len, "<"))
        return 0;
    /* Any XML might be ours; the namespace makes it certain. "<?xml" needs no separate case:
     * it starts with "<" as well. */
    return 60 + (bk_probe_contains(head, head_len, BKX_NS) ? 35 : 0);
}

static int bkx_probe(const bk_probe *p)
{
    unsigned char narrow[BK_PROBE_BYTES / 2];
    if (p->is_dir || !p->head)
        return 0;
    size_t len = p->head_len < BK_PROBE_BYTES ? p->head_len : BK_PROBE_BYTES;
    size_t n = narrow_utf16(p->head, len, narrow);
    return n ? probe_head(narrow, n) : probe_head(p->head, p->head_len);
}

BK_PLUGIN(xml, .version = "1.0.0", .license = "MIT",
          .summary = "budgets as XML in the " BKX_NS " namespace (schema: formats/budget.xsd)",
          .kinds = BK_PLUGIN_IMPORT | BK_PLUGIN_EXPORT, .caps = BK_CAP_MULTI_DOC,
          .extensions = BK_PLUGIN_EXTENSIONS("xml"), .media_type = "application/xml",
          .priority = 50, BK_PLUGIN_IMPORTER(bkx), BK_PLUGIN_EXPORTER(bkx))
