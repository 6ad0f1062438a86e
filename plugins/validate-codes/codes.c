/* Validator "codes": classification codes must be well formed, sit under their parent, exist
 * in the catalogue under the catalogue's name, and carry one name throughout a submission. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "budgetkit/budgetkit.h"
#include "catalog.h"

#define RULE_FORMAT       "codes.format"
#define RULE_PARENT       "codes.parent-missing"
#define RULE_TRUNCATED    "codes.table-truncated"
#define RULE_MISPLACED    "codes.misplaced"
#define RULE_DUPLICATE    "codes.duplicate"
#define RULE_UNKNOWN      "codes.unknown"
#define RULE_NAME         "codes.name-mismatch"
#define RULE_NAME_YEAR    "codes.name-other-year"
#define RULE_INCONSISTENT "codes.name-inconsistent"

/* The first name printed for a code, and where: kept across the documents of a job. Its strings
 * are one block, which scheme points to the start of. */
typedef struct seen {
    char *scheme, *code, *name, *document, *table, *unit;
    long line;
} seen;

typedef struct codes_state {
    bkcodes_catalog cat;
    int loaded;
    seen *seen;
    size_t nseen, capseen;
    size_t *slots; /* open addressing: index + 1 into seen, 0 = empty */
    size_t nslots;
} codes_state;

/* ---- state ---- */

static void state_free(void *p)
{
    codes_state *st = p;
    if (!st)
        return;
    bkcodes_free(&st->cat);
    for (size_t i = 0; i < st->nseen; i++)
        bk_free(st->seen[i].scheme);
    bk_free(st->seen);
    bk_free(st->slots);
    bk_free(st);
}

static size_t hash_key(const char *scheme, const char *code)
{
    uint64_t h = 1469598103934665603ULL;
    for (const char *p = scheme; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    h = (h ^ 0xFFu) * 1099511628211ULL;
    for (const char *p = code; *p; p++)
        h = (h ^ (unsigned char)*p) * 1099511628211ULL;
    return (size_t)h;
}

static seen *seen_find(codes_state *st, const char *scheme, const char *code)
{
    if (!st->nslots)
        return NULL;
    for (size_t i = hash_key(scheme, code) & (st->nslots - 1);; i = (i + 1) & (st->nslots - 1)) {
        size_t k = st->slots[i];
        if (!k)
            return NULL;
        seen *s = &st->seen[k - 1];
        if (strcmp(s->code, code) == 0 && strcmp(s->scheme, scheme) == 0)
            return s;
    }
}

static int rehash(codes_state *st, size_t nslots)
{
    size_t *slots = bk_calloc(nslots, sizeof *slots);
    if (!slots)
        return -1;
    for (size_t k = 0; k < st->nseen; k++) {
        size_t i = hash_key(st->seen[k].scheme, st->seen[k].code) & (nslots - 1);
        while (slots[i])
            i = (i + 1) & (nslots - 1);
        slots[i] = k + 1;
    }
    bk_free(st->slots);
    st->slots = slots;
    st->nslots = nslots;
    return 0;
}

/* Copies where's strings (NULL as "") into one block: 0, or -1 out of memory. */
static int seen_copy(seen *s, const seen *where)
{
    const char *from[] = {where->scheme,   where->code,  where->name,
                          where->document, where->table, where->unit};
    char **to[] = {&s->scheme, &s->code, &s->name, &s->document, &s->table, &s->unit};
    size_t len[sizeof from / sizeof from[0]], total = 0;
    for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
        if (!from[i])
            from[i] = "";
        len[i] = strlen(from[i]) + 1;
        total += len[i];
    }
    char *p = bk_malloc(total);
    if (!p)
        return -1;
    for (size_t i = 0; i < sizeof from / sizeof from[0]; i++) {
        *to[i] = memcpy(p, from[i], len[i]);
        p += len[i];
    }
    s->line = where->line;
    return 0;
}

