/* Writing archives.
 *
 * The ZIP is written here with zlib rather than with libzip: libzip builds an archive in a file
 * of its own and writes it on close, while every budgetkit output goes through a sink that only
 * appears when the whole job succeeded. Each document is serialised into memory by the exporter
 * of its member format, deflated, and streamed to the sink at once as a local header followed by
 * its data, so memory stays bounded by one document. Sizes and CRC are known before the header
 * is written, so no data descriptors are needed. The central directory and the manifest go last.
 *
 * The output depends on nothing but the documents and the options: fixed DOS time
 * (1980-01-01 00:00), no extra fields, members in document order, names derived from the
 * documents. */
#include "archive.h"

#include <ctype.h>
#include <inttypes.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zlib.h>

#include "sha256.h"

#define DOS_DATE_1980_01_01 0x0021u /* (1980 - 1980) << 9 | 1 << 5 | 1 */
#define DOS_TIME_MIDNIGHT 0x0000u
#define VERSION_NEEDED 20u                 /* 2.0: deflate */
#define VERSION_ZIP64 45u                  /* 4.5: ZIP64 end records */
#define ZIP64_END_SIZE 56u
#define VERSION_MADE_BY ((3u << 8) | 20u)  /* Unix, so that external attributes carry modes */
#define UNIX_REGULAR_0644 (0100644u << 16)
#define UNIX_FOLDER_0755 ((040755u << 16) | 0x10u) /* and the MS-DOS directory attribute */
#define DOCUMENTS_FOLDER "documents/"
#define FLAG_UTF8 0x0800u
#define METHOD_STORE 0u
#define METHOD_DEFLATE 8u
#define NAME_MAX_BYTES 60 /* of the department part of a member name */

typedef struct member {
    char *path;
    uint64_t offset; /* of the local header */
    uint64_t csize, usize;
    uint32_t crc;
    uint16_t method;
    char sha256[BKAR_SHA256_HEX];
    int folder; /* a folder entry: tools that unpack into a tree expect one per folder */
    /* Document facts for the manifest; NULL department for the manifest itself. */
    char *department;
    char *department_code;
    int fiscal_year;
} member;

typedef struct writer {
    const bkar_format *format;
    char encoding[32];        /* what the member exporter writes, for the manifest */
    const char *package_name; /* option, NULL for the default */
    const char *title, *license, *source, *source_path, *created; /* options, NULL when not given */
    char epoch_created[32];   /* from SOURCE_DATE_EPOCH, for reproducible builds */
    member *members;
    size_t nmembers, cap;
    size_t ndocs;
    uint64_t offset; /* bytes written to the sink */
    z_stream z;      /* the deflate stream all members share */
    int z_ready;
} writer;

/* ---- little-endian fields ---- */

typedef struct bytes {
    unsigned char buf[128];
    size_t len;
} bytes;

static void put16(bytes *b, unsigned v)
{
    b->buf[b->len++] = (unsigned char)(v & 0xFF);
    b->buf[b->len++] = (unsigned char)((v >> 8) & 0xFF);
}

static void put32(bytes *b, uint64_t v)
{
    put16(b, (unsigned)(v & 0xFFFF));
    put16(b, (unsigned)((v >> 16) & 0xFFFF));
}

static void put64(bytes *b, uint64_t v)
{
    put32(b, v & 0xFFFFFFFFu);
    put32(b, v >> 32);
}

/* ---- errors ---- */

static bk_status fail(bk_export *job, bk_status code, const char *what, const char *text)
{
    bk_error *err = bk_export_error(job);
    bk_error_at(err, bk_sink_name(bk_export_sink(job)), 0, 0, -1);
    if (what)
        bk_error_where(err, "entry %s", what);
    return bk_error_set(err, code, "%s", text);
}

static bk_status no_memory(bk_export *job)
{
    return fail(job, BK_E_NOMEM, NULL, "out of memory while writing the archive");
}

