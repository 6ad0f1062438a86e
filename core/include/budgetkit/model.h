/* The canonical budget model: one department, one fiscal year, its units, its tables.
 *
 * A document owns every string it holds (interned in its own pool) and every table. The
 * structures below are read directly by exporters and validators; build and change them only
 * through the functions, which keep the invariants (interned strings, cells sized to the
 * template). They belong to ABI major version 1. */
#ifndef BUDGETKIT_MODEL_H
#define BUDGETKIT_MODEL_H

#include "api.h"

#include <stddef.h>
#include <stdint.h>

#include "decimal.h"
#include "error.h"
#include "template.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bk_cell_kind {
    BK_CELL_EMPTY = 0, /* printed blank */
    BK_CELL_NUMBER,    /* amount or percent: v.units at scale */
    BK_CELL_TEXT       /* v.text, interned in the document */
} bk_cell_kind;

/* 16 bytes: bulk jobs hold millions. */
typedef struct bk_cell {
    union {
        int64_t units;
        const char *text;
    } v;
    uint8_t kind;  /* bk_cell_kind */
    uint8_t scale; /* decimals as printed */
    uint8_t reserved[6];
} bk_cell;

static inline bk_decimal bk_cell_decimal(const bk_cell *c)
{
    bk_decimal d = {c->v.units, c->scale};
    return d;
}

typedef enum bk_row_kind {
    BK_ROW_ITEM = 0, /* a classified line: code, project, item, year, task */
    BK_ROW_UNIT,     /* a unit's summary row */
    BK_ROW_TOTAL,    /* a printed total line (本年收入合计, 金额合计...) */
    BK_ROW_OF        /* a 其中 line: a subset of the row above, never summed */
} bk_row_kind;

/* Deepest hierarchy level a row may declare. */
#define BK_MAX_LEVEL 9

/* Most columns one table may have, printed or defined by a document: every reader refuses a
 * wider one (BK_E_LIMIT), so that what one reader makes every other reads back. */
#define BK_MAX_COLUMNS 4096

typedef struct bk_row {
    const char *name;    /* label as printed; interned; never NULL ("" when blank) */
    const char *code;    /* classification code, NULL when none */
    const char *section; /* part of the table, NULL when none */
    uint32_t line;       /* line in the source file, 0 when unknown */
    uint16_t unit;       /* index into the document's units */
    uint8_t kind;        /* bk_row_kind */
    uint8_t level;       /* hierarchy depth printed by indentation, 0 when not given */
} bk_row;

typedef struct bk_table {
    const bk_template *tpl;
    const char *unit_label; /* printed 单位名称 line, NULL when none */
    const char *note;       /* printed 备注 line, NULL when none */
    size_t nrows;
    bk_row *rows;
    bk_cell *cells; /* nrows * tpl->ncolumns, row-major */
    size_t cap;
    const char *money_unit; /* the unit this table prints, when not the document's; else NULL */
    /* File the table was read from when it is not the document's own (a table merged in from
     * another input); its rows' lines count in that file. NULL: the document's source. */
    const char *source;
} bk_table;

static inline bk_cell *bk_table_cell(const bk_table *t, size_t row, size_t col)
{
    return &t->cells[row * t->tpl->ncolumns + col];
}

typedef enum bk_unit_kind { BK_UNIT_DEPARTMENT = 0, BK_UNIT_SELF, BK_UNIT_SUBUNIT } bk_unit_kind;

typedef struct bk_unit {
    const char *id;
    const char *name;
    int kind;   /* bk_unit_kind */
    int parent; /* index of the parent unit, -1 for none */
} bk_unit;

typedef struct bk_indicator {
    const char *level1, *level2, *level3, *target;
} bk_indicator;

typedef struct bk_text_part {
    const char *title, *text;
} bk_text_part;

typedef struct bk_performance {
    int present;
    const char *unit_name, *supervisor, *period; /* NULL when absent */
    size_t ngoals;
    const char **goals;
    size_t nindicators;
    bk_indicator *indicators;
} bk_performance;

/* Who publishes the data and under what terms (formats/document.md, "Publication"): set by
 * the publisher (--option publisher=...), carried by JSON and XML. Each NULL when not given. */
typedef struct bk_publication {
    const char *publisher;   /* the body publishing the data */
    const char *source;      /* where the figures come from, as text */
    const char *source_path; /* the same as a URL */
    const char *license;     /* an SPDX licence identifier (CC-BY-4.0) */
} bk_publication;

