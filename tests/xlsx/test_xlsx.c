/* Number formats: what a number cell displays, as the reader takes it (formats/xlsx.md); and
 * the scan of an .xls workbook's records that finds each number cell's format. */
#include "bktest.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include "xlsx_int.h"

static void expect(double v, const char *code, const char *want, bkxl_shown_kind kind)
{
    char text[BKXL_SHOWN_MAX];
    size_t len = 0;
    bkxl_shown_kind got = bkxl_show_number(v, code, 0, text, &len);
    if (strcmp(text, want) != 0 || len != strlen(want) || got != kind)
        fail_msg("%.17g with \"%s\": got \"%s\" (kind %d), want \"%s\"", v,
                 code ? code : "(none)", text, (int)got, want);
}

/* A number cell with a format code, and what a spreadsheet shows of it (kept as a number). */
typedef struct shown_number {
    double v;
    const char *code, *want;
} shown_number; /* want NULL: the end of a table */

static const shown_number spreadsheet_noise[] = {
    {3088.829999999999, "0.00", "3088.83"},
    {3088.829999999999, "#,##0.00", "3088.83"},
    {3088.830000000001, "#,##0.00_ ", "3088.83"},
    {2986.519999999999, "#,##0.00;[Red]-#,##0.00", "2986.52"},
    /* 1.005 is stored just below; spreadsheets round 15 digits first and show 1.01. */
    {1.005, "0.00", "1.01"},
    {2.675, "0.00", "2.68"},
    {0.1 + 0.2, "0.00", "0.30"},
    {0.1 + 0.2, NULL, "0.3"},
    {0, NULL, NULL},
};

static const shown_number scales_and_signs[] = {
    {332, "0", "332"},
    {332, "0.00", "332.00"},
    {332, "#,##0", "332"},
    {1234567.891, "#,##0.00", "1234567.89"},
    {-1e-12, "0.00", "0.00"}, /* never -0.00 */
    {-0.004, "#,##0.00;[Red]-#,##0.00", "0.00"},
    {-0.0, "General", "0"},
    {-217.7, "#,##0.00;[Red]-#,##0.00", "-217.70"},
    {-217.7, "#,##0.00;[Red]\\(#,##0.00\\)", "-217.70"},
    {-217.7, "0.00;0.00", "-217.70"}, /* the format hides the sign; the value keeps it */
    {0.5, "#.00", "0.50"},
    {2, "00", "02"},
    {2010301, "General", "2010301"},
    {99.5, "0", "100"},
    {-99.5, "0", "-100"},
    {12.3456, "0.0#", "12.35"},
    {12.3, "0.0#", "12.3"},
    {12345678, "#,##0,", "12346"},
    {12345678, "#,##0.0,,", "12.3"},
    {0, NULL, NULL},
};

static const shown_number percent_and_accounting[] = {
    {0.1158, "0.00%", "11.58"},
    {0.11579999999999, "0.00%", "11.58"},
    {-0.2057, "0.00%", "-20.57"},
    {0.5, "0%", "50"},
    /* Accounting: the zero section prints a dash; the reader takes 0 in the first's shape. */
    {0, "_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * \"-\"??_ ;_ @_ ", "0.00"},
    {-5.5, "_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * \"-\"??_ ;_ @_ ", "-5.50"},
    {5.5, "[$¥-804]#,##0.00;[Red]-[$¥-804]#,##0.00", "5.50"},
    {5.5, "#,##0.00\"万元\"", "5.50"},
    {0, NULL, NULL},
};

static const shown_number general[] = {
    /* No decimal of 15 digits or fewer reads back as this double: 15 digits, as shown. */
    {3088.829999999999, NULL, "3088.83"},
    {0.1 + 0.2, "General", "0.3"},
    {4115.36, "General", "4115.36"},
    {1e-7, NULL, "0.0000001"},
    {123456789012345678.0, NULL, "123456789012346000"},
    {1.0 / 3.0, NULL, "0.333333333333333"},
    {-5.5, NULL, "-5.5"},
    {5.5, "@", "5.5"},
    {12345.678, "0.00E+00", "12345.678"},
    {1.5, "# ?/?", "1.5"},
    {0, NULL, NULL},
};

/* Each case of one of the tables above (state), up to its end mark. */
static void test_shown_numbers(void **state)
{
    for (const shown_number *c = *state; c->want; c++)
        expect(c->v, c->code, c->want, BKXL_SHOWN_NUMBER);
}

