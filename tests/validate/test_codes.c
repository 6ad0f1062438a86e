/* The codes validator through the core, on mutated copies of the seed. */
#include "vtest.h"

static json_t *item(const char *code, const char *name)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:{}}", "kind", "item", "unit", "u1", "code", code,
                     "name", name, "cells");
}

/* The printed name of a row. */
static void rename_row(json_t *doc, const char *table, const char *key, const char *name)
{
    json_object_set_new(vt_row(doc, table, key), "name", json_string(name));
}

/* The seed with an item of code and name inserted after the row `after` gives one finding
 * besides the seed's own: code unknown, with severity sev. That finding. */
static const bk_finding *unknown_item(const char *table, const char *after, const char *code,
                                      const char *name, int sev)
{
    vt_insert_after(vt_doc(), table, after, item(code, name));
    bk_report *r = vt_check("codes");
    return EXPECT_ONE(r, {"codes.unknown", sev, table, code, NULL, NULL});
}

static void seed_codes_are_clean(void **state)
{
    (void)state;
    const char *path = bktest_path(SAMPLE);
    bk_report *r = vt_validate(&path, 1, "codes", NULL);
    /* Only the lost beginning of Table 3 (2080505 and 2080506 without 208 and 20805). */
    vt_assert_findings(r, NULL, 0);
    assert_int_equal(bk_report_count(r), 1);
    const bk_finding *f = bk_report_at(r, 0);
    assert_string_equal(f->rule, "codes.table-truncated");
    assert_int_equal(f->severity, BK_SEV_INFO);
    bk_report_free(r);
}

static void format(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    json_object_set_new(vt_row(doc, "T07", "2010301"), "code", json_string("201030"));
    json_object_set_new(vt_row(doc, "T08", "30101"), "code", json_string("3010101"));
    bk_report *r = vt_check("codes");
    EXPECT(r, {"codes.format", E, "T07", "201030", NULL, NULL},
           {"codes.format", E, "T08", "3010101", NULL, NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"codes.format", E, "T07", "201030", NULL, NULL});
    vt_expect_messages(f,
                       "T07 row 201030: \"201030\" is not a well-formed functional "
                       "classification code (3, 5 or 7 digits).",
                       "表T07科目编码“201030”格式不正确：支出功能分类科目编码应为3、5或7位数字。");
    assert_string_equal(f->unit, SELF);
    assert_true(f->line > 0);
    f = vt_find(r, &(vt_expect){"codes.format", E, "T08", "3010101", NULL, NULL});
    assert_contains(f->message_en, "economic classification code (3 or 5 digits)");
}

static void parent_missing(void **state)
{
    (void)state;
    vt_remove(vt_doc(), "T07", "20105");
    const bk_finding *f =
        EXPECT_ONE(vt_check("codes"), {"codes.parent-missing", E, "T07", "2010504", NULL, NULL});
    vt_expect_messages(f,
                       "T07 row 2010504 (信息事务): its parent 20105 is not printed "
                       "in this unit's part of the table.",
                       "表T07科目2010504（信息事务）的上级科目20105未在本单位的表中列示。");
}

