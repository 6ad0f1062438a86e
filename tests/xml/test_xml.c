/* The XML plugin through the library: the descriptor and probe, the seed sample against its
 * JSON form, hostile input (entities, DTDs) refused without reading anything they point at,
 * the exact place of syntax and content errors, streaming of bulk files, limits, escaping,
 * and allocation failures. */
#include "bktest.h"

#define SAMPLE_XML "samples/dapeng-2024/budget.xml"
#define SAMPLE_JSON "samples/dapeng-2024/budget.json"
#define INVALID "samples/invalid/xml/"
#define DOCTYPE_MSG "DOCTYPE declarations are not accepted"

BKTEST_PLUGIN_FIXTURE("xml")

/* A small valid document; errors below are placed by editing it. */
static const char base_doc[] =
    "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
    "<budget xmlns=\"urn:budgetkit:budget:1\" version=\"1\" fiscal-year=\"2024\" "
    "money-unit=\"万元\" currency=\"CNY\" unit-mult=\"4\" precision=\"2\">\n"
    "  <department name=\"测试局\"/>\n"
    "  <units>\n"
    "    <unit id=\"dept\" kind=\"department\" name=\"测试局\"/>\n"
    "    <unit id=\"u1\" kind=\"self\" parent=\"dept\" name=\"测试局(本级)\"/>\n"
    "  </units>\n"
    "  <tables>\n"
    "    <table id=\"T07\" layout=\"shenzhen\">\n"
    "      <row kind=\"unit\" unit=\"dept\" name=\"测试局\">\n"
    "        <cell column=\"total\">10.00</cell>\n"
    "        <cell column=\"basic\">4.00</cell>\n"
    "        <cell column=\"project\">6.00</cell>\n"
    "      </row>\n"
    "      <row kind=\"item\" unit=\"u1\" code=\"201\" name=\"一般公共服务支出\">\n"
    "        <cell column=\"total\">10.00</cell>\n"
    "      </row>\n"
    "    </table>\n"
    "  </tables>\n"
    "  <performance unit-name=\"测试局\" period=\"2024年度\">\n"
    "    <goal>目标1</goal>\n"
    "    <indicator level1=\"产出指标\" level2=\"数量指标\" level3=\"文件数量\" target=\"≥100份\"/>\n"
    "  </performance>\n"
    "  <narrative>\n"
    "    <part title=\"第一部分\">一、职责\n\n深圳……</part>\n"
    "  </narrative>\n"
    "</budget>\n";

/* ---- helpers ---------------------------------------------------------------------------- */

typedef struct collected {
    size_t ndocs;
    uint32_t first_row_line;
} collected;

static bk_status collect(bk_doc *doc, void *user, bk_error *err)
{
    (void)err;
    collected *c = user;
    if (c->ndocs++ == 0 && doc->ntables && doc->tables[0]->nrows)
        c->first_row_line = doc->tables[0]->rows[0].line;
    return BK_OK;
}

static bk_status read_path(const char *path, collected *c, bk_error *err)
{
    memset(c, 0, sizeof *c);
    bk_error_clear(err);
    return bk_read(ctx, path, "xml", collect, c, err);
}

static bk_status read_text(const char *text, size_t len, collected *c, bk_error *err)
{
    const char *path = bktest_join(tmpdir, "case.xml");
    bktest_write_file(path, text, len);
    return read_path(path, c, err);
}

/* Reading text fails with code at line:column (0 = not checked), with message in the error,
 * after at most `emitted` documents reached the caller. */
static void expect_error_after(const char *text, size_t len, size_t emitted, bk_status code,
                               long line, long column, const char *message)
{
    collected c;
    bk_error err;
    bk_status st = read_text(text, len, &c, &err);
    if (st != code || (line && err.line != line) || (line && err.column != column) ||
        !strstr(err.text, message))
        fail_msg("expected %s at %ld:%ld with \"%s\"; got %s at %ld:%ld: %s",
                 bk_status_name(code), line, column, message, bk_status_name(st), err.line,
                 err.column, err.text);
    if (c.ndocs > emitted)
        fail_msg("%zu documents were handed over before the error, expected at most %zu",
                 c.ndocs, emitted);
}

static void expect_error(const char *text, bk_status code, long line, long column,
                         const char *message)
{
    expect_error_after(text, strlen(text), 0, code, line, column, message);
}

