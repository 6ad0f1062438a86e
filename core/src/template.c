/* Table templates loaded from data files, and the label comparison used to match them. */
#include "budgetkit/template.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "budgetkit/alloc.h"
#include "budgetkit/io.h"
#include "strpool.h"

/* A template does not change once loaded: it and its arrays live in the set's pool with its
 * strings, and freeing the pool frees them all (with what a template that failed to load took:
 * sets are loaded once, from files that mostly load). */
struct bk_templates {
    bk_strpool pool;
    bk_template **items;
    size_t count, cap;
};

bk_templates *bk_templates_new(void) { return bk_calloc(1, sizeof(bk_templates)); }

void bk_templates_free(bk_templates *set)
{
    if (!set)
        return;
    bk_free(set->items);
    bk_strpool_free(&set->pool);
    bk_free(set);
}

size_t bk_templates_count(const bk_templates *set) { return set ? set->count : 0; }

const bk_template *bk_templates_at(const bk_templates *set, size_t i)
{
    return set && i < set->count ? set->items[i] : NULL;
}

const bk_template *bk_templates_find(const bk_templates *set, const char *id)
{
    for (size_t i = 0; set && i < set->count; i++)
        if (strcmp(set->items[i]->id, id) == 0)
            return set->items[i];
    return NULL;
}

int bk_template_column(const bk_template *tpl, const char *id)
{
    for (size_t i = 0; i < tpl->ncolumns; i++)
        if (strcmp(tpl->columns[i].id, id) == 0)
            return (int)i;
    return -1;
}

static int valid_id(const char *s, int lower_only)
{
    if (!*s)
        return 0;
    for (; *s; s++) {
        char c = *s;
        int ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
                 (!lower_only && ((c >= 'A' && c <= 'Z') || c == '-'));
        if (!ok)
            return 0;
    }
    return 1;
}

typedef struct loader {
    bk_templates *set;
    const char *name;
    bk_error *err;
    const char *family; /* NULL when loaded alone */
} loader;

static bk_status fail(loader *ld, const char *fmt, const char *what)
{
    bk_error_at(ld->err, ld->name, 0, 0, -1);
    char msg[256];
    snprintf(msg, sizeof msg, fmt, what);
    return bk_error_set(ld->err, BK_E_CONTENT, "%s", msg);
}

static const char *intern(loader *ld, const char *s)
{
    return bk_strpool_intern(&ld->set->pool, s, strlen(s));
}

/* n zeroed objects for a template, released with the set. */
static void *take(loader *ld, size_t n, size_t size)
{
    return bk_strpool_calloc(&ld->set->pool, n, size);
}

/* A JSON array of strings into an interned array. */
static bk_status string_list(loader *ld, json_t *arr, const char *key, const char ***out,
                             size_t *n)
{
    *out = NULL;
    *n = 0;
    if (!arr)
        return BK_OK;
    if (!json_is_array(arr))
        return fail(ld, "\"%s\" must be an array of strings", key);
    size_t len = json_array_size(arr);
    if (len == 0)
        return BK_OK;
    const char **items = take(ld, len, sizeof *items);
    if (!items)
        return bk_error_set(ld->err, BK_E_NOMEM, "out of memory");
    for (size_t i = 0; i < len; i++) {
        json_t *v = json_array_get(arr, i);
        if (!json_is_string(v) || !(items[i] = intern(ld, json_string_value(v))))
            return json_is_string(v) ? bk_error_set(ld->err, BK_E_NOMEM, "out of memory")
                                     : fail(ld, "\"%s\" must be an array of strings", key);
    }
    *out = items;
    *n = len;
    return BK_OK;
}

/* "key_aliases": {"经济分类科目名称": ["部门经济分类科目名称"]}, kept as pairs. */
static bk_status load_key_aliases(loader *ld, bk_template *t, json_t *obj)
{
    if (!obj)
        return BK_OK;
    if (!json_is_object(obj))
        return fail(ld, "%s must be an object of key headers and their other labels",
                    "\"key_aliases\"");
    size_t n = 0;
    const char *key;
    json_t *v;
    json_object_foreach(obj, key, v) {
        size_t k = 0;
        while (k < t->nkey_headers && strcmp(t->key_headers[k], key) != 0)
            k++;
        if (k == t->nkey_headers)
            return fail(ld, "\"key_aliases\": \"%s\" is no key header", key);
        if (!json_is_array(v))
            return fail(ld, "\"key_aliases\": \"%s\" must name an array of labels", key);
        n += json_array_size(v);
    }
    if (n == 0)
        return BK_OK;
    if (!(t->key_aliases = take(ld, 2 * n, sizeof *t->key_aliases)))
        return bk_error_set(ld->err, BK_E_NOMEM, "out of memory");
    json_object_foreach(obj, key, v) {
        size_t i;
        json_t *label;
        json_array_foreach(v, i, label) {
            const char **pair = &t->key_aliases[2 * t->nkey_aliases];
            if (!json_is_string(label))
                return fail(ld, "\"key_aliases\": \"%s\" must name an array of labels", key);
            if (!(pair[0] = intern(ld, key)) || !(pair[1] = intern(ld, json_string_value(label))))
                return bk_error_set(ld->err, BK_E_NOMEM, "out of memory");
            t->nkey_aliases++;
        }
    }
    return BK_OK;
}

