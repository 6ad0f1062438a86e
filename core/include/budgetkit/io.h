/* Inputs and outputs. A source is something to read (a file, standard input, an archive
 * entry, a buffer); a sink is somewhere to write that only appears when it is complete:
 * a file sink writes to a temporary file in the same folder, syncs it and renames it over the
 * destination on commit, so a failure leaves no partial file and keeps any existing one. */
#ifndef BUDGETKIT_IO_H
#define BUDGETKIT_IO_H

#include "api.h"

#include <stddef.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How much of an input the probe sees. */
#define BK_PROBE_BYTES 4096

typedef struct bk_source bk_source;

/* path "-" is standard input. A folder opens as a folder source (bk_source_is_dir). */
BK_API bk_source *bk_source_open(const char *path, bk_error *err);
/* A buffer the caller keeps alive while the source is open. name is used in messages. */
BK_API bk_source *bk_source_open_memory(const char *name, const void *data, size_t len, bk_error *err);
BK_API void bk_source_close(bk_source *src);

BK_API const char *bk_source_name(const bk_source *src);
/* Filesystem path when the source is a file or folder on disk, else NULL. */
BK_API const char *bk_source_path(const bk_source *src);
BK_API int bk_source_is_dir(const bk_source *src);
/* The first bytes (up to BK_PROBE_BYTES) without consuming them. */
BK_API const unsigned char *bk_source_head(const bk_source *src, size_t *len);
/* Read up to n bytes; returns the count, 0 at the end, -1 on error (see bk_source_error). */
BK_API long bk_source_read(bk_source *src, void *buf, size_t n);
/* The whole remaining input in memory (the source keeps ownership), refused with BK_E_LIMIT
 * beyond max_bytes (0 = no bound). */
BK_API bk_status bk_source_slurp(bk_source *src, size_t max_bytes, const unsigned char **data,
                                 size_t *len, bk_error *err);
BK_API const bk_error *bk_source_error(const bk_source *src);

typedef struct bk_sink bk_sink;

/* path "-" is standard output (written through, no atomicity possible). */
BK_API bk_sink *bk_sink_open_file(const char *path, bk_error *err);
/* A folder that appears complete on commit; members are created inside it. */
BK_API bk_sink *bk_sink_open_dir(const char *path, bk_error *err);
/* A growing buffer (tests, archive members). */
BK_API bk_sink *bk_sink_open_memory(const char *name, bk_error *err);
BK_API const char *bk_sink_name(const bk_sink *sink);
BK_API int bk_sink_is_dir(const bk_sink *sink);

/* Writes are buffered; the first failure sticks and is reported by later calls and commit. */
BK_API bk_status bk_sink_write(bk_sink *sink, const void *data, size_t len);
BK_API bk_status bk_sink_puts(bk_sink *sink, const char *s);
BK_API bk_status bk_sink_printf(bk_sink *sink, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Bytes written so far. */
BK_API unsigned long long bk_sink_tell(const bk_sink *sink);
/* Memory sinks: the bytes written so far. */
BK_API const unsigned char *bk_sink_memory(const bk_sink *sink, size_t *len);

/* A file inside a folder sink (relname without "..", absolute parts or backslashes). */
BK_API bk_sink *bk_sink_member(bk_sink *dir, const char *relname, bk_error *err);

/* Finish: flush, sync, rename into place. Frees the sink in every case. */
BK_API bk_status bk_sink_commit(bk_sink *sink, bk_error *err);
/* Give up: remove what was written, keep what was there. Frees the sink. */
BK_API void bk_sink_abort(bk_sink *sink);

/* The names of the files in dir ending in suffix (any file when NULL), without hidden ones,
 * sorted bytewise. Free with bk_dir_list_free. BK_E_IO when dir cannot be opened. */
BK_API bk_status bk_dir_list(const char *dir, const char *suffix, char ***names, size_t *n,
                      bk_error *err);
BK_API void bk_dir_list_free(char **names, size_t n);

/* Remove every temporary output still on disk (from a signal handler: it neither allocates
 * nor locks). */
BK_API void bk_sink_remove_temporaries(void);

/* Safe relative path for an archive entry or member: no "..", no absolute path, no drive
 * letter, no backslash, no empty or control-character component. */
BK_API int bk_path_is_safe(const char *relname);

#ifdef __cplusplus
}
#endif
#endif
