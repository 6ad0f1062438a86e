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
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <zlib.h>

#include "sha256.h"
#include "zip_read.h"

#include "sha256.h"

#define READ_CHUNK 65536
#define INITIAL_RESERVE ((size_t)16 << 20)
#define S_TYPE_MASK 0170000u
#define S_TYPE_LINK 0120000u
#define OPSYS_UNIX 3u
#define METHOD_STORE 0u
#define METHOD_DEFLATE 8u
#define METHOD_AES 99u
#define FLAG_ENCRYPTED 0x0001u
#define FLAG_STRONG_ENCRYPTION 0x0040u

/* What is kept of each entry between the walks of the central directory: 24 bytes, so that
 * a million entries cost 24 MiB. Names are read again from the directory when needed. */
typedef struct entry {
    uint64_t hash;   /* of the name */
    uint64_t record; /* offset of its central directory record */
    uint32_t index;
    uint8_t is_dir;
    uint8_t is_doc; /* a document by its extension (not a datapackage.json) */
    uint8_t listed; /* named by a manifest resource */
} entry;

/* A manifest-named entry: the manifest, or one in the wrong place. */
typedef struct place {
    uint64_t record;
    uint32_t index;
    int found;
} place;

typedef struct reader {
    bk_import *job;
    bk_error *err;
    const bk_limits *limits;
    const char *archive; /* name for messages */
    bkar_zip *zip;
    entry *entries; /* sorted by (hash, index) once the walk is done */
    size_t nentries, ndocs;
    bkar_zip_entry rec;   /* the record at hand */
    bkar_zip_entry other; /* a second one, for comparing names and looking entries up */
    /* Seen on the walk. */
    int content_types, first_is_mimetype;
    char *top; /* the first entry's top folder with its '/', NULL when it has none */
    size_t top_len;
    int one_top; /* every entry is in that folder */
    place root_manifest, misplaced[2];
    /* The manifest. */
    int has_manifest;
    bkar_zip_entry manifest;
    size_t base_len; /* resource paths are relative to the manifest's folder: its name's prefix */
    size_t nplan;
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
        verror(r, r->has_manifest ? r->manifest.name : BKAR_MANIFEST, 0, 0, -1, code, fmt, ap);
    va_end(ap);
    return st;
}

static bk_status no_memory(reader *r)
{
    return entry_error(r, NULL, BK_E_NOMEM, "out of memory while reading the archive");
}

/* What the user is told of each failure of the ZIP layer; whole_archive when it is no entry's
 * fault. */
static const struct {
    bkar_zip_status status;
    bk_status code;
    int whole_archive;
    const char *message;
} zip_failures[] = {
    {BKAR_ZIP_NOZIP, BK_E_SYNTAX, 1,
     "not a ZIP archive, or a truncated one: no end of central directory record was found"},
    {BKAR_ZIP_MULTIDISK, BK_E_CONTENT, 1,
     "the archive is split over several files, which budgetkit does not read"},
    {BKAR_ZIP_INCONS, BK_E_SYNTAX, 1,
     "the ZIP archive is damaged or truncated: its central directory does not match the file"},
    {BKAR_ZIP_LOCAL, BK_E_SYNTAX, 0,
     "the archive is inconsistent: the entry's local header is missing or damaged"},
    {BKAR_ZIP_DAMAGED, BK_E_SYNTAX, 0, "the entry's compressed data is damaged"},
    {BKAR_ZIP_TRUNCATED, BK_E_SYNTAX, 0,
     "the entry's data ends before its declared size: the archive is truncated"},
};

/* A failure of the ZIP layer, in the user's words. */
static bk_status zip_failure(reader *r, const char *entry_name, bkar_zip_status zs)
{
    if (zs == BKAR_ZIP_NOMEM)
        return no_memory(r);
    for (size_t i = 0; i < sizeof zip_failures / sizeof zip_failures[0]; i++)
        if (zip_failures[i].status == zs)
            return entry_error(r, zip_failures[i].whole_archive ? NULL : entry_name,
                               zip_failures[i].code, "%s", zip_failures[i].message);
    return entry_error(r, entry_name, BK_E_IO, "cannot read the archive: %s",
                       strerror(bkar_zip_errno(r->zip)));
}

/* ---- limits ---- */

static bk_status check_declared(reader *r, const bkar_zip_entry *e,
                                 unsigned long long *total)
{
    const bk_limits *l = r->limits;
    if (bk_limit_over(e->size, l->max_input_bytes))
        return entry_error(r, e->name, BK_E_LIMIT,
                           "the entry declares %" PRIu64 " bytes, more than max-input-bytes "
                           "(%llu)", (uint64_t)e->size, l->max_input_bytes);
    if (bk_limit_ratio_over(e->size, e->csize, l->max_ratio))
        return entry_error(r, e->name, BK_E_LIMIT,
                           "the entry declares %" PRIu64 " bytes from %" PRIu64 " compressed, a "
                           "ratio above max-ratio (%llu): a decompression bomb is refused",
                           (uint64_t)e->size, (uint64_t)e->csize, l->max_ratio);
    *total += e->size;
    if (*total < e->size || bk_limit_over(*total, l->max_uncompressed))
        return entry_error(r, e->name, BK_E_LIMIT,
                           "the entries up to this one declare more than max-uncompressed "
                           "(%llu bytes) in all", l->max_uncompressed);
    return BK_OK;
}

