/* Text helpers the readers share (budgetkit/text.h). */
#include "budgetkit/text.h"

#include <string.h>

static int put_utf8(char *out, unsigned long cp)
{
    if (cp < 0x80) {
        out[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (char)(0xC0 | (cp >> 6));
        out[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (char)(0xE0 | (cp >> 12));
        out[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (char)(0xF0 | (cp >> 18));
    out[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
}

/* The reference at s as UTF-8 into out: the bytes of s it takes, 0 when s starts none. */
static size_t char_ref(const char *s, const char *end, char *out, int *outlen)
{
    if (end - s < 2 || s[1] != '#')
        return 0;
    const char *q = s + 2;
    unsigned long cp = 0;
    int hex = q < end && *q == 'x';
    q += hex;
    const char *digits = q;
    for (; q < end && *q != ';'; q++) {
        int d = *q >= '0' && *q <= '9'           ? *q - '0'
                : hex && *q >= 'a' && *q <= 'f' ? *q - 'a' + 10
                : hex && *q >= 'A' && *q <= 'F' ? *q - 'A' + 10
                                                : -1;
        if (d < 0 || cp > 0x10FFFF)
            return 0;
        cp = cp * (hex ? 16 : 10) + (unsigned long)d;
    }
    if (q == end || q == digits || cp == 0 || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
        return 0;
    *outlen = put_utf8(out, cp);
    return (size_t)(q + 1 - s);
}

size_t bk_decode_char_refs(const char *s, const char *e, char *out)
{
    size_t n = 0;
    const char *amp = memchr(s, '&', (size_t)(e - s));
    while (amp) {
        memmove(out + n, s, (size_t)(amp - s));
        n += (size_t)(amp - s);
        int outlen = 0;
        size_t took = char_ref(amp, e, out + n, &outlen);
        if (took == 0)
            took = 1, outlen = 1, out[n] = '&';
        n += (size_t)outlen;
        s = amp + took;
        amp = memchr(s, '&', (size_t)(e - s));
    }
    memmove(out + n, s, (size_t)(e - s));
    return n + (size_t)(e - s);
}
