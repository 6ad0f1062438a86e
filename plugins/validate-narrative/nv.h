/* The narrative validator: what the 说明 text states, read into figures, and where the tables
 * print the same figures. */
#ifndef BK_NARRATIVE_NV_H
#define BK_NARRATIVE_NV_H

#include <stddef.h>

#include "budgetkit/budgetkit.h"

/* ---- reading the text (scan.c) ---- */

typedef enum nv_unit { NV_YUAN = 0, NV_WAN, NV_YI, NV_PERCENT } nv_unit;

typedef enum nv_role {
    NV_LEVEL = 0, /* an amount of something: "项目支出2,986.52万元" */
    NV_CHANGE,    /* the amount of a change: "增加316.86万元", "持平" (0) */
    NV_RATE,      /* a percentage of change: "增长8.3%" */
    NV_PREVIOUS,  /* last year's figure stated inside a comparison: "与2024年预算一致0万元" */
    NV_OTHER      /* a threshold or limit ("100万元以上", "≤103万元"): never checked */
} nv_role;

typedef struct nv_fig {
    size_t start, end; /* bytes of the sentence holding the figure and its unit */
    bk_decimal value;  /* as stated, in its own unit */
    bk_decimal wan;    /* in 万元, exact (亿元 ×10⁴, 元 ÷10⁴) */
    int unit;          /* nv_unit */
    int role;          /* nv_role */
    int sign;          /* for changes and rates: +1 增, -1 减, 0 持平 or not said */
    int zero_word;     /* a change stated as 持平 / 一致 / 相同, with no figure */
    size_t subj_start; /* where the words naming it begin (after the previous clause mark) */
} nv_fig;

typedef struct nv_sentence {
    size_t start, end; /* bytes of the part's normalised text */
    size_t item;       /* index of the list item or paragraph it belongs to */
    size_t fig0, nfig; /* its figures in the part's list */
} nv_sentence;

typedef struct nv_part {
    const char *title;
    char *text; /* normalised: full-width digits, blanks, broken lines */
    size_t len;
    nv_sentence *sent;
    size_t nsent, capsent;
    nv_fig *fig;
    size_t nfig, capfig;
} nv_part;

/* Normalise and split one narrative part. BK_E_NOMEM on allocation failure. */
bk_status nv_part_read(nv_part *p, const char *title, const char *text);
void nv_part_free(nv_part *p);

/* Does s[0..len) hold word (UTF-8) */
int nv_has(const char *s, size_t len, const char *word);
/* Position of the last occurrence of word in s[0..len), or -1. */
long nv_find_last(const char *s, size_t len, const char *word);
long nv_find(const char *s, size_t len, const char *word);

/* ---- where the tables print a figure (figures.c) ---- */

typedef struct nv_cell {
    const bk_table *table;
    size_t row, col;
    bk_decimal value; /* in the document's money unit; several columns summed when needed */
    const char *label;  /* what the figure is, for messages: "三公经费" */
} nv_cell;

/* Concepts the text names and the tables carry. */
typedef enum nv_concept {
    NV_C_NONE = 0,
    NV_C_ADMIN,      /* 机关运行经费 */
    NV_C_VEHICLE,    /* 公务用车购置及运行维护费 */
    NV_C_PURCHASE,   /* 公务用车购置费 */
    NV_C_OPERATION,  /* 公务用车运行维护费 */
    NV_C_ABROAD,     /* 因公出国（境）费 */
    NV_C_RECEPTION,  /* 公务接待费 */
    NV_C_SANGONG,    /* 三公经费 */
    NV_C_PROCUREMENT,/* 政府采购 */
    NV_C_BASIC,      /* 基本支出 */
    NV_C_WAGES,      /* 人员支出 / 工资福利支出 */
    NV_C_PERSONNEL,  /* 人员经费 (a column of its own where printed) */
    NV_C_PUBLIC,     /* 公用经费 / 商品和服务支出 */
    NV_C_FAMILY,     /* 对个人和家庭的补助 */
    NV_C_PROJECT,    /* 项目支出 */
    NV_C_GENERAL,    /* 一般公共预算 */
    NV_C_FUND,       /* 政府性基金 */
    NV_C_SOE,        /* 国有资本经营 */
    NV_C_FISCAL,     /* 财政拨款 */
    NV_C_INCOME,     /* 收入总计 */
    NV_C_EXPENSE,    /* 支出总计 */
    NV_C_COUNT
} nv_concept;

/* The concept named by the words s[0..len), NV_C_NONE when none (or another kind of income). */
nv_concept nv_concept_of(const char *s, size_t len);
const char *nv_concept_label(nv_concept c);

/* The cell carrying the concept's current-year figure. 0 when no table carries it. */
int nv_concept_cell(const bk_doc *doc, nv_concept c, nv_cell *out);
/* The concept's previous-year figure and printed change, where a table prints them (三公). */
int nv_concept_previous(const bk_doc *doc, nv_concept c, nv_cell *prev, nv_cell *change);

/* A project row (a row of a table keyed by project) whose name ends the words s[0..len). */
int nv_project_cell(const bk_doc *doc, const char *s, size_t len, nv_cell *cur, nv_cell *prev,
                    nv_cell *change);

/* A functional classification row by code, or by the names of its 类, 款 and 项. */
typedef struct nv_code_query {
    char code[8];         /* digits stated, "" when none */
    char names[3][128];   /* 类, 款, 项 names as stated ("" when not) */
    int levels;           /* 1..3 */
} nv_code_query;
typedef struct nv_code_match {
    nv_cell cell;
    int found;
    int tables;                /* the document has a functional classification table */
    int name_level;            /* level whose stated name differs from the printed one, -1 */
    const char *printed_name;  /* the name the table prints at that level */
} nv_code_match;
void nv_code_find(const bk_doc *doc, const nv_code_query *q, nv_code_match *m);

/* The department's row (or the only unit's) of a table, -1 when none. */
long nv_department_row(const bk_doc *doc, const bk_table *t);

/* ---- rules (checks.c) and findings (emit.c) ---- */

typedef struct nv_run {
    bk_validation *job;
    const bk_doc *doc;
    int strict;
    int table_wan; /* the document's tables are in 万元 (else 元) */
    bk_strbuf en, zh, parts, quote, fig;
    bk_status status;
} nv_run;

/* One finding about a sentence of a part; cell may be NULL. */
typedef struct nv_report {
    const char *rule;
    bk_severity severity;
    const nv_part *part;
    const nv_sentence *sent;
    const nv_fig *fig; /* the figure to highlight, may be NULL */
    const nv_cell *cell;
    int has_values;
    bk_decimal expected, actual, difference, bound;
    const char *parts;
} nv_report;
void nv_emit(nv_run *run, const nv_report *r);

bk_status nv_check_part(nv_run *run, nv_part *p);
bk_status nv_check_tables(nv_run *run);

/* Exact helpers. */
/* A table figure in the document's money unit, expressed in 万元. */
bk_decimal nv_to_wan(const nv_run *run, bk_decimal table_value);
/* |a - b| */
bk_decimal nv_absdiff(bk_decimal a, bk_decimal b);

#endif
