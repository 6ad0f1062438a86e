/* Writing a budget as a workbook, with libxlsxwriter: one sheet per table in the published
 * layout, the narrative in a sheet of its own (formats/xlsx.md).
 *
 * The published layout is the layout engine's: the tables are rendered row by row
 * (bk_grid_render, as the CSV wide files print them) and each rendered table becomes a sheet.
 * This file adds only what a spreadsheet has and CSV has not: amounts as numbers with the
 * number format of their printed scale (332 stays 332, 332.00 stays 332.00), codes and names
 * as text, the title and unit lines merged across the table, the header block merged as
 * printed, frozen under the header, widths that fit Chinese text, and a print setup (A4
 * landscape, one page wide, the header repeated on every page). libxlsxwriter writes to a file, so the workbook is made in a
 * temporary file and copied into the output, which appears only when all went well. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "xlsx_int.h"

#define MAX_SHEET_NAME 31  /* characters, Excel's bound */
#define MAX_CELL_TEXT 32767 /* characters in one cell, Excel's bound */
#define MIN_WIDTH 8.0
#define MAX_WIDTH 48.0

/* What a column of the table being written is: a key column (codes, names), and whether a
 * body cell of it prints thousands separators. */
#define COL_KEY 1u
#define COL_GROUPED 2u

/* ---- the rendered tables ---- */

typedef struct field {
    size_t at, len; /* in the text buffer */
} field;

typedef struct rec {
    size_t first, n; /* fields */
} rec;

typedef struct rendered {
    char *text;
    size_t text_len, text_cap;
    field *f;
    size_t nf, f_cap;
    rec *r;
    size_t nr, r_cap;
} rendered;

static void rendered_free(rendered *t)
{
    bk_free(t->text);
    bk_free(t->f);
    bk_free(t->r);
}

/* A record of the rendered tables; a table after the first starts with a record of no fields,
 * the separator the sheets are cut at. */
static int add_record(rendered *t, const char *const *fields, size_t n)
{
    if (bk_grow((void **)&t->r, &t->r_cap, t->nr + 1, sizeof *t->r) ||
        bk_grow((void **)&t->f, &t->f_cap, t->nf + n, sizeof *t->f))
        return -1;
    rec *r = &t->r[t->nr++];
    r->first = t->nf;
    r->n = n;
    for (size_t i = 0; i < n; i++) {
        size_t len = fields[i] ? strlen(fields[i]) : 0;
        if (bk_grow((void **)&t->text, &t->text_cap, t->text_len + len + 1, 1))
            return -1;
        t->f[t->nf++] = (field){t->text_len, len};
        memcpy(t->text + t->text_len, fields[i] ? fields[i] : "", len);
        t->text_len += len;
        t->text[t->text_len++] = '\0';
    }
    return 0;
}

typedef struct render_job {
    rendered *t;
    bk_error *err;
} render_job;

static bk_status render_table(void *user, const char *id)
{
    render_job *j = user;
    (void)id;
    if (j->t->nr > 0 && add_record(j->t, NULL, 0) != 0)
        return bk_error_set(j->err, BK_E_NOMEM, "out of memory");
    return BK_OK;
}

static bk_status render_row(void *user, const char *const *fields, size_t n)
{
    render_job *j = user;
    return add_record(j->t, fields, n) == 0 ? BK_OK
                                             : bk_error_set(j->err, BK_E_NOMEM, "out of memory");
}

static const char *cell(const rendered *t, size_t r, size_t c)
{
    const rec *x = &t->r[r];
    return c < x->n ? t->text + t->f[x->first + c].at : "";
}

static size_t filled(const rendered *t, size_t r)
{
    size_t n = 0;
    for (size_t c = 0; c < t->r[r].n; c++)
        n += cell(t, r, c)[0] != '\0';
    return n;
}

/* ---- what a rendered cell is ---- */

/* A printed amount: digits with optional grouping commas, optional decimals, optional sign;
 * returns the number of decimals, or -1. *grouped tells whether it had commas. */
