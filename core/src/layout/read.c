/* Reading the published tables as grid sources give them (formats/csv-wide.md): the rows of a
 * file, a sheet or a document's pages (grid.c) are cut into table blocks:
 * title lines, the 单位名称 and 单位 lines, the header rows, data rows, the 备注 footer. The
 * table is recognised by its title, else its number (表7), else its header; the header rows are
 * matched against the template's column paths with merged cells empty or repeated. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "layout.h"

/* The rows at hand: a file of a folder, or the whole grid. */
typedef struct wfile {
    const char *name; /* the file's, in messages without a line */
    const char *arena;
    const wfield *f;
    const wrec *recs;
    size_t nrecs;
    size_t widest; /* fields in the longest row */
} wfile;

/* ---------------------------------------------------------------- the import */

/* A template's title or alias, normalised once per import: every line of a file is tried as
 * a title, against every one of them. */
typedef struct wtitle {
    const bk_template *tpl;
    const char *norm;
    size_t len;
} wtitle;

typedef struct wide_in {
    bk_import *job;
    const bk_grid *g;
    bk_error *err;
    const bk_templates *tpls;
    bk_doc *doc;
    size_t max_header_rows;
    unsigned long long max_cells, cells;
    /* The year as each kind of line printed it: title, column header, 2024年度 line, cover. */
    struct {
        int year;
        long line;
        const char *file;
    } years[4];
    const char *money_unit;
    int max_scale, any_number;
    wfile *f; /* the file at hand */
    /* First pass over a folder: rows whose unit only a later file names are skipped and
     * counted, and the folder read again with the units known. */
    int folder; /* the grid is the files of a folder, each read on its own */
    int discover;
    size_t skipped;
    int quiet; /* second pass: the warnings were given */
    int lenient; /* header columns no template column has are extra columns, not a mismatch */
    int side_group; /* matching the 支出 side: its labels may sit under a group (支出用途) */
    const char *family;     /* --layout-family: the only family read, else NULL */
    const char *doc_family; /* the family of the document's tables so far, else NULL */
    int side;       /* matching one side of a table whose sides print their own columns */
    wtitle *titles; /* NULL until the first line is tried as a title */
    size_t ntitles;
    char *title_text;
} wide_in;

/* The error at grid line `line` of file (the source's line and part, where.h), or at file
 * itself when line is 0. */
static bk_status vfail(wide_in *w, const char *file, long line, long field, bk_status code,
                       const char *fmt, va_list ap)
{
    char msg[BK_ERROR_TEXT], placed[BK_ERROR_FILE];
    vsnprintf(msg, sizeof msg, fmt, ap);
    bk_place at;
    if (line > 0 && bk_where_find(w->g->rows.where, line, &at) == 0) {
        file = bk_where_file(w->g->file, &at, placed, sizeof placed);
        line = at.line;
    }
    bk_error_at(w->err, file, line, field, -1);
    return bk_error_set(w->err, code, "%s", msg);
}

