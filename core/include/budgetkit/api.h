/* Symbol visibility of the public API: the library is built with hidden visibility, and only
 * what is declared with BK_API in the headers of this folder is exported. */
#ifndef BUDGETKIT_API_H
#define BUDGETKIT_API_H

#if defined(__GNUC__) || defined(__clang__)
#define BK_API __attribute__((visibility("default")))
#else
#define BK_API
#endif

#endif
