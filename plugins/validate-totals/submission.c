/* Department = Σ its units across the documents of one submission: a department's document and
 * its units' documents often arrive separately (one archive, many files). Documents are grouped
 * by department name and fiscal year; the unit rows of each are remembered while validating and
 * compared once the last document has been read.
 *
 * Which document is the department's, and so which printed figure is the reference for a unit,
 * is only known once every document has been seen, and any document may turn out to share its
 * department with a later one. So every unit-row figure is kept, but packed: a bulk of
 * thousands of unrelated departments then costs a few bytes per figure rather than a
 * tot_unitval each, and only the documents of one department are unpacked at a time. */
#include <stdlib.h>
#include <string.h>

#include "totals.h"

static char *normalised(const char *s)
{
    size_t n = bk_label_normalise(s ? s : "", NULL, 0);
    char *buf = bk_malloc(n + 1);
    if (buf)
        bk_label_normalise(s ? s : "", buf, n + 1);
    return buf;
}

static bk_status nomem(bk_validation *job)
{
    return bk_error_set(bk_validation_error(job), BK_E_NOMEM, "out of memory");
}

/* ---- packing ----
 *
 * A unit row with at least one figure is packed as: the unit index, whether the unit is the
 * department, the line, then for each figure its column key + 1, the units zigzag-encoded and
 * the scale, and a 0 after the last figure. Integers are little-endian base-128 varints, so
 * an amount such as 4115.36 takes five bytes. */

#define VARINT_MAX 10 /* bytes of a 64-bit varint */
#define FIGURE_MAX (2 * VARINT_MAX + 1)
#define ROW_HEAD_MAX (2 * VARINT_MAX + 1)

static unsigned char *put_varint(unsigned char *p, uint64_t v)
{
    while (v >= 0x80) {
        *p++ = (unsigned char)(v | 0x80);
        v >>= 7;
    }
    *p++ = (unsigned char)v;
    return p;
}

static uint64_t get_varint(const unsigned char **p)
{
    uint64_t v = 0;
    for (unsigned shift = 0;; shift += 7) {
        unsigned char b = *(*p)++;
        v |= (uint64_t)(b & 0x7f) << shift;
        if (!(b & 0x80))
            return v;
    }
}

/* Small magnitudes of either sign give small varints. */
static uint64_t zigzag(int64_t v)
{
    return v < 0 ? ~((uint64_t)v << 1) : (uint64_t)v << 1;
}

static int64_t unzigzag(uint64_t z)
{
    return (z & 1) ? -(int64_t)(z >> 1) - 1 : (int64_t)(z >> 1);
}

static int reserve(tot_state *st, size_t more)
{
    void *buf = st->vals;
    if (bk_grow(&buf, &st->capvals, st->nvals + more, 1) != 0)
        return -1;
    st->vals = buf;
    return 0;
}

int tot_pack_row(tot_state *st, size_t unit, int is_dept, long line, const size_t *keys,
                 const bk_decimal *vals, size_t n)
{
    if (n == 0)
        return 0;
    if (reserve(st, ROW_HEAD_MAX + n * FIGURE_MAX + 1) != 0)
        return -1;
    unsigned char *p = st->vals + st->nvals, *start = p;
    p = put_varint(p, unit);
    *p++ = (unsigned char)is_dept;
    p = put_varint(p, (uint64_t)line);
    for (size_t i = 0; i < n; i++) {
        p = put_varint(p, (uint64_t)keys[i] + 1);
        p = put_varint(p, zigzag(vals[i].units));
        *p++ = (unsigned char)vals[i].scale; /* 0..BK_DECIMAL_MAX_SCALE */
    }
    *p++ = 0;
    st->nvals += (size_t)(p - start);
    return 0;
}

/* ---- column keys ---- */

static size_t hash_str(const char *s)
{
    uint64_t h = 1469598103934665603ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ULL;
    return (size_t)h;
}

static int rehash_keys(tot_state *st, size_t nslots)
{
    size_t *slots = bk_calloc(nslots, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t k = 0; k < st->nkeys; k++) {
        size_t i = hash_str(st->keys[k].ident) & (nslots - 1);
        while (slots[i])
            i = (i + 1) & (nslots - 1);
        slots[i] = k + 1;
    }
    bk_free(st->kslots);
    st->kslots = slots;
    st->nkslots = nslots;
    return 0;
}