static bk_status fail_in(wide_in *w, const char *file, long line, bk_status code,
                         const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static bk_status fail_in(wide_in *w, const char *file, long line, bk_status code,
                         const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bk_status st = vfail(w, file, line, 0, code, fmt, ap);
    va_end(ap);
    return st;
}

/* The error at grid line `line` (0: none) and field of the rows at hand. */
static bk_status fail(wide_in *w, long line, long field, bk_status code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static bk_status fail(wide_in *w, long line, long field, bk_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bk_status st = vfail(w, w->f ? w->f->name : w->g->file, line, field, code, fmt, ap);
    va_end(ap);
    return st;
}

/* The source's line of grid line `line`. */
static long placed_line(const wide_in *w, long line)
{
    bk_place at;
    return bk_where_find(w->g->rows.where, line, &at) == 0 ? at.line : line;
}

static bk_status nomem(wide_in *w) { return fail(w, 0, 0, BK_E_NOMEM, "out of memory"); }

static const wrec *rec(const wide_in *w, size_t i) { return &w->f->recs[i]; }

static bk_field cell(const wide_in *w, const wrec *r, size_t c)
{
    if ((long)c < r->lead || c >= r->n)
        return (bk_field){"", 0};
    size_t col = (size_t)((long)c - r->lead);
    const wfield *x = w->f->f + r->first;
    const char *arena = w->f->arena;
    if (r->nset == (long)r->n - r->lead) {
        x += col;
        return (bk_field){arena + x->off, x->len_or_col};
    }
    size_t lo = 0, hi = r->nset;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (x[mid].len_or_col < col)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == r->nset || x[lo].len_or_col != col)
        return (bk_field){"", 0};
    return (bk_field){arena + x[lo].off, strlen(arena + x[lo].off)};
}

static int cell_blank(const wide_in *w, const wrec *r, size_t c)
{
    const bk_field f = cell(w, r, c);
    return bk_printed_blank(f.s, f.len);
}

/* One past the last non-blank field, 0 for a blank record. */
static size_t rec_width(const wide_in *w, const wrec *r)
{
    size_t n = r->n;
    while (n > 0 && cell_blank(w, r, n - 1))
        n--;
    return n;
}

/* The only non-blank field, or -1. */
static long rec_single(const wide_in *w, const wrec *r)
{
    long at = -1;
    for (size_t c = 0; c < r->n; c++) {
        if (cell_blank(w, r, c))
            continue;
        if (at >= 0)
            return -1;
        at = (long)c;
    }
    return at;
}

static long rec_first(const wide_in *w, const wrec *r)
{
    for (size_t c = 0; c < r->n; c++)
        if (!cell_blank(w, r, c))
            return (long)c;
    return -1;
}

/* A trimmed copy of a field that lives until the document is done: interned. */
static const char *intern_trimmed(wide_in *w, const char *s, size_t len)
{
    bk_printed_trim(&s, &len);
    const char *r = bk_doc_intern(w->doc, s, len);
    if (!r)
        nomem(w);
    return r;
}

/* ---------------------------------------------------------------- units */

static int unit_by_name(const bk_doc *doc, const char *name)
{
    return bk_doc_find_unit_named(doc, name);
}

static int add_unit(wide_in *w, const char *name, size_t len, bk_unit_kind kind, long line)
{
    char id[32];
    if (kind == BK_UNIT_DEPARTMENT)
        snprintf(id, sizeof id, "dept");
    else
        snprintf(id, sizeof id, "u%zu", w->doc->nunits);
    const char *n = bk_doc_intern(w->doc, name, len);
    if (!n)
        return nomem(w), -1;
    bk_error e;
    bk_error_clear(&e);
    if (bk_doc_add_unit(w->doc, id, n, kind, kind == BK_UNIT_DEPARTMENT ? NULL : "dept", &e) !=
        BK_OK)
        return fail(w, line, 0, e.code, "%s", e.text), -1;
    if (kind == BK_UNIT_DEPARTMENT && !*w->doc->dept_name &&
        bk_doc_set_department(w->doc, n, NULL) != BK_OK)
        return nomem(w), -1;
    return (int)w->doc->nunits - 1;
}

/* The unit a printed name stands for, made when new: the first is the department (a name
 * ending in (本级) first makes the department from the rest), (本级) names are the
 * department's own budget, others its subunits. */
static int ensure_unit(wide_in *w, const char *name, long line)
{
    int u = unit_by_name(w->doc, name);
    if (u >= 0)
        return u;
    size_t base;
    int self = bk_printed_is_self(name, &base);
    int dept = bk_doc_unit_of_kind(w->doc, BK_UNIT_DEPARTMENT);
    if (dept < 0) {
        const char *s = name;
        size_t len = self ? base : strlen(name);
        bk_printed_trim(&s, &len);
        if (len == 0)
            return fail(w, line, 0, BK_E_CONTENT, "a unit name is blank"), -1;
        char *copy = bk_strndup(s, len);
        if (!copy)
            return nomem(w), -1;
        dept = unit_by_name(w->doc, copy) >= 0 ? unit_by_name(w->doc, copy)
                                                : add_unit(w, copy, len, BK_UNIT_DEPARTMENT, line);
        bk_free(copy);
        if (dept < 0 || !self)
            return dept;
    }
    return add_unit(w, name, strlen(name), self ? BK_UNIT_SELF : BK_UNIT_SUBUNIT, line);
}

/* ---------------------------------------------------------------- recognising a block */

typedef struct block {
    const bk_template *tpl;
    const char *title; /* first title-like line */
    long title_line;
    int number; /* from 表N, 0 when none */
    const char *label;
    const char *perf_unit, *perf_sup, *period;
    int perf_seen;
    int unit; /* the unit the rows are printed for */
    const char *money_unit; /* as this table's 单位: line prints it, NULL when none */
} block;

static int is_perf(const bk_template *tpl)
{
    return tpl && tpl->row_key && strcmp(tpl->row_key, "task") == 0;
}

/* "表7" or "表 7", blanks around allowed. */
static int table_number(const char *s, int *n)
{
    size_t len = strlen(s);
    bk_printed_trim(&s, &len);
    const char *p = s, *end = s + len;
    if (len < 4 || strncmp(p, "表", 3) != 0)
        return 0;
    p += 3;
    while (*p == ' ')
        p++;
    if (*p < '0' || *p > '9')
        return 0;
    int v = 0;
    while (p < end && *p >= '0' && *p <= '9' && v < 1000)
        v = v * 10 + (*p++ - '0');
    if (p != end)
        return 0;
    *n = v;
    return 1;
}

/* The first "NNNN年" in s, 0 when none. */
static int year_in(const char *s)
{
    for (const char *p = s; *p; p++) {
        if (p[0] >= '1' && p[0] <= '2' && p[1] >= '0' && p[1] <= '9' && p[2] >= '0' &&
            p[2] <= '9' && p[3] >= '0' && p[3] <= '9' && strncmp(p + 4, "年", 3) == 0 &&
            (p == s || p[-1] < '0' || p[-1] > '9'))
            return (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 + (p[3] - '0');
    }
    return 0;
}

/* "2024年度" alone, blanks around allowed. */
static int is_period(const char *s)
{
    size_t len = strlen(s);
    bk_printed_trim(&s, &len);
    return len == 10 && year_in(s) && memcmp(s + 4, "年度", 6) == 0;
}

static int ends_with_label(const char *s, const char *suffix, size_t *len)
{
    char a[512], b[512];
    size_t na = bk_label_normalise(s, a, sizeof a), nb = bk_label_normalise(suffix, b, sizeof b);
    if (na >= sizeof a || nb >= sizeof b || nb == 0 || nb > na)
        return 0;
    *len = nb;
    return memcmp(a + na - nb, b, nb) == 0;
}

/* The template whose title (or an alias) the printed title is, or ends with: "2024年收入总表"
 * is 收入总表; of several, the longest wins (财政拨款收支总表 over 收支总表). */
static size_t title_match(const bk_template *t, const char *s)
{
    size_t best = 0;
    for (size_t k = 0; k <= t->naliases; k++) {
        const char *title = k == 0 ? t->title : t->aliases[k - 1];
        size_t len;
        if (!title)
            continue;
        if (bk_label_equal(s, title))
            return (size_t)-1;
        if (ends_with_label(s, title, &len) && len > best)
            best = len;
    }
    return best;
}

/* Whether a template may be taken: --layout-family names the only family read. */
static int usable(const wide_in *w, const bk_template *t)
{
    return !w->family || strcmp(t->family, w->family) == 0;
}

/* Whether template a, matching a title over alen bytes, beats b over blen: the longer match,
 * and of equal ones the family of the document's other tables (families print the same
 * titles: 收入预算总表 in Shanghai and Jiangsu). */
static int better(const wide_in *w, const bk_template *a, size_t alen, const bk_template *b,
                  size_t blen)
{
    if (alen != blen || !b)
        return alen > blen;
    return w->doc_family && strcmp(a->family, w->doc_family) == 0 &&
           strcmp(b->family, w->doc_family) != 0;
}

static int build_titles(wide_in *w)
{
    size_t n = 0, text = 0;
    for (size_t i = 0; i < bk_templates_count(w->tpls); i++) {
        const bk_template *t = bk_templates_at(w->tpls, i);
        for (size_t k = 0; k <= t->naliases && usable(w, t); k++) {
            const char *title = k == 0 ? t->title : t->aliases[k - 1];
            if (title)
                n++, text += bk_label_normalise(title, NULL, 0) + 1;
        }
    }
    w->titles = bk_calloc(n + 1, sizeof *w->titles);
    w->title_text = bk_malloc(text + 1);
    if (!w->titles || !w->title_text)
        return -1;
    char *p = w->title_text;
    for (size_t i = 0; i < bk_templates_count(w->tpls); i++) {
        const bk_template *t = bk_templates_at(w->tpls, i);
        for (size_t k = 0; k <= t->naliases && usable(w, t); k++) {
            const char *title = k == 0 ? t->title : t->aliases[k - 1];
            if (!title)
                continue;
            size_t len = bk_label_normalise(title, NULL, 0);
            bk_label_normalise(title, p, len + 1);
            w->titles[w->ntitles++] = (wtitle){t, p, len};
            p += len + 1;
        }
    }
    return 0;
}

static void free_titles(wide_in *w)
{
    bk_free(w->titles);
    bk_free(w->title_text);
    w->titles = NULL;
    w->title_text = NULL;
    w->ntitles = 0;
}

/* title_match() of every template at once, the line normalised once; the same answer. */
static const bk_template *match_title(wide_in *w, const char *s)
{
    const bk_template *best = NULL;
    size_t best_len = 0;
    char a[512];
    size_t na = bk_label_normalise(s, a, sizeof a);
    if (!w->titles && build_titles(w) != 0)
        free_titles(w); /* out of memory: the slow way below */
    if (na >= sizeof a || !w->titles) {
        for (size_t i = 0; i < bk_templates_count(w->tpls); i++) {
            const bk_template *t = bk_templates_at(w->tpls, i);
            size_t len = usable(w, t) ? title_match(t, s) : 0;
            if (len > 0 && better(w, t, len, best, best_len)) {
                best = t;
                best_len = len;
            }
        }
        return best;
    }
    const bk_template *at = NULL;
    size_t at_len = 0;
    for (size_t i = 0; i < w->ntitles; i++) {
        const wtitle *x = &w->titles[i];
        if (x->tpl != at) {
            /* title_match() of the previous template */
            if (at_len > 0 && better(w, at, at_len, best, best_len))
                best = at, best_len = at_len;
            at = x->tpl;
            at_len = 0;
        }
        if (at_len == (size_t)-1)
            continue;
        if (x->len == na && memcmp(x->norm, a, na) == 0)
            at_len = (size_t)-1;
        else if (x->len > 0 && x->len < 512 && x->len <= na &&
                 memcmp(a + na - x->len, x->norm, x->len) == 0 && x->len > at_len)
            at_len = x->len;
    }
    if (at_len > 0 && better(w, at, at_len, best, best_len))
        best = at;
    return best;
}

static const bk_template *template_numbered(const wide_in *w, int n)
{
    const bk_template *found = NULL;
    for (size_t i = 0; i < bk_templates_count(w->tpls); i++) {
        const bk_template *t = bk_templates_at(w->tpls, i);
        if (t->number == n && usable(w, t)) {
            if (found)
                return NULL; /* two templates share the number: it tells nothing */
            found = t;
        }
    }
    return found;
}

enum { YEAR_TITLE = 0, YEAR_HEADER, YEAR_PERIOD, YEAR_COVER, YEAR_KINDS };

/* Titles must agree with each other; the other places only fill in when no title prints the
 * year, the first one seen of each kind counting. */
static bk_status note_year(wide_in *w, int kind, int year, long line)
{
    if (!year)
        return BK_OK;
    if (!w->years[kind].year) {
        const char *file = bk_doc_intern_cstr(w->doc, w->f->name);
        if (!file)
            return nomem(w);
        w->years[kind].year = year;
        w->years[kind].line = line;
        w->years[kind].file = file;
        return BK_OK;
    }
    if (kind == YEAR_TITLE && w->years[kind].year != year)
        return fail(w, line, 0, BK_E_CONTENT, "this table prints the year %d, but %s line %ld "
                    "printed %d", year, w->years[kind].file, w->years[kind].line,
                    w->years[kind].year);
    return BK_OK;
}

/* Each table keeps the unit it prints (a 万元 table in a 元 document is normal); the document's
 * is the first one printed. */
static bk_status note_money_unit(wide_in *w, block *b, const char *s)
{
    const char *u = intern_trimmed(w, s, strlen(s));
    if (!u)
        return BK_E_NOMEM;
    if (!*u)
        return BK_OK;
    b->money_unit = u;
    if (!w->money_unit)
        w->money_unit = u;
    return BK_OK;
}

/* A field that is itself a label with its colon (单位：元), never the value of another. */
static int labelled(const char *s)
{
    static const char *const labels[] = {BK_PRINTED_UNIT_NAME,
                                         BK_PRINTED_MONEY_UNIT,
                                         "金额单位",
                                         "编制部门",
                                         "编制单位",
                                         "预算单位",
                                         "部门",
                                         "预算主管部门"};
    const char *rest;
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
        if (bk_printed_starts(s, labels[i], 1, &rest))
            return 1;
    return 0;
}

/* A value printed after its label, in the same field or the next non-blank one, unless that
 * one is another label (a template's blank 编制部门： beside 单位：元). */
static const char *value_after(wide_in *w, const wrec *r, size_t c, const char *rest)
{
    if (!bk_printed_blank(rest, strlen(rest)))
        return intern_trimmed(w, rest, strlen(rest));
    for (size_t k = c + 1; k < r->n; k++)
        if (!cell_blank(w, r, k))
            return labelled(cell(w, r, k).s) ? intern_trimmed(w, "", 0)
                                               : intern_trimmed(w, cell(w, r, k).s,
                                                                cell(w, r, k).len);
    return intern_trimmed(w, "", 0);
}

/* 单位名称 / 单位 / 部门（单位）名称 lines; 1 when the record was one of them. */
static int meta_line(wide_in *w, const wrec *r, block *b, bk_status *st)
{
    int found = 0;
    for (size_t c = 0; c < r->n && *st == BK_OK; c++) {
        const char *s = cell(w, r, c).s, *rest, *v;
        if (bk_printed_starts(s, BK_PRINTED_PERF_UNIT, 0, &rest)) {
            if (!(b->perf_unit = value_after(w, r, c, rest)))
                *st = BK_E_NOMEM;
            b->perf_seen = found = 1;
        } else if (found && bk_printed_starts(s, BK_PRINTED_SUPERVISOR, 0, &rest)) {
            if (!(b->perf_sup = value_after(w, r, c, rest)))
                *st = BK_E_NOMEM;
        } else if (bk_printed_starts(s, BK_PRINTED_UNIT_NAME, 0, &rest)) {
            if (!(b->label = value_after(w, r, c, rest)))
                *st = BK_E_NOMEM;
            found = 1;
        } else if (bk_printed_starts(s, BK_PRINTED_MONEY_UNIT, 1, &rest) ||
                   bk_printed_starts(s, "金额" BK_PRINTED_MONEY_UNIT, 1, &rest)) {
            v = value_after(w, r, c, rest);
            *st = v ? note_money_unit(w, b, v) : BK_E_NOMEM;
            found = 1;
        } else if (bk_printed_starts(s, "编制部门", 1, &rest) ||
                   bk_printed_starts(s, "编制单位", 1, &rest) ||
                   bk_printed_starts(s, "预算单位", 1, &rest) ||
                   bk_printed_starts(s, "部门", 1, &rest) ||
                   bk_printed_starts(s, "预算主管部门", 1, &rest)) {
            /* Other agencies' name lines: 编制部门：上海市普陀区财政局, 部门：中共江苏省委办公厅;
             * the cover's 预算主管部门：. A blank one (a template's 编制部门：) keeps the name
             * read before it. */
            if (!(v = value_after(w, r, c, rest)))
                *st = BK_E_NOMEM;
            else if (*v || !b->label)
                b->label = v;
            found = 1;
        }
    }
    return found;
}

/* ---------------------------------------------------------------- header rows */

typedef struct hmap {
    size_t rows;       /* header records */
    size_t half;       /* two-sided: width of one side; else 0 */
    long section_col;  /* -1 when none */
    long *key_at;      /* file column of each key header */
    long *col_of;      /* template column of each file column, -1 for none */
    size_t width;      /* file columns covered (one side when two-sided) */
    /* Sides with columns of their own: the 支出 side's key columns and width, from `half`
     * (col_of covers both sides); out_width 0 when the sides print the same columns. */
    long *out_key_at;
    size_t out_width;
    int year;          /* the fiscal year a header label prints, 0 when none */
    size_t matched;    /* template columns found */
} hmap;

typedef struct grid {
    wide_in *w;
    size_t first, rows; /* header records */
    size_t c0, c1;      /* columns */
    const char **lab;   /* rows × (c1 - c0) reconstructed labels */
} grid;

static const char *glab(const grid *g, size_t r, size_t c)
{
    return g->lab[r * (g->c1 - g->c0) + (c - g->c0)];
}

static int same_label(const char *a, const char *b)
{
    return a == b || (a && b && bk_label_equal(a, b));
}

/* Fill in merged cells: an empty cell repeats its left neighbour's label when both columns
 * have the same labels above it (a merge across), else it has none (a merge down). */
static int grid_build(grid *g)
{
    size_t w = g->c1 - g->c0;
    g->lab = bk_calloc(g->rows * (w ? w : 1), sizeof *g->lab);
    if (!g->lab)
        return -1;
    for (size_t r = 0; r < g->rows; r++) {
        const wrec *rr = rec(g->w, g->first + r);
        for (size_t c = g->c0; c < g->c1; c++) {
            const char **slot = &g->lab[r * w + (c - g->c0)];
            const bk_field f = cell(g->w, rr, c);
            if (!bk_printed_blank(f.s, f.len)) {
                *slot = f.s;
                continue;
            }
            if (c == g->c0 || !glab(g, r, c - 1))
                continue;
            int same = 1;
            for (size_t k = 0; k < r && same; k++)
                same = same_label(glab(g, k, c), glab(g, k, c - 1));
            if (same)
                *slot = glab(g, r, c - 1);
        }
    }
    return 0;
}

/* Column c's header path: its labels top down, repeats (merges down) collapsed. */
static size_t grid_path(const grid *g, size_t c, const char **path, size_t cap)
{
    size_t n = 0;
    for (size_t r = 0; r < g->rows; r++) {
        const char *l = glab(g, r, c);
        if (!l || (n > 0 && bk_label_equal(path[n - 1], l)))
            continue;
        if (n < cap)
            path[n] = l;
        n++;
    }
    return n;
}

static void path_text(const char *const *path, size_t n, char *buf, size_t cap)
{
    size_t at = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < n && at + 1 < cap; i++)
        at += (size_t)snprintf(buf + at, cap - at, "%s%s", i ? " / " : "", path[i]);
}

static int path_equal(const char *const *a, size_t na, const char *const *b, size_t nb, int years)
{
    if (na != nb)
        return 0;
    for (size_t i = 0; i < na; i++)
        if (!bk_printed_label_match(a[i], b[i], years))
            return 0;
    return 1;
}

static int year_in(const char *s);

/* The fiscal year a printed header label gives, when the template's label prints a year
 * (2024年预算数 in a template written for 2024, 2023年预算 for the year before). 0 when none. */
static int header_year(const bk_template *tpl, const char *printed, const char *label)
{
    int py = year_in(printed), ty = year_in(label);
    return tpl->year && py && ty ? tpl->year + (py - ty) : 0;
}

static int is_label_text(const bk_template *tpl, const char *s)
{
    for (size_t i = 0; i < tpl->nlabel_columns; i++)
        if (bk_label_equal(s, tpl->label_columns[i]))
            return 1;
    return 0;
}

static int is_label_column(const bk_template *tpl, const char *const *path, size_t n)
{
    for (size_t i = 0; n == 1 && i < tpl->nlabel_columns; i++)
        if (bk_label_equal(path[0], tpl->label_columns[i]))
            return 1;
    return 0;
}

/* Whether a printed label is key header k of tpl, or one of its other labels. */
static int is_key_header(const bk_template *tpl, size_t k, const char *label)
{
    if (bk_label_equal(label, tpl->key_headers[k]))
        return 1;
    for (size_t i = 0; i < tpl->nkey_aliases; i++)
        if (strcmp(tpl->key_aliases[2 * i], tpl->key_headers[k]) == 0 &&
            bk_label_equal(label, tpl->key_aliases[2 * i + 1]))
            return 1;
    return 0;
}

/* Whether the side being matched prints the column (any column when not matching a side). */
static int on_side(const wide_in *w, const bk_column *col)
{
    return !w->side || col->side == BK_SIDE_BOTH || col->side == w->side;
}

/* A header cell holding the labels of two neighbouring template columns run together
 * (政府性基金预算国有资本经营预算: a PDF's text joins labels set close over empty columns) stands
 * for both, as long as nothing is printed under it (read_block checks). */
#define COLUMNS_RUN_TOGETHER (-3)

static int run_together(const wide_in *w, const bk_template *tpl, char *used,
                        const char *const *path, size_t n)
{
    for (size_t j = 0; j + 1 < tpl->ncolumns; j++) {
        const bk_column *a = &tpl->columns[j], *b = &tpl->columns[j + 1];
        if (used[j] || used[j + 1] || !on_side(w, a) || !on_side(w, b) ||
            a->path_len != n || b->path_len != n)
            continue;
        if (!path_equal(path, n - 1, (const char *const *)a->path, n - 1, 0) ||
            !path_equal(path, n - 1, (const char *const *)b->path, n - 1, 0))
            continue;
        char joined[512];
        if ((size_t)snprintf(joined, sizeof joined, "%s%s", a->path[n - 1], b->path[n - 1]) >=
            sizeof joined)
            continue;
        if (bk_label_equal(path[n - 1], joined)) {
            used[j] = used[j + 1] = 1;
            return 1;
        }
    }
    return 0;
}

/* The one unused template column whose last label is the printed column's: a text layout
 * places labels by characters, not by their printed width, so a group label (支出预算) may
 * centre over one of its columns only, and the others read under a label beside it (项目)
 * or none. -1 when none or several. */
static long same_leaf(const wide_in *w, const bk_template *tpl, const char *used,
                      const char *const *path, size_t n)
{
    long found = -1;
    for (size_t j = 0; j < tpl->ncolumns; j++) {
        const bk_column *col = &tpl->columns[j];
        if (used[j] || !on_side(w, col) || col->path_len == 0 ||
            !bk_printed_label_match(path[n - 1], col->path[col->path_len - 1], 0))
            continue;
        if (found >= 0)
            return -1;
        found = (long)j;
    }
    return found;
}

/* Match the columns [c0, c1) of `rows` header records at `first` against tpl: 1 when they
 * match (m filled: key_at, col_of indexed from c0), 0 when not (why says so), -1 when out of
 * memory. A column's path has at most one label per header row, so `rows` entries hold it
 * whatever the max-header-rows limit. */
static int match_grid(wide_in *w, const bk_template *tpl, size_t first, size_t rows, size_t c0,
                      size_t c1, hmap *m, char *why, size_t why_cap)
{
    grid g = {w, first, rows, c0, c1, NULL};
    if (grid_build(&g))
        return -1;
    const char **path = bk_calloc(rows ? rows : 1, sizeof *path);
    int ok = -1;
    size_t nkey = tpl->nkey_headers, c = c0;
    char *used = bk_calloc(tpl->ncolumns + 1, 1);
    if (!used || !path)
        goto done;
    ok = 0;
    m->section_col = -1;
    m->year = 0;
    for (size_t k = c0; k < c1; k++)
        m->col_of[k - c0] = -1;
    /* A leading column with no header at all, or with a label the template declares
     * (年度主要任务), holds the rows' sections. */
    if (c < c1 && nkey > 0) {
        size_t n = grid_path(&g, c, path, rows);
        if (n == 0 || is_label_column(tpl, path, n)) {
            m->section_col = (long)c;
            c++;
        }
    }
    for (size_t k = 0; k < nkey; k++, c++) {
        size_t n = c < c1 ? grid_path(&g, c, path, rows) : 0;
        /* Key headers may sit under a group label (项目 / 功能分类科目编码 / 类): the last
         * label names the column. */
        if (n == 0 || !is_key_header(tpl, k, path[n - 1])) {
            char got[256];
            path_text(path, n, got, sizeof got);
            snprintf(why, why_cap, "column %zu should be the key column \"%.60s\" but reads "
                     "\"%.120s\"", c + 1, tpl->key_headers[k], got);
            goto done;
        }
        m->key_at[k] = (long)c;
    }
    size_t matched = 0;
    m->matched = 0;
    for (; c < c1; c++) {
        size_t n = grid_path(&g, c, path, rows);
        if (n == 0)
            continue; /* no header: must stay blank below */
        long found = -1;
        for (int years = 0; years < 2 && found < 0; years++)
            for (size_t j = 0; j < tpl->ncolumns && found < 0; j++) {
                size_t pl = tpl->columns[j].path_len;
                if (!on_side(w, &tpl->columns[j]))
                    continue;
                /* The 支出 side may print a group label above its own (支出 / 支出用途 /
                 * 金额 beside 收入 / 金额): the side's columns are the labels under it. */
                size_t skip = w->side_group && n > pl ? n - pl : 0;
                if (!used[j] && path_equal(path + skip, n - skip,
                                           (const char *const *)tpl->columns[j].path, pl, years))
                    found = (long)j;
            }
        /* A group that prints its total as a column of its own (预算数 / 合计 beside 预算数 /
         * 基本支出 / 人员经费): 合计 under a template column's path is that column. */
        size_t total_under = 0;
        if (found < 0 && n >= 2 && bk_label_equal(path[n - 1], "合计"))
            for (size_t j = 0; j < tpl->ncolumns && found < 0; j++) {
                size_t pl = tpl->columns[j].path_len;
                size_t skip = w->side_group && n - 1 > pl ? n - 1 - pl : 0;
                if (!used[j] && on_side(w, &tpl->columns[j]) &&
                    path_equal(path + skip, n - 1 - skip,
                               (const char *const *)tpl->columns[j].path, pl, 0)) {
                    found = (long)j;
                    total_under = 1;
                }
            }
        if (found < 0 && run_together(w, tpl, used, path, n)) {
            m->col_of[c - c0] = COLUMNS_RUN_TOGETHER;
            matched += 2;
            continue;
        }
        if (found < 0 && w->lenient) {
            m->col_of[c - c0] = -2;
            continue;
        }
        if (found < 0) {
            char got[256];
            path_text(path, n, got, sizeof got);
            snprintf(why, why_cap, "column %zu reads \"%.160s\", which is no column of %.32s",
                     c + 1, got, tpl->id);
            goto done;
        }
        /* the 支出 side's group label */
        size_t skip = n - total_under - tpl->columns[found].path_len;
        for (size_t i = skip; i < n - total_under && !m->year; i++)
            m->year = header_year(tpl, path[i], tpl->columns[found].path[i - skip]);
        used[found] = 1;
        m->col_of[c - c0] = found;
        matched++;
    }
    /* Some columns read exactly: a column left over whose last label is an unused column's
     * is that column. */
    for (size_t k = c0; k < c1 && w->lenient && matched > 0; k++) {
        if (m->col_of[k - c0] != -2)
            continue;
        long found = same_leaf(w, tpl, used, path, grid_path(&g, k, path, rows));
        if (found >= 0) {
            used[found] = 1;
            m->col_of[k - c0] = found;
            matched++;
        }
    }
    if (matched == 0) {
        snprintf(why, why_cap, "no value column of %.32s is in the header", tpl->id);
        goto done;
    }
    m->matched = matched;
    ok = 1;
done:
    bk_free(used);
    bk_free(path);
    bk_free(g.lab);
    return ok;
}

/* The 支出 side of a two-sided header must have the 收入 side's layout. */
static int same_sides(wide_in *w, const bk_template *tpl, size_t first, size_t h, size_t half,
                      const hmap *left, char *why, size_t why_cap)
{
    long keys[64], cols[256];
    if (tpl->nkey_headers > 64 || half > 256) {
        snprintf(why, why_cap, "too wide");
        return 0;
    }
    hmap right = *left;
    right.key_at = keys;
    right.col_of = cols;
    w->side_group = 1;
    int m = match_grid(w, tpl, first, h, half, 2 * half, &right, why, why_cap);
    w->side_group = 0;
    if (m <= 0)
        return m;
    int same = right.section_col == (left->section_col < 0 ? -1 : left->section_col + (long)half);
    for (size_t k = 0; k < tpl->nkey_headers && same; k++)
        same = keys[k] == left->key_at[k] + (long)half;
    for (size_t c = 0; c < half && same; c++)
        same = cols[c] == left->col_of[c];
    if (!same)
        snprintf(why, why_cap, "its columns are not in the order of the 收入 side");
    return same;
}

/* Whether the sides of a two-sided template print columns of their own. */
static int sided(const bk_template *tpl)
{
    for (size_t j = 0; j < tpl->ncolumns; j++)
        if (tpl->columns[j].side != BK_SIDE_BOTH)
            return 1;
    return 0;
}

/* The 支出 side [half, c1) of a template whose sides print their own columns: its key
 * columns and its columns, after the 收入 side's in m. */
static int expenditure_side(wide_in *w, const bk_template *tpl, size_t first, size_t h, size_t half,
                            size_t c1, hmap *m, char *why, size_t why_cap)
{
    hmap right = *m;
    right.key_at = m->out_key_at;
    right.col_of = m->col_of + half;
    w->side_group = 1;
    w->side = BK_SIDE_EXPENDITURE;
    int got = match_grid(w, tpl, first, h, half, c1, &right, why, why_cap);
    w->side_group = 0;
    w->side = 0;
    if (got <= 0)
        return got;
    if (right.section_col >= 0) {
        snprintf(why, why_cap, "column %ld has no header", right.section_col + 1);
        return 0;
    }
    for (size_t k = 0; k < tpl->nkey_headers; k++)
        m->out_key_at[k] -= (long)half;
    m->out_width = c1 - half;
    m->matched += right.matched;
    if (!m->year)
        m->year = right.year;
    return 1;
}

/* The header as h records after `first` + skip, the 支出 side (if any) from column `at`:
 * 1, 0 (why says why) or -1 as match_grid, m filled on a match. */
static int match_rows(wide_in *w, const bk_template *tpl, size_t first, size_t skip, size_t h,
                      size_t at, int own, hmap *m, char *why, size_t why_cap)
{
    size_t width = 0;
    for (size_t k = 0; k < h; k++)
        if (rec_width(w, rec(w, first + skip + k)) > width)
            width = rec_width(w, rec(w, first + skip + k));
    size_t c1 = at ? at : width;
    if (at && width > 2 * at && !own) {
        snprintf(why, why_cap, "the header is wider than its two sides");
        return 0;
    }
    w->side = own ? BK_SIDE_INCOME : 0;
    int got = match_grid(w, tpl, first + skip, h, 0, c1, m, why, why_cap);
    w->side = 0;
    if (got <= 0)
        return got;
    char why1[300];
    if (own)
        got = expenditure_side(w, tpl, first + 1, h, at, width, m, why1, sizeof why1);
    else if (at)
        got = same_sides(w, tpl, first + 1, h, at, m, why1, sizeof why1);
    if (got == 0)
        snprintf(why, why_cap, "the 支出 side: %.200s", why1);
    if (got <= 0)
        return got;
    m->rows = h + skip;
    m->half = at;
    m->width = c1;
    return 1;
}

/* The header at records [first..): try 1, 2, ... rows until they match tpl. 1, 0 or -1 as
 * match_grid. */
static int match_header(wide_in *w, const bk_template *tpl, size_t first, size_t end, hmap *m,
                        char *why, size_t why_cap)
{
    bk_printed_shape sh;
    bk_printed_shape_of(tpl, &sh);
    snprintf(why, why_cap, "the header is missing");
    /* Two sides, 收入 | 支出, each the template's header. */
    const wrec *top = first < end ? rec(w, first) : NULL;
    size_t half = 0;
    const char *in_side = tpl->nsides ? tpl->sides[0] : BK_PRINTED_INCOME;
    const char *out_side = tpl->nsides ? tpl->sides[1] : BK_PRINTED_EXPENDITURE;
    if (top && bk_label_equal(cell(w, top, 0).s, in_side)) {
        for (size_t c = 1; c < top->n; c++) {
            if (cell_blank(w, top, c))
                continue;
            if (bk_label_equal(cell(w, top, c).s, out_side))
                half = c;
            break;
        }
    }
    size_t skip = half ? 1 : 0;
    int own = half && sided(tpl);
    m->out_width = 0;
    /* Sides with their own columns differ in width: a 支出 label centred over a wider side
     * (as a PDF's text places it) stands right of the side's first column, which is then
     * the first one left of it where both sides match. Their header is the one of most
     * columns: the first rows of a unit's 财务收支预算总表 (项目 | 预算数 on both sides) match
     * before the rows that split its 支出 预算数. */
    size_t best_at = 0, best_h = 0, best = 0;
    for (size_t at = half; at > 0 || !half; at--) {
        for (size_t h = 1; h <= w->max_header_rows && first + skip + h <= end; h++) {
            char why1[300];
            int got = match_rows(w, tpl, first, skip, h, at, own, m, why1, sizeof why1);
            if (got < 0)
                return -1;
            if (got == 0) {
                if (at == half && (h == sh.depth || (h < sh.depth && first + skip + h == end) ||
                                   strncmp(why1, "the 支出 side", strlen("the 支出 side")) == 0))
                    snprintf(why, why_cap, "%.250s", why1);
                continue;
            }
            if (!own)
                return 1;
            if (m->matched > best) {
                best = m->matched;
                best_at = at;
                best_h = h;
            }
        }
        if (!own || best)
            break;
    }
    if (best) {
        char why1[300];
        return match_rows(w, tpl, first, skip, best_h, best_at, own, m, why1, sizeof why1);
    }
    if (sh.depth + skip > w->max_header_rows)
        snprintf(why, why_cap, "table %.32s needs %zu header rows, more than the limit of %zu "
                 "(max-header-rows)", tpl->id, sh.depth + skip, w->max_header_rows);
    return 0;
}

static int has_number(wide_in *w, const wrec *r);
static int match_by_position(wide_in *w, const bk_template *tpl, size_t first, size_t stop,
                             hmap *m);

/* As match_header; then, for a table known by its title, the header that matches the most
 * template columns with the others kept as extra columns (a printed header the template does
 * not know, in part). */
static int match_header_keeping(wide_in *w, const bk_template *tpl, size_t first, size_t end,
                                hmap *m, char *why, size_t why_cap)
{
    int got = match_header(w, tpl, first, end, m, why, why_cap);
    const wrec *top = first < end ? rec(w, first) : NULL;
    bk_printed_shape sh;
    bk_printed_shape_of(tpl, &sh);
    if (got != 0 ||
        (top &&
         bk_label_equal(cell(w, top, 0).s, tpl->nsides ? tpl->sides[0] : BK_PRINTED_INCOME)) ||
        sh.depth > w->max_header_rows)
        return got;
    size_t best = 0, best_h = 0, width = 0;
    char why1[300];
    w->lenient = 1;
    for (size_t h = 1; h <= w->max_header_rows && first + h <= end && got >= 0; h++) {
        size_t rw = rec_width(w, rec(w, first + h - 1));
        if (rw > width)
            width = rw;
        got = match_grid(w, tpl, first, h, 0, width, m, why1, sizeof why1);
        if (got > 0 && m->matched > best) {
            best = m->matched;
            best_h = h;
        }
    }
    /* Most of the template's columns unread: the figures by position, when they fit. */
    if (got >= 0 && 2 * best < tpl->ncolumns && w->f->widest >= tpl->ncolumns &&
        match_by_position(w, tpl, first, end, m)) {
        w->lenient = 0;
        return 2;
    }
    if (got >= 0 && best_h) {
        width = 0;
        for (size_t h = 1; h <= best_h; h++)
            if (rec_width(w, rec(w, first + h - 1)) > width)
                width = rec_width(w, rec(w, first + h - 1));
        got = match_grid(w, tpl, first, best_h, 0, width, m, why1, sizeof why1);
        m->rows = best_h;
        m->half = 0;
        m->width = width;
    } else if (got >= 0) {
        got = 0;
    }
    w->lenient = 0;
    return got;
}

/* ---------------------------------------------------------------- data rows */

/* A line of one short text ending in 表 (or 表（按功能分类）) reads as a table's title even when
 * no layout knows the table: it ends the table above it, so that a table no layout knows
 * (kept as a generic table) never runs into the body of the one printed before it. */
static int titled_like_a_table(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n > 240)
        return 0;
    static const char *const ends[] = {"表", "表）", "表)"};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0]; i++) {
        size_t k = strlen(ends[i]);
        if (n > k && memcmp(s + n - k, ends[i], k) == 0)
            return 1;
    }
    const char *open = strstr(s, "表（");
    return open && n >= 3 && memcmp(s + n - 3, "）", 3) == 0;
}

