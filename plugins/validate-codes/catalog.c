/* Catalogue files: small CSV tables, parsed here rather than with a CSV library because the
 * layout is fixed and every error must name the line and column. */
#include "catalog.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budgetkit/alloc.h"
#include "budgetkit/io.h"
#include "budgetkit/template.h"

/* Official lists have a few thousand lines; anything far larger is not a catalogue. */
#define BKCODES_MAX_BYTES (64u * 1024u * 1024u)
#define BKCODES_MAX_FIELDS 8

void bkcodes_init(bkcodes_catalog *c) { memset(c, 0, sizeof *c); }

static void entry_free(bkcodes_entry *e)
{
    bk_free(e->scheme);
    bk_free(e->code);
    bk_free(e->name);
    bk_free(e->source);
}

void bkcodes_free(bkcodes_catalog *c)
{
    for (size_t i = 0; i < c->n; i++)
        entry_free(&c->entries[i]);
    bk_free(c->entries);
    for (size_t i = 0; i < c->nlevels; i++)
        bk_free(c->levels[i].scheme);
    bk_free(c->levels);
    for (size_t i = 0; i < c->nfiles; i++)
        bk_free(c->files[i]);
    bk_free(c->files);
    bkcodes_init(c);
}

/* ---- codes ---- */

int bkcodes_code_level(const char *scheme, const char *code)
{
    if (!code)
        return 0;
    size_t n = strlen(code);
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    int econ = scheme && strncmp(scheme, "econ", 4) == 0;
    if (n == 3)
        return 1;
    if (n == 5)
        return 2;
    if (n == 7 && !econ)
        return 3;
    return 0;
}

int bkcodes_file_year(const char *path)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    size_t n = dot ? (size_t)(dot - base) : strlen(base);
    if (n < 5 || (base[n - 5] != '-' && base[n - 5] != '_'))
        return 0;
    int year = 0;
    for (size_t i = n - 4; i < n; i++) {
        if (base[i] < '0' || base[i] > '9')
            return 0;
        year = year * 10 + (base[i] - '0');
    }
    return year >= 1900 ? year : 0;
}

const char *bkcodes_scheme_for(const char *row_key, const char *code)
{
    if (!row_key)
        return NULL;
    if (strcmp(row_key, "function") == 0)
        return BKCODES_FUNCTION;
    if (strcmp(row_key, "economic") == 0)
        return code && code[0] == '5' ? BKCODES_ECON_GOV : BKCODES_ECON_DEPT;
    return NULL;
}

const char *bkcodes_level_name(int level)
{
    static const char *const names[] = {"?", "类", "款", "项"};
    return level >= 1 && level <= 3 ? names[level] : names[0];
}

const char *bkcodes_level_name_en(int level)
{
    static const char *const names[] = {"?", "class (类)", "item (款)", "sub-item (项)"};
    return level >= 1 && level <= 3 ? names[level] : names[0];
}

int bkcodes_level_parse(const char *s)
{
    if (!s)
        return 0;
    if (!strcmp(s, "类") || !strcmp(s, "1"))
        return 1;
    if (!strcmp(s, "款") || !strcmp(s, "2"))
        return 2;
    if (!strcmp(s, "项") || !strcmp(s, "3"))
        return 3;
    return 0;
}

/* ---- CSV ---- */

typedef struct csvp {
    const char *p, *end;
    long line, col; /* of p; col counts characters, not bytes */
    const char *path;
    bk_error *err;
} csvp;

typedef struct record {
    char *field[BKCODES_MAX_FIELDS];
    long col[BKCODES_MAX_FIELDS];
    size_t n;
    long line;
} record;

static void record_clear(record *r)
{
    for (size_t i = 0; i < r->n; i++)
        bk_free(r->field[i]);
    r->n = 0;
}