static int seen_add(codes_state *st, const seen *where)
{
    /* Room first (the index at most half full), so that nothing is left half added. */
    if ((st->nseen + 1) * 2 > st->nslots && rehash(st, st->nslots ? st->nslots * 2 : 256) != 0)
        return -1;
    void *buf = st->seen;
    if (bk_grow(&buf, &st->capseen, st->nseen + 1, sizeof *st->seen) != 0)
        return -1;
    st->seen = buf;
    seen *s = &st->seen[st->nseen];
    if (seen_copy(s, where) != 0)
        return -1;
    st->nseen++;
    size_t i = hash_key(s->scheme, s->code) & (st->nslots - 1);
    while (st->slots[i])
        i = (i + 1) & (st->nslots - 1);
    st->slots[i] = st->nseen;
    return 0;
}

/* ---- the catalogue ---- */

static bk_status load_catalog(bk_validation *job, codes_state *st)
{
    bk_error *err = bk_validation_error(job);
    const char *data = bk_ctx_data_dir(bk_validation_ctx(job));
    const char *user = bk_validation_option(job, "catalog");
    if (user && !*user)
        user = NULL;
    bk_status status = BK_OK;
    char *dir = data ? bkcodes_join(data, "catalog") : NULL;
    if (data && !dir)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    if (dir) {
        status = bkcodes_load_dir(&st->cat, dir, err);
        /* Without the shipped catalogue a user's own full list is enough. */
        if (status == BK_E_IO && user) {
            bk_error_clear(err);
            status = BK_OK;
        } else if (status == BK_E_IO) {
            bk_error_set(err, BK_E_IO, "cannot open the code catalogue folder (give a catalogue "
                         "with --catalog FILE)");
        }
    } else if (!user) {
        status = bk_error_set(err, BK_E_USAGE, "no data folder holds a code catalogue (give one "
                              "with --catalog FILE)");
    }
    bk_free(dir);
    if (status == BK_OK && user)
        status = bkcodes_load_user(&st->cat, user, err);
    if (status == BK_OK)
        status = bkcodes_finish(&st->cat, err);
    return status;
}

/* ---- findings ---- */

typedef struct crun {
    bk_validation *job;
    const bk_doc *doc;
    codes_state *st;
    bk_severity unknown_econ;
    const bk_table *t;
    bk_strbuf en, zh;
    json_t *pending; /* a partial run: the coded rows of the table t */
} crun;

static const char *unit_name(const crun *r, const bk_row *row)
{
    return row->unit < r->doc->nunits ? r->doc->units[row->unit].name : NULL;
}

/* en and zh hold the sentences; the finding is located at the row. */
static bk_status emit(crun *r, const char *rule, bk_severity sev, size_t row)
{
    const bk_row *rw = &r->t->rows[row];
    if (r->en.failed || r->zh.failed)
        return bk_error_set(bk_validation_error(r->job), BK_E_NOMEM, "out of memory");
    bk_finding f;
    memset(&f, 0, sizeof f);
    f.rule = rule;
    f.severity = sev;
    f.document = bk_table_source(r->doc, r->t);
    f.unit = unit_name(r, rw);
    f.table = r->t->tpl->id;
    f.row = rw->code && *rw->code ? rw->code : rw->name;
    f.line = (long)rw->line;
    f.message_en = bk_strbuf_str(&r->en);
    f.message_zh = bk_strbuf_str(&r->zh);
    return bk_validation_add(r->job, &f);
}

static void lead(crun *r, size_t row)
{
    const bk_row *rw = &r->t->rows[row];
    bk_strbuf_clear(&r->en);
    bk_strbuf_clear(&r->zh);
    if (rw->name && *rw->name) {
        bk_strbuf_add(&r->en, "%s row %s (%s): ", r->t->tpl->id, rw->code, rw->name);
        bk_strbuf_add(&r->zh, "表%s科目%s（%s）", r->t->tpl->id, rw->code, rw->name);
    } else {
        bk_strbuf_add(&r->en, "%s row %s: ", r->t->tpl->id, rw->code);
        bk_strbuf_add(&r->zh, "表%s科目%s", r->t->tpl->id, rw->code);
    }
}

/* A classification's name in each language; an unknown scheme is named as it is written. */
static const struct {
    const char *scheme, *en, *zh;
} scheme_names[] = {
    {BKCODES_FUNCTION, "functional classification", "支出功能分类"},
    {BKCODES_ECON_DEPT, "departmental economic classification", "部门预算支出经济分类"},
    {BKCODES_ECON_GOV, "government economic classification", "政府预算支出经济分类"},
};

