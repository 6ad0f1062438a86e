/* Where the tables print what the text states: the concepts of a budget's narrative (三公经费,
 * 基本支出 ...), project rows, and classification rows by code or by their names. The standard
 * templates are looked up by id; other layouts by their titles and column headers. */
#include <stdio.h>
#include <string.h>

#include "nv.h"

typedef struct concept_words {
    nv_concept c;
    const char *words[6];
} concept_words;

/* In priority order: the more specific names first ("财政拨款“三公”经费" is 三公经费, "机关运行
 * 经费财政拨款预算" is 机关运行经费). */
static const concept_words concepts[] = {
    {NV_C_ADMIN, {"机关运行经费", "机关运行费"}},
    {NV_C_VEHICLE, {"公务用车购置及运行", "公务用车购置和运行", "公务车购置及运行", "公务车购置和运行"}},
    {NV_C_PURCHASE, {"公务用车购置", "公务车购置", "车辆购置费"}},
    {NV_C_OPERATION, {"公务用车运行", "公务车用车运行", "公务车运行"}},
    {NV_C_ABROAD, {"因公出国"}},
    {NV_C_RECEPTION, {"公务接待"}},
    {NV_C_SANGONG, {"三公"}},
    {NV_C_PROCUREMENT, {"政府采购"}},
    {NV_C_FAMILY, {"对个人和家庭"}},
    {NV_C_WAGES, {"人员支出", "工资福利支出"}},
    {NV_C_PERSONNEL, {"人员经费"}},
    {NV_C_PUBLIC, {"公用经费", "公用支出", "商品和服务支出"}},
    {NV_C_BASIC, {"基本支出"}},
    {NV_C_PROJECT, {"项目支出"}},
    {NV_C_FUND, {"政府性基金"}},
    {NV_C_SOE, {"国有资本经营"}},
    {NV_C_GENERAL, {"一般公共预算"}},
    {NV_C_FISCAL, {"财政拨款"}},
};

static const char *const other_income[] = {"事业收入", "经营收入", "其他收入", "上级补助",
                                           "附属单位", "结转", "结余", "专户"};

nv_concept nv_concept_of(const char *s, size_t len)
{
    /* 政府采购货物/工程/服务预算: a kind of procurement, not its total */
    long k = nv_find(s, len, "政府采购");
    if (k >= 0 && (nv_has(s + k, len - (size_t)k, "货物") || nv_has(s + k, len - (size_t)k, "工程") ||
                   nv_has(s + k, len - (size_t)k, "服务")))
        return NV_C_NONE;
    for (size_t i = 0; i < sizeof concepts / sizeof *concepts; i++)
        for (size_t w = 0; w < 6 && concepts[i].words[w]; w++)
            if (nv_has(s, len, concepts[i].words[w]))
                return concepts[i].c;
    for (size_t i = 0; i < sizeof other_income / sizeof *other_income; i++)
        if (nv_has(s, len, other_income[i]))
            return NV_C_NONE;
    if (nv_has(s, len, "收入总计") || nv_has(s, len, "收入合计") || nv_has(s, len, "预算收入") ||
        nv_has(s, len, "收入预算") || nv_has(s, len, "总收入"))
        return NV_C_INCOME;
    if (nv_has(s, len, "支出总计") || nv_has(s, len, "支出合计") || nv_has(s, len, "预算支出") ||
        nv_has(s, len, "支出预算") || nv_has(s, len, "总支出"))
        return NV_C_EXPENSE;
    return NV_C_NONE;
}

const char *nv_concept_label(nv_concept c)
{
    static const char *const labels[NV_C_COUNT] = {
        "", "机关运行经费", "公务用车购置及运行维护费", "公务用车购置费", "公务用车运行维护费",
        "因公出国（境）费", "公务接待费", "“三公”经费", "政府采购", "基本支出", "人员支出",
        "人员经费", "公用经费", "对个人和家庭的补助", "项目支出", "一般公共预算支出",
        "政府性基金预算支出", "国有资本经营预算支出", "财政拨款", "收入总计", "支出总计"};
    return c > 0 && c < NV_C_COUNT ? labels[c] : "";
}

/* ---- tables ---- */

static const bk_table *table_by(const bk_doc *doc, const char *id, const char *title_has,
                                const char *title_not)
{
    const bk_table *t = bk_doc_table(doc, id);
    if (t)
        return t;
    for (size_t i = 0; i < doc->ntables && title_has; i++) {
        const char *title = doc->tables[i]->tpl->title;
        if (title && strstr(title, title_has) && !(title_not && strstr(title, title_not)))
            return doc->tables[i];
    }
    return NULL;
}

