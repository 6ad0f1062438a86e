/* Reading .xlsx workbooks (Office Open XML, as Excel, WPS, LibreOffice and openpyxl write
 * them) into a grid: one part per visible worksheet, each row as the cells display it, merged
 * ranges as they are. Which tables the sheets hold is the layout engine's business
 * (bk_grid_import); this file only gets the cells out, one streamed part at a time.
 *
 * The workbook is found through the package relationships, its sheets through the workbook's;
 * shared strings and styles are read once, then each sheet is streamed row by row. Errors name
 * the file, the sheet and the cell: "book.xlsx: T04!N6: ...". */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx_int.h"

#define REL_OFFICE_DOCUMENT "/officeDocument"
#define REL_WORKSHEET "/worksheet"
#define REL_SHARED_STRINGS "/sharedStrings"
#define REL_STYLES "/styles"

typedef struct rel {
    char *id, *type, *target; /* target resolved to a part name; one block, from id */
} rel;

typedef struct rels {
    rel *v;
    size_t n, cap;
} rels;

typedef struct sheet {
    char *name, *rid; /* one block, from name */
    int hidden;
} sheet;

typedef struct numfmt {
    unsigned id;
    char *code;
} numfmt;

/* The styles part's number formats: the workbook's own codes, and the format of each cell
 * format prepared from them (which point into the codes). */
typedef struct number_formats {
    numfmt *fmts;
    size_t nfmts, fmts_cap;
    bkxl_numfmt *xf_fmt;
    size_t nxf;
} number_formats;

static void number_formats_free(number_formats *nf)
{
    for (size_t i = 0; i < nf->nfmts; i++)
        bk_free(nf->fmts[i].code);
    bk_free(nf->fmts);
    bk_free(nf->xf_fmt);
}

typedef struct book {
    bk_import *job;
    bk_error *err;
    const bk_limits *limits;
    bkxl_pkg pkg;
    bk_grid *grid;
    char *workbook; /* part name of the workbook */
    rels wbrels;
    sheet *sheets;
    size_t nsheets, sheets_cap;
    int date1904;
    /* shared strings: all texts end to end, with their offsets (n + 1 of them) */
    char *sst;
    size_t sst_len, sst_cap;
    size_t *sst_at;
    size_t nsst, sst_at_cap;
    number_formats formats;
    unsigned long long grid_cells; /* cells of the grid so far, blanks included */
    bkxl_text sst_text;
    char *text; /* scratch */
    size_t text_len, text_cap;
} book;

static bk_status nomem(book *b)
{
    bk_error_at(b->err, b->pkg.file, 0, 0, -1);
    return bk_error_set(b->err, BK_E_NOMEM, "out of memory while reading the workbook");
}

#define at_error(b, where, ...) bkxl_error((b)->err, (b)->pkg.file, where, __VA_ARGS__)

/* ---- part names ---- */

/* The folder of a part name, with its '/' ("xl/" of "xl/workbook.xml"). */
static size_t folder_len(const char *part)
{
    const char *slash = strrchr(part, '/');
    return slash ? (size_t)(slash - part) + 1 : 0;
}

/* A relationship target made a part name in out (room for base_len + strlen(target) + 1
 * bytes): absolute targets from the root, relative ones from the source part's folder, "." and
 * ".." resolved. -1 when it climbs out. */
static int resolve(const char *base, size_t base_len, const char *target, char *out)
{
    size_t n = 0;
    if (target[0] == '/') {
        target++;
    } else {
        memcpy(out, base, base_len);
        n = base_len;
    }
    while (*target) {
        size_t k = strcspn(target, "/");
        if (k == 2 && target[0] == '.' && target[1] == '.') {
            if (n == 0)
                return -1;
            n--; /* drop the '/' ending the folder, then the folder */
            while (n > 0 && out[n - 1] != '/')
                n--;
        } else if (!(k == 1 && target[0] == '.') && k > 0) {
            memcpy(out + n, target, k);
            n += k;
            if (target[k] == '/')
                out[n++] = '/';
        }
        target += k;
        if (*target == '/')
            target++;
    }
    out[n] = '\0';
    return 0;
}

static void rels_free(rels *r)
{
    for (size_t i = 0; i < r->n; i++)
        bk_free(r->v[i].id);
    bk_free(r->v);
    memset(r, 0, sizeof *r);
}

typedef struct rels_reader {
    book *b;
    const char *source;
    size_t fl;
    rels *out;
} rels_reader;

