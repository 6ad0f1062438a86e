/* The canonical budget document. */
#include "budgetkit/model.h"

#include <stdio.h>
#include <string.h>

#include "budgetkit/alloc.h"
#include "hash.h"
#include "strpool.h"
#include "where.h"

struct bk_doc_private {
    bk_strpool pool;
    int kept;
    size_t units_cap, tables_cap, goals_cap, indicators_cap, narrative_cap;
    /* Unit index by interned id (open addressing, unit index + 1, 0 free): finding a unit must
     * not cost a scan of all of them, documents hold up to 65,534. */
    uint32_t *unit_slots;
    size_t unit_nslots;
    bk_where *where; /* read from a grid: its lines back to pages and sheets */
    /* The same by printed name (bk_label_equal): readers of printed tables find units by the
     * name a row prints. name_hash[u] is unit u's normalised name hashed. */
    uint32_t *name_slots;
    uint64_t *name_hash;
    /* First unit of each kind, index + 1 (0 none). */
    uint32_t first_of_kind[3];
};

bk_doc *bk_doc_new(void)
{
    bk_doc *doc = bk_calloc(1, sizeof *doc);
    if (!doc)
        return NULL;
    doc->priv = bk_calloc(1, sizeof *doc->priv);
    if (!doc->priv) {
        bk_free(doc);
        return NULL;
    }
    doc->precision = 2;
    doc->dept_name = "";
    doc->money_unit = "";
    return doc;
}

static void table_free(bk_table *t)
{
    if (!t)
        return;
    bk_free(t->rows);
    bk_free(t->cells);
    bk_free(t);
}

void bk_doc_free(bk_doc *doc)
{
    if (!doc)
        return;
    for (size_t i = 0; i < doc->ntables; i++)
        table_free(doc->tables[i]);
    bk_free(doc->tables);
    bk_free(doc->units);
    bk_free(doc->performance.goals);
    bk_free(doc->performance.indicators);
    bk_free(doc->narrative);
    if (doc->priv) {
        bk_free(doc->priv->unit_slots);
        bk_where_free(doc->priv->where);
        bk_free(doc->priv->name_slots);
        bk_free(doc->priv->name_hash);
        bk_strpool_free(&doc->priv->pool);
        bk_free(doc->priv);
    }
    bk_free(doc);
}

void bk_doc_keep(bk_doc *doc) { doc->priv->kept = 1; }

void bk_doc_set_where(bk_doc *doc, bk_where *w)
{
    bk_where_free(doc->priv->where);
    doc->priv->where = w;
}

const bk_where *bk_doc_where(const bk_doc *doc) { return doc->priv->where; }
void bk_doc_unkeep(bk_doc *doc) { doc->priv->kept = 0; }
int bk_doc_is_kept(const bk_doc *doc) { return doc->priv->kept; }

const char *bk_doc_intern(bk_doc *doc, const char *s, size_t len)
{
    return bk_strpool_intern(&doc->priv->pool, s, len);
}

const char *bk_doc_intern_cstr(bk_doc *doc, const char *s)
{
    return s ? bk_doc_intern(doc, s, strlen(s)) : NULL;
}

/* Intern an optional string: NULL stays NULL; *ok is cleared when out of memory. */
static const char *intern_opt(bk_doc *doc, const char *s, int *ok)
{
    if (!s)
        return NULL;
    const char *r = bk_doc_intern_cstr(doc, s);
    if (!r)
        *ok = 0;
    return r;
}

/* *x = a and *y = b, interned (NULL stays NULL): both, or neither and BK_E_NOMEM. */
static bk_status set_two(bk_doc *doc, const char **x, const char *a, const char **y, const char *b)
{
    int ok = 1;
    const char *ia = intern_opt(doc, a, &ok), *ib = intern_opt(doc, b, &ok);
    if (!ok)
        return BK_E_NOMEM;
    *x = ia;
    *y = ib;
    return BK_OK;
}

bk_status bk_doc_set_department(bk_doc *doc, const char *name, const char *code)
{
    return set_two(doc, &doc->dept_name, name ? name : "", &doc->dept_code, code);
}

bk_status bk_doc_set_source(bk_doc *doc, const char *source)
{
    int ok = 1;
    const char *s = intern_opt(doc, source, &ok);
    if (!ok)
        return BK_E_NOMEM;
    doc->source = s;
    return BK_OK;
}

/* The rules of the document's own facts, one each, shared by the setters and bk_doc_check so
 * that a bad value reads the same whichever format it came from. A fact that is a whole number
 * in a range: what it is called, what it must be, the range. */
typedef struct whole_fact {
    const char *name, *kind;
    long min, max;
} whole_fact;

static const whole_fact year_fact = {"fiscal year", "a year", 1900, 9999};
static const whole_fact precision_fact = {"precision", "a number of decimals", 0,
                                          BK_DECIMAL_MAX_SCALE};