static int amount_shape(const char *s, int *grouped, char *plain, size_t cap)
{
    size_t n = 0;
    int decimals = -1, digits = 0, sig = 0, leading = 1;
    *grouped = 0;
    if (*s == '-')
        plain[n++] = *s++;
    if (!(*s >= '0' && *s <= '9'))
        return -1;
    for (; *s; s++) {
        if (*s >= '0' && *s <= '9') {
            digits++;
            if (*s != '0')
                leading = 0;
            if (!leading)
                sig++;
            if (decimals >= 0)
                decimals++;
        } else if (*s == ',' && decimals < 0 && digits > 0) {
            *grouped = 1;
            continue;
        } else if (*s == '.' && decimals < 0 && digits > 0) {
            decimals = 0;
        } else {
            return -1;
        }
        if (n + 1 >= cap)
            return -1;
        plain[n++] = *s;
    }
    plain[n] = '\0';
    if (decimals == 0)
        return -1; /* "12." */
    /* A double holds 15 significant digits exactly; a longer figure stays text. */
    if (sig > 15)
        return -1;
    return decimals < 0 ? 0 : decimals;
}

static int title_matches(const bk_template *tpl, const char *title)
{
    if (bk_label_equal(tpl->title, title))
        return 1;
    for (size_t i = 0; i < tpl->naliases; i++)
        if (bk_label_equal(tpl->aliases[i], title))
            return 1;
    return 0;
}

/* The template a rendered title names ("2024年收支总表"), or NULL. Families share titles
 * (Shanghai's and Jiangsu's 收入预算总表): the document's own tables' templates come first, so
 * that a table is written with the layout it was read in. */
static const bk_template *template_of(const bk_templates *tpls, const bk_doc *doc,
                                      const char *title)
{
    const char *p = title;
    while (*p >= '0' && *p <= '9')
        p++;
    if (p != title && strncmp(p, "年", strlen("年")) == 0)
        p += strlen("年");
    for (size_t i = 0; doc && i < doc->ntables; i++) {
        const bk_template *tpl = doc->tables[i]->tpl;
        if (tpl && (title_matches(tpl, p) || title_matches(tpl, title)))
            return tpl;
    }
    for (size_t i = 0; tpls && i < bk_templates_count(tpls); i++) {
        const bk_template *tpl = bk_templates_at(tpls, i);
        if (title_matches(tpl, p) || title_matches(tpl, title))
            return tpl;
    }
    return NULL;
}

/* Display width of UTF-8 text in character cells: CJK and full-width characters take two. */
static double text_width(const char *s)
{
    double w = 0, line = 0;
    for (const unsigned char *p = (const unsigned char *)s; *p;) {
        if (*p == '\n') {
            w = line > w ? line : w;
            line = 0;
            p++;
        } else if (*p < 0x80) {
            line += 1;
            p++;
        } else {
            line += *p >= 0xE0 ? 2 : 1;
            p++;
            while ((*p & 0xC0) == 0x80)
                p++;
        }
    }
    return line > w ? line : w;
}

static size_t utf8_chars(const char *s)
{
    size_t n = 0;
    for (; *s; s++)
        n += ((unsigned char)*s & 0xC0) != 0x80;
    return n;
}

/* ---- the workbook ---- */

typedef struct writer {
    bk_export *job;
    bk_error *err;
    const char *out; /* output name, for messages */
    lxw_workbook *wb;
    lxw_format *title, *label, *head, *text, *code, *wrap;
    lxw_format *num[2][BK_DECIMAL_MAX_SCALE + 1]; /* [grouped][decimals] */
    char **sheet_names;
    size_t nsheets, sheet_cap;
    double *width;
    size_t width_cap;
    unsigned char *key; /* per column of the table being written: COL_KEY, COL_GROUPED */
    size_t key_cap;
} writer;

static bk_status lxw_failed(writer *w, lxw_error e, const char *what)
{
    bk_error_at(w->err, w->out, 0, 0, -1);
    return bk_error_set(w->err, e == LXW_ERROR_MEMORY_MALLOC_FAILED ? BK_E_NOMEM : BK_E_IO,
                        "cannot write the workbook (%s): %s", what, lxw_strerror(e));
}