int tot_colkey_intern(tot_state *st, const char *family, const char *table, int col,
                      const char *column, const char *header, size_t *out)
{
    char num[24];
    snprintf(num, sizeof num, "%d", col);
    size_t lf = strlen(family), lt = strlen(table), ln = strlen(num), lc = strlen(column),
           lh = strlen(header);
    /* ident, then the four parts again, each NUL-terminated. */
    char *buf = bk_malloc(2 * (lf + lt + lc + lh) + ln + 9);
    if (!buf)
        return -1;
    char *p = buf;
    memcpy(p, family, lf), p += lf, *p++ = 0x1f;
    memcpy(p, table, lt), p += lt, *p++ = 0x1f;
    memcpy(p, num, ln), p += ln, *p++ = 0x1f;
    memcpy(p, column, lc), p += lc, *p++ = 0x1f;
    memcpy(p, header, lh), p += lh, *p++ = 0;
    if (st->nkslots) {
        for (size_t i = hash_str(buf) & (st->nkslots - 1); st->kslots[i];
             i = (i + 1) & (st->nkslots - 1))
            if (strcmp(st->keys[st->kslots[i] - 1].ident, buf) == 0) {
                bk_free(buf);
                *out = st->kslots[i] - 1;
                return 0;
            }
    }
    void *grown = st->keys;
    if (((st->nkeys + 1) * 2 > st->nkslots &&
         rehash_keys(st, st->nkslots ? st->nkslots * 2 : 64) != 0) ||
        bk_grow(&grown, &st->capkeys, st->nkeys + 1, sizeof *st->keys) != 0) {
        bk_free(buf);
        return -1;
    }
    st->keys = grown;
    tot_colkey *k = &st->keys[st->nkeys];
    k->ident = buf;
    k->family = p, memcpy(p, family, lf + 1), p += lf + 1;
    k->table = p, memcpy(p, table, lt + 1), p += lt + 1;
    k->column = p, memcpy(p, column, lc + 1), p += lc + 1;
    k->header = p, memcpy(p, header, lh + 1);
    k->col = col;
    size_t i = hash_str(buf) & (st->nkslots - 1);
    while (st->kslots[i])
        i = (i + 1) & (st->nkslots - 1);
    st->kslots[i] = ++st->nkeys;
    *out = st->nkeys - 1;
    return 0;
}

/* The key of a column of one of the current document's templates. */
static int doc_key(tot_state *st, const bk_template *tpl, int col, bk_strbuf *hdr, size_t *out)
{
    tot_keycache *c = NULL;
    for (size_t i = 0; i < st->ncache && !c; i++)
        if (st->cache[i].tpl == tpl)
            c = &st->cache[i];
    if (!c) {
        void *buf = st->cache;
        if (bk_grow(&buf, &st->capcache, st->ncache + 1, sizeof *st->cache) != 0)
            return -1;
        st->cache = buf;
        size_t *keys = bk_calloc(tpl->ncolumns + 1, sizeof *keys);
        if (!keys)
            return -1;
        c = &st->cache[st->ncache++];
        c->tpl = tpl;
        c->keys = keys;
    }
    if (!c->keys[col]) {
        bk_strbuf_clear(hdr);
        tot_column_header(tpl, col, hdr);
        size_t k;
        if (hdr->failed || tot_colkey_intern(st, tpl->family ? tpl->family : "", tpl->id, col,
                                             tpl->columns[col].id, bk_strbuf_str(hdr), &k) != 0)
            return -1;
        c->keys[col] = k + 1;
    }
    *out = c->keys[col] - 1;
    return 0;
}

static void cache_reset(tot_state *st)
{
    for (size_t i = 0; i < st->ncache; i++)
        bk_free(st->cache[i].keys);
    st->ncache = 0;
}

/* Appends the row's figures; nothing at all when it has none. */
static int pack_row(tot_state *st, const bk_table *t, size_t r, int is_dept, bk_strbuf *hdr,
                    size_t *keys, bk_decimal *vals)
{
    const bk_template *tpl = t->tpl;
    size_t n = 0;
    for (size_t c = 0; c < tpl->ncolumns; c++) {
        bk_decimal v;
        if (tpl->columns[c].type != BK_COL_AMOUNT || !tot_cell(t, r, (int)c, &v))
            continue;
        if (doc_key(st, tpl, (int)c, hdr, &keys[n]) != 0)
            return -1;
        vals[n++] = v;
    }
    return tot_pack_row(st, t->rows[r].unit, is_dept, t->rows[r].line, keys, vals, n);
}

