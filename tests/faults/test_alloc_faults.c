/* Every allocation failure is handled: fail the 1st, 2nd, ... Nth allocation of a whole job
 * (context, plugin loading, templates, reading, writing, validating) until a run completes
 * without reaching N. Each run must either succeed with exactly the output (or, validating,
 * the report) of an undisturbed run or stop with BK_E_NOMEM and a message, leave nothing in
 * the output folder, and free everything it allocated. Leaks are found by LeakSanitizer in sanitised builds
 * (-DBK_SANITIZE=ON), which the test asks for a check every 256 runs so that a leak is
 * reported with the allocations that caused it; ordinary builds cannot see them.
 *
 * One scenario a run (argv[1]) so that ctest can run them side by side:
 *   json-json json-xml xml-json json-zip zip-json json-csv csv-json validate validate-errors
 *   consolidate diff diff-html validate-partial validate-merge xls-json
 * A scenario whose plugin is not in the build is skipped. validate-errors validates the sample
 * with a few figures and codes changed, so that a validator that skipped a check when an
 * allocation failed would show in a report with fewer findings. consolidate rebuilds the
 * department of the broken sample; diff compares the broken sample with the sample, its printed changes being the report
 * (diff-html: the HTML page). validate-partial writes the partial file of the broken sample
 * (formats/partial.md), validate-merge reads one back. xls-json reads the .xls workbook: the
 * record scan and the grid in this process (FreeXL's child allocates with malloc).
 *
 * jansson is left out by default: bk_ctx_new routes it through bk_malloc, but jansson 2.14's
 * parser does not survive a failed allocation (load.c: lex_save ignores the result of
 * strbuffer_append_byte, so after a failed growth lex_scan_string decodes more characters
 * than it allocated room for and overruns the heap). Each job here therefore gives jansson
 * the plain allocator after bk_ctx_new; BK_FAULTS_JANSSON=1 keeps jansson in, to see whether
 * an installed jansson has been fixed.
 *
 * Not covered either, because these libraries allocate with malloc directly: libxml2 (the XML
 * reader's SAX2 push parser and the writer's buffers: the plugin installs no xmlMemSetup), libzip
 * (the workbook reader's zip_t), iconv (GB18030 conversion in the CSV plugin and of archive
 * member names), and the C library's own (stdio buffers, dlopen, opendir, open_memstream).
 * Covered besides our code: libcsv's field buffer (the CSV reader installs bk_realloc/bk_free)
 * and zlib's inflate and deflate state when reading and writing an archive (zalloc). */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "bktest.h"

/* Present only when the program runs with LeakSanitizer (0: no leak found). */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

typedef struct scenario {
    const char *name;
    const char *input;    /* under the source tree */
    const char *via;      /* converted first (without faults) to this extension, "broken" for
                             the sample with errors, or NULL */
    const char *output;   /* file name in the output folder, NULL for validation */
    const char *needs[3]; /* plugins that must be in the build */
} scenario;

#define SAMPLE "samples/dapeng-2024/budget.json"
static const scenario scenarios[] = {
    {"json-json", SAMPLE, NULL, "out.json", {"json"}},
    {"json-xml", SAMPLE, NULL, "out.xml", {"json", "xml"}},
    {"xml-json", SAMPLE, "xml", "out.json", {"json", "xml"}},
    {"json-zip", SAMPLE, NULL, "out.zip", {"json", "archive"}},
    {"zip-json", "samples/dapeng-2024/budget.zip", NULL, "out.json", {"json", "archive"}},
    {"json-csv", SAMPLE, NULL, "out.csv", {"json", "csv"}},
    {"csv-json", SAMPLE, "csv", "out.json", {"json", "csv"}},
    {"validate", SAMPLE, NULL, NULL, {"json"}},
    {"validate-errors", SAMPLE, "broken", NULL, {"json"}},
    {"consolidate", SAMPLE, "broken", "out.json", {"json"}},
    {"diff", SAMPLE, "broken", NULL, {"json"}},
    {"diff-html", SAMPLE, "broken", NULL, {"json"}},
    {"validate-partial", SAMPLE, "broken", "part.jsonl", {"json"}},
    {"validate-merge", SAMPLE, "partial", NULL, {"json"}},
    {"xls-json", "tests/xlsx/data/office.xls", NULL, "out.json", {"json", "xlsx"}},
};

