/* Reading budgets from XML.
 *
 * Input from sub-units is untrusted. libxml2's streaming reader pulls the input through
 * bk_source_read, so a bulk file is read one <budget> at a time and each document is handed
 * over as soon as its end tag is read. Nothing is ever fetched: no network, no DTD, no
 * entity substitution, and a document with a DOCTYPE at all is refused before libxml2 parses
 * the declaration (a small lexer watches the bytes on their way to the parser).
 *
 * libxml2 records the line of an element's start tag end but no column, and its parser runs
 * ahead of the node the reader is on; the same lexer therefore remembers where each recent
 * start tag began, so that content errors point at the offending element exactly. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/xmlreader.h>

#include <budgetkit/alloc.h>
#include <budgetkit/context.h>

#include "xml_internal.h"

#define BKX_DOCTYPE_MSG \
    "DOCTYPE declarations are not accepted (external entities and entity expansion are refused)"

/* The parser never substitutes entities, loads a DTD, validates, fills in default attributes,
 * touches the network, or lifts its built-in size limits (no XML_PARSE_HUGE). */
#define BKX_PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_BIG_LINES | XML_PARSE_COMPACT)

/* Start tags remembered by the lexer: libxml2 parses a few KiB ahead of the reader, which is
 * a few hundred tags at most. */
#define BKX_TAGS 4096

/* Hierarchy depth printed by indentation: the document contract allows 1 to 9. */
#define BKX_MAX_LEVEL 9

enum lex_state {
    LEX_TEXT, LEX_LT, LEX_STAG, LEX_STAG_DQ, LEX_STAG_SQ, LEX_ETAG, LEX_PI, LEX_PI_Q,
    LEX_BANG, LEX_BANG_DASH, LEX_COMMENT, LEX_CDATA_OPEN, LEX_CDATA, LEX_DOCTYPE
};

enum lex_encoding { ENC_UNKNOWN, ENC_BYTES, ENC_UTF16LE, ENC_UTF16BE };

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
    unsigned long long chars;
    long line, col;    /* line of the next character, characters before it on the line */
    bkx_tagpos lt;     /* where the last '<' was */
    unsigned long long tags;
    long depth;        /* elements open */
    int slash;         /* the last character of a start tag was '/' */
    bkx_tagpos ring[BKX_TAGS];
} bkx_lexer;

/* Where an element's start tag begins (col 0 when it cannot be told). */
typedef struct bkx_pos {
    long line, col;
} bkx_pos;

typedef struct bkx_reader {
    bk_import *job;
    bk_source *src;
    const char *name;
    bk_error *err;
    const bk_templates *templates;
    bk_limits lim;
    xmlTextReaderPtr r;
    int failed;
    bk_status status;
    unsigned long long nread;
    int eof;
    bkx_lexer lex;
    unsigned long long elements; /* element nodes the reader delivered */
    bkx_pos cur;                 /* start of the last element delivered */
    bk_doc *doc;
    unsigned long long cells;
    bkx_buf text;
    const char *table; /* model path for messages */
    size_t row;
} bkx_reader;

/* ---- errors ---- */

/* Copy s into buf for quoting in a message, cut at a character boundary. */
static const char *shorten(char *buf, size_t cap, const char *s)
{
    size_t len = strlen(s);
    if (len < cap) {
        memcpy(buf, s, len + 1);
        return buf;
    }
    size_t cut = cap - 4; /* room for "..." and NUL */
    while (cut > 0 && ((unsigned char)s[cut] & 0xC0) == 0x80)
        cut--;
    memcpy(buf, s, cut);
    memcpy(buf + cut, "...", 4);
    return buf;
}

