/* Text helpers: buffers, escaping, and the check that a string can be carried by XML 1.0. */
#include <string.h>

#include <libxml/globals.h>
#include <libxml/parser.h>

#include <budgetkit/alloc.h>

#include "xml_internal.h"

int bkx_buf_append(bkx_buf *b, const char *s, size_t len)
{
    if (len >= SIZE_MAX - b->len)
        return -1;
    /* called for every attribute value and text of a bulk file: grow only when needed */
    if (b->len + len + 1 > b->cap && bk_grow((void **)&b->p, &b->cap, b->len + len + 1, 1))
        return -1;
    if (len)
        memcpy(b->p + b->len, s, len);
    b->len += len;
    b->p[b->len] = '\0';
    return 0;
}

void bkx_buf_free(bkx_buf *b)
{
    bk_free(b->p);
    b->p = NULL;
    b->len = b->cap = 0;
}

/* The replacement for one byte, or NULL when it stays as it is. Attribute values also escape
 * the quote and the white space that attribute-value normalisation would turn into spaces;
 * element content escapes the carriage return, which line-end normalisation would drop. */
static const char *escape_of(unsigned char c, int attribute)
{
    switch (c) {
    case '&': return "&amp;";
    case '<': return "&lt;";
    case '>': return "&gt;";
    case '\r': return "&#13;";
    case '"': return attribute ? "&quot;" : NULL;
    case '\n': return attribute ? "&#10;" : NULL;
    case '\t': return attribute ? "&#9;" : NULL;
    default: return NULL;
    }
}

int bkx_escape(bkx_buf *out, const char *s, int attribute)
{
    const char *run = s;
    out->len = 0;
    if (bkx_buf_append(out, "", 0))
        return -1;
    for (const char *c = s; *c; c++) {
        const char *rep = escape_of((unsigned char)*c, attribute);
        if (!rep)
            continue;
        if (bkx_buf_append(out, run, (size_t)(c - run)) || bkx_buf_append(out, rep, strlen(rep)))
            return -1;
        run = c + 1;
    }
    return bkx_buf_append(out, run, strlen(run));
}

/* Decode one UTF-8 sequence at s; returns its length, or 0 when it is not well-formed
 * (overlong forms, surrogates and values past U+10FFFF are not). */
static size_t utf8_decode(const unsigned char *s, long *cp)
{
    unsigned char c = s[0];
    size_t n;
    long v, min;
    if (c < 0x80) {
        *cp = c;
        return 1;
    } else if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        return 0;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80)
            return 0;
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    *cp = v;
    return n;
}

static int xml_char(long c)
{
    return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) ||
           (c >= 0xE000 && c <= 0xFFFD) || (c >= 0x10000 && c <= 0x10FFFF);
}

int bkx_text_ok(const char *s, long *bad)
{
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        long cp;
        size_t n = utf8_decode(p, &cp);
        if (n == 0) {
            *bad = -1;
            return 0;
        }
        if (!xml_char(cp)) {
            *bad = cp;
            return 0;
        }
        p += n;
    }
    return 1;
}

long bkx_utf8_chars(const unsigned char *s, size_t len)
{
    long n = 0;
    for (size_t i = 0; i < len; i++)
        n += (s[i] & 0xC0) != 0x80;
    return n;
}

static void ignore_generic(void *ctx, const char *msg, ...)
{
    (void)ctx;
    (void)msg;
}

static void ignore_structured(void *ctx, bkx_error_ptr error)
{
    (void)ctx;
    (void)error;
}

void bkx_quiet_begin(bkx_quiet *q)
{
    xmlInitParser();
    q->generic = xmlGenericError;
    q->generic_ctx = xmlGenericErrorContext;
    q->structured = xmlStructuredError;
    q->structured_ctx = xmlStructuredErrorContext;
    xmlSetGenericErrorFunc(NULL, ignore_generic);
    xmlSetStructuredErrorFunc(NULL, ignore_structured);
}

void bkx_quiet_end(const bkx_quiet *q)
{
    xmlSetGenericErrorFunc(q->generic_ctx, q->generic);
    xmlSetStructuredErrorFunc(q->structured_ctx, q->structured);
}