static bk_status rels_start(void *ctx, bkxl_xml *x, const char *name, int depth)
{
    rels_reader *rr = ctx;
    (void)depth;
    if (strcmp(name, "Relationship") != 0)
        return BK_OK;
    const char *mode = bkxl_xml_attr(x, "TargetMode");
    if (mode != NULL && strcmp(mode, "External") == 0)
        return BK_OK;
    const char *id = bkxl_xml_attr(x, "Id");
    const char *type = bkxl_xml_attr(x, "Type");
    const char *target = bkxl_xml_attr(x, "Target");
    if (id == NULL || type == NULL || target == NULL)
        return BK_OK;
    rels *out = rr->out;
    if (bk_grow((void **)&out->v, &out->cap, out->n + 1, sizeof *out->v) != 0)
        return nomem(rr->b);
    size_t il = strlen(id) + 1, tl = strlen(type) + 1;
    char *block = bk_malloc(il + tl + rr->fl + strlen(target) + 1);
    if (block == NULL)
        return nomem(rr->b);
    if (resolve(rr->source, rr->fl, target, block + il + tl) != 0) {
        bk_free(block);
        return BK_OK; /* a target outside the package is no part of it */
    }
    rel *r = &out->v[out->n++];
    r->id = memcpy(block, id, il);
    r->type = memcpy(block + il, type, tl);
    r->target = block + il + tl;
    return BK_OK;
}

/* The relationships of `source` (a part name, "" for the package). */
static bk_status read_rels(book *b, const char *source, int required, rels *out)
{
    size_t fl = folder_len(source);
    const char *file = source + fl;
    size_t nl = fl + strlen("_rels/") + strlen(file) + strlen(".rels") + 1;
    char *name = bk_malloc(nl);
    if (name == NULL)
        return nomem(b);
    snprintf(name, nl, "%.*s_rels/%s.rels", (int)fl, source, file);
    rels_reader rr = {b, source, fl, out};
    static const bkxl_sax h = {rels_start, NULL, NULL};
    bk_status rc = bkxl_xml_parse(&b->pkg, name, required, &h, &rr);
    bk_free(name);
    return rc;
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && strcmp(s + n - k, suffix) == 0;
}

static const rel *rel_by_type(const rels *r, const char *suffix)
{
    for (size_t i = 0; i < r->n; i++)
        if (ends_with(r->v[i].type, suffix))
            return &r->v[i];
    return NULL;
}

static const rel *rel_by_id(const rels *r, const char *id)
{
    for (size_t i = 0; i < r->n; i++)
        if (strcmp(r->v[i].id, id) == 0)
            return &r->v[i];
    return NULL;
}

/* ---- workbook, shared strings, styles ---- */

static bk_status workbook_start(void *ctx, bkxl_xml *x, const char *name, int depth)
{
    book *b = ctx;
    (void)depth;
    if (strcmp(name, "workbookPr") == 0) {
        const char *d = bkxl_xml_attr(x, "date1904");
        b->date1904 = d != NULL && (strcmp(d, "1") == 0 || strcmp(d, "true") == 0);
    } else if (strcmp(name, "sheet") == 0) {
        const char *sname = bkxl_xml_attr(x, "name");
        const char *state = bkxl_xml_attr(x, "state");
        int hidden = state != NULL && strcmp(state, "visible") != 0;
        const char *rid = bkxl_xml_attr(x, "id");
        if (sname == NULL || rid == NULL)
            return at_error(b, b->workbook, BK_E_CONTENT, "sheet %zu of the workbook has no %s",
                            b->nsheets + 1, sname == NULL ? "name" : "relationship id");
        if (bk_grow((void **)&b->sheets, &b->sheets_cap, b->nsheets + 1, sizeof *b->sheets))
            return nomem(b);
        size_t nl = strlen(sname) + 1, rl = strlen(rid) + 1;
        char *block = bk_malloc(nl + rl);
        if (block == NULL)
            return nomem(b);
        sheet *s = &b->sheets[b->nsheets++];
        s->name = memcpy(block, sname, nl);
        s->rid = memcpy(block + nl, rid, rl);
        s->hidden = hidden;
    }
    return BK_OK;
}

/* The workbook part and its relationships, which say where each sheet is. */
static bk_status read_workbook(book *b)
{
    static const bkxl_sax h = {workbook_start, NULL, NULL};
    bk_status rc = read_rels(b, b->workbook, 1, &b->wbrels);
    if (rc == BK_OK)
        rc = bkxl_xml_parse(&b->pkg, b->workbook, 1, &h, b);
    if (rc == BK_OK && b->nsheets == 0)
        rc = at_error(b, b->workbook, BK_E_CONTENT, "the workbook lists no sheets");
    return rc;
}

