/* The year-to-year changes of the classification catalogue, read from CSV files with the header
 * year,scheme,old_code,old_name,new_code,new_name,change,source (RFC 4180 quoting). */
#define _POSIX_C_SOURCE 200809L /* stat */
#include "code_changes.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "budgetkit/alloc.h"
#include "budgetkit/io.h"
#include "budgetkit/template.h"

/* A catalogue of changes is a short list: a larger file is not one. */
#define MAX_BYTES (4u << 20)
#define NFIELDS 8

static const char *const header[NFIELDS] = {"year",     "scheme",   "old_code", "old_name",
                                            "new_code", "new_name", "change",   "source"};

static bk_status fail(bk_error *err, const char *path, long line, long col, const char *msg,
                      const char *what)
{
    bk_error_at(err, path, line, col, -1);
    return bk_error_set(err, BK_E_CONTENT, msg, what ? what : "");
}

/* One record: fields copied into f (allocated), *n of them. Returns 1 for a record, 0 at the
 * end, -1 on an error (err set). */
static int next_record(const char **pp, const char *end, const char *path, long *line,
                       char **f, size_t *n, long *cols, bk_error *err)
{
    const char *p = *pp;
    *n = 0;
    if (p >= end)
        return 0;
    long col = 1;
    for (;;) {
        if (*n == NFIELDS) {
            fail(err, path, *line, col, "more than 8 fields%s", NULL);
            return -1;
        }
        cols[*n] = col;
        long fline = *line;
        size_t cap = 16, len = 0;
        char *s = bk_malloc(cap);
        if (!s) {
            bk_error_set(err, BK_E_NOMEM, "out of memory");
            return -1;
        }
        f[(*n)++] = s;
        int quoted = p < end && *p == '"';
        if (quoted)
            p++, col++;
        for (;;) {
            if (p >= end) {
                if (quoted) {
                    fail(err, path, fline, cols[*n - 1], "a quoted field is not closed%s", NULL);
                    return -1;
                }
                break;
            }
            char ch = *p;
            if (quoted && ch == '"') {
                if (p + 1 < end && p[1] == '"') {
                    p += 2, col += 2;
                } else {
                    p++, col++;
                    quoted = 0;
                    if (p < end && *p != ',' && *p != '\n' && *p != '\r') {
                        fail(err, path, *line, col, "text after a closing quote%s", NULL);
                        return -1;
                    }
                    continue;
                }
            } else if (!quoted && (ch == ',' || ch == '\n' || ch == '\r')) {
                break;
            } else {
                p++, col++;
                if (ch == '\n')
                    (*line)++, col = 1;
            }
            if (len + 2 > cap) {
                void *buf = s;
                if (bk_grow(&buf, &cap, len + 2, 1) != 0) {
                    bk_error_set(err, BK_E_NOMEM, "out of memory");
                    return -1;
                }
                s = f[*n - 1] = buf;
            }
            s[len++] = ch == '"' && quoted ? '"' : ch;
        }
        s[len] = '\0';
        if (p < end && *p == ',') {
            p++, col++;
            continue;
        }
        if (p < end && *p == '\r')
            p++;
        if (p < end && *p == '\n')
            p++;
        (*line)++;
        break;
    }
    *pp = p;
    return 1;
}

static int digits(const char *s, size_t lo, size_t hi)
{
    size_t n = strlen(s);
    if (n < lo || n > hi)
        return 0;
    for (; *s; s++)
        if (*s < '0' || *s > '9')
            return 0;
    return 1;
}

static int one_of(const char *s, const char *const *set)
{
    for (; *set; set++)
        if (strcmp(s, *set) == 0)
            return 1;
    return 0;
}

/* Check a record and keep it: the strings pass to the list. */
static bk_status keep(void *to, char **f, const long *cols, const char *path, long line,
                      bk_error *err)
{
    bk_code_changes *c = to;
    static const char *const kinds[] = {"renamed", "recoded", "split", "merged", NULL};
    if (!digits(f[0], 4, 4))
        return fail(err, path, line, cols[0], "year \"%s\" is not four digits", f[0]);
    if (!*f[1])
        return fail(err, path, line, cols[1], "no scheme%s", NULL);
    if (!digits(f[2], 3, 7))
        return fail(err, path, line, cols[2], "old_code \"%s\" is not a code", f[2]);
    if (!digits(f[4], 3, 7))
        return fail(err, path, line, cols[4], "new_code \"%s\" is not a code", f[4]);
    if (!one_of(f[6], kinds))
        return fail(err, path, line, cols[6],
                    "change \"%s\" is not renamed, recoded, split or merged", f[6]);
    if (strcmp(f[6], "renamed") == 0 && strcmp(f[2], f[4]) != 0)
        return fail(err, path, line, cols[4], "a renamed code keeps its code (%s)", f[2]);
    if (strcmp(f[6], "renamed") != 0 && strcmp(f[2], f[4]) == 0)
        return fail(err, path, line, cols[4], "%s: the new code is the old one", f[6]);
    if (!*f[7])
        return fail(err, path, line, cols[7], "no source: say where the change is published%s",
                    NULL);
    if (bk_grow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v) != 0)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    bk_code_change *e = &c->v[c->n++];
    e->year = atoi(f[0]);
    bk_free(f[0]);
    e->scheme = f[1], e->old_code = f[2], e->old_name = f[3], e->new_code = f[4];
    e->new_name = f[5], e->change = f[6], e->source = f[7];
    return BK_OK;
}

