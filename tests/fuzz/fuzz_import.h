/* The body shared by every importer fuzz target. A target defines FUZZ_FROM (the importer
 * under test), FUZZ_NAME (the input's name as the probe sees it), FUZZ_PLUGINS (an X-list of
 * the statically linked plugins to register) and optionally FUZZ_OPTIONS (key, value pairs),
 * FUZZ_PREFIX (text every input is made to start with, so that the fuzzer spends its time
 * behind it) or FUZZ_NOT_PREFIX (inputs starting with it belong to another target and are
 * dropped) and FUZZ_VALIDATE (run every registered validator over each document, as
 * `budgetkit validate` does, and abort when one cannot run) before including this file.
 *
 * Each input goes through the host exactly as a file would (bk_read_memory: templates, the
 * importer, bk_doc_check on every document). Every document that comes out is then written
 * with the JSON exporter and read back: an accepted document that does not survive that round
 * trip is a bug as real as a crash, so the target aborts on it. Set BK_FUZZ_NO_ROUNDTRIP=1 in
 * the environment to fuzz the readers alone. */
#ifndef BK_FUZZ_IMPORT_H
#define BK_FUZZ_IMPORT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budgetkit/budgetkit.h"

#ifndef FUZZ_OPTIONS
#define FUZZ_OPTIONS {NULL, NULL}
#endif

#define FUZZ_DECLARE(name) const bk_plugin_desc *bk_plugin_##name##_desc(void);
FUZZ_PLUGINS(FUZZ_DECLARE)
#undef FUZZ_DECLARE

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bk_ctx *fuzz_ctx;
static int fuzz_roundtrip = 1;

static void fuzz_die(const char *what, const bk_error *err)
{
    char msg[1024] = "";
    if (err)
        bk_error_format(err, msg, sizeof msg);
    fprintf(stderr, "fuzz target setup failed: %s %s\n", what, msg);
    abort();
}

static bk_status fuzz_keep(bk_doc *doc, void *user, bk_error *err)
{
    (void)err;
    bk_doc **out = user;
    if (*out)
        return BK_E_INTERNAL; /* one JSON document was written, one must come back */
    bk_doc_keep(doc);
    *out = doc;
    return BK_OK;
}

/* Write doc as JSON and read it back; abort when the copy differs. */
static void fuzz_check_roundtrip(const bk_doc *doc)
{
    bk_error err;
    bk_error_clear(&err);
    bk_sink *sink = bk_sink_open_memory("roundtrip.json", &err);
    if (!sink)
        abort();
    bk_status st = bk_write_doc(fuzz_ctx, "json", doc, sink, &err);
    if (st != BK_OK) {
        char msg[1024];
        bk_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "an imported document cannot be written as JSON: %s\n", msg);
        abort();
    }
    size_t len;
    const unsigned char *bytes = bk_sink_memory(sink, &len);
    bk_doc *copy = NULL;
    st = bk_read_memory(fuzz_ctx, "roundtrip.json", bytes, len, "json", fuzz_keep, &copy, &err);
    if (st != BK_OK || !copy) {
        char msg[1024];
        bk_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "the JSON written for an imported document is refused: %s\n%.*s\n", msg,
                (int)(len < 4000 ? len : 4000), (const char *)bytes);
        abort();
    }
    char diff[512] = "";
    if (!bk_doc_equal(doc, copy, diff, sizeof diff)) {
        fprintf(stderr, "an imported document changes when written as JSON and read back: %s\n",
                diff);
        abort();
    }
    bk_doc_free(copy);
    bk_sink_abort(sink);
}

#ifdef FUZZ_VALIDATE
/* Every validator over one document, then its end-of-run rules, as bk_validate runs them. A
 * document that passed bk_doc_check must be checkable: a validator that cannot run on it is
 * a bug. */
static void fuzz_validate(const bk_doc *doc)
{
    bk_report *report = bk_report_new();
    if (!report)
        abort();
    bk_error err;
    bk_error_clear(&err);
    if (bk_validate_doc(fuzz_ctx, doc, NULL, NULL, report, &err) != BK_OK) {
        char msg[1024];
        bk_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "a validator cannot check a document the readers accept: %s (%s)\n", msg,
                err.plugin);
        abort();
    }
    for (size_t i = 0; i < bk_report_count(report); i++) {
        const bk_finding *f = bk_report_at(report, i);
        if (!f->rule || !*f->rule || !f->message_en || !*f->message_en) {
            fprintf(stderr, "a finding has no rule or no message (rule %s)\n",
                    f->rule ? f->rule : "(null)");
            abort();
        }
    }
    bk_report_free(report);
}
#endif

