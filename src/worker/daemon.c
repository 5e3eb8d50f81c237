/* daemon.c: the queue daemon's loop: wait for a NOTIFY on odyssey_jobs or the
 * polling interval, look at the queue, repeat; SIGHUP re-reads the settings,
 * SIGTERM stops after the current turn. */
#include "worker/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/notify.h"
#include "db/db.h"
#include "db/queue_stats.h"

static volatile sig_atomic_t got_term, got_hup;
static int sig_pipe[2] = { -1, -1 };

static void
on_signal(int signo)
{
    int saved = errno;

    if (signo == SIGHUP)
        got_hup = 1;
    else
        got_term = 1;
    if (write(sig_pipe[1], "s", 1) < 0) {
        /* a wake-up is pending already */
    }
    errno = saved;
}

static int
setup_signals(void)
{
    struct sigaction sa;

    if (pipe2(sig_pipe, O_NONBLOCK | O_CLOEXEC) != 0)
        return -1;
    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = on_signal;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGHUP, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGPIPE, &sa, NULL);
    return 0;
}

/* Makes sure the LISTEN connection is up and listening. */
static void
ensure_listening(od_db *listener, bool *listening)
{
    if (*listening && od_db_ready(listener) == OD_OK && od_db_conn(listener) != NULL)
        return;
    *listening = false;
    if (od_db_ready(listener) == OD_OK && od_db_command(listener, "LISTEN odyssey_jobs") == OD_OK) {
        *listening = true;
        od_log_info("daemon: listening for odyssey_jobs notifications");
    }
}

int
od_daemon_main(od_config *cfg, char *const *envp)
{
    od_arena *arena = od_arena_create(0);
    od_db *db = NULL, *listener = NULL;
    bool listening = false;
    long turns = 0, last_available = -1;

    if (arena == NULL || setup_signals() != 0) {
        od_log_error("daemon: cannot set up: %s", strerror(errno));
        od_arena_destroy(arena);
        return 1;
    }
    db = od_db_open(cfg->database_url, "odyssey-worker", cfg);
    listener = od_db_open(cfg->database_url, "odyssey-worker-listen", cfg);
    if (db == NULL || listener == NULL) {
        od_log_error("daemon: out of memory");
        od_db_close(db);
        od_db_close(listener);
        od_arena_destroy(arena);
        return 1;
    }
    od_log_info("daemon: started with %d runners, polling every %d ms", cfg->runners,
                cfg->poll_interval);
    od_notify("READY=1");
    while (!got_term) {
        struct pollfd fds[2];
        PGconn *lc;
        long available;
        char drain[16];
        int nfds = 1;

        if (got_hup) {
            od_config fresh;
            char err[512];

            got_hup = 0;
            od_notify("RELOADING=1");
            if (od_config_load(&fresh, envp, err, sizeof(err)) == OD_OK) {
                od_config_free(cfg);
                *cfg = fresh;
                od_log_init("odyssey-worker", cfg->log_level);
                od_log_info("daemon: settings reloaded");
            } else {
                od_log_error("daemon: reload refused, keeping the running settings: %s", err);
            }
            od_notify("READY=1");
        }
        od_arena_reset(arena);
        ensure_listening(listener, &listening);
        /* One look at the queue per turn; the job kinds that consume it arrive
         * with the queue issue. */
        if (od_db_ready(db) == OD_OK &&
            od_queue_available(db, arena, &available) == OD_OK && available != last_available) {
            od_log_info("daemon: %ld jobs available", available);
            last_available = available;
        }
        turns++;
        fds[0] = (struct pollfd){ .fd = sig_pipe[0], .events = POLLIN };
        lc = listening ? od_db_conn(listener) : NULL;
        if (lc != NULL) {
            fds[1] = (struct pollfd){ .fd = PQsocket(lc), .events = POLLIN };
            nfds = 2;
        }
        poll(fds, (nfds_t)nfds, cfg->poll_interval);
        while (read(sig_pipe[0], drain, sizeof(drain)) > 0)
            ;
        if (lc != NULL && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) {
            PGnotify *nt;

            if (PQconsumeInput(lc) == 0)
                listening = false;
            while ((nt = PQnotifies(lc)) != NULL) {
                od_log_debug("daemon: woken by %s", nt->relname);
                PQfreemem(nt);
            }
        }
    }
    od_notify("STOPPING=1");
    od_log_info("daemon: stopping after %ld turns", turns);
    od_db_close(listener);
    od_db_close(db);
    od_arena_destroy(arena);
    close(sig_pipe[0]);
    close(sig_pipe[1]);
    return 0;
}
