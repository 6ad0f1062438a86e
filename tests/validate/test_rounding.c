/* The rounding rule on its own: bounds, the boundary, equalities, subsets, percentages. */
#include "bktest.h"

#include "rounding.h"

static bk_decimal dec(const char *s)
{
    bk_decimal d;
    assert_int_equal(bk_decimal_parse(s, strlen(s), 0, &d, NULL), BK_DECIMAL_OK);
    return d;
}

static bktot_verdict sum_of(const char *total, const char *const *parts, size_t n, bktot_check *c)
{
    bk_decimal p[16];
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++)
        p[i] = dec(parts[i]);
    bktot_check_sum(dec(total), p, NULL, n, c);
    return c->verdict;
}

/* Like sum_of, for the other checks: the verdict, with the figures in c. */
static bktot_verdict equal_of(const char *printed, const char *other, bktot_check *c)
{
    bktot_check_equal(dec(printed), dec(other), c);
    return c->verdict;
}

static bktot_verdict subset_of(const char *part, const char *whole, bktot_check *c)
{
    bktot_check_subset(dec(part), dec(whole), c);
    return c->verdict;
}

static bktot_verdict percent_of(const char *printed, const char *change, const char *base,
                                bktot_check *c)
{
    bktot_check_percent(dec(printed), dec(change), dec(base), c);
    return c->verdict;
}

/* A percentage whose figures the test does not look at: only its verdict. */
static void expect_percent(const char *printed, const char *change, const char *base,
                           bktot_verdict want)
{
    bktot_check c;
    assert_int_equal(percent_of(printed, change, base, &c), want);
}

/* The figures of a check as printed; NULL: not looked at. */
static void expect_figures(const bktot_check *c, const char *expected, const char *difference,
                           const char *bound)
{
    if (expected)
        assert_dec(c->expected, expected);
    if (difference)
        assert_dec(c->difference, difference);
    if (bound)
        assert_dec(c->bound, bound);
}

static void bound_is_half_unit_times_n_plus_one(void **state)
{
    (void)state;
    assert_dec(bktot_bound(0, 2), "0.005");
    assert_dec(bktot_bound(1, 2), "0.01");
    assert_dec(bktot_bound(2, 2), "0.015");
    assert_dec(bktot_bound(3, 2), "0.02");
    assert_dec(bktot_bound(4, 0), "2.5");
    assert_dec(bktot_bound(9, 2), "0.05");
}

static void exact_sum_is_equal(void **state)
{
    (void)state;
    bktot_check c;
    /* Table 2 of the seed: 小计 = 基本支出拨款 + 履职类 + 财政专项 + 政府投资 (printed "332"). */
    const char *parts[] = {"1128.84", "2654.52", "0.00", "332"};
    assert_int_equal(sum_of("4115.36", parts, 4, &c), BKTOT_EQUAL);
    expect_figures(&c, "4115.36", "0.00", "0.025");
}

/* n = 3 at two decimals: the bound is 0.02; 0.02 is within, 0.03 is not. */
static void boundary_is_included(void **state)
{
    (void)state;
    bktot_check c;
    const char *parts[] = {"1917.00", "1411.42", "332.00"}; /* Σ 3660.42 */
    assert_int_equal(sum_of("3660.44", parts, 3, &c), BKTOT_ROUNDING);
    expect_figures(&c, NULL, "0.02", "0.02");
    assert_int_equal(sum_of("3660.40", parts, 3, &c), BKTOT_ROUNDING);
    assert_dec(c.difference, "-0.02");
    assert_int_equal(sum_of("3660.45", parts, 3, &c), BKTOT_INCONSISTENT);
    assert_int_equal(sum_of("3660.39", parts, 3, &c), BKTOT_INCONSISTENT);
    assert_int_equal(sum_of("3660.42", parts, 3, &c), BKTOT_EQUAL);
}

/* n = 2: 2·|d| ≤ 3 units, so 0.01 is within and 0.02 is not (the bound shows as 0.015). */
static void odd_bound_compares_in_integers(void **state)
{
    (void)state;
    bktot_check c;
    const char *parts[] = {"674.90", "1242.10"};
    assert_int_equal(sum_of("1917.01", parts, 2, &c), BKTOT_ROUNDING);
    assert_int_equal(sum_of("1917.02", parts, 2, &c), BKTOT_INCONSISTENT);
    assert_dec(c.bound, "0.015");
}

/* The comparison scale is the largest among the figures: a part printed with three decimals
 * makes the bound ½·10⁻³·(n + 1). */
