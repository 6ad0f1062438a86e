/* The code catalogue: the shipped files, the CSV layout and its errors, a user's full list,
 * code structure and label comparison. */
#include "bktest.h"

#include <unistd.h>

#include "catalog.h"

static char tmpdir[64];

static int make_dir(void **state)
{
    (void)state;
    snprintf(tmpdir, sizeof tmpdir, "%s", bktest_tempdir());
    return 0;
}

static int remove_dir(void **state)
{
    (void)state;
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
    return system(cmd) == 0 ? 0 : -1;
}

static const char *write_file(const char *name, const char *content)
{
    const char *path = bktest_join(tmpdir, name);
    bktest_write_file(path, content, strlen(content));
    return path;
}

/* An empty catalogue and a cleared error, as every test starts. */
static void start(bkcodes_catalog *c, bk_error *err)
{
    bkcodes_init(c);
    bk_error_clear(err);
}

/* The shipped catalogue, read but not finished. */
static void start_shipped(bkcodes_catalog *c, bk_error *err)
{
    start(c, err);
    assert_int_equal(bkcodes_load_dir(c, bktest_path("formats/catalog"), err), BK_OK);
}

/* The catalogue of one CSV file, read and finished; the test fails unless both succeed. */
static void load_csv(bkcodes_catalog *c, const char *path)
{
    bk_error err;
    start(c, &err);
    assert_int_equal(bkcodes_load_csv(c, path, &err), BK_OK);
    assert_int_equal(bkcodes_finish(c, &err), BK_OK);
}

static void shipped_catalogue_loads(void **state)
{
    (void)state;
    bkcodes_catalog c;
    bk_error err;
    start_shipped(&c, &err);
    assert_int_equal(bkcodes_finish(&c, &err), BK_OK);

    const bkcodes_entry *e = bkcodes_find(&c, BKCODES_FUNCTION, "201");
    assert_non_null(e);
    assert_string_equal(e->name, "一般公共服务支出");
    assert_int_equal(e->level, 1);
    e = bkcodes_find(&c, BKCODES_FUNCTION, "2010301");
    assert_non_null(e);
    assert_int_equal(e->level, 3);
    e = bkcodes_find(&c, BKCODES_ECON_DEPT, "30213");
    assert_non_null(e);
    assert_string_equal(e->name, "维修（护）费");
    assert_null(bkcodes_find(&c, BKCODES_FUNCTION, "20199"));

    /* levels.csv: function 类 complete, 款 and 项 not; economic 类 and 款 complete. */
    assert_int_equal(bkcodes_level_complete(&c, BKCODES_FUNCTION, 1), 1);
    assert_int_equal(bkcodes_level_complete(&c, BKCODES_FUNCTION, 2), 0);
    assert_int_equal(bkcodes_level_complete(&c, BKCODES_FUNCTION, 3), 0);
    assert_int_equal(bkcodes_level_complete(&c, BKCODES_ECON_DEPT, 1), 1);
    assert_int_equal(bkcodes_level_complete(&c, BKCODES_ECON_DEPT, 2), 1);
    assert_int_equal(bkcodes_level_complete(&c, BKCODES_ECON_GOV, 1), -1);
    bkcodes_free(&c);
}

static void quoted_fields_bom_and_crlf(void **state)
{
    (void)state;
    const char *path = write_file("q.csv",
                                  "\xEF\xBB\xBFscheme,code,name,level,source\r\n"
                                  "function,201,\"一般公共服务支出\",类,x\r\n"
                                  "\r\n"
                                  "function,20103,\"政府办公厅（室）, 及\"\"相关\"\"机构事务\",款,\r\n"
                                  " function , 205 ,教育支出,类,y");
    bkcodes_catalog c;
    load_csv(&c, path);
    assert_int_equal(c.n, 3);
    const bkcodes_entry *e = bkcodes_find(&c, BKCODES_FUNCTION, "20103");
    assert_non_null(e);
    assert_string_equal(e->name, "政府办公厅（室）, 及\"相关\"机构事务");
    assert_int_equal(e->line, 4);
    assert_string_equal(e->source, "");
    assert_non_null(bkcodes_find(&c, BKCODES_FUNCTION, "205"));
    bkcodes_free(&c);
}

