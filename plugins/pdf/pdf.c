/* The pdf plugin: budgets as published, read from the PDF's text layer with poppler-glib.
 *
 * poppler gives each page's text with one box per character; characters make words (split at
 * blanks and at gaps), and the words go to the core's positioned-words stage (words.h), which
 * makes the grid the layout engine reads. Refused with a clear message: a PDF that needs a
 * password, a page with images but no text (a scan: no OCR here), a page whose fonts have no
 * Unicode map (its text would come out as private-use or replacement characters), more pages
 * than the limit.
 *
 * Licence: poppler is GPL, so this module is GPL-2.0-or-later (see its descriptor and the
 * README); the rest of budgetkit neither needs nor links it. */
#include <glib.h>
#include <poppler.h>
#include <stdlib.h>
#include <string.h>

#include "budgetkit/budgetkit.h"
#include "budgetkit/grid.h"
#include "budgetkit/words.h"

#define PDF_MAX_PAGES 2000

static int pdf_probe(const bk_probe *p)
{
    if (p->is_dir || p->head_len < 5)
        return 0;
    /* The header may follow a few bytes of junk; readers accept it within the first KiB. */
    size_t n = p->head_len < 1024 ? p->head_len : 1024;
    for (size_t i = 0; i + 5 <= n; i++)
        if (memcmp(p->head + i, "%PDF-", 5) == 0)
            return 95;
    return 0;
}

/* The code point at s (UTF-8 from poppler, well formed), its length in *len. */
static unsigned long cp_at(const char *s, size_t *len)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80)
        return *len = 1, u[0];
    if ((u[0] & 0xE0) == 0xC0 && u[1])
        return *len = 2, ((unsigned long)(u[0] & 0x1F) << 6) | (u[1] & 0x3F);
    if ((u[0] & 0xF0) == 0xE0 && u[1] && u[2])
        return *len = 3, ((unsigned long)(u[0] & 0x0F) << 12) | ((unsigned long)(u[1] & 0x3F) << 6) |
                         (u[2] & 0x3F);
    if ((u[0] & 0xF8) == 0xF0 && u[1] && u[2] && u[3])
        return *len = 4, ((unsigned long)(u[0] & 0x07) << 18) | ((unsigned long)(u[1] & 0x3F) << 12) |
                         ((unsigned long)(u[2] & 0x3F) << 6) | (u[3] & 0x3F);
    return *len = 1, 0xFFFD;
}

static int blank_cp(unsigned long c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == 0xA0 || c == 0x3000;
}

/* What a font without a Unicode map yields: private use, replacement, control characters. */
static int garbage_cp(unsigned long c)
{
    return (c >= 0xE000 && c <= 0xF8FF) || c == 0xFFFD || (c < 0x20 && !blank_cp(c)) ||
           (c >= 0xF0000);
}

typedef struct pword {
    size_t a, b; /* bytes of the page text */
    double x0, y0, x1, y1;
} pword;

static bk_status flush_word(bk_words *w, const char *text, pword *pw)
{
    if (pw->b <= pw->a)
        return BK_OK;
    bk_status st = bk_words_add(w, text + pw->a, pw->b - pw->a, pw->x0, pw->y0, pw->x1, pw->y1, 0);
    pw->a = pw->b = 0;
    return st;
}

/* One page's characters into words. *garbage and *chars count what was seen. */
static bk_status page_words(bk_words *w, const char *text, const PopplerRectangle *r, guint nr,
                            size_t *chars, size_t *garbage)
{
    pword pw = {0, 0, 0, 0, 0, 0};
    size_t i = 0;
    guint k = 0;
    bk_status st = BK_OK;
    while (text[i] && k < nr && st == BK_OK) {
        size_t len;
        unsigned long c = cp_at(text + i, &len);
        const PopplerRectangle *b = &r[k];
        double x0 = b->x1 < b->x2 ? b->x1 : b->x2, x1 = b->x1 < b->x2 ? b->x2 : b->x1;
        double y0 = b->y1 < b->y2 ? b->y1 : b->y2, y1 = b->y1 < b->y2 ? b->y2 : b->y1;
        if (blank_cp(c)) {
            st = flush_word(w, text, &pw);
        } else {
            (*chars)++;
            if (garbage_cp(c))
                (*garbage)++;
            double h = y1 - y0;
            /* A new word at a gap wider than a third of the glyph height or on another line. */
            if (pw.b > pw.a && (x0 - pw.x1 > h / 3 || x0 < pw.x0 - h / 3 ||
                                y0 > pw.y1 - h / 4 || y1 < pw.y0 + h / 4))
                st = flush_word(w, text, &pw);
            if (st == BK_OK) {
                if (pw.b <= pw.a) {
                    pw = (pword){i, i + len, x0, y0, x1, y1};
                } else {
                    pw.b = i + len;
                    pw.x1 = x1 > pw.x1 ? x1 : pw.x1;
                    pw.y0 = y0 < pw.y0 ? y0 : pw.y0;
                    pw.y1 = y1 > pw.y1 ? y1 : pw.y1;
                }
            }
        }
        i += len;
        k++;
    }
    if (st == BK_OK)
        st = flush_word(w, text, &pw);
    return st;
}

