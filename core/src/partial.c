/* Split-and-merge validation (formats/partial.md): `validate --partial FILE` writes the state of
 * the cross-document rules instead of running them, `validate --merge PART...` reads the parts
 * back and runs those rules as a whole run would have after its last document.
 *
 * The host owns the file's frame (a header naming the format version and the validators, one
 * line per record wrapped with the validator's name, an end line counting the records) so that
 * a truncated, foreign or mixed file is refused before any validator sees a record; what a
 * record holds is the validator's own. */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "budgetkit/alloc.h"
#include "jobs.h"

#define PARTIAL_VERSION 1

struct bk_partial_out {
    bk_sink *sink;
    unsigned long long records;
    int failed;
};

bk_partial_out *bk_partial_open(const char *path, bk_error *err)
{
    bk_partial_out *out = bk_calloc(1, sizeof *out);
    if (!out) {
        bk_error_set(err, BK_E_NOMEM, "out of memory");
        return NULL;
    }
    out->sink = bk_sink_open_file(path, err);
    if (!out->sink) {
        bk_free(out);
        return NULL;
    }
    return out;
}

static int put(bk_partial_out *out, const char *s)
{
    if (!out->failed && bk_sink_puts(out->sink, s) != BK_OK)
        out->failed = 1;
    return out->failed ? -1 : 0;
}

/* A JSON string, escaped by jansson so that any name is written as valid JSON. */
static int put_string(bk_partial_out *out, const char *s)
{
    json_t *j = json_string(s);
    char *text = j ? json_dumps(j, JSON_ENCODE_ANY | JSON_COMPACT) : NULL;
    json_decref(j);
    if (!text)
        return out->failed = 1, -1;
    int rc = put(out, text);
    bk_free(text);
    return rc;
}

bk_status bk_partial_header(bk_partial_out *out, const char *const *names, size_t n,
                            bk_error *err)
{
    char head[64];
    snprintf(head, sizeof head, "{\"budgetkit_partial\":%d,\"validators\":[", PARTIAL_VERSION);
    put(out, head);
    for (size_t i = 0; i < n; i++) {
        if (i)
            put(out, ",");
        put_string(out, names[i]);
    }
    if (put(out, "]}\n") != 0)
        return bk_error_set(err, BK_E_IO, "cannot write the partial file");
    return BK_OK;
}

bk_status bk_partial_write(bk_partial_out *out, const char *validator, const char *json)
{
    /* One record a line: a newline inside would split it. */
    if (strchr(json, '\n') || strchr(json, '\r'))
        return BK_E_INTERNAL;
    put(out, "{\"validator\":");
    put_string(out, validator);
    put(out, ",\"record\":");
    put(out, json);
    if (put(out, "}\n") != 0)
        return BK_E_IO;
    out->records++;
    return BK_OK;
}

bk_status bk_partial_close(bk_partial_out *out, int ok, size_t documents, bk_error *err)
{
    if (!out)
        return BK_OK;
    bk_status st = BK_OK;
    if (ok) {
        char end[96];
        snprintf(end, sizeof end, "{\"end\":{\"records\":%llu,\"documents\":%zu}}\n",
                 out->records, documents);
        if (put(out, end) != 0)
            st = bk_error_set(err, BK_E_IO, "cannot write the partial file");
        else
            st = bk_sink_commit(out->sink, err);
    } else {
        bk_sink_abort(out->sink);
    }
    if (st != BK_OK && ok)
        bk_sink_abort(out->sink);
    bk_free(out);
    return st;
}

/* ---- merge ---- */

typedef struct merger {
    const bk_plugin_desc *desc;
    bk_validation job;
} merger;

typedef struct merge_run {
    bk_ctx *ctx;
    bk_report *report;
    bk_error *err;
    merger *m;
    size_t n;
    char **names; /* the first file's validators, in its order */
    size_t nnames;
    size_t documents;
} merge_run;

static bk_status fail_at(bk_error *err, const char *file, long line, bk_status code,
                         const char *fmt, const char *arg)
{
    bk_error_set(err, code, fmt, arg);
    bk_error_at(err, file, line, 0, -1);
    return code;
}

/* One line into *buf, without its newline. 1 read, 0 at the end, -1 a line without its
 * newline (a cut file), -2 longer than max, -3 read error, -4 out of memory. */
static int read_line(FILE *f, char **buf, size_t *cap, size_t *len, unsigned long long max)
{
    *len = 0;
    for (;;) {
        int c = getc(f);
        if (c == EOF) {
            if (ferror(f))
                return -3;
            return *len ? -1 : 0;
        }
        if (c == '\n')
            break;
        if (*len >= max)
            return -2;
        void *p = *buf;
        if (bk_grow(&p, cap, *len + 2, 1) != 0)
            return -4;
        *buf = p;
        (*buf)[(*len)++] = (char)c;
    }
    void *p = *buf;
    if (bk_grow(&p, cap, *len + 1, 1) != 0)
        return -4;
    *buf = p;
    (*buf)[*len] = '\0';
    return 1;
}