static bk_status sst_start(void *ctx, bkxl_xml *x, const char *name, int depth)
{
    book *b = ctx;
    (void)x;
    if (b->sst_text.depth >= 0)
        bkxl_text_start(&b->sst_text, name, depth);
    else if (strcmp(name, "si") == 0)
        bkxl_text_begin(&b->sst_text, name, depth, &b->sst, &b->sst_len, &b->sst_cap);
    return BK_OK;
}

static bk_status sst_end(void *ctx, bkxl_xml *x, const char *name, int depth)
{
    book *b = ctx;
    (void)x, (void)name;
    if (b->sst_text.depth < 0 || !bkxl_text_end(&b->sst_text, depth))
        return BK_OK;
    if (bk_grow((void **)&b->sst_at, &b->sst_at_cap, b->nsst + 2, sizeof *b->sst_at) ||
        bk_grow((void **)&b->sst, &b->sst_cap, b->sst_len + 1, 1))
        return nomem(b);
    b->sst[b->sst_len] = '\0';
    b->sst_at[++b->nsst] = b->sst_len;
    return BK_OK;
}

static bk_status sst_text(void *ctx, bkxl_xml *x, const char *s, size_t n)
{
    book *b = ctx;
    return b->sst_text.depth >= 0 ? bkxl_text_add(&b->sst_text, x, s, n) : BK_OK;
}

static bk_status read_shared_strings(book *b)
{
    const rel *r = rel_by_type(&b->wbrels, REL_SHARED_STRINGS);
    if (r == NULL)
        return BK_OK;
    if (bk_grow((void **)&b->sst_at, &b->sst_at_cap, 1, sizeof *b->sst_at))
        return nomem(b);
    b->sst_at[0] = 0;
    b->sst_text.depth = -1;
    static const bkxl_sax h = {sst_start, sst_end, sst_text};
    return bkxl_xml_parse(&b->pkg, r->target, 1, &h, b);
}

static const char *format_code(const number_formats *nf, unsigned id)
{
    for (size_t i = 0; i < nf->nfmts; i++)
        if (nf->fmts[i].id == id)
            return nf->fmts[i].code;
    return bkxl_builtin_format(id);
}

typedef struct styles_reader {
    book *b;
    int in_xfs;
    unsigned *xf_ids; /* number format id of each cell format, resolved at the end */
    size_t ids_cap;
} styles_reader;

static bk_status styles_start(void *ctx, bkxl_xml *x, const char *name, int depth)
{
    styles_reader *sr = ctx;
    book *b = sr->b;
    number_formats *nf = &b->formats;
    (void)depth;
    if (strcmp(name, "numFmt") == 0) {
        const char *id = bkxl_xml_attr(x, "numFmtId");
        const char *code = bkxl_xml_attr(x, "formatCode");
        if (id == NULL || code == NULL)
            return BK_OK;
        if (bk_grow((void **)&nf->fmts, &nf->fmts_cap, nf->nfmts + 1, sizeof *nf->fmts))
            return nomem(b);
        nf->fmts[nf->nfmts].id = (unsigned)strtoul(id, NULL, 10);
        if ((nf->fmts[nf->nfmts].code = bk_strdup(code)) == NULL)
            return nomem(b);
        nf->nfmts++;
    } else if (strcmp(name, "cellXfs") == 0) {
        sr->in_xfs = 1;
    } else if (sr->in_xfs && strcmp(name, "xf") == 0) {
        const char *id = bkxl_xml_attr(x, "numFmtId");
        if (bk_grow((void **)&sr->xf_ids, &sr->ids_cap, nf->nxf + 1, sizeof *sr->xf_ids))
            return nomem(b);
        sr->xf_ids[nf->nxf++] = id ? (unsigned)strtoul(id, NULL, 10) : 0;
    }
    return BK_OK;
}

static bk_status styles_end(void *ctx, bkxl_xml *x, const char *name, int depth)
{
    styles_reader *sr = ctx;
    (void)x, (void)depth;
    if (strcmp(name, "cellXfs") == 0)
        sr->in_xfs = 0;
    return BK_OK;
}

