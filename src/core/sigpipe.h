/* sigpipe.h: signals as events for a poll loop (the self-pipe trick). A caught
 * signal sets its flag and writes a byte to a non-blocking pipe whose read end the
 * loop polls; the loop then takes the flags. Handlers restart interrupted system
 * calls, so a signal never breaks a read or write in progress. One set per process. */
#ifndef OD_SIGPIPE_H
#define OD_SIGPIPE_H

#include <signal.h>
#include <stdbool.h>

/* Creates the pipe. Returns 0, or -1 with errno set. */
int od_sig_open(void);

/* Closes the pipe and restores the default disposition of every caught signal
 * (in a child after fork, before it sets up its own). */
void od_sig_close(void);

/* Catches signo from now on. */
void od_sig_catch(int signo);

/* Ignores signo (SIGPIPE, SIGHUP in children). */
void od_sig_ignore(int signo);

/* The read end of the pipe, to poll for POLLIN. */
int od_sig_fd(void);

/* Empties the pipe (call after poll reports it readable or on every turn). */
void od_sig_drain(void);

/* Returns whether signo arrived since the last take, and clears it. */
bool od_sig_take(int signo);

/* Returns whether signo arrived, without clearing it. */
bool od_sig_pending(int signo);

/* Blocks the signals the pool's processes catch (TERM, INT, HUP, CHLD) and
 * stores the previous mask in *old, so a fork cannot run a handler of the parent
 * in the child; od_sig_unblock restores it. */
void od_sig_block(sigset_t *old);
void od_sig_unblock(const sigset_t *old);

#endif
