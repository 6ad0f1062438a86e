/* libFuzzer target: the ZIP archive reader, with every entry reader the build has (an archive
 * hands its entries to them). */
#define FUZZ_FROM "archive"
#define FUZZ_NAME "fuzz.zip"
#if defined(FUZZ_HAVE_XML) && defined(FUZZ_HAVE_CSV)
#define FUZZ_PLUGINS(X) X(archive) X(json) X(xml) X(csv)
#elif defined(FUZZ_HAVE_XML)
#define FUZZ_PLUGINS(X) X(archive) X(json) X(xml)
#elif defined(FUZZ_HAVE_CSV)
#define FUZZ_PLUGINS(X) X(archive) X(json) X(csv)
#else
#define FUZZ_PLUGINS(X) X(archive) X(json)
#endif
#include "fuzz_import.h"