static const char *scheme_name(const char *scheme, int zh)
{
    for (size_t i = 0; i < sizeof scheme_names / sizeof scheme_names[0]; i++)
        if (strcmp(scheme, scheme_names[i].scheme) == 0)
            return zh ? scheme_names[i].zh : scheme_names[i].en;
    return scheme;
}

static const char *scheme_en(const char *scheme) { return scheme_name(scheme, 0); }

static const char *scheme_zh(const char *scheme) { return scheme_name(scheme, 1); }

static const char *base_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    return slash ? slash + 1 : path;
}

/* ---- per-row checks ---- */

static bk_status check_format(crun *r, size_t row, const char *scheme)
{
    int econ = strcmp(scheme, BKCODES_FUNCTION) != 0;
    const bk_row *rw = &r->t->rows[row];
    bk_strbuf_clear(&r->en);
    bk_strbuf_clear(&r->zh);
    bk_strbuf_add(&r->en, "%s row %s: \"%s\" is not a well-formed %s code (%s digits).",
                  r->t->tpl->id, rw->code, rw->code, scheme_en(scheme),
                  econ ? "3 or 5" : "3, 5 or 7");
    bk_strbuf_add(&r->zh, "表%s科目编码“%s”格式不正确：%s科目编码应为%s位数字。", r->t->tpl->id,
                  rw->code, scheme_zh(scheme), econ ? "3或5" : "3、5或7");
    return emit(r, RULE_FORMAT, BK_SEV_ERROR, row);
}

/* The catalogue entry is of a list of another year than the document's: both years known. */
static int other_year(const crun *r, int year)
{
    return year && r->doc->fiscal_year && year != r->doc->fiscal_year;
}

static bk_status check_catalog(crun *r, size_t row, const char *scheme, int level)
{
    const bk_row *rw = &r->t->rows[row];
    const bkcodes_entry *e = bkcodes_find(&r->st->cat, scheme, rw->code);
    if (e) {
        if (bk_label_equal(e->name, rw->name))
            return BK_OK;
        lead(r, row);
        if (other_year(r, e->year)) {
            /* 20805 was 行政事业单位离退休 in 2019 and is 行政事业单位养老支出 in 2024. */
            bk_strbuf_add(&r->en,
                          "the %d catalogue names %s \"%s\" (%s line %ld); this document is "
                          "of %d and prints \"%s\": names change between years, so this is no "
                          "mismatch (load the %d list with --catalog FILE to check the name).",
                          e->year, rw->code, e->name, base_name(e->file), e->line,
                          r->doc->fiscal_year, rw->name, r->doc->fiscal_year);
            bk_strbuf_add(&r->zh,
                          "%d年目录中%s的名称为“%s”（%s第%ld行）；本文件为%d年度，列示为“%s”："
                          "科目名称逐年调整，不视为不一致（可用--catalog加载%d年目录核对）。",
                          e->year, rw->code, e->name, base_name(e->file), e->line,
                          r->doc->fiscal_year, rw->name, r->doc->fiscal_year);
            return emit(r, RULE_NAME_YEAR, BK_SEV_INFO, row);
        }
        bk_strbuf_add(&r->en,
                      "the printed name \"%s\" differs from the catalogue's \"%s\" (%s line %ld).",
                      rw->name, e->name, base_name(e->file), e->line);
        bk_strbuf_add(&r->zh, "名称“%s”与目录中的“%s”不一致（%s第%ld行）。", rw->name, e->name,
                      base_name(e->file), e->line);
        return emit(r, RULE_NAME, BK_SEV_WARNING, row);
    }
    int complete = bkcodes_level_complete(&r->st->cat, scheme, level);
    lead(r, row);
    if (complete < 0) {
        bk_strbuf_add(&r->en, "the catalogue holds no %s codes, so this code cannot be checked.",
                      scheme_en(scheme));
        bk_strbuf_add(&r->zh, "目录中没有%s科目，无法核对该科目编码。", scheme_zh(scheme));
        return emit(r, RULE_UNKNOWN, BK_SEV_INFO, row);
    }
    bk_strbuf_add(&r->en, "code %s is not in the catalogue of %s codes", rw->code,
                  scheme_en(scheme));
    bk_strbuf_add(&r->zh, "不在%s科目目录中", scheme_zh(scheme));
    int year = bkcodes_scheme_year(&r->st->cat, scheme);
    if (complete && other_year(r, year)) {
        /* Codes are added and withdrawn from one year's list to the next. */
        bk_strbuf_add(&r->en,
                      " of %d; this document is of %d and codes change between years (load "
                      "the %d list with --catalog FILE to check the code).",
                      year, r->doc->fiscal_year, r->doc->fiscal_year);
        bk_strbuf_add(
            &r->zh,
            "（%d年目录）；本文件为%d年度，科目编码逐年调整（可用--catalog加载%d年目录核对）。",
            year, r->doc->fiscal_year, r->doc->fiscal_year);
        return emit(r, RULE_UNKNOWN, BK_SEV_INFO, row);
    }
    if (complete) {
        bk_strbuf_add(&r->en, ", whose %s level is complete.", bkcodes_level_name_en(level));
        bk_strbuf_add(&r->zh, "（目录的“%s”级为完整列表）。", bkcodes_level_name(level));
        bk_severity sev = strcmp(scheme, BKCODES_FUNCTION) == 0 ? BK_SEV_ERROR : r->unknown_econ;
        return emit(r, RULE_UNKNOWN, sev, row);
    }
    bk_strbuf_add(&r->en,
                  "; the catalogue's %s level is incomplete, so the code may still be valid "
                  "(load the full official list with --catalog FILE).",
                  bkcodes_level_name_en(level));
    bk_strbuf_add(&r->zh,
                  "；目录的“%s”级不完整，该编码仍可能有效（可用--catalog加载完整的官方目录）。",
                  bkcodes_level_name(level));
    return emit(r, RULE_UNKNOWN, BK_SEV_INFO, row);
}

