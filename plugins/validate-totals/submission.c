/* Department = Σ its units across the documents of one submission: a department's document and
 * its units' documents often arrive separately (one archive, many files). Documents are grouped
 * by department name and fiscal year as they are recorded; the unit rows of each are remembered
 * while validating and compared once the last document has been read.
 *
 * Which document is the department's, and so which printed figure is the reference for a unit,
 * is only known once every document has been seen, and any document may turn out to share its
 * department with a later one. So every unit-row figure is kept, but packed, and what is the
 * same for the documents of a department is kept once for it: its name, the names of its units
 * (a unit named in the department's document and in its own is stored once), and the file name
 * for consecutive documents of one file. A document is then a few bytes plus its figures, in
 * one growing array, chained to the previous document of its department; one that can take no
 * part in the check (no figure in a unit row, and never the department's document) leaves
 * nothing but its department's place in the order of the findings. At the end, the figures of
 * one department are unpacked at a time, a bounded number of them at once. */
#include <stdlib.h>
#include <string.h>

#include "budgetkit/hash.h"
#include "totals.h"

static bk_status nomem(bk_validation *job)
{
    return bk_error_set(bk_validation_error(job), BK_E_NOMEM, "out of memory");
}

/* ---- packing ----
 *
 * Integers are little-endian base-128 varints, so an amount such as 4115.36 takes five bytes.
 * A recorded document is: the offset + 1 of the next document of its department (LINK_BYTES,
 * 0 for none, filled in when that document comes), its file's number, the number of units it
 * lists × 2 + whether it has the department's row, then its unit rows, and a 0. A unit row is
 * its unit name's number (from its department's first) × 2 + whether the unit is the
 * department, + 1; its line, as the difference from the previous row's; then for each figure
 * its column key + 1, the units zigzag-encoded and the scale, and a 0 after the last figure. */

#define VARINT_MAX 10 /* bytes of a 64-bit varint */
#define FIGURE_MAX (2 * VARINT_MAX + 1)
#define ROW_HEAD_MAX (2 * VARINT_MAX)
#define LINK_BYTES 5
#define DOC_HEAD_MAX (LINK_BYTES + 2 * VARINT_MAX)

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

static void put_link(unsigned char *p, uint64_t v)
{
    for (int i = 0; i < LINK_BYTES; i++)
        p[i] = (unsigned char)(v >> (8 * i));
}

static uint64_t get_link(const unsigned char *p)
{
    uint64_t v = 0;
    for (int i = 0; i < LINK_BYTES; i++)
        v |= (uint64_t)p[i] << (8 * i);
    return v;
}

static int reserve(bktot_state *st, size_t more)
{
    void *buf = st->docs;
    if (bk_grow(&buf, &st->capdocs, st->ndocs + more, 1) != 0)
        return -1;
    st->docs = buf;
    return 0;
}

/* ---- text ---- */

#define ARENA_BLOCK 65536

/* A copy of s[0..len) with a NUL, kept until the arena is freed; NULL out of memory. */
static const char *arena_add(bktot_arena *a, const char *s, size_t len)
{
    if (len + 1 > a->left) {
        /* A long string gets a block of its own and leaves the current one in use. */
        int own = len + 1 > ARENA_BLOCK / 4;
        void *buf = a->blocks;
        if (bk_grow(&buf, &a->capblocks, a->nblocks + 1, sizeof *a->blocks) != 0)
            return NULL;
        a->blocks = buf;
        char *block = bk_malloc(own ? len + 1 : ARENA_BLOCK);
        if (!block)
            return NULL;
        a->blocks[a->nblocks++] = block;
        if (own) {
            memcpy(block, s, len);
            block[len] = 0;
            return block;
        }
        a->at = block;
        a->left = ARENA_BLOCK;
    }
    char *p = a->at;
    memcpy(p, s, len);
    p[len] = 0;
    a->at += len + 1;
    a->left -= len + 1;
    return p;
}

void bktot_arena_free(bktot_arena *a)
{
    for (size_t i = 0; i < a->nblocks; i++)
        bk_free(a->blocks[i]);
    bk_free(a->blocks);
    memset(a, 0, sizeof *a);
}

/* s normalised, in buf when it fits in cap bytes, else in a new allocation (freed by the
 * caller when it is not buf); NULL out of memory. */
static char *normalise(const char *s, char *buf, size_t cap, size_t *len)
{
    size_t n = bk_label_normalise(s, NULL, 0);
    char *out = n < cap ? buf : bk_malloc(n + 1);
    if (out)
        bk_label_normalise(s, out, n + 1);
    *len = n;
    return out;
}

