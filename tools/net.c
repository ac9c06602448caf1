/* SPDX-License-Identifier: MIT */
/*
 * net.c - TCP sockets for the `credssp` tool: HOST:PORT parsing, connect,
 * listen, and read/write loops that cope with short transfers and EINTR.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

/*
 * The deadline of connect --timeout (CLOCK_MONOTONIC), shared by the
 * connect and every read and write after it; none while deadline_secs is
 * 0.  The program is single-threaded.
 */
static struct timespec deadline;
static unsigned long deadline_secs;

/* What a read or write that ran into the deadline reports. */
#define TIMEOUT_MSG "timed out: the handshake with the peer did not finish"

/* Starts the deadline: seconds from now. */
void
ct_deadline_start(unsigned long seconds)
{
    (void)clock_gettime(CLOCK_MONOTONIC, &deadline);
    deadline.tv_sec += (time_t)seconds;
    deadline_secs = seconds;
}

/* Milliseconds left before the deadline (0 when it has passed). */
static int
deadline_left_ms(void)
{
    struct timespec now;
    long long ms;

    (void)clock_gettime(CLOCK_MONOTONIC, &now);
    ms = (long long)(deadline.tv_sec - now.tv_sec) * 1000 +
         (deadline.tv_nsec - now.tv_nsec) / 1000000;
    return ms <= 0 ? 0 : ms > 86400000LL ? 86400000 : (int)ms;
}

/*
 * Waits until fd is ready for events or the deadline passes; the message
 * then is what, followed by "within N seconds (--timeout)".
 */
static enum ct_rc
wait_ready(int fd, short events, const char *what, struct ct_err *err)
{
    struct pollfd pfd;
    int r;

    for (;;) {
        pfd.fd = fd;
        pfd.events = events;
        pfd.revents = 0;
        r = poll(&pfd, 1, deadline_left_ms());
        if (r > 0) {
            return CT_OK;
        }
        if (r == 0) {
            ct_err_set(err, "%s within %lu second%s (--timeout)", what,
                       deadline_secs, deadline_secs == 1 ? "" : "s");
            return CT_ERR;
        }
        if (errno != EINTR) {
            ct_err_errno(err, errno, "poll");
            return CT_ERR;
        }
    }
}

/* What connect_by_deadline() returns when the deadline passed. */
#define DEADLINE_PASSED (-1)

/*
 * connect() bounded by the deadline: the socket is non-blocking from
 * then on, and the reads and writes wait for it with poll().  Returns 0,
 * an errno value, or DEADLINE_PASSED with *err set.
 */
static int
connect_by_deadline(int fd, const struct addrinfo *ai, const char *what,
                    struct ct_err *err)
{
    socklen_t len = sizeof(int);
    int e = 0;

    if (fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK) != 0) {
        return errno;
    }
    if (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
        return 0;
    }
    if (errno != EINPROGRESS) {
        return errno;
    }
    if (wait_ready(fd, POLLOUT, what, err) != CT_OK) {
        return DEADLINE_PASSED;
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &len) != 0) {
        return errno;
    }
    return e;
}

/*
 * Parses "HOST:PORT", "[V6ADDR]:PORT" into *out.  The port is decimal,
 * 1..65535 (0 too when allow_port0).  An IPv6 address must be bracketed.
 */
enum ct_rc
ct_parse_hostport(const char *s, bool allow_port0, struct ct_hostport *out,
                  struct ct_err *err)
{
    const char *host, *port, *colon, *end;
    size_t host_len, port_num;

    if (s[0] == '[') {
        host = s + 1;
        end = strchr(host, ']');
        if (end == NULL || end[1] != ':') {
            ct_err_set(err, "bad address '%s': expected [ADDR]:PORT", s);
            return CT_ERR;
        }
        host_len = (size_t)(end - host);
        port = end + 2;
    } else {
        host = s;
        colon = strrchr(s, ':');
        if (colon == NULL) {
            ct_err_set(err, "bad address '%s': expected HOST:PORT", s);
            return CT_ERR;
        }
        if (memchr(s, ':', (size_t)(colon - s)) != NULL) {
            ct_err_set(err, "bad address '%s': write an IPv6 address in "
                       "brackets, [ADDR]:PORT", s);
            return CT_ERR;
        }
        host_len = (size_t)(colon - s);
        port = colon + 1;
    }
    if (host_len == 0 || host_len >= sizeof(out->host)) {
        ct_err_set(err, "bad address '%s': empty or overlong host", s);
        return CT_ERR;
    }
    if (ct_parse_size(port, allow_port0 ? 0 : 1, 65535, &port_num)
        != CT_OK) {
        ct_err_set(err, "bad address '%s': the port must be a number "
                   "from %d to 65535", s, allow_port0 ? 0 : 1);
        return CT_ERR;
    }
    memcpy(out->host, host, host_len);
    out->host[host_len] = '\0';
    (void)snprintf(out->port, sizeof(out->port), "%zu", port_num);
    return CT_OK;
}