static int is_title_line(wide_in *w, const wrec *r)
{
    long c = rec_single(w, r);
    if (c < 0)
        return 0;
    const char *s = cell(w, r, (size_t)c).s;
    int n;
    return table_number(s, &n) || match_title(w, s) || titled_like_a_table(s);
}

/* A line of one form feed: the sheet (or file) the rows came from ends there (grid.c writes it
 * between the sheets of a workbook); a table never continues past it. Blank everywhere else. */
static int sheet_break(const wide_in *w, const wrec *r)
{
    const bk_field f = cell(w, r, 0);
    return r->n == 1 && f.len == 1 && f.s[0] == '\f';
}

/* Where the block's rows end: the 备注 footer, a new table, the end of a sheet, or the end. */
static size_t block_end(wide_in *w, size_t from, size_t end)
{
    for (size_t i = from; i < end; i++) {
        const wrec *r = rec(w, i);
        if (sheet_break(w, r))
            return i;
        long c = rec_first(w, r);
        if (c < 0)
            continue;
        const char *s = cell(w, r, (size_t)c).s;
        if (bk_printed_starts(s, BK_PRINTED_NOTE, 0, NULL) || bk_printed_starts(s, "注", 1, NULL) ||
            bk_printed_starts(s, BK_PRINTED_UNIT_NAME, 0, NULL) || is_title_line(w, r))
            return i;
    }
    return end;
}

