/* odyssey-api: the FastCGI prefork pool behind nginx. */

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core/config.h"
#include "core/log.h"
#include "server/pool.h"

extern char **environ;

static void
usage(FILE *out)
{
    fprintf(out, "usage: odyssey-api [--help | --version | --check]\n\n"
            "Runs the FastCGI worker pool: a master binds ODYSSEY_SOCKET, forks\n"
            "ODYSSEY_WORKERS workers and supervises them. SIGTERM drains, SIGHUP re-reads\n"
            "the settings and replaces the workers one by one.\n"
            "  --check   validate the settings and exit\n\n");
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
        printf("odyssey-api: settings are valid\n");
        od_config_free(&cfg);
        return 0;
    }
    od_log_init("odyssey-api", cfg.log_level);
    return od_pool_main(&cfg, environ);
}
