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
static bk_status keep(bk_code_changes *c, char **f, const long *cols, const char *path,
                      long line, bk_error *err)
{
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

bk_status bk_code_changes_load(bk_code_changes *c, const char *path, bk_error *err)
{
    bk_source *src = bk_source_open(path, err);
    if (!src)
        return err->code ? err->code : BK_E_IO;
    const unsigned char *data;
    size_t len;
    if (bk_source_slurp(src, MAX_BYTES, &data, &len, err) != BK_OK) {
        bk_source_close(src);
        return err->code ? err->code : BK_E_IO;
    }
    const char *p = (const char *)data, *end = p + len;
    if (len >= 3 && data[0] == 0xEF && data[1] == 0xBB && data[2] == 0xBF)
        p += 3;
    char *f[NFIELDS];
    long cols[NFIELDS];
    size_t n = 0;
    long line = 1;
    bk_status st = BK_OK;
    int got = next_record(&p, end, path, &line, f, &n, cols, err);
    if (got == 0)
        st = fail(err, path, 1, 1, "the file is empty: the first line must be the header%s", NULL);
    else if (got < 0)
        st = err->code;
    for (size_t i = 0; st == BK_OK && i < NFIELDS; i++)
        if (i >= n || strcmp(f[i], header[i]) != 0)
            st = fail(err, path, 1, 1,
                      "the first line must be the header "
                      "\"year,scheme,old_code,old_name,new_code,new_name,change,source\"%s",
                      NULL);
    for (size_t i = 0; i < n; i++)
        bk_free(f[i]);
    while (st == BK_OK) {
        long at = line;
        got = next_record(&p, end, path, &line, f, &n, cols, err);
        if (got <= 0) {
            if (got < 0)
                st = err->code;
            for (size_t i = 0; i < n; i++)
                bk_free(f[i]);
            break;
        }
        if (n == 1 && !*f[0]) { /* a blank line */
            bk_free(f[0]);
            continue;
        }
        if (n != NFIELDS) {
            for (size_t i = 0; i < n; i++)
                bk_free(f[i]);
            bk_error_at(err, path, at, 1, -1);
            st = bk_error_set(err, BK_E_CONTENT, "expected 8 fields, found %zu", n);
            break;
        }
        st = keep(c, f, cols, path, at, err);
        if (st != BK_OK)
            for (size_t i = 0; i < n; i++)
                bk_free(f[i]);
    }
    bk_source_close(src);
    return st;
}

bk_status bk_code_changes_load_dir(bk_code_changes *c, const char *dir, bk_error *err)
{
    struct stat sb;
    if (stat(dir, &sb) != 0 && errno == ENOENT)
        return BK_OK;
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
        st = bk_code_changes_load(c, path, err);
        bk_free(path);
    }
    bk_dir_list_free(names, n);
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