/* While inflating: the same limits on what actually came out, and the declared size, which
 * a well-formed entry meets exactly. */
static bk_status check_inflated(reader *r, const bkar_zip_entry *e, unsigned long long got)
{
    const bk_limits *l = r->limits;
    if (got > e->size)
        return entry_error(r, e->name, BK_E_HOSTILE,
                           "the entry inflates to more than its declared %" PRIu64 " bytes; "
                           "reading stopped", (uint64_t)e->size);
    if (bk_limit_over(got, l->max_input_bytes))
        return entry_error(r, e->name, BK_E_LIMIT,
                           "the entry inflates to more than max-input-bytes (%llu)",
                           l->max_input_bytes);
    if (bk_limit_ratio_over(got, e->csize, l->max_ratio))
        return entry_error(r, e->name, BK_E_LIMIT,
                           "the entry inflates beyond max-ratio (%llu) times its compressed "
                           "size: a decompression bomb is refused", l->max_ratio);
    if (bk_limit_over(r->inflated, l->max_uncompressed))
        return entry_error(r, e->name, BK_E_LIMIT,
                           "the archive inflates to more than max-uncompressed (%llu bytes)",
                           l->max_uncompressed);
    return BK_OK;
}

/* ---- opening and walking the central directory ---- */

static bk_status open_archive(reader *r, bk_source *src)
{
    /* A regular file is read in place; anything else (standard input, a pipe, a buffer) is
     * read into memory first, since the directory is at the end. */
    const char *path = bk_source_path(src);
    struct stat sb;
    bkar_zip_status zs;
    if (path && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        if (bk_limit_over((unsigned long long)sb.st_size, r->limits->max_input_bytes))
            return entry_error(r, NULL, BK_E_LIMIT,
                               "input is larger than the limit of %llu bytes (max-input-bytes)",
                               r->limits->max_input_bytes);
        zs = bkar_zip_open_file(path, &r->zip);
        if (zs == BKAR_ZIP_IO)
            return entry_error(r, NULL, BK_E_IO, "cannot open the archive: %s", strerror(errno));
    } else {
        const unsigned char *data = NULL;
        size_t len = 0;
        bk_status st =
            bk_source_slurp(src, (size_t)r->limits->max_input_bytes, &data, &len, r->err);
        if (st != BK_OK)
            return st;
        zs = bkar_zip_open_memory(data, len, &r->zip);
    }
    return zs == BKAR_ZIP_OK ? BK_OK : zip_failure(r, NULL, zs);
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

static int is_manifest_name(const char *name)
{
    const char *slash = strrchr(name, '/');
    return strcmp(slash ? slash + 1 : name, BKAR_MANIFEST) == 0;
}

static uint64_t name_hash(const char *name)
{
    uint64_t h = 0xcbf29ce484222325u; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)name; *p; p++)
        h = (h ^ *p) * 0x100000001b3u;
    return h;
}

static bk_status scan_entry(reader *r, const bkar_zip_entry *e, int *is_dir,
                            unsigned long long *declared)
{
    const char *name = e->name;
    size_t len = e->name_len;
    if (e->name_bad)
        return entry_error(r, NULL, BK_E_HOSTILE,
                           "entry %" PRIu64 " of the central directory has a name that is "
                           "neither UTF-8 nor GB18030 text, or holds a NUL byte",
                           e->index + 1);
    *is_dir = len > 0 && name[len - 1] == '/';
    int safe = len > 0 ? name_is_safe(name, *is_dir) : 0;
    if (safe < 0)
        return no_memory(r);
    if (!safe)
        return entry_error(r, len ? name : "(empty name)", BK_E_HOSTILE,
                           "unsafe entry name: %s", len ? unsafe_reason(name)
                                                        : "the name is empty");
    if ((e->made_by >> 8) == OPSYS_UNIX && ((e->external >> 16) & S_TYPE_MASK) == S_TYPE_LINK)
        return entry_error(r, name, BK_E_HOSTILE,
                           "the entry is a symbolic link, which an archive of budgets never "
                           "needs");
    if ((e->flags & (FLAG_ENCRYPTED | FLAG_STRONG_ENCRYPTION)) || e->method == METHOD_AES)
        return entry_error(r, name, BK_E_CONTENT,
                           "the entry is encrypted; budgetkit reads only unencrypted archives");
    if (e->method != METHOD_STORE && e->method != METHOD_DEFLATE)
        return entry_error(r, name, BK_E_CONTENT,
                           "unsupported compression method %d (only stored and deflate are "
                           "read)", (int)e->method);
    if (e->method == METHOD_STORE && e->size != e->csize)
        return entry_error(r, name, BK_E_SYNTAX,
                           "the entry is stored uncompressed but its two sizes differ (%" PRIu64
                           " and %" PRIu64 ")", e->size, e->csize);
    if (*is_dir) {
        if (e->size != 0)
            return entry_error(r, name, BK_E_SYNTAX, "a folder entry holds data");
        return BK_OK;
    }
    return check_declared(r, e, declared);
}

