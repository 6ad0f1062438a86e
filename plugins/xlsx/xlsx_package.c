/* The workbook as a package: ZIP parts read as XML streams.
 *
 * A workbook comes from a sub-unit and is as untrusted as any archive, so its parts get the
 * archive plugin's limits (formats/limits.md): declared sizes are checked before a part is
 * inflated, and the bytes that really come out are counted while libxml2's streaming reader
 * pulls them, so that a sheet is never held whole in memory and a lying header cannot make us
 * inflate more than we agreed to. A part with a DOCTYPE is refused before libxml2 sees the
 * declaration: no OOXML part has one, and entity tricks start there. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "xlsx_int.h"

#define DOCTYPE_MARK "<!DOCTYPE"
#define MARK_LEN 9

struct bkxl_xml {
    bkxl_pkg *pkg;
    char *name;
    zip_file_t *zf;
    unsigned long long size, csize, got;
    char tail[MARK_LEN]; /* the last bytes of the previous chunk, for a mark split in two */
    size_t ntail;
    int failed;        /* the stream callback set the error */
    char xml_error[200];
    long xml_line;
    xmlTextReaderPtr r;
};

static int over(unsigned long long value, unsigned long long limit)
{
    return limit != 0 && value > limit;
}

static int ratio_over(unsigned long long size, unsigned long long csize, unsigned long long ratio)
{
    if (ratio == 0 || size == 0)
        return 0;
    if (csize == 0)
        return 1;
    return size / csize > ratio || (size / csize == ratio && size % csize != 0);
}

bk_status bkxl_error(bk_error *err, const char *file, const char *where, bk_status code,
                     const char *fmt, ...)
{
    char text[BK_ERROR_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof text, fmt, ap);
    va_end(ap);
    bk_error_at(err, file, 0, 0, -1);
    bk_error_where(err, "%s", where ? where : "");
    return bk_error_set(err, code, "%s", text);
}

#define part_error(p, part, ...) bkxl_error((p)->err, (p)->file, part, __VA_ARGS__)

bk_status bkxl_pkg_open(bkxl_pkg *p, bk_source *src, bk_error *err, const bk_limits *limits)
{
    memset(p, 0, sizeof *p);
    p->file = bk_source_name(src);
    p->err = err;
    p->limits = limits;
    zip_error_t ze;
    zip_error_init(&ze);
    zip_source_t *zs;
    const char *path = bk_source_path(src);
    struct stat sb;
    if (path != NULL && stat(path, &sb) == 0 && S_ISREG(sb.st_mode)) {
        if (over((unsigned long long)sb.st_size, limits->max_input_bytes)) {
            zip_error_fini(&ze);
            return part_error(p, NULL, BK_E_LIMIT, "input is larger than the limit of %llu "
                              "bytes (max-input-bytes)", limits->max_input_bytes);
        }
        zs = zip_source_file_create(path, 0, -1, &ze);
    } else {
        const unsigned char *data = NULL;
        size_t len = 0;
        bk_status rc = bk_source_slurp(src, (size_t)limits->max_input_bytes, &data, &len, err);
        if (rc != BK_OK) {
            zip_error_fini(&ze);
            return rc;
        }
        zs = zip_source_buffer_create(len ? (const void *)data : (const void *)"", len, 0, &ze);
    }
    if (zs != NULL)
        p->za = zip_open_from_source(zs, ZIP_RDONLY, &ze);
    bk_status rc = BK_OK;
    if (p->za == NULL) {
        if (zs != NULL)
            zip_source_free(zs);
        switch (zip_error_code_zip(&ze)) {
        case ZIP_ER_MEMORY:
            rc = part_error(p, NULL, BK_E_NOMEM, "out of memory while opening the workbook");
            break;
        case ZIP_ER_NOZIP:
        case ZIP_ER_INCONS:
            rc = part_error(p, NULL, BK_E_SYNTAX, "not an .xlsx workbook, or a damaged or "
                            "truncated one: its ZIP directory cannot be read");
            break;
        default:
            rc = part_error(p, NULL, BK_E_IO, "cannot open the workbook: %s",
                            zip_error_strerror(&ze));
        }
    } else {
        zip_int64_t n = zip_get_num_entries(p->za, 0);
        if (n < 0 || over((unsigned long long)n, limits->max_entries))
            rc = part_error(p, NULL, BK_E_LIMIT, "the workbook has %" PRId64 " parts, more "
                            "than max-entries (%llu)", (int64_t)n, limits->max_entries);
    }
    zip_error_fini(&ze);
    return rc;
}

