/* The rules: each stated figure against the table cell printing it, changes recomputed, stated
 * sums added, one item stated twice, unfilled template text, notes of empty tables. All figures
 * are exact decimals compared in integer units of a common last place. */
#include <stdio.h>
#include <string.h>

#include "nv.h"

/* ---- exact helpers ---- */

static const int64_t pow10s[] = {1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL,
                                  10000000LL, 100000000LL, 1000000000LL, 10000000000LL,
                                  100000000000LL, 1000000000000LL};

/* v·10^(s - v.scale) as a 128-bit integer (s >= v.scale). */
static __int128 at_scale(bk_decimal v, int s)
{
    __int128 x = v.units;
    for (int i = v.scale; i < s; i++)
        x *= 10;
    return x;
}

static bk_decimal from128(__int128 x, int scale, int *ok)
{
    bk_decimal d = {0, scale};
    if (x > INT64_MAX || x < -INT64_MAX) {
        *ok = 0;
        return d;
    }
    d.units = (int64_t)x;
    return d;
}

bk_decimal nv_to_wan(const nv_run *run, bk_decimal v)
{
    if (!run->table_wan)
        v.scale += 4;
    return v;
}

bk_decimal nv_absdiff(bk_decimal a, bk_decimal b)
{
    bk_decimal d;
    if (bk_decimal_sub(a, b, &d) != BK_DECIMAL_OK)
        return (bk_decimal){0, 0};
    if (d.units < 0)
        d.units = -d.units;
    return d;
}

/* A value in 万元 expressed in the figure's own unit (元, 万元, 亿元). */
static bk_decimal in_unit(bk_decimal wan, int unit)
{
    if (unit == NV_YI) {
        wan.scale += 4;
    } else if (unit == NV_YUAN) {
        if (wan.scale >= 4) {
            wan.scale -= 4;
        } else {
            wan.units *= pow10s[4 - wan.scale];
            wan.scale = 0;
        }
    }
    return wan;
}

/* Decimals of the stated figure's last place, counted in 万元 (元: +4, 亿元: -4). */
static int place_of(const nv_fig *f)
{
    return f->unit == NV_YUAN ? f->value.scale + 4 : f->unit == NV_YI ? f->value.scale - 4 : f->value.scale;
}

typedef enum verdict { V_OK = 0, V_ROUNDING, V_ERROR } verdict;

/* A stated figure (in 万元, last place `place`) against a printed one (in 万元): the same figure
 * printed twice must match; when the text states fewer places, it may be the printed figure
 * rounded (no finding) or within one unit of its last place (within rounding: the bound for one
 * part). bound receives one unit of the stated place, in 万元. */
static verdict compare(bk_decimal stated, int place, bk_decimal printed, bk_decimal *bound)
{
    int s = stated.scale > printed.scale ? stated.scale : printed.scale;
    if (place > s)
        s = place;
    if (s > 12 || place < -8) {
        *bound = (bk_decimal){0, 0};
        return V_OK; /* figures out of any sensible range are not compared */
    }
    __int128 d = at_scale(stated, s) - at_scale(printed, s);
    if (d < 0)
        d = -d;
    *bound = place >= 0 ? (bk_decimal){1, place} : (bk_decimal){pow10s[-place], 0};
    if (d == 0)
        return V_OK;
    if (place >= printed.scale) {
        *bound = (bk_decimal){0, place > 0 ? place : 0};
        return V_ERROR;
    }
    __int128 u = 1;
    for (int i = place; i < s; i++)
        u *= 10;
    if (2 * d <= u)
        return V_OK;
    return d <= u ? V_ROUNDING : V_ERROR;
}

/* Is p (a stated percentage) what change / base × 100 gives, allowing half a unit of p's last
 * place plus the change of the quotient when change and base each move by their own half
 * unit (h_change, h_base: half units, at scale+1 of each)? q receives the quotient at p's
 * places. Returns 1 when consistent. */
static int rate_ok(bk_decimal change, bk_decimal h_change, bk_decimal base, bk_decimal h_base,
                   bk_decimal p, bk_decimal *q)
{
    int qs = p.scale + 2;
    if (bk_decimal_percent(change, base, p.scale, q) != BK_DECIMAL_OK)
        return 1;
    bk_decimal lo, hi, v;
    if (bk_decimal_percent(change, base, qs, &lo) != BK_DECIMAL_OK)
        return 1;
    hi = lo;
    for (int i = 0; i < 4; i++) {
        bk_decimal c, b;
        if ((i & 1 ? bk_decimal_add(change, h_change, &c) : bk_decimal_sub(change, h_change, &c)) ||
            (i & 2 ? bk_decimal_add(base, h_base, &b) : bk_decimal_sub(base, h_base, &b)))
            return 1;
        if (b.units == 0 || (b.units < 0) != (base.units < 0))
            return 1; /* the base may be zero: nothing can be said */
        if (bk_decimal_percent(c, b, qs, &v) != BK_DECIMAL_OK)
            return 1;
        if (v.units < lo.units)
            lo = v;
        if (v.units > hi.units)
            hi = v;
    }
    __int128 half = 50; /* half a unit of p's place at scale p.scale + 2 */
    __int128 pv = at_scale(p, qs);
    return pv >= (__int128)lo.units - half && pv <= (__int128)hi.units + half;
}

static bk_decimal half_unit(bk_decimal v)
{
    return (bk_decimal){5, v.scale + 1};
}

/* Half a unit of a stated figure's last place, in 万元 (0.005 for 1.23万元, 50 for 0.41亿元). */
static bk_decimal half_place(const nv_fig *f)
{
    int place = f->unit == NV_YUAN ? f->value.scale + 4 : f->unit == NV_YI ? f->value.scale - 4 : f->value.scale;
    if (place >= -1)
        return (bk_decimal){5, place + 1};
    int64_t v = 5;
    for (int i = place + 1; i < 0; i++)
        v *= 10;
    return (bk_decimal){v, 0};
}

