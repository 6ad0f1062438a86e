/* Error values that carry where the problem is. */
#include "budgetkit/error.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

void bk_error_clear(bk_error *err)
{
    if (!err)
        return;
    memset(err, 0, sizeof *err);
    err->offset = -1;
}

bk_status bk_error_setv(bk_error *err, bk_status code, const char *fmt, va_list ap)
{
    if (!err)
        return code;
    /* Formatted aside first: an argument may be err's own text. */
    char msg[sizeof err->text];
    vsnprintf(msg, sizeof msg, fmt, ap);
    err->code = code;
    memcpy(err->text, msg, sizeof msg);
    return code;
}

bk_status bk_error_set(bk_error *err, bk_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bk_status st = bk_error_setv(err, code, fmt, ap);
    va_end(ap);
    return st;
}

void bk_error_at(bk_error *err, const char *file, long line, long column, long long offset)
{
    if (!err)
        return;
    if (file)
        snprintf(err->file, sizeof err->file, "%s", file);
    err->line = line;
    err->column = column;
    err->offset = offset;
}

void bk_error_where(bk_error *err, const char *fmt, ...)
{
    if (!err)
        return;
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(err->where, sizeof err->where, fmt, ap);
    va_end(ap);
}

size_t bk_error_format(const bk_error *err, char *buf, size_t cap)
{
    size_t n = 0;
    int w;
#define APPEND(...)                                                   \
    do {                                                              \
        w = snprintf(buf + n, n < cap ? cap - n : 0, __VA_ARGS__);    \
        if (w > 0)                                                    \
            n += (size_t)w;                                           \
    } while (0)
    if (cap)
        buf[0] = '\0';
    if (err->file[0]) {
        APPEND("%s:", err->file);
        if (err->line > 0) {
            APPEND("%ld:", err->line);
            if (err->column > 0)
                APPEND("%ld:", err->column);
        } else if (err->offset >= 0) {
            APPEND("byte %lld:", err->offset);
        }
        APPEND(" ");
    }
    if (err->where[0])
        APPEND("%s: ", err->where);
    APPEND("%s", err->text[0] ? err->text : bk_status_name(err->code));
#undef APPEND
    return n < cap ? n : (cap ? cap - 1 : 0);
}

const char *bk_status_name(bk_status code)
{
    switch (code) {
    case BK_OK: return "ok";
    case BK_E_USAGE: return "usage error";
    case BK_E_IO: return "input/output error";
    case BK_E_SYNTAX: return "syntax error";
    case BK_E_CONTENT: return "invalid content";
    case BK_E_LIMIT: return "limit exceeded";
    case BK_E_HOSTILE: return "refused input";
    case BK_E_NOMEM: return "out of memory";
    case BK_E_PLUGIN: return "plugin error";
    case BK_E_ENCODING: return "invalid encoding";
    case BK_E_INTERNAL: return "internal error";
    }
    return "unknown error";
}
