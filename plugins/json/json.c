/* JSON importer and exporter of the canonical budget document (formats/document.md,
 * formats/json.md).
 *
 * A file holds one document or many written one after another ("bulk", like jq output). The
 * reader streams the source and splits it into documents with a light scan that knows only
 * strings and brackets; the scan is also where nesting depth is limited. Each document's bytes
 * are then parsed into a flat array of values that point back into the text (json_text.c),
 * checked against the format and turned into a bk_doc, which is emitted before the next
 * document is read: memory stays bounded by one document. Strings are decoded only when the
 * model takes them, and every value knows its offset, so an error is reported exactly where
 * the offending value is. */
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "budgetkit/budgetkit.h"
#include "json_plugin.h"
#include "json_text.h"

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
    long scan_line;         /* line of buf[scan] between documents */
    unsigned long long total; /* bytes read from the source */
    int eof;
    int started;            /* the byte order mark has been looked for */

    /* the document being scanned */
    int in_doc, in_string;
    size_t depth;
    size_t doc_start;
    long doc_line; /* line of buf[doc_start] */

    /* reused from document to document */
    jtext text;
    char *scratch;
    size_t scratch_cap;
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

/* Line, column and file offset of buf[idx]. */
static void rd_position(const reader *rd, size_t idx, long *line, long *col, long long *off)
{
    size_t end = idx < rd->len ? idx : rd->len;
    const unsigned char *p = rd->buf, *nl;
    long l = rd->base_line;
    size_t line_start = 0;
    while (end > (size_t)(p - rd->buf) &&
           (nl = memchr(p, '\n', end - (size_t)(p - rd->buf))) != NULL) {
        l++;
        p = nl + 1;
        line_start = (size_t)(p - rd->buf);
    }
    long c = l == rd->base_line ? rd->base_col : 1;
    for (size_t i = line_start; i < end; i++)
        c += is_char_start(rd->buf[i]);
    *line = l;
    *col = c;
    *off = rd->base_offset + (long long)idx;
}