static void misplaced(void **state)
{
    (void)state;
    /* 进修及培训 (20508) and its 项 moved under 201. */
    json_t *doc = vt_doc();
    json_t *kuan = json_incref(vt_row(doc, "T07", "20508"));
    json_t *xiang = json_incref(vt_row(doc, "T07", "2050803"));
    vt_remove(doc, "T07", "20508");
    vt_remove(doc, "T07", "2050803");
    vt_insert_after(doc, "T07", "2013799", kuan);
    vt_insert_after(doc, "T07", "20508", xiang);
    bk_report *r = vt_check("codes");
    const bk_finding *f = EXPECT_ONE(r, {"codes.misplaced", E, "T07", "20508", NULL, NULL});
    vt_expect_messages(f,
                       "T07 row 20508 (进修及培训): printed under 201, but it "
                       "belongs to 205.",
                       "表T07科目20508（进修及培训）列在科目201之下，但其上级科目为205。");

    /* A 项 printed under another 款 of the same 类. */
    doc = vt_doc_again();
    json_t *row = json_incref(vt_row(doc, "T07", "2010302"));
    vt_remove(doc, "T07", "2010302");
    vt_insert_after(doc, "T07", "2010504", row);
    r = vt_check("codes");
    f = EXPECT_ONE(r, {"codes.misplaced", E, "T07", "2010302", NULL, NULL});
    assert_contains(f->message_en, "printed under 20105, but it belongs to 20103.");

    /* A 款 printed before its 类. */
    doc = vt_doc_again();
    row = json_incref(vt_row(doc, "T07", "20508"));
    vt_remove(doc, "T07", "20508");
    vt_insert_after(doc, "T07", "unit:u1", row);
    r = vt_check("codes");
    EXPECT(r, {"codes.misplaced", E, "T07", "20508", NULL, NULL},
           {"codes.misplaced", E, "T07", "2050803", NULL, NULL});
    f = vt_find(r, &(vt_expect){"codes.misplaced", E, "T07", "20508", NULL, NULL});
    assert_contains(f->message_en, "printed before its parent 205.");
}

static void duplicate(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_insert_after(doc, "T07", "2010302", json_deep_copy(vt_row(doc, "T07", "2010301")));
    bk_report *r = vt_check("codes");
    const bk_finding *f = EXPECT_ONE(r, {"codes.duplicate", E, "T07", "2010301", NULL, NULL});
    assert_contains(f->message_en, "the code is printed twice in this unit's part of the table "
                                   "(first on line ");
}

/* 类 is a complete level of the shipped catalogue: an unknown 类 is an error. */
static void unknown_on_complete_level(void **state)
{
    (void)state;
    const bk_finding *f = unknown_item("T07", "2210203", "218", "测试支出", E);
    vt_expect_messages(f,
                       "T07 row 218 (测试支出): code 218 is not in the catalogue "
                       "of functional classification codes, whose class (类) "
                       "level is complete.",
                       "表T07科目218（测试支出）不在支出功能分类科目目录中"
                       "（目录的“类”级为完整列表）。");
}

/* 款 is incomplete in the shipped catalogue: an unknown 款 is only information. */
static void unknown_on_incomplete_level(void **state)
{
    (void)state;
    const bk_finding *f = unknown_item("T07", "2013799", "20199", "其他一般公共服务支出", I);
    assert_contains(f->message_en, "the catalogue's item (款) level is incomplete, so the code may "
                                   "still be valid (load the full official list with --catalog "
                                   "FILE).");
}

/* The codes validator run on the file at path with option name=value: the status, and the
 * error in *err. */
static bk_status codes_with_option(const char *path, const char *name, const char *value,
                                   bk_error *err)
{
    bk_ctx *ctx = bktest_ctx();
    assert_int_equal(bk_ctx_set_option(ctx, name, value), BK_OK);
    bk_report *rep = bk_report_new();
    *err = bktest_no_error();
    bk_status st = bk_validate(ctx, &path, 1, NULL, "codes", NULL, rep, err);
    bk_report_free(rep);
    bk_ctx_free(ctx);
    return st;
}

static void unknown_economic_code_severity(void **state)
{
    (void)state;
    unknown_item("T08", "30199", "30198", "测试福利", E);
    json_t *doc = vt_doc();
    bk_report *r = vt_validate_one(doc, "codes", "unknown-econ-severity", "warning", NULL);
    EXPECT(r, {"codes.unknown", W, "T08", "30198", NULL, NULL});
    bk_report_free(r);
    r = vt_validate_one(doc, "codes", "unknown-econ-severity", "info", NULL);
    EXPECT(r, {"codes.unknown", I, "T08", "30198", NULL, NULL});
    bk_report_free(r);

    /* A bad value stops the validator with a usage error. */
    const char *path = vt_write(doc, "budget.json");
    bk_error err;
    assert_int_equal(codes_with_option(path, "unknown-econ-severity", "fatal", &err), BK_E_USAGE);
    assert_contains(err.text, "option unknown-econ-severity must be error, warning or info, not "
                              "\"fatal\"");
}