static bk_status read_styles(book *b)
{
    number_formats *nf = &b->formats;
    const rel *r = rel_by_type(&b->wbrels, REL_STYLES);
    if (r == NULL)
        return BK_OK;
    /* Number formats come before cellXfs in the part; the ids are resolved at the end. */
    styles_reader sr = {b, 0, NULL, 0};
    static const bkxl_sax h = {styles_start, styles_end, NULL};
    bk_status rc = bkxl_xml_parse(&b->pkg, r->target, 1, &h, &sr);
    if (rc == BK_OK && nf->nxf > 0) {
        nf->xf_fmt = bk_calloc(nf->nxf, sizeof *nf->xf_fmt);
        if (nf->xf_fmt == NULL)
            rc = nomem(b);
        for (size_t i = 0; rc == BK_OK && i < nf->nxf; i++)
            bkxl_numfmt_prepare(&nf->xf_fmt[i], format_code(nf, sr.xf_ids[i]));
    }
    bk_free(sr.xf_ids);
    return rc;
}

/* ---- sheets ---- */

/* "N6" → column 13 (0-based), row 6; -1 when it is no cell of a sheet. */
static int parse_ref(const char *s, uint32_t *col, long *row)
{
    unsigned long c = 0;
    int letters = 0;
    while (*s >= 'A' && *s <= 'Z' && letters < 4) {
        c = c * 26 + (unsigned long)(*s - 'A' + 1);
        s++, letters++;
    }
    long r = 0;
    int digits = 0;
    while (*s >= '0' && *s <= '9' && digits < 8) {
        r = r * 10 + (*s - '0');
        s++, digits++;
    }
    if (*s != '\0' || (letters == 0 && digits == 0))
        return -1;
    if (letters > 0 && (c < 1 || c > BKXL_MAX_COLS))
        return -1;
    if (digits > 0 && (r < 1 || r > BKXL_MAX_ROWS))
        return -1;
    *col = letters ? (uint32_t)(c - 1) : UINT32_MAX;
    *row = digits ? r : 0;
    return 0;
}

static void col_name(uint32_t col, char *out)
{
    char tmp[8];
    int n = 0;
    unsigned long c = (unsigned long)col + 1;
    while (c > 0 && n < 7) {
        tmp[n++] = (char)('A' + (c - 1) % 26);
        c = (c - 1) / 26;
    }
    for (int i = 0; i < n; i++)
        out[i] = tmp[n - 1 - i];
    out[n] = '\0';
}

typedef struct cellbuf {
    uint32_t col;
    uint32_t flags;
    size_t at, len; /* in the row's text store */
} cellbuf;

typedef struct sheet_reader {
    book *b;
    const sheet *sh;
    char where[BK_ERROR_WHERE];
    cellbuf *cells;
    size_t ncells, cells_cap;
    char *store;
    size_t store_len, store_cap;
    bk_grid_cell *out;
    size_t out_cap;
    long row, last_row;
    uint32_t col;
    int narrative;  /* the sheet is budgetkit's narrative sheet */
    int meta;       /* the sheet is budgetkit's metadata sheet */
    int first_row;  /* no row emitted yet */
    int blank_before; /* the last row given to the grid was blank */
    /* the <c> being read: its depth (-1 outside one), what its start tag says, what it holds */
    int cell_depth;
    char type[16];
    int has_style, has_v, has_f;
    unsigned long xf;
    bkxl_text txt; /* gathering a <v>, <is> (into b->text) or <f> (into ftext) */
    char *ftext;
    size_t flen, fcap;
} sheet_reader;

/* "T04!N6" for messages. */
static const char *cell_where(sheet_reader *s, uint32_t col, long row)
{
    char c[8];
    col_name(col, c);
    snprintf(s->where, sizeof s->where, "%s!%s%ld", s->sh->name, c, row);
    return s->where;
}

static bk_status store_text(sheet_reader *s, const char *t, size_t n, uint32_t flags)
{
    book *b = s->b;
    if (n == 0)
        return BK_OK;
    if (bk_grow((void **)&s->cells, &s->cells_cap, s->ncells + 1, sizeof *s->cells) ||
        bk_grow((void **)&s->store, &s->store_cap, s->store_len + n + 1, 1))
        return nomem(b);
    cellbuf *c = &s->cells[s->ncells++];
    c->col = s->col;
    c->flags = flags;
    c->at = s->store_len;
    c->len = n;
    memcpy(s->store + s->store_len, t, n);
    s->store_len += n;
    s->store[s->store_len++] = '\0';
    return BK_OK;
}

/* The row is the two-cell header a budgetkit sheet starts with ("标题 | 内容"). */
static int is_head(sheet_reader *s, const char *a, const char *b)
{
    return s->ncells == 2 && s->cells[0].col == 0 && s->cells[1].col == 1 &&
           strcmp(s->store + s->cells[0].at, a) == 0 && strcmp(s->store + s->cells[1].at, b) == 0;
}

