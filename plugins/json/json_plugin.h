/* Parts of the JSON plugin shared between its sources (not exported from the module). */
#ifndef BK_JSON_PLUGIN_H
#define BK_JSON_PLUGIN_H

#include "budgetkit/plugin.h"

bk_status bkjson_export_begin(bk_export *job);
bk_status bkjson_export_doc(bk_export *job, const bk_doc *doc);
bk_status bkjson_export_end(bk_export *job, int ok);

#endif