static int fail(bkx_reader *p, bkx_pos pos, bk_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static void set_error(bkx_reader *p, bkx_pos pos, bk_status code, const char *msg)
{
    bk_error_at(p->err, p->name, pos.line, pos.col, -1);
    bk_error_set(p->err, code, "%s", msg);
    p->failed = 1;
    p->status = code;
}

static int fail(bkx_reader *p, bkx_pos pos, bk_status code, const char *fmt, ...)
{
    if (p->failed)
        return -1;
    char msg[BK_ERROR_TEXT];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    set_error(p, pos, code, msg);
    if (p->table && p->row)
        bk_error_where(p->err, "table %s, row %zu", p->table, p->row);
    else if (p->table)
        bk_error_where(p->err, "table %s", p->table);
    return -1;
}

/* A core function refused something and said why in the error: add the place. */
static int core_fail(bkx_reader *p, bkx_pos pos, bk_status st)
{
    if (p->failed)
        return -1;
    if (st == BK_E_NOMEM)
        bk_error_set(p->err, BK_E_NOMEM, "out of memory");
    bk_error_at(p->err, p->name, pos.line, pos.col, -1);
    p->failed = 1;
    p->status = st;
    return -1;
}

static int nomem(bkx_reader *p, bkx_pos pos)
{
    return fail(p, pos, BK_E_NOMEM, "out of memory");
}

static bk_status map_xml_error(const xmlError *e)
{
    switch (e->code) {
    case XML_ERR_NO_MEMORY:
        return BK_E_NOMEM;
    case XML_ERR_UNKNOWN_ENCODING:
    case XML_ERR_UNSUPPORTED_ENCODING:
    case XML_ERR_INVALID_ENCODING:
        return BK_E_ENCODING;
    case XML_ERR_ENTITY_LOOP:
    case XML_ERR_ENTITY_IS_EXTERNAL:
    case XML_ERR_ENTITY_IS_PARAMETER:
    case XML_ERR_EXT_ENTITY_STANDALONE:
    case XML_ERR_ENTITY_PE_INTERNAL:
        /* Only reachable if a DOCTYPE got past the lexer (an encoding it cannot read). */
        return BK_E_HOSTILE;
    default:
        break;
    }
    if (e->domain == XML_FROM_I18N)
        return BK_E_ENCODING;
    if (e->code == XML_ERR_INVALID_CHAR && e->message && strstr(e->message, "not proper UTF-8"))
        return BK_E_ENCODING;
    return BK_E_SYNTAX;
}

/* libxml2's push parser says "Extra content at the end of the document" when the input
 * stops inside an element, or holds no element at all; name the likely cause instead. */
static int looks_truncated(const bkx_reader *p, const xmlError *e)
{
    return p->eof && p->lex.depth > 0 &&
           (e->code == XML_ERR_DOCUMENT_END || e->code == XML_ERR_TAG_NOT_FINISHED);
}

/* libxml2 reports syntax errors here, with the place where it found them. The reader parses
 * ahead of the model, so these carry no table or row. */
static void on_xml_error(void *ctx, xmlErrorPtr e)
{
    bkx_reader *p = ctx;
    char text[BK_ERROR_TEXT], msg[BK_ERROR_TEXT + 128];
    snprintf(text, sizeof text, "%s", e->message ? e->message : "unknown error");
    size_t n = strlen(text);
    while (n > 0 && (text[n - 1] == '\n' || text[n - 1] == ' '))
        text[--n] = '\0';
    if (e->level == XML_ERR_WARNING) {
        if (!p->failed)
            bk_import_warn(p->job, e->line, e->int2, "%s", text);
        return;
    }
    if (p->failed)
        return;
    bkx_pos pos = {e->line, e->int2};
    bk_status code = map_xml_error(e);
    if (code == BK_E_HOSTILE)
        snprintf(msg, sizeof msg, "%s (%s)", BKX_DOCTYPE_MSG, text);
    else if (p->eof && p->lex.tags == 0 &&
             (e->code == XML_ERR_DOCUMENT_END || e->code == XML_ERR_DOCUMENT_EMPTY))
        snprintf(msg, sizeof msg, "malformed XML: the document holds no element");
    else if (looks_truncated(p, e))
        snprintf(msg, sizeof msg, "malformed XML: the document ends before its elements are "
                 "closed (is the file truncated?)");
    else
        snprintf(msg, sizeof msg, "malformed XML: %s", text);
    set_error(p, pos, code, msg);
}

/* ---- the lexer on the raw input ---- */

static void lex_start_tag(bkx_lexer *x)
{
    x->ring[x->tags % BKX_TAGS] = x->lt;
    x->tags++;
}

/* One character (a code unit below 0x80 is the character itself; anything else is passed as
 * 0x80, which is never markup). Returns 1 when a DOCTYPE declaration begins. */
static int lex_char(bkx_lexer *x, unsigned c)
{
    static const char doctype[] = "DOCTYPE", cdata[] = "CDATA[";
    bkx_tagpos here = {x->line, x->col + 1};
    switch (x->state) {
    case LEX_TEXT:
        if (c == '<') {
            x->state = LEX_LT;
            x->lt = here;
        }
        break;
    case LEX_LT:
        if (c == '/')
            x->state = LEX_ETAG;
        else if (c == '?')
            x->state = LEX_PI;
        else if (c == '!')
            x->state = LEX_BANG, x->match = 0;
        else {
            x->state = c == '>' ? LEX_TEXT : LEX_STAG;
            x->slash = 0;
            lex_start_tag(x);
        }
        break;
    case LEX_STAG:
        if (c == '"')
            x->state = LEX_STAG_DQ;
        else if (c == '\'')
            x->state = LEX_STAG_SQ;
        else if (c == '>') {
            x->state = LEX_TEXT;
            x->depth += !x->slash;
        }
        x->slash = c == '/';
        break;
    case LEX_STAG_DQ:
        if (c == '"')
            x->state = LEX_STAG;
        break;
    case LEX_STAG_SQ:
        if (c == '\'')
            x->state = LEX_STAG;
        break;
    case LEX_ETAG:
        if (c == '>') {
            x->state = LEX_TEXT;
            x->depth--;
        }
        break;
    case LEX_PI:
        if (c == '?')
            x->state = LEX_PI_Q;
        break;
    case LEX_PI_Q:
        x->state = c == '>' ? LEX_TEXT : c == '?' ? LEX_PI_Q : LEX_PI;
        break;
    case LEX_BANG:
        if (c == '-')
            x->state = LEX_BANG_DASH;
        else if (c == '[')
            x->state = LEX_CDATA_OPEN, x->match = 0;
        else if (c == 'D')
            x->state = LEX_DOCTYPE, x->match = 1;
        else
            x->state = LEX_TEXT;
        break;
    case LEX_BANG_DASH:
        x->state = c == '-' ? LEX_COMMENT : LEX_TEXT;
        x->match = 0;
        break;
    case LEX_COMMENT:
        if (c == '>' && x->match >= 2)
            x->state = LEX_TEXT;
        x->match = c == '-' ? x->match + 1 : 0;
        break;
    case LEX_CDATA_OPEN:
        if (c != (unsigned char)cdata[x->match])
            x->state = LEX_TEXT;
        else if (++x->match == 6)
            x->state = LEX_CDATA, x->match = 0;
        break;
    case LEX_CDATA:
        if (c == '>' && x->match >= 2)
            x->state = LEX_TEXT;
        x->match = c == ']' ? x->match + 1 : 0;
        break;
    case LEX_DOCTYPE:
        if (c != (unsigned char)doctype[x->match])
            x->state = LEX_TEXT;
        else if (++x->match == 7)
            return 1;
        break;
    default:
        break;
    }
    if (c == '\n') {
        x->line++;
        x->col = 0;
    }
    return 0;
}

/* Count a character for columns (a byte-order mark at the very start is not one). */
static int lex_unit(bkx_lexer *x, unsigned c, int counts)
{
    int bom = x->chars == 0 && c == 0xFEFF;
    x->chars++;
    if (bom)
        return 0;
    int r = lex_char(x, c < 0x80 ? c : 0x80);
    if (counts && c != '\n')
        x->col++;
    return r;
}

static void lex_detect(bkx_lexer *x, const unsigned char *s, size_t n)
{
    x->encoding = ENC_BYTES;
    if (n >= 3 && s[0] == 0xEF && s[1] == 0xBB && s[2] == 0xBF)
        x->skip = 3; /* a UTF-8 byte-order mark is no character of the first line */
    else if (n >= 2 && ((s[0] == 0xFF && s[1] == 0xFE) || (s[0] != 0 && s[1] == 0)))
        x->encoding = ENC_UTF16LE;
    else if (n >= 2 && ((s[0] == 0xFE && s[1] == 0xFF) || (s[0] == 0 && s[1] != 0)))
        x->encoding = ENC_UTF16BE;
}

/* Feed raw input; returns 1 when a DOCTYPE begins. */
static int lex_feed(bkx_lexer *x, const unsigned char *s, size_t n)
{
    if (x->encoding == ENC_UNKNOWN)
        lex_detect(x, s, n);
    for (size_t i = 0; i < n; i++) {
        unsigned c = s[i];
        if (x->skip > 0) {
            x->skip--;
            continue;
        }
        if (x->encoding == ENC_BYTES) {
            /* NUL is no XML character: skipping it lets wider encodings through as ASCII */
            if (c != 0 && lex_unit(x, c, (c & 0xC0) != 0x80))
                return 1;
            continue;
        }
        if (!x->half) {
            x->first = (unsigned char)c;
            x->half = 1;
            continue;
        }
        x->half = 0;
        unsigned u = x->encoding == ENC_UTF16LE ? (c << 8) | x->first : ((unsigned)x->first << 8) | c;
        /* A low surrogate completes a character already counted. */
        if (lex_unit(x, u, !(u >= 0xDC00 && u <= 0xDFFF)))
            return 1;
    }
    return 0;
}

/* ---- input ---- */

static int bkx_read(void *ctx, char *buf, int len)
{
    bkx_reader *p = ctx;
    bkx_pos nowhere = {0, 0};
    if (p->failed || len <= 0)
        return -1;
    long n = bk_source_read(p->src, buf, (size_t)len);
    if (n < 0) {
        const bk_error *e = bk_source_error(p->src);
        if (e && e->code != BK_OK) {
            *p->err = *e;
            p->failed = 1;
            p->status = e->code;
            return -1;
        }
        return fail(p, nowhere, BK_E_IO, "the input cannot be read");
    }
    p->eof |= n == 0;
    p->nread += (unsigned long long)n;
    if (p->nread > p->lim.max_input_bytes)
        return fail(p, nowhere, BK_E_LIMIT, "the input is larger than %llu bytes (max-input-bytes)",
                    p->lim.max_input_bytes);
    if (lex_feed(&p->lex, (const unsigned char *)buf, (size_t)n)) {
        bkx_pos at = {p->lex.lt.line, p->lex.lt.col};
        return fail(p, at, BK_E_HOSTILE, "%s", BKX_DOCTYPE_MSG);
    }
    return (int)n;
}

static int bkx_close(void *ctx)
{
    (void)ctx; /* the source belongs to the host */
    return 0;
}

/* ---- walking the tree ---- */

/* Where the element the reader is on starts: from the lexer when it saw the same tag, else
 * the line libxml2 recorded (that of the start tag's end) without a column. */
static bkx_pos element_pos(bkx_reader *p)
{
    xmlNodePtr node = xmlTextReaderCurrentNode(p->r);
    long line = node ? xmlGetLineNo(node) : 0;
    bkx_pos pos = {line > 0 ? line : 0, 0};
    unsigned long long i = p->elements - 1;
    if (p->elements > 0 && i < p->lex.tags && p->lex.tags - i <= BKX_TAGS) {
        bkx_tagpos t = p->lex.ring[i % BKX_TAGS];
        if (line <= 0 || t.line <= line) {
            pos.line = t.line;
            pos.col = t.col;
        }
    }
    return pos;
}

/* The next node that matters, skipping comments and processing instructions. Returns its type,
 * 0 at the end of the input, -1 on error. */
static int next_node(bkx_reader *p)
{
    for (;;) {
        int rc = xmlTextReaderRead(p->r);
        if (p->failed)
            return -1;
        if (rc < 0)
            return fail(p, p->cur, BK_E_SYNTAX, "malformed XML: the document cannot be read");
        if (rc == 0)
            return 0;
        int type = xmlTextReaderNodeType(p->r);
        switch (type) {
        case XML_READER_TYPE_COMMENT:
        case XML_READER_TYPE_PROCESSING_INSTRUCTION:
        case XML_READER_TYPE_XML_DECLARATION:
            continue;
        case XML_READER_TYPE_DOCUMENT_TYPE:
        case XML_READER_TYPE_ENTITY_REFERENCE:
        case XML_READER_TYPE_ENTITY:
        case XML_READER_TYPE_END_ENTITY:
        case XML_READER_TYPE_NOTATION:
            return fail(p, p->cur, BK_E_HOSTILE, "%s", BKX_DOCTYPE_MSG);
        case XML_READER_TYPE_ELEMENT:
            p->elements++;
            p->cur = element_pos(p);
            if ((unsigned long long)xmlTextReaderDepth(p->r) + 1 > p->lim.max_depth)
                return fail(p, p->cur, BK_E_LIMIT,
                            "elements are nested deeper than %llu levels (max-depth)",
                            p->lim.max_depth);
            return type;
        default:
            return type;
        }
    }
}

static const char *local_name(bkx_reader *p)
{
    const xmlChar *s = xmlTextReaderConstLocalName(p->r);
    return s ? (const char *)s : "";
}

static int is_ours(bkx_reader *p)
{
    const xmlChar *ns = xmlTextReaderConstNamespaceUri(p->r);
    return ns && strcmp((const char *)ns, BKX_NS) == 0;
}

static int is(bkx_reader *p, const char *local)
{
    return is_ours(p) && strcmp(local_name(p), local) == 0;
}

static int unexpected(bkx_reader *p, const char *parent, const char *expected)
{
    const xmlChar *qname = xmlTextReaderConstName(p->r);
    const char *name = qname ? (const char *)qname : "";
    if (is_ours(p))
        return fail(p, p->cur, BK_E_CONTENT, "unexpected element <%s> in <%s>; expected %s", name,
                    parent, expected);
    const xmlChar *ns = xmlTextReaderConstNamespaceUri(p->r);
    if (ns)
        return fail(p, p->cur, BK_E_CONTENT,
                    "unexpected element <%s> from namespace %s in <%s>; expected %s", name,
                    (const char *)ns, parent, expected);
    return fail(p, p->cur, BK_E_CONTENT,
                "unexpected element <%s> without a namespace in <%s>; expected %s (in namespace "
                BKX_NS ")", name, parent, expected);
}

static int is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Null or only white space (an empty CDATA section, say). */
static int blank(const char *s)
{
    while (s && is_xml_space(*s))
        s++;
    return !s || !*s;
}

/* Like shorten, without the white space around the text (indentation, mostly). */
static const char *shorten_trimmed(char *buf, size_t cap, const char *s)
{
    char tmp[128];
    size_t len;
    while (is_xml_space(*s))
        s++;
    len = strlen(s);
    while (len > 0 && is_xml_space(s[len - 1]))
        len--;
    if (len >= sizeof tmp)
        len = sizeof tmp - 1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return shorten(buf, cap, tmp);
}

/* Move to the next child element of an element holding only elements: 1 on a child (which
 * the caller reads to its end before asking again), 0 at the parent's end tag, -1 on error. */
static int child(bkx_reader *p, const char *parent, bkx_pos pos)
{
    char quote[64];
    for (;;) {
        int type = next_node(p);
        if (type < 0)
            return -1;
        switch (type) {
        case 0:
            return fail(p, pos, BK_E_SYNTAX, "the document ends inside <%s>", parent);
        case XML_READER_TYPE_ELEMENT:
            return 1;
        case XML_READER_TYPE_END_ELEMENT:
            return 0;
        case XML_READER_TYPE_WHITESPACE:
        case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
            continue;
        default: {
            const xmlChar *v = xmlTextReaderConstValue(p->r);
            if (blank((const char *)v))
                continue;
            return fail(p, pos, BK_E_CONTENT, "<%s> holds the text \"%s\"; only elements belong there",
                        parent, shorten_trimmed(quote, sizeof quote, (const char *)v));
        }
        }
    }
}

/* Consume the content of an element that must have none. */
static int no_content(bkx_reader *p, const char *elem, bkx_pos pos, int empty)
{
    if (empty)
        return 0;
    int rc = child(p, elem, pos);
    return rc == 1 ? unexpected(p, elem, "nothing") : rc;
}

/* Read the content of a text-only element into p->text. */
static int read_text(bkx_reader *p, const char *elem, bkx_pos pos, int empty)
{
    p->text.len = 0;
    if (bkx_buf_append(&p->text, "", 0))
        return nomem(p, pos);
    if (empty)
        return 0;
    for (;;) {
        int type = next_node(p);
        if (type < 0)
            return -1;
        if (type == 0)
            return fail(p, pos, BK_E_SYNTAX, "the document ends inside <%s>", elem);
        if (type == XML_READER_TYPE_END_ELEMENT)
            return 0;
        if (type == XML_READER_TYPE_ELEMENT)
            return fail(p, p->cur, BK_E_CONTENT, "<%s> holds an element <%s>; only text belongs there",
                        elem, (const char *)xmlTextReaderConstName(p->r));
        const xmlChar *v = xmlTextReaderConstValue(p->r);
        size_t len = v ? strlen((const char *)v) : 0;
        if (p->text.len + len > p->lim.max_string)
            return fail(p, pos, BK_E_LIMIT, "the text of <%s> is longer than %llu bytes (max-string)",
                        elem, p->lim.max_string);
        if (bkx_buf_append(&p->text, (const char *)v, len))
            return nomem(p, pos);
    }
}

/* Read the attributes of the current element into values[] (interned in the document, NULL
 * when absent), refusing unknown ones. Attributes from other namespaces are skipped where
 * foreign_ok (xsi:schemaLocation on a <budget>). */
static int read_attrs(bkx_reader *p, bkx_pos pos, const char *elem, const char *const *names,
                      const char **values, int foreign_ok)
{
    int rc;
    for (rc = xmlTextReaderMoveToFirstAttribute(p->r); rc == 1;
         rc = xmlTextReaderMoveToNextAttribute(p->r)) {
        if (xmlTextReaderIsNamespaceDecl(p->r) == 1)
            continue;
        const char *name = local_name(p);
        if (xmlTextReaderConstNamespaceUri(p->r)) {
            if (foreign_ok)
                continue;
            return fail(p, pos, BK_E_CONTENT, "<%s> has an attribute \"%s\" from another namespace",
                        elem, (const char *)xmlTextReaderConstName(p->r));
        }
        size_t i = 0;
        while (names && names[i] && strcmp(names[i], name) != 0)
            i++;
        if (!names || !names[i])
            return fail(p, pos, BK_E_CONTENT, "<%s> has an unknown attribute \"%s\"", elem, name);
        const xmlChar *v = xmlTextReaderConstValue(p->r);
        size_t len = v ? strlen((const char *)v) : 0;
        if (len > p->lim.max_string)
            return fail(p, pos, BK_E_LIMIT, "attribute \"%s\" of <%s> is longer than %llu bytes "
                        "(max-string)", name, elem, p->lim.max_string);
        values[i] = bk_doc_intern(p->doc, v ? (const char *)v : "", len);
        if (!values[i])
            return nomem(p, pos);
    }
    if (rc < 0 && !p->failed)
        return fail(p, pos, BK_E_SYNTAX, "malformed XML: the attributes of <%s> cannot be read", elem);
    if (p->failed)
        return -1;
    xmlTextReaderMoveToElement(p->r);
    return 0;
}

static int require(bkx_reader *p, bkx_pos pos, const char *elem, const char *attr,
                   const char *value)
{
    if (value)
        return 0;
    return fail(p, pos, BK_E_CONTENT, "<%s> has no \"%s\" attribute", elem, attr);
}

/* Drop the white space XML Schema collapses around tokens. */
static void trim(const char **s, size_t *len)
{
    while (*len > 0 && is_xml_space(**s))
        (*s)++, (*len)--;
    while (*len > 0 && is_xml_space((*s)[*len - 1]))
        (*len)--;
}

/* A decimal integer in [min, max], white space around it allowed. */
static int parse_int(const char *s, long min, long max, long *out)
{
    size_t len = strlen(s);
    long v = 0;
    trim(&s, &len);
    if (len == 0 || len > 9)
        return -1;
    for (size_t i = 0; i < len; i++) {
        if (s[i] < '0' || s[i] > '9')
            return -1;
        v = v * 10 + (s[i] - '0');
    }
    if (v < min || v > max)
        return -1;
    *out = v;
    return 0;
}

static int valid_id(const char *s)
{
    if (!*s)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') ||
              *s == '_' || *s == '-'))
            return 0;
    return 1;
}

