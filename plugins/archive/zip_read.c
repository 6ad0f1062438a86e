/* Reading ZIP archives without keeping their central directory (see zip_read.h). Layouts are
 * those of PKWARE's APPNOTE.TXT: end of central directory record, its ZIP64 locator and
 * record, central directory file headers with the ZIP64 extended information extra field, and
 * local file headers. */
#define _POSIX_C_SOURCE 200809L /* pread */
#include "zip_read.h"

#include "archive.h"

#include <errno.h>
#include <fcntl.h>
#include <iconv.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include <budgetkit/alloc.h>

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_END 0x06054b50u
#define SIG_END64 0x06064b50u
#define SIG_LOCATOR64 0x07064b50u
#define END_SIZE 22u
#define END64_SIZE 56u
#define LOCATOR64_SIZE 20u
#define CENTRAL_SIZE 46u
#define LOCAL_SIZE 30u
#define MAX_COMMENT 0xFFFFu
#define EXTRA_ZIP64 0x0001u
#define FLAG_UTF8 0x0800u
#define CHUNK ((size_t)65536)

struct bkar_zip {
    int fd;                     /* -1 for a buffer */
    const unsigned char *data;  /* the buffer */
    uint64_t file_size;
    uint64_t count;             /* entries */
    uint64_t cd_start, cd_end;  /* the central directory's bytes */
    int saved_errno;
    /* The walk: a window of the directory. */
    unsigned char *win;
    size_t win_cap, win_len;
    uint64_t win_off;
    /* One record looked up out of order, read on its own. */
    unsigned char *one;
    size_t one_cap;
    uint64_t next_off, next_index;
};

struct bkar_zip_stream {
    bkar_zip *zip;
    int stored, inflating, stream_end;
    uint64_t pos, left; /* compressed bytes not yet read from the file */
    unsigned char *in;
    z_stream z;
};

static uint16_t get16(const unsigned char *p)
{
    return (uint16_t)(p[0] | (unsigned)p[1] << 8);
}

static uint32_t get32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static uint64_t get64(const unsigned char *p)
{
    return (uint64_t)get32(p) | (uint64_t)get32(p + 4) << 32;
}

/* len bytes at off, all of them inside the file. */
static bkar_zip_status read_at(bkar_zip *z, uint64_t off, void *buf, size_t len)
{
    if (off > z->file_size || len > z->file_size - off)
        return BKAR_ZIP_INCONS;
    if (z->fd < 0) {
        memcpy(buf, z->data + off, len);
        return BKAR_ZIP_OK;
    }
    unsigned char *p = buf;
    while (len > 0) {
        ssize_t n = pread(z->fd, p, len, (off_t)off);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            z->saved_errno = n < 0 ? errno : EIO;
            return BKAR_ZIP_IO;
        }
        p += n;
        off += (uint64_t)n;
        len -= (size_t)n;
    }
    return BKAR_ZIP_OK;
}

/* ---- the end of central directory ---- */

static bkar_zip_status read_end64(bkar_zip *z, uint64_t locator)
{
    unsigned char l[LOCATOR64_SIZE], e[END64_SIZE];
    bkar_zip_status st = read_at(z, locator, l, sizeof l);
    if (st != BKAR_ZIP_OK)
        return st;
    if (get32(l) != SIG_LOCATOR64)
        return BKAR_ZIP_INCONS;
    if (get32(l + 4) != 0 || get32(l + 16) > 1)
        return BKAR_ZIP_MULTIDISK;
    uint64_t at = get64(l + 8);
    if (at > locator || locator - at < END64_SIZE)
        return BKAR_ZIP_INCONS;
    if ((st = read_at(z, at, e, sizeof e)) != BKAR_ZIP_OK)
        return st;
    if (get32(e) != SIG_END64)
        return BKAR_ZIP_INCONS;
    if (get32(e + 16) != 0 || get32(e + 20) != 0 || get64(e + 24) != get64(e + 32))
        return BKAR_ZIP_MULTIDISK;
    z->count = get64(e + 32);
    uint64_t size = get64(e + 40), start = get64(e + 48);
    if (start > at || size > at - start)
        return BKAR_ZIP_INCONS;
    z->cd_start = start;
    z->cd_end = start + size;
    return BKAR_ZIP_OK;
}