/* Turns off Nagle: the tokens are small and strictly alternate. */
static void
set_nodelay(int fd)
{
    int one = 1;

    /* Only a latency tweak: failing is harmless. */
    (void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

/*
 * Connects to hp over TCP, trying each address the name resolves to in
 * turn.  On success *fd_out is the connected socket (close-on-exec).
 */
enum ct_rc
ct_tcp_connect(const struct ct_hostport *hp, int *fd_out,
               struct ct_err *err)
{
    struct addrinfo hints, *res = NULL, *ai;
    struct ct_err timeout_err;
    char what[300];
    int fd = -1, gai, last_errno = 0;
    enum ct_rc rc = CT_ERR;

    (void)snprintf(what, sizeof(what), "cannot connect to %s port %s: "
                   "no answer", hp->host, hp->port);
    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_NUMERICSERV;
    gai = getaddrinfo(hp->host, hp->port, &hints, &res);
    if (gai != 0) {
        ct_err_set(err, "cannot resolve %s: %s", hp->host,
                   gai_strerror(gai));
        goto cleanup;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        last_errno = (deadline_secs == 0)
                         ? (connect(fd, ai->ai_addr, ai->ai_addrlen) == 0
                                ? 0 : errno)
                         : connect_by_deadline(fd, ai, what, &timeout_err);
        if (last_errno == 0) {
            break;
        }
        (void)close(fd);
        fd = -1;
        if (last_errno == DEADLINE_PASSED) {
            break;              /* no time left for another address */
        }
    }
    if (fd < 0) {
        if (last_errno == DEADLINE_PASSED) {
            *err = timeout_err;
        } else {
            ct_err_errno(err, last_errno, "cannot connect to %s port %s",
                         hp->host, hp->port);
        }
        goto cleanup;
    }
    set_nodelay(fd);
    *fd_out = fd;
    fd = -1;
    rc = CT_OK;

cleanup:
    if (res != NULL) {
        freeaddrinfo(res);
    }
    return rc;
}

/*
 * Opens a listening TCP socket on hp (SO_REUSEADDR, an IPv6 socket only
 * for IPv6).  On success *fd_out is the socket (close-on-exec).
 */
enum ct_rc
ct_tcp_listen(const struct ct_hostport *hp, int *fd_out, struct ct_err *err)
{
    struct addrinfo hints, *res = NULL, *ai;
    int fd = -1, gai, one = 1, last_errno = 0;
    enum ct_rc rc = CT_ERR;

    memset(&hints, 0, sizeof(hints));
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
    gai = getaddrinfo(hp->host, hp->port, &hints, &res);
    if (gai != 0) {
        ct_err_set(err, "cannot resolve %s: %s", hp->host,
                   gai_strerror(gai));
        goto cleanup;
    }
    for (ai = res; ai != NULL; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC,
                    ai->ai_protocol);
        if (fd < 0) {
            last_errno = errno;
            continue;
        }
        if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one,
                       sizeof(one)) != 0 ||
            (ai->ai_family == AF_INET6 &&
             setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one,
                        sizeof(one)) != 0) ||
            bind(fd, ai->ai_addr, ai->ai_addrlen) != 0 ||
            listen(fd, 16) != 0) {
            last_errno = errno;
            (void)close(fd);
            fd = -1;
            continue;
        }
        break;
    }
    if (fd < 0) {
        ct_err_errno(err, last_errno, "cannot listen on %s port %s",
                     hp->host, hp->port);
        goto cleanup;
    }
    *fd_out = fd;
    fd = -1;
    rc = CT_OK;

cleanup:
    if (res != NULL) {
        freeaddrinfo(res);
    }
    return rc;
}

/*
 * Writes the socket's local (or, when peer, remote) address as "A:P" or
 * "[A]:P" into buf; "unknown" when it cannot be had.
 */
void
ct_sock_name(int fd, bool peer, char *buf, size_t len)
{
    struct sockaddr_storage ss;
    socklen_t sl = sizeof(ss);
    char host[NI_MAXHOST], serv[NI_MAXSERV];
    int r;

    r = peer ? getpeername(fd, (struct sockaddr *)&ss, &sl)
             : getsockname(fd, (struct sockaddr *)&ss, &sl);
    if (r != 0 ||
        getnameinfo((struct sockaddr *)&ss, sl, host, sizeof(host), serv,
                    sizeof(serv), NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        (void)snprintf(buf, len, "unknown");
        return;
    }
    if (ss.ss_family == AF_INET6) {
        (void)snprintf(buf, len, "[%s]:%s", host, serv);
    } else {
        (void)snprintf(buf, len, "%s:%s", host, serv);
    }
}

/* Bounds every read and write on fd to the given number of seconds. */
enum ct_rc
ct_set_timeouts(int fd, int seconds, struct ct_err *err)
{
    struct timeval tv;

    tv.tv_sec = seconds;
    tv.tv_usec = 0;
    if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv)) != 0 ||
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0) {
        ct_err_errno(err, errno, "cannot set socket timeouts");
        return CT_ERR;
    }
    return CT_OK;
}