/* ---- the vocabulary ---- */

static int read_department(bkx_reader *p, bkx_pos pos, int empty)
{
    static const char *const names[] = {"name", "code", NULL};
    const char *v[2] = {NULL, NULL};
    if (read_attrs(p, pos, "department", names, v, 0) ||
        require(p, pos, "department", "name", v[0]))
        return -1;
    if (!*v[0])
        return fail(p, pos, BK_E_CONTENT, "the department name is empty");
    if (v[1] && !*v[1])
        return fail(p, pos, BK_E_CONTENT, "the department code is empty; leave the attribute out");
    if (bk_doc_set_department(p->doc, v[0], v[1]) != BK_OK)
        return nomem(p, pos);
    return no_content(p, "department", pos, empty);
}

static int read_unit(bkx_reader *p, bkx_pos pos, int empty)
{
    static const char *const names[] = {"id", "kind", "name", "parent", NULL};
    const char *v[4] = {NULL, NULL, NULL, NULL};
    char q[64];
    if (read_attrs(p, pos, "unit", names, v, 0) || require(p, pos, "unit", "id", v[0]) ||
        require(p, pos, "unit", "kind", v[1]) || require(p, pos, "unit", "name", v[2]))
        return -1;
    if (!valid_id(v[0]))
        return fail(p, pos, BK_E_CONTENT, "unit id \"%s\" may hold only letters, digits, \"_\" and "
                    "\"-\"", shorten(q, sizeof q, v[0]));
    if (!*v[2])
        return fail(p, pos, BK_E_CONTENT, "unit \"%s\" has an empty name", v[0]);
    int kind = bk_unit_kind_parse(v[1]);
    if (kind < 0)
        return fail(p, pos, BK_E_CONTENT, "unit kind \"%s\" is not department, self or subunit",
                    shorten(q, sizeof q, v[1]));
    bk_status st = bk_doc_add_unit(p->doc, v[0], v[2], (bk_unit_kind)kind, v[3], p->err);
    if (st != BK_OK)
        return core_fail(p, pos, st);
    return no_content(p, "unit", pos, empty);
}

