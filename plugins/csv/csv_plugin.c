/* The CSV plugin: the lossless line-item layout (the bulk format) and the published wide
 * tables, in UTF-8 or GB18030. This file holds the descriptor, the probe, and the choice
 * between the layouts; the layouts live in lineitems.c and tables.c (the published tables,
 * read and written through the layout engine). */
#include <dirent.h>
#include <string.h>
#include <strings.h>

#include "csvint.h"

/* A word an option may take, any case, and what it stands for; NULL reads as "". */
typedef struct option_word {
    const char *word;
    int value;
} option_word;

static const option_word layout_words[] = {
    {"", BKCSV_LAYOUT_AUTO},           {"lines", BKCSV_LAYOUT_LINES},
    {"lineitems", BKCSV_LAYOUT_LINES}, {"line-items", BKCSV_LAYOUT_LINES},
    {"items", BKCSV_LAYOUT_LINES},     {"wide", BKCSV_LAYOUT_WIDE},
};

static const option_word encoding_words[] = {
    {"", BKCSV_ENC_AUTO},     {"auto", BKCSV_ENC_AUTO},       {"utf-8", BKCSV_ENC_UTF8},
    {"utf8", BKCSV_ENC_UTF8}, {"gb18030", BKCSV_ENC_GB18030},
};

/* The value of s among n words: -1 when it is none of them. */
static int option_value(const char *s, const option_word *words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (strcasecmp(s ? s : "", words[i].word) == 0)
            return words[i].value;
    return -1;
}

/* "input-encoding"/"output-encoding" let a CSV → CSV conversion change the encoding;
 * "encoding" applies to both. */
static bk_status encoding_option(const char *specific, const char *general, bkcsv_encoding *enc,
                                 bk_error *err)
{
    const char *v = specific ? specific : general;
    int e = option_value(v, encoding_words, sizeof encoding_words / sizeof encoding_words[0]);
    if (e < 0)
        return bk_error_set(err, BK_E_USAGE, "unknown encoding \"%s\" (expected utf-8 or "
                            "gb18030)", v);
    *enc = (bkcsv_encoding)e;
    return BK_OK;
}

/* ---------------------------------------------------------------- probe */

static int dir_has_csv(const char *path)
{
    DIR *d = opendir(path);
    if (!d)
        return 0;
    int found = 0;
    struct dirent *e;
    while (!found && (e = readdir(d)) != NULL) {
        size_t n = strlen(e->d_name);
        found = e->d_name[0] != '.' && n > 4 && strcasecmp(e->d_name + n - 4, ".csv") == 0;
    }
    closedir(d);
    return found;
}

/* The probe sees raw bytes: make them UTF-8 (GB18030 converted) to look for the printed
 * words of a wide table. */
static size_t head_text(const unsigned char *p, size_t n, char *out, size_t cap)
{
    size_t partial, ok = bkcsv_utf8_prefix(p, n, &partial);
    if (ok == n || ok + partial == n) {
        size_t m = ok < cap - 1 ? ok : cap - 1;
        memcpy(out, p, m);
        out[m] = '\0';
        return m;
    }
    iconv_t cd = iconv_open("UTF-8", "GB18030");
    if (cd == (iconv_t)-1)
        return 0;
    char *in = (char *)p, *o = out;
    size_t inleft = n, outleft = cap - 1;
    while (inleft > 0 && iconv(cd, &in, &inleft, &o, &outleft) == (size_t)-1) {
        if (inleft == 0 || outleft == 0)
            break;
        in++, inleft--; /* skip what does not convert: the probe only looks */
    }
    iconv_close(cd);
    *o = '\0';
    return (size_t)(o - out);
}

/* A probe cannot see the templates: a first field that looks like a printed table title
 * (表7, …总表, …支出表（按功能分类）) stands for one. */
