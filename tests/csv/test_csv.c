/* The CSV plugin: its parts (decoding, records, quoting, label matching) through the static
 * library, and whole reads through the plugins of the build tree. */
#include "bktest.h"

#include <iconv.h>
#include <unistd.h>

#include "csvint.h"

/* ---------------------------------------------------------------- UTF-8 */

static size_t prefix(const char *s, size_t n, size_t *partial)
{
    return bkcsv_utf8_prefix((const unsigned char *)s, n, partial);
}

static void test_utf8_prefix(void **state)
{
    (void)state;
    size_t partial;
    assert_int_equal(prefix("abc", 3, &partial), 3);
    assert_int_equal(partial, 0);
    assert_int_equal(prefix("深圳", 6, &partial), 6);
    assert_int_equal(prefix("深\xE5\x9C", 5, &partial), 3); /* 圳 cut short */
    assert_int_equal(partial, 2);
    assert_int_equal(prefix("\xC0\xAF", 2, &partial), 0);         /* overlong */
    assert_int_equal(prefix("\xE0\x80\xAF", 3, &partial), 0);     /* overlong */
    assert_int_equal(prefix("\xED\xA0\x80", 3, &partial), 0);     /* surrogate */
    assert_int_equal(prefix("\xF4\x90\x80\x80", 4, &partial), 0); /* above U+10FFFF */
    assert_int_equal(prefix("ab\0cd", 5, &partial), 2);           /* NUL is not text */
    assert_int_equal(prefix("0123456789abcdefghij\xFF", 21, &partial), 20);
    assert_int_equal(partial, 0);
}

/* ---------------------------------------------------------------- decoding */

/* Decode `in` one chunk of `step` bytes at a time; returns the UTF-8 text (caller frees). */
static char *decode_all(const char *in, size_t n, size_t step, bkcsv_encoding enc, bk_error *err,
                        bk_status *st)
{
    bkcsv_decoder d;
    bkcsv_decoder_init(&d, enc, "test", err);
    char *out = calloc(1, 4 * n + 1);
    unsigned char *buf = malloc(BKCSV_CARRY_ROOM + step);
    size_t len = 0;
    *st = BK_OK;
    for (size_t at = 0;; at += step) {
        size_t k = at >= n ? 0 : (n - at < step ? n - at : step);
        memcpy(buf + BKCSV_CARRY_ROOM, in + at, k);
        const char *text;
        size_t tlen;
        *st = bkcsv_decode(&d, buf + BKCSV_CARRY_ROOM, k, k == 0, &text, &tlen);
        if (*st != BK_OK)
            break;
        memcpy(out + len, text, tlen);
        len += tlen;
        if (k == 0)
            break;
    }
    bkcsv_decoder_free(&d);
    free(buf);
    return out;
}

static char *to_gb18030(const char *utf8, size_t *len)
{
    iconv_t cd = iconv_open("GB18030", "UTF-8");
    assert_true(cd != (iconv_t)-1);
    size_t n = strlen(utf8), cap = 4 * n + 4, left = cap;
    char *out = calloc(1, cap), *o = out, *in = (char *)utf8;
    assert_true(iconv(cd, &in, &n, &o, &left) != (size_t)-1);
    iconv_close(cd);
    *len = (size_t)(o - out);
    return out;
}

static void test_decode_gb18030_any_chunking(void **state)
{
    (void)state;
    const char *text = "表7,一般公共预算支出表（按功能分类）\r\n单位:万元,\"4,115.36\",𠀀\n";
    size_t n;
    char *gb = to_gb18030(text, &n);
    for (size_t step = 1; step <= 7; step++) {
        bk_error err = bktest_no_error();
        bk_status st;
        char *out = decode_all(gb, n, step, BKCSV_ENC_AUTO, &err, &st);
        assert_int_equal(st, BK_OK);
        assert_string_equal(out, text);
        free(out);
    }
    free(gb);
}