/* ---- what a figure is about ---- */

typedef struct resolved {
    nv_concept concept;
    int has_cur, has_prev, has_change;
    nv_cell cur, prev, change;
    const void *key_table; /* what it is, for "stated twice" */
    size_t key_row;
    int is_code;
    nv_code_match code;
    int code_stated; /* a 类/款/项 statement */
    nv_code_query q;
} resolved;

static const char *const filler[] = {"年度", "年初", "预算数", "预算", "本年", "安排", "共计", "合计",
                                     "总计", "为", "是", "：", "“", "”", "，", "度"};

static int skip_marker(const char *s, size_t len)
{
    size_t i = 0;
    if (len >= 3 && memcmp(s, "（", 3) == 0) {
        const char *e = memchr(s, ')', len);
        long k = nv_find(s, len, "）");
        if (k > 0 && k < 16)
            return (int)k + 3;
        (void)e;
    }
    while (i < len && s[i] >= '0' && s[i] <= '9')
        i++;
    if (i && i < len && (s[i] == '.' || s[i] == ')'))
        return (int)i + 1;
    if (i && len - i >= 3 && memcmp(s + i, "、", 3) == 0)
        return (int)i + 3;
    long k = nv_find(s, len < 12 ? len : 12, "、");
    if (k > 0)
        return (int)k + 3;
    return 0;
}

/* Only years, 预算数 and the like: the figure is named by its item's heading. */
static int filler_only(const char *s, size_t len)
{
    size_t i = (size_t)skip_marker(s, len);
    while (i < len) {
        if (s[i] >= '0' && s[i] <= '9') {
            i++;
            continue;
        }
        if (len - i >= 3 && memcmp(s + i, "年", 3) == 0) {
            i += 3;
            continue;
        }
        size_t k = 0;
        for (size_t w = 0; w < sizeof filler / sizeof *filler && !k; w++) {
            size_t n = strlen(filler[w]);
            if (len - i >= n && memcmp(s + i, filler[w], n) == 0)
                k = n;
        }
        if (!k)
            return 0;
        i += k;
    }
    return 1;
}

/* The year the words name, 0 when none: "2023年预算数". */
static int year_in(const char *s, size_t len)
{
    for (size_t i = 0; i + 7 <= len; i++) {
        int ok = 1;
        for (int k = 0; k < 4; k++)
            ok &= s[i + k] >= '0' && s[i + k] <= '9';
        if (ok && memcmp(s + i + 4, "年", 3) == 0 && (i == 0 || !(s[i - 1] >= '0' && s[i - 1] <= '9')))
            return (s[i] - '0') * 1000 + (s[i + 1] - '0') * 100 + (s[i + 2] - '0') * 10 + (s[i + 3] - '0');
    }
    return 0;
}

/* "住房保障支出（221类）住房改革支出（02款）住房公积金（01项）", "一般公共服务支出（类）…（项）" */
static int parse_code_query(const char *s, size_t len, nv_code_query *q)
{
    memset(q, 0, sizeof *q);
    size_t name_start = 0;
    int level = 0;
    char digits[3][8] = {"", "", ""};
    for (size_t i = 0; i < len && level < 3;) {
        size_t open = 0;
        if (len - i >= 3 && memcmp(s + i, "（", 3) == 0)
            open = 3;
        else if (s[i] == '(')
            open = 1;
        if (!open) {
            i++;
            continue;
        }
        size_t j = i + open, d0 = j;
        while (j < len && s[j] >= '0' && s[j] <= '9' && j - d0 < 7)
            j++;
        static const char *const lv[] = {"类", "款", "项"};
        int which = -1;
        for (int l = 0; l < 3; l++)
            if (len - j >= 3 && memcmp(s + j, lv[l], 3) == 0)
                which = l;
        size_t close = j + 3;
        if (which != level ||
            !((len - close >= 3 && memcmp(s + close, "）", 3) == 0) || (close < len && s[close] == ')'))) {
            i += open;
            continue;
        }
        /* the name before the bracket, without quotes and numbering */
        size_t ns = name_start;
        ns += (size_t)skip_marker(s + ns, i - ns);
        while (i - ns >= 3 && (memcmp(s + ns, "“", 3) == 0 || memcmp(s + ns, "”", 3) == 0))
            ns += 3;
        if (level == 0) {
            /* the class name is the last words before the bracket: after any clause mark */
            long k;
            while ((k = nv_find(s + ns, i - ns, "“")) >= 0)
                ns += (size_t)k + 3;
        }
        if (i - ns == 0 || i - ns >= sizeof q->names[0])
            return 0;
        memcpy(q->names[level], s + ns, i - ns);
        q->names[level][i - ns] = '\0';
        snprintf(digits[level], sizeof digits[level], "%.*s", (int)(j - d0), s + d0);
        level++;
        name_start = close + (s[close] == ')' ? 1 : 3);
        i = name_start;
    }
    if (!level)
        return 0;
    q->levels = level;
    /* the code, when every level gave its digits */
    char code[16] = "";
    int complete = 1;
    for (int l = 0; l < level; l++) {
        size_t n = strlen(digits[l]);
        if (l == 0 && n == 3)
            strcat(code, digits[0]);
        else if (l > 0 && n == 2)
            strcat(code, digits[l]);
        else if (l > 0 && n == (size_t)(3 + 2 * l))
            snprintf(code, sizeof code, "%s", digits[l]);
        else
            complete = 0;
    }
    if (complete && strlen(code) == (size_t)(1 + 2 * level))
        snprintf(q->code, sizeof q->code, "%s", code);
    return 1;
}

