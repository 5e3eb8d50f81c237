/* authn.h: authentication of a request: the bearer token is verified with the
 * worker's key set (HS256 secret, PEM public key, JWKS file) and claim settings,
 * and the caller's user id put on the request. */
#ifndef OD_AUTHN_H
#define OD_AUTHN_H

#include <stdbool.h>
#include <time.h>

#include "auth/jwt.h"
#include "core/config.h"
#include "core/status.h"
#include "http/request.h"

/* Loads the process-wide key set from cfg (borrowed; read now, not kept), replacing
 * one loaded before. The pool's master calls it at start and at a reload, and its
 * workers inherit the set when they are forked. Returns OD_OK, or OD_EINVAL /
 * OD_ENOMEM after logging an error that names the setting (a key file that cannot
 * be read or used); the key set loaded before, if any, is kept then. */
od_rc od_authn_init(const od_config *cfg);

/* Re-reads a changed JWKS file once its reload interval has passed, keeping the
 * keys loaded before when it cannot be used (as every request does in a worker):
 * the pool's master follows the file, so that a worker forked while the file is
 * broken starts with the last good keys. */
void od_authn_refresh(time_t now);

/* Releases the process-wide key set (at a worker's or the master's exit; harmless
 * when none). */
void od_authn_shutdown(void);

/* Verifies the request's bearer token without answering: returns OD_JWT_OK and
 * sets r->user_id, or the reason (OD_JWT_NO_KEYS when the key set cannot load). */
od_jwt_status od_authn_check(od_request *r);

/* Verifies the request's bearer token. Loads the key set on first use if
 * od_authn_init was not called, and re-reads a changed JWKS file once its reload
 * interval has passed. Returns true and sets r->user_id (arena-owned), or answers
 * 401 (problem + WWW-Authenticate: Bearer error="invalid_token") and returns false;
 * a key set that cannot be loaded answers 500. */
bool od_authn(od_request *r);

#endif
