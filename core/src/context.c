/* The context: plugin discovery and loading, probing, templates, limits and options. */
#define _GNU_SOURCE /* dladdr: where this library was loaded from */
#include "budgetkit/context.h"

#include <ctype.h>
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "budgetkit/alloc.h"
#include "jobs.h"
#include "strpool.h"

typedef struct plugin_entry {
    const bk_plugin_desc *desc;
    const char *file;
    void *handle; /* NULL for plugins linked into the program */
} plugin_entry;

typedef struct skipped_entry {
    const char *file;
    const char *reason;
} skipped_entry;

typedef struct option_entry {
    const char *key;
    const char *value;
} option_entry;

struct bk_ctx {
    plugin_entry *plugins;
    size_t nplugins, plugins_cap;
    skipped_entry *skipped;
    size_t nskipped, skipped_cap;
    char *plugin_path; /* ':'-separated folders given by the program */
    option_entry *options;
    size_t noptions, options_cap;
    /* The names of plugin files, skipped files and why, option keys and values: kept until
     * the context goes, so that a replaced option value a reader holds stays valid. */
    bk_strpool strings;
    /* Readers of parallel jobs look options up while a writer may set one (the xlsx writer
     * does): the lock guards the options and the strings. */
    pthread_mutex_t options_lock;
    unsigned jobs;
    bk_limits limits;
    char *data_dir;
    bk_templates *templates;
    bk_diag_fn diag;
    void *diag_user;
    size_t inputs_done, inputs_total; /* of the job under way, for its progress */
    /* Defaults found at run time from where this library lies, so that an installed tree
     * works wherever it is moved: the build tree's folders, or those beside the library. */
    char default_plugin_dir[PATH_MAX + 256];
    char default_data_dir[PATH_MAX + 256];
    char *searched; /* ':'-separated folders the last bk_ctx_load_plugins looked in */
};

static const bk_limits default_limits = {
    .max_input_bytes = 1ULL << 30,    /* 1 GiB in one file or entry */
    .max_cells = 10000000ULL,         /* a very large department has tens of thousands */
    .max_string = 1ULL << 20,         /* 1 MiB of text in one value */
    .max_depth = 64,
    .max_header_rows = 8,
    /* 2^20: a million unit budgets and their manifest; the reader keeps 24 bytes an entry. */
    .max_entries = 1048576,
    .max_uncompressed = 8ULL << 30,   /* 8 GiB in all */
    .max_ratio = 200,                 /* canonical JSON deflates about 10:1; zeros 1000:1 */
    .max_documents = 10000000ULL,
};

static const char *const limit_names[] = {
    "max-input-bytes", "max-cells", "max-string", "max-depth", "max-header-rows",
    "max-entries", "max-uncompressed", "max-ratio", "max-documents", NULL};

/* Every key a plugin or the host looks up with bk_*_option; a new one is added here. */
static const char *const option_names[] = {
    "bom", "catalog", "created", "encoding", "explain", "grid-out", "input-encoding",
    "json-lines", "lang", "layout", "layout-family", "license", "lines", "max-pages", "member-format",
    "money_unit", "output-encoding", "package-name", "publisher", "source", "source-path",
    "strict", "title", "unknown-econ-severity", "year", NULL};

const char *const *bk_option_names(void) { return option_names; }

const char *bk_version(void) { return BK_VERSION; }

void bk_ctx_set_diagnostics(bk_ctx *ctx, bk_diag_fn fn, void *user)
{
    ctx->diag = fn;
    ctx->diag_user = user;
}

/* A reading thread of a parallel job keeps its diagnostics with its documents, so that they
 * reach the program in the order a single thread would have produced them. */
static _Thread_local bk_diag_fn capture_fn;
static _Thread_local void *capture_user;

void bk_ctx_capture_diagnostics(bk_diag_fn fn, void *user)
{
    capture_fn = fn;
    capture_user = user;
}

void bk_ctx_diagnose(bk_ctx *ctx, const bk_diag *d)
{
    if (capture_fn)
        capture_fn(d, capture_user);
    else if (ctx->diag)
        ctx->diag(d, ctx->diag_user);
}

void bk_ctx_set_inputs(bk_ctx *ctx, size_t done, size_t total)
{
    ctx->inputs_done = done;
    ctx->inputs_total = total;
}

