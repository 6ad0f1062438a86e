/* The versioned plugin interface.
 *
 * A plugin is one shared object exporting exactly one symbol, BK_PLUGIN_ENTRY_NAME, a function
 * returning a constant descriptor. The host refuses a descriptor whose ABI major differs from
 * its own or whose minor is newer, and says which file and which versions. Plugins link against
 * libbudgetkit and call only the functions declared in the public headers.
 *
 *     BK_PLUGIN(json, .version = "1.0.0", .license = "MIT", ...,
 *               .extensions = BK_PLUGIN_EXTENSIONS("json", "jsonl"),
 *               BK_PLUGIN_IMPORTER(bkjson), BK_PLUGIN_EXPORTER(bkjson))
 */
#ifndef BUDGETKIT_PLUGIN_H
#define BUDGETKIT_PLUGIN_H

#include "api.h"

#include <stddef.h>
#include <stdint.h>

#include "api.h"
#include "error.h"
#include "io.h"
#include "model.h"
#include "report.h"
#include "template.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BK_ABI_MAJOR 1
#define BK_ABI_MINOR 2 /* 1.1: bk_doc.publication; 1.2: split-and-merge validation */

#define BK_PLUGIN_IMPORT   0x1u
#define BK_PLUGIN_EXPORT   0x2u
#define BK_PLUGIN_VALIDATE 0x4u

/* Capabilities. */
#define BK_CAP_MULTI_DOC  0x1u /* an export can hold many documents */
#define BK_CAP_DIR_INPUT  0x2u /* the importer reads folders */
#define BK_CAP_DIR_OUTPUT 0x4u /* the exporter writes a folder itself */
#define BK_CAP_CONTAINER  0x8u /* the importer hands entries to other importers */

typedef struct bk_ctx bk_ctx;
typedef struct bk_import bk_import;
typedef struct bk_export bk_export;
typedef struct bk_validation bk_validation;

/* What a probe sees: the first bytes and the name; nothing else, so that a probe never
 * depends on which other plugins are loaded. */
typedef struct bk_probe {
    const char *name;          /* file name as given, may be "-" */
    const unsigned char *head; /* first bytes */
    size_t head_len;
    int is_dir;
} bk_probe;

/* For probes: 1 when needle occurs within the len bytes at head. */
BK_API int bk_probe_contains(const unsigned char *head, size_t len, const char *needle);
/* For probes: 1 when the probed name ends in a dot and ext, in any case, after at least one
 * character of its own ("a.zip", "A.ZIP"; not ".zip" alone). */
BK_API int bk_probe_has_extension(const bk_probe *p, const char *ext);

typedef struct bk_plugin_desc {
    uint32_t abi_major;
    uint32_t abi_minor;
    uint32_t size; /* sizeof(bk_plugin_desc) as the plugin was built */
    const char *name;
    const char *version;
    const char *license;
    const char *summary;
    uint32_t kinds;        /* BK_PLUGIN_* */
    uint32_t caps;         /* BK_CAP_* */
    const char *const *extensions; /* NULL-terminated, without dots, lower case */
    const char *media_type;
    int priority; /* breaks probe ties: higher wins */

    /* 0..100: how sure the importer is that it reads this input. */
    int (*probe)(const bk_probe *p);
    /* Read the source, hand each document over with bk_import_emit. */
    bk_status (*import)(bk_import *job);

    /* Export: begin once, one call per document, end once (ok = 0 when the job failed). */
    bk_status (*export_begin)(bk_export *job);
    bk_status (*export_doc)(bk_export *job, const bk_doc *doc);
    bk_status (*export_end)(bk_export *job, int ok);

    /* Check one document; add findings to the job. A non-OK return means the validator itself
     * could not run (not that it found errors). */
    bk_status (*validate)(bk_validation *job, const bk_doc *doc);
    /* Optional: called once after the last document (cross-document rules). */
    bk_status (*validate_end)(bk_validation *job);

    /* ABI 1.2: split-and-merge validation (formats/partial.md). A validator with cross-document
     * rules that can run over parts sets partial_read. In a partial run (validate --partial)
     * the host never calls validate_end: the validator writes the state its cross-document
     * rules need as records (bk_validation_write_record), while it checks documents or in the
     * optional partial_end, called once after the last document. In a merge (validate --merge)
     * the host hands it each of its records, in the order of the files and of their lines,
     * then calls validate_end as after the last document of a whole run. record is the JSON
     * object the validator wrote; file and line say where it was read, for errors. The host
     * reads these two members only from a plugin of ABI 1.2 or later. */
    bk_status (*partial_end)(bk_validation *job);
    bk_status (*partial_read)(bk_validation *job, const char *record, const char *file,
                              long line);

    void *reserved[6];
} bk_plugin_desc;

#define BK_PLUGIN_HEADER .abi_major = BK_ABI_MAJOR, .abi_minor = BK_ABI_MINOR, \
                         .size = (uint32_t)sizeof(bk_plugin_desc)

#define BK_PLUGIN_ENTRY_NAME "budgetkit_plugin_v1"
typedef const bk_plugin_desc *(*bk_plugin_entry_fn)(void);

/* In a module build the plugin exports budgetkit_plugin_v1; in a static build (fuzzing, tests)
 * it exports bk_plugin_<name>_desc instead, so many can link into one program. */