static void test_decode_utf8_bom_any_chunking(void **state)
{
    (void)state;
    const char *in = "\xEF\xBB\xBF预算单位,科目编码\n深圳,201\n";
    for (size_t step = 1; step <= 5; step++) {
        bk_error err = bktest_no_error();
        bk_status st;
        char *out = decode_all(in, strlen(in), step, BKCSV_ENC_AUTO, &err, &st);
        assert_int_equal(st, BK_OK);
        assert_string_equal(out, in + 3);
        free(out);
    }
}

/* Decoding in (n bytes, fed step at a time, as enc) fails with an encoding error whose text
 * holds want; the error, for its place. */
static bk_error decode_error(const char *in, size_t n, size_t step, bkcsv_encoding enc,
                             const char *want)
{
    bk_error err = bktest_no_error();
    bk_status st;
    free(decode_all(in, n, step, enc, &err, &st));
    assert_int_equal(st, BK_E_ENCODING);
    assert_contains(err.text, want);
    return err;
}

static void test_decode_errors_say_where(void **state)
{
    (void)state;
    /* forced UTF-8: the bad byte is at offset 8 ("a,b\n" 4, 深 3, "," 1), on line 2 */
    const char in[] = "a,b\n深,\xC3\x28x\n";
    bk_error err = decode_error(in, sizeof in - 1, 64, BKCSV_ENC_UTF8,
                                "invalid UTF-8 at byte offset 8 (line 2, bytes C3 28 78 0A)");
    assert_int_equal(err.offset, 8);
    assert_int_equal(err.line, 2);
    /* forced GB18030: 0x81 0x20 is no character */
    const char gb[] = "ok\n\xB1\xED\x81\x20";
    err = decode_error(gb, sizeof gb - 1, 3, BKCSV_ENC_GB18030, "invalid GB18030");
    assert_int_equal(err.offset, 5);
    assert_int_equal(err.line, 2);
    /* a file cut inside a character */
    decode_error("\xEF\xBB\xBF\xE6\xB7", 5, 2, BKCSV_ENC_AUTO, "ends inside a UTF-8 character");
}

/* ---------------------------------------------------------------- records */

typedef struct seen {
    char text[16][64];
    long line[16];
    size_t nfields[16];
    size_t n;
} seen;

static bk_status keep_record(void *user, const bkcsv_field *f, size_t n, long line)
{
    seen *s = user;
    if (s->n < 16) {
        char *t = s->text[s->n];
        t[0] = '\0';
        for (size_t i = 0; i < n; i++) {
            strncat(t, f[i].s, 60 - strlen(t));
            strncat(t, "|", 63 - strlen(t));
        }
        s->line[s->n] = line;
        s->nfields[s->n] = n;
    }
    s->n++;
    return BK_OK;
}

static bk_status read_text(const char *text, unsigned long long max_string, seen *s,
                           bk_error *err)
{
    bk_error_clear(err);
    memset(s, 0, sizeof *s);
    bk_source *src = bk_source_open_memory("mem.csv", text, strlen(text), err);
    assert_non_null(src);
    bkcsv_read_opts o = {BKCSV_ENC_AUTO, 0, max_string, 64};
    bk_status st = bkcsv_read(src, "mem.csv", &o, err, keep_record, s);
    bk_source_close(src);
    return st;
}

static void test_records_and_lines(void **state)
{
    (void)state;
    seen s;
    bk_error err;
    assert_int_equal(read_text("a, b ,c\r\n\r\n\"x\r\ny\",,\"q\"\"\"\n\nlast", 0, &s, &err), BK_OK);
    assert_int_equal(s.n, 3);
    assert_string_equal(s.text[0], "a| b |c|"); /* spaces are kept */
    assert_int_equal(s.line[0], 1);
    assert_string_equal(s.text[1], "x\r\ny||q\"|");
    assert_int_equal(s.line[1], 3);
    assert_int_equal(s.nfields[1], 3);
    assert_string_equal(s.text[2], "last|");
    assert_int_equal(s.line[2], 6);
}

/* Reading text (a field up to max_string bytes, 0: no bound) fails with code, the message
 * holding want; the error, for its place. */
static bk_error record_error(const char *text, unsigned long long max_string, bk_status code,
                             const char *want)
{
    seen s;
    bk_error err;
    assert_int_equal(read_text(text, max_string, &s, &err), code);
    assert_contains(err.text, want);
    return err;
}

