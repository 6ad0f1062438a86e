/* libFuzzer target: the CSV reader in the line-item layout (one record per value). */
#define FUZZ_FROM "csv"
#define FUZZ_NAME "fuzz.csv"
#define FUZZ_PLUGINS(X) X(csv) X(json)
#define FUZZ_OPTIONS {"layout", "lines"}
#include "fuzz_import.h"