/* ---- member names ---- */

static int is_ascii_name_char(unsigned char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}


/* Keep letters of any script, digits and '_'; everything else (spaces, punctuation, path
 * separators, dots, control characters, U+3000) becomes a single '-'. The result is a safe
 * file name on every common system, and still readable for Chinese names. */
static void sanitise_into(const char *text, char *out, size_t *len, size_t max)
{
    const unsigned char *s = (const unsigned char *)(text ? text : "");
    size_t n = strlen((const char *)s);
    size_t i = 0;
    while (i < n) {
        size_t seq = s[i] < 0x80 ? (is_ascii_name_char(s[i]) ? 1 : 0)
                                 : bkar_utf8_sequence(s + i, n - i);
        int keep = seq > 0 && !(seq == 3 && s[i] == 0xE3 && s[i + 1] == 0x80 && s[i + 2] == 0x80);
        if (keep) {
            if (*len + seq > max)
                break;
            memcpy(out + *len, s + i, seq);
            *len += seq;
            i += seq;
        } else {
            if (*len > 0 && out[*len - 1] != '-' && *len < max)
                out[(*len)++] = '-';
            i += seq > 0 ? seq : 1;
        }
    }
    while (*len > 0 && out[*len - 1] == '-')
        (*len)--;
}

/* The one sub-unit a sub-unit's own budget is about, NULL for department budgets. */
static const char *single_subunit(const bk_doc *doc)
{
    const char *name = NULL;
    for (size_t i = 0; i < doc->nunits; i++) {
        if (doc->units[i].kind == BK_UNIT_SELF)
            return NULL;
        if (doc->units[i].kind == BK_UNIT_SUBUNIT) {
            if (name)
                return NULL;
            name = doc->units[i].name;
        }
    }
    return name;
}

/* "documents/0001-<department>[-<sub-unit>]-<year>.<ext>": the sequence number makes names
 * unique whatever the documents hold, the rest makes them readable. */
static char *member_path(const writer *w, const bk_doc *doc)
{
    char part[2 * NAME_MAX_BYTES + 2];
    size_t len = 0;
    sanitise_into(doc->dept_name, part, &len, NAME_MAX_BYTES);
    const char *sub = single_subunit(doc);
    if (sub && (!doc->dept_name || strcmp(sub, doc->dept_name) != 0)) {
        /* A separator, dropped again by the trimming when the sub-unit's name leaves nothing. */
        if (len > 0)
            part[len++] = '-';
        sanitise_into(sub, part, &len, len + NAME_MAX_BYTES);
    }
    if (len == 0) {
        memcpy(part, "budget", 6);
        len = 6;
    }
    part[len] = '\0';
    char head[64];
    snprintf(head, sizeof head, "documents/%04zu-", w->ndocs + 1);
    char tail[32];
    snprintf(tail, sizeof tail, "-%d.%s", doc->fiscal_year, w->format->name);
    size_t total = strlen(head) + len + strlen(tail) + 1;
    char *path = bk_malloc(total);
    if (path)
        snprintf(path, total, "%s%s%s", head, part, tail);
    return path;
}


static int is_ascii(const char *s)
{
    for (; *s; s++)
        if ((unsigned char)*s >= 0x80)
            return 0;
    return 1;
}

/* ---- deflate ---- */

static voidpf z_alloc(voidpf opaque, uInt items, uInt size)
{
    (void)opaque;
    if (size != 0 && items > SIZE_MAX / size)
        return Z_NULL;
    return bk_malloc((size_t)items * size);
}

static void z_free(voidpf opaque, voidpf p)
{
    (void)opaque;
    bk_free(p);
}

/* Raw deflate (no zlib header: ZIP has its own) of data into a new buffer. Level 6, zlib's
 * default: level 9 saves under 2% on budget JSON and takes twice as long. One stream serves
 * every member, reset between them: setting one up takes 256 KiB, and making and freeing
 * that per document was most of the time of an archive of small documents. */
