/* budgetkit layouts: the layout families the data folder holds and the tables each declares,
 * for a person choosing --data-dir or writing a family, and (as JSON) for tools. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budgetkit/budgetkit.h"
#include "layouts.h"

static void json_str(FILE *out, const char *s)
{
    fputc('"', out);
    for (const unsigned char *p = (const unsigned char *)(s ? s : ""); *p; p++) {
        if (*p == '"' || *p == '\\')
            fprintf(out, "\\%c", *p);
        else if (*p == '\n')
            fputs("\\n", out);
        else if (*p < 0x20)
            fprintf(out, "\\u%04x", *p);
        else
            fputc(*p, out);
    }
    fputc('"', out);
}

static void json_strs(FILE *out, const char *const *v, size_t n)
{
    fputc('[', out);
    for (size_t i = 0; i < n; i++) {
        if (i)
            fputs(", ", out);
        json_str(out, v[i]);
    }
    fputc(']', out);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* The family names, sorted, each once; NULL when out of memory. */
static const char **family_names(const bk_templates *set, size_t *n)
{
    size_t count = bk_templates_count(set);
    const char **names = calloc(count + 1, sizeof *names);
    if (!names)
        return NULL;
    *n = 0;
    for (size_t i = 0; i < count; i++) {
        const char *f = bk_templates_at(set, i)->family;
        f = f ? f : "";
        size_t k = 0;
        while (k < *n && strcmp(names[k], f) != 0)
            k++;
        if (k == *n)
            names[(*n)++] = f;
    }
    qsort(names, *n, sizeof *names, by_name);
    return names;
}

static void text_table(FILE *out, const bk_template *t)
{
    fprintf(out, "  %-6s %s", t->id, t->title);
    if (t->money_unit)
        fprintf(out, "  (%s)", t->money_unit);
    fputc('\n', out);
    if (t->nsides == 2)
        fprintf(out, "         sides: %s | %s\n", t->sides[0], t->sides[1]);
    if (t->nkey_headers) {
        fputs("         keys:", out);
        for (size_t k = 0; k < t->nkey_headers; k++)
            fprintf(out, "%s %s", k ? " |" : "", t->key_headers[k]);
        fputc('\n', out);
    }
    for (size_t c = 0; c < t->ncolumns; c++) {
        const bk_column *col = &t->columns[c];
        fprintf(out, "         %-18s", col->id);
        for (size_t p = 0; p < col->path_len; p++)
            fprintf(out, "%s%s", p ? " / " : "", col->path[p]);
        if (col->type != BK_COL_AMOUNT)
            fprintf(out, "  [%s]", bk_column_type_name(col->type));
        fputc('\n', out);
    }
}

static void json_table(FILE *out, const bk_template *t)
{
    fputs("{\"id\": ", out);
    json_str(out, t->id);
    fprintf(out, ", \"number\": %d, \"title\": ", t->number);
    json_str(out, t->title);
    fputs(", \"aliases\": ", out);
    json_strs(out, t->aliases, t->naliases);
    fputs(", \"row_key\": ", out);
    json_str(out, t->row_key);
    fputs(", \"sides\": ", out);
    json_strs(out, t->sides, t->nsides);
    fputs(", \"key_headers\": ", out);
    json_strs(out, t->key_headers, t->nkey_headers);
    fputs(", \"money_unit\": ", out);
    if (t->money_unit)
        json_str(out, t->money_unit);
    else
        fputs("null", out);
    fputs(", \"columns\": [", out);
    for (size_t c = 0; c < t->ncolumns; c++) {
        const bk_column *col = &t->columns[c];
        fputs(c ? ", {\"id\": " : "{\"id\": ", out);
        json_str(out, col->id);
        fputs(", \"path\": ", out);
        json_strs(out, col->path, col->path_len);
        fprintf(out, ", \"type\": \"%s\"}", bk_column_type_name(col->type));
    }
    fputs("]}", out);
}

int layouts_print(const bk_templates *set, const char *only, int json, FILE *out)
{
    size_t nf = 0;
    const char **names = family_names(set, &nf);
    if (!names)
        return -1;
    int found = 0;
    if (json)
        fputs("{\"families\": [", out);
    for (size_t f = 0; f < nf; f++) {
        if (only && strcmp(only, names[f]) != 0)
            continue;
        size_t n = 0;
        for (size_t i = 0; i < bk_templates_count(set); i++) {
            const char *fam = bk_templates_at(set, i)->family;
            n += strcmp(fam ? fam : "", names[f]) == 0;
        }
        if (json) {
            fputs(found ? ",\n  {\"name\": " : "\n  {\"name\": ", out);
            json_str(out, names[f]);
            fputs(", \"tables\": [", out);
        } else {
            fprintf(out, "%s%s: %zu table%s\n", found ? "\n" : "", *names[f] ? names[f] : "(none)",
                    n, n == 1 ? "" : "s");
        }
        size_t k = 0;
        for (size_t i = 0; i < bk_templates_count(set); i++) {
            const bk_template *t = bk_templates_at(set, i);
            if (strcmp(t->family ? t->family : "", names[f]) != 0)
                continue;
            if (json) {
                fputs(k++ ? ",\n    " : "\n    ", out);
                json_table(out, t);
            } else {
                text_table(out, t);
            }
        }
        if (json)
            fputs("]}", out);
        found = 1;
    }
    if (json)
        fputs("\n]}\n", out);
    free(names);
    return found || !only ? 0 : 1;
}