long nv_department_row(const bk_doc *doc, const bk_table *t)
{
    long unit = -1, total = -1;
    for (size_t r = 0; r < t->nrows; r++) {
        const bk_row *row = &t->rows[r];
        if (row->kind == BK_ROW_UNIT) {
            if (doc->units[row->unit].kind == BK_UNIT_DEPARTMENT)
                return (long)r;
            if (unit < 0)
                unit = (long)r;
        } else if (row->kind == BK_ROW_TOTAL && total < 0) {
            total = (long)r;
        }
    }
    return unit >= 0 ? unit : total;
}

/* A row whose printed label, without list numbering ("一、", "1."), is `label`. */
static long row_labelled(const bk_table *t, const char *label)
{
    char want[256], have[256];
    bk_label_normalise(label, want, sizeof want);
    for (size_t r = 0; r < t->nrows; r++) {
        size_t n = bk_label_normalise(t->rows[r].name, have, sizeof have);
        const char *h = have;
        /* skip "一、" / "1." / "1、" numbering */
        const char *dun = strstr(h, "、");
        if (dun && dun - h <= 6 && dun != h)
            h = dun + 3;
        else if (n > 2 && h[0] >= '0' && h[0] <= '9' && (h[1] == '.' || (h[1] >= '0' && h[1] <= '9' && h[2] == '.')))
            h = strchr(h, '.') + 1;
        if (strcmp(h, want) == 0)
            return (long)r;
    }
    return -1;
}

static int number_at(const bk_table *t, long r, int c, bk_decimal *out)
{
    if (r < 0 || c < 0)
        return 0;
    const bk_cell *cell = bk_table_cell(t, (size_t)r, (size_t)c);
    if (cell->kind != BK_CELL_NUMBER)
        return 0;
    *out = bk_cell_decimal(cell);
    /* A table printed in its own unit (the 三公 table in 万元 inside a 元 document): its figures
     * in the document's unit, exactly, since the text is compared at the document's. */
    if (t->money_unit && strcmp(t->money_unit, "万元") == 0) {
        if (out->units > INT64_MAX / 10000 || out->units < -(INT64_MAX / 10000))
            return 0;
        out->units *= 10000;
    } else if (t->money_unit && strcmp(t->money_unit, "元") == 0) {
        out->scale += 4;
    }
    return 1;
}

static int cell_at(const bk_table *t, long r, int c, const char *label, nv_cell *out)
{
    bk_decimal v;
    if (!t || !number_at(t, r, c, &v))
        return 0;
    out->table = t;
    out->row = (size_t)r;
    out->col = (size_t)c;
    out->value = v;
    out->label = label;
    return 1;
}

static int first_amount(const bk_table *t)
{
    int c = bk_template_column(t->tpl, "total");
    for (size_t i = 0; i < t->tpl->ncolumns && c < 0; i++)
        if (t->tpl->columns[i].type == BK_COL_AMOUNT)
            c = (int)i;
    return c;
}

/* Column whose header path holds word; its total (department) row. */
static int header_cell(const bk_doc *doc, const char *word, const char *label, nv_cell *out)
{
    for (size_t i = 0; i < doc->ntables; i++) {
        const bk_table *t = doc->tables[i];
        for (size_t c = 0; c < t->tpl->ncolumns; c++) {
            const bk_column *col = &t->tpl->columns[c];
            if (col->type != BK_COL_AMOUNT)
                continue;
            int hit = 0;
            for (size_t k = 0; k < col->path_len && !hit; k++)
                hit = col->path[k] && strstr(col->path[k], word) != NULL;
            if (!hit)
                continue;
            long r = nv_department_row(doc, t);
            if (r < 0 && t->nrows == 1)
                r = 0;
            if (cell_at(t, r, (int)c, label, out))
                return 1;
        }
    }
    return 0;
}

/* 三公 columns of the standard Table 9: the figure is the sum of its three fund columns. */
static const char *sangong_prefix(nv_concept c)
{
    switch (c) {
    case NV_C_SANGONG: return "total";
    case NV_C_ABROAD: return "abroad";
    case NV_C_RECEPTION: return "reception";
    case NV_C_VEHICLE: return "vehicle";
    case NV_C_PURCHASE: return "vehicle_purchase";
    case NV_C_OPERATION: return "vehicle_operation";
    default: return NULL;
    }
}

