/* The context: what is loaded (plugins, templates), limits and options. No global state: each
 * program or test makes its own context, and plugins stay loaded until it is freed. */
#ifndef BUDGETKIT_CONTEXT_H
#define BUDGETKIT_CONTEXT_H

#include <stddef.h>

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

bk_ctx *bk_ctx_new(void);
void bk_ctx_free(bk_ctx *ctx);

bk_limits *bk_ctx_limits(bk_ctx *ctx);
/* Set a limit by its name ("max-input-bytes"...), value with optional K/M/G suffix. */
bk_status bk_ctx_set_limit(bk_ctx *ctx, const char *name, const char *value, bk_error *err);
/* Names of all limits, NULL-terminated, for help texts. */
const char *const *bk_limit_names(void);

/* Key/value options handed to plugins (bk_import_option...). */
bk_status bk_ctx_set_option(bk_ctx *ctx, const char *key, const char *value);
const char *bk_ctx_option(const bk_ctx *ctx, const char *key);

/* Data folder holding templates/, rules/, catalog/ (default: the installed formats folder,
 * or the source tree's when run from the build tree). */
bk_status bk_ctx_set_data_dir(bk_ctx *ctx, const char *dir);
const char *bk_ctx_data_dir(const bk_ctx *ctx);
/* Templates, loaded from the data folder on first use. NULL with err set on failure. */
const bk_templates *bk_ctx_templates(bk_ctx *ctx, bk_error *err);

/* Plugin discovery: folders given here first (a ':'-separated list), then
 * BUDGETKIT_PLUGIN_PATH, then the install folder, then the build tree when the program runs
 * from it. A file that cannot be used is recorded with the reason, not fatal. */
bk_status bk_ctx_add_plugin_path(bk_ctx *ctx, const char *pathlist);
bk_status bk_ctx_load_plugins(bk_ctx *ctx, bk_error *err);
/* Load one file (for tests): BK_OK, or the reason it was skipped in err. */
bk_status bk_ctx_load_plugin_file(bk_ctx *ctx, const char *path, bk_error *err);
/* A plugin linked into the program. */
bk_status bk_ctx_register(bk_ctx *ctx, const bk_plugin_desc *desc, const char *origin,
                          bk_error *err);

size_t bk_ctx_plugin_count(const bk_ctx *ctx);
const bk_plugin_desc *bk_ctx_plugin_at(const bk_ctx *ctx, size_t i, const char **file);
const bk_plugin_desc *bk_ctx_plugin_find(const bk_ctx *ctx, const char *name);
size_t bk_ctx_skipped_count(const bk_ctx *ctx);
void bk_ctx_skipped_at(const bk_ctx *ctx, size_t i, const char **file, const char **reason);

/* The importer that probes the source best (ties: priority, then name), or the one named. */
const bk_plugin_desc *bk_ctx_find_importer(bk_ctx *ctx, bk_source *src, const char *name,
                                           int *score, bk_error *err);
/* The exporter for an output path by its extension, or the one named. */
const bk_plugin_desc *bk_ctx_find_exporter(bk_ctx *ctx, const char *path, const char *name,
                                           bk_error *err);

/* ---- whole jobs, as the command line runs them ---- */

/* Called for each document read; return non-OK to stop. The document is freed afterwards. */
typedef bk_status (*bk_doc_fn)(bk_doc *doc, void *user, bk_error *err);

/* Read every document of an input (file, folder, archive, "-") with the importer that probes
 * best, or `from`. */
bk_status bk_read(bk_ctx *ctx, const char *input, const char *from, bk_doc_fn fn, void *user,
                  bk_error *err);

typedef struct bk_convert_stats {
    size_t documents;
    size_t cells;
    unsigned long long bytes_out;
} bk_convert_stats;

/* Convert inputs into output. The output appears only when the whole job succeeded. An output
 * folder (existing, or named with a trailing '/') gets one file per document unless the
 * exporter writes folders itself. */
bk_status bk_convert(bk_ctx *ctx, const char *const *inputs, size_t ninputs, const char *output,
                     const char *from, const char *to, bk_convert_stats *stats, bk_error *err);

/* Run validators (all, or only those in `only`, minus those in `skip`; comma lists) over every
 * document of the inputs, adding to report. */
bk_status bk_validate(bk_ctx *ctx, const char *const *inputs, size_t ninputs, const char *from,
                      const char *only, const char *skip, bk_report *report, bk_error *err);

const char *bk_version(void);

#ifdef __cplusplus
}
#endif
#endif
