/* The JSON plugin through the library, as programs use it: probe, reading the seed sample,
 * byte-identical round trips (one document and bulk), every class of bad input with the exact
 * place it is reported at, limits, and allocation failures. */
#include "bktest.h"

#include <jansson.h>

#define SAMPLE "samples/dapeng-2024/budget.json"
#define INVALID "samples/invalid/json/"

BKTEST_PLUGIN_FIXTURE("json")

/* ---- utilities --------------------------------------------------------------------------- */

static char *sample_text(size_t *len)
{
    char *s = bktest_read_file(SAMPLE, len);
    assert_non_null(s);
    return s;
}

/* A small valid canonical document (the base of samples/invalid/json/). */
static const char base_doc[] =
    "{\n"
    "  \"format\": \"budgetkit-budget\",\n"
    "  \"version\": 1,\n"
    "  \"fiscal_year\": 2024,\n"
    "  \"department\": {\n"
    "    \"name\": \"测试局\"\n"
    "  },\n"
    "  \"money_unit\": \"万元\",\n"
    "  \"precision\": 2,\n"
    "  \"units\": [\n"
    "    {\n"
    "      \"id\": \"dept\",\n"
    "      \"name\": \"测试局\",\n"
    "      \"kind\": \"department\"\n"
    "    }\n"
    "  ],\n"
    "  \"tables\": [\n"
    "    {\n"
    "      \"id\": \"T07\",\n"
    "      \"rows\": [\n"
    "        {\n"
    "          \"kind\": \"unit\",\n"
    "          \"unit\": \"dept\",\n"
    "          \"name\": \"测试局\",\n"
    "          \"cells\": {\n"
    "            \"total\": \"10.00\",\n"
    "            \"basic\": \"4.00\",\n"
    "            \"project\": \"6.00\"\n"
    "          }\n"
    "        }\n"
    "      ]\n"
    "    }\n"
    "  ]\n"
    "}\n";

/* base_doc with the first occurrence of `old` replaced by `new_text` (caller frees). */
static char *base_with(const char *old, const char *new_text)
{
    return bktest_replace(base_doc, old, new_text);
}

/* A copy of s with text inserted after the first `marker` (caller frees). */
static char *insert_after(const char *s, const char *marker, const char *text)
{
    const char *at = strstr(s, marker);
    assert_non_null(at);
    size_t pre = (size_t)(at - s) + strlen(marker), tl = strlen(text);
    char *r = malloc(strlen(s) + tl + 1);
    assert_non_null(r);
    memcpy(r, s, pre);
    memcpy(r + pre, text, tl);
    strcpy(r + pre + tl, s + pre);
    return r;
}

/* A JSON text without the white space between its tokens (malloc'd), made by a parser and writer
 * other than the plugin's. */
static char *compact_json(const char *text, size_t len)
{
    json_error_t error;
    json_t *doc = json_loadb(text, len, 0, &error);
    if (!doc)
        fail_msg("jansson cannot read the sample: %s", error.text);
    char *compact = json_dumps(doc, JSON_COMPACT | JSON_PRESERVE_ORDER);
    json_decref(doc);
    assert_non_null(compact);
    return compact;
}

/* What the writer makes of a document built on base_doc: the units of measure and the
 * table's layout family written out (json.md, "For open data"). */
static char *described(const char *doc)
{
    char *a = insert_after(doc, "  \"money_unit\": \"万元\",\n",
                           "  \"currency\": \"CNY\",\n  \"unit_mult\": 4,\n");
    char *b = insert_after(a, "      \"id\": \"T07\",\n", "      \"layout\": \"shenzhen\",\n");
    free(a);
    return b;
}

typedef struct collected {
    size_t ndocs;
    int fiscal_year[8];
    uint32_t first_row_line[8];
} collected;