/* Changes that make the sample wrong in ways every validator notices: a leaf figure that no
 * longer adds up (hierarchy, columns, cross-table totals) and codes outside the catalogue. */
static const char *const breakage[][2] = {
    {"\"total\": \"674.90\"", "\"total\": \"674.95\""},
    {"\"basic\": \"430.32\"", "\"basic\": \"431.32\""},
    {"\"code\": \"2010301\"", "\"code\": \"2010398\""},
    {"\"code\": \"30101\"", "\"code\": \"30188\""},
};

static const scenario *current;
static int fail_jansson;
static char input_path[300]; /* the job's input */
static int skipped; /* ctest shows the test as skipped (exit 77) rather than passed */
static char outdir[64];
static char *diff_text; /* the diff scenario's output (malloc: open_memstream) */

/* A diff run's text is kept in diff_text, when the run succeeded. */
static void end_diff_text(FILE *f, bk_status st)
{
    if (f)
        fclose(f);
    if (st != BK_OK) {
        free(diff_text);
        diff_text = NULL;
    }
}

/* The whole job, from a fresh context to its release, as the command line does it. */
static bk_status run_job(bk_error *err, bk_report **report_out)
{
    bk_error_clear(err);
    bk_ctx *ctx = bk_ctx_new();
    if (!ctx)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    if (!fail_jansson)
        json_set_alloc_funcs(malloc, free);
    bk_status st = bk_ctx_set_data_dir(ctx, bktest_path("formats"));
    if (st != BK_OK)
        bk_error_set(err, st, "cannot set the data folder");
    if (st == BK_OK)
        st = bk_ctx_load_plugins(ctx, err);
    const char *input = input_path;
    if (st == BK_OK && strcmp(current->name, "validate-partial") == 0) {
        char out[256];
        snprintf(out, sizeof out, "%s/%s", outdir, current->output);
        bk_report *report = bk_report_new();
        st = report ? bk_validate_partial(ctx, &input, 1, NULL, NULL, NULL, report, NULL, NULL,
                                          out, err)
                    : bk_error_set(err, BK_E_NOMEM, "out of memory");
        bk_report_free(report);
    } else if (st == BK_OK && strcmp(current->name, "validate-merge") == 0) {
        bk_report *report = bk_report_new();
        st = report ? bk_validate_merge(ctx, &input, 1, report, err)
                    : bk_error_set(err, BK_E_NOMEM, "out of memory");
        if (st == BK_OK && report_out)
            *report_out = report;
        else
            bk_report_free(report);
    } else if (st == BK_OK && strcmp(current->name, "consolidate") == 0) {
        char out[256];
        snprintf(out, sizeof out, "%s/%s", outdir, current->output);
        bk_report *report = bk_report_new();
        st = report ? bk_consolidate(ctx, &input, 1, out, NULL, NULL, NULL, report, NULL, err)
                    : bk_error_set(err, BK_E_NOMEM, "out of memory");
        bk_report_free(report);
    } else if (st == BK_OK && strcmp(current->name, "diff-html") == 0) {
        /* The page stands for the report: kept in diff_text. */
        size_t len = 0;
        FILE *f = open_memstream(&diff_text, &len);
        bk_diff_html *h = f ? bk_diff_html_new(0, "a", "b", 0) : NULL;
        bk_diff_options o = {.pair = bk_diff_html_pair};
        bk_diff_stats stats = {0, 0, 0};
        st = h ? bk_diff(ctx, input, bktest_path(SAMPLE), NULL, &o, bk_diff_html_change, h,
                         &stats, err)
               : bk_error_set(err, BK_E_NOMEM, "out of memory");
        if (st == BK_OK)
            bk_diff_html_finish(h, &stats, f);
        bk_diff_html_free(h);
        end_diff_text(f, st);
    } else if (st == BK_OK && strcmp(current->name, "diff") == 0) {
        /* The printed changes stand for the report: kept in diff_text. */
        size_t len = 0;
        FILE *f = open_memstream(&diff_text, &len);
        bk_diff_printer *p = f ? bk_diff_printer_new(f, 1, 0, "a", "b", 0) : NULL;
        bk_diff_stats stats = {0, 0, 0};
        st = p ? bk_diff(ctx, input, bktest_path(SAMPLE), NULL, NULL, bk_diff_printer_change, p,
                         &stats, err)
               : bk_error_set(err, BK_E_NOMEM, "out of memory");
        if (st == BK_OK)
            bk_diff_printer_finish(p, &stats);
        bk_diff_printer_free(p);
        end_diff_text(f, st);
    } else if (st == BK_OK && current->output) {
        char out[256];
        snprintf(out, sizeof out, "%s/%s", outdir, current->output);
        st = bk_convert(ctx, &input, 1, out, NULL, NULL, NULL, err);
    } else if (st == BK_OK) {
        bk_report *report = bk_report_new();
        if (!report)
            st = bk_error_set(err, BK_E_NOMEM, "out of memory");
        else
            st = bk_validate(ctx, &input, 1, NULL, NULL, NULL, report, err);
        if (st == BK_OK && report_out)
            *report_out = report;
        else
            bk_report_free(report);
    }
    bk_ctx_free(ctx);
    return st;
}

