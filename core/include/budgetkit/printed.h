/* How the published tables print: the words and marks the layout engine reads (bk_grid_import)
 * and the writers that render a document as printed tables (the CSV wide writer, the workbook
 * writer) agree on, so that what one writes the other reads back. */
#ifndef BUDGETKIT_PRINTED_H
#define BUDGETKIT_PRINTED_H

#include <stddef.h>

#include "api.h"
#include "model.h"
#include "template.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Labels of the lines around a table and of its parts. */
#define BK_PRINTED_UNIT_NAME "单位名称"
#define BK_PRINTED_MONEY_UNIT "单位"
#define BK_PRINTED_NOTE "备注"
#define BK_PRINTED_INCOME "收入"
#define BK_PRINTED_EXPENDITURE "支出"
#define BK_PRINTED_PERF_UNIT "部门（单位）名称"
#define BK_PRINTED_SUPERVISOR "主管部门"
#define BK_PRINTED_GOALS "年度总体目标"
#define BK_PRINTED_INDICATORS "年度绩效指标"
#define BK_PRINTED_SELF_SUFFIX "(本级)"
#define BK_PRINTED_INDENT "\xe3\x80\x80" /* U+3000, one level of indentation */

/* A name whose own text starts or ends with blanks (which a reader would take for indentation
 * or trim) or starts with ' is written after a ' (after the indentation): the engine keeps the
 * text after such a ' as it is. */
#define BK_PRINTED_VERBATIM '\''
/* 1 when name must be written after BK_PRINTED_VERBATIM. */
BK_API int bk_printed_name_marked(const char *name);

/* What a key column holds, from its header (预算单位, …编码/…代码, a name). */
enum { BK_PRINTED_KEY_NAME = 0, BK_PRINTED_KEY_UNIT, BK_PRINTED_KEY_CODE };
BK_API int bk_printed_key_role(const char *header);

/* The printed shape of a template: which key column holds what, and the header's depth. */
typedef struct bk_printed_shape {
    const bk_template *tpl;
    int unit_col, code_col, name_col; /* index among the key columns, -1 when absent */
    size_t depth;                     /* header rows of the value columns */
} bk_printed_shape;
BK_API void bk_printed_shape_of(const bk_template *tpl, bk_printed_shape *s);

/* How printed labels read. */
/* Leading U+3000 count of s (and how many bytes they take). */
BK_API size_t bk_printed_indent(const char *s, size_t len, size_t *bytes);
/* s without ASCII blanks and U+3000 at both ends. */
BK_API void bk_printed_trim(const char **s, size_t *len);
/* Whether s is blanks only. */
BK_API int bk_printed_blank(const char *s, size_t len);
/* Whether label s starts with word (ignoring blanks, brackets folded), followed by a ':' or
 * '：' when need_colon; *rest (may be NULL) receives what follows, after any colon. */
BK_API int bk_printed_starts(const char *s, const char *word, int need_colon, const char **rest);
/* Whether a unit name ends with (本级) or （本级）; *base_len receives the length before it. */
BK_API int bk_printed_is_self(const char *name, size_t *base_len);
/* Row kind a printed name implies: 其中… → of, …合计 / …总计 → total, else item. */
BK_API bk_row_kind bk_printed_kind_of(const char *name);
/* Label comparison that also accepts a different four-digit year (2024年预算数 ~ 2025年预算数). */
BK_API int bk_printed_label_match(const char *a, const char *b, int years_too);

#ifdef __cplusplus
}
#endif

#endif
