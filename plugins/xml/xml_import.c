/* Reading budgets from XML.
 *
 * Input from sub-units is untrusted. The bytes are read from the source a chunk at a time, go
 * past a small lexer, and are pushed into libxml2's SAX2 parser, whose callbacks build the
 * documents as the elements go by: no tree is built, a bulk file is read one <budget> at a
 * time, and each document is handed over at its end tag. Nothing is ever fetched: no network,
 * no DTD, no entity substitution, and a document with a DOCTYPE at all is refused by the
 * lexer before the chunk holding the declaration reaches the parser (and, should an encoding
 * the lexer cannot read hide one, by the parser's first callback for it).
 *
 * libxml2 knows the line where a start tag ends but no column, so the lexer (xml_lex.c) also
 * remembers where each recent start tag began: content errors point at the offending
 * element's '<'. */
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/parser.h>

#include <budgetkit/alloc.h>
#include <budgetkit/context.h>
#include <budgetkit/text.h>

#include "xml_internal.h"

#define BKX_DOCTYPE_MSG \
    "DOCTYPE declarations are not accepted (external entities and entity expansion are refused)"

/* The parser never substitutes entities, loads a DTD, validates, fills in default attributes,
 * touches the network, or lifts its built-in size limits (no XML_PARSE_HUGE). */
#define BKX_PARSE_OPTIONS (XML_PARSE_NONET | XML_PARSE_BIG_LINES)

/* Hierarchy depth printed by indentation: the document contract allows 1 to 9. */
#define BKX_MAX_LEVEL 9

/* How much of a stray text is kept for quoting it in a message. */
#define BKX_STRAY 256

/* Where an element's start tag begins (col 0 when it cannot be told). */
typedef struct bkx_pos {
    long line, col;
} bkx_pos;

/* The vocabulary. */
enum elem {
    E_NONE, E_BUDGETS, E_BUDGET, E_DEPARTMENT, E_PUBLICATION, E_UNITS, E_UNIT, E_TABLES, E_TABLE,
    E_COLUMN, E_LABEL, E_ROW, E_CELL, E_PERFORMANCE, E_GOAL, E_INDICATOR, E_NARRATIVE, E_PART,
    E_COUNT
};

#define BKX_MAX_ATTRS 8

static const char *const budget_attrs[] = {"version", "fiscal-year", "money-unit", "precision",
                                           "currency", "unit-mult", NULL};
static const char *const department_attrs[] = {"name", "code", NULL};
static const char *const unit_attrs[] = {"id", "kind", "name", "parent", NULL};
static const char *const publication_attrs[] = {"publisher", "source", "source-path", "license",
                                                NULL};
static const char *const table_attrs[] = {"id",         "unit-label", "note",      "layout",
                                          "title",      "money-unit", "currency",  "unit-mult",
                                          NULL};
static const char *const column_attrs[] = {"id", "type", NULL};
static const char *const row_attrs[] = {"kind", "unit", "section", "code", "name", "level", "line",
                                        NULL};
static const char *const cell_attrs[] = {"column", NULL};
static const char *const performance_attrs[] = {"unit-name", "supervisor", "period", NULL};
static const char *const indicator_attrs[] = {"level1", "level2", "level3", "target", NULL};
static const char *const part_attrs[] = {"title", NULL};

static const struct {
    const char *name;
    const char *const *attrs; /* NULL: none */
    int foreign_ok;           /* attributes in other namespaces are ignored (xsi:...) */
    int text;                 /* holds text, not elements */
} elems[E_COUNT] = {
    [E_NONE] = {"", NULL, 0, 0},
    [E_BUDGETS] = {"budgets", NULL, 1, 0},
    [E_BUDGET] = {"budget", budget_attrs, 1, 0},
    [E_DEPARTMENT] = {"department", department_attrs, 0, 0},
    [E_PUBLICATION] = {"publication", publication_attrs, 0, 0},
    [E_UNITS] = {"units", NULL, 0, 0},
    [E_UNIT] = {"unit", unit_attrs, 0, 0},
    [E_TABLES] = {"tables", NULL, 0, 0},
    [E_TABLE] = {"table", table_attrs, 0, 0},
    [E_COLUMN] = {"column", column_attrs, 0, 0},
    [E_LABEL] = {"label", NULL, 0, 1},
    [E_ROW] = {"row", row_attrs, 0, 0},
    [E_CELL] = {"cell", cell_attrs, 0, 1},
    [E_PERFORMANCE] = {"performance", performance_attrs, 0, 0},
    [E_GOAL] = {"goal", NULL, 0, 1},
    [E_INDICATOR] = {"indicator", indicator_attrs, 0, 0},
    [E_NARRATIVE] = {"narrative", NULL, 0, 0},
    [E_PART] = {"part", part_attrs, 0, 1},
};

/* The children of <budget>, in the order they must come, and which are required. */
static const int sections[] = {E_DEPARTMENT, E_PUBLICATION, E_UNITS, E_TABLES, E_PERFORMANCE,
                               E_NARRATIVE};
static const int section_required[] = {1, 0, 1, 1, 0, 0};
#define NSECTIONS (sizeof sections / sizeof sections[0])

/* Elements nest at most this deep before one is refused: budgets, budget, tables, table, row,
 * cell (or column, label). */
#define BKX_STACK 8

typedef struct bkx_frame {
    int elem;
    bkx_pos pos;
} bkx_frame;

/* An element as the parser hands it over. */
typedef struct bkx_el {
    const xmlChar *local, *prefix, *uri;
    const xmlChar **attrs; /* local, prefix, URI, value, end: five per attribute */
    int nattrs;
} bkx_el;

