/* Internal interface of the "totals" validator: the parts share a run (one document being
 * checked), the finding writer and row selectors. */
#ifndef BK_TOTALS_H
#define BK_TOTALS_H

#include <jansson.h>

#include "budgetkit/budgetkit.h"
#include "identity.h"
#include "rounding.h"
#include "budgetkit/strbuf.h"

/* Rule ids, stable: users filter reports on them. */
#define RULE_COLUMNS_SUM   "totals.columns-sum"
#define RULE_DIFFERENCE    "totals.difference"
#define RULE_PERCENT       "totals.percent"
#define RULE_PERCENT_BASE  "totals.percent-base-zero"
#define RULE_HIERARCHY     "totals.hierarchy"
#define RULE_UNIT_TOTAL    "totals.unit-total"
#define RULE_UNITS_SUM     "totals.units-sum"
#define RULE_ROWS_SUM      "totals.rows-sum"
#define RULE_ROWS_EQUAL    "totals.rows-equal"
#define RULE_ROWS_DIFF     "totals.rows-difference"
#define RULE_OF_ROW        "totals.of-row"
#define RULE_CROSS         "totals.cross-table"
#define RULE_CROSS_ROWS    "totals.cross-table-rows"
#define RULE_SUBMISSION    "totals.submission"
#define RULE_SUBMISSION_UNIT "totals.submission-unit"
#define RULE_OVERFLOW      "totals.overflow"
#define RULE_EXPLAIN_CELL  "explain.likely-cell"
#define RULE_EXPLAIN_NONE  "explain.none"

typedef struct bktot_state bktot_state;

typedef struct bktot_run {
    bk_validation *job;
    const bk_doc *doc;
    bktot_state *state;
    int strict;
    bk_strbuf key, col, en, zh; /* reused buffers for locations and messages */
    bktot_ids *ids;             /* every identity checked, for the explanation */
} bktot_run;

/* Where a finding is. Strings are borrowed; the report copies them. */
typedef struct bktot_where {
    const char *document;
    const char *unit;
    const char *table;
    const char *row;       /* row key as shown: code, else name */
    const char *column;    /* column id */
    const char *column_zh; /* printed header path */
    long line;
} bktot_where;

/* How the comparison is worded. */
typedef enum bktot_style {
    BKTOT_STYLE_SUM,     /* a total against parts */
    BKTOT_STYLE_EQUAL,   /* the same figure printed twice */
    BKTOT_STYLE_PERCENT, /* a recomputed percentage */
    BKTOT_STYLE_SUBSET   /* a 其中 row against its parent */
} bktot_style;

typedef struct bktot_says {
    bktot_style style;
    const char *en; /* "children sum to", "T02 row X column total prints" */
    const char *zh; /* "下级合计为" */
    const char *parts, *parts_zh; /* may be NULL */
    const char *note_en, *note_zh; /* appended in brackets (a cross-table rule's name) */
} bktot_says;

/* Add the finding for a check (nothing for BKTOT_EQUAL). */
bk_status bktot_emit(bk_validation *job, int strict, const char *rule, const bktot_where *w,
                     const bktot_check *c, const bktot_says *says);
/* A finding with a message only (en and zh without the location and the final stop);
 * printed, when not NULL, is the printed figure it is about. */
bk_status bktot_emit_note(bk_validation *job, const char *rule, bk_severity sev,
                          const bktot_where *w, const bk_decimal *printed, const char *en,
                          const char *zh);

/* The location of a cell of a table of the run's document. keybuf and colbuf hold the text. */
void bktot_where_cell(bktot_run *run, const bk_table *t, size_t row, int col, bktot_where *w,
                      bk_strbuf *keybuf, bk_strbuf *colbuf);
/* Row key as shown in reports: code, else name, else "line N" / "row N". */
void bktot_row_key(const bk_table *t, size_t row, bk_strbuf *out);
/* The printed header path of a column, "一般公共预算拨款/小计". */
void bktot_column_header(const bk_template *tpl, int col, bk_strbuf *out);

