/* authn.h: authentication of a request: the bearer token is verified with the
 * worker's JWT settings and the caller's user id put on the request. */
#ifndef OD_AUTHN_H
#define OD_AUTHN_H

#include <stdbool.h>

#include "http/request.h"

/* Verifies the request's bearer token. Returns true and sets r->user_id, or
 * answers 401 (problem + WWW-Authenticate: Bearer error="invalid_token") and
 * returns false. */
bool od_authn(od_request *r);

#endif