static bk_status whole_rule(const whole_fact *f, long v, bk_error *err)
{
    if (v < f->min || v > f->max)
        return bk_error_set(err, BK_E_CONTENT, "%s %ld is not %s from %ld to %ld", f->name, v,
                            f->kind, f->min, f->max);
    return BK_OK;
}

/* *field = v when the rule of f holds. */
static bk_status set_whole(int *field, const whole_fact *f, long v, bk_error *err)
{
    bk_status st = whole_rule(f, v, err);
    if (st == BK_OK)
        *field = (int)v;
    return st;
}

static bk_status money_unit_rule(const char *unit, bk_error *err)
{
    if (unit && (strcmp(unit, "万元") == 0 || strcmp(unit, "元") == 0))
        return BK_OK;
    /* The unit is input: shown on one line and cut at a character, as a message must be. */
    char shown[64];
    size_t n = 0;
    const char *p = unit ? unit : "";
    for (; *p && n < sizeof shown - 4; p++)
        shown[n++] = (unsigned char)*p < 0x20 || *p == 0x7F ? '?' : *p;
    if (*p) {
        while (n > 0 && ((unsigned char)*p & 0xC0) == 0x80)
            p--, n--;
        memcpy(shown + n, "...", 3);
        n += 3;
    }
    shown[n] = '\0';
    return bk_error_set(err, BK_E_CONTENT, "money unit \"%s\" is neither 万元 nor 元", shown);
}

bk_status bk_doc_set_year(bk_doc *doc, long year, bk_error *err)
{
    return set_whole(&doc->fiscal_year, &year_fact, year, err);
}

bk_status bk_doc_set_money_unit(bk_doc *doc, const char *unit, bk_error *err)
{
    bk_status st = money_unit_rule(unit, err);
    if (st != BK_OK)
        return st;
    const char *u = bk_doc_intern_cstr(doc, unit);
    if (!u)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    doc->money_unit = u;
    return BK_OK;
}

bk_status bk_doc_set_precision(bk_doc *doc, long precision, bk_error *err)
{
    return set_whole(&doc->precision, &precision_fact, precision, err);
}

/* An SPDX licence identifier as the SPDX list spells them (CC-BY-4.0, MIT, GPL-3.0+). */
static int spdx_id(const char *s)
{
    size_t n = 0;
    for (; s[n]; n++)
        if (!((s[n] >= 'A' && s[n] <= 'Z') || (s[n] >= 'a' && s[n] <= 'z') ||
              (s[n] >= '0' && s[n] <= '9') || s[n] == '.' || s[n] == '-' || s[n] == '+'))
            return 0;
    return n > 0 && n <= 64;
}

static int has_control(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s < 0x20 || *s == 0x7f)
            return 1;
    return 0;
}

bk_status bk_doc_set_publication(bk_doc *doc, const bk_publication *pub, bk_error *err)
{
    const char *in[4] = {pub->publisher, pub->source, pub->source_path, pub->license};
    static const char *const names[4] = {"publisher", "source", "source-path", "license"};
    const char **out[4] = {&doc->publication.publisher, &doc->publication.source,
                           &doc->publication.source_path, &doc->publication.license};
    const char *v[4];
    for (int i = 0; i < 4; i++) {
        v[i] = *out[i];
        if (!in[i])
            continue;
        if (has_control(in[i]))
            return bk_error_set(err, BK_E_CONTENT, "%s holds a control character", names[i]);
        if (i == 3 && *in[i] && !spdx_id(in[i])) {
            /* Quote at most 64 bytes, ending on a whole character. */
            int n = 0;
            for (int k = 0; in[i][k] && k < 64; k++)
                if (((unsigned char)in[i][k] & 0xC0) != 0x80)
                    n = k;
            if ((int)strlen(in[i]) <= 64)
                n = (int)strlen(in[i]);
            return bk_error_set(err, BK_E_CONTENT, "license \"%.*s\" is not an SPDX licence "
                                "identifier (such as CC-BY-4.0: letters, digits, '.', '-', '+')",
                                n, in[i]);
        }
        if (!*in[i]) {
            v[i] = NULL;
        } else if (!(v[i] = bk_doc_intern_cstr(doc, in[i]))) {
            return bk_error_set(err, BK_E_NOMEM, "out of memory");
        }
    }
    for (int i = 0; i < 4; i++)
        *out[i] = v[i];
    return BK_OK;
}

int bk_money_unit_mult(const char *unit)
{
    static const struct { const char *name; int mult; } units[] = {
        {"元", 0}, {"千元", 3}, {"万元", 4}, {"亿元", 8}};
    for (size_t i = 0; unit && i < sizeof units / sizeof units[0]; i++)
        if (strcmp(unit, units[i].name) == 0)
            return units[i].mult;
    return -1;
}