/* What the walk notes of an entry for the checks that need the whole directory. */
static bk_status note_entry(reader *r, const bkar_zip_entry *e, entry *kept)
{
    const char *name = e->name;
    if (e->index == 0) {
        r->first_is_mimetype = strcmp(name, "mimetype") == 0;
        const char *slash = strchr(name, '/');
        r->one_top = slash != NULL;
        if (slash) {
            r->top_len = (size_t)(slash - name) + 1;
            if (!(r->top = bk_strndup(name, r->top_len)))
                return no_memory(r);
        }
    } else if (r->one_top && strncmp(name, r->top, r->top_len) != 0) {
        r->one_top = 0;
    }
    if (kept->is_dir)
        return BK_OK;
    if (strcmp(name, "[Content_Types].xml") == 0)
        r->content_types = 1;
    if (is_manifest_name(name)) {
        place p = {e->record, kept->index, 1};
        if (strcmp(name, BKAR_MANIFEST) == 0)
            r->root_manifest = p;
        if (!r->misplaced[0].found)
            r->misplaced[0] = p;
        else if (!r->misplaced[1].found)
            r->misplaced[1] = p;
    } else if (bkar_format_of_path(name)) {
        kept->is_doc = 1;
        r->ndocs++;
    }
    return BK_OK;
}

static int compare_entries(const void *a, const void *b)
{
    const entry *x = a, *y = b;
    if (x->hash != y->hash)
        return x->hash < y->hash ? -1 : 1;
    return x->index < y->index ? -1 : x->index > y->index;
}

/* Loads an entry's record into rec. */
static bk_status load(reader *r, const entry *e, bkar_zip_entry *rec)
{
    bkar_zip_status zs = bkar_zip_entry_at(r->zip, e->record, e->index, rec);
    return zs == BKAR_ZIP_OK ? BK_OK : zip_failure(r, NULL, zs);
}

/* Names that share a hash are compared in full; the sorted entries then serve to find
 * entries by name. */
static bk_status check_duplicates(reader *r)
{
    qsort(r->entries, r->nentries, sizeof *r->entries, compare_entries);
    for (size_t i = 1; i < r->nentries; i++) {
        const entry *a = &r->entries[i - 1], *b = &r->entries[i];
        if (a->hash != b->hash)
            continue;
        bk_status st = load(r, a, &r->other);
        if (st == BK_OK)
            st = load(r, b, &r->rec);
        if (st != BK_OK)
            return st;
        if (strcmp(r->other.name, r->rec.name) == 0)
            return entry_error(r, r->rec.name, BK_E_HOSTILE,
                               "the name appears twice in the archive (entries %" PRIu32
                               " and %" PRIu32 "); which one is meant cannot be told",
                               a->index + 1, b->index + 1);
    }
    return BK_OK;
}

static bk_status scan_entries(reader *r)
{
    uint64_t n = bkar_zip_count(r->zip);
    if (bk_limit_over(n, r->limits->max_entries))
        return entry_error(r, NULL, BK_E_LIMIT,
                           "the archive has %" PRIu64 " entries, more than "
                           "max-entries (%llu)", n, r->limits->max_entries);
    if (n == 0)
        return BK_OK;
    if (n > UINT32_MAX || n > SIZE_MAX / sizeof *r->entries)
        return no_memory(r);
    if (!(r->entries = bk_calloc((size_t)n, sizeof *r->entries)))
        return no_memory(r);
    unsigned long long declared = 0;
    bkar_zip_rewind(r->zip);
    for (;;) {
        bkar_zip_status zs = bkar_zip_next(r->zip, &r->rec);
        if (zs == BKAR_ZIP_END)
            break;
        if (zs != BKAR_ZIP_OK)
            return zip_failure(r, NULL, zs);
        int is_dir = 0;
        bk_status st = scan_entry(r, &r->rec, &is_dir, &declared);
        if (st != BK_OK)
            return st;
        entry *kept = &r->entries[r->nentries++];
        kept->hash = name_hash(r->rec.name);
        kept->record = r->rec.record;
        kept->index = (uint32_t)r->rec.index;
        kept->is_dir = (uint8_t)is_dir;
        if ((st = note_entry(r, &r->rec, kept)) != BK_OK)
            return st;
    }
    return check_duplicates(r);
}

