/* Rules between the tables of one document, read from the data folder's rules/ (every *.json
 * there, in name order: an array of rules, or an object with a "rules" array). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "totals.h"

typedef struct loader {
    bk_ctx *ctx;
    bk_error *err;
    const bk_templates *templates;
    const char *file;
    size_t index;
} loader;

static bk_status load_error(loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bk_status load_error(loader *ld, const char *fmt, ...)
{
    char why[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(why, sizeof why, fmt, ap);
    va_end(ap);
    bk_error_at(ld->err, ld->file, 0, 0, -1);
    bk_error_where(ld->err, "rule %zu", ld->index + 1);
    return bk_error_set(ld->err, BK_E_CONTENT, "cross-table rule %zu: %s", ld->index + 1, why);
}

/* A side's table must have a template, and its column must hold figures. */
static bk_status check_side(loader *ld, json_t *side, const char *label, const char *colkey,
                            json_t *colholder, int need_row)
{
    if (!json_is_object(side))
        return load_error(ld, "\"%s\" must be an object", label);
    const char *table = json_string_value(json_object_get(side, "table"));
    if (!table)
        return load_error(ld, "\"%s\" must name a \"table\"", label);
    const bk_template *tpl = bk_templates_find(ld->templates, table);
    if (!tpl)
        return load_error(ld, "table id \"%s\" has no template", table);
    const char *col = json_string_value(json_object_get(colholder, colkey));
    if (!col)
        return load_error(ld, "\"%s\" must name a column of %s", colkey, table);
    int c = bk_template_column(tpl, col);
    if (c < 0 || tpl->columns[c].type == BK_COL_TEXT)
        return load_error(ld, "column \"%s\" is not a figure column of %s", col, table);
    if (need_row) {
        bktot_selector s;
        char why[160];
        json_t *row = json_object_get(side, "row");
        if (!json_is_object(row))
            return load_error(ld, "\"%s\" must have a \"row\" selector", label);
        if (bktot_selector_parse(row, &s, why, sizeof why) != 0)
            return load_error(ld, "\"%s\".row: %s", label, why);
    }
    return BK_OK;
}

static bk_status check_rule(loader *ld, json_t *rule)
{
    const char *kind = json_string_value(json_object_get(rule, "rule"));
    if (!json_is_object(rule) || !kind)
        return load_error(ld, "a rule must be an object with a \"rule\" name");
    json_t *a = json_object_get(rule, "a"), *b = json_object_get(rule, "b");
    if (strcmp(kind, "equal") == 0) {
        bk_status st = check_side(ld, a, "a", "column", a, 1);
        return st != BK_OK ? st : check_side(ld, b, "b", "column", b, 1);
    }
    if (strcmp(kind, "equal-rows") == 0) {
        const char *match = json_string_value(json_object_get(rule, "match"));
        if (!match || (strcmp(match, "code") && strcmp(match, "name")))
            return load_error(ld, "\"match\" must be \"code\" or \"name\"");
        bk_status st = check_side(ld, a, "a", "column_a", rule, 0);
        return st != BK_OK ? st : check_side(ld, b, "b", "column_b", rule, 0);
    }
    return load_error(ld, "unknown rule \"%s\"", kind);
}