static bk_status fuzz_on_doc(bk_doc *doc, void *user, bk_error *err)
{
    (void)user;
    (void)err;
#ifdef FUZZ_VALIDATE
    fuzz_validate(doc);
#endif
    /* A document whose fiscal year nothing printed reads and validates, but no format writes
     * it (converting asks for --option year=): the round trip starts where conversion does. */
    if (fuzz_roundtrip && doc->fiscal_year != 0)
        fuzz_check_roundtrip(doc);
    return BK_OK; /* the host frees the document */
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    const char *no_rt = getenv("BK_FUZZ_NO_ROUNDTRIP");
    fuzz_roundtrip = !(no_rt && *no_rt && strcmp(no_rt, "0") != 0);
    bk_error err;
    bk_error_clear(&err);
    fuzz_ctx = bk_ctx_new();
    if (!fuzz_ctx)
        fuzz_die("bk_ctx_new", NULL);
#define FUZZ_REGISTER(name)                                                         \
    if (bk_ctx_register(fuzz_ctx, bk_plugin_##name##_desc(), "static", &err) != BK_OK) \
        fuzz_die("registering " #name, &err);
    FUZZ_PLUGINS(FUZZ_REGISTER)
#undef FUZZ_REGISTER
    if (bk_ctx_set_data_dir(fuzz_ctx, FUZZ_DATA_DIR) != BK_OK)
        fuzz_die("bk_ctx_set_data_dir", NULL);
    static const char *const options[][2] = {FUZZ_OPTIONS};
    for (size_t i = 0; i < sizeof options / sizeof options[0]; i++)
        if (options[i][0] && bk_ctx_set_option(fuzz_ctx, options[i][0], options[i][1]) != BK_OK)
            fuzz_die("bk_ctx_set_option", NULL);
    /* Smaller bounds than a desktop run, so that a bomb shows as a refusal, not an OOM. */
    if (bk_ctx_set_limit(fuzz_ctx, "max-uncompressed", "64M", &err) != BK_OK ||
        bk_ctx_set_limit(fuzz_ctx, "max-cells", "1M", &err) != BK_OK)
        fuzz_die("bk_ctx_set_limit", &err);
    if (!bk_ctx_templates(fuzz_ctx, &err))
        fuzz_die("loading the templates from " FUZZ_DATA_DIR, &err);
    return 0;
}

#if defined(FUZZ_PREFIX) || defined(FUZZ_NOT_PREFIX)
static int fuzz_starts_with(const uint8_t *data, size_t size, const char *prefix)
{
    size_t n = strlen(prefix);
    if (size >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
        data += 3, size -= 3; /* a byte order mark does not hide what follows */
    return size >= n && memcmp(data, prefix, n) == 0;
}
#endif

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
#ifdef FUZZ_NOT_PREFIX
    if (fuzz_starts_with(data, size, FUZZ_NOT_PREFIX))
        return -1; /* not for this target: keep it out of the corpus */
#endif
#ifdef FUZZ_PREFIX
    uint8_t *joined = NULL;
    if (!fuzz_starts_with(data, size, FUZZ_PREFIX)) {
        size_t n = strlen(FUZZ_PREFIX);
        joined = malloc(n + size + 1);
        if (!joined)
            abort();
        memcpy(joined, FUZZ_PREFIX, n);
        if (size)
            memcpy(joined + n, data, size);
        data = joined;
        size += n;
    }
#endif
    bk_error err;
    bk_error_clear(&err);
    bk_status st = bk_read_memory(fuzz_ctx, FUZZ_NAME, data, size, FUZZ_FROM, fuzz_on_doc, NULL,
                                  &err);
#ifdef FUZZ_PREFIX
    free(joined);
#endif
    /* A refusal must say what is wrong: the command line prints nothing else. */
    if (st != BK_OK && (err.code == BK_OK || !err.text[0])) {
        fprintf(stderr, "the %s reader failed with status %d and no message\n", FUZZ_FROM,
                (int)st);
        abort();
    }
    return 0;
}

#endif