static size_t unit_slot(const struct bk_doc_private *p, const char *interned)
{
    return (size_t)bk_hash_word((uint64_t)(uintptr_t)interned) & (p->unit_nslots - 1);
}

int bk_doc_find_unit(const bk_doc *doc, const char *id)
{
    const struct bk_doc_private *p = doc->priv;
    if (!p->unit_nslots || !id)
        return -1;
    const char *key = bk_strpool_find(&p->pool, id, strlen(id));
    if (!key)
        return -1;
    for (size_t j = unit_slot(p, key); p->unit_slots[j]; j = (j + 1) & (p->unit_nslots - 1))
        if (doc->units[p->unit_slots[j] - 1].id == key)
            return (int)(p->unit_slots[j] - 1);
    return -1;
}

static void slot_put(uint32_t *slots, size_t nslots, size_t j, size_t u)
{
    while (slots[j])
        j = (j + 1) & (nslots - 1);
    slots[j] = (uint32_t)u + 1;
}

/* Index unit i (already in doc->units, its name hashed in name_hash[i]); 0 on success, -1
 * out of memory. */
static int index_unit(bk_doc *doc, size_t i)
{
    struct bk_doc_private *p = doc->priv;
    if (2 * (doc->nunits + 1) > p->unit_nslots) {
        size_t n = p->unit_nslots ? 2 * p->unit_nslots : 16;
        uint32_t *slots = bk_calloc(n, sizeof *slots), *names = bk_calloc(n, sizeof *names);
        if (!slots || !names) {
            bk_free(slots);
            bk_free(names);
            return -1;
        }
        bk_free(p->unit_slots);
        bk_free(p->name_slots);
        p->unit_slots = slots;
        p->name_slots = names;
        p->unit_nslots = n;
        for (size_t u = 0; u < doc->nunits; u++) {
            slot_put(slots, n, unit_slot(p, doc->units[u].id), u);
            slot_put(names, n, (size_t)p->name_hash[u] & (n - 1), u);
        }
    }
    slot_put(p->unit_slots, p->unit_nslots, unit_slot(p, doc->units[i].id), i);
    slot_put(p->name_slots, p->unit_nslots, (size_t)p->name_hash[i] & (p->unit_nslots - 1), i);
    if ((unsigned)doc->units[i].kind < 3 && !p->first_of_kind[doc->units[i].kind])
        p->first_of_kind[doc->units[i].kind] = (uint32_t)i + 1;
    return 0;
}

int bk_doc_unit_of_kind(const bk_doc *doc, bk_unit_kind kind)
{
    /* Readers ask this for every row; a scan would make them quadratic in units. */
    if ((unsigned)kind < 3)
        return (int)doc->priv->first_of_kind[kind] - 1;
    return -1;
}

/* The hash of a label as bk_label_equal compares it. */
static int label_hash(const char *name, uint64_t *h)
{
    char buf[512];
    size_t n = bk_label_normalise(name, buf, sizeof buf);
    if (n < sizeof buf) {
        *h = bk_hash_bytes(buf, n);
        return 0;
    }
    char *big = bk_malloc(n + 1);
    if (!big)
        return -1;
    bk_label_normalise(name, big, n + 1);
    *h = bk_hash_bytes(big, n);
    bk_free(big);
    return 0;
}

int bk_doc_find_unit_named(const bk_doc *doc, const char *name)
{
    const struct bk_doc_private *p = doc->priv;
    uint64_t h;
    if (!p->unit_nslots || !name || label_hash(name, &h))
        return -1;
    size_t mask = p->unit_nslots - 1;
    /* Units of one name sit on the probe sequence in the order they were added: the first
     * found is the first added. */
    for (size_t j = (size_t)h & mask; p->name_slots[j]; j = (j + 1) & mask) {
        uint32_t u = p->name_slots[j] - 1;
        if (p->name_hash[u] == h && bk_label_equal(doc->units[u].name, name))
            return (int)u;
    }
    return -1;
}

