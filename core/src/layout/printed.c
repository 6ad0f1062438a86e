/* What the layout engine and the writers of printed tables agree on: the roles of key
 * columns, the header depth of a template, and how printed labels compare. */
#include <string.h>

#include "layout.h"

int bk_printed_key_role(const char *header)
{
    if (bk_label_equal(header, "预算单位"))
        return BK_PRINTED_KEY_UNIT;
    if (strstr(header, "编码") || strstr(header, "代码"))
        return BK_PRINTED_KEY_CODE;
    return BK_PRINTED_KEY_NAME;
}

void bk_printed_shape_of(const bk_template *tpl, bk_printed_shape *s)
{
    s->tpl = tpl;
    s->unit_col = s->code_col = s->name_col = -1;
    /* 类 | 款 | 项: the code in parts, from the first key column. */
    if (tpl->code_parts)
        s->code_col = 0;
    for (size_t k = tpl->code_parts; k < tpl->nkey_headers; k++) {
        int role = bk_printed_key_role(tpl->key_headers[k]);
        if (role == BK_PRINTED_KEY_UNIT && s->unit_col < 0)
            s->unit_col = (int)k;
        else if (role == BK_PRINTED_KEY_CODE && s->code_col < 0)
            s->code_col = (int)k;
        else if (role == BK_PRINTED_KEY_NAME)
            s->name_col = (int)k; /* the last one: 项目编码, 项目名称 → 项目名称 */
    }
    s->depth = 1;
    for (size_t c = 0; c < tpl->ncolumns; c++)
        if (tpl->columns[c].path_len > s->depth)
            s->depth = tpl->columns[c].path_len;
}

static int is_ideographic_space(const char *s, size_t len)
{
    return len >= 3 && (unsigned char)s[0] == 0xE3 && (unsigned char)s[1] == 0x80 &&
           (unsigned char)s[2] == 0x80;
}

static int is_ascii_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\f';
}

size_t bk_printed_indent(const char *s, size_t len, size_t *bytes)
{
    size_t n = 0, i = 0;
    while (is_ideographic_space(s + i, len - i)) {
        n++;
        i += 3;
    }
    if (bytes)
        *bytes = i;
    return n;
}

void bk_printed_trim(const char **s, size_t *len)
{
    const char *p = *s;
    size_t n = *len;
    for (;;) {
        if (n > 0 && is_ascii_blank(p[0]))
            p++, n--;
        else if (is_ideographic_space(p, n))
            p += 3, n -= 3;
        else
            break;
    }
    for (;;) {
        if (n > 0 && is_ascii_blank(p[n - 1]))
            n--;
        else if (n >= 3 && is_ideographic_space(p + n - 3, 3))
            n -= 3;
        else
            break;
    }
    *s = p;
    *len = n;
}

int bk_printed_name_marked(const char *name)
{
    size_t len = strlen(name);
    const char *s = name;
    size_t n = len;
    bk_printed_trim(&s, &n);
    return n != len || (len > 0 && name[0] == BK_PRINTED_VERBATIM);
}

int bk_printed_blank(const char *s, size_t len)
{
    bk_printed_trim(&s, &len);
    return len == 0;
}

/* The next character of a label as bk_label_normalise sees it: *out receives its bytes (none
 * for blanks, one ASCII byte for folded full-width punctuation). Returns the bytes consumed. */
static size_t label_char(const unsigned char *p, size_t left, unsigned char *out, size_t *nout)
{
    *nout = 0;
    if (is_ascii_blank((char)p[0]))
        return 1;
    if (is_ideographic_space((const char *)p, left))
        return 3;
    if (left >= 3 && p[0] == 0xEF && p[1] == 0xBC) {
        static const struct { unsigned char b; char a; } folds[] = {
            {0x88, '('}, {0x89, ')'}, {0x9A, ':'}, {0x8C, ','}, {0x9B, ';'}, {0x85, '%'}};
        for (size_t i = 0; i < sizeof folds / sizeof folds[0]; i++) {
            if (p[2] == folds[i].b) {
                out[0] = (unsigned char)folds[i].a;
                *nout = 1;
                return 3;
            }
        }
    }
    out[0] = p[0];
    *nout = 1;
    return 1;
}

int bk_printed_starts(const char *s, const char *word, int need_colon, const char **rest)
{
    char want[256];
    size_t nw = bk_label_normalise(word, want, sizeof want);
    if (nw >= sizeof want)
        return 0;
    const unsigned char *p = (const unsigned char *)s;
    size_t left = strlen(s), k = 0;
    while (k < nw) {
        if (left == 0)
            return 0;
        unsigned char c;
        size_t nc, used = label_char(p, left, &c, &nc);
        if (nc && c != (unsigned char)want[k++])
            return 0;
        p += used;
        left -= used;
    }
    /* Then blanks and one optional colon. */
    int colon = 0;
    while (left > 0) {
        unsigned char c;
        size_t nc, used = label_char(p, left, &c, &nc);
        if (nc && c == ':' && !colon)
            colon = 1;
        else if (nc)
            break;
        p += used;
        left -= used;
    }
    if (need_colon && !colon)
        return 0;
    if (rest)
        *rest = (const char *)p;
    return 1;
}

int bk_printed_is_self(const char *name, size_t *base_len)
{
    static const char *const suffixes[] = {"(本级)", "（本级）"};
    const char *s = name;
    size_t n = strlen(name);
    bk_printed_trim(&s, &n);
    for (size_t i = 0; i < 2; i++) {
        size_t k = strlen(suffixes[i]);
        if (n >= k && memcmp(s + n - k, suffixes[i], k) == 0) {
            size_t b = n - k;
            while (b > 0 && is_ascii_blank(s[b - 1]))
                b--;
            if (base_len)
                *base_len = (size_t)(s - name) + b;
            return 1;
        }
    }
    return 0;
}

bk_row_kind bk_printed_kind_of(const char *name)
{
    char buf[512];
    size_t n = bk_label_normalise(name, buf, sizeof buf);
    if (n >= sizeof buf)
        n = sizeof buf - 1;
    if (n >= 6 && memcmp(buf, "其中", 6) == 0)
        return BK_ROW_OF;
    if (n >= 6 && (memcmp(buf + n - 6, "合计", 6) == 0 || memcmp(buf + n - 6, "总计", 6) == 0))
        return BK_ROW_TOTAL;
    return BK_ROW_ITEM;
}

/* Replace the digits of every "NNNN年" with '#'. */
static void mask_years(char *s, size_t n)
{
    for (size_t i = 0; i + 7 <= n; i++) {
        int digits = 1;
        for (size_t k = 0; k < 4; k++)
            digits &= s[i + k] >= '0' && s[i + k] <= '9';
        if (digits && memcmp(s + i + 4, "年", 3) == 0 && (i == 0 || s[i - 1] < '0' ||
                                                          s[i - 1] > '9'))
            memset(s + i, '#', 4);
    }
}

int bk_printed_label_match(const char *a, const char *b, int years_too)
{
    if (bk_label_equal(a, b))
        return 1;
    if (!years_too)
        return 0;
    char x[512], y[512];
    size_t nx = bk_label_normalise(a, x, sizeof x), ny = bk_label_normalise(b, y, sizeof y);
    if (nx >= sizeof x || ny >= sizeof y || nx != ny)
        return 0;
    mask_years(x, nx);
    mask_years(y, ny);
    return memcmp(x, y, nx) == 0;
}
