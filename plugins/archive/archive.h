/* Shared between the parts of the archive plugin. Not a public interface: every name carries
 * the bkar_ prefix so that plugins linked statically into one program do not collide. */
#ifndef BK_ARCHIVE_ARCHIVE_H
#define BK_ARCHIVE_ARCHIVE_H

#include <budgetkit/budgetkit.h>

/* The Data Package descriptor, at the root of the archive. */
#define BKAR_MANIFEST "datapackage.json"
/* Version of the archive contract in formats/archive.md. */
#define BKAR_VERSION 1

/* What 32- and 16-bit ZIP fields can say; beyond them the writer adds the ZIP64 end records. */
#define BKAR_ZIP32_MAX 0xFFFFFFFFull
#define BKAR_ZIP_MAX_ENTRIES 0xFFFFu

/* A format documents can be stored in, named like the plugin that reads and writes it. */
typedef struct bkar_format {
    const char *name;      /* plugin name, manifest "format" and file extension */
    const char *mediatype; /* manifest "mediatype" */
} bkar_format;

/* The format with this name or extension (case-insensitive), NULL when it is not one. */
const bkar_format *bkar_format_find(const char *name);
/* The format a member name's extension says, NULL when it has none of them. */
const bkar_format *bkar_format_of_path(const char *path);

/* Length of a well-formed UTF-8 sequence at s (at most n bytes), 0 when it is not one. */
size_t bkar_utf8_sequence(const unsigned char *s, size_t n);
/* Whether the n bytes at s are UTF-8 (a manifest is JSON, and jansson refuses anything else;
 * entry names are UTF-8 or else GB18030). */
int bkar_is_utf8(const unsigned char *s, size_t n);

/* CRC-32 of ZIP (zlib's crc32), for any length. */
uint32_t bkar_crc32(const unsigned char *data, size_t len);

bk_status bkar_import(bk_import *job);
bk_status bkar_export_begin(bk_export *job);
bk_status bkar_export_doc(bk_export *job, const bk_doc *doc);
bk_status bkar_export_end(bk_export *job, int ok);

#endif
