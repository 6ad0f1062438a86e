/* Reading inputs on several threads while the calling thread converts or validates.
 *
 * Each input (a file, a folder read whole, an archive, standard input) is read by one reading
 * thread from start to end; reading threads take the next input as they finish one. What a
 * reader produces, documents and warnings, waits in that input's lane, and the calling thread
 * empties the lanes in input order: it sees the documents and warnings in exactly the order
 * a single-threaded read gives, so outputs, reports and messages are the same whatever the
 * number of threads. The calling thread alone runs exporters and validators, whose state
 * (the department = Σ units check across documents, an archive being written) needs no lock.
 *
 * Memory: readers wait while `limit` documents are read and not yet taken, except the reader
 * of the lane the calling thread is waiting on, which may hold up to `limit` on its own (else
 * readers ahead could fill the window and stop the one that is needed). */
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "budgetkit/alloc.h"
#include "hash.h"
#include "jobs.h"

typedef struct item {
    bk_doc *doc;          /* a document, or NULL for a warning */
    char *source;         /* the innermost input it was read from, for errors */
    const char *plugin;   /* its reader (static text of the plugin) */
    bk_diag diag;         /* a warning: file and message owned by the item */
    struct item *next;
} item;

typedef struct lane {
    item *head, *tail;
    size_t count;  /* documents waiting */
    int done;      /* the reader has finished this input */
    bk_status st;  /* how it finished */
    bk_error err;
} lane;

typedef struct pipeline {
    pthread_mutex_t mu;
    pthread_cond_t to_reader, to_consumer;
    bk_ctx *ctx;
    const char *const *inputs;
    const char *from;
    lane *lanes;
    size_t n;
    size_t next;     /* the next input a reader takes */
    size_t current;  /* the lane the calling thread empties */
    size_t waiting;  /* documents in all lanes */
    size_t limit;
    int stop;        /* the calling thread gave up: readers end */
} pipeline;

typedef struct reader_run {
    pipeline *p;
    size_t index;
    item *held; /* the last document, published at the next one or at the end */
    int failed; /* out of memory in a warning, reported when the input ends */
} reader_run;

static void item_free(item *it)
{
    if (!it)
        return;
    if (it->doc)
        bk_doc_free(it->doc);
    bk_free(it->source);
    bk_free((char *)it->diag.file);
    bk_free((char *)it->diag.message);
    bk_free(it);
}

static void lane_append(lane *l, item *it)
{
    if (l->tail)
        l->tail->next = it;
    else
        l->head = it;
    l->tail = it;
}

/* Hand the held document to the lane, waiting for room in the window. 0, or -1 when the job
 * stops (the document is then freed). */
static int publish(reader_run *r)
{
    item *it = r->held;
    if (!it)
        return 0;
    r->held = NULL;
    pipeline *p = r->p;
    lane *l = &p->lanes[r->index];
    pthread_mutex_lock(&p->mu);
    while (!p->stop && p->waiting >= p->limit && !(r->index == p->current && l->count < p->limit))
        pthread_cond_wait(&p->to_reader, &p->mu);
    int stop = p->stop;
    if (!stop) {
        lane_append(l, it);
        l->count++;
        p->waiting++;
        pthread_cond_signal(&p->to_consumer);
    }
    pthread_mutex_unlock(&p->mu);
    if (stop) {
        item_free(it);
        return -1;
    }
    return 0;
}

/* The document callback of a reading thread. The import machinery still looks at the
 * document after this returns, so it is published only when the next one comes. */
static bk_status reader_take(bk_doc *doc, void *user, bk_error *err)
{
    reader_run *r = user;
    if (publish(r) != 0)
        return bk_error_set(err, BK_E_USAGE, "stopped");
    item *it = bk_calloc(1, sizeof *it);
    const char *source, *plugin;
    bk_import_current(&source, &plugin);
    if (!it || !(it->source = bk_strdup(source ? source : r->p->inputs[r->index]))) {
        bk_free(it);
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    }
    it->plugin = plugin ? plugin : "";
    bk_doc_keep(doc);
    it->doc = doc;
    r->held = it;
    return BK_OK;
}

/* Warnings of a reading thread wait in its lane like documents (without counting towards
 * the window: they are small and the window must not stop a reader in a warning). */
static void reader_warn(const bk_diag *d, void *user)
{
    reader_run *r = user;
    if (d->kind != BK_DIAG_WARNING)
        return;
    item *it = bk_calloc(1, sizeof *it);
    if (!it) {
        r->failed = 1;
        return;
    }
    it->diag = *d;
    it->diag.file = d->file ? bk_strdup(d->file) : NULL;
    it->diag.message = bk_strdup(d->message ? d->message : "");
    if ((d->file && !it->diag.file) || !it->diag.message) {
        item_free(it);
        r->failed = 1;
        return;
    }
    /* The held document came before this warning: it goes first. */
    if (publish(r) != 0) {
        item_free(it);
        return;
    }
    pipeline *p = r->p;
    pthread_mutex_lock(&p->mu);
    lane_append(&p->lanes[r->index], it);
    pthread_cond_signal(&p->to_consumer);
    pthread_mutex_unlock(&p->mu);
}