#define NAME_BUF 256

/* ---- departments and their unit names ---- */

static uint64_t group_hash(const char *dept, size_t len, int year)
{
    return bk_hash_bytes(dept, len) ^ (uint64_t)(uint32_t)year * 0x9E3779B97F4A7C15ull;
}

static uint64_t unit_hash(const char *name, size_t len, size_t group)
{
    return bk_hash_bytes(name, len) ^ ((uint64_t)group + 1) * 0x9E3779B97F4A7C15ull;
}

static uint64_t group_hash_at(const void *state, size_t k)
{
    const bktot_group *g = &((const bktot_state *)state)->groups[k];
    return group_hash(g->dept, strlen(g->dept), g->year);
}

static uint64_t unit_hash_at(const void *state, size_t k)
{
    const bktot_unitname *u = &((const bktot_state *)state)->units[k];
    return unit_hash(u->printed, strlen(u->printed), u->group);
}

/* What a lookup compares the entries of an index with. */
typedef struct wanted {
    const bktot_state *st;
    const char *name;
    size_t group; /* of a unit name */
    int year;     /* of a group */
} wanted;

static int is_group(const void *w, size_t k)
{
    const wanted *x = w;
    const bktot_group *g = &x->st->groups[k];
    return g->year == x->year && strcmp(g->dept, x->name) == 0;
}

static int is_unit(const void *w, size_t k)
{
    const wanted *x = w;
    const bktot_unitname *u = &x->st->units[k];
    return u->group == x->group && strcmp(u->printed, x->name) == 0;
}

/* The group of (norm, year), made when new: 0, or -1 out of memory. */
static int group_of(bktot_state *st, const char *norm, size_t len, int year, size_t *out)
{
    uint64_t h = group_hash(norm, len, year);
    size_t found = bktot_index_find(&st->group_index, h, is_group, &(wanted){st, norm, 0, year});
    if (found) {
        *out = found - 1;
        return 0;
    }
    void *buf = st->groups;
    if (bktot_index_reserve(&st->group_index, st->ngroups, group_hash_at, st) != 0 ||
        bk_grow(&buf, &st->capgroups, st->ngroups + 1, sizeof *st->groups) != 0)
        return -1;
    st->groups = buf;
    const char *dept = arena_add(&st->text, norm, len);
    if (!dept || st->nunits > UINT32_MAX)
        return -1;
    /* Its units are named after it, so numbered from here they are small numbers. */
    st->groups[st->ngroups] = (bktot_group){dept, 0, 0, (uint32_t)st->nunits, year};
    bktot_index_put(&st->group_index, h, st->ngroups);
    *out = st->ngroups++;
    return 0;
}

/* Text equal to one the group already holds is shared. */
static const char *group_text(bktot_state *st, size_t group, const char *s, size_t len,
                              const char *also)
{
    if (also && strcmp(also, s) == 0)
        return also;
    if (strcmp(st->groups[group].dept, s) == 0)
        return st->groups[group].dept;
    return arena_add(&st->text, s, len);
}

/* The number of the unit name printed as name in the group: 0, or -1 out of memory. */
static int unit_of(bktot_state *st, size_t group, const char *name, size_t *out)
{
    size_t len = strlen(name);
    uint64_t h = unit_hash(name, len, group);
    size_t found = bktot_index_find(&st->unit_index, h, is_unit, &(wanted){st, name, group, 0});
    if (found) {
        *out = found - 1;
        return 0;
    }
    void *buf = st->units;
    if (bktot_index_reserve(&st->unit_index, st->nunits, unit_hash_at, st) != 0 ||
        bk_grow(&buf, &st->capunits, st->nunits + 1, sizeof *st->units) != 0)
        return -1;
    st->units = buf;
    char nbuf[NAME_BUF];
    size_t nlen;
    char *norm = normalise(name, nbuf, sizeof nbuf, &nlen);
    const char *printed = norm ? group_text(st, group, name, len, NULL) : NULL;
    const char *kept = printed ? group_text(st, group, norm, nlen, printed) : NULL;
    if (norm != nbuf)
        bk_free(norm);
    if (!kept)
        return -1;
    st->units[st->nunits] = (bktot_unitname){printed, kept, (uint32_t)group};
    bktot_index_put(&st->unit_index, h, st->nunits);
    *out = st->nunits++;
    return 0;
}

/* ---- column keys ---- */