#ifdef BK_PLUGIN_STATIC
#define BK_PLUGIN_DEFINE(name, desc) \
    const bk_plugin_desc *bk_plugin_##name##_desc(void) { return &(desc); }
#else
#define BK_PLUGIN_DEFINE(name, desc) \
    __attribute__((visibility("default"))) const bk_plugin_desc *budgetkit_plugin_v1(void) \
    { return &(desc); }
#endif

/* The descriptor and the entry point at once, the name written a single time: id is the plugin's
 * name as an identifier (its static build's bk_plugin_<id>_desc), the rest are the members it
 * sets, as designated initializers. */
#define BK_PLUGIN(id, ...)                                                                         \
    static const bk_plugin_desc bk_plugin_desc_##id = {BK_PLUGIN_HEADER, .name = #id,              \
                                                       __VA_ARGS__};                               \
    BK_PLUGIN_DEFINE(id, bk_plugin_desc_##id)

/* The extensions member from the extensions themselves; the list ends with the NULL it needs. */
#define BK_PLUGIN_EXTENSIONS(...) ((const char *const[]){__VA_ARGS__, NULL})

/* The entry points of an importer and of an exporter whose functions are named after one prefix:
 * prefix_probe and prefix_import; prefix_export_begin, prefix_export_doc and prefix_export_end. */
#define BK_PLUGIN_IMPORTER(prefix) .probe = prefix##_probe, .import = prefix##_import
#define BK_PLUGIN_EXPORTER(prefix)                                                                 \
    .export_begin = prefix##_export_begin, .export_doc = prefix##_export_doc,                      \
    .export_end = prefix##_export_end

/* ---- import jobs ---- */
BK_API bk_source *bk_import_source(bk_import *job);
BK_API bk_ctx *bk_import_ctx(bk_import *job);
BK_API const bk_templates *bk_import_templates(bk_import *job);
/* Option given on the command line (--encoding gb18030 → "encoding"), NULL when not given. */
BK_API const char *bk_import_option(bk_import *job, const char *key);
BK_API bk_error *bk_import_error(bk_import *job);
/* The whole input in memory (the source keeps it), within max-input-bytes; a failure is in the
 * job's error. For readers whose library takes a buffer (poppler) or that read a page whole. */
BK_API bk_status bk_import_slurp(bk_import *job, const unsigned char **data, size_t *len);
/* Hand a finished document over (ownership passes, also on failure). The host checks it
 * (bk_doc_check) and passes it on; a non-OK status means stop and return it. */
BK_API bk_status bk_import_emit(bk_import *job, bk_doc *doc);
/* A warning about the input that did not stop it (normalised full-width digits...). */
BK_API void bk_import_warn(bk_import *job, long line, long column, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* The same about a file inside the input (a folder's T04.csv); file NULL names the input. */
BK_API void bk_import_warn_in(bk_import *job, const char *file, long line, long column,
                       const char *fmt, ...) __attribute__((format(printf, 5, 6)));
/* Containers: import one entry with whichever importer probes best; its documents are emitted
 * to this job. name is "archive.zip:entry.json" style for messages. */
BK_API bk_status bk_import_nested(bk_import *job, const char *name, const void *data, size_t len);

/* ---- export jobs ---- */
BK_API bk_sink *bk_export_sink(bk_export *job);
BK_API bk_ctx *bk_export_ctx(bk_export *job);
BK_API const char *bk_export_option(bk_export *job, const char *key);
BK_API bk_error *bk_export_error(bk_export *job);
BK_API void *bk_export_state(bk_export *job);
BK_API void bk_export_set_state(bk_export *job, void *state);
/* Containers: serialise a document with another exporter (by plugin name) into a sink. */
BK_API bk_status bk_export_nested(bk_export *job, const char *plugin, const bk_doc *doc, bk_sink *sink);

/* ---- validation jobs ---- */
BK_API bk_ctx *bk_validation_ctx(bk_validation *job);
BK_API const char *bk_validation_option(bk_validation *job, const char *key);
BK_API bk_error *bk_validation_error(bk_validation *job);
BK_API bk_status bk_validation_add(bk_validation *job, const bk_finding *f);
/* The id the report gave the last finding added (0 before the first): an explanation names
 * the findings it accounts for by these ids. */
BK_API size_t bk_validation_last_id(bk_validation *job);
BK_API void *bk_validation_state(bk_validation *job);
BK_API void bk_validation_set_state(bk_validation *job, void *state, void (*free_state)(void *));
/* The job's state, made on first use as size bytes of zeros that free_state frees; NULL when
 * out of memory. */
BK_API void *bk_validation_state_make(bk_validation *job, size_t size, void (*free_state)(void *));
/* ABI 1.2. 1 when the run writes partial state (validate --partial) instead of running the
 * cross-document rules. */
BK_API int bk_validation_partial(bk_validation *job);
/* ABI 1.2. Write one record of partial state: a JSON object on one line (no newline), written
 * deterministically (the same documents give the same bytes). BK_E_USAGE outside a partial
 * run. */
BK_API bk_status bk_validation_write_record(bk_validation *job, const char *json);
/* ABI 1.2. Where a finding at this line of the document being checked is shown: the line as
 * bk_validation_add would place it (a grid's text line becomes the line printed on its page)
 * and its page (0 when unknown), for a validator that records findings to come. */
BK_API long bk_validation_place(bk_validation *job, const char *document, long line, long *page);

#ifdef __cplusplus
}
#endif
#endif
