/* odyssey-worker: the queue daemon (no FastCGI). */

#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "core/log.h"
#include "worker/daemon.h"

extern char **environ;

int
main(int argc, char **argv)
{
    od_config cfg;
    char err[512];
    int code;

    if (argc > 1 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
        printf("usage: odyssey-worker [--help | --version]\n\n"
               "Runs the queue daemon. SIGTERM stops it, SIGHUP re-reads the settings.\n\n");
        od_config_usage(stdout);
        return 0;
    }
    if (argc > 1 && strcmp(argv[1], "--version") == 0) {
        printf("odyssey-worker %s\n", PACKAGE_VERSION);
        return 0;
    }
    if (argc > 1) {
        fprintf(stderr, "odyssey-worker: unknown argument %s (try --help)\n", argv[1]);
        return 2;
    }
    if (od_config_load(&cfg, environ, err, sizeof(err)) != OD_OK) {
        fprintf(stderr, "odyssey-worker: %s\n", err);
        return 1;
    }
    if (cfg.database_url[0] == '\0') {
        fprintf(stderr, "odyssey-worker: ODYSSEY_DATABASE_URL: required, not set\n");
        od_config_free(&cfg);
        return 1;
    }
    od_log_init("odyssey-worker", cfg.log_level);
    code = od_daemon_main(&cfg, environ);
    od_config_free(&cfg);
    return code;
}
