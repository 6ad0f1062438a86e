/* Explanations: which printed cell, corrected to which value, makes a connected set of
 * inconsistent identities hold (formats/validation.md, "Explanations").
 *
 * The inconsistent identities of a document are grouped into sets that share cells. A cell
 * can explain a set only if it takes part in every identity of the set; its correction must
 * then satisfy every identity it takes part in, the inconsistent ones and those that hold:
 * each linear identity bounds the change to an interval (the rounding bound around the change
 * that makes it exact), and the change is taken where those intervals meet, preferring the
 * change that makes most of them exact. When no single cell fits, pairs are tried: one cell of
 * the smallest identity of the set, the other in every identity the first is not in. All of
 * it in integers of the last printed place. */
#include <string.h>

#include "totals.h"

/* Identity entries visited per document before the search gives up: the common case (a few
 * wrong cells, each in a handful of identities) needs a few hundred. */
#define EXPLAIN_BUDGET ((size_t)1 << 20)
#define MAX_POINTS 8  /* changes tried for the second cell of a pair */
#define MAX_SINGLES 4 /* equal single-cell explanations reported */
#define MAX_PAIRS 16  /* pairs counted */
#define MAX_LISTED 6  /* explained findings named in a message */
#define NONE ((size_t)-1)

typedef struct solver {
    bktot_run *run;
    bktot_ids *x;
    size_t work;
    size_t *comp;     /* per identity: its set (root), NONE when it holds */
    size_t *stamp;    /* per identity: last visit */
    size_t *cstamp;   /* per cell: last visit */
    size_t token;
} solver;

static __int128 p10(int n)
{
    __int128 v = 1;
    while (n-- > 0)
        v *= 10;
    return v;
}

static __int128 floor_div(__int128 a, __int128 b)
{
    __int128 q = a / b;
    if ((a % b != 0) && ((a < 0) != (b < 0)))
        q--;
    return q;
}

static __int128 ceil_div(__int128 a, __int128 b)
{
    return -floor_div(-a, b);
}

static int linear(const bktot_ident *id)
{
    return id->kind == BKTOT_I_SUM || id->kind == BKTOT_I_EQUAL;
}

static int spent(solver *s)
{
    return s->work > EXPLAIN_BUDGET;
}

/* ---- changing a cell ---- */

/* Magnitudes kept below 2^62 for a change and for a coefficient in units of an identity's
 * place, and below 2^100 for an identity's difference (identity.c), so that no product or sum
 * below can leave 128 bits. */
#define SMALL ((__int128)1 << 62)

static int small(__int128 v)
{
    return v < SMALL && v > -SMALL;
}

static __int128 coef_units(const bktot_ids *x, const bktot_inc *e, const bktot_icell *cell)
{
    const bktot_ident *id = &x->ids[e->ident];
    return (__int128)e->coef * p10(id->scale - cell->value.scale);
}

static int apply(solver *s, uint32_t c, __int128 delta)
{
    bktot_ids *x = s->x;
    bktot_icell *cell = &x->cells[c];
    int64_t units;
    if (!small(delta) || __builtin_add_overflow(cell->value.units, (int64_t)delta, &units))
        return -1;
    for (size_t k = x->incfirst[c]; k < x->incend[c]; k++)
        if (linear(&x->ids[x->inc[k].ident]) && !small(coef_units(x, &x->inc[k], cell)))
            return -1;
    cell->value.units = units;
    for (size_t k = x->incfirst[c]; k < x->incend[c]; k++) {
        bktot_ident *id = &x->ids[x->inc[k].ident];
        if (linear(id))
            id->diff += coef_units(x, &x->inc[k], cell) * delta;
    }
    return 0;
}

static void undo(solver *s, uint32_t c, __int128 delta)
{
    (void)apply(s, c, -delta);
}

static int all_hold(solver *s, uint32_t c)
{
    bktot_ids *x = s->x;
    for (size_t k = x->incfirst[c]; k < x->incend[c]; k++) {
        s->work++;
        if (!bktot_ids_holds(x, x->inc[k].ident))
            return 0;
    }
    return 1;
}

/* ---- one cell ---- */

typedef struct points {
    __int128 v[MAX_POINTS];
    int n[MAX_POINTS];
    int count;
} points;

