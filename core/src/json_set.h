/* Optional members of the JSON the core writes (reports, differences): a string only when there
 * is one, a decimal as its exact text. */
#ifndef BK_JSON_SET_H
#define BK_JSON_SET_H

#include <jansson.h>

#include "budgetkit/decimal.h"

static inline void bk_json_set_str(json_t *obj, const char *key, const char *v)
{
    if (v)
        json_object_set_new(obj, key, json_string(v));
}

static inline void bk_json_set_dec(json_t *obj, const char *key, bk_decimal d)
{
    char buf[BK_DECIMAL_BUFSIZE];
    bk_decimal_format(d, 0, buf, sizeof buf);
    json_object_set_new(obj, key, json_string(buf));
}

#endif