/* Appends the figures packed in [p, end) to *out (document doc's). */
static int unpack(const unsigned char *p, const unsigned char *end, size_t doc, tot_unitval **out,
                  size_t *n, size_t *cap)
{
    while (p < end) {
        tot_unitval row = {.doc = doc};
        row.unit = (size_t)get_varint(&p);
        row.is_dept = *p++;
        row.line = (long)get_varint(&p);
        for (uint64_t key; (key = get_varint(&p)) != 0;) {
            void *buf = *out;
            if (bk_grow(&buf, cap, *n + 1, sizeof **out) != 0)
                return -1;
            *out = buf;
            row.key = (size_t)(key - 1);
            row.value.units = unzigzag(get_varint(&p));
            row.value.scale = *p++;
            (*out)[(*n)++] = row;
        }
    }
    return 0;
}

/* ---- recording a document ---- */

/* The units' printed and normalised names in one block: pointers, then the text. */
static char **unit_names(const char *const *printed, size_t n)
{
    size_t text = 0;
    for (size_t i = 0; i < n; i++) {
        const char *name = printed[i] ? printed[i] : "";
        text += strlen(name) + 1 + bk_label_normalise(name, NULL, 0) + 1;
    }
    char **names = bk_malloc(2 * n * sizeof *names + text + 1);
    if (!names)
        return NULL;
    char *p = (char *)(names + 2 * n);
    for (size_t i = 0; i < n; i++) {
        const char *name = printed[i] ? printed[i] : "";
        size_t len = strlen(name);
        names[i] = p;
        memcpy(p, name, len + 1);
        p += len + 1;
    }
    for (size_t i = 0; i < n; i++) {
        const char *name = names[i];
        size_t len = bk_label_normalise(name, NULL, 0);
        names[n + i] = p;
        bk_label_normalise(name, p, len + 1);
        p += len + 1;
    }
    return names;
}

bk_status tot_doc_add(bk_validation *job, tot_state *st, const char *source, const char *dept,
                      int year, const char *const *names, size_t nunits, size_t *index)
{
    void *buf = st->docs;
    if (bk_grow(&buf, &st->capdocs, st->ndocs + 1, sizeof *st->docs) != 0)
        return nomem(job);
    st->docs = buf;
    tot_docrec *d = &st->docs[st->ndocs];
    memset(d, 0, sizeof *d);
    d->year = year;
    d->vals_at = d->vals_end = st->nvals;
    source = source ? source : "";
    if (st->ndocs > 0 && strcmp(st->docs[st->ndocs - 1].source, source) == 0) {
        d->source = st->docs[st->ndocs - 1].source;
    } else {
        d->source = bk_strdup(source);
        d->owns_source = 1;
    }
    d->dept = normalised(dept);
    d->units = unit_names(names, nunits);
    st->ndocs++; /* counted now so that tot_state_free releases what was allocated */
    if (!d->source || !d->dept || !d->units)
        return nomem(job);
    d->nunits = nunits;
    *index = st->ndocs - 1;
    return BK_OK;
}

static bk_status add_doc(tot_run *run, size_t *index)
{
    const bk_doc *doc = run->doc;
    const char **names = bk_calloc(doc->nunits + 1, sizeof *names);
    if (!names)
        return nomem(run->job);
    for (size_t i = 0; i < doc->nunits; i++)
        names[i] = doc->units[i].name;
    bk_status st = tot_doc_add(run->job, run->state, doc->source, doc->dept_name,
                               doc->fiscal_year, names, doc->nunits, index);
    bk_free(names);
    return st;
}

