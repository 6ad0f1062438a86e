/* Shared helpers for the cmocka tests: a context with the build tree's plugins and the source
 * tree's data, and reading a sample into a document the test owns. */
#ifndef BKTEST_H
#define BKTEST_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "budgetkit/budgetkit.h"

/* Path under the source tree (tests run with BK_SOURCE_DIR set by ctest). */
static inline const char *bktest_path(const char *rel)
{
    static char buf[4][4096];
    static int next;
    const char *src = getenv("BK_SOURCE_DIR");
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", src ? src : ".", rel);
    return b;
}

static inline bk_ctx *bktest_ctx(void)
{
    bk_ctx *ctx = bk_ctx_new();
    assert_non_null(ctx);
    assert_int_equal(bk_ctx_set_data_dir(ctx, bktest_path("formats")), BK_OK);
    bk_error err;
    bk_error_clear(&err);
    assert_int_equal(bk_ctx_load_plugins(ctx, &err), BK_OK);
    return ctx;
}

static inline bk_status bktest_keep_first(bk_doc *doc, void *user, bk_error *err)
{
    (void)err;
    bk_doc **out = user;
    if (!*out) {
        bk_doc_keep(doc);
        *out = doc;
    }
    return BK_OK;
}

/* The first document of a file; fails the test when it cannot be read. */
static inline bk_doc *bktest_read(bk_ctx *ctx, const char *path)
{
    bk_doc *doc = NULL;
    bk_error err;
    bk_error_clear(&err);
    bk_status st = bk_read(ctx, path, NULL, bktest_keep_first, &doc, &err);
    if (st != BK_OK) {
        char msg[1024];
        bk_error_format(&err, msg, sizeof msg);
        fail_msg("cannot read %s: %s", path, msg);
    }
    assert_non_null(doc);
    return doc;
}

/* A fresh empty folder for outputs. */
static inline const char *bktest_tempdir(void)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "/tmp/bktest-XXXXXX");
    assert_non_null(mkdtemp(dir));
    return dir;
}

#endif
