/* The context: what is loaded (plugins, templates), limits and options. No global state: each
 * program or test makes its own context, and plugins stay loaded until it is freed. */
#ifndef BUDGETKIT_CONTEXT_H
#define BUDGETKIT_CONTEXT_H

#include "api.h"

#include <stddef.h>

#include "api.h"
#include "error.h"
#include "plugin.h"
#include "report.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Resource limits; every reader enforces those that apply to it. */
typedef struct bk_limits {
    unsigned long long max_input_bytes;    /* one input file or archive entry */
    unsigned long long max_cells;          /* per document */
    unsigned long long max_string;         /* bytes in one text value */
    unsigned long long max_depth;          /* nesting of JSON/XML */
    unsigned long long max_header_rows;    /* wide CSV header rows */
    unsigned long long max_entries;        /* archive entries */
    unsigned long long max_uncompressed;   /* archive, all entries together */
    unsigned long long max_ratio;          /* archive, uncompressed / compressed per entry */
    unsigned long long max_documents;      /* per input */
} bk_limits;

BK_API bk_ctx *bk_ctx_new(void);
BK_API void bk_ctx_free(bk_ctx *ctx);

BK_API bk_limits *bk_ctx_limits(bk_ctx *ctx);
/* 1 when value passes limit; a limit of 0 is none. */
BK_API int bk_limit_over(unsigned long long value, unsigned long long limit);
/* 1 when what inflates to size from csize bytes passes ratio (0: none): size > csize × ratio,
 * without overflow; inflating from nothing is an infinite ratio. */
BK_API int bk_limit_ratio_over(unsigned long long size, unsigned long long csize,
                               unsigned long long ratio);
/* Set a limit by its name ("max-input-bytes"...), value with optional K/M/G suffix. */
BK_API bk_status bk_ctx_set_limit(bk_ctx *ctx, const char *name, const char *value, bk_error *err);

/* Diagnostics: what a job has to say besides its result. The library never prints; a program
 * that wants warnings or progress shown installs a callback (the command line prints them on
 * standard error). Without one they are dropped. */
typedef enum bk_diag_kind {
    BK_DIAG_WARNING = 0, /* input accepted, but something in it is worth a look */
    BK_DIAG_PROGRESS = 1 /* a long job is under way: done of total documents (total 0: unknown) */
} bk_diag_kind;

typedef struct bk_diag {
    bk_diag_kind kind;
    const char *file; /* warning: the input; NULL when none */
    long line, column; /* 0 when unknown */
    const char *message;
    size_t done, total; /* progress */
    size_t findings;    /* progress of a validation: findings so far */
    /* progress: inputs (files, folders, archives) read so far, of those given (ABI 1.1) */
    size_t inputs_done, inputs_total;
} bk_diag;

typedef void (*bk_diag_fn)(const bk_diag *d, void *user);
BK_API void bk_ctx_set_diagnostics(bk_ctx *ctx, bk_diag_fn fn, void *user);
/* Hand a diagnostic to the installed callback, if any. */
BK_API void bk_ctx_diagnose(bk_ctx *ctx, const bk_diag *d);

/* Threads a job may use (default 1): inputs are read by up to jobs - 1 threads while the
 * calling thread converts or validates their documents in order; outputs and reports are
 * those of one thread. */
BK_API void bk_ctx_set_jobs(bk_ctx *ctx, unsigned jobs);
BK_API unsigned bk_ctx_jobs(const bk_ctx *ctx);

/* Key/value options handed to plugins (bk_import_option...). */
BK_API bk_status bk_ctx_set_option(bk_ctx *ctx, const char *key, const char *value);
BK_API const char *bk_ctx_option(const bk_ctx *ctx, const char *key);
/* The option keys budgetkit's own plugins and host read (NULL-terminated, sorted): a program
 * refuses any other key a user gives, so that a misspelt one is not silently ignored. */
BK_API const char *const *bk_option_names(void);

/* Data folder holding templates/, rules/, catalog/ (default: share/budgetkit beside the lib/
 * folder this library was loaded from, or the source tree's formats/ for the build tree). */
BK_API bk_status bk_ctx_set_data_dir(bk_ctx *ctx, const char *dir);
BK_API const char *bk_ctx_data_dir(const bk_ctx *ctx);
/* Templates, loaded from the data folder on first use. NULL with err set on failure. */
BK_API const bk_templates *bk_ctx_templates(bk_ctx *ctx, bk_error *err);

/* Plugin discovery: folders given here first (a ':'-separated list), then
 * BUDGETKIT_PLUGIN_PATH, then lib/budgetkit/plugins-ABI beside this library (wherever the
 * installed tree was moved), or the build tree's plugins/ for the library of the build tree.
 * A file that cannot be used is recorded with the reason, not fatal. */
BK_API bk_status bk_ctx_add_plugin_path(bk_ctx *ctx, const char *pathlist);
BK_API bk_status bk_ctx_load_plugins(bk_ctx *ctx, bk_error *err);
/* Load one file (for tests): BK_OK, or the reason it was skipped in err. */
BK_API bk_status bk_ctx_load_plugin_file(bk_ctx *ctx, const char *path, bk_error *err);
/* A plugin linked into the program. */
BK_API bk_status bk_ctx_register(bk_ctx *ctx, const bk_plugin_desc *desc, const char *origin,
                          bk_error *err);

