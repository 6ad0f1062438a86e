/* Reading archives.
 *
 * Archives come from sub-units and are untrusted. Everything the central directory says is
 * checked before a single byte is inflated: entry count, names (no escape from the archive, no
 * duplicates, no links), encryption, compression method, and the declared sizes against the
 * limits (per entry, per ratio, all together). While inflating, the bytes that actually come
 * out are counted and reading stops as soon as they pass the declared size or a limit, so a
 * lying header cannot make us inflate more than we agreed to. Each document member is checked
 * against its CRC and, when the archive has a manifest, its byte count and SHA-256, and only
 * then handed to the importer that probes best for it. Nothing is written to disk.
 */
#include "archive.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zip.h>

#include "sha256.h"

#define READ_CHUNK 65536
#define INITIAL_RESERVE ((size_t)16 << 20)
#define S_TYPE_MASK 0170000u
#define S_TYPE_LINK 0120000u

typedef struct entry {
    zip_uint64_t index;
    const char *name; /* owned by libzip, valid while the archive is open */
    zip_uint64_t size, csize;
    uint32_t crc;
    int is_dir;
    const bkar_format *format; /* by extension, NULL when not a document */
    int listed;                /* named by a manifest resource */
} entry;

/* One document member to read, with what the manifest says about it. */
typedef struct planned {
    entry *e;
    long long bytes;                  /* -1 when the manifest gives none */
    char sha256[BKAR_SHA256_HEX];     /* "" when the manifest gives none */
} planned;

typedef struct reader {
    bk_import *job;
    bk_error *err;
    const bk_limits *limits;
    const char *archive; /* name for messages */
    zip_t *za;
    entry *entries;
    size_t nentries;
    entry **by_name; /* the entries sorted by name (names are unique), NULL when fewer than 2 */
    entry *manifest;
    size_t base_len; /* resource paths are relative to the manifest's folder: its name's prefix */
    planned *plan;
    size_t nplan, plan_cap;
    unsigned long long inflated; /* actual bytes out of all entries so far */
} reader;

/* ---- errors ---- */

static bk_status verror(reader *r, const char *entry_name, long line, long column,
                        long long offset, bk_status code, const char *fmt, va_list ap)
{
    char text[BK_ERROR_TEXT];
    vsnprintf(text, sizeof text, fmt, ap);
    bk_error_at(r->err, r->archive, line, column, offset);
    if (entry_name)
        bk_error_where(r->err, "entry %s", entry_name);
    return bk_error_set(r->err, code, "%s", text);
}

__attribute__((format(printf, 4, 5)))
static bk_status entry_error(reader *r, const char *entry_name, bk_status code, const char *fmt,
                             ...)
{
    va_list ap;
    va_start(ap, fmt);
    bk_status st = verror(r, entry_name, 0, 0, -1, code, fmt, ap);
    va_end(ap);
    return st;
}

__attribute__((format(printf, 3, 4)))
static bk_status manifest_error(reader *r, bk_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    bk_status st =
        verror(r, r->manifest ? r->manifest->name : BKAR_MANIFEST, 0, 0, -1, code, fmt, ap);
    va_end(ap);
    return st;
}

static bk_status no_memory(reader *r)
{
    return entry_error(r, NULL, BK_E_NOMEM, "out of memory while reading the archive");
}

/* A libzip error, in our words where we know what it means. */
static bk_status zip_failure(reader *r, const char *entry_name, zip_error_t *ze)
{
    switch (zip_error_code_zip(ze)) {
    case ZIP_ER_MEMORY:
        return no_memory(r);
    case ZIP_ER_CRC:
        return entry_error(r, entry_name, BK_E_SYNTAX,
                           "CRC mismatch: the entry's data is damaged");
    case ZIP_ER_ZLIB:
    case ZIP_ER_COMPRESSED_DATA:
        return entry_error(r, entry_name, BK_E_SYNTAX, "the entry's compressed data is damaged");
    case ZIP_ER_INCONS:
        return entry_error(r, entry_name, BK_E_SYNTAX,
                           "the archive is inconsistent: %s", zip_error_strerror(ze));
    case ZIP_ER_EOF:
        return entry_error(r, entry_name, BK_E_SYNTAX,
                           "the entry's data ends before its declared size: the archive is "
                           "truncated");
    default:
        return entry_error(r, entry_name, BK_E_IO, "cannot read the entry: %s",
                           zip_error_strerror(ze));
    }
}

