/* Table templates: the layout of a standard table, loaded from data files (formats/layouts/FAMILY). */
#ifndef BUDGETKIT_TEMPLATE_H
#define BUDGETKIT_TEMPLATE_H

#include "api.h"

#include <stddef.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bk_column_type { BK_COL_AMOUNT = 0, BK_COL_PERCENT, BK_COL_TEXT } bk_column_type;
/* "amount", "percent" or "text", as layouts and documents write a column's type. */
BK_API const char *bk_column_type_name(int type);
/* The type s names (NULL or "": amount, the default), or -1. */
BK_API int bk_column_type_parse(const char *s);

/* Which side of a two-sided table prints a column: both (the default), or one only, when the
 * sides print different columns (收入 项目 | 预算数 beside 支出 项目 | 合计 | 一般公共预算 ...). */
typedef enum bk_column_side {
    BK_SIDE_BOTH = 0,
    BK_SIDE_INCOME,
    BK_SIDE_EXPENDITURE
} bk_column_side;

typedef struct bk_column {
    const char *id;
    const char **path; /* header cells, top row first */
    size_t path_len;
    int type; /* bk_column_type */
    int side;     /* bk_column_side */
    int optional; /* on a side of a two-sided table: printed only by some of its tables (a
                     unit's 基本支出 beside the 预算数 both variants print) */
} bk_column;

typedef struct bk_template {
    const char *id;
    int number;
    const char *title;
    const char **aliases;
    size_t naliases;
    const char *row_key; /* function, economic, project, item, year, task */
    const char **key_headers;
    size_t nkey_headers;
    /* Other printed labels of key headers, in pairs: the key header, then a label that names
     * the same column (部门经济分类科目名称 for 经济分类科目名称). */
    const char **key_aliases;
    size_t nkey_aliases; /* pairs */
    bk_column *columns;
    size_t ncolumns;
    const char *rules_json; /* the template's "rules" array, as compact JSON text */
    const char *file;       /* where it was loaded from */
    /* Layout families (formats/layouts.md). */
    const char *family;           /* the family folder it was loaded from, "" when none */
    int year;                     /* the fiscal year its labels print (2024年预算数), 0 if none */
    const char **label_columns;   /* optional leading label columns (年度主要任务) */
    size_t nlabel_columns;
    const char *money_unit;       /* unit the layout prints its amounts in, NULL when unfixed */
    size_t code_parts;            /* key headers from the first that print the code in parts
                                     (类, 款, 项 → one code), 0 when the code is one cell */
    const char **sides;           /* a two-sided table's side labels (收入, 支出), else NULL */
    size_t nsides;
    int defined;                  /* defined by a document (extra columns, a generic table) */
} bk_template;

typedef struct bk_templates bk_templates;

BK_API bk_templates *bk_templates_new(void);
BK_API void bk_templates_free(bk_templates *set);

/* Load every *.json in dir (sorted by name). A bad file is an error naming it and the place. */
BK_API bk_status bk_templates_load_dir(bk_templates *set, const char *dir, bk_error *err);
/* Load every family of a layout folder: each subfolder (shenzhen/, shanghai/...) holds the
 * *.json templates of one family, whose name the templates take. Ids are unique over all. */
BK_API bk_status bk_templates_load_families(bk_templates *set, const char *dir, bk_error *err);
/* Load one template from memory; name is used in errors. */
BK_API bk_status bk_templates_load_buffer(bk_templates *set, const char *name, const char *data,
                                   size_t len, bk_error *err);

BK_API size_t bk_templates_count(const bk_templates *set);
/* In table order: by number, then id. */
BK_API const bk_template *bk_templates_at(const bk_templates *set, size_t i);
BK_API const bk_template *bk_templates_find(const bk_templates *set, const char *id);
/* Column index by id, or -1. */
BK_API int bk_template_column(const bk_template *tpl, const char *id);

/* Compare printed labels as a reader would: ignoring all whitespace (ASCII and U+3000) and
 * treating full-width brackets, colons and commas like their half-width forms. */
BK_API int bk_label_equal(const char *a, const char *b);
/* Normalise a label into buf the same way (returns the length). */
BK_API size_t bk_label_normalise(const char *s, char *buf, size_t cap);

#ifdef __cplusplus
}
#endif
#endif
