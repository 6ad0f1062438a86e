/* One allocator for the whole library, with a counter that tests use to fail the Nth call. */
#include "budgetkit/alloc.h"

#include <stdatomic.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "jobs.h"

/* Fault injection is a test facility for one thread: the count of calls is the calling
 * thread's (threads of a parallel job neither race on it nor share a cache line), the
 * failures are the program's. */
static unsigned long fail_at;
static _Thread_local unsigned long calls;
static atomic_int failed;
static atomic_ulong failures; /* injected or real, since the program started */

void bk_alloc_fail_at(unsigned long n)
{
    fail_at = n;
    calls = 0;
    atomic_store(&failed, 0);
}

unsigned long bk_alloc_count(void) { return calls; }
void bk_alloc_set_count(unsigned long n) { calls = n; }
int bk_alloc_failed(void) { return atomic_load(&failed); }
unsigned long bk_alloc_failures(void) { return atomic_load(&failures); }

/* Counting real failures too lets a caller notice a library that swallowed one. */
static void *counted(void *p)
{
    if (!p) {
        atomic_fetch_add(&failures, 1);
        atomic_store(&failed, 1);
    }
    return p;
}

static int should_fail(void)
{
    calls++;
    if (fail_at != 0 && calls == fail_at) {
        atomic_store(&failed, 1);
        atomic_fetch_add(&failures, 1);
        return 1;
    }
    return 0;
}

void *bk_malloc(size_t n)
{
    if (should_fail())
        return NULL;
    return counted(malloc(n ? n : 1));
}

void *bk_calloc(size_t count, size_t size)
{
    if (should_fail())
        return NULL;
    return counted(calloc(count ? count : 1, size ? size : 1));
}

void *bk_realloc(void *p, size_t n)
{
    if (should_fail())
        return NULL;
    return counted(realloc(p, n ? n : 1));
}

void bk_free(void *p) { free(p); }

char *bk_strndup(const char *s, size_t n)
{
    char *d = bk_malloc(n + 1);
    if (d) {
        memcpy(d, s, n);
        d[n] = '\0';
    }
    return d;
}

char *bk_strdup(const char *s) { return bk_strndup(s, strlen(s)); }

int bk_grow(void **buf, size_t *cap, size_t need, size_t elem)
{
    if (need <= *cap)
        return 0;
    size_t ncap = *cap ? *cap : 8;
    while (ncap < need) {
        if (ncap > SIZE_MAX / 2)
            return -1;
        ncap *= 2;
    }
    if (elem && ncap > SIZE_MAX / elem)
        return -1;
    void *nb = bk_realloc(*buf, ncap * elem);
    if (!nb)
        return -1;
    *buf = nb;
    *cap = ncap;
    return 0;
}
