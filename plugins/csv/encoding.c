/* Character encodings of CSV input: UTF-8 (with or without BOM) and GB18030, told apart by
 * looking at the first non-ASCII bytes, and checked byte by byte after that. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "csvint.h"

bk_status bkcsv_fail(bk_error *err, const char *file, long line, long field, long long offset,
                     bk_status code, const char *fmt, ...)
{
    bk_error_at(err, file, line, field, offset);
    va_list ap;
    va_start(ap, fmt);
    bk_status st = bk_error_setv(err, code, fmt, ap);
    va_end(ap);
    return st;
}

size_t bkcsv_utf8_prefix(const unsigned char *s, size_t n, size_t *partial)
{
    size_t i = 0;
    *partial = 0;
    while (i < n) {
        /* Eight ASCII bytes at a time, none of them NUL. */
        if (i + 8 <= n) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if (!(w & 0x8080808080808080ULL) &&
                !((w - 0x0101010101010101ULL) & ~w & 0x8080808080808080ULL)) {
                i += 8;
                continue;
            }
        }
        unsigned c = s[i];
        if (c >= 0x01 && c < 0x80) {
            i++;
            continue;
        }
        size_t need;
        unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF) {
            need = 1;
        } else if (c >= 0xE0 && c <= 0xEF) {
            need = 2;
            if (c == 0xE0)
                lo = 0xA0; /* overlong */
            else if (c == 0xED)
                hi = 0x9F; /* surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            need = 3;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F; /* above U+10FFFF */
        } else {
            return i; /* NUL, a stray continuation byte, C0, C1, F5..FF */
        }
        size_t k;
        for (k = 1; k <= need; k++) {
            if (i + k >= n) {
                *partial = n - i;
                return i;
            }
            unsigned b = s[i + k];
            if (k == 1 ? (b < lo || b > hi) : (b < 0x80 || b > 0xBF))
                return i;
        }
        i += need + 1;
    }
    return i;
}

void bkcsv_decoder_init(bkcsv_decoder *d, bkcsv_encoding forced, const char *file, bk_error *err)
{
    memset(d, 0, sizeof *d);
    d->enc = forced;
    d->forced = forced != BKCSV_ENC_AUTO;
    d->cd = (iconv_t)-1;
    d->line = 1;
    d->file = file;
    d->err = err;
}

void bkcsv_decoder_free(bkcsv_decoder *d)
{
    if (d->cd != (iconv_t)-1)
        iconv_close(d->cd);
    d->cd = (iconv_t)-1;
    bk_free(d->out);
    d->out = NULL;
}

static long lines_in(const unsigned char *s, size_t n)
{
    long count = 0;
    const unsigned char *end = s + n;
    while (s < end && (s = memchr(s, '\n', (size_t)(end - s))) != NULL) {
        count++;
        s++;
    }
    return count;
}

/* An encoding error at s[at] of the chunk starting at d->offset. */
static bk_status bad_bytes(bkcsv_decoder *d, const unsigned char *s, size_t at, size_t n,
                           const char *what, const char *hint)
{
    long long off = (long long)(d->offset + at);
    long line = d->line + lines_in(s, at);
    char bytes[16] = "";
    size_t show = n - at < 4 ? n - at : 4, used = 0;
    for (size_t i = 0; i < show; i++)
        used += (size_t)snprintf(bytes + used, sizeof bytes - used, "%s%02X", i ? " " : "",
                                 s[at + i]);
    if (show > 0 && s[at] == 0)
        return bkcsv_fail(d->err, d->file, line, 0, off, BK_E_ENCODING,
                          "a NUL byte at byte offset %lld (line %ld): this is not a text file", off,
                          line);
    return bkcsv_fail(d->err, d->file, line, 0, off, BK_E_ENCODING,
                      "%s at byte offset %lld (line %ld, bytes %s)%s", what, off, line, bytes,
                      hint ? hint : "");
}

static const char *utf8_hint(const bkcsv_decoder *d)
{
    return d->forced ? NULL : "; the file reads as UTF-8 before that: if it is GB18030, say "
                              "--encoding gb18030";
}

/* Keep the last `keep` bytes of the chunk for the next call. */
static void keep_tail(bkcsv_decoder *d, const unsigned char *s, size_t n, size_t keep)
{
    memcpy(d->carry, s + n - keep, keep);
    d->ncarry = keep;
}

static bk_status grow_out(bkcsv_decoder *d, size_t need)
{
    if (need <= d->out_cap)
        return BK_OK;
    if (bk_grow((void **)&d->out, &d->out_cap, need, 1))
        return bkcsv_fail(d->err, d->file, 0, 0, -1, BK_E_NOMEM, "out of memory");
    return BK_OK;
}