static void expect_file_error(const char *path, bk_status code, long line, long column,
                              const char *message)
{
    collected c;
    bk_error err;
    bk_status st = read_path(path, &c, &err);
    if (st != code || err.line != line || err.column != column || !strstr(err.text, message))
        fail_msg("%s: expected %s at %ld:%ld with \"%s\"; got %s at %ld:%ld: %s", path,
                 bk_status_name(code), line, column, message, bk_status_name(st), err.line,
                 err.column, err.text);
    assert_int_equal(c.ndocs, 0);
    assert_true(strstr(err.file, path) != NULL);
}

/* A sample of samples/invalid/xml and the error reading it gives. */
typedef struct bad_file {
    const char *path;
    bk_status code;
    long line, column;
    const char *message;
} bad_file;

static void expect_file_errors(const bad_file *files, size_t n)
{
    for (size_t i = 0; i < n; i++)
        expect_file_error(files[i].path, files[i].code, files[i].line, files[i].column,
                          files[i].message);
}

static void expect_same_file(const char *path, const char *expected_path)
{
    size_t a_len, b_len;
    char *a = bktest_read_file(path, &a_len), *b = bktest_read_file(expected_path, &b_len);
    assert_non_null(a);
    assert_non_null(b);
    if (a_len != b_len || memcmp(a, b, a_len) != 0)
        fail_msg("%s differs from %s", path, expected_path);
    free(a);
    free(b);
}

static bk_status convert(const char *in, const char *out, const char *to, bk_error *err)
{
    const char *inputs[] = {in};
    bk_error_clear(err);
    return bk_convert(ctx, inputs, 1, out, NULL, to, NULL, err);
}

/* ---- the plugin ------------------------------------------------------------------------- */

static void test_descriptor(void **state)
{
    (void)state;
    const bk_plugin_desc *d = bk_ctx_plugin_find(ctx, "xml");
    assert_non_null(d);
    assert_int_equal(d->kinds, BK_PLUGIN_IMPORT | BK_PLUGIN_EXPORT);
    assert_true(d->caps & BK_CAP_MULTI_DOC);
    assert_string_equal(d->extensions[0], "xml");
    assert_null(d->extensions[1]);
    assert_string_equal(d->media_type, "application/xml");
    assert_int_equal(d->priority, 50);
}

static int probe(const char *head, size_t len)
{
    const bk_plugin_desc *d = bk_ctx_plugin_find(ctx, "xml");
    bk_probe p = {"input", (const unsigned char *)head, len, 0};
    return d->probe(&p);
}

#define PROBE(s) probe(s, sizeof(s) - 1)

static void test_probe(void **state)
{
    (void)state;
    assert_int_equal(probe(base_doc, strlen(base_doc)), 95);
    assert_int_equal(PROBE("<?xml version=\"1.0\"?><feed/>"), 60);
    assert_int_equal(PROBE("\xEF\xBB\xBF \r\n\t<other/>"), 60);
    assert_int_equal(PROBE("<budget xmlns=\"urn:budgetkit:budget:1\"/>"), 95);
    /* UTF-16, either byte order, with and without a byte-order mark */
    assert_int_equal(PROBE("\xFF\xFE<\0b\0 \0x\0m\0l\0n\0s\0=\0\"\0u\0r\0n\0:\0b\0u\0d\0g\0e\0t\0"
                           "k\0i\0t\0:\0b\0u\0d\0g\0e\0t\0:\0001\0\"\0"), 95);
    assert_int_equal(PROBE("\0<\0?\0x\0m\0l"), 60);
    assert_int_equal(PROBE("{\"format\": \"budgetkit-budget\"}"), 0);
    assert_int_equal(PROBE("科目编码,科目名称\n201,一般公共服务支出\n"), 0);
    assert_int_equal(PROBE(""), 0);
    bk_probe dir = {"folder", NULL, 0, 1};
    assert_int_equal(bk_ctx_plugin_find(ctx, "xml")->probe(&dir), 0);
}

/* ---- the sample ------------------------------------------------------------------------- */

static bk_status keep(bk_doc *doc, void *user, bk_error *err)
{
    (void)err;
    bk_doc **out = user;
    if (*out)
        return BK_E_INTERNAL;
    bk_doc_keep(doc);
    *out = doc;
    return BK_OK;
}

