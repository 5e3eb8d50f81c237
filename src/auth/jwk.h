/* jwk.h: RFC 7517 JSON Web Keys (RSA; EC on P-256) as OpenSSL public keys, and the
 * check that a public key can serve the algorithm it is bound to. Pure: no I/O. */
#ifndef OD_JWK_H
#define OD_JWK_H

#include <stdbool.h>

#include <json-c/json.h>
#include <openssl/types.h>

#include "auth/keyset.h"
#include "core/arena.h"

/* Converts one member of a JWKS "keys" array. Returns true with *kid (borrowed from
 * jwk), *alg (the JWK's "alg", else RS256 for RSA and ES256 for EC P-256) and *out
 * (caller frees with EVP_PKEY_free). Returns false with *why (static) when the key
 * is not for us: not an object, no kid, "use" other than "sig", "key_ops" without
 * "verify", unknown kty/crv/alg, bad numbers, a point off the curve, RSA under
 * 2048 bits. *kid is set as soon as it is known, for the caller's warning. scratch
 * holds decoded numbers; the caller resets it. */
bool od_jwk_to_pkey(json_object *jwk, od_arena *scratch, const char **kid,
                    od_keyset_alg *alg, EVP_PKEY **out, const char **why);

/* Returns true when pk (borrowed) can verify alg: an RSA key of 2048 to 8192 bits
 * for RS256, an EC key on P-256 for ES256, and it passes OpenSSL's public key
 * check; else false with *why (static). */
bool od_jwk_pkey_fits(EVP_PKEY *pk, od_keyset_alg alg, const char **why);

#endif
