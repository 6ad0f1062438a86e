/* Reading the narrative: full-width forms, blanks and lines broken by page or column wrap are
 * normalised; the text is cut into list items and sentences; each stated figure (万元, 亿元, 元,
 * %) is read exactly and given a role from the words before it. */
#include <string.h>

#include "budgetkit/alloc.h"
#include "nv.h"

long nv_find(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = 0; n && i + n <= len; i++)
        if (memcmp(s + i, word, n) == 0)
            return (long)i;
    return -1;
}

long nv_find_last(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    for (size_t i = len; n && i >= n; i--)
        if (memcmp(s + i - n, word, n) == 0)
            return (long)(i - n);
    return -1;
}

int nv_has(const char *s, size_t len, const char *word) { return nv_find(s, len, word) >= 0; }

static int ends_with(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && memcmp(s + len - n, word, n) == 0;
}

static int starts_with(const char *s, size_t len, const char *word)
{
    size_t n = strlen(word);
    return len >= n && memcmp(s, word, n) == 0;
}

/* One UTF-8 character at s (length in *n), U+FFFD for a bad byte. */
static unsigned next_cp(const unsigned char *s, size_t len, size_t *n)
{
    if (s[0] < 0x80) {
        *n = 1;
        return s[0];
    }
    int k = s[0] >= 0xF0 ? 4 : s[0] >= 0xE0 ? 3 : s[0] >= 0xC0 ? 2 : 0;
    if (k == 0 || (size_t)k > len) {
        *n = 1;
        return 0xFFFD;
    }
    unsigned cp = s[0] & (0x3F >> (k - 1));
    for (int i = 1; i < k; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *n = 1;
            return 0xFFFD;
        }
        cp = (cp << 6) | (s[i] & 0x3F);
    }
    *n = (size_t)k;
    return cp;
}

static int is_blank_cp(unsigned cp) { return cp == ' ' || cp == '\t' || cp == '\r' || cp == 0x3000 || cp == 0xA0; }

static int is_alnum(int c) { return (c >= '0' && c <= '9') || ((c | 0x20) >= 'a' && (c | 0x20) <= 'z'); }

typedef struct buf {
    char *s;
    size_t len, cap;
    int failed;
} buf;

static void put(buf *b, const char *s, size_t n)
{
    if (b->failed)
        return;
    void *p = b->s;
    if (bk_grow(&p, &b->cap, b->len + n + 1, 1) != 0) {
        b->failed = 1;
        return;
    }
    b->s = p;
    memcpy(b->s + b->len, s, n);
    b->len += n;
    b->s[b->len] = '\0';
}

/* A line normalised: full-width digits, point, percent and X to ASCII; blanks dropped except
 * one between two ASCII letters or digits ("ChatData 移动版" keeps none, "CIM 平台" none). */
static void put_line(buf *b, const char *s, size_t len)
{
    int pending_blank = 0;
    for (size_t i = 0; i < len;) {
        size_t n;
        unsigned cp = next_cp((const unsigned char *)s + i, len - i, &n);
        if (is_blank_cp(cp)) {
            pending_blank = 1;
            i += n;
            continue;
        }
        char c = 0;
        if (cp >= 0xFF10 && cp <= 0xFF19)
            c = (char)('0' + (cp - 0xFF10));
        else if (cp == 0xFF0E)
            c = '.';
        else if (cp == 0xFF05)
            c = '%';
        else if (cp == 0xFF38)
            c = 'X';
        else if (cp == 0xFF0B)
            c = '+';
        else if (cp < 0x80)
            c = (char)cp;
        if (pending_blank && c && is_alnum(c) && b->len && is_alnum(b->s[b->len - 1]))
            put(b, " ", 1);
        pending_blank = 0;
        if (c)
            put(b, &c, 1);
        else
            put(b, s + i, n);
        i += n;
    }
}

static const char *const cn_digits[] = {"一", "二", "三", "四", "五", "六", "七", "八", "九", "十"};

