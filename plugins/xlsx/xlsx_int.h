/* Shared between the parts of the spreadsheet plugin. Not a public interface: every name
 * carries the bkxl_ prefix so that plugins linked statically into one program do not collide. */
#ifndef BK_XLSX_XLSX_INT_H
#define BK_XLSX_XLSX_INT_H

#include <budgetkit/budgetkit.h>
#include <libxml/parser.h>
#include <zip.h>

/* Excel's own bounds: a reference beyond them is no cell of any sheet. */
#define BKXL_MAX_COLS 16384u
#define BKXL_MAX_ROWS 1048576L

/* The name of the sheet that carries a document's narrative parts in the workbooks budgetkit
 * writes, and the header of its first row; read back as narrative (formats/xlsx.md). */
#define BKXL_NARRATIVE_SHEET "说明"
#define BKXL_NARRATIVE_HEAD_TITLE "标题"
#define BKXL_NARRATIVE_HEAD_TEXT "内容"

/* The sheet that carries what a document knows besides its tables and narrative (the
 * department's code, the publication's metadata), one labelled row each, in the workbooks
 * budgetkit writes; read back into the document (formats/xlsx.md). */
#define BKXL_META_SHEET "属性"
#define BKXL_META_HEAD_NAME "项目"
#define BKXL_META_HEAD_VALUE "值"
#define BKXL_META_FIELDS 5

typedef struct bkxl_meta_field {
    const char *label; /* in the sheet */
    const char *key;   /* bk_grid_meta's */
} bkxl_meta_field;

extern const bkxl_meta_field bkxl_meta_fields[BKXL_META_FIELDS];

/* Set err to a message naming the file and, when given, the place in it (a part, "T04!N6");
 * returns code. */