static void add_point(points *p, __int128 v)
{
    if (v == 0)
        return;
    for (int i = 0; i < p->count; i++)
        if (p->v[i] == v) {
            p->n[i]++;
            return;
        }
    if (p->count < MAX_POINTS) {
        p->v[p->count] = v;
        p->n[p->count++] = 1;
    }
}

/* The change of cell c that makes the identity exact, in units of c's last place, when there
 * is one; 1 when found. skip: an identity to leave out (-1 none). */
static int exact_change(solver *s, uint32_t c, size_t k, __int128 *out)
{
    bktot_ids *x = s->x;
    const bktot_inc *e = &x->inc[k];
    const bktot_ident *id = &x->ids[e->ident];
    const bktot_icell *cell = &x->cells[c];
    if (linear(id)) {
        __int128 m = coef_units(x, e, cell);
        if (m == 0 || !small(m) || id->diff % m != 0)
            return 0;
        *out = -id->diff / m;
        return 1;
    }
    if (id->kind == BKTOT_I_PERCENT && e->role == 0) {
        bk_decimal num = {0, 0}, den = {0, 0}, q;
        for (size_t t = 0; t < id->nterms; t++) {
            const bktot_iterm *tm = &x->terms[id->first + t];
            if (tm->role == 1)
                num = x->cells[tm->cell].value;
            else if (tm->role == 2)
                den = x->cells[tm->cell].value;
        }
        if (den.units == 0 ||
            bk_decimal_percent(num, den, cell->value.scale, &q) != BK_DECIMAL_OK)
            return 0;
        *out = (__int128)q.units - cell->value.units;
        return 1;
    }
    return 0;
}

/* The correction of cell c alone that makes every identity it is in hold: 1 with *delta. */
static int solve_cell(solver *s, uint32_t c, __int128 *delta)
{
    bktot_ids *x = s->x;
    const bktot_icell *cell = &x->cells[c];
    int has_lo = 0, has_hi = 0;
    __int128 lo = 0, hi = 0;
    points pts = {{0}, {0}, 0};
    for (size_t k = x->incfirst[c]; k < x->incend[c]; k++) {
        s->work++;
        const bktot_inc *e = &x->inc[k];
        const bktot_ident *id = &x->ids[e->ident];
        __int128 l = 0, h = 0, v;
        int got_l = 0, got_h = 0;
        if (linear(id)) {
            __int128 m = coef_units(x, e, cell);
            if (!small(m))
                return 0;
            if (m == 0) {
                if (!bktot_ids_holds(x, e->ident))
                    return 0;
                continue;
            }
            /* 2·|diff + m·δ| <= bound2 */
            __int128 a = -id->bound2 - 2 * id->diff, b = id->bound2 - 2 * id->diff;
            if (m > 0) {
                l = ceil_div(a, 2 * m);
                h = floor_div(b, 2 * m);
            } else {
                l = ceil_div(b, 2 * m);
                h = floor_div(a, 2 * m);
            }
            got_l = got_h = 1;
        } else if (id->kind == BKTOT_I_SUBSET) {
            bk_decimal part = {0, 0}, whole = {0, 0};
            for (size_t t = 0; t < id->nterms; t++) {
                const bktot_iterm *tm = &x->terms[id->first + t];
                if (tm->role == 0)
                    part = x->cells[tm->cell].value;
                else
                    whole = x->cells[tm->cell].value;
            }
            int32_t sc = part.scale > whole.scale ? part.scale : whole.scale;
            __int128 d = (__int128)part.units * p10(sc - part.scale) -
                         (__int128)whole.units * p10(sc - whole.scale);
            __int128 bound2 = part.scale == whole.scale ? 0 : 2, f = p10(sc - cell->value.scale);
            /* only an excess of the part over its whole counts: 2·(d ± f·δ) <= bound2 */
            if (e->role == 0) {
                h = floor_div(bound2 - 2 * d, 2 * f);
                got_h = 1;
            } else {
                l = ceil_div(2 * d - bound2, 2 * f);
                got_l = 1;
            }
        }
        if (got_l && (!has_lo || l > lo)) {
            lo = l;
            has_lo = 1;
        }
        if (got_h && (!has_hi || h < hi)) {
            hi = h;
            has_hi = 1;
        }
        if (exact_change(s, c, k, &v))
            add_point(&pts, v);
    }
    if (has_lo && has_hi && lo > hi)
        return 0;
    if (has_lo && lo >= SMALL)
        return 0;
    if (has_hi && hi <= -SMALL)
        return 0;
    int best = -1;
    for (int i = 0; i < pts.count; i++) {
        __int128 v = pts.v[i];
        if ((has_lo && v < lo) || (has_hi && v > hi))
            continue;
        __int128 av = v < 0 ? -v : v, ab = 0;
        if (best >= 0)
            ab = pts.v[best] < 0 ? -pts.v[best] : pts.v[best];
        if (best < 0 || pts.n[i] > pts.n[best] || (pts.n[i] == pts.n[best] && av < ab))
            best = i;
    }
    __int128 d;
    if (best >= 0)
        d = pts.v[best];
    else if (has_lo && lo > 0)
        d = lo; /* no change makes an identity exact: the smallest that makes all hold */
    else if (has_hi && hi < 0)
        d = hi;
    else
        return 0;
    if (apply(s, c, d) != 0)
        return 0;
    int ok = all_hold(s, c);
    undo(s, c, d);
    if (ok)
        *delta = d;
    return ok;
}