static size_t cn_number_len(const char *s, size_t len)
{
    size_t i = 0;
    for (;;) {
        size_t k = 0;
        for (size_t d = 0; d < 10 && !k; d++)
            if (starts_with(s + i, len - i, cn_digits[d]))
                k = strlen(cn_digits[d]);
        if (!k)
            return i;
        i += k;
    }
}

/* "（一）", "一、", "1.", "1、", "（1）", "(2)" at the start of a normalised line. */
static int list_marker(const char *s, size_t len)
{
    size_t i = 0;
    int paren = 0;
    if (starts_with(s, len, "（")) {
        i = 3;
        paren = 1;
    } else if (len && s[0] == '(') {
        i = 1;
        paren = 1;
    }
    size_t k = cn_number_len(s + i, len - i);
    int digits = 0;
    if (!k)
        while (i + k < len && s[i + k] >= '0' && s[i + k] <= '9' && k < 2)
            k++, digits = 1;
    if (!k || (i + k < len && s[i + k] >= '0' && s[i + k] <= '9'))
        return 0;
    i += k;
    if (paren)
        return starts_with(s + i, len - i, "）") || (i < len && s[i] == ')');
    if (starts_with(s + i, len - i, "、"))
        return 1;
    /* "1." but not "3000.00" or "2.0": a digit after the point is a number */
    return digits && i < len && s[i] == '.' && (i + 1 >= len || !(s[i + 1] >= '0' && s[i + 1] <= '9'));
}

static int sentence_final(const char *s, size_t len)
{
    return ends_with(s, len, "。") || ends_with(s, len, "！") || ends_with(s, len, "？");
}

/* ---- figures ---- */

static int add_fig(nv_part *p, const nv_fig *f)
{
    if (bk_grow((void **)&p->fig, &p->capfig, p->nfig + 1, sizeof *p->fig) != 0)
        return -1;
    p->fig[p->nfig++] = *f;
    return 0;
}

static const char *const more_words[] = {"增加", "增长", "上升", "提高", "增", "多"};
static const char *const less_words[] = {"减少", "下降", "降低", "压减", "节约", "减", "少"};
static const char *const rate_more[] = {"增长率", "增长", "增幅", "上升", "提高", "增加", "增"};
static const char *const rate_less[] = {"下降", "减幅", "降幅", "降低", "减少", "减"};

/* Where the words naming the figure at `at` begin: after the last clause mark or figure. */
static size_t clause_start(const char *s, size_t from, size_t at)
{
    static const char *const marks[] = {"，", "；", "：", "、", "。", ",", ";", ":"};
    size_t best = from;
    for (size_t m = 0; m < sizeof marks / sizeof *marks; m++) {
        long k = nv_find_last(s + from, at - from, marks[m]);
        if (k >= 0 && from + (size_t)k + strlen(marks[m]) > best)
            best = from + (size_t)k + strlen(marks[m]);
    }
    return best;
}

/* The direction word that ends s[0..len) ("较2023年预算减少" → -1), 0 when none. */
static int direction_at_end(const char *s, size_t len, const char *const *more, size_t nmore,
                            const char *const *less, size_t nless)
{
    if (ends_with(s, len, "了"))
        len -= 3;
    for (size_t i = 0; i < nmore; i++)
        if (ends_with(s, len, more[i]))
            return 1;
    for (size_t i = 0; i < nless; i++)
        if (ends_with(s, len, less[i]))
            return -1;
    return 0;
}

static int comparison_words(const char *s, size_t len)
{
    return nv_has(s, len, "较") || nv_has(s, len, "比") || nv_has(s, len, "与") ||
           nv_has(s, len, "同比") || nv_has(s, len, "上年");
}

/* After "万" without 元: only a clause mark or the end makes it an amount (not 万人, 万份). */
static int wan_alone(const char *s, size_t len)
{
    static const char *const marks[] = {"，", "。", "、", "；", "：", ",", ";", ")", "）"};
    if (len == 0)
        return 1;
    for (size_t i = 0; i < sizeof marks / sizeof *marks; i++)
        if (starts_with(s, len, marks[i]))
            return 1;
    return 0;
}