/* ---- limits ---- */

static int over(unsigned long long value, unsigned long long limit)
{
    return limit != 0 && value > limit;
}

/* size > csize * ratio, without overflow; an entry that inflates from nothing has an infinite
 * ratio. */
static int ratio_over(unsigned long long size, unsigned long long csize, unsigned long long ratio)
{
    if (ratio == 0 || size == 0)
        return 0;
    if (csize == 0)
        return 1;
    return size / csize > ratio || (size / csize == ratio && size % csize != 0);
}

static bk_status check_declared(reader *r, const entry *e, unsigned long long *total)
{
    const bk_limits *l = r->limits;
    if (over(e->size, l->max_input_bytes))
        return entry_error(r, e->name, BK_E_LIMIT,
                           "the entry declares %" PRIu64 " bytes, more than max-input-bytes "
                           "(%llu)", (uint64_t)e->size, l->max_input_bytes);
    if (ratio_over(e->size, e->csize, l->max_ratio))
        return entry_error(r, e->name, BK_E_LIMIT,
                           "the entry declares %" PRIu64 " bytes from %" PRIu64 " compressed, a "
                           "ratio above max-ratio (%llu): a decompression bomb is refused",
                           (uint64_t)e->size, (uint64_t)e->csize, l->max_ratio);
    *total += e->size;
    if (*total < e->size || over(*total, l->max_uncompressed))
        return entry_error(r, e->name, BK_E_LIMIT,
                           "the entries up to this one declare more than max-uncompressed "
                           "(%llu bytes) in all", l->max_uncompressed);
    return BK_OK;
}

/* While inflating: the same limits on what actually came out, and the declared size, which
 * a well-formed entry meets exactly. */
static bk_status check_inflated(reader *r, const entry *e, unsigned long long got)
{
    const bk_limits *l = r->limits;
    if (got > e->size)
        return entry_error(r, e->name, BK_E_HOSTILE,
                           "the entry inflates to more than its declared %" PRIu64 " bytes; "
                           "reading stopped", (uint64_t)e->size);
    if (over(got, l->max_input_bytes))
        return entry_error(r, e->name, BK_E_LIMIT,
                           "the entry inflates to more than max-input-bytes (%llu)",
                           l->max_input_bytes);
    if (ratio_over(got, e->csize, l->max_ratio))
        return entry_error(r, e->name, BK_E_LIMIT,
                           "the entry inflates beyond max-ratio (%llu) times its compressed "
                           "size: a decompression bomb is refused", l->max_ratio);
    if (over(r->inflated, l->max_uncompressed))
        return entry_error(r, e->name, BK_E_LIMIT,
                           "the archive inflates to more than max-uncompressed (%llu bytes)",
                           l->max_uncompressed);
    return BK_OK;
}

/* ---- opening and scanning ---- */

