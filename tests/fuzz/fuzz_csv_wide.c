/* libFuzzer target: the CSV reader in the wide layout (a published table with multi-row
 * headers, thousands separators, full-width digits; UTF-8 or GB18030). Inputs that start with
 * the line-item header are fuzz_csv_lines' business. */
#include "csvint.h"

#define FUZZ_FROM "csv"
#define FUZZ_NAME "fuzz.csv"
#define FUZZ_PLUGINS(X) X(csv) X(json)
#define FUZZ_NOT_PREFIX BKCSV_LINES_HEADER
#include "fuzz_import.h"
