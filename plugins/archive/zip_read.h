/* A ZIP reader that walks the central directory as a stream.
 *
 * libzip keeps every entry of the central directory in memory (about 450 bytes an entry), so
 * an archive of a million unit budgets cost hundreds of MiB before the first document was read.
 * This reader keeps one record at a time: what the archive reader needs to remember of each
 * entry is its own business (archive_import.c keeps 24 bytes). It reads ZIP and ZIP64 archives
 * on one disk, stored and deflated entries; everything else is reported, not guessed. Offsets
 * and lengths from the file are checked against the file before they are used.
 */
#ifndef BK_ARCHIVE_ZIP_READ_H
#define BK_ARCHIVE_ZIP_READ_H

#include <stddef.h>
#include <stdint.h>

typedef enum bkar_zip_status {
    BKAR_ZIP_OK = 0,
    BKAR_ZIP_END,       /* bkar_zip_next: no more entries */
    BKAR_ZIP_NOZIP,     /* no end of central directory record */
    BKAR_ZIP_INCONS,    /* the central directory does not match the file */
    BKAR_ZIP_MULTIDISK, /* split over several files */
    BKAR_ZIP_NOMEM,
    BKAR_ZIP_IO,        /* a read failed (errno) */
    BKAR_ZIP_LOCAL,     /* an entry's local header is missing or damaged */
    BKAR_ZIP_TRUNCATED, /* an entry's data runs past the end of its space in the file */
    BKAR_ZIP_DAMAGED    /* an entry's compressed data is damaged */
} bkar_zip_status;

typedef struct bkar_zip bkar_zip;

/* One central directory record. The entry owns its name buffer, reused from call to call;
 * release it with bkar_zip_entry_fini. */
typedef struct bkar_zip_entry {
    uint64_t index;  /* position in the central directory, from 0 */
    uint64_t record; /* offset of its central directory record in the file */
    uint64_t local;  /* offset of its local header */
    uint64_t size, csize;
    uint32_t crc;
    uint32_t external; /* external attributes (Unix mode in the high half) */
    uint16_t made_by;  /* high byte: the system that made it (3: Unix) */
    uint16_t flags, method;
    char *name;      /* UTF-8 (converted from GB18030 when the bytes are not UTF-8) */
    size_t name_len; /* bytes of name before its terminating NUL; a NUL inside ends it early */
    int name_bad;    /* the name is neither UTF-8 nor GB18030, or holds a NUL */
    size_t name_cap;
} bkar_zip_entry;

/* Opens a regular file, or a buffer that must outlive the reader. */
bkar_zip_status bkar_zip_open_file(const char *path, bkar_zip **out);
bkar_zip_status bkar_zip_open_memory(const unsigned char *data, size_t len, bkar_zip **out);
void bkar_zip_close(bkar_zip *z);

/* Entries the end of central directory record declares. */
uint64_t bkar_zip_count(const bkar_zip *z);

/* Walking the directory in order: rewind, then next until BKAR_ZIP_END. */
void bkar_zip_rewind(bkar_zip *z);
bkar_zip_status bkar_zip_next(bkar_zip *z, bkar_zip_entry *e);
/* The record at an offset bkar_zip_next gave as e->record, with its index; the walk is not
 * disturbed. */
bkar_zip_status bkar_zip_entry_at(bkar_zip *z, uint64_t record, uint64_t index,
                                  bkar_zip_entry *e);
void bkar_zip_entry_fini(bkar_zip_entry *e);

/* An entry's data as a stream: open, read until 0 (end) or -1 (*st says why), close. The
 * bytes are inflated as they come; sizes and CRC are the caller's to check. Several streams
 * may be open at once. */
typedef struct bkar_zip_stream bkar_zip_stream;
bkar_zip_status bkar_zip_stream_open(bkar_zip *z, const bkar_zip_entry *e,
                                     bkar_zip_stream **out);
long bkar_zip_stream_read(bkar_zip_stream *s, unsigned char *buf, size_t cap,
                          bkar_zip_status *st);
void bkar_zip_stream_close(bkar_zip_stream *s);

/* errno of the last BKAR_ZIP_IO. */
int bkar_zip_errno(const bkar_zip *z);

#endif