static bk_status open_archive(reader *r, bk_source *src)
{
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *zs = NULL;
    /* A regular file is read in place; anything else (standard input, a pipe, a buffer) is
     * read into memory first, since libzip needs to seek. */
    const char *path = bk_source_path(src);
    struct stat sb;
    if (path && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        if (over((unsigned long long)sb.st_size, r->limits->max_input_bytes)) {
            zip_error_fini(&ze);
            return entry_error(r, NULL, BK_E_LIMIT,
                               "input is larger than the limit of %llu bytes (max-input-bytes)",
                               r->limits->max_input_bytes);
        }
        zs = zip_source_file_create(path, 0, -1, &ze);
    } else {
        const unsigned char *data = NULL;
        size_t len = 0;
        bk_status st =
            bk_source_slurp(src, (size_t)r->limits->max_input_bytes, &data, &len, r->err);
        if (st != BK_OK) {
            zip_error_fini(&ze);
            return st;
        }
        zs = zip_source_buffer_create(len ? (const void *)data : (const void *)"", len, 0, &ze);
    }
    if (!zs) {
        bk_status st = zip_error_code_zip(&ze) == ZIP_ER_MEMORY
                           ? no_memory(r)
                           : entry_error(r, NULL, BK_E_IO, "cannot open the archive: %s",
                                         zip_error_strerror(&ze));
        zip_error_fini(&ze);
        return st;
    }
    r->za = zip_open_from_source(zs, ZIP_RDONLY, &ze);
    if (r->za) {
        zip_error_fini(&ze);
        return BK_OK;
    }
    zip_source_free(zs);
    bk_status st;
    switch (zip_error_code_zip(&ze)) {
    case ZIP_ER_NOZIP:
        st = entry_error(r, NULL, BK_E_SYNTAX,
                         "not a ZIP archive, or a truncated one: no end of central directory "
                         "record was found");
        break;
    case ZIP_ER_INCONS:
        st = entry_error(r, NULL, BK_E_SYNTAX,
                         "the ZIP archive is damaged or truncated: its central directory does "
                         "not match the file");
        break;
    case ZIP_ER_MULTIDISK:
        st = entry_error(r, NULL, BK_E_CONTENT,
                         "the archive is split over several files, which "
                         "budgetkit does not read");
        break;
    case ZIP_ER_MEMORY: st = no_memory(r); break;
    default:
        st = entry_error(r, NULL, BK_E_IO, "cannot open the archive: %s", zip_error_strerror(&ze));
    }
    zip_error_fini(&ze);
    return st;
}

static int compare_names(const void *a, const void *b)
{
    const entry *const *x = a, *const *y = b;
    int c = strcmp((*x)->name, (*y)->name);
    if (c != 0)
        return c;
    return (*x)->index < (*y)->index ? -1 : (*x)->index > (*y)->index;
}

static bk_status check_duplicates(reader *r)
{
    if (r->nentries < 2)
        return BK_OK;
    entry **sorted = bk_malloc(r->nentries * sizeof *sorted);
    if (!sorted)
        return no_memory(r);
    for (size_t i = 0; i < r->nentries; i++)
        sorted[i] = &r->entries[i];
    qsort(sorted, r->nentries, sizeof *sorted, compare_names);
    bk_status st = BK_OK;
    for (size_t i = 1; i < r->nentries && st == BK_OK; i++)
        if (strcmp(sorted[i - 1]->name, sorted[i]->name) == 0)
            st = entry_error(r, sorted[i]->name, BK_E_HOSTILE,
                             "the name appears twice in the archive (entries %" PRIu64
                             " and %" PRIu64 "); which one is meant cannot be told",
                             (uint64_t)sorted[i - 1]->index + 1, (uint64_t)sorted[i]->index + 1);
    /* Kept to find entries by name: a manifest may list as many resources as the archive has
     * entries, and a scan per resource made 130,000 of them take 43 s. */
    r->by_name = sorted;
    return st;
}

/* Why bk_path_is_safe refused a name, in the user's terms. */
static const char *unsafe_reason(const char *name)
{
    if (name[0] == '/')
        return "the name is an absolute path";
    if (strchr(name, '\\'))
        return "the name holds a backslash, which some systems read as a folder separator";
    if (((name[0] >= 'A' && name[0] <= 'Z') || (name[0] >= 'a' && name[0] <= 'z')) &&
        name[1] == ':')
        return "the name starts with a drive letter";
    for (const char *p = name; *p;) {
        size_t n = strcspn(p, "/");
        if (n == 2 && p[0] == '.' && p[1] == '.')
            return "the name climbs out of the archive with \"..\"";
        if (n == 0 || (n == 1 && p[0] == '.'))
            return "the name has an empty or \".\" part";
        p += n;
        if (*p == '/')
            p++;
    }
    return "the name holds a control character or a ':'";
}

/* A folder's name is checked without the '/' that marks it; 1 safe, 0 not, -1 no memory. */
static int name_is_safe(const char *name, int is_dir)
{
    size_t n = strlen(name);
    if (!is_dir)
        return bk_path_is_safe(name);
    char *copy = bk_strndup(name, n - 1);
    if (!copy)
        return -1;
    int safe = bk_path_is_safe(copy);
    bk_free(copy);
    return safe;
}