bk_status bk_doc_add_unit(bk_doc *doc, const char *id, const char *name, bk_unit_kind kind,
                          const char *parent_id, bk_error *err)
{
    if (!id || !*id)
        return bk_error_set(err, BK_E_CONTENT, "a unit needs an id");
    /* Every format must be able to carry what one format accepted: one rule for all readers. */
    for (const char *p = id; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
              *p == '_' || *p == '-'))
            return bk_error_set(err, BK_E_CONTENT, "unit id \"%s\" is not made of letters, "
                                "digits, '_' and '-'", id);
    if (!name || !*name)
        return bk_error_set(err, BK_E_CONTENT, "unit \"%s\" has no name", id);
    if (bk_doc_find_unit(doc, id) >= 0)
        return bk_error_set(err, BK_E_CONTENT, "unit id \"%s\" is used twice", id);
    if (doc->nunits >= UINT16_MAX)
        return bk_error_set(err, BK_E_LIMIT, "more than %d units in one document", UINT16_MAX - 1);
    int parent = -1;
    if (parent_id) {
        parent = bk_doc_find_unit(doc, parent_id);
        if (parent < 0)
            return bk_error_set(err, BK_E_CONTENT, "unit \"%s\" names parent \"%s\", which is not "
                                "listed before it", id, parent_id);
    }
    size_t cap = doc->priv->units_cap;
    if (bk_grow((void **)&doc->units, &doc->priv->units_cap, doc->nunits + 1, sizeof *doc->units))
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    if (doc->priv->units_cap != cap) {
        /* name_hash grows with units (same capacity). */
        uint64_t *nh = bk_realloc(doc->priv->name_hash, doc->priv->units_cap * sizeof *nh);
        if (!nh) {
            doc->priv->units_cap = cap;
            return bk_error_set(err, BK_E_NOMEM, "out of memory");
        }
        doc->priv->name_hash = nh;
    }
    int ok = 1;
    bk_unit *u = &doc->units[doc->nunits];
    u->id = intern_opt(doc, id, &ok);
    u->name = intern_opt(doc, name ? name : "", &ok);
    u->kind = (int)kind;
    u->parent = parent;
    if (!ok || label_hash(u->name, &doc->priv->name_hash[doc->nunits]) ||
        index_unit(doc, doc->nunits) != 0)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    doc->nunits++;
    return BK_OK;
}

bk_table *bk_doc_table(const bk_doc *doc, const char *template_id)
{
    for (size_t i = 0; i < doc->ntables; i++)
        if (strcmp(doc->tables[i]->tpl->id, template_id) == 0)
            return doc->tables[i];
    return NULL;
}

static int template_before(const bk_template *a, const bk_template *b)
{
    if (a->number != b->number)
        return a->number < b->number;
    return strcmp(a->id, b->id) < 0;
}

const bk_template *bk_doc_define_template(bk_doc *doc, const bk_template *base, const char *id,
                                          const char *title, const bk_column *extra,
                                          size_t nextra)
{
    size_t nbase = base ? base->ncolumns : 0, n = nbase + nextra;
    /* A defined layout never changes: it lives in the document's pool with its strings. */
    bk_strpool *pool = &doc->priv->pool;
    bk_template *t = bk_strpool_calloc(pool, 1, sizeof *t);
    bk_column *cols = bk_strpool_calloc(pool, n, sizeof *cols);
    if (!t || !cols)
        return NULL;
    if (base)
        *t = *base;
    else
        t->row_key = "item";
    t->columns = cols;
    t->ncolumns = n;
    t->defined = 1;
    int ok = 1;
    t->id = intern_opt(doc, id, &ok);
    t->title = intern_opt(doc, title ? title : base ? base->title : id, &ok);
    t->row_key = intern_opt(doc, t->row_key, &ok);
    t->rules_json = intern_opt(doc, base ? base->rules_json : "[]", &ok);
    t->file = NULL;
    t->family = intern_opt(doc, base && base->family ? base->family : "", &ok);
    t->money_unit = intern_opt(doc, base ? base->money_unit : NULL, &ok);
    if (!ok)
        return NULL;
    for (size_t c = 0; c < n; c++) {
        const bk_column *from = c < nbase ? &base->columns[c] : &extra[c - nbase];
        bk_column *to = &cols[c];
        to->type = from->type;
        to->side = from->side;
        to->optional = from->optional;
        to->path_len = from->path_len;
        to->id = intern_opt(doc, from->id, &ok);
        to->path = bk_strpool_calloc(pool, from->path_len, sizeof *to->path);
        if (!ok || !to->path)
            return NULL;
        for (size_t k = 0; k < from->path_len && ok; k++)
            to->path[k] = intern_opt(doc, from->path[k], &ok);
        if (!ok)
            return NULL;
    }
    return t;
}

int bk_template_base_columns(const bk_template *tpl)
{
    int n = 0;
    for (size_t c = 0; c < tpl->ncolumns; c++)
        n += strncmp(tpl->columns[c].id, "extra_", 6) != 0;
    return n;
}

size_t bk_template_defined_from(const bk_template *tpl, int *generic)
{
    size_t from = (size_t)bk_template_base_columns(tpl);
    *generic = tpl->defined && (!tpl->family || !*tpl->family || from == 0);
    return *generic ? 0 : tpl->defined ? from : tpl->ncolumns;
}

