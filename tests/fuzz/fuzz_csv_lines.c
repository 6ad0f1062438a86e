/* libFuzzer target: the CSV reader in the line-item layout (one record per value). The reader
 * tells the layout by the first line, so every input is given the line-item header. */
#include "csvint.h"

#define FUZZ_FROM "csv"
#define FUZZ_NAME "fuzz.csv"
#define FUZZ_PLUGINS(X) X(csv) X(json)
#define FUZZ_PREFIX BKCSV_LINES_HEADER "\n"
#include "fuzz_import.h"