static void test_sample(void **state)
{
    (void)state;
    bk_doc *xml = NULL, *json = NULL;
    bk_error err = bktest_no_error();
    assert_int_equal(bk_read(ctx, SAMPLE_XML, NULL, keep, &xml, &err), BK_OK);
    assert_int_equal(bk_read(ctx, SAMPLE_JSON, NULL, keep, &json, &err), BK_OK);
    char diff[256] = "";
    if (!bk_doc_equal(xml, json, diff, sizeof diff))
        fail_msg("the XML sample differs from the JSON sample: %s", diff);

    /* A few figures as printed, and the rows' lines in the XML file. */
    const bk_table *t07 = bk_doc_table(xml, "T07");
    assert_non_null(t07);
    assert_int_equal(t07->rows[0].kind, BK_ROW_UNIT);
    const bk_cell *total = bk_table_cell(t07, 0, (size_t)bk_template_column(t07->tpl, "total"));
    char buf[BK_DECIMAL_BUFSIZE];
    bk_decimal_format(bk_cell_decimal(total), 0, buf, sizeof buf);
    assert_string_equal(buf, "4115.36");
    assert_int_equal(xml->tables[0]->rows[0].line, 10);
    assert_string_equal(xml->source, SAMPLE_XML);
    bk_doc_free(xml);
    bk_doc_free(json);

    /* Reading and writing again gives the same bytes. */
    const char *out = bktest_join(tmpdir, "sample.xml");
    assert_int_equal(convert(SAMPLE_XML, out, NULL, &err), BK_OK);
    expect_same_file(out, SAMPLE_XML);
}

/* ---- hostile input ---------------------------------------------------------------------- */

/* The first bytes of the file an entity would leak, to look for in whatever comes out. */
static void secret_prefix(char *buf, size_t cap)
{
    size_t len = 0;
    char *s = bktest_read_file("/etc/passwd", &len);
    snprintf(buf, cap, "%.12s", s && len >= 12 ? s : "root:x:0:0:r");
    free(s);
}

static void expect_refused_everywhere(const char *path, long line, long column)
{
    char secret[16];
    secret_prefix(secret, sizeof secret);
    expect_file_error(path, BK_E_HOSTILE, line, column, DOCTYPE_MSG);

    /* Converting it writes nothing, and the message leaks nothing. */
    static const char *const outputs[] = {"leak.json", "leak.xml"};
    for (size_t i = 0; i < 2; i++) {
        const char *out = bktest_join(tmpdir, outputs[i]);
        bk_error err;
        assert_int_equal(convert(path, out, NULL, &err), BK_E_HOSTILE);
        assert_true(access(out, F_OK) != 0);
        char msg[1024];
        bk_error_format(&err, msg, sizeof msg);
        if (strstr(msg, secret) || strstr(msg, "/bin/"))
            fail_msg("the error message shows the entity's target: %s", msg);
    }
}

static void test_hostile_samples(void **state)
{
    (void)state;
    expect_refused_everywhere(INVALID "xxe.xml", 2, 1);
    expect_refused_everywhere(INVALID "billion-laughs.xml", 2, 1);
    expect_refused_everywhere(INVALID "external-dtd.xml", 2, 1);
    expect_refused_everywhere(INVALID "xxe-utf16.xml", 3, 1);
}

static void test_hostile_variants(void **state)
{
    (void)state;
    /* After a comment, a processing instruction and a byte-order mark. */
    expect_error("\xEF\xBB\xBF<?xml version=\"1.0\"?>\n<!-- a comment -->\n<?pi data?>\n"
                 "  <!DOCTYPE budget [<!ENTITY e SYSTEM \"file:///etc/passwd\">]>\n"
                 "<budget xmlns=\"urn:budgetkit:budget:1\">&e;</budget>\n",
                 BK_E_HOSTILE, 4, 3, DOCTYPE_MSG);
    /* Parameter entities reaching out for a DTD. */
    expect_error("<!DOCTYPE budget [<!ENTITY % dtd SYSTEM \"http://budget.invalid/x.dtd\"> %dtd;]>"
                 "<budget/>",
                 BK_E_HOSTILE, 1, 1, DOCTYPE_MSG);
    /* Without an XML declaration, and split over lines. */
    expect_error("\n\n<!DOCTYPE\nbudget>\n<budget/>", BK_E_HOSTILE, 3, 1, DOCTYPE_MSG);
    /* An entity reference without a declaration is malformed, and nothing is looked up. */
    const bktest_edit undeclared = {
        "name=\"测试局\"/>", "name=\"&leak;\"/>", BK_E_SYNTAX, 3, 27, "Entity 'leak' not defined"};
    bktest_expect_edits(base_doc, &undeclared, 1, expect_error);

    /* "<!DOCTYPE" as text is just text: in a comment, in CDATA, escaped in an attribute. */
    char *s = bktest_replace(base_doc, "深圳……</part>",
                             "深圳<![CDATA[<!DOCTYPE x [<!ENTITY y \"z\">]>]]></part>");
    char *t = bktest_replace(s, "  <tables>", "  <!-- <!DOCTYPE budget> -->\n  <tables>");
    char *u = bktest_replace(t, "<goal>目标1</goal>",
                             "<goal>&lt;!DOCTYPE budget&gt; &amp; &#x6D4B;</goal>");
    collected c;
    bk_error err;
    bk_status st = read_text(u, strlen(u), &c, &err);
    if (st != BK_OK)
        fail_msg("a document mentioning <!DOCTYPE in its text was refused: %s", err.text);
    assert_int_equal(c.ndocs, 1);
    free(s);
    free(t);
    free(u);
}