static bk_status rd_fail_atv(reader *rd, size_t idx, bk_status code, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static bk_status rd_fail_atv(reader *rd, size_t idx, bk_status code, const char *fmt, va_list ap)
{
    long line, col;
    long long off;
    rd_position(rd, idx, &line, &col, &off);
    bk_error_at(rd->err, rd->file, line, col, off);
    return bk_error_setv(rd->err, code, fmt, ap);
}

static bk_status rd_fail_at(reader *rd, size_t idx, bk_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static bk_status rd_fail_at(reader *rd, size_t idx, bk_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bk_status st = rd_fail_atv(rd, idx, code, fmt, ap);
    va_end(ap);
    return st;
}

/* Drop the bytes before the current document (or before the scan point between documents),
 * keeping the position of the new first byte. Its line is known: the line of the document's
 * start, or the line the scan is at; only its column is counted. */
static void rd_compact(reader *rd)
{
    size_t keep = rd->in_doc ? rd->doc_start : rd->scan;
    if (keep == 0)
        return;
    size_t line_start = keep;
    while (line_start > 0 && rd->buf[line_start - 1] != '\n')
        line_start--;
    long col = line_start > 0 ? 1 : rd->base_col;
    for (size_t i = line_start; i < keep; i++)
        col += is_char_start(rd->buf[i]);
    rd->base_line = rd->in_doc ? rd->doc_line : rd->scan_line;
    rd->base_col = col;
    rd->base_offset += (long long)keep;
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
/* JSON in UTF-16 or UTF-32 (RFC 8259 requires UTF-8 between systems, but editors on Windows
 * save "Unicode" text): named by its byte order mark or its pattern of NUL bytes around the
 * first ASCII character, NULL when the text is not in either. */
static const char *wide_encoding(const unsigned char *b, size_t n)
{
    if (n >= 4 && b[0] == 0xFF && b[1] == 0xFE && b[2] == 0 && b[3] == 0)
        return "UTF-32LE";
    if (n >= 4 && b[0] == 0 && b[1] == 0 && b[2] == 0xFE && b[3] == 0xFF)
        return "UTF-32BE";
    if (n >= 2 && b[0] == 0xFF && b[1] == 0xFE)
        return "UTF-16LE";
    if (n >= 2 && b[0] == 0xFE && b[1] == 0xFF)
        return "UTF-16BE";
    if (n >= 4 && b[0] && !b[1] && !b[2] && !b[3])
        return "UTF-32LE";
    if (n >= 4 && !b[0] && !b[1] && !b[2] && b[3])
        return "UTF-32BE";
    if (n >= 2 && b[0] && b[0] < 0x80 && !b[1])
        return "UTF-16LE";
    if (n >= 2 && !b[0] && b[1] && b[1] < 0x80)
        return "UTF-16BE";
    return NULL;
}

static int rd_start(reader *rd)
{
    while (!rd->started) {
        if (rd->len >= 4 || rd->eof) {
            if (rd->len >= 3 && rd->buf[0] == 0xEF && rd->buf[1] == 0xBB && rd->buf[2] == 0xBF) {
                memmove(rd->buf, rd->buf + 3, rd->len - 3);
                rd->len -= 3;
                rd->base_offset = 3;
            }
            const char *wide = wide_encoding(rd->buf, rd->len);
            if (wide) {
                rd_fail_at(rd, 0, BK_E_ENCODING,
                           "the JSON text is in %s; budgetkit reads JSON in UTF-8 (convert it "
                           "first, e.g. iconv -f %s -t UTF-8)", wide, wide);
                return -1;
            }
            rd->started = 1;
        } else if (rd_fill(rd) < 0) {
            return -1;
        }
    }
    return 0;
}

static int rd_open(reader *rd)
{
    unsigned long long max = rd->lim ? rd->lim->max_depth : 0;
    rd->depth++;
    if (max && rd->depth > max) {
        rd_fail_at(rd, rd->scan, BK_E_LIMIT,
                   "JSON nesting deeper than the limit of %llu levels (max-depth)", max);
        return -1;
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
    rd->depth = 0;
    rd->doc_start = rd->scan;
    rd->doc_line = rd->scan_line;
    return 0;
}

/* Scan buf[scan..len) of a document for its end: 1 found (scan just after it), 0 more input
 * is needed, -1 error. Only strings and brackets matter here; the lines inside a document are
 * counted by its parse. */
static int rd_scan_doc(reader *rd)
{
    const unsigned char *b = rd->buf;
    size_t i = rd->scan, n = rd->len;
    while (i < n) {
        if (rd->in_string) {
            while (n - i >= 8) {
                uint64_t x = jt_load8(b + i);
                uint64_t m = jt_has(x, '"') | jt_has(x, '\\');
                if (m) {
                    i += jt_first(m);
                    break;
                }
                i += 8;
            }
            while (i < n && b[i] != '"' && b[i] != '\\')
                i++;
            if (i >= n)
                break;
            if (b[i] == '\\') {
                /* The escaped byte may be in the next read. */
                if (i + 1 >= n)
                    break;
                i += 2;
                continue;
            }
            rd->in_string = 0;
            i++;
            continue;
        }
        unsigned char c;
        /* Brackets are the bytes b with b & 0xD9 == 0x59, with a few others ('Y', 'y', '_',
         * DEL) that the byte loop passes over. */
        while (n - i >= 8) {
            uint64_t x = jt_load8(b + i);
            uint64_t m = jt_has(x, '"') | jt_has(x & (JT_ONES * 0xD9), 0x59);
            if (m) {
                i += jt_first(m);
                break;
            }
            i += 8;
        }
        while (i < n && (c = b[i]) != '"' && c != '{' && c != '[' && c != '}' && c != ']')
            i++;
        if (i >= n)
            break;
        c = b[i];
        if (c == '"') {
            rd->in_string = 1;
        } else if (c == '{' || c == '[') {
            rd->scan = i;
            if (rd_open(rd) < 0)
                return -1;
        } else if (--rd->depth == 0) {
            rd->scan = i + 1;
            return 1;
        }
        i++;
    }
    rd->scan = i;
    return 0;
}

/* A document of len bytes (read so far) that the parse could not index is refused as soon
 * as the scan is past that length, without reading the rest: 1 refused, 0 fine. */
static int rd_doc_too_long(reader *rd, size_t len)
{
    if (len <= JTEXT_MAX_BYTES)
        return 0;
    rd_fail_at(rd, rd->doc_start, BK_E_LIMIT,
               "the document is longer than %zu bytes, the most the JSON reader takes in one "
               "document (it indexes the values of a document by 32-bit offsets)",
               JTEXT_MAX_BYTES);
    return 1;
}

/* Find the next document: its bytes are buf[*start..*end) until the next call. */
static int rd_next(reader *rd, size_t *start, size_t *end)
{
    if (rd_start(rd) < 0)
        return SCAN_ERROR;
    for (;;) {
        if (!rd->in_doc) {
            while (rd->scan < rd->len && is_blank(rd->buf[rd->scan]))
                rd->scan_line += rd->buf[rd->scan++] == '\n';
            if (rd->scan < rd->len && rd_begin_doc(rd) < 0)
                return SCAN_ERROR;
        }
        if (rd->in_doc) {
            int r = rd_scan_doc(rd);
            if (r < 0 || rd_doc_too_long(rd, (r > 0 ? rd->scan : rd->len) - rd->doc_start))
                return SCAN_ERROR;
            if (r > 0) {
                rd->in_doc = 0;
                *start = rd->doc_start;
                *end = rd->scan;
                return SCAN_DOC;
            }
        }
        /* Every byte read so far is scanned. */
        if (rd->eof) {
            if (!rd->in_doc)
                return SCAN_END;
            rd->in_doc = 0;
            rd->scan = rd->len;
            *start = rd->doc_start;
            *end = rd->len;
            return SCAN_TRUNCATED;
        }
        if (rd_fill(rd) < 0)
            return SCAN_ERROR;
    }
}

/* ------------------------------------------------------------------------------------------
 * Checking a parsed document and building the model
 * ---------------------------------------------------------------------------------------- */

/* A step of the path to the value being checked, for the "where" of errors. */
typedef struct step {
    const char *key; /* member name, or NULL for an array element */
    size_t index;
} step;

typedef struct walker {
    reader *rd;
    bk_error *err;
    const bk_templates *tpls;
    const bk_limits *lim;
    bk_doc *doc;
    const jtext *t;
    const unsigned char *text; /* the document's bytes: rd->buf + start */
    size_t start;
    char *scratch; /* decoded strings; room for each string of the document once */
    size_t scratch_used, scratch_cap;
    step path[MAX_PATH];
    size_t depth;
    unsigned long long cells;
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

/* Report an error at value (or key) v, with the current path as its "where". Returns -1. */
static int fail(walker *w, size_t v, bk_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int fail(walker *w, size_t v, bk_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    rd_fail_atv(w->rd, w->start + w->t->v[v].off, code, fmt, ap);
    va_end(ap);
    if (w->depth > 0) {
        char where[BK_ERROR_WHERE];
        path_text(w, where, sizeof where);
        bk_error_where(w->err, "%s", where);
    }
    return -1;
}

static int fail_nomem(walker *w, size_t v)
{
    return fail(w, v, BK_E_NOMEM, "out of memory");
}

/* String or key v decoded and NUL-terminated, kept until its row (outside rows, the document)
 * is built; *len (when len is not NULL) is its length. The scratch area has room for every
 * string of the document once (a string decoded is never longer than its quoted text), and
 * each is asked for once; NULL would mean it is not. */
static const char *decoded_len(walker *w, size_t v, size_t *len)
{
    if (w->t->v[v].len + (size_t)1 > w->scratch_cap - w->scratch_used)
        return NULL;
    char *out = w->scratch + w->scratch_used;
    size_t n = jtext_decode(w->t, w->text, v, out);
    w->scratch_used += n + 1;
    if (len)
        *len = n;
    return out;
}

static const char *decoded(walker *w, size_t v)
{
    return decoded_len(w, v, NULL);
}

static const char *type_name(const walker *w, size_t v)
{
    switch (w->t->v[v].type) {
    case JV_OBJECT: return "an object";
    case JV_ARRAY: return "an array";
    case JV_KEY:
    case JV_STRING: return "a string";
    case JV_INTEGER: return "a number";
    case JV_REAL: return "a number with a fraction or exponent";
    case JV_TRUE: return "true";
    case JV_FALSE: return "false";
    case JV_NULL: return "null";
    }
    return "a value";
}

/* The index of key k in keys (nkeys of them), or nkeys. Members mostly come in the order of
 * keys, so the one after the previous member's is tried first. */
static size_t key_index(const walker *w, size_t k, const char *const *keys, size_t nkeys,
                        size_t next)
{
    if (next < nkeys && jtext_equals(w->t, w->text, k, keys[next]))
        return next;
    for (size_t i = 0; i < nkeys; i++)
        if (i != next && jtext_equals(w->t, w->text, k, keys[i]))
            return i;
    return nkeys;
}

/* Bind the members of object obj to the keys it may have (NULL-terminated): at[i] becomes the
 * value of keys[i], 0 when absent. A misspelt key is an error, not something silently
 * dropped. */
static int bind(walker *w, size_t obj, const char *const *keys, const char *what, size_t *at)
{
    const jtext *t = w->t;
    size_t nkeys = 0, next = 0;
    while (keys[nkeys])
        at[nkeys++] = 0;
    for (size_t k = obj + 1; k < t->v[obj].end; k = jtext_after(t, k + 1)) {
        size_t i = key_index(w, k, keys, nkeys, next);
        if (i < nkeys) {
            at[i] = k + 1;
            next = i + 1;
            continue;
        }
        char list[160] = "", shown_key[80];
        size_t n = 0;
        for (i = 0; i < nkeys && n < sizeof list; i++) {
            int len = snprintf(list + n, sizeof list - n, "%s%s", i ? ", " : "", keys[i]);
            if (len < 0)
                break;
            n += (size_t)len;
        }
        const char *key = decoded(w, k);
        if (!key)
            return fail_nomem(w, k);
        push_key(w, key);
        fail(w, k, BK_E_CONTENT, "unknown key \"%s\" in %s (its keys are %s)",
             SHOWN(key, shown_key), what, list);
        pop(w);
        return -1;
    }
    return 0;
}

/* Member v (0 when absent) named key of object obj: an error when required and absent. */
static int present(walker *w, size_t obj, size_t v, const char *key, int required,
                   const char *what)
{
    if (!v && required)
        return fail(w, obj, BK_E_CONTENT, "missing required key \"%s\" in %s", key, what);
    return 0;
}

/* Value v must be a string within the string limit. Messages call it what, followed by name
 * in quotes when there is one (a label written only when there is a message). */
static int check_string(walker *w, size_t v, const char *what, const char *name)
{
    const jv *s = &w->t->v[v];
    unsigned long long max = w->lim ? w->lim->max_string : 0;
    /* A string decoded is never longer than its quoted text: most need no decoding here. */
    if (s->type == JV_STRING &&
        !(max && s->len > max && jtext_decoded_length(w->t, w->text, v) > max))
        return 0;
    char label[96];
    if (name)
        snprintf(label, sizeof label, "%s\"%s\"", what, name);
    else
        snprintf(label, sizeof label, "%s", what);
    if (s->type != JV_STRING)
        return fail(w, v, BK_E_CONTENT, "expected a string for %s, found %s", label,
                    type_name(w, v));
    return fail(w, v, BK_E_LIMIT, "%s is %zu bytes long, more than the limit of %llu bytes "
                "(max-string)", label, jtext_decoded_length(w->t, w->text, v), max);
}

/* Value v as a decoded string (the path is at it). */
static int as_string(walker *w, size_t v, const char *what, const char *name, const char **s)
{
    if (check_string(w, v, what, name) < 0)
        return -1;
    *s = decoded(w, v);
    return *s ? 0 : fail_nomem(w, v);
}

/* Member v named key as a string (NULL when absent and optional). */
static int get_string(walker *w, size_t obj, size_t v, const char *key, int required,
                      const char *what, const char **s)
{
    *s = NULL;
    if (present(w, obj, v, key, required, what) < 0)
        return -1;
    if (!v)
        return 0;
    push_key(w, key);
    int r = as_string(w, v, "", key, s);
    pop(w);
    return r;
}

static int get_nonempty(walker *w, size_t obj, size_t v, const char *key, int required,
                        const char *what, const char **s)
{
    if (get_string(w, obj, v, key, required, what, s) < 0)
        return -1;
    if (*s && !**s) {
        push_key(w, key);
        fail(w, v, BK_E_CONTENT, "\"%s\" of %s is empty", key, what);
        pop(w);
        return -1;
    }
    return 0;
}

/* Member v named key as an integer in [lo, hi]; *has tells whether it was there. */
static int get_int(walker *w, size_t obj, size_t v, const char *key, int required,
                   const char *what, long long lo, long long hi, long long *out, int *has)
{
    *has = 0;
    if (present(w, obj, v, key, required, what) < 0)
        return -1;
    if (!v)
        return 0;
    push_key(w, key);
    int r = 0;
    const jv *n = &w->t->v[v];
    if (n->type != JV_INTEGER) {
        r = fail(w, v, BK_E_CONTENT, "expected an integer for \"%s\", found %s", key,
                 type_name(w, v));
    } else {
        long long value = jtext_integer(w->t, w->text, v);
        if (value < lo || value > hi) {
            r = fail(w, v, BK_E_CONTENT, "\"%s\" is %lld, outside %lld..%lld", key, value, lo,
                     hi);
        } else {
            *out = value;
            *has = 1;
        }
    }
    pop(w);
    return r;
}

/* Member v named key must be an array (or an object, for want_object) when present. */
static int get_container(walker *w, size_t obj, size_t v, const char *key, int required,
                         const char *what, int want_object)
{
    if (present(w, obj, v, key, required, what) < 0)
        return -1;
    if (!v || w->t->v[v].type == (want_object ? JV_OBJECT : JV_ARRAY))
        return 0;
    push_key(w, key);
    fail(w, v, BK_E_CONTENT, "expected %s for \"%s\", found %s",
         want_object ? "an object" : "an array", key, type_name(w, v));
    pop(w);
    return -1;
}

static int expect_object(walker *w, size_t v, const char *what)
{
    if (w->t->v[v].type == JV_OBJECT)
        return 0;
    return fail(w, v, BK_E_CONTENT, "expected an object for %s, found %s", what,
                type_name(w, v));
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

/* The model's own checks report without a place: put it at value v. */
static int model_failed(walker *w, size_t v, bk_status st)
{
    if (st == BK_E_NOMEM)
        return fail_nomem(w, v);
    char msg[BK_ERROR_TEXT];
    snprintf(msg, sizeof msg, "%s", w->err->text);
    return fail(w, v, st, "%s", msg);
}

/* ---- the document's header ------------------------------------------------------------- */

enum { DOC_FORMAT, DOC_VERSION, DOC_YEAR, DOC_DEPARTMENT, DOC_MONEY_UNIT, DOC_CURRENCY,
       DOC_UNIT_MULT, DOC_PRECISION, DOC_PUBLICATION, DOC_UNITS, DOC_TABLES, DOC_PERFORMANCE,
       DOC_NARRATIVE, DOC_NKEYS };
static const char *const doc_keys[] = {"format", "version", "fiscal_year", "department",
                                       "money_unit", "currency", "unit_mult", "precision",
                                       "publication", "units", "tables", "performance",
                                       "narrative", NULL};

/* "currency" and "unit_mult" describe a printed money unit for readers that do not know 万元
 * (json.md, "Units of measure"): written from it, so on reading they must agree with it. */
static int walk_unit_of_measure(walker *w, size_t obj, size_t currency, size_t mult,
                                const char *unit, const char *what)
{
    const char *s;
    long long v;
    int has;
    char shown_s[80];
    if (!unit && (currency || mult)) {
        /* A table's own unit is described beside it; the document's is described once. */
        const char *key = currency ? "currency" : "unit_mult";
        push_key(w, key);
        fail(w, currency ? currency : mult, BK_E_CONTENT, "\"%s\" describes the table's "
             "\"money_unit\", and the table has none", key);
        pop(w);
        return -1;
    }
    if (get_string(w, obj, currency, "currency", 0, what, &s) < 0)
        return -1;
    if (s && strcmp(s, "CNY") != 0) {
        push_key(w, "currency");
        fail(w, currency, BK_E_CONTENT, "\"currency\" is \"%s\"; budgets are in CNY "
             "(ISO 4217)", SHOWN(s, shown_s));
        pop(w);
        return -1;
    }
    if (get_int(w, obj, mult, "unit_mult", 0, what, 0, 18, &v, &has) < 0)
        return -1;
    int expected = bk_money_unit_mult(unit);
    if (has && expected >= 0 && v != expected) {
        push_key(w, "unit_mult");
        fail(w, mult, BK_E_CONTENT, "\"unit_mult\" is %lld, but %s is 10^%d: \"unit_mult\" "
             "is %d", v, unit, expected, expected);
        pop(w);
        return -1;
    }
    return 0;
}

static int walk_publication(walker *w, size_t root, size_t pub)
{
    enum { PUB_PUBLISHER, PUB_SOURCE, PUB_SOURCE_PATH, PUB_LICENSE };
    static const char *const keys[] = {"publisher", "source", "source_path", "license", NULL};
    size_t at[4];
    bk_publication p = {NULL, NULL, NULL, NULL};
    if (!pub)
        return 0;
    if (get_container(w, root, pub, "publication", 0, "the document", 1) < 0)
        return -1;
    push_key(w, "publication");
    int r = bind(w, pub, keys, "\"publication\"", at);
    if (r == 0)
        r = get_nonempty(w, pub, at[PUB_PUBLISHER], "publisher", 0, "\"publication\"",
                         &p.publisher);
    if (r == 0)
        r = get_nonempty(w, pub, at[PUB_SOURCE], "source", 0, "\"publication\"", &p.source);
    if (r == 0)
        r = get_nonempty(w, pub, at[PUB_SOURCE_PATH], "source_path", 0, "\"publication\"",
                         &p.source_path);
    if (r == 0)
        r = get_nonempty(w, pub, at[PUB_LICENSE], "license", 0, "\"publication\"", &p.license);
    if (r == 0 && !p.publisher && !p.source && !p.source_path && !p.license)
        r = fail(w, pub, BK_E_CONTENT, "\"publication\" is empty; leave it out instead");
    if (r == 0) {
        bk_error e;
        bk_error_clear(&e);
        bk_status st = bk_doc_set_publication(w->doc, &p, &e);
        if (st == BK_E_NOMEM)
            r = fail_nomem(w, pub);
        else if (st != BK_OK)
            r = fail(w, pub, st, "%s", e.text);
    }
    pop(w);
    return r;
}

static int walk_department(walker *w, size_t root, size_t dept)
{
    enum { DEPT_NAME, DEPT_CODE };
    static const char *const keys[] = {"name", "code", NULL};
    size_t at[2];
    const char *name, *code;
    if (get_container(w, root, dept, "department", 1, "the document", 1) < 0)
        return -1;
    push_key(w, "department");
    int r = bind(w, dept, keys, "\"department\"", at);
    if (r == 0)
        r = get_nonempty(w, dept, at[DEPT_NAME], "name", 1, "\"department\"", &name);
    if (r == 0)
        r = get_nonempty(w, dept, at[DEPT_CODE], "code", 0, "\"department\"", &code);
    if (r == 0 && bk_doc_set_department(w->doc, name, code) != BK_OK)
        r = fail_nomem(w, dept);
    pop(w);
    return r;
}

/* A fact of the document given to the model's setter, whose refusal is placed at value v. */
static int set_fact(walker *w, size_t v, const char *key, bk_status st, const bk_error *e)
{
    if (st == BK_OK)
        return 0;
    push_key(w, key);
    fail(w, v, st, "%s", e->text);
    pop(w);
    return -1;
}

static int walk_header(walker *w, size_t root, const size_t *at)
{
    const char *s;
    long long v;
    int has;
    char shown_s[80];
    bk_error e = {0};

    if (get_string(w, root, at[DOC_FORMAT], "format", 1, "the document", &s) < 0)
        return -1;
    if (strcmp(s, "budgetkit-budget") != 0) {
        push_key(w, "format");
        fail(w, at[DOC_FORMAT], BK_E_CONTENT, "\"format\" is \"%s\"; a budget document says "
             "\"budgetkit-budget\"", SHOWN(s, shown_s));
        pop(w);
        return -1;
    }
    if (get_int(w, root, at[DOC_VERSION], "version", 1, "the document", 0, INT32_MAX, &v,
                &has) < 0)
        return -1;
    if (v != 1) {
        push_key(w, "version");
        fail(w, at[DOC_VERSION], BK_E_CONTENT,
             "unsupported format version %lld (this build reads version 1)", v);
        pop(w);
        return -1;
    }
    if (get_int(w, root, at[DOC_YEAR], "fiscal_year", 1, "the document", LONG_MIN, LONG_MAX, &v,
                &has) < 0 ||
        set_fact(w, at[DOC_YEAR], "fiscal_year", bk_doc_set_year(w->doc, (long)v, &e), &e) < 0)
        return -1;

    if (walk_department(w, root, at[DOC_DEPARTMENT]) < 0)
        return -1;

    if (get_string(w, root, at[DOC_MONEY_UNIT], "money_unit", 1, "the document", &s) < 0)
        return -1;
    if (set_fact(w, at[DOC_MONEY_UNIT], "money_unit", bk_doc_set_money_unit(w->doc, s, &e), &e) < 0)
        return -1;

    if (get_int(w, root, at[DOC_PRECISION], "precision", 0, "the document", LONG_MIN, LONG_MAX, &v,
                &has) < 0)
        return -1;
    if (has && set_fact(w, at[DOC_PRECISION], "precision",
                        bk_doc_set_precision(w->doc, (long)v, &e), &e) < 0)
        return -1;
    if (walk_unit_of_measure(w, root, at[DOC_CURRENCY], at[DOC_UNIT_MULT], w->doc->money_unit,
                             "the document") < 0)
        return -1;
    return walk_publication(w, root, at[DOC_PUBLICATION]);
}

/* ---- units ----------------------------------------------------------------------------- */

static int walk_unit(walker *w, size_t u, int *departments)
{
    enum { UNIT_ID, UNIT_NAME, UNIT_KIND, UNIT_PARENT };
    static const char *const keys[] = {"id", "name", "kind", "parent", NULL};
    size_t at[4];
    const char *id, *name, *kind, *parent;
    char shown_s[80];

    if (expect_object(w, u, "a unit") < 0 || bind(w, u, keys, "a unit", at) < 0 ||
        get_string(w, u, at[UNIT_ID], "id", 1, "a unit", &id) < 0)
        return -1;
    push_key(w, "id");
    if (!valid_id(id)) {
        fail(w, at[UNIT_ID], BK_E_CONTENT,
             "unit id \"%s\" is not made of letters, digits, '_' and '-'", SHOWN(id, shown_s));
        pop(w);
        return -1;
    }
    if (bk_doc_find_unit(w->doc, id) >= 0) {
        fail(w, at[UNIT_ID], BK_E_CONTENT, "unit id \"%s\" is used twice", id);
        pop(w);
        return -1;
    }
    pop(w);
    if (get_nonempty(w, u, at[UNIT_NAME], "name", 1, "a unit", &name) < 0 ||
        get_string(w, u, at[UNIT_KIND], "kind", 1, "a unit", &kind) < 0 ||
        get_string(w, u, at[UNIT_PARENT], "parent", 0, "a unit", &parent) < 0)
        return -1;
    int k = bk_unit_kind_parse(kind);
    if (k < 0) {
        push_key(w, "kind");
        fail(w, at[UNIT_KIND], BK_E_CONTENT, "unknown unit kind \"%s\" (expected department, "
             "self or subunit)", SHOWN(kind, shown_s));
        pop(w);
        return -1;
    }
    if (parent && bk_doc_find_unit(w->doc, parent) < 0) {
        push_key(w, "parent");
        fail(w, at[UNIT_PARENT], BK_E_CONTENT,
             "parent \"%s\" of unit \"%s\" is not a unit listed before it",
             SHOWN(parent, shown_s), id);
        pop(w);
        return -1;
    }
    bk_status st = bk_doc_add_unit(w->doc, id, name, (bk_unit_kind)k, parent, w->err);
    if (st != BK_OK)
        return model_failed(w, u, st);
    *departments += k == BK_UNIT_DEPARTMENT;
    return 0;
}

static int walk_units(walker *w, size_t root, size_t units)
{
    if (get_container(w, root, units, "units", 1, "the document", 0) < 0)
        return -1;
    push_key(w, "units");
    int departments = 0, r = 0;
    size_t u = units + 1;
    for (size_t i = 0; r == 0 && u < w->t->v[units].end; i++, u = jtext_after(w->t, u)) {
        push_index(w, i);
        r = walk_unit(w, u, &departments);
        pop(w);
    }
    if (r == 0 && departments != 1)
        r = fail(w, units, BK_E_CONTENT, "exactly one unit must have kind \"department\"; "
                 "\"units\" has %d", departments);
    pop(w);
    return r;
}

/* ---- tables, rows and cells ------------------------------------------------------------ */

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

/* The column named by key k: cells come in template order, so the one after the previous
 * cell's is tried first. -1 when the template has none. */
static int find_column(const walker *w, const bk_template *tpl, size_t k, size_t next)
{
    if (next < tpl->ncolumns && jtext_equals(w->t, w->text, k, tpl->columns[next].id))
        return (int)next;
    for (size_t i = 0; i < tpl->ncolumns; i++)
        if (i != next && jtext_equals(w->t, w->text, k, tpl->columns[i].id))
            return (int)i;
    return -1;
}

/* An amount that does not parse; s is its decoded text when the value held escapes (NULL
 * otherwise). */
static int amount_failed(walker *w, size_t v, bk_decimal_status ds, const char *column,
                         const char *s)
{
    char shown_s[80];
    if (ds == BK_DECIMAL_EMPTY)
        return fail(w, v, BK_E_CONTENT, "the amount in column \"%s\" is empty; a blank cell "
                    "is left out of \"cells\"", column);
    if (!s && !(s = decoded(w, v)))
        return fail_nomem(w, v);
    if (ds == BK_DECIMAL_OVERFLOW)
        return fail(w, v, BK_E_CONTENT, "the amount \"%s\" in column \"%s\" has more digits "
                    "or decimals than budgetkit holds exactly", SHOWN(s, shown_s), column);
    return fail(w, v, BK_E_CONTENT, "\"%s\" in column \"%s\" is not a plain decimal (digits "
                "with an optional '-' and '.'; no exponent, no thousands separators)",
                SHOWN(s, shown_s), column);
}

/* The value of one member of "cells" (key k): the path is at the member. */
static int walk_cell_value(walker *w, bk_table *t, size_t row, size_t col, size_t k)
{
    const bk_column *column = &t->tpl->columns[col];
    size_t v = k + 1;
    const jv *val = &w->t->v[v];
    int text = column->type == BK_COL_TEXT;
    if (!text && (val->type == JV_INTEGER || val->type == JV_REAL))
        return fail(w, v, BK_E_CONTENT, "the amount in column \"%s\" is a JSON number; amounts "
                    "are strings holding the exact decimal as printed, such as \"4115.36\"",
                    column->id);
    if (check_string(w, v, "column ", column->id) < 0)
        return -1;
    /* Most values hold no escape and are taken from the text as they are. */
    const char *s = (const char *)w->text + val->off + 1;
    size_t len = val->len;
    if (val->escaped && !(s = decoded_len(w, v, &len)))
        return fail_nomem(w, v);
    bk_status st;
    if (text) {
        st = bk_table_set_text(w->doc, t, row, col, s, len);
    } else {
        bk_decimal d;
        bk_decimal_status ds = len > 0 && s[0] == '+' ? BK_DECIMAL_SYNTAX
                                                      : bk_decimal_parse(s, len, 0, &d, NULL);
        if (ds != BK_DECIMAL_OK)
            return amount_failed(w, v, ds, column->id, val->escaped ? s : NULL);
        st = bk_table_set_number(t, row, col, d);
    }
    if (st != BK_OK)
        return st == BK_E_NOMEM ? fail_nomem(w, v)
                                : fail(w, v, st, "cannot store the value of column \"%s\"",
                                       column->id);
    w->cells++;
    unsigned long long max = w->lim ? w->lim->max_cells : 0;
    if (max && w->cells > max)
        return fail(w, v, BK_E_LIMIT, "the document has more than %llu cells (max-cells)", max);
    return 0;
}

static int walk_cells(walker *w, bk_table *t, size_t row, size_t cells)
{
    const bk_template *tpl = t->tpl;
    size_t next = 0, k = cells + 1;
    push_key(w, "cells");
    int r = 0;
    for (; r == 0 && k < w->t->v[cells].end; k = jtext_after(w->t, k + 1)) {
        int col = find_column(w, tpl, k, next);
        if (col < 0) {
            char cols[240], shown_s[80];
            const char *key = decoded(w, k);
            if (!key) {
                r = fail_nomem(w, k);
                break;
            }
            column_list(tpl, cols, sizeof cols);
            push_key(w, key);
            r = fail(w, k, BK_E_CONTENT, "\"%s\" is not a column of table %s (its columns are "
                     "%s)", SHOWN(key, shown_s), tpl->id, cols);
            pop(w);
            break;
        }
        next = (size_t)col + 1;
        push_key(w, tpl->columns[col].id);
        r = walk_cell_value(w, t, row, (size_t)col, k);
        pop(w);
    }
    pop(w);
    return r;
}

static int walk_row(walker *w, bk_table *t, size_t row, long first_line)
{
    enum { ROW_KIND, ROW_UNIT, ROW_SECTION, ROW_CODE, ROW_NAME, ROW_LEVEL, ROW_CELLS };
    static const char *const keys[] = {"kind", "unit", "section", "code", "name", "level",
                                       "cells", NULL};
    size_t at[7];
    const char *kind, *unit, *section, *code, *name;
    long long level = 0;
    int has_level;
    char shown_s[80];

    if (expect_object(w, row, "a row") < 0 || bind(w, row, keys, "a row", at) < 0 ||
        get_string(w, row, at[ROW_KIND], "kind", 1, "a row", &kind) < 0 ||
        get_string(w, row, at[ROW_UNIT], "unit", 1, "a row", &unit) < 0 ||
        get_string(w, row, at[ROW_SECTION], "section", 0, "a row", &section) < 0 ||
        get_nonempty(w, row, at[ROW_CODE], "code", 0, "a row", &code) < 0 ||
        get_string(w, row, at[ROW_NAME], "name", 1, "a row", &name) < 0 ||
        get_int(w, row, at[ROW_LEVEL], "level", 0, "a row", 1, 9, &level, &has_level) < 0 ||
        get_container(w, row, at[ROW_CELLS], "cells", 1, "a row", 1) < 0)
        return -1;
    int k = bk_row_kind_parse(kind);
    if (k < 0) {
        push_key(w, "kind");
        fail(w, at[ROW_KIND], BK_E_CONTENT,
             "unknown row kind \"%s\" (expected unit, item, total or of)", SHOWN(kind, shown_s));
        pop(w);
        return -1;
    }
    int u = bk_doc_find_unit(w->doc, unit);
    if (u < 0) {
        push_key(w, "unit");
        fail(w, at[ROW_UNIT], BK_E_CONTENT, "unit \"%s\" is not defined in \"units\"",
             SHOWN(unit, shown_s));
        pop(w);
        return -1;
    }
    uint32_t rel = w->t->v[row].line;
    long line = rel == UINT32_MAX ? 0 : first_line + (long)rel - 1;
    uint32_t line32 = line > (long)UINT32_MAX ? 0 : (uint32_t)line;
    long r = bk_table_add_row(w->doc, t, (bk_row_kind)k, u, section, code, name, (int)level,
                              line32);
    if (r < 0)
        return fail_nomem(w, row);
    return walk_cells(w, t, (size_t)r, at[ROW_CELLS]);
}

/* A table's "columns": the printed columns its layout lacks (extra_1...), or every column of
 * a table no layout knows. They make a layout the document defines. */
static int walk_columns(walker *w, size_t tj, size_t cols, const bk_template *base,
                        const char *id, const char *title, const bk_template **out)
{
    enum { COL_ID, COL_PATH, COL_TYPE };
    static const char *const keys[] = {"id", "path", "type", NULL};
    if (get_container(w, tj, cols, "columns", 0, "a table", 0) < 0)
        return -1;
    if (!cols)
        return 0;
    size_t n = jtext_members(w->t, cols);
    if (n == 0)
        return fail(w, cols, BK_E_CONTENT, "\"columns\" must list at least one column");
    if (n > BK_MAX_COLUMNS)
        return fail(w, cols, BK_E_LIMIT, "\"columns\" lists more than %d columns",
                    BK_MAX_COLUMNS);
    bk_column *list = bk_calloc(n, sizeof *list);
    const char **paths = bk_calloc(n * 8, sizeof *paths);
    int r = list && paths ? 0 : fail_nomem(w, cols);
    push_key(w, "columns");
    size_t c = cols + 1;
    for (size_t i = 0; r == 0 && i < n; i++, c = jtext_after(w->t, c)) {
        size_t at[3];
        const char *cid, *type;
        push_index(w, i);
        r = expect_object(w, c, "a column") < 0 || bind(w, c, keys, "a column", at) < 0 ||
                    get_nonempty(w, c, at[COL_ID], "id", 1, "a column", &cid) < 0 ||
                    get_string(w, c, at[COL_TYPE], "type", 0, "a column", &type) < 0 ||
                    get_container(w, c, at[COL_PATH], "path", 0, "a column", 0) < 0
                ? -1 : 0;
        if (r == 0 && (base ? bk_template_column(base, cid) >= 0 : 0))
            r = fail(w, at[COL_ID], BK_E_CONTENT, "column \"%s\" is already a column of %s",
                     cid, base->id);
        for (size_t k = 0; r == 0 && k < i; k++)
            if (strcmp(list[k].id, cid) == 0)
                r = fail(w, at[COL_ID], BK_E_CONTENT, "column \"%s\" is listed twice", cid);
        if (r == 0) {
            list[i].id = cid;
            list[i].type = type && !*type ? -1 : bk_column_type_parse(type);
            if (list[i].type < 0)
                r = fail(w, at[COL_TYPE], BK_E_CONTENT, "column type must be amount, percent "
                         "or text");
        }
        size_t pv = at[COL_PATH];
        if (r == 0 && pv) {
            size_t np = jtext_members(w->t, pv), e = pv + 1;
            if (np > 8)
                r = fail(w, pv, BK_E_CONTENT, "a column path has at most 8 labels");
            list[i].path = paths + i * 8;
            for (size_t k = 0; r == 0 && k < np; k++, e = jtext_after(w->t, e))
                r = as_string(w, e, "a header label", NULL, &list[i].path[k]);
            list[i].path_len = r == 0 ? np : 0;
        }
        pop(w);
    }
    pop(w);
    if (r == 0 && !(*out = bk_doc_define_template(w->doc, base, id, title, list, n)))
        r = fail_nomem(w, cols);
    bk_free(list);
    bk_free(paths);
    return r;
}

static int walk_table(walker *w, size_t tj, long first_line)
{
    enum { TABLE_ID, TABLE_LAYOUT, TABLE_TITLE, TABLE_UNIT_LABEL, TABLE_NOTE, TABLE_MONEY_UNIT,
           TABLE_CURRENCY, TABLE_UNIT_MULT, TABLE_COLUMNS, TABLE_ROWS, TABLE_NKEYS };
    static const char *const keys[] = {"id", "layout", "title", "unit_label", "note",
                                       "money_unit", "currency", "unit_mult", "columns",
                                       "rows", NULL};
    size_t at[TABLE_NKEYS];
    const char *id, *layout, *title, *unit_label, *note, *money_unit;
    char shown_s[80];

    if (expect_object(w, tj, "a table") < 0 || bind(w, tj, keys, "a table", at) < 0 ||
        get_string(w, tj, at[TABLE_ID], "id", 1, "a table", &id) < 0 ||
        get_string(w, tj, at[TABLE_TITLE], "title", 0, "a table", &title) < 0)
        return -1;
    const bk_template *tpl = w->tpls ? bk_templates_find(w->tpls, id) : NULL;
    push_key(w, "id");
    if (!tpl && !at[TABLE_COLUMNS]) {
        fail(w, at[TABLE_ID], BK_E_CONTENT, "table id \"%s\" has no template",
             SHOWN(id, shown_s));
        pop(w);
        return -1;
    }
    if (bk_doc_table(w->doc, id)) {
        fail(w, at[TABLE_ID], BK_E_CONTENT, "table %s appears twice in \"tables\"", id);
        pop(w);
        return -1;
    }
    pop(w);
    /* The layout family names the dictionary the table's title and column labels are in
     * (json.md): one that is not the template's would send a reader to the wrong labels. */
    if (get_nonempty(w, tj, at[TABLE_LAYOUT], "layout", 0, "a table", &layout) < 0)
        return -1;
    const char *family = tpl && tpl->family && *tpl->family ? tpl->family : NULL;
    if (layout && (!family || strcmp(layout, family) != 0)) {
        char shown_f[80];
        push_key(w, "layout");
        if (family)
            fail(w, at[TABLE_LAYOUT], BK_E_CONTENT, "table %s is of layout family \"%s\", "
                 "not \"%s\"", id, SHOWN(family, shown_f), SHOWN(layout, shown_s));
        else
            fail(w, at[TABLE_LAYOUT], BK_E_CONTENT, "table %s is of no layout family, so it "
                 "has no \"layout\" (its title and columns are in the table)", SHOWN(id, shown_s));
        pop(w);
        return -1;
    }
    if (walk_columns(w, tj, at[TABLE_COLUMNS], tpl, id, title, &tpl) < 0)
        return -1;
    if (get_string(w, tj, at[TABLE_UNIT_LABEL], "unit_label", 0, "a table", &unit_label) < 0 ||
        get_string(w, tj, at[TABLE_NOTE], "note", 0, "a table", &note) < 0 ||
        get_nonempty(w, tj, at[TABLE_MONEY_UNIT], "money_unit", 0, "a table", &money_unit) < 0 ||
        walk_unit_of_measure(w, tj, at[TABLE_CURRENCY], at[TABLE_UNIT_MULT],
                             money_unit, "a table") < 0 ||
        get_container(w, tj, at[TABLE_ROWS], "rows", 1, "a table", 0) < 0)
        return -1;
    bk_table *t = bk_doc_add_table(w->doc, tpl);
    if (!t || bk_table_set_labels(w->doc, t, unit_label, note) != BK_OK ||
        bk_table_set_money_unit(w->doc, t, money_unit) != BK_OK)
        return fail_nomem(w, tj);
    size_t rows = at[TABLE_ROWS], row = rows + 1;
    push_key(w, "rows");
    int r = 0;
    for (size_t i = 0; r == 0 && row < w->t->v[rows].end; i++, row = jtext_after(w->t, row)) {
        size_t mark = w->scratch_used;
        push_index(w, i);
        r = walk_row(w, t, row, first_line);
        pop(w);
        /* The row's strings are in the model now: their room serves the next row. */
        if (r == 0)
            w->scratch_used = mark;
    }
    pop(w);
    return r;
}

static int walk_tables(walker *w, size_t root, size_t tables, long first_line)
{
    if (get_container(w, root, tables, "tables", 1, "the document", 0) < 0)
        return -1;
    push_key(w, "tables");
    int r = 0;
    size_t tj = tables + 1;
    for (size_t i = 0; r == 0 && tj < w->t->v[tables].end; i++, tj = jtext_after(w->t, tj)) {
        push_index(w, i);
        r = walk_table(w, tj, first_line);
        pop(w);
    }
    pop(w);
    return r;
}

/* ---- Table 12's targets and the narrative ---------------------------------------------- */

/* The optional array member arr of obj, named key: each element walked, key in the path,
 * until one fails. */
static int walk_each(walker *w, size_t obj, size_t arr, const char *key, const char *what,
                     int (*walk)(walker *w, size_t el))
{
    if (get_container(w, obj, arr, key, 0, what, 0) < 0)
        return -1;
    if (!arr)
        return 0;
    push_key(w, key);
    int r = 0;
    size_t el = arr + 1;
    for (size_t i = 0; r == 0 && el < w->t->v[arr].end; i++, el = jtext_after(w->t, el)) {
        push_index(w, i);
        r = walk(w, el);
        pop(w);
    }
    pop(w);
    return r;
}

/* An object whose members are all required strings: s[i] is the value of keys[i] (at most
 * four, NULL-terminated). */
static int get_strings(walker *w, size_t obj, const char *const *keys, const char *what,
                       const char **s)
{
    size_t at[4];
    if (expect_object(w, obj, what) < 0 || bind(w, obj, keys, what, at) < 0)
        return -1;
    for (size_t i = 0; keys[i]; i++)
        if (get_string(w, obj, at[i], keys[i], 1, what, &s[i]) < 0)
            return -1;
    return 0;
}

static int walk_goal(walker *w, size_t g)
{
    const char *s;
    int r = as_string(w, g, "a goal", NULL, &s);
    if (r == 0 && bk_doc_add_goal(w->doc, s) != BK_OK)
        r = fail_nomem(w, g);
    return r;
}

static int walk_indicator(walker *w, size_t ind)
{
    static const char *const keys[] = {"level1", "level2", "level3", "target", NULL};
    const char *s[4];
    if (get_strings(w, ind, keys, "an indicator", s) < 0)
        return -1;
    if (bk_doc_add_indicator(w->doc, s[0], s[1], s[2], s[3]) != BK_OK)
        return fail_nomem(w, ind);
    return 0;
}

static int walk_performance(walker *w, size_t root, size_t pf)
{
    enum { PF_UNIT_NAME, PF_SUPERVISOR, PF_PERIOD, PF_GOALS, PF_INDICATORS };
    static const char *const keys[] = {"unit_name", "supervisor", "period", "goals",
                                       "indicators", NULL};
    size_t at[5];
    const char *unit_name, *supervisor, *period;
    if (get_container(w, root, pf, "performance", 0, "the document", 1) < 0)
        return -1;
    if (!pf)
        return 0;
    push_key(w, "performance");
    int r = -1;
    if (bind(w, pf, keys, "\"performance\"", at) < 0 ||
        get_string(w, pf, at[PF_UNIT_NAME], "unit_name", 0, "\"performance\"", &unit_name) < 0 ||
        get_string(w, pf, at[PF_SUPERVISOR], "supervisor", 0, "\"performance\"",
                   &supervisor) < 0 ||
        get_string(w, pf, at[PF_PERIOD], "period", 0, "\"performance\"", &period) < 0)
        goto out;
    if (bk_doc_set_performance(w->doc, unit_name, supervisor, period) != BK_OK) {
        fail_nomem(w, pf);
        goto out;
    }
    if (walk_each(w, pf, at[PF_GOALS], "goals", "\"performance\"", walk_goal) < 0 ||
        walk_each(w, pf, at[PF_INDICATORS], "indicators", "\"performance\"", walk_indicator) < 0)
        goto out;
    r = 0;
out:
    pop(w);
    return r;
}

static int walk_narrative_part(walker *w, size_t part)
{
    static const char *const keys[] = {"title", "text", NULL};
    const char *s[2];
    if (get_strings(w, part, keys, "a narrative part", s) < 0)
        return -1;
    if (bk_doc_add_narrative(w->doc, s[0], s[1]) != BK_OK)
        return fail_nomem(w, part);
    return 0;
}

/* ---- the document ---------------------------------------------------------------------- */

static int walk_document(walker *w, long first_line)
{
    size_t at[DOC_NKEYS];
    const size_t root = 0;
    if (expect_object(w, root, "a budget document") < 0 ||
        bind(w, root, doc_keys, "the document", at) < 0 || walk_header(w, root, at) < 0 ||
        walk_units(w, root, at[DOC_UNITS]) < 0 ||
        walk_tables(w, root, at[DOC_TABLES], first_line) < 0 ||
        walk_performance(w, root, at[DOC_PERFORMANCE]) < 0 ||
        walk_each(w, root, at[DOC_NARRATIVE], "narrative", "the document", walk_narrative_part) < 0)
        return -1;
    return 0;
}

/* ------------------------------------------------------------------------------------------
 * The import job
 * ---------------------------------------------------------------------------------------- */

/* Room to decode each string of a document of n bytes once: its decoded bytes and a NUL are
 * never more than its quoted text. */
static int rd_reserve_scratch(reader *rd, size_t n)
{
    size_t need = n + 1;
    if (need <= rd->scratch_cap)
        return 0;
    char *s = bk_malloc(need);
    if (!s)
        return -1;
    bk_free(rd->scratch);
    rd->scratch = s;
    rd->scratch_cap = need;
    return 0;
}

/* Parse, check and emit one document held in rd->buf[start..end). */
static bk_status import_document(bk_import *job, reader *rd, size_t start, size_t end,
                                 int truncated)
{
    const unsigned char *text = rd->buf + start;
    jtext_error je;
    if (jtext_parse(&rd->text, text, end - start, &je) < 0) {
        if (je.code == BK_E_NOMEM)
            return rd_fail_at(rd, start, BK_E_NOMEM, "out of memory");
        return rd_fail_at(rd, start + je.at, je.code, "malformed JSON: %s", je.text);
    }
    if (truncated) {
        /* Cannot happen: what parses completely the scan also closes. */
        return rd_fail_at(rd, end > start ? end - 1 : start, BK_E_SYNTAX,
                          "malformed JSON: the input ends inside a document");
    }
    /* The next document's lines count on from this one's last. */
    rd->scan_line = rd->doc_line + (long)rd->text.newlines;
    if (rd_reserve_scratch(rd, end - start) < 0)
        return rd_fail_at(rd, start, BK_E_NOMEM, "out of memory");
    walker w = {.rd = rd, .err = rd->err, .tpls = bk_import_templates(job), .lim = rd->lim,
                .t = &rd->text, .text = text, .start = start, .scratch = rd->scratch,
                .scratch_cap = rd->scratch_cap};
    w.doc = bk_doc_new();
    if (!w.doc)
        return rd_fail_at(rd, start, BK_E_NOMEM, "out of memory");
    int r = walk_document(&w, rd->doc_line);
    if (r == 0 && bk_doc_set_source(w.doc, rd->file) != BK_OK)
        r = fail_nomem(&w, 0);
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

static bk_status bkjson_import(bk_import *job)
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
    jtext_free(&rd.text);
    bk_free(rd.scratch);
    return st;
}

/* ------------------------------------------------------------------------------------------
 * Probe and descriptor
 * ---------------------------------------------------------------------------------------- */

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

static int bkjson_probe(const bk_probe *p)
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
        if (bk_probe_contains(h, n, "\"format\"") && bk_probe_contains(h, n, "budgetkit-budget"))
            score += 15;
        return score;
    }
    return has_json_extension(p->name) ? 10 : 0;
}

BK_PLUGIN(json, .version = "1.0.0", .license = "MIT",
          .summary = "budget documents as JSON (one document, or many one after another)",
          .kinds = BK_PLUGIN_IMPORT | BK_PLUGIN_EXPORT, .caps = BK_CAP_MULTI_DOC,
          .extensions = BK_PLUGIN_EXTENSIONS("json", "jsonl"), .media_type = "application/json",
          .priority = 50, BK_PLUGIN_IMPORTER(bkjson), BK_PLUGIN_EXPORTER(bkjson))