typedef struct rowmode {
    int goals;          /* after 年度总体目标 */
    int indicators;     /* after the 一级指标 ... header */
    long ind_at[4];
    const char *last[2]; /* level1, level2 of the previous indicator (merged cells) */
} rowmode;

static int indicator_header(wide_in *w, const wrec *r, long at[4])
{
    static const char *const heads[4] = {"一级指标", "二级指标", "三级指标", "目标值"};
    for (int k = 0; k < 4; k++)
        at[k] = -1;
    for (size_t c = 0; c < r->n; c++)
        for (int k = 0; k < 4; k++)
            if (at[k] < 0 && bk_label_equal(cell(w, r, c).s, heads[k]))
                at[k] = (long)c;
    return at[0] >= 0 && at[3] >= 0;
}

static bk_status perf_record(wide_in *w, const wrec *r, rowmode *mode, int *taken)
{
    long first = rec_first(w, r);
    *taken = 1;
    if (first >= 0 && bk_label_equal(cell(w, r, (size_t)first).s, BK_PRINTED_GOALS)) {
        mode->goals = 1;
        mode->indicators = 0;
        for (size_t c = (size_t)first + 1; c < r->n; c++)
            if (!cell_blank(w, r, c)) {
                const char *g = intern_trimmed(w, cell(w, r, c).s, cell(w, r, c).len);
                return g && bk_doc_add_goal(w->doc, g) == BK_OK ? BK_OK : nomem(w);
            }
        return BK_OK;
    }
    long at[4];
    if (indicator_header(w, r, at)) {
        memcpy(mode->ind_at, at, sizeof at);
        mode->indicators = 1;
        mode->goals = 0;
        mode->last[0] = mode->last[1] = "";
        return BK_OK;
    }
    if (mode->indicators) {
        const char *v[4];
        int any = 0;
        for (int k = 0; k < 4; k++) {
            v[k] = "";
            if (mode->ind_at[k] >= 0) {
                const bk_field f = cell(w, r, (size_t)mode->ind_at[k]);
                if (!(v[k] = intern_trimmed(w, f.s, f.len)))
                    return BK_E_NOMEM;
                any |= *v[k] != 0;
            }
        }
        if (!any)
            return BK_OK;
        for (int k = 0; k < 2; k++) {
            if (!*v[k])
                v[k] = mode->last[k];
            mode->last[k] = v[k];
        }
        return bk_doc_add_indicator(w->doc, v[0], v[1], v[2], v[3]) == BK_OK ? BK_OK : nomem(w);
    }
    if (mode->goals) {
        if (first < 0)
            return BK_OK;
        const char *g = intern_trimmed(w, cell(w, r, (size_t)first).s,
                                       cell(w, r, (size_t)first).len);
        return g && bk_doc_add_goal(w->doc, g) == BK_OK ? BK_OK : nomem(w);
    }
    *taken = 0;
    return BK_OK;
}

typedef struct rowctx {
    bk_table *t;
    const hmap *m;
    bk_printed_shape sh;
    int levels; /* the table prints levels by indentation */
    int cur;    /* unit of the rows' block */
} rowctx;

static int default_unit(wide_in *w, rowctx *rc)
{
    if (rc->cur >= 0)
        return rc->cur;
    int u = bk_doc_unit_of_kind(w->doc, BK_UNIT_SELF);
    if (u < 0)
        u = bk_doc_unit_of_kind(w->doc, BK_UNIT_DEPARTMENT);
    return u;
}

static const char *column_label(const bk_template *tpl, size_t j)
{
    const bk_column *col = &tpl->columns[j];
    return col->path_len ? col->path[col->path_len - 1] : col->id;
}

static bk_status set_value(wide_in *w, rowctx *rc, size_t row, size_t j, bk_field f, long line,
                           long field)
{
    const bk_template *tpl = rc->t->tpl;
    const char *s = f.s;
    size_t len = f.len;
    if (bk_printed_blank(s, len))
        return BK_OK;
    if (w->max_cells && ++w->cells > w->max_cells)
        return fail(w, line, field, BK_E_LIMIT, "the document has more than %llu cells "
                    "(max-cells)", w->max_cells);
    if (tpl->columns[j].type == BK_COL_TEXT)
        return bk_table_set_text(w->doc, rc->t, row, j, s, len) == BK_OK ? BK_OK : nomem(w);
    bk_decimal d;
    int fullwidth = 0;
    bk_printed_trim(&s, &len);
    switch (bk_decimal_parse(s, len, BK_DECIMAL_THOUSANDS | BK_DECIMAL_TRIM | BK_DECIMAL_FULLWIDTH,
                             &d, &fullwidth)) {
    case BK_DECIMAL_OK:
        break;
    case BK_DECIMAL_EMPTY:
        return BK_OK;
    case BK_DECIMAL_OVERFLOW:
        return fail(w, line, field, BK_E_CONTENT, "field %ld: amount \"%.*s\" in column %s is "
                    "too large or has too many decimals", field, (int)len, s,
                    column_label(tpl, j));
    default:
        return fail(w, line, field, BK_E_CONTENT, "field %ld: \"%.*s\" in column %s is not a "
                    "number", field, (int)len, s, column_label(tpl, j));
    }
    if (fullwidth && !w->quiet)
        bk_import_warn_in(w->job, w->f->name, line, field, "full-width characters in \"%.*s\" were read as %s",
                       (int)len, s, "a number");
    if (d.scale > w->max_scale)
        w->max_scale = d.scale;
    w->any_number = 1;
    return bk_table_set_number(rc->t, row, j, d);
}

