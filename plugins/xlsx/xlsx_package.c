/* The workbook as a package: ZIP parts pushed through libxml2's SAX2 parser as they inflate.
 *
 * A workbook comes from a sub-unit and is as untrusted as any archive, so its parts get the
 * archive plugin's limits (formats/limits.md): declared sizes are checked before a part is
 * inflated, and the bytes that really come out are counted as they are handed to libxml2's push
 * parser a chunk at a time, so that a sheet is never held whole in memory and a lying header
 * cannot make us inflate more than we agreed to. No tree is built: the readers' handlers see
 * each element as the parser meets it. A part with a DOCTYPE is refused before libxml2 sees the
 * declaration: no OOXML part has one, and entity tricks start there. */
#define _GNU_SOURCE /* memmem */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "xlsx_int.h"

#define DOCTYPE_MARK "<!DOCTYPE"
#define MARK_LEN 9

#define CHUNK (64 * 1024)

struct bkxl_xml {
    bkxl_pkg *pkg;
    char *name;
    zip_file_t *zf;
    unsigned long long size, csize, got;
    char tail[MARK_LEN]; /* the last bytes of the previous chunk, for a mark split in two */
    size_t ntail;
    int failed;        /* reading the part set the error (damaged data, a limit, a DOCTYPE) */
    bk_status status;  /* a handler stopped the parser with this */
    char xml_error[200];
    long xml_line;
    xmlParserCtxtPtr ctxt;
    const bkxl_sax *h;
    void *ctx;
    int depth;
    /* the attributes of the start tag being handled: libxml2's five pointers each, and their
     * values decoded and NUL-terminated on the first question (offsets into vals) */
    const xmlChar **attrs;
    int nattrs, decoded;
    char *vals;
    size_t vals_cap;
    size_t *off;
    size_t off_cap;
};

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
        if (bk_limit_over((unsigned long long)sb.st_size, limits->max_input_bytes)) {
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
        if (n < 0 || bk_limit_over((unsigned long long)n, limits->max_entries))
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
    if (n >= MARK_LEN && memmem(buf, n, DOCTYPE_MARK, MARK_LEN) != NULL)
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

/* The next bytes of the part, counted against the limits and searched for a DOCTYPE: their
 * number, 0 at the end, -1 with the error set. */
static int stream_read(bkxl_xml *x, char *buf, int len)
{
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
    else if (bk_limit_over(x->got, l->max_input_bytes))
        part_error(p, x->name, BK_E_LIMIT, "the part inflates to more than max-input-bytes "
                   "(%llu)", l->max_input_bytes), x->failed = 1;
    else if (bk_limit_ratio_over(x->got, x->csize, l->max_ratio))
        part_error(p, x->name, BK_E_LIMIT, "the part inflates beyond max-ratio (%llu) times "
                   "its compressed size: a decompression bomb is refused", l->max_ratio),
            x->failed = 1;
    else if (bk_limit_over(p->inflated, l->max_uncompressed))
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


#define DOCTYPE_MSG \
    "DOCTYPE declarations are not accepted (external entities and entity expansion are refused)"

/* A handler's error stops the parser; the first one is kept. */
static void stop(bkxl_xml *x, bk_status rc)
{
    if (x->status == BK_OK)
        x->status = rc;
    xmlStopParser(x->ctxt);
}

static void on_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
                     int nb_namespaces, const xmlChar **namespaces, int nb_attributes,
                     int nb_defaulted, const xmlChar **attributes)
{
    bkxl_xml *x = ctx;
    (void)prefix, (void)uri, (void)nb_namespaces, (void)namespaces, (void)nb_defaulted;
    if (x->status != BK_OK)
        return;
    /* Room for every value decoded (never longer than written), so that the handler's
     * questions allocate nothing and the values it holds stay where they are. */
    size_t need = 1;
    for (int k = 0; k < nb_attributes; k++)
        need += (size_t)(attributes[5 * k + 4] - attributes[5 * k + 3]) + 1;
    if (bk_grow((void **)&x->vals, &x->vals_cap, need, 1) ||
        bk_grow((void **)&x->off, &x->off_cap, (size_t)nb_attributes + 1, sizeof *x->off)) {
        stop(x, part_error(x->pkg, x->name, BK_E_NOMEM, "out of memory"));
        return;
    }
    x->attrs = attributes;
    x->nattrs = nb_attributes;
    x->decoded = 0;
    bk_status rc = x->h->start ? x->h->start(x->ctx, x, (const char *)local, x->depth) : BK_OK;
    x->attrs = NULL;
    x->nattrs = 0;
    x->depth++;
    if (rc != BK_OK)
        stop(x, rc);
}

static void on_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    bkxl_xml *x = ctx;
    (void)prefix, (void)uri;
    if (x->status != BK_OK)
        return;
    x->depth--;
    bk_status rc = x->h->end ? x->h->end(x->ctx, x, (const char *)local, x->depth) : BK_OK;
    if (rc != BK_OK)
        stop(x, rc);
}