static bk_status collect(bk_doc *doc, void *user, bk_error *err)
{
    (void)err;
    collected *c = user;
    if (c->ndocs < 8) {
        c->fiscal_year[c->ndocs] = doc->fiscal_year;
        c->first_row_line[c->ndocs] =
            doc->ntables && doc->tables[0]->nrows ? doc->tables[0]->rows[0].line : 0;
    }
    c->ndocs++;
    return BK_OK;
}

/* Read text as a JSON file; returns the status and fills err. */
static bk_status read_text(const char *name, const char *text, size_t len, collected *c,
                           bk_error *err)
{
    const char *path = bktest_join(tmpdir, name);
    bktest_write_file(path, text, len);
    memset(c, 0, sizeof *c);
    bk_error_clear(err);
    return bk_read(ctx, path, "json", collect, c, err);
}

/* Reading text fails with code at line:column, the message containing `message`, and at most
 * the `emitted` documents before the bad one reached the caller (a bulk file streams its
 * documents; the library may hold the last one back). */
static void expect_error_after(const char *text, size_t emitted, bk_status code, long line,
                               long column, const char *message)
{
    collected c;
    bk_error err;
    bk_status st = read_text("case.json", text, strlen(text), &c, &err);
    if (st != code || err.line != line || err.column != column || !strstr(err.text, message))
        fail_msg("expected %s at %ld:%ld containing \"%s\"; got %s at %ld:%ld: %s",
                 bk_status_name(code), line, column, message, bk_status_name(st), err.line,
                 err.column, err.text);
    assert_true(c.ndocs <= emitted);
}

static void expect_error(const char *text, bk_status code, long line, long column,
                         const char *message)
{
    expect_error_after(text, 0, code, line, column, message);
}

static const bk_table *find_table(const bk_doc *doc, const char *id)
{
    const bk_table *t = bk_doc_table(doc, id);
    assert_non_null(t);
    return t;
}

static void assert_cell(const bk_table *t, size_t row, const char *column, const char *printed)
{
    int col = bk_template_column(t->tpl, column);
    assert_true(col >= 0);
    assert_true(row < t->nrows);
    const bk_cell *c = bk_table_cell(t, row, (size_t)col);
    assert_int_equal(c->kind, BK_CELL_NUMBER);
    char buf[BK_DECIMAL_BUFSIZE];
    bk_decimal_format(bk_cell_decimal(c), 0, buf, sizeof buf);
    assert_string_equal(buf, printed);
}

static long find_row(const bk_table *t, bk_row_kind kind, const char *code, const char *name)
{
    for (size_t r = 0; r < t->nrows; r++) {
        const bk_row *row = &t->rows[r];
        if (row->kind == kind && (!code || (row->code && strcmp(row->code, code) == 0)) &&
            (!name || strcmp(row->name, name) == 0))
            return (long)r;
    }
    fail_msg("table %s has no row %s %s", t->tpl->id, code ? code : "", name ? name : "");
    return -1;
}

/* ---- the plugin ------------------------------------------------------------------------- */

static void test_descriptor(void **state)
{
    (void)state;
    const bk_plugin_desc *d = bk_ctx_plugin_find(ctx, "json");
    assert_non_null(d);
    assert_string_equal(d->name, "json");
    assert_int_equal(d->kinds, BK_PLUGIN_IMPORT | BK_PLUGIN_EXPORT);
    assert_int_equal(d->caps, BK_CAP_MULTI_DOC);
    assert_string_equal(d->extensions[0], "json");
    assert_string_equal(d->extensions[1], "jsonl");
    assert_null(d->extensions[2]);
    assert_string_equal(d->media_type, "application/json");
    assert_int_equal(d->priority, 50);
}

static int probe(const char *name, const char *head, size_t len)
{
    const bk_plugin_desc *d = bk_ctx_plugin_find(ctx, "json");
    bk_probe p = {name, (const unsigned char *)head, len, 0};
    return d->probe(&p);
}

