/* The canonical model: units, tables, rows, cells, interning, checks, equality. */
#include "bktest.h"

static const char tpl_json[] =
    "{\"id\":\"T07\",\"number\":7,\"title\":\"一般公共预算支出表（按功能分类）\",\"row_key\":\"function\","
    "\"columns\":[{\"id\":\"total\",\"path\":[\"支出总计\"],\"type\":\"amount\"},"
    "{\"id\":\"basic\",\"path\":[\"基本支出\"]},{\"id\":\"note\",\"path\":[\"说明\"],\"type\":\"text\"}],"
    "\"rules\":[{\"rule\":\"columns-sum\",\"total\":\"total\",\"parts\":[\"basic\"]}]}";

/* The group's state: the one template the documents of the tests are made with. */
static int load_templates(void **state)
{
    bk_templates *set = bk_templates_new();
    bk_error err = bktest_no_error();
    assert_int_equal(bk_templates_load_buffer(set, "T07.json", tpl_json, strlen(tpl_json), &err), BK_OK);
    *state = set;
    return 0;
}

static int free_templates(void **state)
{
    bk_templates_free(*state);
    return 0;
}

static bk_doc *make_doc(const bk_templates *set)
{
    bk_doc *doc = bk_doc_new();
    bk_error err = bktest_no_error();
    doc->fiscal_year = 2024;
    doc->money_unit = bk_doc_intern_cstr(doc, "万元");
    assert_int_equal(bk_doc_set_department(doc, "深圳市大鹏新区政务服务数据管理局", NULL), BK_OK);
    assert_int_equal(bk_doc_add_unit(doc, "dept", "深圳市大鹏新区政务服务数据管理局", BK_UNIT_DEPARTMENT, NULL, &err), BK_OK);
    assert_int_equal(bk_doc_add_unit(doc, "u1", "本级", BK_UNIT_SELF, "dept", &err), BK_OK);
    bk_table *t = bk_doc_add_table(doc, bk_templates_find(set, "T07"));
    assert_non_null(t);
    long r = bk_table_add_row(doc, t, BK_ROW_ITEM, 1, NULL, "201", "一般公共服务支出", 0, 12);
    assert_int_equal(r, 0);
    assert_int_equal(bk_table_set_number(t, 0, 0, (bk_decimal){366042, 2}), BK_OK);
    assert_int_equal(bk_table_set_text(doc, t, 0, 2, "说明文字", strlen("说明文字")), BK_OK);
    return doc;
}

static void test_build_and_check(void **state)
{
    const bk_templates *set = *state;
    bk_doc *doc = make_doc(set);
    bk_error err = bktest_no_error();
    assert_int_equal(bk_doc_check(doc, &err), BK_OK);
    assert_int_equal(bk_doc_cell_count(doc), 2);
    bk_table *t = bk_doc_table(doc, "T07");
    assert_non_null(t);
    assert_string_equal(t->rows[0].code, "201");
    assert_int_equal(t->rows[0].line, 12);
    assert_int_equal(bk_table_cell(t, 0, 1)->kind, BK_CELL_EMPTY);
    assert_int_equal(bk_doc_find_unit(doc, "u1"), 1);
    assert_int_equal(bk_doc_unit_of_kind(doc, BK_UNIT_SELF), 1);
    /* Interning: equal strings share storage. */
    assert_ptr_equal(bk_doc_intern_cstr(doc, "201"), t->rows[0].code);
    /* A number in a text column breaks the document's contract. */
    assert_int_equal(bk_table_set_number(t, 0, 2, (bk_decimal){1, 0}), BK_OK);
    assert_int_equal(bk_doc_check(doc, &err), BK_E_CONTENT);
    assert_non_null(strstr(err.text, "column note"));
    bk_doc_free(doc);
}

static void test_check_rejects(void **state)
{
    const bk_templates *set = *state;
    bk_doc *doc = make_doc(set);
    bk_error err = bktest_no_error();
    assert_int_equal(bk_doc_add_unit(doc, "u1", "again", BK_UNIT_SUBUNIT, NULL, &err), BK_E_CONTENT);
    assert_int_equal(bk_doc_add_unit(doc, "u2", "x", BK_UNIT_SUBUNIT, "nope", &err), BK_E_CONTENT);
    assert_int_equal(bk_doc_add_unit(doc, "d2", "second", BK_UNIT_DEPARTMENT, NULL, &err), BK_OK);
    assert_int_equal(bk_doc_check(doc, &err), BK_E_CONTENT);
    assert_non_null(strstr(err.text, "exactly one unit of kind department"));
    doc->money_unit = bk_doc_intern_cstr(doc, "美元");
    assert_int_equal(bk_doc_check(doc, &err), BK_E_CONTENT);
    assert_int_equal(bk_table_add_row(doc, bk_doc_table(doc, "T07"), BK_ROW_ITEM, 99, NULL, NULL, "x", 0, 0), -1);
    bk_doc_free(doc);
}

static void test_equal(void **state)
{
    const bk_templates *set = *state;
    bk_doc *a = make_doc(set), *b = make_doc(set);
    char diff[256];
    assert_true(bk_doc_equal(a, b, diff, sizeof diff));
    /* Same value, other printed scale: not the same document. */
    assert_int_equal(bk_table_set_number(bk_doc_table(b, "T07"), 0, 0, (bk_decimal){36604200, 4}), BK_OK);
    assert_false(bk_doc_equal(a, b, diff, sizeof diff));
    assert_non_null(strstr(diff, "column total"));
    bk_doc_free(a);
    bk_doc_free(b);
}