static void test_record_errors(void **state)
{
    (void)state;
    bk_error err = record_error("a,b\nc,\"d\ne", 0, BK_E_SYNTAX, "never closed");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 2);
    err = record_error("a,b\nc,d\"e\n", 0, BK_E_SYNTAX, "a quote inside an unquoted field");
    assert_int_equal(err.line, 2);
    assert_int_equal(err.column, 2);
    record_error("a,\"b\"c\n", 0, BK_E_SYNTAX, "text after the closing quote");
    err = record_error("a,0123456789ABCDEF\n", 10, BK_E_LIMIT, "max-string");
    assert_int_equal(err.line, 1);
    assert_int_equal(err.column, 2);
}

/* ---------------------------------------------------------------- writing */

static void test_writer_quotes(void **state)
{
    (void)state;
    bk_error err = bktest_no_error();
    bk_sink *sink = bk_sink_open_memory("mem", &err);
    assert_non_null(sink);
    bkcsv_writer w;
    assert_int_equal(bkcsv_writer_init(&w, sink, BKCSV_ENC_UTF8, 1, &err), BK_OK);
    const char *f[] = {"plain", "a,b", "say \"hi\"", "two\nlines", NULL, " space "};
    bkcsv_record(&w, f, 6);
    assert_int_equal(bkcsv_writer_flush(&w), BK_OK);
    bkcsv_writer_free(&w);
    size_t len;
    const unsigned char *out = bk_sink_memory(sink, &len);
    const char want[] = "\xEF\xBB\xBFplain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",, space \r\n";
    assert_int_equal(len, sizeof want - 1);
    assert_memory_equal(out, want, len);
    bk_sink_abort(sink);
}

static void test_writer_gb18030(void **state)
{
    (void)state;
    bk_error err = bktest_no_error();
    bk_sink *sink = bk_sink_open_memory("mem", &err);
    bkcsv_writer w;
    assert_int_equal(bkcsv_writer_init(&w, sink, BKCSV_ENC_GB18030, 1, &err), BK_OK);
    bkcsv_puts(&w, "表7");
    bkcsv_sep(&w);
    bkcsv_puts(&w, "单位:万元");
    bkcsv_eol(&w);
    assert_int_equal(bkcsv_writer_flush(&w), BK_OK);
    bkcsv_writer_free(&w);
    size_t len, n;
    const unsigned char *out = bk_sink_memory(sink, &len);
    char *want = to_gb18030("表7,单位:万元\r\n", &n); /* no byte order mark in GB18030 */
    assert_int_equal(len, n);
    assert_memory_equal(out, want, n);
    free(want);
    bk_sink_abort(sink);
}

/* ---------------------------------------------------------------- printed labels */

static void test_labels(void **state)
{
    (void)state;
    const char *rest;
    assert_true(bk_printed_starts("单位名称：深圳市某局(本级)", BK_PRINTED_UNIT_NAME, 0, &rest));
    assert_string_equal(rest, "深圳市某局(本级)");
    assert_true(bk_printed_starts(" 单 位 : 万元", BK_PRINTED_MONEY_UNIT, 1, &rest));
    assert_string_equal(rest, "万元");
    assert_false(bk_printed_starts("单位资金", BK_PRINTED_MONEY_UNIT, 1, &rest));
    assert_true(
        bk_printed_starts("部门(单位)名称", BK_PRINTED_PERF_UNIT, 0, NULL)); /* brackets folded */
    size_t base;
    assert_true(bk_printed_is_self("深圳市某局（本级）", &base));
    assert_int_equal(base, strlen("深圳市某局"));
    assert_true(bk_printed_is_self("深圳市某局 (本级) ", &base));
    assert_int_equal(base, strlen("深圳市某局"));
    assert_false(bk_printed_is_self("深圳市某中心", NULL));
    assert_int_equal(bk_printed_kind_of("其中：基本支出"), BK_ROW_OF);
    assert_int_equal(bk_printed_kind_of("本年收入合计"), BK_ROW_TOTAL);
    assert_int_equal(bk_printed_kind_of("收入总计 "), BK_ROW_TOTAL);
    assert_int_equal(bk_printed_kind_of("行政运行"), BK_ROW_ITEM);
    assert_true(bk_printed_label_match("2025年预算数", "2024年预算数", 1));
    assert_false(bk_printed_label_match("2025年预算数", "2024年预算数", 0));
    assert_true(bk_printed_label_match("增减幅（%）", "增减幅(%)", 0));
    size_t bytes;
    assert_int_equal(bk_printed_indent("\xE3\x80\x80\xE3\x80\x80行政运行", 18, &bytes), 2);
    assert_int_equal(bytes, 6);
    bk_printed_shape sh;
    bk_ctx *ctx = bktest_ctx();
    bk_error err = bktest_no_error();
    const bk_templates *tpls = bk_ctx_templates(ctx, &err);
    assert_non_null(tpls);
    bk_printed_shape_of(bk_templates_find(tpls, "T07"), &sh);
    assert_int_equal(sh.unit_col, 0);
    assert_int_equal(sh.code_col, 1);
    assert_int_equal(sh.name_col, 2);
    assert_int_equal(sh.depth, 1);
    bk_printed_shape_of(bk_templates_find(tpls, "T02"), &sh);
    assert_int_equal(sh.depth, 4);
    bk_ctx_free(ctx);
}