/* The texts of the row's first two columns, "" where empty: the two-column sheets' rows. */
static void first_two(const sheet_reader *s, const char **a, const char **b)
{
    *a = *b = "";
    for (size_t i = 0; i < s->ncells; i++) {
        if (s->cells[i].col == 0)
            *a = s->store + s->cells[i].at;
        else if (s->cells[i].col == 1)
            *b = s->store + s->cells[i].at;
    }
}

/* A row of the metadata sheet: a label and its value. */
static bk_status meta_row(sheet_reader *s)
{
    const char *label, *value;
    first_two(s, &label, &value);
    for (size_t i = 0; i < BKXL_META_FIELDS; i++)
        if (strcmp(label, bkxl_meta_fields[i].label) == 0)
            return bk_grid_meta(s->b->grid, bkxl_meta_fields[i].key, value) == BK_OK
                       ? BK_OK : nomem(s->b);
    bk_import_warn(s->b->job, 0, 0, "sheet \"%s\" row %ld: \"%.60s\" is not a property "
                   "budgetkit knows; it was not read", s->sh->name, s->row, label);
    return BK_OK;
}

static bk_status emit_row(sheet_reader *s)
{
    book *b = s->b;
    bk_status rc = BK_OK;
    if (s->first_row && s->narrative)
        s->narrative = is_head(s, BKXL_NARRATIVE_HEAD_TITLE, BKXL_NARRATIVE_HEAD_TEXT);
    if (s->first_row && s->meta)
        s->meta = is_head(s, BKXL_META_HEAD_NAME, BKXL_META_HEAD_VALUE);
    if (s->meta) {
        if (!s->first_row && s->ncells > 0)
            rc = meta_row(s);
    } else if (s->narrative) {
        if (!s->first_row && s->ncells > 0) {
            const char *title, *text;
            first_two(s, &title, &text);
            rc = bk_grid_narrative(b->grid, title, text, 0);
        }
    } else {
        if (s->ncells > 0) {
            unsigned long long width = (unsigned long long)s->cells[s->ncells - 1].col + 1;
            b->grid_cells += width;
            if (b->limits->max_cells && b->grid_cells > b->limits->max_cells)
                return at_error(b, cell_where(s, s->cells[s->ncells - 1].col, s->row),
                                BK_E_LIMIT, "the sheets reach more than %llu cells, blanks "
                                "included up to the last filled cell of each row (max-cells)",
                                b->limits->max_cells);
        }
        /* Rows missing from the sheet are blank; one blank row keeps the blocks apart as well
         * as a thousand (sheets often carry thousands of empty formatted rows). */
        int blank = s->ncells == 0 || (s->last_row > 0 && s->row > s->last_row + 1);
        if (blank && !s->blank_before)
            rc = bk_grid_row(b->grid, s->ncells ? s->last_row + 1 : s->row, NULL, 0);
        s->blank_before = blank;
        if (s->ncells == 0) {
            s->first_row = 0;
            s->last_row = s->row;
            return rc == BK_OK ? BK_OK : nomem(b);
        }
        s->blank_before = 0;
        if (rc == BK_OK && bk_grow((void **)&s->out, &s->out_cap, s->ncells + 1, sizeof *s->out))
            rc = BK_E_NOMEM;
        for (size_t i = 0; rc == BK_OK && i < s->ncells; i++) {
            memset(&s->out[i], 0, sizeof s->out[i]);
            s->out[i].text = s->store + s->cells[i].at;
            s->out[i].len = s->cells[i].len;
            s->out[i].col = s->cells[i].col;
            s->out[i].flags = s->cells[i].flags;
        }
        if (rc == BK_OK)
            rc = bk_grid_row(b->grid, s->row, s->out, s->ncells);
        if (rc == BK_E_NOMEM)
            return nomem(b);
    }
    s->first_row = 0;
    s->last_row = s->row;
    s->ncells = 0;
    s->store_len = 0;
    return rc;
}

