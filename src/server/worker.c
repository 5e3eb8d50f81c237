/* worker.c: the accept loop of a pool worker. The worker waits on the shared
 * listening socket (epoll, EPOLLEXCLUSIVE: one wakes per connection) and on a
 * signal pipe; it accepts the connection itself and hands it to libfcgi, so a
 * SIGTERM never interrupts a request: it is noticed between requests. */
#include "server/worker.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <fcgiapp.h>

#include "api/api.h"
#include "core/arena.h"
#include "core/log.h"
#include "db/db.h"
#include "http/request.h"

#define OD_ARENA_CAP ((size_t)256 * 1024 * 1024)

static volatile sig_atomic_t stop_requested;
static int sig_pipe[2] = { -1, -1 };

static void
on_term(int signo)
{
    int saved = errno;

    (void)signo;
    stop_requested = 1;
    if (write(sig_pipe[1], "T", 1) < 0) {
        /* the pipe is full: a wake-up is already pending */
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
    sa.sa_flags = SA_RESTART;  /* reads and writes of a request resume */
    sa.sa_handler = on_term;
    sigaction(SIGTERM, &sa, NULL);
    sigaction(SIGINT, &sa, NULL);
    sa.sa_handler = SIG_IGN;
    sigaction(SIGHUP, &sa, NULL);  /* reload is the master's business */
    sigaction(SIGPIPE, &sa, NULL);
    sa.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &sa, NULL);
    return 0;
}

static double
elapsed_ms(const struct timespec *start)
{
    struct timespec now;

    clock_gettime(CLOCK_MONOTONIC, &now);
    return (double)(now.tv_sec - start->tv_sec) * 1000.0 +
           (double)(now.tv_nsec - start->tv_nsec) / 1e6;
}

static void
serve_one(FCGX_Request *fcgx, od_arena *arena, const od_config *cfg, od_db *db,
          od_db *replica)
{
    od_request r;
    od_log_request line;

    od_req_init(&r, fcgx, arena, cfg);
    r.db = db;
    r.replica = replica;
    od_api_handle(&r);
    line = (od_log_request){
        .req_id = r.request_id,
        .user_id = r.user_id,
        .vendor_id = r.vendor_id,
        .role = r.role,
        .method = r.method,
        .route = r.match.route ? r.match.route->pattern : NULL,
        .status = r.status,
        .latency_ms = elapsed_ms(&r.started),
        .rows_read = r.rows_read,
        .rows_written = r.rows_written,
    };
    od_log_req(&line);
}

int
od_worker_main(const od_config *cfg, int listen_fd, int ready_fd)
{
    pid_t master = getppid(), me = getpid();
    struct epoll_event ev, events[2];
    FCGX_Request fcgx;
    od_arena *arena = NULL;
    od_db *db = NULL, *replica = NULL;
    long served = 0;
    int ep = -1, code = 1;

    prctl(PR_SET_NAME, "odyssey-api:wk", 0, 0, 0);
    if (setup_signals() != 0 || (arena = od_arena_create(OD_ARENA_CAP)) == NULL ||
        (ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        od_log_error("worker: cannot set up: %s", strerror(errno));
        goto cleanup;
    }
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.fd = listen_fd;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev) != 0)
        goto cleanup;
    ev.events = EPOLLIN;
    ev.data.fd = sig_pipe[0];
    if (epoll_ctl(ep, EPOLL_CTL_ADD, sig_pipe[0], &ev) != 0)
        goto cleanup;
    /* A database that is down now is not fatal: requests get 503 until it returns. */
    db = od_db_open(cfg->database_url, "odyssey-api", cfg);
    if (cfg->replica_url[0] != '\0')
        replica = od_db_open(cfg->replica_url, "odyssey-api-replica", cfg);
    if (db == NULL || FCGX_InitRequest(&fcgx, listen_fd, 0) != 0) {
        od_log_error("worker: out of memory at start");
        goto cleanup;
    }
    if (write(ready_fd, &me, sizeof(me)) != (ssize_t)sizeof(me))
        od_log_warn("worker: cannot report readiness: %s", strerror(errno));
    close(ready_fd);
    ready_fd = -1;
    while (!stop_requested && (cfg->max_requests == 0 || served < cfg->max_requests)) {
        int n = epoll_wait(ep, events, 2, 1000);
        bool can_accept = false;

        if (getppid() != master)
            break;  /* orphaned: the master is gone, so is our supervision */
        for (int i = 0; i < n; i++) {
            if (events[i].data.fd == sig_pipe[0]) {
                char drain[16];

                while (read(sig_pipe[0], drain, sizeof(drain)) > 0)
                    ;
            } else {
                can_accept = true;
            }
        }
        if (!can_accept || stop_requested)
            continue;
        int fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);

        if (fd < 0)
            continue;  /* another worker took it (EAGAIN), or the client left */
        /* Top of the loop turn: last request's memory and borrowed objects go. */
        od_arena_reset(arena);
        fcgx.ipcFd = fd;
        /* FCGX_Accept_r first finishes the previous request and would close a
         * connection it does not believe kept; it then reads the real flag. */
        fcgx.keepConnection = 1;
        if (FCGX_Accept_r(&fcgx) < 0) {
            /* A broken FastCGI exchange: libfcgi closed the connection. */
            continue;
        }
        serve_one(&fcgx, arena, cfg, db, replica);
        FCGX_Finish_r(&fcgx);
        if (fcgx.ipcFd >= 0) {
            /* The web server asked to keep the connection; we serve one request per
             * connection so that a draining worker holds no idle connection. */
            close(fcgx.ipcFd);
            fcgx.ipcFd = -1;
        }
        served++;
    }
    code = 0;
    od_log_debug("worker: exiting after %ld requests", served);
cleanup:
    if (ready_fd >= 0)
        close(ready_fd);
    od_db_close(replica);
    od_db_close(db);
    od_arena_destroy(arena);
    if (ep >= 0)
        close(ep);
    return code;
}