static int scan_sentence(nv_part *p, nv_sentence *st)
{
    const char *s = p->text;
    size_t prev_end = st->start;
    st->fig0 = p->nfig;
    for (size_t i = st->start; i < st->end;) {
        unsigned char c = (unsigned char)s[i];
        /* 持平 / 一致 / 相同 after a comparison: a change of zero without a figure */
        if (starts_with(s + i, st->end - i, "持平")) {
            size_t cs = clause_start(s, prev_end, i);
            if (comparison_words(s + cs, i - cs)) {
                nv_fig f = {0};
                f.start = i;
                f.end = i + 6;
                f.value = (bk_decimal){0, 0};
                f.wan = f.value;
                f.unit = NV_WAN;
                f.role = NV_CHANGE;
                f.zero_word = 1;
                f.subj_start = cs;
                if (add_fig(p, &f))
                    return -1;
            }
            i += 6;
            continue;
        }
        if (!(c >= '0' && c <= '9') ||
            (i > st->start && (is_alnum(s[i - 1]) || s[i - 1] == '.' || s[i - 1] == ','))) {
            i++;
            continue;
        }
        size_t j = i;
        while (j < st->end && ((s[j] >= '0' && s[j] <= '9') || s[j] == ',' ||
                               (s[j] == '.' && j + 1 < st->end && s[j + 1] >= '0' && s[j + 1] <= '9')))
            j++;
        while (j > i && s[j - 1] == ',')
            j--;
        bk_decimal v;
        if (bk_decimal_parse(s + i, j - i, BK_DECIMAL_THOUSANDS, &v, NULL) != BK_DECIMAL_OK) {
            i = j;
            continue;
        }
        int unit;
        size_t ulen;
        if (starts_with(s + j, st->end - j, "万元"))
            unit = NV_WAN, ulen = 6;
        else if (starts_with(s + j, st->end - j, "亿元"))
            unit = NV_YI, ulen = 6;
        else if (starts_with(s + j, st->end - j, "元"))
            unit = NV_YUAN, ulen = 3;
        else if (j < st->end && s[j] == '%')
            unit = NV_PERCENT, ulen = 1;
        else if (starts_with(s + j, st->end - j, "万") && wan_alone(s + j + 3, st->end - j - 3))
            unit = NV_WAN, ulen = 3; /* "1170.00万，其中…": 万 for 万元 before a clause mark */
        else {
            i = j;
            continue;
        }
        nv_fig f = {0};
        f.start = i;
        f.end = j + ulen;
        f.value = v;
        f.unit = unit;
        f.wan = v;
        if (unit == NV_YI) {
            if (__builtin_mul_overflow(v.units, (int64_t)10000, &f.wan.units)) {
                i = f.end;
                continue;
            }
        } else if (unit == NV_YUAN) {
            f.wan.scale += 4;
        }
        size_t cs = clause_start(s, prev_end, i);
        f.subj_start = cs;
        const char *before = s + cs;
        size_t blen = i - cs;
        const char *after = s + f.end;
        size_t alen = st->end - f.end;
        if (ends_with(before, blen, "≤") || ends_with(before, blen, "≥") ||
            ends_with(before, blen, "<") || ends_with(before, blen, ">") ||
            ends_with(before, blen, "不超过") || ends_with(before, blen, "不低于") ||
            ends_with(before, blen, "不少于") || starts_with(after, alen, "以上") ||
            starts_with(after, alen, "以下") || starts_with(after, alen, "（含）") ||
            starts_with(after, alen, "以内") || starts_with(after, alen, "及以下") ||
            starts_with(after, alen, "及以上"))
            f.role = NV_OTHER;
        else if (!comparison_words(s + st->start, i - st->start))
            /* no 较/比/同比 before it: "支持商销稳增长30.00万" names an item, "增长8.3%" alone
             * is no change of anything */
            f.role = unit == NV_PERCENT ? NV_OTHER : NV_LEVEL;
        else if (unit == NV_PERCENT) {
            int d = direction_at_end(before, blen, rate_more, sizeof rate_more / sizeof *rate_more,
                                     rate_less, sizeof rate_less / sizeof *rate_less);
            f.role = d ? NV_RATE : NV_OTHER;
            f.sign = d;
        } else {
            int d = direction_at_end(before, blen, more_words, sizeof more_words / sizeof *more_words,
                                     less_words, sizeof less_words / sizeof *less_words);
            if (d) {
                f.role = NV_CHANGE;
                f.sign = d;
            } else if (nv_has(before, blen, "一致") || nv_has(before, blen, "持平") ||
                       nv_has(before, blen, "相同") ||
                       (comparison_words(before, blen) && nv_has(before, blen, "年"))) {
                f.role = NV_PREVIOUS;
            } else {
                f.role = NV_LEVEL;
            }
        }
        if (add_fig(p, &f))
            return -1;
        prev_end = f.end;
        i = f.end;
    }
    st->nfig = p->nfig - st->fig0;
    return 0;
}

