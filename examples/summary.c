/* A program using the installed library: print the grand total of every budget in a file.
 *
 *   cc summary.c $(pkg-config --cflags --libs budgetkit) -o summary
 *   ./summary budget.json
 */
#include <stdio.h>

#include <budgetkit/budgetkit.h>

static bk_status print_total(bk_doc *doc, void *user, bk_error *err)
{
    (void)user;
    (void)err;
    bk_summary s;
    bk_doc_summary(doc, &s);
    char total[BK_DECIMAL_BUFSIZE] = "-";
    if (s.has_grand_total)
        bk_decimal_format(s.grand_total, 1, total, sizeof total);
    printf("%s %d: %s %s, %zu tables\n", s.department, s.fiscal_year, total, s.money_unit,
           s.tables);
    return BK_OK;
}

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: %s BUDGET\n", argv[0]);
        return 2;
    }
    bk_ctx *ctx = bk_ctx_new();
    if (!ctx)
        return 2;
    bk_error err;
    bk_error_clear(&err);
    int rc = 0;
    if (bk_ctx_load_plugins(ctx, &err) != BK_OK ||
        bk_read(ctx, argv[1], NULL, print_total, NULL, &err) != BK_OK) {
        char msg[1024];
        bk_error_format(&err, msg, sizeof msg);
        fprintf(stderr, "%s\n", msg);
        rc = 2;
    }
    bk_ctx_free(ctx);
    return rc;
}