/* The machine report, as the command line would print it (written without faults). */
static char *report_text(bk_report *report, size_t *errors)
{
    if (strncmp(current->name, "diff", 4) == 0) {
        char *text = diff_text;
        diff_text = NULL;
        *errors = text && (strstr(text, "\"change\":\"cell\"") || strstr(text, "mark d-changed")) ? 1 : 0;
        return text ? text : strdup("");
    }
    char *text = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&text, &len);
    assert_non_null(f);
    bk_report_options o = {0, 0, 0};
    *errors = bk_report_write_json(report, &o, f);
    assert_int_equal(fclose(f), 0);
    bk_report_free(report);
    return text;
}

static int count_entries(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    int n = 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
            n++;
    closedir(d);
    return n;
}

static void check_leaks(unsigned long from, unsigned long to)
{
    if (__lsan_do_recoverable_leak_check && __lsan_do_recoverable_leak_check() != 0)
        fail_msg("%s: memory leaked (report above) by a run failing one of the allocations "
                 "%lu to %lu", current->name, from, to);
}

static int plugin_loaded(const char *name)
{
    bk_ctx *ctx = bk_ctx_new();
    assert_non_null(ctx);
    bk_error err = bktest_no_error();
    assert_int_equal(bk_ctx_load_plugins(ctx, &err), BK_OK);
    int found = bk_ctx_plugin_find(ctx, name) != NULL;
    bk_ctx_free(ctx);
    return found;
}

static int any_validator(void)
{
    bk_ctx *ctx = bk_ctx_new();
    assert_non_null(ctx);
    bk_error err = bktest_no_error();
    assert_int_equal(bk_ctx_load_plugins(ctx, &err), BK_OK);
    int found = 0;
    for (size_t i = 0; i < bk_ctx_plugin_count(ctx); i++)
        if (bk_ctx_plugin_at(ctx, i, NULL)->kinds & BK_PLUGIN_VALIDATE)
            found = 1;
    bk_ctx_free(ctx);
    return found;
}

static void write_broken_sample(const char *path)
{
    size_t len;
    char *text = bktest_read_file(input_path, &len);
    assert_non_null(text);
    /* Each change applies to the first occurrence in the whole text. */
    for (size_t i = 0; i < sizeof breakage / sizeof breakage[0]; i++) {
        const char *from = breakage[i][0], *to = breakage[i][1];
        char *at = strstr(text, from);
        if (!at)
            fail_msg("the sample no longer holds %s; update the test's changes", from);
        size_t head = (size_t)(at - text), nfrom = strlen(from), nto = strlen(to);
        char *next = malloc(len - nfrom + nto + 1);
        assert_non_null(next);
        memcpy(next, text, head);
        memcpy(next + head, to, nto);
        memcpy(next + head + nto, at + nfrom, len - head - nfrom + 1);
        len = len - nfrom + nto;
        free(text);
        text = next;
    }
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, len, f), len);
    assert_int_equal(fclose(f), 0);
    free(text);
}