/* ---- errors and their place ------------------------------------------------------------- */

static const bad_file syntax_error_files[] = {
    {INVALID "malformed.xml", BK_E_SYNTAX, 6, 11,
     "malformed XML: Opening and ending tag mismatch: unit line 5 and units"},
    {INVALID "truncated.xml", BK_E_SYNTAX, 11, 30,
     "the document ends before its elements are closed (is the file truncated?)"},
};

static const bktest_edit syntax_error_edits[] = {
    {"<units>", "<units", BK_E_SYNTAX, 5, 5, "malformed XML"},
    {"kind=\"self\"", "kind=\"self\" kind=\"self\"", BK_E_SYNTAX, 6, 71,
     "Attribute kind redefined"},
    {"<goal>目标1</goal>", "<goal>目标&#1;</goal>", BK_E_SYNTAX, 21, 17,
     "xmlParseCharRef: invalid xmlChar value 1"},
    {"</budget>\n", "</budget>\n<budget/>\n", BK_E_SYNTAX, 30, 1,
     "Extra content at the end of the document"},
    {"<goal>目标1</goal>", "<goal>目标\xff</goal>", BK_E_ENCODING, 21, 13, "not proper UTF-8"},
};

static void test_syntax_errors(void **state)
{
    (void)state;
    expect_file_errors(syntax_error_files, sizeof syntax_error_files / sizeof *syntax_error_files);
    bktest_expect_edits(base_doc, syntax_error_edits,
                        sizeof syntax_error_edits / sizeof *syntax_error_edits, expect_error);
    expect_error("", BK_E_SYNTAX, 1, 1, "malformed XML: the document holds no element");
    expect_error("<?xml version=\"1.0\"?>\n<!-- nothing -->\n", BK_E_SYNTAX, 3, 1,
                 "malformed XML: the document holds no element");
}

static const bad_file content_error_files[] = {
    /* Amounts */
    {INVALID "bad-amount.xml", BK_E_CONTENT, 11, 9,
     "cell \"total\" holds \"1e400\", which is not a decimal number"},
    /* The vocabulary */
    {INVALID "unknown-element.xml", BK_E_CONTENT, 12, 9,
     "unexpected element <remark> in <row>; expected <cell>"},
    {INVALID "unknown-table.xml", BK_E_CONTENT, 9, 5, "table id \"T99\" has no template"},
    {INVALID "unknown-column.xml", BK_E_CONTENT, 11, 9, "table T07 has no column \"grand_total\""},
    {INVALID "unknown-unit.xml", BK_E_CONTENT, 10, 7,
     "the row belongs to unit \"u9\", which is not in <units>"},
    {INVALID "missing-attribute.xml", BK_E_CONTENT, 10, 7, "<row> has no \"kind\" attribute"},
    {INVALID "no-namespace.xml", BK_E_CONTENT, 2, 1,
     "<budget> is not in the namespace urn:budgetkit:budget:1"},
};