void bk_ctx_inputs(const bk_ctx *ctx, size_t *done, size_t *total)
{
    *done = ctx->inputs_done;
    *total = ctx->inputs_total;
}

void bk_ctx_set_jobs(bk_ctx *ctx, unsigned jobs) { ctx->jobs = jobs ? jobs : 1; }
unsigned bk_ctx_jobs(const bk_ctx *ctx) { return ctx->jobs; }

/* The resolved folder holding this library, or 0 when it cannot be found. */
static int library_dir(char *dir, size_t cap)
{
    Dl_info info;
    char real[PATH_MAX];
    if (!dladdr((void *)library_dir, &info) || !info.dli_fname || !realpath(info.dli_fname, real))
        return 0;
    char *slash = strrchr(real, '/');
    if (!slash || (size_t)(slash - real) >= cap)
        return 0;
    *slash = '\0';
    snprintf(dir, cap, "%s", real[0] ? real : "/");
    return 1;
}

static void find_default_dirs(bk_ctx *ctx)
{
    char lib[PATH_MAX], built[PATH_MAX];
    size_t cap = sizeof ctx->default_plugin_dir;
    if (!library_dir(lib, sizeof lib)) {
        /* Not loaded from a file (linked statically): the configured install folders. */
        snprintf(ctx->default_plugin_dir, cap, "%s", BK_INSTALL_PREFIX "/" BK_PLUGIN_DIR_FROM_PREFIX);
        snprintf(ctx->default_data_dir, cap, "%s", BK_INSTALL_PREFIX "/" BK_DATA_DIR_FROM_PREFIX);
    } else if (realpath(BK_BUILD_LIB_DIR, built) && strcmp(lib, built) == 0) {
        snprintf(ctx->default_plugin_dir, cap, "%s", BK_BUILD_PLUGIN_DIR);
        snprintf(ctx->default_data_dir, cap, "%s", BK_SOURCE_DATA_DIR);
    } else {
        snprintf(ctx->default_plugin_dir, cap, "%s/%s", lib, BK_PLUGIN_DIR_FROM_LIB);
        snprintf(ctx->default_data_dir, cap, "%s/%s", lib, BK_DATA_DIR_FROM_LIB);
    }
}

bk_ctx *bk_ctx_new(void)
{
    /* jansson allocates through ours, so fault injection reaches it too. */
    json_set_alloc_funcs(bk_malloc, bk_free);
    bk_ctx *ctx = bk_calloc(1, sizeof *ctx);
    if (ctx) {
        ctx->limits = default_limits;
        ctx->jobs = 1;
        pthread_mutex_init(&ctx->options_lock, NULL);
        find_default_dirs(ctx);
    }
    return ctx;
}

void bk_ctx_free(bk_ctx *ctx)
{
    if (!ctx)
        return;
    for (size_t i = 0; i < ctx->nplugins; i++)
        if (ctx->plugins[i].handle)
            dlclose(ctx->plugins[i].handle);
    bk_free(ctx->plugins);
    bk_free(ctx->skipped);
    bk_free(ctx->options);
    bk_strpool_free(&ctx->strings);
    pthread_mutex_destroy(&ctx->options_lock);
    bk_free(ctx->plugin_path);
    bk_free(ctx->data_dir);
    bk_free(ctx->searched);
    bk_templates_free(ctx->templates);
    bk_free(ctx);
}

bk_limits *bk_ctx_limits(bk_ctx *ctx) { return &ctx->limits; }

int bk_limit_over(unsigned long long value, unsigned long long limit)
{
    return limit != 0 && value > limit;
}

int bk_limit_ratio_over(unsigned long long size, unsigned long long csize, unsigned long long ratio)
{
    if (ratio == 0 || size == 0)
        return 0;
    if (csize == 0)
        return 1;
    return size / csize > ratio || (size / csize == ratio && size % csize != 0);
}