static bk_status load_file(bktot_state *st, loader *ld, const char *path)
{
    json_error_t jerr;
    json_t *root = json_load_file(path, 0, &jerr);
    ld->file = path;
    if (!root && json_error_code(&jerr) == json_error_out_of_memory)
        return bk_error_set(ld->err, BK_E_NOMEM, "out of memory");
    if (!root) {
        bk_error_at(ld->err, path, jerr.line, jerr.column, jerr.position);
        return bk_error_set(ld->err, BK_E_SYNTAX, "cross-table rules: %s", jerr.text);
    }
    json_t *list = json_is_object(root) ? json_object_get(root, "rules") : root;
    if (!json_is_array(list)) {
        json_decref(root);
        bk_error_at(ld->err, path, 0, 0, -1);
        return bk_error_set(ld->err, BK_E_CONTENT,
                            "cross-table rules must be an array (or an object with \"rules\")");
    }
    json_t *rule;
    bk_status status = BK_OK;
    json_array_foreach(list, ld->index, rule) {
        status = check_rule(ld, rule);
        if (status != BK_OK)
            break;
    }
    void *buf = st->x;
    size_t cap = st->nx;
    char *name = status == BK_OK ? bk_strdup(path) : NULL;
    if (status == BK_OK && (!name || bk_grow(&buf, &cap, st->nx + 1, sizeof *st->x) != 0))
        status = bk_error_set(ld->err, BK_E_NOMEM, "out of memory");
    if (status != BK_OK) {
        bk_free(name);
        json_decref(root);
        return status;
    }
    st->x = buf;
    st->x[st->nx].rules = json_incref(list);
    st->x[st->nx].file = name;
    st->nx++;
    json_decref(root);
    return BK_OK;
}

void bktot_cross_free(bktot_state *st)
{
    for (size_t i = 0; i < st->nx; i++) {
        json_decref(st->x[i].rules);
        bk_free(st->x[i].file);
    }
    bk_free(st->x);
}

static char *join_path(const char *a, const char *b)
{
    size_t n = strlen(a) + strlen(b) + 2;
    char *p = bk_malloc(n);
    if (p)
        snprintf(p, n, "%s/%s", a, b);
    return p;
}

bk_status bktot_cross_load(bktot_state *st, bk_ctx *ctx, bk_error *err)
{
    if (st->xloaded)
        return BK_OK;
    st->xloaded = 1;
    loader ld = {ctx, err, NULL, NULL, 0};
    const char *data = bk_ctx_data_dir(ctx);
    if (!data)
        return BK_OK;
    ld.templates = bk_ctx_templates(ctx, err);
    if (!ld.templates)
        return err->code ? err->code : BK_E_CONTENT;
    char *dir = join_path(data, "rules");
    if (!dir)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    struct stat sb;
    if (stat(dir, &sb) != 0) {
        /* No rules folder: a data folder may well hold templates only. */
        bk_free(dir);
        return BK_OK;
    }
    char **names;
    size_t n;
    bk_status status = bk_dir_list(dir, ".json", &names, &n, err);
    for (size_t i = 0; i < n && status == BK_OK; i++) {
        char *path = join_path(dir, names[i]);
        status = path ? load_file(st, &ld, path) : bk_error_set(err, BK_E_NOMEM, "out of memory");
        bk_free(path);
    }
    bk_dir_list_free(names, n);
    bk_free(dir);
    return status;
}

/* ---- applying them ---- */

typedef struct side {
    const bk_table *t;
    int col;
    long row;
} side;

static long find_row(const bk_doc *doc, const bk_table *t, json_t *selector)
{
    bktot_selector s;
    char why[160];
    if (bktot_selector_parse(selector, &s, why, sizeof why) != 0)
        return -1;
    for (size_t i = 0; i < t->nrows; i++)
        if (bktot_selector_match(doc, &t->rows[i], &s))
            return (long)i;
    return -1;
}

/* Table, column and (for "equal") row of one side; 0 when the document does not have it. */
static int resolve(const bk_doc *doc, json_t *sidej, const char *col, int need_row, side *out)
{
    out->t = bk_doc_table(doc, json_string_value(json_object_get(sidej, "table")));
    if (!out->t)
        return 0;
    out->col = bk_template_column(out->t->tpl, col);
    if (out->col < 0)
        return 0;
    out->row = need_row ? find_row(doc, out->t, json_object_get(sidej, "row")) : -1;
    return !need_row || out->row >= 0;
}

/* The unit a table prints in: its own, else the document's. */
static const char *unit_of(const bk_doc *doc, const bk_table *t)
{
    return t->money_unit ? t->money_unit : doc->money_unit;
}