static bkar_zip_status read_end(bkar_zip *z, const unsigned char *e, uint64_t at)
{
    uint16_t disk = get16(e + 4), cd_disk = get16(e + 6), here = get16(e + 8), all = get16(e + 10);
    uint32_t size = get32(e + 12), start = get32(e + 16);
    int markers = here == 0xFFFFu || all == 0xFFFFu || size == 0xFFFFFFFFu || start == 0xFFFFFFFFu;
    /* A ZIP64 archive says so with a locator just before this record; its fields here may
     * hold the 0xFFFF... markers or, when they fit, the real values. */
    if (at >= LOCATOR64_SIZE) {
        unsigned char sig[4];
        bkar_zip_status st = read_at(z, at - LOCATOR64_SIZE, sig, sizeof sig);
        if (st != BKAR_ZIP_OK)
            return st;
        /* Four bytes of the last name may look like a locator: without markers, a locator
         * that leads nowhere is taken for such bytes. */
        if (get32(sig) == SIG_LOCATOR64) {
            st = read_end64(z, at - LOCATOR64_SIZE);
            if (st == BKAR_ZIP_OK || markers)
                return st;
        }
    }
    if (markers)
        return BKAR_ZIP_INCONS; /* ZIP64 markers without the ZIP64 records */
    if (disk != 0 || cd_disk != 0 || here != all)
        return BKAR_ZIP_MULTIDISK;
    if (start > at || size > at - start)
        return BKAR_ZIP_INCONS;
    z->count = all;
    z->cd_start = start;
    z->cd_end = (uint64_t)start + size;
    return BKAR_ZIP_OK;
}

/* The record is the last signature in the file's tail whose comment fits the file. */
static bkar_zip_status find_end(bkar_zip *z)
{
    if (z->file_size < END_SIZE)
        return BKAR_ZIP_NOZIP;
    uint64_t tail_len = z->file_size < END_SIZE + MAX_COMMENT ? z->file_size : END_SIZE + MAX_COMMENT;
    uint64_t tail_off = z->file_size - tail_len;
    unsigned char *tail = bk_malloc((size_t)tail_len);
    if (!tail)
        return BKAR_ZIP_NOMEM;
    bkar_zip_status st = read_at(z, tail_off, tail, (size_t)tail_len);
    if (st == BKAR_ZIP_OK) {
        st = BKAR_ZIP_NOZIP;
        for (size_t i = (size_t)tail_len - END_SIZE + 1; i-- > 0;) {
            if (get32(tail + i) != SIG_END || i + END_SIZE + get16(tail + i + 20) > tail_len)
                continue;
            st = read_end(z, tail + i, tail_off + i);
            break;
        }
    }
    bk_free(tail);
    if (st == BKAR_ZIP_OK && z->count > (z->cd_end - z->cd_start) / CENTRAL_SIZE)
        st = BKAR_ZIP_INCONS;
    return st;
}

static bkar_zip_status open_common(bkar_zip *z, bkar_zip **out)
{
    bkar_zip_status st = find_end(z);
    if (st != BKAR_ZIP_OK) {
        bkar_zip_close(z);
        return st;
    }
    bkar_zip_rewind(z);
    *out = z;
    return BKAR_ZIP_OK;
}

bkar_zip_status bkar_zip_open_file(const char *path, bkar_zip **out)
{
    *out = NULL;
    bkar_zip *z = bk_calloc(1, sizeof *z);
    if (!z)
        return BKAR_ZIP_NOMEM;
    z->fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (z->fd < 0 || fstat(z->fd, &sb) != 0) {
        int e = errno;
        bkar_zip_close(z);
        errno = e;
        return BKAR_ZIP_IO;
    }
    z->file_size = (uint64_t)sb.st_size;
    return open_common(z, out);
}