static bk_status scan_entry(reader *r, entry *e, unsigned long long *declared)
{
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(r->za, e->index, 0, &st) != 0)
        return zip_failure(r, NULL, zip_get_error(r->za));
    const zip_uint64_t need = ZIP_STAT_NAME | ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE | ZIP_STAT_CRC |
                              ZIP_STAT_COMP_METHOD | ZIP_STAT_ENCRYPTION_METHOD;
    if ((st.valid & need) != need || !st.name)
        return entry_error(r, NULL, BK_E_SYNTAX,
                           "entry %" PRIu64 " of the central directory is incomplete",
                           (uint64_t)e->index + 1);
    e->name = st.name;
    e->size = st.size;
    e->csize = st.comp_size;
    e->crc = st.crc;
    size_t len = strlen(st.name);
    e->is_dir = len > 0 && st.name[len - 1] == '/';

    int safe = len > 0 ? name_is_safe(st.name, e->is_dir) : 0;
    if (safe < 0)
        return no_memory(r);
    if (!safe)
        return entry_error(r, len ? st.name : "(empty name)", BK_E_HOSTILE,
                           "unsafe entry name: %s", len ? unsafe_reason(st.name)
                                                        : "the name is empty");
    zip_uint8_t opsys = 0;
    zip_uint32_t attributes = 0;
    if (zip_file_get_external_attributes(r->za, e->index, 0, &opsys, &attributes) == 0 &&
        opsys == ZIP_OPSYS_UNIX && ((attributes >> 16) & S_TYPE_MASK) == S_TYPE_LINK)
        return entry_error(r, st.name, BK_E_HOSTILE,
                           "the entry is a symbolic link, which an archive of budgets never "
                           "needs");
    if (st.encryption_method != ZIP_EM_NONE)
        return entry_error(r, st.name, BK_E_CONTENT,
                           "the entry is encrypted; budgetkit reads only unencrypted archives");
    if (st.comp_method != ZIP_CM_STORE && st.comp_method != ZIP_CM_DEFLATE)
        return entry_error(r, st.name, BK_E_CONTENT,
                           "unsupported compression method %d (only stored and deflate are "
                           "read)", (int)st.comp_method);
    if (st.comp_method == ZIP_CM_STORE && st.size != st.comp_size)
        return entry_error(r, st.name, BK_E_SYNTAX,
                           "the entry is stored uncompressed but its two sizes differ (%" PRIu64
                           " and %" PRIu64 ")", (uint64_t)st.size, (uint64_t)st.comp_size);
    if (e->is_dir) {
        if (st.size != 0)
            return entry_error(r, st.name, BK_E_SYNTAX, "a folder entry holds data");
        return BK_OK;
    }
    e->format = bkar_format_of_path(st.name);
    return check_declared(r, e, declared);
}

static bk_status scan_entries(reader *r)
{
    zip_int64_t n = zip_get_num_entries(r->za, 0);
    if (n < 0)
        return entry_error(r, NULL, BK_E_SYNTAX, "cannot count the entries of the archive");
    if (over((unsigned long long)n, r->limits->max_entries))
        return entry_error(r, NULL, BK_E_LIMIT,
                           "the archive has %" PRId64 " entries, more than "
                           "max-entries (%llu)",
                           (int64_t)n, r->limits->max_entries);
    if (n == 0)
        return BK_OK;
    if ((unsigned long long)n > SIZE_MAX / sizeof *r->entries)
        return no_memory(r);
    r->entries = bk_calloc((size_t)n, sizeof *r->entries);
    if (!r->entries)
        return no_memory(r);
    r->nentries = (size_t)n;
    unsigned long long declared = 0;
    for (size_t i = 0; i < r->nentries; i++) {
        r->entries[i].index = i;
        bk_status st = scan_entry(r, &r->entries[i], &declared);
        if (st != BK_OK)
            return st;
    }
    return check_duplicates(r);
}

/* ---- reading one entry ---- */

