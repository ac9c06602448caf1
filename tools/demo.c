/* SPDX-License-Identifier: MIT */
/*
 * demo.c - `credssp demo`: a complete CredSSP demonstration on loopback.
 *
 * Starts the throwaway KDC test fixture (`sh FIXTURE start DIR`, which
 * writes its environment to DIR/env as plain NAME=VALUE lines), takes that
 * environment over, then runs this same program twice as a server and a
 * client pair: a Kerberos round and an NTLM round, both delegating the
 * password.  Each round's listening socket is made here and handed to its
 * server by descriptor, so there is no race for the port.  Finally
 * `sh FIXTURE stop DIR` and DIR is removed.
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE 1
#endif

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "tool.h"

#ifndef CREDSSP_FIXTURE_DEFAULT
#error "CREDSSP_FIXTURE_DEFAULT must name the installed kdc-fixture.sh"
#endif

#define SELF_EXE "/proc/self/exe"
#define SHELL "/bin/sh"
#define MAX_CHILD_OUTPUT (64 * 1024)
#define MAX_ARGS 32
/*
 * Seconds: the fixture's start, one round, a child after its partner
 * ended, and between SIGTERM and SIGKILL.
 */
#define FIXTURE_TIMEOUT 120
#define ROUND_TIMEOUT 180
#define PAIR_GRACE 10
#define KILL_GRACE 5

/* Set by the handler of SIGINT, SIGTERM and SIGHUP. */
static volatile sig_atomic_t stop_signal;

/* Records the signal; the wait loops notice it and stop the children. */
static void
on_signal(int sig)
{
    stop_signal = sig;
}

/* A child process we started and wait for by its PID. */
struct child {
    const char *label;
    pid_t pid;
    int out_fd;                 /* read end of its stdout, -1 if none */
    struct ct_text out;
    bool reaped;
    int status;
    bool paired;                /* stopped if it outlives its partner */
    bool killed;
    double kill_time;
};

/* What the fixture told us, plus the demo's own settings. */
struct demo_env {
    const char *user;
    const char *password;
    const char *realm;
    const char *ntlm_domain;
    const char *transport;
    bool verbose;
};

/* One server/client pair. */
struct demo_round {
    const char *label;
    const char *mech;
    bool ntlm;
};

