/* worker.h: one FastCGI worker of the prefork pool: its own database
 * connection(s), a per-request arena, and an accept loop that drains on SIGTERM. */
#ifndef OD_WORKER_H
#define OD_WORKER_H

#include <signal.h>

#include "core/config.h"

/* Serves requests on listen_fd until SIGTERM, its share of cfg->max_requests
 * requests (75-100 %, drawn at start), or the master's death. Signals are blocked on entry (the master forks with them
 * blocked); it installs its own handlers, then restores parent_mask. Writes its
 * pid to ready_fd once it can serve. Returns the process exit code. cfg is
 * borrowed. */
int od_worker_main(const od_config *cfg, int listen_fd, int ready_fd,
                   const sigset_t *parent_mask);

#endif
