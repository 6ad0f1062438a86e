/* The lexer the XML reader's bytes go past on their way to libxml2 (xml_internal.h). */
#include <string.h>

#include "xml_internal.h"

enum lex_state {
    LEX_TEXT, LEX_LT, LEX_STAG, LEX_STAG_DQ, LEX_STAG_SQ, LEX_ETAG, LEX_PI, LEX_PI_Q,
    LEX_BANG, LEX_BANG_DASH, LEX_COMMENT, LEX_CDATA_OPEN, LEX_CDATA, LEX_DOCTYPE
};

enum lex_encoding { ENC_UNKNOWN, ENC_BYTES, ENC_UTF16LE, ENC_UTF16BE };

void bkx_lex_init(bkx_lexer *x)
{
    memset(x, 0, sizeof *x);
    x->line = 1;
}

static void lex_start_tag(bkx_lexer *x)
{
    x->ring[x->tags % BKX_TAGS] = x->lt;
    x->tags++;
    x->attrs = 0;
}

/* One character in any state (a code unit below 0x80 is the character itself; anything else
 * is passed as 0x80, which is never markup). Lines and columns are the caller's. Returns 1
 * when a DOCTYPE declaration begins. */
static int lex_step(bkx_lexer *x, unsigned c)
{
    static const char doctype[] = "DOCTYPE", cdata[] = "CDATA[";
    switch (x->state) {
    case LEX_TEXT:
        if (c == '<') {
            x->state = LEX_LT;
            x->lt.line = x->line;
            x->lt.col = x->col + 1;
        }
        break;
    case LEX_LT:
        if (c == '/')
            x->state = LEX_ETAG;
        else if (c == '?')
            x->state = LEX_PI;
        else if (c == '!')
            x->state = LEX_BANG, x->match = 0;
        else {
            x->state = c == '>' ? LEX_TEXT : LEX_STAG;
            x->slash = 0;
            lex_start_tag(x);
        }
        break;
    case LEX_STAG:
        if (c == '"' || c == '\'') {
            x->state = c == '"' ? LEX_STAG_DQ : LEX_STAG_SQ;
            x->attr_len = 0;
            if (++x->attrs > BKX_MAX_TAG_ATTRS)
                return BKX_LEX_ATTRS;
        } else if (c == '>') {
            x->state = LEX_TEXT;
            x->depth += !x->slash;
        }
        x->slash = c == '/';
        break;
    case LEX_STAG_DQ:
    case LEX_STAG_SQ:
        if (c == (x->state == LEX_STAG_DQ ? '"' : '\''))
            x->state = LEX_STAG;
        else if (x->max_attr && ++x->attr_len > x->max_attr)
            return BKX_LEX_ATTR_LONG;
        break;
    case LEX_ETAG:
        if (c == '>') {
            x->state = LEX_TEXT;
            x->depth--;
        }
        break;
    case LEX_PI:
        if (c == '?')
            x->state = LEX_PI_Q;
        break;
    case LEX_PI_Q:
        x->state = c == '>' ? LEX_TEXT : c == '?' ? LEX_PI_Q : LEX_PI;
        break;
    case LEX_BANG:
        if (c == '-')
            x->state = LEX_BANG_DASH;
        else if (c == '[')
            x->state = LEX_CDATA_OPEN, x->match = 0;
        else if (c == 'D')
            x->state = LEX_DOCTYPE, x->match = 1;
        else
            x->state = LEX_TEXT;
        break;
    case LEX_BANG_DASH:
        x->state = c == '-' ? LEX_COMMENT : LEX_TEXT;
        x->match = 0;
        break;
    case LEX_COMMENT:
    case LEX_CDATA: {
        /* the end of a comment, "-->", or of a CDATA section, "]]>" */
        unsigned closer = x->state == LEX_COMMENT ? '-' : ']';
        if (c == '>' && x->match >= 2)
            x->state = LEX_TEXT;
        x->match = c == closer ? x->match + 1 : 0;
        break;
    }
    case LEX_CDATA_OPEN:
    case LEX_DOCTYPE: {
        /* the rest of "<![CDATA[" or of "<!DOCTYPE" */
        const char *word = x->state == LEX_CDATA_OPEN ? cdata : doctype;
        if (c != (unsigned char)word[x->match])
            x->state = LEX_TEXT;
        else if (word[++x->match] == '\0') {
            if (x->state == LEX_DOCTYPE)
                return BKX_LEX_DOCTYPE;
            x->state = LEX_CDATA, x->match = 0;
        }
        break;
    }
    default:
        break;
    }
    return 0;
}

/* Characters in s[0..len) of a byte encoding: UTF-8 continuation bytes and NUL (see
 * lex_bytes) are none. */
static long lex_chars(const unsigned char *s, size_t len)
{
    long n = 0;
    for (size_t i = 0; i < len; i++)
        n += ((signed char)s[i] >= -64) - (s[i] == 0);
    return n;
}

/* Count the line ends in s[from..to); mark follows the start of the line. */
static void lex_lines(bkx_lexer *x, const unsigned char *s, size_t from, size_t to, size_t *mark)
{
    const unsigned char *at = s + from, *end = s + to, *nl;
    while (at < end && (nl = memchr(at, '\n', (size_t)(end - at))) != NULL) {
        x->line++;
        x->col = 0;
        at = nl + 1;
        *mark = (size_t)(at - s);
    }
}

