/* signature.h: webhook signatures (PRD 5.9, 11.5): X-Signature "v1=" + the hex
 * HMAC-SHA256 under the endpoint's secret of the X-Timestamp value, a line feed and
 * the raw body; during a secret rotation two values, the new secret's first
 * ("v1=<new>,v1=<old>"). Also the secrets themselves: "whsec_" and 64 hex digits
 * from the CSPRNG. The HMAC key is the secret text as shown, prefix included. */
#ifndef OD_SIGNATURE_H
#define OD_SIGNATURE_H

#include <stddef.h>

#include "core/arena.h"
#include "core/status.h"

#define OD_SIGNATURE_HEX      64                       /* hex digits of one HMAC */
#define OD_SIGNATURE_PREFIX   "whsec_"
#define OD_SIGNATURE_SECRET_LEN (6 + 64)               /* characters of a secret */

/* Writes the hex HMAC-SHA256 under key[0..keylen) of "<timestamp>\n" body[0..n)
 * into out (65 bytes, NUL-terminated). Returns OD_OK or OD_ENOMEM (OpenSSL
 * failed). All buffers borrowed. */
od_rc od_signature_v1(const void *key, size_t keylen, long long timestamp, const void *body,
                      size_t n, char out[OD_SIGNATURE_HEX + 1]);

/* The X-Signature value: "v1=<hex>" under key, followed by ",v1=<hex>" under
 * old_key when old_key is not NULL. Returns arena-owned text, or NULL when out of
 * memory. */
char *od_signature_header(od_arena *a, const void *key, size_t keylen, const void *old_key,
                          size_t old_keylen, long long timestamp, const void *body, size_t n);

/* Writes a new secret ("whsec_" and 64 lower-case hex digits of 32 random bytes)
 * into out (OD_SIGNATURE_SECRET_LEN + 1 bytes). Returns OD_OK or OD_EUNAVAIL (the
 * random generator failed). The caller wipes out when done. */
od_rc od_signature_secret(char out[OD_SIGNATURE_SECRET_LEN + 1]);

#endif