/* 1 with *out when the cell holds a number. */
int bktot_cell(const bk_table *t, size_t row, int col, bk_decimal *out);

/* Depth of a row in its hierarchy: from the code's length (3/5/7 → 1/2/3) when it has a
 * well-formed code, else the printed level, 0 when neither. */
int bktot_row_depth(const bk_row *r);
int bktot_code_ok(const char *code);

/* Row selectors of the rule language (formats/templates.md). */
typedef struct bktot_selector {
    int kind;  /* bk_row_kind, -1 any */
    int level; /* -1 any */
    const char *section, *name, *code;
    const char *unit; /* "department", "self", a unit id, NULL any */
} bktot_selector;

/* 0, or -1 with a reason in why. */
int bktot_selector_parse(json_t *obj, bktot_selector *s, char *why, size_t cap);
int bktot_selector_match(const bk_doc *doc, const bk_row *r, const bktot_selector *s);

/* Template rules of one table; BK_E_CONTENT (error set) for a rule that cannot apply. */
bk_status bktot_table_rules(bktot_run *run, const bk_table *t);
/* 其中 rows against their parent row, in every table. */
bk_status bktot_of_rows(bktot_run *run, const bk_table *t);

/* Cross-table rules (every .json file in the data folder's rules/), loaded once per job. */
bk_status bktot_cross_load(bktot_state *st, bk_ctx *ctx, bk_error *err);
/* The rules bktot_cross_load kept. */
void bktot_cross_free(bktot_state *st);
bk_status bktot_cross_rules(bktot_run *run);

/* After the checks of a document: the cells that explain its inconsistent identities. */
bk_status bktot_explain(bktot_run *run);

/* Cross-document rules: remember the unit rows of each document, compare them at the end. */
bk_status bktot_submission_record(bktot_run *run);
bk_status bktot_submission_check(bk_validation *job, bktot_state *st, int strict);

/* The job's state (created on first use). */
bktot_state *bktot_state_get(bk_validation *job);

/* Parts of the state the other files use. */
typedef struct bktot_xrules {
    json_t *rules; /* array of rule objects */
    char *file;
} bktot_xrules;

/* A column of a table as the submission check tells columns apart: its template by family and
 * id, the column's index, id and printed header. Kept as text, so that a template a document
 * defined (freed with the document) and a column read back from a partial file are the same
 * thing. */
typedef struct bktot_colkey {
    char *ident;  /* family, table, index, id and header joined by 0x1f: the identity */
    char *family, *table, *column, *header; /* point into one allocation */
    int col;
} bktot_colkey;

/* One figure of a unit row of the document being written to a partial file. */
typedef struct bktot_unitval {
    size_t key;  /* index into the state's column keys */
    size_t unit; /* index into the document's units */
    int is_dept;
    bk_decimal value;
    long line;
} bktot_unitval;

/* Text kept until the end of the job, in large blocks: no allocation per string. */
typedef struct bktot_arena {
    char **blocks;
    size_t nblocks, capblocks;
    char *at; /* free space of the last block */
    size_t left;
} bktot_arena;

/* A department of a fiscal year. Groups are numbered in the order of their first document,
 * which is the order their findings come out in. */
typedef struct bktot_group {
    const char *dept;    /* normalised name, in the arena */
    uint64_t head, tail; /* its first and last recorded document: offset + 1 in docs, 0 none */
    uint32_t first_unit; /* its first unit name: the others are numbered from it */
    int32_t year;
} bktot_group;

/* A unit's name as one of a department's documents prints it. */
typedef struct bktot_unitname {
    const char *printed;
    const char *norm; /* the same pointer when normalising changes nothing */
    uint32_t group;
} bktot_unitname;

