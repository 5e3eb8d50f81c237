/* odyssey-api: the FastCGI prefork pool behind nginx. */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "api/api.h"
#include "auth/authn.h"
#include "auth/rbac.h"
#include "core/config.h"
#include "core/log.h"
#include "server/pool.h"

extern char **environ;

/* One line per route: method, template, the permission it needs, its flags. */
static void
print_routes(void)
{
    size_t n;
    const od_route *routes = od_api_routes(&n);

    for (size_t i = 0; i < n; i++) {
        const char *perm = od_rbac_perm_name(routes[i].perm);

        printf("%s %s %s%s%s%s%s%s%s\n", routes[i].method, routes[i].pattern, perm ? perm : "-",
               (routes[i].flags & OD_ROUTE_AUTH) ? " auth" : " public",
               (routes[i].flags & OD_ROUTE_VENDOR) ? " vendor" : "",
               (routes[i].flags & OD_ROUTE_SENSITIVE) ? " sensitive" : "",
               (routes[i].flags & OD_ROUTE_PLATFORM) ? " platform" : "",
               (routes[i].flags & OD_ROUTE_BULK) ? " bulk" : "",
               (routes[i].flags & OD_ROUTE_REPLICA) ? " replica" : "");
    }
}

static void
usage(FILE *out)
{
    fprintf(out, "usage: odyssey-api [--help | --version | --check | --routes]\n\n"
            "Runs the FastCGI worker pool: a master binds ODYSSEY_SOCKET, forks\n"
            "ODYSSEY_WORKERS workers and supervises them. SIGTERM drains, SIGHUP re-reads\n"
            "the settings and replaces the workers one by one.\n"
            "  --check   validate the settings and exit\n"
            "  --routes  list the routes with the permission each needs\n\n");
    od_config_usage(out);
}

int
main(int argc, char **argv)
{
    od_config cfg;
    char err[512];

    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        usage(stdout);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--routes") == 0) {
        print_routes();
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("odyssey-api %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--check") != 0) {
        usage(stderr);
        return 2;
    }
    if (od_config_load(&cfg, environ, err, sizeof(err)) != OD_OK) {
        fprintf(stderr, "odyssey-api: %s\n", err);
        return 1;
    }
    if (cfg.database_url[0] == '\0') {
        fprintf(stderr, "odyssey-api: ODYSSEY_DATABASE_URL: required, not set\n");
        od_config_free(&cfg);
        return 1;
    }
    if (argc > 1) {
        /* --check: the settings, and the token key files they name. */
        int code = od_authn_init(&cfg) == OD_OK ? 0 : 1;

        od_authn_shutdown();
        if (code == 0)
            printf("odyssey-api: settings are valid\n");
        od_config_free(&cfg);
        return code;
    }
    od_log_init("odyssey-api", cfg.log_level);
    return od_pool_main(&cfg, environ);
}
