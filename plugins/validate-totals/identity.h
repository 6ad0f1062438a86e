/* The identities a document was checked against, kept as equations over its cells so that
 * the explanation (explain.c) can look for the cell whose correction makes them all hold.
 *
 * Every check the totals validator makes on one document is recorded, whatever its verdict:
 * a correction must not break an identity that holds. Sums and equalities are linear
 * (total − Σ ±parts, within a rounding bound); a 其中 row is an inequality; a percentage is
 * checked again with the rounding rule itself. */
#ifndef BK_TOTALS_IDENTITY_H
#define BK_TOTALS_IDENTITY_H

#include <stddef.h>
#include <stdint.h>

#include "budgetkit/budgetkit.h"
#include "rounding.h"

typedef enum bktot_ikind {
    BKTOT_I_SUM,    /* roles: 0 total, 1 part, 2 subtracted part */
    BKTOT_I_EQUAL,  /* roles: 0 the figure, 1 the same figure printed elsewhere */
    BKTOT_I_SUBSET, /* roles: 0 the 其中 part, 1 its whole */
    BKTOT_I_PERCENT /* roles: 0 result, 1 numerator, 2 denominator */
} bktot_ikind;

typedef struct bktot_icell {
    uint32_t table; /* index into the document's tables */
    uint32_t row;
    uint32_t col;
    bk_decimal value; /* printed value; changed only while a correction is tried */
} bktot_icell;

typedef struct bktot_iterm {
    uint32_t cell;
    uint8_t role;
} bktot_iterm;

typedef struct bktot_ident {
    uint8_t kind;    /* bktot_ikind */
    uint8_t usable;  /* 0: too large to compute with, never touched */
    uint8_t violated; /* inconsistent beyond rounding when checked */
    const char *rule; /* finding rule id */
    size_t first, nterms; /* terms[first .. first + nterms) */
    uint32_t where;       /* cell index of the finding's location, UINT32_MAX when blank */
    uint32_t where_table, where_row, where_col;
    size_t finding; /* id of the finding reported for it, 0 when none */
    /* Linear identities: total − Σ ±parts in units of 10^-scale, held when 2·|diff| <= bound2. */
    int32_t scale;
    __int128 diff;
    __int128 bound2;
} bktot_ident;

/* An identity a cell takes part in, with the cell's coefficient in it (linear kinds). */
typedef struct bktot_inc {
    uint32_t ident;
    int32_t coef;
    uint8_t role;
} bktot_inc;

typedef struct bktot_ids {
    const bk_doc *doc;
    size_t *base;  /* per table: offset of its cells in map; the block holds map too */
    uint32_t *map; /* dense cell index → cell number + 1 */
    size_t mapsize;
    bktot_icell *cells;
    size_t ncells, capcells;
    bktot_iterm *terms;
    size_t nterms, capterms;
    bktot_ident *ids;
    size_t nids, capids;
    /* After bktot_ids_index: the identities of cell c are inc[incfirst[c] .. incend[c]);
     * incend and inc are in incfirst's block. */
    size_t *incfirst, *incend;
    bktot_inc *inc;
    int failed; /* an allocation failed: nothing is explained */
    int open;   /* an identity is being recorded */
} bktot_ids;

int bktot_ids_begin(bktot_ids *x, const bk_doc *doc);
void bktot_ids_free(bktot_ids *x);

/* Record one identity: open, a term for each printed cell, close with the finding's cell
 * (the total) and the id of the finding reported for it (0: none). */
void bktot_ids_open(bktot_ids *x, bktot_ikind kind, const char *rule);
void bktot_ids_term(bktot_ids *x, const bk_table *t, size_t row, int col, int role);
void bktot_ids_close(bktot_ids *x, const bk_table *t, size_t row, int col, bktot_verdict verdict,
                     size_t finding);

/* Builds the cell → identity index. 0, or -1 when out of memory. */
int bktot_ids_index(bktot_ids *x);

/* Whether identity i holds with the cells' current values (diff of linear ones as kept). */
int bktot_ids_holds(const bktot_ids *x, size_t i);

#endif
