/* A document's tables as printed (bk_grid_render; formats/csv-wide.md): title, 单位名称, 单位,
 * the header rows with merged cells left empty, data rows with thousands separators, the 备注
 * footer. Every row has the table's width, as spreadsheets write it. The CSV plugin writes the
 * rows as records, the workbook writer as sheets. */
#include <stdio.h>
#include <string.h>

#include "layout.h"

typedef struct wide_out {
    const bk_grid_writer *out;
    bk_status status;
    const bk_doc *doc;
    const bk_templates *tpls;
    size_t width;
    const char **f; /* the record being assembled */
    size_t f_cap;
    char *store; /* text made for it (numbers, indented names) */
    size_t store_len, store_cap;
    bk_error *err;
} wide_out;

static bk_status nomem(wide_out *o)
{
    return o->status = bk_error_set(o->err, BK_E_NOMEM, "out of memory");
}

/* Start a record of the current width, all fields empty. */
static int rec_start(wide_out *o)
{
    if (bk_grow((void **)&o->f, &o->f_cap, o->width, sizeof *o->f)) {
        nomem(o);
        return -1;
    }
    for (size_t i = 0; i < o->width; i++)
        o->f[i] = NULL;
    o->store_len = 0;
    return 0;
}

static void rec_end(wide_out *o)
{
    if (o->status == BK_OK)
        o->status = o->out->row(o->out->user, o->f, o->width);
}

/* Text kept until the record is written. Offsets, not pointers: the store may move. */
static long store(wide_out *o, const char *a, size_t na, const char *b, size_t nb)
{
    if (bk_grow((void **)&o->store, &o->store_cap, o->store_len + na + nb + 1, 1)) {
        nomem(o);
        return -1;
    }
    long at = (long)o->store_len;
    memcpy(o->store + o->store_len, a, na);
    memcpy(o->store + o->store_len + na, b, nb);
    o->store_len += na + nb;
    o->store[o->store_len++] = '\0';
    return at;
}

/* Pointers into the store are fixed up once everything is stored. */
typedef struct pending {
    size_t field;
    long at;
} pending;

static void one_line(wide_out *o, const char *text)
{
    if (rec_start(o))
        return;
    o->f[0] = text;
    rec_end(o);
}

/* A line of one field: a followed by b. */
static void joined_line(wide_out *o, const char *a, const char *b)
{
    if (rec_start(o))
        return;
    long at = store(o, a, strlen(a), b, strlen(b));
    if (at < 0)
        return;
    o->f[0] = o->store + at;
    rec_end(o);
}

/* The year goes in front of the title, as agencies print it, so a file alone tells it. */
static void title_line(wide_out *o, const bk_template *tpl)
{
    char year[16] = "";
    if (o->doc->fiscal_year > 0)
        snprintf(year, sizeof year, "%d年", o->doc->fiscal_year);
    joined_line(o, year, tpl->title);
}

static void label_lines(wide_out *o, const char *unit_label, const char *money_unit)
{
    if (unit_label)
        joined_line(o, BK_PRINTED_UNIT_NAME ":", unit_label);
    joined_line(o, BK_PRINTED_MONEY_UNIT ":", money_unit ? money_unit : o->doc->money_unit);
}

static void note_line(wide_out *o, const char *note)
{
    if (note)
        joined_line(o, BK_PRINTED_NOTE ":", note);
}

/* Whether a side of a two-sided table prints column c of t's template (side 0: a table of one
 * side): a column of the other side is not, nor an optional one no row of t fills. */
static int on_side(const bk_table *t, size_t c, int side)
{
    const bk_column *col = &t->tpl->columns[c];
    if (!side)
        return 1;
    if (col->side != BK_SIDE_BOTH && col->side != side)
        return 0;
    if (!col->optional)
        return 1;
    for (size_t r = 0; r < t->nrows; r++)
        if (bk_table_cell(t, r, c)->kind != BK_CELL_EMPTY)
            return 1;
    return 0;
}

/* The fields one side prints: its key columns and its value columns. */
static size_t side_width(const bk_table *t, int side)
{
    size_t n = t->tpl->nkey_headers;
    for (size_t c = 0; c < t->tpl->ncolumns; c++)
        n += on_side(t, c, side);
    return n;
}

