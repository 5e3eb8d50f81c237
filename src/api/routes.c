/* routes.c: the route table and the dispatcher. */
#include "api/api.h"

#include <stdio.h>

#include "api/handlers.h"
#include "auth/authn.h"
#include "core/log.h"
#include "db/db.h"
#include "http/problem.h"

static const od_route routes[] = {
    { "GET",   "/healthz",   od_h_healthz, OD_ROUTE_PUBLIC },
    { "GET",   "/readyz",    od_h_readyz,  OD_ROUTE_PUBLIC },
    { "GET",   "/api/v1/me", od_h_me_get,  OD_ROUTE_AUTH },
    { "PATCH", "/api/v1/me", od_h_me_patch, OD_ROUTE_AUTH },
};

static const od_api_env *api_env;

void
od_api_init(const od_api_env *env)
{
    api_env = env;
}

const od_api_env *
od_api_get_env(void)
{
    return api_env;
}

void
od_api_handle(od_request *r)
{
    char allow[128];
    char header[160];

    switch (od_router_match(routes, sizeof(routes) / sizeof(routes[0]), r->method, r->path,
                            r->arena, &r->match, allow, sizeof(allow))) {
    case OD_ROUTE_NOT_FOUND:
        od_resp_problem(r, 404, NULL, "no such endpoint");
        return;
    case OD_ROUTE_METHOD_NOT_ALLOWED:
        snprintf(header, sizeof(header), "Allow: %s\r\n", allow);
        od_resp_problem_doc(r, od_problem_for(r, 405, NULL,
                                              od_arena_printf(r->arena, "%s is not allowed here",
                                                              r->method)),
                            header);
        return;
    case OD_ROUTE_FOUND:
        break;
    }
    if ((r->match.route->flags & OD_ROUTE_AUTH) && !od_authn(r))
        return;
    r->match.route->handler(r);
    if (r->status == 0) {
        od_log_error("handler for %s %s sent no response", r->method, r->match.route->pattern);
        od_resp_problem(r, 500, NULL, "the server failed to answer");
    }
}

void
od_api_db_fail(od_request *r, od_rc rc, PGresult *res)
{
    const char *state;
    int status;

    if (rc == OD_EUNAVAIL) {
        od_resp_unavailable(r, OD_PT_DB_UNAVAILABLE, "the database is unreachable; retry later");
        return;
    }
    state = od_db_sqlstate(res);
    status = rc == OD_EDB ? od_db_http_status(state) : 500;
    if (status == 503) {
        od_resp_unavailable(r, NULL, "the database is busy; retry later");
        return;
    }
    /* The log names the SQLSTATE and constraint, never values or SQL text. */
    od_log_error("request %s: %s failed: %s SQLSTATE %s constraint %s",
                 r->request_id ? r->request_id : "-",
                 r->match.route ? r->match.route->pattern : r->path, od_rc_str(rc), state,
                 res && PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME)
                     ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : "-");
    if (status == 500)
        od_resp_problem(r, 500, NULL, "the server failed to complete the request");
    else
        od_resp_problem(r, status, status == 409 ? OD_PT_CONFLICT : NULL,
                        status == 409 ? "the change conflicts with existing data"
                                      : "the database refused a value");
}
