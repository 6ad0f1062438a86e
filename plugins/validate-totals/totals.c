/* Validator "totals": every printed total must add up, under the rounding rule of printed
 * figures (formats/validation.md). The sums come from the table templates' rules, the rules
 * between tables from the data folder's rules/, and the department = Σ units rule also across
 * the documents of one submission. */
#include <string.h>

#include "totals.h"

void bktot_state_free(void *p)
{
    bktot_state *st = p;
    if (!st)
        return;
    bktot_cross_free(st);
    bk_free(st->docs);
    bk_free(st->groups);
    bktot_index_free(&st->group_index);
    bk_free(st->units);
    bktot_index_free(&st->unit_index);
    bk_free(st->sources);
    bktot_arena_free(&st->text);
    bktot_colkeys_free(st);
    bk_free(st->filekeys);
    bk_free(st->file);
    bk_free(st);
}

bktot_state *bktot_state_get(bk_validation *job)
{
    return bk_validation_state_make(job, sizeof(bktot_state), bktot_state_free);
}

static int option_on(const char *v)
{
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
}

static int option_off(const char *v)
{
    return v && (strcmp(v, "0") == 0 || strcmp(v, "false") == 0 || strcmp(v, "no") == 0);
}

static bk_status validate(bk_validation *job, const bk_doc *doc)
{
    bk_error *err = bk_validation_error(job);
    bktot_state *st = bktot_state_get(job);
    if (!st)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    bk_status status = bktot_cross_load(st, bk_validation_ctx(job), err);
    if (status != BK_OK)
        return status;
    /* Message texts are built with sticky failure flags; rather than check each, any allocation
     * that failed during the run makes the run fail: a finding is never reported half-written. */
    unsigned long failures = bk_alloc_failures();
    bktot_run run;
    memset(&run, 0, sizeof run);
    run.job = job;
    run.doc = doc;
    run.state = st;
    run.strict = option_on(bk_validation_option(job, "strict"));
    bk_strbuf_init(&run.key);
    bk_strbuf_init(&run.col);
    bk_strbuf_init(&run.en);
    bk_strbuf_init(&run.zh);
    bktot_ids ids;
    bktot_ids_begin(&ids, doc); /* on failure it records nothing; the run is out of memory */
    run.ids = &ids;
    for (size_t i = 0; i < doc->ntables && status == BK_OK; i++) {
        status = bktot_table_rules(&run, doc->tables[i]);
        if (status == BK_OK)
            status = bktot_of_rows(&run, doc->tables[i]);
    }
    if (status == BK_OK)
        status = bktot_cross_rules(&run);
    if (status == BK_OK && !option_off(bk_validation_option(job, "explain")))
        status = bktot_explain(&run);
    bktot_ids_free(&ids);
    if (status == BK_OK)
        status = bktot_submission_record(&run);
    if (status == BK_OK && (run.key.failed || run.col.failed || bk_alloc_failures() != failures))
        status = bk_error_set(err, BK_E_NOMEM, "out of memory");
    bk_strbuf_free(&run.key);
    bk_strbuf_free(&run.col);
    bk_strbuf_free(&run.en);
    bk_strbuf_free(&run.zh);
    return status;
}

static bk_status validate_end(bk_validation *job)
{
    bktot_state *st = bk_validation_state(job);
    if (!st)
        return BK_OK;
    unsigned long failures = bk_alloc_failures();
    bk_status status =
        bktot_submission_check(job, st, option_on(bk_validation_option(job, "strict")));
    if (status == BK_OK && bk_alloc_failures() != failures)
        status = bk_error_set(bk_validation_error(job), BK_E_NOMEM, "out of memory");
    return status;
}

BK_PLUGIN(totals, .version = "1.0.0", .license = "MIT",
          .summary =
              "every printed total adds up (hierarchy, columns, units, tables, submissions), "
              "telling rounding from real errors",
          .kinds = BK_PLUGIN_VALIDATE, .validate = validate, .validate_end = validate_end,
          .partial_read = bktot_partial_read)