static lxw_format *number_format(writer *w, int grouped, int decimals)
{
    if (decimals > BK_DECIMAL_MAX_SCALE)
        decimals = BK_DECIMAL_MAX_SCALE;
    lxw_format **slot = &w->num[grouped][decimals];
    if (*slot == NULL) {
        char code[48];
        snprintf(code, sizeof code, "%s%s%.*s", grouped ? "#,##0" : "0", decimals ? "." : "",
                 decimals, "000000000000000000");
        *slot = workbook_add_format(w->wb);
        if (*slot) {
            format_set_num_format(*slot, code);
            format_set_border(*slot, LXW_BORDER_THIN);
            format_set_align(*slot, LXW_ALIGN_VERTICAL_CENTER);
        }
    }
    return *slot;
}

static void make_formats(writer *w)
{
    w->title = workbook_add_format(w->wb);
    format_set_bold(w->title);
    format_set_font_size(w->title, 16);
    format_set_align(w->title, LXW_ALIGN_CENTER);
    format_set_align(w->title, LXW_ALIGN_VERTICAL_CENTER);
    w->label = workbook_add_format(w->wb);
    format_set_align(w->label, LXW_ALIGN_VERTICAL_CENTER);
    w->head = workbook_add_format(w->wb);
    format_set_bold(w->head);
    format_set_align(w->head, LXW_ALIGN_CENTER);
    format_set_align(w->head, LXW_ALIGN_VERTICAL_CENTER);
    format_set_text_wrap(w->head);
    format_set_border(w->head, LXW_BORDER_THIN);
    w->text = workbook_add_format(w->wb);
    format_set_border(w->text, LXW_BORDER_THIN);
    format_set_align(w->text, LXW_ALIGN_VERTICAL_CENTER);
    /* "@": the cell is text even when typed over, so a code keeps its digits as written. */
    w->code = workbook_add_format(w->wb);
    format_set_num_format(w->code, "@");
    format_set_border(w->code, LXW_BORDER_THIN);
    format_set_align(w->code, LXW_ALIGN_VERTICAL_CENTER);
    w->wrap = workbook_add_format(w->wb);
    format_set_text_wrap(w->wrap);
    format_set_border(w->wrap, LXW_BORDER_THIN);
    format_set_align(w->wrap, LXW_ALIGN_VERTICAL_TOP);
}

/* A sheet name: the table's number and title, as short as Excel wants, unique. */
static bk_status sheet_name(writer *w, const bk_template *tpl, const char *title, char *out,
                            size_t cap)
{
    char base[256];
    if (tpl)
        snprintf(base, sizeof base, "%s %s", tpl->id, tpl->title);
    else
        snprintf(base, sizeof base, "%s", title);
    /* Characters Excel refuses in a sheet name become a space. */
    for (char *p = base; *p; p++)
        if (strchr("[]:*?/\\", *p))
            *p = ' ';
    size_t chars = 0, n = 0;
    for (const char *p = base; *p && chars < MAX_SHEET_NAME - 3 && n + 5 < cap;) {
        size_t k = 1;
        while ((p[k] & 0xC0) == 0x80)
            k++;
        memcpy(out + n, p, k);
        n += k, p += k, chars++;
    }
    out[n] = '\0';
    if (n == 0)
        snprintf(out, cap, "Sheet%zu", w->nsheets + 1);
    for (int k = 2;; k++) {
        int taken = 0;
        for (size_t i = 0; i < w->nsheets && !taken; i++)
            taken = strcmp(w->sheet_names[i], out) == 0;
        if (!taken)
            break;
        snprintf(out + n, cap - n, "(%d)", k);
    }
    if (bk_grow((void **)&w->sheet_names, &w->sheet_cap, w->nsheets + 1, sizeof *w->sheet_names))
        return BK_E_NOMEM;
    if ((w->sheet_names[w->nsheets] = bk_strdup(out)) == NULL)
        return BK_E_NOMEM;
    w->nsheets++;
    return BK_OK;
}

static int is_key_column(const rendered *t, const bk_template *tpl, size_t h0, size_t h1,
                         size_t c)
{
    if (tpl == NULL)
        return c == 0;
    for (size_t r = h0; r < h1; r++)
        for (size_t k = 0; k < tpl->nkey_headers; k++)
            if (bk_label_equal(cell(t, r, c), tpl->key_headers[k]))
                return 1;
    return 0;
}