static uint64_t key_hash_at(const void *state, size_t k)
{
    const char *ident = ((const bktot_state *)state)->keys[k].ident;
    return bk_hash_bytes(ident, strlen(ident));
}

static int is_key(const void *w, size_t k)
{
    const wanted *x = w;
    return strcmp(x->st->keys[k].ident, x->name) == 0;
}

int bktot_colkey_intern(bktot_state *st, const char *family, const char *table, int col,
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
    uint64_t h = bk_hash_bytes(buf, strlen(buf));
    size_t found = bktot_index_find(&st->key_index, h, is_key, &(wanted){st, buf, 0, 0});
    if (found) {
        bk_free(buf);
        *out = found - 1;
        return 0;
    }
    void *grown = st->keys;
    if (bktot_index_reserve(&st->key_index, st->nkeys, key_hash_at, st) != 0 ||
        bk_grow(&grown, &st->capkeys, st->nkeys + 1, sizeof *st->keys) != 0) {
        bk_free(buf);
        return -1;
    }
    st->keys = grown;
    bktot_colkey *k = &st->keys[st->nkeys];
    k->ident = buf;
    k->family = p, memcpy(p, family, lf + 1), p += lf + 1;
    k->table = p, memcpy(p, table, lt + 1), p += lt + 1;
    k->column = p, memcpy(p, column, lc + 1), p += lc + 1;
    k->header = p, memcpy(p, header, lh + 1);
    k->col = col;
    bktot_index_put(&st->key_index, h, st->nkeys);
    *out = st->nkeys++;
    return 0;
}

/* The key of a column of one of the current document's templates. */
static int doc_key(bktot_state *st, const bk_template *tpl, int col, bk_strbuf *hdr, size_t *out)
{
    bktot_keycache *c = NULL;
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
        bktot_column_header(tpl, col, hdr);
        size_t k;
        if (hdr->failed || bktot_colkey_intern(st, tpl->family ? tpl->family : "", tpl->id, col,
                                               tpl->columns[col].id, bk_strbuf_str(hdr), &k) != 0)
            return -1;
        c->keys[col] = k + 1;
    }
    *out = c->keys[col] - 1;
    return 0;
}

static void cache_reset(bktot_state *st)
{
    for (size_t i = 0; i < st->ncache; i++)
        bk_free(st->cache[i].keys);
    st->ncache = 0;
}

void bktot_colkeys_free(bktot_state *st)
{
    cache_reset(st);
    bk_free(st->cache);
    for (size_t i = 0; i < st->nkeys; i++)
        bk_free(st->keys[i].ident);
    bk_free(st->keys);
    bktot_index_free(&st->key_index);
}

/* ---- recording a document ---- */

bk_status bktot_doc_begin(bk_validation *job, bktot_state *st, const char *source, const char *dept,
                          int year, int has_dept_row, size_t listed)
{
    char nbuf[NAME_BUF];
    size_t len, group = 0;
    char *norm = normalise(dept ? dept : "", nbuf, sizeof nbuf, &len);
    int failed = !norm || group_of(st, norm, len, year, &group) != 0;
    if (norm != nbuf)
        bk_free(norm);
    /* The links hold offset + 1 in LINK_BYTES. */
    if (failed || (uint64_t)st->ndocs + DOC_HEAD_MAX >= (uint64_t)1 << (8 * LINK_BYTES) ||
        reserve(st, DOC_HEAD_MAX) != 0)
        return nomem(job);
    source = source ? source : "";
    st->cur_group = group;
    st->cur_at = st->ndocs;
    st->cur_line = 0;
    st->cur_rows = 0;
    /* Without a figure, a document still counts when it may turn out to be the department's:
     * it has the department's row and does not list exactly one unit. */
    st->cur_keep = has_dept_row && listed != 1;
    st->cur_source = source;
    /* Its file is numbered when the document is kept. */
    int same = st->nsources && strcmp(st->sources[st->nsources - 1], source) == 0;
    unsigned char *p = st->docs + st->ndocs;
    put_link(p, 0);
    p = put_varint(p + LINK_BYTES, same ? st->nsources - 1 : st->nsources);
    p = put_varint(p, (uint64_t)listed * 2 + (has_dept_row != 0));
    st->ndocs = (size_t)(p - st->docs);
    return BK_OK;
}

