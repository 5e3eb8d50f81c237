/* pool.c: the prefork master. It holds no database connection and serves no
 * request: it only forks, reaps, times and signals workers. All of its decisions
 * are taken in one loop, woken by a signal pipe and the workers' readiness pipe. */
#include "server/pool.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "api/api.h"
#include "auth/authn.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/notify.h"
#include "core/sigpipe.h"
#include "db/migrate.h"
#include "server/listen.h"
#include "server/worker.h"

#define OD_POOL_MAX_SLOTS   2100    /* 2 x the WORKERS maximum, for rolling restarts */
#define OD_EARLY_DEATH_MS   2000    /* a worker that dies younger than this crashed */
#define OD_BACKOFF_FIRST_MS 100
#define OD_BACKOFF_MAX_MS   30000

typedef struct slot {
    pid_t pid;          /* 0 when free */
    unsigned gen;       /* settings generation it was started with */
    bool ready;         /* it reported that it serves */
    bool stopping;      /* it was sent SIGTERM */
    long started_ms;
    long kill_at_ms;    /* when stopping: SIGKILL if still alive then */
} slot;

typedef struct pool {
    od_config *cfg;           /* owned: current settings */
    od_migration_set migrations;  /* owned: what /readyz compares with */
    od_api_env api_env;
    char *const *envp;        /* borrowed */
    int listen_fd;
    int ready_pipe[2];        /* workers write their pid when they serve */
    unsigned gen;             /* bumped by each reload */
    slot slots[OD_POOL_MAX_SLOTS];
    int crashes;              /* early deaths in a row */
    long last_crash_ms;       /* when the latest of them happened */
    long next_spawn_ms;       /* crash backoff: no spawn before this */
    bool draining;            /* SIGTERM arrived: waiting for the workers to exit */
} pool;

/* Without ODYSSEY_CURSOR_SECRET the master draws one key for all its workers, so
 * a cursor made by one worker is accepted by the others (until a restart). */
static int
ensure_cursor_secret(od_config *cfg)
{
    unsigned char raw[32];
    char *hex;

    if (cfg->cursor_secret[0] != '\0')
        return 0;
    hex = malloc(2 * sizeof(raw) + 1);
    if (hex == NULL || RAND_bytes(raw, sizeof(raw)) != 1) {
        free(hex);
        return -1;
    }
    for (size_t i = 0; i < sizeof(raw); i++)
        snprintf(hex + 2 * i, 3, "%02x", raw[i]);
    OPENSSL_cleanse(raw, sizeof(raw));
    free(cfg->cursor_secret);
    cfg->cursor_secret = hex;
    return 0;
}

/* Arms the signals the master reacts to. */
static int
setup_signals(void)
{
    if (od_sig_open() != 0)
        return -1;
    od_sig_catch(SIGTERM);
    od_sig_catch(SIGINT);
    od_sig_catch(SIGHUP);
    od_sig_catch(SIGCHLD);
    od_sig_ignore(SIGPIPE);
    return 0;
}

static void
spawn(pool *p)
{
    slot *s = NULL;
    sigset_t old;
    pid_t pid;

    for (int i = 0; i < OD_POOL_MAX_SLOTS && s == NULL; i++) {
        if (p->slots[i].pid == 0)
            s = &p->slots[i];
    }
    if (s == NULL) {
        od_log_error("pool: no free worker slot");
        return;
    }
    /* Signals stay blocked across fork until the child has its own handlers,
     * so a SIGTERM sent to a new worker is never run by a copy of ours. */
    od_sig_block(&old);
    pid = fork();
    if (pid == 0) {
        close(p->ready_pipe[0]);
        _exit(od_worker_main(p->cfg, p->listen_fd, p->ready_pipe[1], &old));
    }
    od_sig_unblock(&old);
    if (pid < 0) {
        od_log_error("pool: fork failed: %s", strerror(errno));
        p->next_spawn_ms = od_now_ms() + OD_BACKOFF_FIRST_MS;
        return;
    }
    *s = (slot){ .pid = pid, .gen = p->gen, .started_ms = od_now_ms() };
    od_log_debug("pool: started worker %ld", (long)pid);
}

/* Tells a worker to drain; it is killed if it still runs after the timeout. */
static void
stop_worker(const pool *p, slot *s)
{
    if (s->pid > 0 && !s->stopping) {
        kill(s->pid, SIGTERM);
        s->stopping = true;
        s->kill_at_ms = od_now_ms() + p->cfg->shutdown_timeout * 1000L;
    }
}

/* Kills the workers that outlived their drain. */
static void
kill_overdue(pool *p)
{
    long now = od_now_ms();

    for (int i = 0; i < OD_POOL_MAX_SLOTS; i++) {
        slot *s = &p->slots[i];

        if (s->pid > 0 && s->stopping && now > s->kill_at_ms) {
            od_log_warn("pool: worker %ld did not drain within %d s; killing it", (long)s->pid,
                        p->cfg->shutdown_timeout);
            kill(s->pid, SIGKILL);
            s->kill_at_ms = now + 60000;
        }
    }
}