/* 50x codes are the government economic classification, which the catalogue does not hold. */
static void scheme_missing_from_catalogue(void **state)
{
    (void)state;
    const bk_finding *f = unknown_item("T08", "31002", "502", "机关商品和服务支出", I);
    assert_contains(f->message_en, "the catalogue holds no government economic classification "
                                   "codes, so this code cannot be checked.");
}

static void name_differs_from_catalogue(void **state)
{
    (void)state;
    /* Full-width and half-width brackets are the same name. */
    json_t *doc = vt_doc();
    rename_row(doc, "T07", "20103", "政府办公厅（室）及相关机构事务");
    bk_report *r = vt_check("codes");
    vt_assert_findings(r, NULL, 0);

    rename_row(doc, "T07", "20103", "办公厅事务");
    r = vt_check("codes");
    const bk_finding *f = EXPECT_ONE(r, {"codes.name-mismatch", W, "T07", "20103", NULL, NULL});
    vt_expect_messages(f,
                       "T07 row 20103 (办公厅事务): the printed name \"办公厅事务\" "
                       "differs from the catalogue's \"政府办公厅（室）及相关机构事务\" "
                       "(function-2024.csv line 31).",
                       "表T07科目20103（办公厅事务）名称“办公厅事务”与目录中的"
                       "“政府办公厅（室）及相关机构事务”不一致（function-2024.csv第31行）。");
}

/* The shipped catalogue is 2024's (its files' names say so). A document of another year that
 * prints a name of its own year is not a mismatch: 20805 was 行政事业单位离退休 in the 2019
 * Jiangsu budget and is 行政事业单位养老支出 in 2024. */
static void name_of_another_year(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    json_object_set_new(doc, "fiscal_year", json_integer(2019));
    rename_row(doc, "T07", "20103", "办公厅事务");
    bk_report *r = vt_check("codes");
    const bk_finding *f = EXPECT_ONE(r, {"codes.name-other-year", I, "T07", "20103", NULL, NULL});
    assert_string_equal(f->message_en, "T07 row 20103 (办公厅事务): the 2024 catalogue names 20103 "
                                       "\"政府办公厅（室）及相关机构事务\" (function-2024.csv line 31); "
                                       "this document is of 2019 and prints \"办公厅事务\": names "
                                       "change between years, so this is no mismatch (load the "
                                       "2019 list with --catalog FILE to check the name).");
    assert_contains(f->message_zh, "2024年目录中20103的名称为“政府办公厅（室）及相关机构事务”");
    assert_contains(f->message_zh, "本文件为2019年度，列示为“办公厅事务”：科目名称逐年调整，不视为不一致");

    /* A class the 2024 list lacks is no error of a 2019 document either. */
    vt_insert_after(doc, "T07", "2210203", item("218", "测试支出"));
    r = vt_check("codes");
    EXPECT(r, {"codes.name-other-year", I, "T07", "20103", NULL, NULL},
           {"codes.unknown", I, "T07", "218", NULL, NULL});
    f = vt_find(r, &(vt_expect){"codes.unknown", I, "T07", "218", NULL, NULL});
    assert_string_equal(f->message_en, "T07 row 218 (测试支出): code 218 is not in the catalogue "
                                       "of functional classification codes of 2024; this document "
                                       "is of 2019 and codes change between years (load the 2019 "
                                       "list with --catalog FILE to check the code).");
}

/* The shipped function list copied into the test's folder as name: without its lines that hold
 * `drop` and with `extra` at its end (each NULL: none). Its path. */
