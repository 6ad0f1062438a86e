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

/* ---- the lexer on the raw input (xml_lex.c) ----
 *
 * The reader's bytes go past this lexer before libxml2 sees them. It refuses a DOCTYPE
 * before the parser could act on it, and remembers where start tags begin: libxml2 tells the
 * line where a start tag ends but no column. It reads UTF-8 and other byte encodings (ASCII
 * bytes are the ASCII characters) and UTF-16; columns count characters. */

/* Start tags the lexer remembers. The reader lexes a chunk of at most BKX_CHUNK bytes before
 * the parser gets it, and the parser holds back little more than the tag it is inside, so the
 * tags seen but not yet parsed are about those of one chunk: at most BKX_CHUNK / 3 ("<a>"). A
 * tag that has left the ring would only lose its column. */
#define BKX_CHUNK 16384 /* bytes the reader reads and hands on at a time */
#define BKX_TAGS 8192

typedef struct bkx_tagpos {
    long line, col;
} bkx_tagpos;

typedef struct bkx_lexer {
    int encoding;
    int half;          /* first byte of a UTF-16 unit is pending */
    int skip;          /* bytes of a byte-order mark still to pass over */
    unsigned char first;
    int state;
    int match;         /* characters of "DOCTYPE" / "CDATA[" matched, or ']' / '-' in a run */
    unsigned long long chars; /* UTF-16 units seen, to tell a leading byte-order mark */
    /* Line of the next character, and characters before it on the line. Reading bytes, col
     * is brought up to date only at a '<' and at the end of a chunk. */
    long line, col;
    bkx_tagpos lt;     /* where the last '<' was */
    unsigned long long tags;
    long depth;        /* elements open */
    int slash;         /* the last character of a start tag was '/' */
    unsigned attrs;    /* quoted values in the start tag being read */
    /* Characters of the quoted value being read, and the most one may hold (max-string; 0 no
     * bound): libxml2 gathers a value whole before the reader sees it, and refuses one past
     * 10 MB with a message of its own. */
    unsigned long long attr_len, max_attr;
    bkx_tagpos ring[BKX_TAGS];
} bkx_lexer;

void bkx_lex_init(bkx_lexer *x);
/* Attributes one start tag may hold: the format's elements have at most seven, plus namespace
 * declarations. libxml2 compares each attribute with all before it, so a tag with 400,000
 * of them would take minutes: the lexer refuses it before the parser sees it. */
#define BKX_MAX_TAG_ATTRS 256
/* The longest value libxml2 gathers without XML_PARSE_HUGE (its XML_MAX_TEXT_LENGTH). */
#define BKX_PARSER_MAX_VALUE 10000000
enum { BKX_LEX_DOCTYPE = 1, BKX_LEX_ATTRS = 2, BKX_LEX_ATTR_LONG = 3 };
/* Feed the next raw bytes; returns BKX_LEX_DOCTYPE when a DOCTYPE declaration begins (its '<'
 * is at x->lt), BKX_LEX_ATTRS when a start tag (at x->lt) has more than BKX_MAX_TAG_ATTRS
 * attributes, BKX_LEX_ATTR_LONG when an attribute value of the start tag at x->lt is longer
 * than x->max_attr, else 0. */
int bkx_lex_feed(bkx_lexer *x, const unsigned char *s, size_t n);
/* Where start tag number i (from 0) began, when the lexer still remembers it. */
int bkx_lex_tag(const bkx_lexer *x, unsigned long long i, bkx_tagpos *pos);

bk_status bkx_import(bk_import *job);
bk_status bkx_export_begin(bk_export *job);
bk_status bkx_export_doc(bk_export *job, const bk_doc *doc);
bk_status bkx_export_end(bk_export *job, int ok);

#endif
