/* A department with 本级 and two sub-units, made from the seed: each unit carries the seed's
 * figures and the department rows are their sums (three times the seed's). First as one
 * document, then as a submission of separate documents (the department's and each unit's). */
#include "vtest.h"

#define U2 "深圳市大鹏新区政务服务中心"
#define U3 "深圳市大鹏新区政务数据中心"

static const char *const unit_ids[] = {"u1", "u2", "u3"};
static const char *const unit_names[] = {SELF, U2, U3};

typedef enum shape {
    ONE_DOCUMENT,   /* every unit's block in the department's document */
    UNIT_LISTING,   /* the department's document lists its units' rows only */
    AGGREGATE_ONLY  /* the department's document has its own rows only */
} shape;

static bk_ctx *ctx;
static const bk_templates *templates;

static int setup(void **state)
{
    (void)state;
    ctx = bktest_ctx();
    bk_error err = bktest_no_error();
    templates = bk_ctx_templates(ctx, &err);
    return templates ? 0 : -1;
}

static int teardown(void **state)
{
    (void)state;
    bk_ctx_free(ctx);
    vt_cleanup();
    return 0;
}

static int has_unit_rows(json_t *table)
{
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(table, "rows"), i, row)
        if (strcmp(json_string_value(json_object_get(row, "kind")), "unit") == 0)
            return 1;
    return 0;
}

/* Amount cells × k; percentages and text stay (a ratio of sums of equal parts is unchanged). */
static void scale_row(json_t *row, const bk_template *tpl, int k)
{
    json_t *cells = json_object_get(row, "cells");
    const char *col;
    json_t *v;
    json_object_foreach(cells, col, v) {
        int c = bk_template_column(tpl, col);
        assert_true(c >= 0);
        if (tpl->columns[c].type == BK_COL_AMOUNT)
            json_string_set(v, vt_times(json_string_value(v), k));
    }
}

static json_t *unit_entry(const char *id, const char *name, const char *kind)
{
    return json_pack("{s:s, s:s, s:s, s:s}", "id", id, "name", name, "kind", kind, "parent",
                     "dept");
}

static json_t *department(shape how)
{
    json_t *doc = vt_sample();
    json_t *units = json_object_get(doc, "units");
    if (how == AGGREGATE_ONLY) {
        json_array_remove(units, 1);
    } else {
        json_array_append_new(units, unit_entry("u2", U2, "subunit"));
        json_array_append_new(units, unit_entry("u3", U3, "subunit"));
    }
    size_t ti;
    json_t *t;
    json_array_foreach(json_object_get(doc, "tables"), ti, t) {
        const bk_template *tpl = bk_templates_find(templates, json_string_value(json_object_get(t, "id")));
        assert_non_null(tpl);
        json_t *rows = json_object_get(t, "rows"), *out = json_array();
        size_t i;
        json_t *row;
        if (!has_unit_rows(t)) {
            /* A table printed for the department as a whole. */
            json_array_foreach(rows, i, row) {
                json_t *copy = json_deep_copy(row);
                scale_row(copy, tpl, 3);
                json_object_set_new(copy, "unit", json_string("dept"));
                json_array_append_new(out, copy);
            }
            json_object_set_new(t, "rows", out);
            continue;
        }
        json_t *dept = json_deep_copy(json_array_get(rows, 0));
        scale_row(dept, tpl, 3);
        json_array_append_new(out, dept);
        for (size_t u = 0; how != AGGREGATE_ONLY && u < 3; u++)
            json_array_foreach(rows, i, row) {
                const char *unit = json_string_value(json_object_get(row, "unit"));
                int is_unit_row = strcmp(json_string_value(json_object_get(row, "kind")), "unit") == 0;
                if (strcmp(unit, "u1") != 0 || (how == UNIT_LISTING && !is_unit_row))
                    continue;
                json_t *copy = json_deep_copy(row);
                json_object_set_new(copy, "unit", json_string(unit_ids[u]));
                if (is_unit_row)
                    json_object_set_new(copy, "name", json_string(unit_names[u]));
                json_array_append_new(out, copy);
            }
        json_object_set_new(t, "rows", out);
    }
    return doc;
}