bk_table *bk_doc_add_table(bk_doc *doc, const bk_template *tpl)
{
    bk_table *t = bk_doc_table(doc, tpl->id);
    if (t)
        return t;
    if (bk_grow((void **)&doc->tables, &doc->priv->tables_cap, doc->ntables + 1,
                sizeof *doc->tables))
        return NULL;
    t = bk_calloc(1, sizeof *t);
    if (!t)
        return NULL;
    t->tpl = tpl;
    /* Keep tables in template order whatever order they arrive in. */
    size_t at = doc->ntables;
    while (at > 0 && template_before(tpl, doc->tables[at - 1]->tpl))
        at--;
    memmove(&doc->tables[at + 1], &doc->tables[at], (doc->ntables - at) * sizeof *doc->tables);
    doc->tables[at] = t;
    doc->ntables++;
    return t;
}

bk_status bk_table_set_labels(bk_doc *doc, bk_table *t, const char *unit_label, const char *note)
{
    return set_two(doc, &t->unit_label, unit_label, &t->note, note);
}

bk_status bk_table_set_money_unit(bk_doc *doc, bk_table *t, const char *unit)
{
    if (!unit || (doc->money_unit && strcmp(unit, doc->money_unit) == 0)) {
        t->money_unit = NULL;
        return BK_OK;
    }
    const char *u = bk_doc_intern_cstr(doc, unit);
    if (!u)
        return BK_E_NOMEM;
    t->money_unit = u;
    return BK_OK;
}

long bk_table_add_row(bk_doc *doc, bk_table *t, bk_row_kind kind, int unit, const char *section,
                      const char *code, const char *name, int level, uint32_t line)
{
    size_t ncol = t->tpl->ncolumns;
    if (unit < 0 || (size_t)unit >= doc->nunits || level < 0 || level > BK_MAX_LEVEL)
        return -1;
    if (t->nrows == t->cap) {
        size_t cap = t->cap, cells_cap;
        if (bk_grow((void **)&t->rows, &cap, t->nrows + 1, sizeof *t->rows))
            return -1;
        cells_cap = cap;
        if (ncol) {
            bk_cell *cells = bk_realloc(t->cells, cells_cap * ncol * sizeof *cells);
            if (!cells) {
                /* rows grew but cells did not: keep the old capacity so both agree */
                return -1;
            }
            t->cells = cells;
        }
        t->cap = cap;
    }
    int ok = 1;
    bk_row *r = &t->rows[t->nrows];
    r->name = intern_opt(doc, name ? name : "", &ok);
    r->code = intern_opt(doc, code, &ok);
    r->section = intern_opt(doc, section, &ok);
    if (!ok)
        return -1;
    r->kind = (uint8_t)kind;
    r->unit = (uint16_t)unit;
    r->level = (uint8_t)level;
    r->line = line;
    if (ncol)
        memset(&t->cells[t->nrows * ncol], 0, ncol * sizeof *t->cells);
    return (long)t->nrows++;
}

bk_status bk_table_set_number(bk_table *t, size_t row, size_t col, bk_decimal d)
{
    if (row >= t->nrows || col >= t->tpl->ncolumns || d.scale < 0 ||
        d.scale > BK_DECIMAL_MAX_SCALE)
        return BK_E_INTERNAL;
    bk_cell *c = bk_table_cell(t, row, col);
    c->v.units = d.units;
    c->scale = (uint8_t)d.scale;
    c->kind = BK_CELL_NUMBER;
    return BK_OK;
}

bk_status bk_table_set_text(bk_doc *doc, bk_table *t, size_t row, size_t col, const char *text,
                            size_t len)
{
    if (row >= t->nrows || col >= t->tpl->ncolumns)
        return BK_E_INTERNAL;
    const char *s = bk_doc_intern(doc, text, len);
    if (!s)
        return BK_E_NOMEM;
    bk_cell *c = bk_table_cell(t, row, col);
    c->v.text = s;
    c->scale = 0;
    c->kind = BK_CELL_TEXT;
    return BK_OK;
}

bk_status bk_doc_set_performance(bk_doc *doc, const char *unit_name, const char *supervisor,
                                 const char *period)
{
    int ok = 1;
    const char *u = intern_opt(doc, unit_name, &ok);
    const char *s = intern_opt(doc, supervisor, &ok);
    const char *p = intern_opt(doc, period, &ok);
    if (!ok)
        return BK_E_NOMEM;
    doc->performance.present = 1;
    doc->performance.unit_name = u;
    doc->performance.supervisor = s;
    doc->performance.period = p;
    return BK_OK;
}

bk_status bk_doc_add_goal(bk_doc *doc, const char *text)
{
    bk_performance *pf = &doc->performance;
    const char *s = bk_doc_intern_cstr(doc, text ? text : "");
    if (!s || bk_grow((void **)&pf->goals, &doc->priv->goals_cap, pf->ngoals + 1, sizeof *pf->goals))
        return BK_E_NOMEM;
    pf->present = 1;
    pf->goals[pf->ngoals++] = s;
    return BK_OK;
}