static bk_status read_entry(reader *r, entry *e, unsigned char **out, size_t *outlen)
{
    /* The buffer grows with what actually comes out, which the checks below keep within the
     * declared size and the limits: a header declaring much that inflates to little costs
     * only what it delivers. An honest header, the usual case, sizes it in one go. */
    unsigned char *buf = NULL;
    size_t cap = 0;
    size_t reserve = e->size < INITIAL_RESERVE ? (size_t)e->size : INITIAL_RESERVE;
    unsigned char *chunk = bk_malloc(READ_CHUNK);
    if (!chunk || (reserve > 0 && bk_grow((void **)&buf, &cap, reserve, 1) != 0)) {
        bk_free(chunk);
        return no_memory(r);
    }
    bk_status st = BK_OK;
    zip_file_t *zf = zip_fopen_index(r->za, e->index, 0);
    if (!zf)
        st = zip_failure(r, e->name, zip_get_error(r->za));
    unsigned long long got = 0;
    while (st == BK_OK) {
        zip_int64_t n = zip_fread(zf, chunk, READ_CHUNK);
        if (n < 0) {
            st = zip_failure(r, e->name, zip_file_get_error(zf));
            break;
        }
        if (n == 0)
            break;
        r->inflated += (unsigned long long)n;
        st = check_inflated(r, e, got + (unsigned long long)n);
        if (st != BK_OK)
            break;
        if (bk_grow((void **)&buf, &cap, (size_t)got + (size_t)n, 1) != 0) {
            st = no_memory(r);
            break;
        }
        memcpy(buf + got, chunk, (size_t)n);
        got += (unsigned long long)n;
    }
    if (zf)
        zip_fclose(zf);
    bk_free(chunk);
    if (st == BK_OK && got != e->size)
        st = entry_error(r, e->name, BK_E_SYNTAX,
                         "the entry holds %llu bytes, not the %" PRIu64 " its header declares", got,
                         (uint64_t)e->size);
    if (st == BK_OK && bkar_crc32(buf, (size_t)got) != e->crc)
        st = entry_error(r, e->name, BK_E_SYNTAX, "CRC mismatch: the entry's data is damaged");
    if (st == BK_OK && !buf && !(buf = bk_malloc(1)))
        st = no_memory(r); /* an empty entry still gets a buffer of its own */
    if (st != BK_OK) {
        bk_free(buf);
        return st;
    }
    *out = buf;
    *outlen = (size_t)got;
    return BK_OK;
}

/* ---- the manifest ---- */

static int compare_name_key(const void *key, const void *elem)
{
    return strcmp(key, (*(const entry *const *)elem)->name);
}

static entry *find_entry(reader *r, const char *name)
{
    entry *e = NULL;
    if (r->by_name) {
        entry **hit = bsearch(name, r->by_name, r->nentries, sizeof *r->by_name, compare_name_key);
        e = hit ? *hit : NULL;
    } else if (r->nentries == 1 && strcmp(r->entries[0].name, name) == 0) {
        e = &r->entries[0];
    }
    return e && !e->is_dir ? e : NULL;
}

/* The entry of a resource path, relative to the manifest's folder; NULL when none (or out of
 * memory, which the caller reports as absent only after checking). */
static entry *find_resource(reader *r, const char *path, int *nomem)
{
    size_t plen = strlen(path);
    char *name = bk_malloc(r->base_len + plen + 1);
    *nomem = !name;
    if (!name)
        return NULL;
    memcpy(name, r->manifest->name, r->base_len);
    memcpy(name + r->base_len, path, plen + 1);
    entry *e = find_entry(r, name);
    bk_free(name);
    return e;
}

static int is_manifest_name(const char *name)
{
    const char *slash = strrchr(name, '/');
    return strcmp(slash ? slash + 1 : name, BKAR_MANIFEST) == 0;
}

/* The folder all files of the archive are in, as "name/" (length in *len), or 0 when they are
 * not all in one. Zipping a folder, as file managers do, gives such an archive. */
static int single_top_folder(const reader *r, size_t *len)
{
    const char *top = NULL;
    size_t top_len = 0;
    for (size_t i = 0; i < r->nentries; i++) {
        const entry *e = &r->entries[i];
        const char *slash = strchr(e->name, '/');
        if (!slash)
            return 0;
        size_t n = (size_t)(slash - e->name) + 1;
        if (!top) {
            top = e->name;
            top_len = n;
        } else if (n != top_len || strncmp(e->name, top, n) != 0) {
            return 0;
        }
    }
    *len = top_len;
    return top != NULL;
}

