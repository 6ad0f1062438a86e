/* Messages of the command line in English and Chinese (简体中文), chosen by --lang or the
 * locale. */
#ifndef BK_CLI_MESSAGES_H
#define BK_CLI_MESSAGES_H

#include <stddef.h>

/* 1 when messages are in Chinese. */
extern int msg_zh;

/* zh or en from LC_ALL, LC_MESSAGES, LANG (the first set), as gettext does. */
int msg_locale_is_zh(void);

/* The message in the chosen language: `en` is the key (a printf format or plain text). */
const char *msg(const char *en);

/* A message from the library or a plugin, in the chosen language when the catalogue knows it:
 * the English text with its variable parts (printf conversions in the catalogue) kept. */
void msg_translate(const char *en, char *out, size_t cap);

/* For tests: every English message of the catalogue has a Chinese one with the same
 * conversions. Returns the first key that does not, or NULL. */
const char *msg_catalogue_problem(void);

#endif