static int add_sentence(nv_part *p, size_t start, size_t end, size_t item)
{
    while (start < end && p->text[start] == '\n')
        start++;
    if (start >= end)
        return 0;
    if (bk_grow((void **)&p->sent, &p->capsent, p->nsent + 1, sizeof *p->sent) != 0)
        return -1;
    nv_sentence *st = &p->sent[p->nsent++];
    st->start = start;
    st->end = end;
    st->item = item;
    return scan_sentence(p, st);
}

bk_status nv_part_read(nv_part *p, const char *title, const char *text)
{
    memset(p, 0, sizeof *p);
    p->title = title;
    buf b = {0};
    /* Lines joined unless the break ends a sentence, starts a list item, or follows a short
     * heading; a hard break is '\n', a list item break "\n\n". */
    const char *s = text ? text : "";
    size_t last_start = 0, last_len = 0;
    int have_last = 0;
    while (*s) {
        const char *e = strchr(s, '\n');
        size_t n = e ? (size_t)(e - s) : strlen(s);
        size_t start = b.len;
        buf line = {0};
        put_line(&line, s, n);
        if (line.failed || b.failed) {
            bk_free(line.s);
            bk_free(b.s);
            return BK_E_NOMEM;
        }
        if (line.len) {
            int marker = list_marker(line.s, line.len);
            if (have_last) {
                const char *ls = b.s + last_start;
                int heading = list_marker(ls, last_len) && last_len <= 60 &&
                              !ends_with(ls, last_len, "，") && !ends_with(ls, last_len, "、") &&
                              !ends_with(ls, last_len, "；");
                if (marker)
                    put(&b, "\n\n", 2);
                else if (sentence_final(ls, last_len) || heading)
                    put(&b, "\n", 1);
            }
            start = b.len;
            put(&b, line.s, line.len);
            last_start = start;
            last_len = line.len;
            have_last = 1;
        }
        bk_free(line.s);
        s += n + (e ? 1 : 0);
    }
    if (b.failed) {
        bk_free(b.s);
        return BK_E_NOMEM;
    }
    p->text = b.s;
    p->len = b.len;
    if (!p->text)
        return BK_OK;
    /* Sentences end at 。！？ and hard breaks; items at list markers. */
    size_t item = 0, start = 0;
    for (size_t i = 0; i < p->len;) {
        if (p->text[i] == '\n') {
            if (add_sentence(p, start, i, item))
                return BK_E_NOMEM;
            if (i + 1 < p->len && p->text[i + 1] == '\n')
                item++;
            while (i < p->len && p->text[i] == '\n')
                i++;
            start = i;
            continue;
        }
        size_t k = 0;
        if (starts_with(p->text + i, p->len - i, "。") || starts_with(p->text + i, p->len - i, "！") ||
            starts_with(p->text + i, p->len - i, "？"))
            k = 3;
        if (k) {
            size_t end = i + k;
            if (starts_with(p->text + end, p->len - end, "”"))
                end += 3;
            if (add_sentence(p, start, end, item))
                return BK_E_NOMEM;
            i = start = end;
            continue;
        }
        i++;
    }
    if (add_sentence(p, start, p->len, item))
        return BK_E_NOMEM;
    return BK_OK;
}

void nv_part_free(nv_part *p)
{
    bk_free(p->text);
    bk_free(p->sent);
    bk_free(p->fig);
    memset(p, 0, sizeof *p);
}
