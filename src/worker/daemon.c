/* daemon.c: the queue daemon's supervisor. It forks ODYSSEY_RUNNERS runner
 * processes (runner.c) and restarts a dead one (with a backoff while they crash),
 * holds the LISTEN connection and wakes the runners on a NOTIFY, rescues expired
 * leases and archives and purges finished jobs every second, re-reads the settings
 * on SIGHUP (and passes the signal on), and drains on SIGTERM. */
#include "worker/daemon.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/notify.h"
#include "core/sigpipe.h"
#include "db/db.h"
#include "db/queue.h"
#include "worker/job.h"
#include "worker/runner.h"

#define OD_DAEMON_SLOTS       64      /* the ODYSSEY_RUNNERS maximum */
#define OD_EARLY_DEATH_MS     2000    /* a runner that dies younger than this crashed */
#define OD_BACKOFF_FIRST_MS   100
#define OD_BACKOFF_MAX_MS     30000
#define OD_MAINTAIN_EVERY_MS  1000    /* rescue and archive */
#define OD_PURGE_EVERY_MS     60000
#define OD_HOUSEKEEPING_BATCH 5000    /* rows per rescue / archive / purge statement */

typedef struct slot {
    pid_t pid;               /* 0 when no runner */
    int wake[2];             /* a byte on wake[1] wakes the runner reading wake[0] */
    long started_ms;
    bool stopping;           /* sent SIGTERM */
} slot;

typedef struct supervisor {
    od_config *cfg;          /* borrowed; reloaded in place */
    char *const *envp;
    od_db *db;               /* rescue and housekeeping */
    od_db *listener;         /* LISTEN odyssey_jobs */
    unsigned long listen_epoch;
    od_arena *arena;
    slot slots[OD_DAEMON_SLOTS];
    int crashes;             /* early deaths in a row */
    long next_spawn_ms;      /* crash backoff */
    bool draining;
    long kill_at_ms;         /* draining: SIGKILL the runners left then */
    long next_maintain_ms;
    long next_purge_ms;
} supervisor;

/* Makes sure the LISTEN connection is up and listening. A reconnect (noticed by
 * od_db_ready) is a new session that listens to nothing: listen_epoch remembers the
 * connection LISTEN ran on. Returns whether notifications can arrive. */
static bool
ensure_listening(supervisor *d)
{
    if (od_db_ready(d->listener) != OD_OK)
        return false;
    if (d->listen_epoch == od_db_epoch(d->listener))
        return true;
    if (od_db_command(d->listener, "LISTEN odyssey_jobs") != OD_OK)
        return false;
    d->listen_epoch = od_db_epoch(d->listener);
    od_log_info("daemon: listening for odyssey_jobs notifications");
    return true;
}

/* Frees the notifications libpq has read. Returns whether there were any. */
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

/* Tells every runner to look at the queue now. */
static void
wake_runners(supervisor *d)
{
    for (int i = 0; i < OD_DAEMON_SLOTS; i++) {
        if (d->slots[i].pid > 0 && !d->slots[i].stopping &&
            write(d->slots[i].wake[1], "!", 1) < 0 && errno != EAGAIN)
            od_log_warn("daemon: cannot wake runner %ld: %s", (long)d->slots[i].pid,
                        strerror(errno));
    }
}

/* In a new runner: closes what belongs to the supervisor (its connections' sockets,
 * without a goodbye on the wire, and the other runners' pipes). */
static void
close_inherited(supervisor *d, int self)
{
    PGconn *c;

    if ((c = od_db_conn(d->db)) != NULL && PQsocket(c) >= 0)
        close(PQsocket(c));
    if ((c = od_db_conn(d->listener)) != NULL && PQsocket(c) >= 0)
        close(PQsocket(c));
    for (int i = 0; i < OD_DAEMON_SLOTS; i++) {
        if (d->slots[i].wake[1] > 0)
            close(d->slots[i].wake[1]);
        if (i != self && d->slots[i].wake[0] > 0)
            close(d->slots[i].wake[0]);
    }
}

static void
spawn(supervisor *d, int i)
{
    slot *s = &d->slots[i];
    sigset_t old;
    pid_t pid;

    if (s->wake[0] <= 0 && pipe2(s->wake, O_NONBLOCK | O_CLOEXEC) != 0) {
        od_log_error("daemon: cannot create a pipe: %s", strerror(errno));
        s->wake[0] = s->wake[1] = 0;
        d->next_spawn_ms = od_now_ms() + OD_BACKOFF_FIRST_MS;
        return;
    }
    /* Signals stay blocked across fork until the runner has its own handlers. */
    od_sig_block(&old);
    pid = fork();
    if (pid == 0) {
        close_inherited(d, i);
        _exit(od_runner_main(d->cfg, d->envp, s->wake[0], i, &old));
    }
    od_sig_unblock(&old);
    if (pid < 0) {
        od_log_error("daemon: fork failed: %s", strerror(errno));
        d->next_spawn_ms = od_now_ms() + OD_BACKOFF_FIRST_MS;
        return;
    }
    *s = (slot){ .pid = pid, .wake = { s->wake[0], s->wake[1] }, .started_ms = od_now_ms() };
    od_log_debug("daemon: started runner %d as %ld", i, (long)pid);
}