/* vb, printed in tb's unit, exactly in ta's (万元 and 元 are 10^4 apart), so that a cell of a
 * 万元 table compares with one of a 元 table. 0 when it does not fit (then not compared). */
static int in_unit_of(const bk_doc *doc, const bk_table *ta, const bk_table *tb, bk_decimal *vb)
{
    const char *ua = unit_of(doc, ta), *ub = unit_of(doc, tb);
    if (!ua || !ub || strcmp(ua, ub) == 0)
        return 1;
    if (strcmp(ub, "万元") == 0 && strcmp(ua, "元") == 0) {
        for (int k = 0; k < 4; k++) {
            if (vb->scale > 0) {
                vb->scale--;
            } else {
                if (vb->units > INT64_MAX / 10 || vb->units < -(INT64_MAX / 10))
                    return 0;
                vb->units *= 10;
            }
        }
        return 1;
    }
    if (strcmp(ub, "元") == 0 && strcmp(ua, "万元") == 0 && vb->scale + 4 <= BK_DECIMAL_MAX_SCALE) {
        vb->scale += 4;
        return 1;
    }
    return 0;
}

static bk_status equal_rule(bktot_run *run, json_t *rule, const char *name)
{
    json_t *a = json_object_get(rule, "a"), *b = json_object_get(rule, "b");
    side sa, sb;
    bk_decimal va, vb;
    if (!resolve(run->doc, a, json_string_value(json_object_get(a, "column")), 1, &sa) ||
        !resolve(run->doc, b, json_string_value(json_object_get(b, "column")), 1, &sb) ||
        !bktot_cell(sa.t, (size_t)sa.row, sa.col, &va) ||
        !bktot_cell(sb.t, (size_t)sb.row, sb.col, &vb) || !in_unit_of(run->doc, sa.t, sb.t, &vb))
        return BK_OK; /* a missing table or blank cell is not an error of the budget */
    bktot_check c;
    bktot_check_equal(va, vb, &c);
    bktot_ids_open(run->ids, BKTOT_I_EQUAL, RULE_CROSS);
    bktot_ids_term(run->ids, sa.t, (size_t)sa.row, sa.col, 0);
    bktot_ids_term(run->ids, sb.t, (size_t)sb.row, sb.col, 1);
    if (c.verdict == BKTOT_EQUAL) {
        bktot_ids_close(run->ids, sa.t, (size_t)sa.row, sa.col, c.verdict, 0);
        return BK_OK;
    }
    size_t before = bk_validation_last_id(run->job);
    bk_strbuf en, zh, parts;
    bk_strbuf_init(&en);
    bk_strbuf_init(&zh);
    bk_strbuf_init(&parts);
    bk_strbuf_add(&parts, "%s ", sb.t->tpl->id);
    bktot_row_key(sb.t, (size_t)sb.row, &parts);
    bk_strbuf_add(&parts, " %s", sb.t->tpl->columns[sb.col].id);
    bk_strbuf_add(&en, "%s row ", sb.t->tpl->id);
    bktot_row_key(sb.t, (size_t)sb.row, &en);
    bk_strbuf_add(&en, " column %s prints", sb.t->tpl->columns[sb.col].id);
    bk_strbuf_add(&zh, "表%s「", sb.t->tpl->id);
    bktot_row_key(sb.t, (size_t)sb.row, &zh);
    bk_strbuf_add(&zh, "」行「");
    bktot_column_header(sb.t->tpl, sb.col, &zh);
    bk_strbuf_add(&zh, "」列为");
    bk_strbuf note_en;
    bk_strbuf_init(&note_en);
    bk_strbuf_add(&note_en, "rule: %s", name);
    bk_strbuf note_zh;
    bk_strbuf_init(&note_zh);
    bk_strbuf_add(&note_zh, "规则：%s", name);
    bktot_says says = {BKTOT_STYLE_EQUAL,      bk_strbuf_str(&en),    bk_strbuf_str(&zh),
                       bk_strbuf_str(&parts),  bk_strbuf_str(&parts), bk_strbuf_str(&note_en),
                       bk_strbuf_str(&note_zh)};
    bktot_where w;
    bktot_where_cell(run, sa.t, (size_t)sa.row, sa.col, &w, &run->key, &run->col);
    bk_status st = bktot_emit(run->job, run->strict, RULE_CROSS, &w, &c, &says);
    bktot_ids_close(run->ids, sa.t, (size_t)sa.row, sa.col, c.verdict,
                    bk_validation_last_id(run->job) != before ? bk_validation_last_id(run->job)
                                                              : 0);
    bk_strbuf_free(&en);
    bk_strbuf_free(&zh);
    bk_strbuf_free(&parts);
    bk_strbuf_free(&note_en);
    bk_strbuf_free(&note_zh);
    return st;
}