static int read_units(bkx_reader *p, bkx_pos pos, int empty)
{
    int rc;
    if (read_attrs(p, pos, "units", NULL, NULL, 0))
        return -1;
    if (empty)
        return 0;
    while ((rc = child(p, "units", pos)) == 1) {
        if (!is(p, "unit"))
            return unexpected(p, "units", "<unit>");
        if (read_unit(p, p->cur, xmlTextReaderIsEmptyElement(p->r) == 1))
            return -1;
    }
    return rc;
}

static int read_amount(bkx_reader *p, bkx_pos pos, const char *column, bk_decimal *d)
{
    const char *s = p->text.p;
    size_t len = p->text.len;
    char q[64];
    trim(&s, &len);
    /* the canonical form has no '+'; every format refuses it alike */
    switch (len > 0 && s[0] == '+' ? BK_DECIMAL_SYNTAX : bk_decimal_parse(s, len, 0, d, NULL)) {
    case BK_DECIMAL_OK:
        return 0;
    case BK_DECIMAL_EMPTY:
        return fail(p, pos, BK_E_CONTENT, "cell \"%s\" is empty; leave a blank cell out instead",
                    column);
    case BK_DECIMAL_OVERFLOW:
        return fail(p, pos, BK_E_CONTENT, "cell \"%s\" holds \"%s\", which has more digits than an "
                    "amount can hold", column, shorten(q, sizeof q, p->text.p));
    default:
        return fail(p, pos, BK_E_CONTENT, "cell \"%s\" holds \"%s\", which is not a decimal number "
                    "(digits, an optional sign and decimal point, nothing else)", column,
                    shorten(q, sizeof q, p->text.p));
    }
}