static int resolve_words(nv_run *run, const char *s, size_t len, resolved *r)
{
    const bk_doc *doc = run->doc;
    r->concept = nv_concept_of(s, len);
    if (r->concept != NV_C_NONE) {
        r->key_table = NULL;
        r->key_row = (size_t)r->concept;
        r->has_cur = nv_concept_cell(doc, r->concept, &r->cur);
        if (nv_concept_previous(doc, r->concept, &r->prev, &r->change)) {
            r->has_prev = 1;
            r->has_change = r->change.table != NULL;
        }
        return 1;
    }
    if (nv_project_cell(doc, s, len, &r->cur, &r->prev, &r->change)) {
        r->has_cur = 1;
        r->has_prev = r->prev.table != NULL;
        r->has_change = r->change.table != NULL;
        r->key_table = r->cur.table;
        r->key_row = r->cur.row;
        return 1;
    }
    return 0;
}

static int item_heading(const nv_part *p, size_t item, size_t *start, size_t *end)
{
    for (size_t i = 0; i < p->nsent; i++) {
        if (p->sent[i].item != item)
            continue;
        *start = p->sent[i].start;
        *end = p->sent[i].nfig ? p->fig[p->sent[i].fig0].start : p->sent[i].end;
        return 1;
    }
    return 0;
}

/* What a stated level figure is about. 0 when nothing the tables carry (or another year). */
static int resolve(nv_run *run, const nv_part *p, const nv_sentence *st, const nv_fig *f,
                   resolved *r)
{
    memset(r, 0, sizeof *r);
    const char *s = p->text + f->subj_start;
    size_t len = f->start - f->subj_start;
    int y = year_in(s, len);
    if (y && y != run->doc->fiscal_year)
        return 0;
    /* a classification statement names its class in the words before it, maybe over several
     * clauses: look from the sentence start */
    const char *ss = p->text + st->start;
    size_t slen = f->start - st->start;
    long cls = nv_find_last(ss, slen, "类）");
    if (cls < 0)
        cls = nv_find_last(ss, slen, "类)");
    if (cls >= 0) {
        /* the statement begins after the last figure before it */
        size_t from = st->start;
        for (size_t k = st->fig0; k < st->fig0 + st->nfig; k++)
            if (p->fig[k].end <= st->start + (size_t)cls && p->fig[k].end > from)
                from = p->fig[k].end;
        long clause = -1;
        for (const char *m = "，"; clause < 0 && m; m = NULL)
            clause = nv_find_last(p->text + from, st->start + (size_t)cls - from, m);
        if (clause >= 0)
            from += (size_t)clause + 3;
        if (parse_code_query(p->text + from, f->start - from, &r->q)) {
            r->code_stated = 1;
            nv_code_find(run->doc, &r->q, &r->code);
            if (r->code.found) {
                r->has_cur = 1;
                r->cur = r->code.cell;
                r->key_table = r->cur.table;
                r->key_row = r->cur.row;
            }
            return 1;
        }
    }
    if (resolve_words(run, s, len, r))
        return 1;
    size_t hs, he;
    if (filler_only(s, len) && item_heading(p, st->item, &hs, &he) && he > hs &&
        !(hs <= f->subj_start && f->subj_start < he))
        return resolve_words(run, p->text + hs, he - hs, r);
    return 0;
}

/* ---- messages ---- */

static void say_where(nv_run *run, const nv_part *p)
{
    bk_strbuf_clear(&run->en);
    bk_strbuf_clear(&run->zh);
    bk_strbuf_add(&run->en, "%s: ", p->title ? p->title : "narrative");
    bk_strbuf_add(&run->zh, "%s：", p->title ? p->title : "说明");
}

static void say_fig(bk_strbuf *t, const nv_part *p, const nv_fig *f)
{
    bk_strbuf_add(t, "\"%.*s\"", (int)(f->end - f->start), p->text + f->start);
}

/* Pieces of a message whose two languages go in the same order. */
static void say_both(nv_run *run, const char *en, const char *zh)
{
    bk_strbuf_add(&run->en, "%s", en);
    bk_strbuf_add(&run->zh, "%s", zh);
}

static void say_fig_both(nv_run *run, const nv_part *p, const nv_fig *f)
{
    say_fig(&run->en, p, f);
    say_fig(&run->zh, p, f);
}

static void say_dec_both(nv_run *run, bk_decimal d)
{
    bk_strbuf_dec(&run->en, d);
    bk_strbuf_dec(&run->zh, d);
}

static void say_abs_both(nv_run *run, bk_decimal d)
{
    bk_strbuf_abs(&run->en, d);
    bk_strbuf_abs(&run->zh, d);
}

/* This year's and last year's figures, each after the words of around[0] and [1], around[2]
 * last. */
static void say_years(bk_strbuf *t, bk_decimal cur, bk_decimal prev, const char *const around[3])
{
    bk_strbuf_add(t, "%s", around[0]);
    bk_strbuf_dec(t, cur);
    bk_strbuf_add(t, "%s", around[1]);
    bk_strbuf_dec(t, prev);
    bk_strbuf_add(t, "%s", around[2]);
}

static const char *unit_word(int unit)
{
    return unit == NV_YUAN ? "元" : unit == NV_YI ? "亿元" : unit == NV_PERCENT ? "%" : "万元";
}

static void say_cell(bk_strbuf *en, bk_strbuf *zh, const nv_cell *c)
{
    const bk_row *row = &c->table->rows[c->row];
    const char *key = row->code ? row->code : row->name;
    bk_strbuf_add(en, "%s row %s column %s", c->table->tpl->id, key,
                  c->table->tpl->columns[c->col].id);
    bk_strbuf_add(zh, "表%s「%s」行「%s」列", c->table->tpl->id, key,
                  c->table->tpl->columns[c->col].id);
}

/* ---- rules on figures ---- */

