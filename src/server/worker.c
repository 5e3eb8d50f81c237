/* worker.c: the accept loop of a pool worker. The worker waits on the shared
 * listening socket (epoll, EPOLLEXCLUSIVE: one wakes per connection) and on the
 * signal pipe; it accepts the connection itself and hands it to libfcgi, so a
 * SIGTERM never interrupts a request: it is noticed between requests. On SIGTERM
 * the worker serves what is already queued on the socket, then exits. */
#include "server/worker.h"

#include <errno.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <openssl/rand.h>

#include "api/api.h"
#include "auth/authn.h"
#include "core/arena.h"
#include "core/clock.h"
#include "core/log.h"
#include "core/sigpipe.h"
#include "db/db.h"
#include "http/request.h"

#define OD_ARENA_CAP ((size_t)256 * 1024 * 1024)

typedef struct worker {
    const od_config *cfg;  /* borrowed */
    od_arena *arena;       /* per-request memory */
    od_db *db;             /* primary */
    od_db *replica;        /* read replica, or NULL */
    FCGX_Request fcgx;
} worker;

/* True when nothing more of this request can arrive: its body (if any) was read,
 * and the web server has ended its input (the empty FCGI_STDIN record that follows
 * the body; until then nginx may still be writing, and a close would fail its write
 * after the answer had begun). */
static bool
request_complete(od_request *r)
{
    const char *cl = od_req_env(r, "CONTENT_LENGTH");

    if (!(cl == NULL || cl[0] == '\0' || strcmp(cl, "0") == 0 || r->body_read))
        return false;
    return FCGX_GetChar(r->fcgx->in) == EOF;
}

static void
serve(worker *w, int fd)
{
    od_request r;
    od_log_request line;

    /* Top of the loop turn: the last request's memory and borrowed objects go. */
    od_arena_reset(w->arena);
    w->fcgx.ipcFd = fd;
    /* FCGX_Accept_r first finishes the previous request and would close a
     * connection it does not believe kept; it then reads the real flag. */
    w->fcgx.keepConnection = 1;
    if (FCGX_Accept_r(&w->fcgx) < 0)
        return;  /* a broken FastCGI exchange: libfcgi closed the connection */
    od_req_init(&r, &w->fcgx, w->arena, w->cfg);
    r.db = w->db;
    r.replica = w->replica;
    od_api_handle(&r);
    od_resp_flush(&r);
    line = (od_log_request){
        .req_id = r.request_id,
        .user_id = r.user_id,
        .vendor_id = r.vendor_id,
        .role = r.role,
        .method = r.method,
        .route = r.match.route ? r.match.route->pattern : NULL,
        .status = r.status,
        .latency_ms = od_elapsed_ms(&r.started),
        .rows_read = r.rows_read,
        .rows_written = r.rows_written,
    };
    od_log_req(&line);
    /* libfcgi closes a connection the web server did not ask to keep with a
     * lingering close: shutdown, then up to 2 s of reading until the server closes
     * first (a TCP habit). It kept the worker from its next request until nginx had
     * read the answer. When the whole request has arrived the answer cannot be lost
     * to a reset, so the connection is closed at once below; a body left unread (a
     * refused upload still arriving) keeps the lingering close, so that nginx gets
     * the answer. */
    if (request_complete(&r))
        w->fcgx.keepConnection = 1;
    FCGX_Finish_r(&w->fcgx);
    if (w->fcgx.ipcFd >= 0) {
        /* Kept by libfcgi (above, or the web server asked to keep it): we serve one
         * request per connection so that a draining worker holds no idle one. */
        close(w->fcgx.ipcFd);
        w->fcgx.ipcFd = -1;
    }
}

/* This worker's share of ODYSSEY_MAX_REQUESTS (max, 0: never): drawn once between
 * three quarters of it and all of it. Evenly loaded workers reached the same count
 * together, and the fresh database sessions of all of them then waited up to a
 * second at once (docs/performance.md, "Plans kept per vendor"). */
