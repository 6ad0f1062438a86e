/* Outputs appear whole or not at all, and never clobber what was there on failure. */
#include <sys/stat.h>
#include <unistd.h>

#include "bktest.h"

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    static char buf[4096];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

static int count_entries(const char *dir)
{
    char cmd[256];
    snprintf(cmd, sizeof cmd, "ls -A %s | wc -l", dir);
    FILE *p = popen(cmd, "r");
    int n = -1;
    if (p) {
        if (fscanf(p, "%d", &n) != 1)
            n = -1;
        pclose(p);
    }
    return n;
}

/* A fresh empty folder as the state of a test that writes files; the teardown removes it, and
 * fails when the test left anything in it. */
static int make_folder(void **state)
{
    *state = (void *)bktest_tempdir();
    return 0;
}

static int remove_folder(void **state) { return rmdir(*state) == 0 ? 0 : -1; }

static void test_commit_and_abort(void **state)
{
    const char *dir = *state;
    char path[256];
    snprintf(path, sizeof path, "%s/out.json", dir);
    bk_error err = bktest_no_error();
    bk_sink *s = bk_sink_open_file(path, &err);
    assert_non_null(s);
    assert_int_equal(bk_sink_puts(s, "first"), BK_OK);
    assert_null(slurp(path)); /* not there until committed */
    assert_int_equal(bk_sink_commit(s, &err), BK_OK);
    assert_string_equal(slurp(path), "first");
    s = bk_sink_open_file(path, &err);
    bk_sink_printf(s, "second %d", 2);
    bk_sink_abort(s);
    assert_string_equal(slurp(path), "first"); /* the old file is intact */
    assert_int_equal(count_entries(dir), 1);   /* and no temporary is left */
    unlink(path);
}

static void test_full_disk(void **state)
{
    (void)state;
    bk_error err = bktest_no_error();
    /* /dev/full's folder is not ours to write temporaries in; writing fails either way. */
    bk_sink *s = bk_sink_open_file("/dev/full", &err);
    if (s) {
        char big[65536];
        memset(big, 'x', sizeof big);
        for (int i = 0; i < 4; i++)
            bk_sink_write(s, big, sizeof big);
        assert_int_not_equal(bk_sink_commit(s, &err), BK_OK);
    } else {
        assert_int_equal(err.code, BK_E_IO);
    }
    assert_string_equal(err.file, "/dev/full");
}

static void test_missing_folder(void **state)
{
    (void)state;
    bk_error err = bktest_no_error();
    assert_null(bk_sink_open_file("/nonexistent-bk/x/out.json", &err));
    assert_int_equal(err.code, BK_E_IO);
    assert_non_null(strstr(err.text, "cannot create"));
}

static void test_folder_sink(void **state)
{
    const char *dir = *state;
    char out[256], p[300];
    snprintf(out, sizeof out, "%s/unpacked", dir);
    bk_error err = bktest_no_error();
    bk_sink *d = bk_sink_open_dir(out, &err);
    assert_non_null(d);
    bk_sink *m = bk_sink_member(d, "a.json", &err);
    assert_non_null(m);
    bk_sink_puts(m, "A");
    assert_int_equal(bk_sink_commit(m, &err), BK_OK);
    assert_null(bk_sink_member(d, "../escape.json", &err));
    assert_int_equal(err.code, BK_E_HOSTILE);
    assert_null(bk_sink_member(d, "a.json", &err)); /* two outputs, one name */
    struct stat sb;
    assert_int_not_equal(stat(out, &sb), 0); /* not there before commit */
    assert_int_equal(bk_sink_commit(d, &err), BK_OK);
    snprintf(p, sizeof p, "%s/a.json", out);
    assert_string_equal(slurp(p), "A");
    unlink(p);
    rmdir(out);
}

static void test_safe_paths(void **state)
{
    (void)state;
    assert_true(bk_path_is_safe("documents/0001.json"));
    const char *bad[] = {"../x", "a/../../x", "/etc/passwd", "C:/x", "c:x", "a\\b", "", "a//b",
                         "./x", "a/./b", "x\n"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        if (bk_path_is_safe(bad[i]))
            fail_msg("\"%s\" was called safe", bad[i]);
}

/* More outputs at once than the table of temporaries holds: the one too many is refused by
 * name and leaves nothing behind; once one is done, the next opens. */
static void test_too_many_outputs(void **state)
{
    const char *dir = *state;
    enum { MANY = 65 };
    bk_sink *open_ones[MANY];
    char path[256];
    bk_error err;
    int n = 0;
    for (; n < MANY; n++) {
        snprintf(path, sizeof path, "%s/out%d.json", dir, n);
        bk_error_clear(&err);
        if (!(open_ones[n] = bk_sink_open_file(path, &err)))
            break;
    }
    assert_int_equal(n, 64);
    assert_int_equal(err.code, BK_E_LIMIT);
    assert_non_null(strstr(err.text, "outputs are being written at once"));
    assert_string_equal(err.file, path);
    assert_int_equal(count_entries(dir), 64); /* the refused one left no temporary */
    bk_sink_abort(open_ones[0]);
    open_ones[0] = bk_sink_open_file(path, &err);
    assert_non_null(open_ones[0]);
    for (int i = 0; i < n; i++)
        bk_sink_abort(open_ones[i]);
    assert_int_equal(count_entries(dir), 0);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_commit_and_abort, make_folder, remove_folder),
        cmocka_unit_test(test_full_disk),
        cmocka_unit_test(test_missing_folder),
        cmocka_unit_test_setup_teardown(test_folder_sink, make_folder, remove_folder),
        cmocka_unit_test(test_safe_paths),
        cmocka_unit_test_setup_teardown(test_too_many_outputs, make_folder, remove_folder),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