static bk_status load_columns(loader *ld, bk_template *t, json_t *cols)
{
    if (!json_is_array(cols) || json_array_size(cols) == 0)
        return fail(ld, "%s must be a non-empty array", "\"columns\"");
    size_t n = json_array_size(cols);
    t->columns = take(ld, n, sizeof *t->columns);
    if (!t->columns)
        return bk_error_set(ld->err, BK_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        json_t *c = json_array_get(cols, i);
        bk_column *col = &t->columns[i];
        t->ncolumns = i + 1;
        const char *id = json_string_value(json_object_get(c, "id"));
        const char *type = json_string_value(json_object_get(c, "type"));
        if (!json_is_object(c) || !id || !valid_id(id, 1))
            return fail(ld, "column %s needs an \"id\" of [a-z0-9_]", "entry");
        for (size_t j = 0; j < i; j++)
            if (strcmp(t->columns[j].id, id) == 0)
                return fail(ld, "column id \"%s\" is used twice", id);
        if (!(col->id = intern(ld, id)))
            return bk_error_set(ld->err, BK_E_NOMEM, "out of memory");
        if ((col->type = type && !*type ? -1 : bk_column_type_parse(type)) < 0)
            return fail(ld, "column type \"%s\" is not amount, percent or text", type);
        json_t *optional = json_object_get(c, "optional");
        if (optional && !json_is_boolean(optional))
            return fail(ld, "column %s: \"optional\" must be true or false", id);
        col->optional = json_is_true(optional);
        const char *side = json_string_value(json_object_get(c, "side"));
        if (json_object_get(c, "side") && !side)
            return fail(ld, "column %s: \"side\" must be income or expenditure", id);
        if (!side)
            col->side = BK_SIDE_BOTH;
        else if (strcmp(side, "income") == 0)
            col->side = BK_SIDE_INCOME;
        else if (strcmp(side, "expenditure") == 0)
            col->side = BK_SIDE_EXPENDITURE;
        else
            return fail(ld, "column %s: \"side\" must be income or expenditure", id);
        bk_status st = string_list(ld, json_object_get(c, "path"), "path", &col->path,
                                   &col->path_len);
        if (st != BK_OK)
            return st;
    }
    return BK_OK;
}