/* Each broken file gives an error naming the file, the line and (where known) the column. */
static void expect_error(const char *content, long line, long column, const char *text)
{
    const char *path = write_file("bad.csv", content);
    bkcodes_catalog c;
    bk_error err;
    start(&c, &err);
    bk_status st = bkcodes_load_csv(&c, path, &err);
    if (st == BK_OK)
        st = bkcodes_finish(&c, &err);
    assert_int_not_equal(st, BK_OK);
    if (!strstr(err.text, text))
        fail_msg("error \"%s\" does not contain \"%s\"", err.text, text);
    assert_string_equal(err.file, path);
    assert_int_equal(err.line, line);
    if (column)
        assert_int_equal(err.column, column);
    bkcodes_free(&c);
}

/* The same with rows below the catalogue's header. */
static void expect_rows_error(const char *rows, long line, long column, const char *text)
{
    char content[512];
    int n = snprintf(content, sizeof content, "scheme,code,name,level,source\n%s", rows);
    assert_true(n > 0 && (size_t)n < sizeof content);
    expect_error(content, line, column, text);
}

static void broken_files_name_the_place(void **state)
{
    (void)state;
    expect_error("code,name\n201,x\n", 1, 1, "the first line must be the header");
    expect_error("", 1, 1, "empty");
    expect_rows_error("function,201,一般公共服务支出,类\n", 2, 1, "expected 5 fields, found 4");
    expect_rows_error("function,201,a,类,x\nfunction,20A03,b,款,x\n", 3, 10,
                      "code \"20A03\" is not 3, 5 or 7 digits");
    expect_rows_error("econ_dept,3010101,a,项,x\n", 2, 11, "is not 3 or 5 digits");
    expect_rows_error("function,20103,办公厅,类,x\n", 2, 20,
                      "code 20103 has 5 digits, which is level 款, not \"类\"");
    expect_rows_error("function,201,\"一般,类,x\n", 2, 14, "a quoted field is not closed");
    expect_rows_error("function,201,\"a\"b,类,x\n", 2, 17, "after a closing quote");
    expect_rows_error("Function,201,a,类,x\n", 2, 1, "scheme \"Function\" must be lower-case");
    expect_rows_error("function,201,\xB9\xA4\xD7\xCA,类,x\n", 2, 14,
                      "the catalogue is not valid UTF-8");
    expect_rows_error("function,201,a,类,x\nfunction,201,b,类,x\n", 3, 0,
                      "code 201 (function) is listed twice with different names");
}

static void same_code_twice_with_same_name_is_accepted(void **state)
{
    (void)state;
    const char *path = write_file("dup.csv", "scheme,code,name,level,source\n"
                                             "function,20103,政府办公厅(室)及相关机构事务,款,a\n"
                                             "function,20103,政府办公厅（室）及相关机构事务,款,b\n");
    bkcodes_catalog c;
    load_csv(&c, path);
    bkcodes_free(&c);
}

static void levels_file_errors(void **state)
{
    (void)state;
    const char *path = write_file("levels.csv", "scheme,level,complete\nfunction,款,maybe\n");
    bkcodes_catalog c;
    bk_error err;
    start(&c, &err);
    assert_int_not_equal(bkcodes_load_levels(&c, path, &err), BK_OK);
    assert_non_null(strstr(err.text, "complete must be yes or no, not \"maybe\""));
    assert_int_equal(err.line, 2);
    bkcodes_free(&c);
}

/* A user's full list replaces the shipped entries of its schemes and makes their levels
 * complete; other schemes stay as shipped. */
