/* listen.c: binding the FastCGI socket (unix path or TCP host:port). */
#include "server/listen.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#define OD_LISTEN_BACKLOG 1024

static int
open_unix(const char *path, int mode, char *err, size_t errlen)
{
    struct sockaddr_un sa;
    struct stat sb;
    int fd;

    if (strlen(path) >= sizeof(sa.sun_path)) {
        snprintf(err, errlen, "ODYSSEY_SOCKET: path too long: %s", path);
        return -1;
    }
    if (lstat(path, &sb) == 0) {
        if (!S_ISSOCK(sb.st_mode)) {
            snprintf(err, errlen, "ODYSSEY_SOCKET: %s exists and is not a socket", path);
            return -1;
        }
        unlink(path);
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0)
        goto fail;
    memset(&sa, 0, sizeof(sa));
    sa.sun_family = AF_UNIX;
    memcpy(sa.sun_path, path, strlen(path) + 1);
    if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0 || chmod(path, (mode_t)mode) != 0 ||
        listen(fd, OD_LISTEN_BACKLOG) != 0)
        goto fail;
    return fd;
fail:
    snprintf(err, errlen, "ODYSSEY_SOCKET: cannot listen on %s: %s", path, strerror(errno));
    if (fd >= 0)
        close(fd);
    return -1;
}

static int
open_tcp(const char *addr, char *err, size_t errlen)
{
    char host[256];
    const char *colon = strrchr(addr, ':');
    struct addrinfo hints, *ai = NULL;
    int fd = -1, one = 1, gai;
    size_t hlen = (size_t)(colon - addr);

    if (hlen >= sizeof(host)) {
        snprintf(err, errlen, "ODYSSEY_SOCKET: host too long: %s", addr);
        return -1;
    }
    memcpy(host, addr, hlen);
    host[hlen] = '\0';
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    gai = getaddrinfo(hlen ? host : NULL, colon + 1, &hints, &ai);
    if (gai != 0) {
        snprintf(err, errlen, "ODYSSEY_SOCKET: cannot resolve %s: %s", addr, gai_strerror(gai));
        return -1;
    }
    fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
        bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 || listen(fd, OD_LISTEN_BACKLOG) != 0) {
        snprintf(err, errlen, "ODYSSEY_SOCKET: cannot listen on %s: %s", addr, strerror(errno));
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(ai);
    return fd;
}

int
od_listen_open(const char *addr, int mode, char *err, size_t errlen)
{
    return addr[0] == '/' ? open_unix(addr, mode, err, errlen) : open_tcp(addr, err, errlen);
}

void
od_listen_unlink(const char *addr)
{
    if (addr[0] == '/')
        unlink(addr);
}