static int read_cell(bkx_reader *p, bkx_pos pos, int empty, bk_table *t, size_t row)
{
    static const char *const names[] = {"column", NULL};
    const char *v[1] = {NULL};
    char q[64];
    if (read_attrs(p, pos, "cell", names, v, 0) || require(p, pos, "cell", "column", v[0]))
        return -1;
    int col = bk_template_column(t->tpl, v[0]);
    if (col < 0)
        return fail(p, pos, BK_E_CONTENT, "table %s has no column \"%s\"", t->tpl->id,
                    shorten(q, sizeof q, v[0]));
    if (bk_table_cell(t, row, (size_t)col)->kind != BK_CELL_EMPTY)
        return fail(p, pos, BK_E_CONTENT, "column \"%s\" appears twice in this row", v[0]);
    if (++p->cells > p->lim.max_cells)
        return fail(p, pos, BK_E_LIMIT, "the document holds more than %llu cells (max-cells)",
                    p->lim.max_cells);
    if (read_text(p, "cell", pos, empty))
        return -1;
    bk_status st;
    if (t->tpl->columns[col].type == BK_COL_TEXT) {
        st = bk_table_set_text(p->doc, t, row, (size_t)col, p->text.p, p->text.len);
    } else {
        bk_decimal d;
        if (read_amount(p, pos, v[0], &d))
            return -1;
        st = bk_table_set_number(t, row, (size_t)col, d);
    }
    return st == BK_OK ? 0 : core_fail(p, pos, st);
}