static void level_finding(nv_run *run, const nv_part *p, const nv_sentence *st, const nv_fig *f,
                          const nv_cell *cell, const char *rule, const char *what)
{
    bk_decimal printed = nv_to_wan(run, cell->value), bound;
    verdict v = compare(f->wan, place_of(f), printed, &bound);
    if (v == V_OK)
        return;
    bk_decimal expected = in_unit(printed, f->unit), diff;
    if (bk_decimal_sub(f->value, expected, &diff) != BK_DECIMAL_OK)
        return;
    bound = in_unit(bound, f->unit);
    /* a figure of the table stated with the wrong unit: 元 written as 万元, or the reverse */
    int unit_mixup = v == V_ERROR && f->unit != NV_PERCENT && bk_decimal_cmp(f->value, cell->value) == 0 &&
                     ((f->unit == NV_WAN) != (run->table_wan != 0));
    say_where(run, p);
    bk_strbuf_add(&run->en, "the text states %s as ", what);
    bk_strbuf_add(&run->zh, "文字说明%s为", what);
    say_fig(&run->en, p, f);
    say_fig(&run->zh, p, f);
    bk_strbuf_add(&run->en, ", but ");
    bk_strbuf_add(&run->zh, "，而");
    say_cell(&run->en, &run->zh, cell);
    bk_strbuf_add(&run->en, " prints ");
    bk_strbuf_dec(&run->en, cell->value);
    bk_strbuf_add(&run->en, " %s", run->table_wan ? "万元" : "元");
    bk_strbuf_add(&run->zh, "填报");
    bk_strbuf_dec(&run->zh, cell->value);
    bk_strbuf_add(&run->zh, "%s", run->table_wan ? "万元" : "元");
    if (f->unit != (run->table_wan ? NV_WAN : NV_YUAN)) {
        bk_strbuf_add(&run->en, " (");
        bk_strbuf_dec(&run->en, expected);
        bk_strbuf_add(&run->en, " %s)", unit_word(f->unit));
        bk_strbuf_add(&run->zh, "（即");
        bk_strbuf_dec(&run->zh, expected);
        bk_strbuf_add(&run->zh, "%s）", unit_word(f->unit));
    }
    if (unit_mixup) {
        bk_strbuf_add(&run->en, ": the same digits in another unit");
        bk_strbuf_add(&run->zh, "：数字相同而单位不同");
    } else if (v == V_ROUNDING) {
        say_both(run, "; the stated figure is within one unit of its last place (", "；差额");
        say_abs_both(run, diff);
        say_both(run, " ≤ ", "不超过末位一个单位");
        say_dec_both(run, bound);
        say_both(run, "), as if cut off rather than rounded: consistent within rounding",
                 "（似截尾而非四舍五入），属尾数误差");
    } else {
        say_both(run, "; they differ by ", "，相差");
        say_abs_both(run, diff);
    }
    nv_report r = {unit_mixup ? "narrative.units" : rule, v == V_ROUNDING ? BK_SEV_ROUNDING : BK_SEV_ERROR,
                   p, st, f, cell, 1, expected, f->value, diff, bound, NULL};
    nv_emit(run, &r);
}

static void code_findings(nv_run *run, const nv_part *p, const nv_sentence *st, const nv_fig *f,
                          const resolved *r)
{
    static const char *const lv[] = {"类", "款", "项"};
    if (!r->code.found && !r->code.tables)
        return; /* no table of the document to compare with (a PDF whose tables were not read) */
    if (!r->code.found) {
        say_where(run, p);
        bk_strbuf_add(&run->en,
                      "the text states a figure for the classification %s%s%s, which no "
                      "functional classification table prints",
                      r->q.code[0] ? r->q.code : "", r->q.code[0] ? " " : "",
                      r->q.names[r->q.levels - 1]);
        bk_strbuf_add(&run->zh, "文字说明的科目「%s%s」在功能分类表中未列示", r->q.code,
                      r->q.names[r->q.levels - 1]);
        nv_report rep = {"narrative.code-missing", BK_SEV_WARNING, p, st, f, NULL, 0,
                         {0, 0}, {0, 0}, {0, 0}, {0, 0}, NULL};
        nv_emit(run, &rep);
        return;
    }
    if (r->code.name_level >= 0) {
        int l = r->code.name_level;
        say_where(run, p);
        bk_strbuf_add(&run->en, "the text names the %s \"%s\", the tables print \"%s\"",
                      l == 0   ? "class (类)"
                      : l == 1 ? "款"
                               : "项",
                      r->q.names[l], r->code.printed_name);
        bk_strbuf_add(&run->zh, "文字说明的%s名称为「%s」，表中为「%s」", lv[l], r->q.names[l],
                      r->code.printed_name);
        nv_report rep = {"narrative.code-name", BK_SEV_WARNING, p, st, f, &r->cur, 0,
                         {0, 0}, {0, 0}, {0, 0}, {0, 0}, NULL};
        nv_emit(run, &rep);
    }
    level_finding(run, p, st, f, &r->cur, "narrative.code", r->cur.label);
}

/* ---- changes ---- */

