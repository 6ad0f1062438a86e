/* Positioned words to grid rows (words.h).
 *
 * Per page: words → lines (vertical centres inside a line's band) → chunks (words of a line
 * closer than about half a character, an amount never joined to a neighbour). Over the whole
 * document: table regions (the unit line 单位：元 and the title lines just above it, then the
 * header lines up to the first amount, then the body, to a 注/备注 note, prose, or the next
 * table; a region continues over pages), and per region one column model: amounts cluster by
 * their right edges, text by its left edges, clusters that never share a line and overlap are
 * one column (indented names), header cells land on the column under them or, spanning
 * several, on the first (a merge: a label centred over columns spans the widest run of them,
 * all labelled below it, whose middle is its centre). Header lines are then emitted as the
 * header's rows: a label goes in the row under the labels over its columns, whatever line
 * its print centres it on. Tolerances are in "em", the median word height of the page, so
 * points and character cells both work. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budgetkit/budgetkit.h"
#include "budgetkit/words.h"

/* Without libm: the library links nothing it does not need. */
static double dmin(double a, double b) { return a < b ? a : b; }
static double dmax(double a, double b) { return a > b ? a : b; }
static double dabs(double a) { return a < 0 ? -a : a; }

#define WORDS_DEFAULT_MAX ((size_t)4 << 20)
#define MAX_CLUSTERS 1024

typedef struct word {
    size_t off, len;
    double x0, y0, x1, y1;
    long line;
} word;

typedef struct wpage {
    long page;
    size_t first, n;
} wpage;

struct bk_words {
    char *file;
    char *text;
    size_t tlen, tcap;
    word *w;
    size_t nw, wcap;
    wpage *pg;
    size_t npg, pgcap;
    size_t max;
};

bk_words *bk_words_new(const char *file)
{
    bk_words *w = bk_calloc(1, sizeof *w);
    if (!w)
        return NULL;
    if (!(w->file = bk_strdup(file ? file : "-"))) {
        bk_free(w);
        return NULL;
    }
    w->max = WORDS_DEFAULT_MAX;
    return w;
}

void bk_words_free(bk_words *w)
{
    if (!w)
        return;
    bk_free(w->file);
    bk_free(w->text);
    bk_free(w->w);
    bk_free(w->pg);
    bk_free(w);
}

void bk_words_set_max(bk_words *w, size_t max) { w->max = max ? max : WORDS_DEFAULT_MAX; }

bk_status bk_words_page(bk_words *w, long page)
{
    if (bk_grow((void **)&w->pg, &w->pgcap, w->npg + 1, sizeof *w->pg))
        return BK_E_NOMEM;
    w->pg[w->npg++] = (wpage){page, w->nw, 0};
    return BK_OK;
}

static int blank_text(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c == 0xE3 && i + 2 < len && (unsigned char)s[i + 1] == 0x80 &&
            (unsigned char)s[i + 2] == 0x80) {
            i += 2; /* U+3000 ideographic space */
            continue;
        }
        if (c != ' ' && c != '\t' && c != '\r' && c != '\n' && c != '\f' && c != '\v')
            return 0;
    }
    return 1;
}

bk_status bk_words_add(bk_words *w, const char *text, size_t len, double x0, double y0,
                       double x1, double y1, long line)
{
    if (!isfinite(x0) || !isfinite(y0) || !isfinite(x1) || !isfinite(y1) || x1 < x0 || y1 < y0)
        return BK_E_CONTENT;
    if (!text || len == 0 || blank_text(text, len))
        return BK_OK;
    if (w->nw >= w->max)
        return BK_E_LIMIT;
    if (w->npg == 0 && bk_words_page(w, 1) != BK_OK)
        return BK_E_NOMEM;
    if (bk_grow((void **)&w->text, &w->tcap, w->tlen + len + 1, 1) ||
        bk_grow((void **)&w->w, &w->wcap, w->nw + 1, sizeof *w->w))
        return BK_E_NOMEM;
    memcpy(w->text + w->tlen, text, len);
    w->text[w->tlen + len] = '\0';
    w->w[w->nw++] = (word){w->tlen, len, x0, y0, x1, y1, line};
    w->tlen += len + 1;
    w->pg[w->npg - 1].n++;
    return BK_OK;
}

/* ---------------------------------------------------------------- the build */

typedef enum lkind { L_NARR, L_META, L_HEAD, L_BODY, L_NOTE } lkind;

typedef struct chunk {
    size_t off, len; /* in b->text */
    double x0, y0, x1, y1;
    int num;     /* looks like an amount */
    int cl;      /* cluster, -1 none */
    int col;     /* grid column, -1 none */
    int span;    /* last grid column of a merged header, else -1 */
    int dead;    /* joined into another chunk */
    int tier;    /* header row it is emitted in, counted from the table's first */
    size_t w0, wn; /* its words: b->cw[w0 .. w0 + wn) */
} chunk;

typedef struct line {
    size_t first, n; /* chunks */
    double y0, y1, x0, x1, em;
    long page, src;
    size_t pi; /* index of the page */
    lkind kind;
    long region;
    int cont;   /* header lines of a continuation page */
    int tiers;  /* first header line of a table: the header rows its lines make, else 0 */
    int tiered; /* a header line whose chunks are emitted in the rows of tiers */
} line;

typedef struct cluster {
    int num;
    double sum, cnt; /* anchors */
    double minx, maxx, csum; /* span, sum of centres */
    int alive;
    int order;
    int header; /* made by a header label: no body cell in it */
    size_t top, foot; /* the first and the last line of its chunks */
} cluster;

typedef struct build {
    bk_words *w;
    bk_grid *g;
    bk_error *err;
    char *text;
    size_t tlen, tcap;
    chunk *c;
    size_t nc, ccap;
    size_t *cw; /* the words of the chunks, indices into w->w */
    size_t ncw, cwcap;
    line *l;
    size_t nl, lcap;
    cluster *cl;
    size_t ncl, clcap;
    unsigned char *co; /* co-occurrence, ncl x ncl */
} build;

static bk_status nomem(build *b) { return bk_error_set(b->err, BK_E_NOMEM, "out of memory"); }

static const char *ctext(const build *b, const chunk *c) { return b->text + c->off; }

static bk_status text_put(build *b, const char *s, size_t n, size_t *off)
{
    if (bk_grow((void **)&b->text, &b->tcap, b->tlen + n + 1, 1))
        return nomem(b);
    if (off)
        *off = b->tlen;
    memcpy(b->text + b->tlen, s, n);
    b->tlen += n;
    b->text[b->tlen] = '\0';
    return BK_OK;
}

static int is_ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

/* An amount as printed: sign, digits with or without thousands separators, decimals, %. */
static int is_amount(const char *s, size_t n)
{
    size_t i = 0, digits = 0;
    if (n >= 3 && (unsigned char)s[0] == 0xE2 && (unsigned char)s[1] == 0x88 &&
        (unsigned char)s[2] == 0x92)
        i = 3; /* U+2212 minus */
    else if (n > 0 && (s[0] == '-' || s[0] == '+'))
        i = 1;
    for (; i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == ','); i++)
        if (s[i] != ',')
            digits++;
        else if (digits == 0)
            return 0;
    if (digits == 0)
        return 0;
    if (i < n && s[i] == '.') {
        size_t d = 0;
        for (i++; i < n && s[i] >= '0' && s[i] <= '9'; i++)
            d++;
        if (d == 0)
            return 0;
    }
    if (i < n && s[i] == '%')
        i++;
    return i == n;
}

static int cmp_double(double a, double b) { return a < b ? -1 : a > b; }

/* Sorting word indices of one page: by vertical centre, then left edge. */
static const word *sort_words;
static int by_centre(const void *pa, const void *pb)
{
    const word *a = &sort_words[*(const size_t *)pa], *b = &sort_words[*(const size_t *)pb];
    int r = cmp_double(a->y0 + a->y1, b->y0 + b->y1);
    if (!r)
        r = cmp_double(a->x0, b->x0);
    if (!r)
        r = a->off < b->off ? -1 : a->off > b->off;
    return r;
}
static int by_left(const void *pa, const void *pb)
{
    const word *a = &sort_words[*(const size_t *)pa], *b = &sort_words[*(const size_t *)pb];
    int r = cmp_double(a->x0, b->x0);
    if (!r)
        r = a->off < b->off ? -1 : a->off > b->off;
    return r;
}
static int by_double(const void *a, const void *b)
{
    return cmp_double(*(const double *)a, *(const double *)b);
}