/* A coded row as the name-consistency rule sees it: enough to compare it with the first row of
 * its code and to report it, also after a partial run wrote it down (formats/partial.md). */
typedef struct occurrence {
    const char *scheme, *code, *name; /* name may be NULL (printed none) */
    const char *document, *table, *unit; /* unit may be NULL */
    long line;             /* the row's line, as later findings name it */
    long placed, page;     /* where a finding about it is shown (merge only) */
} occurrence;

/* One code, one name: compared with the first row printed with the code, in this document or
 * an earlier one of the run. */
static bk_status consistent(bk_validation *job, codes_state *st, bk_strbuf *en, bk_strbuf *zh,
                            const occurrence *o, int placed)
{
    seen *s = seen_find(st, o->scheme, o->code);
    if (!s) {
        seen here = {(char *)o->scheme, (char *)o->code, (char *)o->name, (char *)o->document,
                     (char *)o->table, (char *)o->unit, o->line};
        if (seen_add(st, &here) != 0)
            return bk_error_set(bk_validation_error(job), BK_E_NOMEM, "out of memory");
        return BK_OK;
    }
    if (bk_label_equal(s->name, o->name))
        return BK_OK;
    bk_strbuf_clear(en);
    bk_strbuf_clear(zh);
    if (o->name && *o->name) {
        bk_strbuf_add(en, "%s row %s (%s): ", o->table, o->code, o->name);
        bk_strbuf_add(zh, "表%s科目%s（%s）", o->table, o->code, o->name);
    } else {
        bk_strbuf_add(en, "%s row %s: ", o->table, o->code);
        bk_strbuf_add(zh, "表%s科目%s", o->table, o->code);
    }
    bk_strbuf_add(en,
                  "the printed name \"%s\" differs from \"%s\", printed for the same code in %s "
                  "(unit %s, %s line %ld); one code must carry one name.",
                  o->name, s->name, s->table, s->unit, *s->document ? s->document : "this document",
                  s->line);
    bk_strbuf_add(zh,
                  "名称“%s”与同一科目在表%s（单位%s，%s第%ld行）中的名称“%s”不一致；同一科目编码"
                  "应使用同一名称。",
                  o->name, s->table, s->unit, *s->document ? s->document : "本文件", s->line,
                  s->name);
    if (en->failed || zh->failed)
        return bk_error_set(bk_validation_error(job), BK_E_NOMEM, "out of memory");
    bk_finding f;
    memset(&f, 0, sizeof f);
    f.rule = RULE_INCONSISTENT;
    f.severity = BK_SEV_ERROR;
    f.document = o->document;
    f.unit = o->unit;
    f.table = o->table;
    f.row = o->code;
    f.line = placed ? o->placed : o->line;
    f.page = placed ? o->page : 0;
    f.message_en = bk_strbuf_str(en);
    f.message_zh = bk_strbuf_str(zh);
    return bk_validation_add(job, &f);
}