bkar_zip_status bkar_zip_open_memory(const unsigned char *data, size_t len, bkar_zip **out)
{
    *out = NULL;
    bkar_zip *z = bk_calloc(1, sizeof *z);
    if (!z)
        return BKAR_ZIP_NOMEM;
    z->fd = -1;
    z->data = data;
    z->file_size = len;
    return open_common(z, out);
}

void bkar_zip_close(bkar_zip *z)
{
    if (!z)
        return;
    if (z->fd >= 0)
        close(z->fd);
    bk_free(z->win);
    bk_free(z->one);
    bk_free(z);
}

uint64_t bkar_zip_count(const bkar_zip *z)
{
    return z->count;
}

int bkar_zip_errno(const bkar_zip *z)
{
    return z->saved_errno;
}

/* ---- central directory records ---- */

/* The window holds [off, off + len) of the directory, reading more as needed. */
static bkar_zip_status window(bkar_zip *z, uint64_t off, size_t len, const unsigned char **p)
{
    if (off < z->cd_start || off > z->cd_end || len > z->cd_end - off)
        return BKAR_ZIP_INCONS;
    if (off >= z->win_off && off - z->win_off <= z->win_len &&
        len <= z->win_len - (size_t)(off - z->win_off)) {
        *p = z->win + (off - z->win_off);
        return BKAR_ZIP_OK;
    }
    size_t want = len > CHUNK ? len : CHUNK;
    if (want > z->cd_end - off)
        want = (size_t)(z->cd_end - off);
    if (want > z->win_cap) {
        if (bk_grow((void **)&z->win, &z->win_cap, want, 1) != 0)
            return BKAR_ZIP_NOMEM;
    }
    z->win_len = 0;
    bkar_zip_status st = read_at(z, off, z->win, want);
    if (st != BKAR_ZIP_OK)
        return st;
    z->win_off = off;
    z->win_len = want;
    *p = z->win;
    return BKAR_ZIP_OK;
}

/* The same for a record read out of order: only its own bytes. */
static bkar_zip_status single(bkar_zip *z, uint64_t off, size_t len, const unsigned char **p)
{
    if (off < z->cd_start || off > z->cd_end || len > z->cd_end - off)
        return BKAR_ZIP_INCONS;
    if (len > z->one_cap && bk_grow((void **)&z->one, &z->one_cap, len, 1) != 0)
        return BKAR_ZIP_NOMEM;
    bkar_zip_status st = read_at(z, off, z->one, len);
    *p = z->one;
    return st;
}

/* The ZIP64 extra field holds, in this order, those of size, compressed size and offset whose
 * 32-bit fields are all ones. */
static bkar_zip_status zip64_fields(const unsigned char *x, size_t xlen, bkar_zip_entry *e)
{
    int need_size = e->size == 0xFFFFFFFFu, need_csize = e->csize == 0xFFFFFFFFu,
        need_local = e->local == 0xFFFFFFFFu;
    if (!need_size && !need_csize && !need_local)
        return BKAR_ZIP_OK;
    while (xlen >= 4) {
        uint16_t id = get16(x), n = get16(x + 2);
        if ((size_t)n > xlen - 4)
            return BKAR_ZIP_INCONS;
        if (id == EXTRA_ZIP64) {
            const unsigned char *v = x + 4;
            size_t left = n;
            uint64_t *fields[3] = {need_size ? &e->size : NULL, need_csize ? &e->csize : NULL,
                                   need_local ? &e->local : NULL};
            for (int i = 0; i < 3; i++) {
                if (!fields[i])
                    continue;
                if (left < 8)
                    return BKAR_ZIP_INCONS;
                *fields[i] = get64(v);
                v += 8;
                left -= 8;
            }
            return BKAR_ZIP_OK;
        }
        x += 4 + (size_t)n;
        xlen -= 4 + (size_t)n;
    }
    return BKAR_ZIP_INCONS;
}

static int name_reserve(bkar_zip_entry *e, size_t n)
{
    return bk_grow((void **)&e->name, &e->name_cap, n, 1);
}

/* Names are UTF-8 when flagged so or when their bytes are; otherwise they come from a Chinese
 * Windows, whose archivers write the system code page (GBK, a subset of GB18030). */
