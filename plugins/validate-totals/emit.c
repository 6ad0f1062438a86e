/* Findings of the totals validator: a location, the figures and two full sentences. */
#include <string.h>

#include "totals.h"

static bk_severity severity_of(const bktot_check *c, int strict)
{
    if (c->verdict == BKTOT_ROUNDING)
        return strict ? BK_SEV_ERROR : BK_SEV_ROUNDING;
    if (c->verdict == BKTOT_INCONSISTENT)
        return BK_SEV_ERROR;
    return BK_SEV_INFO;
}

static void lead_en(bk_strbuf *m, const bktot_where *w)
{
    bk_strbuf_add(m, "%s row %s column %s: ", w->table, w->row, w->column);
}

static void lead_zh(bk_strbuf *m, const bktot_where *w)
{
    bk_strbuf_add(m, "表%s「%s」行「%s」列：", w->table, w->row, w->column_zh);
}

static void add_note(bk_strbuf *en, bk_strbuf *zh, const bktot_says *s)
{
    if (s->note_en)
        bk_strbuf_add(en, " (%s)", s->note_en);
    if (s->note_zh)
        bk_strbuf_add(zh, "（%s）", s->note_zh);
}

/* The sentence of a check in one language: lead, the printed figure, says_lead, what the
 * rule says, says_tail, the expected figure, the parts in brackets (where parts_open is set),
 * diff_lead and the difference; then, unless the difference is out of bounds and `exceeds` is
 * NULL, within or exceeds, the bound, bound_note, and `consistent` when within. */
typedef struct wording {
    const char *lead, *says_lead, *says_tail;
    const char *parts_open, *parts_close;
    const char *diff_lead;
    const char *within, *exceeds, *bound_note, *consistent;
} wording;

/* Each style's wording in English and in Chinese. */
static const wording words_sum[2] = {
    {"", " printed, ", " ", " (", ")", "; difference ", " is within the rounding bound ",
     " exceeds the rounding bound ", "", ": consistent within rounding"},
    {"填报", "，", "", "（", "）", "，差额", "，在四舍五入容差", "，超出四舍五入容差", "",
     "以内，属尾数误差"},
};

static const wording words_equal[2] = {
    {"", " printed, but ", " ", NULL, NULL,
     "; the same figure printed twice must match exactly, and they differ by ", NULL, NULL, NULL,
     NULL},
    {"填报", "，而", "", NULL, NULL, "；同一数字两处填报应完全一致，现相差", NULL, NULL, NULL,
     NULL},
};

static const wording words_percent[2] = {
    {"", " printed, ", " gives ", NULL, NULL, "; difference ", " is within the tolerance ",
     " exceeds the tolerance ",
     " (half a unit of the last printed place plus the rounding of the inputs)",
     ": consistent within rounding"},
    {"填报", "，按", "计算为", NULL, NULL, "，差额", "，在容差", "，超出容差",
     "（末位半个单位加上各输入数的舍入影响）", "以内，属尾数误差"},
};

static const wording words_subset[2] = {
    {"this 其中 (of which) row prints ", ", more than the ", " row above it (", NULL, NULL,
     "), which it is a part of; excess ", " is within the rounding bound ", NULL, "",
     ": consistent within rounding"},
    {"“其中”行填报", "，大于其所属的「", "」行（", NULL, NULL, "），超出", "，在四舍五入容差", NULL,
     "", "以内，属尾数误差"},
};

static void say(bk_strbuf *m, const wording *w, const bktot_check *c, const char *says,
                const char *parts)
{
    int within = c->verdict == BKTOT_ROUNDING;
    bk_strbuf_add(m, "%s", w->lead);
    bk_strbuf_dec(m, c->actual);
    bk_strbuf_add(m, "%s%s%s", w->says_lead, says, w->says_tail);
    bk_strbuf_dec(m, c->expected);
    if (w->parts_open && parts && *parts)
        bk_strbuf_add(m, "%s%s%s", w->parts_open, parts, w->parts_close);
    bk_strbuf_add(m, "%s", w->diff_lead);
    bk_strbuf_abs(m, c->difference);
    const char *bound = within ? w->within : w->exceeds;
    if (!bound)
        return;
    bk_strbuf_add(m, "%s", bound);
    bk_strbuf_dec(m, c->bound);
    bk_strbuf_add(m, "%s", w->bound_note);
    if (within)
        bk_strbuf_add(m, "%s", w->consistent);
}

static bk_status add(bk_validation *job, bk_finding *f, bk_strbuf *en, bk_strbuf *zh)
{
    if (en->failed || zh->failed)
        return bk_error_set(bk_validation_error(job), BK_E_NOMEM, "out of memory");
    f->message_en = bk_strbuf_str(en);
    f->message_zh = bk_strbuf_str(zh);
    return bk_validation_add(job, f);
}

