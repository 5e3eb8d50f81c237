/* handlers.h: the handlers of the route table, one file per resource. */
#ifndef OD_HANDLERS_H
#define OD_HANDLERS_H

#include "http/request.h"

/* health.c */
void od_h_healthz(od_request *r);
void od_h_readyz(od_request *r);

/* vendor.c */
void od_h_vendor_get(od_request *r);
void od_h_vendor_patch(od_request *r);

/* members.c */
void od_h_members_list(od_request *r);
void od_h_members_add(od_request *r);
void od_h_members_link_put(od_request *r);
void od_h_members_link_delete(od_request *r);

/* audit.c */
void od_h_audit_list(od_request *r);

/* products.c */
void od_h_products_list(od_request *r);
void od_h_products_upsert(od_request *r);
void od_h_products_get(od_request *r);
void od_h_products_patch(od_request *r);
void od_h_products_delete(od_request *r);
void od_h_products_search(od_request *r);

/* routes.c: nginx's identity check for the rate-limit keys */
void od_h_authz(od_request *r);

/* me.c */
void od_h_me_get(od_request *r);
void od_h_me_patch(od_request *r);

#endif
