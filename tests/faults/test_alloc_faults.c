/* Every allocation failure is handled: fail the 1st, 2nd, ... Nth allocation of a whole job
 * (context, plugin loading, templates, reading, writing, validating) until a run completes
 * without reaching N. Each run must either succeed with exactly the output of an undisturbed
 * run or stop with BK_E_NOMEM and a message, leave nothing in the output folder, and free
 * everything it allocated. Leaks are found by LeakSanitizer in sanitised builds
 * (-DBK_SANITIZE=ON), which the test asks for a check every 256 runs so that a leak is
 * reported with the allocations that caused it; ordinary builds cannot see them.
 *
 * One scenario a run (argv[1]) so that ctest can run them side by side:
 *   json-json json-xml json-zip zip-json json-csv validate
 * A scenario whose plugin is not in the build is skipped.
 *
 * Not covered, because these libraries allocate with malloc directly: libxml2's parser and
 * writer buffers, libzip's archive structures, libcsv's field buffer (unless the CSV plugin
 * installs bk_realloc), zlib's inflate/deflate state (unless the archive plugin passes zalloc),
 * and the C library's own (stdio buffers, dlopen, opendir). */
#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include "bktest.h"

/* Present only when the program runs with LeakSanitizer (0: no leak found). */
int __lsan_do_recoverable_leak_check(void) __attribute__((weak));

typedef struct scenario {
    const char *name;
    const char *input;   /* under the source tree */
    const char *output;  /* file name in the output folder, NULL for validation */
    const char *needs[3]; /* plugins that must be in the build */
} scenario;

static const scenario scenarios[] = {
    {"json-json", "samples/dapeng-2024/budget.json", "out.json", {"json"}},
    {"json-xml", "samples/dapeng-2024/budget.json", "out.xml", {"json", "xml"}},
    {"json-zip", "samples/dapeng-2024/budget.json", "out.zip", {"json", "archive"}},
    {"zip-json", "samples/dapeng-2024/budget.zip", "out.json", {"json", "archive"}},
    {"json-csv", "samples/dapeng-2024/budget.json", "out.csv", {"json", "csv"}},
    {"validate", "samples/dapeng-2024/budget.json", NULL, {"json"}},
};

static const scenario *current;
static int skipped; /* ctest shows the test as skipped (exit 77) rather than passed */
static char outdir[64];