/* The file entry of this name, loaded into r->other; NULL when none. */
static entry *find_entry(reader *r, const char *name, bk_status *st)
{
    *st = BK_OK;
    uint64_t h = name_hash(name);
    size_t lo = 0, hi = r->nentries;
    while (lo < hi) {
        size_t mid = lo + (hi - lo) / 2;
        if (r->entries[mid].hash < h)
            lo = mid + 1;
        else
            hi = mid;
    }
    for (size_t i = lo; i < r->nentries && r->entries[i].hash == h; i++) {
        if ((*st = load(r, &r->entries[i], &r->other)) != BK_OK)
            return NULL;
        if (strcmp(r->other.name, name) == 0)
            return r->entries[i].is_dir ? NULL : &r->entries[i];
    }
    return NULL;
}

/* ---- reading one entry ---- */

static bk_status read_entry(reader *r, const bkar_zip_entry *e, unsigned char **out,
                            size_t *outlen)
{
    /* The buffer grows with what actually comes out, which the checks below keep within the
     * declared size and the limits: a header declaring much that inflates to little costs
     * only what it delivers. An honest header, the usual case, sizes it in one go. */
    unsigned char *buf = NULL;
    size_t cap = 0;
    size_t reserve = e->size < INITIAL_RESERVE ? (size_t)e->size : INITIAL_RESERVE;
    if (reserve > 0 && bk_grow((void **)&buf, &cap, reserve, 1) != 0)
        return no_memory(r);
    bkar_zip_stream *in = NULL;
    bkar_zip_status zs = bkar_zip_stream_open(r->zip, e, &in);
    bk_status st = zs == BKAR_ZIP_OK ? BK_OK : zip_failure(r, e->name, zs);
    unsigned long long got = 0;
    while (st == BK_OK) {
        if (got == cap && bk_grow((void **)&buf, &cap, (size_t)got + READ_CHUNK, 1) != 0) {
            st = no_memory(r);
            break;
        }
        size_t room = cap - (size_t)got < READ_CHUNK ? cap - (size_t)got : READ_CHUNK;
        long n = bkar_zip_stream_read(in, buf + got, room, &zs);
        if (n < 0) {
            st = zip_failure(r, e->name, zs);
            break;
        }
        if (n == 0)
            break;
        r->inflated += (unsigned long long)n;
        st = check_inflated(r, e, got + (unsigned long long)n);
        got += (unsigned long long)n;
    }
    bkar_zip_stream_close(in);
    if (st == BK_OK && got != e->size)
        st = entry_error(r, e->name, BK_E_SYNTAX,
                         "the entry holds %llu bytes, not the %" PRIu64 " its header declares", got,
                         e->size);
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

/* The manifest is datapackage.json at the root, or in the one folder that holds everything.
 * One anywhere else would describe only part of the archive: refused rather than guessed. */
static bk_status find_manifest(reader *r)
{
    int found = 0;
    bk_status st = BK_OK;
    if (r->root_manifest.found) {
        entry key = {.record = r->root_manifest.record, .index = r->root_manifest.index};
        st = load(r, &key, &r->manifest);
        found = 1;
    } else if (r->one_top && r->top) {
        size_t n = r->top_len + strlen(BKAR_MANIFEST) + 1;
        char *name = bk_malloc(n);
        if (!name)
            return no_memory(r);
        snprintf(name, n, "%s%s", r->top, BKAR_MANIFEST);
        const entry *e = find_entry(r, name, &st);
        bk_free(name);
        if (e) {
            r->base_len = r->top_len;
            st = load(r, e, &r->manifest);
            found = 1;
        }
    }
    if (st != BK_OK)
        return st;
    r->has_manifest = found;
    for (int i = 0; i < 2; i++) {
        const place *p = &r->misplaced[i];
        if (!p->found || (r->has_manifest && p->record == r->manifest.record))
            continue;
        entry key = {.record = p->record, .index = p->index};
        if ((st = load(r, &key, &r->other)) != BK_OK)
            return st;
        return entry_error(r, r->other.name, BK_E_CONTENT, "a " BKAR_MANIFEST " that is not at "
                           "the root of the archive (nor of the one folder holding "
                           "everything) describes only part of it and is not read");
    }
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
                               int importing, char out[BKAR_SHA256_HEX])
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
        if (!importing)
            bk_import_warn(r->job, 0, 0,
                           "resource %zu (\"%s\"): its %.*s hash is not checked; budgetkit "
                           "verifies only sha256 hashes", number, path,
                           alg_len > 16 ? 16 : alg_len, colon ? h : "md5");
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

static int looks_like_archive(const unsigned char *data, size_t len)
{
    return len >= 4 && data[0] == 'P' && data[1] == 'K' &&
           ((data[2] == 3 && data[3] == 4) || (data[2] == 5 && data[3] == 6) ||
            (data[2] == 7 && data[3] == 8));
}

static bk_status check_member(reader *r, const bkar_zip_entry *e, long long bytes,
                              const char *sha256, const unsigned char *data, size_t len)
{
    if (bytes >= 0 && (unsigned long long)bytes != len)
        return entry_error(r, e->name, BK_E_CONTENT, "the entry holds %zu bytes but "
                           BKAR_MANIFEST " says %lld", len, bytes);
    if (sha256 && sha256[0] != '\0') {
        char actual[BKAR_SHA256_HEX];
        bkar_sha256_hex(data, len, actual);
        if (strcmp(actual, sha256) != 0)
            return entry_error(r, e->name, BK_E_CONTENT, "hash mismatch: the entry's SHA-256 "
                               "is %s but " BKAR_MANIFEST " says %s", actual, sha256);
    }
    /* Archives inside archives are how zip quines and nested bombs work. */
    if (looks_like_archive(data, len))
        return entry_error(r, e->name, BK_E_HOSTILE,
                           "the entry holds another ZIP archive; archives inside archives are "
                           "not read");
    return BK_OK;
}

/* Reads a document entry and hands it to the importer that probes best for it. */
static bk_status import_member(reader *r, const bkar_zip_entry *e, long long bytes,
                               const char *sha256)
{
    unsigned char *data = NULL;
    size_t len = 0;
    bk_status st = read_entry(r, e, &data, &len);
    if (st != BK_OK)
        return st;
    st = check_member(r, e, bytes, sha256, data, len);
    if (st == BK_OK) {
        size_t name_len = strlen(r->archive) + strlen(e->name) + 2;
        char *name = bk_malloc(name_len);
        if (!name) {
            st = no_memory(r);
        } else {
            snprintf(name, name_len, "%s:%s", r->archive, e->name);
            st = bk_import_nested(r->job, name, data, len);
            bk_free(name);
        }
    }
    bk_free(data);
    return st;
}

/* One resource of the manifest. The first reading checks it and marks its entry listed; the
 * second (importing) reads the document. */
static bk_status take_resource(reader *r, json_t *res, size_t number, int importing)
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
    size_t plen = strlen(path);
    char *name = bk_malloc(r->base_len + plen + 1);
    if (!name)
        return no_memory(r);
    memcpy(name, r->manifest.name, r->base_len);
    memcpy(name + r->base_len, path, plen + 1);
    bk_status st = BK_OK;
    entry *e = find_entry(r, name, &st);
    bk_free(name);
    if (st != BK_OK)
        return st;
    if (!e)
        return manifest_error(r, BK_E_CONTENT, "resource %zu: \"%s\" is not in the "
                              "archive", number, path);
    if (e->record == r->manifest.record)
        return manifest_error(r, BK_E_CONTENT, "resource %zu: the manifest cannot list "
                              "itself", number);
    if (!importing) {
        if (e->listed)
            return manifest_error(r, BK_E_CONTENT, "resource %zu: \"%s\" is listed twice",
                                  number, path);
        e->listed = 1;
    }
    long long bytes = -1;
    json_t *jbytes = json_object_get(res, "bytes");
    if (jbytes) {
        if (!json_is_integer(jbytes) || json_integer_value(jbytes) < 0)
            return manifest_error(r, BK_E_CONTENT, "resource %zu (\"%s\"): expected a "
                                  "non-negative integer for \"bytes\"", number, path);
        bytes = json_integer_value(jbytes);
        if ((unsigned long long)bytes != r->other.size)
            return entry_error(r, r->other.name, BK_E_CONTENT, "the entry holds %" PRIu64
                               " bytes but " BKAR_MANIFEST " says %lld", r->other.size, bytes);
    }
    char sha256[BKAR_SHA256_HEX];
    if ((st = resource_hash(r, res, number, path, importing, sha256)) != BK_OK)
        return st;
    /* What the resource is comes from its "format", or else from its file name; resources of
     * other kinds (a PDF of the published budget, say) travel along and are not read. */
    const char *format = json_string_value(json_object_get(res, "format"));
    const bkar_format *f = format ? bkar_format_find(format) : bkar_format_of_path(path);
    if (!f)
        return BK_OK;
    if (!importing) {
        r->nplan++;
        return BK_OK;
    }
    return import_member(r, &r->other, bytes, sha256);
}

