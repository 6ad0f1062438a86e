/* CSV output: RFC 4180 quoting, CRLF line ends, UTF-8 (optionally with a byte order mark) or
 * GB18030. Text is gathered in a buffer and converted and written a record boundary at a time,
 * so a conversion never splits a character. */
#include <errno.h>
#include <string.h>

#include "csvint.h"

#define FLUSH_AT 65536

bk_status bkcsv_writer_init(bkcsv_writer *w, bk_sink *sink, bkcsv_encoding enc, int bom,
                            bk_error *err)
{
    memset(w, 0, sizeof *w);
    w->sink = sink;
    w->enc = enc == BKCSV_ENC_GB18030 ? BKCSV_ENC_GB18030 : BKCSV_ENC_UTF8;
    w->cd = (iconv_t)-1;
    w->err = err;
    if (w->enc == BKCSV_ENC_GB18030) {
        w->cd = iconv_open("GB18030", "UTF-8");
        if (w->cd == (iconv_t)-1)
            return w->status = bk_error_set(err, BK_E_ENCODING,
                                            "this system cannot convert to GB18030 (iconv: %s)",
                                            strerror(errno));
    } else if (bom) {
        bkcsv_put_raw(w, "\xEF\xBB\xBF", 3);
    }
    return w->status;
}

void bkcsv_writer_free(bkcsv_writer *w)
{
    if (w->cd != (iconv_t)-1)
        iconv_close(w->cd);
    w->cd = (iconv_t)-1;
    bk_free(w->buf);
    bk_free(w->conv);
    w->buf = w->conv = NULL;
}

void bkcsv_put_raw(bkcsv_writer *w, const char *s, size_t len)
{
    if (w->status != BK_OK || len == 0)
        return;
    if (w->len + len > w->cap && bk_grow((void **)&w->buf, &w->cap, w->len + len, 1)) {
        w->status = bk_error_set(w->err, BK_E_NOMEM, "out of memory");
        return;
    }
    memcpy(w->buf + w->len, s, len);
    w->len += len;
}

static int needs_quotes(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        char c = s[i];
        if (c == ',' || c == '"' || c == '\n' || c == '\r')
            return 1;
    }
    return 0;
}

/* -217.70, +7, 1,234.5, 12.5%: what a spreadsheet reads as a number, not a formula. */
static int plain_number(const char *s, size_t len)
{
    size_t i = 0, digits = 0;
    if (i < len && (s[i] == '-' || s[i] == '+'))
        i++;
    for (; i < len && ((s[i] >= '0' && s[i] <= '9') || (s[i] == ',' && digits)); i++)
        digits += s[i] != ',';
    if (i < len && s[i] == '.')
        for (i++; i < len && s[i] >= '0' && s[i] <= '9'; i++)
            digits++;
    if (i < len && s[i] == '%')
        i++;
    return digits > 0 && i == len;
}

int bkcsv_formula_guarded(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len && s[i] == '\'')
        i++;
    if (i == len || !strchr("=+-@\t\r", s[i]))
        return 0;
    return i > 0 || !plain_number(s, len);
}

void bkcsv_put(bkcsv_writer *w, const char *s, size_t len)
{
    int guard = bkcsv_formula_guarded(s, len);
    if (!needs_quotes(s, len)) {
        if (guard)
            bkcsv_put_raw(w, "'", 1);
        bkcsv_put_raw(w, s, len);
        return;
    }
    bkcsv_put_raw(w, "\"'", 1 + guard);
    const char *q;
    while ((q = memchr(s, '"', len)) != NULL) {
        size_t n = (size_t)(q - s) + 1;
        bkcsv_put_raw(w, s, n);
        bkcsv_put_raw(w, "\"", 1);
        s += n;
        len -= n;
    }
    bkcsv_put_raw(w, s, len);
    bkcsv_put_raw(w, "\"", 1);
}

void bkcsv_puts(bkcsv_writer *w, const char *s)
{
    if (s)
        bkcsv_put(w, s, strlen(s));
}

void bkcsv_record(bkcsv_writer *w, const char *const *fields, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (i)
            bkcsv_sep(w);
        bkcsv_puts(w, fields[i]);
    }
    bkcsv_eol(w);
}

static bk_status write_converted(bkcsv_writer *w)
{
    /* A UTF-8 character of n bytes never needs more than 4 GB18030 bytes, n >= 1. */
    size_t need = 4 * w->len + 16;
    if (need > w->conv_cap && bk_grow((void **)&w->conv, &w->conv_cap, need, 1))
        return w->status = bk_error_set(w->err, BK_E_NOMEM, "out of memory");
    char *in = w->buf, *out = w->conv;
    size_t inleft = w->len, outleft = w->conv_cap;
    if (iconv(w->cd, &in, &inleft, &out, &outleft) == (size_t)-1)
        return w->status = bk_error_set(w->err, BK_E_ENCODING,
                                        "cannot write the text as GB18030 (iconv: %s)",
                                        strerror(errno));
    return w->status = bk_sink_write(w->sink, w->conv, (size_t)(out - w->conv));
}

bk_status bkcsv_writer_flush(bkcsv_writer *w)
{
    if (w->status != BK_OK || w->len == 0)
        return w->status;
    if (w->enc == BKCSV_ENC_GB18030)
        write_converted(w);
    else
        w->status = bk_sink_write(w->sink, w->buf, w->len);
    w->len = 0;
    if (w->status != BK_OK && !w->err->code)
        bk_error_set(w->err, w->status, "cannot write the output");
    return w->status;
}

void bkcsv_eol(bkcsv_writer *w)
{
    bkcsv_put_raw(w, "\r\n", 2);
    if (w->len >= FLUSH_AT)
        bkcsv_writer_flush(w);
}