/* ---- sets of inconsistent identities ---- */

static size_t find(size_t *parent, size_t i)
{
    while (parent[i] != i) {
        parent[i] = parent[parent[i]];
        i = parent[i];
    }
    return i;
}

/* Number of distinct identities of cell c that are inconsistent and in set `set`. */
static size_t count_in(solver *s, uint32_t c, size_t set)
{
    bktot_ids *x = s->x;
    size_t n = 0;
    s->token++;
    for (size_t k = x->incfirst[c]; k < x->incend[c]; k++) {
        size_t i = x->inc[k].ident;
        s->work++;
        if (s->comp[i] == set && s->stamp[i] != s->token) {
            s->stamp[i] = s->token;
            n++;
        }
    }
    return n;
}

static int cell_in(const bktot_ids *x, uint32_t c, size_t ident)
{
    for (size_t k = x->incfirst[c]; k < x->incend[c]; k++)
        if (x->inc[k].ident == ident)
            return 1;
    return 0;
}

typedef struct fix {
    uint32_t cell;
    __int128 delta;
} fix;

typedef struct result {
    fix single[MAX_SINGLES];
    size_t nsingle;
    fix pair[2];
    size_t npairs;
    uint32_t seen[MAX_PAIRS][2];
} result;

static void note_pair(result *r, uint32_t a, __int128 da, uint32_t b, __int128 db)
{
    uint32_t lo = a < b ? a : b, hi = a < b ? b : a;
    for (size_t i = 0; i < r->npairs && i < MAX_PAIRS; i++)
        if (r->seen[i][0] == lo && r->seen[i][1] == hi)
            return;
    if (r->npairs == 0) {
        r->pair[0] = (fix){a, da};
        r->pair[1] = (fix){b, db};
    }
    if (r->npairs < MAX_PAIRS) {
        r->seen[r->npairs][0] = lo;
        r->seen[r->npairs][1] = hi;
    }
    r->npairs++;
}

/* b changed by one of the changes that make an identity of b (without a) exact, then a alone
 * solved; both must leave every identity they are in holding. */
static void try_pair(solver *s, uint32_t a, uint32_t b, result *r)
{
    bktot_ids *x = s->x;
    points pts = {{0}, {0}, 0};
    for (size_t k = x->incfirst[b]; k < x->incend[b]; k++) {
        __int128 v;
        s->work++;
        if (!cell_in(x, a, x->inc[k].ident) && !bktot_ids_holds(x, x->inc[k].ident) &&
            exact_change(s, b, k, &v))
            add_point(&pts, v);
    }
    for (int i = 0; i < pts.count && !spent(s); i++) {
        __int128 db = pts.v[i], da;
        if (apply(s, b, db) != 0)
            continue;
        if (solve_cell(s, a, &da) && apply(s, a, da) == 0) {
            if (all_hold(s, b))
                note_pair(r, a, da, b, db);
            undo(s, a, da);
        }
        undo(s, b, db);
    }
}

