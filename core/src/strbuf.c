/* The growing string of budgetkit/strbuf.h. */
#include "budgetkit/strbuf.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "budgetkit/alloc.h"

void bk_strbuf_init(bk_strbuf *b) { memset(b, 0, sizeof *b); }

void bk_strbuf_free(bk_strbuf *b)
{
    bk_free(b->s);
    bk_strbuf_init(b);
}

void bk_strbuf_clear(bk_strbuf *b)
{
    b->len = 0;
    if (b->s)
        b->s[0] = '\0';
}

void bk_strbuf_add(bk_strbuf *b, const char *fmt, ...)
{
    if (b->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    void *s = b->s;
    if (n < 0 || bk_grow(&s, &b->cap, b->len + (size_t)n + 1, 1) != 0) {
        b->failed = 1;
        return;
    }
    b->s = s;
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

void bk_strbuf_dec(bk_strbuf *b, bk_decimal d)
{
    char buf[BK_DECIMAL_BUFSIZE];
    bk_decimal_format(d, 0, buf, sizeof buf);
    bk_strbuf_add(b, "%s", buf);
}

void bk_strbuf_abs(bk_strbuf *b, bk_decimal d)
{
    if (d.units < 0 && d.units != INT64_MIN)
        d.units = -d.units;
    bk_strbuf_dec(b, d);
}

const char *bk_strbuf_str(const bk_strbuf *b) { return b->s ? b->s : ""; }