static int read_row(bkx_reader *p, bkx_pos pos, int empty, bk_table *t)
{
    static const char *const names[] = {"kind", "unit", "section", "code", "name", "level", "line",
                                        NULL};
    const char *v[7] = {NULL, NULL, NULL, NULL, NULL, NULL, NULL};
    char q[64];
    long level = 0, line;
    int rc;
    p->row = t->nrows + 1;
    if (read_attrs(p, pos, "row", names, v, 0) || require(p, pos, "row", "kind", v[0]) ||
        require(p, pos, "row", "unit", v[1]))
        return -1;
    int kind = bk_row_kind_parse(v[0]);
    if (kind < 0)
        return fail(p, pos, BK_E_CONTENT, "row kind \"%s\" is not item, unit, total or of",
                    shorten(q, sizeof q, v[0]));
    int unit = bk_doc_find_unit(p->doc, v[1]);
    if (unit < 0)
        return fail(p, pos, BK_E_CONTENT, "the row belongs to unit \"%s\", which is not in <units>",
                    shorten(q, sizeof q, v[1]));
    if (v[3] && !*v[3])
        return fail(p, pos, BK_E_CONTENT, "the row's code is empty; leave the attribute out");
    if (v[5] && parse_int(v[5], 1, BKX_MAX_LEVEL, &level))
        return fail(p, pos, BK_E_CONTENT, "level \"%s\" is not a whole number from 1 to %d",
                    shorten(q, sizeof q, v[5]), BKX_MAX_LEVEL);
    /* "line" only documents where a row came from; the row's line is where it is here. */
    if (v[6] && parse_int(v[6], 1, 999999999, &line))
        return fail(p, pos, BK_E_CONTENT, "line \"%s\" is not a positive whole number",
                    shorten(q, sizeof q, v[6]));
    long row = bk_table_add_row(p->doc, t, (bk_row_kind)kind, unit, v[2], v[3], v[4] ? v[4] : "",
                                (int)level, (uint32_t)(pos.line > 0 ? pos.line : 0));
    if (row < 0)
        return nomem(p, pos);
    if (empty)
        return 0;
    while ((rc = child(p, "row", pos)) == 1) {
        if (!is(p, "cell"))
            return unexpected(p, "row", "<cell>");
        if (read_cell(p, p->cur, xmlTextReaderIsEmptyElement(p->r) == 1, t, (size_t)row))
            return -1;
    }
    return rc;
}

static int read_table(bkx_reader *p, bkx_pos pos, int empty)
{
    static const char *const names[] = {"id", "unit-label", "note", NULL};
    const char *v[3] = {NULL, NULL, NULL};
    char q[64];
    int rc;
    if (read_attrs(p, pos, "table", names, v, 0) || require(p, pos, "table", "id", v[0]))
        return -1;
    const bk_template *tpl = p->templates ? bk_templates_find(p->templates, v[0]) : NULL;
    if (!tpl)
        return fail(p, pos, BK_E_CONTENT, "table id \"%s\" has no template",
                    shorten(q, sizeof q, v[0]));
    if (bk_doc_table(p->doc, tpl->id))
        return fail(p, pos, BK_E_CONTENT, "table %s appears twice", tpl->id);
    bk_table *t = bk_doc_add_table(p->doc, tpl);
    if (!t || bk_table_set_labels(p->doc, t, v[1], v[2]) != BK_OK)
        return nomem(p, pos);
    if (empty)
        return 0;
    p->table = tpl->id;
    p->row = 0;
    while ((rc = child(p, "table", pos)) == 1) {
        if (!is(p, "row"))
            return unexpected(p, "table", "<row>");
        if (read_row(p, p->cur, xmlTextReaderIsEmptyElement(p->r) == 1, t))
            return -1;
        p->row = 0; /* what follows is not in that row */
    }
    p->table = NULL;
    p->row = 0;
    return rc;
}