/* A sub-unit's own budget: the seed, its unit renamed. */
static json_t *subunit(size_t u)
{
    json_t *doc = vt_sample();
    json_t *unit = json_array_get(json_object_get(doc, "units"), 1);
    json_object_set_new(unit, "name", json_string(unit_names[u]));
    json_object_set_new(unit, "kind", json_string("subunit"));
    size_t ti, i;
    json_t *t, *row;
    json_array_foreach(json_object_get(doc, "tables"), ti, t)
        json_array_foreach(json_object_get(t, "rows"), i, row)
            if (strcmp(json_string_value(json_object_get(row, "kind")), "unit") == 0 &&
                strcmp(json_string_value(json_object_get(row, "unit")), "u1") == 0)
                json_object_set_new(row, "name", json_string(unit_names[u]));
    return doc;
}

/* The first row of a unit in a table (its unit row when it has one). */
static json_t *row_of(json_t *doc, const char *table, const char *unit, const char *key)
{
    size_t i;
    json_t *row;
    json_array_foreach(json_object_get(vt_table(doc, table), "rows"), i, row) {
        const char *code = json_string_value(json_object_get(row, "code"));
        const char *kind = json_string_value(json_object_get(row, "kind"));
        if (strcmp(json_string_value(json_object_get(row, "unit")), unit) != 0)
            continue;
        if (key ? (code && strcmp(code, key) == 0) : strcmp(kind, "unit") == 0)
            return row;
    }
    fail_msg("no row %s of %s in %s", key ? key : "(unit)", unit, table);
    return NULL;
}

static void set_cell(json_t *row, const char *col, const char *value)
{
    json_object_set_new(json_object_get(row, "cells"), col, json_string(value));
}

static void one_document_passes(void **state)
{
    (void)state;
    vt_adopt(department(ONE_DOCUMENT));
    bk_report *r = vt_check(NULL);
    vt_assert_findings(r, NULL, 0);
    assert_int_equal(bk_report_count(r), 4); /* Table 3's lost top; three zero-base percents */
}

static void one_document_unit_total_off(void **state)
{
    (void)state;
    json_t *doc = vt_adopt(department(ONE_DOCUMENT));
    set_cell(row_of(doc, "T07", "u2", NULL), "total", "4115.46");
    bk_report *r = vt_check("totals");
    EXPECT(r, {"totals.units-sum", E, "T07", DEPT, "total", NULL},
           {"totals.unit-total", E, "T07", U2, "total", NULL},
           {"totals.columns-sum", E, "T07", U2, "total", NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"totals.units-sum", E, "T07", DEPT, "total",
                                                  NULL});
    assert_string_equal(f->parts, SELF " + " U2 " + " U3);
    assert_string_equal(f->message_en,
                        "T07 row " DEPT " column total: 12346.08 printed, its units sum to "
                        "12346.18 (" SELF " + " U2 " + " U3 "); difference 0.10 exceeds the "
                        "rounding bound 0.02.");
}

/* A leaf of one unit off: reported in that unit's block. */
static void one_document_unit_item_off(void **state)
{
    (void)state;
    json_t *doc = vt_adopt(department(ONE_DOCUMENT));
    set_cell(row_of(doc, "T07", "u3", "2010301"), "basic", "674.80");
    set_cell(row_of(doc, "T07", "u3", "2010301"), "total", "674.80");
    bk_report *r = vt_check("totals");
    EXPECT(r, {"totals.hierarchy", E, "T07", "20103", "basic", NULL},
           {"totals.hierarchy", E, "T07", "20103", "total", NULL});
    const bk_finding *f = vt_find(r, &(vt_expect){"totals.hierarchy", E, "T07", "20103", "basic",
                                                  NULL});
    assert_string_equal(f->unit, U3);
}

static void write_submission(shape how, const char *paths[4])
{
    json_t *doc = department(how);
    paths[0] = vt_write(doc, "department.json");
    json_decref(doc);
    for (size_t u = 0; u < 3; u++) {
        char name[32];
        snprintf(name, sizeof name, "unit%zu.json", u + 1);
        doc = u == 0 ? vt_sample() : subunit(u);
        paths[u + 1] = vt_write(doc, name);
        json_decref(doc);
    }
}

static void separate_documents_pass(void **state)
{
    (void)state;
    const char *paths[4];
    for (shape how = UNIT_LISTING; how <= AGGREGATE_ONLY; how++) {
        write_submission(how, paths);
        bk_report *r = vt_validate(paths, 4, NULL, NULL);
        vt_assert_findings(r, NULL, 0);
        assert_int_equal(bk_report_documents(r), 4);
        bk_report_free(r);
    }
}

