/* Inputs: files, standard input, folders and buffers, with the first bytes kept for probing. */
#include "budgetkit/io.h"
#include "budgetkit/plugin.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "budgetkit/alloc.h"

struct bk_source {
    char *name;
    char *path; /* NULL for standard input and buffers */
    int is_dir;
    FILE *f;
    int close_f;
    const unsigned char *mem; /* buffer sources */
    size_t mem_len, mem_pos;
    unsigned char head[BK_PROBE_BYTES];
    size_t head_len, head_pos;
    unsigned char *slurped;
    bk_error err;
};

static bk_source *source_alloc(const char *name, bk_error *err)
{
    bk_source *src = bk_calloc(1, sizeof *src);
    if (!src || !(src->name = bk_strdup(name))) {
        bk_free(src);
        bk_error_set(err, BK_E_NOMEM, "out of memory");
        return NULL;
    }
    bk_error_clear(&src->err);
    return src;
}

bk_source *bk_source_open(const char *path, bk_error *err)
{
    bk_source *src = source_alloc(path, err);
    if (!src)
        return NULL;
    if (strcmp(path, "-") == 0) {
        src->f = stdin;
    } else {
        struct stat st;
        if (stat(path, &st) != 0) {
            bk_error_at(err, path, 0, 0, -1);
            bk_error_set(err, BK_E_IO, "cannot open: %s", strerror(errno));
            bk_source_close(src);
            return NULL;
        }
        if (!(src->path = bk_strdup(path))) {
            bk_error_set(err, BK_E_NOMEM, "out of memory");
            bk_source_close(src);
            return NULL;
        }
        if (S_ISDIR(st.st_mode)) {
            src->is_dir = 1;
            return src;
        }
        src->f = fopen(path, "rb");
        if (!src->f) {
            bk_error_at(err, path, 0, 0, -1);
            bk_error_set(err, BK_E_IO, "cannot open: %s", strerror(errno));
            bk_source_close(src);
            return NULL;
        }
        src->close_f = 1;
    }
    src->head_len = fread(src->head, 1, sizeof src->head, src->f);
    if (ferror(src->f)) {
        bk_error_at(err, path, 0, 0, -1);
        bk_error_set(err, BK_E_IO, "cannot read: %s", strerror(errno));
        bk_source_close(src);
        return NULL;
    }
    return src;
}

bk_source *bk_source_open_memory(const char *name, const void *data, size_t len, bk_error *err)
{
    bk_source *src = source_alloc(name, err);
    if (!src)
        return NULL;
    src->mem = data ? data : (const unsigned char *)"";
    src->mem_len = len;
    return src;
}

void bk_source_close(bk_source *src)
{
    if (!src)
        return;
    if (src->close_f && src->f)
        fclose(src->f);
    bk_free(src->slurped);
    bk_free(src->name);
    bk_free(src->path);
    bk_free(src);
}

const char *bk_source_name(const bk_source *src) { return src->name; }
const char *bk_source_path(const bk_source *src) { return src->path; }
int bk_source_is_dir(const bk_source *src) { return src->is_dir; }
const bk_error *bk_source_error(const bk_source *src) { return &src->err; }

const unsigned char *bk_source_head(const bk_source *src, size_t *len)
{
    if (src->mem) {
        *len = src->mem_len < BK_PROBE_BYTES ? src->mem_len : BK_PROBE_BYTES;
        return src->mem;
    }
    *len = src->head_len;
    return src->head;
}

int bk_probe_contains(const unsigned char *head, size_t len, const char *needle)
{
    size_t n = strlen(needle);
    for (size_t i = 0; i + n <= len; i++)
        if (head[i] == (unsigned char)needle[0] && memcmp(head + i, needle, n) == 0)
            return 1;
    return 0;
}

int bk_probe_has_extension(const bk_probe *p, const char *ext)
{
    size_t n = p->name ? strlen(p->name) : 0, k = strlen(ext);
    return n > k + 1 && p->name[n - k - 1] == '.' && strcasecmp(p->name + n - k, ext) == 0;
}

long bk_source_read(bk_source *src, void *buf, size_t n)
{
    if (src->is_dir) {
        bk_error_at(&src->err, src->name, 0, 0, -1);
        bk_error_set(&src->err, BK_E_IO, "is a folder, not a file");
        return -1;
    }
    if (n > (size_t)0x7fffffff)
        n = 0x7fffffff;
    if (src->mem) {
        size_t left = src->mem_len - src->mem_pos;
        if (n > left)
            n = left;
        memcpy(buf, src->mem + src->mem_pos, n);
        src->mem_pos += n;
        return (long)n;
    }
    size_t got = 0;
    if (src->head_pos < src->head_len) {
        got = src->head_len - src->head_pos;
        if (got > n)
            got = n;
        memcpy(buf, src->head + src->head_pos, got);
        src->head_pos += got;
        if (got == n)
            return (long)got;
    }
    size_t more = fread((char *)buf + got, 1, n - got, src->f);
    if (more == 0 && ferror(src->f)) {
        bk_error_at(&src->err, src->name, 0, 0, -1);
        bk_error_set(&src->err, BK_E_IO, "cannot read: %s", strerror(errno));
        return -1;
    }
    return (long)(got + more);
}

