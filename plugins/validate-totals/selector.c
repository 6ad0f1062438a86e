/* Row selectors: an object whose keys must all match a row. */
#include <stdio.h>
#include <string.h>

#include "totals.h"

static const char *text_field(json_t *obj, const char *key, int *bad)
{
    json_t *v = json_object_get(obj, key);
    if (!v)
        return NULL;
    if (!json_is_string(v)) {
        *bad = 1;
        return NULL;
    }
    return json_string_value(v);
}

int bktot_selector_parse(json_t *obj, bktot_selector *s, char *why, size_t cap)
{
    memset(s, 0, sizeof *s);
    s->kind = -1;
    s->level = -1;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        if (strcmp(key, "kind") && strcmp(key, "section") && strcmp(key, "name") &&
            strcmp(key, "code") && strcmp(key, "level") && strcmp(key, "unit")) {
            snprintf(why, cap, "unknown selector key \"%s\"", key);
            return -1;
        }
    }
    int bad = 0;
    const char *kind = text_field(obj, "kind", &bad);
    s->section = text_field(obj, "section", &bad);
    s->name = text_field(obj, "name", &bad);
    s->code = text_field(obj, "code", &bad);
    s->unit = text_field(obj, "unit", &bad);
    if (bad) {
        snprintf(why, cap, "selector values must be strings (level: an integer)");
        return -1;
    }
    if (kind) {
        s->kind = bk_row_kind_parse(kind);
        if (s->kind < 0) {
            snprintf(why, cap, "unknown row kind \"%s\"", kind);
            return -1;
        }
    }
    json_t *level = json_object_get(obj, "level");
    if (level) {
        if (!json_is_integer(level) || json_integer_value(level) < 0 ||
            json_integer_value(level) > 255) {
            snprintf(why, cap, "\"level\" must be an integer from 0 to 255");
            return -1;
        }
        s->level = (int)json_integer_value(level);
    }
    return 0;
}

static int unit_matches(const bk_doc *doc, const bk_row *r, const char *want)
{
    if (r->unit >= doc->nunits)
        return 0;
    const bk_unit *u = &doc->units[r->unit];
    if (strcmp(want, "department") == 0)
        return u->kind == BK_UNIT_DEPARTMENT;
    if (strcmp(want, "self") == 0)
        return u->kind == BK_UNIT_SELF;
    return u->id && strcmp(u->id, want) == 0;
}

int bktot_selector_match(const bk_doc *doc, const bk_row *r, const bktot_selector *s)
{
    if (s->kind >= 0 && r->kind != s->kind)
        return 0;
    if (s->level >= 0 && bktot_row_depth(r) != s->level)
        return 0;
    if (s->section && !(r->section && strcmp(r->section, s->section) == 0))
        return 0;
    if (s->code && !(r->code && strcmp(r->code, s->code) == 0))
        return 0;
    /* Names are printed labels: a reader does not tell （） from () or see spaces. */
    if (s->name && !bk_label_equal(r->name ? r->name : "", s->name))
        return 0;
    if (s->unit && !unit_matches(doc, r, s->unit))
        return 0;
    return 1;
}
