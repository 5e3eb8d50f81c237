/* customer_ref.h: the customer a /api/v1/customers/:id/... route names. */
#ifndef OD_API_CUSTOMER_REF_H
#define OD_API_CUSTOMER_REF_H

#include <stdbool.h>

#include "http/request.h"

/* Returns the canonical id of the route's customer (arena-owned) once it is known
 * to exist in the caller's vendor; with lock, its row stays locked until the
 * request's transaction ends (writers of one customer's sub-resources take turns).
 * Otherwise answers (404 for an id that is malformed or not the vendor's, or the
 * database failure) and returns NULL. */
const char *od_customer_ref(od_request *r, bool lock);

#endif