/* The whole job, from a fresh context to its release, as the command line does it. */
static bk_status run_job(bk_error *err, size_t *findings)
{
    bk_error_clear(err);
    bk_ctx *ctx = bk_ctx_new();
    if (!ctx)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    bk_status st = bk_ctx_set_data_dir(ctx, bktest_path("formats"));
    if (st != BK_OK)
        bk_error_set(err, st, "cannot set the data folder");
    if (st == BK_OK)
        st = bk_ctx_load_plugins(ctx, err);
    const char *input = bktest_path(current->input);
    if (st == BK_OK && current->output) {
        char out[256];
        snprintf(out, sizeof out, "%s/%s", outdir, current->output);
        st = bk_convert(ctx, &input, 1, out, NULL, NULL, NULL, err);
    } else if (st == BK_OK) {
        bk_report *report = bk_report_new();
        if (!report)
            st = bk_error_set(err, BK_E_NOMEM, "out of memory");
        else
            st = bk_validate(ctx, &input, 1, NULL, NULL, NULL, report, err);
        if (report && findings)
            *findings = bk_report_count(report);
        bk_report_free(report);
    }
    bk_ctx_free(ctx);
    return st;
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

static unsigned char *read_all(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    unsigned char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (n == cap) {
            cap = cap ? cap * 2 : 65536;
            buf = realloc(buf, cap);
            assert_non_null(buf);
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        if (got == 0)
            break;
        n += got;
    }
    fclose(f);
    *len = n;
    return buf;
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
    bk_error err;
    bk_error_clear(&err);
    assert_int_equal(bk_ctx_load_plugins(ctx, &err), BK_OK);
    int found = bk_ctx_plugin_find(ctx, name) != NULL;
    bk_ctx_free(ctx);
    return found;
}

static int any_validator(void)
{
    bk_ctx *ctx = bk_ctx_new();
    assert_non_null(ctx);
    bk_error err;
    bk_error_clear(&err);
    assert_int_equal(bk_ctx_load_plugins(ctx, &err), BK_OK);
    int found = 0;
    for (size_t i = 0; i < bk_ctx_plugin_count(ctx); i++)
        if (bk_ctx_plugin_at(ctx, i, NULL)->kinds & BK_PLUGIN_VALIDATE)
            found = 1;
    bk_ctx_free(ctx);
    return found;
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
    if (!current->output && !any_validator()) {
        print_message("skipped: no validator plugin in this build\n");
        skipped = 1;
        skip();
    }
    snprintf(outdir, sizeof outdir, "%s", bktest_tempdir());
    char out[256];
    snprintf(out, sizeof out, "%s/%s", outdir, current->output ? current->output : "");

    /* The undisturbed run: its output and findings are what every succeeding run must give.
     * It also warms up what stays allocated for the life of the process (stdio buffers,
     * the dynamic loader's caches), so that the heap can be compared afterwards. */
    bk_error err;
    size_t ref_findings = 0, ref_len = 0;
    bk_alloc_fail_at(0);
    bk_status st = run_job(&err, &ref_findings);
    if (st != BK_OK) {
        char msg[1024];
        bk_error_format(&err, msg, sizeof msg);
        fail_msg("%s: the job fails without any fault: %s", current->name, msg);
    }
    unsigned long total = bk_alloc_count();
    unsigned char *ref = current->output ? read_all(out, &ref_len) : NULL;
    if (current->output) {
        assert_non_null(ref);
        unlink(out);
    }
    check_leaks(0, 0);

    unsigned long n, nomem = 0, survived = 0, checked = 1;
    for (n = 1;; n++) {
        size_t findings = 0;
        bk_alloc_fail_at(n);
        st = run_job(&err, &findings);
        int hit = bk_alloc_failed();
        bk_alloc_fail_at(0);
        if (st == BK_E_NOMEM) {
            nomem++;
            if (!hit)
                fail_msg("%s: allocation %lu: out of memory reported but no allocation failed",
                         current->name, n);
            if (!err.text[0])
                fail_msg("%s: allocation %lu: BK_E_NOMEM without a message", current->name, n);
            if (count_entries(outdir) != 0)
                fail_msg("%s: allocation %lu failed and the output folder is not empty",
                         current->name, n);
        } else if (st != BK_OK) {
            char msg[1024];
            bk_error_format(&err, msg, sizeof msg);
            fail_msg("%s: allocation %lu failed and the job returned %s instead of out of "
                     "memory: %s", current->name, n, bk_status_name(st), msg);
        } else {
            if (hit)
                survived++;
            if (current->output) {
                size_t len = 0;
                unsigned char *got = read_all(out, &len);
                if (!got || len != ref_len || memcmp(got, ref, len) != 0)
                    fail_msg("%s: allocation %lu failed, the job succeeded, and its output "
                             "differs from an undisturbed run's", current->name, n);
                free(got);
                unlink(out);
            } else if (findings != ref_findings) {
                fail_msg("%s: allocation %lu failed, the validation succeeded with %zu findings "
                         "instead of %zu", current->name, n, findings, ref_findings);
            }
            if (count_entries(outdir) != 0)
                fail_msg("%s: allocation %lu: stray files in the output folder", current->name,
                         n);
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
    assert_true(n > total); /* every allocation of the undisturbed run was failed once */
    free(ref);
    rmdir(outdir);
}

int main(int argc, char **argv)
{
    const char *name = argc > 1 ? argv[1] : "json-json";
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