static int is_body_row(const rendered *t, const bk_template *tpl, size_t h0, size_t r,
                       size_t width)
{
    for (size_t c = 0; c < width; c++) {
        int grouped;
        char plain[64];
        if (!is_key_column(t, tpl, h0, r, c) &&
            amount_shape(cell(t, r, c), &grouped, plain, sizeof plain) >= 0)
            return 1;
    }
    return 0;
}

static bk_status write_cell_text(writer *w, lxw_worksheet *ws, size_t r, size_t c,
                                 const char *s, lxw_format *fmt)
{
    if (utf8_chars(s) > MAX_CELL_TEXT) {
        bk_error_at(w->err, w->out, 0, 0, -1);
        return bk_error_set(w->err, BK_E_CONTENT, "a text of %zu characters does not fit in a "
                            "spreadsheet cell (at most %d)", utf8_chars(s), MAX_CELL_TEXT);
    }
    lxw_error e = worksheet_write_string(ws, (lxw_row_t)r, (lxw_col_t)c, s, fmt);
    return e == LXW_NO_ERROR ? BK_OK : lxw_failed(w, e, "a cell");
}

/* One rendered table, records [from, to), as one sheet. */
static bk_status write_table(writer *w, const rendered *t, size_t from, size_t to,
                             const bk_templates *tpls, const bk_doc *doc)
{
    size_t width = 0;
    for (size_t r = from; r < to; r++)
        if (t->r[r].n > width)
            width = t->r[r].n;
    if (width == 0)
        return BK_OK;
    const char *title = cell(t, from, 0);
    const bk_template *tpl = template_of(tpls, doc, title);
    char name[128];
    if (sheet_name(w, tpl, title, name, sizeof name) != BK_OK)
        return lxw_failed(w, LXW_ERROR_MEMORY_MALLOC_FAILED, "a sheet");
    lxw_worksheet *ws = workbook_add_worksheet(w->wb, name);
    if (ws == NULL)
        return lxw_failed(w, LXW_ERROR_MEMORY_MALLOC_FAILED, "a sheet");
    if (bk_grow((void **)&w->width, &w->width_cap, width, sizeof *w->width))
        return lxw_failed(w, LXW_ERROR_MEMORY_MALLOC_FAILED, "a sheet");
    for (size_t c = 0; c < width; c++)
        w->width[c] = MIN_WIDTH;

    /* Title, then lines of one field (单位名称, 单位, a period), then the header block: from
     * the first record of several fields to the first that holds an amount. */
    size_t h0 = from + 1;
    while (h0 < to && filled(t, h0) <= 1)
        h0++;
    size_t h1 = h0;
    while (h1 < to && !is_body_row(t, tpl, h0, h1, width) && filled(t, h1) > 1)
        h1++;
    if (h1 >= to)
        h1 = h0 + 1 <= to ? h0 + 1 : to; /* no body: one header row */

    if (bk_grow((void **)&w->key, &w->key_cap, width, 1))
        return lxw_failed(w, LXW_ERROR_MEMORY_MALLOC_FAILED, "a sheet");
    /* A column groups its thousands when any of its body cells does: the test is made once a
     * column, not once a cell (it was the writer's one cost growing with the square of the
     * rows). */
    for (size_t c = 0; c < width; c++)
        w->key[c] = is_key_column(t, tpl, h0, h1, c) ? COL_KEY : 0;
    for (size_t k = h1; k < to; k++)
        for (size_t c = 0; c < t->r[k].n && c < width; c++)
            if (!(w->key[c] & COL_GROUPED) && strchr(cell(t, k, c), ',') != NULL)
                w->key[c] |= COL_GROUPED;
    bk_status st = BK_OK;
    for (size_t r = from; r < to && st == BK_OK; r++) {
        size_t row = r - from;
        size_t nf = filled(t, r);
        int line = (r < h0 || (r >= h1 && nf == 1 && cell(t, r, 0)[0] != '\0' &&
                               !(w->key[0] & COL_KEY))) &&
                   nf <= 1;
        if (r >= h1 && nf == 1 && cell(t, r, 0)[0] != '\0' && width > 1 &&
            strncmp(cell(t, r, 0), "备注", strlen("备注")) == 0)
            line = 1;
        if (line && nf == 1 && width > 1 && cell(t, r, 0)[0] != '\0') {
            lxw_error e = worksheet_merge_range(ws, (lxw_row_t)row, 0, (lxw_row_t)row,
                                                (lxw_col_t)(width - 1), "",
                                                r == from ? w->title : w->label);
            if (e != LXW_NO_ERROR)
                return lxw_failed(w, e, "a merged line");
            st = write_cell_text(w, ws, row, 0, cell(t, r, 0), r == from ? w->title : w->label);
            if (r == from)
                worksheet_set_row(ws, (lxw_row_t)row, 30, NULL);
            continue;
        }
        int header = r >= h0 && r < h1;
        for (size_t c = 0; c < width && st == BK_OK; c++) {
            const char *s = cell(t, r, c);
            if (header) {
                st = write_cell_text(w, ws, row, c, s, w->head);
                continue;
            }
            int grouped = 0;
            char plain[64];
            int decimals = (w->key[c] & COL_KEY) ? -1
                                                : amount_shape(s, &grouped, plain, sizeof plain);
            double cw = text_width(s) + 2;
            if (decimals >= 0) {
                double v = strtod(plain, NULL);
                int colgroup = grouped || (w->key[c] & COL_GROUPED);
                lxw_error e = worksheet_write_number(ws, (lxw_row_t)row, (lxw_col_t)c, v,
                                                     number_format(w, colgroup, decimals));
                if (e != LXW_NO_ERROR)
                    return lxw_failed(w, e, "a number");
            } else if (s[0] == '\0') {
                worksheet_write_blank(ws, (lxw_row_t)row, (lxw_col_t)c, w->text);
            } else {
                int is_code = s[0] >= '0' && s[0] <= '9';
                st = write_cell_text(w, ws, row, c, s,
                                     is_code ? w->code : cw > MAX_WIDTH ? w->wrap : w->text);
            }
            if (cw > w->width[c])
                w->width[c] = cw > MAX_WIDTH ? MAX_WIDTH : cw;
        }
    }
    if (st != BK_OK)
        return st;

    /* The header block merged as printed: a label spans the empty cells to its right that
     * have labels under them, and runs down over empty cells when it spans nothing. */
    for (size_t r = h0; r < h1; r++) {
        for (size_t c = 0; c < width; c++) {
            if (cell(t, r, c)[0] == '\0')
                continue;
            size_t c2 = c, r2 = r;
            for (;;) {
                size_t n = c2 + 1;
                if (n >= width || cell(t, r, n)[0] != '\0')
                    break;
                int below = 0;
                for (size_t u = r + 1; u < h1 && !below; u++)
                    below = cell(t, u, n)[0] != '\0';
                if (!below)
                    break;
                c2 = n;
            }
            if (c2 == c)
                while (r2 + 1 < h1 && cell(t, r2 + 1, c)[0] == '\0')
                    r2++;
            if (c2 > c || r2 > r) {
                lxw_error e = worksheet_merge_range(ws, (lxw_row_t)(r - from), (lxw_col_t)c,
                                                    (lxw_row_t)(r2 - from), (lxw_col_t)c2,
                                                    cell(t, r, c), w->head);
                if (e != LXW_NO_ERROR)
                    return lxw_failed(w, e, "a merged header");
            } else {
                double cw = text_width(cell(t, r, c)) + 2;
                if (cw > w->width[c])
                    w->width[c] = cw > MAX_WIDTH ? MAX_WIDTH : cw;
            }
        }
    }
    for (size_t c = 0; c < width; c++)
        worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, w->width[c], NULL);
    if (h1 > h0) {
        worksheet_freeze_panes(ws, (lxw_row_t)(h1 - from), 0);
        worksheet_repeat_rows(ws, (lxw_row_t)(h0 - from), (lxw_row_t)(h1 - from - 1));
    }
    worksheet_set_landscape(ws);
    worksheet_set_paper(ws, 9); /* A4 */
    worksheet_fit_to_pages(ws, 1, 0);
    worksheet_center_horizontally(ws);
    return BK_OK;
}