static void test_probe(void **state)
{
    (void)state;
    const char doc[] = "{\n  \"format\": \"budgetkit-budget\",";
    const char bom_doc[] = "\xEF\xBB\xBF  \r\n{\"a\": 1}";
    assert_int_equal(probe("a.json", doc, strlen(doc)), 95);
    assert_int_equal(probe("a.txt", doc, strlen(doc)), 95);
    assert_int_equal(probe("-", bom_doc, strlen(bom_doc)), 80);
    assert_int_equal(probe("a.json", "[1, 2]", 6), 10);
    assert_int_equal(probe("A.JSON", "", 0), 10);
    assert_int_equal(probe("a.csv", "year,amount\n", 12), 0);
    assert_int_equal(probe("a.xml", "<?xml", 5), 0);
    bk_probe dir = {"folder.json", NULL, 0, 1};
    assert_int_equal(bk_ctx_plugin_find(ctx, "json")->probe(&dir), 0);
}

/* ---- the seed sample -------------------------------------------------------------------- */

typedef struct sample_check {
    size_t ndocs;
} sample_check;

static bk_status check_sample(bk_doc *doc, void *user, bk_error *err)
{
    (void)err;
    sample_check *sc = user;
    sc->ndocs++;
    assert_int_equal(doc->fiscal_year, 2024);
    assert_string_equal(doc->dept_name, "深圳市大鹏新区政务服务数据管理局");
    assert_string_equal(doc->money_unit, "万元");
    assert_int_equal(doc->precision, 2);
    assert_int_equal(doc->nunits, 2);
    assert_int_equal(doc->units[0].kind, BK_UNIT_DEPARTMENT);
    assert_int_equal(doc->units[1].kind, BK_UNIT_SELF);
    assert_int_equal(doc->units[1].parent, 0);
    assert_int_equal(doc->ntables, 12);
    assert_string_equal(doc->tables[0]->tpl->id, "T01");
    assert_string_equal(doc->tables[11]->tpl->id, "T12");

    /* The cross-table totals of the brief: 4,115.36 = 1,128.84 + 2,986.52. */
    const bk_table *t07 = find_table(doc, "T07");
    long dept = find_row(t07, BK_ROW_UNIT, NULL, NULL);
    assert_int_equal(t07->rows[dept].unit, 0);
    assert_cell(t07, (size_t)dept, "total", "4115.36");
    assert_cell(t07, (size_t)dept, "basic", "1128.84");
    assert_cell(t07, (size_t)dept, "project", "2986.52");
    assert_cell(t07, (size_t)find_row(t07, BK_ROW_ITEM, "201", NULL), "total", "3660.42");

    const bk_table *t01 = find_table(doc, "T01");
    assert_cell(t01, (size_t)find_row(t01, BK_ROW_TOTAL, NULL, "收入总计"), "amount", "4115.36");

    /* A figure keeps its printed scale: 332 beside 332.00. */
    const bk_table *t02 = find_table(doc, "T02");
    long t02_dept = -1, t02_self = -1;
    for (size_t r = 0; r < t02->nrows; r++) {
        if (t02->rows[r].kind == BK_ROW_UNIT && t02->rows[r].unit == 0)
            t02_dept = (long)r;
        if (t02->rows[r].kind == BK_ROW_UNIT && t02->rows[r].unit == 1)
            t02_self = (long)r;
    }
    assert_true(t02_dept >= 0 && t02_self >= 0);
    assert_cell(t02, (size_t)t02_dept, "general_invest", "332");
    assert_cell(t02, (size_t)t02_self, "general_invest", "332.00");

    /* Text columns hold text. */
    const bk_table *t12 = find_table(doc, "T12");
    int content = bk_template_column(t12->tpl, "content");
    int texts = 0;
    for (size_t r = 0; r < t12->nrows; r++)
        texts += bk_table_cell(t12, r, (size_t)content)->kind == BK_CELL_TEXT;
    assert_true(texts > 0);

    assert_true(doc->performance.present);
    assert_true(doc->performance.nindicators > 0);
    assert_true(doc->nnarrative > 0);

    /* Every row knows its line, in file order. */
    uint32_t last = 0;
    for (size_t t = 0; t < doc->ntables; t++)
        for (size_t r = 0; r < doc->tables[t]->nrows; r++) {
            assert_true(doc->tables[t]->rows[r].line > last);
            last = doc->tables[t]->rows[r].line;
        }
    return BK_OK;
}

