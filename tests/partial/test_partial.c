/* The plugin interface of split-and-merge validation (ABI 1.2): a validator of ABI 1.1 with
 * rules across documents is refused by a partial run, a record must be one line, a validator
 * may write records at the end of a partial run, and a merge hands each record back to its
 * validator in order, then runs its end-of-run rules once. */
#include <unistd.h>

#include "bktest.h"

/* A validator that counts documents and writes one record at the end of a partial run; in a
 * merge it sums the counts it reads and reports the sum as one finding. */
typedef struct counter {
    long documents;
    long merged;
    int ends;
} counter;

static counter *state_of(bk_validation *job)
{
    return bk_validation_state_make(job, sizeof(counter), bk_free);
}

static bk_status count_doc(bk_validation *job, const bk_doc *doc)
{
    (void)doc;
    counter *c = state_of(job);
    if (!c)
        return BK_E_NOMEM;
    c->documents++;
    return BK_OK;
}

static bk_status count_partial_end(bk_validation *job)
{
    counter *c = state_of(job);
    char rec[64];
    snprintf(rec, sizeof rec, "{\"documents\":%ld}", c->documents);
    return bk_validation_write_record(job, rec);
}

static bk_status count_read(bk_validation *job, const char *record, const char *file, long line)
{
    (void)file, (void)line;
    counter *c = state_of(job);
    long n;
    if (sscanf(record, "{\"documents\":%ld}", &n) != 1)
        return bk_error_set(bk_validation_error(job), BK_E_CONTENT, "not a count");
    c->merged += n;
    return BK_OK;
}

static bk_status count_end(bk_validation *job)
{
    counter *c = state_of(job);
    c->ends++;
    char msg[64];
    snprintf(msg, sizeof msg, "%ld documents in all (%d end)", c->documents + c->merged, c->ends);
    bk_finding f = {.rule = "count.documents", .severity = BK_SEV_INFO, .message_en = msg,
                    .message_zh = msg};
    return bk_validation_add(job, &f);
}

/* What every validator of this test declares alike, after its ABI header. */
#define TEST_VALIDATOR(name_, summary_)                                                            \
    .name = name_, .version = "1", .license = "MIT", .summary = summary_,                          \
    .kinds = BK_PLUGIN_VALIDATE

static const bk_plugin_desc counter_desc = {
    BK_PLUGIN_HEADER,
    TEST_VALIDATOR("count", "counts documents across parts"),
    .validate = count_doc,
    .validate_end = count_end,
    .partial_end = count_partial_end,
    .partial_read = count_read,
};

/* The same rules across documents, from a plugin built before ABI 1.2. */
static const bk_plugin_desc old_desc = {
    .abi_major = BK_ABI_MAJOR,
    .abi_minor = 1,
    .size = (uint32_t)sizeof(bk_plugin_desc),
    TEST_VALIDATOR("old", "rules across documents, ABI 1.1"),
    .validate = count_doc,
    .validate_end = count_end,
};

static bk_status newline_doc(bk_validation *job, const bk_doc *doc)
{
    (void)doc;
    return bk_validation_write_record(job, "{\"a\":\n1}");
}

static const bk_plugin_desc newline_desc = {
    BK_PLUGIN_HEADER,
    TEST_VALIDATOR("newline", "writes a record of two lines"),
    .validate = newline_doc,
    .partial_read = count_read,
};

static bk_ctx *ctx_with(const bk_plugin_desc *desc)
{
    bk_ctx *ctx = bktest_ctx();
    bk_error err = bktest_no_error();
    assert_int_equal(bk_ctx_register(ctx, desc, "test", &err), BK_OK);
    return ctx;
}

static const char *sample(void)
{
    return bktest_path("samples/dapeng-2024/budget.json");
}

/* validate --partial of the sample with desc's validator alone; a run that fails leaves no
 * partial file behind. */
static bk_status partial_of_sample(const bk_plugin_desc *desc, bk_error *err)
{
    bk_ctx *ctx = ctx_with(desc);
    bk_report *report = bk_report_new();
    char part[128];
    snprintf(part, sizeof part, "%s/p.jsonl", bktest_tempdir());
    bk_error_clear(err);
    const char *in = sample();
    bk_status st =
        bk_validate_partial(ctx, &in, 1, NULL, desc->name, NULL, report, NULL, NULL, part, err);
    if (st != BK_OK)
        assert_int_equal(access(part, F_OK), -1);
    bk_report_free(report);
    bk_ctx_free(ctx);
    return st;
}

static void old_validator_is_refused(void **state)
{
    (void)state;
    bk_error err;
    assert_int_equal(partial_of_sample(&old_desc, &err), BK_E_USAGE);
    assert_contains(err.text, "--skip old");
}

static void record_must_be_one_line(void **state)
{
    (void)state;
    bk_error err;
    assert_int_not_equal(partial_of_sample(&newline_desc, &err), BK_OK);
}

static void outside_a_partial_run_no_record(void **state)
{
    (void)state;
    bk_ctx *ctx = ctx_with(&newline_desc);
    bk_report *report = bk_report_new();
    bk_error err = bktest_no_error();
    const char *in = sample();
    assert_int_equal(bk_validate(ctx, &in, 1, NULL, "newline", NULL, report, &err), BK_E_USAGE);
    assert_contains(err.text, "outside a partial run");
    bk_report_free(report);
    bk_ctx_free(ctx);
}

static void merge_reads_records_in_order_then_ends_once(void **state)
{
    (void)state;
    const char *dir = bktest_tempdir();
    char parts[2][128];
    char path[4096];
    snprintf(path, sizeof path, "%s", sample()); /* bktest_path's buffers are reused */
    const char *in[] = {path, path, path};
    for (int i = 0; i < 2; i++) {
        bk_ctx *ctx = ctx_with(&counter_desc);
        bk_report *report = bk_report_new();
        snprintf(parts[i], sizeof parts[i], "%s/p%d.jsonl", dir, i);
        bk_error err = bktest_no_error();
        /* Part 0 has one document, part 1 two. */
        assert_int_equal(bk_validate_partial(ctx, in, (size_t)i + 1, NULL, "count", NULL, report,
                                             NULL, NULL, parts[i], &err),
                         BK_OK);
        /* No end-of-run rule in a partial run. */
        assert_int_equal(bk_report_count(report), 0);
        bk_report_free(report);
        bk_ctx_free(ctx);
    }
    bk_ctx *ctx = ctx_with(&counter_desc);
    bk_report *report = bk_report_new();
    bk_error err = bktest_no_error();
    const char *merge[] = {parts[0], parts[1]};
    assert_int_equal(bk_validate_merge(ctx, merge, 2, report, &err), BK_OK);
    assert_int_equal(bk_report_count(report), 1);
    assert_string_equal(bk_report_at(report, 0)->message_en, "3 documents in all (1 end)");
    assert_int_equal(bk_report_documents(report), 3);
    bk_report_free(report);
    bk_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(old_validator_is_refused),
        cmocka_unit_test(record_must_be_one_line),
        cmocka_unit_test(outside_a_partial_run_no_record),
        cmocka_unit_test(merge_reads_records_in_order_then_ends_once),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