static double page_em(const word *w, const size_t *idx, size_t n, double *tmp)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (w[idx[i]].y1 - w[idx[i]].y0 > 0)
            tmp[k++] = w[idx[i]].y1 - w[idx[i]].y0;
    if (k == 0)
        return 1;
    qsort(tmp, k, sizeof *tmp, by_double);
    return tmp[k / 2];
}

/* The text and box of chunk c from its words w[idx[0..n)], the text appended to b->text. */
static bk_status fill_chunk(build *b, chunk *c, const word *w, const size_t *idx, size_t n,
                            double em)
{
    c->x0 = c->y0 = INFINITY;
    c->x1 = c->y1 = -INFINITY;
    c->off = b->tlen;
    for (size_t i = 0; i < n; i++) {
        const word *x = &w[idx[i]];
        const char *s = b->w->text + x->off;
        if (i > 0) {
            const char *p = b->text + b->tlen - 1;
            /* A space between words only where the print has one: not inside CJK text. */
            if (x->x0 - w[idx[i - 1]].x1 > em * 0.15 &&
                (is_ascii_alnum((unsigned char)*p) || is_ascii_alnum((unsigned char)s[0]) ||
                 *p == '.') &&
                text_put(b, " ", 1, NULL) != BK_OK)
                return BK_E_NOMEM;
        }
        if (text_put(b, s, x->len, NULL) != BK_OK)
            return BK_E_NOMEM;
        c->x0 = dmin(c->x0, x->x0), c->x1 = dmax(c->x1, x->x1);
        c->y0 = dmin(c->y0, x->y0), c->y1 = dmax(c->y1, x->y1);
    }
    c->len = b->tlen - c->off;
    if (text_put(b, "", 0, NULL) != BK_OK) /* keeps the terminator */
        return BK_E_NOMEM;
    b->tlen++;
    c->num = is_amount(ctext(b, c), c->len);
    return BK_OK;
}

static bk_status add_chunk(build *b, line *ln, const word *w, const size_t *idx, size_t n)
{
    if (bk_grow((void **)&b->c, &b->ccap, b->nc + 1, sizeof *b->c) ||
        bk_grow((void **)&b->cw, &b->cwcap, b->ncw + n, sizeof *b->cw))
        return nomem(b);
    chunk *c = &b->c[b->nc];
    memset(c, 0, sizeof *c);
    c->cl = c->col = c->span = -1;
    c->w0 = b->ncw, c->wn = n;
    memcpy(b->cw + b->ncw, idx, n * sizeof *idx);
    b->ncw += n;
    if (fill_chunk(b, c, w, idx, n, ln->em) != BK_OK)
        return BK_E_NOMEM;
    b->nc++;
    ln->n++;
    return BK_OK;
}

/* Lines and chunks of one page. */
static bk_status page_lines(build *b, size_t pi, size_t *idx, double *tmp)
{
    const wpage *p = &b->w->pg[pi];
    const word *w = b->w->w;
    for (size_t i = 0; i < p->n; i++)
        idx[i] = p->first + i;
    sort_words = w;
    qsort(idx, p->n, sizeof *idx, by_centre);
    double em = page_em(w, idx, p->n, tmp);
    size_t i = 0;
    while (i < p->n) {
        double y0 = w[idx[i]].y0, y1 = w[idx[i]].y1;
        size_t j = i + 1;
        for (; j < p->n; j++) {
            double cy = (w[idx[j]].y0 + w[idx[j]].y1) / 2;
            if (cy > y1 || (y1 - y0 <= 0 && cy > y0))
                break;
            y0 = dmin(y0, w[idx[j]].y0);
        }
        qsort(idx + i, j - i, sizeof *idx, by_left);
        if (bk_grow((void **)&b->l, &b->lcap, b->nl + 1, sizeof *b->l))
            return nomem(b);
        line *ln = &b->l[b->nl];
        memset(ln, 0, sizeof *ln);
        ln->first = b->nc;
        ln->y0 = y0, ln->y1 = y1, ln->em = em, ln->page = p->page, ln->pi = pi;
        ln->src = w[idx[i]].line;
        ln->region = -1;
        size_t k = i;
        while (k < j) {
            size_t m = k + 1;
            for (; m < j; m++) {
                const word *a = &w[idx[m - 1]], *c = &w[idx[m]];
                if (c->x0 - a->x1 > em * 0.6 || is_amount(b->w->text + a->off, a->len) ||
                    is_amount(b->w->text + c->off, c->len))
                    break;
            }
            if (add_chunk(b, ln, w, idx + k, m - k) != BK_OK)
                return BK_E_NOMEM;
            k = m;
        }
        ln->x0 = b->c[ln->first].x0, ln->x1 = b->c[ln->first + ln->n - 1].x1;
        b->nl++;
        i = j;
    }
    return BK_OK;
}

/* ---------------------------------------------------------------- line kinds */

static int has(const char *s, const char *needle) { return strstr(s, needle) != NULL; }

static int starts(const char *s, const char *p) { return strncmp(s, p, strlen(p)) == 0; }

/* 单位：元, 单位:万元, 金额单位：万元 — not 单位名称. */
static int unit_chunk(const char *s)
{
    const char *p = s;
    while ((p = strstr(p, "单位")) != NULL) {
        const char *q = p + strlen("单位");
        if (starts(q, "："))
            q += strlen("：");
        else if (*q == ':')
            q++;
        else {
            p = q;
            continue;
        }
        while (*q == ' ')
            q++;
        if (starts(q, "万元") || starts(q, "元") || starts(q, "千元") || starts(q, "亿元"))
            return 1;
        p = q;
    }
    return 0;
}

static int unit_line(const build *b, const line *ln)
{
    if (ln->n > 3)
        return 0;
    for (size_t i = 0; i < ln->n; i++)
        if (unit_chunk(ctext(b, &b->c[ln->first + i])))
            return 1;
    return 0;
}

static int any_amount(const build *b, const line *ln)
{
    for (size_t i = 0; i < ln->n; i++)
        if (b->c[ln->first + i].num)
            return 1;
    return 0;
}

static int title_like(const build *b, const line *ln)
{
    if (ln->n != 1 || any_amount(b, ln))
        return 0;
    const char *s = ctext(b, &b->c[ln->first]);
    return b->c[ln->first].len <= 120 && !has(s, "。") && !has(s, "……");
}

static int note_line(const build *b, const line *ln)
{
    const char *s = ctext(b, &b->c[ln->first]);
    return starts(s, "注：") || starts(s, "注:") || starts(s, "备注") || starts(s, "说明：") ||
           starts(s, "注 ") || strcmp(s, "注") == 0;
}

/* A sentence across the page, not a row of cells. */
static int prose_line(const build *b, const line *ln)
{
    if (ln->n != 1)
        return 0;
    const chunk *c = &b->c[ln->first];
    return c->len >= 60 && (has(ctext(b, c), "。") || has(ctext(b, c), "，"));
}

/* A line that only prints a total label (合计, 合    计, 总计). */
static int total_line(const build *b, const line *ln)
{
    char buf[16];
    size_t n = 0;
    for (size_t i = 0; i < ln->n; i++) {
        const chunk *c = &b->c[ln->first + i];
        if (n + c->len >= sizeof buf)
            return 0;
        memcpy(buf + n, ctext(b, c), c->len);
        n += c->len;
    }
    buf[n] = '\0';
    return strcmp(buf, "合计") == 0 || strcmp(buf, "总计") == 0;
}