bk_status tot_submission_record(tot_run *run)
{
    tot_state *st = run->state;
    const bk_doc *doc = run->doc;
    size_t di = 0, maxcols = 0;
    cache_reset(st);
    bk_status status = add_doc(run, &di);
    if (status != BK_OK)
        return status;
    for (size_t ti = 0; ti < doc->ntables; ti++)
        if (doc->tables[ti]->tpl->ncolumns > maxcols)
            maxcols = doc->tables[ti]->tpl->ncolumns;
    unsigned char *listed = bk_calloc(doc->nunits + 1, 1);
    size_t *keys = bk_calloc(maxcols + 1, sizeof *keys);
    bk_decimal *vals = bk_calloc(maxcols + 1, sizeof *vals);
    if (!listed || !keys || !vals)
        status = nomem(run->job);
    for (size_t ti = 0; ti < doc->ntables && status == BK_OK; ti++) {
        const bk_table *t = doc->tables[ti];
        for (size_t r = 0; r < t->nrows && status == BK_OK; r++) {
            const bk_row *row = &t->rows[r];
            if (row->kind != BK_ROW_UNIT || row->unit >= doc->nunits)
                continue;
            int is_dept = doc->units[row->unit].kind == BK_UNIT_DEPARTMENT;
            if (is_dept)
                st->docs[di].has_dept_row = 1;
            else
                listed[row->unit] = 1;
            if (pack_row(st, t, r, is_dept, &run->col, keys, vals) != 0)
                status = nomem(run->job);
        }
    }
    st->docs[di].vals_end = st->nvals;
    for (size_t u = 0; listed && u < doc->nunits; u++)
        st->docs[di].listed += listed[u];
    bk_free(listed);
    bk_free(keys);
    bk_free(vals);
    /* A partial run writes the record and forgets it: its memory does not grow with the
     * documents. */
    if (status == BK_OK && bk_validation_partial(run->job))
        status = tot_partial_document(run);
    return status;
}

/* Unpacks document di's figures (for partial.c). */
int tot_unpack_doc(const tot_state *st, size_t di, tot_unitval **out, size_t *n, size_t *cap)
{
    const tot_docrec *d = &st->docs[di];
    if (d->vals_end == d->vals_at)
        return 0;
    return unpack(st->vals + d->vals_at, st->vals + d->vals_end, di, out, n, cap);
}

/* ---- the check ---- */

typedef struct gv {
    const tot_unitval *v;
    const char *norm; /* normalised unit name */
    const tot_colkey *k;
} gv;

static int cmp_gv(const void *x, const void *y)
{
    const gv *a = x, *b = y;
    const tot_colkey *ka = a->k, *kb = b->k;
    int c = strcmp(ka->table, kb->table);
    if (c)
        return c;
    if (ka->col != kb->col)
        return ka->col < kb->col ? -1 : 1;
    if (a->v->key != b->v->key)
        return a->v->key < b->v->key ? -1 : 1;
    if (a->v->is_dept != b->v->is_dept)
        return a->v->is_dept ? -1 : 1;
    c = strcmp(a->norm, b->norm);
    if (c)
        return c;
    return (a->v->doc > b->v->doc) - (a->v->doc < b->v->doc);
}

static const char *unit_name(const tot_state *st, const tot_unitval *v)
{
    return st->docs[v->doc].units[v->unit];
}

static const char *unit_norm(const tot_state *st, const tot_unitval *v)
{
    const tot_docrec *d = &st->docs[v->doc];
    return d->units[d->nunits + v->unit];
}

typedef struct group_run {
    bk_validation *job;
    tot_state *st;
    int strict;
    long dept_doc; /* the department's document, -1 when the group has none */
    size_t nunits; /* distinct units in the group */
    bk_strbuf key, col;
} group_run;

static void where_of(group_run *g, const tot_unitval *v, tot_where *w)
{
    const tot_colkey *k = &g->st->keys[v->key];
    w->document = g->st->docs[v->doc].source;
    w->unit = unit_name(g->st, v);
    w->table = k->table;
    w->row = unit_name(g->st, v);
    w->column = k->column;
    w->column_zh = k->header;
    w->line = v->line;
}

/* The same unit's row printed in two documents. */
static bk_status same_unit(group_run *g, const gv *ref, const gv *other)
{
    tot_check c;
    tot_check_equal(other->v->value, ref->v->value, &c);
    if (c.verdict == TOT_EQUAL)
        return BK_OK;
    bk_strbuf en, zh;
    bk_strbuf_init(&en);
    bk_strbuf_init(&zh);
    const char *refdoc = g->st->docs[ref->v->doc].source;
    bk_strbuf_add(&en, "the same unit's row in %s prints", refdoc);
    bk_strbuf_add(&zh, "而%s中同一单位的该行为", refdoc);
    tot_says says = {
        TOT_STYLE_EQUAL, bk_strbuf_str(&en), bk_strbuf_str(&zh), NULL, NULL, NULL, NULL};
    tot_where w;
    where_of(g, other->v, &w);
    bk_status st = en.failed || zh.failed
                       ? nomem(g->job)
                       : tot_emit(g->job, g->strict, RULE_SUBMISSION_UNIT, &w, &c, &says);
    bk_strbuf_free(&en);
    bk_strbuf_free(&zh);
    return st;
}