/* Whether column c's label at header row r starts a merged run (else it is left empty). */
static int starts_run(const bk_table *t, size_t c, size_t r, int side)
{
    const bk_template *tpl = t->tpl;
    const bk_column *col = &tpl->columns[c];
    if (r >= col->path_len)
        return 0;
    size_t p = c;
    while (p > 0 && !on_side(t, p - 1, side))
        p--;
    if (p == 0)
        return 1;
    const bk_column *prev = &tpl->columns[p - 1];
    if (prev->path_len <= r)
        return 1;
    for (size_t k = 0; k <= r; k++)
        if (strcmp(prev->path[k], col->path[k]) != 0)
            return 1;
    return 0;
}

/* Whether column c is the total of a group the side prints after it (预算数 before 预算数 /
 * 基本支出 / 人员经费): printed with 合计 under its label, as the unit's 财务收支预算总表 does. */
static int heads_group(const bk_table *t, size_t c, int side)
{
    const bk_column *col = &t->tpl->columns[c];
    size_t next = c + 1;
    while (next < t->tpl->ncolumns && !on_side(t, next, side))
        next++;
    if (next == t->tpl->ncolumns || t->tpl->columns[next].path_len <= col->path_len)
        return 0;
    for (size_t k = 0; k < col->path_len; k++)
        if (strcmp(t->tpl->columns[next].path[k], col->path[k]) != 0)
            return 0;
    return 1;
}

/* Header rows of one side: keys from `at`, then the value columns the side prints. */
static void header_cells(wide_out *o, const bk_table *t, size_t at, size_t r, int side)
{
    const bk_template *tpl = t->tpl;
    if (r == 0)
        for (size_t k = 0; k < tpl->nkey_headers; k++)
            o->f[at + k] = tpl->key_headers[k];
    size_t field = at + tpl->nkey_headers;
    for (size_t c = 0; c < tpl->ncolumns; c++) {
        if (!on_side(t, c, side))
            continue;
        if (starts_run(t, c, r, side))
            o->f[field] = tpl->columns[c].path[r];
        else if (r == tpl->columns[c].path_len && heads_group(t, c, side))
            o->f[field] = "合计";
        field++;
    }
}

typedef struct row_ctx {
    const bk_table *t;
    const bk_printed_shape *sh;
    int levels; /* the table prints levels by indentation */
    int cur;    /* unit whose block the rows are in */
    int side;   /* the side of a two-sided table being written (its columns), else 0 */
} row_ctx;

static size_t indent_of(const bk_row *row)
{
    if (row->kind == BK_ROW_UNIT || row->level == 0)
        return 0;
    return row->kind == BK_ROW_TOTAL ? row->level : (size_t)row->level - 1u;
}

/* The fields of one row: keys from `at`, values after them. Text made here is stored; the
 * pending list says which fields point into the store. */
