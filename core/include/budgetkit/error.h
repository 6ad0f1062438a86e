/* Errors that say where: file, line, column, byte offset, model path, and the plugin. */
#ifndef BUDGETKIT_ERROR_H
#define BUDGETKIT_ERROR_H

#include "api.h"

#include <stdarg.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bk_status {
    BK_OK = 0,
    BK_E_USAGE,       /* a bad option or argument */
    BK_E_IO,          /* cannot read or write a file */
    BK_E_SYNTAX,      /* malformed input (JSON, XML, CSV, ZIP) */
    BK_E_CONTENT,     /* well-formed input that breaks the format's contract */
    BK_E_LIMIT,       /* a configured resource limit was reached */
    BK_E_HOSTILE,     /* input that tries something refused on principle (entities, escapes) */
    BK_E_NOMEM,       /* allocation failed */
    BK_E_PLUGIN,      /* no plugin for the job, or a plugin failed */
    BK_E_ENCODING,    /* invalid bytes for the input's character encoding */
    BK_E_INTERNAL
} bk_status;

#define BK_ERROR_TEXT 512
#define BK_ERROR_FILE 256
#define BK_ERROR_WHERE 192

typedef struct bk_error {
    bk_status code;
    long line;           /* 1-based, 0 when unknown */
    long column;         /* 1-based, 0 when unknown */
    long long offset;    /* byte offset, -1 when unknown */
    char file[BK_ERROR_FILE];   /* input or output path as the user named it */
    char where[BK_ERROR_WHERE]; /* model path (table/row/column) or archive entry, may be empty */
    char plugin[32];            /* plugin that raised it, may be empty */
    char text[BK_ERROR_TEXT];
} bk_error;

BK_API void bk_error_clear(bk_error *err);

/* Set code and message; keeps file/line/column already set. Returns code. NULL err is allowed. */
BK_API bk_status bk_error_set(bk_error *err, bk_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* bk_error_set for a function of its own that takes a format: the arguments may point into
 * err itself. */
BK_API bk_status bk_error_setv(bk_error *err, bk_status code, const char *fmt, va_list ap)
    __attribute__((format(printf, 3, 0)));

/* Set the position fields (file may be NULL to keep the current one). */
BK_API void bk_error_at(bk_error *err, const char *file, long line, long column, long long offset);
BK_API void bk_error_where(bk_error *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* "FILE:LINE:COL: [where: ]text" — the form the command line prints after "budgetkit: ". */
BK_API size_t bk_error_format(const bk_error *err, char *buf, size_t cap);

BK_API const char *bk_status_name(bk_status code);

#ifdef __cplusplus
}
#endif
#endif