int bktot_doc_row(bktot_state *st, const char *name, int is_dept, long line, const size_t *keys,
                  const bk_decimal *vals, size_t n)
{
    size_t unit;
    if (n == 0)
        return 0;
    if (unit_of(st, st->cur_group, name ? name : "", &unit) != 0 ||
        reserve(st, ROW_HEAD_MAX + n * FIGURE_MAX + 1) != 0)
        return -1;
    unsigned char *p = st->docs + st->ndocs;
    p = put_varint(
        p, ((uint64_t)(unit - st->groups[st->cur_group].first_unit) << 1 | (is_dept != 0)) + 1);
    p = put_varint(p, zigzag((int64_t)line - (int64_t)st->cur_line));
    st->cur_line = line;
    for (size_t i = 0; i < n; i++) {
        p = put_varint(p, (uint64_t)keys[i] + 1);
        p = put_varint(p, zigzag(vals[i].units));
        *p++ = (unsigned char)vals[i].scale; /* 0..BK_DECIMAL_MAX_SCALE */
    }
    *p++ = 0;
    st->ndocs = (size_t)(p - st->docs);
    st->cur_rows = 1;
    return 0;
}

bk_status bktot_doc_end(bk_validation *job, bktot_state *st)
{
    if (!st->cur_rows && !st->cur_keep) {
        /* It can take no part in the check: its department keeps its place in the order of
         * the findings, and nothing else is kept. */
        st->ndocs = st->cur_at;
        return BK_OK;
    }
    if (reserve(st, 1) != 0)
        return nomem(job);
    if (!st->nsources || strcmp(st->sources[st->nsources - 1], st->cur_source) != 0) {
        void *buf = st->sources;
        if (bk_grow(&buf, &st->capsources, st->nsources + 1, sizeof *st->sources) != 0)
            return nomem(job);
        st->sources = buf;
        const char *s = arena_add(&st->text, st->cur_source, strlen(st->cur_source));
        if (!s)
            return nomem(job);
        st->sources[st->nsources++] = s;
    }
    st->docs[st->ndocs++] = 0;
    bktot_group *g = &st->groups[st->cur_group];
    uint64_t self = (uint64_t)st->cur_at + 1;
    if (g->tail)
        put_link(st->docs + g->tail - 1, self);
    else
        g->head = self;
    g->tail = self;
    return BK_OK;
}

/* The figures of a unit row: n, or -1 out of memory. */
static long row_figures(bktot_state *st, const bk_table *t, size_t r, bk_strbuf *hdr, size_t *keys,
                        bk_decimal *vals)
{
    const bk_template *tpl = t->tpl;
    long n = 0;
    for (size_t c = 0; c < tpl->ncolumns; c++) {
        bk_decimal v;
        if (tpl->columns[c].type != BK_COL_AMOUNT || !bktot_cell(t, r, (int)c, &v))
            continue;
        if (doc_key(st, tpl, (int)c, hdr, &keys[n]) != 0)
            return -1;
        vals[n++] = v;
    }
    return n;
}

/* A partial run writes the document's unit rows and forgets them: its memory does not grow
 * with the documents. */
static bk_status write_partial(bktot_run *run, size_t *keys, bk_decimal *vals, int has_dept_row,
                               size_t listed)
{
    bktot_state *st = run->state;
    const bk_doc *doc = run->doc;
    bktot_unitval *v = NULL;
    size_t nv = 0, cap = 0;
    bk_status status = BK_OK;
    for (size_t ti = 0; ti < doc->ntables && status == BK_OK; ti++) {
        const bk_table *t = doc->tables[ti];
        for (size_t r = 0; r < t->nrows && status == BK_OK; r++) {
            const bk_row *row = &t->rows[r];
            if (row->kind != BK_ROW_UNIT || row->unit >= doc->nunits)
                continue;
            int is_dept = doc->units[row->unit].kind == BK_UNIT_DEPARTMENT;
            long n = row_figures(st, t, r, &run->col, keys, vals);
            void *buf = v;
            if (n < 0 || bk_grow(&buf, &cap, nv + (size_t)n + 1, sizeof *v) != 0) {
                status = nomem(run->job);
                break;
            }
            v = buf;
            for (long i = 0; i < n; i++)
                v[nv++] = (bktot_unitval){keys[i], row->unit, is_dept, vals[i], (long)row->line};
        }
    }
    if (status == BK_OK)
        status = bktot_partial_document(run, v, nv, has_dept_row, listed);
    bk_free(v);
    return status;
}

