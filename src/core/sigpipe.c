/* sigpipe.c: signals as poll events through a self-pipe. */
#include "core/sigpipe.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t flags[NSIG];
static bool caught[NSIG];
static int pipe_fds[2] = { -1, -1 };

static void
on_signal(int signo)
{
    int saved = errno;

    flags[signo] = 1;
    if (write(pipe_fds[1], "s", 1) < 0) {
        /* the pipe is full: a wake-up is already pending */
    }
    errno = saved;
}

int
od_sig_open(void)
{
    return pipe2(pipe_fds, O_NONBLOCK | O_CLOEXEC);
}

void
od_sig_close(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++) {
        if (caught[s]) {
            sigaction(s, &sa, NULL);
            caught[s] = false;
            flags[s] = 0;
        }
    }
    if (pipe_fds[0] >= 0) {
        close(pipe_fds[0]);
        close(pipe_fds[1]);
        pipe_fds[0] = pipe_fds[1] = -1;
    }
}

void
od_sig_catch(int signo)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sa.sa_handler = on_signal;
    sigaction(signo, &sa, NULL);
    caught[signo] = true;
}

void
od_sig_ignore(int signo)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    sigaction(signo, &sa, NULL);
}

int
od_sig_fd(void)
{
    return pipe_fds[0];
}

void
od_sig_drain(void)
{
    char scratch[64];

    while (read(pipe_fds[0], scratch, sizeof(scratch)) > 0)
        ;
}

bool
od_sig_take(int signo)
{
    if (!flags[signo])
        return false;
    flags[signo] = 0;
    return true;
}

bool
od_sig_pending(int signo)
{
    return flags[signo] != 0;
}

void
od_sig_block(sigset_t *old)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGCHLD);
    sigprocmask(SIG_BLOCK, &set, old);
}

void
od_sig_unblock(const sigset_t *old)
{
    sigprocmask(SIG_SETMASK, old, NULL);
}