static void classify(build *b)
{
    long regions = 0;
    for (size_t i = 0; i < b->nl; i++) {
        if (!unit_line(b, &b->l[i]) || b->l[i].kind == L_META)
            continue;
        long r = regions++;
        b->l[i].kind = L_META, b->l[i].region = r;
        for (size_t k = i, back = 0; k > 0 && back < 4; back++) {
            line *p = &b->l[k - 1];
            if (p->pi != b->l[i].pi || p->kind == L_META || !title_like(b, p))
                break;
            p->kind = L_META, p->region = r;
            k--;
        }
    }
    long cur = -1;
    int head = 0;
    size_t page = (size_t)-1;
    for (size_t i = 0; i < b->nl; i++) {
        line *ln = &b->l[i];
        int newpage = ln->pi != page;
        page = ln->pi;
        if (ln->kind == L_META) {
            cur = ln->region, head = 1;
            continue;
        }
        /* A note under a table belongs to it, however long: it is what says why a table is
         * empty (注:本部门…无…，故本表为空表). */
        if (cur >= 0 && note_line(b, ln)) {
            ln->region = cur;
            ln->kind = L_NOTE;
            cur = -1;
            continue;
        }
        if (cur < 0 || prose_line(b, ln)) {
            cur = -1;
            ln->kind = L_NARR;
            continue;
        }
        ln->region = cur;
        if (newpage && !head)
            head = 2; /* a continuation page: its header lines, if any, come first */
        /* A table printed empty still prints its 合计 row under the header. */
        if (head && (any_amount(b, ln) || (head == 1 && i > 0 && b->l[i - 1].kind == L_HEAD &&
                                           b->l[i - 1].region == cur && total_line(b, ln))))
            head = 0;
        ln->kind = head ? L_HEAD : L_BODY;
        ln->cont = head == 2;
    }
    /* Lines after the last amount of a page's part of a table are the text that follows it
     * ("其他相关情况说明"), and a continuation page without an amount is no continuation. */
    for (size_t i = 0; i < b->nl;) {
        size_t j = i;
        int meta = 0;
        long last = -1;
        while (j < b->nl && b->l[j].pi == b->l[i].pi && b->l[j].region == b->l[i].region) {
            meta |= b->l[j].kind == L_META;
            if ((b->l[j].kind == L_BODY || b->l[j].kind == L_HEAD) && any_amount(b, &b->l[j]))
                last = (long)j;
            j++;
        }
        if (b->l[i].region >= 0 && (last >= 0 || !meta))
            for (size_t k = last >= 0 ? (size_t)last + 1 : i; k < j; k++)
                if (b->l[k].kind == L_BODY || b->l[k].kind == L_HEAD)
                    b->l[k].kind = L_NARR, b->l[k].region = -1;
        i = j;
    }
}

/* ---------------------------------------------------------------- columns */

static double ccentre(const chunk *c) { return (c->x0 + c->x1) / 2; }

/* Halfway to the nearest live chunks of ln left and right of c, by their centres (-INFINITY
 * and INFINITY where there is none). */
static void neighbour_bounds(const build *b, const line *ln, const chunk *c, double *lo, double *hi)
{
    *lo = -INFINITY;
    *hi = INFINITY;
    for (size_t m = 0; m < ln->n; m++) {
        const chunk *o = &b->c[ln->first + m];
        if (o == c || o->dead)
            continue;
        double mid = (ccentre(o) + ccentre(c)) / 2;
        if (ccentre(o) < ccentre(c))
            *lo = dmax(*lo, mid);
        else
            *hi = dmin(*hi, mid);
    }
}
static double ccl(const cluster *k) { return k->cnt > 0 ? k->csum / k->cnt : 0; }

static int new_cluster(build *b, int num, double anchor, const chunk *c, size_t at)
{
    if (bk_grow((void **)&b->cl, &b->clcap, b->ncl + 1, sizeof *b->cl))
        return -1;
    b->cl[b->ncl] = (cluster){num, anchor, 1, c->x0, c->x1, ccentre(c), 1, 0, 0, at, at};
    return (int)b->ncl++;
}

static void cluster_add(cluster *k, double anchor, const chunk *c, size_t at)
{
    k->sum += anchor, k->cnt += 1;
    k->minx = dmin(k->minx, c->x0), k->maxx = dmax(k->maxx, c->x1);
    k->csum += ccentre(c);
    k->top = at < k->top ? at : k->top;
    k->foot = at > k->foot ? at : k->foot;
}

/* Labels at a table's foot centred over merged cells (当年支出小计 and 支出合计 over the
 * names and amounts of 功能分类 and the names of 支出用途, Jiangsu's 收支预算总表) stand
 * apart from every column: q, text right of the text column p, printed only below p's last
 * line and on no line with the column r after it, is p's labels of those rows. */
static int foot_labels(const build *b, const cluster *p, const cluster *q, int qi, int ri)
{
    return !p->num && !q->num && p->foot < q->top &&
           (ri < 0 || !b->co[(size_t)qi * b->ncl + (size_t)ri]);
}

static int find_cluster(build *b, int num, double anchor, double tol)
{
    int best = -1;
    double bd = tol;
    for (size_t k = 0; k < b->ncl; k++) {
        if (!b->cl[k].alive || b->cl[k].num != num)
            continue;
        double d = dabs(b->cl[k].sum / b->cl[k].cnt - anchor);
        if (d <= bd)
            bd = d, best = (int)k;
    }
    return best;
}

static const build *sort_build;
static int by_cluster_centre(const void *pa, const void *pb)
{
    const cluster *a = &sort_build->cl[*(const int *)pa], *c = &sort_build->cl[*(const int *)pb];
    int r = cmp_double(ccl(a), ccl(c));
    return r ? r : (*(const int *)pa > *(const int *)pb) - (*(const int *)pa < *(const int *)pb);
}

static int root(const build *b, int k)
{
    while (k >= 0 && !b->cl[k].alive)
        k = (int)b->cl[k].order; /* a merged cluster points at the one it joined */
    return k;
}

/* Clusters of the region's body chunks, then merges of those that never share a line. */
static bk_status body_clusters(build *b, long region)
{
    double em = 0;
    b->ncl = 0;
    for (int pass = 0; pass < 2; pass++)
        for (size_t i = 0; i < b->nl; i++) {
            line *ln = &b->l[i];
            if (ln->region != region || (ln->kind != L_BODY && !(ln->kind == L_HEAD && ln->cont)))
                continue;
            double tol = ln->em * 0.75;
            em = dmax(em, ln->em);
            for (size_t j = 0; j < ln->n; j++) {
                chunk *c = &b->c[ln->first + j];
                if (c->dead || (pass == 0) != (c->num != 0))
                    continue;
                int k = -1;
                if (c->num) {
                    k = find_cluster(b, 1, c->x1, tol);
                } else {
                    /* Text printed in an amount column ("-", "—") belongs to it. */
                    int n = find_cluster(b, 1, c->x1, tol);
                    if (n >= 0 && c->x0 >= b->cl[n].minx - tol)
                        k = n;
                    else
                        k = find_cluster(b, 0, c->x0, tol);
                }
                double anchor = c->num || (k >= 0 && b->cl[k].num) ? c->x1 : c->x0;
                if (k < 0) {
                    if (b->ncl >= MAX_CLUSTERS)
                        return bk_error_set(b->err, BK_E_LIMIT, "page %ld: a table with more than %d "
                                            "columns", ln->page, MAX_CLUSTERS);
                    if ((k = new_cluster(b, c->num, anchor, c, i)) < 0)
                        return nomem(b);
                } else {
                    cluster_add(&b->cl[k], anchor, c, i);
                }
                c->cl = k;
            }
        }
    size_t n = b->ncl;
    if (n < 2)
        return BK_OK;
    bk_free(b->co);
    if (!(b->co = bk_calloc(n * n, 1)))
        return nomem(b);
    for (size_t i = 0; i < b->nl; i++) {
        line *ln = &b->l[i];
        if (ln->region != region)
            continue;
        for (size_t j = 0; j < ln->n; j++)
            for (size_t k = j + 1; k < ln->n; k++) {
                int p = b->c[ln->first + j].cl, q = b->c[ln->first + k].cl;
                if (p >= 0 && q >= 0)
                    b->co[(size_t)p * n + (size_t)q] = b->co[(size_t)q * n + (size_t)p] = 1;
            }
    }
    int merged = 1;
    while (merged) {
        merged = 0;
        int order[MAX_CLUSTERS];
        size_t m = 0;
        for (size_t k = 0; k < n; k++)
            if (b->cl[k].alive)
                order[m++] = (int)k;
        sort_build = b;
        qsort(order, m, sizeof *order, by_cluster_centre);
        for (size_t k = 0; k + 1 < m && !merged; k++) {
            cluster *p = &b->cl[order[k]], *q = &b->cl[order[k + 1]];
            /* Overlapping, or nearly touching (a total label centred in a name column). */
            if (b->co[(size_t)order[k] * n + (size_t)order[k + 1]])
                continue;
            int apart = dmin(p->maxx, q->maxx) <= dmax(p->minx, q->minx) - 0.6 * em;
            if (apart && !foot_labels(b, p, q, order[k + 1], k + 2 < m ? order[k + 2] : -1))
                continue;
            p->sum = p->cnt ? p->sum : 0;
            /* Foot labels are centred over merged cells, not over p: p keeps its extent,
             * and its lines stay those of its own cells. */
            if (!apart) {
                p->minx = dmin(p->minx, q->minx), p->maxx = dmax(p->maxx, q->maxx);
                p->top = p->top < q->top ? p->top : q->top;
                p->foot = p->foot > q->foot ? p->foot : q->foot;
            }
            p->csum += q->csum, p->cnt += q->cnt, p->sum += q->sum;
            p->num = p->num && q->num;
            q->alive = 0;
            q->order = order[k];
            for (size_t x = 0; x < n; x++)
                if (b->co[(size_t)order[k + 1] * n + x]) {
                    b->co[(size_t)order[k] * n + x] = b->co[x * n + (size_t)order[k]] = 1;
                }
            merged = 1;
        }
    }
    for (size_t i = 0; i < b->nl; i++)
        if (b->l[i].region == region)
            for (size_t j = 0; j < b->l[i].n; j++)
                b->c[b->l[i].first + j].cl = root(b, b->c[b->l[i].first + j].cl);
    return BK_OK;
}