static void search(solver *s, const size_t *set, size_t n, result *r)
{
    bktot_ids *x = s->x;
    size_t root = s->comp[set[0]], v0 = set[0];
    for (size_t i = 1; i < n; i++)
        if (x->ids[set[i]].nterms < x->ids[v0].nterms)
            v0 = set[i];
    const bktot_ident *id0 = &x->ids[v0];
    /* One cell: it must be in every identity of the set. */
    s->token++;
    size_t tok = s->token;
    for (size_t t = 0; t < id0->nterms && !spent(s); t++) {
        uint32_t c = x->terms[id0->first + t].cell;
        if (s->cstamp[c] == tok)
            continue;
        s->cstamp[c] = tok;
        __int128 d;
        if (count_in(s, c, root) == n && solve_cell(s, c, &d)) {
            if (r->nsingle < MAX_SINGLES)
                r->single[r->nsingle] = (fix){c, d};
            r->nsingle++;
        }
    }
    if (r->nsingle)
        return;
    /* Two cells: a in v0, b in every identity of the set a is not in. */
    size_t ta = ++s->token;
    for (size_t t = 0; t < id0->nterms && !spent(s) && r->npairs < MAX_PAIRS; t++) {
        uint32_t a = x->terms[id0->first + t].cell;
        if (s->cstamp[a] == ta)
            continue;
        s->cstamp[a] = ta;
        size_t u0 = NONE, nu = 0;
        for (size_t i = 0; i < n; i++) {
            s->work++;
            if (!cell_in(x, a, set[i])) {
                if (u0 == NONE || x->ids[set[i]].nterms < x->ids[u0].nterms)
                    u0 = set[i];
                nu++;
            }
        }
        /* The candidates for b: the cells of the smallest identity without a, or, when a is in
         * all of them, the cells of a's own identities (b must undo a conflict there). */
        for (size_t k = x->incfirst[a]; k < x->incend[a] && !spent(s); k++) {
            const bktot_ident *src = u0 != NONE ? &x->ids[u0] : &x->ids[x->inc[k].ident];
            for (size_t q = 0; q < src->nterms && !spent(s) && r->npairs < MAX_PAIRS; q++) {
                uint32_t b = x->terms[src->first + q].cell;
                if (b == a)
                    continue;
                if (u0 != NONE) {
                    size_t in = 0;
                    s->token++;
                    for (size_t kk = x->incfirst[b]; kk < x->incend[b]; kk++) {
                        size_t i = x->inc[kk].ident;
                        s->work++;
                        if (s->comp[i] == root && !cell_in(x, a, i) && s->stamp[i] != s->token) {
                            s->stamp[i] = s->token;
                            in++;
                        }
                    }
                    if (in != nu)
                        continue;
                }
                try_pair(s, a, b, r);
            }
            if (u0 != NONE)
                break; /* one source of candidates */
        }
    }
}

/* ---- findings ---- */

static const bk_table *table_of(const bktot_ids *x, uint32_t ti) { return x->doc->tables[ti]; }

/* A cell in one language: its table's id, row and column header, each after the words of
 * around[0], [1] and [2], around[3] last. */
static void cell_said(const bk_table *t, const bktot_icell *cell, bk_strbuf *out,
                      const char *const around[4])
{
    const bk_row *r = &t->rows[cell->row];
    bk_strbuf_add(out, "%s%s%s", around[0], t->tpl->id, around[1]);
    bktot_row_key(t, cell->row, out);
    if (r->code && *r->name)
        bk_strbuf_add(out, " %s", r->name);
    bk_strbuf_add(out, "%s", around[2]);
    bktot_column_header(t->tpl, (int)cell->col, out);
    bk_strbuf_add(out, "%s", around[3]);
}

static void cell_words(solver *s, uint32_t c, bk_strbuf *en, bk_strbuf *zh)
{
    static const char *const en_around[] = {"", " row ", " column ", " ("};
    static const char *const zh_around[] = {"表", "「", "」行「", "」列"};
    const bktot_icell *cell = &s->x->cells[c];
    const bk_table *t = table_of(s->x, cell->table);
    cell_said(t, cell, en, en_around);
    bk_strbuf_add(en, "%s)", t->tpl->columns[cell->col].id);
    cell_said(t, cell, zh, zh_around);
}

