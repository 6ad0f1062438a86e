/* JSON importer and exporter of the canonical budget document (formats/document.md,
 * formats/json.md).
 *
 * A file holds one document or many written one after another ("bulk", like jq output). The
 * reader streams the source and splits it into documents with a light scan that knows only
 * strings and brackets; each document's bytes are then parsed by jansson, checked against
 * the format, turned into a bk_doc and emitted before the next one is read, so memory stays
 * bounded by one document. The scan is also where nesting depth is limited (before jansson
 * recurses) and where the line of every table row is recorded for validators.
 *
 * jansson keeps no positions for values, so when a document breaks the format the offending
 * value is found again in the document's text by its key path (only on error). */
#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "budgetkit/budgetkit.h"
#include "json_plugin.h"

#define READ_CHUNK 65536
#define MAX_PATH 12

/* ------------------------------------------------------------------------------------------
 * Reading and splitting the input
 * ---------------------------------------------------------------------------------------- */

typedef struct reader {
    bk_source *src;
    bk_error *err;
    const char *file;
    const bk_limits *lim;

    unsigned char *buf; /* bytes not yet consumed: buf[0..len) */
    size_t len, cap;
    size_t scan;            /* bytes of buf already scanned */
    long long base_offset;  /* file offset of buf[0] */
    long base_line;         /* line of buf[0] */
    long base_col;          /* column of buf[0] */
    long scan_line;         /* line of buf[scan] */
    unsigned long long total; /* bytes read from the source */
    int eof;
    int started;            /* the byte order mark has been looked for */

    /* the document being scanned */
    int in_doc, in_string, escaped;
    size_t depth;
    uint64_t objects; /* bit d-1 set: the container at depth d is an object */
    size_t doc_start;
    uint32_t *row_lines; /* line of each row object, in document order */
    size_t nrow_lines, row_lines_cap;
} reader;

enum { SCAN_ERROR = -1, SCAN_END = 0, SCAN_DOC = 1, SCAN_TRUNCATED = 2 };