/* Header lines of a table are printed again on its continuation pages: drop those. */
static void drop_repeated_headers(build *b, long region)
{
    size_t first = (size_t)-1;
    for (size_t i = 0; i < b->nl; i++)
        if (b->l[i].region == region && b->l[i].kind == L_HEAD && !b->l[i].cont) {
            first = i;
            break;
        }
    for (size_t i = 0; i < b->nl; i++) {
        line *ln = &b->l[i];
        if (ln->region != region || ln->kind != L_HEAD || !ln->cont)
            continue;
        int all = first != (size_t)-1;
        for (size_t j = 0; j < ln->n && all; j++) {
            const char *s = ctext(b, &b->c[ln->first + j]);
            int found = 0;
            for (size_t k = first; k < b->nl && !found && b->l[k].region == region &&
                                   (b->l[k].kind == L_HEAD || b->l[k].kind == L_META);
                 k++)
                for (size_t m = 0; m < b->l[k].n && !found; m++)
                    found = strcmp(ctext(b, &b->c[b->l[k].first + m]), s) == 0;
            all = found;
        }
        if (all)
            for (size_t j = 0; j < ln->n; j++)
                b->c[ln->first + j].dead = 1;
        else
            ln->kind = L_BODY; /* rows without amounts at the top of the page */
    }
}

/* Two labels wrapped side by side over narrow columns (公务用车购置 / 费 beside 公务用车运行 /
 * 维护费) print their first lines closer than the gap that parts chunks: a header chunk whose
 * words part where the next lines print one label under each side is two labels. */
static bk_status split_side_by_side(build *b, size_t from, size_t to)
{
    const word *w = b->w->w;
    for (size_t i = from; i < to; i++) {
        for (size_t j = 0; j < b->l[i].n; j++) {
            chunk *c = &b->c[b->l[i].first + j];
            double em = b->l[i].em;
            size_t at = 0;
            for (size_t k = 1; k < c->wn && !at; k++) {
                double lx0 = c->x0, lx1 = w[b->cw[c->w0 + k - 1]].x1;
                double rx0 = w[b->cw[c->w0 + k]].x0, rx1 = c->x1;
                if (c->dead || c->num || rx0 <= lx1)
                    continue;
                int left = 0, right = 0;
                for (size_t q = i + 1; q < to && q <= i + 2; q++) {
                    if (b->l[q].y0 - b->l[i].y0 > 3 * em)
                        break;
                    for (size_t m = 0; m < b->l[q].n; m++) {
                        const chunk *u = &b->c[b->l[q].first + m];
                        if (u->dead)
                            continue;
                        left |= u->x0 >= lx0 - em / 2 && u->x1 <= lx1 + em / 2 &&
                                dabs(ccentre(u) - (lx0 + lx1) / 2) <= 0.75 * em;
                        right |= u->x0 >= rx0 - em / 2 && u->x1 <= rx1 + em / 2 &&
                                 dabs(ccentre(u) - (rx0 + rx1) / 2) <= 0.75 * em;
                    }
                }
                if (left && right)
                    at = k;
            }
            if (!at)
                continue;
            if (bk_grow((void **)&b->c, &b->ccap, b->nc + 1, sizeof *b->c))
                return nomem(b);
            size_t pos = b->l[i].first + j;
            memmove(b->c + pos + 2, b->c + pos + 1, (b->nc - pos - 1) * sizeof *b->c);
            b->nc++;
            for (size_t q = i + 1; q < b->nl; q++)
                b->l[q].first++;
            b->l[i].n++;
            chunk *l = &b->c[pos], *r = &b->c[pos + 1];
            *r = *l;
            r->w0 = l->w0 + at, r->wn = l->wn - at;
            l->wn = at;
            if (fill_chunk(b, l, w, b->cw + l->w0, l->wn, em) != BK_OK ||
                fill_chunk(b, r, w, b->cw + r->w0, r->wn, em) != BK_OK)
                return nomem(b);
        }
    }
    return BK_OK;
}

/* Header text wrapped over two lines of one column (事业单位 / 经营收入) is one label. */
static bk_status join_wrapped(build *b, size_t from, size_t to)
{
    for (size_t i = from; i < to; i++) {
        line *ln = &b->l[i];
        for (size_t j = 0; j < ln->n; j++) {
            chunk *a = &b->c[ln->first + j];
            if (a->dead)
                continue;
            for (size_t k = i + 1; k < to && k <= i + 2; k++) {
                line *lk = &b->l[k];
                if (lk->y0 - ln->y0 > 3 * ln->em)
                    break;
                chunk *hit = NULL;
                int blocked = 0;
                for (size_t m = 0; m < lk->n; m++) {
                    chunk *c = &b->c[lk->first + m];
                    if (c->dead)
                        continue;
                    if (dabs(ccentre(c) - ccentre(a)) <= ln->em * 0.75)
                        hit = c;
                    else if (c->x0 < a->x1 && c->x1 > a->x0)
                        blocked = 1;
                }
                if (!hit && !blocked)
                    continue; /* the line between the two halves */
                if (!hit || blocked)
                    break;
                /* A parent label stands over several labels of the lower line: not a wrap. */
                double lo, hi;
                neighbour_bounds(b, ln, a, &lo, &hi);
                int under = 0;
                for (size_t m = 0; m < lk->n; m++) {
                    const chunk *o = &b->c[lk->first + m];
                    under += !o->dead && ccentre(o) > lo && ccentre(o) < hi;
                }
                if (under != 1)
                    break;
                size_t off;
                char *s = bk_malloc(a->len + hit->len + 2);
                if (!s)
                    return nomem(b);
                int space = is_ascii_alnum((unsigned char)ctext(b, a)[a->len - 1]) &&
                            is_ascii_alnum((unsigned char)ctext(b, hit)[0]);
                memcpy(s, ctext(b, a), a->len);
                if (space)
                    s[a->len] = ' ';
                memcpy(s + a->len + (size_t)space, ctext(b, hit), hit->len);
                size_t len = a->len + (size_t)space + hit->len;
                bk_status st = text_put(b, s, len, &off);
                bk_free(s);
                if (st != BK_OK || text_put(b, "", 0, NULL) != BK_OK)
                    return BK_E_NOMEM;
                b->tlen++;
                a = &b->c[ln->first + j]; /* b->c did not move; text did */
                a->off = off, a->len = len;
                a->x0 = dmin(a->x0, hit->x0), a->x1 = dmax(a->x1, hit->x1);
                a->y0 = dmin(a->y0, hit->y0), a->y1 = dmax(a->y1, hit->y1);
                hit->dead = 1;
            }
        }
    }
    return BK_OK;
}

static int covers(const chunk *c, const cluster *k)
{
    double m = ccl(k);
    return m >= c->x0 && m <= c->x1;
}

/* A label over several labels of the lines below (between lo and hi), those not already
 * under a label between them that spans them: a parent, printed centred over its children's
 * columns. (A label above it spans them as it spans the parent.) */
static int parent_label(const build *b, const chunk *c, size_t at, size_t to, double lo, double hi)
{
    int under = 0;
    double mn = INFINITY, mx = -INFINITY;
    for (size_t i = at + 1; i < to; i++)
        for (size_t j = 0; j < b->l[i].n; j++) {
            const chunk *o = &b->c[b->l[i].first + j];
            if (o->dead || ccentre(o) <= lo || ccentre(o) >= hi || o->y0 < c->y1)
                continue;
            int spanned = 0;
            for (size_t q = at; q < i && !spanned; q++)
                for (size_t m = 0; m < b->l[q].n && !spanned; m++) {
                    const chunk *p = &b->c[b->l[q].first + m];
                    spanned = p != c && !p->dead && p->x1 - p->x0 > o->x1 - o->x0 &&
                              ccentre(o) >= p->x0 && ccentre(o) <= p->x1;
                }
            if (!spanned) {
                under++;
                mn = dmin(mn, ccentre(o)), mx = dmax(mx, ccentre(o));
            }
        }
    /* Children are printed under their parent's centre. */
    return under >= 2 && dabs((mn + mx) / 2 - ccentre(c)) <= 0.25 * (mx - mn) + b->l[at].em / 2;
}

