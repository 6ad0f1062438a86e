/* Validator "narrative": what the 说明 text states, checked against the tables it describes
 * (formats/validation.md). Each narrative part is read into sentences and stated figures; each
 * figure the tables also print is compared with its cell, each change recomputed, each stated
 * sum added up, with the rounding rule of the places the text prints. */
#include <string.h>

#include "nv.h"

static int option_on(const char *v)
{
    return v && (strcmp(v, "1") == 0 || strcmp(v, "true") == 0 || strcmp(v, "yes") == 0);
}

static bk_status validate(bk_validation *job, const bk_doc *doc)
{
    unsigned long failures = bk_alloc_failures();
    nv_run run;
    memset(&run, 0, sizeof run);
    run.job = job;
    run.doc = doc;
    run.strict = option_on(bk_validation_option(job, "strict"));
    run.table_wan = !doc->money_unit || strcmp(doc->money_unit, "元") != 0;
    run.status = BK_OK;
    bk_strbuf_init(&run.en);
    bk_strbuf_init(&run.zh);
    bk_strbuf_init(&run.parts);
    bk_strbuf_init(&run.quote);
    bk_strbuf_init(&run.fig);
    for (size_t i = 0; i < doc->nnarrative && run.status == BK_OK; i++) {
        nv_part p;
        run.status = nv_part_read(&p, doc->narrative[i].title, doc->narrative[i].text);
        if (run.status == BK_OK)
            run.status = nv_check_part(&run, &p);
        nv_part_free(&p);
    }
    if (run.status == BK_OK)
        nv_check_tables(&run);
    bk_status status = run.status;
    if (status == BK_OK && (run.parts.failed || bk_alloc_failures() != failures))
        status = bk_error_set(bk_validation_error(job), BK_E_NOMEM, "out of memory");
    if (status == BK_E_NOMEM && !bk_validation_error(job)->code)
        bk_error_set(bk_validation_error(job), BK_E_NOMEM, "out of memory");
    bk_strbuf_free(&run.en);
    bk_strbuf_free(&run.zh);
    bk_strbuf_free(&run.parts);
    bk_strbuf_free(&run.quote);
    bk_strbuf_free(&run.fig);
    return status;
}

BK_PLUGIN(narrative, .version = "1.0.0", .license = "MIT",
          .summary = "the 说明 text against the tables: stated totals, codes, changes, sums, "
                     "contradictions, unfilled template text",
          .kinds = BK_PLUGIN_VALIDATE, .validate = validate)