static int same_key(const bk_row *x, const bk_row *y, int by_code)
{
    if (x->unit != y->unit || x->kind != y->kind)
        return 0;
    if (by_code)
        return x->code && y->code && strcmp(x->code, y->code) == 0;
    return *x->name && bk_label_equal(x->name, y->name);
}

static int has_key(const bk_row *r, int by_code)
{
    return by_code ? r->code != NULL : *r->name != '\0';
}

/* A row of one side with a figure but no counterpart on the other side. */
static bk_status unmatched(bktot_run *run, const side *s, size_t row, const side *other,
                           const char *name)
{
    bk_decimal v;
    if (!bktot_cell(s->t, row, s->col, &v) || v.units == 0)
        return BK_OK;
    bktot_where w;
    bktot_where_cell(run, s->t, row, s->col, &w, &run->key, &run->col);
    bk_strbuf_clear(&run->en);
    bk_strbuf_clear(&run->zh);
    bk_strbuf_dec(&run->en, v);
    bk_strbuf_add(&run->en,
                  " printed, but %s has no matching row in this unit to compare with "
                  "its column %s (rule: %s)",
                  other->t->tpl->id, other->t->tpl->columns[other->col].id, name);
    bk_strbuf_add(&run->zh, "填报");
    bk_strbuf_dec(&run->zh, v);
    bk_strbuf_add(&run->zh, "，但表%s本单位中没有对应的行可与其「", other->t->tpl->id);
    bktot_column_header(other->t->tpl, other->col, &run->zh);
    bk_strbuf_add(&run->zh, "」列核对（规则：%s）", name);
    if (run->en.failed || run->zh.failed)
        return bk_error_set(bk_validation_error(run->job), BK_E_NOMEM, "out of memory");
    return bktot_emit_note(run->job, RULE_CROSS_ROWS, BK_SEV_ERROR, &w, &v, bk_strbuf_str(&run->en),
                           bk_strbuf_str(&run->zh));
}