typedef struct bk_doc {
    int fiscal_year;
    const char *dept_name;
    const char *dept_code;  /* NULL when none */
    const char *money_unit; /* "万元" or "元" */
    int precision;
    size_t nunits;
    bk_unit *units;
    size_t ntables;
    bk_table **tables; /* in template order (by template number, then id) */
    bk_performance performance;
    size_t nnarrative;
    bk_text_part *narrative;
    const char *source; /* file (and archive entry) it was read from, NULL when none */
    struct bk_doc_private *priv;
    bk_publication publication; /* appended in ABI 1.1 */
} bk_doc;

/* The file a finding about table t of doc names: where the table's rows were read. */
static inline const char *bk_table_source(const bk_doc *doc, const bk_table *t)
{
    return t->source ? t->source : doc->source;
}

BK_API bk_doc *bk_doc_new(void);
BK_API void bk_doc_free(bk_doc *doc);

/* From inside a bk_doc_fn callback (context.h): keep the document after the callback returns;
 * the caller then owns it and frees it with bk_doc_free. */
BK_API void bk_doc_keep(bk_doc *doc);
BK_API int bk_doc_is_kept(const bk_doc *doc);

/* Intern a string in the document's pool; returns a pointer stable for the document's life
 * (equal strings give the same pointer), NULL when out of memory. */
BK_API const char *bk_doc_intern(bk_doc *doc, const char *s, size_t len);
BK_API const char *bk_doc_intern_cstr(bk_doc *doc, const char *s);

/* Setters intern their strings. All return BK_OK or BK_E_NOMEM / BK_E_CONTENT. */
BK_API bk_status bk_doc_set_department(bk_doc *doc, const char *name, const char *code);
BK_API bk_status bk_doc_set_source(bk_doc *doc, const char *source);
/* The document's facts, one rule each, the same for every reader: a fiscal year from 1900 to
 * 9999, a money unit of 万元 or 元, a precision of 0 to BK_DECIMAL_MAX_SCALE decimals. A value
 * outside its rule gives BK_E_CONTENT with err saying which (the reader adds where it read
 * it) and leaves the document as it was; else BK_OK (or BK_E_NOMEM for the unit). */
BK_API bk_status bk_doc_set_year(bk_doc *doc, long year, bk_error *err);
BK_API bk_status bk_doc_set_money_unit(bk_doc *doc, const char *unit, bk_error *err);
BK_API bk_status bk_doc_set_precision(bk_doc *doc, long precision, bk_error *err);
/* Set the publication fields that are not NULL in pub (an empty string clears one). A licence
 * must read as an SPDX identifier (letters, digits, '.', '-', '+', at most 64 bytes) and no
 * field may hold a control character: BK_E_CONTENT with err saying which, else BK_OK or
 * BK_E_NOMEM. */
BK_API bk_status bk_doc_set_publication(bk_doc *doc, const bk_publication *pub, bk_error *err);
/* The power of ten a printed money unit stands for (元 0, 千元 3, 万元 4, 亿元 8: SDMX's
 * UNIT_MULT), -1 for anything else. Every unit is an amount of CNY (ISO 4217). */
BK_API int bk_money_unit_mult(const char *unit);
BK_API bk_status bk_doc_add_unit(bk_doc *doc, const char *id, const char *name, bk_unit_kind kind,
                          const char *parent_id, bk_error *err);
BK_API int bk_doc_find_unit(const bk_doc *doc, const char *id); /* index or -1 */
/* The first unit whose name reads as `name` (bk_label_equal: printed tables space and bracket
 * names at will), or -1. Indexed: readers call it for every printed row. */
BK_API int bk_doc_find_unit_named(const bk_doc *doc, const char *name);
/* First unit of the given kind, or -1. */
BK_API int bk_doc_unit_of_kind(const bk_doc *doc, bk_unit_kind kind);

/* A layout the document defines itself and owns: a known table with printed columns its
 * template lacks (base, then the extra columns, ids extra_1, extra_2...), or a table no layout
 * knows (base NULL: a generic table, all columns extra). Tables made with it carry its columns
 * through every format. NULL when out of memory. */
BK_API const bk_template *bk_doc_define_template(bk_doc *doc, const bk_template *base, const char *id,
                                          const char *title, const bk_column *extra,
                                          size_t nextra);
/* Columns a document defines, gathered by a reader one column and one label at a time (XML's
 * <column>s, line items' "column" records) before the table they belong to is made. */