static void test_dates(void **state)
{
    (void)state;
    expect(45658, "yyyy-mm-dd", "2025-01-01", BKXL_SHOWN_TEXT);
    expect(45658, "yyyy\"年\"m\"月\"d\"日\"", "2025-01-01", BKXL_SHOWN_TEXT);
    expect(45658.5, "yyyy-mm-dd h:mm", "2025-01-01 12:00:00", BKXL_SHOWN_TEXT);
    expect(0.75, "h:mm", "18:00:00", BKXL_SHOWN_TEXT);
    expect(0.75, "mm:ss", "18:00:00", BKXL_SHOWN_TEXT);
    expect(45658, "m/d/yy", "2025-01-01", BKXL_SHOWN_TEXT);
    expect(60, "yyyy-mm-dd", "1900-02-29", BKXL_SHOWN_TEXT);
    expect(1, "yyyy-mm-dd", "1900-01-01", BKXL_SHOWN_TEXT);
    expect(61, "yyyy-mm-dd", "1900-03-01", BKXL_SHOWN_TEXT);
    const char *code = bkxl_builtin_format(14);
    assert_non_null(code);
    expect(45658, code, "2025-01-01", BKXL_SHOWN_TEXT);
    char text[BKXL_SHOWN_MAX];
    size_t len;
    assert_int_equal(bkxl_show_number(0, "yyyy-mm-dd", 1, text, &len), BKXL_SHOWN_TEXT);
    assert_string_equal(text, "1904-01-01");
}

static void test_builtin_and_parse(void **state)
{
    (void)state;
    assert_string_equal(bkxl_builtin_format(4), "#,##0.00");
    assert_string_equal(bkxl_builtin_format(10), "0.00%");
    assert_null(bkxl_builtin_format(163));
    double v = 0;
    assert_int_equal(bkxl_parse_double("3088.829999999999", &v), 0);
    assert_true(v == 3088.829999999999);
    assert_int_equal(bkxl_parse_double("1.234567890123457e+17", &v), 0);
    assert_int_equal(bkxl_parse_double("12,5", &v), -1);
    assert_int_equal(bkxl_parse_double("inf", &v), -1);
    assert_int_equal(bkxl_parse_double("nan", &v), -1);
    assert_int_equal(bkxl_parse_double("1e999", &v), -1);
    assert_int_equal(bkxl_parse_double("", &v), -1);
    assert_int_equal(bkxl_parse_double("0x10", &v), -1);
}

/* The stored text and its double give the same figure, with every format. */
static void test_stored_text_as_double(void **state)
{
    (void)state;
    static const char *const stored[] = {
        "3088.829999999999", "4115.36", "674.90", "0", "-0", "0.000", "-217.7", "332",
        "1e-12", "-1E-12", "0.1158", "0.11579999999999", "1.005", "2.675", "99.5", "-99.5",
        "12345678", "0.5", ".5", "100", "0.0001", "123456789012345", "1234567890123456",
        "0.30000000000000004", "45658", "45658.5", "007", "1.50", "-0.004", "100.000",
    };
    static const char *const codes[] = {
        NULL, "General", "0", "0.00", "#,##0.00", "#,##0.00_ ", "0.00%", "0%", "#,##0,",
        "#,##0.00;[Red]-#,##0.00", "0.0#", "00", "_ * #,##0.00_ ;_ * -#,##0.00_ ;_ * \"-\"??_ ;_ @_ ",
        "yyyy-mm-dd", "h:mm", "#.00",
    };
    for (size_t i = 0; i < sizeof stored / sizeof *stored; i++)
        for (size_t k = 0; k < sizeof codes / sizeof *codes; k++) {
            double v = 0;
            assert_int_equal(bkxl_parse_double(stored[i], &v), 0);
            char a[BKXL_SHOWN_MAX], b[BKXL_SHOWN_MAX];
            size_t na = 0, nb = 0;
            bkxl_shown_kind ka = bkxl_show_number(v, codes[k], 0, a, &na), kb;
            assert_int_equal(bkxl_show_stored(stored[i], codes[k], 0, b, &nb, &kb), 0);
            if (strcmp(a, b) != 0 || ka != kb || na != nb)
                fail_msg("\"%s\" with \"%s\": \"%s\" from the double, \"%s\" from the text",
                         stored[i], codes[k] ? codes[k] : "(none)", a, b);
        }
    char t[BKXL_SHOWN_MAX];
    size_t n;
    bkxl_shown_kind kind;
    assert_int_equal(bkxl_show_stored("12,5", NULL, 0, t, &n, &kind), -1);
    assert_int_equal(bkxl_show_stored("", NULL, 0, t, &n, &kind), -1);
    assert_int_equal(bkxl_show_stored("-", NULL, 0, t, &n, &kind), -1);
    assert_int_equal(bkxl_show_stored("1.2.3", NULL, 0, t, &n, &kind), -1);
}

static void test_not_finite(void **state)
{
    (void)state;
    /* A damaged .xls can hold them; no spreadsheet shows them as figures. */
    expect(NAN, NULL, "#NUM!", BKXL_SHOWN_TEXT);
    expect(INFINITY, "0.00", "#NUM!", BKXL_SHOWN_TEXT);
    expect(-INFINITY, "#,##0.00", "#NUM!", BKXL_SHOWN_TEXT);
}

