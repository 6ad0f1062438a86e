/* The narrative validator through the core: the seed's text gives exactly its two findings,
 * and each edited copy of the text (or of a table it describes) triggers its rule at its place. */
#include "vtest.h"

/* The seed's own: its text says 政务服务事务 fell by 55.24 (Table 5: +212.01, 47.00%), and its
 * procurement total 915.02 is 915.01 added up. */
#define SEED_CHANGE {"narrative.change", E, "T05", "政务服务事务", "change", NULL}
#define SEED_SUM {"narrative.sum", R, NULL, NULL, NULL, NULL}

/* Replace the first `from` in the narrative by `to`; fails when absent. */
static void edit(json_t *doc, const char *from, const char *to)
{
    json_t *parts = json_object_get(doc, "narrative");
    size_t i;
    json_t *part;
    json_array_foreach(parts, i, part) {
        const char *text = json_string_value(json_object_get(part, "text"));
        const char *at = text ? strstr(text, from) : NULL;
        if (!at)
            continue;
        size_t n = strlen(text) + strlen(to) + 1;
        char *s = malloc(n);
        assert_non_null(s);
        snprintf(s, n, "%.*s%s%s", (int)(at - text), text, to, at + strlen(from));
        json_object_set_new(part, "text", json_string(s));
        free(s);
        return;
    }
    fail_msg("\"%s\" is not in the narrative", from);
}

/* Add a paragraph at the end of a part (by number: 0 is the first). */
static void append(json_t *doc, size_t part, const char *text)
{
    json_t *p = json_array_get(json_object_get(doc, "narrative"), part);
    assert_non_null(p);
    const char *old = json_string_value(json_object_get(p, "text"));
    size_t n = strlen(old) + strlen(text) + 3;
    char *s = malloc(n);
    assert_non_null(s);
    snprintf(s, n, "%s\n\n%s", old, text);
    json_object_set_new(p, "text", json_string(s));
    free(s);
}

static void seed(void **state)
{
    (void)state;
    const char *path = bktest_path(SAMPLE);
    bk_report *r = vt_validate(&path, 1, "narrative", NULL);
    vt_print(r);
    assert_int_equal(bk_report_count(r), 2);
    const bk_finding *f = vt_find(r, &(vt_expect)SEED_CHANGE);
    assert_dec(f->expected, "212.01");
    assert_dec(f->actual, "-55.24");
    assert_dec(f->difference, "-267.25");
    assert_string_equal(f->unit, SELF);
    assert_string_equal(f->part, "第三部分 部门预算支出具体情况");
    assert_string_equal(f->figure, "55.24万元");
    assert_contains(f->quote, "较2023年预算减少55.24万元，减幅7.7%");
    assert_contains(f->message_en, "\"55.24万元\" (down) and \"7.7%\"");
    assert_contains(f->message_en, "a change of 212.01 万元, 47.0%");
    assert_contains(f->message_zh, "增减212.01万元，47.0%");
    f = vt_find(r, &(vt_expect)SEED_SUM);
    assert_dec(f->expected, "915.01");
    assert_dec(f->actual, "915.02");
    assert_dec(f->difference, "0.01");
    assert_dec(f->bound, "0.020");
    assert_string_equal(f->parts, "56.64万元 + 0万元 + 858.37万元");
    assert_string_equal(f->part, "第四部分 政府采购预算情况");
    assert_string_equal(f->figure, "915.02万元");
    assert_contains(f->quote, "政府采购项目共计915.02万元，其中货物类项目56.64万元");
    assert_contains(f->message_en, "consistent within rounding");
    bk_report_free(r);
    /* --strict makes the sum an error */
    r = vt_validate(&path, 1, "narrative", "strict", "1", NULL);
    f = vt_find(r, &(vt_expect){"narrative.sum", E, NULL, NULL, NULL, NULL});
    assert_non_null(f);
    bk_report_free(r);
}

static void stated_totals(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    edit(doc, "部门预算收入4,115.36万元", "部门预算收入4,115.46万元");
    edit(doc, "人员支出1,056.76万元、", "人员支出1,056.86万元、");
    edit(doc, "“三公”经费预算 9.60", "“三公”经费预算 9.70");
    edit(doc, "2024 年预算数 1.50 万元", "2024 年预算数 1.60 万元");
    edit(doc, "信息化运维项目570.67万元", "信息化运维项目570.77万元");
    bk_report *r = vt_check("narrative");
    EXPECT(r, SEED_CHANGE, SEED_SUM,
           {"narrative.total", E, "T01", "收入总计", "amount", NULL},
           {"narrative.total", E, "T04", "工资福利支出", "total", NULL},
           /* stated again, right, in （一） */
           {"narrative.contradiction", E, "T04", "工资福利支出", "total", NULL},
           /* and the 包括 list no longer adds up to 4,115.36 */
           {"narrative.sum", E, NULL, NULL, NULL, NULL},
           {"narrative.total", E, "T09", "2024年", "total_general", NULL},
           {"narrative.total", E, "T09", "2024年", "reception_general", NULL},
           {"narrative.total", E, "T05", "信息化运维项目", "total", NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"narrative.total", E, "T01", "收入总计", "amount", NULL});
    assert_dec(f->expected, "4115.36");
    assert_dec(f->actual, "4115.46");
    assert_dec(f->difference, "0.10");
}