bk_status bk_doc_add_indicator(bk_doc *doc, const char *l1, const char *l2, const char *l3,
                               const char *target)
{
    bk_performance *pf = &doc->performance;
    int ok = 1;
    bk_indicator ind = {intern_opt(doc, l1 ? l1 : "", &ok), intern_opt(doc, l2 ? l2 : "", &ok),
                        intern_opt(doc, l3 ? l3 : "", &ok), intern_opt(doc, target ? target : "", &ok)};
    if (!ok || bk_grow((void **)&pf->indicators, &doc->priv->indicators_cap, pf->nindicators + 1,
                       sizeof *pf->indicators))
        return BK_E_NOMEM;
    pf->present = 1;
    pf->indicators[pf->nindicators++] = ind;
    return BK_OK;
}

bk_status bk_doc_add_narrative(bk_doc *doc, const char *title, const char *text)
{
    int ok = 1;
    bk_text_part part = {intern_opt(doc, title ? title : "", &ok), intern_opt(doc, text ? text : "", &ok)};
    if (!ok || bk_grow((void **)&doc->narrative, &doc->priv->narrative_cap, doc->nnarrative + 1,
                       sizeof *doc->narrative))
        return BK_E_NOMEM;
    doc->narrative[doc->nnarrative++] = part;
    return BK_OK;
}

bk_status bk_doc_check(const bk_doc *doc, bk_error *err)
{
    if (!doc->dept_name || !*doc->dept_name)
        return bk_error_set(err, BK_E_CONTENT, "the document names no department");
    /* 0: no table printed it; a writer that needs the year says so. */
    if (doc->fiscal_year != 0 && whole_rule(&year_fact, doc->fiscal_year, err) != BK_OK)
        return BK_E_CONTENT;
    if (money_unit_rule(doc->money_unit, err) != BK_OK)
        return BK_E_CONTENT;
    for (size_t i = 0; i < doc->ntables; i++) {
        const char *u = doc->tables[i]->money_unit;
        if (u && strcmp(u, "万元") && strcmp(u, "元") && strcmp(u, "千元") && strcmp(u, "亿元"))
            return bk_error_set(err, BK_E_CONTENT, "table %s: money unit \"%s\" is not 元, 千元, "
                                "万元 or 亿元", doc->tables[i]->tpl->id, u);
    }
    if (whole_rule(&precision_fact, doc->precision, err) != BK_OK)
        return BK_E_CONTENT;
    int departments = 0;
    for (size_t i = 0; i < doc->nunits; i++)
        departments += doc->units[i].kind == BK_UNIT_DEPARTMENT;
    if (departments != 1)
        return bk_error_set(err, BK_E_CONTENT,
                            "a document has exactly one unit of kind department, this one has %d",
                            departments);
    for (size_t t = 0; t < doc->ntables; t++) {
        const bk_table *tb = doc->tables[t];
        for (size_t r = 0; r < tb->nrows; r++) {
            if (tb->rows[r].unit >= doc->nunits)
                return bk_error_set(err, BK_E_CONTENT, "table %s row %zu refers to no unit",
                                    tb->tpl->id, r + 1);
            for (size_t c = 0; c < tb->tpl->ncolumns; c++) {
                const bk_cell *cell = bk_table_cell(tb, r, c);
                int want_text = tb->tpl->columns[c].type == BK_COL_TEXT;
                if (cell->kind != BK_CELL_EMPTY && want_text != (cell->kind == BK_CELL_TEXT))
                    return bk_error_set(err, BK_E_CONTENT,
                                        "table %s row %zu column %s holds %s where %s is expected",
                                        tb->tpl->id, r + 1, tb->tpl->columns[c].id,
                                        want_text ? "a number" : "text",
                                        want_text ? "text" : "a number");
            }
        }
    }
    return BK_OK;
}

size_t bk_doc_cell_count(const bk_doc *doc)
{
    size_t n = 0;
    for (size_t t = 0; t < doc->ntables; t++) {
        const bk_table *tb = doc->tables[t];
        size_t all = tb->nrows * tb->tpl->ncolumns;
        for (size_t i = 0; i < all; i++)
            n += tb->cells[i].kind != BK_CELL_EMPTY;
    }
    return n;
}

static int str_eq(const char *a, const char *b)
{
    if (!a || !b)
        return a == b;
    return strcmp(a, b) == 0;
}

#define DIFF(...)                                   \
    do {                                            \
        if (diff && cap)                            \
            snprintf(diff, cap, __VA_ARGS__);       \
        return 0;                                   \
    } while (0)

static int cells_equal(const bk_cell *a, const bk_cell *b)
{
    if (a->kind != b->kind)
        return 0;
    if (a->kind == BK_CELL_NUMBER)
        return a->v.units == b->v.units && a->scale == b->scale;
    if (a->kind == BK_CELL_TEXT)
        return strcmp(a->v.text, b->v.text) == 0;
    return 1;
}