/* The next record that is not a blank line, from line *at; as next_record, but at the end
 * or on an error no field is left to free. */
static int next_row(const char **p, const char *end, const char *path, long *line, long *at,
                    char **f, size_t *n, long *cols, bk_error *err)
{
    for (;;) {
        *at = *line;
        int got = next_record(p, end, path, line, f, n, cols, err);
        if (got <= 0) {
            for (size_t i = 0; i < *n; i++)
                bk_free(f[i]);
            *n = 0;
            return got;
        }
        if (*n != 1 || *f[0])
            return 1;
        bk_free(f[0]);
    }
}

/* The whole file (at most MAX_BYTES) in [*p, *end), past a UTF-8 byte order mark; *src is
 * the caller's to close. */
static bk_status open_text(const char *path, bk_source **src, const char **p, const char **end,
                           bk_error *err)
{
    *src = bk_source_open(path, err);
    if (!*src)
        return err->code ? err->code : BK_E_IO;
    const unsigned char *data;
    size_t len;
    if (bk_source_slurp(*src, MAX_BYTES, &data, &len, err) != BK_OK) {
        bk_source_close(*src);
        *src = NULL;
        return err->code ? err->code : BK_E_IO;
    }
    *p = (const char *)data;
    *end = *p + len;
    if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
        *p += 3;
    return BK_OK;
}

typedef bk_status (*take_fn)(void *to, char **f, const long *cols, const char *path, long line,
                             bk_error *err);

/* Reads the file at path whose first line must be the header of nfields names, then hands each
 * further row of nfields fields to take, which owns the fields when it returns BK_OK (they are
 * freed otherwise); stops at the end or at the first error. An empty file is refused with
 * if_empty, or when that is NULL as a file without the header. */
static bk_status read_table(const char *path, const char *const *names, size_t nfields,
                            const char *if_empty, take_fn take, void *to, bk_error *err)
{
    bk_source *src = NULL;
    const char *p, *end;
    bk_status st = open_text(path, &src, &p, &end, err);
    if (st != BK_OK)
        return st;
    char *f[NFIELDS];
    long cols[NFIELDS];
    size_t n = 0;
    long line = 1;
    int got = next_record(&p, end, path, &line, f, &n, cols, err);
    int header_ok = got > 0 && n == nfields;
    for (size_t i = 0; header_ok && i < nfields; i++)
        header_ok = strcmp(f[i], names[i]) == 0;
    for (size_t i = 0; i < n; i++)
        bk_free(f[i]);
    if (got < 0) {
        st = err->code;
    } else if (got == 0 && if_empty) {
        st = fail(err, path, 1, 1, "%s", if_empty);
    } else if (!header_ok) {
        char line1[128] = "";
        for (size_t i = 0; i < nfields; i++)
            snprintf(line1 + strlen(line1), sizeof line1 - strlen(line1), "%s%s", i ? "," : "",
                     names[i]);
        st = fail(err, path, 1, 1, "the first line must be the header \"%s\"", line1);
    }
    n = 0;
    while (st == BK_OK) {
        long at;
        got = next_row(&p, end, path, &line, &at, f, &n, cols, err);
        if (got <= 0) {
            if (got < 0)
                st = err->code;
            break;
        }
        if (n != nfields) {
            bk_error_at(err, path, at, 1, -1);
            st = bk_error_set(err, BK_E_CONTENT, "expected %zu fields, found %zu", nfields, n);
        } else {
            st = take(to, f, cols, path, at, err);
        }
        if (st != BK_OK)
            for (size_t i = 0; i < n; i++)
                bk_free(f[i]);
    }
    bk_source_close(src);
    return st;
}

