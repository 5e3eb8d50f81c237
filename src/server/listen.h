/* listen.h: the FastCGI listening socket the master binds before it forks. */
#ifndef OD_LISTEN_H
#define OD_LISTEN_H

#include <stddef.h>

/* Binds and listens on addr ("/abs/path.sock" or "host:port"); a unix socket gets
 * mode (a stale socket file is replaced, any other file is refused). The socket is
 * non-blocking and close-on-exec. Returns the descriptor, or -1 with err filled. */
int od_listen_open(const char *addr, int mode, char *err, size_t errlen);

/* Removes the socket file of a unix addr (at shutdown). */
void od_listen_unlink(const char *addr);

#endif
