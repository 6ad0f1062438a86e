/* Text helpers the readers share. */
#ifndef BUDGETKIT_TEXT_H
#define BUDGETKIT_TEXT_H

#include <stddef.h>

#include "api.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Decodes the character references ("&#38;", "&#x26;") in [s, e) into out, which must hold
 * e - s bytes (a reference is never shorter than the UTF-8 it stands for); returns the bytes
 * written. A '&' that starts no valid reference is copied as it is. libxml2's SAX2 parser
 * hands over an attribute value it had to copy with each '&' written back as "&#38;" for a
 * tree builder to decode; the XML and workbook readers, which build no tree, decode it here. */
BK_API size_t bk_decode_char_refs(const char *s, const char *e, char *out);

#ifdef __cplusplus
}
#endif

#endif