static const bktest_edit content_error_edits[] = {
    /* Amounts */
    {">4.00<", ">4,00<", BK_E_CONTENT, 12, 9, "cell \"basic\" holds \"4,00\""},
    {">4.00<", ">NaN<", BK_E_CONTENT, 12, 9, "cell \"basic\" holds \"NaN\""},
    {">4.00<", ">12345678901234567890<", BK_E_CONTENT, 12, 9,
     "more digits than an amount can hold"},
    {">4.00<", "> <", BK_E_CONTENT, 12, 9, "cell \"basic\" is empty"},
    {">4.00<", ">+4.00<", BK_E_CONTENT, 12, 9, "cell \"basic\" holds \"+4.00\""},
    /* What the document contract wants not empty */
    {"<department name=\"测试局\"/>", "<department name=\"\"/>", BK_E_CONTENT, 3, 3,
     "the department name is empty"},
    {"<department name=\"测试局\"/>", "<department name=\"测试局\" code=\"\"/>", BK_E_CONTENT, 3, 3,
     "the department code is empty"},
    {"name=\"测试局(本级)\"", "name=\"\"", BK_E_CONTENT, 6, 5, "unit \"u1\" has an empty name"},
    {"code=\"201\"", "code=\"\"", BK_E_CONTENT, 15, 7, "the row's code is empty"},
    {"code=\"201\"", "code=\"201\" level=\"10\"", BK_E_CONTENT, 15, 7,
     "level \"10\" is not a whole number from 1 to 9"},
    /* The vocabulary */
    {"<goal>目标1</goal>", "<goal>目标<b>1</b></goal>", BK_E_CONTENT, 21, 13,
     "<goal> holds an element <b>; only text belongs there"},
    {"  <narrative>", "  <narrative>\n    <x:part xmlns:x=\"urn:other\"/>", BK_E_CONTENT, 25, 5,
     "unexpected element <x:part> from namespace urn:other in <narrative>"},
    {"<performance", "<performance xmlns=\"\"", BK_E_CONTENT, 20, 3,
     "unexpected element <performance> without a namespace in <budget>"},
    {"<units>", "<units>\n    <unit id=\"dept\" kind=\"subunit\" name=\"x\"/>", BK_E_CONTENT, 6, 5,
     "unit id \"dept\" is used twice"},
    {"<units>", "<units>\n    <unit id=\"a b\" kind=\"subunit\" name=\"x\"/>", BK_E_CONTENT, 5, 5,
     "unit id \"a b\" may hold only letters"},
    {"kind=\"self\"", "kind=\"main\"", BK_E_CONTENT, 6, 5,
     "unit kind \"main\" is not department, self or subunit"},
    {"<table id=\"T07\" layout=\"shenzhen\">",
     "<table id=\"T07\" layout=\"shenzhen\" xml:lang=\"zh\">", BK_E_CONTENT, 9, 5,
     "<table> has an attribute \"xml:lang\" from another namespace"},
    {"target=\"≥100份\"/>", "target=\"≥100份\"/>\n    <goal>目标2</goal>", BK_E_CONTENT, 23, 5,
     "<goal> after an <indicator>: the goals come first"},
    /* The order of <budget>'s parts */
    {"  <department name=\"测试局\"/>\n", "", BK_E_CONTENT, 3, 3,
     "<units> comes before <department>, which is missing"},
    {"  <narrative>", "  <units/>\n  <narrative>", BK_E_CONTENT, 24, 3, "<units> is out of place"},
    /* Attributes of <budget> */
    {"precision=\"2\"", "precision=\"19\"", BK_E_CONTENT, 2, 1,
     "precision 19 is not a number of decimals from 0 to 18"},
    {" version=\"1\"", "", BK_E_CONTENT, 2, 1, "<budget> has no \"version\" attribute"},
    /* The check every document passes before it is handed over. */
    {"kind=\"department\"", "kind=\"subunit\"", BK_E_CONTENT, 0, 0,
     "exactly one unit of kind department"},
};

static void test_content_errors(void **state)
{
    (void)state;
    expect_file_errors(content_error_files,
                       sizeof content_error_files / sizeof *content_error_files);
    bktest_expect_edits(base_doc, content_error_edits,
                        sizeof content_error_edits / sizeof *content_error_edits, expect_error);
    /* White space around an amount is no part of it. */
    char *spaced = bktest_replace(base_doc, ">4.00<", ">\n          4.00\n        <");
    collected c;
    bk_error err;
    assert_int_equal(read_text(spaced, strlen(spaced), &c, &err), BK_OK);
    free(spaced);
    /* The order of <budget>'s parts */
    char *no_tables = bktest_replace(base_doc, "  <tables>", "  <!--");
    char *s = bktest_replace(no_tables, "  </tables>", "  -->");
    expect_error(s, BK_E_CONTENT, 20, 3, "<performance> comes before <tables>, which is missing");
    free(no_tables);
    free(s);
    expect_error("<budget xmlns=\"urn:budgetkit:budget:1\" version=\"1\" fiscal-year=\"2024\" "
                 "money-unit=\"元\" precision=\"2\"/>",
                 BK_E_CONTENT, 1, 1, "<budget> has no <department>");
    expect_error("<?xml version=\"1.0\"?>\n<feed xmlns=\"urn:budgetkit:budget:1\"/>", BK_E_CONTENT,
                 2, 1, "the root element <feed> is neither <budget> nor <budgets>");

    /* Where several elements share a line and a start tag spans lines, the column is still
     * that of the offending element's '<'. */
    char *crowded = bktest_replace(base_doc,
                                   "        <cell column=\"basic\">4.00</cell>\n"
                                   "        <cell column=\"project\">6.00</cell>\n",
                                   "<cell column=\"basic\">4.00</cell><!-- <cell> --><cell\n"
                                   "   column=\"basic\">6.00</cell>\n");
    expect_error(crowded, BK_E_CONTENT, 12, 48, "column \"basic\" appears twice in this row");
    free(crowded);
}

