/* ctl.h: the odysseyctl commands, one file per command group. Each takes the
 * loaded settings and its own arguments (argv[0] is the command name), prints its
 * result on stdout and its errors on stderr, and returns the exit code. */
#ifndef OD_CTL_H
#define OD_CTL_H

#include <stdbool.h>

#include <libpq-fe.h>

#include "core/config.h"

int od_ctl_migrate(const od_config *cfg, int argc, char **argv);
int od_ctl_vendor(const od_config *cfg, int argc, char **argv);
int od_ctl_user(const od_config *cfg, int argc, char **argv);
int od_ctl_admin(const od_config *cfg, int argc, char **argv);
int od_ctl_token(const od_config *cfg, int argc, char **argv);
int od_ctl_status(const od_config *cfg, int argc, char **argv);
int od_ctl_keys(const od_config *cfg, int argc, char **argv);
int od_ctl_audit_cmd(const od_config *cfg, int argc, char **argv);
int od_ctl_secrets(const od_config *cfg, int argc, char **argv);
int od_ctl_jobs(const od_config *cfg, int argc, char **argv);
int od_ctl_dlq(const od_config *cfg, int argc, char **argv);

/* Connects as the owner role (ODYSSEY_ADMIN_DATABASE_URL). Returns the
 * connection (caller frees with PQfinish) or NULL after printing why. */
PGconn *od_ctl_connect_admin(const od_config *cfg);

/* Runs sql with params in conn; prints the error and returns NULL on failure.
 * The caller PQclears the result. */
PGresult *od_ctl_exec(PGconn *conn, const char *sql, int n, const char *const *params);

/* True when argv[i] is --help or -h anywhere in argv. */
bool od_ctl_wants_help(int argc, char **argv);

/* Returns the value of --name in argv (the next element), or NULL. */
const char *od_ctl_opt(int argc, char **argv, const char *name);

/* Records an administrative change in audit_log within the caller's transaction.
 * Returns true on success. */
bool od_ctl_audit(PGconn *conn, const char *action, const char *entity,
                  const char *entity_id, const char *vendor_id, const char *after_json);

#endif