/* The extent of column s: of its figures and of the labels placed over it alone so far (a
 * centred label is centred over the cell, and the figures stand at one side of it). */
static void column_extent(const build *b, const int *sorted, int s, size_t from, size_t to,
                          double *x0, double *x1)
{
    const cluster *k = &b->cl[sorted[s]];
    *x0 = k->minx, *x1 = k->maxx;
    for (size_t i = from; i < to; i++)
        for (size_t j = 0; j < b->l[i].n; j++) {
            const chunk *o = &b->c[b->l[i].first + j];
            if (!o->dead && o->col == s && o->span < 0)
                *x0 = dmin(*x0, o->x0), *x1 = dmax(*x1, o->x1);
        }
}

static double column_middle(const build *b, const int *sorted, int s, size_t from, size_t to)
{
    double x0, x1;
    column_extent(b, sorted, s, from, to, &x0, &x1);
    return (x0 + x1) / 2;
}

/* A label printed over all the header's rows from c's down (合计 and 会议费 beside “三公”经费 /
 * 小计 ..., 因公出国（境）费 beside 公务用车购置及运行维护费 / 小计): the only label of its
 * columns below c, printed at the middle of the height from c's top to the header's foot.
 * It stands beside c, not under it. */
static int full_height(const build *b, const chunk *o, const chunk *c, size_t at, size_t to)
{
    double bottom = -INFINITY;
    for (size_t i = at + 1; i < to; i++)
        for (size_t j = 0; j < b->l[i].n; j++) {
            const chunk *p = &b->c[b->l[i].first + j];
            if (p->dead)
                continue;
            bottom = dmax(bottom, p->y1);
            if (p != o && p->col >= 0 && p->col <= (o->span < 0 ? o->col : o->span) &&
                (p->span < 0 ? p->col : p->span) >= o->col)
                return 0;
        }
    return dabs((o->y0 + o->y1) / 2 - (c->y0 + bottom) / 2) <= b->l[at].em / 2;
}

/* Whether every column of [a, z] has a label placed on the lines (at, to) under c, at, not
 * one printed beside it: a label's
 * columns are those of the labels below it, so a column labelled only above it
 * (机关运行经费预算数, printed over all the header's rows beside 公务用车购置及运行费) is
 * beside it. */
static int labelled_below(const build *b, const chunk *c, size_t at, size_t to, int a, int z)
{
    for (int s = a; s <= z; s++) {
        int found = 0;
        for (size_t i = at + 1; i < to && !found; i++)
            for (size_t j = 0; j < b->l[i].n && !found; j++) {
                const chunk *o = &b->c[b->l[i].first + j];
                found = !o->dead && o->col >= 0 && o->col <= s &&
                        (o->span < 0 ? o->col : o->span) >= s && !full_height(b, o, c, at, to);
            }
        if (!found)
            return 0;
    }
    return 1;
}

/* The columns a label printed centred over them spans: of the runs of columns in [first,
 * last] (two at least) whose middle is the label's centre, the widest. The middle is off by
 * the columns' own widths and alignment, so it may miss by a quarter of the distance to the
 * next column out (which a wider or narrower run would add or drop). -1 when none; with
 * skip, the run [first, last] itself does not count. */
static bk_status centred_run(const build *b, const chunk *c, const int *sorted, int first, int last,
                             size_t from, size_t at, size_t to, double em, int *ra, int *rb,
                             int skip)
{
    *ra = *rb = -1;
    if (first < 0 || last <= first)
        return BK_OK;
    double *mid = bk_malloc((size_t)(last - first + 1) * sizeof *mid);
    if (!mid)
        return BK_E_NOMEM;
    for (int s = first; s <= last; s++)
        mid[s - first] = column_middle(b, sorted, s, from, to);
    double centre = ccentre(c);
    for (int a = first; a < last; a++)
        for (int z = a + 1; z <= last; z++) {
            if ((*ra >= 0 && z - a <= *rb - *ra) || (skip && a == first && z == last) ||
                !labelled_below(b, c, at, to, a, z))
                continue;
            double ca = mid[a - first], cz = mid[z - first];
            double pitch = dmin(mid[a + 1 - first] - ca, cz - mid[z - 1 - first]);
            if (a > first)
                pitch = dmin(pitch, ca - mid[a - 1 - first]);
            if (z < last)
                pitch = dmin(pitch, mid[z + 1 - first] - cz);
            if (dabs((ca + cz) / 2 - centre) <= dmax(em / 2, pitch / 4))
                *ra = a, *rb = z;
        }
    bk_free(mid);
    return BK_OK;
}

/* Whether c, line at, is the parent of the labels below it over the columns [ra, rb]. */
static int run_parent(const build *b, const chunk *c, const int *sorted, int ra, int rb,
                      size_t from, size_t at, size_t to)
{
    double lo, hi, x;
    column_extent(b, sorted, ra, from, to, &lo, &x);
    column_extent(b, sorted, rb, from, to, &x, &hi);
    return parent_label(b, c, at, to, lo, hi);
}

/* Two labels of one line never share a column: the second makes its own. */
static int taken(const build *b, const line *ln, const chunk *c, int col)
{
    for (size_t m = 0; m < ln->n; m++) {
        const chunk *o = &b->c[ln->first + m];
        if (o != c && !o->dead && o->col >= 0 && o->col <= col &&
            (o->span < 0 ? o->col : o->span) >= col)
            return 1;
    }
    return 0;
}

/* Place the header chunks of one region over the columns, leaf lines first. */
static bk_status place_header(build *b, size_t from, size_t to, int *sorted, size_t *nsorted)
{
    for (size_t i = to; i-- > from;) {
        line *ln = &b->l[i];
        for (size_t j = 0; j < ln->n; j++) {
            chunk *c = &b->c[ln->first + j];
            if (c->dead)
                continue;
            /* Neighbours on the line bound the columns a centred label may span. */
            double lo, hi;
            neighbour_bounds(b, ln, c, &lo, &hi);
            int first = -1, last = -1, nc = 0, fo = -1, lo_ = -1, no = 0;
            double emin = INFINITY, emax = -INFINITY;
            for (size_t s = 0; s < *nsorted; s++) {
                const cluster *k = &b->cl[sorted[s]];
                if (covers(c, k)) {
                    if (first < 0)
                        first = (int)s;
                    last = (int)s, nc++;
                }
                if (ccl(k) > lo && ccl(k) < hi) {
                    if (fo < 0)
                        fo = (int)s;
                    lo_ = (int)s, no++;
                    emin = dmin(emin, k->minx), emax = dmax(emax, k->maxx);
                }
            }
            /* Columns between the last one a label left of it spans and the first right of
             * their midpoint are under neither yet: this label may span them too. */
            int left = -1;
            for (size_t m = 0; m < j; m++) {
                const chunk *o = &b->c[ln->first + m];
                if (!o->dead && o->col >= 0)
                    left = o->span > o->col ? o->span : o->col;
            }
            int ra = -1, rb = -1, wide = fo >= 0 && left >= 0 && left + 1 < fo ? left + 1 : fo;
            if (no >= 2 && centred_run(b, c, sorted, wide, lo_, from, i, to, ln->em, &ra, &rb, 0))
                return nomem(b);
            if (ra >= 0 && run_parent(b, c, sorted, ra, rb, from, i, to)) {
                c->col = ra, c->span = rb;
            } else if (no >= 2 && parent_label(b, c, i, to, lo, hi)) {
                c->col = fo, c->span = lo_;
            } else if (nc >= 2) {
                c->col = first, c->span = last;
            } else if (nc == 1 && !taken(b, ln, c, first)) {
                c->col = first;
            } else {
                int best = -1;
                double bd = INFINITY;
                for (size_t s = 0; s < *nsorted; s++) {
                    const cluster *k = &b->cl[sorted[s]];
                    double cc = ccentre(c);
                    if (cc >= k->minx && cc <= k->maxx && dabs(cc - ccl(k)) < bd)
                        bd = dabs(cc - ccl(k)), best = (int)s;
                }
                if (best < 0) {
                    /* Beside a column no other label of this line stands over: that one
                     * (a label printed off the column's centre). */
                    double gap = 1.5 * ln->em;
                    for (size_t s = 0; s < *nsorted; s++) {
                        const cluster *k = &b->cl[sorted[s]];
                        double d = ccentre(c) < k->minx ? k->minx - c->x1 : c->x0 - k->maxx;
                        if (d >= gap || k->header)
                            continue;
                        int claimed = 0;
                        for (size_t m = 0; m < ln->n && !claimed; m++) {
                            const chunk *o = &b->c[ln->first + m];
                            claimed = o != c && !o->dead && ((ccentre(o) >= k->minx &&
                                      ccentre(o) <= k->maxx) || covers(o, k));
                        }
                        /* Nor one a label of a line below stands over, beside it too (小计
                         * over the figures, 公务用车购置费 over a column printed empty). */
                        for (size_t q = i + 1; q < to && !claimed; q++)
                            for (size_t m = 0; m < b->l[q].n && !claimed; m++) {
                                const chunk *o = &b->c[b->l[q].first + m];
                                claimed = !o->dead && o->col == (int)s && o->span < 0 &&
                                          o->x1 > k->minx && o->x0 < k->maxx;
                            }
                        if (!claimed)
                            gap = d, best = (int)s;
                    }
                }
                if (best >= 0 && taken(b, ln, c, best))
                    best = -1;
                if (best >= 0) {
                    c->col = best;
                } else {
                    /* A column printed empty in every row: the header makes it. */
                    if (b->ncl >= MAX_CLUSTERS)
                        return bk_error_set(b->err, BK_E_LIMIT, "page %ld: a table with "
                                            "more than %d columns", ln->page, MAX_CLUSTERS);
                    int k = new_cluster(b, 0, c->x0, c, i);
                    if (k < 0)
                        return nomem(b);
                    b->cl[k].header = 1;
                    size_t at = 0;
                    while (at < *nsorted && ccl(&b->cl[sorted[at]]) < ccentre(c))
                        at++;
                    memmove(sorted + at + 1, sorted + at, (*nsorted - at) * sizeof *sorted);
                    sorted[at] = k;
                    (*nsorted)++;
                    /* Columns placed so far move right of the new one. */
                    for (size_t q = i; q < to; q++)
                        for (size_t m = 0; m < b->l[q].n; m++) {
                            chunk *o = &b->c[b->l[q].first + m];
                            if (o == c || o->dead || o->col < 0)
                                continue;
                            if (o->col >= (int)at)
                                o->col++;
                            if (o->span >= (int)at)
                                o->span++;
                        }
                    c->col = (int)at;
                }
            }
        }
    }
    /* Placed from the leaves up, a label centred over a label centred over the same columns
     * (预算数 over 基本支出 over 人员经费 | 公用经费, beside 合计 and 项目支出 printed over two
     * rows) takes the same widest run as the one above it: the lower one spans the widest run
     * inside it. */
    for (size_t i = from; i < to; i++) {
        line *ln = &b->l[i];
        for (size_t j = 0; j < ln->n; j++) {
            chunk *c = &b->c[ln->first + j];
            if (c->dead || c->col < 0 || c->span <= c->col)
                continue;
            int same = 0;
            for (size_t k = from; k < i && !same; k++)
                for (size_t m = 0; m < b->l[k].n && !same; m++) {
                    const chunk *o = &b->c[b->l[k].first + m];
                    same = !o->dead && o->col == c->col && o->span == c->span;
                }
            if (!same)
                continue;
            int ra, rb;
            if (centred_run(b, c, sorted, c->col, c->span, from, i, to, ln->em, &ra, &rb, 1))
                return nomem(b);
            if (ra >= 0 && run_parent(b, c, sorted, ra, rb, from, i, to))
                c->col = ra, c->span = rb;
        }
    }
    return BK_OK;
}

