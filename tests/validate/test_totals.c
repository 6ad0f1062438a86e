/* The totals validator through the core: the seed passes, and each mutated copy of the seed
 * triggers its rule at its cell (and, where the figures are tied together, exactly the other
 * rules that must also notice). */
#include "vtest.h"

/* The seed validates with no error, no warning and nothing within rounding: only its lost
 * Table 3 beginning and its zero-base percentage are reported, as information. */
static void seed_has_no_errors(void **state)
{
    (void)state;
    const char *path = bktest_path(SAMPLE);
    bk_report *r = vt_validate(&path, 1, NULL, NULL);
    vt_print(r);
    assert_int_equal(bk_report_count(r), 2);
    assert_int_equal(bk_report_documents(r), 1);
    const bk_finding *f = vt_find(r, &(vt_expect){"totals.percent-base-zero", I, "T05",
                                                  "政府投资项目", "change_pct", NULL});
    assert_dec(f->actual, "100.00");
    assert_string_equal(f->unit, SELF);
    assert_true(f->line > 0);
    assert_string_equal(f->message_en, "T05 row 政府投资项目 column change_pct: the base "
                                       "prev_initial is 0, so the percentage cannot be computed; "
                                       "the table prints 100.00.");
    assert_contains(f->message_zh, "基数「2023年预算/年初预算数」为0，无法计算百分比；表中填报为100.00");
    f = vt_find(r, &(vt_expect){"codes.table-truncated", I, "T03", "2080505", NULL, NULL});
    assert_contains(f->message_en, "T03 starts with 2080505, 2080506, whose parents (20805)");
    bk_report_free(r);
}

static void columns_sum(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_set(doc, "T03", "2080505", "project_duty", "0.10");
    bk_report *r = vt_check("totals");
    const bk_finding *f = EXPECT_ONE(r, {"totals.columns-sum", E, "T03", "2080505",
                                         "project", NULL});
    assert_true(f->has_values);
    assert_dec(f->actual, "0.00");
    assert_dec(f->expected, "0.10");
    assert_dec(f->difference, "-0.10");
    assert_dec(f->bound, "0.02");
    assert_string_equal(f->parts, "project_duty + project_special + project_invest");
    assert_string_equal(f->message_en,
                        "T03 row 2080505 column project: 0.00 printed, its parts sum to 0.10 "
                        "(project_duty + project_special + project_invest); difference 0.10 "
                        "exceeds the rounding bound 0.02.");
    assert_contains(f->message_zh, "表T03「2080505」行「项目支出/小计」列：填报0.00，各组成列合计为0.10");
}

static void difference(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_set(doc, "T05", "政府投资项目", "change", "332.10");
    bk_report *r = vt_check("totals");
    EXPECT(r, {"totals.difference", E, "T05", "政府投资项目", "change", NULL},
           {"totals.unit-total", E, "T05", SELF, "change", NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"totals.difference", E, "T05", "政府投资项目",
                                                  "change", NULL});
    assert_string_equal(f->parts, "total − prev_initial");
    assert_dec(f->expected, "332.00");
}

static void percent(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_set(doc, "T05", "信息技术服务", "change_pct", "-20.60");
    bk_report *r = vt_check("totals");
    const bk_finding *f = EXPECT_ONE(r, {"totals.percent", E, "T05", "信息技术服务", "change_pct", NULL});
    assert_dec(f->expected, "-20.568");
    assert_string_equal(f->message_en,
                        "T05 row 信息技术服务 column change_pct: -20.60 printed, change / "
                        "prev_initial × 100 gives -20.568; difference 0.032 exceeds the tolerance "
                        "0.006 (half a unit of the last printed place plus the rounding of the "
                        "inputs).");
}

/* Rows without codes nest by printed level (Table 1's expenditure side). */
static void hierarchy_by_level(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_set(doc, "T01", "行政运行", "amount", "674.80");
    bk_report *r = vt_check("totals");
    EXPECT(r, {"totals.hierarchy", E, "T01", "政府办公厅(室)及相关机构事务", "amount", NULL});
}

/* Coded rows nest by prefix; the finding is where the sum breaks, not at the leaf. */
static void hierarchy_by_code(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_set(doc, "T07", "2010301", "basic", "674.80");
    vt_set(doc, "T07", "2010301", "total", "674.80");
    vt_set(doc, "T07", "20103", "basic", "674.80");
    vt_set(doc, "T07", "20103", "total", "1916.90");
    bk_report *r = vt_check("totals");
    EXPECT(r, {"totals.hierarchy", E, "T07", "201", "basic", NULL},
           {"totals.hierarchy", E, "T07", "201", "total", NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"totals.hierarchy", E, "T07", "201", "basic",
                                                  NULL});
    assert_string_equal(f->message_en,
                        "T07 row 201 column basic: 674.90 printed, children sum to 674.80 (20103 "
                        "+ 20105 + 20137); difference 0.10 exceeds the rounding bound 0.02.");
    assert_string_equal(f->message_zh,
                        "表T07「201」行「基本支出」列：填报674.90，下级合计为674.80（20103 + 20105 + "
                        "20137），差额0.10，超出四舍五入容差0.02。");
    assert_string_equal(f->unit, SELF);
    assert_string_equal(f->parts, "20103 + 20105 + 20137");
}