/* "totals.hierarchy at T07 20103 / project, ..." for the identities of the set. */
static void list_findings(solver *s, const size_t *set, size_t n, bk_strbuf *en, bk_strbuf *zh,
                          bk_strbuf *ids)
{
    bktot_ids *x = s->x;
    size_t shown = 0;
    for (size_t i = 0; i < n; i++) {
        const bktot_ident *id = &x->ids[set[i]];
        if (!id->finding)
            continue;
        bk_strbuf_add(ids, "%s%zu", ids->len ? "," : "", id->finding);
        if (shown == MAX_LISTED) {
            shown++;
            continue;
        }
        if (shown > MAX_LISTED)
            continue;
        const bk_table *t = table_of(x, id->where_table);
        bk_strbuf_add(en, "%s%s at %s ", shown ? ", " : "", id->rule, t->tpl->id);
        bktot_row_key(t, id->where_row, en);
        bk_strbuf_add(en, " / %s", t->tpl->columns[id->where_col].id);
        bk_strbuf_add(zh, "%s%s（表%s「", shown ? "、" : "", id->rule, t->tpl->id);
        bktot_row_key(t, id->where_row, zh);
        bk_strbuf_add(zh, "」行「");
        bktot_column_header(t->tpl, (int)id->where_col, zh);
        bk_strbuf_add(zh, "」列）");
        shown++;
    }
    if (shown > MAX_LISTED) {
        bk_strbuf_add(en, " and more");
        bk_strbuf_add(zh, "等");
    }
}

static size_t count_findings(const bktot_ids *x, const size_t *set, size_t n)
{
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        k += x->ids[set[i]].finding != 0;
    return k;
}

static bk_status emit_cell(solver *s, const fix *f, const size_t *set, size_t n,
                           const char *conf_en, const char *conf_zh)
{
    bktot_ids *x = s->x;
    bktot_run *run = s->run;
    const bktot_icell *cell = &x->cells[f->cell];
    const bk_table *t = table_of(x, cell->table);
    bk_decimal printed = cell->value, fixed = {cell->value.units + (int64_t)f->delta,
                                               cell->value.scale};
    size_t idents = x->incend[f->cell] - x->incfirst[f->cell];
    bk_strbuf en, zh, ids;
    bk_strbuf_init(&en);
    bk_strbuf_init(&zh);
    bk_strbuf_init(&ids);
    cell_words(s, f->cell, &en, &zh);
    bk_strbuf_add(&en, ": likely wrong cell: ");
    bk_strbuf_dec(&en, printed);
    bk_strbuf_add(&en, " printed, most likely ");
    bk_strbuf_dec(&en, fixed);
    bk_strbuf_add(&en,
                  ", which makes %s %zu identit%s the cell takes part in hold; it explains "
                  "%zu finding%s (",
                  idents == 1 ? "the" : "all", idents, idents == 1 ? "y" : "ies",
                  count_findings(x, set, n), count_findings(x, set, n) == 1 ? "" : "s");
    bk_strbuf_add(&zh, "疑似填错：填报");
    bk_strbuf_dec(&zh, printed);
    bk_strbuf_add(&zh, "，应为");
    bk_strbuf_dec(&zh, fixed);
    bk_strbuf_add(&zh, "，可使其参与的全部%zu个勾稽关系成立，可解释%zu条问题（", idents,
                  count_findings(x, set, n));
    list_findings(s, set, n, &en, &zh, &ids);
    bk_strbuf_add(&en, "); %s.", conf_en);
    bk_strbuf_add(&zh, "）；%s。", conf_zh);

    bktot_where w;
    bktot_where_cell(run, t, cell->row, (int)cell->col, &w, &run->key, &run->col);
    bk_finding fd;
    memset(&fd, 0, sizeof fd);
    fd.rule = RULE_EXPLAIN_CELL;
    fd.severity = BK_SEV_ERROR;
    fd.document = w.document;
    fd.unit = w.unit;
    fd.table = w.table;
    fd.row = w.row;
    fd.column = w.column;
    fd.line = w.line;
    fd.row_no = cell->row + 1;
    fd.has_values = 1;
    fd.expected = fixed;
    fd.actual = printed;
    fd.difference = (bk_decimal){(int64_t)f->delta * -1, cell->value.scale};
    fd.bound = (bk_decimal){0, cell->value.scale};
    fd.explains = bk_strbuf_str(&ids);
    fd.confidence = conf_en;
    fd.message_en = bk_strbuf_str(&en);
    fd.message_zh = bk_strbuf_str(&zh);
    bk_status st = BK_OK;
    if (en.failed || zh.failed || ids.failed)
        st = bk_error_set(bk_validation_error(run->job), BK_E_NOMEM, "out of memory");
    else
        st = bk_validation_add(run->job, &fd);
    bk_strbuf_free(&en);
    bk_strbuf_free(&zh);
    bk_strbuf_free(&ids);
    return st;
}