static void test_sample_figures(void **state)
{
    (void)state;
    sample_check sc = {0};
    bk_error err = bktest_no_error();
    bk_status st = bk_read(ctx, SAMPLE, NULL, check_sample, &sc, &err);
    if (st != BK_OK)
        fail_msg("%s:%ld:%ld: %s", err.file, err.line, err.column, err.text);
    assert_int_equal(sc.ndocs, 1);
}

/* The line of the first row of T01 in the sample, found in the text the way a reader would. */
static uint32_t first_row_line_of_text(const char *text)
{
    const char *rows = strstr(text, "\"rows\": [");
    assert_non_null(rows);
    const char *brace = strchr(rows, '{');
    uint32_t line = 1;
    for (const char *p = text; p < brace; p++)
        line += *p == '\n';
    return line;
}

static void convert_and_compare(const char *in, const char *out, const char *expected,
                                size_t expected_len, size_t ndocs)
{
    bk_error err = bktest_no_error();
    bk_convert_stats stats = {0};
    const char *inputs[] = {in};
    bk_status st = bk_convert(ctx, inputs, 1, out, NULL, NULL, &stats, &err);
    if (st != BK_OK)
        fail_msg("%s:%ld:%ld: %s", err.file, err.line, err.column, err.text);
    assert_int_equal(stats.documents, ndocs);
    size_t len = 0;
    char *got = bktest_read_file(out, &len);
    assert_non_null(got);
    if (len != expected_len || memcmp(got, expected, len) != 0) {
        size_t i = 0;
        while (i < len && i < expected_len && got[i] == expected[i])
            i++;
        free(got);
        fail_msg("%s differs from its input at byte %zu", out, i);
    }
    free(got);
}

static void test_sample_roundtrip(void **state)
{
    (void)state;
    size_t len;
    char *text = sample_text(&len);
    char out[1200];
    snprintf(out, sizeof out, "%s", bktest_join(tmpdir, "roundtrip.json"));
    convert_and_compare(SAMPLE, out, text, len, 1);
    /* Deterministic: a second run writes the same bytes again. */
    convert_and_compare(out, bktest_join(tmpdir, "roundtrip2.json"), text, len, 1);
    free(text);
}

static void test_bulk(void **state)
{
    (void)state;
    size_t len;
    char *text = sample_text(&len);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += text[i] == '\n';
    char *bulk = malloc(3 * len);
    assert_non_null(bulk);
    for (int i = 0; i < 3; i++)
        memcpy(bulk + (size_t)i * len, text, len);
    char in[1200];
    snprintf(in, sizeof in, "%s", bktest_join(tmpdir, "bulk-in.json"));
    bktest_write_file(in, bulk, 3 * len);

    collected c = {0};
    bk_error err = bktest_no_error();
    assert_int_equal(bk_read(ctx, in, NULL, collect, &c, &err), BK_OK);
    assert_int_equal(c.ndocs, 3);
    uint32_t first = first_row_line_of_text(text);
    for (uint32_t i = 0; i < 3; i++) {
        assert_int_equal(c.fiscal_year[i], 2024);
        assert_int_equal(c.first_row_line[i], first + i * (uint32_t)lines);
    }
    /* Written back as JSON Lines: each document compact on a line, as jansson writes it. */
    char *compact = compact_json(text, len);
    size_t width = strlen(compact) + 1; /* with its newline */
    char *lines_out = malloc(3 * width);
    assert_non_null(lines_out);
    for (size_t d = 0; d < 3; d++) {
        memcpy(lines_out + d * width, compact, width - 1);
        lines_out[d * width + width - 1] = '\n';
    }
    free(compact);
    convert_and_compare(in, bktest_join(tmpdir, "bulk-out.json"), lines_out, 3 * width, 3);
    free(lines_out);

    /* Documents may follow each other without a newline, and blank lines may separate them. */
    char *loose = malloc(3 * len + 8);
    assert_non_null(loose);
    memcpy(loose, text, len - 1);
    memcpy(loose + len - 1, text, len);
    memcpy(loose + 2 * len - 1, "\r\n\n\t ", 5);
    memcpy(loose + 2 * len + 4, text, len);
    assert_int_equal(read_text("loose.json", loose, 3 * len + 4, &c, &err), BK_OK);
    assert_int_equal(c.ndocs, 3);
    free(loose);
    free(bulk);
    free(text);
}

