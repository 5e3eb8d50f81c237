/* router.h: method + path-template routing (pure). Templates are literal segments
 * and ":name" parameters ("/api/v1/customers/:id/health"); the match gives the
 * route, its parameters, or the methods the path does allow (for 405 + Allow). */
#ifndef OD_ROUTER_H
#define OD_ROUTER_H

#include <stddef.h>

#include "core/arena.h"

#define OD_ROUTE_MAX_PARAMS 4

struct od_request;
typedef void (*od_handler)(struct od_request *r);

/* Route flags. */
#define OD_ROUTE_PUBLIC    0x0u  /* no authentication */
#define OD_ROUTE_AUTH      0x1u  /* a verified bearer token and a membership are required */
#define OD_ROUTE_VENDOR    0x2u  /* ... and a resolved vendor (with OD_ROUTE_AUTH) */
#define OD_ROUTE_SENSITIVE 0x4u  /* a refusal by the permission check is audited as deny */
#define OD_ROUTE_BULK      0x8u  /* a batch endpoint: the body may reach BULK_BODY_MAX */
#define OD_ROUTE_REPLICA   0x10u /* read-only: runs on the read replica when there is one */
#define OD_ROUTE_PLATFORM  0x20u /* with OD_ROUTE_VENDOR: a platform admin may also call it
                                  * outside any vendor, and there it needs
                                  * OD_PERM_GLOBAL_TAXONOMY instead of perm (global rows) */

typedef struct od_route {
    const char *method;    /* "GET", "POST", ...; HEAD is served by GET */
    const char *pattern;   /* the route template, also the log's "route" field */
    od_handler handler;
    unsigned flags;        /* OD_ROUTE_* */
    unsigned perm;         /* the permission the caller needs (auth/rbac.h), 0 = none */
    const char *entity;    /* the table it serves, for audit rows (deny), or NULL */
} od_route;

typedef struct od_route_match {
    const od_route *route;                     /* borrowed from the table */
    size_t nparams;
    const char *names[OD_ROUTE_MAX_PARAMS];    /* borrowed from the pattern text... */
    size_t name_lens[OD_ROUTE_MAX_PARAMS];     /* ...whose names are not terminated */
    const char *values[OD_ROUTE_MAX_PARAMS];   /* arena-owned copies of the segments */
} od_route_match;

typedef enum od_route_status {
    OD_ROUTE_FOUND,
    OD_ROUTE_NOT_FOUND,
    OD_ROUTE_METHOD_NOT_ALLOWED
} od_route_status;

/* Matches method and path against routes[0..n). On OD_ROUTE_FOUND fills m (values
 * are arena-owned). On OD_ROUTE_METHOD_NOT_ALLOWED writes the allowed methods,
 * comma-separated, into allow. */
od_route_status od_router_match(const od_route *routes, size_t n, const char *method,
                                const char *path, od_arena *a, od_route_match *m,
                                char *allow, size_t allowlen);

/* Returns the value of parameter name in m, or NULL. */
const char *od_route_param(const od_route_match *m, const char *name);

#endif