/*
 * Records the failure of a read or write.  EAGAIN is what SO_RCVTIMEO and
 * SO_SNDTIMEO give (Linux defines EWOULDBLOCK as the same value).
 */
static void
io_error(struct ct_err *err, int errnum, const char *what)
{
    if (errnum == EAGAIN) {
        ct_err_set(err, "%s: timed out", what);
    } else {
        ct_err_errno(err, errnum, "%s", what);
    }
}

/*
 * Reads exactly len bytes.  CT_EOF when the peer closed the connection
 * before the first byte; closing after it is an error.
 */
enum ct_rc
ct_read_full(int fd, void *buf, size_t len, struct ct_err *err)
{
    uint8_t *p = buf;
    size_t got = 0;
    ssize_t n;

    while (got < len) {
        n = read(fd, p + got, len - got);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN && deadline_secs != 0) {
                if (wait_ready(fd, POLLIN, TIMEOUT_MSG, err) != CT_OK) {
                    return CT_ERR;
                }
                continue;
            }
            io_error(err, errno, "read from the peer failed");
            return CT_ERR;
        }
        if (n == 0) {
            if (got == 0) {
                ct_err_set(err, "the peer closed the connection");
                return CT_EOF;
            }
            ct_err_set(err, "the peer closed the connection in the middle "
                       "of a message");
            return CT_ERR;
        }
        got += (size_t)n;
    }
    return CT_OK;
}

/* Reads between 1 and max bytes; CT_EOF when the peer closed. */
enum ct_rc
ct_read_some(int fd, void *buf, size_t max, size_t *got, struct ct_err *err)
{
    ssize_t n;

    for (;;) {
        n = read(fd, buf, max);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno == EAGAIN && deadline_secs != 0) {
            if (wait_ready(fd, POLLIN, TIMEOUT_MSG, err) != CT_OK) {
                return CT_ERR;
            }
            continue;
        }
        break;
    }
    if (n < 0) {
        io_error(err, errno, "read from the peer failed");
        return CT_ERR;
    }
    if (n == 0) {
        ct_err_set(err, "the peer closed the connection");
        return CT_EOF;
    }
    *got = (size_t)n;
    return CT_OK;
}

/* Writes all len bytes. */
enum ct_rc
ct_write_full(int fd, const void *buf, size_t len, struct ct_err *err)
{
    const uint8_t *p = buf;
    size_t done = 0;
    ssize_t n;

    while (done < len) {
        n = write(fd, p + done, len - done);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno == EAGAIN && deadline_secs != 0) {
                if (wait_ready(fd, POLLOUT, TIMEOUT_MSG, err)
                    != CT_OK) {
                    return CT_ERR;
                }
                continue;
            }
            io_error(err, errno, "write to the peer failed");
            return CT_ERR;
        }
        done += (size_t)n;
    }
    return CT_OK;
}

/* How many of a stranger's first bytes an error message shows. */
#define STRANGER_SHOWN 64

/*
 * A peer that does not speak our transport sent head (n bytes, n <
 * STRANGER_SHOWN) where expected was due: when these bytes and what else
 * has already arrived are printable text, as from an HTTP or SMTP server
 * that answers anything, record an error that shows them (the report
 * escapes CR, LF and the rest) and return true; false for binary bytes.
 */
bool
ct_stranger_text(int fd, const uint8_t *head, size_t n, const char *expected,
              struct ct_err *err)
{
    char buf[STRANGER_SHOWN + 1];
    ssize_t more;
    size_t len, i;

    memcpy(buf, head, n);
    /* Only what is here already: never wait for a stranger. */
    more = recv(fd, buf + n, STRANGER_SHOWN - n, MSG_DONTWAIT);
    len = n + (more > 0 ? (size_t)more : 0);
    for (i = 0; i < len; i++) {
        if ((buf[i] < 0x20 || buf[i] > 0x7e) && buf[i] != '\r' &&
            buf[i] != '\n' && buf[i] != '\t') {
            return false;
        }
    }
    buf[len] = '\0';
    ct_err_set(err, "the peer does not speak %s: instead of the %s it sent "
               "\"%s\"%s", expected == NULL ? "the lp transport" : "RDP",
               expected == NULL ? "length of a token" : expected, buf,
               len == STRANGER_SHOWN ? "..." : "");
    return true;
}
