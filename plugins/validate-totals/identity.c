/* Recording the identities of one document as equations over its cells (identity.h). */
#include "identity.h"

#include <string.h>

static const int64_t pow10_tab[] = {
    1LL, 10LL, 100LL, 1000LL, 10000LL, 100000LL, 1000000LL, 10000000LL, 100000000LL,
    1000000000LL, 10000000000LL, 100000000000LL, 1000000000000LL, 10000000000000LL,
    100000000000000LL, 1000000000000000LL, 10000000000000000LL, 100000000000000000LL,
    1000000000000000000LL,
};

int bktot_ids_begin(bktot_ids *x, const bk_doc *doc)
{
    memset(x, 0, sizeof *x);
    x->doc = doc;
    size_t n = 0;
    for (size_t t = 0; t < doc->ntables; t++) {
        const bk_table *tb = doc->tables[t];
        if (tb->nrows && tb->tpl->ncolumns > (SIZE_MAX - n) / tb->nrows) {
            x->failed = 1;
            return -1;
        }
        n += tb->nrows * tb->tpl->ncolumns;
    }
    /* base and map live as long as each other: one block, base first for its alignment. */
    size_t head = (doc->ntables + 1) * sizeof *x->base;
    if (n > (SIZE_MAX - head) / sizeof *x->map - 1 ||
        (x->base = bk_calloc(1, head + (n ? n : 1) * sizeof *x->map)) == NULL) {
        x->failed = 1;
        return -1;
    }
    x->map = (uint32_t *)(x->base + doc->ntables + 1);
    x->base[0] = 0;
    for (size_t t = 0; t < doc->ntables; t++)
        x->base[t + 1] = x->base[t] + doc->tables[t]->nrows * doc->tables[t]->tpl->ncolumns;
    x->mapsize = n;
    return 0;
}

void bktot_ids_free(bktot_ids *x)
{
    bk_free(x->base);
    bk_free(x->cells);
    bk_free(x->terms);
    bk_free(x->ids);
    bk_free(x->incfirst);
    memset(x, 0, sizeof *x);
}

static long table_index(const bktot_ids *x, const bk_table *t)
{
    for (size_t i = 0; i < x->doc->ntables; i++)
        if (x->doc->tables[i] == t)
            return (long)i;
    return -1;
}

/* items (n of size bytes) grown to hold one more; NULL, with the ids marked failed, when out of
 * memory (items is then kept as it was). */
static void *one_more(bktot_ids *x, void *items, size_t *cap, size_t n, size_t size)
{
    if (bk_grow(&items, cap, n + 1, size) != 0) {
        x->failed = 1;
        return NULL;
    }
    return items;
}

/* The cell's number, UINT32_MAX when it is not a printed figure of the document. */
static uint32_t cell_of(bktot_ids *x, const bk_table *t, size_t row, int col, int add)
{
    long ti = table_index(x, t);
    if (ti < 0 || row >= t->nrows || col < 0 || (size_t)col >= t->tpl->ncolumns)
        return UINT32_MAX;
    size_t k = x->base[ti] + row * t->tpl->ncolumns + (size_t)col;
    if (x->map[k])
        return x->map[k] - 1;
    const bk_cell *c = bk_table_cell(t, row, (size_t)col);
    if (!add || c->kind != BK_CELL_NUMBER || x->ncells >= UINT32_MAX - 1)
        return UINT32_MAX;
    bktot_icell *cells = one_more(x, x->cells, &x->capcells, x->ncells, sizeof *x->cells);
    if (!cells)
        return UINT32_MAX;
    x->cells = cells;
    x->cells[x->ncells] =
        (bktot_icell){(uint32_t)ti, (uint32_t)row, (uint32_t)col, bk_cell_decimal(c)};
    x->map[k] = (uint32_t)++x->ncells;
    return (uint32_t)(x->ncells - 1);
}

void bktot_ids_open(bktot_ids *x, bktot_ikind kind, const char *rule)
{
    if (x->failed || !x->map)
        return;
    bktot_ident *ids = one_more(x, x->ids, &x->capids, x->nids, sizeof *x->ids);
    if (!ids)
        return;
    x->ids = ids;
    bktot_ident *id = &x->ids[x->nids];
    memset(id, 0, sizeof *id);
    id->kind = (uint8_t)kind;
    id->rule = rule;
    id->first = x->nterms;
    x->open = 1;
}

void bktot_ids_term(bktot_ids *x, const bk_table *t, size_t row, int col, int role)
{
    if (x->failed || !x->open)
        return;
    uint32_t c = cell_of(x, t, row, col, 1);
    if (c == UINT32_MAX)
        return;
    bktot_iterm *terms = one_more(x, x->terms, &x->capterms, x->nterms, sizeof *x->terms);
    if (!terms)
        return;
    x->terms = terms;
    x->terms[x->nterms++] = (bktot_iterm){c, (uint8_t)role};
}

static int coef_of(int kind, int role)
{
    if (kind == BKTOT_I_SUM)
        return role == 1 ? -1 : 1;
    if (kind == BKTOT_I_EQUAL)
        return role == 0 ? 1 : -1;
    return 0;
}

