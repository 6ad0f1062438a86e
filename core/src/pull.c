/* Documents pulled from inputs one at a time.
 *
 * Readers push documents through a callback from inside their parse, so a job that walks two
 * inputs together (diff: each document of B against its counterpart of A) cannot ask one of
 * them for "the next document". Here the inputs are read on a second thread whose callback
 * hands each document over and then waits for the next request. The two threads take turns
 * and never run at once: diagnostics reach the program in one order, the allocation count of
 * a test that fails the Nth allocation goes on where the other thread left it, and nothing of
 * the library is used by both at the same time. The cost is one document read ahead (a
 * document is handed over only when the next one arrives, because the import machinery
 * still looks at a document after the callback returns, as in parallel.c). */
#include <pthread.h>
#include <string.h>

#include "budgetkit/alloc.h"
#include "jobs.h"

enum { CALLER, READER };

struct bk_pull {
    pthread_mutex_t mu;
    pthread_cond_t cv;
    pthread_t thread;
    bk_ctx *ctx;
    const char *const *inputs;
    size_t n;
    const char *from;
    int turn;     /* whose turn it is to run */
    int stop;     /* the caller closes: the reader unwinds */
    int done;     /* the reader has finished */
    bk_status st; /* how it finished */
    bk_error err;
    bk_doc *ready;       /* handed to the caller */
    bk_doc *held;        /* the reader's last document, handed over at the next */
    unsigned long calls; /* allocations counted so far, carried from thread to thread */
};

/* With p->mu held: waits for the reader's turn, lets go of the mutex and takes over the
 * allocation count the caller carried; 1 when the caller stopped instead. */
static int reader_turn(bk_pull *p)
{
    while (p->turn != READER && !p->stop)
        pthread_cond_wait(&p->cv, &p->mu);
    int stop = p->stop;
    unsigned long calls = p->calls;
    pthread_mutex_unlock(&p->mu);
    if (!stop)
        bk_alloc_set_count(calls);
    return stop;
}

/* The reader's side: give the caller its turn (with doc, or NULL at the end) and wait for
 * ours. 0, or -1 when the caller closes. */
static int yield_to_caller(bk_pull *p, bk_doc *doc)
{
    pthread_mutex_lock(&p->mu);
    p->ready = doc;
    p->calls = bk_alloc_count();
    p->turn = CALLER;
    pthread_cond_broadcast(&p->cv);
    return reader_turn(p) ? -1 : 0;
}

static bk_status reader_give(bk_doc *doc, void *user, bk_error *err)
{
    bk_pull *p = user;
    bk_doc *prev = p->held;
    p->held = NULL;
    if (prev && yield_to_caller(p, prev) != 0)
        return bk_error_set(err, BK_E_USAGE, "stopped");
    bk_doc_keep(doc);
    p->held = doc;
    return BK_OK;
}

static void *reader_main(void *arg)
{
    bk_pull *p = arg;
    pthread_mutex_lock(&p->mu);
    bk_status st = BK_E_USAGE;
    if (!reader_turn(p)) {
        st = bk_read_inputs(p->ctx, p->inputs, p->n, p->from, reader_give, p, &p->err);
        bk_doc *last = p->held;
        p->held = NULL;
        if (st == BK_OK && last && yield_to_caller(p, last) != 0)
            st = BK_E_USAGE;
    }
    bk_doc_free(p->held);
    p->held = NULL;
    pthread_mutex_lock(&p->mu);
    p->st = st;
    p->done = 1;
    p->ready = NULL;
    p->calls = bk_alloc_count();
    p->turn = CALLER;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    return NULL;
}

bk_pull *bk_pull_open(bk_ctx *ctx, const char *const *inputs, size_t n, const char *from,
                      bk_error *err)
{
    bk_pull *p = bk_calloc(1, sizeof *p);
    if (!p) {
        bk_error_set(err, BK_E_NOMEM, "out of memory");
        return NULL;
    }
    p->ctx = ctx;
    p->inputs = inputs;
    p->n = n;
    p->from = from;
    p->turn = CALLER;
    bk_error_clear(&p->err);
    pthread_mutex_init(&p->mu, NULL);
    pthread_cond_init(&p->cv, NULL);
    if (pthread_create(&p->thread, NULL, reader_main, p) != 0) {
        pthread_cond_destroy(&p->cv);
        pthread_mutex_destroy(&p->mu);
        bk_free(p);
        return NULL;
    }
    return p;
}

bk_status bk_pull_next(bk_pull *p, bk_doc **doc, bk_error *err)
{
    *doc = NULL;
    pthread_mutex_lock(&p->mu);
    if (!p->done) {
        p->calls = bk_alloc_count();
        p->turn = READER;
        pthread_cond_broadcast(&p->cv);
        while (p->turn != CALLER)
            pthread_cond_wait(&p->cv, &p->mu);
        bk_alloc_set_count(p->calls);
    }
    *doc = p->ready;
    p->ready = NULL;
    bk_status st = *doc || p->st == BK_OK ? BK_OK : p->st;
    if (st != BK_OK)
        *err = p->err;
    pthread_mutex_unlock(&p->mu);
    return st;
}

void bk_pull_close(bk_pull *p)
{
    if (!p)
        return;
    pthread_mutex_lock(&p->mu);
    p->stop = 1;
    pthread_cond_broadcast(&p->cv);
    pthread_mutex_unlock(&p->mu);
    pthread_join(p->thread, NULL);
    bk_doc_free(p->ready);
    pthread_cond_destroy(&p->cv);
    pthread_mutex_destroy(&p->mu);
    bk_free(p);
}