bk_status bkxl_error(bk_error *err, const char *file, const char *where, bk_status code,
                     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* ---- the package: ZIP parts read as streams, with the archive plugin's limits ---- */

typedef struct bkxl_pkg {
    zip_t *za;
    const char *file; /* the workbook's name, for messages */
    bk_error *err;
    const bk_limits *limits;
    unsigned long long inflated; /* bytes inflated from all parts so far */
} bkxl_pkg;

typedef struct bkxl_xml bkxl_xml;

bk_status bkxl_pkg_open(bkxl_pkg *p, bk_source *src, bk_error *err, const bk_limits *limits);
void bkxl_pkg_close(bkxl_pkg *p);
/* 1 when the package has a part of this name (case-insensitive, as OPC names are). */
int bkxl_pkg_has(bkxl_pkg *p, const char *name);
/* What a part's elements and text are handed to, in document order, as libxml2's SAX2 parser
 * meets them: the element's local name (any namespace) and its depth (0 for the root). A
 * handler returns BK_OK, or the error it set, which stops the parse. */
typedef struct bkxl_sax {
    bk_status (*start)(void *ctx, bkxl_xml *x, const char *name, int depth);
    bk_status (*end)(void *ctx, bkxl_xml *x, const char *name, int depth);
    bk_status (*text)(void *ctx, bkxl_xml *x, const char *s, size_t n);
} bkxl_sax;

/* Parse a part, streamed as it inflates. A missing part is an error when required, else it is
 * skipped. Malformed XML and a DOCTYPE are errors naming the part. */
bk_status bkxl_xml_parse(bkxl_pkg *p, const char *name, int required, const bkxl_sax *h,
                         void *ctx);
/* An attribute of the element being started, by local name (any namespace), decoded, or NULL.
 * Only within a start handler; valid until it returns. */
const char *bkxl_xml_attr(bkxl_xml *x, const char *name);
long bkxl_xml_line(bkxl_xml *x);
const char *bkxl_xml_part(bkxl_xml *x);

/* Gathering the text of an element as a cell shows it: all text inside <v>, <t> or <f>; inside
 * <si> or <is> only that of its <t> runs; never that of <rPh> phonetic runs. Begin at the
 * element's start, pass the starts and ends inside it, and its text. */
typedef struct bkxl_text {
    int depth; /* of the element; -1 when not gathering */
    int direct, t_depth, skip_depth;
    size_t start; /* *len at the beginning: max-string counts from there */
    char **buf;
    size_t *len, *cap;
} bkxl_text;

void bkxl_text_begin(bkxl_text *t, const char *name, int depth, char **buf, size_t *len,
                     size_t *cap);
void bkxl_text_start(bkxl_text *t, const char *name, int depth);
/* 1 when this end is the element's own: the text is complete. */
int bkxl_text_end(bkxl_text *t, int depth);
/* Append (NUL-terminated): BK_OK, or the error set (max-string, memory). */
bk_status bkxl_text_add(bkxl_text *t, bkxl_xml *x, const char *s, size_t n);

/* ---- number formats (xlsx_numfmt.c) ---- */

#define BKXL_SHOWN_MAX 400

typedef enum bkxl_shown_kind {
    BKXL_SHOWN_NUMBER = 0, /* text is a plain decimal ("-3088.83", "02") */
    BKXL_SHOWN_TEXT = 1    /* a date or time, kept as text */
} bkxl_shown_kind;

/* The shape of one section of a number format code. */
typedef struct bkxl_shape {
    int general;     /* no placeholders we can honour: shortest round-trip decimal */
    int date;        /* date or time codes */
    int has_date, has_time;
    int int_zeros;   /* '0' placeholders before the point: minimum integer digits */
    int dec_min;     /* '0' after the point */
    int dec_max;     /* '0', '#', '?' after the point */
    int percent;     /* each '%' multiplies by 100 */
    int scale;       /* each ',' after the last integer placeholder divides by 1000 */
    int digits;      /* any digit placeholder at all */
} bkxl_shape;

/* A format code read once for all the cells that use it: the shapes it shows a positive (or
 * zero) and a negative number with. */
typedef struct bkxl_numfmt {
    const char *code; /* NULL for General */
    int dates;        /* the code has date or time letters: the value itself is needed */
    bkxl_shape pos, neg;
} bkxl_numfmt;

/* Prepare code (NULL or "General": General); code must outlive f. */
void bkxl_numfmt_prepare(bkxl_numfmt *f, const char *code);

/* What a number cell displays under format code `code` (NULL or "General": the shortest
 * decimal that reads back to the same double). date1904: the workbook counts days from 1904.
 * Returns the kind and writes text (NUL-terminated) and *len. */
bkxl_shown_kind bkxl_show_number(double v, const char *code, int date1904, char *text,
                                 size_t *len);
/* The same for a number as stored in the cell ("3088.829999999999"): 0, or -1 when the text
 * is not a number. Exact and quicker than through the double when the text has at most 15
 * significant digits. */
int bkxl_show_stored(const char *stored, const char *code, int date1904, char *text,
                     size_t *len, bkxl_shown_kind *kind);
/* bkxl_show_stored with a prepared format. */
int bkxl_show_prepared(const char *stored, const bkxl_numfmt *f, int date1904, char *text,
                       size_t *len, bkxl_shown_kind *kind);
/* The format code of a built-in number format id, NULL when the id has none. */
const char *bkxl_builtin_format(unsigned id);
/* Parse a stored number ("3088.829999999999", "1E-3"): 0 on success. */
int bkxl_parse_double(const char *s, double *out);

/* ---- .xls: what FreeXL does not tell (xls_scan.c) ---- */

typedef struct bkxl_xls_cell {
    uint32_t key; /* row << 8 | column (BIFF8 has 256 columns) */
    uint16_t xf;  /* index of the cell's XF record */
} bkxl_xls_cell;

typedef struct bkxl_xls_merge {
    unsigned row0, row1, col0, col1; /* 0-based, inclusive */
} bkxl_xls_merge;

typedef struct bkxl_xls_sheet {
    char *name;             /* UTF-8; NULL when it does not convert */
    int hidden;             /* hidden or very hidden */
    unsigned kind;          /* 0 a worksheet; else a chart, macro or module sheet */
    bkxl_xls_cell *cells;   /* number and formula cells, sorted by key */
    size_t ncells, cells_cap;
    bkxl_xls_merge *merges;
    size_t nmerges, merges_cap;
} bkxl_xls_sheet;

typedef struct bkxl_xls_scan {
    int ok;                 /* the scan read the whole workbook */
    const char *why;        /* else: why not */
    int date1904;
    struct {
        unsigned id;
        char *code;
    } *formats;             /* FORMAT records: id and code, UTF-8 */
    size_t nformats, formats_cap;
    uint16_t *xf_format;    /* XF index -> format id */
    size_t nxf, nxf_cap;
    bkxl_xls_sheet *sheets; /* BOUNDSHEET8 order */
    size_t nsheets, sheets_cap;
} bkxl_xls_scan;

/* Scan the compound file in data: 0, or -1 with s->why set (s->ok 0). Free with
 * bkxl_xls_scan_free either way. */
int bkxl_xls_scan_run(bkxl_xls_scan *s, const unsigned char *data, size_t len);
/* The format code of the number cell at row, col (0-based) of a sheet; NULL when unknown. */
const char *bkxl_xls_format(const bkxl_xls_scan *s, const bkxl_xls_sheet *sh, unsigned row,
                            unsigned col);
void bkxl_xls_scan_free(bkxl_xls_scan *s);

/* ---- readers and writer ---- */

bk_status bkxl_read_xlsx(bk_import *job);
bk_status bkxl_read_xls(bk_import *job);
bk_status bkxl_export_begin(bk_export *job);
bk_status bkxl_export_doc(bk_export *job, const bk_doc *doc);
bk_status bkxl_export_end(bk_export *job, int ok);

#endif