/* ---- reading the manifest as a stream ----
 *
 * A manifest lists every document, so an archive of a million has a manifest of hundreds of
 * MiB. It is read twice as it inflates, never whole: a scan follows strings and brackets,
 * hands each element of the top-level "resources" array to jansson on its own, and keeps the
 * rest (the skeleton, with that array emptied) to be checked by jansson at the end. The first
 * reading checks every resource, the second imports the documents in the manifest's order. */

#define MANIFEST_MAX_DEPTH 64
#define RESOURCE_MAX_BYTES ((size_t)1 << 20)
#define RESOURCES_KEY "resources"

typedef struct growbuf {
    char *data;
    size_t len, cap;
} growbuf;

typedef struct mscan {
    reader *r;
    int importing;
    bk_status st;
    long line, col; /* of the byte at hand, as jansson counts them (characters) */
    char stack[MANIFEST_MAX_DEPTH];
    int depth;
    int in_string, escape;
    /* Keys of the top-level object. */
    int want_key, in_key, key_match, resources_next;
    size_t key_len;
    /* The resources array and its elements. */
    int in_resources, resources_done, in_element, need_comma, after_comma;
    char kind; /* the element's first byte */
    growbuf span;
    long span_line, span_col;
    size_t number;
    /* The skeleton, and where the emptied array was: '[' at skeleton line/column gap_line,
     * gap_col; ']' at line/column close_line, close_col of the manifest. */
    growbuf skel;
    long skel_line, skel_col;
    long gap_line, gap_col, close_line, close_col;
} mscan;