static int is_blank(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Columns count characters (UTF-8 sequences), as jansson and most editors do. */
static int is_char_start(unsigned char c)
{
    return (c & 0xC0) != 0x80;
}

/* Line, column and file offset of buf[idx]. Only used to report errors, so it may count. */
static void rd_position(const reader *rd, size_t idx, long *line, long *col, long long *off)
{
    size_t line_start = 0;
    long l = rd->base_line;
    int first_line = 1;
    for (size_t i = 0; i < idx && i < rd->len; i++) {
        if (rd->buf[i] == '\n') {
            l++;
            line_start = i + 1;
            first_line = 0;
        }
    }
    long c = first_line ? rd->base_col : 1;
    for (size_t i = line_start; i < idx && i < rd->len; i++)
        c += is_char_start(rd->buf[i]);
    *line = l;
    *col = c;
    *off = rd->base_offset + (long long)idx;
}

static bk_status rd_fail_at(reader *rd, size_t idx, bk_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bk_status rd_fail_at(reader *rd, size_t idx, bk_status code, const char *fmt, ...)
{
    char msg[BK_ERROR_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    long line, col;
    long long off;
    rd_position(rd, idx, &line, &col, &off);
    bk_error_at(rd->err, rd->file, line, col, off);
    return bk_error_set(rd->err, code, "%s", msg);
}

/* Drop the bytes before the current document (or before the scan point between documents),
 * keeping the position of the new first byte. */
static void rd_compact(reader *rd)
{
    size_t keep = rd->in_doc ? rd->doc_start : rd->scan;
    if (keep == 0)
        return;
    long line, col;
    long long off;
    rd_position(rd, keep, &line, &col, &off);
    rd->base_line = line;
    rd->base_col = col;
    rd->base_offset = off;
    memmove(rd->buf, rd->buf + keep, rd->len - keep);
    rd->len -= keep;
    rd->scan -= keep;
    if (rd->in_doc)
        rd->doc_start -= keep;
}

/* Read more input: 1 when bytes arrived, 0 at the end, -1 on error. */
static int rd_fill(reader *rd)
{
    rd_compact(rd);
    if (rd->cap - rd->len < READ_CHUNK) {
        size_t want = rd->cap * 2 > rd->len + READ_CHUNK ? rd->cap * 2 : rd->len + READ_CHUNK;
        unsigned char *nb = bk_realloc(rd->buf, want);
        if (!nb) {
            bk_error_at(rd->err, rd->file, 0, 0, -1);
            bk_error_set(rd->err, BK_E_NOMEM, "out of memory reading the input");
            return -1;
        }
        rd->buf = nb;
        rd->cap = want;
    }
    long n = bk_source_read(rd->src, rd->buf + rd->len, rd->cap - rd->len);
    if (n < 0) {
        const bk_error *se = bk_source_error(rd->src);
        if (se && se->code != BK_OK) {
            *rd->err = *se;
        } else {
            bk_error_at(rd->err, rd->file, 0, 0, -1);
            bk_error_set(rd->err, BK_E_IO, "cannot read the input");
        }
        return -1;
    }
    if (n == 0) {
        rd->eof = 1;
        return 0;
    }
    size_t before = rd->len;
    rd->len += (size_t)n;
    rd->total += (unsigned long long)n;
    unsigned long long max = rd->lim ? rd->lim->max_input_bytes : 0;
    if (max && rd->total > max) {
        size_t idx = before + (size_t)(max - (rd->total - (unsigned long long)n));
        rd_fail_at(rd, idx, BK_E_LIMIT,
                   "the input is larger than the limit of %llu bytes (max-input-bytes)", max);
        return -1;
    }
    return 1;
}

/* Skip a UTF-8 byte order mark at the very start of the input. */
static int rd_start(reader *rd)
{
    while (!rd->started) {
        if (rd->len >= 3 || rd->eof) {
            if (rd->len >= 3 && rd->buf[0] == 0xEF && rd->buf[1] == 0xBB && rd->buf[2] == 0xBF) {
                memmove(rd->buf, rd->buf + 3, rd->len - 3);
                rd->len -= 3;
                rd->base_offset = 3;
            }
            rd->started = 1;
        } else if (rd_fill(rd) < 0) {
            return -1;
        }
    }
    return 0;
}

static int rd_record_row(reader *rd)
{
    if (bk_grow((void **)&rd->row_lines, &rd->row_lines_cap, rd->nrow_lines + 1,
                sizeof *rd->row_lines)) {
        bk_error_at(rd->err, rd->file, 0, 0, -1);
        bk_error_set(rd->err, BK_E_NOMEM, "out of memory reading the input");
        return -1;
    }
    long line = rd->scan_line;
    rd->row_lines[rd->nrow_lines++] = line > (long)UINT32_MAX ? 0 : (uint32_t)line;
    return 0;
}

/* A row of a valid document is exactly an object at depth 5 in
 * document{ tables[ table{ rows[ row{ — the objects bit pattern 0101 below it. */
#define ROW_PARENTS_MASK 0xFu
#define ROW_PARENTS_BITS 0x5u

static int rd_open(reader *rd, unsigned char c)
{
    unsigned long long max = rd->lim ? rd->lim->max_depth : 0;
    if (c == '{' && rd->depth == 4 && (rd->objects & ROW_PARENTS_MASK) == ROW_PARENTS_BITS &&
        rd_record_row(rd) < 0)
        return -1;
    rd->depth++;
    if (max && rd->depth > max) {
        rd_fail_at(rd, rd->scan, BK_E_LIMIT,
                   "JSON nesting deeper than the limit of %llu levels (max-depth)", max);
        return -1;
    }
    if (rd->depth <= 64) {
        uint64_t bit = (uint64_t)1 << (rd->depth - 1);
        if (c == '{')
            rd->objects |= bit;
        else
            rd->objects &= ~bit;
    }
    return 0;
}

static void describe_byte(unsigned char c, char *buf, size_t cap)
{
    if (c >= 0x21 && c < 0x7F)
        snprintf(buf, cap, "'%c'", c);
    else
        snprintf(buf, cap, "byte 0x%02X", c);
}

/* Between documents only blanks may appear, and a document must start with '{'. */
static int rd_begin_doc(reader *rd)
{
    unsigned char c = rd->buf[rd->scan];
    if (c != '{') {
        if (c == '[') {
            rd_fail_at(rd, rd->scan, BK_E_CONTENT,
                       "expected a JSON object for a budget document, found an array (a file "
                       "holds one document, or several one after another without [ ])");
        } else {
            char what[16];
            describe_byte(c, what, sizeof what);
            rd_fail_at(rd, rd->scan, BK_E_SYNTAX,
                       "expected '{' to start a budget document, found %s", what);
        }
        return -1;
    }
    rd->in_doc = 1;
    rd->in_string = 0;
    rd->escaped = 0;
    rd->depth = 0;
    rd->objects = 0;
    rd->doc_start = rd->scan;
    rd->nrow_lines = 0;
    return 0;
}

/* Find the next document: its bytes are buf[*start..*end) until the next call. */
static int rd_next(reader *rd, size_t *start, size_t *end)
{
    if (rd_start(rd) < 0)
        return SCAN_ERROR;
    for (;;) {
        while (rd->scan < rd->len) {
            unsigned char c = rd->buf[rd->scan];
            if (c == '\n')
                rd->scan_line++;
            if (!rd->in_doc) {
                if (is_blank(c)) {
                    rd->scan++;
                    continue;
                }
                if (rd_begin_doc(rd) < 0)
                    return SCAN_ERROR;
            }
            if (rd->in_string) {
                if (rd->escaped)
                    rd->escaped = 0;
                else if (c == '\\')
                    rd->escaped = 1;
                else if (c == '"')
                    rd->in_string = 0;
            } else if (c == '"') {
                rd->in_string = 1;
            } else if (c == '{' || c == '[') {
                if (rd_open(rd, c) < 0)
                    return SCAN_ERROR;
            } else if (c == '}' || c == ']') {
                if (--rd->depth == 0) {
                    rd->scan++;
                    rd->in_doc = 0;
                    *start = rd->doc_start;
                    *end = rd->scan;
                    return SCAN_DOC;
                }
            }
            rd->scan++;
        }
        if (rd->eof) {
            if (!rd->in_doc)
                return SCAN_END;
            rd->in_doc = 0;
            *start = rd->doc_start;
            *end = rd->len;
            return SCAN_TRUNCATED;
        }
        if (rd_fill(rd) < 0)
            return SCAN_ERROR;
    }
}

/* ------------------------------------------------------------------------------------------
 * Finding a value again in the document text (for error positions)
 * ---------------------------------------------------------------------------------------- */

typedef struct step {
    const char *key; /* member name, or NULL for an array element */
    size_t index;
} step;

typedef const unsigned char *cptr;

static cptr skip_blanks(cptr p, cptr end)
{
    while (p < end && is_blank(*p))
        p++;
    return p;
}

/* p at an opening quote: the byte after the closing one. */
static cptr skip_string(cptr p, cptr end)
{
    for (p++; p < end; p++) {
        if (*p == '\\')
            p++;
        else if (*p == '"')
            return p + 1;
    }
    return end;
}

static cptr skip_value(cptr p, cptr end)
{
    if (p >= end)
        return end;
    if (*p == '"')
        return skip_string(p, end);
    if (*p == '{' || *p == '[') {
        size_t depth = 0;
        while (p < end) {
            if (*p == '"') {
                p = skip_string(p, end);
                continue;
            }
            if (*p == '{' || *p == '[')
                depth++;
            else if ((*p == '}' || *p == ']') && --depth == 0)
                return p + 1;
            p++;
        }
        return end;
    }
    while (p < end && *p != ',' && *p != '}' && *p != ']' && !is_blank(*p))
        p++;
    return p;
}

static int hex_value(const unsigned char *p, unsigned *out)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned char c = p[i];
        v <<= 4;
        if (c >= '0' && c <= '9')
            v |= (unsigned)(c - '0');
        else if (c >= 'a' && c <= 'f')
            v |= (unsigned)(c - 'a' + 10);
        else if (c >= 'A' && c <= 'F')
            v |= (unsigned)(c - 'A' + 10);
        else
            return -1;
    }
    *out = v;
    return 0;
}

static size_t utf8_encode(unsigned cp, unsigned char *out)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* Does the JSON string at p (its opening quote) decode to key? */
static int string_equals(cptr p, cptr end, const char *key)
{
    const unsigned char *k = (const unsigned char *)key;
    for (p++; p < end && *p != '"';) {
        unsigned char dec[4];
        size_t n = 1;
        if (*p != '\\') {
            dec[0] = *p++;
        } else {
            if (end - p < 2)
                return 0;
            unsigned char e = p[1];
            p += 2;
            switch (e) {
            case 'n': dec[0] = '\n'; break;
            case 't': dec[0] = '\t'; break;
            case 'r': dec[0] = '\r'; break;
            case 'b': dec[0] = '\b'; break;
            case 'f': dec[0] = '\f'; break;
            case 'u': {
                unsigned cp, lo;
                if (end - p < 4 || hex_value(p, &cp) < 0)
                    return 0;
                p += 4;
                if (cp >= 0xD800 && cp < 0xDC00 && end - p >= 6 && p[0] == '\\' && p[1] == 'u' &&
                    hex_value(p + 2, &lo) == 0 && lo >= 0xDC00 && lo < 0xE000) {
                    cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                    p += 6;
                }
                n = utf8_encode(cp, dec);
                break;
            }
            default: dec[0] = e; break;
            }
        }
        for (size_t i = 0; i < n; i++, k++)
            if (*k != dec[i])
                return 0;
    }
    return *k == 0;
}

/* The start of the value at path in the document text, or of its key when want_key is set
 * and the last step is a member. Gives the closest enclosing value when a step is missing. */
static cptr locate(cptr p, cptr end, const step *path, size_t n, int want_key)
{
    for (size_t i = 0; i < n; i++) {
        p = skip_blanks(p, end);
        if (p >= end)
            return end;
        cptr container = p;
        if (path[i].key) {
            if (*p != '{')
                return container;
            p++;
            for (;;) {
                p = skip_blanks(p, end);
                if (p >= end || *p != '"')
                    return container;
                cptr key = p;
                int match = string_equals(p, end, path[i].key);
                p = skip_blanks(skip_string(p, end), end);
                if (p < end && *p == ':')
                    p = skip_blanks(p + 1, end);
                if (match) {
                    if (want_key && i + 1 == n)
                        return key;
                    break;
                }
                p = skip_blanks(skip_value(p, end), end);
                if (p < end && *p == ',')
                    p++;
            }
        } else {
            if (*p != '[')
                return container;
            p++;
            for (size_t k = 0; k < path[i].index; k++) {
                p = skip_value(skip_blanks(p, end), end);
                p = skip_blanks(p, end);
                if (p < end && *p == ',')
                    p++;
            }
            p = skip_blanks(p, end);
        }
    }
    return skip_blanks(p, end);
}

/* ------------------------------------------------------------------------------------------
 * Checking a parsed document and building the model
 * ---------------------------------------------------------------------------------------- */

typedef struct walker {
    reader *rd;
    bk_error *err;
    const bk_templates *tpls;
    const bk_limits *lim;
    bk_doc *doc;
    size_t start, end; /* the document's bytes in rd->buf */
    step path[MAX_PATH];
    size_t depth;
    unsigned long long cells;
    size_t rows_seen;
} walker;

static void push_key(walker *w, const char *key)
{
    if (w->depth < MAX_PATH)
        w->path[w->depth] = (step){key, 0};
    w->depth++;
}

static void push_index(walker *w, size_t index)
{
    if (w->depth < MAX_PATH)
        w->path[w->depth] = (step){NULL, index};
    w->depth++;
}

static void pop(walker *w)
{
    w->depth--;
}

/* A user's text for a message: cut to a readable length on a character boundary, control
 * characters shown as '?'. */
static const char *shown(const char *s, char *buf, size_t cap)
{
    size_t n = 0, limit = cap - 4;
    const unsigned char *p = (const unsigned char *)s;
    while (*p && n < limit) {
        size_t seq = 1;
        if (*p >= 0xC0)
            while (p[seq] && !is_char_start(p[seq]))
                seq++;
        if (n + seq > limit)
            break;
        for (size_t i = 0; i < seq; i++)
            buf[n++] = (char)(p[i] < 0x20 || p[i] == 0x7F ? '?' : p[i]);
        p += seq;
    }
    if (*p) {
        memcpy(buf + n, "...", 3);
        n += 3;
    }
    buf[n] = '\0';
    return buf;
}

#define SHOWN(s, b) shown((s), (b), sizeof(b))

static void path_text(const walker *w, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < w->depth && i < MAX_PATH && n < cap; i++) {
        int k;
        if (w->path[i].key) {
            char key[48];
            k = snprintf(buf + n, cap - n, "%s%s", i ? "." : "", SHOWN(w->path[i].key, key));
        } else {
            k = snprintf(buf + n, cap - n, "[%zu]", w->path[i].index);
        }
        if (k < 0)
            break;
        n += (size_t)k;
    }
}