static void row_cells(wide_out *o, row_ctx *rc, size_t r, size_t at, pending *pend, size_t *npend)
{
    const bk_table *t = rc->t;
    const bk_printed_shape *sh = rc->sh;
    const bk_row *row = &t->rows[r];
    const bk_doc *doc = o->doc;
    size_t nkey = t->tpl->nkey_headers;
    int unit_row = row->kind == BK_ROW_UNIT;
    if (sh->unit_col >= 0) {
        if (unit_row)
            o->f[at + (size_t)sh->unit_col] = row->name;
        else if (row->unit != rc->cur)
            o->f[at + (size_t)sh->unit_col] = doc->units[row->unit].name;
    }
    if (unit_row || row->unit != rc->cur)
        rc->cur = row->unit;
    if (sh->code_col >= 0 && t->tpl->code_parts && row->code) {
        /* 2010601 as printed: 201 | 06 | 01. */
        size_t len = strlen(row->code), from = 0;
        for (size_t k = 0; k < t->tpl->code_parts && from < len; k++) {
            size_t n = k == 0 ? 3 : 2;
            if (n > len - from || k + 1 == t->tpl->code_parts)
                n = len - from;
            long s = store(o, row->code + from, n, "", 0);
            if (s >= 0)
                pend[(*npend)++] = (pending){at + k, s};
            from += n;
        }
    } else if (sh->code_col >= 0) {
        o->f[at + (size_t)sh->code_col] = row->code;
    }
    if (sh->name_col >= 0 && !(unit_row && sh->unit_col >= 0)) {
        size_t indent = rc->levels ? indent_of(row) : 0;
        int marked = bk_printed_name_marked(row->name);
        if (indent == 0 && !marked) {
            o->f[at + (size_t)sh->name_col] = row->name;
        } else {
            char pad[3 * 255 + 1];
            for (size_t i = 0; i < indent; i++)
                memcpy(pad + 3 * i, BK_PRINTED_INDENT, 3);
            pad[3 * indent] = BK_PRINTED_VERBATIM;
            long s = store(o, pad, 3 * indent + (size_t)marked, row->name, strlen(row->name));
            if (s >= 0)
                pend[(*npend)++] = (pending){at + (size_t)sh->name_col, s};
        }
    }
    size_t next = at + nkey; /* the field of the next column the side prints */
    for (size_t c = 0; c < t->tpl->ncolumns; c++) {
        if (!on_side(t, c, rc->side))
            continue;
        const bk_cell *cell = bk_table_cell(t, r, c);
        size_t field = next++;
        if (cell->kind == BK_CELL_TEXT) {
            o->f[field] = cell->v.text;
        } else if (cell->kind == BK_CELL_NUMBER) {
            char num[BK_DECIMAL_BUFSIZE];
            int grouped = t->tpl->columns[c].type == BK_COL_AMOUNT;
            size_t n = bk_decimal_format(bk_cell_decimal(cell), grouped, num, sizeof num);
            long s = store(o, num, n, "", 0);
            if (s >= 0)
                pend[(*npend)++] = (pending){field, s};
        }
    }
}

static void fix_pending(wide_out *o, const pending *pend, size_t n)
{
    for (size_t i = 0; i < n; i++)
        o->f[pend[i].field] = o->store + pend[i].at;
}

static int unit_named(const bk_doc *doc, const char *name)
{
    if (!name)
        return -1;
    return bk_doc_find_unit_named(doc, name);
}

static int uses_levels(const bk_table *t)
{
    for (size_t r = 0; r < t->nrows; r++)
        if (t->rows[r].level > 0)
            return 1;
    return 0;
}

static int has_sections(const bk_table *t)
{
    for (size_t r = 0; r < t->nrows; r++)
        if (t->rows[r].section)
            return 1;
    return 0;
}

/* Tables printed as two sides, 收入 | 支出 (Tables 1 and 6). */
static int two_sided(const bk_table *t)
{
    if (t->nrows == 0)
        return 0;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *s = t->rows[r].section;
        if (!s || (strcmp(s, "income") != 0 && strcmp(s, "expenditure") != 0))
            return 0;
    }
    return 1;
}

static bk_status write_rows(wide_out *o, row_ctx *rc, size_t section_at, size_t keys_at)
{
    size_t ncells = rc->t->tpl->ncolumns + rc->t->tpl->nkey_headers + 2;
    pending *pend = bk_malloc(ncells * sizeof *pend);
    if (!pend)
        return nomem(o);
    for (size_t r = 0; r < rc->t->nrows && o->status == BK_OK; r++) {
        size_t npend = 0;
        if (rec_start(o))
            break;
        if (section_at != (size_t)-1)
            o->f[section_at] = rc->t->rows[r].section;
        row_cells(o, rc, r, keys_at, pend, &npend);
        fix_pending(o, pend, npend);
        rec_end(o);
    }
    bk_free(pend);
    return o->status;
}

/* The rows of one side, cut after each total line so that totals print side by side. */
typedef struct side {
    size_t *rows;
    size_t n;
} side;

static size_t segment(const bk_table *t, const side *s, size_t from, size_t *items, int *total)
{
    size_t i = from;
    while (i < s->n && t->rows[s->rows[i]].kind != BK_ROW_TOTAL)
        i++;
    *items = i - from;
    *total = i < s->n;
    return *total ? i + 1 : i;
}

