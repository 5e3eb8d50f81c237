/* uuid.h: the text form of UUIDs (pure). */
#ifndef OD_UUID_H
#define OD_UUID_H

#include <stdbool.h>

/* Checks that s is a uuid (8-4-4-4-12 hex digits) and writes its lower-case form
 * into out[37]. */
bool od_uuid_canonical(const char *s, char out[37]);

#endif
