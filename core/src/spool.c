#define _POSIX_C_SOURCE 200809L /* open_memstream */
#include "spool.h"

#include <stdlib.h>

int bk_spool_open(bk_spool *s)
{
    *s = (bk_spool){tmpfile(), 0, NULL, 0};
    if (!s->f) {
        s->f = open_memstream(&s->mem, &s->mem_len);
        s->in_memory = 1;
    }
    return s->f ? 0 : -1;
}

int bk_spool_copy(bk_spool *s, FILE *out)
{
    if (s->in_memory) {
        if (fflush(s->f) != 0) /* sets mem and mem_len; fails when out of memory */
            return -1;
        fwrite(s->mem, 1, s->mem_len, out);
        return 0;
    }
    char buf[65536];
    size_t got;
    rewind(s->f);
    while ((got = fread(buf, 1, sizeof buf, s->f)) > 0)
        fwrite(buf, 1, got, out);
    return ferror(s->f) ? -1 : 0;
}

void bk_spool_close(bk_spool *s)
{
    if (s->f)
        fclose(s->f);
    free(s->mem); /* open_memstream's buffer comes from malloc */
    *s = (bk_spool){0};
}
