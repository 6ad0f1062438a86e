/* Shared between the parts of the XML plugin. Every symbol is prefixed bkx_ so that the
 * plugin links statically next to libxml2 and the other plugins without clashes. */
#ifndef BKX_INTERNAL_H
#define BKX_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <libxml/xmlerror.h>
#include <libxml/xmlversion.h>

#include <budgetkit/plugin.h>

/* The namespace of every element of the vocabulary (formats/xml.md). Versioned with the
 * document format: a version 2 vocabulary gets a new namespace. */
#define BKX_NS "urn:budgetkit:budget:1"

/* A growable byte buffer, always NUL-terminated once anything was appended. */
typedef struct bkx_buf {
    char *p;
    size_t len, cap;
} bkx_buf;

int bkx_buf_append(bkx_buf *b, const char *s, size_t len); /* 0 on success */
void bkx_buf_free(bkx_buf *b);

/* Escape s for an attribute value (quote="1") or for element content into out (replacing its
 * contents). Non-ASCII stays as UTF-8. 0 on success, -1 when out of memory. */
int bkx_escape(bkx_buf *out, const char *s, int attribute);

/* Whether s is UTF-8 made of characters XML 1.0 can carry. On failure *bad is the offending
 * code point, or -1 for bytes that are not UTF-8. */
int bkx_text_ok(const char *s, long *bad);

/* Number of characters in s[0..len) counted as UTF-8 (continuation bytes do not count). */
long bkx_utf8_chars(const unsigned char *s, size_t len);

/* What libxml2 hands to a structured error handler: const since libxml2 2.12. */
#if LIBXML_VERSION >= 21200
typedef const xmlError *bkx_error_ptr;
#else
typedef xmlError *bkx_error_ptr;
#endif

/* libxml2 prints what it cannot hand to a caller (output buffer and writer errors) through
 * its thread's generic handlers. While the plugin works those are silenced, and restored
 * after: every failure also shows in a return value, which the plugin reports itself. */
typedef struct bkx_quiet {
    xmlGenericErrorFunc generic;
    void *generic_ctx;
    xmlStructuredErrorFunc structured;
    void *structured_ctx;
} bkx_quiet;

void bkx_quiet_begin(bkx_quiet *q);
void bkx_quiet_end(const bkx_quiet *q);

bk_status bkx_import(bk_import *job);
bk_status bkx_export_begin(bk_export *job);
bk_status bkx_export_doc(bk_export *job, const bk_doc *doc);
bk_status bkx_export_end(bk_export *job, int ok);

#endif
