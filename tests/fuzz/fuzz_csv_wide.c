/* libFuzzer target: the CSV reader in the wide layout (a published table with multi-row
 * headers, thousands separators, full-width digits; UTF-8 or GB18030). */
#define FUZZ_FROM "csv"
#define FUZZ_NAME "fuzz.csv"
#define FUZZ_PLUGINS(X) X(csv) X(json)
#define FUZZ_OPTIONS {"layout", "wide"}
#include "fuzz_import.h"
