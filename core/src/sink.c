/* Outputs that appear only when complete: temporary file (or folder) in the destination's
 * folder, synced, then renamed into place. */
#define _GNU_SOURCE /* syncfs */
#include "budgetkit/io.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "budgetkit/alloc.h"

enum sink_kind { SINK_FILE, SINK_STDOUT, SINK_DIR, SINK_MEMORY, SINK_MEMBER };

struct bk_sink {
    enum sink_kind kind;
    char *name;       /* as the user named it */
    char *final_path; /* file and folder sinks */
    char *tmp_path;   /* temporary file or staging folder */
    FILE *f;
    int close_f; /* written-through files other than standard output */
    unsigned char *mem;
    size_t mem_len, mem_cap;
    unsigned long long written;
    bk_status status;
    int saved_errno;
    struct bk_sink *dir; /* members: their folder */
};

/* Temporaries still on disk, so that an interrupted program can remove them. A fixed table:
 * the signal handler must not allocate; its slots are taken and freed atomically, as the
 * threads of a parallel job may write files (a grid dump) while the output is written. A job
 * writes a handful at once; one that wants more than the table holds is refused rather than
 * left with a temporary that an interruption would leave behind. */
#define MAX_TEMPS 64
static _Atomic(char *) temps[MAX_TEMPS];

static int temp_register(char *path)
{
    for (int i = 0; i < MAX_TEMPS; i++) {
        char *expected = NULL;
        if (atomic_compare_exchange_strong(&temps[i], &expected, path))
            return 0;
    }
    return -1;
}

static void temp_forget(const char *path)
{
    for (int i = 0; i < MAX_TEMPS; i++) {
        char *expected = (char *)path;
        atomic_compare_exchange_strong(&temps[i], &expected, NULL);
    }
}

/* Empty a staging folder with system calls only (no allocation, no locks), so that this works
 * from a signal handler. Staging folders are flat. */
static void empty_folder_raw(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0)
        return;
    _Alignas(8) char buf[4096];
    long n;
    while ((n = syscall(SYS_getdents64, fd, buf, sizeof buf)) > 0) {
        for (long off = 0; off < n;) {
            struct linux_dirent64 {
                uint64_t d_ino;
                int64_t d_off;
                unsigned short d_reclen;
                unsigned char d_type;
                char d_name[];
            } *e = (void *)(buf + off);
            if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
                (void)unlinkat(fd, e->d_name, 0);
            off += e->d_reclen;
        }
    }
    close(fd);
}

void bk_sink_remove_temporaries(void)
{
    for (int i = 0; i < MAX_TEMPS; i++) {
        char *path = atomic_exchange(&temps[i], NULL);
        if (path && unlink(path) != 0) {
            empty_folder_raw(path);
            (void)rmdir(path);
        }
    }
}

static bk_sink *sink_alloc(enum sink_kind kind, const char *name, bk_error *err)
{
    bk_sink *s = bk_calloc(1, sizeof *s);
    if (!s || !(s->name = bk_strdup(name))) {
        bk_free(s);
        bk_error_set(err, BK_E_NOMEM, "out of memory");
        return NULL;
    }
    s->kind = kind;
    return s;
}

static void sink_free(bk_sink *s)
{
    if (s->tmp_path)
        temp_forget(s->tmp_path);
    bk_free(s->name);
    bk_free(s->final_path);
    bk_free(s->tmp_path);
    bk_free(s->mem);
    bk_free(s);
}

static bk_sink *too_many_temps(bk_sink *s, const char *path, int is_dir, bk_error *err)
{
    if (is_dir)
        rmdir(s->tmp_path);
    else
        unlink(s->tmp_path);
    bk_error_at(err, path, 0, 0, -1);
    bk_error_set(err, BK_E_LIMIT, "more than %d outputs are being written at once", MAX_TEMPS);
    sink_free(s);
    return NULL;
}

/* "<folder of path>/.<base>.tmp-XXXXXX", the base cut so that the name stays within NAME_MAX
 * (a 249-byte output name is valid; its temporary must be too). */
static char *temp_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    size_t dirlen = slash ? (size_t)(slash - path) + 1 : 0;
    const char *base = slash ? slash + 1 : path;
    size_t blen = strlen(base);
    if (blen > NAME_MAX - 12)
        blen = NAME_MAX - 12;
    size_t n = dirlen + 1 + blen + 12;
    char *t = bk_malloc(n);
    if (t)
        snprintf(t, n, "%.*s.%.*s.tmp-XXXXXX", (int)dirlen, path, (int)blen, base);
    return t;
}

static mode_t file_mode(void)
{
    mode_t mask = umask(0);
    umask(mask);
    return 0666 & ~mask;
}

