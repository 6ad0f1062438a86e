/* Writing budgets as XML.
 *
 * The output is a function of the documents alone: fixed element and attribute order (that of
 * formats/xml.md), two-space indentation, UTF-8 with only the characters XML requires escaped,
 * no timestamps. libxml2's text writer streams into the sink, so a bulk export holds one
 * document at a time.
 *
 * One document is written as a <budget> root, several as a <budgets> root. Which one is
 * known only when a second document arrives or the job ends, so the first document is kept
 * serialised both ways until then; from the second on everything streams. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <libxml/xmlwriter.h>

#include <budgetkit/alloc.h>

#include "xml_internal.h"

#define BKX_DECL "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"

typedef struct bkx_writer {
    xmlTextWriterPtr w;
    bk_sink *sink;
    bk_error *err;
    int failed;
    bk_status status;
    bk_status sink_status; /* the first refusal of the sink */
    int lines;    /* write each row's source line */
    bkx_buf esc;  /* scratch for escaped text */
    const char *table;
    size_t row;
} bkx_writer;

typedef struct bkx_export {
    size_t ndocs;
    int lines;
    bk_sink *single; /* the first document as a <budget> root */
    bk_sink *bulk;   /* the first document as a child of <budgets> */
    bkx_writer out;  /* on the job's sink, once there is a second document */
    int out_open;
} bkx_export;