static bk_status partial_add(crun *r, const occurrence *o)
{
    if (!r->pending && !(r->pending = json_array()))
        return bk_error_set(bk_validation_error(r->job), BK_E_NOMEM, "out of memory");
    json_t *row = json_pack("[s s s? s? I I I]", o->scheme, o->code, o->name, o->unit,
                            (json_int_t)o->line, (json_int_t)o->placed, (json_int_t)o->page);
    if (json_array_append_new(r->pending, row) != 0)
        return bk_error_set(bk_validation_error(r->job), BK_E_NOMEM, "out of memory");
    return BK_OK;
}

/* The table's coded rows as one record. */
static bk_status partial_flush(crun *r)
{
    if (!r->pending)
        return BK_OK;
    json_t *rows = r->pending;
    r->pending = NULL;
    json_t *rec = json_pack("{s{ss ss so}}", "table", "document", bk_table_source(r->doc, r->t),
                            "table", r->t->tpl->id, "rows", rows);
    char *json = rec ? json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    json_decref(rec);
    if (!json)
        return bk_error_set(bk_validation_error(r->job), BK_E_NOMEM, "out of memory");
    bk_status st = bk_validation_write_record(r->job, json);
    bk_free(json);
    return st;
}

static bk_status check_consistent(crun *r, size_t row, const char *scheme)
{
    const bk_row *rw = &r->t->rows[row];
    occurrence o = {scheme, rw->code, rw->name, bk_table_source(r->doc, r->t), r->t->tpl->id,
                    unit_name(r, rw), (long)rw->line, 0, 0};
    if (!bk_validation_partial(r->job))
        return consistent(r->job, r->st, &r->en, &r->zh, &o, 0);
    /* A partial run leaves the rule to the merge: which row is the first of its code is only
     * known there. */
    o.placed = bk_validation_place(r->job, o.document, o.line, &o.page);
    return partial_add(r, &o);
}

/* ---- structure within a unit's block ---- */

typedef struct coded {
    size_t row;
    const char *code;
} coded;

static int cmp_coded(const void *x, const void *y)
{
    const coded *a = x, *b = y;
    int c = strcmp(a->code, b->code);
    return c ? c : (a->row > b->row) - (a->row < b->row);
}

static int cmp_code_only(const void *x, const void *y)
{
    return strcmp(((const coded *)x)->code, ((const coded *)y)->code);
}

/* The first printed row with this code in the block, or NULL. */
static const coded *lookup(const coded *sorted, size_t n, const char *code)
{
    coded key = {0, code};
    const coded *hit = bsearch(&key, sorted, n, sizeof *sorted, cmp_code_only);
    while (hit && hit > sorted && strcmp(hit[-1].code, code) == 0)
        hit--;
    return hit;
}

static int same_block(const bk_row *a, const bk_row *b)
{
    return a->unit == b->unit &&
           (a->section == b->section || (a->section && b->section && !strcmp(a->section, b->section)));
}

static int in_structure(const bk_row *rw, const char *row_key)
{
    const char *scheme = bkcodes_scheme_for(row_key, rw->code);
    return rw->kind == BK_ROW_ITEM && rw->code && scheme &&
           bkcodes_code_level(scheme, rw->code) > 0;
}

static bk_status misplaced(crun *r, size_t row, const char *parent, const char *under)
{
    lead(r, row);
    if (under) {
        bk_strbuf_add(&r->en, "printed under %s, but it belongs to %s.", under, parent);
        bk_strbuf_add(&r->zh, "列在科目%s之下，但其上级科目为%s。", under, parent);
    } else {
        bk_strbuf_add(&r->en, "printed before its parent %s.", parent);
        bk_strbuf_add(&r->zh, "列在其上级科目%s之前。", parent);
    }
    return emit(r, RULE_MISPLACED, BK_SEV_ERROR, row);
}

