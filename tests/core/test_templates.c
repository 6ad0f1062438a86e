/* The template loader: the shipped templates, and broken template files. */
#include "bktest.h"

static void test_shipped_templates(void **state)
{
    (void)state;
    bk_templates *set = bk_templates_new();
    bk_error err = bktest_no_error();
    assert_int_equal(bk_templates_load_dir(set, bktest_path("formats/layouts/shenzhen"), &err), BK_OK);
    assert_int_equal(bk_templates_count(set), 12);
    for (size_t i = 0; i < 12; i++) {
        const bk_template *t = bk_templates_at(set, i);
        char id[8];
        snprintf(id, sizeof id, "T%02zu", i + 1);
        assert_string_equal(t->id, id); /* in table order */
        assert_int_equal(t->number, (int)i + 1);
        assert_true(t->ncolumns > 0);
        for (size_t c = 0; c < t->ncolumns; c++)
            assert_true(t->columns[c].path_len > 0);
    }
    const bk_template *t7 = bk_templates_find(set, "T07");
    assert_int_equal(bk_template_column(t7, "basic"), 1);
    assert_int_equal(bk_template_column(t7, "nope"), -1);
    assert_string_equal(t7->row_key, "function");
    bk_templates_free(set);
}

static void expect_error(const char *json, bk_status code, const char *text, long line)
{
    bk_templates *set = bk_templates_new();
    bk_error err = bktest_no_error();
    assert_int_equal(bk_templates_load_buffer(set, "bad.json", json, strlen(json), &err), code);
    if (!strstr(err.text, text))
        fail_msg("error \"%s\" does not mention \"%s\"", err.text, text);
    assert_string_equal(err.file, "bad.json");
    if (line)
        assert_int_equal(err.line, line);
    assert_int_equal(bk_templates_count(set), 0);
    bk_templates_free(set);
}

static void test_broken_templates(void **state)
{
    (void)state;
    expect_error("{\"id\":\"T1\",\n\"title\":", BK_E_SYNTAX, "", 2);
    expect_error("[]", BK_E_CONTENT, "JSON object", 0);
    expect_error("{\"title\":\"x\",\"columns\":[{\"id\":\"a\"}]}", BK_E_CONTENT, "\"id\"", 0);
    expect_error("{\"id\":\"T 1\",\"title\":\"x\",\"columns\":[{\"id\":\"a\"}]}", BK_E_CONTENT, "\"id\"", 0);
    expect_error("{\"id\":\"T1\",\"title\":\"x\",\"columns\":[]}", BK_E_CONTENT, "columns", 0);
    expect_error("{\"id\":\"T1\",\"title\":\"x\",\"columns\":[{\"id\":\"a\"},{\"id\":\"a\"}]}",
                 BK_E_CONTENT, "used twice", 0);
    expect_error("{\"id\":\"T1\",\"title\":\"x\",\"columns\":[{\"id\":\"a\",\"type\":\"money\"}]}",
                 BK_E_CONTENT, "money", 0);
    expect_error("{\"id\":\"T1\",\"title\":\"x\",\"columns\":[{\"id\":\"a\",\"path\":[1]}]}",
                 BK_E_CONTENT, "path", 0);
    expect_error("{\"id\":\"T1\",\"id\":\"T2\",\"title\":\"x\"}", BK_E_SYNTAX, "duplicate", 0);
    expect_error("{\"id\":\"T1\",\"title\":\"x\",\"columns\":[{\"id\":\"a\"}],\"rules\":{}}",
                 BK_E_CONTENT, "rules", 0);
    expect_error("{\"id\":\"T1\",\"title\":\"x\",\"columns\":[{\"id\":\"a\",\"side\":\"left\"}]}",
                 BK_E_CONTENT, "\"side\" must be income or expenditure", 0);
    expect_error("{\"id\":\"T1\",\"title\":\"x\",\"columns\":[{\"id\":\"a\",\"side\":1}]}",
                 BK_E_CONTENT, "\"side\" must be income or expenditure", 0);
    expect_error("{\"id\":\"T1\",\"title\":\"x\",\"key_headers\":[\"项目\"],"
                 "\"key_aliases\":{\"名称\":[\"项目名称\"]},\"columns\":[{\"id\":\"a\"}]}",
                 BK_E_CONTENT, "\"名称\" is no key header", 0);
    expect_error("{\"id\":\"T1\",\"title\":\"x\",\"key_headers\":[\"项目\"],"
                 "\"key_aliases\":{\"项目\":\"项目名称\"},\"columns\":[{\"id\":\"a\"}]}",
                 BK_E_CONTENT, "must name an array of labels", 0);
}

/* Sides with their own columns (SH04): each column says which side prints it; another
 * printed label of a key header (SH08's). */
static void test_column_sides(void **state)
{
    (void)state;
    bk_templates *set = bk_templates_new();
    bk_error err = bktest_no_error();
    assert_int_equal(bk_templates_load_dir(set, bktest_path("formats/layouts/shanghai"), &err), BK_OK);
    const bk_template *t = bk_templates_find(set, "SH04");
    assert_non_null(t);
    assert_int_equal(t->nsides, 2);
    assert_int_equal(t->columns[bk_template_column(t, "amount")].side, BK_SIDE_INCOME);
    assert_int_equal(t->columns[bk_template_column(t, "total")].side, BK_SIDE_EXPENDITURE);
    const bk_template *t1 = bk_templates_find(set, "SH01");
    assert_int_equal(t1->columns[bk_template_column(t1, "amount")].side, BK_SIDE_BOTH);
    const bk_template *t8 = bk_templates_find(set, "SH08");
    assert_int_equal(t8->nkey_aliases, 1);
    assert_string_equal(t8->key_aliases[0], "经济分类科目名称");
    assert_string_equal(t8->key_aliases[1], "部门经济分类科目名称");
    bk_templates_free(set);
}

static void test_duplicate_id_across_files(void **state)
{
    (void)state;
    const char *t = "{\"id\":\"X1\",\"title\":\"x\",\"columns\":[{\"id\":\"a\"}]}";
    bk_templates *set = bk_templates_new();
    bk_error err = bktest_no_error();
    assert_int_equal(bk_templates_load_buffer(set, "a.json", t, strlen(t), &err), BK_OK);
    assert_int_equal(bk_templates_load_buffer(set, "b.json", t, strlen(t), &err), BK_E_CONTENT);
    assert_non_null(strstr(err.text, "defined twice"));
    assert_int_equal(bk_templates_count(set), 1);
    bk_templates_free(set);
}

static void test_labels(void **state)
{
    (void)state;
    assert_true(bk_label_equal("政府办公厅(室)及相关机构事务", "政府办公厅（室）及相关机构事务"));
    assert_true(bk_label_equal("一般公共预算支出表 (按功能科目)", "一般公共预算支出表（按功能科目）"));
    assert_true(bk_label_equal("财政专户\n管理资金", "财政专户管理资金"));
    assert_true(bk_label_equal("单位:万元", "单位：万元"));
    assert_false(bk_label_equal("基本支出", "项目支出"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_shipped_templates), cmocka_unit_test(test_broken_templates),
        cmocka_unit_test(test_duplicate_id_across_files), cmocka_unit_test(test_labels),
        cmocka_unit_test(test_column_sides),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
