/* libFuzzer target: the validators (codes, totals, narrative) over every document the JSON reader
 * accepts. Sums, differences and percentages of arbitrary figures are where integer overflow
 * would hide; the sanitizers watch them. */
#define FUZZ_FROM "json"
#define FUZZ_NAME "fuzz.json"
#define FUZZ_PLUGINS(X) X(json) X(totals) X(codes) X(narrative)
#define FUZZ_VALIDATE 1
#include "fuzz_import.h"