void bkxl_pkg_close(bkxl_pkg *p)
{
    if (p->za)
        zip_discard(p->za);
    p->za = NULL;
}

static zip_int64_t locate(bkxl_pkg *p, const char *name)
{
    if (name[0] == '/')
        name++;
    return zip_name_locate(p->za, name, ZIP_FL_NOCASE);
}

int bkxl_pkg_has(bkxl_pkg *p, const char *name) { return locate(p, name) >= 0; }

/* A DOCTYPE anywhere in the bytes, also across the chunk boundary. */
static int has_doctype(bkxl_xml *x, const char *buf, size_t n)
{
    char joint[2 * MARK_LEN];
    size_t head = n < MARK_LEN ? n : MARK_LEN;
    memcpy(joint, x->tail, x->ntail);
    memcpy(joint + x->ntail, buf, head);
    size_t nj = x->ntail + head;
    for (size_t i = 0; i + MARK_LEN <= nj; i++)
        if (memcmp(joint + i, DOCTYPE_MARK, MARK_LEN) == 0)
            return 1;
    for (size_t i = 0; i + MARK_LEN <= n; i++)
        if (buf[i] == '<' && memcmp(buf + i, DOCTYPE_MARK, MARK_LEN) == 0)
            return 1;
    size_t keep = n < MARK_LEN - 1 ? n : MARK_LEN - 1;
    if (x->ntail + keep > MARK_LEN - 1) {
        size_t drop = x->ntail + keep - (MARK_LEN - 1);
        if (drop > x->ntail)
            drop = x->ntail;
        memmove(x->tail, x->tail + drop, x->ntail - drop);
        x->ntail -= drop;
    }
    memcpy(x->tail + x->ntail, buf + n - keep, keep);
    x->ntail += keep;
    return 0;
}

static int stream_read(void *ctx, char *buf, int len)
{
    bkxl_xml *x = ctx;
    bkxl_pkg *p = x->pkg;
    const bk_limits *l = p->limits;
    if (x->failed)
        return -1;
    zip_int64_t n = zip_fread(x->zf, buf, (zip_uint64_t)len);
    if (n < 0) {
        zip_error_t *ze = zip_file_get_error(x->zf);
        int code = zip_error_code_zip(ze);
        part_error(p, x->name, code == ZIP_ER_MEMORY ? BK_E_NOMEM : BK_E_SYNTAX,
                   "the part's compressed data is damaged: %s", zip_error_strerror(ze));
        x->failed = 1;
        return -1;
    }
    x->got += (unsigned long long)n;
    p->inflated += (unsigned long long)n;
    if (x->got > x->size)
        part_error(p, x->name, BK_E_HOSTILE, "the part inflates to more than its declared %llu "
                   "bytes; reading stopped", x->size), x->failed = 1;
    else if (over(x->got, l->max_input_bytes))
        part_error(p, x->name, BK_E_LIMIT, "the part inflates to more than max-input-bytes "
                   "(%llu)", l->max_input_bytes), x->failed = 1;
    else if (ratio_over(x->got, x->csize, l->max_ratio))
        part_error(p, x->name, BK_E_LIMIT, "the part inflates beyond max-ratio (%llu) times "
                   "its compressed size: a decompression bomb is refused", l->max_ratio),
            x->failed = 1;
    else if (over(p->inflated, l->max_uncompressed))
        part_error(p, x->name, BK_E_LIMIT, "the workbook inflates to more than "
                   "max-uncompressed (%llu bytes)", l->max_uncompressed), x->failed = 1;
    else if (has_doctype(x, buf, (size_t)n))
        part_error(p, x->name, BK_E_HOSTILE, "DOCTYPE declarations are not accepted (external "
                   "entities and entity expansion are refused)"), x->failed = 1;
    return x->failed ? -1 : (int)n;
}

static void on_xml_error(void *arg, xmlErrorPtr e)
{
    bkxl_xml *x = arg;
    if (x->xml_error[0] || e == NULL || e->level < XML_ERR_ERROR)
        return;
    snprintf(x->xml_error, sizeof x->xml_error, "%s", e->message ? e->message : "malformed");
    size_t n = strlen(x->xml_error);
    while (n > 0 && (x->xml_error[n - 1] == '\n' || x->xml_error[n - 1] == ' '))
        x->xml_error[--n] = '\0';
    x->xml_line = e->line;
}