/* Report an error at the current path (at its key when want_key). Returns -1. */
static int fail(walker *w, int want_key, bk_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(walker *w, int want_key, bk_status code, const char *fmt, ...)
{
    char msg[BK_ERROR_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    reader *rd = w->rd;
    size_t n = w->depth < MAX_PATH ? w->depth : MAX_PATH;
    cptr at = locate(rd->buf + w->start, rd->buf + w->end, w->path, n, want_key);
    rd_fail_at(rd, (size_t)(at - rd->buf), code, "%s", msg);
    if (w->depth > 0) {
        char where[BK_ERROR_WHERE];
        path_text(w, where, sizeof where);
        bk_error_where(w->err, "%s", where);
    }
    return -1;
}

static int fail_nomem(walker *w)
{
    return fail(w, 0, BK_E_NOMEM, "out of memory");
}

static const char *type_name(const json_t *v)
{
    switch (json_typeof(v)) {
    case JSON_OBJECT: return "an object";
    case JSON_ARRAY: return "an array";
    case JSON_STRING: return "a string";
    case JSON_INTEGER: return "a number";
    case JSON_REAL: return "a number with a fraction or exponent";
    case JSON_TRUE: return "true";
    case JSON_FALSE: return "false";
    case JSON_NULL: return "null";
    }
    return "a value";
}

/* Every key of obj must be one of allowed (NULL-terminated): a misspelt key is an error, not
 * something silently dropped. */
static int check_keys(walker *w, json_t *obj, const char *const *allowed, const char *what)
{
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        size_t i = 0;
        while (allowed[i] && strcmp(allowed[i], key) != 0)
            i++;
        if (allowed[i])
            continue;
        char list[160] = "", shown_key[80];
        size_t n = 0;
        for (i = 0; allowed[i] && n < sizeof list; i++) {
            int k = snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", allowed[i]);
            if (k < 0)
                break;
            n += (size_t)k;
        }
        push_key(w, key);
        fail(w, 1, BK_E_CONTENT, "unknown key \"%s\" in %s (its keys are %s)",
             SHOWN(key, shown_key), what, list);
        pop(w);
        return -1;
    }
    return 0;
}

/* Member key of obj: *out is NULL when absent, which is an error when required. */
static int member(walker *w, json_t *obj, const char *key, int required, const char *what,
                  json_t **out)
{
    *out = json_object_get(obj, key);
    if (!*out && required)
        return fail(w, 0, BK_E_CONTENT, "missing required key \"%s\" in %s", key, what);
    return 0;
}

/* The value at the current path must be a string within the string limit. */
static int as_string(walker *w, json_t *v, const char *label, const char **s, size_t *len)
{
    if (!json_is_string(v))
        return fail(w, 0, BK_E_CONTENT, "expected a string for %s, found %s", label,
                    type_name(v));
    size_t n = json_string_length(v);
    unsigned long long max = w->lim ? w->lim->max_string : 0;
    if (max && n > max)
        return fail(w, 0, BK_E_LIMIT, "%s is %zu bytes long, more than the limit of %llu bytes "
                    "(max-string)", label, n, max);
    *s = json_string_value(v);
    if (len)
        *len = n;
    return 0;
}

/* Member key as a string (NULL when absent and optional). */
static int get_string(walker *w, json_t *obj, const char *key, int required, const char *what,
                      const char **s)
{
    json_t *v;
    *s = NULL;
    if (member(w, obj, key, required, what, &v) < 0)
        return -1;
    if (!v)
        return 0;
    char label[64];
    snprintf(label, sizeof label, "\"%s\"", key);
    push_key(w, key);
    int r = as_string(w, v, label, s, NULL);
    pop(w);
    return r;
}

static int get_nonempty(walker *w, json_t *obj, const char *key, int required, const char *what,
                        const char **s)
{
    if (get_string(w, obj, key, required, what, s) < 0)
        return -1;
    if (*s && !**s) {
        push_key(w, key);
        fail(w, 0, BK_E_CONTENT, "\"%s\" of %s is empty", key, what);
        pop(w);
        return -1;
    }
    return 0;
}

/* Member key as an integer in [lo, hi]; *present tells whether it was there. */
static int get_int(walker *w, json_t *obj, const char *key, int required, const char *what,
                   long long lo, long long hi, long long *out, int *present)
{
    json_t *v;
    *present = 0;
    if (member(w, obj, key, required, what, &v) < 0)
        return -1;
    if (!v)
        return 0;
    push_key(w, key);
    int r = 0;
    if (!json_is_integer(v)) {
        r = fail(w, 0, BK_E_CONTENT, "expected an integer for \"%s\", found %s", key,
                 type_name(v));
    } else if (json_integer_value(v) < lo || json_integer_value(v) > hi) {
        r = fail(w, 0, BK_E_CONTENT, "\"%s\" is %lld, outside %lld..%lld", key,
                 (long long)json_integer_value(v), lo, hi);
    } else {
        *out = json_integer_value(v);
        *present = 1;
    }
    pop(w);
    return r;
}

/* Member key as an array (or object, for want_object); NULL when absent and optional. */
static int get_container(walker *w, json_t *obj, const char *key, int required, const char *what,
                         int want_object, json_t **out)
{
    if (member(w, obj, key, required, what, out) < 0)
        return -1;
    if (!*out)
        return 0;
    if (want_object ? json_is_object(*out) : json_is_array(*out))
        return 0;
    push_key(w, key);
    fail(w, 0, BK_E_CONTENT, "expected %s for \"%s\", found %s",
         want_object ? "an object" : "an array", key, type_name(*out));
    pop(w);
    return -1;
}

static int expect_object(walker *w, json_t *v, const char *what)
{
    if (json_is_object(v))
        return 0;
    return fail(w, 0, BK_E_CONTENT, "expected an object for %s, found %s", what, type_name(v));
}

static int valid_id(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        char c = *s;
        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '_' || c == '-'))
            return 0;
    }
    return 1;
}

