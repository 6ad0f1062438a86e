/* The command line's message catalogue: every Chinese message has the conversions of its
 * English key, and library messages are translated with their variable parts kept. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <string.h>

#include <cmocka.h>

#include "messages.h"

/* The messages in English again after a test that turned Chinese on, whether it passed or not. */
static int english_again(void **state)
{
    (void)state;
    msg_zh = 0;
    return 0;
}

static void catalogue_is_consistent(void **state)
{
    (void)state;
    assert_null(msg_catalogue_problem());
}

static void translates_with_variable_parts(void **state)
{
    (void)state;
    char out[256];
    msg_zh = 1;
    msg_translate("limit max-cells: \"lots\" is not a number", out, sizeof out);
    assert_string_equal(out, "限制 max-cells：“lots”不是数字");
    msg_translate("no output format called \"pdf\" (available: json, xml)", out, sizeof out);
    assert_string_equal(out, "没有名为“pdf”的输出格式（可用：json, xml）");
    msg_translate("a message nobody translated", out, sizeof out);
    assert_string_equal(out, "a message nobody translated");
    assert_string_equal(msg("unknown option"), "未知选项");
    msg_zh = 0;
    msg_translate("no such file or folder", out, sizeof out);
    assert_string_equal(out, "no such file or folder");
    assert_string_equal(msg("unknown option"), "unknown option");
}

static void truncates_safely(void **state)
{
    (void)state;
    char out[8];
    msg_zh = 1;
    msg_translate("cannot read: Permission denied", out, sizeof out);
    assert_true(strlen(out) < sizeof out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(catalogue_is_consistent),
        cmocka_unit_test_teardown(translates_with_variable_parts, english_again),
        cmocka_unit_test_teardown(truncates_safely, english_again),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