static void largest_scale_is_used(void **state)
{
    (void)state;
    bktot_check c;
    const char *coarse[] = {"332", "0.001"};
    assert_int_equal(sum_of("332.00", coarse, 2, &c), BKTOT_ROUNDING);
    assert_int_equal(c.expected.scale, 3);
    expect_figures(&c, NULL, "-0.001", "0.0015");
    const char *fine[] = {"332", "0.004"};
    assert_int_equal(sum_of("332.00", fine, 2, &c), BKTOT_INCONSISTENT);
    assert_dec(c.difference, "-0.004");
}

static void negated_parts_subtract(void **state)
{
    (void)state;
    bktot_check c;
    bk_decimal parts[2] = {dec("2986.52"), dec("2676.50")};
    int neg[2] = {0, 1};
    bktot_check_sum(dec("310.02"), parts, neg, 2, &c);
    assert_int_equal(c.verdict, BKTOT_EQUAL);
    bktot_check_sum(dec("310.12"), parts, neg, 2, &c);
    assert_int_equal(c.verdict, BKTOT_INCONSISTENT);
    expect_figures(&c, "310.02", "0.10", NULL);
}

static void same_figure_twice_must_match_exactly(void **state)
{
    (void)state;
    bktot_check c;
    assert_int_equal(equal_of("4115.36", "4115.36", &c), BKTOT_EQUAL);
    assert_int_equal(equal_of("4115.37", "4115.36", &c), BKTOT_INCONSISTENT);
    assert_dec(c.bound, "0.00");
    /* Printed at two precisions, the coarser one may be rounding. */
    assert_int_equal(equal_of("332.01", "332", &c), BKTOT_ROUNDING);
    assert_dec(c.bound, "0.01");
    assert_int_equal(equal_of("332.02", "332", &c), BKTOT_INCONSISTENT);
}

static void subset_may_not_exceed(void **state)
{
    (void)state;
    bktot_check c;
    assert_int_equal(subset_of("600.00", "674.90", &c), BKTOT_EQUAL);
    assert_int_equal(subset_of("674.90", "674.90", &c), BKTOT_EQUAL);
    assert_int_equal(subset_of("674.91", "674.90", &c), BKTOT_INCONSISTENT);
    assert_int_equal(subset_of("674.901", "674.90", &c), BKTOT_ROUNDING);
}

static void percent_of_the_seed(void **state)
{
    (void)state;
    expect_percent("11.58", "310.02", "2676.50", BKTOT_EQUAL);
    expect_percent("-20.57", "-217.70", "1058.45", BKTOT_EQUAL);
    expect_percent("-100.00", "-267.25", "267.25", BKTOT_EQUAL);
    /* One unit of the last place off, with inputs precise enough to tell. */
    bktot_check c;
    assert_int_equal(percent_of("-20.56", "-217.70", "1058.45", &c), BKTOT_INCONSISTENT);
    expect_figures(&c, "-20.568", "0.008", "0.006");
}

static void percent_base_zero_is_not_computed(void **state)
{
    (void)state;
    bktot_check c;
    assert_int_equal(percent_of("100.00", "332.00", "0.00", &c), BKTOT_BASE_ZERO);
    assert_dec(c.actual, "100.00");
}

/* Tiny inputs carry a wide tolerance: 0.01 / 0.03 may be anything from 14% to 60%. */
static void percent_tolerance_follows_the_inputs(void **state)
{
    (void)state;
    expect_percent("33.33", "0.01", "0.03", BKTOT_EQUAL);
    expect_percent("40.00", "0.01", "0.03", BKTOT_ROUNDING);
    expect_percent("70.00", "0.01", "0.03", BKTOT_INCONSISTENT);
}

static void overflow_is_reported_not_wrapped(void **state)
{
    (void)state;
    bktot_check c;
    bk_decimal big = {INT64_MAX, 0};
    bk_decimal parts[2] = {big, big};
    bktot_check_sum(big, parts, NULL, 2, &c);
    assert_int_equal(c.verdict, BKTOT_OVERFLOW);
    bk_decimal fine = {INT64_MAX, 18};
    bktot_check_sum(fine, parts, NULL, 1, &c);
    assert_int_equal(c.verdict, BKTOT_OVERFLOW);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(bound_is_half_unit_times_n_plus_one),
        cmocka_unit_test(exact_sum_is_equal),
        cmocka_unit_test(boundary_is_included),
        cmocka_unit_test(odd_bound_compares_in_integers),
        cmocka_unit_test(largest_scale_is_used),
        cmocka_unit_test(negated_parts_subtract),
        cmocka_unit_test(same_figure_twice_must_match_exactly),
        cmocka_unit_test(subset_may_not_exceed),
        cmocka_unit_test(percent_of_the_seed),
        cmocka_unit_test(percent_base_zero_is_not_computed),
        cmocka_unit_test(percent_tolerance_follows_the_inputs),
        cmocka_unit_test(overflow_is_reported_not_wrapped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