static int read_tables(bkx_reader *p, bkx_pos pos, int empty)
{
    int rc;
    if (read_attrs(p, pos, "tables", NULL, NULL, 0))
        return -1;
    if (empty)
        return 0;
    while ((rc = child(p, "tables", pos)) == 1) {
        if (!is(p, "table"))
            return unexpected(p, "tables", "<table>");
        if (read_table(p, p->cur, xmlTextReaderIsEmptyElement(p->r) == 1))
            return -1;
    }
    return rc;
}

static int read_goal(bkx_reader *p, bkx_pos pos, int empty)
{
    if (read_attrs(p, pos, "goal", NULL, NULL, 0) || read_text(p, "goal", pos, empty))
        return -1;
    return bk_doc_add_goal(p->doc, p->text.p) == BK_OK ? 0 : nomem(p, pos);
}

static int read_indicator(bkx_reader *p, bkx_pos pos, int empty)
{
    static const char *const names[] = {"level1", "level2", "level3", "target", NULL};
    const char *v[4] = {NULL, NULL, NULL, NULL};
    if (read_attrs(p, pos, "indicator", names, v, 0))
        return -1;
    for (size_t i = 0; i < 4; i++)
        if (require(p, pos, "indicator", names[i], v[i]))
            return -1;
    if (bk_doc_add_indicator(p->doc, v[0], v[1], v[2], v[3]) != BK_OK)
        return nomem(p, pos);
    return no_content(p, "indicator", pos, empty);
}

static int read_performance(bkx_reader *p, bkx_pos pos, int empty)
{
    static const char *const names[] = {"unit-name", "supervisor", "period", NULL};
    const char *v[3] = {NULL, NULL, NULL};
    int rc, indicators = 0;
    if (read_attrs(p, pos, "performance", names, v, 0))
        return -1;
    if (bk_doc_set_performance(p->doc, v[0], v[1], v[2]) != BK_OK)
        return nomem(p, pos);
    if (empty)
        return 0;
    while ((rc = child(p, "performance", pos)) == 1) {
        int is_goal = is(p, "goal");
        if (!is_goal && !is(p, "indicator"))
            return unexpected(p, "performance", "<goal> or <indicator>");
        if (is_goal && indicators)
            return fail(p, p->cur, BK_E_CONTENT, "<goal> after an <indicator>: the goals come first");
        int child_empty = xmlTextReaderIsEmptyElement(p->r) == 1;
        indicators |= !is_goal;
        if (is_goal ? read_goal(p, p->cur, child_empty) : read_indicator(p, p->cur, child_empty))
            return -1;
    }
    return rc;
}

static int read_part(bkx_reader *p, bkx_pos pos, int empty)
{
    static const char *const names[] = {"title", NULL};
    const char *v[1] = {NULL};
    if (read_attrs(p, pos, "part", names, v, 0) || require(p, pos, "part", "title", v[0]) ||
        read_text(p, "part", pos, empty))
        return -1;
    return bk_doc_add_narrative(p->doc, v[0], p->text.p) == BK_OK ? 0 : nomem(p, pos);
}

static int read_narrative(bkx_reader *p, bkx_pos pos, int empty)
{
    int rc;
    if (read_attrs(p, pos, "narrative", NULL, NULL, 0))
        return -1;
    if (empty)
        return 0;
    while ((rc = child(p, "narrative", pos)) == 1) {
        if (!is(p, "part"))
            return unexpected(p, "narrative", "<part>");
        if (read_part(p, p->cur, xmlTextReaderIsEmptyElement(p->r) == 1))
            return -1;
    }
    return rc;
}

/* The children of <budget>, in the order they must come; the first three are required. */
typedef int (*section_fn)(bkx_reader *p, bkx_pos pos, int empty);
static const struct {
    const char *name;
    section_fn read;
} sections[] = {
    {"department", read_department}, {"units", read_units},         {"tables", read_tables},
    {"performance", read_performance}, {"narrative", read_narrative},
};
#define NSECTIONS (sizeof sections / sizeof sections[0])
#define NREQUIRED 3

static int read_sections(bkx_reader *p, bkx_pos pos, int empty)
{
    size_t next = 0; /* sections before this one are behind us */
    int rc = 0;
    while (!empty && (rc = child(p, "budget", pos)) == 1) {
        size_t i = 0;
        while (i < NSECTIONS && !is(p, sections[i].name))
            i++;
        if (i == NSECTIONS)
            return unexpected(p, "budget",
                              "<department>, <units>, <tables>, <performance> or <narrative>");
        if (i < next)
            return fail(p, p->cur, BK_E_CONTENT, "<%s> is out of place: <budget> holds <department>, "
                        "<units>, <tables>, <performance> and <narrative> in this order, each "
                        "once", sections[i].name);
        if (next < NREQUIRED && i > next)
            return fail(p, p->cur, BK_E_CONTENT, "<%s> comes before <%s>, which is missing",
                        sections[i].name, sections[next].name);
        next = i + 1;
        if (sections[i].read(p, p->cur, xmlTextReaderIsEmptyElement(p->r) == 1))
            return -1;
    }
    if (rc < 0)
        return -1;
    if (next < NREQUIRED)
        return fail(p, pos, BK_E_CONTENT, "<budget> has no <%s>", sections[next].name);
    return 0;
}