/* The manifest is datapackage.json at the root, or in the one folder that holds everything.
 * One anywhere else would describe only part of the archive: refused rather than guessed. */
static bk_status find_manifest(reader *r)
{
    entry *root = find_entry(r, BKAR_MANIFEST);
    size_t top_len = 0;
    if (root) {
        r->manifest = root;
    } else if (single_top_folder(r, &top_len)) {
        for (size_t i = 0; i < r->nentries; i++) {
            entry *e = &r->entries[i];
            if (!e->is_dir && strlen(e->name) == top_len + strlen(BKAR_MANIFEST) &&
                is_manifest_name(e->name))
                r->manifest = e;
        }
        if (r->manifest)
            r->base_len = top_len;
    }
    for (size_t i = 0; i < r->nentries; i++) {
        entry *e = &r->entries[i];
        if (e->is_dir || !is_manifest_name(e->name))
            continue;
        if (e != r->manifest)
            return entry_error(r, e->name, BK_E_CONTENT, "a " BKAR_MANIFEST " that is not at "
                               "the root of the archive (nor of the one folder holding "
                               "everything) describes only part of it and is not read");
        e->format = NULL;
    }
    return BK_OK;
}

static bk_status plan_add(reader *r, entry *e, long long bytes, const char *sha256)
{
    if (bk_grow((void **)&r->plan, &r->plan_cap, r->nplan + 1, sizeof *r->plan) != 0)
        return no_memory(r);
    planned *p = &r->plan[r->nplan++];
    p->e = e;
    p->bytes = bytes;
    snprintf(p->sha256, sizeof p->sha256, "%s", sha256 ? sha256 : "");
    return BK_OK;
}

static int is_hex_digest(const char *s, size_t n)
{
    if (strlen(s) != n)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!isxdigit((unsigned char)s[i]))
            return 0;
    return 1;
}

/* The resource's "hash": "sha256:<hex>" is checked; Frictionless also allows md5 (no prefix)
 * and other algorithms, which are reported and left unchecked. */
static bk_status resource_hash(reader *r, json_t *res, size_t number, const char *path,
                               char out[BKAR_SHA256_HEX])
{
    out[0] = '\0';
    json_t *hash = json_object_get(res, "hash");
    if (!hash)
        return BK_OK;
    const char *h = json_string_value(hash);
    if (!h)
        return manifest_error(r, BK_E_CONTENT, "resource %zu (\"%s\"): expected a string "
                              "for \"hash\"", number, path);
    /* Algorithm names are case-insensitive: "SHA256:" must be checked, not skipped. */
    if (strncasecmp(h, "sha256:", 7) != 0) {
        const char *colon = strchr(h, ':');
        int alg_len = colon ? (int)(colon - h) : 3;
        bk_import_warn(r->job, 0, 0,
                       "resource %zu (\"%s\"): its %.*s hash is not checked; budgetkit verifies "
                       "only sha256 hashes", number, path, alg_len > 16 ? 16 : alg_len,
                       colon ? h : "md5");
        return BK_OK;
    }
    if (!is_hex_digest(h + 7, 2 * BKAR_SHA256_SIZE))
        return manifest_error(r, BK_E_CONTENT, "resource %zu (\"%s\"): \"hash\" is not "
                              "\"sha256:\" followed by 64 hexadecimal digits", number, path);
    for (size_t i = 0; i < 2 * BKAR_SHA256_SIZE; i++)
        out[i] = (char)tolower((unsigned char)h[7 + i]);
    out[2 * BKAR_SHA256_SIZE] = '\0';
    return BK_OK;
}