/* A <c> start tag: where the cell is and what kind of value it holds. */
static bk_status cell_start(sheet_reader *s, bkxl_xml *x, int depth)
{
    book *b = s->b;
    const char *ref = bkxl_xml_attr(x, "r");
    uint32_t col = s->ncells > 0 ? s->cells[s->ncells - 1].col + 1 : 0;
    if (s->col != UINT32_MAX && s->col + 1 > col)
        col = s->col + 1;
    if (ref != NULL) {
        uint32_t c;
        long r;
        if (parse_ref(ref, &c, &r) != 0 || c == UINT32_MAX || r == 0)
            return at_error(b, s->sh->name, BK_E_CONTENT, "row %ld: \"%.40s\" is no cell of a "
                            "sheet (columns A to XFD, rows 1 to 1048576)", s->row, ref);
        if (r != s->row)
            return at_error(b, cell_where(s, c, r), BK_E_CONTENT, "the cell is written inside "
                            "row %ld", s->row);
        if (s->col != UINT32_MAX && c <= s->col)
            return at_error(b, cell_where(s, c, r), BK_E_CONTENT, "the cell comes after a cell "
                            "to its right or itself: the row's cells are out of order");
        col = c;
    } else if (col >= BKXL_MAX_COLS) {
        return at_error(b, s->sh->name, BK_E_CONTENT, "row %ld has more than %u cells", s->row,
                        BKXL_MAX_COLS);
    }
    s->col = col;
    const char *t = bkxl_xml_attr(x, "t");
    const char *style = bkxl_xml_attr(x, "s");
    size_t tl = t != NULL ? strlen(t) : 1;
    if (tl >= sizeof s->type)
        tl = sizeof s->type - 1;
    memcpy(s->type, t != NULL ? t : "n", tl);
    s->type[tl] = '\0';
    s->has_style = style != NULL;
    s->xf = style ? strtoul(style, NULL, 10) : 0;
    s->cell_depth = depth;
    s->has_v = s->has_f = 0;
    s->txt.depth = -1;
    b->text_len = 0;
    return BK_OK;
}

/* A <c> end tag: the cell's value, as the cell shows it. */
static bk_status cell_end(sheet_reader *s)
{
    book *b = s->b;
    uint32_t col = s->col;
    s->cell_depth = -1;
    if (!s->has_v) {
        if (s->has_f) {
            char formula[48];
            snprintf(formula, sizeof formula, "%.40s%s", s->ftext ? s->ftext : "",
                     s->flen > 40 ? "..." : "");
            return at_error(b, cell_where(s, col, s->row), BK_E_CONTENT,
                            "the formula =%s has no stored value (the program that saved the "
                            "workbook did not calculate it): open the workbook in a spreadsheet "
                            "program and save it again", formula[0] ? formula : "...");
        }
        return BK_OK;
    }
    const char *v = b->text ? b->text : "";
    const char *type = s->type;
    if (strcmp(type, "s") == 0) {
        char *end;
        unsigned long long i = strtoull(v, &end, 10);
        if (*v < '0' || *v > '9' || *end != '\0' || i >= b->nsst)
            return at_error(b, cell_where(s, col, s->row), BK_E_CONTENT, "shared string \"%.24s\" "
                            "is out of range: the workbook has %zu shared strings", v, b->nsst);
        return store_text(s, b->sst + b->sst_at[i], b->sst_at[i + 1] - b->sst_at[i],
                          BK_GRID_TEXT);
    }
    if (strcmp(type, "inlineStr") == 0 || strcmp(type, "str") == 0 ||
        strcmp(type, "d") == 0 || strcmp(type, "e") == 0)
        return store_text(s, v, b->text_len, BK_GRID_TEXT);
    if (strcmp(type, "b") == 0)
        return store_text(s, strcmp(v, "1") == 0 ? "TRUE" : "FALSE", strcmp(v, "1") == 0 ? 4 : 5,
                          BK_GRID_TEXT);
    if (strcmp(type, "n") != 0)
        return at_error(b, cell_where(s, col, s->row), BK_E_CONTENT, "unknown cell type \"%.16s\"",
                        type);
    if (b->text_len == 0)
        return BK_OK;
    unsigned long xf = s->xf;
    if (s->has_style && xf >= b->formats.nxf && b->formats.nxf > 0)
        return at_error(b, cell_where(s, col, s->row), BK_E_CONTENT, "cell style %lu does not "
                        "exist (the workbook has %zu)", xf, b->formats.nxf);
    static const bkxl_numfmt general = {NULL, 0, {.general = 1}, {.general = 1}};
    const bkxl_numfmt *fmt = xf < b->formats.nxf ? &b->formats.xf_fmt[xf] : &general;
    char shown[BKXL_SHOWN_MAX];
    size_t n = 0;
    bkxl_shown_kind kind;
    if (bkxl_show_prepared(v, fmt, b->date1904, shown, &n, &kind) != 0)
        return at_error(b, cell_where(s, col, s->row), BK_E_CONTENT, "the number cell holds "
                        "\"%.40s\", which is not a number", v);
    return store_text(s, shown, n, kind == BKXL_SHOWN_NUMBER ? BK_GRID_NUMBER : BK_GRID_TEXT);
}

