/* runner.h: one job runner process of the queue daemon: its own database
 * connection (system context), a claim-run-record loop, heartbeats, per-kind
 * backoff, one log line per attempt. The supervisor (daemon.c) forks N of them. */
#ifndef OD_RUNNER_H
#define OD_RUNNER_H

#include <signal.h>

#include "core/config.h"

/* Runs a runner until SIGTERM/SIGINT: stops claiming, finishes the job in hand,
 * hands the unstarted ones back, exits. SIGHUP re-reads the settings from envp
 * into cfg (borrowed). wake_fd is the read end of its wake-up pipe (a byte means
 * "look at the queue now"); index names the runner in logs and locked_by.
 * parent_mask is the signal mask to restore once the handlers are set. Returns the
 * process exit code. */
int od_runner_main(od_config *cfg, char *const *envp, int wake_fd, int index,
                   const sigset_t *parent_mask);

#endif