/* The columns of the document being recorded, by template: keys[c] + 1, 0 not yet known. */
typedef struct bktot_keycache {
    const bk_template *tpl;
    size_t *keys;
} bktot_keycache;

/* An index over entries numbered 0 to n - 1 that are kept elsewhere, by a hash of each: open
 * addressing, a slot holding an entry's number + 1 (0 when empty), at most half full. */
typedef struct bktot_index {
    uint32_t *slots;
    size_t nslots;
} bktot_index;

/* Room for one entry more than the n there are, placing those again by hash_at(ctx, k) when the
 * slots grow: 0, or -1 out of memory (or n too large to number). */
int bktot_index_reserve(bktot_index *ix, size_t n, uint64_t (*hash_at)(const void *ctx, size_t k),
                        const void *ctx);
/* The entry of hash h for which is(ctx, k) holds: its number + 1, or 0 when there is none. */
size_t bktot_index_find(const bktot_index *ix, uint64_t h, int (*is)(const void *ctx, size_t k),
                        const void *ctx);
/* Entry k, of hash h, after bktot_index_reserve made room for it. */
void bktot_index_put(bktot_index *ix, uint64_t h, size_t k);
void bktot_index_free(bktot_index *ix);

struct bktot_state {
    int xloaded;
    bktot_xrules *x;
    size_t nx;
    /* What the check across documents needs, and no more: a document is a few bytes in docs
     * (submission.c packs them) in a chain of its department's documents; names are kept once
     * per department, the file name once for the documents of one file. */
    unsigned char *docs;
    size_t ndocs, capdocs; /* bytes */
    bktot_group *groups;
    size_t ngroups, capgroups;
    bktot_index group_index; /* on (department, year) */
    bktot_unitname *units;
    size_t nunits, capunits;
    bktot_index unit_index; /* on (group, printed name) */
    const char **sources;
    size_t nsources, capsources;
    bktot_arena text;
    /* The document being recorded. */
    size_t cur_group, cur_at;
    const char *cur_source; /* borrowed from the caller until the document ends */
    long cur_line;
    int cur_keep, cur_rows;
    bktot_colkey *keys;
    size_t nkeys, capkeys;
    bktot_index key_index; /* on ident */
    bktot_keycache *cache; /* reset at every document: a document's templates die with it */
    size_t ncache, capcache;
    /* Partial files (partial.c): how many keys the file written has announced (they are
     * numbered as interned), and, when reading, the keys of the file read by their number. */
    size_t nannounced;
    size_t *filekeys;
    size_t nfilekeys, capfilekeys;
    char *file; /* the partial file being read */
};

/* The column keys interned, and the current document's cache of them. */
void bktot_colkeys_free(bktot_state *st);
/* The key of a column: 0, or -1 out of memory. */
int bktot_colkey_intern(bktot_state *st, const char *family, const char *table, int col,
                        const char *column, const char *header, size_t *out);
/* Recording a document for the submission check: begin, its unit rows that have figures,
 * end. listed counts the distinct units other than the department that have a unit row. */
bk_status bktot_doc_begin(bk_validation *job, bktot_state *st, const char *source, const char *dept,
                          int year, int has_dept_row, size_t listed);
/* n > 0 figures (keys[i], vals[i]) of a unit row; name is the unit's printed name. */
int bktot_doc_row(bktot_state *st, const char *name, int is_dept, long line, const size_t *keys,
                  const bk_decimal *vals, size_t n);
bk_status bktot_doc_end(bk_validation *job, bktot_state *st);

/* Partial files (formats/partial.md): a document's unit rows written as records, and read back. */
bk_status bktot_partial_document(bktot_run *run, const bktot_unitval *v, size_t n, int has_dept_row,
                                 size_t listed);
bk_status bktot_partial_read(bk_validation *job, const char *record, const char *file, long line);

void bktot_arena_free(bktot_arena *a);
void bktot_state_free(void *p);

#endif