bk_status bktot_submission_record(bktot_run *run)
{
    bktot_state *st = run->state;
    const bk_doc *doc = run->doc;
    size_t maxcols = 0, listed = 0;
    int has_dept_row = 0;
    cache_reset(st);
    for (size_t ti = 0; ti < doc->ntables; ti++)
        if (doc->tables[ti]->tpl->ncolumns > maxcols)
            maxcols = doc->tables[ti]->tpl->ncolumns;
    unsigned char *seen = bk_calloc(doc->nunits + 1, 1);
    size_t *keys = bk_calloc(maxcols + 1, sizeof *keys);
    bk_decimal *vals = bk_calloc(maxcols + 1, sizeof *vals);
    bk_status status = seen && keys && vals ? BK_OK : nomem(run->job);
    /* What heads the document's record: whether it has the department's row, and how many of
     * its units it lists. */
    for (size_t ti = 0; ti < doc->ntables && status == BK_OK; ti++) {
        const bk_table *t = doc->tables[ti];
        for (size_t r = 0; r < t->nrows; r++) {
            const bk_row *row = &t->rows[r];
            if (row->kind != BK_ROW_UNIT || row->unit >= doc->nunits)
                continue;
            if (doc->units[row->unit].kind == BK_UNIT_DEPARTMENT)
                has_dept_row = 1;
            else if (!seen[row->unit]) {
                seen[row->unit] = 1;
                listed++;
            }
        }
    }
    if (status == BK_OK && bk_validation_partial(run->job))
        status = write_partial(run, keys, vals, has_dept_row, listed);
    else if (status == BK_OK)
        status = bktot_doc_begin(run->job, st, doc->source, doc->dept_name, doc->fiscal_year,
                                 has_dept_row, listed);
    for (size_t ti = 0; ti < doc->ntables && status == BK_OK && !bk_validation_partial(run->job);
         ti++) {
        const bk_table *t = doc->tables[ti];
        for (size_t r = 0; r < t->nrows && status == BK_OK; r++) {
            const bk_row *row = &t->rows[r];
            if (row->kind != BK_ROW_UNIT || row->unit >= doc->nunits)
                continue;
            const bk_unit *u = &doc->units[row->unit];
            long n = row_figures(st, t, r, &run->col, keys, vals);
            if (n < 0 || bktot_doc_row(st, u->name, u->kind == BK_UNIT_DEPARTMENT, (long)row->line,
                                       keys, vals, (size_t)n) != 0)
                status = nomem(run->job);
        }
    }
    if (status == BK_OK && !bk_validation_partial(run->job))
        status = bktot_doc_end(run->job, st);
    bk_free(seen);
    bk_free(keys);
    bk_free(vals);
    return status;
}

/* ---- the check ---- */

/* A figure of one of a department's documents, unpacked. */
typedef struct val {
    int64_t units;
    uint32_t doc;  /* the document's number among its department's, in the order read */
    uint32_t unit; /* index into the unit names */
    uint32_t key;  /* index into the column keys */
    uint32_t line;
    uint32_t seq; /* its place among the figures unpacked: ties keep the order read */
    uint8_t scale, is_dept;
} val;

/* Figures unpacked at once, at most, unless one column of one department alone has more:
 * the check's memory does not grow with the number of columns a department's documents use. */
#define BATCH ((size_t)1 << 20)

typedef struct group_run {
    bk_validation *job;
    bktot_state *st;
    int strict;
    const bktot_group *grp;
    long dept_doc;  /* the department's document, -1 when the group has none */
    size_t best;    /* the units it lists */
    size_t nunits;  /* distinct units in the group */
    uint32_t *srcs; /* the file of each document, by its number */
    size_t ndocs, capsrcs;
    /* By column key: figures in the department's documents, and for the keys being checked
     * their place in the order of the findings + 1. */
    size_t *count;
    uint32_t *rank;
    size_t *keys; /* the keys the department's figures are in */
    size_t nkeys, capkeys;
    unsigned char *mark; /* by unit name: seen outside the department's own rows */
    uint32_t *names;
    size_t nnames, capnames;
    val *v;
    size_t nv, capv;
} group_run;

static const char *unit_norm(const bktot_state *st, const val *v)
{
    return st->units[v->unit].norm;
}

static const char *unit_name(const bktot_state *st, const val *v)
{
    return st->units[v->unit].printed;
}

static bk_decimal value_of(const val *v)
{
    bk_decimal d = {v->units, v->scale};
    return d;
}

static int push(void **buf, size_t *n, size_t *cap, size_t elem)
{
    if (bk_grow(buf, cap, *n + 1, elem) != 0)
        return -1;
    (*n)++;
    return 0;
}