/* The model's own checks report without a place: put it at the current path. */
static int model_failed(walker *w, bk_status st)
{
    if (st == BK_E_NOMEM)
        return fail_nomem(w);
    char msg[BK_ERROR_TEXT];
    snprintf(msg, sizeof msg, "%s", w->err->text);
    return fail(w, 0, st, "%s", msg);
}

static int walk_header(walker *w, json_t *root)
{
    const char *s;
    long long v;
    int present;

    if (get_string(w, root, "format", 1, "the document", &s) < 0)
        return -1;
    if (strcmp(s, "budgetkit-budget") != 0) {
        char shown_s[80];
        push_key(w, "format");
        fail(w, 0, BK_E_CONTENT, "\"format\" is \"%s\"; a budget document says "
             "\"budgetkit-budget\"", SHOWN(s, shown_s));
        pop(w);
        return -1;
    }
    if (get_int(w, root, "version", 1, "the document", 0, INT32_MAX, &v, &present) < 0)
        return -1;
    if (v != 1) {
        push_key(w, "version");
        fail(w, 0, BK_E_CONTENT, "unsupported format version %lld (this build reads version 1)",
             v);
        pop(w);
        return -1;
    }
    if (get_int(w, root, "fiscal_year", 1, "the document", 1900, 9999, &v, &present) < 0)
        return -1;
    w->doc->fiscal_year = (int)v;

    json_t *dept;
    static const char *const dept_keys[] = {"name", "code", NULL};
    const char *name, *code;
    if (get_container(w, root, "department", 1, "the document", 1, &dept) < 0)
        return -1;
    push_key(w, "department");
    int r = check_keys(w, dept, dept_keys, "\"department\"");
    if (r == 0)
        r = get_nonempty(w, dept, "name", 1, "\"department\"", &name);
    if (r == 0)
        r = get_nonempty(w, dept, "code", 0, "\"department\"", &code);
    if (r == 0 && bk_doc_set_department(w->doc, name, code) != BK_OK)
        r = fail_nomem(w);
    pop(w);
    if (r < 0)
        return -1;

    if (get_string(w, root, "money_unit", 1, "the document", &s) < 0)
        return -1;
    if (strcmp(s, "万元") != 0 && strcmp(s, "元") != 0) {
        char shown_s[80];
        push_key(w, "money_unit");
        fail(w, 0, BK_E_CONTENT, "\"money_unit\" is \"%s\"; it must be \"万元\" or \"元\"",
             SHOWN(s, shown_s));
        pop(w);
        return -1;
    }
    w->doc->money_unit = bk_doc_intern_cstr(w->doc, s);
    if (!w->doc->money_unit)
        return fail_nomem(w);

    if (get_int(w, root, "precision", 0, "the document", 0, BK_DECIMAL_MAX_SCALE, &v,
                &present) < 0)
        return -1;
    if (present)
        w->doc->precision = (int)v;
    return 0;
}