/* Where only one byte matters (text, quoted values, end tags), jump to it. */
static int lex_skip_to(bkx_lexer *x, const unsigned char *s, size_t n, size_t *i, size_t *mark,
                       int c)
{
    const unsigned char *hit = memchr(s + *i, c, n - *i);
    size_t at = hit ? (size_t)(hit - s) : n;
    lex_lines(x, s, *i, at, mark);
    *i = at;
    return hit != NULL;
}

/* A byte encoding (UTF-8, GB18030, ...): ASCII bytes are the ASCII characters. NUL is no XML
 * character and is passed over, so that a wider encoding declared after an ASCII XML
 * declaration still shows its markup. Returns 1 when a DOCTYPE begins. */
static int lex_bytes(bkx_lexer *x, const unsigned char *s, size_t n)
{
    size_t i = 0, mark = 0; /* x->col counts the characters of the line before s[mark] */
    while (i < n) {
        switch (x->state) {
        case LEX_TEXT:
            if (lex_skip_to(x, s, n, &i, &mark, '<')) {
                if (i + 1 < n && s[i + 1] == '/') {
                    /* an end tag: nothing needs its place */
                    x->state = LEX_ETAG;
                    i += 2;
                    continue;
                }
                x->col += lex_chars(s + mark, i - mark);
                mark = i;
                lex_step(x, '<');
                i++;
            }
            continue;
        case LEX_STAG_DQ:
        case LEX_STAG_SQ:
        case LEX_ETAG: {
            int c = x->state == LEX_STAG_DQ ? '"' : x->state == LEX_STAG_SQ ? '\'' : '>';
            size_t from = i;
            int hit = lex_skip_to(x, s, n, &i, &mark, c);
            if (c != '>' && x->max_attr && (x->attr_len += i - from) > x->max_attr)
                return BKX_LEX_ATTR_LONG;
            if (hit) {
                lex_step(x, (unsigned)c);
                i++;
            }
            continue;
        }
        case LEX_STAG: {
            /* names, '=' and white space: only the last character counts (for "/>") */
            size_t j = i;
            while (j < n && s[j] != '"' && s[j] != '\'' && s[j] != '>' && s[j] != '\n' && s[j])
                j++;
            if (j > i)
                x->slash = s[j - 1] == '/';
            i = j;
            if (i == n)
                continue;
            break;
        }
        default:
            break;
        }
        unsigned c = s[i];
        int r = c != 0 ? lex_step(x, c < 0x80 ? c : 0x80) : 0;
        if (r)
            return r;
        if (c == '\n') {
            x->line++;
            x->col = 0;
            mark = i + 1;
        }
        i++;
    }
    x->col += lex_chars(s + mark, n - mark);
    return 0;
}

/* One UTF-16 unit, counted for columns unless it completes a character already counted (a
 * byte-order mark at the very start is no character). */
static int lex_unit(bkx_lexer *x, unsigned c, int counts)
{
    int bom = x->chars == 0 && c == 0xFEFF;
    x->chars++;
    if (bom)
        return 0;
    int r = lex_step(x, c < 0x80 ? c : 0x80);
    if (r)
        return r;
    if (c == '\n') {
        x->line++;
        x->col = 0;
    } else if (counts) {
        x->col++;
    }
    return 0;
}

static int lex_utf16(bkx_lexer *x, const unsigned char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (!x->half) {
            x->first = s[i];
            x->half = 1;
            continue;
        }
        x->half = 0;
        unsigned u = x->encoding == ENC_UTF16LE ? ((unsigned)s[i] << 8) | x->first
                                                : ((unsigned)x->first << 8) | s[i];
        /* A low surrogate completes a character already counted. */
        int r = lex_unit(x, u, !(u >= 0xDC00 && u <= 0xDFFF));
        if (r)
            return r;
    }
    return 0;
}

static void lex_detect(bkx_lexer *x, const unsigned char *s, size_t n)
{
    x->encoding = ENC_BYTES;
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        x->skip = 3; /* a UTF-8 byte-order mark is no character of the first line */
    else if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] != 0 && s[1] == 0)))
        x->encoding = ENC_UTF16LE;
    else if (n >= 2 && ((s[0] == 0xFE && s[1] == 0xFF) || (s[0] == 0 && s[1] != 0)))
        x->encoding = ENC_UTF16BE;
}

int bkx_lex_feed(bkx_lexer *x, const unsigned char *s, size_t n)
{
    if (n == 0)
        return 0;
    if (x->encoding == ENC_UNKNOWN)
        lex_detect(x, s, n);
    while (x->skip > 0 && n > 0) {
        x->skip--;
        s++;
        n--;
    }
    return x->encoding == ENC_BYTES ? lex_bytes(x, s, n) : lex_utf16(x, s, n);
}

int bkx_lex_tag(const bkx_lexer *x, unsigned long long i, bkx_tagpos *pos)
{
    if (i >= x->tags || x->tags - i > BKX_TAGS)
        return 0;
    *pos = x->ring[i % BKX_TAGS];
    return 1;
}
