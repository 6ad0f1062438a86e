/* A stream written first and copied out at the end: an HTML page's body, drawn while the
 * summary that comes before it is still being counted; the JSON report's findings, which
 * follow the counts. A temporary file, or memory when no temporary file can be made. */
#ifndef BK_SPOOL_H
#define BK_SPOOL_H

#include <stddef.h>
#include <stdio.h>

typedef struct bk_spool {
    FILE *f; /* written to; NULL when not open */
    int in_memory;
    char *mem; /* the memory stream's buffer, set by the C library */
    size_t mem_len;
} bk_spool;

/* 0, or -1 when neither a temporary file nor a memory stream can be opened. */
int bk_spool_open(bk_spool *s);
/* What was written, copied to out: 0, or -1 when it could not be read back. */
int bk_spool_copy(bk_spool *s, FILE *out);
/* Closes an open spool; nothing for one that is not. */
void bk_spool_close(bk_spool *s);

#endif