static void unit_total(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_set(doc, "T05", "unit:u1", "prev_adjusted", "3088.93");
    vt_set(doc, "T05", "unit:dept", "prev_adjusted", "3088.93");
    bk_report *r = vt_check("totals");
    EXPECT(r, {"totals.unit-total", E, "T05", SELF, "prev_adjusted", NULL});
}

static void units_sum(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_set(doc, "T05", "unit:dept", "prev_adjusted", "3088.93");
    bk_report *r = vt_check("totals");
    const bk_finding *f = EXPECT_ONE(r, {"totals.units-sum", E, "T05", DEPT,
                                         "prev_adjusted", NULL});
    assert_string_equal(f->parts, SELF);
    assert_string_equal(f->unit, DEPT);
}

static void rows_sum(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_set(doc, "T12", "基本支出", "other", "0.10");
    vt_set(doc, "T12", "基本支出", "total", "1128.94");
    bk_report *r = vt_check("totals");
    EXPECT(r, {"totals.rows-sum", E, "T12", "金额合计", "total", NULL},
           {"totals.rows-sum", E, "T12", "金额合计", "other", NULL});
}

/* 收入总计 = 支出总计 (income = expenditure), with Table 6's own sums kept whole. */
static void rows_equal(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_set(doc, "T06", "支出总计", "amount", "4115.46");
    vt_set(doc, "T06", "结转下年", "amount", "0.10");
    bk_report *r = vt_check("totals");
    EXPECT(r, {"totals.rows-equal", E, "T06", "收入总计", "amount", NULL},
           {"totals.cross-table", E, "T06", "支出总计", "amount", NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"totals.rows-equal", E, "T06", "收入总计",
                                                  "amount", NULL});
    assert_dec(f->bound, "0.00");
    assert_contains(f->message_en, "4115.36 printed, but row 支出总计 prints 4115.46; the same "
                                   "figure printed twice must match exactly");
}

static void rows_difference(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_set(doc, "T09", "增减变化金额", "reception_general", "-0.48");
    bk_report *r = vt_check("totals");
    EXPECT(r, {"totals.rows-difference", E, "T09", "增减变化金额", "reception_general", NULL},
           {"totals.columns-sum", E, "T09", "增减变化金额", "total_general", NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"totals.rows-difference", E, "T09",
                                                  "增减变化金额", "reception_general", NULL});
    assert_string_equal(f->parts, "2024年 − 2023年");
    assert_dec(f->expected, "-0.38");
}

static json_t *of_row(const char *amount)
{
    return json_pack("{s:s, s:s, s:s, s:s, s:{s:s}}", "kind", "of", "unit", "u1", "section",
                     "expenditure", "name", "其中：基本工资", "cells", "amount", amount);
}

/* A 其中 row is not part of its parent's sum, and may not exceed it. */
static void of_rows(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_insert_after(doc, "T01", "行政运行", of_row("600.00"));
    bk_report *r = vt_check("totals");
    vt_assert_findings(r, NULL, 0);

    doc = vt_doc_again();
    vt_insert_after(doc, "T01", "行政运行", of_row("700.00"));
    r = vt_check("totals");
    const bk_finding *f = EXPECT_ONE(r, {"totals.of-row", E, "T01", "其中：基本工资", "amount", NULL});
    assert_contains(f->message_en, "this 其中 (of which) row prints 700.00, more than the 行政运行 "
                                   "row above it (674.90)");
}

/* Table 6 shifted by 0.01 as a whole: consistent in itself, but the same figures printed in
 * Table 1 differ, and the same figure at the same precision must match exactly. */
static void cross_table(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_set(doc, "T06", "收入总计", "amount", "4115.37");
    vt_set(doc, "T06", "上年结余、结转", "amount", "0.01");
    vt_set(doc, "T06", "1.一般公共预算拨款结余、结转", "amount", "0.01");
    vt_set(doc, "T06", "支出总计", "amount", "4115.37");
    vt_set(doc, "T06", "结转下年", "amount", "0.01");
    bk_report *r = vt_check("totals");
    EXPECT(r, {"totals.cross-table", E, "T06", "收入总计", "amount", NULL},
           {"totals.cross-table", E, "T06", "支出总计", "amount", NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"totals.cross-table", E, "T06", "收入总计",
                                                  "amount", NULL});
    assert_dec(f->difference, "0.01");
    assert_dec(f->bound, "0.00");
    assert_string_equal(f->message_en,
                        "T06 row 收入总计 column amount: 4115.37 printed, but T01 row 收入总计 column "
                        "amount prints 4115.36; the same figure printed twice must match exactly, "
                        "and they differ by 0.01 (rule: 财政拨款收支总表收入总计 = 收支总表收入总计).");
}