bk_status bkxl_xml_open(bkxl_pkg *p, const char *name, int required, bkxl_xml **out)
{
    *out = NULL;
    zip_int64_t idx = locate(p, name);
    if (idx < 0) {
        if (!required)
            return BK_OK;
        return part_error(p, name, BK_E_CONTENT, "the workbook has no part %s, which it names "
                          "or needs", name);
    }
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(p->za, (zip_uint64_t)idx, 0, &st) != 0 ||
        (st.valid & (ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE)) !=
            (ZIP_STAT_SIZE | ZIP_STAT_COMP_SIZE))
        return part_error(p, name, BK_E_SYNTAX, "the part's directory entry is incomplete");
    if ((st.valid & ZIP_STAT_ENCRYPTION_METHOD) && st.encryption_method != ZIP_EM_NONE)
        return part_error(p, name, BK_E_CONTENT, "the part is encrypted");
    if ((st.valid & ZIP_STAT_COMP_METHOD) && st.comp_method != ZIP_CM_STORE &&
        st.comp_method != ZIP_CM_DEFLATE)
        return part_error(p, name, BK_E_CONTENT, "unsupported compression method %d (only "
                          "stored and deflate are read)", (int)st.comp_method);
    const bk_limits *l = p->limits;
    if (over(st.size, l->max_input_bytes))
        return part_error(p, name, BK_E_LIMIT, "the part declares %" PRIu64 " bytes, more than "
                          "max-input-bytes (%llu)", (uint64_t)st.size, l->max_input_bytes);
    if (ratio_over(st.size, st.comp_size, l->max_ratio))
        return part_error(p, name, BK_E_LIMIT, "the part declares %" PRIu64 " bytes from %"
                          PRIu64 " compressed, a ratio above max-ratio (%llu): a decompression "
                          "bomb is refused", (uint64_t)st.size, (uint64_t)st.comp_size,
                          l->max_ratio);
    if (over(p->inflated + st.size, l->max_uncompressed))
        return part_error(p, name, BK_E_LIMIT, "the parts read so far and this one declare "
                          "more than max-uncompressed (%llu bytes)", l->max_uncompressed);
    bkxl_xml *x = bk_calloc(1, sizeof *x);
    if (x == NULL || (x->name = bk_strdup(name[0] == '/' ? name + 1 : name)) == NULL) {
        bk_free(x);
        return part_error(p, name, BK_E_NOMEM, "out of memory");
    }
    x->pkg = p;
    x->size = st.size;
    x->csize = st.comp_size;
    x->zf = zip_fopen_index(p->za, (zip_uint64_t)idx, 0);
    if (x->zf == NULL) {
        bk_status rc = part_error(p, name, BK_E_SYNTAX, "cannot read the part: %s",
                                  zip_strerror(p->za));
        bkxl_xml_close(x);
        return rc;
    }
    /* No entity substitution, no network, no DTD loading; libxml2's own size limits stay. */
    x->r = xmlReaderForIO(stream_read, NULL, x, x->name, NULL, XML_PARSE_NONET);
    if (x->r == NULL) {
        bkxl_xml_close(x);
        return part_error(p, name, BK_E_NOMEM, "out of memory");
    }
    xmlTextReaderSetStructuredErrorHandler(x->r, on_xml_error, x);
    *out = x;
    return BK_OK;
}

void bkxl_xml_close(bkxl_xml *x)
{
    if (x == NULL)
        return;
    if (x->r)
        xmlFreeTextReader(x->r);
    if (x->zf)
        zip_fclose(x->zf);
    bk_free(x->name);
    bk_free(x);
}