static bk_status parent_missing(crun *r, size_t row, const char *parent)
{
    lead(r, row);
    bk_strbuf_add(&r->en, "its parent %s is not printed in this unit's part of the table.", parent);
    bk_strbuf_add(&r->zh, "的上级科目%s未在本单位的表中列示。", parent);
    return emit(r, RULE_PARENT, BK_SEV_ERROR, row);
}

static bk_status duplicate(crun *r, size_t row, const coded *first)
{
    lead(r, row);
    unsigned long line = r->t->rows[first->row].line;
    if (line) {
        bk_strbuf_add(&r->en,
                      "the code is printed twice in this unit's part of the table (first on "
                      "line %lu).",
                      line);
        bk_strbuf_add(&r->zh, "在本单位的表中重复列示（首次出现在第%lu行）。", line);
    } else {
        bk_strbuf_add(&r->en, "the code is printed twice in this unit's part of the table.");
        bk_strbuf_add(&r->zh, "在本单位的表中重复列示。");
    }
    return emit(r, RULE_DUPLICATE, BK_SEV_ERROR, row);
}

typedef struct block {
    coded *sorted;
    size_t n;
} block;

/* Rows of row's block with a well-formed code, sorted by code. */
static bk_status block_of(const bk_table *t, size_t row, block *b)
{
    b->sorted = bk_calloc(t->nrows + 1, sizeof *b->sorted);
    b->n = 0;
    if (!b->sorted)
        return BK_E_NOMEM;
    for (size_t i = 0; i < t->nrows; i++)
        if (in_structure(&t->rows[i], t->tpl->row_key) && same_block(&t->rows[i], &t->rows[row]))
            b->sorted[b->n++] = (coded){i, t->rows[i].code};
    qsort(b->sorted, b->n, sizeof *b->sorted, cmp_coded);
    return BK_OK;
}

static void parent_of(const char *code, char *out)
{
    size_t n = strlen(code) - 2;
    memcpy(out, code, n);
    out[n] = '\0';
}

static bk_status report_lost_top(crun *r, const size_t *rows, size_t n)
{
    bk_strbuf codes, codes_zh, parents, parents_zh;
    memset(&codes, 0, sizeof codes);
    memset(&codes_zh, 0, sizeof codes_zh);
    memset(&parents, 0, sizeof parents);
    memset(&parents_zh, 0, sizeof parents_zh);
    for (size_t i = 0; i < n; i++) {
        char parent[8];
        const char *code = r->t->rows[rows[i]].code;
        parent_of(code, parent);
        bk_strbuf_add(&codes, "%s%s", i ? ", " : "", code);
        bk_strbuf_add(&codes_zh, "%s%s", i ? "、" : "", code);
        if (!parents.s || !strstr(parents.s, parent)) {
            bk_strbuf_add(&parents, "%s%s", parents.len ? ", " : "", parent);
            bk_strbuf_add(&parents_zh, "%s%s", parents_zh.len ? "、" : "", parent);
        }
    }
    bk_strbuf_clear(&r->en);
    bk_strbuf_clear(&r->zh);
    bk_strbuf_add(
        &r->en,
        "%s starts with %s, whose parents (%s) are printed nowhere in the table: the "
        "beginning of the table appears to be lost (as when a page is lost in extracting a "
        "PDF), so these rows are not reported as errors.",
        r->t->tpl->id, bk_strbuf_str(&codes), bk_strbuf_str(&parents));
    bk_strbuf_add(
        &r->zh,
        "表%s以科目%s开头，其上级科目（%s）在表中均未列示：表格开头部分可能已缺失（如从PDF"
        "提取时丢失一页），故这些行不作为错误报告。",
        r->t->tpl->id, bk_strbuf_str(&codes_zh), bk_strbuf_str(&parents_zh));
    bk_status st = codes.failed || parents.failed || codes_zh.failed || parents_zh.failed
                       ? bk_error_set(bk_validation_error(r->job), BK_E_NOMEM, "out of memory")
                       : emit(r, RULE_TRUNCATED, BK_SEV_INFO, rows[0]);
    bk_strbuf_free(&codes);
    bk_strbuf_free(&codes_zh);
    bk_strbuf_free(&parents);
    bk_strbuf_free(&parents_zh);
    return st;
}