static void user_catalogue_replaces_its_schemes(void **state)
{
    (void)state;
    bkcodes_catalog c;
    bk_error err;
    start_shipped(&c, &err);
    const char *path = write_file("full.csv", "scheme,code,name,level,source\n"
                                              "function,201,一般公共服务支出,类,mof\n"
                                              "function,20199,其他一般公共服务支出,款,mof\n"
                                              "function,2019999,其他一般公共服务支出,项,mof\n");
    assert_int_equal(bkcodes_load_user(&c, path, &err), BK_OK);
    assert_int_equal(bkcodes_finish(&c, &err), BK_OK);
    assert_non_null(bkcodes_find(&c, BKCODES_FUNCTION, "20199"));
    assert_null(bkcodes_find(&c, BKCODES_FUNCTION, "20103")); /* the starter entry is gone */
    assert_non_null(bkcodes_find(&c, BKCODES_ECON_DEPT, "30101"));
    assert_int_equal(bkcodes_level_complete(&c, BKCODES_FUNCTION, 2), 1);
    assert_int_equal(bkcodes_level_complete(&c, BKCODES_FUNCTION, 3), 1);
    assert_int_equal(bkcodes_level_complete(&c, BKCODES_ECON_DEPT, 2), 1);
    bkcodes_free(&c);

    bkcodes_init(&c);
    path = write_file("none.csv", "scheme,code,name,level,source\n");
    assert_int_not_equal(bkcodes_load_user(&c, path, &err), BK_OK);
    assert_non_null(strstr(err.text, "holds no code"));
    bkcodes_free(&c);
}

static void code_structure(void **state)
{
    (void)state;
    assert_int_equal(bkcodes_code_level(BKCODES_FUNCTION, "201"), 1);
    assert_int_equal(bkcodes_code_level(BKCODES_FUNCTION, "20103"), 2);
    assert_int_equal(bkcodes_code_level(BKCODES_FUNCTION, "2010301"), 3);
    assert_int_equal(bkcodes_code_level(BKCODES_FUNCTION, "2010"), 0);
    assert_int_equal(bkcodes_code_level(BKCODES_FUNCTION, "20a03"), 0);
    assert_int_equal(bkcodes_code_level(BKCODES_FUNCTION, "２０１"), 0); /* full-width digits */
    assert_int_equal(bkcodes_code_level(BKCODES_FUNCTION, ""), 0);
    assert_int_equal(bkcodes_code_level(BKCODES_ECON_DEPT, "30101"), 2);
    assert_int_equal(bkcodes_code_level(BKCODES_ECON_DEPT, "3010101"), 0);
    assert_string_equal(bkcodes_scheme_for("function", "201"), BKCODES_FUNCTION);
    assert_string_equal(bkcodes_scheme_for("economic", "30101"), BKCODES_ECON_DEPT);
    assert_string_equal(bkcodes_scheme_for("economic", "50201"), BKCODES_ECON_GOV);
    assert_null(bkcodes_scheme_for("project", "201"));
    assert_int_equal(bkcodes_level_parse("款"), 2);
    assert_int_equal(bkcodes_level_parse("3"), 3);
    assert_int_equal(bkcodes_level_parse("级"), 0);
}

static void labels_compare_as_read(void **state)
{
    (void)state;
    assert_true(bk_label_equal("维修(护)费", "维修（护）费"));
    assert_true(bk_label_equal("政府办公厅(室)及相关机构事务", "政府办公厅（室）及相关机构事务"));
    assert_true(bk_label_equal("行政 运行", "行政运行"));
    assert_true(bk_label_equal("行政\xE3\x80\x80运行", "行政运行")); /* ideographic space */
    assert_false(bk_label_equal("办公费", "邮电费"));
    assert_false(bk_label_equal("行政运行", "行政运行费"));
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(shipped_catalogue_loads),
        cmocka_unit_test(quoted_fields_bom_and_crlf),
        cmocka_unit_test(broken_files_name_the_place),
        cmocka_unit_test(same_code_twice_with_same_name_is_accepted),
        cmocka_unit_test(levels_file_errors),
        cmocka_unit_test(user_catalogue_replaces_its_schemes),
        cmocka_unit_test(code_structure),
        cmocka_unit_test(labels_compare_as_read),
    };
    return cmocka_run_group_tests(tests, make_dir, remove_dir);
}