static int walk_unit(walker *w, json_t *u, int *departments)
{
    static const char *const keys[] = {"id", "name", "kind", "parent", NULL};
    const char *id, *name, *kind, *parent;
    char shown_s[80];

    if (expect_object(w, u, "a unit") < 0 || check_keys(w, u, keys, "a unit") < 0 ||
        get_string(w, u, "id", 1, "a unit", &id) < 0)
        return -1;
    push_key(w, "id");
    if (!valid_id(id)) {
        fail(w, 0, BK_E_CONTENT, "unit id \"%s\" is not made of letters, digits, '_' and '-'",
             SHOWN(id, shown_s));
        pop(w);
        return -1;
    }
    if (bk_doc_find_unit(w->doc, id) >= 0) {
        fail(w, 0, BK_E_CONTENT, "unit id \"%s\" is used twice", id);
        pop(w);
        return -1;
    }
    pop(w);
    if (get_nonempty(w, u, "name", 1, "a unit", &name) < 0 ||
        get_string(w, u, "kind", 1, "a unit", &kind) < 0 ||
        get_string(w, u, "parent", 0, "a unit", &parent) < 0)
        return -1;
    int k = bk_unit_kind_parse(kind);
    if (k < 0) {
        push_key(w, "kind");
        fail(w, 0, BK_E_CONTENT, "unknown unit kind \"%s\" (expected department, self or "
             "subunit)", SHOWN(kind, shown_s));
        pop(w);
        return -1;
    }
    if (parent && bk_doc_find_unit(w->doc, parent) < 0) {
        push_key(w, "parent");
        fail(w, 0, BK_E_CONTENT, "parent \"%s\" of unit \"%s\" is not a unit listed before it",
             SHOWN(parent, shown_s), id);
        pop(w);
        return -1;
    }
    bk_status st = bk_doc_add_unit(w->doc, id, name, (bk_unit_kind)k, parent, w->err);
    if (st != BK_OK)
        return model_failed(w, st);
    *departments += k == BK_UNIT_DEPARTMENT;
    return 0;
}

static int walk_units(walker *w, json_t *root)
{
    json_t *units;
    if (get_container(w, root, "units", 1, "the document", 0, &units) < 0)
        return -1;
    push_key(w, "units");
    int departments = 0, r = 0;
    for (size_t i = 0; r == 0 && i < json_array_size(units); i++) {
        push_index(w, i);
        r = walk_unit(w, json_array_get(units, i), &departments);
        pop(w);
    }
    if (r == 0 && departments != 1)
        r = fail(w, 0, BK_E_CONTENT, "exactly one unit must have kind \"department\"; "
                 "\"units\" has %d", departments);
    pop(w);
    return r;
}

/* "total, basic, project", ending in ", ..." when the template has more than fits. */
static void column_list(const bk_template *tpl, char *buf, size_t cap)
{
    size_t n = 0;
    buf[0] = '\0';
    for (size_t i = 0; i < tpl->ncolumns; i++) {
        const char *sep = i ? ", " : "";
        size_t need = strlen(sep) + strlen(tpl->columns[i].id);
        if (n + need + 6 >= cap) {
            snprintf(buf + n, cap - n, ", ...");
            return;
        }
        n += (size_t)snprintf(buf + n, cap - n, "%s%s", sep, tpl->columns[i].id);
    }
}

