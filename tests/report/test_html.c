/* The HTML report without a browser: its structure, the marks of the cells of findings, the
 * explaining cell told apart, every input text escaped, nothing loaded from elsewhere. */
#define _GNU_SOURCE
#include <unistd.h>

#include <jansson.h>

#include "bktest.h"

#define SAMPLE "samples/dapeng-2024/budget.json"

static size_t occurrences(const char *text, const char *what)
{
    size_t n = 0;
    for (const char *p = text; (p = strstr(p, what)) != NULL; p += strlen(what))
        n++;
    return n;
}

static bk_status on_doc(const bk_doc *doc, const bk_report *r, size_t first, void *user, bk_error *err)
{
    (void)err;
    return bk_html_document(user, doc, r, first);
}

/* Validate paths into an HTML page (malloc'd). */
static char *page(const char *const *paths, size_t n, int chinese)
{
    bk_ctx *ctx = bktest_ctx();
    bk_report *r = bk_report_new();
    bk_report_options o = {0, chinese, 0};
    bk_html *h = bk_html_begin(&o);
    assert_non_null(h);
    bk_error err = bktest_no_error();
    assert_int_equal(bk_validate_each(ctx, paths, n, NULL, NULL, NULL, r, on_doc, h, &err), BK_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_non_null(out);
    bk_html_end(h, r, out);
    fclose(out);
    bk_html_free(h);
    bk_report_free(r);
    bk_ctx_free(ctx);
    return buf;
}

static void seed_page(void **state)
{
    (void)state;
    const char *path = bktest_path(SAMPLE);
    char *html = page(&path, 1, 0);
    assert_true(strncmp(html, "<!DOCTYPE html>", 15) == 0);
    /* self-contained: one inline script, inline style, no file or address loaded */
    assert_int_equal(occurrences(html, "<script"), 1);
    assert_int_equal(occurrences(html, "src="), 0);
    assert_int_equal(occurrences(html, "<link"), 0);
    assert_int_equal(occurrences(html, "http"), 0);
    assert_contains(html, "@page{size:A4");
    /* the narrative error at its cell, the rounding sum beside its sentence */
    assert_contains(html, "data-col=\"change\">212.01</td>");
    assert_contains(html, "class=\"mark f-error n\"");
    assert_contains(html, "<mark>55.24万元</mark>");
    assert_contains(html, "<mark>915.02万元</mark>");
    /* cells: the narrative error, the truncated T03's first row, the zero-base percentage */
    assert_int_equal(occurrences(html, "class=\"mark f-"), 3);
    /* every table drawn */
    for (int t = 1; t <= 12; t++) {
        char id[32];
        snprintf(id, sizeof id, "data-table=\"T%02d\"", t);
        assert_contains(html, id);
    }
    free(html);
    html = page(&path, 1, 1);
    assert_contains(html, "<html lang=\"zh-CN\">");
    assert_contains(html, "预算校验报告");
    free(html);
}

static void hostile_names(void **state)
{
    (void)state;
    json_error_t je;
    json_t *doc = json_load_file(bktest_path(SAMPLE), 0, &je);
    assert_non_null(doc);
    json_object_set_new(json_object_get(doc, "department"), "name",
                        json_string("<script>alert(1)</script>\"&'"));
    json_t *part = json_array_get(json_object_get(doc, "narrative"), 3);
    json_object_set_new(part, "title", json_string("<img src=x onerror=alert(2)>"));
    char path[] = "/tmp/bk-html-XXXXXX.json";
    int fd = mkstemps(path, 5);
    assert_true(fd >= 0);
    close(fd);
    assert_int_equal(json_dump_file(doc, path, 0), 0);
    json_decref(doc);
    const char *p = path;
    char *html = page(&p, 1, 0);
    unlink(path);
    assert_int_equal(occurrences(html, "<script"), 1);
    assert_int_equal(occurrences(html, "<img"), 0);
    assert_contains(html, "&lt;script&gt;alert(1)&lt;/script&gt;&quot;&amp;&#39;");
    assert_contains(html, "&lt;img src=x onerror=alert(2)&gt;");
    free(html);
}

/* The cell that explains a set of errors is marked apart from the cells that carry them. */
static void explaining_cell(void **state)
{
    (void)state;
    bk_ctx *ctx = bktest_ctx();
    bk_doc *doc = NULL;
    bk_error err = bktest_no_error();
    assert_int_equal(bk_read(ctx, bktest_path(SAMPLE), NULL, bktest_keep_first, &doc, &err), BK_OK);
    bk_report *r = bk_report_new();
    bk_finding f;
    memset(&f, 0, sizeof f);
    f.rule = "totals.hierarchy";
    f.severity = BK_SEV_ERROR;
    f.document = doc->source;
    f.unit = "深圳市大鹏新区政务服务数据管理局(本级)";
    f.table = "T07";
    f.row = "20103";
    f.column = "basic";
    assert_int_equal(bk_report_add(r, &f), 0);
    f.rule = "explain.likely-cell";
    f.row = "2010301";
    assert_int_equal(bk_report_add(r, &f), 0);
    bk_report_options o = {0, 0, 0};
    bk_html *h = bk_html_begin(&o);
    assert_int_equal(bk_html_document(h, doc, r, 0), BK_OK);
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    assert_int_equal(bk_html_end(h, r, out), 2);
    fclose(out);
    assert_int_equal(occurrences(buf, "class=\"mark f-error f-explain n\""), 1);
    assert_int_equal(occurrences(buf, "class=\"mark f-error n\""), 1);
    assert_contains(buf, "class=\"mark f-error f-explain n\" data-f=\"1\"");
    free(buf);
    bk_html_free(h);
    bk_report_free(r);
    bk_doc_free(doc);
    bk_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(seed_page),
        cmocka_unit_test(hostile_names),
        cmocka_unit_test(explaining_cell),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