static bk_status write_two_sided(wide_out *o, row_ctx *rc)
{
    const bk_table *t = rc->t;
    size_t half = side_width(t, BK_SIDE_INCOME);
    side in = {bk_malloc(t->nrows * sizeof(size_t)), 0};
    side out = {bk_malloc(t->nrows * sizeof(size_t)), 0};
    pending *pend = bk_malloc((2 * (t->tpl->nkey_headers + t->tpl->ncolumns) + 2) * sizeof *pend);
    if (!in.rows || !out.rows || !pend) {
        bk_free(in.rows);
        bk_free(out.rows);
        bk_free(pend);
        return nomem(o);
    }
    for (size_t r = 0; r < t->nrows; r++) {
        if (strcmp(t->rows[r].section, "income") == 0)
            in.rows[in.n++] = r;
        else
            out.rows[out.n++] = r;
    }
    row_ctx left = *rc, right = *rc;
    left.side = BK_SIDE_INCOME;
    right.side = BK_SIDE_EXPENDITURE;
    size_t a = 0, b = 0;
    while ((a < in.n || b < out.n) && o->status == BK_OK) {
        size_t ni, no;
        int ti, to;
        size_t a2 = segment(t, &in, a, &ni, &ti), b2 = segment(t, &out, b, &no, &to);
        size_t lines = ni > no ? ni : no;
        for (size_t k = 0; k < lines + (ti || to) && o->status == BK_OK; k++) {
            size_t npend = 0;
            if (rec_start(o))
                break;
            int at_total = k == lines;
            if (at_total ? ti : k < ni)
                row_cells(o, &left, in.rows[a + k - (at_total ? lines - ni : 0)], 0, pend,
                           &npend);
            if (at_total ? to : k < no)
                row_cells(o, &right, out.rows[b + k - (at_total ? lines - no : 0)], half, pend,
                           &npend);
            fix_pending(o, pend, npend);
            rec_end(o);
        }
        a = a2;
        b = b2;
    }
    bk_free(in.rows);
    bk_free(out.rows);
    bk_free(pend);
    return o->status;
}

static void perf_lines(wide_out *o)
{
    const bk_performance *p = &o->doc->performance;
    if (!p->unit_name && !p->supervisor)
        return;
    if (rec_start(o))
        return;
    o->f[0] = BK_PRINTED_PERF_UNIT;
    o->f[1] = p->unit_name;
    o->f[2] = BK_PRINTED_SUPERVISOR;
    o->f[3] = p->supervisor;
    rec_end(o);
}

static void goal_and_indicator_lines(wide_out *o)
{
    const bk_performance *p = &o->doc->performance;
    for (size_t i = 0; i < p->ngoals; i++) {
        if (rec_start(o))
            return;
        o->f[0] = BK_PRINTED_GOALS;
        o->f[1] = p->goals[i];
        rec_end(o);
    }
    if (p->nindicators == 0)
        return;
    static const char *const heads[4] = {"一级指标", "二级指标", "三级指标", "目标值"};
    if (rec_start(o))
        return;
    for (size_t k = 0; k < 4; k++)
        o->f[1 + k] = heads[k];
    rec_end(o);
    for (size_t i = 0; i < p->nindicators; i++) {
        const bk_indicator *ind = &p->indicators[i];
        if (rec_start(o))
            return;
        o->f[0] = BK_PRINTED_INDICATORS;
        o->f[1] = ind->level1;
        o->f[2] = ind->level2;
        o->f[3] = ind->level3;
        o->f[4] = ind->target;
        rec_end(o);
    }
}

static int is_perf_template(const bk_template *tpl)
{
    return tpl && tpl->row_key && strcmp(tpl->row_key, "task") == 0;
}