/* ---- .xls: formats, merges and hidden sheets scanned from the BIFF records ---- */

static unsigned char *read_xls(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    assert_non_null(f);
    static unsigned char buf[1 << 17];
    *len = fread(buf, 1, sizeof buf, f);
    fclose(f);
    assert_true(*len > 4096 && *len < sizeof buf);
    return buf;
}

static unsigned char *office_xls(size_t *len) { return read_xls("tests/xlsx/data/office.xls", len); }

static void test_xls_scan_office(void **state)
{
    (void)state;
    size_t len;
    const unsigned char *data = office_xls(&len);
    bkxl_xls_scan s;
    assert_int_equal(bkxl_xls_scan_run(&s, data, len), 0);
    assert_true(s.ok);
    assert_int_equal(s.nsheets, 13); /* T01..T12 and the hidden 底稿 */
    assert_string_equal(s.sheets[0].name, "T01");
    assert_string_equal(s.sheets[12].name, "底稿");
    assert_true(s.sheets[12].hidden);
    assert_false(s.sheets[4].hidden);
    /* T05, row 7 of the printed table: 3,088.83 kept as 0.00, the change rate 11.58 as 0.00%. */
    assert_string_equal(bkxl_xls_format(&s, &s.sheets[4], 6, 2), "0.00");
    assert_string_equal(bkxl_xls_format(&s, &s.sheets[4], 6, 18), "0.00%");
    assert_null(bkxl_xls_format(&s, &s.sheets[4], 6, 0)); /* a text cell has no number format */
    assert_true(s.sheets[4].nmerges > 0);
    bkxl_xls_scan_free(&s);
}

/* A workbook stream under 4096 bytes lives in the compound file's mini stream. */
static void test_xls_scan_mini_stream(void **state)
{
    (void)state;
    size_t len;
    const unsigned char *data = read_xls("tests/xlsx/data/small.xls", &len);
    bkxl_xls_scan s;
    assert_int_equal(bkxl_xls_scan_run(&s, data, len), 0);
    assert_int_equal(s.nsheets, 1);
    assert_string_equal(s.sheets[0].name, "T01");
    assert_string_equal(bkxl_xls_format(&s, &s.sheets[0], 3, 1), "0.00"); /* 674.899999999999 */
    bkxl_xls_scan_free(&s);
}

static void expect_refused(const unsigned char *data, size_t len, const char *why)
{
    bkxl_xls_scan s;
    assert_int_equal(bkxl_xls_scan_run(&s, data, len), -1);
    assert_false(s.ok);
    if (strstr(s.why, why) == NULL)
        fail_msg("refused for \"%s\", want \"%s\"", s.why, why);
    bkxl_xls_scan_free(&s);
}

static void test_xls_scan_damaged(void **state)
{
    (void)state;
    size_t len;
    const unsigned char *office = office_xls(&len);
    static unsigned char b[1 << 17];
    expect_refused(office, 0, "not a compound file");
    expect_refused(office, 511, "not a compound file");
    memcpy(b, office, len);
    b[0x1E] = 20; /* a sector of a megabyte */
    expect_refused(b, len, "sector size");
    memcpy(b, office, len);
    memset(b + 0x2C, 0xFF, 4); /* four billion FAT sectors */
    expect_refused(b, len, "more FAT sectors than the file holds");
    memcpy(b, office, len);
    memset(b + 0x4C, 0x7F, 4); /* the first FAT sector far beyond the end */
    expect_refused(b, len, "outside the file");
    /* Every cut of the file is refused or read, never read past its end (ASan watches). */
    for (size_t cut = 512; cut < len; cut += 509) {
        bkxl_xls_scan s;
        bkxl_xls_scan_run(&s, office, cut);
        bkxl_xls_scan_free(&s);
    }
    /* So is every single byte set to 0xFF in the first sectors and the globals. */
    for (size_t at = 0; at < 8192 && at < len; at += 3) {
        memcpy(b, office, len);
        b[at] = 0xFF;
        bkxl_xls_scan s;
        bkxl_xls_scan_run(&s, b, len);
        bkxl_xls_scan_free(&s);
    }
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        {"test_spreadsheet_noise", test_shown_numbers, NULL, NULL, (void *)spreadsheet_noise},
        {"test_scales_and_signs", test_shown_numbers, NULL, NULL, (void *)scales_and_signs},
        {"test_percent_and_accounting", test_shown_numbers, NULL, NULL,
         (void *)percent_and_accounting},
        {"test_general", test_shown_numbers, NULL, NULL, (void *)general},
        cmocka_unit_test(test_dates),
        cmocka_unit_test(test_builtin_and_parse),
        cmocka_unit_test(test_stored_text_as_double),
        cmocka_unit_test(test_not_finite),
        cmocka_unit_test(test_xls_scan_office),
        cmocka_unit_test(test_xls_scan_mini_stream),
        cmocka_unit_test(test_xls_scan_damaged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
