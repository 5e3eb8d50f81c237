/* idempotency.h: the Idempotency-Key layer every POST, PUT and PATCH of a vendor
 * goes through (docs/catalog.md): replay of stored outcomes, 409 while in
 * flight, 422 for the same key with another request. */
#ifndef OD_API_IDEMPOTENCY_H
#define OD_API_IDEMPOTENCY_H

#include <stdbool.h>

#include "http/request.h"

/* Called inside the request's transaction, before the handler. Returns true when
 * the handler must run (no key, or the key is new and now held in flight), false
 * when it has answered (a replay, 400, 409, 422 or a database failure). */
bool od_idem_begin(od_request *r);

/* Called after the handler, before the transaction ends: a 2xx outcome is stored
 * in the handler's transaction, so it commits with the effects or not at all. */
void od_idem_settle(od_request *r);

/* Called once the transaction has ended: a 4xx outcome of the handler (rolled
 * back) is stored in a transaction of its own, then the key is released. */
void od_idem_end(od_request *r);

#endif