/* A total label printed letter-spaced across its cell (合    计) is one word: its halves would
 * otherwise make a column of their own beside the key columns. Only the total words, so that
 * headers of single characters side by side (类 款 项) stay apart. */
static bk_status join_spaced_totals(build *b, long region)
{
    static const char *const totals[] = {"合计", "总计", "小计"};
    for (size_t i = 0; i < b->nl; i++) {
        line *ln = &b->l[i];
        if (ln->region != region)
            continue;
        for (size_t j = 0; j + 1 < ln->n; j++) {
            chunk *a = &b->c[ln->first + j], *c = &b->c[ln->first + j + 1];
            if (a->dead || c->dead || a->len != 3 || c->len != 3 ||
                c->x0 - a->x1 > 6 * ln->em)
                continue;
            char both[7];
            memcpy(both, ctext(b, a), 3);
            memcpy(both + 3, ctext(b, c), 3);
            both[6] = '\0';
            int total = 0;
            for (size_t t = 0; t < sizeof totals / sizeof *totals && !total; t++)
                total = strcmp(both, totals[t]) == 0;
            if (!total)
                continue;
            size_t off;
            if (text_put(b, both, 6, &off) != BK_OK || text_put(b, "", 0, NULL) != BK_OK)
                return BK_E_NOMEM;
            b->tlen++;
            a->off = off, a->len = 6;
            a->x1 = c->x1, a->y0 = dmin(a->y0, c->y0), a->y1 = dmax(a->y1, c->y1);
            c->dead = 1;
        }
    }
    return BK_OK;
}

/* A header label centred in a wide cell can miss the column of figures or codes printed at
 * the cell's edge (功能科目编码 over codes printed flush left, 金额 over amounts flush right):
 * the label then stands over a column of its own, with nothing below it, beside a column of
 * figures under no label. They are one column. When both neighbours of such a label qualify,
 * the nearer one is taken. */
static void merge_lonely_columns(build *b, long region, size_t ncols)
{
    for (int again = 1; again && ncols > 1;) {
        again = 0;
        size_t cap = ncols;
        int *head = bk_calloc(cap, sizeof *head), *body = bk_calloc(cap, sizeof *body);
        double *x0 = bk_calloc(cap, sizeof *x0), *x1 = bk_calloc(cap, sizeof *x1);
        if (!head || !body || !x0 || !x1) {
            bk_free(head), bk_free(body), bk_free(x0), bk_free(x1);
            return; /* the grid stays as placed: a worse column model, not a wrong figure */
        }
        for (size_t s = 0; s < cap; s++)
            x0[s] = INFINITY, x1[s] = -INFINITY;
        for (size_t i = 0; i < b->nl; i++) {
            const line *ln = &b->l[i];
            if (ln->region != region || (ln->kind != L_BODY && ln->kind != L_HEAD))
                continue;
            for (size_t j = 0; j < ln->n; j++) {
                const chunk *c = &b->c[ln->first + j];
                if (c->dead || c->col < 0 || (size_t)c->col >= cap)
                    continue;
                if (ln->kind == L_HEAD && (c->span < 0 || c->span == c->col))
                    head[c->col]++;
                else if (ln->kind == L_BODY)
                    body[c->col]++;
                else
                    continue;
                x0[c->col] = dmin(x0[c->col], c->x0), x1[c->col] = dmax(x1[c->col], c->x1);
            }
        }
        int from = -1, into = -1;
        for (size_t s = 0; s < cap && from < 0; s++) {
            if (!head[s] || body[s])
                continue;
            double best = INFINITY;
            for (int d = -1; d <= 1; d += 2) {
                long t = (long)s + d;
                if (t < 0 || (size_t)t >= cap || !body[t] || head[t])
                    continue;
                double gap = t < (long)s ? x0[s] - x1[t] : x0[t] - x1[s];
                if (gap < best)
                    best = gap, from = (int)t, into = (int)s;
            }
        }
        bk_free(head), bk_free(body), bk_free(x0), bk_free(x1);
        if (from < 0)
            break;
        /* The column of figures takes the label's place; the columns right of the pair close up. */
        int gone = from > into ? from : into, keep = from > into ? into : from;
        for (size_t i = 0; i < b->nl; i++) {
            const line *ln = &b->l[i];
            if (ln->region != region)
                continue;
            for (size_t j = 0; j < ln->n; j++) {
                chunk *c = &b->c[ln->first + j];
                if (c->col < 0)
                    continue;
                if (c->col == gone)
                    c->col = keep;
                else if (c->col > gone)
                    c->col--;
                if (c->span >= gone)
                    c->span--;
                if (c->span >= 0 && c->span <= c->col)
                    c->span = -1;
            }
        }
        ncols--;
        again = 1;
    }
}

/* The header's rows as the engine reads them (a label's empty cells to the right repeat it,
 * below it the label stands alone): a label is in the row under the labels over its columns.
 * Printed lines are not those rows: a label printed over several rows is centred between
 * them (合计 beside 公务用车购置及运行费 / 小计, 机关运行经费预算数 beside all three), so its
 * line falls between the lines of the rows, and alone on a line it would read as a caption
 * above the table. */