static const char *copied_catalogue(const char *name, const char *drop, const char *extra)
{
    FILE *in = fopen(bktest_path("formats/catalog/function-2024.csv"), "r");
    assert_non_null(in);
    json_t *dummy = json_object();
    const char *path = vt_write(dummy, name);
    json_decref(dummy);
    FILE *out = fopen(path, "w");
    assert_non_null(out);
    char line[512];
    while (fgets(line, sizeof line, in))
        if (!drop || !strstr(line, drop))
            fputs(line, out);
    if (extra)
        fputs(extra, out);
    fclose(in);
    fclose(out);
    return path;
}

/* A catalogue whose file name gives no year is taken as the document's own year: a differing
 * name stays a mismatch, whatever the document's year. */
static void catalogue_without_year(void **state)
{
    (void)state;
    const char *cat = copied_catalogue("official.csv", NULL, NULL);
    json_t *doc = vt_doc();
    json_object_set_new(doc, "fiscal_year", json_integer(2019));
    rename_row(doc, "T07", "20103", "办公厅事务");
    bk_report *r = vt_validate_one(doc, "codes", "catalog", cat, NULL);
    EXPECT(r, {"codes.name-mismatch", W, "T07", "20103", NULL, NULL});
    bk_report_free(r);
}

/* Table 3 prints 2101101 as 行政单位医疗; Table 7 may not call it something else. */
static void name_inconsistent_in_document(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    rename_row(doc, "T07", "2101101", "行政单位医疗费");
    bk_report *r = vt_check("codes");
    EXPECT(r, {"codes.name-inconsistent", E, "T07", "2101101", NULL, NULL},
           {"codes.name-mismatch", W, "T07", "2101101", NULL, NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"codes.name-inconsistent", E, "T07", "2101101",
                                                  NULL, NULL});
    assert_contains(f->message_en, "the printed name \"行政单位医疗费\" differs from \"行政单位医疗\", "
                                   "printed for the same code in T03 (unit " SELF ", ");
    assert_contains(f->message_en, "one code must carry one name.");
}

/* With a user's full list every level it covers is complete. */
static void user_catalogue_is_complete(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_insert_after(doc, "T07", "2013799", item("20199", "其他一般公共服务支出"));
    /* The shipped function list without 2050803, plus 20199. */
    const char *cat =
        copied_catalogue("full.csv", ",2050803,", "function,20199,其他一般公共服务支出,款,mof\n");
    bk_report *r = vt_validate_one(doc, "codes", "catalog", cat, NULL);
    EXPECT(r, {"codes.unknown", E, "T07", "2050803", NULL, NULL});
    bk_report_free(r);

    /* A catalogue that cannot be read stops the validator and names the file. */
    bk_error err;
    assert_int_not_equal(
        codes_with_option(bktest_path(SAMPLE), "catalog", "no-such-catalogue.csv", &err), BK_OK);
    assert_contains(err.file, "no-such-catalogue.csv");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(seed_codes_are_clean, vt_teardown),
        cmocka_unit_test_teardown(format, vt_teardown),
        cmocka_unit_test_teardown(parent_missing, vt_teardown),
        cmocka_unit_test_teardown(misplaced, vt_teardown),
        cmocka_unit_test_teardown(duplicate, vt_teardown),
        cmocka_unit_test_teardown(unknown_on_complete_level, vt_teardown),
        cmocka_unit_test_teardown(unknown_on_incomplete_level, vt_teardown),
        cmocka_unit_test_teardown(unknown_economic_code_severity, vt_teardown),
        cmocka_unit_test_teardown(scheme_missing_from_catalogue, vt_teardown),
        cmocka_unit_test_teardown(name_differs_from_catalogue, vt_teardown),
        cmocka_unit_test_teardown(name_of_another_year, vt_teardown),
        cmocka_unit_test_teardown(catalogue_without_year, vt_teardown),
        cmocka_unit_test_teardown(name_inconsistent_in_document, vt_teardown),
        cmocka_unit_test_teardown(user_catalogue_is_complete, vt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
