/* Internals of the CSV plugin: decoding, the record reader, the writer, and the two layouts
 * (line items and the published wide tables). */
#ifndef BK_CSV_INT_H
#define BK_CSV_INT_H

#include <stddef.h>
#include <stdint.h>

#include <iconv.h>

#include "budgetkit/budgetkit.h"

/* ---- errors ---- */

/* Set the position and the message of err in one go; returns code. */
bk_status bkcsv_fail(bk_error *err, const char *file, long line, long field, long long offset,
                     bk_status code, const char *fmt, ...) __attribute__((format(printf, 7, 8)));

/* ---- character encodings ---- */

typedef enum bkcsv_encoding {
    BKCSV_ENC_AUTO = 0,
    BKCSV_ENC_UTF8,
    BKCSV_ENC_GB18030
} bkcsv_encoding;

/* Turns the input's bytes into validated UTF-8, chunk by chunk. Until the first non-ASCII byte
 * the encoding may stay undecided: ASCII reads the same in both. */
typedef struct bkcsv_decoder {
    bkcsv_encoding enc;
    int forced;
    int started;            /* byte order mark handled */
    iconv_t cd;             /* GB18030 → UTF-8, (iconv_t)-1 until needed */
    unsigned char carry[8]; /* an incomplete character at the end of the last chunk */
    size_t ncarry;
    unsigned long long offset; /* input offset of the next chunk's first byte (carry included) */
    long line;                 /* line the next chunk starts on */
    unsigned long long text_offset; /* input offset of the last text's first byte (UTF-8) */
    char *out;                 /* converted text (GB18030 only) */
    size_t out_cap;
    const char *file;
    bk_error *err;
} bkcsv_decoder;

void bkcsv_decoder_init(bkcsv_decoder *d, bkcsv_encoding forced, const char *file, bk_error *err);
void bkcsv_decoder_free(bkcsv_decoder *d);
/* Room the caller keeps in front of each chunk for the carried bytes. */
#define BKCSV_CARRY_ROOM 16
/* Decode one chunk. `in` must have BKCSV_CARRY_ROOM writable bytes before it. *text and *len
 * receive UTF-8 (pointing into `in` or into the decoder). eof marks the last call. */
bk_status bkcsv_decode(bkcsv_decoder *d, unsigned char *in, size_t n, int eof, const char **text,
                       size_t *len);

/* Length of the valid UTF-8 prefix of s (no NUL bytes). When the prefix stops at a character
 * cut off by the end of the buffer, *partial is set to its byte count, else 0. */
size_t bkcsv_utf8_prefix(const unsigned char *s, size_t n, size_t *partial);

/* ---- reading records ---- */

typedef struct bkcsv_field {
    const char *s; /* NUL-terminated */
    size_t len;
} bkcsv_field;

/* 1 when a field of this text is written with a leading ' so that a spreadsheet shows it
 * instead of evaluating it: it starts (after any 's) with = + - @ TAB or CR and is not a plain
 * number (-217.70 is harmless). The reader takes one ' off a field that is ' followed by such a
 * text, so that every text reads back as written. */
int bkcsv_formula_guarded(const char *s, size_t len);

/* Called for each non-empty record; line is the line it starts on. */
typedef bk_status (*bkcsv_record_fn)(void *user, const bkcsv_field *f, size_t n, long line);

typedef struct bkcsv_read_opts {
    bkcsv_encoding encoding;
    unsigned long long max_bytes;  /* 0 = no bound */
    unsigned long long max_string; /* one field, 0 = no bound */
    size_t max_fields;             /* one record */
} bkcsv_read_opts;

/* Read every record of src. file names the input in messages. */
bk_status bkcsv_read(bk_source *src, const char *file, const bkcsv_read_opts *opts, bk_error *err,
                     bkcsv_record_fn fn, void *user);

/* ---- writing ---- */

typedef struct bkcsv_writer {
    bk_sink *sink;
    bkcsv_encoding enc;
    iconv_t cd;
    char *buf;
    size_t len, cap;
    char *conv;
    size_t conv_cap;
    bk_status status;
    bk_error *err;
} bkcsv_writer;

bk_status bkcsv_writer_init(bkcsv_writer *w, bk_sink *sink, bkcsv_encoding enc, int bom,
                            bk_error *err);
/* One field, quoted when it holds a comma, a quote, CR or LF (RFC 4180). */
/* A field, quoted as needed; text a spreadsheet would evaluate as a formula gets a leading '
 * (bkcsv_formula_guarded), which the reader takes off again. */
void bkcsv_put(bkcsv_writer *w, const char *s, size_t len);
void bkcsv_puts(bkcsv_writer *w, const char *s); /* NULL writes an empty field */
void bkcsv_put_raw(bkcsv_writer *w, const char *s, size_t len);
static inline void bkcsv_sep(bkcsv_writer *w) { bkcsv_put_raw(w, ",", 1); }
/* End the record with CRLF; flushes now and then. */
void bkcsv_eol(bkcsv_writer *w);
/* A record of n fields; NULL entries are empty. */
void bkcsv_record(bkcsv_writer *w, const char *const *fields, size_t n);
bk_status bkcsv_writer_flush(bkcsv_writer *w);
void bkcsv_writer_free(bkcsv_writer *w);

/* ---- options shared by the layouts ---- */

typedef enum bkcsv_layout {
    BKCSV_LAYOUT_AUTO = 0,
    BKCSV_LAYOUT_LINES,
    BKCSV_LAYOUT_WIDE
} bkcsv_layout;

/* ---- line items ---- */

#define BKCSV_LINES_HEADER "record,unit,table,row,kind,section,code,name,level,column,value"
/* Whether the first bytes (after any BOM) are the line-item header. */
int bkcsv_lines_header_at(const unsigned char *p, size_t n);
/* Whether a parsed record is the line-item header. */
int bkcsv_lines_header_record(const bkcsv_field *f, size_t n);

bk_status bkcsv_lines_import(bk_import *job, bk_source *src, const bkcsv_read_opts *opts);

typedef struct bkcsv_lines_export bkcsv_lines_export;
bk_status bkcsv_lines_export_begin(bkcsv_lines_export **out, bk_sink *sink, bkcsv_encoding enc,
                                   int bom, bk_error *err);
bk_status bkcsv_lines_export_doc(bkcsv_lines_export *x, const bk_doc *doc);
bk_status bkcsv_lines_export_end(bkcsv_lines_export *x, int ok);

/* ---- the published tables ---- */

/* One file or a folder of files into one document, through the layout engine (tables.c). */
bk_status bkcsv_tables_import(bk_import *job, bk_source *src, const bkcsv_read_opts *opts);

/* Write a document's tables as printed (bk_grid_render): into one file (all tables one after
 * another) or, when the sink is a folder, one file per table named T01.csv... (tables.c) */
bk_status bkcsv_tables_export(bk_sink *sink, const bk_doc *doc, const bk_templates *tpls,
                              bkcsv_encoding enc, int bom, bk_error *err);

#endif
