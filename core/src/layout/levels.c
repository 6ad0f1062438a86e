/* Levels of economic rows printed by name alone.
 *
 * A table of economic classes (基本支出总表) may print its rows by name only, with the class
 * and its items told apart by indentation. Text extracted from a PDF loses the indentation, and
 * the rows then all read as top level: classes and their items would be summed together. The
 * level of an economic row follows from the length of its code (class 301: level 1, item
 * 30101: level 2), and the same document prints those codes beside the same names in its
 * coded economic tables (一般公共预算支出表(按经济分类)). So a table whose rows print neither
 * codes nor levels takes each row's level from the code its name has there; when any of its
 * rows' names is not found, or is found with codes of both lengths, the table is left as
 * printed rather than half guessed. */
#include <stdlib.h>
#include <string.h>

#include "layout.h"

typedef struct named_code {
    char *name; /* normalised label */
    int level;  /* 1 for a 3-digit class, 2 for a 5-digit item; -1: both (ambiguous) */
} named_code;

static int is_economic(const bk_table *t)
{
    return t->tpl && t->tpl->row_key && strcmp(t->tpl->row_key, "economic") == 0;
}

static int code_level(const char *code)
{
    size_t n = code ? strlen(code) : 0;
    if (n != 3 && n != 5)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (code[i] < '0' || code[i] > '9')
            return 0;
    return n == 3 ? 1 : 2;
}

static char *normalised(const char *s)
{
    size_t n = bk_label_normalise(s, NULL, 0);
    char *buf = bk_malloc(n + 1);
    if (buf)
        bk_label_normalise(s, buf, n + 1);
    return buf;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(((const named_code *)a)->name, ((const named_code *)b)->name);
}

/* Rows that print neither a code nor a level: the table needs its levels found. */
static int needs_levels(const bk_table *t)
{
    size_t items = 0;
    for (size_t r = 0; r < t->nrows; r++) {
        const bk_row *row = &t->rows[r];
        if (row->kind != BK_ROW_ITEM)
            continue;
        if (row->code || row->level)
            return 0;
        items++;
    }
    return items > 0;
}

static bk_status collect(const bk_doc *doc, named_code **out, size_t *count)
{
    named_code *v = NULL;
    size_t n = 0, cap = 0;
    for (size_t i = 0; i < doc->ntables; i++) {
        const bk_table *t = doc->tables[i];
        if (!is_economic(t))
            continue;
        for (size_t r = 0; r < t->nrows; r++) {
            int level = code_level(t->rows[r].code);
            if (!level || t->rows[r].kind != BK_ROW_ITEM || !*t->rows[r].name)
                continue;
            if (bk_grow((void **)&v, &cap, n + 1, sizeof *v))
                goto nomem;
            if (!(v[n].name = normalised(t->rows[r].name)))
                goto nomem;
            v[n++].level = level;
        }
    }
    if (n)
        qsort(v, n, sizeof *v, by_name);
    /* One entry per name; a name printed with a class code and an item code is ambiguous. */
    size_t k = 0;
    for (size_t i = 0; i < n; i++) {
        if (k && strcmp(v[k - 1].name, v[i].name) == 0) {
            if (v[k - 1].level != v[i].level)
                v[k - 1].level = -1;
            bk_free(v[i].name);
            continue;
        }
        v[k++] = v[i];
    }
    *out = v;
    *count = k;
    return BK_OK;
nomem:
    for (size_t i = 0; i < n; i++)
        bk_free(v[i].name);
    bk_free(v);
    return BK_E_NOMEM;
}

static bk_status level_table(bk_table *t, const named_code *codes, size_t ncodes)
{
    uint8_t *found = bk_calloc(t->nrows, 1);
    if (!found)
        return BK_E_NOMEM;
    int all = 1;
    for (size_t r = 0; r < t->nrows && all; r++) {
        if (t->rows[r].kind != BK_ROW_ITEM)
            continue;
        named_code key = {normalised(t->rows[r].name), 0};
        if (!key.name) {
            bk_free(found);
            return BK_E_NOMEM;
        }
        const named_code *hit = bsearch(&key, codes, ncodes, sizeof *codes, by_name);
        bk_free(key.name);
        if (!hit || hit->level < 0)
            all = 0;
        else
            found[r] = (uint8_t)hit->level;
    }
    for (size_t r = 0; r < t->nrows && all; r++)
        if (t->rows[r].kind == BK_ROW_ITEM)
            t->rows[r].level = found[r];
    bk_free(found);
    return BK_OK;
}

bk_status bk_layout_economic_levels(bk_doc *doc)
{
    int any = 0;
    for (size_t i = 0; i < doc->ntables && !any; i++)
        any = is_economic(doc->tables[i]) && needs_levels(doc->tables[i]);
    if (!any)
        return BK_OK;
    named_code *codes = NULL;
    size_t ncodes = 0;
    bk_status st = collect(doc, &codes, &ncodes);
    for (size_t i = 0; i < doc->ntables && st == BK_OK && ncodes; i++)
        if (is_economic(doc->tables[i]) && needs_levels(doc->tables[i]))
            st = level_table(doc->tables[i], codes, ncodes);
    for (size_t i = 0; i < ncodes; i++)
        bk_free(codes[i].name);
    bk_free(codes);
    return st;
}
