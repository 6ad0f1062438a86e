/* libFuzzer target: bk_templates_load_buffer (formats/templates.md), the loader of the data
 * files every reader depends on. A template folder is configuration that a user may edit, so
 * a broken file must give an error, never a crash.
 *
 * Properties checked on every accepted template: it is found by its id, every column is found
 * at its own index, labels compare equal to themselves, normalising a label twice changes
 * nothing, and loading the same text again is refused (ids are unique). */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budgetkit/budgetkit.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    (void)argc;
    (void)argv;
    /* Route jansson through bk_malloc as the library does for every program. */
    bk_ctx_free(bk_ctx_new());
    return 0;
}

static void fail(const char *what, const bk_template *t)
{
    fprintf(stderr, "template property broken: %s (template \"%s\")\n", what,
            t && t->id ? t->id : "?");
    abort();
}

static void check_label(const char *label, const bk_template *t)
{
    if (!label)
        fail("a label is NULL", t);
    if (!bk_label_equal(label, label))
        fail("a label does not compare equal to itself", t);
    size_t n = bk_label_normalise(label, NULL, 0);
    char *once = malloc(n + 1), *twice = malloc(n + 1);
    if (!once || !twice)
        abort();
    if (bk_label_normalise(label, once, n + 1) != n)
        fail("normalising a label gives two lengths", t);
    if (bk_label_normalise(once, twice, n + 1) != n || memcmp(once, twice, n) != 0)
        fail("normalising a normalised label changes it", t);
    if (!bk_label_equal(label, once))
        fail("a label differs from its normalised form", t);
    free(once);
    free(twice);
}

static void check_template(const bk_templates *set, const bk_template *t)
{
    if (bk_templates_find(set, t->id) != t)
        fail("not found by its id", t);
    if (!t->title || !t->row_key || !t->rules_json || !t->file)
        fail("a required field is NULL", t);
    if (t->ncolumns == 0 || !t->columns)
        fail("accepted without columns", t);
    check_label(t->title, t);
    for (size_t i = 0; i < t->naliases; i++)
        check_label(t->aliases[i], t);
    for (size_t i = 0; i < t->nkey_headers; i++)
        check_label(t->key_headers[i], t);
    for (size_t i = 0; i < t->ncolumns; i++) {
        const bk_column *c = &t->columns[i];
        if (bk_template_column(t, c->id) != (int)i)
            fail("a column is not found at its index", t);
        if (c->type != BK_COL_AMOUNT && c->type != BK_COL_PERCENT && c->type != BK_COL_TEXT)
            fail("a column has an unknown type", t);
        for (size_t j = 0; j < c->path_len; j++)
            check_label(c->path[j], t);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    bk_templates *set = bk_templates_new();
    if (!set)
        abort();
    bk_error err;
    bk_error_clear(&err);
    bk_status st = bk_templates_load_buffer(set, "fuzz.json", (const char *)data, size, &err);
    if (st != BK_OK) {
        if (err.code == BK_OK || !err.text[0] || bk_templates_count(set) != 0)
            fail("a refused template left no message or was kept", NULL);
    } else {
        if (bk_templates_count(set) != 1)
            fail("one buffer did not give one template", NULL);
        const bk_template *t = bk_templates_at(set, 0);
        check_template(set, t);
        bk_error_clear(&err);
        if (bk_templates_load_buffer(set, "again.json", (const char *)data, size, &err) == BK_OK)
            fail("the same id was accepted twice", t);
        if (bk_templates_count(set) != 1)
            fail("a refused duplicate was kept", t);
        check_template(set, bk_templates_at(set, 0));
    }
    bk_templates_free(set);
    return 0;
}