static bk_status fail_at(csvp *s, long line, long col, bk_status code, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

static bk_status fail_at(csvp *s, long line, long col, bk_status code, const char *fmt, ...)
{
    char text[BK_ERROR_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    bk_error_at(s->err, s->path, line, col, -1);
    return bk_error_set(s->err, code, "%s", text);
}

static void advance(csvp *s)
{
    if (*s->p == '\n') {
        s->line++;
        s->col = 1;
    } else if (((unsigned char)*s->p & 0xC0) != 0x80) {
        s->col++;
    }
    s->p++;
}

static int at_eol(const csvp *s)
{
    return s->p == s->end || *s->p == '\n' || (*s->p == '\r' && (s->p + 1 == s->end || s->p[1] == '\n'));
}

static void skip_eol(csvp *s)
{
    if (s->p < s->end && *s->p == '\r')
        advance(s);
    if (s->p < s->end && *s->p == '\n')
        advance(s);
}

/* Unquoted fields lose surrounding blanks: spreadsheets pad them. */
static char *trimmed(const char *a, size_t n)
{
    while (n && (*a == ' ' || *a == '\t'))
        a++, n--;
    while (n && (a[n - 1] == ' ' || a[n - 1] == '\t'))
        n--;
    return bk_strndup(a, n);
}

static bk_status read_field(csvp *s, char **out)
{
    *out = NULL;
    if (s->p < s->end && *s->p == '"') {
        long line = s->line, col = s->col;
        advance(s);
        size_t cap = 0, len = 0;
        char *buf = NULL;
        for (;;) {
            if (s->p == s->end) {
                bk_free(buf);
                return fail_at(s, line, col, BK_E_SYNTAX, "a quoted field is not closed");
            }
            char ch = *s->p;
            if (ch == '"') {
                advance(s);
                if (s->p < s->end && *s->p == '"') {
                    advance(s);
                } else {
                    break;
                }
            } else {
                advance(s);
            }
            void *b = buf;
            if (bk_grow(&b, &cap, len + 2, 1) != 0) {
                bk_free(buf);
                return bk_error_set(s->err, BK_E_NOMEM, "out of memory");
            }
            buf = b;
            buf[len++] = ch;
        }
        if (!(s->p == s->end || *s->p == ',' || at_eol(s))) {
            bk_free(buf);
            return fail_at(s, s->line, s->col, BK_E_SYNTAX,
                           "expected a comma or the end of the line after a closing quote");
        }
        *out = buf ? (buf[len] = '\0', buf) : bk_strdup("");
    } else {
        const char *start = s->p;
        while (s->p < s->end && *s->p != ',' && !at_eol(s))
            advance(s);
        *out = trimmed(start, (size_t)(s->p - start));
    }
    return *out ? BK_OK : bk_error_set(s->err, BK_E_NOMEM, "out of memory");
}

/* 1 with a record, 0 at the end, or an error status (negative never: statuses are > 0). */
static int next_record(csvp *s, record *r, bk_status *st)
{
    *st = BK_OK;
    record_clear(r);
    while (s->p < s->end && at_eol(s))
        skip_eol(s); /* blank lines */
    if (s->p == s->end)
        return 0;
    r->line = s->line;
    for (;;) {
        if (r->n == BKCODES_MAX_FIELDS) {
            *st = fail_at(s, s->line, s->col, BK_E_CONTENT, "too many fields (expected %d)", 5);
            return -1;
        }
        r->col[r->n] = s->col;
        *st = read_field(s, &r->field[r->n]);
        if (*st != BK_OK)
            return -1;
        r->n++;
        if (s->p < s->end && *s->p == ',') {
            advance(s);
            continue;
        }
        skip_eol(s);
        return 1;
    }
}

typedef bk_status (*record_fn)(bkcodes_catalog *c, csvp *s, record *r, const char *file);

static bk_status expect_header(csvp *s, record *r, const char *const *names, size_t n)
{
    int ok = r->n == n;
    for (size_t i = 0; ok && i < n; i++)
        ok = strcmp(r->field[i], names[i]) == 0;
    if (ok)
        return BK_OK;
    char want[128] = "";
    for (size_t i = 0; i < n; i++) {
        strncat(want, i ? "," : "", sizeof want - strlen(want) - 1);
        strncat(want, names[i], sizeof want - strlen(want) - 1);
    }
    return fail_at(s, r->line, 1, BK_E_CONTENT, "the first line must be the header \"%s\"", want);
}

/* A copy of s, and room in *items (n of size bytes) for one more: the copy, or NULL out of
 * memory (and nothing kept). */
static char *copy_with_room(const char *s, void **items, size_t *cap, size_t n, size_t size)
{
    char *copy = bk_strdup(s);
    if (copy && bk_grow(items, cap, n + 1, size) != 0) {
        bk_free(copy);
        return NULL;
    }
    return copy;
}

static const char *add_file(bkcodes_catalog *c, const char *path)
{
    void *buf = c->files;
    char *name = copy_with_room(path, &buf, &c->capfiles, c->nfiles, sizeof *c->files);
    if (!name)
        return NULL;
    c->files = buf;
    c->files[c->nfiles++] = name;
    return name;
}

/* Length of the valid UTF-8 sequence at p (at most n bytes), 0 when invalid. */
static size_t utf8_len(const unsigned char *p, size_t n)
{
    size_t len;
    unsigned min;
    if (p[0] < 0x80)
        return 1;
    if (p[0] >= 0xC2 && p[0] <= 0xDF)
        len = 2, min = 0x80;
    else if (p[0] >= 0xE0 && p[0] <= 0xEF)
        len = 3, min = 0x800;
    else if (p[0] >= 0xF0 && p[0] <= 0xF4)
        len = 4, min = 0x10000;
    else
        return 0;
    if (n < len)
        return 0;
    unsigned cp = p[0] & (0x7F >> len);
    for (size_t i = 1; i < len; i++) {
        if ((p[i] & 0xC0) != 0x80)
            return 0;
        cp = (cp << 6) | (p[i] & 0x3F);
    }
    return cp >= min && cp <= 0x10FFFF && !(cp >= 0xD800 && cp <= 0xDFFF) ? len : 0;
}

/* Catalogues exported from spreadsheets are often GB18030: say so rather than compare names
 * that cannot match. */
static bk_status check_utf8(csvp *s)
{
    const unsigned char *p = (const unsigned char *)s->p, *end = (const unsigned char *)s->end;
    long line = 1, col = 1;
    while (p < end) {
        size_t len = utf8_len(p, (size_t)(end - p));
        if (!len)
            return fail_at(s, line, col, BK_E_ENCODING,
                           "the catalogue is not valid UTF-8 (save it as UTF-8 CSV)");
        if (*p == '\n')
            line++, col = 1;
        else
            col++;
        p += len;
    }
    return BK_OK;
}

static bk_status parse_file(bkcodes_catalog *c, const char *path, const char *const *header,
                            size_t nheader, record_fn fn, bk_error *err)
{
    bk_source *src = bk_source_open(path, err);
    if (!src)
        return err->code ? err->code : BK_E_IO;
    const unsigned char *data;
    size_t len;
    if (bk_source_slurp(src, BKCODES_MAX_BYTES, &data, &len, err) != BK_OK) {
        bk_source_close(src);
        return err->code ? err->code : BK_E_IO;
    }
    csvp s = {(const char *)data, (const char *)data + len, 1, 1, path, err};
    if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
        s.p += 3; /* a byte order mark, as spreadsheet programs write */
    record r;
    memset(&r, 0, sizeof r);
    bk_status st = check_utf8(&s);
    const char *file = st == BK_OK ? add_file(c, path) : NULL;
    if (st == BK_OK && !file)
        st = bk_error_set(err, BK_E_NOMEM, "out of memory");
    int got = st == BK_OK ? next_record(&s, &r, &st) : -1;
    if (got == 0)
        st = fail_at(&s, 1, 1, BK_E_CONTENT, "the catalogue file is empty");
    else if (got == 1)
        st = expect_header(&s, &r, header, nheader);
    while (st == BK_OK && (got = next_record(&s, &r, &st)) == 1) {
        if (r.n != nheader) {
            st = fail_at(&s, r.line, 1, BK_E_CONTENT, "expected %zu fields, found %zu", nheader,
                         r.n);
            break;
        }
        st = fn(c, &s, &r, file);
    }
    record_clear(&r);
    bk_source_close(src);
    return st;
}

static int scheme_ok(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static bk_status entry_record(bkcodes_catalog *c, csvp *s, record *r, const char *file)
{
    const char *scheme = r->field[0], *code = r->field[1], *name = r->field[2];
    if (!scheme_ok(scheme))
        return fail_at(s, r->line, r->col[0], BK_E_CONTENT,
                       "scheme \"%s\" must be lower-case letters, digits or '_'", scheme);
    int level = bkcodes_code_level(scheme, code);
    if (level == 0)
        return fail_at(s, r->line, r->col[1], BK_E_CONTENT,
                       "code \"%s\" is not %s digits", code,
                       strncmp(scheme, "econ", 4) == 0 ? "3 or 5" : "3, 5 or 7");
    if (!*name)
        return fail_at(s, r->line, r->col[2], BK_E_CONTENT, "code %s has no name", code);
    int said = bkcodes_level_parse(r->field[3]);
    if (said != level)
        return fail_at(s, r->line, r->col[3], BK_E_CONTENT,
                       "code %s has %zu digits, which is level %s, not \"%s\"", code, strlen(code),
                       bkcodes_level_name(level), r->field[3]);
    void *buf = c->entries;
    if (bk_grow(&buf, &c->cap, c->n + 1, sizeof *c->entries) != 0)
        return bk_error_set(s->err, BK_E_NOMEM, "out of memory");
    c->entries = buf;
    bkcodes_entry *e = &c->entries[c->n++];
    /* Take the strings over from the record. */
    *e = (bkcodes_entry){r->field[0], r->field[1], r->field[2], r->field[4],
                         level,       file,        r->line,     bkcodes_file_year(file)};
    bk_free(r->field[3]);
    r->n = 0;
    c->sorted = 0;
    return BK_OK;
}

bk_status bkcodes_load_csv(bkcodes_catalog *c, const char *path, bk_error *err)
{
    static const char *const header[] = {"scheme", "code", "name", "level", "source"};
    return parse_file(c, path, header, 5, entry_record, err);
}

static bk_status declare(bkcodes_catalog *c, const char *scheme, int level, int complete)
{
    for (size_t i = 0; i < c->nlevels; i++)
        if (c->levels[i].level == level && strcmp(c->levels[i].scheme, scheme) == 0) {
            c->levels[i].complete = complete;
            return BK_OK;
        }
    void *buf = c->levels;
    char *copy = copy_with_room(scheme, &buf, &c->caplevels, c->nlevels, sizeof *c->levels);
    if (!copy)
        return BK_E_NOMEM;
    c->levels = buf;
    c->levels[c->nlevels++] = (bkcodes_level){copy, level, complete};
    return BK_OK;
}

static bk_status level_record(bkcodes_catalog *c, csvp *s, record *r, const char *file)
{
    (void)file;
    int level = bkcodes_level_parse(r->field[1]);
    const char *v = r->field[2];
    int complete = !strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1");
    int incomplete = !strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0");
    if (!scheme_ok(r->field[0]))
        return fail_at(s, r->line, r->col[0], BK_E_CONTENT,
                       "scheme \"%s\" must be lower-case letters, digits or '_'", r->field[0]);
    if (!level)
        return fail_at(s, r->line, r->col[1], BK_E_CONTENT,
                       "level must be 类, 款 or 项, not \"%s\"", r->field[1]);
    if (!complete && !incomplete)
        return fail_at(s, r->line, r->col[2], BK_E_CONTENT,
                       "complete must be yes or no, not \"%s\"", v);
    if (declare(c, r->field[0], level, complete) != BK_OK)
        return bk_error_set(s->err, BK_E_NOMEM, "out of memory");
    return BK_OK;
}

bk_status bkcodes_load_levels(bkcodes_catalog *c, const char *path, bk_error *err)
{
    static const char *const header[] = {"scheme", "level", "complete"};
    return parse_file(c, path, header, 3, level_record, err);
}

char *bkcodes_join(const char *dir, const char *name)
{
    size_t n = strlen(dir) + strlen(name) + 2;
    char *p = bk_malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", dir, name);
    return p;
}

bk_status bkcodes_load_dir(bkcodes_catalog *c, const char *dir, bk_error *err)
{
    char **names;
    size_t n;
    bk_status st = bk_dir_list(dir, ".csv", &names, &n, err);
    if (st != BK_OK)
        return st;
    int has_levels = 0;
    for (size_t i = 0; i < n && st == BK_OK; i++) {
        if (strcmp(names[i], "levels.csv") == 0) {
            has_levels = 1; /* read last: it speaks of the entries */
            continue;
        }
        char *path = bkcodes_join(dir, names[i]);
        st = path ? bkcodes_load_csv(c, path, err) : bk_error_set(err, BK_E_NOMEM, "out of memory");
        bk_free(path);
    }
    bk_dir_list_free(names, n);
    if (st == BK_OK && has_levels) {
        char *path = bkcodes_join(dir, "levels.csv");
        st = path ? bkcodes_load_levels(c, path, err)
                  : bk_error_set(err, BK_E_NOMEM, "out of memory");
        bk_free(path);
    }
    return st;
}

static int has_scheme(const bkcodes_catalog *c, const char *scheme)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->entries[i].scheme, scheme) == 0)
            return 1;
    return 0;
}