static int looks_like_title(const char *text)
{
    const char *p = text;
    while (*p == '\r' || *p == '\n' || *p == ' ')
        p++;
    size_t n = strcspn(p, ",\r\n");
    while (n > 0 && (p[n - 1] == ' ' || p[n - 1] == '"'))
        n--;
    if (n > 0 && p[0] == '"')
        p++, n--;
    if (n >= 4 && strncmp(p, "表", 3) == 0 && p[3] >= '0' && p[3] <= '9')
        return 1;
    int has_word = 0;
    for (size_t i = 0; i + 3 <= n && !has_word; i++)
        has_word = memcmp(p + i, "表", 3) == 0;
    static const char *const ends[] = {"表", ")", "）"};
    for (size_t i = 0; i < sizeof ends / sizeof ends[0] && has_word; i++) {
        size_t k = strlen(ends[i]);
        if (n >= k && memcmp(p + n - k, ends[i], k) == 0)
            return 1;
    }
    return 0;
}

static int ends_with_csv(const char *name)
{
    size_t n = name ? strlen(name) : 0;
    return n > 4 && strcasecmp(name + n - 4, ".csv") == 0;
}

static int bkcsv_probe(const bk_probe *p)
{
    if (p->is_dir)
        return dir_has_csv(p->name) ? 60 : 0;
    const unsigned char *h = p->head;
    size_t n = p->head_len;
    if (bkcsv_lines_header_at(h, n))
        return 90;
    if (memchr(h, 0, n))
        return 0;
    size_t i = n >= 3 && h[0] == 0xEF && h[1] == 0xBB && h[2] == 0xBF ? 3 : 0;
    while (i < n && (h[i] == ' ' || h[i] == '\t' || h[i] == '\r' || h[i] == '\n'))
        i++;
    if (i < n && (h[i] == '{' || h[i] == '[' || h[i] == '<'))
        return 0; /* JSON or XML */
    char text[BK_PROBE_BYTES * 2 + 1];
    head_text(h, n, text, sizeof text);
    if (looks_like_title(text) || strstr(text, BK_PRINTED_UNIT_NAME) ||
        strstr(text, BK_PRINTED_MONEY_UNIT ":") || strstr(text, BK_PRINTED_MONEY_UNIT "：") ||
        strstr(text, BK_PRINTED_PERF_UNIT))
        return 70;
    if (memchr(h, ',', n) || ends_with_csv(p->name))
        return 15;
    return 0;
}

/* ---------------------------------------------------------------- import */

static bk_status bkcsv_import(bk_import *job)
{
    bk_source *src = bk_import_source(job);
    bk_error *err = bk_import_error(job);
    bk_limits *lim = bk_ctx_limits(bk_import_ctx(job));
    bkcsv_read_opts opts;
    memset(&opts, 0, sizeof opts);
    opts.max_bytes = lim->max_input_bytes;
    opts.max_string = lim->max_string;
    bk_status st = encoding_option(bk_import_option(job, "input-encoding"),
                                   bk_import_option(job, "encoding"), &opts.encoding, err);
    if (st != BK_OK)
        return st;
    if (bk_source_is_dir(src))
        return bkcsv_tables_import(job, src, &opts);
    /* The layout option is about output; input tells its own layout by its first line. */
    size_t n;
    const unsigned char *head = bk_source_head(src, &n);
    if (bkcsv_lines_header_at(head, n))
        return bkcsv_lines_import(job, src, &opts);
    return bkcsv_tables_import(job, src, &opts);
}

/* ---------------------------------------------------------------- export */

typedef struct bkcsv_export_state {
    bkcsv_layout layout;
    bkcsv_encoding enc;
    int bom;
    size_t docs;
    bk_sink *member; /* line items into a folder: one file in it */
    bkcsv_lines_export *lines;
} bkcsv_export_state;

static int parse_bool(const char *s, int *out)
{
    if (strcasecmp(s, "yes") == 0 || strcasecmp(s, "true") == 0 || strcmp(s, "1") == 0)
        *out = 1;
    else if (strcasecmp(s, "no") == 0 || strcasecmp(s, "false") == 0 || strcmp(s, "0") == 0)
        *out = 0;
    else
        return -1;
    return 0;
}