/* 万元 against 元 and 亿元, full-width digits: exact, with the rounding of the stated places. */
static void units_and_digits(void **state)
{
    (void)state;
    const char *ok[] = {"部门预算收入41,153,600元", "部门预算收入41153600.00元",
                        "部门预算收入0.4115亿元", "部门预算收入0.41亿元", "部门预算收入４１１５．３６万元",
                        "部门预算收入4,115.4万元"};
    for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
        json_t *doc = vt_doc_again();
        edit(doc, "部门预算收入4,115.36万元", ok[i]);
        bk_report *r = vt_check("narrative");
        EXPECT(r, SEED_CHANGE, SEED_SUM);
    }
    struct { const char *text; int sev; const char *rule, *expected; } bad[] = {
        {"部门预算收入41,153,700元", E, "narrative.total", "41153600"},
        {"部门预算收入0.4116亿元", R, "narrative.total", "0.411536"},
        {"部门预算收入４１１６．３６万元", E, "narrative.total", "4115.36"},
        {"部门预算收入4,115.36元", E, "narrative.units", "41153600"},
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        json_t *doc = vt_doc_again();
        edit(doc, "部门预算收入4,115.36万元", bad[i].text);
        bk_report *r = vt_check("narrative");
        const bk_finding *f = vt_find(r, &(vt_expect){bad[i].rule, bad[i].sev, "T01", "收入总计", "amount", NULL});
        assert_dec(f->expected, bad[i].expected);
    }
}

static void codes(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    append(doc, 2, "（五）住房保障支出（221类）住房改革支出（02款）住房公积金（01项）87.12万元。");
    append(doc, 2, "（六）“住房保障支出（类）住房改革支出（款）购房补贴（项）”203.28万元。");
    bk_report *r = vt_check("narrative");
    EXPECT(r, SEED_CHANGE, SEED_SUM);

    doc = vt_doc_again();
    append(doc, 2, "（五）住房保障支出（221类）住房改革支出（02款）住房公积金（01项）88.12万元。");
    append(doc, 2, "（六）“住房保障支出（类）住房改革支出（款）购房补贴（项）”203.38万元。");
    append(doc, 2, "（七）住房保障支出（221类）住房改革支出（02款）提租补贴（01项）87.12万元。");
    append(doc, 2, "（八）一般公共服务支出（类）网信事务（款）其它网信事务支出（项）332万元。");
    append(doc, 2, "（九）教育支出（类）普通教育（款）小学教育（项）5.00万元。");
    r = vt_check("narrative");
    EXPECT(r, SEED_CHANGE, SEED_SUM,
           {"narrative.code", E, "T07", "2210201", "total", NULL},
           {"narrative.code", E, "T07", "2210203", "total", NULL},
           {"narrative.code-name", W, "T07", "2210201", "total", NULL},
           /* （七） names the same code with another amount than （五） */
           {"narrative.contradiction", E, "T07", "2210201", "total", NULL},
           {"narrative.code-name", W, "T07", "2013799", "total", NULL},
           {"narrative.code-missing", W, NULL, NULL, NULL, NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"narrative.code-name", W, "T07", "2013799", "total", NULL});
    assert_contains(f->message_zh, "「其它网信事务支出」，表中为「其他网信事务支出」");
}

static void changes(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    /* direction against the table; 持平 where it fell; a percentage with the wrong place */
    edit(doc, "较2023年预算减少217.7万元", "较2023年预算增加217.7万元");
    edit(doc, "较 2023 年年初预算减少 0.38 万元", "与 2023 年年初预算持平");
    edit(doc, "增幅 7.2%", "增幅 7.3%");
    edit(doc, "增长8.3%。2024", "增长8.5%。2024");
    /* a percentage of a zero base */
    edit(doc, "较 2023 年预算增加 332 万元", "较 2023 年预算增加 332 万元，增长100%");
    bk_report *r = vt_check("narrative");
    EXPECT(r, SEED_CHANGE, SEED_SUM,
           {"narrative.change", E, "T05", "信息技术服务", "change", NULL},
           {"narrative.change", E, "T09", "增减变化金额", "reception_general", NULL},
           {"narrative.change", E, "T05", "信息化运维项目", "change_pct", NULL},
           {"narrative.change", E, NULL, NULL, NULL, NULL},
           {"narrative.change-base-zero", I, "T05", "政府投资项目", "prev_initial", NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"narrative.change", E, "T05", "信息化运维项目", "change_pct", NULL});
    assert_dec(f->expected, "7.2");
    assert_dec(f->actual, "7.3");
    f = vt_find(r, &(vt_expect){"narrative.change", E, NULL, NULL, NULL, NULL});
    assert_dec(f->expected, "8.3");
    assert_dec(f->actual, "8.5");
}

