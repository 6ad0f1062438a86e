/* Shared code of the validator tests: the seed sample as a JSON tree to mutate, written to a
 * temporary file and validated through the core, and exact expectations on the findings. */
#ifndef VTEST_H
#define VTEST_H

#include <jansson.h>

#include "bktest.h"

#define SAMPLE "samples/dapeng-2024/budget.json"
#define DEPT "深圳市大鹏新区政务服务数据管理局"
#define SELF "深圳市大鹏新区政务服务数据管理局(本级)"

/* Severities as the expectations write them. */
#define E BK_SEV_ERROR
#define W BK_SEV_WARNING
#define R BK_SEV_ROUNDING
#define I BK_SEV_INFO

/* The seed sample, freshly loaded. */
json_t *vt_sample(void);

/* A table of a document tree; fails the test when absent. */
json_t *vt_table(json_t *doc, const char *id);
/* The first row whose code, else name, is key; "unit:ID" is the unit row of unit ID. Fails
 * when absent. */
json_t *vt_row(json_t *doc, const char *table, const char *key);
size_t vt_row_index(json_t *doc, const char *table, const char *key);
/* Set one cell (a decimal string, or text). */
void vt_set(json_t *doc, const char *table, const char *row, const char *column, const char *value);
/* Insert a row (stolen) after the row keyed `after`. */
void vt_insert_after(json_t *doc, const char *table, const char *after, json_t *row);
void vt_remove(json_t *doc, const char *table, const char *key);
/* value × k with the same printed decimals ("332" → "996"). */
char *vt_times(const char *value, int k);

/* Write a tree into this test's temporary folder; returns the path (valid until vt_cleanup). */
const char *vt_write(json_t *doc, const char *name);
void vt_cleanup(void);
/* vt_cleanup as a cmocka teardown, for the tests that write files. */
int vt_teardown(void **state);

/* Validate files with the validators in `only` (NULL: all but narrative) and options ("k", "v", ..., NULL). */
bk_report *vt_validate(const char *const *paths, size_t n, const char *only, ...);
bk_report *vt_validate_one(json_t *doc, const char *only, ...);

/* The seed as this test's tree: loaded by the first call, the same tree after. vt_teardown
 * releases it. */
json_t *vt_doc(void);
/* A fresh seed in place of the test's tree (pointers into the old one are no longer valid). */
json_t *vt_doc_again(void);
/* doc as the test's tree in place of the one before (ownership passes). */
json_t *vt_adopt(json_t *doc);
/* The test's tree validated by `only` (NULL: all but narrative) with no options; the report
 * lives until vt_teardown. */
bk_report *vt_check(const char *only);

/* An expected finding: severity -1 means any; document NULL means any. */
typedef struct vt_expect {
    const char *rule;
    int severity;
    const char *table, *row, *column;
    const char *document; /* base name of the file */
} vt_expect;

/* Every finding of the report is one of want[] (each matched exactly once) or a known finding
 * of the seed itself (its lost Table 3 beginning, its zero-base percentage). */
void vt_assert_findings(const bk_report *r, const vt_expect *want, size_t n);
/* EXPECT(r, {rule, severity, table, row, column, document}, ...): vt_assert_findings on a list. */
#define EXPECT(r, ...) vt_assert_findings(r, (const vt_expect[]){__VA_ARGS__}, \
                                          sizeof((const vt_expect[]){__VA_ARGS__}) / sizeof(vt_expect))
/* The report's one finding (besides the seed's own): EXPECT of that one, and the finding. */
const bk_finding *vt_expect_one(const bk_report *r, const vt_expect *e);
#define EXPECT_ONE(r, ...) vt_expect_one(r, &(const vt_expect)__VA_ARGS__)
/* The finding's messages in English and in Chinese are these, to the letter. */
void vt_expect_messages(const bk_finding *f, const char *en, const char *zh);
/* The finding matching e (fails unless exactly one does). */
const bk_finding *vt_find(const bk_report *r, const vt_expect *e);
void vt_print(const bk_report *r);

#endif