static void change_finding(nv_run *run, const nv_part *p, const nv_sentence *st,
                           const nv_fig *base, const nv_fig *chg, const nv_fig *rate,
                           const resolved *r)
{
    const char *what = r->has_cur ? r->cur.label : nv_concept_label(r->concept);
    bk_decimal stated_change = {0, 0};
    if (chg) {
        stated_change = chg->wan;
        if (chg->sign < 0)
            stated_change.units = -stated_change.units;
    }
    bk_decimal stated_rate = {0, 1};
    if (rate) {
        stated_rate = rate->value;
        if (rate->sign < 0)
            stated_rate.units = -stated_rate.units;
    }
    if (r->has_prev) {
        bk_decimal cur = nv_to_wan(run, r->cur.value), prev = nv_to_wan(run, r->prev.value);
        bk_decimal expected;
        if (r->has_change)
            expected = nv_to_wan(run, r->change.value);
        else if (bk_decimal_sub(cur, prev, &expected) != BK_DECIMAL_OK)
            return;
        int amount_bad = 0, rate_bad = 0, base_zero = 0;
        bk_decimal bound = {0, 0}, q = {0, 0};
        if (chg) {
            verdict v = chg->zero_word ? (expected.units == 0 ? V_OK : V_ERROR)
                                       : compare(stated_change, place_of(chg), expected, &bound);
            /* "增加0.00" for no change is no contradiction; a direction against the table is */
            if (v == V_ERROR || (chg->sign && expected.units && (chg->sign > 0) != (expected.units > 0)))
                amount_bad = 1;
        }
        if (rate) {
            if (prev.units == 0)
                base_zero = 1;
            else if (!rate_ok(expected, half_unit(expected), prev, half_unit(prev), stated_rate, &q))
                rate_bad = 1;
        }
        if (!amount_bad && !rate_bad && !base_zero)
            return;
        const nv_cell *cell = r->has_change ? &r->change : &r->cur;
        say_where(run, p);
        if (base_zero && !amount_bad) {
            bk_strbuf_add(&run->en, "the text states a change of ");
            say_fig(&run->en, p, rate);
            bk_strbuf_add(&run->en, " for %s, but the previous year's figure ", what);
            bk_strbuf_add(&run->zh, "文字说明%s变动", what);
            say_fig(&run->zh, p, rate);
            bk_strbuf_add(&run->zh, "，但上年数（");
            say_cell(&run->en, &run->zh, &r->prev);
            bk_strbuf_add(&run->en, " is 0: a percentage of a zero base cannot be computed");
            bk_strbuf_add(&run->zh, "）为0，无法计算增减百分比");
            nv_report rep = {"narrative.change-base-zero", BK_SEV_INFO, p, st, rate, &r->prev, 1,
                             {0, 0}, stated_rate, {0, 0}, {0, 0}, NULL};
            nv_emit(run, &rep);
            return;
        }
        bk_strbuf_add(&run->en, "the text states the change of %s as ", what);
        bk_strbuf_add(&run->zh, "文字说明%s的增减为", what);
        if (chg) {
            say_fig_both(run, p, chg);
            bk_strbuf_add(&run->en, " (%s)",
                          chg->zero_word  ? "no change"
                          : chg->sign < 0 ? "down"
                                          : "up");
            bk_strbuf_add(&run->zh, "（%s）",
                          chg->zero_word  ? "持平"
                          : chg->sign < 0 ? "减少"
                                          : "增加");
        }
        if (rate) {
            say_both(run, chg ? " and " : "", chg ? "、" : "");
            say_fig_both(run, p, rate);
        }
        static const char *const en_years[] = {"", " this year against ", " ("};
        static const char *const zh_years[] = {"本年", "万元、上年", "万元，增减"};
        say_both(run, ", but the tables give ", "，而表中");
        say_years(&run->en, cur, prev, en_years);
        say_cell(&run->en, &run->zh, &r->prev);
        bk_strbuf_add(&run->en, "): a change of ");
        say_years(&run->zh, cur, prev, zh_years);
        say_dec_both(run, expected);
        say_both(run, " 万元", "万元");
        if (prev.units != 0 && bk_decimal_percent(expected, prev, rate ? rate->value.scale : 2, &q) == BK_DECIMAL_OK) {
            say_both(run, ", ", "，");
            say_dec_both(run, q);
            say_both(run, "%", "%");
        }
        nv_report rep = {"narrative.change", BK_SEV_ERROR, p, st, chg ? chg : rate, cell, 1,
                         {0, 0}, {0, 0}, {0, 0}, bound, NULL};
        if (amount_bad || !rate) {
            rep.expected = in_unit(expected, chg->unit);
            rep.actual = chg->value;
            if (chg->sign < 0)
                rep.actual.units = -rep.actual.units;
            if (chg->zero_word)
                rep.actual = (bk_decimal){0, 0};
        } else {
            rep.fig = rate;
            rep.expected = q;
            rep.actual = stated_rate;
            int pc = bk_template_column(r->cur.table->tpl, "change_pct");
            static nv_cell pct;
            if (pc >= 0 && r->cur.table == r->prev.table) {
                pct = r->cur;
                pct.col = (size_t)pc;
                rep.cell = &pct;
            }
        }
        if (bk_decimal_sub(rep.actual, rep.expected, &rep.difference) != BK_DECIMAL_OK)
            rep.difference = (bk_decimal){0, 0};
        nv_emit(run, &rep);
        return;
    }
    /* No table prints last year's figure: the percentage must follow from the two figures the
     * sentence states (this year's, and the change). */
    if (!chg || !rate || chg->zero_word || !base)
        return;
    bk_decimal prev;
    if (bk_decimal_sub(base->wan, stated_change, &prev) != BK_DECIMAL_OK)
        return;
    bk_decimal q = {0, 0};
    int sign_bad = chg->sign && rate->sign && chg->sign != rate->sign;
    if (prev.units == 0) {
        say_where(run, p);
        bk_strbuf_add(&run->en, "the text states a change of ");
        say_fig(&run->en, p, rate);
        bk_strbuf_add(&run->en, " from a previous figure of 0 (");
        bk_strbuf_dec(&run->en, base->wan);
        bk_strbuf_add(&run->en, " − ");
        bk_strbuf_dec(&run->en, stated_change);
        bk_strbuf_add(&run->en, "): a percentage of a zero base cannot be computed");
        bk_strbuf_add(&run->zh, "文字说明增减");
        say_fig(&run->zh, p, rate);
        bk_strbuf_add(&run->zh, "，但上年数为0，无法计算增减百分比");
        nv_report rep = {"narrative.change-base-zero", BK_SEV_INFO, p, st, rate, NULL, 1,
                         {0, 0}, stated_rate, {0, 0}, {0, 0}, NULL};
        nv_emit(run, &rep);
        return;
    }
    bk_decimal h_prev;
    if (bk_decimal_add(half_place(base), half_place(chg), &h_prev) != BK_DECIMAL_OK)
        return;
    if (!sign_bad && rate_ok(stated_change, half_place(chg), prev, h_prev, stated_rate, &q))
        return;
    say_where(run, p);
    say_both(run, "the text states ", "文字说明");
    say_fig_both(run, p, base);
    say_both(run, ", a change of ", "，增减");
    say_fig_both(run, p, chg);
    say_both(run, " and ", "、");
    say_fig_both(run, p, rate);
    say_both(run, "; from those figures the previous year was ", "；据此上年数为");
    say_dec_both(run, prev);
    say_both(run, " and the change ", "，增减幅应为");
    say_dec_both(run, q);
    say_both(run, "%", "%");
    nv_report rep = {"narrative.change", BK_SEV_ERROR, p, st, rate, NULL, 1,
                     q, stated_rate, {0, 0}, {0, 0}, NULL};
    if (bk_decimal_sub(stated_rate, q, &rep.difference) != BK_DECIMAL_OK)
        rep.difference = (bk_decimal){0, 0};
    nv_emit(run, &rep);
}