/* ---------------------------------------------------------------- probing */

const bk_plugin_desc *bk_plugin_csv_desc(void);

static int probe(const char *name, const char *head)
{
    bk_probe p = {name, (const unsigned char *)head, strlen(head), 0};
    return bk_plugin_csv_desc()->probe(&p);
}

static void test_probe(void **state)
{
    (void)state;
    const bk_plugin_desc *d = bk_plugin_csv_desc();
    assert_string_equal(d->name, "csv");
    assert_int_equal(d->priority, 10);
    assert_int_equal(d->caps, BK_CAP_MULTI_DOC | BK_CAP_DIR_INPUT | BK_CAP_DIR_OUTPUT);
    assert_string_equal(d->media_type, "text/csv");
    assert_int_equal(probe("x", BKCSV_LINES_HEADER "\r\ndoc,,,"), 90);
    assert_int_equal(probe("x", "\xEF\xBB\xBF" BKCSV_LINES_HEADER "\n"), 90);
    assert_int_equal(probe("x", "2024年收入总表,,,\r\n预算单位,收入总计\r\n"), 70);
    assert_int_equal(probe("x", "表7\n"), 70);
    assert_int_equal(probe("x", "\"x\",y\n单位：万元\n"), 70);
    size_t n;
    char *gb = to_gb18030("单位名称:深圳市某局(本级),,\n", &n);
    assert_int_equal(probe("x", gb), 70);
    free(gb);
    assert_int_equal(probe("x", "a,b\n1,2\n"), 15);
    assert_int_equal(probe("x.csv", "hello\n"), 15);
    assert_int_equal(probe("x.json", "{\"format\": \"budgetkit-budget\", \"a,b\": 1}"), 0);
    assert_int_equal(probe("x.xml", "<?xml version=\"1.0\"?><budget a=\"1,2\"/>"), 0);
    assert_int_equal(probe("x", "no commas here\n"), 0);
    bk_probe dir = {bktest_path("samples/dapeng-2024/wide"), NULL, 0, 1};
    assert_int_equal(d->probe(&dir), 60);
    bk_probe other = {bktest_path("formats"), NULL, 0, 1};
    assert_int_equal(d->probe(&other), 0);
}

/* ---------------------------------------------------------------- whole documents */

static bk_doc *read_or_fail(bk_ctx *ctx, const char *rel)
{
    return bktest_read(ctx, bktest_path(rel));
}

/* The state of the tests on the seed: a context, and the seed's canonical JSON read in it. */
typedef struct seed {
    bk_ctx *ctx;
    bk_doc *json;
} seed;

static int seed_setup(void **state)
{
    seed *f = malloc(sizeof *f);
    assert_non_null(f);
    f->ctx = bktest_ctx();
    f->json = read_or_fail(f->ctx, "samples/dapeng-2024/budget.json");
    *state = f;
    return 0;
}