typedef struct unit_run {
    const gv *ref; /* the department's listing of the unit when it has one */
    const gv *use; /* the figure summed: the unit's own document's when there is one */
} unit_run;

/* Units are summed in the order the department's document lists them, else in document order. */
static int cmp_run(const void *x, const void *y)
{
    const tot_unitval *a = ((const unit_run *)x)->ref->v, *b = ((const unit_run *)y)->ref->v;
    if (a->doc != b->doc)
        return a->doc < b->doc ? -1 : 1;
    return (a->line > b->line) - (a->line < b->line);
}

/* One (table, column): units printed twice must agree, and the department's row must equal
 * the sum of its units as their own documents print them. */
static bk_status check_key(group_run *g, const gv *v, size_t n)
{
    const gv *dept = NULL;
    size_t i = 0;
    for (; i < n && v[i].v->is_dept; i++)
        if ((long)v[i].v->doc == g->dept_doc && !dept)
            dept = &v[i];
    unit_run *runs = bk_calloc(n + 1, sizeof *runs);
    bk_decimal *vals = bk_calloc(n + 1, sizeof *vals);
    if (!runs || !vals) {
        bk_free(runs);
        bk_free(vals);
        return nomem(g->job);
    }
    size_t nruns = 0;
    int outside = 0;
    bk_status st = BK_OK;
    while (i < n && st == BK_OK) {
        size_t j = i;
        while (j < n && strcmp(v[j].norm, v[i].norm) == 0)
            j++;
        const gv *ref = &v[i], *own = NULL;
        for (size_t k = i; k < j; k++) {
            if ((long)v[k].v->doc == g->dept_doc)
                ref = &v[k];
            else if (!own)
                own = &v[k];
        }
        for (size_t k = i; k < j && st == BK_OK; k++)
            if (&v[k] != ref && v[k].v->doc != ref->v->doc)
                st = same_unit(g, ref, &v[k]);
        runs[nruns].ref = ref;
        runs[nruns].use = own ? own : ref;
        outside |= (long)runs[nruns].use->v->doc != g->dept_doc;
        nruns++;
        i = j;
    }
    /* Only when every unit has the figure and some come from other documents: inside one
     * document, the template's units-sum rule has already compared them. */
    if (st == BK_OK && dept && outside && nruns == g->nunits) {
        qsort(runs, nruns, sizeof *runs, cmp_run);
        bk_strbuf parts;
        bk_strbuf_init(&parts);
        for (size_t k = 0; k < nruns; k++) {
            vals[k] = runs[k].use->v->value;
            bk_strbuf_add(&parts, "%s%s", k ? " + " : "", unit_name(g->st, runs[k].use->v));
        }
        tot_check c;
        tot_check_sum(dept->v->value, vals, NULL, nruns, &c);
        tot_says says = {TOT_STYLE_SUM,
                         "its units' own documents sum to",
                         "各单位报表合计为",
                         bk_strbuf_str(&parts),
                         bk_strbuf_str(&parts),
                         NULL,
                         NULL};
        tot_where w;
        where_of(g, dept->v, &w);
        st = parts.failed ? nomem(g->job)
                          : tot_emit(g->job, g->strict, RULE_SUBMISSION, &w, &c, &says);
        bk_strbuf_free(&parts);
    }
    bk_free(runs);
    bk_free(vals);
    return st;
}

/* The department's document: the one that has the department's own row and lists several
 * units (or none, being the aggregate alone). A document listing exactly one unit is that
 * unit's own budget. */
static long pick_department(const tot_state *st, const size_t *docs, size_t n)
{
    long best = -1;
    for (size_t i = 0; i < n; i++) {
        const tot_docrec *d = &st->docs[docs[i]];
        if (!d->has_dept_row || d->listed == 1)
            continue;
        if (best < 0 || d->listed > st->docs[best].listed)
            best = (long)docs[i];
    }
    return best;
}