/* ---- stated sums: "共计 A，其中 B、C、D" ---- */

static long sum_word(const char *s, size_t len)
{
    long best = -1;
    static const char *const words[] = {"其中", "包括"};
    for (size_t w = 0; w < 2; w++) {
        long k = nv_find(s, len, words[w]);
        if (k >= 0 && (best < 0 || k < best))
            best = k;
    }
    return best;
}

static void check_sum(nv_run *run, const nv_part *p, size_t si)
{
    const nv_sentence *st = &p->sent[si];
    long k = sum_word(p->text + st->start, st->end - st->start);
    if (k < 0)
        return;
    size_t at = st->start + (size_t)k;
    const nv_fig *total = NULL;
    for (size_t i = st->fig0; i < st->fig0 + st->nfig; i++)
        if (p->fig[i].end <= at && p->fig[i].role == NV_LEVEL && p->fig[i].unit != NV_PERCENT)
            total = &p->fig[i];
    if (!total && si > 0 && p->sent[si - 1].item == st->item && k <= 6) {
        const nv_sentence *prev = &p->sent[si - 1];
        for (size_t i = prev->fig0; i < prev->fig0 + prev->nfig; i++)
            if (p->fig[i].role == NV_LEVEL && p->fig[i].unit != NV_PERCENT)
                total = &p->fig[i];
    }
    if (!total)
        return;
    /* a second 其中 starts a breakdown of a part: stop there */
    size_t stop = st->end;
    long k2 = sum_word(p->text + at + 6, st->end - at - 6);
    if (k2 >= 0)
        stop = at + 6 + (size_t)k2;
    const nv_fig *parts[64];
    size_t n = 0;
    for (size_t i = st->fig0; i < st->fig0 + st->nfig; i++) {
        const nv_fig *f = &p->fig[i];
        if (!(f->start > at && f->end <= stop && f->role == NV_LEVEL && f->unit != NV_PERCENT))
            continue;
        /* "…，合计1170.00万" repeats the total after its parts */
        const char *w = p->text + f->subj_start;
        size_t wl = f->start - f->subj_start;
        if (nv_has(w, wl, "合计") || nv_has(w, wl, "共计") || nv_has(w, wl, "总计") || nv_has(w, wl, "小计"))
            continue;
        if (n < 64)
            parts[n++] = f;
    }
    if (n < 2 || nv_has(p->text + at, stop - at, "等"))
        return;
    int s = total->wan.scale;
    for (size_t i = 0; i < n; i++)
        if (parts[i]->wan.scale > s)
            s = parts[i]->wan.scale;
    if (s > 12)
        return;
    __int128 sum = 0;
    for (size_t i = 0; i < n; i++)
        sum += at_scale(parts[i]->wan, s);
    __int128 d = at_scale(total->wan, s) - sum, ad = d < 0 ? -d : d;
    if (ad == 0)
        return;
    /* |T − Σ| ≤ ½·10⁻ᵈ·(n+1), at the finest stated place */
    int rounding = 2 * ad <= (__int128)(n + 1);
    int ok = 1;
    bk_decimal expected = from128(sum, s, &ok), diff = from128(d, s, &ok);
    bk_decimal bound = {(int64_t)(5 * (n + 1)), s + 1};
    if (!ok)
        return;
    bk_strbuf_clear(&run->parts);
    for (size_t i = 0; i < n; i++)
        bk_strbuf_add(&run->parts, "%s%.*s", i ? " + " : "", (int)(parts[i]->end - parts[i]->start),
                      p->text + parts[i]->start);
    say_where(run, p);
    say_both(run, "the text states the total ", "文字说明合计");
    say_fig_both(run, p, total);
    bk_strbuf_add(&run->en, " of %zu parts (%s) that add up to ", n, bk_strbuf_str(&run->parts));
    bk_strbuf_add(&run->zh, "，其%zu个组成部分（%s）之和为", n, bk_strbuf_str(&run->parts));
    say_dec_both(run, expected);
    say_both(run, "; difference ", "，差额");
    say_abs_both(run, diff);
    say_both(run, rounding ? " is within the rounding bound " : " exceeds the rounding bound ",
             rounding ? "，在四舍五入容差" : "，超出四舍五入容差");
    say_dec_both(run, bound);
    if (rounding)
        say_both(run, ": consistent within rounding", "以内，属尾数误差");
    nv_report rep = {"narrative.sum",
                     rounding ? BK_SEV_ROUNDING : BK_SEV_ERROR,
                     p,
                     st,
                     total,
                     NULL,
                     1,
                     expected,
                     total->wan,
                     diff,
                     bound,
                     bk_strbuf_str(&run->parts)};
    nv_emit(run, &rep);
}

/* ---- unfilled template text ---- */

