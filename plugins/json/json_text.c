/* A JSON parser for the bytes of one document (json_text.h).
 *
 * jansson was the reader's parser before, and its error messages and positions are part of
 * what users and tests see ("malformed JSON: string or '}' expected near '}'" at the brace).
 * This parser keeps them: it reads the text in the same steps, one token ahead, and words an
 * error as jansson's error_set() does, quoting the bytes of the token read so far ("near
 * '...'", only when there are at most 20 of them), "near end of file" when there are none,
 * and nothing after an undecodable byte. `at` is the byte the reader reported such an error
 * at: the first byte of the quoted token, the end of the text, or the last byte read. */
#include "json_text.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "budgetkit/alloc.h"

/* jansson's JSON_PARSER_MAX_DEPTH: reached only when the reader's own limit (max-depth) is
 * set higher or off. */
#define MAX_NESTING 2048
/* jansson quotes a token in a message when it has at most this many bytes. */
#define MAX_QUOTED 20
/* Objects with more members than this look for duplicate keys in a hash index. */
#define LINEAR_KEYS 24

enum token {
    T_EOF,
    T_INVALID,
    T_OPEN_OBJECT,
    T_CLOSE_OBJECT,
    T_OPEN_ARRAY,
    T_CLOSE_ARRAY,
    T_COLON,
    T_COMMA,
    T_STRING,
    T_INTEGER,
    T_REAL,
    T_TRUE,
    T_FALSE,
    T_NULL
};

/* 12 bytes: value indexes fit in 32 bits as the values' offsets do. */
typedef struct jdup {
    uint32_t object, key; /* value indexes; key 0 marks a free slot */
    uint32_t hash;
} jdup;

typedef struct lexer {
    jtext *t;
    jtext_error *e;
    const unsigned char *s;
    size_t n;
    size_t pos;  /* the next byte to read */
    size_t line; /* line of pos */
    size_t depth;
    /* jansson reads one byte past a number or a word and puts it back; a NUL byte put back is
     * lost (its stream takes NUL for "nothing buffered"), so the text goes on after it and
     * the positions in its messages count one byte less. */
    int nul_lost;
    size_t lost;

    /* The current token: its bytes are s[start..pos) (jansson's "saved text"). */
    int tok;
    size_t start;
    size_t tok_line;
    int escaped, has_nul; /* string */
} lexer;

/* ------------------------------------------------------------------------------------------
 * Errors
 * ---------------------------------------------------------------------------------------- */

/* Word an error about the current token the way jansson does; returns -1. undecodable is set
 * for an invalid UTF-8 byte, which jansson reports without context. */
static int lex_fail(lexer *lx, bk_status code, int undecodable, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int lex_fail(lexer *lx, bk_status code, int undecodable, const char *fmt, ...)
{
    char msg[96]; /* every message is shorter */
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);

    jtext_error *e = lx->e;
    const unsigned char *saved = lx->s + lx->start;
    size_t nsaved = lx->pos - lx->start;
    size_t consumed = lx->pos - lx->lost; /* jansson's position */
    e->code = code;
    if (nsaved > 0 && saved[0] != '\0') {
        if (nsaved <= MAX_QUOTED) {
            /* Quoted as a C string: a NUL byte ends it. */
            const unsigned char *nul = memchr(saved, '\0', nsaved);
            size_t shown = nul ? (size_t)(nul - saved) : nsaved;
            snprintf(e->text, sizeof e->text, "%s near '%.*s'", msg, (int)shown,
                     (const char *)saved);
            e->at = consumed - shown;
        } else {
            snprintf(e->text, sizeof e->text, "%s", msg);
            e->at = consumed - 1;
        }
    } else if (undecodable) {
        snprintf(e->text, sizeof e->text, "%s", msg);
        e->at = consumed > 0 ? consumed - 1 : 0;
    } else {
        snprintf(e->text, sizeof e->text, "%s near end of file", msg);
        e->at = consumed;
    }
    return -1;
}

static int lex_nomem(lexer *lx)
{
    lx->e->code = BK_E_NOMEM;
    lx->e->at = 0;
    snprintf(lx->e->text, sizeof lx->e->text, "out of memory");
    return -1;
}

/* ------------------------------------------------------------------------------------------
 * Characters
 * ---------------------------------------------------------------------------------------- */

/* Bytes of the UTF-8 character at s[i], 0 when it is not one (as jansson's utf8_check_full:
 * no overlong forms, no surrogates, nothing above U+10FFFF, not cut by the end). */
static size_t utf8_char(const unsigned char *s, size_t n, size_t i)
{
    unsigned c = s[i];
    if (c < 0x80)
        return 1;
    size_t count = c < 0xC2 ? 0 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : c < 0xF5 ? 4 : 0;
    if (count == 0 || n - i < count)
        return 0;
    uint32_t v = c & (count == 2 ? 0x1Fu : count == 3 ? 0x0Fu : 0x07u);
    for (size_t k = 1; k < count; k++) {
        unsigned u = s[i + k];
        if (u < 0x80 || u > 0xBF)
            return 0;
        v = (v << 6) | (u & 0x3F);
    }
    if (v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF))
        return 0;
    if ((count == 2 && v < 0x80) || (count == 3 && v < 0x800) || (count == 4 && v < 0x10000))
        return 0;
    return count;
}