typedef struct bk_column_list bk_column_list;
BK_API bk_column_list *bk_column_list_new(void); /* NULL when out of memory */
BK_API void bk_column_list_free(bk_column_list *l);
BK_API void bk_column_list_clear(bk_column_list *l);
BK_API size_t bk_column_list_count(const bk_column_list *l);
/* The column added last, NULL when none. */
BK_API const bk_column *bk_column_list_last(const bk_column_list *l);
/* A column after the others (ids and labels are copied). One of base's columns or one added
 * before is BK_E_CONTENT, more than BK_MAX_COLUMNS BK_E_LIMIT, with err's message saying so
 * ("column \"col_1\" is defined twice"); the reader adds the place. */
BK_API bk_status bk_column_list_add(bk_column_list *l, const bk_template *base, const char *id,
                                    int type, bk_error *err);
/* A header label of the last column, below its others; at most 8 (BK_E_CONTENT). */
BK_API bk_status bk_column_list_label(bk_column_list *l, const char *label, bk_error *err);
/* bk_doc_define_template with the listed columns: base's columns then these, or a table no
 * layout knows (base NULL) with its title. NULL when out of memory. */
BK_API const bk_template *bk_column_list_define(const bk_column_list *l, bk_doc *doc,
                                                const bk_template *base, const char *id,
                                                const char *title);

/* Columns of a template that are not extra_N columns. */
BK_API int bk_template_base_columns(const bk_template *tpl);
/* The first column a format writes out for a layout the document defines: its extra columns
 * after the template's, or every column of a table no layout knows (*generic set: its title
 * too); ncolumns when the document defines none. */
BK_API size_t bk_template_defined_from(const bk_template *tpl, int *generic);

/* The table with this template in the document, NULL when absent. */
BK_API bk_table *bk_doc_table(const bk_doc *doc, const char *template_id);
/* Add (or return the existing) table for the template. NULL when out of memory. */
BK_API bk_table *bk_doc_add_table(bk_doc *doc, const bk_template *tpl);

BK_API bk_status bk_table_set_labels(bk_doc *doc, bk_table *t, const char *unit_label, const char *note);
/* The table's own money unit (万元 in a 元 document); NULL or the document's unit clears it. */
BK_API bk_status bk_table_set_money_unit(bk_doc *doc, bk_table *t, const char *unit);
/* Append a row with all cells empty; returns its index or -1 when out of memory or limits. */
BK_API long bk_table_add_row(bk_doc *doc, bk_table *t, bk_row_kind kind, int unit, const char *section,
                      const char *code, const char *name, int level, uint32_t line);
BK_API bk_status bk_table_set_number(bk_table *t, size_t row, size_t col, bk_decimal d);
BK_API bk_status bk_table_set_text(bk_doc *doc, bk_table *t, size_t row, size_t col, const char *text,
                            size_t len);

BK_API bk_status bk_doc_set_performance(bk_doc *doc, const char *unit_name, const char *supervisor,
                                 const char *period);
BK_API bk_status bk_doc_add_goal(bk_doc *doc, const char *text);
BK_API bk_status bk_doc_add_indicator(bk_doc *doc, const char *l1, const char *l2, const char *l3,
                               const char *target);
BK_API bk_status bk_doc_add_narrative(bk_doc *doc, const char *title, const char *text);

/* Structural checks every importer runs before handing a document over: required fields,
 * exactly one department unit, rows referring to existing units, amounts in amount columns. */
BK_API bk_status bk_doc_check(const bk_doc *doc, bk_error *err);

/* Exact equality of two documents (for round-trip tests); on difference, describes the first
 * one in diff (may be NULL). Source and line numbers are not compared. */
BK_API int bk_doc_equal(const bk_doc *a, const bk_doc *b, char *diff, size_t cap);

/* Parts of one budget: the same department, fiscal year, money unit and units, holding
 * different tables (as when each published table arrives in a file of its own). */
BK_API int bk_doc_mergeable(const bk_doc *into, const bk_doc *from);
/* Copy from's tables, performance targets and narrative into `into` (mergeable documents). */
BK_API bk_status bk_doc_merge(bk_doc *into, const bk_doc *from, bk_error *err);

/* Number of cells that hold a value, over all tables. */
BK_API size_t bk_doc_cell_count(const bk_doc *doc);

/* Names for enums, as used in every serialisation. */
BK_API const char *bk_row_kind_name(bk_row_kind kind);
BK_API int bk_row_kind_parse(const char *s); /* -1 when unknown */
BK_API const char *bk_unit_kind_name(bk_unit_kind kind);
BK_API int bk_unit_kind_parse(const char *s);

#ifdef __cplusplus
}
#endif
#endif