static bk_status read_merge(sheet_reader *s, const char *ref)
{
    book *b = s->b;
    char a[16], c[16];
    const char *colon = strchr(ref, ':');
    uint32_t c0, c1;
    long r0, r1;
    if (colon == NULL || (size_t)(colon - ref) >= sizeof a || strlen(colon + 1) >= sizeof c)
        goto bad;
    memcpy(a, ref, (size_t)(colon - ref));
    a[colon - ref] = '\0';
    strcpy(c, colon + 1);
    if (parse_ref(a, &c0, &r0) != 0 || parse_ref(c, &c1, &r1) != 0 || c0 == UINT32_MAX ||
        c1 == UINT32_MAX || r0 == 0 || r1 == 0 || c1 < c0 || r1 < r0)
        goto bad;
    if (s->narrative)
        return BK_OK;
    return bk_grid_merge(b->grid, r0, c0, r1, c1) == BK_OK ? BK_OK : nomem(b);
bad:
    return at_error(b, s->sh->name, BK_E_CONTENT, "merged range \"%.40s\" is not a range of "
                    "cells (A1:C2, within columns A to XFD and rows 1 to 1048576)", ref);
}

static bk_status row_start(sheet_reader *s, bkxl_xml *x)
{
    book *b = s->b;
    const char *ref = bkxl_xml_attr(x, "r");
    long row = s->last_row + 1;
    bk_status rc = BK_OK;
    if (ref != NULL) {
        char *end;
        row = strtol(ref, &end, 10);
        if (*ref < '0' || *ref > '9' || *end != '\0' || row < 1 || row > BKXL_MAX_ROWS)
            rc = at_error(b, s->sh->name, BK_E_CONTENT, "row number \"%.24s\" is not between 1 "
                          "and 1048576", ref);
        else if (row <= s->last_row)
            rc = at_error(b, s->sh->name, BK_E_CONTENT, "row %ld comes after row %ld: the rows "
                          "are out of order", row, s->last_row);
    } else if (row > BKXL_MAX_ROWS) {
        rc = at_error(b, s->sh->name, BK_E_CONTENT, "the sheet has more than 1048576 rows");
    }
    s->row = row;
    s->col = UINT32_MAX;
    s->ncells = 0;
    s->store_len = 0;
    return rc;
}

static bk_status sheet_start(void *ctx, bkxl_xml *x, const char *name, int depth)
{
    sheet_reader *s = ctx;
    book *b = s->b;
    if (s->txt.depth >= 0) {
        bkxl_text_start(&s->txt, name, depth);
        return BK_OK;
    }
    if (s->cell_depth >= 0) {
        /* Inside a cell only its value and its formula count; the last <v> or <is> wins. */
        if (strcmp(name, "v") == 0 || strcmp(name, "is") == 0) {
            s->has_v = 1;
            b->text_len = 0;
            if (b->text)
                b->text[0] = '\0';
            bkxl_text_begin(&s->txt, name, depth, &b->text, &b->text_len, &b->text_cap);
        } else if (strcmp(name, "f") == 0) {
            s->has_f = 1;
            s->flen = 0;
            if (s->ftext)
                s->ftext[0] = '\0';
            bkxl_text_begin(&s->txt, name, depth, &s->ftext, &s->flen, &s->fcap);
        }
        return BK_OK;
    }
    if (strcmp(name, "c") == 0) {
        if (s->row == 0)
            return at_error(b, s->sh->name, BK_E_CONTENT, "a cell outside any row");
        return cell_start(s, x, depth);
    }
    if (strcmp(name, "row") == 0)
        return row_start(s, x);
    if (strcmp(name, "mergeCell") == 0) {
        const char *ref = bkxl_xml_attr(x, "ref");
        if (ref != NULL)
            return read_merge(s, ref);
    }
    return BK_OK;
}

static bk_status sheet_end(void *ctx, bkxl_xml *x, const char *name, int depth)
{
    sheet_reader *s = ctx;
    (void)x;
    if (s->txt.depth >= 0) {
        bkxl_text_end(&s->txt, depth);
        return BK_OK;
    }
    if (s->cell_depth >= 0)
        return depth == s->cell_depth ? cell_end(s) : BK_OK;
    if (strcmp(name, "row") == 0)
        return emit_row(s);
    return BK_OK;
}

static bk_status sheet_text(void *ctx, bkxl_xml *x, const char *t, size_t n)
{
    sheet_reader *s = ctx;
    return s->txt.depth >= 0 ? bkxl_text_add(&s->txt, x, t, n) : BK_OK;
}