static bk_status load_template(loader *ld, json_t *root, bk_template *t)
{
    if (!json_is_object(root))
        return fail(ld, "a template must be a JSON %s", "object");
    const char *id = json_string_value(json_object_get(root, "id"));
    const char *title = json_string_value(json_object_get(root, "title"));
    const char *row_key = json_string_value(json_object_get(root, "row_key"));
    if (!id || !valid_id(id, 0))
        return fail(ld, "%s needs an \"id\" of [A-Za-z0-9_-]", "a template");
    if (!title)
        return fail(ld, "template %s needs a \"title\"", id);
    if (bk_templates_find(ld->set, id))
        return fail(ld, "template id \"%s\" is defined twice", id);
    json_t *num = json_object_get(root, "number");
    if (num && !json_is_integer(num))
        return fail(ld, "%s must be an integer", "\"number\"");
    t->number = num ? (int)json_integer_value(num) : 0;
    t->id = intern(ld, id);
    t->title = intern(ld, title);
    t->row_key = intern(ld, row_key ? row_key : "item");
    t->file = intern(ld, ld->name);
    if (!t->id || !t->title || !t->row_key || !t->file)
        return bk_error_set(ld->err, BK_E_NOMEM, "out of memory");
    bk_status st = string_list(ld, json_object_get(root, "aliases"), "aliases", &t->aliases,
                               &t->naliases);
    if (st == BK_OK)
        st = string_list(ld, json_object_get(root, "key_headers"), "key_headers",
                         &t->key_headers, &t->nkey_headers);
    if (st == BK_OK)
        st = load_key_aliases(ld, t, json_object_get(root, "key_aliases"));
    if (st == BK_OK)
        st = string_list(ld, json_object_get(root, "label_columns"), "label_columns",
                         &t->label_columns, &t->nlabel_columns);
    if (st == BK_OK)
        st = string_list(ld, json_object_get(root, "sides"), "sides", &t->sides, &t->nsides);
    if (st == BK_OK && t->nsides != 0 && t->nsides != 2)
        return fail(ld, "%s must name two sides (收入, 支出)", "\"sides\"");
    if (st == BK_OK)
        st = load_columns(ld, t, json_object_get(root, "columns"));
    if (st != BK_OK)
        return st;
    t->family = intern(ld, ld->family ? ld->family : "");
    if (!t->family)
        return bk_error_set(ld->err, BK_E_NOMEM, "out of memory");
    json_t *year = json_object_get(root, "year");
    if (year && (!json_is_integer(year) || json_integer_value(year) < 1900 ||
                 json_integer_value(year) > 9999))
        return fail(ld, "%s must be a year (1900..9999)", "\"year\"");
    t->year = year ? (int)json_integer_value(year) : 0;
    json_t *mu = json_object_get(root, "money_unit");
    if (mu && !json_is_string(mu))
        return fail(ld, "%s must be a string (万元, 元)", "\"money_unit\"");
    if (mu && !(t->money_unit = intern(ld, json_string_value(mu))))
        return bk_error_set(ld->err, BK_E_NOMEM, "out of memory");
    json_t *parts = json_object_get(root, "code_parts");
    if (parts && (!json_is_integer(parts) || json_integer_value(parts) < 2 ||
                  (size_t)json_integer_value(parts) > t->nkey_headers))
        return fail(ld, "%s must be an integer from 2 to the number of key headers",
                    "\"code_parts\"");
    t->code_parts = parts ? (size_t)json_integer_value(parts) : 0;
    json_t *rules = json_object_get(root, "rules");
    if (rules && !json_is_array(rules))
        return fail(ld, "%s must be an array", "\"rules\"");
    char *text = rules ? json_dumps(rules, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
    if (!rules) {
        t->rules_json = intern(ld, "[]");
        return t->rules_json ? BK_OK : bk_error_set(ld->err, BK_E_NOMEM, "out of memory");
    }
    if (!text)
        return bk_error_set(ld->err, BK_E_NOMEM, "out of memory");
    t->rules_json = intern(ld, text);
    free(text);
    return t->rules_json ? BK_OK : bk_error_set(ld->err, BK_E_NOMEM, "out of memory");
}

static int template_cmp(const void *a, const void *b)
{
    const bk_template *x = *(const bk_template *const *)a, *y = *(const bk_template *const *)b;
    if (x->number != y->number)
        return x->number < y->number ? -1 : 1;
    return strcmp(x->id, y->id);
}

static bk_status load_buffer(bk_templates *set, const char *family, const char *name,
                             const char *data, size_t len, bk_error *err)
{
    loader ld = {set, name, err, family};
    json_error_t jerr;
    unsigned long failures = bk_alloc_failures();
    json_t *root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
    if (bk_alloc_failures() != failures) {
        /* jansson reports running out of memory as a syntax error, or drops a byte silently. */
        json_decref(root);
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    }
    if (!root) {
        bk_error_at(err, name, jerr.line, jerr.column, jerr.position);
        return bk_error_set(err, BK_E_SYNTAX, "%s", jerr.text);
    }
    bk_template *t = take(&ld, 1, sizeof *t);
    if (!t || bk_grow((void **)&set->items, &set->cap, set->count + 1, sizeof *set->items)) {
        json_decref(root);
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    }
    bk_status st = load_template(&ld, root, t);
    json_decref(root);
    if (st != BK_OK)
        return st;
    set->items[set->count++] = t;
    qsort(set->items, set->count, sizeof *set->items, template_cmp);
    return BK_OK;
}

bk_status bk_templates_load_buffer(bk_templates *set, const char *name, const char *data,
                                   size_t len, bk_error *err)
{
    return load_buffer(set, NULL, name, data, len, err);
}

static bk_status read_file(const char *path, char **data, size_t *len, bk_error *err)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        bk_error_at(err, path, 0, 0, -1);
        return bk_error_set(err, BK_E_IO, "cannot open template file");
    }
    char *buf = NULL;
    size_t n = 0, cap = 0;
    for (;;) {
        if (bk_grow((void **)&buf, &cap, n + 4096, 1)) {
            bk_free(buf);
            fclose(f);
            return bk_error_set(err, BK_E_NOMEM, "out of memory");
        }
        size_t got = fread(buf + n, 1, cap - n, f);
        n += got;
        if (got == 0)
            break;
        if (n > (1u << 22)) {
            bk_free(buf);
            fclose(f);
            bk_error_at(err, path, 0, 0, -1);
            return bk_error_set(err, BK_E_LIMIT, "template file is larger than 4 MiB");
        }
    }
    int bad = ferror(f);
    fclose(f);
    if (bad) {
        bk_free(buf);
        bk_error_at(err, path, 0, 0, -1);
        return bk_error_set(err, BK_E_IO, "cannot read template file");
    }
    *data = buf;
    *len = n;
    return BK_OK;
}

