/* daemon.h: the queue daemon (no FastCGI): a supervisor that forks the job runners
 * (runner.h), wakes them on NOTIFY (a dedicated LISTEN connection), rescues expired
 * leases, archives and purges finished jobs, reloads on SIGHUP and drains on
 * SIGTERM (docs/queue.md). */
#ifndef OD_DAEMON_H
#define OD_DAEMON_H

#include "core/config.h"

/* Runs until SIGTERM/SIGINT and the runners' exit. Borrows cfg (re-read into it on
 * SIGHUP from envp).
 * Returns the process exit code. */
int od_daemon_main(od_config *cfg, char *const *envp);

#endif