bk_status bk_ctx_set_limit(bk_ctx *ctx, const char *name, const char *value, bk_error *err)
{
    unsigned long long *slots[] = {
        &ctx->limits.max_input_bytes, &ctx->limits.max_cells, &ctx->limits.max_string,
        &ctx->limits.max_depth, &ctx->limits.max_header_rows, &ctx->limits.max_entries,
        &ctx->limits.max_uncompressed, &ctx->limits.max_ratio, &ctx->limits.max_documents};
    for (size_t i = 0; limit_names[i]; i++) {
        if (strcmp(name, limit_names[i]) != 0)
            continue;
        char *end;
        errno = 0;
        if (!isdigit((unsigned char)value[0]))
            return bk_error_set(err, BK_E_USAGE, "limit %s: \"%s\" is not a number", name, value);
        unsigned long long v = strtoull(value, &end, 10);
        unsigned shift = 0;
        if (*end == 'K' || *end == 'k')
            shift = 10, end++;
        else if (*end == 'M' || *end == 'm')
            shift = 20, end++;
        else if (*end == 'G' || *end == 'g')
            shift = 30, end++;
        if (errno || *end || (shift && v > (~0ULL >> shift)) || v == 0)
            return bk_error_set(err, BK_E_USAGE, "limit %s: \"%s\" is not a positive number "
                                "(with optional K, M or G)", name, value);
        *slots[i] = v << shift;
        return BK_OK;
    }
    return bk_error_set(err, BK_E_USAGE, "no limit is called \"%s\"", name);
}

/* s kept in the context's strings; the caller holds the lock. NULL for out of memory. */
static const char *keep_locked(bk_ctx *ctx, const char *s)
{
    return bk_strpool_intern(&ctx->strings, s, strlen(s));
}

static const char *keep(bk_ctx *ctx, const char *s)
{
    pthread_mutex_lock(&ctx->options_lock);
    const char *kept = keep_locked(ctx, s);
    pthread_mutex_unlock(&ctx->options_lock);
    return kept;
}

static bk_status set_option_locked(bk_ctx *ctx, const char *key, const char *value)
{
    const char *v = keep_locked(ctx, value);
    if (!v)
        return BK_E_NOMEM;
    for (size_t i = 0; i < ctx->noptions; i++)
        if (strcmp(ctx->options[i].key, key) == 0) {
            ctx->options[i].value = v;
            return BK_OK;
        }
    const char *k = keep_locked(ctx, key);
    if (!k ||
        bk_grow((void **)&ctx->options, &ctx->options_cap, ctx->noptions + 1, sizeof *ctx->options))
        return BK_E_NOMEM;
    ctx->options[ctx->noptions++] = (option_entry){k, v};
    return BK_OK;
}

bk_status bk_ctx_set_option(bk_ctx *ctx, const char *key, const char *value)
{
    pthread_mutex_lock(&ctx->options_lock);
    bk_status st = set_option_locked(ctx, key, value);
    pthread_mutex_unlock(&ctx->options_lock);
    return st;
}

const char *bk_ctx_option(const bk_ctx *ctx, const char *key)
{
    const char *v = NULL;
    pthread_mutex_lock((pthread_mutex_t *)&ctx->options_lock);
    for (size_t i = 0; i < ctx->noptions && !v; i++)
        if (strcmp(ctx->options[i].key, key) == 0)
            v = ctx->options[i].value;
    pthread_mutex_unlock((pthread_mutex_t *)&ctx->options_lock);
    return v;
}

bk_status bk_ctx_set_data_dir(bk_ctx *ctx, const char *dir)
{
    char *d = bk_strdup(dir);
    if (!d)
        return BK_E_NOMEM;
    bk_free(ctx->data_dir);
    ctx->data_dir = d;
    return BK_OK;
}

const char *bk_ctx_data_dir(const bk_ctx *ctx)
{
    if (ctx->data_dir)
        return ctx->data_dir;
    const char *env = getenv("BUDGETKIT_DATA_DIR");
    if (env && *env)
        return env;
    return ctx->default_data_dir;
}

/* The layouts: each folder of BUDGETKIT_LAYOUT_PATH (':'-separated, an agency's own families),
 * then the data folder's layouts/. A family found twice is taken from the first folder. */
const bk_templates *bk_ctx_templates(bk_ctx *ctx, bk_error *err)
{
    if (ctx->templates)
        return ctx->templates;
    bk_templates *set = bk_templates_new();
    if (!set) {
        bk_error_set(err, BK_E_NOMEM, "out of memory");
        return NULL;
    }
    const char *path = getenv("BUDGETKIT_LAYOUT_PATH");
    bk_status st = BK_OK;
    while (path && *path && st == BK_OK) {
        const char *end = strchr(path, ':');
        size_t len = end ? (size_t)(end - path) : strlen(path);
        if (len > 0 && len < 4096) {
            char dir[4096];
            snprintf(dir, sizeof dir, "%.*s", (int)len, path);
            st = bk_templates_load_families(set, dir, err);
        }
        path = end ? end + 1 : NULL;
    }
    if (st == BK_OK) {
        char dir[4096];
        snprintf(dir, sizeof dir, "%s/layouts", bk_ctx_data_dir(ctx));
        st = bk_templates_load_families(set, dir, err);
    }
    if (st != BK_OK) {
        bk_templates_free(set);
        return NULL;
    }
    ctx->templates = set;
    return set;
}