/* The sample in another format, written without faults, as the input of the job. */
static void prepare_input(char *path, size_t cap)
{
    if (strcmp(current->via, "partial") == 0) {
        /* The broken sample and the sample: two documents of one department, so that the
         * merge has findings across documents to report. */
        char broken[300];
        snprintf(broken, sizeof broken, "%s/broken.json", bktest_tempdir());
        write_broken_sample(broken);
        snprintf(path, cap, "%s/input.jsonl", bktest_tempdir());
        bk_ctx *ctx = bktest_ctx();
        bk_report *report = bk_report_new();
        assert_non_null(report);
        bk_error err = bktest_no_error();
        const char *in[] = {broken, input_path};
        if (bk_validate_partial(ctx, in, 2, NULL, NULL, NULL, report, NULL, NULL, path, &err) !=
            BK_OK) {
            char msg[1024];
            bk_error_format(&err, msg, sizeof msg);
            fail_msg("cannot write the partial file: %s", msg);
        }
        bk_report_free(report);
        bk_ctx_free(ctx);
        snprintf(input_path, sizeof input_path, "%s", path);
        return;
    }
    if (strcmp(current->via, "broken") == 0) {
        snprintf(path, cap, "%s/broken.json", bktest_tempdir());
        write_broken_sample(path);
        snprintf(input_path, sizeof input_path, "%s", path);
        return;
    }
    snprintf(path, cap, "%s/input.%s", bktest_tempdir(), current->via);
    bk_ctx *ctx = bktest_ctx();
    bk_error err = bktest_no_error();
    const char *in = input_path;
    if (bk_convert(ctx, &in, 1, path, NULL, NULL, NULL, &err) != BK_OK) {
        char msg[1024];
        bk_error_format(&err, msg, sizeof msg);
        fail_msg("cannot write the sample as %s: %s", current->via, msg);
    }
    bk_ctx_free(ctx);
    snprintf(input_path, sizeof input_path, "%s", path);
}

/* Problems found, each kind once with the first allocation that showed it. */
typedef struct found {
    char kind[96];
    char msg[160];
    unsigned long first, count;
} found;
static found problems[32];
static size_t nproblems;

/* Error texts differ by position only: compare them without digits. */
static int same_text(const char *a, const char *b)
{
    for (;;) {
        while (*a >= '0' && *a <= '9')
            a++;
        while (*b >= '0' && *b <= '9')
            b++;
        if (*a != *b)
            return 0;
        if (!*a)
            return 1;
        a++, b++;
    }
}

static void problem(unsigned long n, const char *kind, const char *msg)
{
    for (size_t i = 0; i < nproblems; i++)
        if (strcmp(problems[i].kind, kind) == 0 && same_text(problems[i].msg, msg)) {
            problems[i].count++;
            return;
        }
    if (nproblems == sizeof problems / sizeof problems[0])
        return;
    found *f = &problems[nproblems++];
    snprintf(f->kind, sizeof f->kind, "%s", kind);
    snprintf(f->msg, sizeof f->msg, "%s", msg);
    f->first = n;
    f->count = 1;
}

static void empty_folder(const char *dir)
{
    DIR *d = opendir(dir);
    assert_non_null(d);
    struct dirent *e;
    char path[512];
    while ((e = readdir(d)) != NULL)
        if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0) {
            snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
            if (unlink(path) != 0)
                rmdir(path);
        }
    closedir(d);
}