/* Only ellipsis marks (…, ⋯, ...): what a template prints for rows left out. */
static int ellipsis(const char *s)
{
    size_t n = 0;
    while (*s) {
        if (strncmp(s, "…", 3) == 0 || strncmp(s, "⋯", 3) == 0)
            s += 3;
        else if (*s == '.' || *s == ' ')
            s++;
        else
            return 0;
        n++;
    }
    return n > 0;
}

/* One side of a data record: columns from `at`. Adds a row unless it is blank. */
static bk_status data_row(wide_in *w, rowctx *rc, const wrec *r, size_t at, const char *section)
{
    const hmap *m = rc->m;
    const bk_template *tpl = rc->t->tpl;
    bk_field unit_v, code_v, name_v;
    const bk_field *unit_f = NULL, *code_f = NULL, *name_f = NULL;
    if (rc->sh.unit_col >= 0)
        unit_v = cell(w, r, at + (size_t)m->key_at[rc->sh.unit_col]), unit_f = &unit_v;
    if (rc->sh.code_col >= 0)
        code_v = cell(w, r, at + (size_t)m->key_at[rc->sh.code_col]), code_f = &code_v;
    if (rc->sh.name_col >= 0)
        name_v = cell(w, r, at + (size_t)m->key_at[rc->sh.name_col]), name_f = &name_v;
    if (m->section_col >= 0) {
        const bk_field sf = cell(w, r, at + (size_t)m->section_col);
        if (!bk_printed_blank(sf.s, sf.len) && !(section = intern_trimmed(w, sf.s, sf.len)))
            return BK_E_NOMEM;
    }
    int blank = 1;
    for (size_t c = 0; c < m->width && blank; c++)
        blank = cell_blank(w, r, at + c);
    if (blank)
        return BK_OK;
    /* The name: its indentation is its level. */
    const char *name = "";
    size_t indent = 0;
    if (name_f) {
        const char *s = name_f->s;
        size_t len = name_f->len, bytes;
        while (len > 0 && (*s == ' ' || *s == '\t'))
            s++, len--;
        indent = bk_printed_indent(s, len, &bytes);
        if (bytes < len && s[bytes] == BK_PRINTED_VERBATIM) /* the name's own blanks follow */
            name = bk_doc_intern(w->doc, s + bytes + 1, len - bytes - 1);
        else
            name = intern_trimmed(w, s + bytes, len - bytes);
        if (!name)
            return nomem(w);
    }
    const char *code = NULL;
    int code_level = 0;
    if (tpl->code_parts) {
        /* 201 | 06 | 01 is 2010601; the parts printed are the row's level. */
        char joined[64];
        size_t n = 0;
        for (size_t k = 0; k < tpl->code_parts; k++) {
            const bk_field pf = cell(w, r, at + (size_t)m->key_at[k]);
            const char *ps = pf.s;
            size_t plen = pf.len;
            bk_printed_trim(&ps, &plen);
            if (plen == 0)
                break;
            if (n + plen >= sizeof joined)
                return fail(w, r->line, (long)(at + (size_t)m->key_at[k]) + 1, BK_E_CONTENT,
                            "the code printed in parts is longer than %zu characters",
                            sizeof joined - 1);
            memcpy(joined + n, ps, plen);
            n += plen;
            code_level++;
        }
        if (n && !(code = bk_doc_intern(w->doc, joined, n)))
            return nomem(w);
    } else if (code_f && !bk_printed_blank(code_f->s, code_f->len) &&
               !(code = intern_trimmed(w, code_f->s, code_f->len))) {
        return BK_E_NOMEM;
    }
    /* A total label centred across the code and name columns (合计) may land in the code
     * column, or in the first of its parts (类): it is the row's name. */
    if (code && !*name && (tpl->code_parts || code_f) && bk_printed_kind_of(code) == BK_ROW_TOTAL) {
        name = code;
        code = NULL;
    }
    /* A template's elided rows print "…" where the code goes: no code. */
    if (code && ellipsis(code))
        code = NULL;
    bk_row_kind kind = bk_printed_kind_of(name);
    int unit = -1;
    if (unit_f && !bk_printed_blank(unit_f->s, unit_f->len)) {
        const char *un = intern_trimmed(w, unit_f->s, unit_f->len);
        if (!un || (unit = ensure_unit(w, un, r->line)) < 0)
            return w->err->code ? w->err->code : BK_E_NOMEM;
        rc->cur = unit;
        if (!code && !*name) {
            kind = BK_ROW_UNIT;
            name = un;
        }
    } else if (rc->sh.unit_col < 0 && *name && !code) {
        /* No 预算单位 column: a row naming a unit is that unit's row (Tables 4 and 5). */
        int u = unit_by_name(w->doc, name);
        if (u < 0 && bk_printed_is_self(name, NULL))
            u = ensure_unit(w, name, r->line);
        if (u >= 0) {
            kind = BK_ROW_UNIT;
            unit = rc->cur = u;
        }
    }
    if (unit < 0)
        unit = default_unit(w, rc);
    if (unit < 0 && w->discover) {
        w->skipped++;
        return BK_OK;
    }
    if (unit < 0)
        return fail(w, r->line, 0, BK_E_CONTENT, "no 单位名称 line or 预算单位 cell says "
                    "which unit this row belongs to");
    int level = code_level;
    if (rc->levels && kind != BK_ROW_UNIT)
        level = (int)(kind == BK_ROW_TOTAL ? indent : indent + 1);
    if (level > 9)
        return fail(w, r->line, name_f ? (long)(at + (size_t)m->key_at[rc->sh.name_col] + 1) : 0,
                    BK_E_CONTENT, "\"%s\" is indented by %zu full-width spaces, deeper than "
                    "level 9", name, indent);
    long row = bk_table_add_row(w->doc, rc->t, kind, unit, section, code, name, level,
                                (uint32_t)r->line);
    if (row < 0)
        return nomem(w);
    for (size_t c = 0; c < m->width; c++) {
        long j = m->col_of[c];
        if (j == COLUMNS_RUN_TOGETHER)
            continue; /* blank under it, as read_block made sure */
        if (j < 0) {
            int key = (long)c == m->section_col;
            for (size_t k = 0; k < tpl->nkey_headers && !key; k++)
                key = m->key_at[k] == (long)c;
            if (!key && !cell_blank(w, r, at + c))
                return fail(w, r->line, (long)(at + c + 1), BK_E_CONTENT,
                            "line %ld, field %zu holds \"%.40s\" under no column header",
                            (long)r->line, at + c + 1, cell(w, r, at + c).s);
            continue;
        }
        bk_status st = set_value(w, rc, (size_t)row, (size_t)j, cell(w, r, at + c), r->line,
                                 (long)(at + c + 1));
        if (st != BK_OK) {
            bk_error_where(w->err, "%s row %ld column %s", tpl->id, row + 1,
                           tpl->columns[j].id);
            return st;
        }
    }
    return BK_OK;
}

static bk_status extra_fields(wide_in *w, const wrec *r, size_t width)
{
    for (size_t c = width; c < r->n; c++)
        if (!cell_blank(w, r, c))
            return fail(w, r->line, (long)c + 1, BK_E_CONTENT, "field %zu holds "
                        "\"%.40s\" beyond the table's %zu columns", c + 1, cell(w, r, c).s,
                        width);
    return BK_OK;
}

static int indented(wide_in *w, const wrec *r, long col)
{
    if (col < 0)
        return 0;
    const bk_field f = cell(w, r, (size_t)col);
    const char *s = f.s;
    size_t len = f.len;
    while (len > 0 && (*s == ' ' || *s == '\t'))
        s++, len--;
    return bk_printed_indent(s, len, NULL) > 0;
}

static bk_status read_rows(wide_in *w, rowctx *rc, size_t from, size_t end)
{
    const hmap *m = rc->m;
    long name_at = rc->sh.name_col >= 0 ? m->key_at[rc->sh.name_col] : -1;
    long out_name_at = rc->sh.name_col < 0 || !m->half
                           ? -1
                           : (long)m->half +
                                 (m->out_width ? m->out_key_at[rc->sh.name_col] : name_at);
    for (size_t i = from; i < end && !rc->levels; i++)
        rc->levels = indented(w, rec(w, i), name_at) || indented(w, rec(w, i), out_name_at);
    /* The 支出 side of sides with their own columns, as data_row reads a side from `half`. */
    hmap out = *m;
    if (m->out_width) {
        out.key_at = m->out_key_at;
        out.col_of = m->col_of + m->half;
        out.width = m->out_width;
        out.section_col = -1;
    }
    size_t both = m->out_width ? m->half + m->out_width : 2 * m->half;
    rowmode mode;
    memset(&mode, 0, sizeof mode);
    int perf = is_perf(rc->t->tpl);
    bk_status st = BK_OK;
    const char *label_section = NULL; /* the label column's text, once a row printed it */
    /* Two sides: the 收入 rows first, then the 支出 rows. */
    for (int side = 0; side < (m->half ? 2 : 1) && st == BK_OK; side++) {
        int cur = rc->cur;
        for (size_t i = from; i < end && st == BK_OK; i++) {
            const wrec *r = rec(w, i);
            if (perf) {
                int taken;
                if ((st = perf_record(w, r, &mode, &taken)) != BK_OK || taken)
                    continue;
            }
            /* Under a label column (年度主要任务) the blank label cell of a row is lost in
             * some text extractions: a row one field short whose first field is filled is
             * that row, shifted. */
            wrec shifted;
            const char *section = NULL;
            const bk_template *tpl = rc->t->tpl;
            if (m->section_col == 0 && !m->half && r->n > 0 && rec_width(w, r) + 1 == m->width &&
                !cell_blank(w, r, 0) && tpl->nlabel_columns > 0) {
                shifted = *r;
                shifted.lead = r->lead + 1;
                shifted.n = r->n + 1;
                r = &shifted;
            } else if (m->section_col < 0 && !m->half && tpl->nlabel_columns > 0 && r->n > 1 &&
                       (is_label_text(tpl, cell(w, r, 0).s) ||
                        (label_section && cell_blank(w, r, 0)))) {
                /* The other way round: the header lost the label column (the label is
                 * printed once, in the middle of the rows it spans), so the rows from the
                 * label on carry one field more: the label, then its blank. */
                if (!cell_blank(w, r, 0) && !(label_section = intern_trimmed(
                                                  w, cell(w, r, 0).s, cell(w, r, 0).len)))
                    return BK_E_NOMEM;
                section = label_section;
                shifted = *r;
                shifted.lead = r->lead - 1;
                shifted.n = r->n - 1;
                r = &shifted;
            }
            if ((st = extra_fields(w, r, m->half ? both : m->width)) != BK_OK)
                break;
            rc->m = side ? &out : m;
            if (m->half)
                st = data_row(w, rc, r, side ? m->half : 0, side ? "expenditure" : "income");
            else
                st = data_row(w, rc, r, 0, section);
        }
        rc->cur = cur;
    }
    rc->m = m;
    return st;
}

/* ---------------------------------------------------------------- blocks */

