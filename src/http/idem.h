/* idem.h: the Idempotency-Key header (pure): parsing the bare-token and the
 * structured-field string forms, the request fingerprint, and the number the
 * in-flight lock is taken on. */
#ifndef OD_IDEM_H
#define OD_IDEM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define OD_IDEM_KEY_MAX 255

/* Parses the header value: a bare token (printable ASCII, no spaces) or a quoted
 * structured-field string ("..." with \" and \\ escapes) of 1..255 printable ASCII
 * characters. Writes the key into out[OD_IDEM_KEY_MAX + 1]. Returns false when
 * the value is neither. */
bool od_idem_key_parse(const char *value, char out[OD_IDEM_KEY_MAX + 1]);

/* Writes the lowercase hex SHA-256 of method, path, query and body (each part
 * length-prefixed, so no two requests share a fingerprint by concatenation) into
 * hex[65]. Returns false when it could not be computed (out of memory). */
bool od_idem_fingerprint(const char *method, const char *path, const char *query,
                         const char *body, size_t body_len, char hex[65]);

/* Returns the advisory-lock number of (vendor, key): 64 bits of a SHA-256. */
int64_t od_idem_lock_id(const char *vendor_id, const char *key);

#endif