static void test_every_allocation(void **state)
{
    (void)state;
    for (size_t i = 0; i < 3 && current->needs[i]; i++)
        if (!plugin_loaded(current->needs[i])) {
            print_message("skipped: no %s plugin in this build\n", current->needs[i]);
            skipped = 1;
            skip();
        }
    if (!current->output && strncmp(current->name, "diff", 4) != 0 && !any_validator()) {
        print_message("skipped: no validator plugin in this build\n");
        skipped = 1;
        skip();
    }
    snprintf(outdir, sizeof outdir, "%s", bktest_tempdir());
    char prepared[300] = "";
    snprintf(input_path, sizeof input_path, "%s", bktest_path(current->input));
    if (current->via)
        prepare_input(prepared, sizeof prepared);
    char out[256];
    snprintf(out, sizeof out, "%s/%s", outdir, current->output ? current->output : "");

    /* The undisturbed run: its output and findings are what every succeeding run must give. */
    bk_error err;
    size_t ref_len = 0, ref_errors = 0;
    bk_report *report = NULL;
    bk_alloc_fail_at(0);
    bk_status st = run_job(&err, &report);
    if (st != BK_OK) {
        char msg[1024];
        bk_error_format(&err, msg, sizeof msg);
        fail_msg("%s: the job fails without any fault: %s", current->name, msg);
    }
    unsigned long total = bk_alloc_count();
    unsigned char *ref;
    if (current->output) {
        ref = (unsigned char *)bktest_read_file(out, &ref_len);
        assert_non_null(ref);
        unlink(out);
    } else {
        ref = (unsigned char *)report_text(report, &ref_errors);
        ref_len = strlen((char *)ref);
        if (current->via && strcmp(current->via, "broken") == 0 && ref_errors == 0)
            fail_msg("%s: the validators found no error in the broken sample", current->name);
    }
    check_leaks(0, 0);

    unsigned long n, nomem = 0, survived = 0, checked = 1;
    for (n = 1;; n++) {
        report = NULL;
        bk_alloc_fail_at(n);
        st = run_job(&err, &report);
        int hit = bk_alloc_failed();
        bk_alloc_fail_at(0);
        char msg[1024];
        bk_error_format(&err, msg, sizeof msg);
        if (st == BK_E_NOMEM) {
            nomem++;
            if (!hit)
                problem(n, "out of memory reported but no allocation failed", msg);
            if (!err.text[0])
                problem(n, "BK_E_NOMEM without a message", "");
            if (count_entries(outdir) != 0)
                problem(n, "the job failed and the output folder is not empty", msg);
        } else if (st != BK_OK) {
            char kind[64];
            snprintf(kind, sizeof kind, "the job returned %s instead of out of memory",
                     bk_status_name(st));
            problem(n, kind, msg);
        } else {
            if (hit)
                survived++;
            if (current->output) {
                size_t len = 0;
                unsigned char *got = (unsigned char *)bktest_read_file(out, &len);
                if (!got || len != ref_len || memcmp(got, ref, len) != 0)
                    problem(n, "the job succeeded and its output differs from an undisturbed "
                            "run's", "");
                free(got);
                unlink(out);
            } else {
                size_t errors;
                char *got = report_text(report, &errors);
                if (strcmp(got, (const char *)ref) != 0)
                    problem(n, "the validation succeeded and its report differs from an "
                            "undisturbed run's", "");
                free(got);
            }
        }
        if (count_entries(outdir) != 0) {
            problem(n, "files were left in the output folder", "");
            empty_folder(outdir);
        }
        if (!hit || n % 256 == 0) {
            check_leaks(checked, n);
            checked = n + 1;
        }
        if (!hit)
            break;
    }
    print_message("%s: %lu allocations in an undisturbed run; failing each in turn gave %lu "
                  "out-of-memory errors and %lu runs that recovered\n",
                  current->name, total, nomem, survived);
    free(ref);
    rmdir(outdir);
    if (prepared[0]) {
        unlink(prepared);
        *strrchr(prepared, '/') = '\0';
        rmdir(prepared);
    }
    if (nproblems) {
        for (size_t i = 0; i < nproblems; i++)
            print_error("%s: %lu runs: %s (first when allocation %lu failed)%s%s\n",
                        current->name, problems[i].count, problems[i].kind, problems[i].first,
                        problems[i].msg[0] ? ": " : "", problems[i].msg);
        fail_msg("%s: %zu kinds of mishandled allocation failure", current->name, nproblems);
    }
    assert_true(n > total); /* every allocation of the undisturbed run was failed once */
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "json-json";
    const char *j = getenv("BK_FAULTS_JANSSON");
    fail_jansson = j && *j && strcmp(j, "0") != 0;
    for (size_t i = 0; i < sizeof scenarios / sizeof scenarios[0]; i++)
        if (strcmp(scenarios[i].name, name) == 0)
            current = &scenarios[i];
    if (!current) {
        fprintf(stderr, "unknown scenario \"%s\"\n", name);
        return 2;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_allocation),
    };
    int failed = cmocka_run_group_tests_name(name, tests, NULL, NULL);
    return failed == 0 && skipped ? 77 : failed;
}