static bk_status emit_none(solver *s, const size_t *set, size_t n)
{
    bktot_ids *x = s->x;
    bktot_run *run = s->run;
    const bktot_ident *id = &x->ids[set[0]];
    const bk_table *t = table_of(x, id->where_table);
    bk_strbuf en, zh, ids;
    bk_strbuf_init(&en);
    bk_strbuf_init(&zh);
    bk_strbuf_init(&ids);
    size_t k = count_findings(x, set, n);
    if (spent(s)) {
        bk_strbuf_add(&en,
                      "the search for the cells that explain %s stopped at its limit of %zu "
                      "steps (",
                      k == 1 ? "this finding" : "these findings", (size_t)EXPLAIN_BUDGET);
        bk_strbuf_add(&zh, "查找可解释以下%zu条问题的单元格已达上限%zu步，未完成（", k,
                      (size_t)EXPLAIN_BUDGET);
    } else {
        if (k == 1)
            bk_strbuf_add(&en, "no correction of one or two cells makes this finding's identity "
                               "hold without breaking another (");
        else
            bk_strbuf_add(&en,
                          "no correction of one or two cells makes the identities of these %zu "
                          "findings hold without breaking another (",
                          k);
        bk_strbuf_add(
            &zh,
            "无法通过更正一至两个单元格使以下%zu条问题涉及的勾稽关系全部成立而不破坏其他关系（", k);
    }
    list_findings(s, set, n, &en, &zh, &ids);
    bk_strbuf_add(&en, "): more than two figures are wrong");
    bk_strbuf_add(&zh, "）：可能有两处以上数字错误");
    bktot_where w;
    bktot_where_cell(run, t, id->where_row, (int)id->where_col, &w, &run->key, &run->col);
    bk_status st = BK_OK;
    if (en.failed || zh.failed || ids.failed)
        st = bk_error_set(bk_validation_error(run->job), BK_E_NOMEM, "out of memory");
    else
        st = bktot_emit_note(run->job, RULE_EXPLAIN_NONE, BK_SEV_INFO, &w, NULL, bk_strbuf_str(&en),
                             bk_strbuf_str(&zh));
    bk_strbuf_free(&en);
    bk_strbuf_free(&zh);
    bk_strbuf_free(&ids);
    return st;
}