/* diff and bound of a linear identity, from its cells' values; 0 when too large. */
static int linear_setup(bktot_ids *x, bktot_ident *id)
{
    int32_t s = 0;
    size_t parts = 0;
    int mixed = 0;
    for (size_t k = 0; k < id->nterms; k++) {
        const bktot_icell *c = &x->cells[x->terms[id->first + k].cell];
        if (c->value.scale < 0 || c->value.scale > BK_DECIMAL_MAX_SCALE)
            return 0;
        if (k && c->value.scale != s)
            mixed = 1;
        if (c->value.scale > s)
            s = c->value.scale;
        parts += x->terms[id->first + k].role != 0;
    }
    __int128 d = 0;
    for (size_t k = 0; k < id->nterms; k++) {
        const bktot_iterm *tm = &x->terms[id->first + k];
        const bktot_icell *c = &x->cells[tm->cell];
        __int128 v = (__int128)c->value.units * pow10_tab[s - c->value.scale];
        if (__builtin_add_overflow(d, coef_of(id->kind, tm->role) < 0 ? -v : v, &d))
            return 0;
    }
    /* Larger differences are left alone: the explanation's arithmetic stays inside 128 bits. */
    if (d > ((__int128)1 << 100) || d < -((__int128)1 << 100))
        return 0;
    id->scale = s;
    id->diff = d;
    /* As bktot_check_sum and bktot_check_equal: n + 1 units for n parts, none for one figure
     * printed twice at one precision. */
    id->bound2 = (id->kind == BKTOT_I_EQUAL && !mixed) ? 0 : (__int128)parts + 1;
    return 1;
}

void bktot_ids_close(bktot_ids *x, const bk_table *t, size_t row, int col, bktot_verdict verdict,
                     size_t finding)
{
    if (x->failed || !x->open)
        return;
    x->open = 0;
    bktot_ident *id = &x->ids[x->nids];
    id->nterms = x->nterms - id->first;
    id->finding = finding;
    id->violated = verdict == BKTOT_INCONSISTENT;
    id->where = cell_of(x, t, row, col, 0);
    long ti = table_index(x, t);
    id->where_table = ti < 0 ? 0 : (uint32_t)ti;
    id->where_row = (uint32_t)row;
    id->where_col = (uint32_t)col;
    id->usable = verdict != BKTOT_OVERFLOW && id->nterms > 0;
    if (id->usable && (id->kind == BKTOT_I_SUM || id->kind == BKTOT_I_EQUAL))
        id->usable = (uint8_t)linear_setup(x, id);
    if (id->nterms == 0) {
        x->nterms = id->first;
        return; /* nothing printed: nothing to correct */
    }
    x->nids++;
}

int bktot_ids_index(bktot_ids *x)
{
    size_t terms = 0;
    for (size_t i = 0; i < x->nids; i++)
        if (x->ids[i].usable)
            terms += x->ids[i].nterms;
    /* incfirst, incend and inc are made at once and live as long as each other: one block,
     * the two arrays of size_t first for their alignment. */
    size_t head = 2 * (x->ncells + 1) * sizeof *x->incfirst;
    if (terms >= (SIZE_MAX - head) / sizeof *x->inc)
        return -1;
    x->incfirst = bk_calloc(1, head + (terms + 1) * sizeof *x->inc);
    if (!x->incfirst)
        return -1;
    x->incend = x->incfirst + x->ncells + 1;
    x->inc = (bktot_inc *)(x->incend + x->ncells + 1);
    size_t *f = x->incfirst, *e = x->incend;
    for (size_t i = 0; i < x->nids; i++)
        if (x->ids[i].usable)
            for (size_t k = 0; k < x->ids[i].nterms; k++)
                e[x->terms[x->ids[i].first + k].cell]++;
    size_t total = 0;
    for (size_t c = 0; c < x->ncells; c++) {
        f[c] = total;
        total += e[c];
        e[c] = f[c];
    }
    /* e[c] is the next free slot of cell c; identities come in order, so a cell named twice in
     * one linear identity has its entries side by side and is merged into one coefficient. */
    for (size_t i = 0; i < x->nids; i++) {
        const bktot_ident *id = &x->ids[i];
        if (!id->usable)
            continue;
        int linear = id->kind == BKTOT_I_SUM || id->kind == BKTOT_I_EQUAL;
        for (size_t k = 0; k < id->nterms; k++) {
            const bktot_iterm *tm = &x->terms[id->first + k];
            int coef = coef_of(id->kind, tm->role);
            size_t *next = &e[tm->cell];
            if (linear && *next > f[tm->cell] && x->inc[*next - 1].ident == i) {
                x->inc[*next - 1].coef += coef;
                continue;
            }
            x->inc[(*next)++] = (bktot_inc){(uint32_t)i, coef, tm->role};
        }
    }
    return 0;
}

static bk_decimal term_value(const bktot_ids *x, const bktot_ident *id, int role)
{
    for (size_t k = 0; k < id->nterms; k++)
        if (x->terms[id->first + k].role == role)
            return x->cells[x->terms[id->first + k].cell].value;
    return (bk_decimal){0, 0};
}

int bktot_ids_holds(const bktot_ids *x, size_t i)
{
    const bktot_ident *id = &x->ids[i];
    if (!id->usable)
        return 1;
    if (id->kind == BKTOT_I_SUM || id->kind == BKTOT_I_EQUAL) {
        __int128 d = id->diff < 0 ? -id->diff : id->diff;
        return 2 * d <= id->bound2;
    }
    bktot_check c;
    if (id->kind == BKTOT_I_SUBSET)
        bktot_check_subset(term_value(x, id, 0), term_value(x, id, 1), &c);
    else
        bktot_check_percent(term_value(x, id, 0), term_value(x, id, 1), term_value(x, id, 2), &c);
    return c.verdict != BKTOT_INCONSISTENT && c.verdict != BKTOT_OVERFLOW;
}