static void check_placeholders(nv_run *run, const nv_part *p, const nv_sentence *st)
{
    const char *s = p->text + st->start;
    size_t len = st->end - st->start;
    static const char *const words[] = {"××", "增加（减少）", "增长（下降）", "增加(减少)",
                                        "增长(下降)", "待填写", "待补充", "主要原因是。",
                                        "主要原因是：。", "主要原因为。", "原因是。", "主要用于。"};
    const char *hit = NULL;
    for (size_t w = 0; w < sizeof words / sizeof *words && !hit; w++)
        if (nv_has(s, len, words[w]))
            hit = words[w];
    for (size_t i = 0; i + 1 < len && !hit; i++)
        if ((s[i] == 'X' || s[i] == 'x') && (s[i + 1] == 'X' || s[i + 1] == 'x') &&
            (i == 0 || !((s[i - 1] | 0x20) >= 'a' && (s[i - 1] | 0x20) <= 'z')))
        {
            size_t j = i;
            while (j < len && (s[j] == 'X' || s[j] == 'x'))
                j++;
            if (j == len || !((s[j] | 0x20) >= 'a' && (s[j] | 0x20) <= 'z'))
                hit = "XX";
        }
    if (!hit)
        return;
    say_where(run, p);
    bk_strbuf_add(&run->en, "unfilled template text \"%s\"", hit);
    bk_strbuf_add(&run->zh, "模板文字未填写：「%s」", hit);
    nv_report rep = {"narrative.placeholder", BK_SEV_WARNING, p, st, NULL, NULL, 0,
                     {0, 0}, {0, 0}, {0, 0}, {0, 0}, NULL};
    nv_emit(run, &rep);
}

/* ---- the same item stated twice ---- */

typedef struct seen {
    const void *table;
    size_t row;
    const nv_fig *fig;
    const nv_sentence *st;
} seen;

static void check_twice(nv_run *run, const nv_part *p, const nv_sentence *st, const nv_fig *f,
                        const resolved *r, seen *list, size_t *n, size_t cap)
{
    for (size_t i = 0; i < *n; i++) {
        if (list[i].table != r->key_table || list[i].row != r->key_row)
            continue;
        const nv_fig *g = list[i].fig;
        bk_decimal bound;
        int fine = place_of(f) > place_of(g);
        verdict v = fine ? compare(g->wan, place_of(g), f->wan, &bound)
                         : compare(f->wan, place_of(f), g->wan, &bound);
        if (v == V_OK)
            return;
        const char *what = r->has_cur ? r->cur.label : nv_concept_label(r->concept);
        say_where(run, p);
        bk_strbuf_add(&run->en, "%s is stated twice with two amounts: ", what);
        say_fig(&run->en, p, g);
        bk_strbuf_add(&run->en, " and ");
        say_fig(&run->en, p, f);
        bk_strbuf_add(&run->zh, "%s在同一部分出现两个不同金额：", what);
        say_fig(&run->zh, p, g);
        bk_strbuf_add(&run->zh, "与");
        say_fig(&run->zh, p, f);
        bk_decimal diff;
        if (bk_decimal_sub(f->wan, g->wan, &diff) != BK_DECIMAL_OK)
            return;
        nv_report rep = {"narrative.contradiction", BK_SEV_ERROR, p, st, f,
                         r->has_cur ? &r->cur : NULL, 1, g->wan, f->wan, diff, {0, 0}, NULL};
        nv_emit(run, &rep);
        return;
    }
    if (*n < cap)
        list[(*n)++] = (seen){r->key_table, r->key_row, f, st};
}

/* ---- "无政府性基金预算支出" against a table that prints some ---- */

static void check_claims_none(nv_run *run, const nv_part *p, const nv_sentence *st)
{
    const char *s = p->text + st->start;
    size_t len = st->end - st->start;
    static const struct { nv_concept c; const char *word; } claims[] = {
        {NV_C_FUND, "政府性基金"}, {NV_C_SOE, "国有资本经营"}};
    for (size_t i = 0; i < 2; i++) {
        long k = nv_find(s, len, claims[i].word);
        if (k < 0)
            continue;
        /* "无" before the word in the same clause: 无政府性基金…、国有资本经营… */
        long no = nv_find_last(s, (size_t)k, "无");
        if (no < 0 || nv_has(s + no, (size_t)(k - no), "，") || nv_has(s + no, (size_t)(k - no), "。"))
            continue;
        nv_cell cell;
        if (!nv_concept_cell(run->doc, claims[i].c, &cell) || cell.value.units == 0)
            continue;
        say_where(run, p);
        bk_strbuf_add(&run->en, "the text says there is no %s, but ",
                      nv_concept_label(claims[i].c));
        bk_strbuf_add(&run->zh, "文字说明无%s，而", nv_concept_label(claims[i].c));
        say_cell(&run->en, &run->zh, &cell);
        bk_strbuf_add(&run->en, " prints ");
        bk_strbuf_dec(&run->en, cell.value);
        bk_strbuf_add(&run->zh, "填报");
        bk_strbuf_dec(&run->zh, cell.value);
        nv_report rep = {"narrative.claims-none", BK_SEV_ERROR, p, st, NULL, &cell, 1,
                         cell.value, {0, 0}, {0, 0}, {0, 0}, NULL};
        if (bk_decimal_sub(rep.actual, rep.expected, &rep.difference) != BK_DECIMAL_OK)
            rep.difference = (bk_decimal){0, 0};
        nv_emit(run, &rep);
    }
}

/* ---- one part ---- */