static int read_budget_attrs(bkx_reader *p, bkx_pos pos)
{
    static const char *const names[] = {"version", "fiscal-year", "money-unit", "precision", NULL};
    const char *v[4] = {NULL, NULL, NULL, NULL};
    char q[64];
    long year, precision;
    if (read_attrs(p, pos, "budget", names, v, 1))
        return -1;
    for (size_t i = 0; i < 4; i++)
        if (require(p, pos, "budget", names[i], v[i]))
            return -1;
    if (strcmp(v[0], "1") != 0)
        return fail(p, pos, BK_E_CONTENT, "version \"%s\" is not supported: this reader knows "
                    "version 1", shorten(q, sizeof q, v[0]));
    if (parse_int(v[1], 1900, 9999, &year))
        return fail(p, pos, BK_E_CONTENT, "fiscal-year \"%s\" is not a year from 1900 to 9999",
                    shorten(q, sizeof q, v[1]));
    if (strcmp(v[2], "万元") != 0 && strcmp(v[2], "元") != 0)
        return fail(p, pos, BK_E_CONTENT, "money-unit \"%s\" is neither 万元 nor 元",
                    shorten(q, sizeof q, v[2]));
    if (parse_int(v[3], 0, BK_DECIMAL_MAX_SCALE, &precision))
        return fail(p, pos, BK_E_CONTENT, "precision \"%s\" is not a whole number from 0 to %d",
                    shorten(q, sizeof q, v[3]), BK_DECIMAL_MAX_SCALE);
    p->doc->fiscal_year = (int)year;
    p->doc->money_unit = v[2];
    p->doc->precision = (int)precision;
    return 0;
}

/* One <budget>: build the document and hand it over at its end tag. */
static int read_budget(bkx_reader *p, bkx_pos pos)
{
    int empty = xmlTextReaderIsEmptyElement(p->r) == 1;
    p->doc = bk_doc_new();
    p->cells = 0;
    if (!p->doc || bk_doc_set_source(p->doc, p->name) != BK_OK)
        return nomem(p, pos);
    if (read_budget_attrs(p, pos) || read_sections(p, pos, empty))
        return -1;
    bk_doc *doc = p->doc;
    p->doc = NULL;
    bk_status st = bk_import_emit(p->job, doc);
    if (st != BK_OK) {
        p->failed = 1;
        p->status = st;
        return -1;
    }
    return 0;
}

static int read_budgets(bkx_reader *p, bkx_pos pos)
{
    int rc;
    if (read_attrs(p, pos, "budgets", NULL, NULL, 1))
        return -1;
    if (xmlTextReaderIsEmptyElement(p->r) == 1)
        return 0;
    while ((rc = child(p, "budgets", pos)) == 1) {
        if (!is(p, "budget"))
            return unexpected(p, "budgets", "<budget>");
        if (read_budget(p, p->cur))
            return -1;
    }
    return rc;
}

static int read_root(bkx_reader *p)
{
    int type;
    do
        type = next_node(p);
    while (type == XML_READER_TYPE_WHITESPACE || type == XML_READER_TYPE_SIGNIFICANT_WHITESPACE);
    if (type < 0)
        return -1;
    if (type != XML_READER_TYPE_ELEMENT)
        return fail(p, p->cur, BK_E_SYNTAX, "malformed XML: the document holds no element");
    bkx_pos pos = p->cur;
    int rc;
    if (is(p, "budget"))
        rc = read_budget(p, pos);
    else if (is(p, "budgets"))
        rc = read_budgets(p, pos);
    else if (!is_ours(p) && (strcmp(local_name(p), "budget") == 0 ||
                             strcmp(local_name(p), "budgets") == 0))
        return fail(p, pos, BK_E_CONTENT, "<%s> is not in the namespace " BKX_NS
                    " (add xmlns=\"" BKX_NS "\")", local_name(p));
    else
        return fail(p, pos, BK_E_CONTENT, "the root element <%s> is neither <budget> nor <budgets>",
                    (const char *)xmlTextReaderConstName(p->r));
    if (rc)
        return -1;
    /* Past the root only comments and processing instructions may follow; libxml2 reports
     * anything else, but the reader has to be driven to the end for it to look. */
    while ((type = next_node(p)) > 0)
        if (type == XML_READER_TYPE_ELEMENT)
            return fail(p, p->cur, BK_E_SYNTAX, "malformed XML: a second root element");
    return type;
}

static bk_status import_job(bk_import *job)
{
    bk_error *err = bk_import_error(job);
    bkx_reader *p = bk_calloc(1, sizeof *p);
    if (!p)
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    p->job = job;
    p->src = bk_import_source(job);
    p->name = bk_source_name(p->src);
    p->err = err;
    p->templates = bk_import_templates(job);
    p->lim = *bk_ctx_limits(bk_import_ctx(job));
    p->lex.line = 1;
    p->status = BK_OK;
    p->r = xmlReaderForIO(bkx_read, bkx_close, p, p->name, NULL, BKX_PARSE_OPTIONS);
    if (!p->r) {
        if (!p->failed)
            bk_error_set(err, BK_E_NOMEM, "out of memory");
        bk_status st = p->failed ? p->status : BK_E_NOMEM;
        bk_free(p);
        return st;
    }
    xmlTextReaderSetStructuredErrorHandler(p->r, on_xml_error, p);
    int rc = read_root(p);
    bk_status st = rc == 0 ? BK_OK : p->failed ? p->status : BK_E_INTERNAL;
    if (st == BK_E_INTERNAL)
        bk_error_set(err, st, "the XML reader stopped without saying why");
    xmlFreeTextReader(p->r);
    bk_doc_free(p->doc);
    bkx_buf_free(&p->text);
    bk_free(p);
    return st;
}

bk_status bkx_import(bk_import *job)
{
    bkx_quiet q;
    bkx_quiet_begin(&q);
    bk_status st = import_job(job);
    bkx_quiet_end(&q);
    return st;
}
