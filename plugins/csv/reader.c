/* Records from a CSV input: libcsv does the quoting, this file counts lines and fields (libcsv
 * reports neither), enforces the limits and hands each record over whole. */
#include <string.h>

#include <csv.h>

#include "csvint.h"

#define CHUNK 65536

typedef struct reader {
    const bkcsv_read_opts *opts;
    const char *file;
    bk_error *err;
    bkcsv_record_fn fn;
    void *user;
    struct csv_parser parser;
    char *arena; /* the current record's fields, each NUL-terminated */
    size_t arena_len, arena_cap;
    size_t *offs; /* start of each field in the arena */
    size_t nfields, offs_cap;
    bkcsv_field *fields; /* handed to the callback */
    size_t fields_cap;
    long line;     /* line the parser is on */
    long rec_line; /* line the current record starts on */
    int prev_cr;   /* the last line ended with CR: an empty LF "line" right after is its end */
    bk_status status;
} reader;

/* libcsv trims spaces by default; a value keeps every byte it was given. */
static int no_space(unsigned char c)
{
    (void)c;
    return 0;
}

static long lines_in_field(const char *s, size_t n)
{
    long count = 0;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\n')
            count++;
        else if (s[i] == '\r' && (i + 1 == n || s[i + 1] != '\n'))
            count++;
    }
    return count;
}

static void on_field(void *data, size_t len, void *user)
{
    reader *r = user;
    if (r->status != BK_OK)
        return;
    if (r->nfields == 0)
        r->rec_line = r->line;
    if (r->opts->max_string && len > r->opts->max_string) {
        r->status = bkcsv_fail(r->err, r->file, r->line, (long)r->nfields + 1, -1, BK_E_LIMIT,
                               "field %zu on line %ld is %zu bytes long, more than the limit of "
                               "%llu (max-string)",
                               r->nfields + 1, r->line, len, r->opts->max_string);
        return;
    }
    if (r->nfields >= r->opts->max_fields) {
        r->status = bkcsv_fail(r->err, r->file, r->rec_line, (long)r->nfields + 1, -1, BK_E_LIMIT,
                               "the record on line %ld has more than %zu fields", r->rec_line,
                               r->opts->max_fields);
        return;
    }
    if ((r->arena_len + len + 1 > r->arena_cap &&
         bk_grow((void **)&r->arena, &r->arena_cap, r->arena_len + len + 1, 1)) ||
        (r->nfields + 1 > r->offs_cap &&
         bk_grow((void **)&r->offs, &r->offs_cap, r->nfields + 1, sizeof *r->offs))) {
        r->status = bkcsv_fail(r->err, r->file, r->line, 0, -1, BK_E_NOMEM, "out of memory");
        return;
    }
    if (len) {
        memcpy(r->arena + r->arena_len, data, len);
        if (memchr(data, '\n', len) || memchr(data, '\r', len))
            r->line += lines_in_field(data, len);
    }
    r->offs[r->nfields++] = r->arena_len;
    r->arena_len += len;
    r->arena[r->arena_len++] = '\0';
}

static void deliver(reader *r)
{
    if (r->nfields > r->fields_cap &&
        bk_grow((void **)&r->fields, &r->fields_cap, r->nfields, sizeof *r->fields)) {
        r->status = bkcsv_fail(r->err, r->file, r->rec_line, 0, -1, BK_E_NOMEM, "out of memory");
        return;
    }
    for (size_t i = 0; i < r->nfields; i++) {
        size_t end = i + 1 < r->nfields ? r->offs[i + 1] - 1 : r->arena_len - 1;
        r->fields[i].s = r->arena + r->offs[i];
        r->fields[i].len = end - r->offs[i];
        /* '=cmd was written for =cmd (a formula a spreadsheet must not run). */
        if (r->fields[i].len > 1 && r->fields[i].s[0] == '\'' &&
            bkcsv_formula_guarded(r->fields[i].s + 1, r->fields[i].len - 1)) {
            r->fields[i].s++;
            r->fields[i].len--;
        }
    }
    r->status = r->fn(r->user, r->fields, r->nfields, r->rec_line);
}

static void on_row(int c, void *user)
{
    reader *r = user;
    if (r->status != BK_OK)
        return;
    if (r->nfields == 0 && c == '\n' && r->prev_cr) {
        r->prev_cr = 0; /* the LF of a CRLF */
        return;
    }
    if (r->nfields > 0)
        deliver(r);
    r->nfields = 0;
    r->arena_len = 0;
    if (c >= 0)
        r->line++;
    r->prev_cr = c == '\r';
}