/* ---- bad input: the samples in samples/invalid/json ------------------------------------ */

typedef struct invalid_case {
    const char *file;
    bk_status code;
    long line, column;
} invalid_case;

static const invalid_case invalid_cases[] = {
    {"truncated.json", BK_E_SYNTAX, 25, 1},
    {"trailing-comma.json", BK_E_SYNTAX, 29, 11},
    {"duplicate-key.json", BK_E_CONTENT, 10, 3},
    {"fiscal-year-string.json", BK_E_CONTENT, 4, 18},
    {"amount-number.json", BK_E_CONTENT, 26, 22},
    {"missing-money-unit.json", BK_E_CONTENT, 1, 1},
    {"unknown-table.json", BK_E_CONTENT, 19, 13},
    {"unknown-unit.json", BK_E_CONTENT, 23, 19},
    {"unknown-key.json", BK_E_CONTENT, 24, 11},
    {"unknown-row-kind.json", BK_E_CONTENT, 22, 19},
    {"unknown-column.json", BK_E_CONTENT, 27, 13},
    {"decimal-exponent.json", BK_E_CONTENT, 26, 22},
    {"decimal-nan.json", BK_E_CONTENT, 26, 22},
    {"decimal-thousands.json", BK_E_CONTENT, 26, 22},
    {"too-deep.json", BK_E_LIMIT, 10, 79},
};

static void test_invalid_samples(void **state)
{
    (void)state;
    for (size_t i = 0; i < sizeof invalid_cases / sizeof invalid_cases[0]; i++) {
        const invalid_case *ic = &invalid_cases[i];
        char path[512], epath[520];
        snprintf(path, sizeof path, INVALID "%s", ic->file);
        snprintf(epath, sizeof epath, "%s.error", path);
        size_t elen;
        char *expected = bktest_read_file(epath, &elen);
        if (!expected)
            fail_msg("missing %s", epath);
        expected[strcspn(expected, "\n")] = '\0';
        collected c = {0};
        bk_error err = bktest_no_error();
        bk_status st = bk_read(ctx, path, NULL, collect, &c, &err);
        if (st != ic->code || err.line != ic->line || err.column != ic->column ||
            !strstr(err.text, expected) || strcmp(err.file, path) != 0 || c.ndocs != 0)
            fail_msg("%s: expected %s at %ld:%ld containing \"%s\"; got %s at %s:%ld:%ld: %s",
                     ic->file, bk_status_name(ic->code), ic->line, ic->column, expected,
                     bk_status_name(st), err.file, err.line, err.column, err.text);
        free(expected);
    }
}