static bk_status plan_resource(reader *r, json_t *res, size_t number)
{
    if (!json_is_object(res))
        return manifest_error(r, BK_E_CONTENT,
                              "resource %zu: expected an object in \"resources\"", number);
    json_t *jpath = json_object_get(res, "path");
    if (json_is_array(jpath))
        return manifest_error(r, BK_E_CONTENT, "resource %zu has several paths (a "
                              "multipart resource), which budgetkit does not read", number);
    const char *path = json_string_value(jpath);
    if (!path)
        return manifest_error(r, BK_E_CONTENT,
                              "resource %zu: expected a string for \"path\"", number);
    if (strstr(path, "://"))
        return manifest_error(r, BK_E_HOSTILE, "resource %zu: \"%s\" is a URL; budgetkit "
                              "reads only resources inside the archive", number, path);
    if (!bk_path_is_safe(path))
        return manifest_error(r, BK_E_HOSTILE, "resource %zu: unsafe path \"%s\" escapes "
                              "the archive", number, path);
    int nomem = 0;
    entry *e = find_resource(r, path, &nomem);
    if (nomem)
        return no_memory(r);
    if (!e)
        return manifest_error(r, BK_E_CONTENT, "resource %zu: \"%s\" is not in the "
                              "archive", number, path);
    if (e == r->manifest)
        return manifest_error(r, BK_E_CONTENT, "resource %zu: the manifest cannot list "
                              "itself", number);
    if (e->listed)
        return manifest_error(r, BK_E_CONTENT, "resource %zu: \"%s\" is listed twice",
                              number, path);
    e->listed = 1;

    long long bytes = -1;
    json_t *jbytes = json_object_get(res, "bytes");
    if (jbytes) {
        if (!json_is_integer(jbytes) || json_integer_value(jbytes) < 0)
            return manifest_error(r, BK_E_CONTENT, "resource %zu (\"%s\"): expected a "
                                  "non-negative integer for \"bytes\"", number, path);
        bytes = json_integer_value(jbytes);
        if ((unsigned long long)bytes != e->size)
            return entry_error(r, e->name, BK_E_CONTENT, "the entry holds %" PRIu64 " bytes but "
                               BKAR_MANIFEST " says %lld", (uint64_t)e->size, bytes);
    }
    char sha256[BKAR_SHA256_HEX];
    bk_status st = resource_hash(r, res, number, path, sha256);
    if (st != BK_OK)
        return st;
    /* What the resource is comes from its "format", or else from its file name; resources of
     * other kinds (a PDF of the published budget, say) travel along and are not read. */
    const char *format = json_string_value(json_object_get(res, "format"));
    const bkar_format *f = format ? bkar_format_find(format) : bkar_format_of_path(path);
    if (!f)
        return BK_OK;
    e->format = f;
    return plan_add(r, e, bytes, sha256);
}

static bk_status plan_from_manifest(reader *r)
{
    unsigned char *data = NULL;
    size_t len = 0;
    bk_status st = read_entry(r, r->manifest, &data, &len);
    if (st != BK_OK)
        return st;
    json_error_t je;
    json_t *root = json_loadb((const char *)data, len, JSON_REJECT_DUPLICATES, &je);
    bk_free(data);
    /* When an allocation fails, jansson may report a bad token, no error at all, or succeed
     * with a byte of a string dropped: nothing it parsed while one failed can be trusted. */
    int jansson_oom = json_error_code(&je) == json_error_out_of_memory || je.text[0] == '\0';
    if (bk_alloc_failed() || (!root && jansson_oom)) {
        json_decref(root);
        return no_memory(r);
    }
    if (!root)
        return manifest_error(r, BK_E_SYNTAX,
                              "the manifest is not valid JSON (line %d, column %d): %s",
                              je.line, je.column, je.text);
    json_t *resources = json_object_get(root, "resources");
    if (!json_is_object(root) || !json_is_array(resources)) {
        json_decref(root);
        return manifest_error(r, BK_E_CONTENT, "expected an object with a \"resources\" "
                              "array (a Frictionless Data Package descriptor)");
    }
    for (size_t i = 0; i < json_array_size(resources) && st == BK_OK; i++)
        st = plan_resource(r, json_array_get(resources, i), i + 1);
    json_decref(root);
    if (st != BK_OK)
        return st;
    /* A document the manifest does not vouch for is either a mistake or a substitution. */
    for (size_t i = 0; i < r->nentries; i++) {
        const entry *e = &r->entries[i];
        if (!e->is_dir && e->format && !e->listed)
            return entry_error(r, e->name, BK_E_CONTENT, "the entry is a document but "
                               BKAR_MANIFEST " does not list it");
    }
    return BK_OK;
}

static bk_status plan_without_manifest(reader *r)
{
    for (size_t i = 0; i < r->nentries; i++) {
        entry *e = &r->entries[i];
        if (!e->is_dir && e->format) {
            bk_status st = plan_add(r, e, -1, NULL);
            if (st != BK_OK)
                return st;
        }
    }
    return BK_OK;
}