static bk_status read_sheet(book *b, const sheet *sh, const char *part)
{
    sheet_reader s;
    memset(&s, 0, sizeof s);
    s.b = b;
    s.sh = sh;
    s.first_row = 1;
    s.blank_before = 1; /* no blank row before the first */
    s.narrative = strcmp(sh->name, BKXL_NARRATIVE_SHEET) == 0;
    s.meta = strcmp(sh->name, BKXL_META_SHEET) == 0;
    s.cell_depth = -1;
    s.txt.depth = -1;
    static const bkxl_sax h = {sheet_start, sheet_end, sheet_text};
    bk_status rc = bk_grid_part(b->grid, sh->name, BK_GRID_SHEET) == BK_OK ? BK_OK : nomem(b);
    if (rc == BK_OK)
        rc = bkxl_xml_parse(&b->pkg, part, 1, &h, &s);
    bk_free(s.cells);
    bk_free(s.store);
    bk_free(s.out);
    bk_free(s.ftext);
    return rc;
}

/* ---- the whole workbook ---- */

static bk_status find_workbook(book *b)
{
    if (!bkxl_pkg_has(&b->pkg, "[Content_Types].xml"))
        return at_error(b, NULL, BK_E_CONTENT, "not an .xlsx workbook: the package has no "
                        "[Content_Types].xml");
    rels pkg_rels;
    memset(&pkg_rels, 0, sizeof pkg_rels);
    bk_status rc = read_rels(b, "", 0, &pkg_rels);
    if (rc == BK_OK) {
        const rel *r = rel_by_type(&pkg_rels, REL_OFFICE_DOCUMENT);
        b->workbook = bk_strdup(r ? r->target : "xl/workbook.xml");
        if (b->workbook == NULL)
            rc = nomem(b);
    }
    rels_free(&pkg_rels);
    if (rc == BK_OK && !bkxl_pkg_has(&b->pkg, b->workbook))
        rc = at_error(b, NULL, BK_E_CONTENT, "not an .xlsx workbook: the package has no "
                      "workbook part (%s)", b->workbook);
    return rc;
}

static void book_free(book *b)
{
    bkxl_pkg_close(&b->pkg);
    bk_grid_free(b->grid);
    rels_free(&b->wbrels);
    for (size_t i = 0; i < b->nsheets; i++)
        bk_free(b->sheets[i].name);
    bk_free(b->sheets);
    number_formats_free(&b->formats);
    bk_free(b->sst);
    bk_free(b->sst_at);
    bk_free(b->workbook);
    bk_free(b->text);
}

bk_status bkxl_read_xlsx(bk_import *job)
{
    book b = {.job = job, .err = bk_import_error(job), .limits = bk_ctx_limits(bk_import_ctx(job))};
    bk_source *src = bk_import_source(job);
    bk_status rc = bkxl_pkg_open(&b.pkg, src, b.err, b.limits);
    if (rc == BK_OK && (b.grid = bk_grid_new(bk_source_name(src))) == NULL)
        rc = nomem(&b);
    /* The parts the sheets need, each read with what the ones before found. */
    static bk_status (*const parts[])(book *) = {find_workbook, read_workbook, read_shared_strings,
                                                 read_styles};
    for (size_t i = 0; rc == BK_OK && i < sizeof parts / sizeof parts[0]; i++)
        rc = parts[i](&b);
    size_t read = 0;
    for (size_t i = 0; rc == BK_OK && i < b.nsheets; i++) {
        const sheet *sh = &b.sheets[i];
        if (sh->hidden) {
            bk_import_warn(job, 0, 0, "sheet \"%s\" is hidden and was not read", sh->name);
            continue;
        }
        const rel *r = rel_by_id(&b.wbrels, sh->rid);
        if (r == NULL)
            rc = at_error(&b, sh->name, BK_E_CONTENT, "the sheet's relationship %.40s is not "
                          "in the workbook's relationships", sh->rid);
        else if (!ends_with(r->type, REL_WORKSHEET))
            bk_import_warn(job, 0, 0, "sheet \"%s\" is not a worksheet (a chart or macro "
                           "sheet) and was not read", sh->name);
        else if ((rc = read_sheet(&b, sh, r->target)) == BK_OK)
            read++;
    }
    if (rc == BK_OK && read == 0)
        rc = at_error(&b, NULL, BK_E_CONTENT, "the workbook has no visible worksheet");
    /* The package is closed before the engine runs: its memory is not needed any more. */
    bkxl_pkg_close(&b.pkg);
    if (rc == BK_OK)
        rc = bk_grid_import(job, b.grid);
    book_free(&b);
    return rc;
}