/* ---- bad input: each class of error, crafted here ---------------------------------------- */

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_error("", BK_E_SYNTAX, 1, 1, "the input holds no JSON document");
    expect_error("  \n\n", BK_E_SYNTAX, 3, 1, "the input holds no JSON document");
    expect_error("\n [ {} ]", BK_E_CONTENT, 2, 2, "found an array");
    expect_error("hello", BK_E_SYNTAX, 1, 1, "expected '{' to start a budget document, found 'h'");
    expect_error("{\"format\": NaN}", BK_E_SYNTAX, 1, 12, "invalid token near 'NaN'");
    expect_error("{\"a\": [1, 2,]}", BK_E_SYNTAX, 1, 13, "unexpected token near ']'");
    expect_error("{\"a\": \"x\n\"}", BK_E_SYNTAX, 1, 7, "malformed JSON");
    expect_error("{\"format\": \"\xFF\"}", BK_E_ENCODING, 1, 12, "unable to decode byte 0xff");
    /* Columns count characters, not bytes, and a byte order mark is not one. */
    expect_error("\xEF\xBB\xBF{\"名称\": 1, \"a\": [1,]}", BK_E_SYNTAX, 1, 19,
                 "unexpected token near ']'");
}

/* Edits of base_doc and the error each gives. */
static const bktest_edit type_errors[] = {
    {"\"fiscal_year\": 2024", "\"fiscal_year\": 2024.0", BK_E_CONTENT, 4, 18,
     "expected an integer for \"fiscal_year\", found a number with a fraction"},
    {"\"version\": 1", "\"version\": \"1\"", BK_E_CONTENT, 3, 14,
     "expected an integer for \"version\", found a string"},
    {"\"total\": \"10.00\"", "\"total\": 1e5", BK_E_CONTENT, 26, 22,
     "is a JSON number; amounts are strings"},
    {"\"total\": \"10.00\"", "\"total\": null", BK_E_CONTENT, 26, 22,
     "expected a string for column \"total\", found null"},
    {"\"department\": {\n    \"name\": \"测试局\"\n  }", "\"department\": \"测试局\"", BK_E_CONTENT,
     5, 17, "expected an object for \"department\", found a string"},
    {"\"units\": [", "\"units\": {}, \"x\": [", BK_E_CONTENT, 10, 16,
     "unknown key \"x\" in the document"},
    {"\"name\": \"测试局\",\n          \"cells\"", "\"name\": 7,\n          \"cells\"",
     BK_E_CONTENT, 24, 19, "expected a string for \"name\", found a number"},
    {"\"kind\": \"unit\"", "\"kind\": \"unit\", \"level\": 10", BK_E_CONTENT, 22, 36,
     "\"level\" is 10, outside 1..9"},
};

static const bktest_edit content_errors[] = {
    {"\"version\": 1", "\"version\": 2", BK_E_CONTENT, 3, 14, "unsupported format version 2"},
    {"\"format\": \"budgetkit-budget\"", "\"format\": \"other\"", BK_E_CONTENT, 2, 13,
     "\"format\" is \"other\""},
    {"\"money_unit\": \"万元\"", "\"money_unit\": \"美元\"", BK_E_CONTENT, 8, 17,
     "money unit \"美元\" is neither 万元 nor 元"},
    {"\"fiscal_year\": 2024", "\"fiscal_year\": 24", BK_E_CONTENT, 4, 18,
     "fiscal year 24 is not a year from 1900 to 9999"},
    {"\"precision\": 2", "\"precision\": 19", BK_E_CONTENT, 9, 16,
     "precision 19 is not a number of decimals from 0 to 18"},
    {"    \"name\": \"测试局\"\n  },", "    \"code\": \"x\"\n  },", BK_E_CONTENT, 5, 17,
     "missing required key \"name\" in \"department\""},
    {"\"id\": \"dept\"", "\"id\": \"de pt\"", BK_E_CONTENT, 12, 13,
     "unit id \"de pt\" is not made of letters"},
    {"\"kind\": \"department\"", "\"kind\": \"department\", \"parent\": \"up\"", BK_E_CONTENT, 14,
     39, "parent \"up\" of unit \"dept\" is not a unit listed"},
    {"\"kind\": \"department\"", "\"kind\": \"self\"", BK_E_CONTENT, 10, 12,
     "exactly one unit must have kind \"department\""},
    {"\"kind\": \"department\"", "\"kind\": \"boss\"", BK_E_CONTENT, 14, 15,
     "unknown unit kind \"boss\""},
    {"\"total\": \"10.00\"", "\"total\": \"+10\"", BK_E_CONTENT, 26, 22,
     "\"+10\" in column \"total\" is not a plain decimal"},
    {"\"total\": \"10.00\"", "\"total\": \"１０\"", BK_E_CONTENT, 26, 22, "is not a plain decimal"},
    {"\"total\": \"10.00\"", "\"total\": \"\"", BK_E_CONTENT, 26, 22,
     "the amount in column \"total\" is empty"},
    {"\"total\": \"10.00\"", "\"total\": \"99999999999999999999\"", BK_E_CONTENT, 26, 22,
     "more digits or decimals than budgetkit holds"},
    {"\"rows\": [", "\"rows\": [], \"note\": 1, \"x\": [", BK_E_CONTENT, 20, 30,
     "unknown key \"x\" in a table"},
    {"\"cells\": {", "\"cells\": 5, \"x\": {", BK_E_CONTENT, 25, 23, "unknown key \"x\" in a row"},
};