bk_status bk_source_slurp(bk_source *src, size_t max_bytes, const unsigned char **data,
                          size_t *len, bk_error *err)
{
    if (src->mem) {
        size_t left = src->mem_len - src->mem_pos;
        if (max_bytes && left > max_bytes) {
            bk_error_at(err, src->name, 0, 0, -1);
            return bk_error_set(err, BK_E_LIMIT, "input is larger than the limit of %zu bytes "
                                "(max-input-bytes)", max_bytes);
        }
        *data = src->mem + src->mem_pos;
        *len = left;
        src->mem_pos = src->mem_len;
        return BK_OK;
    }
    size_t n = 0, cap = 0;
    unsigned char *buf = NULL;
    /* A regular file says its size: refuse it before reading, and allocate once. */
    struct stat st;
    if (src->f && fstat(fileno(src->f), &st) == 0 && S_ISREG(st.st_mode)) {
        if (max_bytes && (unsigned long long)st.st_size > max_bytes) {
            bk_error_at(err, src->name, 0, 0, -1);
            return bk_error_set(err, BK_E_LIMIT, "input is larger than the limit of %zu bytes "
                                "(max-input-bytes)", max_bytes);
        }
        cap = (size_t)st.st_size + 1; /* one more to see the end */
    }
    for (;;) {
        /* Never hold more than max_bytes + 1 (a pipe or /dev/zero does not say its size, and
         * doubling would reach twice the limit before refusing). */
        size_t want = cap > n ? cap : n + (n > 65536 ? n : 65536);
        if (max_bytes && want > max_bytes + 1)
            want = max_bytes + 1;
        if (want > cap) {
            unsigned char *nb = bk_realloc(buf, want);
            if (!nb) {
                bk_free(buf);
                return bk_error_set(err, BK_E_NOMEM, "out of memory");
            }
            buf = nb;
            cap = want;
        } else if (!buf && !(buf = bk_malloc(cap))) {
            return bk_error_set(err, BK_E_NOMEM, "out of memory");
        }
        long got = bk_source_read(src, buf + n, cap - n);
        if (got < 0) {
            bk_free(buf);
            if (err)
                *err = src->err;
            return BK_E_IO;
        }
        if (got == 0)
            break;
        n += (size_t)got;
        if (max_bytes && n > max_bytes) {
            bk_free(buf);
            bk_error_at(err, src->name, 0, 0, -1);
            return bk_error_set(err, BK_E_LIMIT, "input is larger than the limit of %zu bytes "
                                "(max-input-bytes)", max_bytes);
        }
    }
    bk_free(src->slurped);
    src->slurped = buf;
    *data = buf ? buf : (const unsigned char *)"";
    *len = n;
    return BK_OK;
}

int bk_path_is_safe(const char *rel)
{
    if (!rel || !*rel || rel[0] == '/' || strchr(rel, '\\'))
        return 0;
    if (((rel[0] >= 'A' && rel[0] <= 'Z') || (rel[0] >= 'a' && rel[0] <= 'z')) && rel[1] == ':')
        return 0; /* drive letter */
    const char *p = rel;
    while (*p) {
        const char *e = strchr(p, '/');
        size_t n = e ? (size_t)(e - p) : strlen(p);
        if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && p[0] == '.' && p[1] == '.'))
            return 0;
        for (size_t i = 0; i < n; i++)
            if ((unsigned char)p[i] < 0x20 || p[i] == 0x7f || p[i] == ':')
                return 0;
        p += n;
        if (*p == '/')
            p++;
    }
    return 1;
}

static int name_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void bk_dir_list_free(char **names, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bk_free(names[i]);
    bk_free(names);
}

bk_status bk_dir_list(const char *dir, const char *suffix, char ***names, size_t *n,
                      bk_error *err)
{
    *names = NULL;
    *n = 0;
    DIR *d = opendir(dir);
    if (!d) {
        bk_error_at(err, dir, 0, 0, -1);
        return bk_error_set(err, BK_E_IO, "cannot open the folder: %s", strerror(errno));
    }
    char **list = NULL;
    size_t count = 0, cap = 0, slen = suffix ? strlen(suffix) : 0;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        size_t len = strlen(e->d_name);
        if (e->d_name[0] == '.' || len <= slen || (slen && strcmp(e->d_name + len - slen, suffix) != 0))
            continue;
        char *name = bk_strdup(e->d_name);
        if (!name || bk_grow((void **)&list, &cap, count + 1, sizeof *list)) {
            bk_free(name);
            closedir(d);
            bk_dir_list_free(list, count);
            return bk_error_set(err, BK_E_NOMEM, "out of memory");
        }
        list[count++] = name;
    }
    closedir(d);
    if (count > 1)
        qsort(list, count, sizeof *list, name_cmp);
    *names = list;
    *n = count;
    return BK_OK;
}