bk_status bk_code_changes_load(bk_code_changes *c, const char *path, bk_error *err)
{
    return read_table(path, header, NFIELDS, "the file is empty: the first line must be the header",
                      keep, c, err);
}

/* Hands the path of each .csv file of dir, in bk_dir_list's order, to load until one fails. */
static bk_status each_csv(const char *dir,
                          bk_status (*load)(void *to, const char *path, bk_error *err), void *to,
                          bk_error *err)
{
    char **names;
    size_t n;
    bk_status st = bk_dir_list(dir, ".csv", &names, &n, err);
    for (size_t i = 0; i < n && st == BK_OK; i++) {
        size_t len = strlen(dir) + strlen(names[i]) + 2;
        char *path = bk_malloc(len);
        if (!path) {
            st = bk_error_set(err, BK_E_NOMEM, "out of memory");
            break;
        }
        snprintf(path, len, "%s/%s", dir, names[i]);
        st = load(to, path, err);
        bk_free(path);
    }
    bk_dir_list_free(names, n);
    return st;
}

static bk_status load_changes(void *to, const char *path, bk_error *err)
{
    return bk_code_changes_load(to, path, err);
}

bk_status bk_code_changes_load_dir(bk_code_changes *c, const char *dir, bk_error *err)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 && errno == ENOENT)
        return BK_OK;
    return each_csv(dir, load_changes, c, err);
}

/* ---- renamings read off two years' lists ---- */

typedef struct listed {
    char *scheme, *code, *name;
    const char *file; /* the list's base name, owned by the run */
    int year, user;
    size_t order;
} listed;

typedef struct lists {
    listed *v;
    size_t n, cap;
    char **files;
    size_t nfiles, capfiles;
} lists;

static void lists_free(lists *l)
{
    for (size_t i = 0; i < l->n; i++)
        bk_free(l->v[i].scheme), bk_free(l->v[i].code), bk_free(l->v[i].name);
    bk_free(l->v);
    for (size_t i = 0; i < l->nfiles; i++)
        bk_free(l->files[i]);
    bk_free(l->files);
}

/* The year a list's file name ends with ("function-2024.csv"), 0 when none. */
static int year_of(const char *base)
{
    size_t n = strlen(base);
    if (n > 4 && strcmp(base + n - 4, ".csv") == 0)
        n -= 4;
    if (n < 6 || (base[n - 5] != '-' && base[n - 5] != '_'))
        return 0;
    for (size_t i = n - 4; i < n; i++)
        if (base[i] < '0' || base[i] > '9')
            return 0;
    return atoi(base + n - 4);
}

static const char *const list_header[] = {"scheme", "code", "name", "level", "source"};

/* The list a file's rows go to, and what they carry of the file. */
typedef struct list_file {
    lists *l;
    const char *file;
    int year, user;
} list_file;

/* Check a row of a list and keep its scheme, code and name. */
static bk_status keep_listed(void *to, char **f, const long *cols, const char *path, long line,
                             bk_error *err)
{
    list_file *lf = to;
    lists *l = lf->l;
    if (!digits(f[1], 3, 7))
        return fail(err, path, line, cols[1], "code \"%s\" is not a code", f[1]);
    if (bk_grow((void **)&l->v, &l->cap, l->n + 1, sizeof *l->v) != 0)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    listed *e = &l->v[l->n];
    e->scheme = f[0], e->code = f[1], e->name = f[2];
    e->file = lf->file, e->year = lf->year, e->user = lf->user, e->order = l->n;
    l->n++;
    bk_free(f[3]), bk_free(f[4]);
    return BK_OK;
}

static bk_status load_list(lists *l, const char *path, int user, bk_error *err)
{
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int year = year_of(base);
    if (!year)
        return BK_OK;
    if (bk_grow((void **)&l->files, &l->capfiles, l->nfiles + 1, sizeof *l->files) != 0 ||
        !(l->files[l->nfiles] = bk_strdup(base)))
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    list_file to = {l, l->files[l->nfiles++], year, user};
    return read_table(path, list_header, 5, NULL, keep_listed, &to, err);
}

/* A list of the folder's, which the user's lists stand for. */
static bk_status load_folder_list(void *l, const char *path, bk_error *err)
{
    return load_list(l, path, 0, err);
}

static int cmp_listed(const void *x, const void *y)
{
    const listed *a = x, *b = y;
    int c = strcmp(a->scheme, b->scheme);
    if (!c)
        c = strcmp(a->code, b->code);
    if (!c)
        c = (a->year > b->year) - (a->year < b->year);
    return c ? c : (a->order > b->order) - (a->order < b->order);
}