static bk_status deflate_buffer(writer *w, const unsigned char *data, size_t len,
                                unsigned char **out, size_t *outlen)
{
    z_stream *z = &w->z;
    if (!w->z_ready) {
        memset(z, 0, sizeof *z);
        z->zalloc = z_alloc;
        z->zfree = z_free;
        if (deflateInit2(z, 6, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
            return BK_E_NOMEM;
        w->z_ready = 1;
    } else if (deflateReset(z) != Z_OK) {
        return BK_E_INTERNAL;
    }
    size_t cap = (size_t)deflateBound(z, (uLong)len);
    unsigned char *buf = bk_malloc(cap ? cap : 1);
    if (!buf)
        return BK_E_NOMEM;
    /* zlib counts in uInt; feed at most 1 GiB at a time. */
    const size_t step = (size_t)1 << 30;
    size_t in_done = 0, out_done = 0;
    int ret = Z_OK;
    while (ret != Z_STREAM_END) {
        size_t in_left = len - in_done, out_left = cap - out_done;
        z->next_in = (Bytef *)(uintptr_t)(data + in_done);
        z->avail_in = (uInt)(in_left < step ? in_left : step);
        z->next_out = buf + out_done;
        z->avail_out = (uInt)(out_left < step ? out_left : step);
        uInt in_before = z->avail_in, out_before = z->avail_out;
        ret = deflate(z, in_left <= step ? Z_FINISH : Z_NO_FLUSH);
        in_done += in_before - z->avail_in;
        out_done += out_before - z->avail_out;
        if ((ret != Z_OK && ret != Z_STREAM_END && ret != Z_BUF_ERROR) ||
            (ret == Z_BUF_ERROR && out_done == cap)) {
            bk_free(buf);
            return BK_E_INTERNAL;
        }
    }
    *out = buf;
    *outlen = out_done;
    return BK_OK;
}

/* ---- members ---- */

static bk_status write_bytes(bk_export *job, writer *w, const void *data, size_t len)
{
    bk_status st = bk_sink_write(bk_export_sink(job), data, len);
    if (st != BK_OK) {
        bk_error *err = bk_export_error(job);
        if (err->text[0] == '\0')
            fail(job, st, NULL, "cannot write the archive");
        return st;
    }
    w->offset += len;
    return BK_OK;
}

static bk_status too_big(bk_export *job, const char *path)
{
    return fail(job, BK_E_LIMIT, path,
                "a member would lie beyond the archive's first 4 GiB, which needs ZIP64 "
                "extra fields; budgetkit writes members within 4 GiB only");
}

/* The fields a member's local header and its central directory entry share, from the version
 * needed to extract to the length of the name (APPNOTE 4.3.7, 4.3.12). */
static void put_member_fields(bytes *h, const member *m, size_t name_len)
{
    put16(h, VERSION_NEEDED);
    put16(h, is_ascii(m->path) ? 0u : FLAG_UTF8);
    put16(h, m->method);
    put16(h, DOS_TIME_MIDNIGHT);
    put16(h, DOS_DATE_1980_01_01);
    put32(h, m->crc);
    put32(h, m->csize);
    put32(h, m->usize);
    put16(h, (unsigned)name_len);
}

/* Append one member: local header, name, data (deflated unless that would not shrink it).
 * On success the member record (path ownership included) is added to the writer. */
static bk_status add_member(bk_export *job, writer *w, member *m, const unsigned char *data,
                            size_t len)
{
    if (len > BKAR_ZIP32_MAX || w->offset > BKAR_ZIP32_MAX)
        return too_big(job, m->path);
    if (bk_grow((void **)&w->members, &w->cap, w->nmembers + 1, sizeof *w->members) != 0)
        return no_memory(job);

    unsigned char *packed = NULL;
    size_t packed_len = 0;
    bk_status st = deflate_buffer(w, data, len, &packed, &packed_len);
    if (st == BK_E_NOMEM)
        return no_memory(job);
    if (st != BK_OK)
        return fail(job, st, m->path, "zlib could not compress the member");
    const unsigned char *body = packed;
    m->method = METHOD_DEFLATE;
    if (packed_len >= len) {
        body = data;
        packed_len = len;
        m->method = METHOD_STORE;
    }
    m->crc = bkar_crc32(data, len);
    m->usize = len;
    m->csize = packed_len;
    m->offset = w->offset;
    bkar_sha256_hex(data, len, m->sha256);

    size_t name_len = strlen(m->path);
    if (m->offset + 30 + name_len + m->csize > BKAR_ZIP32_MAX) {
        bk_free(packed);
        return too_big(job, m->path);
    }
    bytes h = {.len = 0};
    put32(&h, 0x04034b50u);
    put_member_fields(&h, m, name_len);
    put16(&h, 0); /* no extra field */
    st = write_bytes(job, w, h.buf, h.len);
    if (st == BK_OK)
        st = write_bytes(job, w, m->path, name_len);
    if (st == BK_OK)
        st = write_bytes(job, w, body, (size_t)m->csize);
    bk_free(packed);
    if (st != BK_OK)
        return st;
    w->members[w->nmembers++] = *m;
    return BK_OK;
}

static void member_free(member *m)
{
    bk_free(m->path);
    bk_free(m->department);
    bk_free(m->department_code);
}

static void writer_free(writer *w)
{
    if (!w)
        return;
    for (size_t i = 0; i < w->nmembers; i++)
        member_free(&w->members[i]);
    bk_free(w->members);
    if (w->z_ready)
        deflateEnd(&w->z);
    bk_free(w);
}

/* ---- manifest ---- */

/* Frictionless names: lower-case letters, digits, '-', '_', '.' and '/'. */
static int is_package_name(const char *s)
{
    if (*s == '\0')
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr("-_./", *s)))
            return 0;
    return 1;
}

