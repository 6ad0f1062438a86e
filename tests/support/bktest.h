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
#include <unistd.h>

#include <cmocka.h>

#include "budgetkit/budgetkit.h"

/* dir/name in one of four static buffers (so that a call may take two such paths). */
static inline const char *bktest_join(const char *dir, const char *name)
{
    static char buf[4][4096];
    static int next;
    char *b = buf[next++ % 4];
    snprintf(b, sizeof buf[0], "%s/%s", dir, name);
    return b;
}

/* Path under the source tree (tests run with BK_SOURCE_DIR set by ctest). */
static inline const char *bktest_path(const char *rel)
{
    const char *src = getenv("BK_SOURCE_DIR");
    return bktest_join(src ? src : ".", rel);
}

/* An error as bk_error_clear leaves it, for a declaration: `bk_error err = bktest_no_error();`. */
static inline bk_error bktest_no_error(void)
{
    bk_error err;
    bk_error_clear(&err);
    return err;
}

static inline bk_ctx *bktest_ctx(void)
{
    bk_ctx *ctx = bk_ctx_new();
    assert_non_null(ctx);
    assert_int_equal(bk_ctx_set_data_dir(ctx, bktest_path("formats")), BK_OK);
    bk_error err = bktest_no_error();
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
    bk_error err = bktest_no_error();
    bk_status st = bk_read(ctx, path, NULL, bktest_keep_first, &doc, &err);
    if (st != BK_OK) {
        char msg[1024];
        bk_error_format(&err, msg, sizeof msg);
        fail_msg("cannot read %s: %s", path, msg);
    }
    assert_non_null(doc);
    return doc;
}

/* A whole file, NUL-terminated (malloc'd; NULL when it cannot be read). */
static inline char *bktest_read_file(const char *path, size_t *len)
{
    *len = 0;
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, n = 0, got;
    char *buf = malloc(cap + 1);
    while (buf && (got = fread(buf + n, 1, cap - n, f)) > 0) {
        n += got;
        if (n == cap) {
            char *bigger = realloc(buf, 2 * cap + 1);
            if (!bigger)
                free(buf);
            buf = bigger;
            cap *= 2;
        }
    }
    fclose(f);
    if (buf) {
        buf[n] = '\0';
        *len = n;
    }
    return buf;
}

