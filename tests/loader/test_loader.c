/* The plugin loader: a good plugin loads, broken ones are skipped with a reason. */
#include "bktest.h"

static const char *reason_for(bk_ctx *ctx, const char *file_suffix)
{
    for (size_t i = 0; i < bk_ctx_skipped_count(ctx); i++) {
        const char *file, *reason;
        bk_ctx_skipped_at(ctx, i, &file, &reason);
        size_t n = strlen(file), m = strlen(file_suffix);
        if (n >= m && strcmp(file + n - m, file_suffix) == 0)
            return reason;
    }
    return NULL;
}

static void expect_reason(bk_ctx *ctx, const char *file, const char *text)
{
    const char *r = reason_for(ctx, file);
    if (!r)
        fail_msg("%s was not listed as skipped", file);
    if (!strstr(r, text))
        fail_msg("%s skipped for \"%s\", expected mention of \"%s\"", file, r, text);
}

/* Each test loads plugins its own way, into a context of its own. */
static int new_ctx(void **state)
{
    *state = bk_ctx_new();
    return *state ? 0 : -1;
}

static int free_ctx(void **state)
{
    bk_ctx_free(*state);
    return 0;
}

static void test_broken_plugins_are_skipped(void **state)
{
    bk_ctx *ctx = *state;
    bk_error err = bktest_no_error();
    assert_int_equal(bk_ctx_add_plugin_path(ctx, BROKEN_DIR), BK_OK);
    assert_int_equal(bk_ctx_load_plugins(ctx, &err), BK_OK);
    const char *file;
    const bk_plugin_desc *d = bk_ctx_plugin_find(ctx, "testplugin");
    assert_non_null(d);
    for (size_t i = 0; i < bk_ctx_plugin_count(ctx); i++)
        if (bk_ctx_plugin_at(ctx, i, &file) == d)
            assert_non_null(strstr(file, "/good.so"));
    char wrong[32], newer[32];
    snprintf(wrong, sizeof wrong, "ABI 99.%d", BK_ABI_MINOR);
    snprintf(newer, sizeof newer, "ABI %d.%d", BK_ABI_MAJOR, BK_ABI_MINOR + 1);
    expect_reason(ctx, "/wrong_abi.so", wrong);
    expect_reason(ctx, "/newer_minor.so", newer);
    expect_reason(ctx, "/no_symbol.so", "budgetkit_plugin_v1");
    expect_reason(ctx, "/no_kind.so", "no kind");
    expect_reason(ctx, "/not_elf.so", "cannot be loaded");
    expect_reason(ctx, "/README.txt", "not a shared object");
}

static void test_load_one_file(void **state)
{
    bk_ctx *ctx = *state;
    bk_error err = bktest_no_error();
    assert_int_equal(bk_ctx_load_plugin_file(ctx, BROKEN_DIR "/wrong_abi.so", &err), BK_E_PLUGIN);
    assert_non_null(strstr(err.file, "wrong_abi.so"));
    assert_int_equal(bk_ctx_load_plugin_file(ctx, BROKEN_DIR "/good.so", &err), BK_OK);
    /* The same name twice: the second is refused, naming the first. */
    assert_int_equal(bk_ctx_load_plugin_file(ctx, BROKEN_DIR "/good.so", &err), BK_E_PLUGIN);
    assert_non_null(strstr(err.text, "already loaded"));
    assert_int_equal(bk_ctx_plugin_count(ctx), 1);
}

static void test_probe_and_plugin_error(void **state)
{
    bk_ctx *ctx = *state;
    bk_error err = bktest_no_error();
    assert_int_equal(bk_ctx_set_data_dir(ctx, bktest_path("formats")), BK_OK);
    assert_int_equal(bk_ctx_load_plugin_file(ctx, BROKEN_DIR "/good.so", &err), BK_OK);
    const char *dir = bktest_tempdir();
    char in[256];
    snprintf(in, sizeof in, "%s/x.test", dir);
    FILE *f = fopen(in, "w");
    fputs("# hello\n", f);
    fclose(f);
    bk_doc *doc = NULL;
    assert_int_equal(bk_read(ctx, in, NULL, bktest_keep_first, &doc, &err), BK_E_CONTENT);
    assert_null(doc);
    assert_string_equal(err.plugin, "testplugin"); /* the host names who failed */
    assert_string_equal(err.file, in);
    bk_error_clear(&err);
    f = fopen(in, "w");
    fputs("nothing to see\n", f);
    fclose(f);
    assert_int_equal(bk_read(ctx, in, NULL, bktest_keep_first, &doc, &err), BK_E_USAGE);
    assert_non_null(strstr(err.text, "--from"));
    remove(in);
    remove(dir);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(test_broken_plugins_are_skipped, new_ctx, free_ctx),
        cmocka_unit_test_setup_teardown(test_load_one_file, new_ctx, free_ctx),
        cmocka_unit_test_setup_teardown(test_probe_and_plugin_error, new_ctx, free_ctx),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