static bk_status block_meta(wide_in *w, size_t *pos, size_t end, block *b)
{
    size_t i = *pos;
    bk_status st = BK_OK;
    for (; i < end && st == BK_OK; i++) {
        const wrec *r = rec(w, i);
        long single = rec_single(w, r);
        if (sheet_break(w, r) && b->tpl) {
            /* A table's title on an earlier sheet (a workbook's 目录 lists every table's title)
             * is not the title of the table that follows; the cover's names and year hold. */
            b->title = NULL, b->tpl = NULL, b->number = 0, b->title_line = 0;
            continue;
        }
        if (rec_first(w, r) < 0)
            continue;
        const char *s = single >= 0 ? cell(w, r, (size_t)single).s : NULL;
        int n;
        if (s && table_number(s, &n)) {
            if (b->number || b->title)
                break; /* the next table */
            b->number = n;
            continue;
        }
        if (meta_line(w, r, b, &st))
            continue;
        if (!s)
            break;
        if (is_period(s) || (b->tpl && is_perf(b->tpl) && !b->period && b->title)) {
            if (!(b->period = intern_trimmed(w, s, strlen(s))))
                return BK_E_NOMEM;
            st = note_year(w, YEAR_PERIOD, year_in(s), r->line);
            continue;
        }
        const bk_template *tpl = match_title(w, s);
        size_t clen;
        if (!tpl && !b->title && !b->number && year_in(s) && ends_with_label(s, "预算", &clen)) {
            /* The publication's cover (2024年…部门预算): its year, when nothing else prints it. */
            st = note_year(w, YEAR_COVER, year_in(s), r->line);
            continue;
        }
        if (!b->title || (tpl && !b->tpl)) {
            if (!(b->title = intern_trimmed(w, s, strlen(s))))
                return BK_E_NOMEM;
            b->title_line = r->line;
            b->tpl = tpl;
            if (tpl)
                st = note_year(w, YEAR_TITLE, year_in(s), r->line);
        }
    }
    *pos = i;
    return st;
}

/* Which table, when the title did not say: its number, else the only template whose header
 * the rows at `at` match. */
static bk_status identify(wide_in *w, block *b, size_t at, size_t end, hmap *m)
{
    if (!b->tpl && b->number)
        b->tpl = template_numbered(w, b->number);
    if (b->tpl)
        return BK_OK;
    const bk_template *found = NULL;
    char names[128] = "", why[300];
    size_t count = 0;
    for (size_t i = 0; i < bk_templates_count(w->tpls); i++) {
        const bk_template *t = bk_templates_at(w->tpls, i);
        if (!usable(w, t))
            continue;
        int got = match_header(w, t, at, end, m, why, sizeof why);
        if (got < 0)
            return nomem(w);
        if (got == 0)
            continue;
        if (count++ == 0)
            found = t;
        size_t len = strlen(names);
        snprintf(names + len, sizeof names - len, "%s%s", len ? ", " : "", t->id);
    }
    long line = at < end ? rec(w, at)->line : (w->f->nrecs ? rec(w, w->f->nrecs - 1)->line : 1);
    if (count == 1) {
        b->tpl = found;
        return BK_OK;
    }
    if (b->title && count)
        return fail(w, b->title_line, 0, BK_E_CONTENT, "unknown table title \"%s\": no template "
                    "has it, and the header fits several tables (%s)", b->title, names);
    if (b->title)
        return fail(w, b->title_line, 0, BK_E_CONTENT, "unknown table title \"%s\": no template "
                    "has this title or this header", b->title);
    if (count)
        return fail(w, line, 0, BK_E_CONTENT, "the file has no title line, and its header fits "
                    "several tables (%s); add the title", names);
    return fail(w, line, 0, BK_E_CONTENT, "the file has no title line, and its header matches no "
                "standard table");
}

static bk_status read_note(wide_in *w, size_t *pos, size_t end, bk_table *t)
{
    if (*pos >= end)
        return BK_OK;
    const wrec *r = rec(w, *pos);
    long c = rec_first(w, r);
    const char *rest;
    if (c < 0 || (!bk_printed_starts(cell(w, r, (size_t)c).s, BK_PRINTED_NOTE, 0, &rest) &&
                  !bk_printed_starts(cell(w, r, (size_t)c).s, "注", 1, &rest)))
        return BK_OK;
    (*pos)++;
    if (!t)
        return BK_OK;
    const char *v = value_after(w, r, (size_t)c, rest);
    if (!v)
        return BK_E_NOMEM;
    return bk_table_set_labels(w->doc, t, t->unit_label, v) == BK_OK ? BK_OK : nomem(w);
}

/* Whether every non-blank cell of column c in records [from, end) reads as an amount. */
static int column_is_amount(wide_in *w, size_t c, size_t from, size_t end)
{
    for (size_t i = from; i < end; i++) {
        const bk_field f = cell(w, rec(w, i), c);
        bk_decimal d;
        int fw;
        if (!bk_printed_blank(f.s, f.len) &&
            bk_decimal_parse(f.s, f.len,
                             BK_DECIMAL_THOUSANDS | BK_DECIMAL_TRIM | BK_DECIMAL_FULLWIDTH, &d,
                             &fw) != BK_DECIMAL_OK)
            return 0;
    }
    return 1;
}

/* Printed columns the template lacks (a header it does not know, or figures beyond the header)
 * are kept as extra columns of a layout the document defines, with a warning: a printed figure
 * is never dropped. *tpl becomes that layout when there are any. */
/* The widest record of a table's body, at least the header's width. */
static size_t body_width(const wide_in *w, const hmap *m, size_t head, size_t stop)
{
    size_t width = m->width;
    for (size_t i = head + m->rows; i < stop; i++)
        if (rec_width(w, rec(w, i)) > width)
            width = rec_width(w, rec(w, i));
    return width;
}

/* Whether file column c is a key column (or the label column) of the header m of tpl. */
static int key_column(const bk_template *tpl, const hmap *m, size_t c)
{
    int key = (long)c == m->section_col;
    for (size_t k = 0; k < tpl->nkey_headers && !key; k++)
        key = m->key_at[k] == (long)c;
    return key;
}

/* Whether column c, matched to no column of the layout, prints anything: an extra column. */
static int unexplained(const wide_in *w, const hmap *m, size_t head, size_t stop, size_t c)
{
    int used = c < m->width && m->col_of[c] == -2;
    for (size_t i = head + m->rows; i < stop && !used; i++)
        used = !cell_blank(w, rec(w, i), c);
    return used;
}

/* The printed columns that keep_extra_columns would keep as extra columns. */
static size_t unexplained_columns(const wide_in *w, const bk_template *tpl, const hmap *m,
                                  size_t head, size_t stop)
{
    if (m->half)
        return 0;
    size_t width = body_width(w, m, head, stop), n = 0;
    for (size_t c = 0; c < width; c++)
        n += !key_column(tpl, m, c) && !(c < m->width && m->col_of[c] >= 0) &&
             unexplained(w, m, head, stop, c);
    return n;
}

static bk_status keep_extra_columns(wide_in *w, block *b, hmap *m, size_t head, size_t stop,
                                    const bk_template **tpl)
{
    if (m->half)
        return BK_OK;
    size_t width = body_width(w, m, head, stop);
    bk_column extra[64];
    char ids[64][16];
    const char *paths[64][8];
    size_t nextra = 0;
    for (size_t c = 0; c < width; c++) {
        if (key_column(b->tpl, m, c) || (c < m->width && m->col_of[c] >= 0))
            continue;
        int used = unexplained(w, m, head, stop, c);
        if (c < m->width)
            m->col_of[c] = -1;
        if (!used)
            continue;
        if (nextra == 64)
            return fail(w, rec(w, head)->line, (long)c + 1, BK_E_LIMIT, "table %s has more "
                        "than 64 columns its layout does not know", b->tpl->id);
        bk_column *x = &extra[nextra];
        snprintf(ids[nextra], sizeof ids[nextra], "extra_%zu", nextra + 1);
        x->id = ids[nextra];
        x->path = paths[nextra];
        x->path_len = 0;
        x->side = BK_SIDE_BOTH;
        x->optional = 0;
        for (size_t r = 0; r < m->rows && x->path_len < 8; r++) {
            const bk_field f = cell(w, rec(w, head + r), c);
            const char *l = intern_trimmed(w, f.s, f.len);
            if (!l)
                return BK_E_NOMEM;
            if (*l && (x->path_len == 0 || strcmp(paths[nextra][x->path_len - 1], l) != 0))
                paths[nextra][x->path_len++] = l;
        }
        x->type = column_is_amount(w, c, head + m->rows, stop) ? BK_COL_AMOUNT : BK_COL_TEXT;
        m->col_of[c] = (long)(b->tpl->ncolumns + nextra);
        nextra++;
        if (!w->quiet) {
            char got[200];
            path_text(x->path, x->path_len, got, sizeof got);
            bk_import_warn_in(w->job, w->f->name, rec(w, head)->line, (long)c + 1,
                              "table %s (%s): column %zu (%s) is no column of its layout; kept "
                              "as extra column %s", b->tpl->id, b->tpl->title, c + 1,
                              x->path_len ? got : "no header", x->id);
        }
    }
    m->width = width;
    if (nextra == 0)
        return BK_OK;
    *tpl = bk_doc_define_template(w->doc, b->tpl, b->tpl->id, b->tpl->title, extra, nextra);
    return *tpl ? BK_OK : nomem(w);
}

/* Whether any cell of the record reads as a number. */
static int has_number(wide_in *w, const wrec *r)
{
    for (size_t c = 0; c < r->n; c++) {
        const bk_field f = cell(w, r, c);
        bk_decimal d;
        int fw;
        if (!bk_printed_blank(f.s, f.len) &&
            bk_decimal_parse(f.s, f.len,
                             BK_DECIMAL_THOUSANDS | BK_DECIMAL_TRIM | BK_DECIMAL_FULLWIDTH, &d,
                             &fw) == BK_DECIMAL_OK)
            return 1;
    }
    return 0;
}

/* A table no layout knows, or whose header its layout does not fit, is kept as printed: a
 * generic table (layout.unknown-table) whose columns are the printed ones (col_1, col_2...,
 * their header paths as printed), one row per printed line. The header is the lines before the
 * first that holds a number. */