static int seed_teardown(void **state)
{
    seed *f = *state;
    bk_doc_free(f->json);
    bk_ctx_free(f->ctx);
    free(f);
    return 0;
}

static void assert_same_tables(const bk_doc *a, const bk_doc *b)
{
    assert_int_equal(a->ntables, b->ntables);
    for (size_t i = 0; i < a->ntables; i++) {
        const bk_table *x = a->tables[i], *y = b->tables[i];
        assert_string_equal(x->tpl->id, y->tpl->id);
        assert_int_equal(x->nrows, y->nrows);
        assert_true((x->unit_label == NULL) == (y->unit_label == NULL));
        if (x->unit_label)
            assert_string_equal(x->unit_label, y->unit_label);
        if (x->note)
            assert_string_equal(x->note, y->note);
        for (size_t r = 0; r < x->nrows; r++) {
            const bk_row *p = &x->rows[r], *q = &y->rows[r];
            assert_string_equal(p->name, q->name);
            assert_int_equal(p->kind, q->kind);
            assert_int_equal(p->level, q->level);
            assert_string_equal(a->units[p->unit].id, b->units[q->unit].id);
            assert_true((p->code == NULL) == (q->code == NULL));
            for (size_t c = 0; c < x->tpl->ncolumns; c++) {
                const bk_cell *m = bk_table_cell(x, r, c), *n = bk_table_cell(y, r, c);
                assert_int_equal(m->kind, n->kind);
                if (m->kind == BK_CELL_NUMBER) {
                    assert_int_equal(m->v.units, n->v.units);
                    assert_int_equal(m->scale, n->scale);
                } else if (m->kind == BK_CELL_TEXT) {
                    assert_string_equal(m->v.text, n->v.text);
                }
            }
        }
    }
}

static void test_sample_line_items_equal_json(void **state)
{
    const seed *f = *state;
    bk_doc *csv = read_or_fail(f->ctx, "samples/dapeng-2024/budget.csv");
    char diff[512] = "";
    if (!bk_doc_equal(csv, f->json, diff, sizeof diff))
        fail_msg("budget.csv and budget.json differ: %s", diff);
    bk_doc_free(csv);
}

static void test_sample_wide_folder(void **state)
{
    const seed *f = *state;
    const bk_doc *json = f->json;
    bk_doc *wide = read_or_fail(f->ctx, "samples/dapeng-2024/wide");
    assert_string_equal(wide->dept_name, json->dept_name);
    assert_int_equal(wide->fiscal_year, 2024);
    assert_string_equal(wide->money_unit, "万元");
    assert_int_equal(wide->precision, 2);
    assert_int_equal(wide->nunits, json->nunits);
    assert_same_tables(wide, json);
    assert_int_equal(wide->performance.nindicators, json->performance.nindicators);
    assert_int_equal(wide->performance.ngoals, json->performance.ngoals);
    assert_string_equal(wide->performance.period, "2024年度");
    assert_int_equal(wide->nnarrative, 0); /* a wide table has no place for it */
    bk_doc_free(wide);
}

/* Tables 2 and 8 typed in from the seed as a spreadsheet exports them. */
static void test_seed_wide_files(void **state)
{
    const seed *f = *state;
    const bk_doc *json = f->json;
    assert_int_equal(bk_ctx_set_option(f->ctx, "year", "2024"), BK_OK);
    bk_doc *t02 = read_or_fail(f->ctx, "tests/csv/data/seed-T02.csv"); /* UTF-8, BOM, repeats */
    bk_doc *t08 = read_or_fail(f->ctx, "tests/csv/data/seed-T08.csv"); /* GB18030, CRLF */
    const bk_table *a = bk_doc_table(t02, "T02"), *b = bk_doc_table(json, "T02");
    assert_non_null(a);
    assert_int_equal(a->nrows, 2);
    /* 332 printed without decimals in the department row keeps its scale */
    int invest = bk_template_column(a->tpl, "general_invest");
    assert_int_equal(bk_table_cell(a, 0, (size_t)invest)->v.units, 332);
    assert_int_equal(bk_table_cell(a, 0, (size_t)invest)->scale, 0);
    assert_int_equal(bk_table_cell(a, 1, (size_t)invest)->v.units, 33200);
    assert_int_equal(bk_table_cell(a, 0, 0)->v.units, 411536);
    assert_int_equal(a->rows[0].kind, BK_ROW_UNIT);
    assert_int_equal(t02->units[a->rows[1].unit].kind, BK_UNIT_SELF);
    (void)b;
    const bk_table *c = bk_doc_table(t08, "T08"), *d = bk_doc_table(json, "T08");
    assert_non_null(c);
    assert_int_equal(c->nrows, d->nrows);
    for (size_t r = 0; r < c->nrows; r++)
        for (size_t k = 0; k < c->tpl->ncolumns; k++)
            assert_int_equal(bk_table_cell(c, r, k)->v.units, bk_table_cell(d, r, k)->v.units);
    assert_string_equal(c->rows[29].code, "30905"); /* after the two unit rows */
    assert_string_equal(c->note, "本套报表金额单位转换时可能存在尾数误差");
    bk_doc_free(t02);
    bk_doc_free(t08);
}