static bk_status io_fail(bk_error *err, const char *name, const char *what)
{
    bk_error_at(err, name, 0, 0, -1);
    return bk_error_set(err, BK_E_IO, "%s: %s", what, strerror(errno));
}

bk_sink *bk_sink_open_file(const char *path, bk_error *err)
{
    if (strcmp(path, "-") == 0) {
        bk_sink *s = sink_alloc(SINK_STDOUT, "-", err);
        if (s)
            s->f = stdout;
        return s;
    }
    struct stat sb;
    if (stat(path, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISDIR(sb.st_mode)) {
        /* A device or pipe (/dev/null, a FIFO) cannot be replaced by renaming: write through. */
        bk_sink *s = sink_alloc(SINK_STDOUT, path, err);
        if (s && !(s->f = fopen(path, "wb"))) {
            io_fail(err, path, "cannot open the output");
            sink_free(s);
            return NULL;
        }
        if (s)
            s->close_f = 1;
        return s;
    }
    bk_sink *s = sink_alloc(SINK_FILE, path, err);
    if (!s)
        return NULL;
    s->final_path = bk_strdup(path);
    s->tmp_path = temp_name(path);
    if (!s->final_path || !s->tmp_path) {
        sink_free(s);
        bk_error_set(err, BK_E_NOMEM, "out of memory");
        return NULL;
    }
    int fd = mkstemp(s->tmp_path);
    if (fd < 0) {
        io_fail(err, path, "cannot create the output file");
        sink_free(s);
        return NULL;
    }
    if (temp_register(s->tmp_path) != 0) {
        close(fd);
        return too_many_temps(s, path, 0, err);
    }
    if (fchmod(fd, file_mode()) != 0 || !(s->f = fdopen(fd, "wb"))) {
        io_fail(err, path, "cannot create the output file");
        close(fd);
        unlink(s->tmp_path);
        sink_free(s);
        return NULL;
    }
    return s;
}

bk_sink *bk_sink_open_dir(const char *path, bk_error *err)
{
    size_t len = strlen(path);
    while (len > 1 && path[len - 1] == '/')
        len--;
    bk_sink *s = sink_alloc(SINK_DIR, path, err);
    if (!s)
        return NULL;
    s->final_path = bk_strndup(path, len);
    /* An existing folder stages inside itself: on its own filesystem, wherever a symbolic
     * link to it points (a staging folder beside the link may be on another one: EXDEV). */
    struct stat sb;
    if (s->final_path && stat(s->final_path, &sb) == 0 && S_ISDIR(sb.st_mode)) {
        size_t n = len + sizeof "/.budgetkit.tmp-XXXXXX";
        s->tmp_path = bk_malloc(n);
        if (s->tmp_path)
            snprintf(s->tmp_path, n, "%s/.budgetkit.tmp-XXXXXX", s->final_path);
    } else {
        s->tmp_path = s->final_path ? temp_name(s->final_path) : NULL;
    }
    if (!s->final_path || !s->tmp_path) {
        sink_free(s);
        bk_error_set(err, BK_E_NOMEM, "out of memory");
        return NULL;
    }
    if (!mkdtemp(s->tmp_path)) {
        io_fail(err, path, "cannot create the output folder");
        sink_free(s);
        return NULL;
    }
    if (temp_register(s->tmp_path) != 0)
        return too_many_temps(s, path, 1, err);
    return s;
}

bk_sink *bk_sink_open_memory(const char *name, bk_error *err)
{
    return sink_alloc(SINK_MEMORY, name, err);
}

const char *bk_sink_name(const bk_sink *s) { return s->name; }
int bk_sink_is_dir(const bk_sink *s) { return s->kind == SINK_DIR; }
unsigned long long bk_sink_tell(const bk_sink *s) { return s->written; }

const unsigned char *bk_sink_memory(const bk_sink *s, size_t *len)
{
    *len = s->mem_len;
    return s->mem ? s->mem : (const unsigned char *)"";
}

bk_status bk_sink_write(bk_sink *s, const void *data, size_t len)
{
    if (s->status != BK_OK)
        return s->status;
    if (len == 0)
        return BK_OK;
    if (s->kind == SINK_MEMORY) {
        if (bk_grow((void **)&s->mem, &s->mem_cap, s->mem_len + len, 1))
            return s->status = BK_E_NOMEM;
        memcpy(s->mem + s->mem_len, data, len);
        s->mem_len += len;
    } else if (s->kind == SINK_DIR) {
        return s->status = BK_E_INTERNAL;
    } else if (fwrite(data, 1, len, s->f) != len) {
        s->saved_errno = errno;
        return s->status = BK_E_IO;
    }
    s->written += len;
    return BK_OK;
}

bk_status bk_sink_puts(bk_sink *s, const char *str) { return bk_sink_write(s, str, strlen(str)); }

bk_status bk_sink_printf(bk_sink *s, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    if (n < 0)
        return s->status = BK_E_INTERNAL;
    if ((size_t)n < sizeof buf)
        return bk_sink_write(s, buf, (size_t)n);
    char *big = bk_malloc((size_t)n + 1);
    if (!big)
        return s->status = BK_E_NOMEM;
    va_start(ap, fmt);
    vsnprintf(big, (size_t)n + 1, fmt, ap);
    va_end(ap);
    bk_status st = bk_sink_write(s, big, (size_t)n);
    bk_free(big);
    return st;
}

bk_sink *bk_sink_member(bk_sink *dir, const char *relname, bk_error *err)
{
    if (dir->kind != SINK_DIR) {
        bk_error_set(err, BK_E_INTERNAL, "not a folder output");
        return NULL;
    }
    if (!bk_path_is_safe(relname) || strchr(relname, '/')) {
        bk_error_at(err, dir->name, 0, 0, -1);
        bk_error_set(err, BK_E_HOSTILE, "refused output file name \"%s\"", relname);
        return NULL;
    }
    bk_sink *s = sink_alloc(SINK_MEMBER, relname, err);
    if (!s)
        return NULL;
    size_t n = strlen(dir->tmp_path) + strlen(relname) + 2;
    s->final_path = bk_malloc(n);
    if (!s->final_path) {
        sink_free(s);
        bk_error_set(err, BK_E_NOMEM, "out of memory");
        return NULL;
    }
    snprintf(s->final_path, n, "%s/%s", dir->tmp_path, relname);
    int fd = open(s->final_path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, file_mode());
    if (fd < 0 || !(s->f = fdopen(fd, "wb"))) {
        io_fail(err, dir->name, errno == EEXIST ? "two outputs share one file name" :
                                                  "cannot create a file in the output folder");
        if (fd >= 0)
            close(fd);
        sink_free(s);
        return NULL;
    }
    s->dir = dir;
    return s;
}

static bk_status flush_and_sync(bk_sink *s, bk_error *err)
{
    if (s->status == BK_E_IO || fflush(s->f) != 0 || fsync(fileno(s->f)) != 0) {
        int e = s->status == BK_E_IO ? s->saved_errno : errno;
        errno = e;
        return io_fail(err, s->kind == SINK_MEMBER ? s->dir->name : s->name,
                       "cannot write the output");
    }
    if (s->status != BK_OK) {
        bk_error_at(err, s->name, 0, 0, -1);
        return bk_error_set(err, s->status, "cannot write the output");
    }
    return BK_OK;
}

static void sync_parent(const char *path)
{
    const char *slash = strrchr(path, '/');
    char dir[4096];
    if (!slash)
        snprintf(dir, sizeof dir, ".");
    else
        snprintf(dir, sizeof dir, "%.*s", (int)(slash - path + (slash == path)), path);
    int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        (void)fsync(fd);
        close(fd);
    }
}

