/* The growing string: pieces appended in order, decimals as held, magnitudes, clearing, and an
 * allocation failure that marks the text failed instead of losing what was there. */
#include "bktest.h"

static bk_decimal dec(const char *s)
{
    bk_decimal d;
    assert_int_equal(bk_decimal_parse(s, strlen(s), 0, &d, NULL), BK_DECIMAL_OK);
    return d;
}

static void test_pieces(void **state)
{
    (void)state;
    bk_strbuf b = {0};
    assert_string_equal(bk_strbuf_str(&b), "");
    bk_strbuf_add(&b, "表%s第%d行：", "T07", 3);
    bk_strbuf_dec(&b, dec("-1242.10"));
    bk_strbuf_add(&b, " / ");
    bk_strbuf_abs(&b, dec("-0.005"));
    bk_strbuf_add(&b, " / ");
    bk_strbuf_abs(&b, dec("7"));
    assert_string_equal(bk_strbuf_str(&b), "表T07第3行：-1242.10 / 0.005 / 7");
    assert_int_equal(b.len, strlen(b.s));
    assert_false(b.failed);
    bk_strbuf_clear(&b);
    assert_string_equal(bk_strbuf_str(&b), "");
    assert_int_equal(b.len, 0);
    bk_strbuf_add(&b, "%s", "again");
    assert_string_equal(bk_strbuf_str(&b), "again");
    bk_strbuf_free(&b);
    assert_null(b.s);
    assert_int_equal(b.cap, 0);
}

static void test_allocation_failure(void **state)
{
    (void)state;
    bk_strbuf b;
    bk_strbuf_init(&b);
    bk_strbuf_add(&b, "kept");
    char big[256];
    memset(big, 'x', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    bk_alloc_fail_at(1);
    bk_strbuf_add(&b, "%s", big);
    int failed = bk_alloc_failed();
    bk_alloc_fail_at(0);
    assert_true(failed);
    assert_true(b.failed);
    assert_string_equal(bk_strbuf_str(&b), "kept");
    bk_strbuf_add(&b, "more"); /* nothing is added after a failure */
    assert_string_equal(bk_strbuf_str(&b), "kept");
    bk_strbuf_free(&b);
    assert_false(b.failed);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_pieces),
        cmocka_unit_test(test_allocation_failure),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