bk_status bkcodes_load_user(bkcodes_catalog *c, const char *path, bk_error *err)
{
    bkcodes_catalog user;
    bkcodes_init(&user);
    bk_status st = bkcodes_load_csv(&user, path, err);
    if (st != BK_OK) {
        bkcodes_free(&user);
        return st;
    }
    if (user.n == 0) {
        bkcodes_free(&user);
        bk_error_at(err, path, 0, 0, -1);
        return bk_error_set(err, BK_E_CONTENT, "the catalogue holds no code");
    }
    /* Drop what the user's file replaces: whole schemes, with their completeness. */
    size_t keep = 0;
    for (size_t i = 0; i < c->n; i++) {
        if (has_scheme(&user, c->entries[i].scheme))
            entry_free(&c->entries[i]);
        else
            c->entries[keep++] = c->entries[i];
    }
    c->n = keep;
    keep = 0;
    for (size_t i = 0; i < c->nlevels; i++) {
        if (has_scheme(&user, c->levels[i].scheme))
            bk_free(c->levels[i].scheme);
        else
            c->levels[keep++] = c->levels[i];
    }
    c->nlevels = keep;
    void *eb = c->entries, *fb = c->files;
    int grown = bk_grow(&eb, &c->cap, c->n + user.n, sizeof *c->entries) == 0;
    c->entries = eb;
    grown = grown && bk_grow(&fb, &c->capfiles, c->nfiles + user.nfiles, sizeof *c->files) == 0;
    c->files = fb;
    if (!grown) {
        bkcodes_free(&user);
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < user.n && st == BK_OK; i++)
        if (declare(c, user.entries[i].scheme, user.entries[i].level, 1) != BK_OK)
            st = bk_error_set(err, BK_E_NOMEM, "out of memory");
    /* Move the entries and file names over; user keeps nothing to free but its arrays. */
    memcpy(c->entries + c->n, user.entries, user.n * sizeof *user.entries);
    c->n += user.n;
    memcpy(c->files + c->nfiles, user.files, user.nfiles * sizeof *user.files);
    c->nfiles += user.nfiles;
    user.n = user.nfiles = 0;
    bkcodes_free(&user);
    c->sorted = 0;
    return st;
}