static inline void bktest_write_file(const char *path, const char *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(data, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
}

/* text with the first occurrence of old replaced (malloc'd; the test fails when there is none). */
static inline char *bktest_replace(const char *text, const char *old, const char *new_text)
{
    const char *at = strstr(text, old);
    if (!at)
        fail_msg("\"%s\" is not in the text", old);
    size_t head = (size_t)(at - text), n = strlen(text) - strlen(old) + strlen(new_text);
    char *s = malloc(n + 1);
    assert_non_null(s);
    memcpy(s, text, head);
    strcpy(s + head, new_text);
    strcat(s, at + strlen(old));
    return s;
}

/* want is in text (a long text is shown by its beginning). */
static inline void assert_contains(const char *text, const char *want)
{
    if (!text || !strstr(text, want))
        fail_msg("\"%.200s%s\" does not contain \"%s\"", text ? text : "(null)",
                 text && strlen(text) > 200 ? "..." : "", want);
}

/* d printed with its own decimals is want. */
static inline void assert_dec(bk_decimal d, const char *want)
{
    char buf[BK_DECIMAL_BUFSIZE];
    bk_decimal_format(d, 0, buf, sizeof buf);
    assert_string_equal(buf, want);
}

/* The group setup of a plugin's tests: run from the source tree (where the samples are), one
 * context for the group with the plugin loaded, its limits as loaded in *limits, and a fresh
 * folder PLUGIN-test-XXXXXX in the build tree for the files the tests write. */
static inline int bktest_plugin_setup(const char *plugin, bk_ctx **ctx, bk_limits *limits,
                                      char *tmpdir, size_t cap)
{
    const char *src = getenv("BK_SOURCE_DIR");
    if (src && chdir(src) != 0)
        return -1;
    const char *build = getenv("BK_BUILD_DIR");
    snprintf(tmpdir, cap, "%s/%s-test-XXXXXX", build ? build : ".", plugin);
    if (!mkdtemp(tmpdir))
        return -1;
    *ctx = bktest_ctx();
    *limits = *bk_ctx_limits(*ctx);
    return bk_ctx_plugin_find(*ctx, plugin) ? 0 : -1;
}

/* Frees the context and removes the folder with everything the tests left in it. */
static inline int bktest_plugin_teardown(bk_ctx *ctx, const char *tmpdir)
{
    bk_ctx_free(ctx);
    char cmd[1300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

/* The fixture of a plugin's test group, in the test file: `ctx`, `default_limits` and `tmpdir`
 * as above, `setup` and `teardown` for cmocka_run_group_tests, and `restore_limits`, the
 * teardown of a test that shrinks the limits (a failed assertion leaves it midway: the limits
 * are put back whatever happened). */
#define BKTEST_PLUGIN_FIXTURE(plugin)                                                           \
    static bk_ctx *ctx;                                                                         \
    static bk_limits default_limits;                                                            \
    static char tmpdir[1024];                                                                   \
    static int setup(void **state)                                                              \
    {                                                                                           \
        (void)state;                                                                            \
        return bktest_plugin_setup(plugin, &ctx, &default_limits, tmpdir, sizeof tmpdir);       \
    }                                                                                           \
    static int restore_limits(void **state)                                                     \
    {                                                                                           \
        (void)state;                                                                            \
        *bk_ctx_limits(ctx) = default_limits;                                                   \
        return 0;                                                                               \
    }                                                                                           \
    static int teardown(void **state)                                                           \
    {                                                                                           \
        (void)state;                                                                            \
        return bktest_plugin_teardown(ctx, tmpdir);                                             \
    }

/* A test's check that reading text fails with code at line:column, with message in the error. */
typedef void bktest_expect_error_fn(const char *text, bk_status code, long line, long column,
                                    const char *message);

/* A bad input made by one edit of a test's small document: the first `old` replaced by
 * `new_text`, and the error reading it gives (code at line:column, message in its text). */
typedef struct bktest_edit {
    const char *old, *new_text;
    bk_status code;
    long line, column;
    const char *message;
} bktest_edit;

/* Each of the n edits made to base (which is left as it is) fails as its case says; expect
 * names the case when it does not. */
static inline void bktest_expect_edits(const char *base, const bktest_edit *edits, size_t n,
                                       bktest_expect_error_fn *expect)
{
    for (size_t i = 0; i < n; i++) {
        char *text = bktest_replace(base, edits[i].old, edits[i].new_text);
        expect(text, edits[i].code, edits[i].line, edits[i].column, edits[i].message);
        free(text);
    }
}

/* Reading text with one limit of ctx set to value, the others at their defaults, fails so;
 * the limits are back at their defaults after. */
static inline void bktest_expect_limit(bk_ctx *ctx, const bk_limits *defaults,
                                       unsigned long long *limit, unsigned long long value,
                                       bktest_expect_error_fn *expect, const char *text, long line,
                                       long column, const char *message)
{
    *limit = value;
    expect(text, BK_E_LIMIT, line, column, message);
    *bk_ctx_limits(ctx) = *defaults;
}

/* In a test file with the plugin fixture, an expect_error of that type and a base_doc: reading
 * base_doc with the limit named (max_depth, ...) set to value fails so. */
#define BKTEST_EXPECT_LIMIT(name, value, line, column, message)                                    \
    bktest_expect_limit(ctx, &default_limits, &bk_ctx_limits(ctx)->name, value, expect_error,      \
                        base_doc, line, column, message)

/* Fails the n-th allocation of run(user, err), for n = 1, 2, ... until a run needs no more,
 * which must succeed. A run whose allocation failed must succeed all the same or say out of
 * memory (and leak nothing: the sanitizer build checks); after every run, after(user, failed,
 * st) (if given) checks what it left and frees what it made. Returns how many runs it took. */
static inline unsigned long bktest_fail_each_allocation(bk_status (*run)(void *user, bk_error *err),
                                                        void (*after)(void *user, int failed,
                                                                      bk_status st),
                                                        void *user)
{
    for (unsigned long n = 1; n < 1000000; n++) {
        bk_error err = bktest_no_error();
        bk_alloc_fail_at(n);
        bk_status st = run(user, &err);
        int failed = bk_alloc_failed();
        bk_alloc_fail_at(0);
        if (st != BK_OK && (!failed || st != BK_E_NOMEM))
            fail_msg("allocation %lu %s: got %s: %s", n, failed ? "failed" : "did not fail",
                     bk_status_name(st), err.text);
        if (after)
            after(user, failed, st);
        if (!failed)
            return n;
    }
    fail_msg("still allocating after a million allocations");
    return 0;
}

typedef struct bktest_alloc_job {
    bk_ctx *ctx;
    const char *const *inputs;
    size_t ninputs, ndocs;
    const char *from, *to, *out; /* out NULL: a read */
} bktest_alloc_job;

static inline bk_status bktest_count_docs(bk_doc *doc, void *user, bk_error *err)
{
    (void)doc;
    (void)err;
    ++*(size_t *)user;
    return BK_OK;
}

static inline bk_status bktest_alloc_job_run(void *user, bk_error *err)
{
    bktest_alloc_job *j = user;
    if (j->out) {
        unlink(j->out);
        return bk_convert(j->ctx, j->inputs, j->ninputs, j->out, j->from, j->to, NULL, err);
    }
    j->ndocs = 0;
    return bk_read(j->ctx, j->inputs[0], j->from, bktest_count_docs, &j->ndocs, err);
}

static inline void bktest_alloc_job_after(void *user, int failed, bk_status st)
{
    (void)failed;
    const bktest_alloc_job *j = user;
    if (j->out && st != BK_OK && access(j->out, F_OK) == 0)
        fail_msg("an allocation failed, yet %s was written", j->out);
    if (!j->out && st == BK_OK && j->ndocs != 1)
        fail_msg("the read said ok after %zu documents instead of 1", j->ndocs);
}

/* Reading a file of one document (as `from`) with each allocation failing in turn. */
static inline void bktest_fail_each_allocation_of_read(bk_ctx *ctx, const char *path,
                                                       const char *from)
{
    bktest_alloc_job j = {ctx, &path, 1, 0, from, NULL, NULL};
    bktest_fail_each_allocation(bktest_alloc_job_run, bktest_alloc_job_after, &j);
}

/* A conversion with each allocation failing in turn: a failed one leaves no output file. */
static inline void bktest_fail_each_allocation_of_convert(bk_ctx *ctx, const char *const *inputs,
                                                          size_t n, const char *out,
                                                          const char *from, const char *to)
{
    bktest_alloc_job j = {ctx, inputs, n, 0, from, to, out};
    bktest_fail_each_allocation(bktest_alloc_job_run, bktest_alloc_job_after, &j);
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