/* Walk the table in printed order, keeping for each block the open 类 and 款. */
static bk_status check_structure(crun *r)
{
    const bk_table *t = r->t;
    size_t nrows = t->nrows;
    /* Per block, indexed by the block's first row; heads lists those first rows. */
    block *blocks = bk_calloc(nrows + 1, sizeof *blocks);
    size_t *heads = bk_calloc(nrows + 1, sizeof *heads), *lost = bk_calloc(nrows + 1, sizeof *lost);
    const char **open3 = bk_calloc(nrows + 1, sizeof *open3);
    const char **open5 = bk_calloc(nrows + 1, sizeof *open5);
    bk_status st = blocks && heads && lost && open3 && open5 ? BK_OK : BK_E_NOMEM;
    size_t nlost = 0, nheads = 0;
    /* Still at the top of the table: rows there whose parents are printed nowhere in their
     * block mean that the beginning of the table was lost (a page of a PDF), which is not an
     * error of the budget. Anything else printed first (a unit row, a 类) ends the top. */
    int top = 1;
    for (size_t i = 0; st == BK_OK && i < nrows; i++) {
        const bk_row *rw = &t->rows[i];
        if (!in_structure(rw, t->tpl->row_key)) {
            top = 0;
            continue;
        }
        size_t h = 0;
        while (h < nheads && !same_block(&t->rows[heads[h]], rw))
            h++;
        if (h == nheads) {
            heads[nheads++] = i;
            if ((st = block_of(t, i, &blocks[i])) != BK_OK)
                break;
        }
        size_t b = heads[h];
        block *blk = &blocks[b];
        const coded *first = lookup(blk->sorted, blk->n, rw->code);
        if (first && first->row != i) {
            st = duplicate(r, i, first);
            top = 0;
            continue;
        }
        size_t len = strlen(rw->code);
        if (len == 3) {
            open3[b] = rw->code;
            open5[b] = NULL;
            top = 0;
            continue;
        }
        char parent[8];
        parent_of(rw->code, parent);
        const char *open = len == 5 ? open3[b] : open5[b];
        if (len == 5)
            open5[b] = rw->code;
        if (!lookup(blk->sorted, blk->n, parent)) {
            if (top)
                lost[nlost++] = i;
            else
                st = parent_missing(r, i, parent);
            continue;
        }
        top = 0;
        if (!open || strcmp(open, parent) != 0)
            st = misplaced(r, i, parent, open ? open : (len == 7 ? open3[b] : NULL));
    }
    if (st == BK_OK && nlost)
        st = report_lost_top(r, lost, nlost);
    for (size_t i = 0; blocks && i < nrows; i++)
        bk_free(blocks[i].sorted);
    bk_free(blocks);
    bk_free(heads);
    bk_free(lost);
    bk_free(open3);
    bk_free(open5);
    if (st == BK_E_NOMEM)
        return bk_error_set(bk_validation_error(r->job), BK_E_NOMEM, "out of memory");
    return st;
}

/* ---- the plugin ---- */

static bk_status check_table(crun *r)
{
    const bk_table *t = r->t;
    bk_status st = BK_OK;
    for (size_t i = 0; st == BK_OK && i < t->nrows; i++) {
        const bk_row *rw = &t->rows[i];
        if (!rw->code || !*rw->code)
            continue;
        const char *scheme = bkcodes_scheme_for(t->tpl->row_key, rw->code);
        int level = bkcodes_code_level(scheme, rw->code);
        if (level == 0) {
            st = check_format(r, i, scheme);
            continue;
        }
        st = check_catalog(r, i, scheme, level);
        if (st == BK_OK)
            st = check_consistent(r, i, scheme);
    }
    return st == BK_OK ? check_structure(r) : st;
}

static bk_status severity_option(bk_validation *job, bk_severity *out)
{
    const char *v = bk_validation_option(job, "unknown-econ-severity");
    *out = BK_SEV_ERROR;
    if (!v || !strcmp(v, "error"))
        return BK_OK;
    if (!strcmp(v, "warning"))
        *out = BK_SEV_WARNING;
    else if (!strcmp(v, "info"))
        *out = BK_SEV_INFO;
    else
        return bk_error_set(bk_validation_error(job), BK_E_USAGE,
                            "option unknown-econ-severity must be error, warning or info, not "
                            "\"%s\"", v);
    return BK_OK;
}