/* A sheet of budgetkit's own, two columns under a header row ("标题 | 内容"). */
static bk_status labelled_sheet(writer *w, const char *name, const char *a, const char *b,
                                lxw_worksheet **out)
{
    lxw_worksheet *ws = *out = workbook_add_worksheet(w->wb, name);
    if (ws == NULL)
        return lxw_failed(w, LXW_ERROR_MEMORY_MALLOC_FAILED, "a sheet");
    bk_status st = write_cell_text(w, ws, 0, 0, a, w->head);
    return st == BK_OK ? write_cell_text(w, ws, 0, 1, b, w->head) : st;
}

static bk_status write_narrative(writer *w, const bk_doc *doc)
{
    if (doc->nnarrative == 0)
        return BK_OK;
    lxw_worksheet *ws;
    bk_status st = labelled_sheet(w, BKXL_NARRATIVE_SHEET, BKXL_NARRATIVE_HEAD_TITLE,
                                  BKXL_NARRATIVE_HEAD_TEXT, &ws);
    if (st != BK_OK)
        return st;
    for (size_t i = 0; i < doc->nnarrative && st == BK_OK; i++) {
        st = write_cell_text(w, ws, i + 1, 0, doc->narrative[i].title, w->wrap);
        if (st == BK_OK)
            st = write_cell_text(w, ws, i + 1, 1, doc->narrative[i].text, w->wrap);
    }
    worksheet_set_column(ws, 0, 0, 24, NULL);
    worksheet_set_column(ws, 1, 1, 100, NULL);
    worksheet_freeze_panes(ws, 1, 0);
    worksheet_set_paper(ws, 9);
    worksheet_fit_to_pages(ws, 1, 0);
    return st;
}