/* more appended to the ':'-separated folders *list (NULL: none yet). 0, or -1 for out of
 * memory with *list unchanged. */
static int append_folders(char **list, const char *more)
{
    size_t old = *list ? strlen(*list) : 0;
    char *p = bk_malloc(old + strlen(more) + 2);
    if (!p)
        return -1;
    if (old)
        sprintf(p, "%s:%s", *list, more);
    else
        strcpy(p, more);
    bk_free(*list);
    *list = p;
    return 0;
}

bk_status bk_ctx_add_plugin_path(bk_ctx *ctx, const char *pathlist)
{
    return append_folders(&ctx->plugin_path, pathlist) ? BK_E_NOMEM : BK_OK;
}

static bk_status add_skipped(bk_ctx *ctx, const char *file, const char *reason)
{
    const char *f = keep(ctx, file), *r = keep(ctx, reason);
    if (!f || !r ||
        bk_grow((void **)&ctx->skipped, &ctx->skipped_cap, ctx->nskipped + 1, sizeof *ctx->skipped))
        return BK_E_NOMEM;
    ctx->skipped[ctx->nskipped++] = (skipped_entry){f, r};
    return BK_OK;
}

const bk_plugin_desc *bk_ctx_plugin_find(const bk_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->nplugins; i++)
        if (strcmp(ctx->plugins[i].desc->name, name) == 0)
            return ctx->plugins[i].desc;
    return NULL;
}

/* Why a descriptor cannot be used, or NULL when it can. */
static const char *descriptor_problem(const bk_plugin_desc *d, char *buf, size_t cap)
{
    if (!d)
        return "its entry point returned no descriptor";
    if (d->abi_major != BK_ABI_MAJOR || d->abi_minor > BK_ABI_MINOR) {
        snprintf(buf, cap, "built for plugin ABI %u.%u, this program supports %d.0 to %d.%d",
                 d->abi_major, d->abi_minor, BK_ABI_MAJOR, BK_ABI_MAJOR, BK_ABI_MINOR);
        return buf;
    }
    if (d->size < offsetof(bk_plugin_desc, reserved))
        return "its descriptor is smaller than ABI 1.0's";
    if (!d->name || !*d->name || !d->version)
        return "its descriptor has no name or version";
    if (!(d->kinds & (BK_PLUGIN_IMPORT | BK_PLUGIN_EXPORT | BK_PLUGIN_VALIDATE)))
        return "its descriptor declares no kind (import, export, validate)";
    if ((d->kinds & BK_PLUGIN_IMPORT) && (!d->probe || !d->import))
        return "it declares import but has no probe or import function";
    if ((d->kinds & BK_PLUGIN_EXPORT) && (!d->export_begin || !d->export_doc || !d->export_end))
        return "it declares export but lacks export functions";
    if ((d->kinds & BK_PLUGIN_VALIDATE) && !d->validate)
        return "it declares validate but has no validate function";
    return NULL;
}

static bk_status add_plugin(bk_ctx *ctx, const bk_plugin_desc *desc, const char *file,
                            void *handle, bk_error *err)
{
    char buf[200];
    const char *problem = descriptor_problem(desc, buf, sizeof buf);
    const bk_plugin_desc *twin = problem ? NULL : bk_ctx_plugin_find(ctx, desc->name);
    if (twin) {
        for (size_t i = 0; i < ctx->nplugins; i++)
            if (ctx->plugins[i].desc == twin)
                snprintf(buf, sizeof buf, "a plugin named \"%s\" is already loaded from %s",
                         desc->name, ctx->plugins[i].file);
        problem = buf;
    }
    if (problem) {
        bk_error_at(err, file, 0, 0, -1);
        bk_error_set(err, BK_E_PLUGIN, "%s", problem);
        return BK_E_PLUGIN;
    }
    if (bk_grow((void **)&ctx->plugins, &ctx->plugins_cap, ctx->nplugins + 1,
                sizeof *ctx->plugins))
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    const char *f = keep(ctx, file);
    if (!f)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    ctx->plugins[ctx->nplugins++] = (plugin_entry){desc, f, handle};
    return BK_OK;
}