static void remove_tree_flat(const char *dir)
{
    DIR *d = opendir(dir);
    if (d) {
        struct dirent *e;
        char p[4096];
        while ((e = readdir(d)) != NULL) {
            if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
                continue;
            snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
            unlink(p);
        }
        closedir(d);
    }
    rmdir(dir);
}

/* The staged files, by name. */
static char **staged_names(const char *dir, size_t *n)
{
    DIR *d = opendir(dir);
    char **v = NULL;
    size_t cap = 0;
    *n = 0;
    if (!d)
        return NULL;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        void *buf = v;
        char *name = bk_strdup(e->d_name);
        if (!name || bk_grow(&buf, &cap, *n + 1, sizeof *v) != 0) {
            bk_free(name);
            break;
        }
        v = buf;
        v[(*n)++] = name;
    }
    closedir(d);
    if (e != NULL || !v) { /* out of memory: none or some names missing */
        for (size_t i = 0; i < *n; i++)
            bk_free(v[i]);
        bk_free(v);
        *n = 0;
        return NULL;
    }
    return v;
}

/* Move the staged files into an existing folder, all or none: every target is checked first,
 * each file replaced is kept (hard-linked) until all are in place, and the first failure
 * puts back what was there. */
static bk_status merge_into(bk_sink *s, bk_error *err)
{
    size_t n = 0;
    char **names = staged_names(s->tmp_path, &n);
    if (!names)
        return io_fail(err, s->name, "cannot read the staged output");
    bk_status st = BK_OK;
    char from[4096], to[4096], old[4096];
    unsigned char *had = bk_calloc(n + 1, 1); /* 1: a file was there and is kept as old */
    if (!had)
        st = bk_error_set(err, BK_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n && st == BK_OK; i++) {
        struct stat sb;
        snprintf(to, sizeof to, "%s/%s", s->final_path, names[i]);
        if (lstat(to, &sb) == 0 && !S_ISREG(sb.st_mode) && !S_ISLNK(sb.st_mode)) {
            bk_error_at(err, s->name, 0, 0, -1);
            st = bk_error_set(err, BK_E_IO, "%s is in the way: it exists and is not a file "
                              "(nothing in the folder was changed)", names[i]);
        }
    }
    size_t done = 0;
    for (; done < n && st == BK_OK; done++) {
        snprintf(from, sizeof from, "%s/%s", s->tmp_path, names[done]);
        snprintf(to, sizeof to, "%s/%s", s->final_path, names[done]);
        snprintf(old, sizeof old, "%s/.old-%zu", s->tmp_path, done);
        if (link(to, old) == 0)
            had[done] = 1;
        else if (errno != ENOENT)
            st = io_fail(err, s->name, "cannot keep the file it replaces in the output folder");
        if (st == BK_OK && rename(from, to) != 0) {
            st = io_fail(err, s->name, "cannot move a file into the output folder (nothing in "
                         "it was changed)");
            if (had[done])
                unlink(old);
        }
    }
    if (st != BK_OK && done > 0)
        done--; /* the one that failed was undone above */
    for (size_t i = 0; i < done; i++) {
        snprintf(to, sizeof to, "%s/%s", s->final_path, names[i]);
        snprintf(old, sizeof old, "%s/.old-%zu", s->tmp_path, i);
        if (st != BK_OK) {
            if (had[i])
                rename(old, to);
            else
                unlink(to);
        } else if (had[i]) {
            unlink(old);
        }
    }
    for (size_t i = 0; i < n; i++)
        bk_free(names[i]);
    bk_free(names);
    bk_free(had);
    return st;
}

