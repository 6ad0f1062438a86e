/* What FreeXL does not tell about an .xls workbook: the number format of each number cell,
 * the merged ranges, which sheets are hidden and the date system. Without the formats a sum
 * kept as 674.899999999999 could not be shown as the 674.90 it displays.
 *
 * The workbook is an OLE2 compound file (MS-CFB) holding a "Workbook" stream of BIFF8
 * records (MS-XLS). This file reads only what it needs from both, with every offset checked
 * against the bytes it has: the FAT and directory to find the stream, then FORMAT, XF,
 * BOUNDSHEET8 and DATEMODE records of the globals and, per sheet, the XF index of NUMBER, RK,
 * MULRK and FORMULA cells and the MERGECELLS ranges. Cell values stay FreeXL's. */
#include <iconv.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "xlsx_int.h"

#define ENDOFCHAIN 0xFFFFFFFEu

static uint16_t u16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32(const unsigned char *p)
{
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static int fail(bkxl_xls_scan *s, const char *why)
{
    s->why = why;
    return -1;
}

/* ---- the compound file ---- */

typedef struct cfb {
    const unsigned char *data;
    size_t len;
    size_t sector; /* bytes in a sector */
    uint32_t *fat;
    size_t nfat;
    unsigned char *ministream;
    size_t ministream_len;
} cfb;

static const unsigned char *sector_at(const cfb *c, uint32_t n)
{
    size_t off = ((size_t)n + 1) * c->sector;
    if (n >= ENDOFCHAIN - 16 || off / c->sector != (size_t)n + 1 || off > c->len ||
        c->len - off < c->sector)
        return NULL;
    return c->data + off;
}

/* Follow a chain of big sectors from start, copying up to want bytes (all of the chain when
 * want is SIZE_MAX; the buffer grows with the chain, never beyond the file). A loop or a sector
 * outside the file is an error. */
static int read_chain(bkxl_xls_scan *s, const cfb *c, uint32_t start, size_t want,
                      unsigned char **out, size_t *out_len)
{
    size_t limit_bytes = want == SIZE_MAX ? c->len : want;
    if (limit_bytes > c->len)
        return fail(s, "a stream is longer than the file");
    unsigned char *buf = NULL;
    size_t cap = 0, got = 0, steps = 0, limit = c->len / c->sector + 1;
    if (want != SIZE_MAX && bk_grow((void **)&buf, &cap, want ? want : 1, 1))
        return fail(s, "out of memory");
    for (uint32_t n = start; n != ENDOFCHAIN && got < limit_bytes; steps++) {
        const unsigned char *p = sector_at(c, n);
        if (p == NULL || steps > limit || n >= c->nfat) {
            bk_free(buf);
            return fail(s, "a sector chain leaves the file or loops");
        }
        size_t k = limit_bytes - got < c->sector ? limit_bytes - got : c->sector;
        if (bk_grow((void **)&buf, &cap, got + k, 1)) {
            bk_free(buf);
            return fail(s, "out of memory");
        }
        memcpy(buf + got, p, k);
        got += k;
        n = c->fat[n];
    }
    if (want != SIZE_MAX && got < want) {
        bk_free(buf);
        return fail(s, "a stream is shorter than its directory entry says");
    }
    *out = buf;
    *out_len = got;
    return 0;
}

static int read_fat(bkxl_xls_scan *s, cfb *c)
{
    const unsigned char *h = c->data;
    uint32_t nfat_sectors = u32(h + 0x2C), difat = u32(h + 0x44), ndifat = u32(h + 0x48);
    size_t per = c->sector / 4;
    if (nfat_sectors > c->len / c->sector)
        return fail(s, "the header counts more FAT sectors than the file holds");
    c->nfat = (size_t)nfat_sectors * per;
    c->fat = bk_malloc((c->nfat ? c->nfat : 1) * sizeof *c->fat);
    if (c->fat == NULL)
        return fail(s, "out of memory");
    size_t done = 0;
    for (size_t i = 0; i < 109 && done < nfat_sectors; i++, done++) {
        const unsigned char *p = sector_at(c, u32(h + 0x4C + 4 * i));
        if (p == NULL)
            return fail(s, "a FAT sector lies outside the file");
        for (size_t j = 0; j < per; j++)
            c->fat[done * per + j] = u32(p + 4 * j);
    }
    for (uint32_t d = 0; d < ndifat && done < nfat_sectors; d++) {
        const unsigned char *q = sector_at(c, difat);
        if (q == NULL)
            return fail(s, "a DIFAT sector lies outside the file");
        for (size_t i = 0; i + 1 < per && done < nfat_sectors; i++, done++) {
            const unsigned char *p = sector_at(c, u32(q + 4 * i));
            if (p == NULL)
                return fail(s, "a FAT sector lies outside the file");
            for (size_t j = 0; j < per; j++)
                c->fat[done * per + j] = u32(p + 4 * j);
        }
        difat = u32(q + 4 * (per - 1));
    }
    if (done < nfat_sectors)
        return fail(s, "the FAT is incomplete");
    return 0;
}

/* A directory entry's name equals an ASCII name (case-insensitive, as MS-CFB compares). */
static int entry_is(const unsigned char *e, const char *name)
{
    size_t n = strlen(name), bytes = u16(e + 0x40);
    if (bytes != 2 * (n + 1))
        return 0;
    for (size_t i = 0; i < n; i++) {
        unsigned ch = u16(e + 2 * i);
        unsigned want = (unsigned char)name[i];
        if (ch >= 'a' && ch <= 'z')
            ch -= 32;
        if (want >= 'a' && want <= 'z')
            want -= 32;
        if (ch != want)
            return 0;
    }
    return 1;
}

/* The Workbook stream (BIFF8) of the file, in a buffer of its own. */
static int workbook_stream(bkxl_xls_scan *s, cfb *c, unsigned char **out, size_t *out_len)
{
    const unsigned char *h = c->data;
    if (c->len < 512 || u16(h + 0x1C) != 0xFFFE)
        return fail(s, "not a compound file");
    unsigned shift = u16(h + 0x1E);
    if (shift != 9 && shift != 12)
        return fail(s, "the sector size is neither 512 nor 4096");
    c->sector = (size_t)1 << shift;
    if (read_fat(s, c) != 0)
        return -1;
    unsigned char *dir = NULL;
    size_t dir_len = 0;
    if (read_chain(s, c, u32(h + 0x30), SIZE_MAX, &dir, &dir_len) != 0)
        return -1;
    const unsigned char *root = NULL, *book = NULL;
    for (size_t at = 0; at + 128 <= dir_len; at += 128) {
        const unsigned char *e = dir + at;
        if (e[0x42] == 5 && root == NULL)
            root = e;
        else if (e[0x42] == 2 && book == NULL && entry_is(e, "Workbook"))
            book = e;
    }
    int rc = 0;
    if (book == NULL) {
        rc = fail(s, "the file has no Workbook stream (an Excel 5 or older workbook?)");
    } else {
        uint32_t start = u32(book + 0x74);
        size_t size = u32(book + 0x78); /* the high half is 0 in version 3 files */
        uint32_t cutoff = u32(h + 0x38);
        if (size >= cutoff) {
            rc = read_chain(s, c, start, size, out, out_len);
        } else if (root == NULL) {
            rc = fail(s, "the file has no root entry");
        } else {
            /* A small stream lives in the mini stream, in 64-byte sectors. */
            unsigned char *mf = NULL;
            size_t mf_len = 0;
            rc = read_chain(s, c, u32(h + 0x3C), SIZE_MAX, &mf, &mf_len);
            if (rc == 0)
                rc = read_chain(s, c, u32(root + 0x74), u32(root + 0x78), &c->ministream,
                                &c->ministream_len);
            unsigned char *buf = rc == 0 ? bk_malloc(size ? size : 1) : NULL;
            if (rc == 0 && buf == NULL)
                rc = fail(s, "out of memory");
            size_t got = 0, steps = 0;
            for (uint32_t n = start; rc == 0 && got < size; steps++) {
                size_t off = (size_t)n * 64;
                if ((size_t)n >= mf_len / 4 || steps > mf_len / 4 || off > c->ministream_len ||
                    c->ministream_len - off < 64) {
                    rc = fail(s, "a mini sector chain leaves the mini stream or loops");
                    break;
                }
                size_t k = size - got < 64 ? size - got : 64;
                memcpy(buf + got, c->ministream + off, k);
                got += k;
                n = u32(mf + 4 * (size_t)n);
            }
            bk_free(mf);
            if (rc == 0) {
                *out = buf;
                *out_len = size;
            } else {
                bk_free(buf);
            }
        }
    }
    bk_free(dir);
    return rc;
}

/* ---- BIFF8 records ---- */

/* cch characters, Latin-1 or UTF-16LE (wide), as UTF-8 into *out; *out is NULL when they run
 * past avail bytes or do not convert. -1 only when out of memory. */
static int chars_utf8(bkxl_xls_scan *s, const unsigned char *p, size_t cch, int wide, size_t avail,
                      char **out)
{
    size_t in_len = cch * (wide ? 2u : 1u), cap = cch * 4 + 1;
    *out = NULL;
    if (avail < in_len)
        return 0;
    iconv_t cd = iconv_open("UTF-8", wide ? "UTF-16LE" : "ISO-8859-1");
    if (cd == (iconv_t)-1)
        return 0;
    char *text = bk_malloc(cap);
    char *in = (char *)(uintptr_t)p, *o = text;
    size_t left = in_len, room = cap - 1;
    if (text != NULL && iconv(cd, &in, &left, &o, &room) != (size_t)-1) {
        *o = '\0';
        *out = text;
    } else {
        bk_free(text);
    }
    iconv_close(cd);
    return text == NULL ? fail(s, "out of memory") : 0;
}

static int add_format(bkxl_xls_scan *s, unsigned id, char *code)
{
    if (bk_grow((void **)&s->formats, &s->formats_cap, s->nformats + 1, sizeof *s->formats)) {
        bk_free(code);
        return fail(s, "out of memory");
    }
    s->formats[s->nformats].id = id;
    s->formats[s->nformats].code = code;
    s->nformats++;
    return 0;
}

static int add_cell(bkxl_xls_sheet *sh, unsigned row, unsigned col, unsigned xf)
{
    if (bk_grow((void **)&sh->cells, &sh->cells_cap, sh->ncells + 1, sizeof *sh->cells))
        return -1;
    sh->cells[sh->ncells].key = (uint32_t)row << 8 | (col & 0xFF);
    sh->cells[sh->ncells].xf = (uint16_t)xf;
    sh->ncells++;
    return 0;
}

static int by_key(const void *a, const void *b)
{
    uint32_t x = ((const bkxl_xls_cell *)a)->key, y = ((const bkxl_xls_cell *)b)->key;
    return x < y ? -1 : x > y;
}

/* The records of one sheet's substream from its BOF. */
static int scan_sheet(bkxl_xls_scan *s, bkxl_xls_sheet *sh, const unsigned char *w, size_t len,
                      size_t at)
{
    if (at > len || len - at < 4 || u16(w + at) != 0x0809)
        return fail(s, "a sheet does not start where the workbook says");
    while (len - at >= 4) {
        unsigned type = u16(w + at), n = u16(w + at + 2);
        const unsigned char *r = w + at + 4;
        if (len - at - 4 < n)
            return fail(s, "a record runs past the end of the stream");
        at += 4 + (size_t)n;
        int bad = 0;
        switch (type) {
        case 0x000A: /* EOF */
            if (sh->ncells > 1)
                qsort(sh->cells, sh->ncells, sizeof *sh->cells, by_key);
            return 0;
        case 0x0203: /* NUMBER */
        case 0x027E: /* RK */
        case 0x0006: /* FORMULA */
            if (n >= 6)
                bad = add_cell(sh, u16(r), u16(r + 2), u16(r + 4));
            break;
        case 0x00BD: /* MULRK: row, first column, (xf, rk)..., last column */
            if (n >= 6) {
                unsigned row = u16(r), col = u16(r + 2);
                for (size_t i = 4; !bad && i + 6 <= (size_t)n - 2; i += 6, col++)
                    bad = add_cell(sh, row, col, u16(r + i));
            }
            break;
        case 0x00E5: /* MERGECELLS */
            if (n >= 2) {
                size_t count = u16(r);
                for (size_t i = 0; !bad && i < count && 2 + 8 * (i + 1) <= n; i++) {
                    const unsigned char *m = r + 2 + 8 * i;
                    if (bk_grow((void **)&sh->merges, &sh->merges_cap, sh->nmerges + 1,
                                sizeof *sh->merges)) {
                        bad = 1;
                        break;
                    }
                    bkxl_xls_merge *g = &sh->merges[sh->nmerges++];
                    g->row0 = u16(m);
                    g->row1 = u16(m + 2);
                    g->col0 = u16(m + 4);
                    g->col1 = u16(m + 6);
                }
            }
            break;
        default: break;
        }
        if (bad)
            return fail(s, "out of memory");
    }
    return fail(s, "a sheet has no end record");
}

static int scan_biff(bkxl_xls_scan *s, const unsigned char *w, size_t len)
{
    if (len < 8 || u16(w) != 0x0809 || u16(w + 4) != 0x0600)
        return fail(s, "the workbook is not BIFF8 (Excel 97 or later)");
    size_t at = 0;
    typedef struct {
        uint32_t pos;
    } place;
    place *pos = NULL;
    size_t npos = 0, pos_cap = 0;
    int rc = 0, ended = 0;
    while (rc == 0 && !ended && len - at >= 4) {
        unsigned type = u16(w + at), n = u16(w + at + 2);
        const unsigned char *r = w + at + 4;
        if (len - at - 4 < n) {
            rc = fail(s, "a record runs past the end of the stream");
            break;
        }
        at += 4 + (size_t)n;
        switch (type) {
        case 0x000A: ended = 1; break;
        case 0x0022: /* DATEMODE */
            if (n >= 2)
                s->date1904 = u16(r) == 1;
            break;
        case 0x041E: /* FORMAT: id, XLUnicodeString */
            if (n >= 5) {
                /* XLUnicodeString: 16-bit count, flags, characters. */
                char *code;
                rc = chars_utf8(s, r + 5, u16(r + 2), r[4] & 1, (size_t)n - 5, &code);
                if (rc == 0 && code != NULL)
                    rc = add_format(s, u16(r), code);
            }
            break;
        case 0x00E0: /* XF: font, format, ... */
            if (n >= 4) {
                if (bk_grow((void **)&s->xf_format, &s->nxf_cap, s->nxf + 1, sizeof *s->xf_format))
                    rc = fail(s, "out of memory");
                else
                    s->xf_format[s->nxf++] = u16(r + 2);
            }
            break;
        case 0x0085: /* BOUNDSHEET8: stream position, visibility, type, name */
            if (n >= 8) {
                if (bk_grow((void **)&s->sheets, &s->sheets_cap, s->nsheets + 1,
                            sizeof *s->sheets) ||
                    bk_grow((void **)&pos, &pos_cap, npos + 1, sizeof *pos)) {
                    rc = fail(s, "out of memory");
                    break;
                }
                bkxl_xls_sheet *sh = &s->sheets[s->nsheets++];
                memset(sh, 0, sizeof *sh);
                sh->hidden = (r[4] & 3) != 0;
                sh->kind = r[5];
                /* ShortXLUnicodeString: 8-bit count, flags, characters. */
                pos[npos++].pos = u32(r);
                rc = chars_utf8(s, r + 8, r[6], r[7] & 1, (size_t)n - 8, &sh->name);
            }
            break;
        default: break;
        }
    }
    if (rc == 0 && !ended)
        rc = fail(s, "the workbook's globals have no end record");
    for (size_t i = 0; rc == 0 && i < s->nsheets; i++)
        if (s->sheets[i].kind == 0)
            rc = scan_sheet(s, &s->sheets[i], w, len, pos[i].pos);
    bk_free(pos);
    return rc;
}

int bkxl_xls_scan_run(bkxl_xls_scan *s, const unsigned char *data, size_t len)
{
    memset(s, 0, sizeof *s);
    cfb c;
    memset(&c, 0, sizeof c);
    c.data = data;
    c.len = len;
    unsigned char *w = NULL;
    size_t wlen = 0;
    int rc = workbook_stream(s, &c, &w, &wlen);
    if (rc == 0)
        rc = scan_biff(s, w, wlen);
    bk_free(w);
    bk_free(c.fat);
    bk_free(c.ministream);
    s->ok = rc == 0;
    return rc;
}

const char *bkxl_xls_format(const bkxl_xls_scan *s, const bkxl_xls_sheet *sh, unsigned row,
                            unsigned col)
{
    if (!s->ok || sh == NULL || sh->ncells == 0)
        return NULL;
    bkxl_xls_cell key = {(uint32_t)row << 8 | (col & 0xFF), 0};
    const bkxl_xls_cell *c = bsearch(&key, sh->cells, sh->ncells, sizeof *sh->cells, by_key);
    if (c == NULL || c->xf >= s->nxf)
        return NULL;
    unsigned id = s->xf_format[c->xf];
    for (size_t i = s->nformats; i-- > 0;)
        if (s->formats[i].id == id)
            return s->formats[i].code;
    return bkxl_builtin_format(id);
}

void bkxl_xls_scan_free(bkxl_xls_scan *s)
{
    for (size_t i = 0; i < s->nformats; i++)
        bk_free(s->formats[i].code);
    bk_free(s->formats);
    bk_free(s->xf_format);
    for (size_t i = 0; i < s->nsheets; i++) {
        bk_free(s->sheets[i].cells);
        bk_free(s->sheets[i].merges);
        bk_free(s->sheets[i].name);
    }
    bk_free(s->sheets);
    memset(s, 0, sizeof *s);
}