static int common_year(const writer *w)
{
    int year = 0;
    for (size_t i = 0; i < w->nmembers; i++) {
        if (!w->members[i].department)
            continue;
        if (year != 0 && w->members[i].fiscal_year != year)
            return 0;
        year = w->members[i].fiscal_year;
    }
    return year;
}

static int set_new(json_t *obj, const char *key, json_t *value)
{
    return !value || json_object_set_new(obj, key, value) != 0;
}

/* The Table Schema of a line-item CSV member (csv-lineitems.md): its eleven fields, codes and
 * values as strings (codes keep their digits as printed; a value is an amount or a text). */
static json_t *lines_schema(void)
{
    static const struct {
        const char *name, *type, *description;
    } fields[] = {
        {"record", "string", "what the record is: doc, meta, unit, table, cell, row, perf, goal, "
                             "indicator or narrative"},
        {"unit", "string", "unit id"},
        {"table", "string", "table template id (T01...)"},
        {"row", "integer", "row number within the table, from 1, in printed order"},
        {"kind", "string", "row kind (item, unit, total, of) or unit kind"},
        {"section", "string", "part of the table (income, expenditure...)"},
        {"code", "string", "classification code as printed (功能分类/经济分类科目编码), a string so "
                           "that every digit stays"},
        {"name", "string", "label as printed"},
        {"level", "integer", "printed indentation depth, 1-9"},
        {"column", "string", "column id of the table template"},
        {"value", "string", "an amount as an exact decimal ('.' as decimal mark, no grouping), "
                            "or the text of a text column"},
    };
    json_t *schema = json_object(), *list = json_array(), *missing = json_array();
    int bad = !schema || !list || !missing;
    for (size_t i = 0; !bad && i < sizeof fields / sizeof fields[0]; i++) {
        json_t *f = json_object();
        bad = !f;
        bad |= !bad && set_new(f, "name", json_string(fields[i].name));
        bad |= !bad && set_new(f, "type", json_string(fields[i].type));
        bad |= !bad && set_new(f, "description", json_string(fields[i].description));
        if (!bad && i == 0)
            bad |= set_new(f, "constraints", json_pack("{s:b}", "required", 1));
        bad |= !f || json_array_append_new(list, f) != 0;
    }
    bad |= !bad && json_array_append_new(missing, json_string("")) != 0;
    if (bad) {
        json_decref(schema);
        json_decref(list);
        json_decref(missing);
        return NULL;
    }
    bad |= json_object_set_new(schema, "fields", list) != 0;
    bad |= json_object_set_new(schema, "missingValues", missing) != 0;
    if (bad) {
        json_decref(schema);
        return NULL;
    }
    return schema;
}