/* The document's code and publication metadata, when it has any: printed nowhere in the
 * tables, so kept in a sheet of their own for the way back. */
static bk_status write_meta(writer *w, const bk_doc *doc)
{
    const char *value[BKXL_META_FIELDS] = {doc->dept_code, doc->publication.publisher,
                                           doc->publication.source,
                                           doc->publication.source_path,
                                           doc->publication.license};
    size_t n = 0;
    for (size_t i = 0; i < BKXL_META_FIELDS; i++)
        n += value[i] && *value[i];
    if (n == 0)
        return BK_OK;
    lxw_worksheet *ws;
    bk_status st = labelled_sheet(w, BKXL_META_SHEET, BKXL_META_HEAD_NAME, BKXL_META_HEAD_VALUE,
                                  &ws);
    if (st != BK_OK)
        return st;
    size_t row = 1;
    for (size_t i = 0; i < BKXL_META_FIELDS && st == BK_OK; i++) {
        if (!value[i] || !*value[i])
            continue;
        st = write_cell_text(w, ws, row, 0, bkxl_meta_fields[i].label, w->text);
        if (st == BK_OK)
            st = write_cell_text(w, ws, row, 1, value[i], i == 0 ? w->code : w->text);
        row++;
    }
    worksheet_set_column(ws, 0, 0, 16, NULL);
    worksheet_set_column(ws, 1, 1, 60, NULL);
    return st;
}

/* The tables in the published layout, as the layout engine renders them. */
static bk_status render(bk_export *job, const bk_doc *doc, rendered *t)
{
    bk_error *err = bk_export_error(job);
    const bk_templates *tpls = bk_ctx_templates(bk_export_ctx(job), err);
    if (!tpls)
        return err->code ? err->code : BK_E_IO;
    render_job j = {t, err};
    bk_grid_writer out = {render_table, render_row, &j};
    return bk_grid_render(doc, tpls, &out, err);
}

/* Copy the finished temporary workbook into the output. */
static bk_status copy_out(bk_export *job, const char *path)
{
    bk_error *err = bk_export_error(job);
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return bk_error_set(err, BK_E_IO, "cannot read the workbook back: %s", strerror(errno));
    char buf[65536];
    size_t n;
    bk_status st = BK_OK;
    while (st == BK_OK && (n = fread(buf, 1, sizeof buf, f)) > 0)
        st = bk_sink_write(bk_export_sink(job), buf, n);
    if (st == BK_OK && ferror(f))
        st = bk_error_set(err, BK_E_IO, "cannot read the workbook back");
    fclose(f);
    return st;
}