/* Layouts a document defines (xml.md): a table no layout knows brings its title and its
 * <column>s, a table may print in a money unit of its own. */
static const char generic_table[] =
    "    <table id=\"generic-1\" title=\"测试表\" money-unit=\"元\" currency=\"CNY\" "
    "unit-mult=\"0\">\n"
    "      <column id=\"col_1\" type=\"text\">\n"
    "        <label>项目</label>\n"
    "      </column>\n"
    "      <column id=\"col_2\" type=\"amount\">\n"
    "        <label>本年</label>\n"
    "        <label>预算数</label>\n"
    "      </column>\n"
    "      <row kind=\"item\" unit=\"dept\">\n"
    "        <cell column=\"col_1\">一、收入</cell>\n"
    "        <cell column=\"col_2\">12.50</cell>\n"
    "      </row>\n"
    "    </table>\n"
    "  </tables>\n";

static bk_status check_generic(bk_doc *doc, void *user, bk_error *err)
{
    (void)err;
    int *ok = user;
    const bk_table *t = bk_doc_table(doc, "generic-1");
    *ok = t && t->tpl->defined && t->tpl->ncolumns == 2 && strcmp(t->tpl->title, "测试表") == 0 &&
          t->money_unit && strcmp(t->money_unit, "元") == 0 &&
          t->tpl->columns[0].type == BK_COL_TEXT && t->tpl->columns[1].type == BK_COL_AMOUNT &&
          t->tpl->columns[1].path_len == 2 && strcmp(t->tpl->columns[1].path[0], "本年") == 0 &&
          strcmp(t->tpl->columns[1].path[1], "预算数") == 0 && t->nrows == 1 &&
          strcmp(bk_table_cell(t, 0, 0)->v.text, "一、收入") == 0;
    return BK_OK;
}

static void test_defined_layouts(void **state)
{
    (void)state;
    char *doc = bktest_replace(base_doc, "  </tables>\n", generic_table);
    const char *in = bktest_join(tmpdir, "generic.xml");
    const char *out = bktest_join(tmpdir, "generic-out.xml");
    const char *again = bktest_join(tmpdir, "generic-again.xml");
    bktest_write_file(in, doc, strlen(doc));
    int ok = 0;
    bk_error err = bktest_no_error();
    assert_int_equal(bk_read(ctx, in, "xml", check_generic, &ok, &err), BK_OK);
    assert_true(ok);
    /* Written and read again: the same table, the same bytes. */
    assert_int_equal(convert(in, out, "xml", &err), BK_OK);
    assert_int_equal(convert(out, again, "xml", &err), BK_OK);
    expect_same_file(again, out);
    ok = 0;
    assert_int_equal(bk_read(ctx, out, "xml", check_generic, &ok, &err), BK_OK);
    assert_true(ok);

    char *base = doc;
    struct {
        const char *old, *new_text, *message;
        long line, column;
    } cases[] = {
        {"      <row kind=\"item\" unit=\"dept\">", "      <row kind=\"item\" unit=\"dept\"/>\n"
         "      <column id=\"col_3\"/>\n      <row kind=\"item\" unit=\"dept\">",
         "<column> after a <row>: the columns come first", 28, 7},
        {"<column id=\"col_2\" type=\"amount\">", "<column id=\"col_1\" type=\"amount\">",
         "column \"col_1\" is defined twice", 23, 7},
        {"type=\"amount\"", "type=\"money\"",
         "column type \"money\" is not amount, percent or text", 23, 7},
        {"<label>项目</label>", "<label>项<b/>目</label>", "<label> holds an element <b>", 21, 17},
        {"<label>项目</label>", "<label>1</label><label>2</label><label>3</label><label>4</label>"
         "<label>5</label><label>6</label><label>7</label><label>8</label><label>9</label>",
         "a column has at most 8 labels", 21, 137},
        {" title=\"测试表\" money-unit=\"元\" currency=\"CNY\" unit-mult=\"0\"", " currency=\"CNY\"",
         "\"currency\" describes the table's money-unit, and the table has none", 19, 5},
        {"unit-mult=\"0\"", "unit-mult=\"4\"", "unit-mult \"4\" does not match money-unit 元",
         19, 5},
        {"money-unit=\"元\" currency=\"CNY\" unit-mult=\"0\"", "money-unit=\"美元\"",
         "money unit \"美元\" is not 元, 千元, 万元 or 亿元", 0, 0},
        {"<table id=\"T07\" layout=\"shenzhen\">",
         "<table id=\"T07\" layout=\"shenzhen\">\n      <column id=\"total\"/>",
         "column \"total\" is already a column of T07", 10, 7},
        {"<table id=\"generic-1\"", "<table id=\"generic-1\" layout=\"shenzhen\"",
         "table generic-1 is of layout family \"\", not \"shenzhen\"", 19, 5},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char *s = bktest_replace(base, cases[i].old, cases[i].new_text);
        expect_error(s, BK_E_CONTENT, cases[i].line, cases[i].column, cases[i].message);
        free(s);
    }
    /* A table with neither a template nor columns */
    char *bare = bktest_replace(base, "      <column id=\"col_1\" type=\"text\">\n"
                                      "        <label>项目</label>\n"
                                      "      </column>\n"
                                      "      <column id=\"col_2\" type=\"amount\">\n"
                                      "        <label>本年</label>\n"
                                      "        <label>预算数</label>\n"
                                      "      </column>\n", "");
    expect_error(bare, BK_E_CONTENT, 19, 5, "table id \"generic-1\" has no template");
    free(bare);
    free(doc);
}

