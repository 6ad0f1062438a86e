/* Where-maps of grid lines (where.h). */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budgetkit/alloc.h"
#include "where.h"

typedef struct where_part {
    char *name;
    bk_grid_part_kind kind;
} where_part;

typedef struct where_line {
    unsigned line; /* the grid's */
    unsigned part; /* index + 1; 0 before the first part */
    unsigned src;
} where_line;

struct bk_where {
    where_part *parts;
    size_t nparts, parts_cap;
    where_line *lines;
    size_t nlines, lines_cap;
};

bk_where *bk_where_new(void) { return bk_calloc(1, sizeof(bk_where)); }

void bk_where_free(bk_where *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->nparts; i++)
        bk_free(w->parts[i].name);
    bk_free(w->parts);
    bk_free(w->lines);
    bk_free(w);
}

bk_where *bk_where_copy(const bk_where *w)
{
    bk_where *c = bk_where_new();
    if (!c)
        return NULL;
    c->parts = bk_calloc(w->nparts ? w->nparts : 1, sizeof *c->parts);
    c->lines = bk_calloc(w->nlines ? w->nlines : 1, sizeof *c->lines);
    if (!c->parts || !c->lines)
        goto fail;
    c->parts_cap = w->nparts ? w->nparts : 1;
    c->lines_cap = w->nlines ? w->nlines : 1;
    for (; c->nparts < w->nparts; c->nparts++) {
        c->parts[c->nparts].kind = w->parts[c->nparts].kind;
        if (!(c->parts[c->nparts].name = bk_strdup(w->parts[c->nparts].name)))
            goto fail;
    }
    if (w->nlines)
        memcpy(c->lines, w->lines, w->nlines * sizeof *c->lines);
    c->nlines = w->nlines;
    return c;
fail:
    bk_where_free(c);
    return NULL;
}

int bk_where_part(bk_where *w, const char *name, bk_grid_part_kind kind)
{
    if (bk_grow((void **)&w->parts, &w->parts_cap, w->nparts + 1, sizeof *w->parts) != 0)
        return -1;
    char *copy = bk_strdup(name ? name : "");
    if (!copy)
        return -1;
    w->parts[w->nparts++] = (where_part){copy, kind};
    return 0;
}

int bk_where_line(bk_where *w, long line, long src)
{
    if (bk_grow((void **)&w->lines, &w->lines_cap, w->nlines + 1, sizeof *w->lines) != 0)
        return -1;
    w->lines[w->nlines++] =
        (where_line){(unsigned)line, (unsigned)w->nparts, src > 0 ? (unsigned)src : 0};
    return 0;
}

int bk_where_find(const bk_where *w, long line, bk_place *out)
{
    if (!w || line < 1 || line > (long)UINT_MAX)
        return -1;
    size_t lo = 0, hi = w->nlines;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (w->lines[mid].line < (unsigned)line)
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo == w->nlines || w->lines[lo].line != (unsigned)line || w->lines[lo].src == 0)
        return -1;
    const where_line *l = &w->lines[lo];
    *out = (bk_place){NULL, BK_GRID_SHEET, 0, (long)l->src};
    if (l->part == 0)
        return 0;
    const where_part *p = &w->parts[l->part - 1];
    /* One sheet or page is the whole source: its name adds nothing to the line. A file of a
     * folder always names itself. */
    if (w->nparts < 2 && p->kind != BK_GRID_FILE)
        return 0;
    out->part = p->name;
    out->kind = p->kind;
    if (p->kind == BK_GRID_PAGE) {
        char *end;
        long page = strtol(p->name, &end, 10);
        if (end != p->name && *end == '\0' && page > 0)
            out->page = page;
    }
    return 0;
}

const char *bk_where_file(const char *file, const bk_place *p, char *buf, size_t cap)
{
    if (p->kind == BK_GRID_FILE && p->part)
        snprintf(buf, cap, "%s", p->part);
    else if (p->page > 0)
        snprintf(buf, cap, "%s#page=%ld", file, p->page);
    else if (p->part)
        snprintf(buf, cap, "%s#%s", file, p->part);
    else
        snprintf(buf, cap, "%s", file);
    return buf;
}