static int
live_runners(const supervisor *d)
{
    int n = 0;

    for (int i = 0; i < OD_DAEMON_SLOTS; i++)
        n += d->slots[i].pid != 0;
    return n;
}

static void
signal_runners(supervisor *d, int signo)
{
    for (int i = 0; i < OD_DAEMON_SLOTS; i++) {
        if (d->slots[i].pid > 0) {
            kill(d->slots[i].pid, signo);
            if (signo == SIGTERM)
                d->slots[i].stopping = true;
        }
    }
}

static void
reap(supervisor *d)
{
    int status;
    pid_t pid;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        for (int i = 0; i < OD_DAEMON_SLOTS; i++) {
            slot *s = &d->slots[i];
            long lived;
            bool clean;

            if (s->pid != pid)
                continue;
            lived = od_now_ms() - s->started_ms;
            clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            if (s->stopping || d->draining) {
                od_log_debug("daemon: runner %ld exited", (long)pid);
            } else if (WIFSIGNALED(status)) {
                od_log_warn("daemon: runner %ld killed by signal %d after %ld ms; its jobs "
                            "are rescued when their leases end", (long)pid, WTERMSIG(status),
                            lived);
            } else {
                od_log_warn("daemon: runner %ld exited with status %d after %ld ms",
                            (long)pid, WEXITSTATUS(status), lived);
            }
            if (!s->stopping && !d->draining && !clean) {
                if (lived < OD_EARLY_DEATH_MS) {
                    long delay;

                    d->crashes++;
                    delay = OD_BACKOFF_FIRST_MS << (d->crashes > 9 ? 9 : d->crashes - 1);
                    if (delay > OD_BACKOFF_MAX_MS)
                        delay = OD_BACKOFF_MAX_MS;
                    d->next_spawn_ms = od_now_ms() + delay;
                    od_log_error("daemon: runners are crashing (%d in a row); next start in "
                                 "%ld ms", d->crashes, delay);
                } else {
                    d->crashes = 0;
                }
            }
            s->pid = 0;
            s->stopping = false;
            break;
        }
    }
}

/* Brings the runners to ODYSSEY_RUNNERS: starts missing ones (one at a time while
 * they crash), stops those past the count. */
static void
maintain_runners(supervisor *d)
{
    long now = od_now_ms();

    for (int i = 0; i < OD_DAEMON_SLOTS; i++) {
        slot *s = &d->slots[i];

        if (i >= d->cfg->runners) {
            if (s->pid > 0 && !s->stopping) {
                kill(s->pid, SIGTERM);
                s->stopping = true;
            }
            continue;
        }
        if (s->pid == 0 && now >= d->next_spawn_ms) {
            spawn(d, i);
            if (d->crashes > 0)
                break;
        }
        /* a runner that outlived the crash window ends a streak */
        if (d->crashes > 0 && s->pid > 0 && now - s->started_ms >= OD_EARLY_DEATH_MS)
            d->crashes = 0;
    }
}

static void
reload(supervisor *d)
{
    od_config fresh;
    char err[512];

    od_notify("RELOADING=1");
    if (od_config_load(&fresh, d->envp, err, sizeof(err)) != OD_OK) {
        od_log_error("daemon: reload refused, keeping the running settings: %s", err);
        od_notify("READY=1");
        return;
    }
    od_config_free(d->cfg);
    *d->cfg = fresh;
    od_log_init("odyssey-worker", d->cfg->log_level);
    signal_runners(d, SIGHUP);
    d->crashes = 0;
    d->next_spawn_ms = 0;
    d->next_maintain_ms = 0;  /* a moved clock is applied at once */
    od_log_info("daemon: settings reloaded (%d runners, clock offset %ld s)",
                d->cfg->runners, d->cfg->clock_offset);
    od_notify("READY=1");
}

/* Rescues expired leases, archives finished rows and enqueues the scheduled
 * kinds that are due (job_schedules); purges past the retention every minute. */