/* One member of "cells": the path is at the member. */
static int walk_cell(walker *w, bk_table *t, size_t row, const char *key, json_t *v)
{
    const bk_template *tpl = t->tpl;
    char shown_s[80];
    int col = bk_template_column(tpl, key);
    if (col < 0) {
        char cols[240];
        column_list(tpl, cols, sizeof cols);
        return fail(w, 1, BK_E_CONTENT, "\"%s\" is not a column of table %s (its columns are %s)",
                    SHOWN(key, shown_s), tpl->id, cols);
    }
    int text = tpl->columns[col].type == BK_COL_TEXT;
    if (!text && json_is_number(v))
        return fail(w, 0, BK_E_CONTENT, "the amount in column \"%s\" is a JSON number; amounts "
                    "are strings holding the exact decimal as printed, such as \"4115.36\"", key);
    char label[80];
    snprintf(label, sizeof label, "column \"%s\"", key);
    const char *s;
    size_t len;
    if (as_string(w, v, label, &s, &len) < 0)
        return -1;
    bk_status st;
    if (text) {
        st = bk_table_set_text(w->doc, t, row, (size_t)col, s, len);
    } else {
        bk_decimal d;
        bk_decimal_status ds = s[0] == '+' ? BK_DECIMAL_SYNTAX
                                           : bk_decimal_parse(s, len, 0, &d, NULL);
        if (ds == BK_DECIMAL_EMPTY)
            return fail(w, 0, BK_E_CONTENT, "the amount in column \"%s\" is empty; a blank cell "
                        "is left out of \"cells\"", key);
        if (ds == BK_DECIMAL_OVERFLOW)
            return fail(w, 0, BK_E_CONTENT, "the amount \"%s\" in column \"%s\" has more digits "
                        "or decimals than budgetkit holds exactly", SHOWN(s, shown_s), key);
        if (ds != BK_DECIMAL_OK)
            return fail(w, 0, BK_E_CONTENT, "\"%s\" in column \"%s\" is not a plain decimal "
                        "(digits with an optional '-' and '.'; no exponent, no thousands "
                        "separators)", SHOWN(s, shown_s), key);
        st = bk_table_set_number(t, row, (size_t)col, d);
    }
    if (st != BK_OK)
        return st == BK_E_NOMEM ? fail_nomem(w)
                                : fail(w, 0, st, "cannot store the value of column \"%s\"", key);
    w->cells++;
    unsigned long long max = w->lim ? w->lim->max_cells : 0;
    if (max && w->cells > max)
        return fail(w, 0, BK_E_LIMIT, "the document has more than %llu cells (max-cells)", max);
    return 0;
}

static int walk_row(walker *w, bk_table *t, json_t *row)
{
    static const char *const keys[] = {"kind", "unit", "section", "code", "name", "level",
                                       "cells", NULL};
    const char *kind, *unit, *section, *code, *name;
    long long level = 0;
    int has_level;
    json_t *cells;
    char shown_s[80];

    /* The scan recorded one line per row object of a valid document, in this order. */
    size_t ordinal = w->rows_seen++;
    uint32_t line = ordinal < w->rd->nrow_lines ? w->rd->row_lines[ordinal] : 0;

    if (expect_object(w, row, "a row") < 0 || check_keys(w, row, keys, "a row") < 0 ||
        get_string(w, row, "kind", 1, "a row", &kind) < 0 ||
        get_string(w, row, "unit", 1, "a row", &unit) < 0 ||
        get_string(w, row, "section", 0, "a row", &section) < 0 ||
        get_nonempty(w, row, "code", 0, "a row", &code) < 0 ||
        get_string(w, row, "name", 1, "a row", &name) < 0 ||
        get_int(w, row, "level", 0, "a row", 1, 9, &level, &has_level) < 0 ||
        get_container(w, row, "cells", 1, "a row", 1, &cells) < 0)
        return -1;
    int k = bk_row_kind_parse(kind);
    if (k < 0) {
        push_key(w, "kind");
        fail(w, 0, BK_E_CONTENT, "unknown row kind \"%s\" (expected unit, item, total or of)",
             SHOWN(kind, shown_s));
        pop(w);
        return -1;
    }
    int u = bk_doc_find_unit(w->doc, unit);
    if (u < 0) {
        push_key(w, "unit");
        fail(w, 0, BK_E_CONTENT, "unit \"%s\" is not defined in \"units\"", SHOWN(unit, shown_s));
        pop(w);
        return -1;
    }
    long r = bk_table_add_row(w->doc, t, (bk_row_kind)k, u, section, code, name, (int)level, line);
    if (r < 0)
        return fail_nomem(w);

    push_key(w, "cells");
    const char *key;
    json_t *v;
    int res = 0;
    json_object_foreach(cells, key, v) {
        push_key(w, key);
        res = walk_cell(w, t, (size_t)r, key, v);
        pop(w);
        if (res < 0)
            break;
    }
    pop(w);
    return res;
}

static int walk_table(walker *w, json_t *tj)
{
    static const char *const keys[] = {"id", "unit_label", "note", "rows", NULL};
    const char *id, *unit_label, *note;
    json_t *rows;
    char shown_s[80];

    if (expect_object(w, tj, "a table") < 0 || check_keys(w, tj, keys, "a table") < 0 ||
        get_string(w, tj, "id", 1, "a table", &id) < 0)
        return -1;
    const bk_template *tpl = w->tpls ? bk_templates_find(w->tpls, id) : NULL;
    push_key(w, "id");
    if (!tpl) {
        fail(w, 0, BK_E_CONTENT, "table id \"%s\" has no template", SHOWN(id, shown_s));
        pop(w);
        return -1;
    }
    if (bk_doc_table(w->doc, id)) {
        fail(w, 0, BK_E_CONTENT, "table %s appears twice in \"tables\"", tpl->id);
        pop(w);
        return -1;
    }
    pop(w);
    if (get_string(w, tj, "unit_label", 0, "a table", &unit_label) < 0 ||
        get_string(w, tj, "note", 0, "a table", &note) < 0 ||
        get_container(w, tj, "rows", 1, "a table", 0, &rows) < 0)
        return -1;
    bk_table *t = bk_doc_add_table(w->doc, tpl);
    if (!t || bk_table_set_labels(w->doc, t, unit_label, note) != BK_OK)
        return fail_nomem(w);
    push_key(w, "rows");
    int r = 0;
    for (size_t i = 0; r == 0 && i < json_array_size(rows); i++) {
        push_index(w, i);
        r = walk_row(w, t, json_array_get(rows, i));
        pop(w);
    }
    pop(w);
    return r;
}

static int walk_tables(walker *w, json_t *root)
{
    json_t *tables;
    if (get_container(w, root, "tables", 1, "the document", 0, &tables) < 0)
        return -1;
    push_key(w, "tables");
    int r = 0;
    for (size_t i = 0; r == 0 && i < json_array_size(tables); i++) {
        push_index(w, i);
        r = walk_table(w, json_array_get(tables, i));
        pop(w);
    }
    pop(w);
    return r;
}

