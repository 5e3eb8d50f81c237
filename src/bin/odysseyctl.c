/* odysseyctl: the admin command line (migrations, vendors, users, tokens, keys). */

#include <stdio.h>
#include <string.h>

#include "core/config.h"
#include "ctl/ctl.h"

extern char **environ;

typedef struct command {
    const char *name;
    int (*run)(const od_config *cfg, int argc, char **argv);
    const char *summary;
} command;

static const command commands[] = {
    { "migrate", od_ctl_migrate, "apply pending SQL migrations" },
    { "vendor",  od_ctl_vendor,  "vendor create --name NAME" },
    { "user",    od_ctl_user,    "user add --id ID --email E | user link --user ID --vendor V --role R" },
    { "admin",   od_ctl_admin,   "admin grant --user ID" },
    { "token",   od_ctl_token,   "token --user ID [--ttl SECONDS]" },
    { "status",  od_ctl_status,  "database, migrations and queue at a glance" },
    { "audit",   od_ctl_audit_cmd, "audit purge --before DATE (6 years or older only)" },
    { "secrets", od_ctl_secrets, "secrets put --vendor V --purpose P < value | secrets reveal --vendor V --id ID" },
    { "jobs",    od_ctl_jobs,    "jobs list | show ID | retry ID | cancel ID | stats | enqueue --kind K" },
    { "dlq",     od_ctl_dlq,     "dlq list | replay (ID... | --all [--kind K] [--vendor V])" },
    { "keys",    od_ctl_keys,    "keys generate [--id ID] | keys status | keys rotate [--batch N]" },
};

static int
usage(FILE *out, int code)
{
    fprintf(out, "usage: odysseyctl COMMAND [ARGS] (COMMAND --help for details)\n\n");
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
        fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].summary);
    fprintf(out, "\nSettings come from the ODYSSEY_* environment (see odyssey-api --help).\n");
    return code;
}

int
main(int argc, char **argv)
{
    od_config cfg;
    char err[512];
    int code;

    if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)
        return usage(argc < 2 ? stderr : stdout, argc < 2 ? 2 : 0);
    if (strcmp(argv[1], "--version") == 0) {
        printf("odysseyctl %s\n", PACKAGE_VERSION);
        return 0;
    }
    for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
        if (strcmp(argv[1], commands[i].name) != 0)
            continue;
        if (od_config_load(&cfg, environ, err, sizeof(err)) != OD_OK) {
            fprintf(stderr, "odysseyctl: %s\n", err);
            return 1;
        }
        code = commands[i].run(&cfg, argc - 1, argv + 1);
        od_config_free(&cfg);
        return code;
    }
    fprintf(stderr, "odysseyctl: unknown command \"%s\"\n", argv[1]);
    return usage(stderr, 2);
}