static int append(growbuf *b, char c)
{
    if (b->len + 1 >= b->cap && bk_grow((void **)&b->data, &b->cap, b->len + 2, 1) != 0)
        return -1;
    b->data[b->len++] = c;
    b->data[b->len] = '\0';
    return 0;
}

__attribute__((format(printf, 4, 5)))
static void scan_fail(mscan *m, long line, long col, const char *fmt, ...)
{
    if (m->st != BK_OK)
        return;
    char text[BK_ERROR_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    m->st = manifest_error(m->r, BK_E_SYNTAX,
                           "the manifest is not valid JSON (line %ld, column %ld): %s", line, col,
                           text);
}

/* jansson's verdict on a piece of the manifest, placed in the whole. */
static json_t *parse_piece(mscan *m, const growbuf *b, size_t flags, long line0, long col0,
                           int skeleton)
{
    json_error_t je;
    json_t *v = json_loadb(b->data ? b->data : "", b->len, flags, &je);
    /* When an allocation fails, jansson may report a bad token, no error at all, or succeed
     * with a byte of a string dropped: nothing it parsed while one failed can be trusted. */
    int jansson_oom = json_error_code(&je) == json_error_out_of_memory || je.text[0] == '\0';
    if (bk_alloc_failed() || (!v && jansson_oom)) {
        json_decref(v);
        if (m->st == BK_OK)
            m->st = no_memory(m->r);
        return NULL;
    }
    if (v)
        return v;
    long line = je.line, col = je.column;
    if (skeleton) {
        if (line == m->gap_line && col > m->gap_col) {
            col = m->close_col + (col - m->gap_col - 1);
            line = m->close_line;
        } else if (line > m->gap_line && m->gap_line > 0) {
            line += m->close_line - m->gap_line;
        }
    } else {
        if (line == 1)
            col += col0 - 1;
        line += line0 - 1;
    }
    scan_fail(m, line, col, "%s", je.text);
    return NULL;
}

static void finish_element(mscan *m)
{
    m->in_element = 0;
    m->need_comma = 1;
    m->after_comma = 0;
    json_t *res = parse_piece(m, &m->span, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY,
                              m->span_line, m->span_col, 0);
    m->span.len = 0;
    if (!res)
        return;
    m->number++;
    bk_status st = take_resource(m->r, res, m->number, m->importing);
    json_decref(res);
    if (m->st == BK_OK)
        m->st = st;
}

/* Strings and brackets; 0 when the byte closes what it cannot. */
static int track(mscan *m, unsigned char c)
{
    if (m->in_string) {
        if (m->escape)
            m->escape = 0;
        else if (c == '\\')
            m->escape = 1;
        else if (c == '"')
            m->in_string = 0;
        return 1;
    }
    if (c == '"') {
        m->in_string = 1;
    } else if (c == '{' || c == '[') {
        if (m->depth == MANIFEST_MAX_DEPTH) {
            scan_fail(m, m->line, m->col, "nested deeper than %d levels", MANIFEST_MAX_DEPTH);
            return 0;
        }
        m->stack[m->depth++] = (char)c;
    } else if (c == '}' || c == ']') {
        if (m->depth == 0 || m->stack[m->depth - 1] != (c == '}' ? '{' : '[')) {
            scan_fail(m, m->line, m->col, "unexpected '%c'", c);
            return 0;
        }
        m->depth--;
    }
    return 1;
}

static int is_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

/* Keys of the top-level object, to find "resources" (a key written with escapes is not
 * recognised, and its array is then checked as part of the skeleton). */
static void top_level(mscan *m, unsigned char c)
{
    int at_top = m->depth == 1 && m->stack[0] == '{';
    if (m->in_key) {
        if (c == '"' && !m->escape) {
            m->in_key = 0;
            m->want_key = 0;
            m->resources_next = m->key_match && m->key_len == strlen(RESOURCES_KEY) &&
                                !m->resources_done;
        } else if (c == '\\' || m->key_len >= strlen(RESOURCES_KEY) ||
                   (char)c != RESOURCES_KEY[m->key_len]) {
            m->key_match = 0;
            m->key_len++;
        } else {
            m->key_len++;
        }
        return;
    }
    if (!at_top || m->in_string)
        return;
    if (c == '"' && m->want_key) {
        m->in_key = 1;
        m->key_len = 0;
        m->key_match = 1;
    } else if (c == ',') {
        m->want_key = 1;
    }
}

static void scan_byte(mscan *m, unsigned char c)
{
    if (m->in_element && !m->in_string && m->kind != '{' && m->kind != '[' && m->kind != '"' &&
        (is_space(c) || c == ',' || c == ']'))
        finish_element(m); /* a number or literal ends at what follows it */
    if (m->st != BK_OK)
        return;
    int between = m->in_resources && m->depth == 2 && !m->in_string && !m->in_element;
    if (between && !is_space(c)) {
        if (c == ',') {
            if (!m->need_comma)
                scan_fail(m, m->line, m->col, "unexpected ','");
            m->need_comma = 0;
            m->after_comma = 1;
            return;
        }
        if (c == ']') {
            if (m->after_comma)
                scan_fail(m, m->line, m->col, "a ',' before ']'");
            m->in_resources = 0;
            m->resources_done = 1;
            m->close_line = m->line;
            m->close_col = m->col;
            track(m, c);
            if (!m->importing && append(&m->skel, ']') != 0)
                m->st = no_memory(m->r);
            m->skel_col++;
            return;
        }
        if (m->need_comma) {
            scan_fail(m, m->line, m->col, "expected ',' or ']' after resource %zu", m->number);
            return;
        }
        m->in_element = 1;
        m->kind = (char)c;
        m->span_line = m->line;
        m->span_col = m->col;
    }
    if (m->in_element) {
        if (m->span.len >= RESOURCE_MAX_BYTES) {
            m->st = manifest_error(m->r, BK_E_LIMIT, "resource %zu takes more than %zu bytes",
                                   m->number + 1, RESOURCE_MAX_BYTES);
            return;
        }
        if (append(&m->span, (char)c) != 0) {
            m->st = no_memory(m->r);
            return;
        }
        int opening = m->span.len == 1;
        if (!track(m, c))
            return;
        if (((m->kind == '{' || m->kind == '[') && m->depth == 2) ||
            (m->kind == '"' && !opening && !m->in_string))
            finish_element(m);
        return;
    }
    if (between)
        return; /* white space between resources */
    top_level(m, c);
    int starts_resources = m->resources_next && m->depth == 1 && !m->in_string && !is_space(c) &&
                           c != ':';
    if (!track(m, c))
        return;
    if (!m->importing) {
        if (append(&m->skel, (char)c) != 0) {
            m->st = no_memory(m->r);
            return;
        }
        if (c == '\n') {
            m->skel_line++;
            m->skel_col = 1;
        } else if ((c & 0xC0) != 0x80) {
            m->skel_col++;
        }
    }
    if (c == '{' && m->depth == 1)
        m->want_key = 1;
    if (starts_resources) {
        m->resources_next = 0;
        if (c == '[') {
            m->in_resources = 1;
            m->need_comma = 0;
            m->after_comma = 0;
            m->gap_line = m->skel_line;
            m->gap_col = m->skel_col - 1;
        }
    }
}

static void scan_bytes(mscan *m, const unsigned char *p, size_t n)
{
    for (size_t i = 0; i < n && m->st == BK_OK; i++) {
        scan_byte(m, p[i]);
        if (p[i] == '\n') {
            m->line++;
            m->col = 1;
        } else if ((p[i] & 0xC0) != 0x80) {
            m->col++;
        }
    }
}

static void scan_end(mscan *m)
{
    if (m->st != BK_OK)
        return;
    if (m->in_element && !m->in_string && m->kind != '{' && m->kind != '[' && m->kind != '"')
        finish_element(m);
    if (m->st != BK_OK)
        return;
    if (m->in_string || m->depth > 0) {
        scan_fail(m, m->line, m->col, "the manifest ends before its %s is closed",
                  m->in_string ? "string" : m->stack[m->depth - 1] == '{' ? "object" : "array");
        return;
    }
    if (m->importing)
        return;
    json_t *root = parse_piece(m, &m->skel, JSON_REJECT_DUPLICATES, 1, 1, 1);
    if (!root)
        return;
    json_t *resources = json_object_get(root, RESOURCES_KEY);
    if (!json_is_object(root) || !json_is_array(resources))
        m->st = manifest_error(m->r, BK_E_CONTENT, "expected an object with a \"resources\" "
                               "array (a Frictionless Data Package descriptor)");
    else if (json_array_size(resources) > 0)
        m->st = manifest_error(m->r, BK_E_CONTENT, "the \"resources\" key is written with "
                               "escapes; budgetkit reads it only as plain \"resources\"");
    json_decref(root);
}

/* One reading of the manifest, inflated chunk by chunk and checked like any entry. */
static bk_status read_manifest(reader *r, int importing)
{
    mscan m;
    memset(&m, 0, sizeof m);
    m.r = r;
    m.importing = importing;
    m.line = m.col = m.skel_line = m.skel_col = 1;
    const bkar_zip_entry *e = &r->manifest;
    unsigned char *chunk = bk_malloc(READ_CHUNK);
    bkar_zip_stream *in = NULL;
    bkar_zip_status zs = chunk ? bkar_zip_stream_open(r->zip, e, &in) : BKAR_ZIP_NOMEM;
    bk_status st = zs == BKAR_ZIP_OK ? BK_OK : zip_failure(r, e->name, zs);
    unsigned long long got = 0;
    uLong crc = crc32(0L, Z_NULL, 0);
    while (st == BK_OK) {
        long n = bkar_zip_stream_read(in, chunk, READ_CHUNK, &zs);
        if (n < 0) {
            st = zip_failure(r, e->name, zs);
            break;
        }
        if (n == 0)
            break;
        if (!importing)
            r->inflated += (unsigned long long)n;
        got += (unsigned long long)n;
        if ((st = check_inflated(r, e, got)) != BK_OK)
            break;
        crc = crc32(crc, chunk, (uInt)n);
        scan_bytes(&m, chunk, (size_t)n);
        st = m.st;
    }
    bkar_zip_stream_close(in);
    bk_free(chunk);
    if (st == BK_OK && got != e->size)
        st = entry_error(r, e->name, BK_E_SYNTAX,
                         "the entry holds %llu bytes, not the %" PRIu64 " its header declares", got,
                         e->size);
    if (st == BK_OK && (uint32_t)crc != e->crc)
        st = entry_error(r, e->name, BK_E_SYNTAX, "CRC mismatch: the entry's data is damaged");
    if (st == BK_OK) {
        scan_end(&m);
        st = m.st;
    }
    bk_free(m.span.data);
    bk_free(m.skel.data);
    return st;
}

/* Every document entry must be listed: one the manifest does not vouch for is either a
 * mistake or a substitution. The first in the directory's order is named. */
static bk_status check_unlisted(reader *r)
{
    const entry *first = NULL;
    for (size_t i = 0; i < r->nentries; i++) {
        const entry *e = &r->entries[i];
        if (e->is_doc && !e->listed && (!first || e->index < first->index))
            first = e;
    }
    if (!first)
        return BK_OK;
    bk_status st = load(r, first, &r->other);
    if (st != BK_OK)
        return st;
    return entry_error(r, r->other.name, BK_E_CONTENT, "the entry is a document but "
                       BKAR_MANIFEST " does not list it");
}

/* Without a manifest, the documents in the directory's order. */
static bk_status import_in_order(reader *r)
{
    bkar_zip_rewind(r->zip);
    for (;;) {
        bkar_zip_status zs = bkar_zip_next(r->zip, &r->rec);
        if (zs == BKAR_ZIP_END)
            return BK_OK;
        if (zs != BKAR_ZIP_OK)
            return zip_failure(r, NULL, zs);
        size_t len = r->rec.name_len;
        if (len > 0 && r->rec.name[len - 1] == '/')
            continue;
        if (!bkar_format_of_path(r->rec.name))
            continue;
        bk_status st = import_member(r, &r->rec, -1, NULL);
        if (st != BK_OK)
            return st;
    }
}

/* Spreadsheets and word-processor files are ZIP archives too; finance staff will hand them
 * over. Say what they are instead of failing on their XML parts. */
static bk_status refuse_office_files(reader *r)
{
    if (r->has_manifest)
        return BK_OK;
    if (r->content_types)
        return entry_error(r, NULL, BK_E_CONTENT,
                           "this is an Office Open XML file (.xlsx, .docx), "
                           "not an archive of budget documents: a workbook is read with "
                           "--from xlsx");
    if (r->first_is_mimetype)
        return entry_error(r, NULL, BK_E_CONTENT,
                           "this is an OpenDocument file (.ods, .odt), not an "
                           "archive of budget documents: save each sheet as CSV and read "
                           "those");
    return BK_OK;
}

bk_status bkar_import(bk_import *job)
{
    bk_source *src = bk_import_source(job);
    reader r = {.job = job,
                .err = bk_import_error(job),
                .limits = bk_ctx_limits(bk_import_ctx(job)),
                .archive = bk_source_name(src)};
    /* What is known of the archive before any document is read, each step from the ones
     * before. */
    static bk_status (*const survey[])(reader *) = {scan_entries, find_manifest,
                                                    refuse_office_files};
    bk_status st = open_archive(&r, src);
    for (size_t i = 0; st == BK_OK && i < sizeof survey / sizeof survey[0]; i++)
        st = survey[i](&r);
    if (st == BK_OK && r.has_manifest) {
        st = read_manifest(&r, 0);
        if (st == BK_OK)
            st = check_unlisted(&r);
    } else if (st == BK_OK) {
        r.nplan = r.ndocs;
    }
    if (st == BK_OK && r.nplan == 0)
        st = entry_error(&r, NULL, BK_E_CONTENT,
                         "the archive holds no budget documents (no .json, "
                         ".xml or .csv entry)");
    if (st == BK_OK)
        st = r.has_manifest ? read_manifest(&r, 1) : import_in_order(&r);
    bkar_zip_entry_fini(&r.rec);
    bkar_zip_entry_fini(&r.other);
    bkar_zip_entry_fini(&r.manifest);
    bk_free(r.top);
    bk_free(r.entries);
    bkar_zip_close(r.zip);
    return st;
}