static void header_tiers(build *b, long region, size_t from, size_t to)
{
    int most = -1;
    for (size_t i = from; i < to; i++) {
        line *ln = &b->l[i];
        if (ln->region != region || ln->kind != L_HEAD || ln->cont)
            continue;
        ln->tiered = 1;
        for (size_t j = 0; j < ln->n; j++) {
            chunk *c = &b->c[ln->first + j];
            if (c->dead || c->col < 0)
                continue;
            int last = c->span > c->col ? c->span : c->col;
            c->tier = 0;
            for (size_t k = from; k < i; k++) {
                const line *up = &b->l[k];
                if (!up->tiered)
                    continue;
                for (size_t m = 0; m < up->n; m++) {
                    const chunk *o = &b->c[up->first + m];
                    int olast = o->span > o->col ? o->span : o->col;
                    if (!o->dead && o->col >= 0 && o->col <= last && olast >= c->col &&
                        o->tier >= c->tier)
                        c->tier = o->tier + 1;
                }
            }
            if (c->tier > most)
                most = c->tier;
        }
    }
    if (most < 0)
        for (size_t i = from; i < to; i++)
            b->l[i].tiered = 0;
    else
        b->l[from].tiers = most + 1;
}

static bk_status region_columns(build *b, long region)
{
    drop_repeated_headers(b, region);
    if (join_spaced_totals(b, region) != BK_OK)
        return BK_E_NOMEM;
    bk_status st = body_clusters(b, region);
    if (st != BK_OK)
        return st;
    int *sorted = bk_malloc((MAX_CLUSTERS + 1) * sizeof *sorted);
    if (!sorted)
        return nomem(b);
    size_t n = 0;
    for (size_t k = 0; k < b->ncl; k++)
        if (b->cl[k].alive)
            sorted[n++] = (int)k;
    sort_build = b;
    qsort(sorted, n, sizeof *sorted, by_cluster_centre);
    size_t from = (size_t)-1, to = 0;
    for (size_t i = 0; i < b->nl; i++)
        if (b->l[i].region == region && b->l[i].kind == L_HEAD && !b->l[i].cont) {
            if (from == (size_t)-1)
                from = i;
            to = i + 1;
        }
    if (from != (size_t)-1) {
        /* Wraps first, so that a chunk of two labels split next counts as one under a label
         * beside it: then the halves' own wraps. */
        st = join_wrapped(b, from, to);
        if (st == BK_OK)
            st = split_side_by_side(b, from, to);
        if (st == BK_OK)
            st = join_wrapped(b, from, to);
        if (st == BK_OK)
            st = place_header(b, from, to, sorted, &n);
    }
    if (st == BK_OK) {
        int *pos = bk_malloc((b->ncl + 1) * sizeof *pos);
        if (!pos) {
            bk_free(sorted);
            return nomem(b);
        }
        for (size_t k = 0; k < b->ncl; k++)
            pos[k] = -1;
        for (size_t s = 0; s < n; s++)
            pos[sorted[s]] = (int)s;
        for (size_t i = 0; i < b->nl; i++) {
            line *ln = &b->l[i];
            if (ln->region != region || ln->kind != L_BODY)
                continue;
            for (size_t j = 0; j < ln->n; j++) {
                chunk *c = &b->c[ln->first + j];
                if (c->cl >= 0)
                    c->col = pos[c->cl];
            }
        }
        bk_free(pos);
        merge_lonely_columns(b, region, n);
        if (from != (size_t)-1)
            header_tiers(b, region, from, to);
    }
    bk_free(sorted);
    return st;
}

/* ---------------------------------------------------------------- emitting */

/* One grid row of the chunks of list (nl of them, in line order), at grid line `at`. */
static bk_status emit_chunks(build *b, lkind kind, chunk *const *list, size_t nl, long at)
{
    size_t n = 0;
    bk_grid_cell *cells = bk_calloc(nl + 1, sizeof *cells);
    if (!cells)
        return nomem(b);
    bk_status st = BK_OK;
    if (kind == L_META || kind == L_NOTE) {
        for (size_t j = 0; j < nl; j++) {
            chunk *c = list[j];
            if (kind == L_NOTE && j > 0) {
                /* A note is one cell: glue the rest of the line to it. */
                cells[0].len = (size_t)(ctext(b, c) + c->len - cells[0].text);
                continue;
            }
            cells[n] = (bk_grid_cell){ctext(b, c), c->len, (uint32_t)n, 0,
                                      (float)c->x0, (float)c->y0, (float)c->x1, (float)c->y1};
            n++;
        }
        if (kind == L_NOTE && nl > 1) {
            /* The chunks of a line are contiguous in b->text, separated by terminators. */
            char *s = bk_malloc(cells[0].len + 1);
            if (!s) {
                bk_free(cells);
                return nomem(b);
            }
            for (size_t k = 0; k < cells[0].len; k++)
                s[k] = cells[0].text[k] ? cells[0].text[k] : ' ';
            cells[0].text = s;
            st = bk_grid_row(b->g, at, cells, 1);
            bk_free(s);
            bk_free(cells);
            return st;
        }
    } else {
        /* Cells point into b->text, which may move while cells are joined: offsets first. */
        size_t *coff = bk_calloc(nl + 1, sizeof *coff);
        if (!coff) {
            bk_free(cells);
            return nomem(b);
        }
        for (size_t j = 0; j < nl; j++) {
            const chunk *c = list[j];
            if (c->dead || c->col < 0)
                continue;
            const char *s = ctext(b, c);
            uint32_t flags = c->num ? BK_GRID_NUMBER : 0;
            if (c->num && c->len > 1 && s[0] == '0' && s[1] != '.')
                flags = BK_GRID_TEXT;
            /* Cells in column order; two chunks in one column become one cell. */
            size_t at_ = n;
            while (at_ > 0 && cells[at_ - 1].col > (uint32_t)c->col)
                at_--;
            if (at_ > 0 && cells[at_ - 1].col == (uint32_t)c->col) {
                bk_grid_cell *o = &cells[at_ - 1];
                char *t = bk_malloc(o->len + c->len + 2);
                if (!t) {
                    st = nomem(b);
                    break;
                }
                memcpy(t, b->text + coff[at_ - 1], o->len);
                t[o->len] = ' ';
                memcpy(t + o->len + 1, s, c->len);
                size_t off;
                st = text_put(b, t, o->len + c->len + 1, &off);
                bk_free(t);
                if (st != BK_OK || (st = text_put(b, "", 0, NULL)) != BK_OK)
                    break;
                b->tlen++;
                o->len = o->len + c->len + 1;
                o->flags = 0;
                o->x1 = (float)c->x1;
                coff[at_ - 1] = off;
                continue;
            }
            memmove(cells + at_ + 1, cells + at_, (n - at_) * sizeof *cells);
            memmove(coff + at_ + 1, coff + at_, (n - at_) * sizeof *coff);
            cells[at_] = (bk_grid_cell){NULL, c->len, (uint32_t)c->col, flags, (float)c->x0,
                                        (float)c->y0, (float)c->x1, (float)c->y1};
            coff[at_] = c->off;
            n++;
        }
        for (size_t j = 0; j < n; j++)
            cells[j].text = b->text + coff[j];
        bk_free(coff);
    }
    if (st != BK_OK) {
        bk_free(cells);
        return st;
    }
    st = bk_grid_row(b->g, at, cells, n);
    for (size_t j = 0; j < nl && st == BK_OK && kind == L_HEAD; j++) {
        const chunk *c = list[j];
        if (!c->dead && c->col >= 0 && c->span > c->col)
            st = bk_grid_merge(b->g, at, (uint32_t)c->col, at, (uint32_t)c->span);
    }
    bk_free(cells);
    return st == BK_OK ? BK_OK : nomem(b);
}

static bk_status emit_row(build *b, line *ln, size_t idx)
{
    chunk **list = bk_malloc((ln->n + 1) * sizeof *list);
    if (!list)
        return nomem(b);
    for (size_t j = 0; j < ln->n; j++)
        list[j] = &b->c[ln->first + j];
    bk_status st = emit_chunks(b, ln->kind, list, ln->n, ln->src > 0 ? ln->src : (long)idx);
    bk_free(list);
    return st;
}

/* The header rows of a table, from its first header line `at` (row rowidx of its page) on:
 * each row takes its chunks from all the header lines, at the grid line of the first line it
 * takes one from. */
static bk_status emit_tiers(build *b, size_t at, long rowidx)
{
    size_t end = at, most = 0;
    while (end < b->nl && b->l[end].tiered && b->l[end].region == b->l[at].region) {
        most += b->l[end].n;
        end++;
    }
    chunk **list = bk_malloc((most + 1) * sizeof *list);
    if (!list)
        return nomem(b);
    bk_status st = BK_OK;
    long last = 0;
    for (int t = 0; t < b->l[at].tiers && st == BK_OK; t++) {
        size_t n = 0;
        long src = 0;
        for (size_t i = at; i < end; i++)
            for (size_t j = 0; j < b->l[i].n; j++) {
                chunk *c = &b->c[b->l[i].first + j];
                if (c->dead || c->col < 0 || c->tier != t)
                    continue;
                if (n == 0)
                    src = b->l[i].src;
                list[n++] = c;
            }
        long row = src > 0 ? src : rowidx + t;
        if (row < last)
            row = last;
        last = row;
        st = emit_chunks(b, L_HEAD, list, n, row);
    }
    bk_free(list);
    return st;
}