static int tables_equal(const bk_doc *a, const bk_doc *b, const bk_table *x, const bk_table *y,
                        char *diff, size_t cap)
{
    const char *id = x->tpl->id;
    if (strcmp(id, y->tpl->id) != 0)
        DIFF("table %s against table %s", id, y->tpl->id);
    if (!str_eq(x->unit_label, y->unit_label) || !str_eq(x->note, y->note))
        DIFF("table %s: unit label or note differ", id);
    if (!str_eq(x->money_unit, y->money_unit))
        DIFF("table %s: money unit differs", id);
    if (x->nrows != y->nrows)
        DIFF("table %s: %zu rows against %zu", id, x->nrows, y->nrows);
    for (size_t r = 0; r < x->nrows; r++) {
        const bk_row *p = &x->rows[r], *q = &y->rows[r];
        if (p->kind != q->kind || p->level != q->level || !str_eq(p->name, q->name) ||
            !str_eq(p->code, q->code) || !str_eq(p->section, q->section) ||
            strcmp(a->units[p->unit].id, b->units[q->unit].id) != 0)
            DIFF("table %s row %zu: key differs (\"%s\" against \"%s\")", id, r + 1, p->name,
                 q->name);
        if (x->tpl->ncolumns != y->tpl->ncolumns)
            DIFF("table %s: %zu columns against %zu", id, x->tpl->ncolumns, y->tpl->ncolumns);
        for (size_t c = 0; c < x->tpl->ncolumns; c++)
            if (!cells_equal(bk_table_cell(x, r, c), bk_table_cell(y, r, c)))
                DIFF("table %s row %zu (\"%s\") column %s differs", id, r + 1, p->name,
                     x->tpl->columns[c].id);
    }
    return 1;
}

int bk_doc_equal(const bk_doc *a, const bk_doc *b, char *diff, size_t cap)
{
    if (a->fiscal_year != b->fiscal_year)
        DIFF("fiscal year %d against %d", a->fiscal_year, b->fiscal_year);
    if (!str_eq(a->dept_name, b->dept_name) || !str_eq(a->dept_code, b->dept_code))
        DIFF("department differs");
    if (!str_eq(a->money_unit, b->money_unit) || a->precision != b->precision)
        DIFF("money unit or precision differs");
    const bk_publication *pa = &a->publication, *pb = &b->publication;
    if (!str_eq(pa->publisher, pb->publisher) || !str_eq(pa->source, pb->source) ||
        !str_eq(pa->source_path, pb->source_path) || !str_eq(pa->license, pb->license))
        DIFF("publication (publisher, source, licence) differs");
    if (a->nunits != b->nunits)
        DIFF("%zu units against %zu", a->nunits, b->nunits);
    for (size_t i = 0; i < a->nunits; i++) {
        const bk_unit *u = &a->units[i], *v = &b->units[i];
        if (!str_eq(u->id, v->id) || !str_eq(u->name, v->name) || u->kind != v->kind ||
            u->parent != v->parent)
            DIFF("unit %zu (%s) differs", i + 1, u->id);
    }
    if (a->ntables != b->ntables)
        DIFF("%zu tables against %zu", a->ntables, b->ntables);
    for (size_t t = 0; t < a->ntables; t++)
        if (!tables_equal(a, b, a->tables[t], b->tables[t], diff, cap))
            return 0;
    const bk_performance *p = &a->performance, *q = &b->performance;
    if (p->present != q->present || !str_eq(p->unit_name, q->unit_name) ||
        !str_eq(p->supervisor, q->supervisor) || !str_eq(p->period, q->period) ||
        p->ngoals != q->ngoals || p->nindicators != q->nindicators)
        DIFF("performance targets differ");
    for (size_t i = 0; i < p->ngoals; i++)
        if (!str_eq(p->goals[i], q->goals[i]))
            DIFF("performance goal %zu differs", i + 1);
    for (size_t i = 0; i < p->nindicators; i++) {
        const bk_indicator *x = &p->indicators[i], *y = &q->indicators[i];
        if (!str_eq(x->level1, y->level1) || !str_eq(x->level2, y->level2) ||
            !str_eq(x->level3, y->level3) || !str_eq(x->target, y->target))
            DIFF("performance indicator %zu differs", i + 1);
    }
    if (a->nnarrative != b->nnarrative)
        DIFF("%zu narrative parts against %zu", a->nnarrative, b->nnarrative);
    for (size_t i = 0; i < a->nnarrative; i++)
        if (!str_eq(a->narrative[i].title, b->narrative[i].title) ||
            !str_eq(a->narrative[i].text, b->narrative[i].text))
            DIFF("narrative part %zu differs", i + 1);
    return 1;
}

static const char *const row_kind_names[] = {"item", "unit", "total", "of"};
static const char *const unit_kind_names[] = {"department", "self", "subunit"};

const char *bk_row_kind_name(bk_row_kind kind)
{
    return (unsigned)kind < 4 ? row_kind_names[kind] : "item";
}