typedef struct bkx_reader {
    bk_import *job;
    bk_source *src;
    const char *name;
    bk_error *err;
    const bk_templates *templates;
    bk_limits lim;
    xmlParserCtxtPtr ctxt;
    int failed;
    bk_status status;
    unsigned long long nread;
    int eof;
    /* The names of the vocabulary in the parser's dictionary, where the parser's names come
     * from: most comparisons are of pointers. NULL where interning failed. */
    const xmlChar *ns;
    const xmlChar *names[E_COUNT];
    const xmlChar *attr_names[E_COUNT][BKX_MAX_ATTRS];
    unsigned long long elements; /* start tags the parser delivered */
    bkx_pos cur;                 /* start of the last element delivered */
    int root_seen;
    bkx_frame stack[BKX_STACK];
    size_t depth;
    char stray[BKX_STRAY];       /* text met where only elements belong, not yet reported */
    size_t nstray;
    /* the document being read */
    bk_doc *doc;
    unsigned long long cells;
    size_t next_section;         /* sections of <budget> before this one are behind us */
    bk_table *t;                 /* NULL while a table's <column>s are read */
    /* The table being started: made at its first <row> or its end, when its columns (a layout
     * the document defines) are known. Strings are interned in the document. */
    struct {
        int open;
        bkx_pos pos;
        const char *id, *title, *unit_label, *note, *money_unit;
        const bk_template *base;
        bk_column_list *cols;    /* NULL until a table defines a column */
    } pend;
    const char *table;           /* model path for messages */
    size_t row;
    size_t rowi;                 /* index of the row being read */
    long last_col;               /* column of the last cell of the row, -1 before the first */
    size_t col;                  /* column of the cell being read */
    int indicators;              /* an <indicator> was read in <performance> */
    const char *title;           /* of the <part> being read, interned */
    bkx_buf text;                /* text of the element being read */
    bkx_buf attrs;               /* attribute values of the element being read */
    unsigned char buf[BKX_CHUNK];
    bkx_lexer lex;
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

/* The first failure is the one reported: a later one leaves it alone. */
static void set_errorv(bkx_reader *p, bkx_pos pos, bk_status code, const char *fmt, va_list ap)
    __attribute__((format(printf, 4, 0)));

static void set_errorv(bkx_reader *p, bkx_pos pos, bk_status code, const char *fmt, va_list ap)
{
    if (p->failed)
        return;
    bk_error_at(p->err, p->name, pos.line, pos.col, -1);
    bk_error_setv(p->err, code, fmt, ap);
    p->failed = 1;
    p->status = code;
}

/* A problem with the input as a whole, not with the part of the model being read: no table
 * or row. */
static int refuse_input(bkx_reader *p, bkx_pos pos, bk_status code, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

static int refuse_input(bkx_reader *p, bkx_pos pos, bk_status code, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    set_errorv(p, pos, code, fmt, ap);
    va_end(ap);
    return -1;
}

static int fail(bkx_reader *p, bkx_pos pos, bk_status code, const char *fmt, ...)
{
    if (p->failed)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    set_errorv(p, pos, code, fmt, ap);
    va_end(ap);
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

/* libxml2 reports syntax errors here, with the place where it found them. They carry no
 * table or row: the parser knows nothing of the model. */
static void on_xml_error(void *ctx, bkx_error_ptr e)
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
    refuse_input(p, pos, code, "%s", msg);
}

/* ---- input ---- */

/* Read the next chunk, of at least `least` bytes unless the input ends first, into p->buf
 * past the lexer: its length, 0 at the end, -1 on failure. */
static long read_chunk(bkx_reader *p, size_t least)
{
    bkx_pos nowhere = {0, 0};
    long n = 0, got;
    do {
        got = bk_source_read(p->src, p->buf + n, sizeof p->buf - (size_t)n);
        n += got > 0 ? got : 0;
    } while (got > 0 && (size_t)n < least);
    if (got < 0) {
        const bk_error *e = bk_source_error(p->src);
        if (e && e->code != BK_OK) {
            *p->err = *e;
            p->failed = 1;
            p->status = e->code;
            return -1;
        }
        return refuse_input(p, nowhere, BK_E_IO, "the input cannot be read");
    }
    p->eof = n == 0;
    p->nread += (unsigned long long)n;
    if (p->nread > p->lim.max_input_bytes)
        return refuse_input(p, nowhere, BK_E_LIMIT,
                            "the input is larger than %llu bytes (max-input-bytes)",
                            p->lim.max_input_bytes);
    int lexed = bkx_lex_feed(&p->lex, p->buf, (size_t)n);
    if (lexed) {
        bkx_pos at = {p->lex.lt.line, p->lex.lt.col};
        if (lexed == BKX_LEX_ATTRS)
            return refuse_input(p, at, BK_E_LIMIT, "a start tag has more than %d attributes",
                                BKX_MAX_TAG_ATTRS);
        if (lexed == BKX_LEX_ATTR_LONG && p->lex.max_attr == BKX_PARSER_MAX_VALUE)
            return refuse_input(p, at, BK_E_LIMIT, "an attribute of the start tag here is longer "
                                "than %d bytes, the most the XML parser takes",
                                BKX_PARSER_MAX_VALUE);
        if (lexed == BKX_LEX_ATTR_LONG)
            return refuse_input(p, at, BK_E_LIMIT, "an attribute of the start tag here is longer "
                                "than %llu bytes (max-string)", p->lim.max_string);
        return refuse_input(p, at, BK_E_HOSTILE, "%s", BKX_DOCTYPE_MSG);
    }
    return n;
}

/* ---- names ---- */

static void intern_names(bkx_reader *p)
{
    xmlDictPtr dict = p->ctxt->dict;
    if (!dict)
        return;
    p->ns = xmlDictLookup(dict, BAD_CAST BKX_NS, -1);
    for (int e = E_NONE + 1; e < E_COUNT; e++) {
        p->names[e] = xmlDictLookup(dict, BAD_CAST elems[e].name, -1);
        for (size_t i = 0; elems[e].attrs && elems[e].attrs[i]; i++)
            p->attr_names[e][i] = xmlDictLookup(dict, BAD_CAST elems[e].attrs[i], -1);
    }
}

static int same(const xmlChar *name, const xmlChar *interned, const char *s)
{
    return name == interned || strcmp((const char *)name, s) == 0;
}

static int is_ours(const bkx_reader *p, const bkx_el *el)
{
    return el->uri && same(el->uri, p->ns, BKX_NS);
}

static int is(const bkx_reader *p, const bkx_el *el, int elem)
{
    return is_ours(p, el) && same(el->local, p->names[elem], elems[elem].name);
}

/* prefix:local, or local. */
static const char *qname(const xmlChar *prefix, const xmlChar *local, char *buf, size_t cap)
{
    if (!prefix)
        return (const char *)local;
    snprintf(buf, cap, "%s:%s", (const char *)prefix, (const char *)local);
    return buf;
}

/* ---- where elements start ---- */

/* From the lexer when it saw the same tag, else the line the parser is on (that of the start
 * tag's end) without a column. */
static bkx_pos element_pos(bkx_reader *p)
{
    long line = p->ctxt->input ? p->ctxt->input->line : 0;
    bkx_pos pos = {line > 0 ? line : 0, 0};
    bkx_tagpos t;
    if (p->elements > 0 && bkx_lex_tag(&p->lex, p->elements - 1, &t)) {
        if (line <= 0 || t.line <= line) {
            pos.line = t.line;
            pos.col = t.col;
        }
    }
    return pos;
}

/* ---- text ---- */

static int is_xml_space(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Like shorten, without the white space around the text (indentation, mostly). */
static const char *shorten_trimmed(char *buf, size_t cap, const char *s, size_t len)
{
    char tmp[128];
    while (len > 0 && is_xml_space(*s))
        s++, len--;
    while (len > 0 && is_xml_space(s[len - 1]))
        len--;
    if (len >= sizeof tmp)
        len = sizeof tmp - 1;
    memcpy(tmp, s, len);
    tmp[len] = '\0';
    return shorten(buf, cap, tmp);
}

/* Text where only elements belong. White space is indentation; anything else is kept to be
 * reported at the next markup, when the whole run of text is known. */
static void stray_text(bkx_reader *p, const xmlChar *ch, size_t len)
{
    const char *s = (const char *)ch;
    if (p->nstray == 0)
        while (len > 0 && is_xml_space(*s))
            s++, len--;
    if (len > sizeof p->stray - p->nstray)
        len = sizeof p->stray - p->nstray;
    memcpy(p->stray + p->nstray, s, len);
    p->nstray += len;
}

static int report_stray(bkx_reader *p)
{
    char quote[64];
    if (p->nstray == 0 || p->depth == 0)
        return 0;
    const bkx_frame *f = &p->stack[p->depth - 1];
    return fail(p, f->pos, BK_E_CONTENT, "<%s> holds the text \"%s\"; only elements belong there",
                elems[f->elem].name, shorten_trimmed(quote, sizeof quote, p->stray, p->nstray));
}

/* Text of a text-holding element. */
static int add_text(bkx_reader *p, const bkx_frame *f, const xmlChar *ch, size_t len)
{
    if (p->text.len + len > p->lim.max_string)
        return fail(p, f->pos, BK_E_LIMIT,
                    "the text of <%s> is longer than %llu bytes (max-string)",
                    elems[f->elem].name, p->lim.max_string);
    return bkx_buf_append(&p->text, (const char *)ch, len) ? nomem(p, f->pos) : 0;
}

static int start_text(bkx_reader *p, bkx_pos pos)
{
    p->text.len = 0;
    return bkx_buf_append(&p->text, "", 0) ? nomem(p, pos) : 0;
}

/* ---- attributes ---- */

static int attr_index(const bkx_reader *p, int elem, const xmlChar *local)
{
    const char *const *names = elems[elem].attrs;
    if (!names)
        return -1;
    for (int i = 0; names[i]; i++)
        if (local == p->attr_names[elem][i])
            return i;
    for (int i = 0; names[i]; i++)
        if (strcmp(names[i], (const char *)local) == 0)
            return i;
    return -1;
}

/* Append an attribute value, NUL-terminated, to p->attrs. A value the parser copied (it then
 * ends in NUL rather than at its quote) may hold a '&' that the parser wrote back as "&#38;"
 * for its tree builder to decode; this is that decoding. A value straight from the input
 * holds no reference. */
static int append_value(bkx_reader *p, const xmlChar *value, const xmlChar *end)
{
    const char *s = (const char *)value, *e = (const char *)end;
    size_t len = (size_t)(e - s);
    if (*end != 0 || !memchr(s, '&', len))
        return bkx_buf_append(&p->attrs, s, len) || bkx_buf_append(&p->attrs, "", 1);
    size_t at = p->attrs.len;
    if (bkx_buf_append(&p->attrs, s, len)) /* room for the decoded text, never longer */
        return -1;
    p->attrs.len = at + bk_decode_char_refs(s, e, p->attrs.p + at);
    return bkx_buf_append(&p->attrs, "", 1);
}

/* Read the attributes of an element into v[] (NULL when absent; valid until the next
 * element), refusing unknown ones. */
static int read_attrs(bkx_reader *p, bkx_pos pos, int elem, const bkx_el *el, const char **v)
{
    size_t off[BKX_MAX_ATTRS];
    int have[BKX_MAX_ATTRS] = {0};
    char q[128];
    const char *name = elems[elem].name;
    p->attrs.len = 0;
    for (int k = 0; k < el->nattrs; k++) {
        const xmlChar **a = el->attrs + 5 * k;
        if (a[2]) {
            if (elems[elem].foreign_ok)
                continue;
            return fail(p, pos, BK_E_CONTENT, "<%s> has an attribute \"%s\" from another namespace",
                        name, qname(a[1], a[0], q, sizeof q));
        }
        int i = attr_index(p, elem, a[0]);
        if (i < 0)
            return fail(p, pos, BK_E_CONTENT, "<%s> has an unknown attribute \"%s\"", name,
                        (const char *)a[0]);
        size_t start = p->attrs.len;
        if (append_value(p, a[3], a[4]))
            return nomem(p, pos);
        if (p->attrs.len - start - 1 > p->lim.max_string)
            return fail(p, pos, BK_E_LIMIT, "attribute \"%s\" of <%s> is longer than %llu bytes "
                        "(max-string)", (const char *)a[0], name, p->lim.max_string);
        off[i] = start;
        have[i] = 1;
    }
    for (int i = 0; elems[elem].attrs && elems[elem].attrs[i]; i++)
        v[i] = have[i] ? p->attrs.p + off[i] : NULL;
    return 0;
}

static int require(bkx_reader *p, bkx_pos pos, int elem, const char *attr, const char *value)
{
    if (value)
        return 0;
    return fail(p, pos, BK_E_CONTENT, "<%s> has no \"%s\" attribute", elems[elem].name, attr);
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

/* ---- which element may come where ---- */

static int unexpected(bkx_reader *p, const bkx_el *el, int parent, const char *expected)
{
    char q[128];
    const char *name = qname(el->prefix, el->local, q, sizeof q);
    const char *in = elems[parent].name;
    if (is_ours(p, el))
        return fail(p, p->cur, BK_E_CONTENT, "unexpected element <%s> in <%s>; expected %s", name,
                    in, expected);
    if (el->uri)
        return fail(p, p->cur, BK_E_CONTENT,
                    "unexpected element <%s> from namespace %s in <%s>; expected %s", name,
                    (const char *)el->uri, in, expected);
    return fail(p, p->cur, BK_E_CONTENT,
                "unexpected element <%s> without a namespace in <%s>; expected %s (in namespace "
                BKX_NS ")", name, in, expected);
}

static int root_kind(bkx_reader *p, const bkx_el *el)
{
    char q[128];
    if (p->root_seen)
        return fail(p, p->cur, BK_E_SYNTAX, "malformed XML: a second root element");
    p->root_seen = 1;
    if (is(p, el, E_BUDGET))
        return E_BUDGET;
    if (is(p, el, E_BUDGETS))
        return E_BUDGETS;
    const char *local = (const char *)el->local;
    if (!is_ours(p, el) && (strcmp(local, "budget") == 0 || strcmp(local, "budgets") == 0))
        return fail(p, p->cur, BK_E_CONTENT, "<%s> is not in the namespace " BKX_NS
                    " (add xmlns=\"" BKX_NS "\")", local);
    return fail(p, p->cur, BK_E_CONTENT, "the root element <%s> is neither <budget> nor <budgets>",
                qname(el->prefix, el->local, q, sizeof q));
}

static int section_kind(bkx_reader *p, const bkx_el *el)
{
    size_t i = 0;
    while (i < NSECTIONS && !is(p, el, sections[i]))
        i++;
    if (i == NSECTIONS)
        return unexpected(p, el, E_BUDGET, "<department>, <publication>, <units>, <tables>, "
                          "<performance> or <narrative>");
    if (i < p->next_section)
        return fail(p, p->cur, BK_E_CONTENT, "<%s> is out of place: <budget> holds <department>, "
                    "<publication>, <units>, <tables>, <performance> and <narrative> in this "
                    "order, each once", elems[sections[i]].name);
    for (size_t j = p->next_section; j < i; j++)
        if (section_required[j])
            return fail(p, p->cur, BK_E_CONTENT, "<%s> comes before <%s>, which is missing",
                        elems[sections[i]].name, elems[sections[j]].name);
    p->next_section = i + 1;
    return sections[i];
}

static int only(bkx_reader *p, const bkx_el *el, int parent, int elem)
{
    char expected[32];
    if (is(p, el, elem))
        return elem;
    snprintf(expected, sizeof expected, "<%s>", elems[elem].name);
    return unexpected(p, el, parent, expected);
}

/* What a new element is, given its parent; -1 (with the error set) when it does not belong. */
static int child_kind(bkx_reader *p, int parent, const bkx_el *el)
{
    char q[128];
    switch (parent) {
    case E_NONE:
        return root_kind(p, el);
    case E_BUDGETS:
        return only(p, el, parent, E_BUDGET);
    case E_BUDGET:
        return section_kind(p, el);
    case E_UNITS:
        return only(p, el, parent, E_UNIT);
    case E_TABLES:
        return only(p, el, parent, E_TABLE);
    case E_TABLE:
        if (is(p, el, E_COLUMN)) {
            if (!p->pend.open)
                return fail(p, p->cur, BK_E_CONTENT, "<column> after a <row>: the columns come "
                            "first");
            return E_COLUMN;
        }
        return only(p, el, parent, E_ROW);
    case E_COLUMN:
        return only(p, el, parent, E_LABEL);
    case E_ROW:
        return only(p, el, parent, E_CELL);
    case E_NARRATIVE:
        return only(p, el, parent, E_PART);
    case E_PERFORMANCE: {
        int is_goal = is(p, el, E_GOAL);
        if (!is_goal && !is(p, el, E_INDICATOR))
            return unexpected(p, el, parent, "<goal> or <indicator>");
        if (is_goal && p->indicators)
            return fail(p, p->cur, BK_E_CONTENT,
                        "<goal> after an <indicator>: the goals come first");
        p->indicators |= !is_goal;
        return is_goal ? E_GOAL : E_INDICATOR;
    }
    case E_CELL:
    case E_GOAL:
    case E_PART:
    case E_LABEL:
        return fail(p, p->cur, BK_E_CONTENT, "<%s> holds an element <%s>; only text belongs there",
                    elems[parent].name, qname(el->prefix, el->local, q, sizeof q));
    default:
        return unexpected(p, el, parent, "nothing");
    }
}

/* ---- the vocabulary: start tags ---- */

static int start_budgets(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    return read_attrs(p, pos, E_BUDGETS, el, NULL);
}

/* currency and unit-mult describe the printed money unit for readers that do not know 万元
 * (xml.md): written from it, so on reading they must agree with it. */
static int unit_of_measure(bkx_reader *p, bkx_pos pos, const char *currency, const char *mult,
                           const char *unit)
{
    char q[64];
    long v;
    int expected = bk_money_unit_mult(unit);
    if (currency && strcmp(currency, "CNY") != 0)
        return fail(p, pos, BK_E_CONTENT, "currency \"%s\" is not CNY: budgets are in CNY "
                    "(ISO 4217)", shorten(q, sizeof q, currency));
    if (mult && (parse_int(mult, 0, 18, &v) || v != expected))
        return fail(p, pos, BK_E_CONTENT, "unit-mult \"%s\" does not match money-unit %s, "
                    "which is 10^%d: unit-mult=\"%d\"", shorten(q, sizeof q, mult), unit,
                    expected, expected);
    return 0;
}

static int start_budget(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    const char *v[6];
    char q[64];
    long year, precision;
    p->doc = bk_doc_new();
    p->cells = 0;
    p->next_section = 0;
    if (!p->doc || bk_doc_set_source(p->doc, p->name) != BK_OK)
        return nomem(p, pos);
    if (read_attrs(p, pos, E_BUDGET, el, v))
        return -1;
    for (size_t i = 0; i < 4; i++)
        if (require(p, pos, E_BUDGET, budget_attrs[i], v[i]))
            return -1;
    if (strcmp(v[0], "1") != 0)
        return fail(p, pos, BK_E_CONTENT, "version \"%s\" is not supported: this reader knows "
                    "version 1", shorten(q, sizeof q, v[0]));
    if (parse_int(v[1], 0, LONG_MAX, &year))
        return fail(p, pos, BK_E_CONTENT, "fiscal-year \"%s\" is not a whole number",
                    shorten(q, sizeof q, v[1]));
    bk_error e = {0};
    bk_status st = bk_doc_set_year(p->doc, year, &e);
    if (st == BK_OK)
        st = bk_doc_set_money_unit(p->doc, v[2], &e);
    if (st != BK_OK)
        return fail(p, pos, st, "%s", e.text);
    if (parse_int(v[3], 0, LONG_MAX, &precision))
        return fail(p, pos, BK_E_CONTENT, "precision \"%s\" is not a whole number",
                    shorten(q, sizeof q, v[3]));
    if ((st = bk_doc_set_precision(p->doc, precision, &e)) != BK_OK)
        return fail(p, pos, st, "%s", e.text);
    return unit_of_measure(p, pos, v[4], v[5], v[2]) ? -1 : 0;
}

static int start_department(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    const char *v[2];
    if (read_attrs(p, pos, E_DEPARTMENT, el, v) || require(p, pos, E_DEPARTMENT, "name", v[0]))
        return -1;
    if (!*v[0])
        return fail(p, pos, BK_E_CONTENT, "the department name is empty");
    if (v[1] && !*v[1])
        return fail(p, pos, BK_E_CONTENT, "the department code is empty; leave the attribute out");
    return bk_doc_set_department(p->doc, v[0], v[1]) == BK_OK ? 0 : nomem(p, pos);
}

static int start_publication(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    const char *v[4];
    if (read_attrs(p, pos, E_PUBLICATION, el, v))
        return -1;
    if (!v[0] && !v[1] && !v[2] && !v[3])
        return fail(p, pos, BK_E_CONTENT, "<publication> has no attribute; leave it out");
    for (size_t i = 0; i < 4; i++)
        if (v[i] && !*v[i])
            return fail(p, pos, BK_E_CONTENT, "the %s of <publication> is empty; leave the "
                        "attribute out", publication_attrs[i]);
    bk_publication pub = {v[0], v[1], v[2], v[3]};
    bk_status st = bk_doc_set_publication(p->doc, &pub, p->err);
    return st == BK_OK ? 0 : core_fail(p, pos, st);
}

static int start_unit(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    const char *v[4];
    char q[64];
    if (read_attrs(p, pos, E_UNIT, el, v) || require(p, pos, E_UNIT, "id", v[0]) ||
        require(p, pos, E_UNIT, "kind", v[1]) || require(p, pos, E_UNIT, "name", v[2]))
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
    return st == BK_OK ? 0 : core_fail(p, pos, st);
}

static int start_table(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    const char *v[8];
    char q[64];
    if (read_attrs(p, pos, E_TABLE, el, v) || require(p, pos, E_TABLE, "id", v[0]))
        return -1;
    const bk_template *tpl = p->templates ? bk_templates_find(p->templates, v[0]) : NULL;
    if (bk_doc_table(p->doc, v[0]))
        return fail(p, pos, BK_E_CONTENT, "table %s appears twice", shorten(q, sizeof q, v[0]));
    /* The layout family names the dictionary of the table's title and column labels (xml.md):
     * another than the template's would send a reader to the wrong labels. */
    const char *family = tpl && tpl->family && *tpl->family ? tpl->family : NULL;
    if (v[3] && (!family || strcmp(v[3], family) != 0))
        return fail(p, pos, BK_E_CONTENT, "table %s is of layout family \"%s\", not \"%s\"",
                    shorten(q, sizeof q, v[0]), family ? family : "", v[3]);
    if (v[6] || v[7]) {
        if (!v[5])
            return fail(p, pos, BK_E_CONTENT, "\"%s\" describes the table's money-unit, and the "
                        "table has none", v[6] ? "currency" : "unit-mult");
        if (unit_of_measure(p, pos, v[6], v[7], v[5]))
            return -1;
    }
    const char *id = bk_doc_intern_cstr(p->doc, v[0]);
    const char *title = v[4] ? bk_doc_intern_cstr(p->doc, v[4]) : NULL;
    const char *label = v[1] ? bk_doc_intern_cstr(p->doc, v[1]) : NULL;
    const char *note = v[2] ? bk_doc_intern_cstr(p->doc, v[2]) : NULL;
    const char *unit = v[5] ? bk_doc_intern_cstr(p->doc, v[5]) : NULL;
    if (!id || (v[4] && !title) || (v[1] && !label) || (v[2] && !note) || (v[5] && !unit))
        return nomem(p, pos);
    p->pend.open = 1;
    p->pend.pos = pos;
    p->pend.id = id;
    p->pend.title = title;
    p->pend.unit_label = label;
    p->pend.note = note;
    p->pend.money_unit = unit;
    p->pend.base = tpl;
    if (p->pend.cols)
        bk_column_list_clear(p->pend.cols);
    p->table = id;
    p->row = 0;
    return 0;
}

/* The table started, now that its columns are known. */
static int make_table(bkx_reader *p)
{
    bkx_pos pos = p->pend.pos;
    const bk_template *tpl = p->pend.base;
    p->pend.open = 0;
    if (p->pend.cols && bk_column_list_count(p->pend.cols)) {
        tpl = bk_column_list_define(p->pend.cols, p->doc, p->pend.base, p->pend.id,
                                    p->pend.title);
        if (!tpl)
            return nomem(p, pos);
    } else if (!tpl) {
        char q[64];
        return fail(p, pos, BK_E_CONTENT, "table id \"%s\" has no template",
                    shorten(q, sizeof q, p->pend.id));
    }
    bk_table *t = bk_doc_add_table(p->doc, tpl);
    if (!t || bk_table_set_labels(p->doc, t, p->pend.unit_label, p->pend.note) != BK_OK ||
        bk_table_set_money_unit(p->doc, t, p->pend.money_unit) != BK_OK)
        return nomem(p, pos);
    p->t = t;
    return 0;
}

/* A failure of the column list, at pos. */
static int column_fail(bkx_reader *p, bkx_pos pos, const bk_error *e)
{
    return e->code == BK_E_NOMEM ? nomem(p, pos) : fail(p, pos, e->code, "%s", e->text);
}

static int start_column(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    const char *v[2];
    char q[64];
    if (read_attrs(p, pos, E_COLUMN, el, v) || require(p, pos, E_COLUMN, "id", v[0]))
        return -1;
    int type = bk_column_type_parse(v[1]);
    if (type < 0 || (v[1] && !*v[1]))
        return fail(p, pos, BK_E_CONTENT, "column type \"%s\" is not amount, percent or text",
                    shorten(q, sizeof q, v[1]));
    if (!p->pend.cols && !(p->pend.cols = bk_column_list_new()))
        return nomem(p, pos);
    bk_error e = {0};
    if (bk_column_list_add(p->pend.cols, p->pend.base, v[0], type, &e) != BK_OK)
        return column_fail(p, pos, &e);
    return 0;
}

static int start_label(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    return read_attrs(p, pos, E_LABEL, el, NULL) ? -1 : start_text(p, pos);
}

static int end_label(bkx_reader *p, bkx_pos pos)
{
    bk_error e = {0};
    if (bk_column_list_label(p->pend.cols, p->text.p, &e) != BK_OK)
        return column_fail(p, pos, &e);
    return 0;
}

static int start_row(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    const char *v[7];
    char q[64];
    long level = 0, line;
    if (!p->t && make_table(p))
        return -1;
    p->row = p->t->nrows + 1;
    if (read_attrs(p, pos, E_ROW, el, v) || require(p, pos, E_ROW, "kind", v[0]) ||
        require(p, pos, E_ROW, "unit", v[1]))
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
    long row = bk_table_add_row(p->doc, p->t, (bk_row_kind)kind, unit, v[2], v[3],
                                v[4] ? v[4] : "", (int)level,
                                (uint32_t)(pos.line > 0 ? pos.line : 0));
    if (row < 0)
        return nomem(p, pos);
    p->rowi = (size_t)row;
    p->last_col = -1;
    return 0;
}

/* Cells come in the template's column order: try the column after the last one first. */
static int column_of(const bkx_reader *p, const bk_template *tpl, const char *id)
{
    size_t next = (size_t)(p->last_col + 1);
    if (next < tpl->ncolumns && strcmp(tpl->columns[next].id, id) == 0)
        return (int)next;
    return bk_template_column(tpl, id);
}

static int start_cell(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    const char *v[1];
    char q[64];
    const bk_template *tpl = p->t->tpl;
    if (read_attrs(p, pos, E_CELL, el, v) || require(p, pos, E_CELL, "column", v[0]))
        return -1;
    int col = column_of(p, tpl, v[0]);
    if (col < 0)
        return fail(p, pos, BK_E_CONTENT, "table %s has no column \"%s\"", tpl->id,
                    shorten(q, sizeof q, v[0]));
    if (bk_table_cell(p->t, p->rowi, (size_t)col)->kind != BK_CELL_EMPTY)
        return fail(p, pos, BK_E_CONTENT, "column \"%s\" appears twice in this row", v[0]);
    if (++p->cells > p->lim.max_cells)
        return fail(p, pos, BK_E_LIMIT, "the document holds more than %llu cells (max-cells)",
                    p->lim.max_cells);
    p->col = (size_t)col;
    p->last_col = col;
    return start_text(p, pos);
}

static int start_performance(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    const char *v[3];
    p->indicators = 0;
    if (read_attrs(p, pos, E_PERFORMANCE, el, v))
        return -1;
    return bk_doc_set_performance(p->doc, v[0], v[1], v[2]) == BK_OK ? 0 : nomem(p, pos);
}

static int start_goal(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    return read_attrs(p, pos, E_GOAL, el, NULL) || start_text(p, pos) ? -1 : 0;
}

static int start_indicator(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    const char *v[4];
    if (read_attrs(p, pos, E_INDICATOR, el, v))
        return -1;
    for (size_t i = 0; i < 4; i++)
        if (require(p, pos, E_INDICATOR, indicator_attrs[i], v[i]))
            return -1;
    return bk_doc_add_indicator(p->doc, v[0], v[1], v[2], v[3]) == BK_OK ? 0 : nomem(p, pos);
}

static int start_part(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    const char *v[1];
    if (read_attrs(p, pos, E_PART, el, v) || require(p, pos, E_PART, "title", v[0]))
        return -1;
    p->title = bk_doc_intern_cstr(p->doc, v[0]);
    if (!p->title)
        return nomem(p, pos);
    return start_text(p, pos);
}

/* Elements without attributes or checks of their own. */
static int start_plain(bkx_reader *p, bkx_pos pos, const bkx_el *el)
{
    return read_attrs(p, pos, p->stack[p->depth - 1].elem, el, NULL);
}

typedef int (*start_fn)(bkx_reader *p, bkx_pos pos, const bkx_el *el);
static const start_fn starts[E_COUNT] = {
    [E_BUDGETS] = start_budgets,       [E_BUDGET] = start_budget,
    [E_DEPARTMENT] = start_department, [E_UNITS] = start_plain,
    [E_PUBLICATION] = start_publication,
    [E_UNIT] = start_unit,             [E_TABLES] = start_plain,
    [E_TABLE] = start_table,           [E_ROW] = start_row,
    [E_COLUMN] = start_column,         [E_LABEL] = start_label,
    [E_CELL] = start_cell,             [E_PERFORMANCE] = start_performance,
    [E_GOAL] = start_goal,             [E_INDICATOR] = start_indicator,
    [E_NARRATIVE] = start_plain,       [E_PART] = start_part,
};

/* ---- the vocabulary: end tags ---- */

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

static int end_cell(bkx_reader *p, bkx_pos pos)
{
    const bk_column *column = &p->t->tpl->columns[p->col];
    bk_status st;
    if (column->type == BK_COL_TEXT) {
        st = bk_table_set_text(p->doc, p->t, p->rowi, p->col, p->text.p, p->text.len);
    } else {
        bk_decimal d;
        if (read_amount(p, pos, column->id, &d))
            return -1;
        st = bk_table_set_number(p->t, p->rowi, p->col, d);
    }
    return st == BK_OK ? 0 : core_fail(p, pos, st);
}

/* The whole <budget> is read: hand the document over. */
static int end_budget(bkx_reader *p, bkx_pos pos)
{
    for (size_t j = p->next_section; j < NSECTIONS; j++)
        if (section_required[j])
            return fail(p, pos, BK_E_CONTENT, "<budget> has no <%s>", elems[sections[j]].name);
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

static int end_element(bkx_reader *p, const bkx_frame *f)
{
    switch (f->elem) {
    case E_CELL:
        return end_cell(p, f->pos);
    case E_ROW:
        p->row = 0; /* what follows is not in that row */
        return 0;
    case E_TABLE:
        if (!p->t && make_table(p))
            return -1;
        p->t = NULL;
        p->table = NULL;
        p->row = 0;
        return 0;
    case E_LABEL:
        return end_label(p, f->pos);
    case E_GOAL:
        return bk_doc_add_goal(p->doc, p->text.p) == BK_OK ? 0 : nomem(p, f->pos);
    case E_PART:
        return bk_doc_add_narrative(p->doc, p->title, p->text.p) == BK_OK ? 0 : nomem(p, f->pos);
    case E_BUDGET:
        return end_budget(p, f->pos);
    default:
        return 0;
    }
}

/* ---- parser callbacks ---- */

/* After an error nothing more is parsed, and no callback comes. */
static void stop(bkx_reader *p)
{
    xmlStopParser(p->ctxt);
}

static int start_element(bkx_reader *p, const bkx_el *el)
{
    p->elements++;
    p->cur = element_pos(p);
    if (report_stray(p))
        return -1;
    if ((unsigned long long)p->depth + 1 > p->lim.max_depth)
        return fail(p, p->cur, BK_E_LIMIT,
                    "elements are nested deeper than %llu levels (max-depth)", p->lim.max_depth);
    int elem = child_kind(p, p->depth ? p->stack[p->depth - 1].elem : E_NONE, el);
    if (elem < 0)
        return -1;
    /* child_kind refuses every element below a cell, goal, part or childless element, so the
     * vocabulary's depth bounds the stack. */
    if (p->depth == BKX_STACK)
        return fail(p, p->cur, BK_E_INTERNAL, "the XML reader nests deeper than it can");
    p->stack[p->depth].elem = elem;
    p->stack[p->depth].pos = p->cur;
    p->depth++;
    return starts[elem](p, p->cur, el);
}

static void on_start(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri,
                     int nnamespaces, const xmlChar **namespaces, int nattrs, int ndefaulted,
                     const xmlChar **attrs)
{
    bkx_reader *p = ctx;
    bkx_el el = {local, prefix, uri, attrs, nattrs};
    (void)nnamespaces;
    (void)namespaces;
    (void)ndefaulted;
    if (!p->failed && start_element(p, &el))
        stop(p);
}

static void on_end(void *ctx, const xmlChar *local, const xmlChar *prefix, const xmlChar *uri)
{
    bkx_reader *p = ctx;
    (void)local;
    (void)prefix;
    (void)uri;
    if (p->failed || p->depth == 0)
        return;
    if (report_stray(p)) {
        stop(p);
        return;
    }
    bkx_frame f = p->stack[--p->depth];
    if (end_element(p, &f))
        stop(p);
}

static void on_text(void *ctx, const xmlChar *ch, int len)
{
    bkx_reader *p = ctx;
    if (p->failed || p->depth == 0 || len <= 0)
        return;
    const bkx_frame *f = &p->stack[p->depth - 1];
    if (!elems[f->elem].text)
        stray_text(p, ch, (size_t)len);
    else if (add_text(p, f, ch, (size_t)len))
        stop(p);
}

/* A CDATA section is text; where only elements belong it is reported on its own. */
static void on_cdata(void *ctx, const xmlChar *ch, int len)
{
    bkx_reader *p = ctx;
    if (p->failed || p->depth == 0 || len <= 0)
        return;
    if (elems[p->stack[p->depth - 1].elem].text) {
        on_text(ctx, ch, len);
        return;
    }
    if (report_stray(p))
        goto stopped;
    stray_text(p, ch, (size_t)len);
    if (report_stray(p))
        goto stopped;
    return;
stopped:
    stop(p);
}

/* Comments and processing instructions are ignored, but they end a run of text. */
static void on_comment(void *ctx, const xmlChar *value)
{
    bkx_reader *p = ctx;
    (void)value;
    if (!p->failed && report_stray(p))
        stop(p);
}

static void on_pi(void *ctx, const xmlChar *target, const xmlChar *data)
{
    (void)data;
    on_comment(ctx, target);
}

/* A DOCTYPE the lexer could not see (an encoding it cannot read): refused before its
 * internal subset is parsed. */
static void on_doctype(void *ctx, const xmlChar *name, const xmlChar *public_id,
                       const xmlChar *system_id)
{
    bkx_reader *p = ctx;
    bkx_pos pos = {p->ctxt->input ? p->ctxt->input->line : 0, 0};
    (void)name;
    (void)public_id;
    (void)system_id;
    refuse_input(p, pos, BK_E_HOSTILE, "%s", BKX_DOCTYPE_MSG);
    stop(p);
}

/* ---- the job ---- */

static int parse(bkx_reader *p)
{
    xmlSAXHandler sax = {.initialized = XML_SAX2_MAGIC,
                         .startElementNs = on_start,
                         .endElementNs = on_end,
                         .characters = on_text,
                         .ignorableWhitespace = on_text,
                         .cdataBlock = on_cdata,
                         .comment = on_comment,
                         .processingInstruction = on_pi,
                         .internalSubset = on_doctype,
                         .serror = on_xml_error};
    /* No getEntity, entityDecl, externalSubset or resolveEntity: nothing can be declared or
     * loaded, and the predefined entities are the parser's own. */

    /* The first four bytes tell the lexer and the parser the encoding. */
    long n = read_chunk(p, 4);
    if (n < 0)
        return -1;
    int head = n >= 4 ? 4 : 0;
    p->ctxt = xmlCreatePushParserCtxt(&sax, p, head ? (const char *)p->buf : NULL, head, p->name);
    if (!p->ctxt)
        return nomem(p, p->cur);
    xmlCtxtUseOptions(p->ctxt, BKX_PARSE_OPTIONS);
    intern_names(p);
    for (;;) {
        xmlParseChunk(p->ctxt, (const char *)p->buf + head, (int)(n - head), n == 0);
        if (p->failed || n == 0)
            break;
        head = 0;
        if ((n = read_chunk(p, 1)) < 0)
            break;
    }
    if (p->failed)
        return -1;
    if (p->depth > 0)
        return fail(p, p->stack[p->depth - 1].pos, BK_E_SYNTAX, "the document ends inside <%s>",
                    elems[p->stack[p->depth - 1].elem].name);
    if (!p->root_seen)
        return fail(p, p->cur, BK_E_SYNTAX, "malformed XML: the document holds no element");
    if (!p->ctxt->wellFormed)
        return fail(p, p->cur, BK_E_SYNTAX, "malformed XML: the document cannot be read");
    return 0;
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
    bkx_lex_init(&p->lex);
    /* The lexer's bound is a backstop for values libxml2 would refuse on its own past 10 MB
     * ("internal error: Huge input lookup"); below it the reader's own check names the
     * attribute and the element. */
    p->lex.max_attr = p->lim.max_string < (1u << 20) ? 1u << 20 : p->lim.max_string;
    if (p->lex.max_attr > BKX_PARSER_MAX_VALUE)
        p->lex.max_attr = BKX_PARSER_MAX_VALUE;
    p->status = BK_OK;
    int rc = parse(p);
    bk_status st = rc == 0 ? BK_OK : p->failed ? p->status : BK_E_INTERNAL;
    if (st == BK_E_INTERNAL)
        bk_error_set(err, st, "the XML reader stopped without saying why");
    if (p->ctxt)
        xmlFreeParserCtxt(p->ctxt);
    bk_doc_free(p->doc);
    bk_column_list_free(p->pend.cols);
    bkx_buf_free(&p->text);
    bkx_buf_free(&p->attrs);
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
