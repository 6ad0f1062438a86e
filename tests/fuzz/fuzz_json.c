/* libFuzzer target: the JSON reader (formats/document.md). */
#define FUZZ_FROM "json"
#define FUZZ_NAME "fuzz.json"
#define FUZZ_PLUGINS(X) X(json)
#include "fuzz_import.h"
