/* Inputs named on a command line, as a job reads them. */
#ifndef BK_INPUTS_H
#define BK_INPUTS_H

#include "budgetkit/context.h"

/* The inputs with every folder that no importer reads as a whole (as the CSV reader reads a
 * folder of wide tables) replaced by the files in it, in name order. Free with
 * bk_inputs_free. */
bk_status bk_inputs_expand(bk_ctx *ctx, const char *const *inputs, size_t n, const char *from,
                           char ***out, size_t *nout, bk_error *err);
void bk_inputs_free(char **list, size_t n);

/* Every input ("-" aside) exists, checked before anything is written; else BK_E_IO naming the
 * first that does not. */
bk_status bk_inputs_exist(const char *const *inputs, size_t n, bk_error *err);

/* 1 when an output path names a folder: one that ends with a slash, or an existing folder. */
int bk_output_is_folder(const char *path);

/* BK_E_USAGE with message, placed at path, when path names an existing file that one of the
 * inputs ("-" aside) names too, by another name or the same: writing there would replace an
 * input. BK_OK otherwise. */
bk_status bk_inputs_refuse_output(const char *const *inputs, size_t n, const char *path,
                                  const char *message, bk_error *err);

#endif