static void
reap(pool *p)
{
    int status;
    pid_t pid;

    while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
        long lived;
        bool clean;

        for (int i = 0; i < OD_POOL_MAX_SLOTS; i++) {
            slot *s = &p->slots[i];

            if (s->pid != pid)
                continue;
            lived = od_now_ms() - s->started_ms;
            clean = WIFEXITED(status) && WEXITSTATUS(status) == 0;
            if (s->stopping || (clean && !p->draining)) {
                od_log_debug("pool: worker %ld exited (%s)", (long)pid,
                             s->stopping ? "stopped" : "recycled");
            } else if (WIFSIGNALED(status)) {
                od_log_warn("pool: worker %ld killed by signal %d after %ld ms", (long)pid,
                            WTERMSIG(status), lived);
            } else {
                od_log_warn("pool: worker %ld exited with status %d after %ld ms",
                            (long)pid, WEXITSTATUS(status), lived);
            }
            if (!s->stopping && !clean && !p->draining) {
                if (lived < OD_EARLY_DEATH_MS || !s->ready) {
                    long delay;

                    p->crashes++;
                    p->last_crash_ms = od_now_ms();
                    delay = OD_BACKOFF_FIRST_MS << (p->crashes > 9 ? 9 : p->crashes - 1);
                    if (delay > OD_BACKOFF_MAX_MS)
                        delay = OD_BACKOFF_MAX_MS;
                    p->next_spawn_ms = od_now_ms() + delay;
                    od_log_error("pool: workers are crashing (%d in a row); next start in "
                                 "%ld ms", p->crashes, delay);
                } else {
                    p->crashes = 0;  /* a death after a good life: replace at once */
                }
            }
            *s = (slot){ 0 };
            break;
        }
    }
}

static void
read_ready(pool *p)
{
    pid_t pid;

    while (read(p->ready_pipe[0], &pid, sizeof(pid)) == (ssize_t)sizeof(pid)) {
        for (int i = 0; i < OD_POOL_MAX_SLOTS; i++) {
            if (p->slots[i].pid == pid)
                p->slots[i].ready = true;
        }
    }
}

static void
reload(pool *p)
{
    od_config fresh;
    od_migration_set set;
    char err[512];

    od_notify("RELOADING=1");
    if (od_config_load(&fresh, p->envp, err, sizeof(err)) != OD_OK) {
        od_log_error("pool: reload refused, keeping the running settings: %s", err);
        od_notify("READY=1");
        return;
    }
    if (strcmp(fresh.socket, p->cfg->socket) != 0)
        od_log_warn("pool: ODYSSEY_SOCKET changed; it takes effect at the next restart");
    if (od_migrations_load(fresh.migrations_dir, &set, err, sizeof(err)) != OD_OK) {
        od_log_error("pool: reload refused, keeping the running settings: %s", err);
        od_config_free(&fresh);
        od_notify("READY=1");
        return;
    }
    /* Last: on success it replaces the keys the next workers inherit. */
    if (od_authn_init(&fresh) != OD_OK) {
        od_log_error("pool: reload refused, keeping the running settings and token keys");
        od_migrations_free(&set);
        od_config_free(&fresh);
        od_notify("READY=1");
        return;
    }
    /* Keep the drawn cursor key when the file still sets none. */
    if (fresh.cursor_secret[0] == '\0') {
        free(fresh.cursor_secret);
        fresh.cursor_secret = p->cfg->cursor_secret;
        p->cfg->cursor_secret = NULL;
    }
    /* Keep the bound socket's address: the listener is not re-opened. */
    free(fresh.socket);
    fresh.socket = p->cfg->socket;
    p->cfg->socket = NULL;
    od_config_free(p->cfg);
    *p->cfg = fresh;
    od_migrations_free(&p->migrations);
    p->migrations = set;
    od_log_init("odyssey-api", p->cfg->log_level);
    p->gen++;
    p->crashes = 0;
    p->next_spawn_ms = 0;
    od_log_info("pool: settings reloaded; replacing workers one by one");
    od_notify("READY=1");
}

/* Brings the set of workers toward the wanted count of the current generation,
 * replacing older generations one at a time: start one, wait until it serves,
 * stop one old one. */