/* Seconds on the monotonic clock. */
static double
now_s(void)
{
    struct timespec ts;

    if (clock_gettime(CLOCK_MONOTONIC, &ts) != 0) {
        return 0.0;
    }
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* In a forked child: makes from available as to, across exec. */
static void
child_move_fd(int from, int to)
{
    if (from == to) {
        (void)fcntl(to, F_SETFD, 0);
    } else {
        (void)dup2(from, to);
    }
}

/*
 * Starts path with argv.  in_fd (if >= 0) becomes its stdin, keep_fd (if
 * >= 0) stays open across exec, and its stdout is captured into c->out.
 * Between fork and exec only async-signal-safe calls are made.
 */
static enum ct_rc
spawn(const char *path, const char *const argv[], int in_fd, int keep_fd,
      struct child *c, struct ct_err *err)
{
    int outp[2];
    pid_t pid;

    if (pipe2(outp, O_CLOEXEC) != 0) {
        ct_err_errno(err, errno, "pipe");
        return CT_ERR;
    }
    fflush(stdout);
    fflush(stderr);
    pid = fork();
    if (pid < 0) {
        ct_err_errno(err, errno, "fork");
        (void)close(outp[0]);
        (void)close(outp[1]);
        return CT_ERR;
    }
    if (pid == 0) {
        if (in_fd >= 0) {
            child_move_fd(in_fd, STDIN_FILENO);
        }
        child_move_fd(outp[1], STDOUT_FILENO);
        if (keep_fd >= 0) {
            (void)fcntl(keep_fd, F_SETFD, 0);
        }
        (void)signal(SIGPIPE, SIG_DFL);
        execv(path, (char *const *)argv);
        _exit(127);
    }
    (void)close(outp[1]);
    c->pid = pid;
    c->out_fd = outp[0];
    c->reaped = false;
    c->killed = false;
    c->status = 0;
    return CT_OK;
}

/* Reads what is available from a child's stdout; closes it at EOF. */
static void
drain(struct child *c)
{
    char buf[4096];
    ssize_t n;

    n = read(c->out_fd, buf, sizeof(buf));
    if (n < 0 && (errno == EINTR || errno == EAGAIN)) {
        return;
    }
    if (n <= 0) {
        (void)close(c->out_fd);
        c->out_fd = -1;
        return;
    }
    if (c->out.len < MAX_CHILD_OUTPUT) {
        ct_text_add(&c->out, buf, (size_t)n);
    }
}

/* Sends sig to a child that still runs and notes the time. */
static void
stop_child(struct child *c, int sig, double t)
{
    if (!c->reaped && kill(c->pid, sig) == 0 && !c->killed) {
        fprintf(stderr, "credssp demo: stopping the %s (PID %ld)\n",
                c->label, (long)c->pid);
        c->killed = true;
        c->kill_time = t;
    }
}

/*
 * Collects the children's output and waits for each by its PID.  A paired
 * child still running PAIR_GRACE seconds after the first child ended is
 * stopped (its partner will never answer); all are stopped after timeout
 * seconds, or on SIGINT/SIGTERM/SIGHUP when interruptible.
 */
static void
wait_children(struct child *kids, size_t n, int timeout, bool interruptible)
{
    struct pollfd pfd[4];
    struct child *who[4];
    double start = now_s(), first_exit = -1.0, all_reaped = -1.0, t;
    size_t i, nfd;
    bool done;
    pid_t w;
    int st;

    for (;;) {
        nfd = 0;
        done = true;
        for (i = 0; i < n && nfd < 4; i++) {
            if (kids[i].out_fd >= 0) {
                pfd[nfd].fd = kids[i].out_fd;
                pfd[nfd].events = POLLIN;
                pfd[nfd].revents = 0;
                who[nfd++] = &kids[i];
                done = false;
            }
            if (!kids[i].reaped) {
                done = false;
            }
        }
        if (done) {
            return;
        }
        if (poll(pfd, nfd, 100) > 0) {
            for (i = 0; i < nfd; i++) {
                if (pfd[i].revents != 0) {
                    drain(who[i]);
                }
            }
        }
        for (i = 0; i < n; i++) {
            if (kids[i].reaped) {
                continue;
            }
            w = waitpid(kids[i].pid, &st, WNOHANG);
            if (w == kids[i].pid) {
                kids[i].reaped = true;
                kids[i].status = st;
            } else if (w < 0 && errno == ECHILD) {
                kids[i].reaped = true;
                kids[i].status = -1;
            }
        }
        t = now_s();
        done = true;
        for (i = 0; i < n; i++) {
            if (!kids[i].reaped) {
                done = false;
            } else if (first_exit < 0) {
                first_exit = t;
            }
        }
        if (done && all_reaped < 0) {
            all_reaped = t;
        }
        for (i = 0; i < n; i++) {
            if (kids[i].reaped) {
                /* A pipe some descendant still holds open: give up. */
                if (kids[i].out_fd >= 0 && all_reaped >= 0 &&
                    t - all_reaped > 2.0) {
                    (void)close(kids[i].out_fd);
                    kids[i].out_fd = -1;
                }
                continue;
            }
            if (!kids[i].killed &&
                ((interruptible && stop_signal != 0) || t - start > timeout ||
                 (kids[i].paired && first_exit >= 0 &&
                  t - first_exit > PAIR_GRACE))) {
                stop_child(&kids[i], SIGTERM, t);
            } else if (kids[i].killed && t - kids[i].kill_time > KILL_GRACE) {
                (void)kill(kids[i].pid, SIGKILL);
            }
        }
    }
}

/* True when the child exited by itself with status 0. */
static bool
child_ok(const struct child *c)
{
    return c->reaped && c->status >= 0 && WIFEXITED(c->status) &&
           WEXITSTATUS(c->status) == 0;
}

/* Prints how a child ended when that was not a clean exit 0. */
static void
print_status(const char *prefix, const struct child *c)
{
    if (child_ok(c)) {
        return;
    }
    if (!c->reaped || c->status < 0) {
        printf("%s: did not finish\n", prefix);
    } else if (WIFEXITED(c->status)) {
        printf("%s: exited with status %d\n", prefix,
               WEXITSTATUS(c->status));
    } else if (WIFSIGNALED(c->status)) {
        printf("%s: killed by signal %d\n", prefix, WTERMSIG(c->status));
    }
}

/* Prints each line a child wrote, after prefix. */
static void
print_output(const char *prefix, const struct child *c)
{
    const char *p = ct_text_str(&c->out), *nl;
    bool any = false;

    while (*p != '\0') {
        nl = strchr(p, '\n');
        if (nl == NULL) {
            nl = p + strlen(p);
        }
        if (nl > p) {
            printf("%s: %.*s\n", prefix, (int)(nl - p), p);
            any = true;
        }
        p = (*nl == '\n') ? nl + 1 : nl;
    }
    if (!any) {
        printf("%s: (no output)\n", prefix);
    }
}

/* Runs `sh FIXTURE verb DIR`; its stdout is not needed (see
 * apply_env_file). */
static enum ct_rc
run_fixture(const char *fixture, const char *verb, const char *dir,
            struct ct_err *err)
{
    const char *argv[] = { "sh", fixture, verb, dir, NULL };
    struct child c;
    enum ct_rc rc = CT_ERR;

    memset(&c, 0, sizeof(c));
    c.label = "KDC fixture";
    if (spawn(SHELL, argv, -1, -1, &c, err) != CT_OK) {
        return CT_ERR;
    }
    /* Stopping the KDC must run even after an interrupt. */
    wait_children(&c, 1, FIXTURE_TIMEOUT, strcmp(verb, "stop") != 0);
    if (child_ok(&c)) {
        rc = CT_OK;
    } else if (c.reaped && c.status >= 0 && WIFEXITED(c.status) &&
               WEXITSTATUS(c.status) == 2) {
        ct_err_set(err, "the KDC fixture lacks a program it needs "
                   "(see its message above)");
    } else {
        ct_err_set(err, "`sh %s %s %s` failed", fixture, verb, dir);
    }
    ct_text_free(&c.out);
    return rc;
}

/*
 * Takes over the environment the fixture wrote to DIR/env: one NAME=VALUE
 * line per variable, unquoted, the value everything after the first '='.
 */
static enum ct_rc
apply_env_file(const char *dir, struct ct_err *err)
{
    struct ct_text path = { 0 };
    char *line = NULL, *eq;
    size_t cap = 0;
    ssize_t n;
    FILE *f;
    enum ct_rc rc = CT_OK;

    ct_text_addf(&path, "%s/env", dir);
    f = path.failed ? NULL : fopen(ct_text_str(&path), "re");
    if (f == NULL) {
        ct_err_errno(err, errno, "cannot read %s/env", dir);
        ct_text_free(&path);
        return CT_ERR;
    }
    while (rc == CT_OK && (n = getline(&line, &cap, f)) > 0) {
        if (line[n - 1] == '\n') {
            line[n - 1] = '\0';
        }
        eq = strchr(line, '=');
        if (eq == NULL || eq == line) {
            ct_err_set(err, "%s: not a NAME=VALUE line: %.200s",
                       ct_text_str(&path), line);
            rc = CT_ERR;
        } else {
            *eq = '\0';
            if (setenv(line, eq + 1, 1) != 0) {
                ct_err_errno(err, errno, "setenv %s", line);
                rc = CT_ERR;
            }
        }
    }
    if (rc == CT_OK && ferror(f)) {
        ct_err_errno(err, errno, "cannot read %s", ct_text_str(&path));
        rc = CT_ERR;
    }
    (void)fclose(f);
    free(line);
    ct_text_free(&path);
    return rc;
}

/* nftw() callback: removes one entry, children before their directory. */
static int
remove_entry(const char *path, const struct stat *sb, int type,
             struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    if (remove(path) != 0 && errno != ENOENT) {
        fprintf(stderr, "credssp demo: cannot remove %s: %s\n", path,
                strerror(errno));
    }
    return 0;
}

/* Prints argv as a command line, after prefix. */
static void
print_command(const char *prefix, const char *const argv[])
{
    size_t i;

    printf("%s:", prefix);
    for (i = 0; argv[i] != NULL; i++) {
        printf(" %s", argv[i]);
    }
    printf("\n");
}

/* Writes the password and a newline into the client's stdin pipe. */
static void
feed_password(int fd, const char *password)
{
    struct ct_bytes line = { 0 };
    struct ct_err err;

    /* A client that died early makes this fail; its status tells why. */
    if (ct_bytes_append(&line, password, strlen(password), &err) != CT_OK ||
        ct_bytes_append(&line, "\n", 1, &err) != CT_OK ||
        ct_write_full(fd, line.data, line.len, &err) != CT_OK) {
        fprintf(stderr, "credssp demo: cannot pass the password to the "
                "client: %s\n", err.msg);
    }
    ct_wipe(line.data, line.cap);
    ct_bytes_free(&line);
}

/*
 * Opens a listening socket on 127.0.0.1 and a port the system picks; a
 * fresh one per round, so that a connection left over from a failed round
 * cannot reach the next server.
 */
static enum ct_rc
listen_loopback(int *fd_out, unsigned int *port_out, struct ct_err *err)
{
    struct ct_hostport hp = { "127.0.0.1", "0" };
    struct sockaddr_in sin;
    socklen_t sl = sizeof(sin);
    int fd = -1;

    if (ct_tcp_listen(&hp, &fd, err) != CT_OK) {
        return CT_ERR;
    }
    if (getsockname(fd, (struct sockaddr *)&sin, &sl) != 0 ||
        sin.sin_family != AF_INET) {
        ct_err_errno(err, errno, "getsockname");
        (void)close(fd);
        return CT_ERR;
    }
    *fd_out = fd;
    *port_out = ntohs(sin.sin_port);
    return CT_OK;
}

/*
 * Runs one round: a `serve --once` child on a new listening socket and a
 * `connect` child with the password on its stdin.  Adds to *ok_sides the
 * number of sides that succeeded.
 */
static void
run_round(const struct demo_round *r, const struct demo_env *env,
          int *ok_sides)
{
    const char *sargv[MAX_ARGS], *cargv[MAX_ARGS];
    char fd_text[16], listen_text[32], target[32], prefix[64];
    struct child kids[2];
    struct ct_err err;
    size_t n = 0, i;
    int pw[2] = { -1, -1 }, lfd = -1;
    unsigned int port;
    bool server_started = false, client_started = false;

    printf("\n== %s round ==\n", r->label);
    memset(kids, 0, sizeof(kids));
    if (listen_loopback(&lfd, &port, &err) != CT_OK) {
        fprintf(stderr, "credssp demo: %s\n", err.msg);
        goto cleanup;
    }
    (void)snprintf(fd_text, sizeof(fd_text), "%d", lfd);
    (void)snprintf(listen_text, sizeof(listen_text), "127.0.0.1:%u", port);
    (void)snprintf(target, sizeof(target), "localhost:%u", port);

    sargv[n++] = "credssp";
    sargv[n++] = "serve";
    sargv[n++] = "--transport";
    sargv[n++] = env->transport;
    sargv[n++] = "--listen";
    sargv[n++] = listen_text;
    sargv[n++] = "--listen-fd";
    sargv[n++] = fd_text;
    sargv[n++] = "--once";
    sargv[n++] = "--json";
    if (env->verbose) {
        sargv[n++] = "--verbose";
    }
    sargv[n] = NULL;

    n = 0;
    cargv[n++] = "credssp";
    cargv[n++] = "connect";
    cargv[n++] = "--transport";
    cargv[n++] = env->transport;
    cargv[n++] = target;
    cargv[n++] = "--user";
    cargv[n++] = env->user;
    if (r->ntlm && env->ntlm_domain != NULL) {
        cargv[n++] = "--domain";
        cargv[n++] = env->ntlm_domain;
    }
    cargv[n++] = "--password-stdin";
    cargv[n++] = "--mech";
    cargv[n++] = r->mech;
    cargv[n++] = "--delegate";
    if (r->ntlm) {
        cargv[n++] = "--allow-ntlm-only-delegation";
    }
    cargv[n++] = "--json";
    if (env->verbose) {
        cargv[n++] = "--verbose";
    }
    cargv[n] = NULL;

    kids[0].label = "client";
    kids[0].paired = true;
    kids[1].label = "server";
    kids[1].paired = true;

    (void)snprintf(prefix, sizeof(prefix), "[%s] server command", r->label);
    print_command(prefix, sargv);
    (void)snprintf(prefix, sizeof(prefix), "[%s] client command", r->label);
    print_command(prefix, cargv);

    if (spawn(SELF_EXE, sargv, -1, lfd, &kids[1], &err) != CT_OK) {
        fprintf(stderr, "credssp demo: %s\n", err.msg);
        goto cleanup;
    }
    server_started = true;
    if (pipe2(pw, O_CLOEXEC) != 0) {
        fprintf(stderr, "credssp demo: pipe: %s\n", strerror(errno));
        goto cleanup;
    }
    if (spawn(SELF_EXE, cargv, pw[0], -1, &kids[0], &err) != CT_OK) {
        fprintf(stderr, "credssp demo: %s\n", err.msg);
        goto cleanup;
    }
    client_started = true;
    (void)close(pw[0]);
    pw[0] = -1;
    feed_password(pw[1], env->password);
    (void)close(pw[1]);
    pw[1] = -1;

cleanup:
    if (lfd >= 0) {
        /* The server holds its own copy. */
        (void)close(lfd);
    }
    if (pw[0] >= 0) {
        (void)close(pw[0]);
    }
    if (pw[1] >= 0) {
        (void)close(pw[1]);
    }
    if (server_started && !client_started) {
        /* No client will come: the server is stopped at once. */
        stop_child(&kids[1], SIGTERM, now_s());
        wait_children(&kids[1], 1, ROUND_TIMEOUT, true);
    } else if (server_started) {
        wait_children(kids, 2, ROUND_TIMEOUT, true);
    }
    for (i = 0; i < 2; i++) {
        if ((i == 0 && !client_started) || (i == 1 && !server_started)) {
            continue;
        }
        (void)snprintf(prefix, sizeof(prefix), "[%s] %s", r->label,
                       kids[i].label);
        print_output(prefix, &kids[i]);
        print_status(prefix, &kids[i]);
        if (child_ok(&kids[i])) {
            (*ok_sides)++;
        }
        ct_text_free(&kids[i].out);
    }
    fflush(stdout);
}

/* Installs on_signal for the signals that should end the demo tidily. */
static void
catch_signals(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = on_signal;
    (void)sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;            /* no SA_RESTART: waits wake up */
    (void)sigaction(SIGINT, &sa, NULL);
    (void)sigaction(SIGTERM, &sa, NULL);
    (void)sigaction(SIGHUP, &sa, NULL);
}

/* `credssp demo`; returns the exit status. */
int
ct_cmd_demo(const struct ct_demo_opts *opts)
{
    static const struct demo_round rounds[] = {
        { "Kerberos", "kerberos", false },
        { "NTLM", "ntlm", true },
    };
    struct ct_text dir = { 0 };
    struct demo_env env;
    struct ct_err err;
    const char *fixture, *tmpdir;
    bool have_dir = false, started = false;
    int status = CT_EXIT_FAIL, ok_sides = 0;
    size_t i;

    memset(&err, 0, sizeof(err));
    memset(&env, 0, sizeof(env));
    catch_signals();
    fixture = getenv("CREDSSP_FIXTURE");
    if (fixture == NULL || *fixture == '\0') {
        fixture = CREDSSP_FIXTURE_DEFAULT;
    }
    tmpdir = getenv("TMPDIR");
    if (tmpdir == NULL || *tmpdir == '\0') {
        tmpdir = "/tmp";
    }
    ct_text_addf(&dir, "%s/credssp-demo.XXXXXX", tmpdir);
    if (dir.failed || mkdtemp(dir.data) == NULL) {
        ct_err_errno(&err, errno, "cannot make a directory in %s", tmpdir);
        goto fail;
    }
    have_dir = true;

    printf("credssp demo: starting the throwaway KDC: sh %s start %s\n",
           fixture, dir.data);
    fflush(stdout);
    started = true;
    if (run_fixture(fixture, "start", dir.data, &err) != CT_OK ||
        apply_env_file(dir.data, &err) != CT_OK) {
        goto fail;
    }
    env.user = getenv("CREDSSP_TEST_USER");
    env.password = getenv("CREDSSP_TEST_PASSWORD");
    env.realm = getenv("CREDSSP_TEST_REALM");
    env.ntlm_domain = getenv("CREDSSP_TEST_NTLM_DOMAIN");
    env.transport = ct_transport_name(opts->transport);
    env.verbose = opts->verbose;
    if (env.user == NULL || env.password == NULL) {
        ct_err_set(&err, "the fixture did not set CREDSSP_TEST_USER and "
                   "CREDSSP_TEST_PASSWORD");
        goto fail;
    }

    printf("credssp demo: realm %s, user %s, NTLM domain %s, %s "
           "transport\n", env.realm != NULL ? env.realm : "?", env.user,
           env.ntlm_domain != NULL ? env.ntlm_domain : "?", env.transport);

    for (i = 0; i < sizeof(rounds) / sizeof(rounds[0]); i++) {
        if (stop_signal != 0) {
            break;
        }
        run_round(&rounds[i], &env, &ok_sides);
    }
    printf("\n");
    if (stop_signal != 0) {
        ct_err_set(&err, "interrupted by signal %d", (int)stop_signal);
        goto fail;
    }
    if (ok_sides == 4) {
        printf("credssp demo: all four sides succeeded\n");
        status = CT_EXIT_OK;
    } else {
        printf("credssp demo: FAILED: %d of 4 sides succeeded\n", ok_sides);
    }
    goto cleanup;

fail:
    fprintf(stderr, "credssp demo: error: %s\n", err.msg);

cleanup:
    fflush(stdout);
    if (started &&
        run_fixture(fixture, "stop", dir.data, &err) != CT_OK) {
        fprintf(stderr, "credssp demo: error: %s\n", err.msg);
        status = CT_EXIT_FAIL;
    }
    if (have_dir &&
        nftw(dir.data, remove_entry, 16, FTW_DEPTH | FTW_PHYS) != 0 &&
        errno != ENOENT) {
        fprintf(stderr, "credssp demo: cannot remove %s: %s\n", dir.data,
                strerror(errno));
    }
    ct_text_free(&dir);
    return status;
}
