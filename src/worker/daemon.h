/* daemon.h: the queue daemon's main loop (no FastCGI). It holds its own database
 * connection plus a dedicated LISTEN connection, wakes on NOTIFY or on its polling
 * interval, and stops cleanly on SIGTERM; job kinds plug in from later issues. */
#ifndef OD_DAEMON_H
#define OD_DAEMON_H

#include "core/config.h"

/* Runs until SIGTERM/SIGINT. Borrows cfg (re-read into it on SIGHUP from envp).
 * Returns the process exit code. */
int od_daemon_main(od_config *cfg, char *const *envp);

#endif