bk_status bk_ctx_register(bk_ctx *ctx, const bk_plugin_desc *desc, const char *origin,
                          bk_error *err)
{
    return add_plugin(ctx, desc, origin, NULL, err);
}

bk_status bk_ctx_load_plugin_file(bk_ctx *ctx, const char *path, bk_error *err)
{
    void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (!h) {
        const char *e = dlerror();
        bk_error_at(err, path, 0, 0, -1);
        return bk_error_set(err, BK_E_PLUGIN, "cannot be loaded: %s", e ? e : "unknown reason");
    }
    dlerror();
    void *sym = dlsym(h, BK_PLUGIN_ENTRY_NAME);
    if (!sym) {
        dlclose(h);
        bk_error_at(err, path, 0, 0, -1);
        return bk_error_set(err, BK_E_PLUGIN, "has no %s entry point: not a budgetkit plugin of "
                            "ABI %d", BK_PLUGIN_ENTRY_NAME, BK_ABI_MAJOR);
    }
    bk_plugin_entry_fn entry;
    memcpy(&entry, &sym, sizeof entry); /* object to function pointer, as dlsym requires */
    bk_status st = add_plugin(ctx, entry(), path, h, err);
    if (st != BK_OK)
        dlclose(h);
    return st;
}

static int str_cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Remember a searched folder, for "no plugins found in ..." */
static bk_status note_searched(bk_ctx *ctx, const char *dir, bk_error *err)
{
    if (append_folders(&ctx->searched, dir))
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    return BK_OK;
}

static bk_status load_dir(bk_ctx *ctx, const char *dir, bk_error *err)
{
    if (note_searched(ctx, dir, err) != BK_OK)
        return BK_E_NOMEM;
    DIR *d = opendir(dir);
    if (!d)
        return BK_OK; /* an absent folder in a search path is normal */
    char **names = NULL;
    size_t n = 0, cap = 0;
    bk_status st = BK_OK;
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        char *path = bk_malloc(strlen(dir) + strlen(e->d_name) + 2);
        if (!path || bk_grow((void **)&names, &cap, n + 1, sizeof *names)) {
            bk_free(path);
            st = bk_error_set(err, BK_E_NOMEM, "out of memory");
            break;
        }
        sprintf(path, "%s/%s", dir, e->d_name);
        names[n++] = path;
    }
    closedir(d);
    if (n)
        qsort(names, n, sizeof *names, str_cmp);
    for (size_t i = 0; i < n && st == BK_OK; i++) {
        struct stat sb;
        size_t len = strlen(names[i]);
        if (stat(names[i], &sb) != 0 || !S_ISREG(sb.st_mode))
            continue;
        if (len < 4 || strcmp(names[i] + len - 3, ".so") != 0) {
            st = add_skipped(ctx, names[i], "not a shared object (no .so suffix)");
            continue;
        }
        bk_error perr;
        bk_error_clear(&perr);
        bk_status pst = bk_ctx_load_plugin_file(ctx, names[i], &perr);
        if (pst == BK_E_NOMEM)
            st = bk_error_set(err, BK_E_NOMEM, "out of memory");
        else if (pst != BK_OK)
            st = add_skipped(ctx, names[i], perr.text);
    }
    for (size_t i = 0; i < n; i++)
        bk_free(names[i]);
    bk_free(names);
    return st;
}

static bk_status load_path_list(bk_ctx *ctx, const char *list, bk_error *err)
{
    char *copy = bk_strdup(list);
    if (!copy)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    bk_status st = BK_OK;
    char *save = NULL;
    for (char *dir = strtok_r(copy, ":", &save); dir && st == BK_OK;
         dir = strtok_r(NULL, ":", &save))
        st = load_dir(ctx, dir, err);
    bk_free(copy);
    return st;
}