/* The index of s among the n names, -1 when it is none of them. */
static int name_index(const char *const *names, int n, const char *s)
{
    for (int i = 0; i < n; i++)
        if (strcmp(s, names[i]) == 0)
            return i;
    return -1;
}

int bk_row_kind_parse(const char *s) { return name_index(row_kind_names, 4, s); }

const char *bk_unit_kind_name(bk_unit_kind kind)
{
    return (unsigned)kind < 3 ? unit_kind_names[kind] : "subunit";
}

int bk_unit_kind_parse(const char *s) { return name_index(unit_kind_names, 3, s); }

int bk_doc_mergeable(const bk_doc *into, const bk_doc *from)
{
    /* Tables print names with full- or half-width brackets at will: （本级） and (本级). */
    /* Everything both declare must agree: a merge keeps only into's copy of it. */
    if (into->fiscal_year != from->fiscal_year || !bk_label_equal(into->dept_name, from->dept_name) ||
        !str_eq(into->dept_code, from->dept_code) || into->precision != from->precision ||
        !str_eq(into->money_unit, from->money_unit) || into->nunits != from->nunits)
        return 0;
    for (size_t i = 0; i < into->nunits; i++)
        if (!str_eq(into->units[i].id, from->units[i].id) ||
            !bk_label_equal(into->units[i].name, from->units[i].name) ||
            into->units[i].kind != from->units[i].kind ||
            into->units[i].parent != from->units[i].parent)
            return 0;
    for (size_t t = 0; t < from->ntables; t++)
        if (bk_doc_table(into, from->tables[t]->tpl->id))
            return 0;
    /* Two sets of performance targets or narratives would have to be chosen between. */
    if ((into->performance.present && from->performance.present) ||
        (into->nnarrative && from->nnarrative))
        return 0;
    return from->ntables > 0 || from->performance.present || from->nnarrative;
}

static bk_status copy_table(bk_doc *into, const bk_doc *from, const bk_table *src)
{
    const bk_template *tpl = src->tpl;
    /* A layout the other document defined must live as long as this one. */
    if (tpl->defined && !(tpl = bk_doc_define_template(into, tpl, tpl->id, tpl->title, NULL, 0)))
        return BK_E_NOMEM;
    bk_table *t = bk_doc_add_table(into, tpl);
    if (!t || bk_table_set_labels(into, t, src->unit_label, src->note) != BK_OK ||
        bk_table_set_money_unit(into, t, src->money_unit) != BK_OK)
        return BK_E_NOMEM;
    int ok = 1;
    t->source = intern_opt(into, bk_table_source(from, src), &ok);
    if (!ok)
        return BK_E_NOMEM;
    for (size_t r = 0; r < src->nrows; r++) {
        const bk_row *row = &src->rows[r];
        long nr = bk_table_add_row(into, t, (bk_row_kind)row->kind, row->unit, row->section,
                                   row->code, row->name, row->level, row->line);
        if (nr < 0)
            return BK_E_NOMEM;
        for (size_t c = 0; c < src->tpl->ncolumns; c++) {
            const bk_cell *cell = bk_table_cell(src, r, c);
            bk_status st = BK_OK;
            if (cell->kind == BK_CELL_NUMBER)
                st = bk_table_set_number(t, (size_t)nr, c, bk_cell_decimal(cell));
            else if (cell->kind == BK_CELL_TEXT)
                st = bk_table_set_text(into, t, (size_t)nr, c, cell->v.text, strlen(cell->v.text));
            if (st != BK_OK)
                return st;
        }
    }
    return BK_OK;
}

bk_status bk_doc_merge(bk_doc *into, const bk_doc *from, bk_error *err)
{
    if (!bk_doc_mergeable(into, from))
        return bk_error_set(err, BK_E_CONTENT, "the documents are not parts of one budget");
    bk_status st = BK_OK;
    for (size_t t = 0; t < from->ntables && st == BK_OK; t++)
        st = copy_table(into, from, from->tables[t]);
    const bk_performance *pf = &from->performance;
    if (st == BK_OK && pf->present) {
        st = bk_doc_set_performance(into, pf->unit_name, pf->supervisor, pf->period);
        for (size_t i = 0; i < pf->ngoals && st == BK_OK; i++)
            st = bk_doc_add_goal(into, pf->goals[i]);
        for (size_t i = 0; i < pf->nindicators && st == BK_OK; i++)
            st = bk_doc_add_indicator(into, pf->indicators[i].level1, pf->indicators[i].level2,
                                      pf->indicators[i].level3, pf->indicators[i].target);
    }
    for (size_t i = 0; i < from->nnarrative && st == BK_OK; i++)
        st = bk_doc_add_narrative(into, from->narrative[i].title, from->narrative[i].text);
    if (st != BK_OK)
        return bk_error_set(err, st, "out of memory");
    return BK_OK;
}