/* A bulk file is read one document at a time: those well before a broken one have reached
 * the caller by the time the error is found (the library itself holds the latest one back
 * until it knows whether the next one continues it). */
static void test_bulk_streaming(void **state)
{
    (void)state;
    const char *bulk = bktest_join(tmpdir, "bulk.xml");
    const char *inputs[] = {SAMPLE_XML, SAMPLE_JSON, SAMPLE_XML, SAMPLE_JSON};
    bk_error err = bktest_no_error();
    assert_int_equal(bk_convert(ctx, inputs, 4, bulk, NULL, NULL, NULL, &err), BK_OK);
    collected c;
    assert_int_equal(read_path(bulk, &c, &err), BK_OK);
    assert_int_equal(c.ndocs, 4);

    /* Break the fourth document far from its start. */
    size_t len;
    char *text = bktest_read_file(bulk, &len);
    assert_non_null(text);
    char *at = text;
    for (int i = 0; i < 4; i++)
        at = strstr(at + 1, "<table id=\"T12\"");
    assert_non_null(at);
    memcpy(at, "<table id=T12\"\"", 16);
    long line = 1;
    for (const char *p = text; p < at; p++)
        line += *p == '\n';
    expect_error_after(text, len, 3, BK_E_SYNTAX, line, 17, "malformed XML: AttValue");
    read_text(text, len, &c, &err);
    if (c.ndocs < 2)
        fail_msg("only %zu documents reached the caller before the error in the fourth", c.ndocs);
    free(text);

    /* An empty bulk is no error and no document. */
    expect_error_after("<budgets xmlns=\"urn:budgetkit:budget:1\"/>", 41, 0, BK_OK, 0, 0, "");
}

static void test_limits(void **state)
{
    (void)state;
    bk_limits *lim = bk_ctx_limits(ctx);

    BKTEST_EXPECT_LIMIT(max_depth, 3, 10, 7, "nested deeper than 3 levels (max-depth)");
    BKTEST_EXPECT_LIMIT(max_string, 8, 3, 3,
                        "attribute \"name\" of <department> is longer than 8 bytes (max-string)");
    /* 25: more than any attribute, less than the narrative */
    BKTEST_EXPECT_LIMIT(max_string, 25, 25, 5, "the text of <part> is longer than 25 bytes");
    BKTEST_EXPECT_LIMIT(max_cells, 2, 13, 9, "more than 2 cells (max-cells)");
    BKTEST_EXPECT_LIMIT(max_input_bytes, 100, 0, 0, "larger than 100 bytes (max-input-bytes)");

    lim->max_documents = 1;
    const char *bulk = bktest_join(tmpdir, "two.xml");
    const char *inputs[] = {SAMPLE_XML, SAMPLE_XML};
    bk_error err = bktest_no_error();
    assert_int_equal(bk_convert(ctx, inputs, 2, bulk, NULL, NULL, NULL, &err), BK_OK);
    collected c;
    assert_int_equal(read_path(bulk, &c, &err), BK_E_LIMIT);
    assert_true(strstr(err.text, "more than 1 documents (max-documents)") != NULL);
    assert_true(c.ndocs <= 1);
    *lim = default_limits;
}