static int walk_goals(walker *w, json_t *pf)
{
    json_t *goals;
    if (get_container(w, pf, "goals", 0, "\"performance\"", 0, &goals) < 0)
        return -1;
    if (!goals)
        return 0;
    push_key(w, "goals");
    int r = 0;
    for (size_t i = 0; r == 0 && i < json_array_size(goals); i++) {
        const char *s;
        push_index(w, i);
        r = as_string(w, json_array_get(goals, i), "a goal", &s, NULL);
        if (r == 0 && bk_doc_add_goal(w->doc, s) != BK_OK)
            r = fail_nomem(w);
        pop(w);
    }
    pop(w);
    return r;
}

static int walk_indicator(walker *w, json_t *ind)
{
    static const char *const keys[] = {"level1", "level2", "level3", "target", NULL};
    const char *l1, *l2, *l3, *target;
    if (expect_object(w, ind, "an indicator") < 0 ||
        check_keys(w, ind, keys, "an indicator") < 0 ||
        get_string(w, ind, "level1", 1, "an indicator", &l1) < 0 ||
        get_string(w, ind, "level2", 1, "an indicator", &l2) < 0 ||
        get_string(w, ind, "level3", 1, "an indicator", &l3) < 0 ||
        get_string(w, ind, "target", 1, "an indicator", &target) < 0)
        return -1;
    if (bk_doc_add_indicator(w->doc, l1, l2, l3, target) != BK_OK)
        return fail_nomem(w);
    return 0;
}

static int walk_performance(walker *w, json_t *root)
{
    static const char *const keys[] = {"unit_name", "supervisor", "period", "goals",
                                       "indicators", NULL};
    json_t *pf, *inds;
    const char *unit_name, *supervisor, *period;
    if (get_container(w, root, "performance", 0, "the document", 1, &pf) < 0)
        return -1;
    if (!pf)
        return 0;
    push_key(w, "performance");
    int r = -1;
    if (check_keys(w, pf, keys, "\"performance\"") < 0 ||
        get_string(w, pf, "unit_name", 0, "\"performance\"", &unit_name) < 0 ||
        get_string(w, pf, "supervisor", 0, "\"performance\"", &supervisor) < 0 ||
        get_string(w, pf, "period", 0, "\"performance\"", &period) < 0)
        goto out;
    if (bk_doc_set_performance(w->doc, unit_name, supervisor, period) != BK_OK) {
        fail_nomem(w);
        goto out;
    }
    if (walk_goals(w, pf) < 0 ||
        get_container(w, pf, "indicators", 0, "\"performance\"", 0, &inds) < 0)
        goto out;
    r = 0;
    if (inds) {
        push_key(w, "indicators");
        for (size_t i = 0; r == 0 && i < json_array_size(inds); i++) {
            push_index(w, i);
            r = walk_indicator(w, json_array_get(inds, i));
            pop(w);
        }
        pop(w);
    }
out:
    pop(w);
    return r;
}

static int walk_narrative(walker *w, json_t *root)
{
    static const char *const keys[] = {"title", "text", NULL};
    json_t *parts;
    if (get_container(w, root, "narrative", 0, "the document", 0, &parts) < 0)
        return -1;
    if (!parts)
        return 0;
    push_key(w, "narrative");
    int r = 0;
    for (size_t i = 0; r == 0 && i < json_array_size(parts); i++) {
        json_t *part = json_array_get(parts, i);
        const char *title, *text;
        push_index(w, i);
        r = expect_object(w, part, "a narrative part");
        if (r == 0)
            r = check_keys(w, part, keys, "a narrative part");
        if (r == 0)
            r = get_string(w, part, "title", 1, "a narrative part", &title);
        if (r == 0)
            r = get_string(w, part, "text", 1, "a narrative part", &text);
        if (r == 0 && bk_doc_add_narrative(w->doc, title, text) != BK_OK)
            r = fail_nomem(w);
        pop(w);
    }
    pop(w);
    return r;
}