static bk_status report(solver *s, const size_t *set, size_t n, const result *r)
{
    char en[160], zh[160];
    bk_status st = BK_OK;
    if (r->nsingle == 1)
        return emit_cell(s, &r->single[0], set, n, BK_EXPLAIN_ONLY_CELL,
                         "是唯一的单一单元格解释");
    if (r->nsingle > 1) {
        snprintf(en, sizeof en, "one of %zu single-cell explanations that fit equally",
                 r->nsingle);
        snprintf(zh, sizeof zh, "是%zu个同样成立的单一单元格解释之一", r->nsingle);
        for (size_t i = 0; i < r->nsingle && i < MAX_SINGLES && st == BK_OK; i++)
            st = emit_cell(s, &r->single[i], set, n, en, zh);
        return st;
    }
    if (r->npairs == 0)
        return emit_none(s, set, n);
    if (r->npairs == 1) {
        snprintf(en, sizeof en, "%s", BK_EXPLAIN_ONLY_PAIR);
        snprintf(zh, sizeof zh, "与另一单元格共同构成唯一的两单元格解释");
    } else {
        snprintf(en, sizeof en, "one of a pair of cells that together explain the set; %s%zu "
                 "pairs fit equally", r->npairs >= MAX_PAIRS ? "at least " : "", r->npairs);
        snprintf(zh, sizeof zh, "与另一单元格共同解释；共有%s%zu组两单元格解释同样成立",
                 r->npairs >= MAX_PAIRS ? "至少" : "", r->npairs);
    }
    /* Each cell of the pair explains the identities it is in (the first takes the shared). */
    size_t *mine = bk_calloc(n + 1, sizeof *mine), *rest = bk_calloc(n + 1, sizeof *rest);
    size_t nm = 0, nr = 0;
    if (!mine || !rest) {
        bk_free(mine);
        bk_free(rest);
        return bk_error_set(bk_validation_error(s->run->job), BK_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++) {
        if (cell_in(s->x, r->pair[0].cell, set[i]))
            mine[nm++] = set[i];
        else
            rest[nr++] = set[i];
    }
    st = emit_cell(s, &r->pair[0], mine, nm, en, zh);
    if (st == BK_OK)
        st = emit_cell(s, &r->pair[1], rest, nr, en, zh);
    bk_free(mine);
    bk_free(rest);
    return st;
}

bk_status bktot_explain(bktot_run *run)
{
    bktot_ids *x = run->ids;
    if (x->failed)
        return BK_OK; /* the run reports itself out of memory */
    size_t nviolated = 0;
    for (size_t i = 0; i < x->nids; i++)
        nviolated += x->ids[i].violated && x->ids[i].usable;
    if (nviolated == 0)
        return BK_OK;
    solver s = {run, x, 0, NULL, NULL, NULL, 0};
    size_t *parent = bk_calloc(x->nids + 1, sizeof *parent);
    size_t *next = bk_calloc(x->nids + 1, sizeof *next);
    size_t *set = bk_calloc(nviolated + 1, sizeof *set);
    s.comp = bk_calloc(x->nids + 1, sizeof *s.comp);
    s.stamp = bk_calloc(x->nids + 1, sizeof *s.stamp);
    s.cstamp = bk_calloc(x->ncells + 1, sizeof *s.cstamp);
    bk_status st = BK_OK;
    if (!parent || !next || !set || !s.comp || !s.stamp || !s.cstamp || bktot_ids_index(x) != 0) {
        st = bk_error_set(bk_validation_error(run->job), BK_E_NOMEM, "out of memory");
        goto done;
    }
    /* Sets: inconsistent identities joined through the cells they share. */
    for (size_t i = 0; i < x->nids; i++)
        parent[i] = i;
    for (size_t c = 0; c < x->ncells; c++) {
        size_t first = NONE;
        for (size_t k = x->incfirst[c]; k < x->incend[c]; k++) {
            size_t i = x->inc[k].ident;
            if (!x->ids[i].violated)
                continue;
            if (first == NONE) {
                first = i;
                continue;
            }
            /* the smaller index is the root: sets come out in the order of their first */
            size_t a = find(parent, i), b = find(parent, first);
            if (a < b)
                parent[b] = a;
            else
                parent[a] = b;
        }
    }
    for (size_t i = 0; i < x->nids; i++)
        s.comp[i] = x->ids[i].violated && x->ids[i].usable ? find(parent, i) : NONE;
    /* Each set in the order of its first identity; next[] chains the members of a set. */
    for (size_t i = 0; i < x->nids; i++)
        next[i] = NONE;
    for (size_t i = x->nids; i-- > 0;) {
        size_t r = s.comp[i];
        if (r == NONE || r == i)
            continue;
        next[i] = next[r];
        next[r] = i;
    }
    for (size_t i = 0; i < x->nids && st == BK_OK; i++) {
        if (s.comp[i] != i)
            continue;
        size_t n = 0;
        for (size_t j = i; j != NONE; j = next[j])
            set[n++] = j;
        result r;
        memset(&r, 0, sizeof r);
        if (!spent(&s))
            search(&s, set, n, &r);
        st = report(&s, set, n, &r);
    }
done:
    bk_free(parent);
    bk_free(next);
    bk_free(set);
    bk_free(s.comp);
    bk_free(s.stamp);
    bk_free(s.cstamp);
    return st;
}
