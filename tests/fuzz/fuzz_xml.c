/* libFuzzer target: the XML reader. The JSON plugin is linked for the round trip. */
#define FUZZ_FROM "xml"
#define FUZZ_NAME "fuzz.xml"
#define FUZZ_PLUGINS(X) X(xml) X(json)
#include "fuzz_import.h"