int bkxl_xml_next(bkxl_xml *x)
{
    int rc = xmlTextReaderRead(x->r);
    if (rc == 1) {
        if (xmlTextReaderNodeType(x->r) == XML_READER_TYPE_DOCUMENT_TYPE) {
            part_error(x->pkg, x->name, BK_E_HOSTILE, "DOCTYPE declarations are not accepted "
                       "(external entities and entity expansion are refused)");
            return -1;
        }
        if (xmlTextReaderNodeType(x->r) == XML_READER_TYPE_ENTITY_REFERENCE) {
            part_error(x->pkg, x->name, BK_E_HOSTILE, "entity references are not accepted");
            return -1;
        }
        return 1;
    }
    if (rc == 0 && !x->failed && !x->xml_error[0])
        return 0;
    if (x->failed)
        return -1;
    bk_error_at(x->pkg->err, x->pkg->file, 0, 0, -1);
    bk_error_where(x->pkg->err, "%s:%ld", x->name, x->xml_line);
    bk_error_set(x->pkg->err, BK_E_SYNTAX, "malformed XML: %s",
                 x->xml_error[0] ? x->xml_error : "the part cannot be parsed");
    return -1;
}

xmlTextReaderPtr bkxl_xml_reader(bkxl_xml *x) { return x->r; }
long bkxl_xml_line(bkxl_xml *x) { return xmlTextReaderGetParserLineNumber(x->r); }
const char *bkxl_xml_part(bkxl_xml *x) { return x->name; }

int bkxl_xml_is(bkxl_xml *x, const char *name)
{
    const xmlChar *n = xmlTextReaderConstLocalName(x->r);
    return n != NULL && strcmp((const char *)n, name) == 0;
}

const char *bkxl_xml_attr(bkxl_xml *x, const char *name)
{
    if (xmlTextReaderMoveToFirstAttribute(x->r) != 1)
        return NULL;
    const char *found = NULL;
    do {
        const xmlChar *n = xmlTextReaderConstLocalName(x->r);
        if (n != NULL && strcmp((const char *)n, name) == 0) {
            found = (const char *)xmlTextReaderConstValue(x->r);
            break;
        }
    } while (xmlTextReaderMoveToNextAttribute(x->r) == 1);
    xmlTextReaderMoveToElement(x->r);
    return found;
}

int bkxl_xml_text(bkxl_xml *x, char **buf, size_t *len, size_t *cap)
{
    if (xmlTextReaderIsEmptyElement(x->r))
        return 0;
    int depth = xmlTextReaderDepth(x->r);
    int skip_depth = -1; /* inside <rPh>: phonetic guide text, not shown in the cell */
    /* Text counts inside <t> (runs of a string) or directly in <v>, <t> or <f>; the white space
     * between the elements of a string item does not. */
    int direct = bkxl_xml_is(x, "t") || bkxl_xml_is(x, "v") || bkxl_xml_is(x, "f");
    int t_depth = -1;
    unsigned long long max = x->pkg->limits->max_string;
    for (;;) {
        int rc = bkxl_xml_next(x);
        if (rc <= 0) {
            if (rc == 0) {
                part_error(x->pkg, x->name, BK_E_SYNTAX, "the part ends inside an element");
            }
            return -1;
        }
        int type = xmlTextReaderNodeType(x->r);
        int d = xmlTextReaderDepth(x->r);
        if (type == XML_READER_TYPE_END_ELEMENT) {
            if (d == depth)
                return 0;
            if (d == skip_depth)
                skip_depth = -1;
            if (d == t_depth)
                t_depth = -1;
            continue;
        }
        if (type == XML_READER_TYPE_ELEMENT) {
            if (xmlTextReaderIsEmptyElement(x->r))
                continue;
            if (skip_depth < 0 && bkxl_xml_is(x, "rPh"))
                skip_depth = d;
            else if (t_depth < 0 && bkxl_xml_is(x, "t"))
                t_depth = d;
            continue;
        }
        if (skip_depth >= 0 || (!direct && t_depth < 0))
            continue;
        if (type != XML_READER_TYPE_TEXT && type != XML_READER_TYPE_CDATA &&
            type != XML_READER_TYPE_SIGNIFICANT_WHITESPACE &&
            type != XML_READER_TYPE_WHITESPACE)
            continue;
        const char *v = (const char *)xmlTextReaderConstValue(x->r);
        size_t n = v ? strlen(v) : 0;
        if (over(*len + n, max)) {
            part_error(x->pkg, x->name, BK_E_LIMIT, "a text near line %ld is longer than %llu "
                       "bytes (max-string)", bkxl_xml_line(x), max);
            return -1;
        }
        if (bk_grow((void **)buf, cap, *len + n + 1, 1) != 0) {
            part_error(x->pkg, x->name, BK_E_NOMEM, "out of memory");
            return -1;
        }
        memcpy(*buf + *len, v, n);
        *len += n;
        (*buf)[*len] = '\0';
    }
}
