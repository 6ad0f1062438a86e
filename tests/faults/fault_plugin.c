/* Plugins that load fine and then misbehave, one per variant (see CMakeLists.txt). The host
 * must report what went wrong in a sentence naming the input and the plugin, exit 2, and
 * leave no output behind.
 *
 *   silent  import, export and validate all fail without setting any message
 *   greedy  its probe claims every input with a score of 1000 (the scale is 0..100)
 *   odd     its import returns a status that is not in bk_status, its probe a negative score
 *   liar    its import emits an empty, invalid document (or NULL, with --option liar=null) */
#include <string.h>

#include "budgetkit/plugin.h"

/* The variant's name: the plugin's name and the one extension it claims. */
#if defined(VARIANT_silent)
#define FAULT_NAME "silent"
#elif defined(VARIANT_greedy)
#define FAULT_NAME "greedy"
#elif defined(VARIANT_odd)
#define FAULT_NAME "odd"
#else
#define FAULT_NAME "liar"
#endif

static int fault_probe(const bk_probe *p)
{
    (void)p;
#if defined(VARIANT_greedy)
    return 1000;
#elif defined(VARIANT_odd)
    return -1000;
#else
    return 0;
#endif
}

static bk_status fault_import(bk_import *job)
{
#if defined(VARIANT_silent)
    (void)job;
    return BK_E_CONTENT;
#elif defined(VARIANT_greedy)
    /* Reads nothing: a host that trusts the score more than the input gets no document. */
    (void)job;
    return BK_OK;
#elif defined(VARIANT_odd)
    (void)job;
    return (bk_status)977;
#else
    const char *how = bk_import_option(job, "liar");
    return bk_import_emit(job, how && strcmp(how, "null") == 0 ? NULL : bk_doc_new());
#endif
}

static bk_status fault_export_begin(bk_export *job)
{
    (void)job;
    return BK_OK;
}

static bk_status fault_export_doc(bk_export *job, const bk_doc *doc)
{
    (void)doc;
    /* Something was written before the failure: it must not reach the destination. */
    bk_sink_puts(bk_export_sink(job), "partial output that must never appear\n");
#if defined(VARIANT_odd)
    return (bk_status)977;
#else
    return BK_E_IO;
#endif
}

static bk_status fault_export_end(bk_export *job, int ok)
{
    (void)job;
    (void)ok;
    return BK_OK;
}

static bk_status fault_validate(bk_validation *job, const bk_doc *doc)
{
    (void)job;
    (void)doc;
    return BK_E_INTERNAL;
}

static const bk_plugin_desc desc = {
    BK_PLUGIN_HEADER,
    .name = FAULT_NAME,
    .version = "0.0",
    .license = "MIT",
    .summary = "a plugin that fails on purpose, for the fault tests",
    .kinds = BK_PLUGIN_IMPORT | BK_PLUGIN_EXPORT | BK_PLUGIN_VALIDATE,
    .extensions = BK_PLUGIN_EXTENSIONS(FAULT_NAME),
    .priority = -1000,
    BK_PLUGIN_IMPORTER(fault),
    BK_PLUGIN_EXPORTER(fault),
    .validate = fault_validate};

BK_PLUGIN_DEFINE(fault, desc)