static void read_one(pipeline *p, size_t i)
{
    lane *l = &p->lanes[i];
    reader_run r = {p, i, NULL, 0};
    bk_ctx_capture_diagnostics(reader_warn, &r);
    bk_status st;
    bk_source *src = bk_source_open(p->inputs[i], &l->err);
    if (!src) {
        st = l->err.code ? l->err.code : BK_E_IO;
    } else {
        size_t ndocs = 0;
        st = bk_run_import(p->ctx, src, p->from, 0, &ndocs, reader_take, &r, &l->err);
        bk_source_close(src);
    }
    if (st == BK_OK && publish(&r) != 0)
        st = BK_E_USAGE;
    if (st == BK_OK && r.failed)
        st = bk_error_set(&l->err, BK_E_NOMEM, "out of memory");
    bk_ctx_capture_diagnostics(NULL, NULL);
    item_free(r.held);
    pthread_mutex_lock(&p->mu);
    l->st = st;
    l->done = 1;
    pthread_cond_signal(&p->to_consumer);
    pthread_mutex_unlock(&p->mu);
}

static void *reader_main(void *arg)
{
    pipeline *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->mu);
        size_t i = p->next < p->n && !p->stop ? p->next++ : p->n;
        /* Standard input is read only once its turn has come: a job that stops before it
         * must not wait for a terminal, nor take what a later program would read. */
        while (i < p->n && strcmp(p->inputs[i], "-") == 0 && p->current != i && !p->stop)
            pthread_cond_wait(&p->to_reader, &p->mu);
        if (p->stop)
            i = p->n;
        pthread_mutex_unlock(&p->mu);
        if (i >= p->n)
            return NULL;
        read_one(p, i);
    }
}

/* The next item of lane i in order, NULL once the lane is finished. */
static item *take(pipeline *p, size_t i)
{
    lane *l = &p->lanes[i];
    pthread_mutex_lock(&p->mu);
    if (p->current != i) {
        p->current = i;
        pthread_cond_broadcast(&p->to_reader);
    }
    while (!l->head && !l->done)
        pthread_cond_wait(&p->to_consumer, &p->mu);
    item *it = l->head;
    if (it) {
        l->head = it->next;
        if (!l->head)
            l->tail = NULL;
        if (it->doc) {
            l->count--;
            p->waiting--;
            pthread_cond_broadcast(&p->to_reader);
        }
    }
    pthread_mutex_unlock(&p->mu);
    return it;
}

bk_status bk_read_inputs_parallel(bk_ctx *ctx, const char *const *inputs, size_t n,
                                  const char *from, size_t *input, bk_doc_fn fn, void *user,
                                  bk_error *err)
{
    unsigned jobs = bk_ctx_jobs(ctx);
    size_t nreaders = jobs > 1 ? jobs - 1 : 1;
    if (nreaders > n)
        nreaders = n;
    /* What is made on first use is made now, before threads share it: the hash key, the C
     * library's time zone (libzip converts entry times with mktime, whose first call sets
     * it up) and the templates. */
    (void)bk_hash_bytes("", 0);
    tzset();
    if (!bk_ctx_templates(ctx, err))
        return err->code ? err->code : BK_E_IO;
    pipeline p = {.ctx = ctx, .inputs = inputs, .from = from, .n = n, .limit = jobs > 1 ? jobs : 2};
    p.lanes = bk_calloc(n ? n : 1, sizeof *p.lanes);
    pthread_t *threads = bk_calloc(nreaders ? nreaders : 1, sizeof *threads);
    if (!p.lanes || !threads) {
        bk_free(p.lanes);
        bk_free(threads);
        return bk_error_set(err, BK_E_NOMEM, "out of memory");
    }
    for (size_t i = 0; i < n; i++)
        bk_error_clear(&p.lanes[i].err);
    pthread_mutex_init(&p.mu, NULL);
    pthread_cond_init(&p.to_reader, NULL);
    pthread_cond_init(&p.to_consumer, NULL);
    size_t started = 0;
    for (; started < nreaders; started++)
        if (pthread_create(&threads[started], NULL, reader_main, &p) != 0)
            break;
    bk_status st = BK_OK;
    if (started == 0)
        st = bk_error_set(err, BK_E_NOMEM, "cannot start a reading thread");
    for (size_t i = 0; i < n && st == BK_OK; i++) {
        *input = i;
        for (item *it; st == BK_OK && (it = take(&p, i)) != NULL; item_free(it)) {
            if (!it->doc) {
                bk_ctx_diagnose(ctx, &it->diag);
                continue;
            }
            bk_doc *doc = it->doc;
            it->doc = NULL;
            bk_doc_unkeep(doc);
            st = fn(doc, user, err);
            if (st != BK_OK)
                bk_import_decorate(err, st, it->source, it->plugin);
            if (!bk_doc_is_kept(doc))
                bk_doc_free(doc);
        }
        if (st == BK_OK && p.lanes[i].st != BK_OK) {
            *err = p.lanes[i].err;
            st = p.lanes[i].st;
        }
    }
    pthread_mutex_lock(&p.mu);
    p.stop = 1;
    pthread_cond_broadcast(&p.to_reader);
    pthread_mutex_unlock(&p.mu);
    for (size_t t = 0; t < started; t++)
        pthread_join(threads[t], NULL);
    for (size_t i = 0; i < n; i++)
        for (item *it = p.lanes[i].head, *next; it; it = next) {
            next = it->next;
            item_free(it);
        }
    pthread_cond_destroy(&p.to_consumer);
    pthread_cond_destroy(&p.to_reader);
    pthread_mutex_destroy(&p.mu);
    bk_free(threads);
    bk_free(p.lanes);
    return st;
}