/* The user's list of a scheme and year stands for the folder's. */
static void drop_replaced(lists *l)
{
    size_t k = 0;
    for (size_t i = 0; i < l->n; i++) {
        int replaced = 0;
        for (size_t j = 0; j < l->n && !l->v[i].user && !replaced; j++)
            replaced = l->v[j].user && l->v[j].year == l->v[i].year &&
                       strcmp(l->v[j].scheme, l->v[i].scheme) == 0;
        if (replaced)
            bk_free(l->v[i].scheme), bk_free(l->v[i].code), bk_free(l->v[i].name);
        else
            l->v[k++] = l->v[i];
    }
    l->n = k;
}

static char *label(const char *s)
{
    size_t n = bk_label_normalise(s, NULL, 0);
    char *buf = bk_malloc(n + 1);
    if (buf)
        bk_label_normalise(s, buf, n + 1);
    return buf;
}

/* c already says what became of code in year. */
static int known(const bk_code_changes *c, int year, const char *scheme, const char *code)
{
    for (size_t i = 0; i < c->n; i++)
        if (c->v[i].year == year && strcmp(c->v[i].scheme, scheme) == 0 &&
            (strcmp(c->v[i].old_code, code) == 0 || strcmp(c->v[i].new_code, code) == 0))
            return 1;
    return 0;
}

static bk_status renamed(bk_code_changes *c, const listed *a, const listed *b, bk_error *err)
{
    char *x = label(a->name), *y = label(b->name);
    bk_status st = BK_OK;
    if (!x || !y)
        st = bk_error_set(err, BK_E_NOMEM, "out of memory");
    else if (strcmp(x, y) != 0 && !known(c, b->year, b->scheme, b->code)) {
        size_t n = strlen(a->file) + strlen(b->file) + sizeof "names in catalogue  and ";
        char *source = bk_malloc(n);
        if (bk_grow((void **)&c->v, &c->cap, c->n + 1, sizeof *c->v) != 0 || !source) {
            bk_free(source);
            st = bk_error_set(err, BK_E_NOMEM, "out of memory");
        } else {
            snprintf(source, n, "names in catalogue %s and %s", a->file, b->file);
            bk_code_change *e = &c->v[c->n];
            memset(e, 0, sizeof *e);
            e->year = b->year;
            e->source = source;
            e->scheme = bk_strdup(b->scheme), e->old_code = bk_strdup(a->code);
            e->old_name = bk_strdup(a->name), e->new_code = bk_strdup(b->code);
            e->new_name = bk_strdup(b->name), e->change = bk_strdup("renamed");
            c->n++;
            if (!e->scheme || !e->old_code || !e->old_name || !e->new_code || !e->new_name ||
                !e->change)
                st = bk_error_set(err, BK_E_NOMEM, "out of memory");
        }
    }
    bk_free(x);
    bk_free(y);
    return st;
}

bk_status bk_code_changes_from_catalogue(bk_code_changes *c, const char *dir, const char *user,
                                         bk_error *err)
{
    lists l;
    memset(&l, 0, sizeof l);
    bk_status st = user ? load_list(&l, user, 1, err) : BK_OK;
    struct stat sb;
    if (st == BK_OK && dir && stat(dir, &sb) == 0)
        st = each_csv(dir, load_folder_list, &l, err);
    if (st == BK_OK) {
        drop_replaced(&l);
        qsort(l.v, l.n, sizeof *l.v, cmp_listed);
    }
    /* The first line of a code in each year's list against the first of the year before. */
    size_t prev = (size_t)-1;
    for (size_t i = 0; i < l.n && st == BK_OK; i++) {
        const listed *e = &l.v[i];
        if (i > 0 && strcmp(l.v[i - 1].scheme, e->scheme) == 0 &&
            strcmp(l.v[i - 1].code, e->code) == 0) {
            if (l.v[i - 1].year == e->year)
                continue;
        } else {
            prev = (size_t)-1;
        }
        if (prev != (size_t)-1 && l.v[prev].year + 1 == e->year)
            st = renamed(c, &l.v[prev], e, err);
        prev = i;
    }
    lists_free(&l);
    return st;
}

void bk_code_changes_free(bk_code_changes *c)
{
    for (size_t i = 0; i < c->n; i++) {
        bk_code_change *e = &c->v[i];
        bk_free(e->scheme), bk_free(e->old_code), bk_free(e->old_name), bk_free(e->new_code);
        bk_free(e->new_name), bk_free(e->change), bk_free(e->source);
    }
    bk_free(c->v);
    memset(c, 0, sizeof *c);
}