static json_t *resource_json(const writer *w, const member *m, size_t number)
{
    char name[32], hash[8 + BKAR_SHA256_HEX];
    snprintf(name, sizeof name, "document-%04zu", number);
    snprintf(hash, sizeof hash, "sha256:%s", m->sha256);
    json_t *r = json_object();
    json_t *bk = json_object();
    if (!r || !bk) {
        json_decref(r);
        json_decref(bk);
        return NULL;
    }
    int bad = set_new(r, "name", json_string(name));
    bad |= set_new(r, "path", json_string(m->path));
    bad |= set_new(r, "format", json_string(w->format->name));
    bad |= set_new(r, "mediatype", json_string(w->format->mediatype));
    bad |= set_new(r, "encoding", json_string(w->encoding));
    bad |= set_new(r, "bytes", json_integer((json_int_t)m->usize));
    bad |= set_new(r, "hash", json_string(hash));
    if (strcmp(w->format->name, "csv") == 0) {
        bad |= set_new(r, "profile", json_string("tabular-data-resource"));
        bad |= set_new(r, "dialect", json_pack("{s:s,s:s,s:b}", "delimiter", ",",
                                               "lineTerminator", "\r\n", "header", 1));
        bad |= set_new(r, "schema", lines_schema());
    }
    bad |= set_new(bk, "fiscal_year", json_integer(m->fiscal_year));
    bad |= set_new(bk, "department", json_string(m->department));
    if (m->department_code)
        bad |= set_new(bk, "department_code", json_string(m->department_code));
    bad |= json_object_set_new(r, "budgetkit", bk) != 0;
    if (bad) {
        json_decref(r);
        return NULL;
    }
    return r;
}

/* "<department> <year>年部门预算" for one department and year, else what they share. */
static void package_title(const writer *w, char *out, size_t cap)
{
    const char *dept = NULL;
    int same_dept = 1;
    size_t n = 0;
    for (size_t i = 0; i < w->nmembers; i++) {
        if (!w->members[i].department)
            continue;
        n++;
        if (dept && strcmp(dept, w->members[i].department) != 0)
            same_dept = 0;
        dept = w->members[i].department;
    }
    int year = common_year(w);
    if (dept && same_dept && year > 0)
        snprintf(out, cap, "%s %d年部门预算", dept, year);
    else if (year > 0)
        snprintf(out, cap, "%d年部门预算（%zu 份）", year, n);
    else
        snprintf(out, cap, "部门预算（%zu 份）", n);
}

