/* libFuzzer target: the .xlsx reader (ZIP package, streamed XML parts, number formats), the
 * .xls reader (an OLE2 input: the record scan here, FreeXL in its child process) and,
 * behind it, the layout engine the grid goes to. */
#define FUZZ_FROM "xlsx"
#define FUZZ_NAME "fuzz.xlsx"
#define FUZZ_PLUGINS(X) X(xlsx) X(csv) X(json)
#include "fuzz_import.h"