static void on_text(void *ctx, const xmlChar *s, int n)
{
    bkxl_xml *x = ctx;
    if (x->status != BK_OK || n <= 0 || x->h->text == NULL)
        return;
    bk_status rc = x->h->text(x->ctx, x, (const char *)s, (size_t)n);
    if (rc != BK_OK)
        stop(x, rc);
}

/* A DOCTYPE the byte search could not see (an encoding other than UTF-8): refused before its
 * internal subset is parsed. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *public_id,
                       const xmlChar *system_id)
{
    bkxl_xml *x = ctx;
    (void)name, (void)public_id, (void)system_id;
    stop(x, part_error(x->pkg, x->name, BK_E_HOSTILE, "%s", DOCTYPE_MSG));
}

/* Decode every value of the start tag into vals. A value the parser copied (it then ends in
 * NUL rather than at its quote) may hold a '&' that the parser wrote back as "&#38;" for a tree
 * builder to decode; this is that decoding. A value straight from the input holds none. */
static void decode_attrs(bkxl_xml *x)
{
    size_t n = 0;
    for (int k = 0; k < x->nattrs; k++) {
        const char *s = (const char *)x->attrs[5 * k + 3];
        const char *e = (const char *)x->attrs[5 * k + 4];
        x->off[k] = n;
        if (*e == '\0') {
            n += bk_decode_char_refs(s, e, x->vals + n);
        } else {
            memcpy(x->vals + n, s, (size_t)(e - s));
            n += (size_t)(e - s);
        }
        x->vals[n++] = '\0';
    }
    x->decoded = 1;
}

const char *bkxl_xml_attr(bkxl_xml *x, const char *name)
{
    for (int k = 0; k < x->nattrs; k++) {
        if (strcmp((const char *)x->attrs[5 * k], name) != 0)
            continue;
        if (!x->decoded)
            decode_attrs(x);
        return x->vals + x->off[k];
    }
    return NULL;
}

long bkxl_xml_line(bkxl_xml *x) { return x->ctxt ? xmlSAX2GetLineNumber(x->ctxt) : 0; }
const char *bkxl_xml_part(bkxl_xml *x) { return x->name; }

/* Open the part: its directory entry checked against the limits before a byte is inflated. */
static bk_status open_part(bkxl_pkg *p, const char *name, int required, bkxl_xml *x, int *found)
{
    *found = 0;
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
    if (bk_limit_over(st.size, l->max_input_bytes))
        return part_error(p, name, BK_E_LIMIT, "the part declares %" PRIu64 " bytes, more than "
                          "max-input-bytes (%llu)", (uint64_t)st.size, l->max_input_bytes);
    if (bk_limit_ratio_over(st.size, st.comp_size, l->max_ratio))
        return part_error(p, name, BK_E_LIMIT, "the part declares %" PRIu64 " bytes from %"
                          PRIu64 " compressed, a ratio above max-ratio (%llu): a decompression "
                          "bomb is refused", (uint64_t)st.size, (uint64_t)st.comp_size,
                          l->max_ratio);
    if (bk_limit_over(p->inflated + st.size, l->max_uncompressed))
        return part_error(p, name, BK_E_LIMIT, "the parts read so far and this one declare "
                          "more than max-uncompressed (%llu bytes)", l->max_uncompressed);
    if ((x->name = bk_strdup(name[0] == '/' ? name + 1 : name)) == NULL)
        return part_error(p, name, BK_E_NOMEM, "out of memory");
    x->size = st.size;
    x->csize = st.comp_size;
    x->zf = zip_fopen_index(p->za, (zip_uint64_t)idx, 0);
    if (x->zf == NULL)
        return part_error(p, name, BK_E_SYNTAX, "cannot read the part: %s", zip_strerror(p->za));
    *found = 1;
    return BK_OK;
}

