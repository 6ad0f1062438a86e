/* The validator's growing string for finding messages: the core's bk_strbuf under the short
 * names the rules use. */
#ifndef BK_TOTALS_TEXT_H
#define BK_TOTALS_TEXT_H

#include "budgetkit/strbuf.h"

typedef bk_strbuf tot_text;
#define tot_text_init bk_strbuf_init
#define tot_text_free bk_strbuf_free
#define tot_text_clear bk_strbuf_clear
#define tot_text_add bk_strbuf_add
#define tot_text_dec bk_strbuf_dec
#define tot_text_abs bk_strbuf_abs
#define tot_text_str bk_strbuf_str

#endif