static bk_status read_pages(bk_import *job, PopplerDocument *doc, bk_words *w)
{
    bk_error *err = bk_import_error(job);
    int n = poppler_document_get_n_pages(doc);
    long max = PDF_MAX_PAGES;
    const char *opt = bk_import_option(job, "max-pages");
    if (opt) {
        char *end;
        max = strtol(opt, &end, 10);
        if (*opt < '0' || *opt > '9' || *end || max <= 0 || max > 100000)
            return bk_error_set(err, BK_E_USAGE, "max-pages must be a number from 1 to 100000, "
                                "not \"%s\"", opt);
    }
    if (n <= 0)
        return bk_error_set(err, BK_E_CONTENT, "the PDF has no pages");
    if (n > max)
        return bk_error_set(err, BK_E_LIMIT, "the PDF has %d pages, more than %ld "
                            "(--option max-pages)", n, max);
    size_t total = 0;
    for (int p = 0; p < n; p++) {
        PopplerPage *page = poppler_document_get_page(doc, p);
        if (!page)
            return bk_error_set(err, BK_E_CONTENT, "page %d cannot be read", p + 1);
        char *text = poppler_page_get_text(page);
        PopplerRectangle *rects = NULL;
        guint nr = 0;
        size_t chars = 0, garbage = 0;
        bk_status st = bk_words_page(w, p + 1);
        if (st == BK_OK && text && *text && poppler_page_get_text_layout(page, &rects, &nr))
            st = page_words(w, text, rects, nr, &chars, &garbage);
        int images = 0;
        if (st == BK_OK && chars == 0) {
            GList *map = poppler_page_get_image_mapping(page);
            images = map != NULL;
            poppler_page_free_image_mapping(map);
        }
        g_free(rects);
        g_free(text);
        g_object_unref(page);
        if (st == BK_E_LIMIT)
            return bk_error_set(err, st, "page %d: more words than the reader takes", p + 1);
        if (st == BK_E_CONTENT)
            return bk_error_set(err, st, "page %d: a character has no valid position", p + 1);
        if (st != BK_OK)
            return bk_error_set(err, st, "out of memory");
        if (images)
            return bk_error_set(err, BK_E_CONTENT, "page %d has no text layer (a scanned "
                                "image); OCR is not supported", p + 1);
        if (chars >= 20 && garbage * 10 > chars)
            return bk_error_set(err, BK_E_CONTENT, "page %d: %zu of its %zu characters are not "
                                "text (fonts without a Unicode map); its text cannot be read "
                                "reliably", p + 1, garbage, chars);
        total += chars;
    }
    if (total == 0)
        return bk_error_set(err, BK_E_CONTENT, "the PDF has no text layer; OCR is not "
                            "supported");
    return BK_OK;
}

static bk_status pdf_import(bk_import *job)
{
    bk_source *src = bk_import_source(job);
    bk_error *err = bk_import_error(job);
    const unsigned char *data;
    size_t len;
    if (bk_import_slurp(job, &data, &len) != BK_OK)
        return err->code;
    GBytes *bytes = g_bytes_new_static(data, len);
    GError *gerr = NULL;
    PopplerDocument *doc = poppler_document_new_from_bytes(bytes, NULL, &gerr);
    g_bytes_unref(bytes);
    if (!doc) {
        bk_status st;
        if (gerr && gerr->domain == POPPLER_ERROR && gerr->code == POPPLER_ERROR_ENCRYPTED)
            st = bk_error_set(err, BK_E_CONTENT, "the PDF is encrypted (it needs a password); "
                              "save an unprotected copy first");
        else
            st = bk_error_set(err, BK_E_CONTENT, "not a readable PDF: %s",
                              gerr && gerr->message ? gerr->message : "unknown error");
        if (gerr)
            g_error_free(gerr);
        return st;
    }
    const char *name = bk_source_name(src);
    bk_words *w = bk_words_new(name);
    bk_grid *g = bk_grid_new(name);
    bk_status st = w && g ? read_pages(job, doc, w)
                          : bk_error_set(err, BK_E_NOMEM, "out of memory");
    g_object_unref(doc);
    if (st == BK_OK)
        st = bk_words_grid(w, g, err);
    if (st == BK_OK)
        st = bk_grid_import(job, g);
    bk_grid_free(g);
    bk_words_free(w);
    return st;
}

BK_PLUGIN(pdf, .version = "1.0.0", .license = "GPL-2.0-or-later",
          .summary = "PDF as published: the tables and narrative of the text layer (poppler)",
          .kinds = BK_PLUGIN_IMPORT, .extensions = BK_PLUGIN_EXTENSIONS("pdf"),
          .media_type = "application/pdf", .priority = 10, BK_PLUGIN_IMPORTER(pdf))