static json_t *manifest_json(const writer *w)
{
    char name[32], title[512];
    const char *package = w->package_name;
    if (!package) {
        int year = common_year(w);
        if (year > 0 && year < 100000)
            snprintf(name, sizeof name, "budgets-%d", year);
        else
            snprintf(name, sizeof name, "budgets");
        package = name;
    }
    if (w->title)
        snprintf(title, sizeof title, "%s", w->title);
    else
        package_title(w, title, sizeof title);
    const char *created = w->created ? w->created : w->epoch_created[0] ? w->epoch_created : NULL;
    json_t *root = json_object();
    json_t *bk = json_object();
    json_t *resources = json_array();
    json_t *sources = json_array();
    json_t *source = json_object();
    if (!root || !bk || !resources || !sources || !source) {
        json_decref(root);
        json_decref(bk);
        json_decref(resources);
        json_decref(sources);
        json_decref(source);
        return NULL;
    }
    int bad = set_new(root, "profile", json_string("data-package"));
    bad |= set_new(root, "name", json_string(package));
    bad |= set_new(root, "title", json_string(title));
    if (w->license) {
        char path[160];
        snprintf(path, sizeof path, "https://spdx.org/licenses/%s.html", w->license);
        bad |= set_new(root, "licenses",
                       json_pack("[{s:s,s:s}]", "name", w->license, "path", path));
    }
    bad |= set_new(source, "title", json_string(w->source ? w->source : title));
    if (w->source_path)
        bad |= set_new(source, "path", json_string(w->source_path));
    bad |= json_array_append_new(sources, source) != 0;
    bad |= json_object_set_new(root, "sources", sources) != 0;
    if (created)
        bad |= set_new(root, "created", json_string(created));
    bad |= set_new(bk, "format", json_string("budgetkit-archive"));
    bad |= set_new(bk, "version", json_integer(BKAR_VERSION));
    bad |= json_object_set_new(root, "budgetkit", bk) != 0;
    bad |= json_object_set_new(root, "resources", resources) != 0;
    for (size_t i = 0, number = 0; !bad && i < w->nmembers; i++) {
        if (!w->members[i].department)
            continue; /* the manifest itself, folders */
        json_t *res = resource_json(w, &w->members[i], ++number);
        bad |= json_array_append_new(resources, res) != 0;
    }
    if (bad) {
        json_decref(root);
        return NULL;
    }
    return root;
}

typedef struct text_buffer {
    char *data;
    size_t len, cap;
    int failed;
} text_buffer;

static int collect_text(const char *buffer, size_t size, void *data)
{
    text_buffer *t = data;
    if (bk_grow((void **)&t->data, &t->cap, t->len + size + 1, 1) != 0) {
        t->failed = 1;
        return -1;
    }
    memcpy(t->data + t->len, buffer, size);
    t->len += size;
    return 0;
}