static void sums_and_twice(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    edit(doc, "工程类项目 0 万元", "工程类项目 1 万元");
    append(doc, 3, "政府采购预算915.02万元，其中货物类56.64万元、服务类858.37万元等。");
    append(doc, 3, "本部门政府采购预算为916.02万元。");
    bk_report *r = vt_check("narrative");
    EXPECT(r, {"narrative.sum", E, NULL, NULL, NULL, NULL}, SEED_CHANGE,
           {"narrative.contradiction", E, NULL, NULL, NULL, NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"narrative.sum", E, NULL, NULL, NULL, NULL});
    assert_dec(f->expected, "916.01");
    assert_dec(f->difference, "-0.99");
    f = vt_find(r, &(vt_expect){"narrative.contradiction", E, NULL, NULL, NULL, NULL});
    assert_dec(f->expected, "915.02");
    assert_dec(f->actual, "916.02");
}

/* "1170.00万" for 万元 before a clause mark; a 合计 after the parts repeats the total */
static void wan_and_repeated_total(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    append(doc, 7, "六、年度预算安排：项目总预算1170.00万，其中支持规模化发展870.00万，支持创新化发展70.00万，"
                   "支持协同化发展180.00万，支持国际化发展50.00万，合计1170.00万。服务人数3万人。");
    bk_report *r = vt_check("narrative");
    EXPECT(r, SEED_CHANGE, SEED_SUM);
    doc = vt_doc_again();
    append(doc, 7, "六、年度预算安排：项目总预算1170.00万，其中支持规模化发展870.00万，支持创新化发展60.00万，"
                   "支持协同化发展180.00万，支持国际化发展50.00万，合计1170.00万。");
    r = vt_check("narrative");
    EXPECT(r, SEED_CHANGE, SEED_SUM, {"narrative.sum", E, NULL, NULL, NULL, NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"narrative.sum", E, NULL, NULL, NULL, NULL});
    assert_dec(f->expected, "1160.00");
}

static void completeness(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    append(doc, 1, "2024年部门预算收入较2023年增加（减少）XX万元，主要原因是。");
    append(doc, 7, "四、待填写");
    json_object_del(vt_table(doc, "T10"), "note");
    json_object_set_new(vt_table(doc, "T11"), "note", json_string("本单位无政府性基金预算支出"));
    json_object_set_new(vt_table(doc, "T09"), "note", json_string("本表无数据"));
    bk_report *r = vt_check("narrative");
    EXPECT(r, SEED_CHANGE, SEED_SUM,
           {"narrative.placeholder", W, NULL, NULL, NULL, NULL},
           {"narrative.placeholder", W, NULL, NULL, NULL, NULL},
           {"narrative.empty-table-note", W, "T10", "深圳市大鹏新区政务服务数据管理局", "total", NULL},
           {"narrative.note-wrong-table", W, "T11", "深圳市大鹏新区政务服务数据管理局", "total", NULL},
           {"narrative.note-contradicts", E, "T09", "2023年", "total_general", NULL});

    /* the text says there is no 政府性基金 spending, Table 10 prints some */
    doc = vt_doc_again();
    vt_set(doc, "T10", "unit:dept", "total", "5.00");
    r = vt_check("narrative");
    EXPECT(r, SEED_CHANGE, SEED_SUM,
           {"narrative.claims-none", E, "T10", "深圳市大鹏新区政务服务数据管理局", "total", NULL},
           {"narrative.note-contradicts", E, "T10", "深圳市大鹏新区政务服务数据管理局", "total", NULL});
}

/* Text that is not about the current tables is left alone: thresholds, other years, counts. */
static void no_false_findings(void **state)
{
    (void)state;
    json_t *doc = vt_doc();
    append(doc, 7, "四、2023年部门预算收入3,798.50万元。单价100万元以上设备0台，成本≤53.4万元。"
                   "共有车辆2辆，其中：一般公务用车2辆、其他用车0辆。");
    bk_report *r = vt_check("narrative");
    EXPECT(r, SEED_CHANGE, SEED_SUM);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(seed, vt_teardown),
        cmocka_unit_test_teardown(stated_totals, vt_teardown),
        cmocka_unit_test_teardown(units_and_digits, vt_teardown),
        cmocka_unit_test_teardown(codes, vt_teardown),
        cmocka_unit_test_teardown(changes, vt_teardown),
        cmocka_unit_test_teardown(sums_and_twice, vt_teardown),
        cmocka_unit_test_teardown(wan_and_repeated_total, vt_teardown),
        cmocka_unit_test_teardown(completeness, vt_teardown),
        cmocka_unit_test_teardown(no_false_findings, vt_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