bk_status nv_check_part(nv_run *run, nv_part *p)
{
    seen twice[128];
    size_t ntwice = 0;
    for (size_t si = 0; si < p->nsent && run->status == BK_OK; si++) {
        const nv_sentence *st = &p->sent[si];
        check_placeholders(run, p, st);
        check_claims_none(run, p, st);
        check_sum(run, p, si);
        const nv_fig *base = NULL;
        resolved rb;
        int base_resolved = 0;
        long sw = sum_word(p->text + st->start, st->end - st->start);
        size_t sum_at = sw >= 0 ? st->start + (size_t)sw : st->end;
        nv_concept total_concept = NV_C_NONE;
        for (size_t i = st->fig0; i < st->fig0 + st->nfig && run->status == BK_OK; i++) {
            const nv_fig *f = &p->fig[i];
            if (f->role == NV_LEVEL && f->unit != NV_PERCENT) {
                resolved r;
                base = f;
                base_resolved = resolve(run, p, st, f, &r);
                rb = r;
                if (!base_resolved)
                    continue;
                if (f->start < sum_at)
                    total_concept = r.concept;
                else if (r.concept != NV_C_NONE && r.concept == total_concept)
                    continue; /* a part of the sum read as its whole: its words name more */
                if (r.code_stated)
                    code_findings(run, p, st, f, &r);
                else if (r.has_cur)
                    level_finding(run, p, st, f, &r.cur, "narrative.total",
                                  r.cur.label ? r.cur.label : nv_concept_label(r.concept));
                if (r.concept != NV_C_NONE || r.key_table)
                    check_twice(run, p, st, f, &r, twice, &ntwice, sizeof twice / sizeof *twice);
                continue;
            }
            if (f->role != NV_CHANGE && f->role != NV_RATE)
                continue;
            const nv_fig *chg = f->role == NV_CHANGE ? f : NULL, *rate = f->role == NV_RATE ? f : NULL;
            if (chg && i + 1 < st->fig0 + st->nfig && p->fig[i + 1].role == NV_RATE) {
                rate = &p->fig[i + 1];
                i++;
            }
            /* the figure the change is of: the last one before it, or the item's first */
            const nv_fig *b = base;
            resolved r;
            int ok = 0;
            if (b) {
                r = rb;
                ok = base_resolved;
            } else {
                for (size_t sj = 0; sj < si && !b; sj++) {
                    const nv_sentence *o = &p->sent[sj];
                    if (o->item != st->item)
                        continue;
                    for (size_t k = o->fig0; k < o->fig0 + o->nfig && !b; k++)
                        if (p->fig[k].role == NV_LEVEL && p->fig[k].unit != NV_PERCENT) {
                            b = &p->fig[k];
                            ok = resolve(run, p, o, b, &r);
                        }
                }
            }
            if (!b)
                continue;
            if (!ok)
                memset(&r, 0, sizeof r);
            change_finding(run, p, st, b, chg, rate, &r);
        }
    }
    return run->status;
}

/* ---- notes of tables that print no figures ---- */

static int has_figures(const bk_table *t)
{
    for (size_t r = 0; r < t->nrows; r++)
        for (size_t c = 0; c < t->tpl->ncolumns; c++) {
            const bk_cell *cell = bk_table_cell(t, r, c);
            if (t->tpl->columns[c].type == BK_COL_AMOUNT && cell->kind == BK_CELL_NUMBER && cell->v.units)
                return 1;
        }
    return 0;
}

static int says_empty(const char *note)
{
    static const char *const words[] = {"无数据", "无发生额", "没有", "不涉及", "为空", "空表",
                                        "无此", "本表无", "无相关", "未安排", "无政府性基金",
                                        "无国有资本", "无“三公”", "无三公"};
    for (size_t i = 0; note && i < sizeof words / sizeof *words; i++)
        if (strstr(note, words[i]))
            return 1;
    return 0;
}

static void table_finding(nv_run *run, const bk_table *t, const char *rule, bk_severity sev)
{
    nv_cell cell = {t, 0, 0, {0, 0}, NULL};
    long r = nv_department_row(run->doc, t);
    cell.row = r >= 0 ? (size_t)r : 0;
    int c = -1;
    for (size_t i = 0; i < t->tpl->ncolumns && c < 0; i++)
        if (t->tpl->columns[i].type == BK_COL_AMOUNT)
            c = (int)i;
    cell.col = c >= 0 ? (size_t)c : 0;
    nv_report rep = {rule, sev, NULL, NULL, NULL, t->nrows ? &cell : NULL, 0,
                     {0, 0}, {0, 0}, {0, 0}, {0, 0}, NULL};
    nv_emit(run, &rep);
}

bk_status nv_check_tables(nv_run *run)
{
    static const char *const subjects[] = {"政府性基金", "国有资本经营", "三公", "一般公共预算"};
    for (size_t i = 0; i < run->doc->ntables && run->status == BK_OK; i++) {
        const bk_table *t = run->doc->tables[i];
        const char *title = t->tpl->title ? t->tpl->title : "";
        int figures = has_figures(t), empty_note = says_empty(t->note);
        bk_strbuf_clear(&run->en);
        bk_strbuf_clear(&run->zh);
        if (!figures && !empty_note && t->tpl->row_key && strcmp(t->tpl->row_key, "task") != 0) {
            bk_strbuf_add(&run->en,
                          "%s %s prints no figures and no note saying so (such as "
                          "\"本表无数据\")",
                          t->tpl->id, title);
            bk_strbuf_add(&run->zh, "表%s「%s」无数据，但未注明（如“本表无数据”）", t->tpl->id,
                          title);
            table_finding(run, t, "narrative.empty-table-note", BK_SEV_WARNING);
            continue;
        }
        if (figures && empty_note) {
            bk_strbuf_add(&run->en, "%s %s prints figures, but its note says it has none: \"%s\"",
                          t->tpl->id, title, t->note);
            bk_strbuf_add(&run->zh, "表%s「%s」有数据，但备注称无数据：“%s”", t->tpl->id, title,
                          t->note);
            table_finding(run, t, "narrative.note-contradicts", BK_SEV_ERROR);
            continue;
        }
        if (!figures && empty_note) {
            /* the note names another table's subject and not this one's */
            const char *own = NULL, *other = NULL;
            for (size_t k = 0; k < sizeof subjects / sizeof *subjects; k++) {
                if (strstr(title, subjects[k]))
                    own = own ? own : subjects[k];
                else if (strstr(t->note, subjects[k]))
                    other = other ? other : subjects[k];
            }
            if (own && other && !strstr(t->note, own)) {
                bk_strbuf_add(&run->en, "the note under %s %s names another table: \"%s\"",
                              t->tpl->id, title, t->note);
                bk_strbuf_add(&run->zh, "表%s「%s」的备注说的是另一张表：“%s”", t->tpl->id, title,
                              t->note);
                table_finding(run, t, "narrative.note-wrong-table", BK_SEV_WARNING);
            }
        }
    }
    return run->status;
}