static int sangong_cell(const bk_doc *doc, nv_concept c, const char *rowname, nv_cell *out)
{
    const char *prefix = sangong_prefix(c);
    const bk_table *t = bk_doc_table(doc, "T09");
    if (!prefix || !t)
        return 0;
    long r = row_labelled(t, rowname);
    if (r < 0)
        return 0;
    static const char *const funds[] = {"general", "fund", "soe"};
    bk_decimal sum = {0, 0};
    int first = -1, any = 0;
    for (size_t f = 0; f < 3; f++) {
        char id[64];
        snprintf(id, sizeof id, "%s_%s", prefix, funds[f]);
        int col = bk_template_column(t->tpl, id);
        bk_decimal v;
        if (col < 0)
            continue;
        if (first < 0)
            first = col;
        if (number_at(t, r, col, &v)) {
            if (bk_decimal_add(sum, v, &sum) != BK_DECIMAL_OK)
                return 0;
            any = 1;
        }
    }
    if (!any)
        return 0;
    out->table = t;
    out->row = (size_t)r;
    out->col = (size_t)first;
    out->value = sum;
    out->label = nv_concept_label(c);
    return 1;
}

static int column_of_department(const bk_doc *doc, const bk_table *t, const char *col,
                                const char *label, nv_cell *out)
{
    if (!t)
        return 0;
    return cell_at(t, nv_department_row(doc, t), bk_template_column(t->tpl, col), label, out);
}

static int labelled_cell(const bk_table *t, const char *row, const char *col, const char *label,
                         nv_cell *out)
{
    if (!t)
        return 0;
    int c = col ? bk_template_column(t->tpl, col) : first_amount(t);
    return cell_at(t, row_labelled(t, row), c, label, out);
}

int nv_concept_cell(const bk_doc *doc, nv_concept c, nv_cell *out)
{
    char year[16];
    snprintf(year, sizeof year, "%d年", doc->fiscal_year);
    const char *label = nv_concept_label(c);
    const bk_table *t01 = table_by(doc, "T01", "收支总表", "财政拨款");
    const bk_table *t06 = table_by(doc, "T06", "财政拨款收支总表", NULL);
    const bk_table *t07 = table_by(doc, "T07", "一般公共预算支出", "经济分类");
    const bk_table *t04 = bk_doc_table(doc, "T04");
    switch (c) {
    case NV_C_INCOME:
        return labelled_cell(t01, "收入总计", NULL, label, out);
    case NV_C_EXPENSE:
        return labelled_cell(t01, "支出总计", NULL, label, out);
    case NV_C_FISCAL:
        return labelled_cell(t06, "本年收入合计", NULL, label, out) ||
               labelled_cell(t06, "收入总计", NULL, label, out) ||
               labelled_cell(t01, "财政拨款收入", NULL, label, out);
    case NV_C_GENERAL:
        return column_of_department(doc, t07, "total", label, out);
    case NV_C_FUND:
        return column_of_department(doc, table_by(doc, "T10", "政府性基金预算支出", NULL), "total",
                                    label, out);
    case NV_C_SOE:
        return column_of_department(doc, table_by(doc, "T11", "国有资本经营预算支出", NULL), "total",
                                    label, out);
    case NV_C_BASIC:
        return column_of_department(doc, t07, "basic", label, out) ||
               column_of_department(doc, t04, "total", label, out);
    case NV_C_PROJECT:
        return column_of_department(doc, t07, "project", label, out) ||
               column_of_department(doc, bk_doc_table(doc, "T05"), "total", label, out);
    case NV_C_WAGES:
        return labelled_cell(t04, "工资福利支出", "total", label, out);
    case NV_C_PERSONNEL:
        return header_cell(doc, "人员经费", label, out);
    case NV_C_PUBLIC:
        return header_cell(doc, "公用经费", label, out) ||
               labelled_cell(t04, "商品和服务支出", "total", label, out);
    case NV_C_FAMILY:
        return labelled_cell(t04, "对个人和家庭的补助", "total", label, out);
    case NV_C_ADMIN:
        return header_cell(doc, "机关运行经费", label, out);
    case NV_C_SANGONG: case NV_C_ABROAD: case NV_C_RECEPTION: case NV_C_VEHICLE:
    case NV_C_PURCHASE: case NV_C_OPERATION:
        return sangong_cell(doc, c, year, out);
    default:
        return 0;
    }
}

int nv_concept_previous(const bk_doc *doc, nv_concept c, nv_cell *prev, nv_cell *change)
{
    char year[16];
    snprintf(year, sizeof year, "%d年", doc->fiscal_year - 1);
    if (!sangong_prefix(c) || !sangong_cell(doc, c, year, prev))
        return 0;
    if (!sangong_cell(doc, c, "增减变化金额", change))
        change->table = NULL;
    return 1;
}