static bk_status generic_table(wide_in *w, block *b, size_t from, size_t stop, const char *why)
{
    size_t rows = 0;
    while (from + rows < stop && rows < w->max_header_rows && !has_number(w, rec(w, from + rows)))
        rows++;
    if (from + rows == stop && rows > 0)
        rows = 0; /* no figure at all: every line is a row */
    size_t width = 0;
    for (size_t i = from; i < stop; i++)
        if (rec_width(w, rec(w, i)) > width)
            width = rec_width(w, rec(w, i));
    if (width == 0)
        width = 1;
    if (width > BK_MAX_COLUMNS)
        return fail(w, rec(w, from)->line, 0, BK_E_LIMIT, "a table wider than %d columns",
                    BK_MAX_COLUMNS);
    grid g = {w, from, rows, 0, width, NULL};
    bk_column *cols = bk_calloc(width, sizeof *cols);
    char (*ids)[16] = bk_calloc(width, sizeof *ids);
    const char **paths = bk_calloc(width * (rows ? rows : 1), sizeof *paths);
    bk_status st = BK_OK;
    if (!cols || !ids || !paths || (rows && grid_build(&g))) {
        st = nomem(w);
        goto done;
    }
    for (size_t c = 0; c < width; c++) {
        snprintf(ids[c], sizeof ids[c], "col_%zu", c + 1);
        cols[c].id = ids[c];
        cols[c].path = paths + c * (rows ? rows : 1);
        cols[c].path_len = rows ? grid_path(&g, c, cols[c].path, rows) : 0;
        int any = 0;
        for (size_t i = from + rows; i < stop && !any; i++)
            any = !cell_blank(w, rec(w, i), c);
        cols[c].type = any && column_is_amount(w, c, from + rows, stop) ? BK_COL_AMOUNT
                                                                          : BK_COL_TEXT;
    }
    /* The title without its year: writers print the document's year in front of it. */
    const char *title = b->title ? b->title : "";
    if (year_in(title) && strncmp(title + 4, "年", 3) == 0) {
        /* A title no layout knows still prints the year (2024年部门预算调整表). */
        if ((st = note_year(w, YEAR_TITLE, year_in(title), b->title_line)) != BK_OK)
            goto done;
        title += 7;
    }
    char id[32];
    size_t n = 0;
    for (size_t k = 0; k < w->doc->ntables; k++)
        n += w->doc->tables[k]->tpl->defined && !*w->doc->tables[k]->tpl->family;
    snprintf(id, sizeof id, "generic-%zu", n + 1);
    const bk_template *tpl = bk_doc_define_template(w->doc, NULL, id, *title ? title : id, cols,
                                                    width);
    bk_table *t = tpl ? bk_doc_add_table(w->doc, tpl) : NULL;
    if (!t || bk_table_set_labels(w->doc, t, b->label, NULL) != BK_OK ||
        bk_table_set_money_unit(w->doc, t, b->money_unit) != BK_OK) {
        st = nomem(w);
        goto done;
    }
    if (!w->quiet)
        bk_import_warn_in(w->job, w->f->name,
                          b->title_line ? b->title_line : from < stop ? rec(w, from)->line : 0, 0, "[layout.unknown-table] \"%s\": %s; kept as generic table %s "
                          "with its %zu printed columns", *title ? title : "(no title)", why, id,
                          width);
    b->tpl = tpl;
    int unit = b->unit;
    if (unit < 0 && b->label && *b->label && (unit = ensure_unit(w, b->label, b->title_line)) < 0) {
        st = w->err->code;
        goto done;
    }
    for (size_t i = from + rows; i < stop && st == BK_OK; i++) {
        const wrec *r = rec(w, i);
        if (rec_first(w, r) < 0)
            continue;
        int u = unit >= 0 ? unit : bk_doc_unit_of_kind(w->doc, BK_UNIT_SELF);
        if (u < 0)
            u = bk_doc_unit_of_kind(w->doc, BK_UNIT_DEPARTMENT);
        if (u < 0 && w->discover) {
            w->skipped++;
            continue;
        }
        if (u < 0) {
            st = fail(w, r->line, 0, BK_E_CONTENT, "line %ld: no 单位名称 or 编制部门 line says "
                      "which unit this table belongs to", (long)r->line);
            break;
        }
        const bk_field f0 = cell(w, r, (size_t)rec_first(w, r));
        char lab[256];
        snprintf(lab, sizeof lab, "%.*s", (int)(f0.len < 255 ? f0.len : 255), f0.s);
        bk_row_kind kind = bk_printed_kind_of(lab) == BK_ROW_TOTAL ? BK_ROW_TOTAL : BK_ROW_ITEM;
        long row = bk_table_add_row(w->doc, t, kind, u, NULL, NULL, "", 0, (uint32_t)r->line);
        if (row < 0) {
            st = nomem(w);
            break;
        }
        rowctx rc;
        memset(&rc, 0, sizeof rc);
        rc.t = t;
        for (size_t c = 0; c < width && st == BK_OK; c++)
            st = set_value(w, &rc, (size_t)row, c, cell(w, r, c), r->line, (long)c + 1);
    }
done:
    bk_free(g.lab);
    bk_free(cols);
    bk_free(ids);
    bk_free(paths);
    return st;
}

/* A table without key columns (one row of figures: 支出总表, the 三公 table) whose header
 * is too tangled to read (labels of several levels printed side by side) is still its
 * layout's table when its figures fill exactly the template's columns: they are taken in
 * the template's order, with a warning. 1 when so (m filled), else 0. */
static int match_by_position(wide_in *w, const bk_template *tpl, size_t first, size_t stop,
                             hmap *m)
{
    if (tpl->nkey_headers || tpl->nsides || !tpl->ncolumns)
        return 0;
    size_t body = first;
    while (body < stop && !has_number(w, rec(w, body)))
        body++;
    if (body == first || body == stop)
        return 0;
    int full = 0;
    for (size_t k = first; k < stop; k++) {
        size_t rw = rec_width(w, rec(w, k));
        if (rw > tpl->ncolumns)
            return 0;
        full |= k >= body && rw == tpl->ncolumns;
    }
    if (!full)
        return 0;
    m->rows = body - first;
    m->half = 0;
    m->section_col = -1;
    m->width = tpl->ncolumns;
    m->year = 0;
    m->matched = tpl->ncolumns;
    for (size_t c = 0; c < tpl->ncolumns; c++)
        m->col_of[c] = (long)c;
    return 1;
}

/* The first field (from 1) beyond `width` that a record of [from, stop) fills, else 0. */
static size_t first_beyond(wide_in *w, size_t from, size_t stop, size_t width)
{
    for (size_t i = from; i < stop; i++) {
        const wrec *r = rec(w, i);
        for (size_t c = width; c < r->n; c++)
            if (!cell_blank(w, r, c))
                return c + 1;
    }
    return 0;
}

/* The first column (1-based) headed by two labels run together that holds anything in the
 * rows [from, stop): which of the two a figure belongs to cannot be told. 0 when none. */
static size_t figures_under_joined(wide_in *w, const hmap *m, size_t from, size_t stop)
{
    size_t width = m->out_width ? m->half + m->out_width : m->half ? 2 * m->half : m->width;
    for (size_t c = 0; c < width; c++) {
        if (m->col_of[c] != COLUMNS_RUN_TOGETHER)
            continue;
        for (size_t i = from; i < stop; i++)
            if (!cell_blank(w, rec(w, i), c))
                return c + 1;
    }
    return 0;
}

static bk_status read_block(wide_in *w, size_t *pos, size_t end)
{
    block b;
    memset(&b, 0, sizeof b);
    b.unit = -1;
    size_t i = *pos;
    bk_status st = block_meta(w, &i, end, &b);
    if (st != BK_OK)
        return st;
    if (i >= end && !b.title && !b.number && !b.label) {
        *pos = end; /* trailing blank lines */
        return BK_OK;
    }
    /* Room for any template's key columns and any record's fields. */
    size_t nkeys = 1;
    for (size_t k = 0; k < bk_templates_count(w->tpls); k++)
        if (bk_templates_at(w->tpls, k)->nkey_headers > nkeys)
            nkeys = bk_templates_at(w->tpls, k)->nkey_headers;
    hmap m;
    bk_table *t = NULL;
    memset(&m, 0, sizeof m);
    m.key_at = bk_calloc(nkeys, sizeof *m.key_at);
    m.out_key_at = bk_calloc(nkeys, sizeof *m.out_key_at);
    m.col_of = bk_calloc(w->f->widest + 1, sizeof *m.col_of);
    if (!m.key_at || !m.out_key_at || !m.col_of) {
        st = nomem(w);
        goto out;
    }
    size_t stop = block_end(w, i, end);
    char why[BK_ERROR_TEXT];
    if ((st = identify(w, &b, i, end, &m)) != BK_OK) {
        if (st != BK_E_CONTENT)
            goto out;
        snprintf(why, sizeof why, "%s", w->err->text);
        bk_error_clear(w->err);
        st = generic_table(w, &b, i, stop, why);
        i = stop;
        goto note;
    }
    if (b.label && *b.label && (b.unit = ensure_unit(w, b.label, b.title_line)) < 0) {
        st = w->err->code;
        goto out;
    }
    if (is_perf(b.tpl) && b.perf_unit && *b.perf_unit && b.unit < 0 &&
        (b.unit = ensure_unit(w, b.perf_unit, b.title_line)) < 0) {
        st = w->err->code;
        goto out;
    }
    long at4[4];
    int no_table =
        is_perf(b.tpl) && i < end &&
        (indicator_header(w, rec(w, i), at4) ||
         (rec_first(w, rec(w, i)) >= 0 &&
          bk_label_equal(cell(w, rec(w, i), (size_t)rec_first(w, rec(w, i))).s, BK_PRINTED_GOALS)));
    if (!no_table && b.title && b.tpl) {
        /* Families print the same titles (收入预算总表 in Shanghai and Jiangsu): of the
         * templates the title fits as well, the first whose header the table prints. */
        size_t len = title_match(b.tpl, b.title);
        char why1[300];
        int got = 0, alts = 0;
        for (size_t k = 0; k < bk_templates_count(w->tpls) && got == 0; k++) {
            const bk_template *alt = bk_templates_at(w->tpls, k);
            if (alt == b.tpl || !usable(w, alt) || title_match(alt, b.title) != len)
                continue;
            alts = 1;
            if ((got = match_header(w, b.tpl, i, stop, &m, why1, sizeof why1)) != 0)
                break; /* its own header (1), or out of memory (-1) */
            if ((got = match_header(w, alt, i, stop, &m, why1, sizeof why1)) > 0)
                b.tpl = alt;
        }
        /* None prints exactly its header: the one that leaves the fewest printed columns
         * unexplained (Shanghai's 支出预算总表 printing one column the reading missed, not
         * Jiangsu's, whose key columns are named otherwise, leaving four), then whose columns
         * the table prints the most, then of the document's family (else the first). */
        size_t most = 0, fewest = (size_t)-1;
        for (size_t k = 0; k < bk_templates_count(w->tpls) && got == 0 && alts; k++) {
            const bk_template *alt = bk_templates_at(w->tpls, k);
            if (!usable(w, alt) || title_match(alt, b.title) != len)
                continue;
            int kept = match_header_keeping(w, alt, i, stop, &m, why1, sizeof why1);
            if (kept < 0) {
                got = -1;
                continue;
            }
            size_t left = kept > 0 ? unexplained_columns(w, alt, &m, i, stop) : 0;
            if (kept > 0 &&
                (left < fewest || (left == fewest && m.matched > most) ||
                 (left == fewest && m.matched == most && w->doc_family &&
                  strcmp(alt->family, w->doc_family) == 0 &&
                  strcmp(b.tpl->family, w->doc_family) != 0))) {
                fewest = left;
                most = m.matched;
                b.tpl = alt;
            }
        }
        if (got < 0) {
            st = nomem(w);
            goto out;
        }
    }
    if (!no_table) {
        char why1[300];
        int got = match_header_keeping(w, b.tpl, i, stop, &m, why1, sizeof why1);
        if (got < 0) {
            st = nomem(w);
            goto out;
        }
        bk_printed_shape lim;
        bk_printed_shape_of(b.tpl, &lim);
        if (got == 0 && lim.depth > w->max_header_rows) {
            st = fail(w, i < end ? rec(w, i)->line : b.title_line, 0, BK_E_LIMIT, "the header of "
                      "table %s (%s) does not match its template: %s", b.tpl->id, b.tpl->title,
                      why1);
            goto out;
        }
        if (got == 2) {
            got = 1;
            if (!w->quiet)
                bk_import_warn_in(w->job, w->f->name, rec(w, i)->line, 0,
                                  "[layout.header-by-position] table %s (%s): the printed "
                                  "header does not read as the template's (%s); its %zu "
                                  "figures are taken in the template's column order",
                                  b.tpl->id, b.tpl->title, why1, b.tpl->ncolumns);
        }
        if (got == 0) {
            snprintf(why, sizeof why, "the header does not match %s (%s): %s", b.tpl->id,
                     b.tpl->title, why1);
            st = generic_table(w, &b, i, stop, why);
            i = stop;
            goto note;
        }
        /* A two-sided table keeps no extra columns: one whose rows print more than both
         * sides of its layout (a unit's 财务收支预算总表 splitting its 支出 into 基本支出 and
         * 项目支出) is kept whole as a generic table, never refused. */
        size_t both = m.out_width ? m.half + m.out_width : 2 * m.half;
        size_t over = m.half ? first_beyond(w, i + m.rows, stop, both) : 0;
        size_t joined = figures_under_joined(w, &m, i + m.rows, stop);
        if (joined) {
            snprintf(why, sizeof why, "its column %zu, headed by the labels of two columns run "
                     "together, prints figures", joined);
            st = generic_table(w, &b, i, stop, why);
            i = stop;
            goto note;
        }
        if (over) {
            snprintf(why, sizeof why, "its rows print field %zu, beyond the %zu columns of the "
                     "two sides of %s (%s)", over, both, b.tpl->id, b.tpl->title);
            st = generic_table(w, &b, i, stop, why);
            i = stop;
            goto note;
        }
        if ((st = note_year(w, YEAR_HEADER, m.year, rec(w, i)->line)) != BK_OK)
            goto out;
        if (bk_doc_table(w->doc, b.tpl->id)) {
            st = fail(w, b.title_line ? b.title_line : rec(w, i)->line, 0, BK_E_CONTENT,
                      "table %s (%s) appears twice", b.tpl->id, b.tpl->title);
            goto out;
        }
        const bk_template *tpl = b.tpl;
        if ((st = keep_extra_columns(w, &b, &m, i, stop, &tpl)) != BK_OK)
            goto out;
        if (!w->doc_family && *tpl->family)
            w->doc_family = tpl->family;
        if (!(t = bk_doc_add_table(w->doc, tpl)) ||
            bk_table_set_labels(w->doc, t, b.label, NULL) != BK_OK ||
            bk_table_set_money_unit(w->doc, t, b.money_unit ? b.money_unit
                                                             : tpl->money_unit) != BK_OK) {
            st = nomem(w);
            goto out;
        }
        i += m.rows;
    } else {
        m.width = 0;
    }
    if (t) {
        rowctx rc;
        memset(&rc, 0, sizeof rc);
        rc.t = t;
        rc.m = &m;
        bk_printed_shape_of(b.tpl, &rc.sh);
        rc.cur = b.unit;
        st = read_rows(w, &rc, i, stop);
    } else {
        rowmode mode;
        memset(&mode, 0, sizeof mode);
        for (size_t k = i; k < stop && st == BK_OK; k++) {
            int taken;
            st = perf_record(w, rec(w, k), &mode, &taken);
            if (st == BK_OK && !taken && rec_first(w, rec(w, k)) >= 0)
                st = fail(w, rec(w, k)->line, 0, BK_E_CONTENT, "line %ld belongs to no part of "
                          "table %s", (long)rec(w, k)->line, b.tpl->id);
        }
    }
    if (st != BK_OK)
        goto out;
    i = stop;
note:
    if (st != BK_OK)
        goto out;
    if (!t && b.tpl && b.tpl->defined)
        t = bk_doc_table(w->doc, b.tpl->id);
    if ((st = read_note(w, &i, end, t)) != BK_OK)
        goto out;
    if (is_perf(b.tpl) && (b.perf_seen || b.period || w->doc->performance.ngoals ||
                           w->doc->performance.nindicators)) {
        bk_performance *p = &w->doc->performance;
        if (bk_doc_set_performance(w->doc, b.perf_unit ? b.perf_unit : p->unit_name,
                                   b.perf_sup ? b.perf_sup : p->supervisor,
                                   b.period ? b.period : p->period) != BK_OK)
            st = nomem(w);
    }
    *pos = i;
out:
    bk_free(m.key_at);
    bk_free(m.out_key_at);
    bk_free(m.col_of);
    return st;
}