static bk_status syntax_error(reader *r, const char *text, size_t len, size_t at,
                              unsigned long long offset, int utf8)
{
    const char *what = at < len && text[at] == '"'
                           ? "a quote inside an unquoted field (quote the whole field and double "
                             "the quotes in it)"
                           : "text after the closing quote of a field";
    long line = r->line;
    if (r->parser.entry_buf && r->parser.entry_pos)
        line += lines_in_field((const char *)r->parser.entry_buf, r->parser.entry_pos);
    return bkcsv_fail(r->err, r->file, line, (long)r->nfields + 1,
                      utf8 ? (long long)(offset + at) : -1, BK_E_SYNTAX, "line %ld, field %zu: %s",
                      line, r->nfields + 1, what);
}

static bk_status parse_chunk(reader *r, const char *text, size_t len, unsigned long long offset,
                             int utf8)
{
    size_t done = csv_parse(&r->parser, text, len, on_field, on_row, r);
    if (r->status != BK_OK)
        return r->status;
    if (done < len || csv_error(&r->parser) != CSV_SUCCESS) {
        if (csv_error(&r->parser) == CSV_ENOMEM || csv_error(&r->parser) == CSV_ETOOBIG)
            return bkcsv_fail(r->err, r->file, r->line, 0, -1, BK_E_NOMEM, "out of memory");
        return syntax_error(r, text, len, done, offset, utf8);
    }
    /* libcsv gathers a field before handing it over: bound it while it grows. */
    if (r->opts->max_string && r->parser.entry_pos > r->opts->max_string)
        return bkcsv_fail(r->err, r->file, r->line, (long)r->nfields + 1, -1, BK_E_LIMIT,
                          "field %zu on line %ld is longer than the limit of %llu bytes "
                          "(max-string)",
                          r->nfields + 1, r->line, r->opts->max_string);
    return BK_OK;
}

static bk_status finish(reader *r)
{
    long start = r->line;
    size_t field = r->nfields + 1;
    if (csv_fini(&r->parser, on_field, on_row, r) != 0 && r->status == BK_OK) {
        if (csv_error(&r->parser) == CSV_EPARSE)
            return bkcsv_fail(
                r->err, r->file, start, (long)field, -1, BK_E_SYNTAX,
                "the quoted field %zu that starts on line %ld is never closed (is the "
                "file cut short?)",
                field, start);
        return bkcsv_fail(r->err, r->file, start, 0, -1, BK_E_NOMEM, "out of memory");
    }
    return r->status;
}

bk_status bkcsv_read(bk_source *src, const char *file, const bkcsv_read_opts *opts, bk_error *err,
                     bkcsv_record_fn fn, void *user)
{
    reader r = {.opts = opts, .file = file, .err = err, .fn = fn, .user = user, .line = 1};
    bkcsv_decoder dec;
    bkcsv_decoder_init(&dec, opts->encoding, file, err);
    unsigned char *raw = bk_malloc(BKCSV_CARRY_ROOM + CHUNK);
    if (!raw || csv_init(&r.parser, CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL) != 0) {
        bk_free(raw);
        return bkcsv_fail(err, file, 0, 0, -1, BK_E_NOMEM, "out of memory");
    }
    csv_set_space_func(&r.parser, no_space);
    csv_set_realloc_func(&r.parser, bk_realloc);
    csv_set_free_func(&r.parser, bk_free);
    csv_set_blk_size(&r.parser, 256);
    bk_status st = BK_OK;
    unsigned long long total = 0;
    for (;;) {
        long got = bk_source_read(src, raw + BKCSV_CARRY_ROOM, CHUNK);
        if (got < 0) {
            *err = *bk_source_error(src);
            st = err->code ? err->code : BK_E_IO;
            break;
        }
        total += (unsigned long long)got;
        if (opts->max_bytes && total > opts->max_bytes) {
            st = bkcsv_fail(err, file, 0, 0, -1, BK_E_LIMIT,
                            "the input is larger than the limit of %llu bytes (max-input-bytes)",
                            opts->max_bytes);
            break;
        }
        const char *text;
        size_t len;
        st = bkcsv_decode(&dec, raw + BKCSV_CARRY_ROOM, (size_t)got, got == 0, &text, &len);
        if (st != BK_OK)
            break;
        if (len) {
            st = parse_chunk(&r, text, len, dec.text_offset, dec.enc != BKCSV_ENC_GB18030);
            if (st != BK_OK)
                break;
        }
        if (got == 0)
            break;
    }
    if (st == BK_OK)
        st = finish(&r);
    csv_free(&r.parser);
    bkcsv_decoder_free(&dec);
    bk_free(raw);
    bk_free(r.arena);
    bk_free(r.offs);
    bk_free(r.fields);
    return st;
}