static json_t *parse_line(const char *text, size_t len, const char *file, long line,
                          bk_error *err)
{
    json_error_t je;
    json_t *j = json_loadb(text, len, JSON_REJECT_DUPLICATES, &je);
    if (!j) {
        bk_error_set(err, BK_E_SYNTAX, "not a line of a partial file: %s", je.text);
        bk_error_at(err, file, line, je.column > 0 ? je.column : 0, -1);
        return NULL;
    }
    if (!json_is_object(j)) {
        json_decref(j);
        fail_at(err, file, line, BK_E_SYNTAX, "%s", "not a line of a partial file: a JSON "
                "object is expected");
        return NULL;
    }
    return j;
}

/* The header: the version this budgetkit reads and the validators that wrote the file. The
 * first file chooses the validators; every other must name the same. */
static bk_status read_header(merge_run *r, json_t *h, const char *file)
{
    json_t *v = json_object_get(h, "budgetkit_partial");
    if (!v)
        return fail_at(r->err, file, 1, BK_E_CONTENT, "%s", "not a budgetkit partial file "
                       "(written by 'budgetkit validate --partial')");
    if (!json_is_integer(v) || json_integer_value(v) != PARTIAL_VERSION) {
        char what[64];
        if (json_is_integer(v))
            snprintf(what, sizeof what, "%lld", (long long)json_integer_value(v));
        else
            snprintf(what, sizeof what, "%s", "not a number");
        bk_error_set(r->err, BK_E_CONTENT, "partial file version %s; this budgetkit reads "
                     "version %d", what, PARTIAL_VERSION);
        bk_error_at(r->err, file, 1, 0, -1);
        return BK_E_CONTENT;
    }
    json_t *names = json_object_get(h, "validators");
    if (!json_is_array(names) || json_object_size(h) != 2)
        return fail_at(r->err, file, 1, BK_E_CONTENT, "%s", "the header of a partial file "
                       "holds budgetkit_partial and a list of validators, nothing else");
    size_t n = json_array_size(names);
    for (size_t i = 0; i < n; i++)
        if (!json_is_string(json_array_get(names, i)))
            return fail_at(r->err, file, 1, BK_E_CONTENT, "%s", "a validator's name is not a "
                           "string");
    if (r->names) {
        int same = n == r->nnames;
        for (size_t i = 0; same && i < n; i++)
            same = strcmp(json_string_value(json_array_get(names, i)), r->names[i]) == 0;
        if (!same)
            return fail_at(r->err, file, 1, BK_E_CONTENT, "written by other validators than "
                           "the first partial file (give every part the same --only/--skip)%s",
                           "");
        return BK_OK;
    }
    r->names = bk_calloc(n + 1, sizeof *r->names);
    r->m = bk_calloc(n + 1, sizeof *r->m);
    if (!r->names || !r->m)
        return bk_error_set(r->err, BK_E_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++) {
        const char *name = json_string_value(json_array_get(names, i));
        if (!(r->names[i] = bk_strdup(name)))
            return bk_error_set(r->err, BK_E_NOMEM, "out of memory");
        r->nnames++;
        const bk_plugin_desc *d = bk_ctx_plugin_find(r->ctx, name);
        if (!d || !(d->kinds & BK_PLUGIN_VALIDATE))
            return fail_at(r->err, file, 1, BK_E_CONTENT, "written with the validator '%s', "
                           "which is not loaded here (see budgetkit plugins)", name);
        if (d->abi_minor < 2 || !d->partial_read)
            continue; /* no cross-document state: nothing to merge */
        r->m[r->n].desc = d;
        r->m[r->n].job = (bk_validation){r->ctx, r->report, r->err, NULL, NULL, NULL, d->name,
                                         NULL};
        r->n++;
    }
    return BK_OK;
}

static bk_status read_record(merge_run *r, json_t *j, const char *file, long line)
{
    json_t *name = json_object_get(j, "validator"), *rec = json_object_get(j, "record");
    if (!json_is_string(name) || !json_is_object(rec) || json_object_size(j) != 2)
        return fail_at(r->err, file, line, BK_E_CONTENT, "%s", "a record line holds a validator's "
                       "name and its record (an object), nothing else");
    merger *m = NULL;
    for (size_t i = 0; i < r->n && !m; i++)
        if (strcmp(r->m[i].desc->name, json_string_value(name)) == 0)
            m = &r->m[i];
    if (!m)
        return fail_at(r->err, file, line, BK_E_CONTENT, "a record of the validator '%s', which "
                       "the header does not name or which keeps no partial state",
                       json_string_value(name));
    char *text = json_dumps(rec, JSON_COMPACT | JSON_PRESERVE_ORDER);
    if (!text)
        return bk_error_set(r->err, BK_E_NOMEM, "out of memory");
    bk_status st = m->desc->partial_read(&m->job, text, file, line);
    bk_free(text);
    if (st != BK_OK) {
        if (!r->err->code)
            bk_error_set(r->err, st, "the %s validator cannot read its record", m->desc->name);
        if (!r->err->file[0])
            bk_error_at(r->err, file, line, 0, -1);
        if (!r->err->plugin[0])
            snprintf(r->err->plugin, sizeof r->err->plugin, "%s", m->desc->name);
    }
    return st;
}