/* Rows [first, end) of the grid, as one file named name. */
static bk_status read_file(wide_in *w, const char *name, size_t first, size_t end)
{
    const grid_rows *rows = &w->g->rows;
    /* An empty grid has no rows at all (recs NULL): no offset from it. */
    wfile f = {name, rows->arena, rows->f, rows->recs ? rows->recs + first : NULL, end - first, 0};
    for (size_t i = 0; i < f.nrecs; i++)
        if (f.recs[i].n > f.widest)
            f.widest = f.recs[i].n;
    w->f = &f;
    size_t pos = 0, tables = w->doc->ntables;
    int perf = w->doc->performance.present;
    bk_status st = BK_OK;
    while (st == BK_OK && pos < f.nrecs) {
        size_t before = pos;
        st = read_block(w, &pos, f.nrecs);
        if (st == BK_OK && pos == before)
            st = fail(w, rec(w, pos)->line, 0, BK_E_CONTENT, "line %ld is not part of a table",
                      (long)placed_line(w, rec(w, pos)->line));
    }
    if (st == BK_OK && tables == w->doc->ntables && perf == w->doc->performance.present)
        st = fail(w, 0, 0, BK_E_CONTENT, "the file holds no table");
    w->f = NULL;
    return st;
}

/* The document-wide facts the tables printed (or the options give). */
static bk_status finish(wide_in *w, const char *name)
{
    bk_doc *doc = w->doc;
    bk_error e = {0};
    const char *opt = bk_import_option(w->job, "year");
    if (opt) {
        char *end;
        long y = strtol(opt, &end, 10);
        if (*end || end == opt)
            return fail_in(w, name, 0, BK_E_USAGE, "option year=%s is not a year",
                              opt);
        if (bk_doc_set_year(doc, y, &e) != BK_OK)
            return fail_in(w, name, 0, BK_E_USAGE, "option year=%s: %s", opt,
                              e.text);
    } else {
        /* Unknown stays 0: reading and validating need no year; writing a document does, and
         * says so. */
        static const char *const kinds[] = {"title", "column header", "年度 line", "cover"};
        int from = -1;
        for (int k = 0; k < YEAR_KINDS && from < 0; k++)
            if (w->years[k].year)
                from = k;
        if (from >= 0 && bk_doc_set_year(doc, w->years[from].year, &e) != BK_OK)
            return fail_in(w, w->years[from].file, w->years[from].line, BK_E_CONTENT,
                              "%s", e.text);
        for (int k = from + 1; from >= 0 && k < YEAR_KINDS && !w->quiet; k++)
            if (w->years[k].year && w->years[k].year != doc->fiscal_year)
                bk_import_warn_in(w->job, w->years[k].file, w->years[k].line, 0,
                                  "the %s prints the year %d; the %s's %d is taken", kinds[k],
                                  w->years[k].year, kinds[from], doc->fiscal_year);
    }
    opt = bk_import_option(w->job, "money_unit");
    if (opt && !(w->money_unit = bk_doc_intern_cstr(doc, opt)))
        return fail_in(w, name, 0, BK_E_NOMEM, "out of memory");
    if (!w->money_unit)
        return fail_in(w, name, 0, BK_E_CONTENT,
                          "no 单位: line says whether "
                          "amounts are in 万元 or 元; give it with --option money_unit=万元");
    bk_status st = bk_doc_set_money_unit(doc, w->money_unit, &e);
    if (st != BK_OK)
        return fail_in(w, name, 0, st, "%s", e.text);
    /* Tables printed in the document's unit keep none of their own. */
    for (size_t i = 0; i < doc->ntables; i++)
        if (bk_table_set_money_unit(doc, doc->tables[i], doc->tables[i]->money_unit) != BK_OK)
            return fail_in(w, name, 0, BK_E_NOMEM, "out of memory");
    if ((st = bk_doc_set_precision(doc, w->any_number ? w->max_scale : 2, &e)) != BK_OK)
        return fail_in(w, name, 0, st, "%s", e.text);
    if (bk_layout_economic_levels(doc) != BK_OK)
        return fail_in(w, name, 0, BK_E_NOMEM, "out of memory");
    if (bk_doc_unit_of_kind(doc, BK_UNIT_DEPARTMENT) < 0) {
        if (!*doc->dept_name)
            return fail_in(w, name, 0, BK_E_CONTENT,
                              "no 单位名称 line or unit row "
                              "names the department");
        if (add_unit(w, doc->dept_name, strlen(doc->dept_name), BK_UNIT_DEPARTMENT, 0) < 0)
            return w->err->code;
    }
    return BK_OK;
}

/* Each file of a folder on its own; any other grid as one. */
static bk_status read_all(wide_in *w)
{
    const bk_grid *g = w->g;
    bk_status st = BK_OK;
    if (w->folder) {
        for (size_t p = 0; p < g->rows.nparts && st == BK_OK; p++) {
            size_t end = p + 1 < g->rows.nparts ? g->rows.parts[p + 1].first : g->rows.nrecs;
            st = read_file(w, g->rows.parts[p].name, g->rows.parts[p].first, end);
        }
    } else {
        st = read_file(w, g->file, 0, g->rows.nrecs);
    }
    return st == BK_OK ? finish(w, g->file) : st;
}

/* A fresh document that starts with the units of `from`, in the same order. */
static bk_status seed_units(wide_in *w, const bk_doc *from)
{
    w->doc = bk_doc_new();
    if (!w->doc)
        return nomem(w);
    for (size_t i = 0; i < from->nunits; i++) {
        const bk_unit *u = &from->units[i];
        bk_error e;
        bk_error_clear(&e);
        if (bk_doc_add_unit(w->doc, u->id, u->name, (bk_unit_kind)u->kind,
                            u->parent >= 0 ? from->units[u->parent].id : NULL, &e) != BK_OK)
            return fail(w, 0, 0, e.code, "%s", e.text);
    }
    return bk_doc_set_department(w->doc, from->dept_name, NULL) == BK_OK ? BK_OK : nomem(w);
}

static int family_known(const bk_templates *tpls, const char *family)
{
    for (size_t i = 0; i < bk_templates_count(tpls); i++)
        if (strcmp(bk_templates_at(tpls, i)->family, family) == 0)
            return 1;
    return 0;
}

/* Whether the grid is the files of a folder. */
static int is_folder(const bk_grid *g)
{
    for (size_t p = 0; p < g->rows.nparts; p++)
        if (g->rows.parts[p].kind != BK_GRID_FILE)
            return 0;
    return g->rows.nparts > 0 && g->rows.parts[0].first == 0;
}

bk_status bk_layout_read(bk_import *job, const bk_grid *g, bk_doc **out)
{
    wide_in w;
    memset(&w, 0, sizeof w);
    w.job = job;
    w.g = g;
    w.err = bk_import_error(job);
    w.tpls = bk_import_templates(job);
    bk_limits *lim = bk_ctx_limits(bk_import_ctx(job));
    w.max_header_rows = lim->max_header_rows ? (size_t)lim->max_header_rows : 8;
    w.max_cells = lim->max_cells;
    w.folder = w.discover = is_folder(g);
    w.family = bk_import_option(job, "layout-family");
    if (w.family && !*w.family)
        w.family = NULL;
    if (w.family && !family_known(w.tpls, w.family))
        return fail(&w, 0, 0, BK_E_USAGE, "no layout family is called \"%s\" ('budgetkit "
                    "layouts' lists them)", w.family);
    *out = NULL;
    w.doc = bk_doc_new();
    if (!w.doc)
        return fail(&w, 0, 0, BK_E_NOMEM, "out of memory");
    bk_status st = read_all(&w);
    if (st == BK_OK && w.skipped) {
        bk_doc *first = w.doc;
        wide_in again = w;
        again.doc = NULL;
        again.discover = 0;
        again.quiet = 1;
        memset(again.years, 0, sizeof again.years);
        again.money_unit = NULL;
        again.max_scale = again.any_number = 0;
        again.cells = 0;
        again.skipped = 0;
        st = seed_units(&again, first);
        bk_doc_free(first);
        w = again;
        if (st == BK_OK)
            st = read_all(&w);
    }
    free_titles(&w);
    if (st == BK_OK && bk_doc_set_source(w.doc, g->file) != BK_OK)
        st = fail(&w, 0, 0, BK_E_NOMEM, "out of memory");
    if (st != BK_OK) {
        bk_doc_free(w.doc);
        return st;
    }
    *out = w.doc;
    return BK_OK;
}
