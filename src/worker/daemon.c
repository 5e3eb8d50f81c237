/* daemon.c: the queue daemon's loop: wait for a NOTIFY on odyssey_jobs or the
 * polling interval, look at the queue, repeat; SIGHUP re-reads the settings,
 * SIGTERM stops after the current turn. */
#include "worker/daemon.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <string.h>

#include "core/arena.h"
#include "core/log.h"
#include "core/notify.h"
#include "core/sigpipe.h"
#include "db/db.h"
#include "db/queue_stats.h"

/* Makes sure the LISTEN connection is up and listening. A reconnect (noticed by
 * od_db_ready) is a new session that listens to nothing: *epoch remembers the
 * connection LISTEN ran on. Returns whether notifications can arrive. */
static bool
ensure_listening(od_db *listener, unsigned long *epoch)
{
    if (od_db_ready(listener) != OD_OK)
        return false;
    if (*epoch == od_db_epoch(listener))
        return true;
    if (od_db_command(listener, "LISTEN odyssey_jobs") != OD_OK)
        return false;
    *epoch = od_db_epoch(listener);
    od_log_info("daemon: listening for odyssey_jobs notifications");
    return true;
}

/* Logs and frees the notifications libpq has read. Returns whether there were any. */
static bool
take_notifications(PGconn *lc)
{
    PGnotify *nt;
    bool any = false;

    while ((nt = PQnotifies(lc)) != NULL) {
        od_log_debug("daemon: woken by %s", nt->relname);
        PQfreemem(nt);
        any = true;
    }
    return any;
}

int
od_daemon_main(od_config *cfg, char *const *envp)
{
    od_arena *arena = od_arena_create(0);
    od_db *db = NULL, *listener = NULL;
    unsigned long listen_epoch = 0;
    long turns = 0, last_available = -1;

    if (arena == NULL || od_sig_open() != 0) {
        od_log_error("daemon: cannot set up: %s", strerror(errno));
        od_arena_destroy(arena);
        return 1;
    }
    od_sig_catch(SIGTERM);
    od_sig_catch(SIGINT);
    od_sig_catch(SIGHUP);
    od_sig_ignore(SIGPIPE);
    db = od_db_open(cfg->database_url, "odyssey-worker", cfg, true);
    listener = od_db_open(cfg->database_url, "odyssey-worker-listen", cfg, true);
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
    while (!od_sig_pending(SIGTERM) && !od_sig_pending(SIGINT)) {
        struct pollfd fds[2];
        PGconn *lc;
        long available;
        int nfds = 1;

        if (od_sig_take(SIGHUP)) {
            od_config fresh;
            char err[512];

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
        lc = ensure_listening(listener, &listen_epoch) ? od_db_conn(listener) : NULL;
        /* One look at the queue per turn; the job kinds that consume it arrive
         * with the queue issue. */
        if (od_db_ready(db) == OD_OK &&
            od_queue_available(db, arena, &available) == OD_OK && available != last_available) {
            od_log_info("daemon: %ld jobs available", available);
            last_available = available;
        }
        turns++;
        fds[0] = (struct pollfd){ .fd = od_sig_fd(), .events = POLLIN };
        if (lc != NULL) {
            fds[1] = (struct pollfd){ .fd = PQsocket(lc), .events = POLLIN };
            nfds = 2;
        }
        /* Notifications read while checking the connection wake us at once. */
        if (lc == NULL || !take_notifications(lc))
            poll(fds, (nfds_t)nfds, cfg->poll_interval);
        od_sig_drain();
        if (lc != NULL && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) {
            /* A failure here shows as a lost connection at the next od_db_ready. */
            PQconsumeInput(lc);
            take_notifications(lc);
        }
    }
    od_notify("STOPPING=1");
    od_log_info("daemon: stopping after %ld turns", turns);
    od_db_close(listener);
    od_db_close(db);
    od_arena_destroy(arena);
    od_sig_close();
    return 0;
}