bk_status bkxl_export_begin(bk_export *job)
{
    const char *name = bk_sink_name(bk_export_sink(job));
    size_t n = name ? strlen(name) : 0;
    if (n > 4 && strcmp(name + n - 4, ".xls") == 0) {
        bk_error *err = bk_export_error(job);
        bk_error_at(err, name, 0, 0, -1);
        return bk_error_set(err, BK_E_USAGE, "budgetkit writes .xlsx workbooks, not .xls: name "
                            "the output .xlsx");
    }
    return BK_OK;
}

bk_status bkxl_export_doc(bk_export *job, const bk_doc *doc)
{
    bk_error *err = bk_export_error(job);
    const bk_templates *tpls = bk_ctx_templates(bk_export_ctx(job), err);
    if (tpls == NULL)
        return err->code;
    rendered t;
    memset(&t, 0, sizeof t);
    bk_status st = render(job, doc, &t);
    if (st != BK_OK) {
        rendered_free(&t);
        return st;
    }
    const char *dir = getenv("TMPDIR");
    char path[4096];
    snprintf(path, sizeof path, "%s/budgetkit-XXXXXX", dir && *dir ? dir : "/tmp");
    int fd = mkstemp(path);
    if (fd < 0) {
        rendered_free(&t);
        return bk_error_set(err, BK_E_IO, "cannot make a temporary file for the workbook: %s",
                            strerror(errno));
    }
    close(fd);
    writer w;
    memset(&w, 0, sizeof w);
    w.job = job;
    w.err = err;
    w.out = bk_sink_name(bk_export_sink(job));
    /* Not constant_memory: measured on the 70 workbooks of a 100,000-cell bulk it saved no
     * instruction (libxlsxwriter formats the same XML either way, only sooner) and spent more
     * system time on its per-sheet temporary files; a workbook of one document is small
     * enough to hold until it is closed. */
    lxw_workbook_options opts = {.constant_memory = LXW_FALSE,
                                 .tmpdir = dir && *dir ? (char *)dir : NULL,
                                 .use_zip64 = LXW_FALSE};
    w.wb = workbook_new_opt(path, &opts);
    if (w.wb == NULL)
        st = lxw_failed(&w, LXW_ERROR_MEMORY_MALLOC_FAILED, "the workbook");
    if (st == BK_OK) {
        make_formats(&w);
        /* A fixed creation time (1 January of the fiscal year) keeps the output the same from
         * run to run; libxlsxwriter would put the clock's time. */
        long y = doc->fiscal_year > 1970 ? doc->fiscal_year : 1970;
        long days = 365 * (y - 1970) + (y - 1969) / 4 - (y - 1901) / 100 + (y - 1601) / 400;
        lxw_doc_properties props = {.title = (char *)(doc->dept_name ? doc->dept_name : ""),
                                    .comments = "budgetkit",
                                    .created = (time_t)days * 86400};
        workbook_set_properties(w.wb, &props);
    }
    size_t from = 0;
    for (size_t r = 0; st == BK_OK && r <= t.nr; r++) {
        if (r < t.nr && t.r[r].n > 0)
            continue;
        if (r > from)
            st = write_table(&w, &t, from, r, tpls, doc);
        from = r + 1;
    }
    if (st == BK_OK)
        st = write_narrative(&w, doc);
    if (st == BK_OK)
        st = write_meta(&w, doc);
    if (w.wb) {
        lxw_error e = workbook_close(w.wb);
        if (st == BK_OK && e != LXW_NO_ERROR)
            st = lxw_failed(&w, e, "closing it");
    }
    if (st == BK_OK)
        st = copy_out(job, path);
    unlink(path);
    for (size_t i = 0; i < w.nsheets; i++)
        bk_free(w.sheet_names[i]);
    bk_free(w.sheet_names);
    bk_free(w.width);
    bk_free(w.key);
    rendered_free(&t);
    return st;
}

bk_status bkxl_export_end(bk_export *job, int ok)
{
    (void)job, (void)ok;
    return BK_OK;
}
