/* pool.h: the master of the prefork pool: binds the FastCGI socket, forks the
 * workers and supervises them (replace the dead, back off a crash loop, drain on
 * SIGTERM, roll the workers one by one on SIGHUP with the re-read settings). */
#ifndef OD_POOL_H
#define OD_POOL_H

#include "core/config.h"

/* Runs the pool until SIGTERM/SIGINT and every worker has exited. Takes cfg (the
 * pool frees it, and later reloaded settings). envp is re-read on SIGHUP.
 * Returns the process exit code. */
int od_pool_main(od_config *cfg, char *const *envp);

#endif
