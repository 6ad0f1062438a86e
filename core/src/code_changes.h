/* What the classification catalogue says changed from one year's list to the next: codes
 * renamed, recoded, split or merged (formats/catalog/changes/README.md). diff --years names
 * them for the codes the two budgets print. */
#ifndef BK_CODE_CHANGES_H
#define BK_CODE_CHANGES_H

#include <stddef.h>

#include "budgetkit/error.h"

typedef struct bk_code_change {
    int year;         /* the year of the catalogue the change takes effect in */
    char *scheme, *old_code, *old_name, *new_code, *new_name, *change, *source;
} bk_code_change;

typedef struct bk_code_changes {
    bk_code_change *v;
    size_t n, cap;
} bk_code_changes;

/* Every *.csv of a folder, in name order; a folder that does not exist holds none. */
bk_status bk_code_changes_load_dir(bk_code_changes *c, const char *dir, bk_error *err);
/* One file; errors name it, the line and the column. */
bk_status bk_code_changes_load(bk_code_changes *c, const char *path, bk_error *err);
/* Renamings read off the code catalogue itself (formats/catalog/README.md): every code that
 * the lists of two consecutive years of one scheme both hold, under names that differ as
 * printed labels, is a `renamed` change of the later year, unless c already holds one. Lists
 * are the folder's *-YYYY.csv files (the year after the last '-' or '_'), then user's file
 * (NULL for none), whose scheme and year replace the folder's; files without a year are
 * skipped. */
bk_status bk_code_changes_from_catalogue(bk_code_changes *c, const char *dir, const char *user,
                                         bk_error *err);
void bk_code_changes_free(bk_code_changes *c);

#endif