/* ---- output ----------------------------------------------------------------------------- */

static void test_escaping(void **state)
{
    (void)state;
    size_t len;
    char *sample = bktest_read_file(SAMPLE_JSON, &len);
    assert_non_null(sample);
    /* Markup characters, quotes, tabs, carriage returns and line ends in attributes and in
     * text, and white space around text: all come back as they were. */
    char *a = bktest_replace(sample, "\"name\": \"深圳市大鹏新区政务服务数据管理局\"\n  }",
                             "\"name\": \" a&b <c> \\\"q\\\" 'x'\\tt\\r\\nn ]]> \"\n  }");
    char *b = bktest_replace(a, "\"text\": \"", "\"text\": \"\\r\\n  &lt; <![CDATA[ ]]> \\t");
    const char *in = bktest_join(tmpdir, "escape.json"), *xml = bktest_join(tmpdir, "escape.xml");
    const char *back = bktest_join(tmpdir, "escape-back.json");
    bktest_write_file(in, b, strlen(b));
    bk_error err;
    assert_int_equal(convert(in, xml, NULL, &err), BK_OK);
    assert_int_equal(convert(xml, back, NULL, &err), BK_OK);
    expect_same_file(back, in);

    char *text = bktest_read_file(xml, &len);
    assert_non_null(text);
    assert_non_null(strstr(text, "<department name=\" a&amp;b &lt;c&gt; &quot;q&quot; 'x'&#9;t"
                                 "&#13;&#10;n ]]&gt; \"/>"));
    assert_non_null(strstr(text, "<part title=\"第一部分 部门概况\">&#13;\n  &amp;lt; &lt;![CDATA[ "
                                 "]]&gt; \t"));
    assert_null(strstr(text, "&#x"));
    free(text);
    free(a);
    free(b);

    /* A character XML 1.0 cannot carry is refused, and nothing is written. */
    a = bktest_replace(sample, "\"name\": \"深圳市大鹏新区政务服务数据管理局\"\n  }",
                       "\"name\": \"a\\u0001b\"\n  }");
    bktest_write_file(in, a, strlen(a));
    unlink(xml);
    assert_int_equal(convert(in, xml, NULL, &err), BK_E_CONTENT);
    assert_non_null(strstr(err.text, "attribute \"name\" of <department> holds U+0001"));
    assert_true(access(xml, F_OK) != 0);
    free(a);
    free(sample);
}

/* ---- allocation failures ---------------------------------------------------------------- */

static void test_allocation_failures(void **state)
{
    (void)state;
    const char *in = bktest_join(tmpdir, "alloc.xml");
    bktest_write_file(in, base_doc, strlen(base_doc));
    bktest_fail_each_allocation_of_read(ctx, in, "xml");
    /* A conversion to XML of one document, then of a bulk. */
    const char *out = bktest_join(tmpdir, "alloc-out.xml");
    const char *inputs[] = {in, in};
    bktest_fail_each_allocation_of_convert(ctx, inputs, 1, out, "xml", "xml");
    bktest_fail_each_allocation_of_convert(ctx, inputs, 2, out, "xml", "xml");
    expect_same_file(in, in);
    const char *again = bktest_join(tmpdir, "alloc-again.xml");
    bk_error err;
    assert_int_equal(convert(in, again, NULL, &err), BK_OK);
    expect_same_file(again, in);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_descriptor),
        cmocka_unit_test(test_probe),
        cmocka_unit_test(test_sample),
        cmocka_unit_test(test_hostile_samples),
        cmocka_unit_test(test_hostile_variants),
        cmocka_unit_test(test_syntax_errors),
        cmocka_unit_test(test_content_errors),
        cmocka_unit_test(test_defined_layouts),
        cmocka_unit_test(test_bulk_streaming),
        cmocka_unit_test_teardown(test_limits, restore_limits),
        cmocka_unit_test(test_escaping),
        cmocka_unit_test(test_allocation_failures),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