static bk_status read_status(bk_ctx *ctx, const char *rel, bk_error *err)
{
    bk_doc *doc = NULL;
    bk_error_clear(err);
    bk_status st = bk_read(ctx, bktest_path(rel), NULL, bktest_keep_first, &doc, err);
    bk_doc_free(doc);
    return st;
}

static void test_error_positions(void **state)
{
    (void)state;
    bk_ctx *ctx = bktest_ctx();
    bk_error err;
    assert_int_equal(read_status(ctx, "samples/invalid/csv/bad-utf8.csv", &err), BK_E_ENCODING);
    assert_int_equal(err.offset, 630);
    assert_int_equal(err.line, 11);
    assert_int_equal(read_status(ctx, "samples/invalid/csv/quote-inside.csv", &err), BK_E_SYNTAX);
    assert_int_equal(err.line, 11);
    assert_int_equal(err.column, 8);
    assert_int_equal(read_status(ctx, "samples/invalid/csv/exponent.csv", &err), BK_E_CONTENT);
    assert_int_equal(err.line, 11);
    assert_int_equal(err.column, 11);
    assert_string_equal(err.where, "T07 row 3 column total");
    assert_int_equal(read_status(ctx, "samples/invalid/csv/wide-exponent.csv", &err),
                     BK_E_CONTENT);
    assert_int_equal(err.line, 7);
    assert_int_equal(err.column, 4);
    assert_int_equal(read_status(ctx, "samples/invalid/csv/truncated.csv", &err), BK_E_SYNTAX);
    assert_int_equal(err.line, 11);
    bk_ctx_free(ctx);
}

/* Every allocation of a read fails in turn: the read reports it, or recovers (libcsv retries
 * a failed buffer growth with a smaller block) with the very same document; nothing leaks. */
static void fail_each_allocation_at(const char *path)
{
    bk_ctx *ctx = bktest_ctx();
    bk_error err = bktest_no_error();
    assert_int_equal(bk_ctx_set_option(ctx, "year", "2024"), BK_OK);
    bk_doc *want = bktest_read(ctx, path);
    for (unsigned long n = 1;; n++) {
        bk_doc *doc = NULL;
        bk_error_clear(&err);
        bk_alloc_fail_at(n);
        bk_status st = bk_read(ctx, path, NULL, bktest_keep_first, &doc, &err);
        int failed = bk_alloc_failed();
        bk_alloc_fail_at(0);
        char diff[256] = "";
        int same = st == BK_OK && doc && bk_doc_equal(want, doc, diff, sizeof diff);
        bk_doc_free(doc);
        if (!failed) {
            assert_int_equal(st, BK_OK);
            break;
        }
        if (st == BK_OK && !same)
            fail_msg("allocation %lu failed, the read said ok but the document differs: %s", n,
                     diff);
        if (st != BK_OK && st != BK_E_NOMEM)
            fail_msg("allocation %lu failed and the read said %s: %s", n, bk_status_name(st),
                     err.text);
    }
    bk_doc_free(want);
    bk_ctx_free(ctx);
}

static void fail_each_allocation(const char *rel)
{
    fail_each_allocation_at(bktest_path(rel));
}