/* Table 4 against Table 8's 基本支出, row by row on the name. */
static void cross_table_rows(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_set(doc, "T08", "30103", "basic", "50.19");
    vt_set(doc, "T08", "30103", "project", "0.10");
    vt_set(doc, "T08", "30107", "basic", "69.11");
    vt_set(doc, "T08", "30107", "project", "-0.10");
    bk_report *r = vt_check("totals");
    EXPECT(r, {"totals.cross-table-rows", E, "T04", "奖金", "total", NULL},
           {"totals.cross-table-rows", E, "T04", "绩效工资", "total", NULL});

    /* A row on one side only, with a figure: reported on both sides. */
    doc = vt_doc_again();
    json_object_set_new(vt_row(doc, "T08", "30103"), "name", json_string("奖金补发"));
    r = vt_check("totals");
    EXPECT(r, {"totals.cross-table-rows", E, "T04", "奖金", "total", NULL},
           {"totals.cross-table-rows", E, "T08", "30103", "basic", NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"totals.cross-table-rows", E, "T04", "奖金",
                                                  "total", NULL});
    assert_contains(f->message_en, "50.29 printed, but T08 has no matching row in this unit");
}

/* 一般公共服务支出 has three children: the bound is ½·0.01·4 = 0.02. A difference of exactly
 * 0.02 is within rounding; 0.03 is not. (Table 1's 支出总计 sums six rows: bound 0.035.) */
static void rounding_boundary(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_set(doc, "T01", "一般公共服务支出", "amount", "3660.44");
    bk_report *r = vt_check("totals");
    EXPECT(r, {"totals.hierarchy", R, "T01", "一般公共服务支出", "amount", NULL},
           {"totals.rows-sum", R, "T01", "支出总计", "amount", NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"totals.hierarchy", R, "T01", "一般公共服务支出",
                                                  "amount", NULL});
    assert_dec(f->difference, "0.02");
    assert_dec(f->bound, "0.02");
    assert_string_equal(f->message_en,
                        "T01 row 一般公共服务支出 column amount: 3660.44 printed, children sum to "
                        "3660.42 (政府办公厅(室)及相关机构事务 + 统计信息事务 + 网信事务); difference 0.02 "
                        "is within the rounding bound 0.02: consistent within rounding.");
    assert_contains(f->message_zh, "差额0.02，在四舍五入容差0.02以内，属尾数误差。");
    f = vt_find(r, &(vt_expect){"totals.rows-sum", R, "T01", "支出总计", "amount", NULL});
    assert_dec(f->bound, "0.035");

    vt_set(doc, "T01", "一般公共服务支出", "amount", "3660.45");
    r = vt_check("totals");
    EXPECT(r, {"totals.hierarchy", E, "T01", "一般公共服务支出", "amount", NULL},
           {"totals.rows-sum", R, "T01", "支出总计", "amount", NULL});

    /* --strict: within rounding is an error too. */
    vt_set(doc, "T01", "一般公共服务支出", "amount", "3660.44");
    r = vt_validate_one(doc, "totals", "strict", "1", NULL);
    EXPECT(r, {"totals.hierarchy", E, "T01", "一般公共服务支出", "amount", NULL},
           {"totals.rows-sum", E, "T01", "支出总计", "amount", NULL});
    bk_report_free(r);
}

/* A percentage of a zero base is information whatever it prints; nothing is divided. */
static void percent_base_zero(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    vt_set(doc, "T05", "政府投资项目", "change_pct", "55.55");
    bk_report *r = vt_check("totals");
    const bk_finding *f = vt_find(r, &(vt_expect){"totals.percent-base-zero", I, "T05",
                                                  "政府投资项目", "change_pct", NULL});
    assert_dec(f->actual, "55.55");
    assert_false(f->has_values);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(seed_has_no_errors, vt_teardown),
        cmocka_unit_test_teardown(columns_sum, vt_teardown),
        cmocka_unit_test_teardown(difference, vt_teardown),
        cmocka_unit_test_teardown(percent, vt_teardown),
        cmocka_unit_test_teardown(hierarchy_by_level, vt_teardown),
        cmocka_unit_test_teardown(hierarchy_by_code, vt_teardown),
        cmocka_unit_test_teardown(unit_total, vt_teardown),
        cmocka_unit_test_teardown(units_sum, vt_teardown),
        cmocka_unit_test_teardown(rows_sum, vt_teardown),
        cmocka_unit_test_teardown(rows_equal, vt_teardown),
        cmocka_unit_test_teardown(rows_difference, vt_teardown),
        cmocka_unit_test_teardown(of_rows, vt_teardown),
        cmocka_unit_test_teardown(cross_table, vt_teardown),
        cmocka_unit_test_teardown(cross_table_rows, vt_teardown),
        cmocka_unit_test_teardown(rounding_boundary, vt_teardown),
        cmocka_unit_test_teardown(percent_base_zero, vt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
