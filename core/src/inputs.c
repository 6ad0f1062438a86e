/* Folders of documents: a superior department keeps its units' budgets in one folder. */
#include "inputs.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "budgetkit/alloc.h"
#include "budgetkit/io.h"

static int push(char ***list, size_t *n, size_t *cap, const char *s)
{
    char *copy = bk_strdup(s);
    if (!copy || bk_grow((void **)list, cap, *n + 1, sizeof **list) != 0) {
        bk_free(copy);
        return -1;
    }
    (*list)[(*n)++] = copy;
    return 0;
}

/* Whether some importer reads the folder whole: 1 or 0; -1 with err set when that cannot be
 * told for want of memory (a folder of wide tables must not be read file by file then). */
static int folder_is_document(bk_ctx *ctx, const char *path, const char *from, bk_error *err)
{
    bk_error e;
    bk_error_clear(&e);
    bk_source *src = bk_source_open(path, &e);
    const bk_plugin_desc *d = NULL;
    if (src) {
        int score = 0;
        d = bk_ctx_find_importer(ctx, src, from, &score, &e);
        bk_source_close(src);
    }
    if (!d && e.code == BK_E_NOMEM) {
        *err = e;
        return -1;
    }
    return d != NULL;
}

bk_status bk_inputs_expand(bk_ctx *ctx, const char *const *inputs, size_t n, const char *from,
                           char ***out, size_t *nout, bk_error *err)
{
    char **list = NULL;
    size_t count = 0, cap = 0;
    bk_status st = BK_OK;
    for (size_t i = 0; i < n && st == BK_OK; i++) {
        struct stat sb;
        int folder = strcmp(inputs[i], "-") != 0 && stat(inputs[i], &sb) == 0 &&
                     S_ISDIR(sb.st_mode);
        int whole = folder ? folder_is_document(ctx, inputs[i], from, err) : 0;
        if (whole < 0) {
            st = err->code;
            break;
        }
        if (!folder || whole) {
            if (push(&list, &count, &cap, inputs[i]) != 0)
                st = bk_error_set(err, BK_E_NOMEM, "out of memory");
            continue;
        }
        char **names = NULL;
        size_t nn = 0;
        st = bk_dir_list(inputs[i], NULL, &names, &nn, err);
        if (st != BK_OK) {
            bk_error_at(err, inputs[i], 0, 0, -1);
            break;
        }
        size_t len = strlen(inputs[i]);
        int slash = len > 0 && inputs[i][len - 1] == '/';
        for (size_t k = 0; k < nn && st == BK_OK; k++) {
            size_t need = len + strlen(names[k]) + 2;
            char *path = bk_malloc(need);
            if (!path) {
                st = bk_error_set(err, BK_E_NOMEM, "out of memory");
                break;
            }
            snprintf(path, need, "%s%s%s", inputs[i], slash ? "" : "/", names[k]);
            struct stat fs;
            /* Subfolders are not descended into: a folder is one level of documents. */
            if (stat(path, &fs) == 0 && S_ISREG(fs.st_mode) && push(&list, &count, &cap, path) != 0)
                st = bk_error_set(err, BK_E_NOMEM, "out of memory");
            bk_free(path);
        }
        bk_dir_list_free(names, nn);
        if (st == BK_OK && nn == 0) {
            bk_error_at(err, inputs[i], 0, 0, -1);
            st = bk_error_set(err, BK_E_CONTENT, "the folder holds no file");
        }
    }
    if (st != BK_OK) {
        bk_inputs_free(list, count);
        return st;
    }
    *out = list;
    *nout = count;
    return BK_OK;
}

void bk_inputs_free(char **list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        bk_free(list[i]);
    bk_free(list);
}

bk_status bk_inputs_exist(const char *const *inputs, size_t n, bk_error *err)
{
    for (size_t i = 0; i < n; i++) {
        struct stat sb;
        if (strcmp(inputs[i], "-") != 0 && stat(inputs[i], &sb) != 0) {
            bk_error_at(err, inputs[i], 0, 0, -1);
            return bk_error_set(err, BK_E_IO, "no such file or folder");
        }
    }
    return BK_OK;
}

int bk_output_is_folder(const char *path)
{
    size_t n = strlen(path);
    struct stat sb;
    return (n > 0 && path[n - 1] == '/') || (stat(path, &sb) == 0 && S_ISDIR(sb.st_mode));
}

bk_status bk_inputs_refuse_output(const char *const *inputs, size_t n, const char *path,
                                  const char *message, bk_error *err)
{
    struct stat so;
    if (strcmp(path, "-") == 0 || stat(path, &so) != 0)
        return BK_OK;
    for (size_t i = 0; i < n; i++) {
        struct stat si;
        if (strcmp(inputs[i], "-") != 0 && stat(inputs[i], &si) == 0 && si.st_dev == so.st_dev &&
            si.st_ino == so.st_ino) {
            bk_error_at(err, path, 0, 0, -1);
            return bk_error_set(err, BK_E_USAGE, "%s", message);
        }
    }
    return BK_OK;
}