/* A finding of rule at w's place, the rest of it empty. */
static bk_finding finding_at(const char *rule, bk_severity sev, const bktot_where *w)
{
    return (bk_finding){.rule = rule,
                        .severity = sev,
                        .document = w->document,
                        .unit = w->unit,
                        .table = w->table,
                        .row = w->row,
                        .column = w->column,
                        .line = w->line};
}

bk_status bktot_emit(bk_validation *job, int strict, const char *rule, const bktot_where *w,
                     const bktot_check *c, const bktot_says *says)
{
    /* A zero base is worded by the percent rule itself, which knows the columns. */
    if (c->verdict == BKTOT_EQUAL || c->verdict == BKTOT_BASE_ZERO)
        return BK_OK;
    if (c->verdict == BKTOT_OVERFLOW)
        return bktot_emit_note(job, RULE_OVERFLOW, BK_SEV_INFO, w, NULL,
                               "the figures have too many digits to be compared exactly",
                               "数字位数过多，无法精确比较");
    bk_finding f = finding_at(rule, severity_of(c, strict), w);
    f.has_values = 1;
    f.expected = c->expected;
    f.actual = c->actual;
    f.difference = c->difference;
    f.bound = c->bound;
    f.parts = says->parts;

    bk_strbuf en, zh;
    bk_strbuf_init(&en);
    bk_strbuf_init(&zh);
    lead_en(&en, w);
    lead_zh(&zh, w);
    const wording *words = words_sum;
    if (says->style == BKTOT_STYLE_PERCENT)
        words = words_percent;
    else if (says->style == BKTOT_STYLE_SUBSET)
        words = words_subset;
    else if (says->style == BKTOT_STYLE_EQUAL && c->bound.units == 0)
        words = words_equal;
    say(&en, &words[0], c, says->en, says->parts);
    say(&zh, &words[1], c, says->zh, says->parts_zh);
    add_note(&en, &zh, says);
    bk_strbuf_add(&en, ".");
    bk_strbuf_add(&zh, "。");
    bk_status st = add(job, &f, &en, &zh);
    bk_strbuf_free(&en);
    bk_strbuf_free(&zh);
    return st;
}

bk_status bktot_emit_note(bk_validation *job, const char *rule, bk_severity sev,
                          const bktot_where *w, const bk_decimal *printed, const char *en_text,
                          const char *zh_text)
{
    bk_finding f = finding_at(rule, sev, w);
    if (printed) {
        /* Only the printed figure is known: nothing was computed to compare it with. */
        f.actual = *printed;
    }
    bk_strbuf en, zh;
    bk_strbuf_init(&en);
    bk_strbuf_init(&zh);
    lead_en(&en, w);
    lead_zh(&zh, w);
    bk_strbuf_add(&en, "%s.", en_text);
    bk_strbuf_add(&zh, "%s。", zh_text);
    bk_status st = add(job, &f, &en, &zh);
    bk_strbuf_free(&en);
    bk_strbuf_free(&zh);
    return st;
}

/* ---- locations ---- */

void bktot_row_key(const bk_table *t, size_t row, bk_strbuf *out)
{
    const bk_row *r = &t->rows[row];
    if (r->code && *r->code)
        bk_strbuf_add(out, "%s", r->code);
    else if (r->name && *r->name)
        bk_strbuf_add(out, "%s", r->name);
    else if (r->line)
        bk_strbuf_add(out, "line %lu", (unsigned long)r->line);
    else
        bk_strbuf_add(out, "#%zu", row + 1);
}

void bktot_column_header(const bk_template *tpl, int col, bk_strbuf *out)
{
    const bk_column *c = &tpl->columns[col];
    for (size_t i = 0; i < c->path_len; i++)
        bk_strbuf_add(out, "%s%s", i ? "/" : "", c->path[i]);
    if (c->path_len == 0)
        bk_strbuf_add(out, "%s", c->id);
}

void bktot_where_cell(bktot_run *run, const bk_table *t, size_t row, int col, bktot_where *w,
                      bk_strbuf *keybuf, bk_strbuf *colbuf)
{
    const bk_doc *doc = run->doc;
    const bk_row *r = &t->rows[row];
    bk_strbuf_clear(keybuf);
    bk_strbuf_clear(colbuf);
    bktot_row_key(t, row, keybuf);
    bktot_column_header(t->tpl, col, colbuf);
    w->document = bk_table_source(doc, t);
    w->unit = r->unit < doc->nunits ? doc->units[r->unit].name : NULL;
    w->table = t->tpl->id;
    w->row = bk_strbuf_str(keybuf);
    w->column = t->tpl->columns[col].id;
    w->column_zh = bk_strbuf_str(colbuf);
    w->line = (long)r->line;
}

int bktot_cell(const bk_table *t, size_t row, int col, bk_decimal *out)
{
    const bk_cell *c = bk_table_cell(t, row, (size_t)col);
    if (c->kind != BK_CELL_NUMBER)
        return 0;
    *out = bk_cell_decimal(c);
    return 1;
}