static void test_type_errors(void **state)
{
    (void)state;
    bktest_expect_edits(base_doc, type_errors, sizeof type_errors / sizeof *type_errors,
                        expect_error);
}

static void test_content_errors(void **state)
{
    (void)state;
    bktest_expect_edits(base_doc, content_errors, sizeof content_errors / sizeof *content_errors,
                        expect_error);

    /* Table 12's targets and the narrative are checked like the rest. */
    char *pf = base_with("  ]\n}\n", "  ],\n  \"performance\": {\"goals\": [\"目标1\", 2]}\n}\n");
    expect_error(pf, BK_E_CONTENT, 34, 36, "expected a string for a goal, found a number");
    free(pf);
    pf = base_with("  ]\n}\n", "  ],\n  \"performance\": {\"indicators\": [{\"level1\": \"产出指标\", "
                   "\"level2\": \"数量指标\", \"level3\": \"x\"}]}\n}\n");
    expect_error(pf, BK_E_CONTENT, 34, 34, "missing required key \"target\" in an indicator");
    free(pf);
    pf = base_with("  ]\n}\n", "  ],\n  \"narrative\": [{\"title\": \"一\", \"txt\": \"\"}]\n}\n");
    expect_error(pf, BK_E_CONTENT, 34, 32, "unknown key \"txt\" in a narrative part");
    free(pf);

    /* A table listed twice. */
    char *twice = base_with("  ]\n}\n", "  , {\"id\": \"T07\", \"rows\": []}]\n}\n");
    expect_error(twice, BK_E_CONTENT, 33, 12, "table T07 appears twice");
    free(twice);
}

static void test_bulk_errors(void **state)
{
    (void)state;
    size_t n = strlen(base_doc);
    /* An error in the second document is reported at its line in the file. */
    char *bad = base_with("\"unit\": \"dept\"", "\"unit\": \"u9\"");
    char *two = malloc(n + strlen(bad) + 1);
    assert_non_null(two);
    memcpy(two, base_doc, n);
    strcpy(two + n, bad);
    expect_error_after(two, 1, BK_E_CONTENT, 34 + 23, 19, "unit \"u9\" is not defined");

    /* Something other than a document after one. */
    memcpy(two + n, "  x\n", 5);
    expect_error_after(two, 1, BK_E_SYNTAX, 35, 3,
                       "expected '{' to start a budget document, found 'x'");
    free(two);
    free(bad);
}