static codes_state *state_get(bk_validation *job)
{
    /* Zeros are also what bkcodes_init makes of the catalogue. */
    return bk_validation_state_make(job, sizeof(codes_state), state_free);
}

static bk_status validate(bk_validation *job, const bk_doc *doc)
{
    codes_state *st = state_get(job);
    if (!st)
        return bk_error_set(bk_validation_error(job), BK_E_NOMEM, "out of memory");
    crun r;
    memset(&r, 0, sizeof r);
    r.job = job;
    r.doc = doc;
    r.st = st;
    bk_status status = severity_option(job, &r.unknown_econ);
    if (status == BK_OK && !st->loaded) {
        status = load_catalog(job, st);
        st->loaded = status == BK_OK;
    }
    for (size_t i = 0; status == BK_OK && i < doc->ntables; i++) {
        r.t = doc->tables[i];
        if (bkcodes_scheme_for(r.t->tpl->row_key, "") != NULL)
            status = check_table(&r);
        if (status == BK_OK)
            status = partial_flush(&r);
    }
    json_decref(r.pending);
    bk_strbuf_free(&r.en);
    bk_strbuf_free(&r.zh);
    return status;
}

/* A merge: the coded rows of one table of a partial file, compared in the order read. */
static bk_status partial_read(bk_validation *job, const char *record, const char *file,
                              long line)
{
    (void)file, (void)line; /* the host names the place of any error */
    codes_state *st = state_get(job);
    if (!st)
        return bk_error_set(bk_validation_error(job), BK_E_NOMEM, "out of memory");
    json_error_t je;
    json_t *rec = json_loads(record, JSON_REJECT_DUPLICATES, &je), *rows = NULL;
    occurrence o;
    memset(&o, 0, sizeof o);
    bk_status status = BK_OK;
    if (!rec || json_unpack_ex(rec, &je, JSON_STRICT, "{s{ss ss so}}", "table", "document",
                               &o.document, "table", &o.table, "rows", &rows) != 0 ||
        !json_is_array(rows))
        status = bk_error_set(bk_validation_error(job), BK_E_CONTENT, "codes record: a table "
                              "holds document, table and rows (a list)");
    bk_strbuf en = {0}, zh = {0};
    for (size_t i = 0; status == BK_OK && i < json_array_size(rows); i++) {
        json_int_t l, placed, page;
        json_t *name, *unit;
        if (json_unpack_ex(json_array_get(rows, i), &je, JSON_STRICT, "[s s o o I I I]",
                           &o.scheme, &o.code, &name, &unit, &l, &placed, &page) != 0 ||
            (!json_is_null(name) && !json_is_string(name)) ||
            (!json_is_null(unit) && !json_is_string(unit)) || l < 0 || placed < 0 || page < 0 || l > LONG_MAX || placed > LONG_MAX || page > LONG_MAX)
            status = bk_error_set(bk_validation_error(job), BK_E_CONTENT, "codes record: a row "
                                  "is [scheme, code, name or null, unit or null, line, shown "
                                  "line, page], lines not negative");
        else if ((strcmp(o.scheme, BKCODES_FUNCTION) && strcmp(o.scheme, BKCODES_ECON_DEPT) &&
                  strcmp(o.scheme, BKCODES_ECON_GOV)) ||
                 bkcodes_code_level(o.scheme, o.code) <= 0)
            status = bk_error_set(bk_validation_error(job), BK_E_CONTENT, "codes record: "
                                  "\"%s\" is not a well-formed code of a known scheme", o.code);
        if (status != BK_OK)
            break;
        o.name = json_string_value(name); /* NULL for null */
        o.unit = json_string_value(unit);
        o.line = (long)l;
        o.placed = (long)placed;
        o.page = (long)page;
        status = consistent(job, st, &en, &zh, &o, 1);
    }
    bk_strbuf_free(&en);
    bk_strbuf_free(&zh);
    json_decref(rec);
    return status;
}

BK_PLUGIN(codes, .version = "1.0.0", .license = "MIT",
          .summary = "classification codes: well formed, under their parent, in the catalogue, one "
                     "name per code",
          .kinds = BK_PLUGIN_VALIDATE, .validate = validate, .partial_read = partial_read)