static bkar_zip_status set_name(bkar_zip_entry *e, const unsigned char *raw, size_t n)
{
    e->name_bad = memchr(raw, '\0', n) != NULL;
    if ((e->flags & FLAG_UTF8) || bkar_is_utf8(raw, n) || e->name_bad) {
        if (name_reserve(e, n + 1) != 0)
            return BKAR_ZIP_NOMEM;
        memcpy(e->name, raw, n);
        e->name[n] = '\0';
        e->name_len = strlen(e->name);
        if (!bkar_is_utf8((const unsigned char *)e->name, e->name_len))
            e->name_bad = 1;
        return BKAR_ZIP_OK;
    }
    size_t cap = 2 * n + 1; /* a GB18030 character of 2 or 4 bytes is at most 4 in UTF-8 */
    if (name_reserve(e, cap) != 0)
        return BKAR_ZIP_NOMEM;
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return BKAR_ZIP_NOMEM;
    char *in = (char *)(uintptr_t)raw, *o = e->name;
    size_t inleft = n, outleft = cap - 1;
    size_t r = iconv(cd, &in, &inleft, &o, &outleft);
    iconv_close(cd);
    if (r == (size_t)-1 || inleft != 0) {
        e->name_bad = 1;
        o = e->name;
    }
    *o = '\0';
    e->name_len = (size_t)(o - e->name);
    return BKAR_ZIP_OK;
}

static bkar_zip_status parse_record(bkar_zip *z, uint64_t off, int in_order, bkar_zip_entry *e,
                                    uint64_t *next)
{
    bkar_zip_status (*get)(bkar_zip *, uint64_t, size_t, const unsigned char **) =
        in_order ? window : single;
    const unsigned char *h;
    bkar_zip_status st = get(z, off, CENTRAL_SIZE, &h);
    if (st != BKAR_ZIP_OK)
        return st;
    if (get32(h) != SIG_CENTRAL)
        return BKAR_ZIP_INCONS;
    e->record = off;
    e->made_by = get16(h + 4);
    e->flags = get16(h + 8);
    e->method = get16(h + 10);
    e->crc = get32(h + 16);
    e->csize = get32(h + 20);
    e->size = get32(h + 24);
    size_t nlen = get16(h + 28), xlen = get16(h + 30), clen = get16(h + 32);
    e->external = get32(h + 38);
    e->local = get32(h + 42);
    size_t total = CENTRAL_SIZE + nlen + xlen + clen;
    if ((st = get(z, off, total, &h)) != BKAR_ZIP_OK)
        return st;
    if ((st = zip64_fields(h + CENTRAL_SIZE + nlen, xlen, e)) != BKAR_ZIP_OK)
        return st;
    if ((st = set_name(e, h + CENTRAL_SIZE, nlen)) != BKAR_ZIP_OK)
        return st;
    *next = off + total;
    return BKAR_ZIP_OK;
}

void bkar_zip_rewind(bkar_zip *z)
{
    z->next_off = z->cd_start;
    z->next_index = 0;
}

bkar_zip_status bkar_zip_next(bkar_zip *z, bkar_zip_entry *e)
{
    if (z->next_index >= z->count)
        return z->next_off == z->cd_end ? BKAR_ZIP_END : BKAR_ZIP_INCONS;
    uint64_t next;
    bkar_zip_status st = parse_record(z, z->next_off, 1, e, &next);
    if (st != BKAR_ZIP_OK)
        return st;
    e->index = z->next_index++;
    z->next_off = next;
    return BKAR_ZIP_OK;
}

bkar_zip_status bkar_zip_entry_at(bkar_zip *z, uint64_t record, uint64_t index,
                                  bkar_zip_entry *e)
{
    uint64_t next;
    bkar_zip_status st = parse_record(z, record, 0, e, &next);
    e->index = index;
    return st;
}

void bkar_zip_entry_fini(bkar_zip_entry *e)
{
    bk_free(e->name);
    e->name = NULL;
    e->name_cap = 0;
}