/* The first pass counts; a later one unpacks the figures of the keys being checked. */
static int figure(group_run *g, int counting, uint32_t doc, uint32_t unit, int is_dept, long line,
                  size_t key, int64_t units, int scale)
{
    if (counting) {
        if (!g->count[key]++) {
            void *buf = g->keys;
            if (push(&buf, &g->nkeys, &g->capkeys, sizeof *g->keys) != 0)
                return -1;
            g->keys = buf;
            g->keys[g->nkeys - 1] = key;
        }
        if (!is_dept && !g->mark[unit]) {
            g->mark[unit] = 1;
            void *buf = g->names;
            if (push(&buf, &g->nnames, &g->capnames, sizeof *g->names) != 0)
                return -1;
            g->names = buf;
            g->names[g->nnames - 1] = unit;
        }
        return 0;
    }
    if (!g->rank[key])
        return 0;
    void *buf = g->v;
    if (g->nv >= UINT32_MAX || push(&buf, &g->nv, &g->capv, sizeof *g->v) != 0)
        return -1;
    g->v = buf;
    g->v[g->nv - 1] = (val){units,          doc,
                            unit,           (uint32_t)key,
                            (uint32_t)line, (uint32_t)(g->nv - 1),
                            (uint8_t)scale, (uint8_t)is_dept};
    return 0;
}

/* A document's head, on the first pass: its file, and whether it is the department's: the one
 * that has the department's own row and lists the most units, several or none (being the
 * aggregate alone); a document listing exactly one unit is that unit's own budget. */
static int head(group_run *g, uint32_t doc, uint64_t source, uint64_t flags)
{
    void *buf = g->srcs;
    if (push(&buf, &g->ndocs, &g->capsrcs, sizeof *g->srcs) != 0)
        return -1;
    g->srcs = buf;
    g->srcs[doc] = (uint32_t)source;
    size_t listed = (size_t)(flags >> 1);
    if ((flags & 1) && listed != 1 && (g->dept_doc < 0 || listed > g->best)) {
        g->dept_doc = doc;
        g->best = listed;
    }
    return 0;
}

/* Every figure of the department's documents, in the order read. */
static int walk(group_run *g, int counting)
{
    const bktot_state *st = g->st;
    uint32_t doc = 0;
    for (uint64_t at = g->grp->head; at; doc++) {
        const unsigned char *p = st->docs + at - 1;
        at = get_link(p);
        p += LINK_BYTES;
        uint64_t source = get_varint(&p), flags = get_varint(&p);
        if (doc == UINT32_MAX || (counting && head(g, doc, source, flags) != 0))
            return -1;
        long line = 0;
        for (uint64_t u; (u = get_varint(&p)) != 0;) {
            u--;
            uint32_t unit = g->grp->first_unit + (uint32_t)(u >> 1);
            line += (long)unzigzag(get_varint(&p));
            for (uint64_t key; (key = get_varint(&p)) != 0;) {
                int64_t units = unzigzag(get_varint(&p));
                int scale = *p++;
                if (figure(g, counting, doc, unit, (int)(u & 1), line, (size_t)(key - 1), units,
                           scale) != 0)
                    return -1;
            }
        }
    }
    return 0;
}

static void where_of(group_run *g, const val *v, bktot_where *w)
{
    const bktot_colkey *k = &g->st->keys[v->key];
    w->document = g->st->sources[g->srcs[v->doc]];
    w->unit = unit_name(g->st, v);
    w->table = k->table;
    w->row = unit_name(g->st, v);
    w->column = k->column;
    w->column_zh = k->header;
    w->line = v->line;
}

/* The same unit's row printed in two documents. */
static bk_status same_unit(group_run *g, const val *ref, const val *other)
{
    bktot_check c;
    bktot_check_equal(value_of(other), value_of(ref), &c);
    if (c.verdict == BKTOT_EQUAL)
        return BK_OK;
    bk_strbuf en, zh;
    bk_strbuf_init(&en);
    bk_strbuf_init(&zh);
    const char *refdoc = g->st->sources[g->srcs[ref->doc]];
    bk_strbuf_add(&en, "the same unit's row in %s prints", refdoc);
    bk_strbuf_add(&zh, "而%s中同一单位的该行为", refdoc);
    bktot_says says = {
        BKTOT_STYLE_EQUAL, bk_strbuf_str(&en), bk_strbuf_str(&zh), NULL, NULL, NULL, NULL};
    bktot_where w;
    where_of(g, other, &w);
    bk_status st = en.failed || zh.failed
                       ? nomem(g->job)
                       : bktot_emit(g->job, g->strict, RULE_SUBMISSION_UNIT, &w, &c, &says);
    bk_strbuf_free(&en);
    bk_strbuf_free(&zh);
    return st;
}