static int walk_document(walker *w, json_t *root)
{
    static const char *const keys[] = {"format", "version", "fiscal_year", "department",
                                       "money_unit", "precision", "units", "tables",
                                       "performance", "narrative", NULL};
    if (expect_object(w, root, "a budget document") < 0 ||
        check_keys(w, root, keys, "the document") < 0 || walk_header(w, root) < 0 ||
        walk_units(w, root) < 0 || walk_tables(w, root) < 0 || walk_performance(w, root) < 0 ||
        walk_narrative(w, root) < 0)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * The import job
 * ---------------------------------------------------------------------------------------- */

static bk_status json_error_status(const json_error_t *je)
{
    switch (json_error_code(je)) {
    case json_error_out_of_memory: return BK_E_NOMEM;
    case json_error_stack_overflow: return BK_E_LIMIT;
    case json_error_invalid_utf8: return BK_E_ENCODING;
    case json_error_duplicate_key:
    case json_error_null_character: return BK_E_CONTENT;
    default: return BK_E_SYNTAX;
    }
}

/* jansson counts the bytes it read up to the end of the offending token and quotes the token
 * ("... near '\"a\"'"): point at the token's first byte, or at the end for "near end of
 * file", or else at the last byte read. */
static bk_status report_parse_error(reader *rd, size_t start, size_t end, const json_error_t *je)
{
    /* jansson gives no message only when it cannot allocate its lexer. */
    if (je->text[0] == '\0')
        return rd_fail_at(rd, start, BK_E_NOMEM, "out of memory");
    size_t consumed = je->position > 0 ? (size_t)je->position : 0;
    if (consumed > end - start)
        consumed = end - start;
    size_t back = consumed > 0 ? 1 : 0;
    const char *near = strstr(je->text, " near ");
    size_t tlen = strlen(je->text);
    if (near && strcmp(near, " near end of file") == 0) {
        back = 0;
    } else if (near && near[6] == '\'' && tlen > 0 && je->text[tlen - 1] == '\'') {
        size_t token = (size_t)(je->text + tlen - 1 - (near + 7));
        if (token > 0 && token <= consumed)
            back = token;
    }
    return rd_fail_at(rd, start + consumed - back, json_error_status(je), "malformed JSON: %s",
                      je->text);
}

/* Parse, check and emit one document held in rd->buf[start..end). */
static bk_status import_document(bk_import *job, reader *rd, size_t start, size_t end,
                                 int truncated)
{
    json_error_t je;
    json_t *root = json_loadb((const char *)rd->buf + start, end - start, JSON_REJECT_DUPLICATES,
                              &je);
    /* jansson drops a byte of a token when growing its buffer fails, and may then report a
     * bad token or even succeed with altered text: nothing parsed while an allocation failed
     * can be trusted. */
    if (bk_alloc_failed()) {
        json_decref(root);
        return rd_fail_at(rd, start, BK_E_NOMEM, "out of memory");
    }
    if (!root)
        return report_parse_error(rd, start, end, &je);
    if (truncated) {
        /* Cannot happen: what jansson reads completely the scan also closes. */
        json_decref(root);
        return rd_fail_at(rd, end > start ? end - 1 : start, BK_E_SYNTAX,
                          "malformed JSON: the input ends inside a document");
    }
    walker w = {.rd = rd, .err = rd->err, .tpls = bk_import_templates(job), .lim = rd->lim,
                .start = start, .end = end};
    w.doc = bk_doc_new();
    if (!w.doc) {
        json_decref(root);
        return rd_fail_at(rd, start, BK_E_NOMEM, "out of memory");
    }
    int r = walk_document(&w, root);
    json_decref(root);
    if (r == 0 && bk_doc_set_source(w.doc, rd->file) != BK_OK)
        r = fail_nomem(&w);
    if (r == 0) {
        bk_status st = bk_doc_check(w.doc, rd->err);
        if (st != BK_OK) {
            char msg[BK_ERROR_TEXT];
            snprintf(msg, sizeof msg, "%s", rd->err->text);
            rd_fail_at(rd, start, st, "%s", msg);
            r = -1;
        }
    }
    if (r < 0) {
        bk_doc_free(w.doc);
        return rd->err->code != BK_OK ? rd->err->code : BK_E_INTERNAL;
    }
    return bk_import_emit(job, w.doc);
}

static bk_status json_import(bk_import *job)
{
    bk_ctx *ctx = bk_import_ctx(job);
    reader rd = {.src = bk_import_source(job), .err = bk_import_error(job),
                 .lim = ctx ? bk_ctx_limits(ctx) : NULL, .base_line = 1, .base_col = 1,
                 .scan_line = 1};
    rd.file = bk_source_name(rd.src);
    unsigned long long max_docs = rd.lim ? rd.lim->max_documents : 0;
    unsigned long long ndocs = 0;
    bk_status st = BK_OK;
    for (;;) {
        size_t start = 0, end = 0;
        int r = rd_next(&rd, &start, &end);
        if (r == SCAN_ERROR) {
            st = rd.err->code != BK_OK ? rd.err->code : BK_E_INTERNAL;
            break;
        }
        if (r == SCAN_END) {
            if (ndocs == 0)
                st = rd_fail_at(&rd, rd.len, BK_E_SYNTAX,
                                "the input holds no JSON document");
            break;
        }
        if (max_docs && ndocs + 1 > max_docs) {
            st = rd_fail_at(&rd, start, BK_E_LIMIT,
                            "the input holds more than %llu documents (max-documents)", max_docs);
            break;
        }
        ndocs++;
        st = import_document(job, &rd, start, end, r == SCAN_TRUNCATED);
        if (st != BK_OK)
            break;
    }
    bk_free(rd.buf);
    bk_free(rd.row_lines);
    return st;
}

/* ------------------------------------------------------------------------------------------
 * Probe and descriptor
 * ---------------------------------------------------------------------------------------- */

static int head_contains(const unsigned char *h, size_t n, const char *needle)
{
    size_t m = strlen(needle);
    for (size_t i = 0; m <= n && i <= n - m; i++)
        if (h[i] == (unsigned char)needle[0] && memcmp(h + i, needle, m) == 0)
            return 1;
    return 0;
}

static int has_json_extension(const char *name)
{
    if (!name)
        return 0;
    const char *dot = strrchr(name, '.');
    if (!dot)
        return 0;
    const char *ext = "json";
    for (dot++; *ext; dot++, ext++) {
        char c = *dot;
        if (c >= 'A' && c <= 'Z')
            c = (char)(c - 'A' + 'a');
        if (c != *ext)
            return 0;
    }
    return *dot == '\0';
}

static int json_probe(const bk_probe *p)
{
    if (p->is_dir)
        return 0;
    const unsigned char *h = p->head;
    size_t n = h ? p->head_len : 0, i = 0;
    if (n >= 3 && h[0] == 0xEF && h[1] == 0xBB && h[2] == 0xBF)
        i = 3;
    while (i < n && is_blank(h[i]))
        i++;
    if (i < n && h[i] == '{') {
        int score = 80;
        if (head_contains(h, n, "\"format\"") && head_contains(h, n, "budgetkit-budget"))
            score += 15;
        return score;
    }
    return has_json_extension(p->name) ? 10 : 0;
}

static const char *const json_extensions[] = {"json", NULL};

static const bk_plugin_desc json_desc = {
    BK_PLUGIN_HEADER,
    .name = "json",
    .version = "1.0.0",
    .license = "MIT",
    .summary = "budget documents as JSON (one document, or many one after another)",
    .kinds = BK_PLUGIN_IMPORT | BK_PLUGIN_EXPORT,
    .caps = BK_CAP_MULTI_DOC,
    .extensions = json_extensions,
    .media_type = "application/json",
    .priority = 50,
    .probe = json_probe,
    .import = json_import,
    .export_begin = bkjson_export_begin,
    .export_doc = bkjson_export_doc,
    .export_end = bkjson_export_end,
};

BK_PLUGIN_DEFINE(json, json_desc)
