/* What the host keeps for each job a plugin runs. */
#ifndef BK_JOBS_H
#define BK_JOBS_H

#include "budgetkit/context.h"

struct bk_import {
    bk_ctx *ctx;
    bk_source *src;
    const bk_templates *templates;
    bk_error *err;
    bk_doc_fn fn;
    void *user;
    size_t *ndocs; /* shared with nested imports, for max-documents */
    int depth;     /* 0 for an input, 1 for an archive entry */
    const struct bk_where *where; /* lines of a grid's text back to pages and sheets, or NULL */
};

struct bk_export {
    bk_ctx *ctx;
    bk_sink *sink;
    bk_error *err;
    void *state;
};

struct bk_validation {
    bk_ctx *ctx;
    bk_report *report;
    bk_error *err;
    void *state;
    void (*free_state)(void *);
    const bk_doc *doc; /* the document being checked, NULL after the last */
    const char *name;  /* the validator's */
    struct bk_partial_out *partial; /* validate --partial: where records go, else NULL */
};

/* Inputs of the job under way read so far and given, for progress (bk_diag.inputs_done). Set
 * and read by the thread that runs the job. */
void bk_ctx_set_inputs(bk_ctx *ctx, size_t done, size_t total);
void bk_ctx_inputs(const bk_ctx *ctx, size_t *done, size_t *total);

/* Split-and-merge validation (partial.c). */
typedef struct bk_partial_out bk_partial_out;
bk_partial_out *bk_partial_open(const char *path, bk_error *err);
bk_status bk_partial_header(bk_partial_out *out, const char *const *names, size_t n,
                            bk_error *err);
/* The end line, then the file is committed; on failure (ok 0) it is removed. Frees out. */
bk_status bk_partial_close(bk_partial_out *out, int ok, size_t documents, bk_error *err);
bk_status bk_partial_write(bk_partial_out *out, const char *validator, const char *json);

/* --option publisher=, source=, source-path=, license= onto a document about to be written
 * (document.md, "Publication"); a bad value is a usage error. */
bk_status bk_set_publication_options(bk_ctx *ctx, bk_doc *doc, bk_error *err);

/* Hand a kept document back to the import machinery's ownership rules. */
void bk_doc_unkeep(bk_doc *doc);

/* Read several inputs in order, merging consecutive documents that are parts of one budget
 * (bk_doc_mergeable) before handing them to fn. */
bk_status bk_read_inputs(bk_ctx *ctx, const char *const *inputs, size_t n, const char *from,
                         bk_doc_fn fn, void *user, bk_error *err);

/* bk_convert, with edit called on each document before it is written. */
bk_status bk_convert_edit(bk_ctx *ctx, const char *const *inputs, size_t ninputs,
                          const char *output, const char *from, const char *to, bk_doc_fn edit,
                          void *edit_user, bk_convert_stats *stats, bk_error *err);

bk_status bk_run_import(bk_ctx *ctx, bk_source *src, const char *from, int depth,
                        size_t *ndocs, bk_doc_fn fn, void *user, bk_error *err);
/* The same for the text of a grid: warnings name the page or sheet and its line (where.h). */
bk_status bk_run_import_where(bk_ctx *ctx, bk_source *src, const char *from, int depth,
                              size_t *ndocs, bk_doc_fn fn, void *user,
                              const struct bk_where *where, bk_error *err);

/* What bk_run_import adds to an error the document callback returned: the file and the
 * reader. The innermost import running on this thread (NULL names outside any). */
void bk_import_current(const char **source, const char **plugin);
void bk_import_decorate(bk_error *err, bk_status st, const char *source, const char *plugin);

/* Diagnostics of this thread go to fn instead of the context's callback (NULL: back). */
void bk_ctx_capture_diagnostics(bk_diag_fn fn, void *user);

/* The inputs' documents read by threads (bk_ctx_jobs), handed to fn on this thread in the
 * order of a single-threaded read, with *input set to the index of the input each came from. */
bk_status bk_read_inputs_parallel(bk_ctx *ctx, const char *const *inputs, size_t n,
                                  const char *from, size_t *input, bk_doc_fn fn, void *user,
                                  bk_error *err);

/* The inputs' documents pulled one at a time (pull.c): a second thread reads them and waits
 * while the caller works, so that the two threads never run at once. bk_pull_next gives the
 * next document (kept: the caller frees it with bk_doc_free), NULL at the end or on an error
 * (the reader's error, naming its file). bk_pull_open gives NULL with err set when out of
 * memory, NULL with err untouched when no thread can be started (read another way). */
typedef struct bk_pull bk_pull;
bk_pull *bk_pull_open(bk_ctx *ctx, const char *const *inputs, size_t n, const char *from,
                      bk_error *err);
bk_status bk_pull_next(bk_pull *p, bk_doc **doc, bk_error *err);
void bk_pull_close(bk_pull *p);

/* The calling thread's count of allocations (bk_alloc_count), carried to the thread that
 * continues its work, so that a test failing the Nth allocation fails it in either. */
void bk_alloc_set_count(unsigned long n);

#endif
