/* Exact decimals: parse, format, arithmetic, comparison, overflow, scale. */
#include "bktest.h"

static bk_decimal parse_ok(const char *s, unsigned flags)
{
    bk_decimal d;
    assert_int_equal(bk_decimal_parse(s, strlen(s), flags, &d, NULL), BK_DECIMAL_OK);
    return d;
}

static void expect_status(const char *s, unsigned flags, bk_decimal_status want)
{
    bk_decimal d;
    int st = bk_decimal_parse(s, strlen(s), flags, &d, NULL);
    if (st != (int)want)
        fail_msg("\"%s\": status %d, expected %d", s, st, (int)want);
}

static void test_parse_keeps_printed_scale(void **state)
{
    (void)state;
    bk_decimal a = parse_ok("332", 0), b = parse_ok("332.00", 0), c = parse_ok("-217.70", 0);
    assert_int_equal(a.units, 332);
    assert_int_equal(a.scale, 0);
    assert_int_equal(b.units, 33200);
    assert_int_equal(b.scale, 2);
    assert_int_equal(c.units, -21770);
    assert_int_equal(c.scale, 2);
    assert_int_equal(bk_decimal_cmp(a, b), 0);
    bk_decimal z = parse_ok("+0.000", 0);
    assert_int_equal(z.units, 0);
    assert_int_equal(z.scale, 3);
}

static void test_parse_thousands(void **state)
{
    (void)state;
    bk_decimal d = parse_ok("4,115.36", BK_DECIMAL_THOUSANDS);
    assert_int_equal(d.units, 411536);
    assert_int_equal(d.scale, 2);
    d = parse_ok("1,234,567", BK_DECIMAL_THOUSANDS);
    assert_int_equal(d.units, 1234567);
    expect_status("4,115.36", 0, BK_DECIMAL_SYNTAX);
    expect_status("41,15.36", BK_DECIMAL_THOUSANDS, BK_DECIMAL_SYNTAX);
    expect_status("4115,360", BK_DECIMAL_THOUSANDS, BK_DECIMAL_SYNTAX);
    expect_status(",115", BK_DECIMAL_THOUSANDS, BK_DECIMAL_SYNTAX);
    expect_status("1,2345", BK_DECIMAL_THOUSANDS, BK_DECIMAL_SYNTAX);
    expect_status("1.234,5", BK_DECIMAL_THOUSANDS, BK_DECIMAL_SYNTAX);
}

static void test_parse_rejects(void **state)
{
    (void)state;
    const char *bad[] = {"1e400", "NaN", "nan", "inf", "--5", "-", "+", ".5", "5.", "1.2.3",
                         "0x10", "5-", "1 2", "１２３", "1e5", "--", "12a"};
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        expect_status(bad[i], 0, BK_DECIMAL_SYNTAX);
    expect_status("", 0, BK_DECIMAL_EMPTY);
    expect_status("   ", BK_DECIMAL_TRIM, BK_DECIMAL_EMPTY);
}

static void test_parse_fullwidth_and_trim(void **state)
{
    (void)state;
    bk_decimal d;
    int fw = 0;
    const char *s = "１２３．４５";
    assert_int_equal(bk_decimal_parse(s, strlen(s), BK_DECIMAL_FULLWIDTH, &d, &fw), BK_DECIMAL_OK);
    assert_int_equal(d.units, 12345);
    assert_int_equal(d.scale, 2);
    assert_int_equal(fw, 1);
    s = "\xe3\x80\x80 -1,000.5 \t";
    assert_int_equal(bk_decimal_parse(s, strlen(s), BK_DECIMAL_TRIM | BK_DECIMAL_THOUSANDS, &d, &fw),
                     BK_DECIMAL_OK);
    assert_int_equal(d.units, -10005);
    assert_int_equal(fw, 0);
}

static void test_overflow(void **state)
{
    (void)state;
    bk_decimal d = parse_ok("9223372036854775807", 0);
    assert_int_equal(d.units, INT64_MAX);
    expect_status("9223372036854775808", 0, BK_DECIMAL_OVERFLOW);
    expect_status("99999999999999999999999", 0, BK_DECIMAL_OVERFLOW);
    expect_status("0.0000000000000000001", 0, BK_DECIMAL_OVERFLOW); /* 19 decimals */
    bk_decimal big = {INT64_MAX, 0}, one = {1, 0}, out;
    assert_int_equal(bk_decimal_add(big, one, &out), BK_DECIMAL_OVERFLOW);
    bk_decimal low = {INT64_MIN, 0};
    assert_int_equal(bk_decimal_sub(low, one, &out), BK_DECIMAL_OVERFLOW);
    /* Rescaling may overflow too: 10^17 at scale 0 to scale 2. */
    bk_decimal e17 = {100000000000000000LL, 0};
    assert_int_equal(bk_decimal_rescale(e17, 2, &out), BK_DECIMAL_OVERFLOW);
    assert_int_equal(bk_decimal_rescale(e17, 1, &out), BK_DECIMAL_OK);
    assert_int_equal(bk_decimal_rescale(parse_ok("1.25", 0), 1, &out), BK_DECIMAL_SYNTAX);
}