bk_status bk_sink_commit(bk_sink *s, bk_error *err)
{
    bk_status st = BK_OK;
    switch (s->kind) {
    case SINK_MEMORY:
        st = s->status;
        if (st != BK_OK)
            bk_error_set(err, st, "cannot write the output");
        break;
    case SINK_STDOUT:
        if (s->status != BK_OK || fflush(s->f) != 0) {
            if (s->status == BK_E_IO)
                errno = s->saved_errno;
            st = io_fail(err, s->name, "cannot write the output");
        }
        if (s->close_f && fclose(s->f) != 0 && st == BK_OK)
            st = io_fail(err, s->name, "cannot write the output");
        break;
    case SINK_MEMBER:
        /* Synced all at once when the folder is committed: one sync per file costs seconds
         * when a bulk is unpacked. */
        if (s->status != BK_OK || fflush(s->f) != 0) {
            if (s->status == BK_E_IO)
                errno = s->saved_errno;
            st = io_fail(err, s->dir->name, "cannot write the output");
        }
        if (fclose(s->f) != 0 && st == BK_OK)
            st = io_fail(err, s->dir->name, "cannot write the output");
        if (st != BK_OK)
            unlink(s->final_path);
        break;
    case SINK_FILE:
        st = flush_and_sync(s, err);
        if (fclose(s->f) != 0 && st == BK_OK)
            st = io_fail(err, s->name, "cannot write the output");
        if (st == BK_OK && rename(s->tmp_path, s->final_path) != 0)
            st = io_fail(err, s->name, "cannot put the output in place");
        if (st != BK_OK)
            unlink(s->tmp_path);
        else
            sync_parent(s->final_path);
        break;
    case SINK_DIR: {
        struct stat sb;
        int fd = open(s->tmp_path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0 || syncfs(fd) != 0)
            st = io_fail(err, s->name, "cannot write the output");
        if (fd >= 0)
            close(fd);
        if (st != BK_OK)
            ;
        else if (stat(s->final_path, &sb) != 0) {
            if (rename(s->tmp_path, s->final_path) != 0)
                st = io_fail(err, s->name, "cannot put the output folder in place");
        } else if (!S_ISDIR(sb.st_mode)) {
            bk_error_at(err, s->name, 0, 0, -1);
            st = bk_error_set(err, BK_E_IO, "exists and is not a folder");
        } else {
            st = merge_into(s, err);
        }
        if (st == BK_OK)
            sync_parent(s->final_path);
        remove_tree_flat(s->tmp_path); /* gone already when renamed */
        break;
    }
    }
    sink_free(s);
    return st;
}

void bk_sink_abort(bk_sink *s)
{
    if (!s)
        return;
    switch (s->kind) {
    case SINK_FILE:
        fclose(s->f);
        unlink(s->tmp_path);
        break;
    case SINK_MEMBER:
        fclose(s->f);
        unlink(s->final_path);
        break;
    case SINK_DIR:
        remove_tree_flat(s->tmp_path);
        break;
    case SINK_STDOUT:
        if (s->close_f)
            fclose(s->f);
        else
            fflush(s->f);
        break;
    case SINK_MEMORY:
        break;
    }
    sink_free(s);
}
