/* The classification code catalogue (formats/catalog/) and the structure of codes. */
#ifndef BK_CODES_CATALOG_H
#define BK_CODES_CATALOG_H

#include <stddef.h>

#include "budgetkit/error.h"

/* Schemes, as the catalogue's `scheme` column names them. */
#define BKCODES_FUNCTION "function"   /* 支出功能分类: 类 3, 款 5, 项 7 digits */
#define BKCODES_ECON_DEPT "econ_dept" /* 部门预算支出经济分类: 类 3, 款 5 (30x...) */
#define BKCODES_ECON_GOV "econ_gov"   /* 政府预算支出经济分类: 类 3, 款 5 (50x...) */

typedef struct bkcodes_entry {
    char *scheme, *code, *name, *source;
    int level;        /* 1 类, 2 款, 3 项 */
    const char *file; /* path of the file it came from */
    long line;
    int year;         /* the year of the list it came from (its file's name), 0 when unsaid */
} bkcodes_entry;

typedef struct bkcodes_level {
    char *scheme;
    int level;
    int complete;
} bkcodes_level;

typedef struct bkcodes_catalog {
    bkcodes_entry *entries;
    size_t n, cap;
    bkcodes_level *levels;
    size_t nlevels, caplevels;
    char **files; /* paths, owned */
    size_t nfiles, capfiles;
    int sorted;
} bkcodes_catalog;

void bkcodes_init(bkcodes_catalog *c);
void bkcodes_free(bkcodes_catalog *c);

/* Parse one catalogue CSV (header scheme,code,name,level,source; UTF-8, optional BOM, quoted
 * fields as in RFC 4180). A bad file is an error naming it, the line and the column. */
bk_status bkcodes_load_csv(bkcodes_catalog *c, const char *path, bk_error *err);
/* Parse a completeness file (header scheme,level,complete; complete is yes or no). */
bk_status bkcodes_load_levels(bkcodes_catalog *c, const char *path, bk_error *err);
/* Every *.csv of a folder in name order, levels.csv being the completeness file. */
bk_status bkcodes_load_dir(bkcodes_catalog *c, const char *dir, bk_error *err);
/* dir/name, allocated with bk_malloc; NULL when out of memory. */
char *bkcodes_join(const char *dir, const char *name);
/* A user's full catalogue: for each scheme it holds, it replaces the loaded entries of that
 * scheme, and every level it has codes on counts as complete. */
bk_status bkcodes_load_user(bkcodes_catalog *c, const char *path, bk_error *err);

/* Sort for lookups and refuse a code listed twice with two names. Called after loading. */
bk_status bkcodes_finish(bkcodes_catalog *c, bk_error *err);

const bkcodes_entry *bkcodes_find(const bkcodes_catalog *c, const char *scheme, const char *code);
/* 1 complete, 0 declared incomplete or not declared, -1 when the catalogue has no code of
 * that scheme at all. */
int bkcodes_level_complete(const bkcodes_catalog *c, const char *scheme, int level);

/* The year a catalogue file's name gives: four digits after the last '-' or '_', right before
 * the extension (function-2024.csv → 2024); 0 when the name says none. */
int bkcodes_file_year(const char *path);

/* The year of a scheme's list (of its first entry), 0 when unsaid or absent. */
int bkcodes_scheme_year(const bkcodes_catalog *c, const char *scheme);

/* Level of a code in a scheme: 1..3 for a well-formed code (ASCII digits of an allowed
 * length), 0 otherwise. */
int bkcodes_code_level(const char *scheme, const char *code);
/* The scheme a template's row_key implies for a code: function → function; economic →
 * econ_gov for 5xx codes, else econ_dept. NULL when the row key carries no codes. */
const char *bkcodes_scheme_for(const char *row_key, const char *code);
/* "类", "款", "项" (English: "class", "item", "sub-item"). */
const char *bkcodes_level_name(int level);
const char *bkcodes_level_name_en(int level);
/* 类/款/项 or 1/2/3 → 1..3; 0 when neither. */
int bkcodes_level_parse(const char *s);

#endif