/* The folders searched by the last bk_ctx_load_plugins (':'-separated), for messages such as
 * "no plugins found in ...". */
BK_API const char *bk_ctx_plugin_dirs(const bk_ctx *ctx);

BK_API size_t bk_ctx_plugin_count(const bk_ctx *ctx);
BK_API const bk_plugin_desc *bk_ctx_plugin_at(const bk_ctx *ctx, size_t i, const char **file);
BK_API const bk_plugin_desc *bk_ctx_plugin_find(const bk_ctx *ctx, const char *name);
BK_API size_t bk_ctx_skipped_count(const bk_ctx *ctx);
BK_API void bk_ctx_skipped_at(const bk_ctx *ctx, size_t i, const char **file, const char **reason);

/* The importer that probes the source best (ties: priority, then name), or the one named. */
BK_API const bk_plugin_desc *bk_ctx_find_importer(bk_ctx *ctx, bk_source *src, const char *name,
                                           int *score, bk_error *err);
/* The exporter for an output path by its extension, or the one named. */
BK_API const bk_plugin_desc *bk_ctx_find_exporter(bk_ctx *ctx, const char *path, const char *name,
                                           bk_error *err);

/* ---- whole jobs, as the command line runs them ---- */

/* Called for each document read; return non-OK to stop. The document is freed afterwards. */
typedef bk_status (*bk_doc_fn)(bk_doc *doc, void *user, bk_error *err);

/* Read every document of an input (file, folder, archive, "-") with the importer that probes
 * best, or `from`. */
BK_API bk_status bk_read(bk_ctx *ctx, const char *input, const char *from, bk_doc_fn fn, void *user,
                  bk_error *err);

/* The same for bytes in memory: name stands for the file in messages and probing. Fuzzers and
 * programs that hold a budget in memory use it. */
BK_API bk_status bk_read_memory(bk_ctx *ctx, const char *name, const void *data, size_t len,
                                const char *from, bk_doc_fn fn, void *user, bk_error *err);

/* Write one document with the exporter called `plugin` into sink (the sink is not committed). */
BK_API bk_status bk_write_doc(bk_ctx *ctx, const char *plugin, const bk_doc *doc, bk_sink *sink,
                              bk_error *err);

typedef struct bk_convert_stats {
    size_t documents;
    size_t cells;
    unsigned long long bytes_out;
} bk_convert_stats;

/* Convert inputs into output. The output appears only when the whole job succeeded. An output
 * folder (existing, or named with a trailing '/') gets one file per document unless the
 * exporter writes folders itself. */
BK_API bk_status bk_convert(bk_ctx *ctx, const char *const *inputs, size_t ninputs, const char *output,
                     const char *from, const char *to, bk_convert_stats *stats, bk_error *err);

/* Run validators (all, or only those in `only`, minus those in `skip`; comma lists) over every
 * document of the inputs, adding to report. */
BK_API bk_status bk_validate(bk_ctx *ctx, const char *const *inputs, size_t ninputs, const char *from,
                      const char *only, const char *skip, bk_report *report, bk_error *err);

/* Run the selected validators over one document in memory, then their end-of-run rules, as
 * bk_validate does for a one-document input. */
BK_API bk_status bk_validate_doc(bk_ctx *ctx, const bk_doc *doc, const char *only,
                                 const char *skip, bk_report *report, bk_error *err);

/* Write the documents of the inputs to output (format by its extension, or `to`) with the
 * corrections of the report's explanations applied: those that are the only explanation of
 * their set (BK_EXPLAIN_ONLY_*); an explanation among several equal ones is left for a person.
 * Refuses to write over an input. *applied and *left count the corrections. */
BK_API bk_status bk_fix_suggestions(bk_ctx *ctx, const char *const *inputs, size_t ninputs,
                                    const char *from, const bk_report *report,
                                    const char *output, const char *to, size_t *applied,
                                    size_t *left, bk_error *err);

/* bk_validate, calling fn after each document is validated with the index of its first
 * finding in report (the report writers that draw the document, such as the HTML page). */
typedef bk_status (*bk_validated_fn)(const bk_doc *doc, const bk_report *report, size_t first,
                                     void *user, bk_error *err);
BK_API bk_status bk_validate_each(bk_ctx *ctx, const char *const *inputs, size_t ninputs,
                                  const char *from, const char *only, const char *skip,
                                  bk_report *report, bk_validated_fn fn, void *user,
                                  bk_error *err);

/* bk_validate_each, but when partial is not NULL the cross-document rules are not run: the
 * validators write their state to the file partial instead (formats/partial.md), which
 * appears only when the whole run succeeded. */
BK_API bk_status bk_validate_partial(bk_ctx *ctx, const char *const *inputs, size_t ninputs,
                                     const char *from, const char *only, const char *skip,
                                     bk_report *report, bk_validated_fn fn, void *user,
                                     const char *partial, bk_error *err);
/* Read partial files in the order their documents were read and run the cross-document rules
 * over them all, adding their findings to report: the findings a whole run over the same
 * documents adds after its last document. */
BK_API bk_status bk_validate_merge(bk_ctx *ctx, const char *const *parts, size_t nparts,
                                   bk_report *report, bk_error *err);

BK_API const char *bk_version(void);

#ifdef __cplusplus
}
#endif
#endif