/* One table (t may be NULL for Table 12 when only the performance part exists). */
static bk_status write_table(wide_out *o, const bk_template *tpl, const bk_table *t)
{
    const bk_doc *doc = o->doc;
    bk_printed_shape sh;
    bk_printed_shape_of(tpl, &sh);
    int sides = t && two_sided(t);
    int section_col = t && !sides && has_sections(t);
    int perf = is_perf_template(tpl) && doc->performance.present;
    size_t nkey = tpl->nkey_headers, half = nkey + tpl->ncolumns;
    if (sides)
        half = side_width(t, BK_SIDE_INCOME);
    o->width = sides ? half + side_width(t, BK_SIDE_EXPENDITURE) : half + (size_t)section_col;
    if (perf && o->width < 5)
        o->width = 5;
    title_line(o, tpl);
    if (perf && doc->performance.period)
        one_line(o, doc->performance.period);
    label_lines(o, t ? t->unit_label : NULL, t ? t->money_unit : NULL);
    if (perf)
        perf_lines(o);
    if (t) {
        row_ctx rc = {t, &sh, uses_levels(t), -1, 0};
        rc.cur = unit_named(doc, t->unit_label);
        if (rc.cur < 0 && perf)
            rc.cur = unit_named(doc, doc->performance.unit_name);
        if (sides) {
            if (rec_start(o) == 0) {
                o->f[0] = t->tpl->nsides ? t->tpl->sides[0] : BK_PRINTED_INCOME;
                o->f[half] = t->tpl->nsides ? t->tpl->sides[1] : BK_PRINTED_EXPENDITURE;
                rec_end(o);
            }
            for (size_t r = 0; r < sh.depth && rec_start(o) == 0; r++) {
                header_cells(o, t, 0, r, BK_SIDE_INCOME);
                header_cells(o, t, half, r, BK_SIDE_EXPENDITURE);
                rec_end(o);
            }
            write_two_sided(o, &rc);
        } else {
            for (size_t r = 0; r < sh.depth && rec_start(o) == 0; r++) {
                header_cells(o, t, (size_t)section_col, r, 0);
                rec_end(o);
            }
            write_rows(o, &rc, section_col ? 0 : (size_t)-1, (size_t)section_col);
        }
    }
    if (perf)
        goal_and_indicator_lines(o);
    if (t)
        note_line(o, t->note);
    return o->status;
}

static const bk_template *perf_template(const bk_templates *tpls)
{
    for (size_t i = 0; tpls && i < bk_templates_count(tpls); i++)
        if (is_perf_template(bk_templates_at(tpls, i)))
            return bk_templates_at(tpls, i);
    return NULL;
}

/* The tables to write, in order; Table 12 also when only the performance part exists. */
static size_t plan(const bk_doc *doc, const bk_templates *tpls, const bk_template **tpl,
                   const bk_table **tab, size_t cap)
{
    size_t n = 0;
    const bk_template *ptpl = doc->performance.present ? perf_template(tpls) : NULL;
    int perf_done = 0;
    for (size_t i = 0; i < doc->ntables && n < cap; i++) {
        const bk_table *t = doc->tables[i];
        if (ptpl && !perf_done && !is_perf_template(t->tpl) && t->tpl->number > ptpl->number) {
            tpl[n] = ptpl, tab[n++] = NULL;
            perf_done = 1;
        }
        if (is_perf_template(t->tpl))
            perf_done = 1;
        tpl[n] = t->tpl, tab[n++] = t;
    }
    if (ptpl && !perf_done && n < cap)
        tpl[n] = ptpl, tab[n++] = NULL;
    return n;
}

bk_status bk_grid_render(const bk_doc *doc, const bk_templates *tpls, const bk_grid_writer *out,
                         bk_error *err)
{
    size_t cap = doc->ntables + 1;
    const bk_template **tpl = bk_malloc(cap * sizeof *tpl);
    const bk_table **tab = bk_malloc(cap * sizeof *tab);
    if (!tpl || !tab) {
        bk_free(tpl);
        bk_free(tab);
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    }
    size_t n = plan(doc, tpls, tpl, tab, cap);
    wide_out o;
    memset(&o, 0, sizeof o);
    o.out = out;
    o.doc = doc;
    o.err = err;
    for (size_t i = 0; i < n && o.status == BK_OK; i++) {
        o.status = out->table(out->user, tpl[i]->id);
        if (o.status == BK_OK)
            o.status = write_table(&o, tpl[i], tab[i]);
    }
    bk_free(o.f);
    bk_free(o.store);
    bk_free(tpl);
    bk_free(tab);
    return o.status;
}