static int cmp_cstr(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

static int distinct_units(const gv *v, size_t n, size_t *out)
{
    const char **names = bk_calloc(n + 1, sizeof *names);
    size_t m = 0, count = 0;
    if (!names)
        return -1;
    for (size_t i = 0; i < n; i++)
        if (!v[i].v->is_dept)
            names[m++] = v[i].norm;
    qsort(names, m, sizeof *names, cmp_cstr);
    for (size_t i = 0; i < m; i++)
        count += i == 0 || strcmp(names[i - 1], names[i]) != 0;
    bk_free(names);
    *out = count;
    return 0;
}

/* docs: the group's documents in the order they were read. */
static bk_status check_group(group_run *g, const size_t *docs, size_t ndocs)
{
    tot_state *st = g->st;
    tot_unitval *vals = NULL;
    size_t nvals = 0, capvals = 0;
    for (size_t k = 0; k < ndocs; k++) {
        const tot_docrec *d = &st->docs[docs[k]];
        /* st->vals is NULL while no document has had a figure to pack. */
        if (d->vals_end > d->vals_at && unpack(st->vals + d->vals_at, st->vals + d->vals_end, docs[k], &vals, &nvals,
                   &capvals) != 0) {
            bk_free(vals);
            return nomem(g->job);
        }
    }
    gv *v = bk_calloc(nvals + 1, sizeof *v);
    if (!v) {
        bk_free(vals);
        return nomem(g->job);
    }
    for (size_t i = 0; i < nvals; i++) {
        v[i].v = &vals[i];
        v[i].norm = unit_norm(st, &vals[i]);
        v[i].k = &st->keys[vals[i].key];
    }
    size_t n = nvals;
    qsort(v, n, sizeof *v, cmp_gv);
    g->dept_doc = pick_department(st, docs, ndocs);
    bk_status status = distinct_units(v, n, &g->nunits) == 0 ? BK_OK : nomem(g->job);
    for (size_t i = 0; i < n && status == BK_OK;) {
        size_t j = i;
        while (j < n && v[j].v->key == v[i].v->key)
            j++;
        status = check_key(g, v + i, j - i);
        i = j;
    }
    bk_free(v);
    bk_free(vals);
    return status;
}

/* Documents by department and year, then in the order they were read. */
typedef struct dockey {
    const char *dept;
    int year;
    size_t doc;
} dockey;

static int cmp_dockey(const void *x, const void *y)
{
    const dockey *a = x, *b = y;
    if (a->year != b->year)
        return a->year < b->year ? -1 : 1;
    int c = strcmp(a->dept, b->dept);
    if (c)
        return c;
    return (a->doc > b->doc) - (a->doc < b->doc);
}

/* A department of several documents: keys[start .. start + n). */
typedef struct group {
    size_t start, n;
    size_t first; /* its first document read */
} group;

static int cmp_group(const void *x, const void *y)
{
    const group *a = x, *b = y;
    return (a->first > b->first) - (a->first < b->first);
}

bk_status tot_submission_check(bk_validation *job, tot_state *st, int strict)
{
    dockey *keys = bk_calloc(st->ndocs + 1, sizeof *keys);
    size_t *docs = bk_calloc(st->ndocs + 1, sizeof *docs);
    group *groups = bk_calloc(st->ndocs / 2 + 1, sizeof *groups);
    group_run g = {job, st, strict, -1, 0, {0}, {0}};
    bk_strbuf_init(&g.key);
    bk_strbuf_init(&g.col);
    bk_status status = keys && docs && groups ? BK_OK : nomem(job);
    size_t ngroups = 0;
    if (status == BK_OK) {
        for (size_t i = 0; i < st->ndocs; i++)
            keys[i] = (dockey){st->docs[i].dept, st->docs[i].year, i};
        qsort(keys, st->ndocs, sizeof *keys, cmp_dockey);
        for (size_t i = 0, j; i < st->ndocs; i = j) {
            for (j = i + 1; j < st->ndocs && keys[j].year == keys[i].year &&
                            strcmp(keys[j].dept, keys[i].dept) == 0;)
                j++;
            if (j - i > 1)
                groups[ngroups++] = (group){i, j - i, keys[i].doc};
        }
        /* Findings come out department by department, in the order the documents came. */
        qsort(groups, ngroups, sizeof *groups, cmp_group);
    }
    for (size_t k = 0; k < ngroups && status == BK_OK; k++) {
        for (size_t i = 0; i < groups[k].n; i++)
            docs[i] = keys[groups[k].start + i].doc;
        status = check_group(&g, docs, groups[k].n);
    }
    if (status == BK_OK && (g.key.failed || g.col.failed))
        status = nomem(job);
    bk_strbuf_free(&g.key);
    bk_strbuf_free(&g.col);
    bk_free(keys);
    bk_free(docs);
    bk_free(groups);
    return status;
}