static int wfail(bkx_writer *o, bk_status code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int wfail(bkx_writer *o, bk_status code, const char *fmt, ...)
{
    if (o->failed)
        return -1;
    va_list ap;
    va_start(ap, fmt);
    bk_error_setv(o->err, code, fmt, ap);
    va_end(ap);
    if (o->table && o->row)
        bk_error_where(o->err, "table %s, row %zu", o->table, o->row);
    else if (o->table)
        bk_error_where(o->err, "table %s", o->table);
    o->failed = 1;
    o->status = code;
    return -1;
}

/* A writer call failed: either the sink refused the bytes or libxml2 ran out of memory. */
static int checked(bkx_writer *o, int rc)
{
    if (rc >= 0)
        return 0;
    if (o->sink_status != BK_OK && o->sink_status != BK_E_NOMEM)
        return wfail(o, o->sink_status, "cannot write to %s", bk_sink_name(o->sink));
    return wfail(o, BK_E_NOMEM, "out of memory");
}

static int sink_write_cb(void *ctx, const char *buf, int len)
{
    bkx_writer *o = ctx;
    bk_status st = len < 0 ? BK_E_INTERNAL : bk_sink_write(o->sink, buf, (size_t)len);
    if (st != BK_OK) {
        if (o->sink_status == BK_OK)
            o->sink_status = st;
        return -1;
    }
    return len;
}

static int sink_close_cb(void *ctx)
{
    (void)ctx; /* the sink belongs to the host or to the export state */
    return 0;
}

static int writer_open(bkx_writer *o, bk_sink *sink, bk_error *err, int lines)
{
    memset(o, 0, sizeof *o);
    o->sink = sink;
    o->err = err;
    o->lines = lines;
    xmlOutputBufferPtr out = xmlOutputBufferCreateIO(sink_write_cb, sink_close_cb, o, NULL);
    if (out)
        o->w = xmlNewTextWriter(out);
    if (!o->w) {
        if (out)
            xmlOutputBufferClose(out);
        return wfail(o, BK_E_NOMEM, "out of memory");
    }
    return 0;
}

/* Flush and free; returns -1 when anything failed, now or before. */
static int writer_close(bkx_writer *o)
{
    if (o->w) {
        if (!o->failed)
            checked(o, xmlTextWriterFlush(o->w));
        xmlFreeTextWriter(o->w);
        o->w = NULL;
    }
    bkx_buf_free(&o->esc);
    return o->failed ? -1 : 0;
}

static int raw(bkx_writer *o, const char *s, size_t len)
{
    /* the writer takes int lengths */
    while (len > 0) {
        int n = len > (1u << 20) ? (1 << 20) : (int)len;
        if (checked(o, xmlTextWriterWriteRawLen(o->w, (const xmlChar *)s, n)))
            return -1;
        s += n;
        len -= (size_t)n;
    }
    return 0;
}

static int indent(bkx_writer *o, int depth)
{
    static const char spaces[] = "\n                ";
    size_t n = 1 + 2 * (size_t)depth;
    return raw(o, spaces, n < sizeof spaces ? n : sizeof spaces - 1);
}

static int open_elem(bkx_writer *o, int depth, const char *name)
{
    if (depth > 0 && indent(o, depth))
        return -1;
    return checked(o, xmlTextWriterStartElement(o->w, (const xmlChar *)name));
}

/* End an element; one that holds elements gets its end tag on a line of its own. */
static int close_elem(bkx_writer *o, int depth, int has_children)
{
    if (has_children && indent(o, depth))
        return -1;
    return checked(o, xmlTextWriterEndElement(o->w));
}

static int check_text(bkx_writer *o, const char *elem, const char *attr, const char *s)
{
    long bad;
    if (bkx_text_ok(s, &bad))
        return 0;
    char what[96];
    if (attr)
        snprintf(what, sizeof what, "attribute \"%s\" of <%s>", attr, elem);
    else
        snprintf(what, sizeof what, "the text of <%s>", elem);
    if (bad < 0)
        return wfail(o, BK_E_ENCODING, "%s is not valid UTF-8", what);
    return wfail(o, BK_E_CONTENT, "%s holds U+%04lX, a character XML 1.0 cannot carry", what, bad);
}

/* Attributes are escaped here rather than by libxml2, whose writer turns every non-ASCII
 * character of an attribute into a character reference. */
static int attr(bkx_writer *o, const char *elem, const char *name, const char *value)
{
    if (!value)
        return 0;
    if (check_text(o, elem, name, value))
        return -1;
    if (bkx_escape(&o->esc, value, 1))
        return wfail(o, BK_E_NOMEM, "out of memory");
    if (checked(o, xmlTextWriterStartAttribute(o->w, (const xmlChar *)name)) ||
        raw(o, o->esc.p, o->esc.len))
        return -1;
    return checked(o, xmlTextWriterEndAttribute(o->w));
}

static int attr_long(bkx_writer *o, const char *elem, const char *name, long v)
{
    char buf[24];
    snprintf(buf, sizeof buf, "%ld", v);
    return attr(o, elem, name, buf);
}

static int text(bkx_writer *o, const char *elem, const char *s)
{
    if (check_text(o, elem, NULL, s))
        return -1;
    if (bkx_escape(&o->esc, s, 0))
        return wfail(o, BK_E_NOMEM, "out of memory");
    return raw(o, o->esc.p, o->esc.len);
}

/* <elem>text</elem>, or <elem/> for empty text. */
static int text_elem(bkx_writer *o, int depth, const char *elem, const char *name,
                     const char *value, const char *s)
{
    if (open_elem(o, depth, elem) || attr(o, elem, name, value) || text(o, elem, s))
        return -1;
    return close_elem(o, depth, 0);
}

static int write_units(bkx_writer *o, const bk_doc *doc, int depth)
{
    if (open_elem(o, depth, "units"))
        return -1;
    for (size_t i = 0; i < doc->nunits; i++) {
        const bk_unit *u = &doc->units[i];
        const char *parent = u->parent >= 0 && (size_t)u->parent < doc->nunits
                                 ? doc->units[u->parent].id
                                 : NULL;
        if (open_elem(o, depth + 1, "unit") || attr(o, "unit", "id", u->id) ||
            attr(o, "unit", "kind", bk_unit_kind_name((bk_unit_kind)u->kind)) ||
            attr(o, "unit", "parent", parent) || attr(o, "unit", "name", u->name) ||
            close_elem(o, depth + 1, 0))
            return -1;
    }
    return close_elem(o, depth, doc->nunits > 0);
}

static int write_row(bkx_writer *o, const bk_doc *doc, const bk_table *t, size_t r, int depth)
{
    const bk_row *row = &t->rows[r];
    const char *unit = row->unit < doc->nunits ? doc->units[row->unit].id : "";
    int cells = 0;
    o->row = r + 1;
    if (open_elem(o, depth, "row") ||
        attr(o, "row", "kind", bk_row_kind_name((bk_row_kind)row->kind)) ||
        attr(o, "row", "unit", unit) || attr(o, "row", "section", row->section) ||
        attr(o, "row", "code", row->code) || attr(o, "row", "name", row->name ? row->name : "") ||
        (row->level > 0 && attr_long(o, "row", "level", row->level)) ||
        (o->lines && row->line > 0 && attr_long(o, "row", "line", (long)row->line)))
        return -1;
    for (size_t c = 0; c < t->tpl->ncolumns; c++) {
        const bk_cell *cell = bk_table_cell(t, r, c);
        const char *column = t->tpl->columns[c].id;
        char num[BK_DECIMAL_BUFSIZE];
        if (cell->kind == BK_CELL_EMPTY)
            continue;
        if (cell->kind == BK_CELL_NUMBER)
            bk_decimal_format(bk_cell_decimal(cell), 0, num, sizeof num);
        if (text_elem(o, depth + 1, "cell", "column", column,
                      cell->kind == BK_CELL_NUMBER ? num : cell->v.text))
            return -1;
        cells++;
    }
    return close_elem(o, depth, cells > 0);
}

static int unit_of_measure(bkx_writer *o, const char *elem, const char *unit);

/* The columns of a layout the document defines: those beyond its installed template
 * (extra_1...), or all of them for a table no layout knows. */
static int write_columns(bkx_writer *o, const bk_template *tpl, size_t from, int depth)
{
    for (size_t c = from; c < tpl->ncolumns; c++) {
        const bk_column *col = &tpl->columns[c];
        if (open_elem(o, depth, "column") || attr(o, "column", "id", col->id) ||
            attr(o, "column", "type", bk_column_type_name(col->type)))
            return -1;
        for (size_t k = 0; k < col->path_len; k++)
            if (text_elem(o, depth + 1, "label", NULL, NULL, col->path[k]))
                return -1;
        if (close_elem(o, depth, col->path_len > 0))
            return -1;
    }
    return 0;
}

static int write_tables(bkx_writer *o, const bk_doc *doc, int depth)
{
    if (open_elem(o, depth, "tables"))
        return -1;
    for (size_t i = 0; i < doc->ntables; i++) {
        const bk_table *t = doc->tables[i];
        o->table = t->tpl->id;
        o->row = 0;
        const bk_template *tpl = t->tpl;
        const char *family = tpl->family && *tpl->family ? tpl->family : NULL;
        int generic;
        size_t from = bk_template_defined_from(tpl, &generic);
        int defines = from < tpl->ncolumns;
        if (open_elem(o, depth + 1, "table") || attr(o, "table", "id", tpl->id) ||
            attr(o, "table", "layout", family) ||
            attr(o, "table", "title", generic ? tpl->title : NULL) ||
            attr(o, "table", "unit-label", t->unit_label) || attr(o, "table", "note", t->note) ||
            attr(o, "table", "money-unit", t->money_unit) ||
            (t->money_unit && unit_of_measure(o, "table", t->money_unit)) ||
            (defines && write_columns(o, tpl, from, depth + 2)))
            return -1;
        for (size_t r = 0; r < t->nrows; r++)
            if (write_row(o, doc, t, r, depth + 2))
                return -1;
        if (close_elem(o, depth + 1, t->nrows > 0 || defines))
            return -1;
    }
    o->table = NULL;
    o->row = 0;
    return close_elem(o, depth, doc->ntables > 0);
}

static int write_performance(bkx_writer *o, const bk_performance *pf, int depth)
{
    if (!pf->present)
        return 0;
    if (open_elem(o, depth, "performance") ||
        attr(o, "performance", "unit-name", pf->unit_name) ||
        attr(o, "performance", "supervisor", pf->supervisor) ||
        attr(o, "performance", "period", pf->period))
        return -1;
    for (size_t i = 0; i < pf->ngoals; i++)
        if (text_elem(o, depth + 1, "goal", NULL, NULL, pf->goals[i]))
            return -1;
    for (size_t i = 0; i < pf->nindicators; i++) {
        const bk_indicator *ind = &pf->indicators[i];
        if (open_elem(o, depth + 1, "indicator") ||
            attr(o, "indicator", "level1", ind->level1 ? ind->level1 : "") ||
            attr(o, "indicator", "level2", ind->level2 ? ind->level2 : "") ||
            attr(o, "indicator", "level3", ind->level3 ? ind->level3 : "") ||
            attr(o, "indicator", "target", ind->target ? ind->target : "") ||
            close_elem(o, depth + 1, 0))
            return -1;
    }
    return close_elem(o, depth, pf->ngoals + pf->nindicators > 0);
}

static int write_narrative(bkx_writer *o, const bk_doc *doc, int depth)
{
    if (doc->nnarrative == 0)
        return 0;
    if (open_elem(o, depth, "narrative"))
        return -1;
    for (size_t i = 0; i < doc->nnarrative; i++) {
        const bk_text_part *part = &doc->narrative[i];
        if (text_elem(o, depth + 1, "part", "title", part->title ? part->title : "",
                      part->text ? part->text : ""))
            return -1;
    }
    return close_elem(o, depth, 1);
}

/* What a printed money unit stands for, for readers that do not know 万元: the ISO 4217
 * currency and SDMX's UNIT_MULT (the power of ten). */
static int unit_of_measure(bkx_writer *o, const char *elem, const char *unit)
{
    int mult = bk_money_unit_mult(unit);
    if (mult < 0)
        return 0;
    return attr(o, elem, "currency", "CNY") || attr_long(o, elem, "unit-mult", mult);
}

/* One <budget> element at the given depth; the root one declares the namespace. */
static int write_budget(bkx_writer *o, const bk_doc *doc, int depth)
{
    if (open_elem(o, depth, "budget") || (depth == 0 && attr(o, "budget", "xmlns", BKX_NS)) ||
        attr(o, "budget", "version", "1") ||
        attr_long(o, "budget", "fiscal-year", doc->fiscal_year) ||
        attr(o, "budget", "money-unit", doc->money_unit) ||
        unit_of_measure(o, "budget", doc->money_unit) ||
        attr_long(o, "budget", "precision", doc->precision))
        return -1;
    if (open_elem(o, depth + 1, "department") ||
        attr(o, "department", "name", doc->dept_name ? doc->dept_name : "") ||
        attr(o, "department", "code", doc->dept_code) || close_elem(o, depth + 1, 0))
        return -1;
    const bk_publication *pub = &doc->publication;
    if ((pub->publisher || pub->source || pub->source_path || pub->license) &&
        (open_elem(o, depth + 1, "publication") ||
         attr(o, "publication", "publisher", pub->publisher) ||
         attr(o, "publication", "source", pub->source) ||
         attr(o, "publication", "source-path", pub->source_path) ||
         attr(o, "publication", "license", pub->license) || close_elem(o, depth + 1, 0)))
        return -1;
    if (write_units(o, doc, depth + 1) || write_tables(o, doc, depth + 1) ||
        write_performance(o, &doc->performance, depth + 1) ||
        write_narrative(o, doc, depth + 1))
        return -1;
    return close_elem(o, depth, 1);
}

/* Serialise one document into a sink of its own: a whole file (depth 0) or the <budget>
 * element of a bulk file (depth 1). */
static int write_standalone(bk_sink *sink, const bk_doc *doc, int depth, int lines, bk_error *err)
{
    bkx_writer o;
    if (writer_open(&o, sink, err, lines))
        return -1;
    if (depth == 0 && raw(&o, BKX_DECL, strlen(BKX_DECL)) == 0 &&
        write_budget(&o, doc, 0) == 0)
        raw(&o, "\n", 1);
    else if (depth > 0)
        write_budget(&o, doc, depth);
    return writer_close(&o);
}

static int option_on(const char *v)
{
    return v && (strcmp(v, "yes") == 0 || strcmp(v, "true") == 0 || strcmp(v, "1") == 0);
}

bk_status bkx_export_begin(bk_export *job)
{
    bkx_export *x = bk_calloc(1, sizeof *x);
    if (!x)
        return bk_error_set(bk_export_error(job), BK_E_NOMEM, "out of memory");
    x->lines = option_on(bk_export_option(job, "lines"));
    bk_export_set_state(job, x);
    return BK_OK;
}

static bk_status status_of(bk_export *job)
{
    bk_status code = bk_export_error(job)->code;
    return code != BK_OK ? code : BK_E_INTERNAL;
}

/* The second document arrived: start the <budgets> root and put the first one in it. */
static int start_bulk(bk_export *job, bkx_export *x)
{
    size_t len;
    bkx_writer *o = &x->out;
    if (writer_open(o, bk_export_sink(job), bk_export_error(job), x->lines))
        return -1;
    x->out_open = 1;
    const unsigned char *first = bk_sink_memory(x->bulk, &len);
    if (raw(o, BKX_DECL, strlen(BKX_DECL)) || open_elem(o, 0, "budgets") ||
        attr(o, "budgets", "xmlns", BKX_NS) || raw(o, (const char *)first, len))
        return -1;
    bk_sink_abort(x->single);
    bk_sink_abort(x->bulk);
    x->single = x->bulk = NULL;
    return 0;
}

static bk_status export_doc(bk_export *job, const bk_doc *doc)
{
    bkx_export *x = bk_export_state(job);
    bk_error *err = bk_export_error(job);
    int rc;
    if (x->ndocs == 0) {
        x->single = bk_sink_open_memory("first document", err);
        x->bulk = bk_sink_open_memory("first document", err);
        if (!x->single || !x->bulk)
            return status_of(job);
        rc = write_standalone(x->single, doc, 0, x->lines, err) ||
             write_standalone(x->bulk, doc, 1, x->lines, err);
    } else {
        if (x->ndocs == 1 && start_bulk(job, x))
            return x->out.status ? x->out.status : status_of(job);
        rc = write_budget(&x->out, doc, 1);
        if (rc)
            return x->out.status;
    }
    if (rc)
        return status_of(job);
    x->ndocs++;
    return BK_OK;
}

static int finish(bk_export *job, bkx_export *x)
{
    bk_sink *sink = bk_export_sink(job);
    bk_error *err = bk_export_error(job);
    if (x->ndocs == 1) {
        size_t len;
        const unsigned char *bytes = bk_sink_memory(x->single, &len);
        bk_status st = bk_sink_write(sink, bytes, len);
        if (st != BK_OK)
            bk_error_set(err, st, "cannot write to %s", bk_sink_name(sink));
        return st == BK_OK ? 0 : -1;
    }
    if (x->ndocs == 0) {
        /* an empty bulk rather than no file, so that the output is always well-formed */
        bkx_writer o;
        if (writer_open(&o, sink, err, 0))
            return -1;
        if (raw(&o, BKX_DECL, strlen(BKX_DECL)) == 0 && open_elem(&o, 0, "budgets") == 0 &&
            attr(&o, "budgets", "xmlns", BKX_NS) == 0 && close_elem(&o, 0, 0) == 0)
            raw(&o, "\n", 1);
        return writer_close(&o);
    }
    x->out_open = 0;
    if (close_elem(&x->out, 0, 1) == 0)
        raw(&x->out, "\n", 1);
    return writer_close(&x->out);
}

static bk_status export_end(bk_export *job, int ok)
{
    bkx_export *x = bk_export_state(job);
    bk_status st = BK_OK;
    if (!x)
        return ok ? bk_error_set(bk_export_error(job), BK_E_INTERNAL, "export was not begun") : BK_OK;
    if (ok && finish(job, x))
        st = status_of(job);
    if (x->out_open)
        writer_close(&x->out);
    if (x->single)
        bk_sink_abort(x->single);
    if (x->bulk)
        bk_sink_abort(x->bulk);
    bk_free(x);
    bk_export_set_state(job, NULL);
    return st;
}

bk_status bkx_export_doc(bk_export *job, const bk_doc *doc)
{
    bkx_quiet q;
    bkx_quiet_begin(&q);
    bk_status st = export_doc(job, doc);
    bkx_quiet_end(&q);
    return st;
}

bk_status bkx_export_end(bk_export *job, int ok)
{
    bkx_quiet q;
    bkx_quiet_begin(&q);
    bk_status st = export_end(job, ok);
    bkx_quiet_end(&q);
    return st;
}