/* ---- an entry's data ---- */

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    return bk_calloc(items, size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    bk_free(p);
}

bkar_zip_status bkar_zip_stream_open(bkar_zip *z, const bkar_zip_entry *e,
                                     bkar_zip_stream **out)
{
    *out = NULL;
    unsigned char h[LOCAL_SIZE];
    bkar_zip_status st = read_at(z, e->local, h, sizeof h);
    if (st == BKAR_ZIP_INCONS || (st == BKAR_ZIP_OK && get32(h) != SIG_LOCAL))
        return BKAR_ZIP_LOCAL;
    if (st != BKAR_ZIP_OK)
        return st;
    uint64_t start = e->local + LOCAL_SIZE + get16(h + 26) + get16(h + 28);
    /* The data lies before the central directory; an entry whose data would reach into it
     * or past the file was cut short. */
    uint64_t limit = z->cd_start;
    if (start > limit || e->csize > limit - start)
        return BKAR_ZIP_TRUNCATED;
    bkar_zip_stream *s = bk_calloc(1, sizeof *s);
    if (!s)
        return BKAR_ZIP_NOMEM;
    s->zip = z;
    s->pos = start;
    s->left = e->csize;
    s->stored = e->method == 0;
    if (!s->stored) {
        if (!(s->in = bk_malloc(CHUNK))) {
            bkar_zip_stream_close(s);
            return BKAR_ZIP_NOMEM;
        }
        s->z.zalloc = z_alloc;
        s->z.zfree = z_free;
        int ret = inflateInit2(&s->z, -MAX_WBITS);
        if (ret != Z_OK) {
            bkar_zip_stream_close(s);
            return ret == Z_MEM_ERROR ? BKAR_ZIP_NOMEM : BKAR_ZIP_DAMAGED;
        }
        s->inflating = 1;
    }
    *out = s;
    return BKAR_ZIP_OK;
}

static long read_stored(bkar_zip_stream *s, unsigned char *buf, size_t cap, bkar_zip_status *st)
{
    size_t n = s->left < cap ? (size_t)s->left : cap;
    if (n == 0)
        return 0;
    if ((*st = read_at(s->zip, s->pos, buf, n)) != BKAR_ZIP_OK)
        return -1;
    s->pos += n;
    s->left -= n;
    return (long)n;
}

long bkar_zip_stream_read(bkar_zip_stream *s, unsigned char *buf, size_t cap,
                          bkar_zip_status *st)
{
    *st = BKAR_ZIP_OK;
    if (cap > CHUNK)
        cap = CHUNK;
    if (s->stored)
        return read_stored(s, buf, cap, st);
    if (s->stream_end || cap == 0)
        return 0;
    s->z.next_out = buf;
    s->z.avail_out = (uInt)cap;
    while (s->z.avail_out == cap) {
        if (s->z.avail_in == 0 && s->left > 0) {
            size_t n = s->left < CHUNK ? (size_t)s->left : CHUNK;
            if ((*st = read_at(s->zip, s->pos, s->in, n)) != BKAR_ZIP_OK)
                return -1;
            s->pos += n;
            s->left -= n;
            s->z.next_in = s->in;
            s->z.avail_in = (uInt)n;
        }
        int ret = inflate(&s->z, Z_NO_FLUSH);
        if (ret == Z_STREAM_END) {
            s->stream_end = 1;
            break;
        }
        if (ret == Z_MEM_ERROR) {
            *st = BKAR_ZIP_NOMEM;
            return -1;
        }
        /* No progress with all the compressed bytes given: the stream is cut or damaged. */
        if (ret != Z_OK && !(ret == Z_BUF_ERROR && s->z.avail_in == 0 && s->left > 0)) {
            *st = BKAR_ZIP_DAMAGED;
            return -1;
        }
    }
    return (long)(cap - s->z.avail_out);
}

void bkar_zip_stream_close(bkar_zip_stream *s)
{
    if (!s)
        return;
    if (s->inflating)
        inflateEnd(&s->z);
    bk_free(s->in);
    bk_free(s);
}