typedef struct unit_run {
    const val *ref; /* the department's listing of the unit when it has one */
    const val *use; /* the figure summed: the unit's own document's when there is one */
    size_t at;      /* its place in the order of the names */
} unit_run;

/* Units are summed in the order the department's document lists them, else in document order. */
static int cmp_run(const void *x, const void *y)
{
    const unit_run *ra = x, *rb = y;
    const val *a = ra->ref, *b = rb->ref;
    if (a->doc != b->doc)
        return a->doc < b->doc ? -1 : 1;
    if (a->line != b->line)
        return a->line < b->line ? -1 : 1;
    return (ra->at > rb->at) - (ra->at < rb->at);
}

/* One (table, column): units printed twice must agree, and the department's row must equal
 * the sum of its units as their own documents print them. */
static bk_status check_key(group_run *g, const val *v, size_t n)
{
    const val *dept = NULL;
    long dd = g->dept_doc;
    size_t i = 0;
    for (; i < n && v[i].is_dept; i++)
        if ((long)v[i].doc == dd && !dept)
            dept = &v[i];
    /* A run of figures per unit: the units of a department, not its figures. */
    size_t most = 0;
    for (size_t k = i; k < n; k++)
        most += k == i || strcmp(unit_norm(g->st, &v[k - 1]), unit_norm(g->st, &v[k])) != 0;
    unit_run *runs = bk_calloc(most + 1, sizeof *runs);
    bk_decimal *vals = bk_calloc(most + 1, sizeof *vals);
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
        while (j < n && strcmp(unit_norm(g->st, &v[j]), unit_norm(g->st, &v[i])) == 0)
            j++;
        const val *ref = &v[i], *own = NULL;
        for (size_t k = i; k < j; k++) {
            if ((long)v[k].doc == dd)
                ref = &v[k];
            else if (!own)
                own = &v[k];
        }
        for (size_t k = i; k < j && st == BK_OK; k++)
            if (&v[k] != ref && v[k].doc != ref->doc)
                st = same_unit(g, ref, &v[k]);
        runs[nruns].ref = ref;
        runs[nruns].use = own ? own : ref;
        runs[nruns].at = nruns;
        outside |= (long)runs[nruns].use->doc != dd;
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
            vals[k] = value_of(runs[k].use);
            bk_strbuf_add(&parts, "%s%s", k ? " + " : "", unit_name(g->st, runs[k].use));
        }
        bktot_check c;
        bktot_check_sum(value_of(dept), vals, NULL, nruns, &c);
        bktot_says says = {BKTOT_STYLE_SUM,
                           "its units' own documents sum to",
                           "各单位报表合计为",
                           bk_strbuf_str(&parts),
                           bk_strbuf_str(&parts),
                           NULL,
                           NULL};
        bktot_where w;
        where_of(g, dept, &w);
        st = parts.failed ? nomem(g->job)
                          : bktot_emit(g->job, g->strict, RULE_SUBMISSION, &w, &c, &says);
        bk_strbuf_free(&parts);
    }
    bk_free(runs);
    bk_free(vals);
    return st;
}

/* qsort has no context: the department being checked, for the comparisons below (one per
 * thread, so that jobs in several threads do not share it). */
static _Thread_local const group_run *sorting;

/* Figures by column (table, index, key), the department's row first, then by unit, then in
 * the order read. */
static int cmp_val(const void *x, const void *y)
{
    const val *a = x, *b = y;
    if (a->key != b->key)
        return sorting->rank[a->key] < sorting->rank[b->key] ? -1 : 1;
    if (a->is_dept != b->is_dept)
        return a->is_dept ? -1 : 1;
    int c = a->unit == b->unit ? 0 : strcmp(unit_norm(sorting->st, a), unit_norm(sorting->st, b));
    if (c)
        return c;
    if (a->doc != b->doc)
        return a->doc < b->doc ? -1 : 1;
    return (a->seq > b->seq) - (a->seq < b->seq);
}

/* Heapsort: in place (qsort would take as much memory again to merge), and since cmp_val
 * orders every pair, the order is the one a stable sort of the figures read would give. */
static void sift(val *v, size_t root, size_t n)
{
    for (size_t child; (child = 2 * root + 1) < n; root = child) {
        if (child + 1 < n && cmp_val(&v[child], &v[child + 1]) < 0)
            child++;
        if (cmp_val(&v[root], &v[child]) >= 0)
            return;
        val t = v[root];
        v[root] = v[child];
        v[child] = t;
    }
}