/* Push the part through libxml2's SAX2 parser, a chunk at a time as it inflates. */
static bk_status parse_part(bkxl_xml *x, char *buf)
{
    xmlSAXHandler sax = {.initialized = XML_SAX2_MAGIC,
                         .startElementNs = on_start,
                         .endElementNs = on_end,
                         .characters = on_text,
                         .ignorableWhitespace = on_text,
                         .cdataBlock = on_text,
                         .internalSubset = on_doctype,
                         .serror = on_xml_error};
    /* No getEntity, entityDecl, externalSubset or resolveEntity: nothing can be declared or
     * loaded, and the predefined entities are the parser's own. */
    int n = stream_read(x, buf, CHUNK);
    if (n < 0)
        return x->pkg->err->code;
    /* The first four bytes tell the parser the encoding. */
    int head = n >= 4 ? 4 : 0;
    x->ctxt = xmlCreatePushParserCtxt(&sax, x, head ? buf : NULL, head, x->name);
    if (x->ctxt == NULL)
        return part_error(x->pkg, x->name, BK_E_NOMEM, "out of memory");
    /* No entity substitution, no network, no DTD loading; libxml2's own size limits stay. */
    xmlCtxtUseOptions(x->ctxt, XML_PARSE_NONET);
    for (;;) {
        xmlParseChunk(x->ctxt, buf + head, n - head, n == 0);
        if (x->status != BK_OK || !x->ctxt->wellFormed || n == 0)
            break;
        head = 0;
        if ((n = stream_read(x, buf, CHUNK)) < 0)
            return x->pkg->err->code;
    }
    if (x->status != BK_OK)
        return x->status;
    if (x->ctxt->wellFormed && !x->xml_error[0])
        return BK_OK;
    bk_error_at(x->pkg->err, x->pkg->file, 0, 0, -1);
    bk_error_where(x->pkg->err, "%s:%ld", x->name, x->xml_line);
    return bk_error_set(x->pkg->err, BK_E_SYNTAX, "malformed XML: %s",
                        x->xml_error[0] ? x->xml_error : "the part cannot be parsed");
}

bk_status bkxl_xml_parse(bkxl_pkg *p, const char *name, int required, const bkxl_sax *h,
                         void *ctx)
{
    bkxl_xml x;
    memset(&x, 0, sizeof x);
    x.pkg = p;
    x.h = h;
    x.ctx = ctx;
    int found = 0;
    bk_status rc = open_part(p, name, required, &x, &found);
    char *buf = NULL;
    if (rc == BK_OK && found && (buf = bk_malloc(CHUNK)) == NULL)
        rc = part_error(p, name, BK_E_NOMEM, "out of memory");
    if (rc == BK_OK && found)
        rc = parse_part(&x, buf);
    bk_free(buf);
    if (x.ctxt)
        xmlFreeParserCtxt(x.ctxt);
    if (x.zf)
        zip_fclose(x.zf);
    bk_free(x.name);
    bk_free(x.vals);
    bk_free(x.off);
    return rc;
}

/* ---- the text of an element ---- */

void bkxl_text_begin(bkxl_text *t, const char *name, int depth, char **buf, size_t *len,
                     size_t *cap)
{
    t->depth = depth;
    t->direct = strcmp(name, "t") == 0 || strcmp(name, "v") == 0 || strcmp(name, "f") == 0;
    t->t_depth = t->skip_depth = -1;
    t->buf = buf;
    t->len = len;
    t->cap = cap;
    t->start = *len;
}

void bkxl_text_start(bkxl_text *t, const char *name, int depth)
{
    if (t->skip_depth < 0 && strcmp(name, "rPh") == 0)
        t->skip_depth = depth;
    else if (t->t_depth < 0 && strcmp(name, "t") == 0)
        t->t_depth = depth;
}

int bkxl_text_end(bkxl_text *t, int depth)
{
    if (depth == t->depth) {
        t->depth = -1;
        return 1;
    }
    if (depth == t->skip_depth)
        t->skip_depth = -1;
    if (depth == t->t_depth)
        t->t_depth = -1;
    return 0;
}

bk_status bkxl_text_add(bkxl_text *t, bkxl_xml *x, const char *s, size_t n)
{
    if (t->skip_depth >= 0 || (!t->direct && t->t_depth < 0))
        return BK_OK;
    unsigned long long max = x->pkg->limits->max_string;
    if (bk_limit_over(*t->len - t->start + n, max))
        return part_error(x->pkg, x->name, BK_E_LIMIT, "a text near line %ld is longer than "
                          "%llu bytes (max-string)", bkxl_xml_line(x), max);
    if (bk_grow((void **)t->buf, t->cap, *t->len + n + 1, 1) != 0)
        return part_error(x->pkg, x->name, BK_E_NOMEM, "out of memory");
    memcpy(*t->buf + *t->len, s, n);
    *t->len += n;
    (*t->buf)[*t->len] = '\0';
    return BK_OK;
}