#define LOOK_END (-1)
#define LOOK_BAD (-2)

/* The byte at s[i] as jansson reads it, one character ahead: LOOK_END at the end, LOOK_BAD
 * (the error set, with the current token as saved text) when no character starts there. */
static int look(lexer *lx, size_t i)
{
    if (i >= lx->n)
        return LOOK_END;
    unsigned char c = lx->s[i];
    if (c >= 0x80 && utf8_char(lx->s, lx->n, i) == 0) {
        lx->pos = i;
        lex_fail(lx, BK_E_ENCODING, 1, "unable to decode byte 0x%x", c);
        return LOOK_BAD;
    }
    return c;
}

static int is_digit(int c)
{
    return c >= '0' && c <= '9';
}

static int is_alpha(int c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static int is_hex(int c)
{
    return is_digit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

static unsigned hex4(const unsigned char *p)
{
    unsigned v = 0;
    for (int i = 0; i < 4; i++) {
        unsigned c = p[i];
        v = (v << 4) | (c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

static size_t utf8_width(uint32_t cp)
{
    return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
}

static size_t utf8_put(uint32_t cp, unsigned char *out)
{
    if (cp < 0x80) {
        out[0] = (unsigned char)cp;
        return 1;
    }
    if (cp < 0x800) {
        out[0] = (unsigned char)(0xC0 | (cp >> 6));
        out[1] = (unsigned char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        out[0] = (unsigned char)(0xE0 | (cp >> 12));
        out[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        out[2] = (unsigned char)(0x80 | (cp & 0x3F));
        return 3;
    }
    out[0] = (unsigned char)(0xF0 | (cp >> 18));
    out[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
    out[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
    out[3] = (unsigned char)(0x80 | (cp & 0x3F));
    return 4;
}

/* One escape of a string already checked (p after the backslash): its decoded bytes in out,
 * p moved past it. */
static size_t decode_escape(const unsigned char **p, unsigned char *out)
{
    unsigned char e = *(*p)++;
    switch (e) {
    case 'b': out[0] = '\b'; return 1;
    case 'f': out[0] = '\f'; return 1;
    case 'n': out[0] = '\n'; return 1;
    case 'r': out[0] = '\r'; return 1;
    case 't': out[0] = '\t'; return 1;
    case 'u': {
        uint32_t cp = hex4(*p);
        *p += 4;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (hex4(*p + 2) - 0xDC00);
            *p += 6;
        }
        return utf8_put(cp, out);
    }
    default: out[0] = e; return 1; /* '"', '\\', '/' */
    }
}

/* ------------------------------------------------------------------------------------------
 * Tokens
 * ---------------------------------------------------------------------------------------- */

/* A string with escapes: check its \u escapes pair up as jansson does once the string is read
 * (the error then quotes the whole string). */
static int check_escapes(lexer *lx)
{
    const unsigned char *p = lx->s + lx->start + 1, *end = lx->s + lx->pos - 1;
    while (p < end) {
        if (*p != '\\') {
            p++;
            continue;
        }
        if (p[1] != 'u') {
            p += 2;
            continue;
        }
        uint32_t cp = hex4(p + 2);
        p += 6;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            if (!(end - p >= 6 && p[0] == '\\' && p[1] == 'u'))
                return lex_fail(lx, BK_E_SYNTAX, 0, "invalid Unicode '\\u%04X'", (unsigned)cp);
            uint32_t lo = hex4(p + 2);
            if (lo < 0xDC00 || lo > 0xDFFF)
                return lex_fail(lx, BK_E_SYNTAX, 0, "invalid Unicode '\\u%04X\\u%04X'",
                                (unsigned)cp, (unsigned)lo);
            p += 6;
            cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
            return lex_fail(lx, BK_E_SYNTAX, 0, "invalid Unicode '\\u%04X'", (unsigned)cp);
        }
        lx->has_nul |= cp == 0;
    }
    return 0;
}

/* After a backslash at s[i - 1]: the index after the escape, or 0 with the error set. */
static size_t lex_escape(lexer *lx, size_t i)
{
    int c = look(lx, i);
    if (c == LOOK_BAD)
        return 0;
    if (c == 'u') {
        for (int k = 1; k <= 4; k++) {
            c = look(lx, i + (size_t)k);
            if (c == LOOK_BAD)
                return 0;
            if (!is_hex(c)) {
                lx->pos = c == LOOK_END ? lx->n : i + (size_t)k + 1;
                lex_fail(lx, BK_E_SYNTAX, 0, "invalid escape");
                return 0;
            }
        }
        return i + 5;
    }
    if (c != LOOK_END && strchr("\"\\/bfnrt", c) && c != '\0')
        return i + 1;
    lx->pos = c == LOOK_END ? lx->n : i + 1;
    lex_fail(lx, BK_E_SYNTAX, 0, "invalid escape");
    return 0;
}

/* A string token; pos is after its opening quote. */
static int lex_string(lexer *lx)
{
    const unsigned char *s = lx->s;
    size_t n = lx->n, i = lx->pos;
    lx->escaped = 0;
    lx->has_nul = 0;
    for (;;) {
        while (n - i >= 8) {
            uint64_t x = jt_load8(s + i);
            uint64_t m = jt_below(x, 0x20) | (x & JT_HIGHS) | jt_has(x, '"') | jt_has(x, '\\');
            if (m) {
                i += jt_first(m);
                break;
            }
            i += 8;
        }
        while (i < n && s[i] >= 0x20 && s[i] < 0x80 && s[i] != '"' && s[i] != '\\')
            i++;
        if (i >= n) {
            lx->pos = n;
            return lex_fail(lx, BK_E_SYNTAX, 0, "premature end of input");
        }
        unsigned char c = s[i];
        if (c == '"')
            break;
        if (c < 0x20) {
            lx->pos = i;
            if (c == '\n')
                return lex_fail(lx, BK_E_SYNTAX, 0, "unexpected newline");
            return lex_fail(lx, BK_E_SYNTAX, 0, "control character 0x%x", c);
        }
        if (c >= 0x80) {
            size_t k = utf8_char(s, n, i);
            if (k == 0) {
                lx->pos = i;
                return lex_fail(lx, BK_E_ENCODING, 1, "unable to decode byte 0x%x", c);
            }
            i += k;
            continue;
        }
        lx->escaped = 1;
        i = lex_escape(lx, i + 1);
        if (i == 0)
            return -1;
    }
    lx->pos = i + 1;
    lx->tok = T_STRING;
    if (lx->escaped)
        return check_escapes(lx);
    return 0;
}

/* The smallest magnitude strtod() takes for an overflow, 2^1024 - 2^970 (halfway from the
 * largest double to 2^1024, rounded up): jansson refuses such a number. */
static const char overflow_digits[] =
    "1797693134862315807937289714053034150799341327100378269361737789804449682927647509466490"
    "1797758720709633028641669288791094655554785194040263065748867150582068190890200070838367"
    "6273854845817711531764475730270069855571366959622842914819860834936475292719074168444365"
    "510704342711559699508093042880177904174497792";

/* Does the number s[start..end) (a valid JSON number with a fraction or an exponent) overflow
 * a double? Decided on its digits: a number is never converted to binary floating point. */
static int real_overflows(const unsigned char *s, size_t start, size_t end)
{
    size_t i = start + (s[start] == '-');
    size_t int_start = i;
    while (i < end && is_digit(s[i]))
        i++;
    size_t int_len = i - int_start, frac_start = i, frac_len = 0;
    if (i < end && s[i] == '.') {
        frac_start = ++i;
        while (i < end && is_digit(s[i]))
            i++;
        frac_len = i - frac_start;
    }
    long long exp = 0;
    if (i < end) { /* 'e' or 'E' */
        int neg = s[++i] == '-';
        if (s[i] == '-' || s[i] == '+')
            i++;
        for (; i < end; i++)
            if (exp < 1000000000)
                exp = exp * 10 + (s[i] - '0');
        if (neg)
            exp = -exp;
    }
    /* The mantissa's digits without the point: digit k is before the point when k < int_len. */
    size_t ndigits = int_len + frac_len, first = 0;
#define DIGIT(k) ((k) < int_len ? s[int_start + (k)] : s[frac_start + (k) - int_len])
    while (first < ndigits && DIGIT(first) == '0')
        first++;
    if (first == ndigits)
        return 0;
    /* The number is 0.d1d2... x 10^magnitude, d1 its first significant digit. */
    long long magnitude = (long long)int_len - (long long)first + exp;
    long long limit = (long long)sizeof overflow_digits - 1;
    if (magnitude != limit)
        return magnitude > limit;
    const char *t = overflow_digits;
    for (size_t k = first; k < ndigits; k++, t++) {
        if (*t == '\0')
            return 1; /* equal so far, and the number has more digits */
        if (DIGIT(k) != (unsigned char)*t)
            return DIGIT(k) > (unsigned char)*t;
    }
#undef DIGIT
    while (*t == '0')
        t++;
    return *t == '\0';
}

/* An integer token within 64 bits, or the error jansson gives past them (its value is read
 * again by jtext_integer() when it is needed). */
static int integer_check(lexer *lx, size_t start, size_t end)
{
    int neg = lx->s[start] == '-';
    unsigned long long v = 0, max = neg ? (unsigned long long)INT64_MAX + 1 : INT64_MAX;
    for (size_t i = start + (size_t)neg; i < end; i++) {
        unsigned d = (unsigned)(lx->s[i] - '0');
        if (v > (max - d) / 10)
            return lex_fail(lx, BK_E_SYNTAX, 0, neg ? "too big negative integer"
                                                    : "too big integer");
        v = v * 10 + d;
    }
    return 0;
}

/* Digits from s[i]: the index after them, or 0 with the error set. */
static size_t skip_digits(lexer *lx, size_t i)
{
    int c;
    while ((c = look(lx, i)) >= 0 && is_digit(c))
        i++;
    return c == LOOK_BAD ? 0 : i;
}

/* The digits a fraction or an exponent needs from `from` on: 1 with *i after them, 0 when there
 * is none (an invalid token ending at `from`), -1 on an error. */
static int needed_digits(lexer *lx, size_t *i, size_t from)
{
    int c = look(lx, from);
    if (c == LOOK_BAD)
        return -1;
    lx->pos = from;
    if (!is_digit(c))
        return 0;
    *i = skip_digits(lx, from);
    return *i ? 1 : -1;
}

/* A number token: pos is after its first byte, c. As in jansson, a malformed number is an
 * invalid token made of the bytes read before the one that does not fit. */
static int lex_number(lexer *lx, int c)
{
    size_t i = lx->pos;
    lx->tok = T_INVALID;
    if (c == '-') {
        if ((c = look(lx, i)) == LOOK_BAD)
            return -1;
        if (!is_digit(c))
            return 0;
        i++;
    }
    if (c == '0') {
        if ((c = look(lx, i)) == LOOK_BAD)
            return -1;
        if (is_digit(c)) {
            lx->pos = i;
            return 0;
        }
    } else if ((i = skip_digits(lx, i)) == 0) {
        return -1;
    }
    c = look(lx, i);
    if (c == LOOK_BAD)
        return -1;
    if (c != '.' && c != 'e' && c != 'E') {
        lx->pos = i;
        if (integer_check(lx, lx->start, i) < 0)
            return -1;
        lx->tok = T_INTEGER;
        return 0;
    }
    if (c == '.') {
        int r = needed_digits(lx, &i, i + 1);
        if (r <= 0)
            return r;
        c = look(lx, i);
    }
    if (c == 'e' || c == 'E') {
        i++;
        if ((c = look(lx, i)) == LOOK_BAD)
            return -1;
        int r = needed_digits(lx, &i, c == '+' || c == '-' ? i + 1 : i);
        if (r <= 0)
            return r;
    }
    lx->pos = i;
    if (real_overflows(lx->s, lx->start, i))
        return lex_fail(lx, BK_E_SYNTAX, 0, "real number overflow");
    lx->tok = T_REAL;
    return 0;
}

/* A word: true, false or null, or else an invalid token holding all its letters. */
static int lex_word(lexer *lx)
{
    size_t i = lx->pos;
    int c;
    while ((c = look(lx, i)) >= 0 && is_alpha(c))
        i++;
    if (c == LOOK_BAD)
        return -1;
    lx->pos = i;
    const char *w = (const char *)lx->s + lx->start;
    size_t len = i - lx->start;
    if (len == 4 && memcmp(w, "true", 4) == 0)
        lx->tok = T_TRUE;
    else if (len == 5 && memcmp(w, "false", 5) == 0)
        lx->tok = T_FALSE;
    else if (len == 4 && memcmp(w, "null", 4) == 0)
        lx->tok = T_NULL;
    else
        lx->tok = T_INVALID;
    return 0;
}

/* Skip blanks and read the next token. */
static int lex_next(lexer *lx)
{
    const unsigned char *s = lx->s;
    size_t n = lx->n, i = lx->pos;
    if (lx->nul_lost) {
        lx->nul_lost = 0;
        if (i < n && s[i] == '\0') {
            i++;
            lx->lost++;
        }
    }
    for (;; i++) {
        /* Canonical JSON is indented with spaces: skip them eight at a time. */
        while (n - i >= 8) {
            uint64_t m = jt_load8(s + i) ^ (JT_ONES * ' ');
            if (m) {
                i += jt_first(m);
                break;
            }
            i += 8;
        }
        if (i >= n)
            break;
        unsigned char c = s[i];
        if (c == '\n')
            lx->line++;
        else if (c != ' ' && c != '\t' && c != '\r')
            break;
    }
    lx->pos = lx->start = i;
    lx->tok_line = lx->line;
    if (i >= n) {
        lx->tok = T_EOF;
        return 0;
    }
    unsigned char c = s[i];
    if (c >= 0x80) {
        size_t k = utf8_char(s, n, i);
        if (k == 0)
            return lex_fail(lx, BK_E_ENCODING, 1, "unable to decode byte 0x%x", c);
        lx->pos = i + k;
        lx->tok = T_INVALID;
        return 0;
    }
    lx->pos = i + 1;
    switch (c) {
    case '{': lx->tok = T_OPEN_OBJECT; return 0;
    case '}': lx->tok = T_CLOSE_OBJECT; return 0;
    case '[': lx->tok = T_OPEN_ARRAY; return 0;
    case ']': lx->tok = T_CLOSE_ARRAY; return 0;
    case ':': lx->tok = T_COLON; return 0;
    case ',': lx->tok = T_COMMA; return 0;
    case '"': return lex_string(lx);
    default: break;
    }
    int r = 0;
    lx->tok = T_INVALID;
    if (c == '-' || is_digit(c))
        r = lex_number(lx, c);
    else if (is_alpha(c))
        r = lex_word(lx);
    lx->nul_lost = r == 0 && lx->tok != T_INVALID;
    return r;
}

/* ------------------------------------------------------------------------------------------
 * Duplicate keys
 * ---------------------------------------------------------------------------------------- */

/* The bytes of one character of a key as written, its escape decoded: their count, *p past it. */
static size_t key_char(const unsigned char **p, unsigned char out[4])
{
    if (**p != '\\') {
        out[0] = *(*p)++;
        return 1;
    }
    (*p)++;
    return decode_escape(p, out);
}

static int keys_equal(const jtext *t, const unsigned char *s, size_t a, size_t b)
{
    const jv *ka = &t->v[a], *kb = &t->v[b];
    const unsigned char *pa = s + ka->off + 1, *pb = s + kb->off + 1;
    if (!ka->escaped && !kb->escaped)
        return ka->len == kb->len && memcmp(pa, pb, ka->len) == 0;
    /* Decode both a character at a time. */
    const unsigned char *ea = pa + ka->len, *eb = pb + kb->len;
    unsigned char da[4], db[4];
    size_t na = 0, nb = 0, ia = 0, ib = 0;
    for (;;) {
        if (ia == na) {
            if (pa >= ea)
                break;
            ia = 0;
            na = key_char(&pa, da);
        }
        if (ib == nb) {
            if (pb >= eb)
                return 0;
            ib = 0;
            nb = key_char(&pb, db);
        }
        if (da[ia++] != db[ib++])
            return 0;
    }
    return ib == nb && pb >= eb;
}

/* SipHash-1-3 of key k's decoded bytes under the parse state's random seed. The whole key is
 * hashed: keys that share a long prefix, or that were chosen to collide under a fixed hash,
 * spread over the index all the same (a fixed hash of a prefix let 100,000 keys with one
 * 16-byte prefix take 23 s). */
typedef struct sip {
    uint64_t v0, v1, v2, v3, tail;
    size_t len;
} sip;

static uint64_t rotl64(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

static void sip_round(sip *h)
{
    h->v0 += h->v1; h->v1 = rotl64(h->v1, 13); h->v1 ^= h->v0; h->v0 = rotl64(h->v0, 32);
    h->v2 += h->v3; h->v3 = rotl64(h->v3, 16); h->v3 ^= h->v2;
    h->v0 += h->v3; h->v3 = rotl64(h->v3, 21); h->v3 ^= h->v0;
    h->v2 += h->v1; h->v1 = rotl64(h->v1, 17); h->v1 ^= h->v2; h->v2 = rotl64(h->v2, 32);
}

static void sip_init(sip *h, const uint64_t seed[2])
{
    h->v0 = seed[0] ^ 0x736f6d6570736575ull;
    h->v1 = seed[1] ^ 0x646f72616e646f6dull;
    h->v2 = seed[0] ^ 0x6c7967656e657261ull;
    h->v3 = seed[1] ^ 0x7465646279746573ull;
    h->tail = 0;
    h->len = 0;
}

static void sip_byte(sip *h, unsigned char b)
{
    h->tail |= (uint64_t)b << (8 * (h->len & 7));
    if ((++h->len & 7) == 0) {
        h->v3 ^= h->tail;
        sip_round(h);
        h->v0 ^= h->tail;
        h->tail = 0;
    }
}

static uint64_t sip_final(sip *h)
{
    uint64_t m = h->tail | ((uint64_t)(h->len & 0xff) << 56);
    h->v3 ^= m;
    sip_round(h);
    h->v0 ^= m;
    h->v2 ^= 0xff;
    for (int i = 0; i < 3; i++)
        sip_round(h);
    return h->v0 ^ h->v1 ^ h->v2 ^ h->v3;
}

static void seed_hash(jtext *t)
{
    if (t->seed[0] | t->seed[1])
        return;
    FILE *f = fopen("/dev/urandom", "rb");
    if (!f || fread(t->seed, sizeof t->seed, 1, f) != 1) {
        /* No randomness to be had: a seed that varies from process to process at least. */
        t->seed[0] = (uint64_t)(uintptr_t)t ^ (uint64_t)time(NULL) * 0x9E3779B97F4A7C15ull;
        t->seed[1] = (uint64_t)clock() ^ (uint64_t)(uintptr_t)&f;
    }
    if (f)
        fclose(f);
    t->seed[0] |= 1; /* never both zero: zero means "not seeded yet" */
}

static uint32_t key_hash(const jtext *t, const unsigned char *s, size_t k)
{
    const jv *key = &t->v[k];
    const unsigned char *p = s + key->off + 1, *end = p + key->len;
    sip h;
    sip_init(&h, t->seed);
    if (!key->escaped) {
        for (; p < end; p++)
            sip_byte(&h, *p);
    } else {
        while (p < end) {
            if (*p == '\\') {
                unsigned char buf[4];
                p++;
                size_t n = decode_escape(&p, buf);
                for (size_t i = 0; i < n; i++)
                    sip_byte(&h, buf[i]);
            } else {
                sip_byte(&h, *p++);
            }
        }
    }
    uint64_t v = sip_final(&h);
    return (uint32_t)(v ^ (v >> 32));
}

/* Add key k of object o to the index: 1 when an equal key is there already, -1 when out of
 * memory. */
static int dup_insert(jtext *t, const unsigned char *s, size_t o, size_t k)
{
    if (2 * (t->dup_used + 1) > t->dup_cap) {
        size_t cap = t->dup_cap ? 2 * t->dup_cap : 64;
        jdup *nd = bk_calloc(cap, sizeof *nd);
        if (!nd)
            return -1;
        for (size_t i = 0; i < t->dup_cap; i++) {
            if (t->dup[i].key == 0)
                continue;
            size_t j = (t->dup[i].hash ^ t->dup[i].object) & (cap - 1);
            while (nd[j].key != 0)
                j = (j + 1) & (cap - 1);
            nd[j] = t->dup[i];
        }
        bk_free(t->dup);
        t->dup = nd;
        t->dup_cap = cap;
    }
    uint32_t h = key_hash(t, s, k);
    size_t j = (h ^ o) & (t->dup_cap - 1);
    for (; t->dup[j].key != 0; j = (j + 1) & (t->dup_cap - 1))
        if (t->dup[j].object == o && t->dup[j].hash == h && keys_equal(t, s, t->dup[j].key, k))
            return 1;
    t->dup[j] = (jdup){(uint32_t)o, (uint32_t)k, h};
    t->dup_used++;
    return 0;
}

/* The keys seen so far in a small object: a 128-bit filter of a cheap hash of their bytes,
 * valid while none of them holds an escape (an escaped key's bytes are not its text). */
typedef struct key_filter {
    uint64_t bits[2];
    int escapes;
} key_filter;

/* Sets the filter's bit for key k; 1 when it was set already. */
static int filter_add(key_filter *f, const jtext *t, const unsigned char *s, size_t k)
{
    const jv *key = &t->v[k];
    const unsigned char *p = s + key->off + 1;
    size_t len = key->len;
    uint32_t h = (uint32_t)len * 0x9E3779B1u;
    if (len > 0)
        h ^= p[0] * 0x85EBCA77u ^ p[len / 2] * 0x27D4EB2Fu ^ p[len - 1] * 0xC2B2AE3Du;
    h ^= h >> 15;
    uint64_t bit = (uint64_t)1 << (h & 63);
    uint64_t *word = &f->bits[(h >> 6) & 1];
    int seen = (*word & bit) != 0;
    *word |= bit;
    return seen;
}

/* Is key k, the members-th of object o, equal to one before it? 1 yes, 0 no, -1 out of
 * memory. A key of a small object is compared with the keys before it only when the filter
 * cannot tell it is new; larger objects index their keys. */
static int duplicate_key(jtext *t, const unsigned char *s, size_t o, size_t members, size_t k,
                         key_filter *f)
{
    if (members < LINEAR_KEYS) {
        f->escapes |= t->v[k].escaped;
        if (!f->escapes && !filter_add(f, t, s, k))
            return 0;
        for (size_t i = o + 1; i < k; i = jtext_after(t, i + 1))
            if (keys_equal(t, s, i, k))
                return 1;
        return 0;
    }
    if (members == LINEAR_KEYS) {
        for (size_t i = o + 1; i < k; i = jtext_after(t, i + 1))
            if (dup_insert(t, s, o, i) < 0)
                return -1;
    }
    return dup_insert(t, s, o, k);
}

/* ------------------------------------------------------------------------------------------
 * Values
 * ---------------------------------------------------------------------------------------- */

/* Append a value for the current token. */
static long push(lexer *lx, jv_type type)
{
    jtext *t = lx->t;
    if (t->n == t->cap && bk_grow((void **)&t->v, &t->cap, t->n + 1, sizeof *t->v))
        return -1;
    jv *v = &t->v[t->n];
    /* The text is at most JTEXT_MAX_BYTES long: its offsets fit. */
    v->off = (uint32_t)lx->start;
    v->len = (uint32_t)(lx->pos - lx->start);
    v->line = lx->tok_line < UINT32_MAX ? (uint32_t)lx->tok_line : UINT32_MAX;
    v->type = (uint8_t)type;
    v->escaped = 0;
    if (type == JV_STRING || type == JV_KEY) {
        v->len -= 2;
        v->escaped = (uint8_t)lx->escaped;
    } else if (type <= JV_ARRAY) {
        v->end = 0;
    }
    return (long)t->n++;
}

static int parse_value(lexer *lx);

/* After a member or an element: 1 when a comma follows (the token after it is read), 0 when
 * something else does (the current token), -1 on an error. */
static int after_item(lexer *lx)
{
    if (lex_next(lx) < 0)
        return -1;
    if (lx->tok != T_COMMA)
        return 0;
    return lex_next(lx) < 0 ? -1 : 1;
}

/* The end of the object or array at v: the current token must close it. */
static int close_container(lexer *lx, long v, int close, const char *expected)
{
    if (lx->tok != close)
        return lex_fail(lx, BK_E_SYNTAX, 0, "%s", expected);
    /* Each value starts at its own byte of the text: their count fits as its offsets do. */
    lx->t->v[v].end = (uint32_t)lx->t->n;
    return 0;
}

static int parse_object(lexer *lx)
{
    long o = push(lx, JV_OBJECT);
    if (o < 0)
        return lex_nomem(lx);
    size_t members = 0;
    key_filter filter = {{0, 0}, 0};
    if (lex_next(lx) < 0)
        return -1;
    int more = lx->tok != T_CLOSE_OBJECT;
    while (more > 0) {
        if (lx->tok != T_STRING)
            return lex_fail(lx, BK_E_SYNTAX, 0, "string or '}' expected");
        if (lx->has_nul)
            return lex_fail(lx, BK_E_SYNTAX, 0, "NUL byte in object key not supported");
        long k = push(lx, JV_KEY);
        if (k < 0)
            return lex_nomem(lx);
        int dup = duplicate_key(lx->t, lx->s, (size_t)o, members, (size_t)k, &filter);
        if (dup < 0)
            return lex_nomem(lx);
        if (dup)
            return lex_fail(lx, BK_E_CONTENT, 0, "duplicate object key");
        if (lex_next(lx) < 0)
            return -1;
        if (lx->tok != T_COLON)
            return lex_fail(lx, BK_E_SYNTAX, 0, "':' expected");
        if (lex_next(lx) < 0 || parse_value(lx) < 0)
            return -1;
        members++;
        more = after_item(lx);
    }
    return more < 0 ? -1 : close_container(lx, o, T_CLOSE_OBJECT, "'}' expected");
}

static int parse_array(lexer *lx)
{
    long a = push(lx, JV_ARRAY);
    if (a < 0)
        return lex_nomem(lx);
    if (lex_next(lx) < 0)
        return -1;
    int more = lx->tok != T_CLOSE_ARRAY;
    while (more > 0 && lx->tok != T_EOF) {
        if (parse_value(lx) < 0)
            return -1;
        more = after_item(lx);
    }
    return more < 0 ? -1 : close_container(lx, a, T_CLOSE_ARRAY, "']' expected");
}

/* The value starting with the current token. */
static int parse_value(lexer *lx)
{
    if (++lx->depth > MAX_NESTING)
        return lex_fail(lx, BK_E_LIMIT, 0, "maximum parsing depth reached");
    int r = 0;
    switch (lx->tok) {
    case T_STRING:
        if (lx->has_nul)
            return lex_fail(lx, BK_E_CONTENT, 0,
                            "a string holds \\u0000 (a NUL character), which "
                            "budgetkit does not accept in text");
        r = push(lx, JV_STRING) < 0 ? lex_nomem(lx) : 0;
        break;
    case T_INTEGER: r = push(lx, JV_INTEGER) < 0 ? lex_nomem(lx) : 0; break;
    case T_REAL: r = push(lx, JV_REAL) < 0 ? lex_nomem(lx) : 0; break;
    case T_TRUE: r = push(lx, JV_TRUE) < 0 ? lex_nomem(lx) : 0; break;
    case T_FALSE: r = push(lx, JV_FALSE) < 0 ? lex_nomem(lx) : 0; break;
    case T_NULL: r = push(lx, JV_NULL) < 0 ? lex_nomem(lx) : 0; break;
    case T_OPEN_OBJECT: r = parse_object(lx); break;
    case T_OPEN_ARRAY: r = parse_array(lx); break;
    case T_INVALID: return lex_fail(lx, BK_E_SYNTAX, 0, "invalid token");
    default: return lex_fail(lx, BK_E_SYNTAX, 0, "unexpected token");
    }
    lx->depth--;
    return r;
}

int jtext_parse(jtext *t, const unsigned char *text, size_t n, jtext_error *e)
{
    lexer lx = {.t = t, .e = e, .s = text, .n = n, .line = 1};
    t->n = 0;
    t->newlines = 0;
    if (n > JTEXT_MAX_BYTES) {
        /* The reader refuses such a text before it is parsed, naming the file. */
        e->code = BK_E_LIMIT;
        e->at = 0;
        snprintf(e->text, sizeof e->text, "the text is longer than %zu bytes", JTEXT_MAX_BYTES);
        return -1;
    }
    seed_hash(t);
    if (t->dup_used) {
        memset(t->dup, 0, t->dup_cap * sizeof *t->dup);
        t->dup_used = 0;
    }
    if (lex_next(&lx) < 0)
        return -1;
    if (lx.tok != T_OPEN_OBJECT && lx.tok != T_OPEN_ARRAY)
        return lex_fail(&lx, BK_E_SYNTAX, 0, "'[' or '{' expected");
    if (parse_value(&lx) < 0 || lex_next(&lx) < 0)
        return -1;
    if (lx.tok != T_EOF)
        return lex_fail(&lx, BK_E_SYNTAX, 0, "end of file expected");
    t->newlines = lx.line - 1;
    return 0;
}

void jtext_free(jtext *t)
{
    bk_free(t->v);
    bk_free(t->dup);
    *t = (jtext){0};
}

/* ------------------------------------------------------------------------------------------
 * Strings
 * ---------------------------------------------------------------------------------------- */

size_t jtext_members(const jtext *t, size_t i)
{
    size_t count = 0, end = t->v[i].end;
    if (t->v[i].type == JV_OBJECT)
        for (size_t k = i + 1; k < end; k = jtext_after(t, k + 1))
            count++;
    else
        for (size_t k = i + 1; k < end; k = jtext_after(t, k))
            count++;
    return count;
}

long long jtext_integer(const jtext *t, const unsigned char *text, size_t i)
{
    const unsigned char *p = text + t->v[i].off, *end = p + t->v[i].len;
    int neg = *p == '-';
    unsigned long long v = 0;
    for (p += neg; p < end; p++)
        v = v * 10 + (unsigned)(*p - '0');
    /* The parse checked it fits: -v is INT64_MIN at most. */
    return neg ? (v == (unsigned long long)INT64_MAX + 1 ? INT64_MIN : -(long long)v)
               : (long long)v;
}

size_t jtext_decoded_length(const jtext *t, const unsigned char *text, size_t i)
{
    const jv *v = &t->v[i];
    if (!v->escaped)
        return v->len;
    /* The escapes were checked by the parse: \u escapes of surrogates come in pairs. */
    const unsigned char *p = text + v->off + 1, *end = p + v->len;
    size_t n = 0;
    while (p < end) {
        const unsigned char *bs = memchr(p, '\\', (size_t)(end - p));
        if (!bs)
            return n + (size_t)(end - p);
        n += (size_t)(bs - p);
        if (bs[1] != 'u') {
            p = bs + 2;
            n++;
            continue;
        }
        uint32_t cp = hex4(bs + 2);
        if (cp >= 0xD800 && cp <= 0xDBFF) {
            p = bs + 12;
            n += 4;
        } else {
            p = bs + 6;
            n += utf8_width(cp);
        }
    }
    return n;
}

size_t jtext_decode(const jtext *t, const unsigned char *text, size_t i, char *out)
{
    const jv *v = &t->v[i];
    const unsigned char *p = text + v->off + 1, *end = p + v->len;
    if (!v->escaped) {
        memcpy(out, p, v->len);
        out[v->len] = '\0';
        return v->len;
    }
    unsigned char *o = (unsigned char *)out;
    while (p < end) {
        const unsigned char *bs = memchr(p, '\\', (size_t)(end - p));
        size_t plain = bs ? (size_t)(bs - p) : (size_t)(end - p);
        memcpy(o, p, plain);
        o += plain;
        p += plain;
        if (p < end) {
            p++;
            o += decode_escape(&p, o);
        }
    }
    *o = '\0';
    return (size_t)(o - (unsigned char *)out);
}

int jtext_equals(const jtext *t, const unsigned char *text, size_t i, const char *name)
{
    const jv *v = &t->v[i];
    const char *raw = (const char *)text + v->off + 1;
    if (!v->escaped) {
        /* The text has no NUL byte: a shorter name differs at its end. */
        for (size_t j = 0; j < v->len; j++)
            if (name[j] != raw[j])
                return 0;
        return name[v->len] == '\0';
    }
    const unsigned char *p = (const unsigned char *)raw, *end = p + v->len;
    const unsigned char *k = (const unsigned char *)name;
    while (p < end) {
        unsigned char d[4];
        size_t nd = 1;
        if (*p == '\\') {
            p++;
            nd = decode_escape(&p, d);
        } else {
            d[0] = *p++;
        }
        for (size_t j = 0; j < nd; j++, k++)
            if (*k != d[j])
                return 0;
    }
    return *k == '\0';
}
