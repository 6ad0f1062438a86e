/* The bundled sample holds the seed budget's printed figures: each line of
 * tests/data/seed-figures.tsv names a cell and the figure as printed; the figure must stand as
 * a whole cell in the published text (samples/dapeng-2024/source.txt) and the sample must hold
 * exactly it (same digits, same decimals). */
#include <jansson.h>

#include "bktest.h"

static char *read_all(const char *path)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    fseek(f, 0, SEEK_SET);
    char *buf = malloc((size_t)n + 1);
    assert_non_null(buf);
    assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
    buf[n] = '\0';
    fclose(f);
    return buf;
}

/* printed appears in the text delimited by tabs or line ends, as a table cell. */
static int printed_as_cell(const char *text, const char *printed)
{
    size_t n = strlen(printed);
    for (const char *p = strstr(text, printed); p; p = strstr(p + 1, printed)) {
        char before = p == text ? '\n' : p[-1], after = p[n];
        if ((before == '\t' || before == '\n') && (after == '\t' || after == '\n' || after == '\r'))
            return 1;
    }
    return 0;
}

static int row_matches(const bk_doc *doc, const bk_row *r, json_t *sel)
{
    const char *key;
    json_t *v;
    json_object_foreach(sel, key, v) {
        const char *s = json_string_value(v);
        if (strcmp(key, "kind") == 0 && strcmp(bk_row_kind_name((bk_row_kind)r->kind), s) != 0)
            return 0;
        if (strcmp(key, "section") == 0 && (!r->section || strcmp(r->section, s) != 0))
            return 0;
        if (strcmp(key, "name") == 0 && strcmp(r->name, s) != 0)
            return 0;
        if (strcmp(key, "code") == 0 && (!r->code || strcmp(r->code, s) != 0))
            return 0;
        if (strcmp(key, "level") == 0 && r->level != json_integer_value(v))
            return 0;
        if (strcmp(key, "unit") == 0) {
            const bk_unit *u = &doc->units[r->unit];
            int kind = bk_unit_kind_parse(s);
            if (kind >= 0 ? u->kind != kind : strcmp(u->id, s) != 0)
                return 0;
        }
    }
    return 1;
}

static void test_seed_figures(void **state)
{
    (void)state;
    bk_ctx *ctx = bktest_ctx();
    bk_doc *doc = bktest_read(ctx, bktest_path("samples/dapeng-2024/budget.json"));
    char *source = read_all(bktest_path("samples/dapeng-2024/source.txt"));
    FILE *f = fopen(bktest_path("tests/data/seed-figures.tsv"), "r");
    assert_non_null(f);
    char line[2048];
    int checked = 0, lineno = 0;
    while (fgets(line, sizeof line, f)) {
        if (lineno++ == 0)
            continue; /* header */
        line[strcspn(line, "\r\n")] = '\0';
        char *table = strtok(line, "\t"), *selector = strtok(NULL, "\t"),
             *column = strtok(NULL, "\t"), *printed = strtok(NULL, "\t");
        assert_non_null(printed);
        if (!printed_as_cell(source, printed))
            fail_msg("line %d: %s is not printed as a cell in the source", lineno, printed);
        json_error_t jerr;
        json_t *sel = json_loads(selector, 0, &jerr);
        assert_non_null(sel);
        const bk_table *t = bk_doc_table(doc, table);
        assert_non_null(t);
        int col = bk_template_column(t->tpl, column);
        assert_true(col >= 0);
        int found = 0;
        for (size_t r = 0; r < t->nrows && !found; r++) {
            if (!row_matches(doc, &t->rows[r], sel))
                continue;
            const bk_cell *c = bk_table_cell(t, r, (size_t)col);
            char buf[BK_DECIMAL_BUFSIZE];
            assert_int_equal(c->kind, BK_CELL_NUMBER);
            bk_decimal_format(bk_cell_decimal(c), strchr(printed, ',') != NULL, buf, sizeof buf);
            if (strcmp(buf, printed) != 0)
                fail_msg("line %d: %s %s %s holds %s, the seed prints %s", lineno, table,
                         selector, column, buf, printed);
            found = 1;
        }
        if (!found)
            fail_msg("line %d: no row %s in %s", lineno, selector, table);
        json_decref(sel);
        checked++;
    }
    fclose(f);
    assert_true(checked >= 30);
    free(source);
    bk_doc_free(doc);
    bk_ctx_free(ctx);
}

int main(void)
{
    const struct CMUnitTest tests[] = {cmocka_unit_test(test_seed_figures)};
    return cmocka_run_group_tests(tests, NULL, NULL);
}