static long
recycle_after(long max)
{
    unsigned int r;

    if (max < 4 || RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
        return max;
    return max - (long)(r % (unsigned long)(max / 4 + 1));
}

int
od_worker_main(const od_config *cfg, int listen_fd, int ready_fd, const sigset_t *parent_mask)
{
    pid_t master = getppid(), me = getpid();
    struct epoll_event ev, events[2];
    worker w = { .cfg = cfg };
    long served = 0, limit = recycle_after(cfg->max_requests);
    int ep = -1, code = 1;

    prctl(PR_SET_NAME, "odyssey-api:wk", 0, 0, 0);
    /* The master's handlers and pipe are not ours: replace them before any
     * signal is let through. */
    od_sig_close();
    if (od_sig_open() != 0) {
        od_log_error("worker: cannot create the signal pipe: %s", strerror(errno));
        return 1;
    }
    od_sig_catch(SIGTERM);
    od_sig_catch(SIGINT);
    od_sig_ignore(SIGHUP);   /* reload is the master's business */
    od_sig_ignore(SIGPIPE);
    od_sig_unblock(parent_mask);
    if ((w.arena = od_arena_create(OD_ARENA_CAP)) == NULL ||
        (ep = epoll_create1(EPOLL_CLOEXEC)) < 0) {
        od_log_error("worker: cannot set up: %s", strerror(errno));
        goto cleanup;
    }
    ev.events = EPOLLIN | EPOLLEXCLUSIVE;
    ev.data.fd = listen_fd;
    if (epoll_ctl(ep, EPOLL_CTL_ADD, listen_fd, &ev) != 0)
        goto cleanup;
    ev.events = EPOLLIN;
    ev.data.fd = od_sig_fd();
    if (epoll_ctl(ep, EPOLL_CTL_ADD, od_sig_fd(), &ev) != 0)
        goto cleanup;
    /* A database that is down now is not fatal: requests get 503 until it returns. */
    w.db = od_db_open(cfg->database_url, "odyssey-api", cfg, false);
    if (cfg->replica_url[0] != '\0')
        w.replica = od_db_open(cfg->replica_url, "odyssey-api-replica", cfg, false);
    if (w.db == NULL || FCGX_InitRequest(&w.fcgx, listen_fd, 0) != 0) {
        od_log_error("worker: out of memory at start");
        goto cleanup;
    }
    /* Token keys come from the master, which loaded them before forking (and again
     * at a SIGHUP, which rolls workers); a JWKS file is also re-read in place when
     * it changes, the old keys kept while it cannot be used. */
    od_api_worker_start(cfg);
    if (write(ready_fd, &me, sizeof(me)) != (ssize_t)sizeof(me))
        od_log_warn("worker: cannot report readiness: %s", strerror(errno));
    close(ready_fd);
    ready_fd = -1;
    while (limit == 0 || served < limit) {
        int fd, n;

        if (od_sig_pending(SIGTERM) || od_sig_pending(SIGINT)) {
            /* Draining: serve what is already queued, exit when nothing is. */
            fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
            if (fd < 0)
                break;
            serve(&w, fd);
            served++;
            continue;
        }
        n = epoll_wait(ep, events, 2, 1000);
        if (getppid() != master)
            break;  /* orphaned: the master is gone, so is our supervision */
        for (int i = 0; i < n; i++) {
            if (events[i].data.fd == od_sig_fd()) {
                od_sig_drain();
                continue;
            }
            /* Accept even when a SIGTERM came with it: EPOLLEXCLUSIVE woke only us. */
            fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
            if (fd < 0)
                continue;  /* another worker took it (EAGAIN), or the client left */
            serve(&w, fd);
            served++;
        }
    }
    code = 0;
    od_log_debug("worker: exiting after %ld requests", served);
cleanup:
    if (ready_fd >= 0)
        close(ready_fd);
    od_api_worker_stop();
    od_authn_shutdown();
    od_db_close(w.replica);
    od_db_close(w.db);
    od_arena_destroy(w.arena);
    if (ep >= 0)
        close(ep);
    od_sig_close();
    return code;
}