static int cmp_entry(const void *x, const void *y)
{
    const bkcodes_entry *a = x, *b = y;
    int c = strcmp(a->scheme, b->scheme);
    return c ? c : strcmp(a->code, b->code);
}

bk_status bkcodes_finish(bkcodes_catalog *c, bk_error *err)
{
    if (c->n > 1)
        qsort(c->entries, c->n, sizeof *c->entries, cmp_entry);
    c->sorted = 1;
    for (size_t i = 1; i < c->n; i++) {
        const bkcodes_entry *a = &c->entries[i - 1], *b = &c->entries[i];
        if (cmp_entry(a, b) == 0 && !bk_label_equal(a->name, b->name)) {
            bk_error_at(err, b->file, b->line, 0, -1);
            return bk_error_set(err, BK_E_CONTENT,
                                "code %s (%s) is listed twice with different names: \"%s\" "
                                "(%s line %ld) and \"%s\"", b->code, b->scheme, a->name, a->file,
                                a->line, b->name);
        }
    }
    return BK_OK;
}

const bkcodes_entry *bkcodes_find(const bkcodes_catalog *c, const char *scheme, const char *code)
{
    if (!c->sorted)
        return NULL;
    bkcodes_entry key;
    memset(&key, 0, sizeof key);
    key.scheme = (char *)scheme;
    key.code = (char *)code;
    return bsearch(&key, c->entries, c->n, sizeof *c->entries, cmp_entry);
}

int bkcodes_level_complete(const bkcodes_catalog *c, const char *scheme, int level)
{
    for (size_t i = 0; i < c->nlevels; i++)
        if (c->levels[i].level == level && strcmp(c->levels[i].scheme, scheme) == 0)
            return c->levels[i].complete;
    return has_scheme(c, scheme) ? 0 : -1;
}

int bkcodes_scheme_year(const bkcodes_catalog *c, const char *scheme)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->entries[i].scheme, scheme) == 0)
            return c->entries[i].year;
    return 0;
}