static bk_status load_folder(bk_templates *set, const char *dir, const char *family,
                             size_t *loaded, bk_error *err)
{
    char **names;
    size_t n;
    bk_status st = bk_dir_list(dir, ".json", &names, &n, err);
    if (st != BK_OK) {
        if (st == BK_E_IO)
            bk_error_set(err, BK_E_IO, "cannot open the template folder");
        return st;
    }
    for (size_t i = 0; i < n && st == BK_OK; i++) {
        char path[4096], *data = NULL;
        size_t len = 0;
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        st = read_file(path, &data, &len, err);
        if (st == BK_OK) {
            st = load_buffer(set, family, path, data, len, err);
            bk_free(data);
        }
    }
    *loaded += n;
    bk_dir_list_free(names, n);
    return st;
}

bk_status bk_templates_load_dir(bk_templates *set, const char *dir, bk_error *err)
{
    size_t loaded = 0;
    bk_status st = load_folder(set, dir, NULL, &loaded, err);
    if (st == BK_OK && loaded == 0) {
        bk_error_at(err, dir, 0, 0, -1);
        st = bk_error_set(err, BK_E_CONTENT, "the template folder holds no *.json template");
    }
    return st;
}

static int is_dir(const char *path)
{
    struct stat sb;
    return stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
}

bk_status bk_templates_load_families(bk_templates *set, const char *dir, bk_error *err)
{
    char **names;
    size_t n, loaded = 0;
    bk_status st = bk_dir_list(dir, NULL, &names, &n, err);
    if (st != BK_OK) {
        if (st == BK_E_IO)
            bk_error_set(err, BK_E_IO, "cannot open the layout folder");
        return st;
    }
    for (size_t i = 0; i < n && st == BK_OK; i++) {
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        int seen = 0;
        for (size_t k = 0; k < set->count && !seen; k++)
            seen = strcmp(set->items[k]->family, names[i]) == 0;
        if (is_dir(path) && valid_id(names[i], 0) && !seen)
            st = load_folder(set, path, names[i], &loaded, err);
        else if (seen)
            loaded++;
    }
    bk_dir_list_free(names, n);
    if (st == BK_OK && loaded == 0) {
        bk_error_at(err, dir, 0, 0, -1);
        st = bk_error_set(err, BK_E_CONTENT, "the layout folder holds no family of *.json "
                          "templates");
    }
    return st;
}

/* Full-width punctuation that printed tables use interchangeably with ASCII. */
static int fold_fullwidth(const unsigned char *p, size_t left, char *ascii)
{
    if (left < 3)
        return 0;
    if (p[0] == 0xEF && p[1] == 0xBC) {
        switch (p[2]) {
        case 0x88: *ascii = '('; return 1;
        case 0x89: *ascii = ')'; return 1;
        case 0x9A: *ascii = ':'; return 1;
        case 0x8C: *ascii = ','; return 1;
        case 0x9B: *ascii = ';'; return 1;
        case 0x85: *ascii = '%'; return 1;
        default: return 0;
        }
    }
    return 0;
}

size_t bk_label_normalise(const char *s, char *buf, size_t cap)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t left = strlen(s), n = 0;
    while (left > 0) {
        char a;
        if (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\n') {
            p++, left--;
        } else if (left >= 3 && p[0] == 0xE3 && p[1] == 0x80 && p[2] == 0x80) {
            p += 3, left -= 3; /* ideographic space */
        } else if (fold_fullwidth(p, left, &a)) {
            if (n + 1 < cap)
                buf[n] = a;
            n++;
            p += 3, left -= 3;
        } else {
            if (n + 1 < cap)
                buf[n] = (char)*p;
            n++;
            p++, left--;
        }
    }
    if (cap)
        buf[n < cap ? n : cap - 1] = '\0';
    return n;
}

int bk_label_equal(const char *a, const char *b)
{
    char x[512], y[512];
    size_t nx = bk_label_normalise(a, x, sizeof x), ny = bk_label_normalise(b, y, sizeof y);
    if (nx >= sizeof x || ny >= sizeof y) {
        /* Long labels: compare normalised copies on the heap. */
        char *hx = bk_malloc(nx + 1), *hy = bk_malloc(ny + 1);
        int eq = 0;
        if (hx && hy) {
            bk_label_normalise(a, hx, nx + 1);
            bk_label_normalise(b, hy, ny + 1);
            eq = nx == ny && memcmp(hx, hy, nx) == 0;
        }
        bk_free(hx);
        bk_free(hy);
        return eq;
    }
    return nx == ny && memcmp(x, y, nx) == 0;
}