static bk_status bkcsv_export_begin(bk_export *job)
{
    bk_error *err = bk_export_error(job);
    bk_sink *sink = bk_export_sink(job);
    bkcsv_export_state *s = bk_calloc(1, sizeof *s);
    if (!s)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    bk_export_set_state(job, s);
    const char *layout = bk_export_option(job, "layout");
    int chosen = option_value(layout, layout_words, sizeof layout_words / sizeof layout_words[0]);
    if (chosen < 0)
        return bk_error_set(err, BK_E_USAGE, "unknown CSV layout \"%s\" (expected lines or wide)",
                            layout);
    s->layout = (bkcsv_layout)chosen;
    if (s->layout == BKCSV_LAYOUT_AUTO)
        s->layout = bk_sink_is_dir(sink) ? BKCSV_LAYOUT_WIDE : BKCSV_LAYOUT_LINES;
    bk_status st = encoding_option(bk_export_option(job, "output-encoding"),
                                   bk_export_option(job, "encoding"), &s->enc, err);
    if (st != BK_OK)
        return st;
    /* Spreadsheets need the byte order mark to see UTF-8; programs reading line items do not. */
    s->bom = s->layout == BKCSV_LAYOUT_WIDE;
    const char *bom = bk_export_option(job, "bom");
    if (bom && parse_bool(bom, &s->bom) != 0)
        return bk_error_set(err, BK_E_USAGE, "option bom=%s: expected yes or no", bom);
    if (s->layout != BKCSV_LAYOUT_LINES)
        return BK_OK;
    if (bk_sink_is_dir(sink)) {
        s->member = bk_sink_member(sink, "budget.csv", err);
        if (!s->member)
            return err->code ? err->code : BK_E_IO;
        sink = s->member;
    }
    return bkcsv_lines_export_begin(&s->lines, sink, s->enc, s->bom, err);
}

static bk_status bkcsv_export_doc(bk_export *job, const bk_doc *doc)
{
    bkcsv_export_state *s = bk_export_state(job);
    bk_error *err = bk_export_error(job);
    if (s->layout == BKCSV_LAYOUT_LINES)
        return bkcsv_lines_export_doc(s->lines, doc);
    if (s->docs++ > 0)
        return bk_error_set(err, BK_E_USAGE, "the wide layout holds one document and the input "
                            "has more; use the line-item layout (--layout lines) for several");
    const bk_templates *tpls = bk_ctx_templates(bk_export_ctx(job), err);
    if (!tpls)
        return err->code ? err->code : BK_E_IO;
    return bkcsv_tables_export(bk_export_sink(job), doc, tpls, s->enc, s->bom, err);
}

static bk_status bkcsv_export_end(bk_export *job, int ok)
{
    bkcsv_export_state *s = bk_export_state(job);
    bk_error *err = bk_export_error(job);
    if (!s)
        return BK_OK;
    bk_status st = bkcsv_lines_export_end(s->lines, ok);
    if (s->member) {
        if (ok && st == BK_OK)
            st = bk_sink_commit(s->member, err);
        else
            bk_sink_abort(s->member);
    }
    bk_free(s);
    bk_export_set_state(job, NULL);
    return ok ? st : BK_OK;
}

BK_PLUGIN(csv, .version = "1.0.0", .license = "MIT",
          .summary = "CSV: lossless line items (one record per value, many documents) and the "
                     "published wide tables; UTF-8 or GB18030",
          .kinds = BK_PLUGIN_IMPORT | BK_PLUGIN_EXPORT,
          .caps = BK_CAP_MULTI_DOC | BK_CAP_DIR_INPUT | BK_CAP_DIR_OUTPUT,
          .extensions = BK_PLUGIN_EXTENSIONS("csv"), .media_type = "text/csv", .priority = 10,
          BK_PLUGIN_IMPORTER(bkcsv), BK_PLUGIN_EXPORTER(bkcsv))