static void test_many_rows(void **state)
{
    const bk_templates *set = *state;
    bk_doc *doc = make_doc(set);
    bk_table *t = bk_doc_table(doc, "T07");
    for (int i = 1; i < 10000; i++) {
        char code[16];
        snprintf(code, sizeof code, "%d", 2010300 + i % 97);
        long r = bk_table_add_row(doc, t, BK_ROW_ITEM, 1, NULL, code, "行", 0, (uint32_t)i);
        assert_int_equal(r, i);
        assert_int_equal(bk_table_set_number(t, (size_t)r, 1, (bk_decimal){i, 2}), BK_OK);
    }
    assert_int_equal(t->nrows, 10000);
    assert_int_equal(bk_table_cell(t, 9999, 1)->v.units, 9999);
    assert_int_equal(sizeof(bk_cell), 16);
    bk_doc_free(doc);
}

static void test_enum_names(void **state)
{
    (void)state;
    for (int k = 0; k < 4; k++)
        assert_int_equal(bk_row_kind_parse(bk_row_kind_name((bk_row_kind)k)), k);
    for (int k = 0; k < 3; k++)
        assert_int_equal(bk_unit_kind_parse(bk_unit_kind_name((bk_unit_kind)k)), k);
    assert_int_equal(bk_row_kind_parse("sum"), -1);
}

/* One rule a fact, the same error wording whichever reader calls the setter. */
static void test_setters(void **state)
{
    (void)state;
    bk_doc *doc = bk_doc_new();
    assert_non_null(doc);
    bk_error err = bktest_no_error();

    assert_int_equal(bk_doc_set_year(doc, 2024, &err), BK_OK);
    assert_int_equal(doc->fiscal_year, 2024);
    assert_int_equal(bk_doc_set_year(doc, 1, &err), BK_E_CONTENT);
    assert_string_equal(err.text, "fiscal year 1 is not a year from 1900 to 9999");
    assert_int_equal(doc->fiscal_year, 2024); /* a refused value leaves the document alone */
    assert_int_equal(bk_doc_set_year(doc, 1899, &err), BK_E_CONTENT);
    assert_string_equal(err.text, "fiscal year 1899 is not a year from 1900 to 9999");
    assert_int_equal(bk_doc_set_year(doc, 1900, &err), BK_OK);
    assert_int_equal(doc->fiscal_year, 1900);
    assert_int_equal(bk_doc_set_year(doc, 2100, &err), BK_OK);
    assert_int_equal(bk_doc_set_year(doc, 9999, &err), BK_OK);
    assert_int_equal(bk_doc_set_year(doc, 10000, &err), BK_E_CONTENT);
    assert_int_equal(bk_doc_set_year(doc, -2024, &err), BK_E_CONTENT);
    assert_int_equal(doc->fiscal_year, 9999);
    assert_int_equal(bk_doc_set_year(doc, 0, NULL), BK_E_CONTENT); /* err may be NULL */

    assert_int_equal(bk_doc_set_money_unit(doc, "元", &err), BK_OK);
    assert_string_equal(doc->money_unit, "元");
    assert_int_equal(bk_doc_set_money_unit(doc, "万元", &err), BK_OK);
    assert_string_equal(doc->money_unit, "万元");
    assert_int_equal(bk_doc_set_money_unit(doc, "美元", &err), BK_E_CONTENT);
    assert_string_equal(err.text, "money unit \"美元\" is neither 万元 nor 元");
    assert_string_equal(doc->money_unit, "万元");
    /* 千元 is a table's unit (bk_table_set_money_unit), never a document's. */
    assert_int_equal(bk_doc_set_money_unit(doc, "千元", &err), BK_E_CONTENT);
    assert_int_equal(bk_doc_set_money_unit(doc, NULL, &err), BK_E_CONTENT);
    assert_string_equal(err.text, "money unit \"\" is neither 万元 nor 元");
    /* A hostile unit is shown on one line, cut at a character boundary. */
    char bad[400] = "a\nb";
    for (size_t i = strlen(bad); i + 3 < sizeof bad; i += 3)
        memcpy(bad + i, "元", 3);
    assert_int_equal(bk_doc_set_money_unit(doc, bad, &err), BK_E_CONTENT);
    assert_null(strchr(err.text, '\n'));
    assert_non_null(strstr(err.text, "money unit \"a?b元元"));
    assert_non_null(strstr(err.text, "元...\" is neither"));
    assert_true(strlen(err.text) < 120);

    assert_int_equal(bk_doc_set_precision(doc, 0, &err), BK_OK);
    assert_int_equal(doc->precision, 0);
    assert_int_equal(bk_doc_set_precision(doc, BK_DECIMAL_MAX_SCALE, &err), BK_OK);
    assert_int_equal(bk_doc_set_precision(doc, 19, &err), BK_E_CONTENT);
    assert_string_equal(err.text, "precision 19 is not a number of decimals from 0 to 18");
    assert_int_equal(bk_doc_set_precision(doc, -1, &err), BK_E_CONTENT);
    assert_int_equal(doc->precision, BK_DECIMAL_MAX_SCALE);
    bk_doc_free(doc);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_build_and_check), cmocka_unit_test(test_check_rejects),
        cmocka_unit_test(test_equal), cmocka_unit_test(test_many_rows),
        cmocka_unit_test(test_enum_names), cmocka_unit_test(test_setters),
    };
    return cmocka_run_group_tests(tests, load_templates, free_templates);
}