static void
maintain(pool *p)
{
    int want = od_config_worker_count(p->cfg);
    int current = 0, old = 0, pending = 0;
    long now = od_now_ms();

    for (int i = 0; i < OD_POOL_MAX_SLOTS; i++) {
        slot *s = &p->slots[i];

        if (s->pid == 0 || s->stopping)
            continue;
        /* A worker started since the last crash that serves and has outlived the
         * crash window ends a streak. */
        if (p->crashes > 0 && s->ready && s->started_ms >= p->last_crash_ms &&
            now - s->started_ms >= OD_EARLY_DEATH_MS)
            p->crashes = 0;
        if (s->gen == p->gen) {
            current++;
            if (!s->ready)
                pending++;
        } else {
            old++;
        }
    }
    if (old > 0) {
        if (pending > 0)
            return;
        if (current + old > want) {
            for (int i = 0; i < OD_POOL_MAX_SLOTS; i++) {
                if (p->slots[i].pid && !p->slots[i].stopping && p->slots[i].gen != p->gen) {
                    stop_worker(p, &p->slots[i]);
                    return;
                }
            }
        }
        if (now >= p->next_spawn_ms)
            spawn(p);
        return;
    }
    for (; current > want; current--) {
        for (int i = OD_POOL_MAX_SLOTS - 1; i >= 0; i--) {
            if (p->slots[i].pid && !p->slots[i].stopping) {
                stop_worker(p, &p->slots[i]);
                break;
            }
        }
    }
    while (current < want && now >= p->next_spawn_ms) {
        spawn(p);
        current++;
        if (p->crashes > 0)
            break;  /* while crashing, start one at a time */
    }
}

static int
live_workers(const pool *p)
{
    int n = 0;

    for (int i = 0; i < OD_POOL_MAX_SLOTS; i++)
        n += p->slots[i].pid != 0;
    return n;
}

static void
begin_drain(pool *p)
{
    p->draining = true;
    od_notify("STOPPING=1");
    /* No new connections: nginx gets an immediate refusal (a 502 problem with
     * Retry-After) instead of waiting in a backlog nobody will serve. What is
     * queued already is served by the draining workers. */
    od_listen_unlink(p->cfg->socket);
    od_log_info("pool: draining %d workers", live_workers(p));
    for (int i = 0; i < OD_POOL_MAX_SLOTS; i++)
        stop_worker(p, &p->slots[i]);
}

int
od_pool_main(od_config *cfg, char *const *envp)
{
    static pool p;  /* large; lives for the process */
    char err[512];
    int code = 0;

    p.cfg = cfg;
    p.envp = envp;
    p.listen_fd = -1;
    if (od_migrations_load(cfg->migrations_dir, &p.migrations, err, sizeof(err)) != OD_OK) {
        od_log_error("%s (ODYSSEY_MIGRATIONS_DIR)", err);
        od_config_free(cfg);
        return 1;
    }
    if (ensure_cursor_secret(cfg) != 0) {
        od_log_error("pool: cannot make a cursor key");
        od_config_free(cfg);
        od_migrations_free(&p.migrations);
        return 1;
    }
    /* The token keys, which every worker inherits: a key file that cannot be used
     * stops the start here, and a JWKS file broken later never stops a worker. */
    if (od_authn_init(cfg) != OD_OK) {
        od_config_free(cfg);
        od_migrations_free(&p.migrations);
        return 1;
    }
    p.api_env.migrations = &p.migrations;
    od_api_init(&p.api_env);
    if (setup_signals() != 0 || pipe2(p.ready_pipe, O_NONBLOCK | O_CLOEXEC) != 0) {
        od_log_error("pool: cannot create pipes: %s", strerror(errno));
        code = 1;
        goto cleanup;
    }
    p.listen_fd = od_listen_open(cfg->socket, cfg->socket_mode, err, sizeof(err));
    if (p.listen_fd < 0) {
        od_log_error("%s", err);
        code = 1;
        goto cleanup;
    }
    if (FCGX_Init() != 0) {
        od_log_error("pool: libfcgi failed to initialise");
        code = 1;
        goto cleanup;
    }
    od_log_info("pool: listening on %s with %d workers", cfg->socket,
                od_config_worker_count(cfg));
    maintain(&p);
    od_notify("READY=1");
    for (;;) {
        struct pollfd fds[2] = {
            { .fd = od_sig_fd(), .events = POLLIN },
            { .fd = p.ready_pipe[0], .events = POLLIN },
        };
        bool term;

        poll(fds, 2, p.draining ? 100 : 250);
        od_sig_drain();
        if (od_sig_take(SIGCHLD))
            reap(&p);
        read_ready(&p);
        term = od_sig_take(SIGTERM);
        term = od_sig_take(SIGINT) || term;
        if (term && !p.draining)
            begin_drain(&p);
        if (od_sig_take(SIGHUP) && !p.draining)
            reload(&p);
        kill_overdue(&p);
        if (p.draining) {
            if (live_workers(&p) == 0)
                break;
            continue;
        }
        od_authn_refresh(time(NULL));  /* before forking: the last good keys */
        maintain(&p);
    }
    od_log_info("pool: all workers exited; bye");
cleanup:
    if (p.listen_fd >= 0) {
        close(p.listen_fd);
        if (!p.draining)
            od_listen_unlink(cfg->socket);
    }
    od_migrations_free(&p.migrations);
    od_config_free(cfg);
    od_authn_shutdown();
    return code;
}
