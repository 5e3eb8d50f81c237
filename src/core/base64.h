/* base64.h: base64url (RFC 4648 section 5) without padding, as JOSE and cursors use. */
#ifndef OD_BASE64_H
#define OD_BASE64_H

#include <stddef.h>

#include "core/arena.h"

/* Decodes len bytes of unpadded base64url text. Returns an arena-owned,
 * NUL-terminated buffer with *outlen bytes, or NULL when the text is not valid
 * base64url (bad character, impossible length, '=' padding) or memory ran out. */
unsigned char *od_b64url_decode(od_arena *a, const char *in, size_t len, size_t *outlen);

/* Encodes len bytes as unpadded base64url. Returns an arena-owned string, or NULL. */
char *od_b64url_encode(od_arena *a, const unsigned char *in, size_t len);

#endif
