#include "text.h"

#include <stdarg.h>
#include <stdio.h>

#include "budgetkit/alloc.h"

void tot_text_init(tot_text *t)
{
    t->s = NULL;
    t->len = t->cap = 0;
    t->failed = 0;
}

void tot_text_free(tot_text *t)
{
    bk_free(t->s);
    tot_text_init(t);
}

void tot_text_clear(tot_text *t)
{
    t->len = 0;
    if (t->s)
        t->s[0] = '\0';
}

void tot_text_add(tot_text *t, const char *fmt, ...)
{
    if (t->failed)
        return;
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0) {
        t->failed = 1;
        return;
    }
    void *buf = t->s;
    if (bk_grow(&buf, &t->cap, t->len + (size_t)n + 1, 1) != 0) {
        t->failed = 1;
        return;
    }
    t->s = buf;
    va_start(ap, fmt);
    vsnprintf(t->s + t->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    t->len += (size_t)n;
}

void tot_text_dec(tot_text *t, bk_decimal d)
{
    char buf[BK_DECIMAL_BUFSIZE];
    bk_decimal_format(d, 0, buf, sizeof buf);
    tot_text_add(t, "%s", buf);
}

void tot_text_abs(tot_text *t, bk_decimal d)
{
    if (d.units < 0 && d.units != INT64_MIN)
        d.units = -d.units;
    tot_text_dec(t, d);
}

const char *tot_text_str(const tot_text *t)
{
    return t->s ? t->s : "";
}