static bk_status read_end(merge_run *r, json_t *j, const char *file, long line,
                          unsigned long long records)
{
    json_t *end = json_object_get(j, "end");
    json_t *nrec = json_object_get(end, "records"), *ndoc = json_object_get(end, "documents");
    if (json_object_size(j) != 1 || !json_is_integer(nrec) || !json_is_integer(ndoc) ||
        json_integer_value(ndoc) < 0)
        return fail_at(r->err, file, line, BK_E_CONTENT, "%s", "the end line holds the number "
                       "of records and documents, nothing else");
    if ((unsigned long long)json_integer_value(nrec) != records) {
        char why[96];
        snprintf(why, sizeof why, "%lld records, but %llu are before it",
                 (long long)json_integer_value(nrec), records);
        return fail_at(r->err, file, line, BK_E_CONTENT, "the end line counts %s", why);
    }
    r->documents += (size_t)json_integer_value(ndoc);
    return BK_OK;
}

static bk_status read_part(merge_run *r, const char *file)
{
    FILE *f = fopen(file, "rb");
    if (!f) {
        bk_error_set(r->err, BK_E_IO, "cannot open: %s", strerror(errno));
        bk_error_at(r->err, file, 0, 0, -1);
        return BK_E_IO;
    }
    /* A record describes one document: no line may be longer than one input may be. */
    unsigned long long max = bk_ctx_limits(r->ctx)->max_input_bytes;
    char *buf = NULL;
    size_t cap = 0, len = 0;
    unsigned long long records = 0;
    long line = 0;
    int ended = 0;
    bk_status st = BK_OK;
    while (st == BK_OK) {
        int rc = read_line(f, &buf, &cap, &len, max);
        if (rc == 0)
            break;
        line++;
        if (rc == -1) {
            st = fail_at(r->err, file, line, BK_E_CONTENT, "%s", "truncated: the last line ends "
                         "without its newline");
            break;
        }
        if (rc == -2) {
            st = fail_at(r->err, file, line, BK_E_LIMIT, "%s", "a line longer than "
                         "max-input-bytes");
            break;
        }
        if (rc == -3) {
            st = bk_error_set(r->err, BK_E_IO, "cannot read: %s", strerror(errno));
            bk_error_at(r->err, file, line, 0, -1);
            break;
        }
        if (rc == -4) {
            st = bk_error_set(r->err, BK_E_NOMEM, "out of memory");
            break;
        }
        if (ended) {
            st = fail_at(r->err, file, line, BK_E_CONTENT, "%s", "a line after the end line");
            break;
        }
        json_t *j = parse_line(buf, len, file, line, r->err);
        if (!j) {
            st = r->err->code ? r->err->code : BK_E_SYNTAX;
            break;
        }
        if (line == 1)
            st = read_header(r, j, file);
        else if (json_object_get(j, "end"))
            st = read_end(r, j, file, line, records), ended = 1;
        else
            st = read_record(r, j, file, line), records++;
        json_decref(j);
    }
    if (st == BK_OK && line == 0)
        st = fail_at(r->err, file, 1, BK_E_CONTENT, "%s", "empty: not a partial file");
    else if (st == BK_OK && !ended)
        st = fail_at(r->err, file, line, BK_E_CONTENT, "%s", "truncated: the file ends without "
                     "its end line");
    bk_free(buf);
    fclose(f);
    return st;
}

bk_status bk_validate_merge(bk_ctx *ctx, const char *const *parts, size_t nparts,
                            bk_report *report, bk_error *err)
{
    merge_run r = {ctx, report, err, NULL, 0, NULL, 0, 0};
    bk_status st = nparts ? BK_OK : bk_error_set(err, BK_E_USAGE, "no partial file given");
    for (size_t i = 0; i < nparts && st == BK_OK; i++)
        st = read_part(&r, parts[i]);
    for (size_t i = 0; i < r.n && st == BK_OK; i++)
        if (r.m[i].desc->validate_end) {
            st = r.m[i].desc->validate_end(&r.m[i].job);
            if (st != BK_OK && !err->plugin[0])
                snprintf(err->plugin, sizeof err->plugin, "%s", r.m[i].desc->name);
        }
    /* The report counts the documents of the parts, as the whole run's would. */
    for (size_t i = 0; i < r.documents && st == BK_OK; i++)
        bk_report_count_document(report);
    for (size_t i = 0; i < r.n; i++)
        if (r.m[i].job.free_state)
            r.m[i].job.free_state(r.m[i].job.state);
    for (size_t i = 0; i < r.nnames; i++)
        bk_free(r.names[i]);
    bk_free(r.names);
    bk_free(r.m);
    return st;
}