int nv_project_cell(const bk_doc *doc, const char *s, size_t len, nv_cell *cur, nv_cell *prev,
                    nv_cell *change)
{
    char have[256];
    for (size_t i = 0; i < doc->ntables; i++) {
        const bk_table *t = doc->tables[i];
        if (!t->tpl->row_key || strcmp(t->tpl->row_key, "project") != 0)
            continue;
        long found = -1;
        for (size_t r = 0; r < t->nrows; r++) {
            if (t->rows[r].kind != BK_ROW_ITEM)
                continue;
            size_t n = bk_label_normalise(t->rows[r].name, have, sizeof have);
            if (n == 0 || n > len || memcmp(s + len - n, have, n) != 0)
                continue;
            if (found >= 0)
                return 0; /* two units print it: which one the text means is not said */
            found = (long)r;
        }
        if (found < 0 || !cell_at(t, found, first_amount(t), t->rows[found].name, cur))
            continue;
        if (!cell_at(t, found, bk_template_column(t->tpl, "prev_initial"), cur->label, prev))
            prev->table = NULL;
        if (!cell_at(t, found, bk_template_column(t->tpl, "change"), cur->label, change))
            change->table = NULL;
        return 1;
    }
    return 0;
}

/* Names compare as labels, and 其它 as 其他 (both are printed). */
static int name_equal(const char *a, const char *b, int loose)
{
    if (bk_label_equal(a, b))
        return 1;
    if (!loose)
        return 0;
    char x[256], y[256];
    bk_label_normalise(a, x, sizeof x);
    bk_label_normalise(b, y, sizeof y);
    for (char *p = x; (p = strstr(p, "其它")) != NULL;)
        memcpy(p, "其他", 6);
    for (char *p = y; (p = strstr(p, "其它")) != NULL;)
        memcpy(p, "其他", 6);
    return strcmp(x, y) == 0;
}

static long row_by_code(const bk_table *t, const char *code)
{
    for (size_t r = 0; r < t->nrows; r++)
        if (t->rows[r].code && strcmp(t->rows[r].code, code) == 0)
            return (long)r;
    return -1;
}

/* The row of level `level` (0 类, 1 款, 2 项) under prefix, named name. */
static long row_by_name(const bk_table *t, const char *prefix, int level, const char *name,
                        int loose)
{
    size_t want = level == 0 ? 3 : level == 1 ? 5 : 7;
    for (size_t r = 0; r < t->nrows; r++) {
        const char *code = t->rows[r].code;
        if (!code || strlen(code) != want || strncmp(code, prefix, strlen(prefix)) != 0)
            continue;
        if (name_equal(t->rows[r].name, name, loose))
            return (long)r;
    }
    return -1;
}

static void find_in(const bk_doc *doc, const bk_table *t, const nv_code_query *q, nv_code_match *m)
{
    (void)doc;
    long r = -1;
    m->name_level = -1;
    if (q->code[0]) {
        r = row_by_code(t, q->code);
        if (r < 0)
            return;
        /* the names stated for each level against the rows the table prints */
        for (int l = 0; l < q->levels && m->name_level < 0; l++) {
            if (!q->names[l][0])
                continue;
            char prefix[8];
            size_t n = l == 0 ? 3 : l == 1 ? 5 : 7;
            snprintf(prefix, sizeof prefix, "%.*s", (int)n, q->code);
            long pr = row_by_code(t, prefix);
            if (pr >= 0 && !bk_label_equal(t->rows[pr].name, q->names[l])) {
                m->name_level = l;
                m->printed_name = t->rows[pr].name;
            }
        }
    } else {
        char prefix[8] = "";
        for (int l = 0; l < q->levels; l++) {
            long k = row_by_name(t, prefix, l, q->names[l], 0);
            if (k < 0) {
                k = row_by_name(t, prefix, l, q->names[l], 1);
                if (k >= 0 && m->name_level < 0) {
                    m->name_level = l;
                    m->printed_name = t->rows[k].name;
                }
            }
            if (k < 0)
                return;
            snprintf(prefix, sizeof prefix, "%s", t->rows[k].code);
            r = k;
        }
    }
    if (r >= 0 && cell_at(t, r, first_amount(t), t->rows[r].name, &m->cell))
        m->found = 1;
}

void nv_code_find(const bk_doc *doc, const nv_code_query *q, nv_code_match *m)
{
    memset(m, 0, sizeof *m);
    m->name_level = -1;
    for (size_t i = 0; i < doc->ntables && !m->tables; i++)
        m->tables = doc->tables[i]->tpl->row_key &&
                    strcmp(doc->tables[i]->tpl->row_key, "function") == 0 && doc->tables[i]->nrows > 0;
    static const char *const order[] = {"T07", "T10", "T11", "T03"};
    for (size_t i = 0; i < 4 && !m->found; i++) {
        const bk_table *t = bk_doc_table(doc, order[i]);
        if (t)
            find_in(doc, t, q, m);
    }
    for (size_t i = 0; i < doc->ntables && !m->found; i++) {
        const bk_table *t = doc->tables[i];
        if (t->tpl->row_key && strcmp(t->tpl->row_key, "function") == 0)
            find_in(doc, t, q, m);
    }
    if (!m->found)
        m->name_level = -1;
}