static void test_limits(void **state)
{
    (void)state;
    bk_limits *lim = bk_ctx_limits(ctx);
    BKTEST_EXPECT_LIMIT(max_depth, 5, 25, 20, "deeper than the limit of 5 levels");
    BKTEST_EXPECT_LIMIT(max_string, 4, 2, 13, "\"format\" is 16 bytes long, more than the limit");
    BKTEST_EXPECT_LIMIT(max_cells, 2, 28, 24, "more than 2 cells (max-cells)");
    BKTEST_EXPECT_LIMIT(max_input_bytes, 100, 6, 10, "larger than the limit of 100 bytes");

    size_t n = strlen(base_doc);
    char *three = malloc(3 * n + 1);
    assert_non_null(three);
    for (int i = 0; i < 3; i++)
        memcpy(three + (size_t)i * n, base_doc, n);
    three[3 * n] = '\0';
    lim->max_documents = 2;
    expect_error_after(three, 2, BK_E_LIMIT, 69, 1, "more than 2 documents (max-documents)");
    *lim = default_limits;
    free(three);
}

/* ---- output ----------------------------------------------------------------------------- */

static void test_escaping(void **state)
{
    (void)state;
    /* Written as the canonical form writes it: short escapes, \u00XX for other controls,
     * everything else (non-ASCII, DEL, '/') as it is. */
    const char *tail =
        "  ],\n"
        "  \"narrative\": [\n"
        "    {\n"
        "      \"title\": \"引号\\\"与\\\\反斜杠/\",\n"
        "      \"text\": \"a\\nb\\tc\\r\\b\\f\\u0001\\u001f\x7f é 𝄞\"\n"
        "    }\n"
        "  ]\n"
        "}\n";
    char *doc = base_with("  ]\n}\n", tail);
    bktest_write_file(bktest_join(tmpdir, "escape-in.json"), doc, strlen(doc));
    char in[1200];
    snprintf(in, sizeof in, "%s", bktest_join(tmpdir, "escape-in.json"));
    char *want = described(doc);
    convert_and_compare(in, bktest_join(tmpdir, "escape-out.json"), want, strlen(want), 1);
    free(want);

    /* Escapes the canonical form does not use are read, and written back canonically. */
    char *loose = base_with("\"name\": \"测试局\"\n  }", "\"name\": \"\\u6d4b\\u8bd5\\u5c40\\/\"\n  }");
    char *plain = base_with("\"name\": \"测试局\"\n  }", "\"name\": \"测试局/\"\n  }");
    char *canonical = described(plain);
    free(plain);
    bktest_write_file(bktest_join(tmpdir, "loose-in.json"), loose, strlen(loose));
    snprintf(in, sizeof in, "%s", bktest_join(tmpdir, "loose-in.json"));
    convert_and_compare(in, bktest_join(tmpdir, "loose-out.json"), canonical, strlen(canonical), 1);
    free(loose);
    free(canonical);
    free(doc);
}

/* ---- allocation failures ---------------------------------------------------------------- */

static void test_allocation_failures(void **state)
{
    (void)state;
    char in[1200], out[1200];
    snprintf(in, sizeof in, "%s", bktest_join(tmpdir, "alloc.json"));
    snprintf(out, sizeof out, "%s", bktest_join(tmpdir, "alloc-out.json"));
    bktest_write_file(in, base_doc, strlen(base_doc));
    bktest_fail_each_allocation_of_read(ctx, in, "json");
    const char *inputs[] = {in};
    bktest_fail_each_allocation_of_convert(ctx, inputs, 1, out, "json", "json");
    size_t len;
    char *got = bktest_read_file(out, &len);
    assert_non_null(got);
    char *want = described(base_doc);
    assert_int_equal(len, strlen(want));
    assert_memory_equal(got, want, len);
    free(want);
    free(got);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptor),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_sample_figures),
        cmocka_unit_test(test_sample_roundtrip),
        cmocka_unit_test(test_bulk),
        cmocka_unit_test(test_invalid_samples),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_type_errors),
        cmocka_unit_test(test_content_errors),
        cmocka_unit_test(test_bulk_errors),
        cmocka_unit_test_teardown(test_limits, restore_limits),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