static void write_text_file(const char *dir, const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "wb");
    assert_non_null(f);
    assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
    fclose(f);
}

/* A folder whose first file (by name) has rows of a unit only a later file names, as the state
 * of a test; the teardown removes it. */
static int folder_units_named_later(void **state)
{
    static char dir[64];
    snprintf(dir, sizeof dir, "%s", bktest_tempdir());
    write_text_file(dir, "a-projects.csv",
                    "2024年项目支出总表\r\n单位:万元\r\n"
                    "支出项目类别,总计\r\n"
                    "综合管理事务,484.04\r\n数据管理事务,96.00\r\n");
    write_text_file(dir, "b-function.csv",
                    "2024年一般公共预算支出表（按功能分类）\r\n"
                    "单位名称:深圳市某局(本级)\r\n单位:万元\r\n"
                    "预算单位,科目编码,科目名称,支出总计\r\n"
                    "深圳市某局,,,580.04\r\n深圳市某局(本级),,,580.04\r\n"
                    ",201,一般公共服务支出,580.04\r\n");
    *state = dir;
    return 0;
}

static int remove_folder(void **state)
{
    const char *dir = *state;
    char path[512];
    snprintf(path, sizeof path, "%s/a-projects.csv", dir);
    remove(path);
    snprintf(path, sizeof path, "%s/b-function.csv", dir);
    remove(path);
    return rmdir(dir);
}

static void test_folder_units_named_later(void **state)
{
    const char *dir = *state;
    bk_ctx *ctx = bktest_ctx();
    bk_doc *doc = bktest_read(ctx, dir);
    assert_int_equal(doc->nunits, 2);
    assert_string_equal(doc->dept_name, "深圳市某局");
    const bk_table *t = bk_doc_table(doc, "T05");
    assert_non_null(t);
    assert_int_equal(t->nrows, 2);
    assert_int_equal(doc->units[t->rows[0].unit].kind, BK_UNIT_SELF);
    assert_string_equal(doc->units[t->rows[1].unit].id, "u1");
    bk_doc_free(doc);
    /* the same table alone cannot tell its unit */
    const char *path = bktest_join(dir, "a-projects.csv");
    bk_error err = bktest_no_error();
    doc = NULL;
    assert_int_equal(bk_read(ctx, path, NULL, bktest_keep_first, &doc, &err), BK_E_CONTENT);
    assert_null(doc);
    assert_contains(err.text, "which unit this row belongs to");
    bk_ctx_free(ctx);
}

static void test_alloc_failures_folder(void **state) { fail_each_allocation_at(*state); }

static void test_alloc_failures_lines(void **state)
{
    (void)state;
    fail_each_allocation("tests/csv/data/small-lines.csv");
}

static void test_alloc_failures_wide(void **state)
{
    (void)state;
    fail_each_allocation("tests/csv/data/seed-T08.csv");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_utf8_prefix),
        cmocka_unit_test(test_decode_gb18030_any_chunking),
        cmocka_unit_test(test_decode_utf8_bom_any_chunking),
        cmocka_unit_test(test_decode_errors_say_where),
        cmocka_unit_test(test_records_and_lines),
        cmocka_unit_test(test_record_errors),
        cmocka_unit_test(test_writer_quotes),
        cmocka_unit_test(test_writer_gb18030),
        cmocka_unit_test(test_labels),
        cmocka_unit_test(test_probe),
        cmocka_unit_test_setup_teardown(test_sample_line_items_equal_json, seed_setup,
                                        seed_teardown),
        cmocka_unit_test_setup_teardown(test_sample_wide_folder, seed_setup, seed_teardown),
        cmocka_unit_test_setup_teardown(test_seed_wide_files, seed_setup, seed_teardown),
        cmocka_unit_test(test_error_positions),
        cmocka_unit_test_setup_teardown(test_folder_units_named_later, folder_units_named_later,
                                        remove_folder),
        cmocka_unit_test_setup_teardown(test_alloc_failures_folder, folder_units_named_later,
                                        remove_folder),
        cmocka_unit_test(test_alloc_failures_lines),
        cmocka_unit_test(test_alloc_failures_wide),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