/* Convert s[from..n) from GB18030, after copying the ASCII prefix s[0..from). */
static bk_status decode_gb18030(bkcsv_decoder *d, unsigned char *s, size_t from, size_t n, int eof,
                                const char **text, size_t *len)
{
    if (d->cd == (iconv_t)-1) {
        d->cd = iconv_open("UTF-8", "GB18030");
        if (d->cd == (iconv_t)-1)
            return bkcsv_fail(d->err, d->file, 0, 0, -1, BK_E_ENCODING,
                              "this system cannot convert GB18030 (iconv: %s)", strerror(errno));
    }
    const unsigned char *nul = memchr(s, 0, n);
    if (nul)
        return bad_bytes(d, s, (size_t)(nul - s), n, "a NUL byte", NULL);
    /* A GB18030 character takes at most 4 bytes and becomes at most 4 bytes of UTF-8; two
     * bytes become three. 2n is always enough. */
    bk_status st = grow_out(d, 2 * n + 16);
    if (st != BK_OK)
        return st;
    memcpy(d->out, s, from);
    char *in = (char *)s + from, *out = d->out + from;
    size_t inleft = n - from, outleft = d->out_cap - from;
    while (inleft > 0) {
        if (iconv(d->cd, &in, &inleft, &out, &outleft) != (size_t)-1)
            continue;
        size_t at = (size_t)((unsigned char *)in - s);
        if (errno == EINVAL && !eof && inleft < sizeof d->carry) {
            keep_tail(d, s, n, inleft);
            break;
        }
        if (errno == EINVAL)
            return bad_bytes(d, s, at, n, "the file ends inside a GB18030 character", NULL);
        if (errno == EILSEQ)
            return bad_bytes(d, s, at, n,
                             d->forced ? "invalid GB18030" : "bytes that are neither UTF-8 nor "
                                                             "GB18030", NULL);
        return bkcsv_fail(d->err, d->file, 0, 0, -1, BK_E_INTERNAL, "GB18030 conversion failed: %s",
                          strerror(errno));
    }
    *text = d->out;
    *len = (size_t)(out - d->out);
    return BK_OK;
}

static bk_status decode_utf8(bkcsv_decoder *d, unsigned char *s, size_t from, size_t n, int eof,
                             const char **text, size_t *len)
{
    size_t partial;
    size_t ok = from + bkcsv_utf8_prefix(s + from, n - from, &partial);
    if (ok < n && !(partial && !eof && ok + partial == n))
        return bad_bytes(d, s, ok, n, partial ? "the file ends inside a UTF-8 character"
                                              : "invalid UTF-8", utf8_hint(d));
    if (partial)
        keep_tail(d, s, n, partial);
    *text = (const char *)s;
    *len = ok;
    return BK_OK;
}

/* Undecided: pick the encoding from the first non-ASCII bytes. GB18030 text almost never
 * forms even two valid UTF-8 characters in a row, so a run of several means UTF-8 (and a bad
 * byte after it is reported as bad UTF-8 where it is). */
static bkcsv_encoding guess(const unsigned char *s, size_t n, int eof, size_t *undecided_tail)
{
    size_t partial;
    size_t ok = bkcsv_utf8_prefix(s, n, &partial);
    *undecided_tail = 0;
    if (ok == n)
        return BKCSV_ENC_UTF8;
    size_t chars = 0;
    for (size_t i = 0; i < ok && chars < 4; i++)
        chars += s[i] >= 0xC0;
    if (chars >= 4)
        return BKCSV_ENC_UTF8;
    if (partial && ok + partial == n) {
        if (ok > 0)
            return BKCSV_ENC_UTF8; /* complete characters came before the cut one */
        if (!eof) {
            *undecided_tail = partial;
            return BKCSV_ENC_AUTO;
        }
    }
    return BKCSV_ENC_GB18030;
}

bk_status bkcsv_decode(bkcsv_decoder *d, unsigned char *in, size_t n, int eof, const char **text,
                       size_t *len)
{
    unsigned char *s = in - d->ncarry;
    memcpy(s, d->carry, d->ncarry);
    n += d->ncarry;
    d->ncarry = 0;
    *text = (const char *)s;
    *len = 0;
    size_t skip = 0;
    if (!d->started && (n >= 3 || eof)) {
        d->started = 1;
        if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF) {
            if (d->enc == BKCSV_ENC_GB18030)
                return bkcsv_fail(d->err, d->file, 1, 0, 0, BK_E_ENCODING,
                                  "the file starts with a UTF-8 byte order mark but encoding "
                                  "gb18030 was asked for");
            d->enc = BKCSV_ENC_UTF8;
            skip = 3;
        } else if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] == 0xFE && s[1] == 0xFF))) {
            return bkcsv_fail(d->err, d->file, 1, 0, 0, BK_E_ENCODING,
                              "the file is UTF-16, which is not read; save it as UTF-8 or GB18030");
        }
    } else if (!d->started) {
        keep_tail(d, s, n, n); /* fewer than three bytes: wait for more */
        return BK_OK;
    }
    s += skip;
    n -= skip;
    d->offset += skip;
    d->text_offset = d->offset;
    size_t from = 0;
    if (d->enc == BKCSV_ENC_AUTO) {
        while (from < n && s[from] < 0x80 && s[from] != 0)
            from++;
        if (from < n) {
            size_t tail;
            d->enc = guess(s + from, n - from, eof, &tail);
            if (d->enc == BKCSV_ENC_AUTO) {
                keep_tail(d, s, n, tail);
                n -= tail;
                from = n;
            }
        }
    }
    bk_status st;
    if (d->enc == BKCSV_ENC_GB18030)
        st = decode_gb18030(d, s, from, n, eof, text, len);
    else if (d->enc == BKCSV_ENC_UTF8)
        st = decode_utf8(d, s, from, n, eof, text, len);
    else {
        *text = (const char *)s; /* all ASCII so far */
        *len = n;
        st = BK_OK;
    }
    if (st != BK_OK)
        return st;
    size_t used = n - d->ncarry;
    if (d->enc == BKCSV_ENC_AUTO)
        used = n;
    d->line += lines_in(s, used);
    d->offset += used;
    return BK_OK;
}