typedef struct narr {
    char *text;
    size_t len, cap;
    char title[256];
    long page;
    double right;
} narr;

static bk_status narr_put(build *b, narr *n, const char *s, size_t len)
{
    if (bk_grow((void **)&n->text, &n->cap, n->len + len + 1, 1))
        return nomem(b);
    memcpy(n->text + n->len, s, len);
    n->len += len;
    n->text[n->len] = '\0';
    return BK_OK;
}

static bk_status narr_flush(build *b, narr *n)
{
    bk_status st = BK_OK;
    while (n->len > 0 && n->text[n->len - 1] == '\n')
        n->text[--n->len] = '\0';
    if (n->len > 0 || n->title[0])
        st = bk_grid_narrative(b->g, n->title, n->text ? n->text : "", n->page);
    n->len = 0;
    n->title[0] = '\0';
    if (n->text)
        n->text[0] = '\0';
    return st == BK_OK ? BK_OK : nomem(b);
}

static int part_heading(const char *s)
{
    if (!starts(s, "第"))
        return 0;
    const char *p = strstr(s, "部分");
    return p && p - s <= 3 + 3 * 4;
}

static bk_status narrative_line(build *b, narr *n, const line *ln, const line *prev)
{
    const char *first = ctext(b, &b->c[ln->first]);
    if (part_heading(first) && ln->n == 1 && b->c[ln->first].len < sizeof n->title) {
        bk_status st = narr_flush(b, n);
        if (st != BK_OK)
            return st;
        snprintf(n->title, sizeof n->title, "%s", first);
        n->page = ln->page;
        return BK_OK;
    }
    if (n->len == 0 && !n->title[0])
        n->page = ln->page;
    if (n->len > 0) {
        /* A line ending short of the right margin, or an indented line, ends a paragraph. */
        int para = !prev || prev->x1 < n->right - 2 * ln->em || ln->x0 > prev->x0 + ln->em ||
                   prev->pi != ln->pi;
        char last = n->text[n->len - 1];
        if (para && narr_put(b, n, "\n", 1) != BK_OK)
            return BK_E_NOMEM;
        else if (!para && is_ascii_alnum((unsigned char)last) &&
                 is_ascii_alnum((unsigned char)first[0]) && narr_put(b, n, " ", 1) != BK_OK)
            return BK_E_NOMEM;
    }
    for (size_t j = 0; j < ln->n; j++) {
        const chunk *c = &b->c[ln->first + j];
        if ((j > 0 && narr_put(b, n, " ", 1) != BK_OK) ||
            narr_put(b, n, ctext(b, c), c->len) != BK_OK)
            return BK_E_NOMEM;
    }
    return BK_OK;
}

/* Two lines that print the same words. */
static int same_words(const build *b, const line *x, const line *y, size_t *bytes)
{
    if (x->n != y->n)
        return 0;
    for (size_t j = 0; j < x->n; j++) {
        const chunk *p = &b->c[x->first + j], *q = &b->c[y->first + j];
        if (p->len != q->len || memcmp(ctext(b, p), ctext(b, q), p->len) != 0)
            return 0;
        *bytes += p->len;
    }
    return 1;
}

/* Prose that runs past the foot of a page may be in the text layer twice: some office suites
 * write the overflowing lines at the foot of the page and again at the head of the next, and
 * clip each copy to where it shows (the Putuo 财政局 2025 budget, pages 7 and 8: items 7-11 of
 * its 编制说明 are in the text of both pages, and each page shows a part of them). The text
 * is read once: narrative lines at the head of a page that repeat, line for line, the
 * narrative lines at the foot of the page before are skipped. At most MAX_REPEAT lines, and
 * 24 bytes at least, so that a short line printed twice by design is kept. */
#define MAX_REPEAT 64
static void mark_repeated(const build *b, unsigned char *skip)
{
    size_t start = 0;
    while (start < b->nl) {
        size_t end = start, end2;
        while (end < b->nl && b->l[end].pi == b->l[start].pi)
            end++;
        for (end2 = end; end2 < b->nl && b->l[end2].pi == b->l[end].pi;)
            end2++;
        size_t most = end - start < end2 - end ? end - start : end2 - end;
        if (most > MAX_REPEAT)
            most = MAX_REPEAT;
        for (size_t k = most; k >= 1; k--) {
            int same = 1;
            size_t bytes = 0;
            for (size_t j = 0; j < k && same; j++) {
                const line *x = &b->l[end - k + j], *y = &b->l[end + j];
                same = x->kind == L_NARR && y->kind == L_NARR && same_words(b, x, y, &bytes);
            }
            if (same && bytes >= 24) {
                for (size_t j = 0; j < k; j++)
                    skip[end + j] = 1;
                break;
            }
        }
        start = end;
    }
}

static bk_status emit(build *b)
{
    narr n;
    memset(&n, 0, sizeof n);
    size_t part = (size_t)-1;
    long rowidx = 0;
    const line *prev = NULL;
    unsigned char *skip = bk_calloc(b->nl + 1, 1);
    if (!skip)
        return nomem(b);
    mark_repeated(b, skip);
    bk_status st = BK_OK;
    for (size_t i = 0; i < b->nl && st == BK_OK; i++) {
        line *ln = &b->l[i];
        if (ln->kind == L_NARR && skip[i])
            continue;
        if (ln->kind == L_NARR) {
            n.right = -INFINITY;
            for (size_t k = i; k < b->nl && b->l[k].pi == ln->pi; k++)
                if (b->l[k].kind == L_NARR)
                    n.right = dmax(n.right, b->l[k].x1);
            st = narrative_line(b, &n, ln, prev);
            prev = ln;
            continue;
        }
        prev = NULL;
        if (ln->pi != part) {
            char name[32];
            snprintf(name, sizeof name, "%ld", ln->page);
            part = ln->pi;
            rowidx = 0;
            if (bk_grid_part(b->g, name, BK_GRID_PAGE) != BK_OK)
                st = nomem(b);
        }
        rowidx++;
        if (st == BK_OK && (i == 0 || b->l[i - 1].region != ln->region) && rowidx > 1) {
            /* A blank row between two tables on one page. */
            st = bk_grid_row(b->g, ln->src > 0 ? ln->src - 1 : rowidx, NULL, 0) == BK_OK
                     ? BK_OK
                     : nomem(b);
        }
        if (ln->tiered) {
            /* The table's header lines are emitted at once as its rows. */
            if (st == BK_OK && ln->tiers > 0)
                st = emit_tiers(b, i, rowidx);
            continue;
        }
        int any = 0;
        for (size_t j = 0; j < ln->n; j++)
            any |= !b->c[ln->first + j].dead;
        if (st == BK_OK && any)
            st = emit_row(b, ln, (size_t)rowidx);
    }
    if (st == BK_OK)
        st = narr_flush(b, &n);
    bk_free(n.text);
    bk_free(skip);
    return st;
}

bk_status bk_words_grid(bk_words *w, bk_grid *g, bk_error *err)
{
    build b;
    memset(&b, 0, sizeof b);
    b.w = w, b.g = g, b.err = err;
    size_t most = 0;
    for (size_t i = 0; i < w->npg; i++)
        if (w->pg[i].n > most)
            most = w->pg[i].n;
    size_t *idx = bk_malloc((most + 1) * sizeof *idx);
    double *tmp = bk_malloc((most + 1) * sizeof *tmp);
    bk_status st = idx && tmp ? BK_OK : nomem(&b);
    for (size_t i = 0; i < w->npg && st == BK_OK; i++)
        st = page_lines(&b, i, idx, tmp);
    bk_free(idx);
    bk_free(tmp);
    if (st == BK_OK) {
        classify(&b);
        long regions = -1;
        for (size_t i = 0; i < b.nl; i++)
            if (b.l[i].region > regions)
                regions = b.l[i].region;
        for (long r = 0; r <= regions && st == BK_OK; r++)
            st = region_columns(&b, r);
    }
    if (st == BK_OK)
        st = emit(&b);
    bk_free(b.text);
    bk_free(b.c);
    bk_free(b.l);
    bk_free(b.cl);
    bk_free(b.co);
    bk_free(b.cw);
    return st;
}