static void
housekeeping(supervisor *d)
{
    long now = od_now_ms();
    long rescued = 0, requeued = 0, moved = 0, deleted = 0, scheduled = 0;
    long long clock;

    if (now < d->next_maintain_ms)
        return;
    d->next_maintain_ms = now + OD_MAINTAIN_EVERY_MS;
    od_arena_reset(d->arena);
    if (od_db_ready(d->db) != OD_OK)
        return;
    clock = od_job_clock_ms(d->cfg);
    if (od_queue_rescue(d->db, d->arena, clock, OD_HOUSEKEEPING_BATCH, &rescued,
                        &requeued) != OD_OK)
        od_log_warn("daemon: rescue failed");
    if (rescued > 0) {
        od_log_warn("daemon: rescued %ld jobs whose lease expired (%ld available again)",
                    rescued, requeued);
        if (requeued > 0)
            wake_runners(d);
    }
    if (od_queue_archive(d->db, d->arena, OD_HOUSEKEEPING_BATCH, &moved) != OD_OK)
        od_log_warn("daemon: archiving finished jobs failed");
    if (od_queue_schedule(d->db, d->arena, clock, &scheduled) != OD_OK)
        od_log_warn("daemon: enqueuing scheduled jobs failed");
    else if (scheduled > 0)
        wake_runners(d);
    if (now < d->next_purge_ms)
        return;
    d->next_purge_ms = now + OD_PURGE_EVERY_MS;
    /* a few batches a minute, so a purge never holds long locks */
    for (int i = 0; i < 20; i++) {
        long n = 0;

        if (od_queue_purge(d->db, d->arena, clock - d->cfg->queue_retention * 1000LL,
                           OD_HOUSEKEEPING_BATCH, &n) != OD_OK) {
            od_log_warn("daemon: purging finished jobs failed");
            break;
        }
        deleted += n;
        if (n < OD_HOUSEKEEPING_BATCH)
            break;
    }
    if (deleted > 0)
        od_log_info("daemon: purged %ld jobs finished more than %ld s ago", deleted,
                    d->cfg->queue_retention);
}

static void
begin_drain(supervisor *d)
{
    d->draining = true;
    d->kill_at_ms = od_now_ms() + d->cfg->shutdown_timeout * 1000L;
    od_notify("STOPPING=1");
    od_log_info("daemon: stopping: %d runners finish their jobs in hand", live_runners(d));
    signal_runners(d, SIGTERM);
}

int
od_daemon_main(od_config *cfg, char *const *envp)
{
    static supervisor d;  /* lives for the process */
    int code = 0;

    d.cfg = cfg;
    d.envp = envp;
    d.arena = od_arena_create(0);
    if (d.arena == NULL || od_sig_open() != 0) {
        od_log_error("daemon: cannot set up: %s", strerror(errno));
        od_arena_destroy(d.arena);
        return 1;
    }
    od_sig_catch(SIGTERM);
    od_sig_catch(SIGINT);
    od_sig_catch(SIGHUP);
    od_sig_catch(SIGCHLD);
    od_sig_ignore(SIGPIPE);
    d.db = od_db_open(cfg->database_url, "odyssey-worker", cfg, true);
    d.listener = od_db_open(cfg->database_url, "odyssey-worker-listen", cfg, true);
    if (d.db == NULL || d.listener == NULL) {
        od_log_error("daemon: out of memory");
        code = 1;
        goto cleanup;
    }
    ensure_listening(&d);
    maintain_runners(&d);
    od_log_info("daemon: started with %d runners, polling every %d ms", cfg->runners,
                cfg->poll_interval);
    od_notify("READY=1");
    for (;;) {
        struct pollfd fds[2];
        PGconn *lc = NULL;
        bool woken = false;
        int nfds = 1, wait;

        if (!d.draining)
            lc = ensure_listening(&d) ? od_db_conn(d.listener) : NULL;
        fds[0] = (struct pollfd){ .fd = od_sig_fd(), .events = POLLIN };
        if (lc != NULL) {
            fds[1] = (struct pollfd){ .fd = PQsocket(lc), .events = POLLIN };
            nfds = 2;
        }
        wait = d.draining ? 100 : (int)(d.next_maintain_ms - od_now_ms());
        if (wait < 0)
            wait = 0;
        if (wait > d.cfg->poll_interval)
            wait = d.cfg->poll_interval;
        /* Notifications read while checking the connection wake the runners at once. */
        if (lc != NULL && take_notifications(lc))
            woken = true;
        else
            poll(fds, (nfds_t)nfds, wait);
        od_sig_drain();
        if (lc != NULL && nfds == 2 && (fds[1].revents & (POLLIN | POLLERR | POLLHUP))) {
            /* A failure here shows as a lost connection at the next od_db_ready. */
            PQconsumeInput(lc);
            woken = take_notifications(lc) || woken;
        }
        if (woken)
            wake_runners(&d);
        if (od_sig_take(SIGCHLD))
            reap(&d);
        if ((od_sig_take(SIGTERM) | od_sig_take(SIGINT)) && !d.draining)
            begin_drain(&d);
        if (od_sig_take(SIGHUP) && !d.draining)
            reload(&d);
        if (d.draining) {
            if (live_runners(&d) == 0)
                break;
            if (od_now_ms() > d.kill_at_ms) {
                od_log_warn("daemon: runners did not stop within %d s; killing them",
                            d.cfg->shutdown_timeout);
                signal_runners(&d, SIGKILL);
                d.kill_at_ms = od_now_ms() + 60000;
            }
            continue;
        }
        housekeeping(&d);
        maintain_runners(&d);
    }
    od_log_info("daemon: stopping: all runners exited");
cleanup:
    for (int i = 0; i < OD_DAEMON_SLOTS; i++) {
        if (d.slots[i].wake[0] > 0) {
            close(d.slots[i].wake[0]);
            close(d.slots[i].wake[1]);
        }
    }
    od_db_close(d.listener);
    od_db_close(d.db);
    od_arena_destroy(d.arena);
    od_sig_close();
    return code;
}