static void test_add_sub_align_scales(void **state)
{
    (void)state;
    bk_decimal out;
    assert_int_equal(bk_decimal_add(parse_ok("1128.84", 0), parse_ok("2986.52", 0), &out), 0);
    assert_int_equal(out.units, 411536);
    assert_int_equal(bk_decimal_add(parse_ok("332", 0), parse_ok("0.5", 0), &out), 0);
    assert_int_equal(out.units, 3325);
    assert_int_equal(out.scale, 1);
    assert_int_equal(bk_decimal_sub(parse_ok("840.75", 0), parse_ok("1058.45", 0), &out), 0);
    assert_int_equal(out.units, -21770);
}

static void test_cmp(void **state)
{
    (void)state;
    assert_true(bk_decimal_cmp(parse_ok("0.1", 0), parse_ok("0.10", 0)) == 0);
    assert_true(bk_decimal_cmp(parse_ok("-1", 0), parse_ok("0.001", 0)) < 0);
    assert_true(bk_decimal_cmp(parse_ok("9223372036854775807", 0),
                               parse_ok("922337203685477580.7", 0)) > 0);
    bk_decimal min = {INT64_MIN, 0}, tiny = {INT64_MIN, 18};
    assert_true(bk_decimal_cmp(min, tiny) < 0);
}

static void test_format(void **state)
{
    (void)state;
    char buf[BK_DECIMAL_BUFSIZE];
    struct { const char *in; int grouped; const char *out; } cases[] = {
        {"4115.36", 1, "4,115.36"}, {"4115.36", 0, "4115.36"}, {"332", 1, "332"},
        {"0.05", 0, "0.05"}, {"-0.05", 0, "-0.05"}, {"-217.70", 0, "-217.70"},
        {"1234567", 1, "1,234,567"}, {"100.000", 1, "100.000"}, {"0", 0, "0"},
        {"-9223372036854775808", 1, "-9,223,372,036,854,775,808"}};
    for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
        bk_decimal d;
        if (strcmp(cases[i].in, "-9223372036854775808") == 0)
            d = (bk_decimal){INT64_MIN, 0};
        else
            d = parse_ok(cases[i].in, 0);
        bk_decimal_format(d, cases[i].grouped, buf, sizeof buf);
        assert_string_equal(buf, cases[i].out);
    }
    bk_decimal d = {INT64_MIN, 18};
    bk_decimal_format(d, 0, buf, sizeof buf);
    assert_string_equal(buf, "-9.223372036854775808");
}

static void test_percent(void **state)
{
    (void)state;
    bk_decimal out;
    /* Table 5: 增减幅 = 310.02 / 2676.50 × 100 = 11.583... → 11.58 */
    assert_int_equal(bk_decimal_percent(parse_ok("310.02", 0), parse_ok("2676.50", 0), 2, &out), 0);
    assert_int_equal(out.units, 1158);
    assert_int_equal(bk_decimal_percent(parse_ok("-217.70", 0), parse_ok("1058.45", 0), 2, &out), 0);
    assert_int_equal(out.units, -2057);
    assert_int_equal(bk_decimal_percent(parse_ok("1", 0), parse_ok("8", 0), 2, &out), 0);
    assert_int_equal(out.units, 1250); /* 12.50 */
    assert_int_equal(bk_decimal_percent(parse_ok("1", 0), parse_ok("0.00", 0), 2, &out),
                     BK_DECIMAL_SYNTAX);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_parse_keeps_printed_scale), cmocka_unit_test(test_parse_thousands),
        cmocka_unit_test(test_parse_rejects), cmocka_unit_test(test_parse_fullwidth_and_trim),
        cmocka_unit_test(test_overflow), cmocka_unit_test(test_add_sub_align_scales),
        cmocka_unit_test(test_cmp), cmocka_unit_test(test_format), cmocka_unit_test(test_percent),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