bk_status bk_ctx_load_plugins(bk_ctx *ctx, bk_error *err)
{
    bk_status st = BK_OK;
    if (ctx->plugin_path)
        st = load_path_list(ctx, ctx->plugin_path, err);
    const char *env = getenv("BUDGETKIT_PLUGIN_PATH");
    if (st == BK_OK && env && *env)
        st = load_path_list(ctx, env, err);
    if (st == BK_OK)
        st = load_dir(ctx, ctx->default_plugin_dir, err);
    return st;
}

const char *bk_ctx_plugin_dirs(const bk_ctx *ctx)
{
    return ctx->searched ? ctx->searched : ctx->default_plugin_dir;
}

size_t bk_ctx_plugin_count(const bk_ctx *ctx) { return ctx->nplugins; }

const bk_plugin_desc *bk_ctx_plugin_at(const bk_ctx *ctx, size_t i, const char **file)
{
    if (i >= ctx->nplugins)
        return NULL;
    if (file)
        *file = ctx->plugins[i].file;
    return ctx->plugins[i].desc;
}

size_t bk_ctx_skipped_count(const bk_ctx *ctx) { return ctx->nskipped; }

void bk_ctx_skipped_at(const bk_ctx *ctx, size_t i, const char **file, const char **reason)
{
    *file = i < ctx->nskipped ? ctx->skipped[i].file : NULL;
    *reason = i < ctx->nskipped ? ctx->skipped[i].reason : NULL;
}

static const bk_plugin_desc *find_kind(bk_ctx *ctx, const char *name, uint32_t kind,
                                       const char *what, bk_error *err)
{
    const bk_plugin_desc *d = bk_ctx_plugin_find(ctx, name);
    if (d && (d->kinds & kind))
        return d;
    char list[256] = "";
    for (size_t i = 0; i < ctx->nplugins; i++)
        if (ctx->plugins[i].desc->kinds & kind) {
            size_t n = strlen(list);
            snprintf(list + n, sizeof list - n, "%s%s", n ? ", " : "", ctx->plugins[i].desc->name);
        }
    bk_error_set(err, BK_E_USAGE, "no %s called \"%s\" (available: %s)", what, name,
                 list[0] ? list : "none; see budgetkit plugins");
    return NULL;
}

const bk_plugin_desc *bk_ctx_find_importer(bk_ctx *ctx, bk_source *src, const char *name,
                                           int *score, bk_error *err)
{
    if (name)
        return find_kind(ctx, name, BK_PLUGIN_IMPORT, "input format", err);
    bk_probe p = {bk_source_name(src), NULL, 0, bk_source_is_dir(src)};
    p.head = bk_source_head(src, &p.head_len);
    const bk_plugin_desc *best = NULL;
    int best_score = 0;
    for (size_t i = 0; i < ctx->nplugins; i++) {
        const bk_plugin_desc *d = ctx->plugins[i].desc;
        if (!(d->kinds & BK_PLUGIN_IMPORT))
            continue;
        int s = d->probe(&p);
        if (s < 0 || s > 100)
            s = 0; /* out of contract: such a plugin must not win every input */
        if (s > best_score ||
            (s == best_score && s > 0 &&
             (d->priority > best->priority ||
              (d->priority == best->priority && strcmp(d->name, best->name) < 0)))) {
            best = d;
            best_score = s;
        }
    }
    if (score)
        *score = best_score;
    if (!best) {
        bk_error_at(err, bk_source_name(src), 0, 0, -1);
        bk_error_set(err, BK_E_USAGE, "cannot tell the format of this input; name it with --from");
    }
    return best;
}

static int has_extension(const bk_plugin_desc *d, const char *ext)
{
    for (const char *const *e = d->extensions; e && *e; e++)
        if (strcasecmp(*e, ext) == 0)
            return 1;
    return 0;
}

const bk_plugin_desc *bk_ctx_find_exporter(bk_ctx *ctx, const char *path, const char *name,
                                           bk_error *err)
{
    if (name)
        return find_kind(ctx, name, BK_PLUGIN_EXPORT, "output format", err);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    const char *dot = strrchr(base, '.');
    if (dot && dot[1]) {
        for (size_t i = 0; i < ctx->nplugins; i++) {
            const bk_plugin_desc *d = ctx->plugins[i].desc;
            if ((d->kinds & BK_PLUGIN_EXPORT) && has_extension(d, dot + 1))
                return d;
        }
    }
    bk_error_at(err, path, 0, 0, -1);
    bk_error_set(err, BK_E_USAGE, "cannot tell the output format from the name; name it with --to");
    return NULL;
}