static void sort_vals(val *v, size_t n)
{
    for (size_t i = n / 2; i-- > 0;)
        sift(v, i, n);
    for (size_t end = n; end > 1; end--) {
        val t = v[0];
        v[0] = v[end - 1];
        v[end - 1] = t;
        sift(v, 0, end - 1);
    }
}

static int cmp_key(const void *x, const void *y)
{
    size_t a = *(const size_t *)x, b = *(const size_t *)y;
    const bktot_colkey *ka = &sorting->st->keys[a], *kb = &sorting->st->keys[b];
    int c = strcmp(ka->table, kb->table);
    if (c)
        return c;
    if (ka->col != kb->col)
        return ka->col < kb->col ? -1 : 1;
    return (a > b) - (a < b);
}

static int cmp_cstr(const void *x, const void *y)
{
    return strcmp(*(const char *const *)x, *(const char *const *)y);
}

/* Distinct units of the group outside the department's rows (by normalised name). */
static int distinct_units(group_run *g)
{
    const char **norms = bk_calloc(g->nnames + 1, sizeof *norms);
    if (!norms)
        return -1;
    for (size_t i = 0; i < g->nnames; i++)
        norms[i] = g->st->units[g->names[i]].norm;
    qsort(norms, g->nnames, sizeof *norms, cmp_cstr);
    g->nunits = 0;
    for (size_t i = 0; i < g->nnames; i++)
        g->nunits += i == 0 || strcmp(norms[i - 1], norms[i]) != 0;
    bk_free(norms);
    return 0;
}

static bk_status check_group(group_run *g, const bktot_group *grp)
{
    g->grp = grp;
    g->dept_doc = -1;
    g->best = 0;
    g->ndocs = g->nkeys = g->nnames = 0;
    bk_status status = walk(g, 1) == 0 && distinct_units(g) == 0 ? BK_OK : nomem(g->job);
    for (size_t i = 0; i < g->nnames; i++)
        g->mark[g->names[i]] = 0;
    sorting = g;
    if (g->nkeys) /* none when the first pass failed at once */
        qsort(g->keys, g->nkeys, sizeof *g->keys, cmp_key);
    /* A batch of keys at a time, in the order of the findings. */
    for (size_t b = 0, e; b < g->nkeys && status == BK_OK; b = e) {
        size_t count = g->count[g->keys[b]];
        for (e = b + 1; e < g->nkeys && count + g->count[g->keys[e]] <= BATCH; e++)
            count += g->count[g->keys[e]];
        for (size_t k = b; k < e; k++)
            g->rank[g->keys[k]] = (uint32_t)(k + 1);
        g->nv = 0;
        void *buf = g->v;
        if (bk_grow(&buf, &g->capv, count, sizeof *g->v) != 0) {
            status = nomem(g->job);
        } else {
            g->v = buf;
            if (walk(g, 0) != 0)
                status = nomem(g->job);
        }
        if (status == BK_OK) {
            sorting = g;
            sort_vals(g->v, g->nv);
        }
        for (size_t i = 0; i < g->nv && status == BK_OK;) {
            size_t j = i;
            while (j < g->nv && g->v[j].key == g->v[i].key)
                j++;
            status = check_key(g, g->v + i, j - i);
            i = j;
        }
        for (size_t k = b; k < e; k++)
            g->rank[g->keys[k]] = 0;
    }
    for (size_t k = 0; k < g->nkeys; k++)
        g->count[g->keys[k]] = 0;
    return status;
}

bk_status bktot_submission_check(bk_validation *job, bktot_state *st, int strict)
{
    group_run g;
    memset(&g, 0, sizeof g);
    g.job = job;
    g.st = st;
    g.strict = strict;
    g.count = bk_calloc(st->nkeys + 1, sizeof *g.count);
    g.rank = bk_calloc(st->nkeys + 1, sizeof *g.rank);
    g.mark = bk_calloc(st->nunits + 1, 1);
    bk_status status = g.count && g.rank && g.mark ? BK_OK : nomem(job);
    /* Groups are numbered in the order of their first document: findings come out department
     * by department, in the order the documents came. One recorded document alone has nothing
     * to be compared with. */
    for (size_t i = 0; i < st->ngroups && status == BK_OK; i++)
        if (st->groups[i].head != st->groups[i].tail)
            status = check_group(&g, &st->groups[i]);
    bk_free(g.count);
    bk_free(g.rank);
    bk_free(g.mark);
    bk_free(g.srcs);
    bk_free(g.keys);
    bk_free(g.names);
    bk_free(g.v);
    return status;
}