/* The third unit's own budget raises its carry-over by 0.10 after the department's document
 * was made: the department's figure no longer equals the sum of its units' documents, and the
 * unit's row printed in both documents disagrees. */
static void separate_documents_unit_off(void **state)
{
    (void)state;
    const char *paths[4];
    write_submission(UNIT_LISTING, paths);
    json_t *doc = subunit(2);
    set_cell(row_of(doc, "T02", "u1", NULL), "carryover", "0.10");
    set_cell(row_of(doc, "T02", "u1", NULL), "total", "4115.46");
    set_cell(row_of(doc, "T02", "dept", NULL), "carryover", "0.10");
    set_cell(row_of(doc, "T02", "dept", NULL), "total", "4115.46");
    paths[3] = vt_write(doc, "unit3.json");
    bk_report *r = vt_validate(paths, 4, "totals", NULL);
    EXPECT(r, {"totals.cross-table", E, "T01", "收入总计", "amount", "unit3.json"},
           {"totals.submission-unit", E, "T02", U3, "total", "unit3.json"},
           {"totals.submission-unit", E, "T02", U3, "carryover", "unit3.json"},
           {"totals.submission", E, "T02", DEPT, "total", "department.json"},
           {"totals.submission", E, "T02", DEPT, "carryover", "department.json"});
    const bk_finding *f = vt_find(r, &(vt_expect){"totals.submission", E, "T02", DEPT, "total",
                                                  "department.json"});
    assert_string_equal(f->message_en,
                        "T02 row " DEPT " column total: 12346.08 printed, its units' own documents "
                        "sum to 12346.18 (" SELF " + " U2 " + " U3 "); difference 0.10 exceeds "
                        "the rounding bound 0.02.");
    f = vt_find(r, &(vt_expect){"totals.submission-unit", E, "T02", U3, "total", "unit3.json"});
    if (!strstr(f->message_en, "but the same unit's row in ") ||
        !strstr(f->message_en, "department.json prints 4115.36"))
        fail_msg("unexpected message: %s", f->message_en);
    bk_report_free(r);

    /* Without the units' rows in the department's document, only the sum can be compared. */
    write_submission(AGGREGATE_ONLY, paths);
    paths[3] = vt_write(doc, "unit3.json");
    r = vt_validate(paths, 4, "totals", NULL);
    EXPECT(r, {"totals.cross-table", E, "T01", "收入总计", "amount", "unit3.json"},
           {"totals.submission", E, "T02", DEPT, "total", "department.json"},
           {"totals.submission", E, "T02", DEPT, "carryover", "department.json"});
    bk_report_free(r);
    json_decref(doc);
}

/* One code, one name, across the documents of a submission. */
static void code_names_across_documents(void **state)
{
    (void)state;
    json_t *doc = subunit(1);
    const char *first = vt_write(doc, "unit2.json");
    json_decref(doc);
    doc = subunit(2);
    json_object_set_new(vt_row(doc, "T03", "2101101"), "name", json_string("行政单位医疗费"));
    json_object_set_new(vt_row(doc, "T07", "2101101"), "name", json_string("行政单位医疗费"));
    const char *paths[2] = {first, vt_write(doc, "unit3.json")};
    json_decref(doc);
    bk_report *r = vt_validate(paths, 2, "codes", NULL);
    EXPECT(r, {"codes.name-inconsistent", E, "T03", "2101101", NULL, "unit3.json"},
           {"codes.name-inconsistent", E, "T07", "2101101", NULL, "unit3.json"},
           {"codes.name-mismatch", W, "T03", "2101101", NULL, "unit3.json"},
           {"codes.name-mismatch", W, "T07", "2101101", NULL, "unit3.json"});
    const bk_finding *f = vt_find(r, &(vt_expect){"codes.name-inconsistent", E, "T07", "2101101",
                                                  NULL, "unit3.json"});
    if (!strstr(f->message_en, "printed for the same code in T03 (unit " U2 ", ") ||
        !strstr(f->message_en, "unit2.json line "))
        fail_msg("unexpected message: %s", f->message_en);
    bk_report_free(r);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_teardown(one_document_passes, vt_teardown),
        cmocka_unit_test_teardown(one_document_unit_total_off, vt_teardown),
        cmocka_unit_test_teardown(one_document_unit_item_off, vt_teardown),
        cmocka_unit_test(separate_documents_pass),
        cmocka_unit_test(separate_documents_unit_off),
        cmocka_unit_test(code_names_across_documents),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