static bk_status pair_rows(bktot_run *run, const side *sa, const side *sb, size_t i, size_t j,
                           const char *name)
{
    bk_decimal va, vb;
    if (!bktot_cell(sa->t, i, sa->col, &va) || !bktot_cell(sb->t, j, sb->col, &vb) ||
        !in_unit_of(run->doc, sa->t, sb->t, &vb))
        return BK_OK;
    bktot_check c;
    bktot_check_equal(va, vb, &c);
    bktot_ids_open(run->ids, BKTOT_I_EQUAL, RULE_CROSS_ROWS);
    bktot_ids_term(run->ids, sa->t, i, sa->col, 0);
    bktot_ids_term(run->ids, sb->t, j, sb->col, 1);
    if (c.verdict == BKTOT_EQUAL) {
        bktot_ids_close(run->ids, sa->t, i, sa->col, c.verdict, 0);
        return BK_OK;
    }
    size_t before = bk_validation_last_id(run->job);
    bk_strbuf en, zh, note_en, note_zh;
    bk_strbuf_init(&en);
    bk_strbuf_init(&zh);
    bk_strbuf_init(&note_en);
    bk_strbuf_init(&note_zh);
    bk_strbuf_add(&en, "the matching %s row prints in column %s", sb->t->tpl->id,
                  sb->t->tpl->columns[sb->col].id);
    bk_strbuf_add(&zh, "表%s对应行「", sb->t->tpl->id);
    bktot_column_header(sb->t->tpl, sb->col, &zh);
    bk_strbuf_add(&zh, "」列为");
    bk_strbuf_add(&note_en, "rule: %s", name);
    bk_strbuf_add(&note_zh, "规则：%s", name);
    bktot_says says = {
        BKTOT_STYLE_EQUAL,       bk_strbuf_str(&en),     bk_strbuf_str(&zh), NULL, NULL,
        bk_strbuf_str(&note_en), bk_strbuf_str(&note_zh)};
    bktot_where w;
    bktot_where_cell(run, sa->t, i, sa->col, &w, &run->key, &run->col);
    bk_status st = bktot_emit(run->job, run->strict, RULE_CROSS_ROWS, &w, &c, &says);
    bktot_ids_close(run->ids, sa->t, i, sa->col, c.verdict,
                    bk_validation_last_id(run->job) != before ? bk_validation_last_id(run->job)
                                                              : 0);
    bk_strbuf_free(&en);
    bk_strbuf_free(&zh);
    bk_strbuf_free(&note_en);
    bk_strbuf_free(&note_zh);
    return st;
}

static bk_status equal_rows_rule(bktot_run *run, json_t *rule, const char *name)
{
    side sa, sb;
    int by_code = strcmp(json_string_value(json_object_get(rule, "match")), "code") == 0;
    if (!resolve(run->doc, json_object_get(rule, "a"),
                 json_string_value(json_object_get(rule, "column_a")), 0, &sa) ||
        !resolve(run->doc, json_object_get(rule, "b"),
                 json_string_value(json_object_get(rule, "column_b")), 0, &sb))
        return BK_OK;
    unsigned char *used = bk_calloc(sb.t->nrows + 1, 1);
    if (!used)
        return bk_error_set(bk_validation_error(run->job), BK_E_NOMEM, "out of memory");
    bk_status st = BK_OK;
    /* Rows pair in printed order, so a label printed twice pairs first with first. */
    for (size_t i = 0; st == BK_OK && i < sa.t->nrows; i++) {
        const bk_row *ra = &sa.t->rows[i];
        if (!has_key(ra, by_code))
            continue;
        size_t j = 0;
        while (j < sb.t->nrows && (used[j] || !same_key(ra, &sb.t->rows[j], by_code)))
            j++;
        if (j == sb.t->nrows) {
            st = unmatched(run, &sa, i, &sb, name);
            continue;
        }
        used[j] = 1;
        st = pair_rows(run, &sa, &sb, i, j, name);
    }
    for (size_t j = 0; st == BK_OK && j < sb.t->nrows; j++)
        if (!used[j] && has_key(&sb.t->rows[j], by_code))
            st = unmatched(run, &sb, j, &sa, name);
    bk_free(used);
    return st;
}

bk_status bktot_cross_rules(bktot_run *run)
{
    bk_status st = BK_OK;
    for (size_t f = 0; st == BK_OK && f < run->state->nx; f++) {
        json_t *rule;
        size_t i;
        json_array_foreach(run->state->x[f].rules, i, rule) {
            const char *kind = json_string_value(json_object_get(rule, "rule"));
            const char *name = json_string_value(json_object_get(rule, "name"));
            char fallback[48];
            if (!name) {
                snprintf(fallback, sizeof fallback, "cross-table rule %zu", i + 1);
                name = fallback;
            }
            st = strcmp(kind, "equal") == 0 ? equal_rule(run, rule, name)
                                            : equal_rows_rule(run, rule, name);
            if (st != BK_OK)
                break;
        }
    }
    return st;
}
