/* test_router.c: template matching, parameters, 404 versus 405 with Allow. */
#include <string.h>

#include "http/router.h"
#include "unit.h"

static void h(struct od_request *r) { (void)r; }

static const od_route routes[] = {
    { "GET",    "/api/v1/me", h, OD_ROUTE_AUTH, 0, NULL },
    { "PATCH",  "/api/v1/me", h, OD_ROUTE_AUTH, 0, NULL },
    { "GET",    "/api/v1/customers/:id", h, OD_ROUTE_AUTH, 0, NULL },
    { "DELETE", "/api/v1/customers/:id", h, OD_ROUTE_AUTH, 0, NULL },
    { "GET",    "/api/v1/customers/:id/health", h, OD_ROUTE_AUTH, 0, NULL },
    { "GET",    "/healthz", h, OD_ROUTE_PUBLIC, 0, NULL },
};
#define N (sizeof(routes) / sizeof(routes[0]))

static od_route_status
match(od_arena *a, const char *method, const char *path, od_route_match *m, char *allow)
{
    return od_router_match(routes, N, method, path, a, m, allow, 128);
}

static void
test_literal(void)
{
    od_arena *a = od_arena_create(0);
    od_route_match m;
    char allow[128];

    CU_ASSERT_EQUAL(match(a, "GET", "/api/v1/me", &m, allow), OD_ROUTE_FOUND);
    CU_ASSERT_PTR_EQUAL(m.route, &routes[0]);
    CU_ASSERT_EQUAL(match(a, "PATCH", "/api/v1/me", &m, allow), OD_ROUTE_FOUND);
    CU_ASSERT_PTR_EQUAL(m.route, &routes[1]);
    CU_ASSERT_EQUAL(match(a, "HEAD", "/healthz", &m, allow), OD_ROUTE_FOUND);
    od_arena_destroy(a);
}

static void
test_params(void)
{
    od_arena *a = od_arena_create(0);
    od_route_match m;
    char allow[128];

    CU_ASSERT_EQUAL(match(a, "GET", "/api/v1/customers/abc-1/health", &m, allow), OD_ROUTE_FOUND);
    CU_ASSERT_STRING_EQUAL(m.route->pattern, "/api/v1/customers/:id/health");
    CU_ASSERT_STRING_EQUAL(od_route_param(&m, "id"), "abc-1");
    CU_ASSERT_PTR_NULL(od_route_param(&m, "other"));
    od_arena_destroy(a);
}

static void
test_not_found(void)
{
    od_arena *a = od_arena_create(0);
    od_route_match m;
    char allow[128];

    CU_ASSERT_EQUAL(match(a, "GET", "/api/v1/nope", &m, allow), OD_ROUTE_NOT_FOUND);
    CU_ASSERT_EQUAL(match(a, "GET", "/api/v1/me/", &m, allow), OD_ROUTE_NOT_FOUND);
    CU_ASSERT_EQUAL(match(a, "GET", "/api/v1/customers/", &m, allow), OD_ROUTE_NOT_FOUND);
    CU_ASSERT_EQUAL(match(a, "GET", "/api/v1/customers//health", &m, allow), OD_ROUTE_NOT_FOUND);
    CU_ASSERT_EQUAL(match(a, "GET", "/api/v1", &m, allow), OD_ROUTE_NOT_FOUND);
    CU_ASSERT_EQUAL(match(a, "GET", "", &m, allow), OD_ROUTE_NOT_FOUND);
    od_arena_destroy(a);
}

static void
test_method_not_allowed_lists_allow(void)
{
    od_arena *a = od_arena_create(0);
    od_route_match m;
    char allow[128];

    CU_ASSERT_EQUAL(match(a, "POST", "/api/v1/customers/7", &m, allow),
                    OD_ROUTE_METHOD_NOT_ALLOWED);
    CU_ASSERT_STRING_EQUAL(allow, "GET, HEAD, DELETE");
    CU_ASSERT_EQUAL(match(a, "PUT", "/api/v1/me", &m, allow), OD_ROUTE_METHOD_NOT_ALLOWED);
    CU_ASSERT_STRING_EQUAL(allow, "GET, HEAD, PATCH");
    od_arena_destroy(a);
}

static const od_unit_case cases[] = {
    { "literal routes and HEAD", test_literal },
    { "parameters", test_params },
    { "unknown paths are not found", test_not_found },
    { "known path, other method: 405 with Allow", test_method_not_allowed_lists_allow },
};

OD_UNIT_MAIN("router", cases)