static bk_status write_manifest(bk_export *job, writer *w)
{
    json_t *root = manifest_json(w);
    if (!root)
        return no_memory(job);
    text_buffer text = {NULL, 0, 0, 0};
    int ret = json_dump_callback(root, collect_text, &text, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
    json_decref(root);
    if (ret != 0 || text.failed || collect_text("\n", 1, &text) != 0) {
        bk_free(text.data);
        return no_memory(job);
    }
    member m = {0};
    m.path = bk_strdup(BKAR_MANIFEST);
    if (!m.path) {
        bk_free(text.data);
        return no_memory(job);
    }
    bk_status st = add_member(job, w, &m, (const unsigned char *)text.data, text.len);
    if (st != BK_OK)
        member_free(&m);
    bk_free(text.data);
    return st;
}

/* ---- central directory ---- */

static bk_status write_central_directory(bk_export *job, writer *w)
{
    uint64_t start = w->offset;
    for (size_t i = 0; i < w->nmembers; i++) {
        const member *m = &w->members[i];
        size_t name_len = strlen(m->path);
        bytes h = {.len = 0};
        put32(&h, 0x02014b50u);
        put16(&h, VERSION_MADE_BY);
        put_member_fields(&h, m, name_len);
        put16(&h, 0); /* extra */
        put16(&h, 0); /* comment */
        put16(&h, 0); /* disk */
        put16(&h, 0); /* internal attributes */
        put32(&h, m->folder ? UNIX_FOLDER_0755 : UNIX_REGULAR_0644);
        put32(&h, m->offset);
        bk_status st = write_bytes(job, w, h.buf, h.len);
        if (st == BK_OK)
            st = write_bytes(job, w, m->path, name_len);
        if (st != BK_OK)
            return st;
    }
    uint64_t size = w->offset - start;
    /* More members than 16 bits count, or a directory past 4 GiB, take the ZIP64 end records
     * (APPNOTE 4.3.14, 4.3.15); the members themselves stay within 32-bit fields. */
    int zip64 = w->nmembers >= BKAR_ZIP_MAX_ENTRIES || w->offset > BKAR_ZIP32_MAX;
    bytes e = {.len = 0};
    if (zip64) {
        uint64_t end64 = w->offset;
        put32(&e, 0x06064b50u);
        put64(&e, ZIP64_END_SIZE - 12); /* the record's size after this field */
        put16(&e, VERSION_MADE_BY);
        put16(&e, VERSION_ZIP64);
        put32(&e, 0); /* this disk */
        put32(&e, 0); /* disk of the directory */
        put64(&e, w->nmembers);
        put64(&e, w->nmembers);
        put64(&e, size);
        put64(&e, start);
        put32(&e, 0x07064b50u);
        put32(&e, 0); /* disk of the ZIP64 end record */
        put64(&e, end64);
        put32(&e, 1); /* disks */
    }
    unsigned n16 = zip64 ? 0xFFFFu : (unsigned)w->nmembers;
    put32(&e, 0x06054b50u);
    put16(&e, 0); /* this disk */
    put16(&e, 0); /* disk of the directory */
    put16(&e, n16);
    put16(&e, n16);
    put32(&e, zip64 ? BKAR_ZIP32_MAX : size);
    put32(&e, zip64 ? BKAR_ZIP32_MAX : start);
    put16(&e, 0); /* comment */
    return write_bytes(job, w, e.buf, e.len);
}

/* ---- the exporter ---- */

/* The manifest is JSON, and jansson refuses strings that are not UTF-8. */
static int text_is_utf8(const char *text)
{
    return bkar_is_utf8((const unsigned char *)text, strlen(text));
}

bk_status bkar_export_begin(bk_export *job)
{
    const char *fmt = bk_export_option(job, "member-format");
    const bkar_format *format = bkar_format_find(fmt ? fmt : "json");
    if (!format) {
        char text[160];
        snprintf(text, sizeof text, "unknown member-format \"%.80s\" (expected json, xml or csv)",
                 fmt);
        return fail(job, BK_E_USAGE, NULL, text);
    }
    const bk_plugin_desc *nested = bk_ctx_plugin_find(bk_export_ctx(job), format->name);
    if (!nested || !(nested->kinds & BK_PLUGIN_EXPORT)) {
        char text[160];
        snprintf(text, sizeof text,
                 "member-format %s needs the %s exporter, which is not loaded", format->name,
                 format->name);
        return fail(job, BK_E_PLUGIN, NULL, text);
    }
    const char *package = bk_export_option(job, "package-name");
    if (package && !is_package_name(package))
        return fail(job, BK_E_USAGE, NULL,
                    "package-name must use only lower-case letters, digits, '-', '_', '.' "
                    "and '/' (a Data Package name)");
    /* The CSV exporter may write GB18030 when asked; JSON and XML are always UTF-8. */
    const char *encoding = bk_export_option(job, "encoding");
    if (strcmp(format->name, "csv") != 0 || !encoding)
        encoding = "utf-8";
    const char *layout = bk_export_option(job, "layout");
    if (strcmp(format->name, "csv") == 0 && layout && strcmp(layout, "lines") != 0)
        return fail(job, BK_E_USAGE, NULL,
                    "member-format=csv stores the lossless lines layout; the wide layout "
                    "writes a file per table and cannot be a member of the archive");
    writer *w = bk_calloc(1, sizeof *w);
    if (!w)
        return no_memory(job);
    w->format = format;
    w->package_name = package;
    w->title = bk_export_option(job, "title");
    w->license = bk_export_option(job, "license");
    w->source = bk_export_option(job, "source");
    w->source_path = bk_export_option(job, "source-path");
    w->created = bk_export_option(job, "created");
    const char *epoch = getenv("SOURCE_DATE_EPOCH");
    if (epoch && *epoch) {
        char *end;
        long long secs = strtoll(epoch, &end, 10);
        time_t t = (time_t)secs;
        struct tm tm;
        if (*end == '\0' && secs >= 0 && gmtime_r(&t, &tm))
            strftime(w->epoch_created, sizeof w->epoch_created, "%Y-%m-%dT%H:%M:%SZ", &tm);
    }
    size_t i = 0;
    for (; encoding[i] != '\0' && i + 1 < sizeof w->encoding; i++)
        w->encoding[i] = (char)tolower((unsigned char)encoding[i]);
    w->encoding[i] = '\0';
    bk_export_set_state(job, w);
    return BK_OK;
}

static bk_status export_member(bk_export *job, writer *w, const bk_doc *doc, member *m)
{
    bk_error *err = bk_export_error(job);
    size_t label_len = strlen(bk_sink_name(bk_export_sink(job))) + strlen(m->path) + 2;
    char *label = bk_malloc(label_len);
    if (!label)
        return no_memory(job);
    snprintf(label, label_len, "%s:%s", bk_sink_name(bk_export_sink(job)), m->path);
    bk_sink *mem = bk_sink_open_memory(label, err);
    bk_free(label);
    if (!mem)
        return err->code != BK_OK ? err->code : no_memory(job);
    bk_status st = bk_export_nested(job, w->format->name, doc, mem);
    if (st == BK_OK) {
        size_t len = 0;
        const unsigned char *data = bk_sink_memory(mem, &len);
        if (!data && len > 0)
            st = no_memory(job);
        else
            st = add_member(job, w, m, data ? data : (const unsigned char *)"", len);
    }
    bk_sink_abort(mem);
    return st;
}

bk_status bkar_export_doc(bk_export *job, const bk_doc *doc)
{
    writer *w = bk_export_state(job);
    if (!w)
        return fail(job, BK_E_INTERNAL, NULL, "the archive exporter was not started");
    if ((doc->dept_name && !text_is_utf8(doc->dept_name)) ||
        (doc->dept_code && !text_is_utf8(doc->dept_code)))
        return fail(job, BK_E_ENCODING, NULL,
                    "the department's name or code is not valid UTF-8 and cannot go into "
                    BKAR_MANIFEST);
    if (w->ndocs == 0) {
        member folder = {0};
        folder.folder = 1;
        folder.path = bk_strdup(DOCUMENTS_FOLDER);
        if (!folder.path)
            return no_memory(job);
        bk_status st = add_member(job, w, &folder, (const unsigned char *)"", 0);
        if (st != BK_OK) {
            member_free(&folder);
            return st;
        }
    }
    member m = {0};
    m.path = member_path(w, doc);
    m.department = bk_strdup(doc->dept_name ? doc->dept_name : "");
    m.department_code = doc->dept_code ? bk_strdup(doc->dept_code) : NULL;
    m.fiscal_year = doc->fiscal_year;
    if (!m.path || !m.department || (doc->dept_code && !m.department_code)) {
        member_free(&m);
        return no_memory(job);
    }
    bk_status st = export_member(job, w, doc, &m);
    if (st != BK_OK) {
        member_free(&m);
        return st;
    }
    w->ndocs++;
    return BK_OK;
}

bk_status bkar_export_end(bk_export *job, int ok)
{
    writer *w = bk_export_state(job);
    bk_export_set_state(job, NULL);
    if (!w)
        return ok ? fail(job, BK_E_INTERNAL, NULL, "the archive exporter was not started")
                  : BK_OK;
    bk_status st = BK_OK;
    if (ok) {
        st = write_manifest(job, w);
        if (st == BK_OK)
            st = write_central_directory(job, w);
    }
    writer_free(w);
    return st;
}