/* ---- importing the documents ---- */

static int looks_like_archive(const unsigned char *data, size_t len)
{
    return len >= 4 && data[0] == 'P' && data[1] == 'K' &&
           ((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6) ||
            (data[2] == 7 && data[3] == 8));
}

static bk_status check_member(reader *r, const planned *p, const unsigned char *data, size_t len)
{
    const entry *e = p->e;
    if (p->bytes >= 0 && (unsigned long long)p->bytes != len)
        return entry_error(r, e->name, BK_E_CONTENT, "the entry holds %zu bytes but "
                           BKAR_MANIFEST " says %lld", len, p->bytes);
    if (p->sha256[0] != '\0') {
        char actual[BKAR_SHA256_HEX];
        bkar_sha256_hex(data, len, actual);
        if (strcmp(actual, p->sha256) != 0)
            return entry_error(r, e->name, BK_E_CONTENT, "hash mismatch: the entry's SHA-256 "
                               "is %s but " BKAR_MANIFEST " says %s", actual, p->sha256);
    }
    /* Archives inside archives are how zip quines and nested bombs work. */
    if (looks_like_archive(data, len))
        return entry_error(r, e->name, BK_E_HOSTILE,
                           "the entry holds another ZIP archive; archives inside archives are "
                           "not read");
    return BK_OK;
}

static bk_status import_member(reader *r, const planned *p)
{
    unsigned char *data = NULL;
    size_t len = 0;
    bk_status st = read_entry(r, p->e, &data, &len);
    if (st != BK_OK)
        return st;
    st = check_member(r, p, data, len);
    if (st == BK_OK) {
        size_t name_len = strlen(r->archive) + strlen(p->e->name) + 2;
        char *name = bk_malloc(name_len);
        if (!name) {
            st = no_memory(r);
        } else {
            snprintf(name, name_len, "%s:%s", r->archive, p->e->name);
            st = bk_import_nested(r->job, name, data, len);
            bk_free(name);
        }
    }
    bk_free(data);
    return st;
}

/* Spreadsheets and word-processor files are ZIP archives too; finance staff will hand them
 * over. Say what they are instead of failing on their XML parts. */
static bk_status refuse_office_files(reader *r)
{
    if (r->manifest)
        return BK_OK;
    if (find_entry(r, "[Content_Types].xml"))
        return entry_error(r, NULL, BK_E_CONTENT,
                           "this is an Office Open XML file (.xlsx, .docx), "
                           "not an archive of budget documents: a workbook is read with "
                           "--from xlsx");
    const entry *first = r->nentries > 0 ? &r->entries[0] : NULL;
    if (first && strcmp(first->name, "mimetype") == 0)
        return entry_error(r, NULL, BK_E_CONTENT,
                           "this is an OpenDocument file (.ods, .odt), not an "
                           "archive of budget documents: save each sheet as CSV and read "
                           "those");
    return BK_OK;
}

bk_status bkar_import(bk_import *job)
{
    bk_source *src = bk_import_source(job);
    reader r;
    memset(&r, 0, sizeof r);
    r.job = job;
    r.err = bk_import_error(job);
    r.limits = bk_ctx_limits(bk_import_ctx(job));
    r.archive = bk_source_name(src);
    bk_status st = open_archive(&r, src);
    if (st == BK_OK)
        st = scan_entries(&r);
    if (st == BK_OK)
        st = find_manifest(&r);
    if (st == BK_OK)
        st = refuse_office_files(&r);
    if (st == BK_OK)
        st = r.manifest ? plan_from_manifest(&r) : plan_without_manifest(&r);
    if (st == BK_OK && r.nplan == 0)
        st = entry_error(&r, NULL, BK_E_CONTENT,
                         "the archive holds no budget documents (no .json, "
                         ".xml or .csv entry)");
    for (size_t i = 0; st == BK_OK && i < r.nplan; i++)
        st = import_member(&r, &r.plan[i]);
    bk_free(r.plan);
    bk_free(r.by_name);
    bk_free(r.entries);
    if (r.za)
        zip_discard(r.za);
    return st;
}
