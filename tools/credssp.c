/* SPDX-License-Identifier: MIT */
/*
 * credssp.c - the `credssp` command: a CredSSP client, server and loopback
 * demonstration built on the gss-credssp GSSAPI mechanism.  This file
 * parses the command line and dispatches to the subcommands.  See
 * credssp(1).
 */
#ifdef HAVE_CONFIG_H
#include <config.h>
#endif

#include <getopt.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "tool.h"

#ifdef PACKAGE_VERSION
#define TOOL_VERSION PACKAGE_VERSION
#else
#define TOOL_VERSION "unknown"
#endif

/* Long-only options; values above any character. */
enum {
    OPT_TRANSPORT = 256,
    OPT_USER,
    OPT_DOMAIN,
    OPT_PASSWORD_STDIN,
    OPT_MECH,
    OPT_ALLOW_NTLM_ONLY,
    OPT_DELEGATE,
    OPT_SERVICE,
    OPT_TLS_MAX,
    OPT_MIN_VERSION,
    OPT_MAX_VERSION,
    OPT_JSON,
    OPT_VERBOSE,
    OPT_READ_SIZE,
    OPT_LISTEN,
    OPT_LISTEN_FD,
    OPT_CERT,
    OPT_KEY,
    OPT_ONCE,
    OPT_STORE_CCACHE,
    OPT_TIMEOUT,
    OPT_HELP
};

/* The CredSSP versions there are ([MS-CSSP] 2.2.1). */
#define MIN_CREDSSP_VERSION 2
#define MAX_CREDSSP_VERSION 6
/* connect --timeout: default and largest, in seconds. */
#define DEFAULT_TIMEOUT 30
#define MAX_TIMEOUT 86400

/* The synopsis of every command, for `credssp --help`. */
static const char usage_text[] =
    "usage: credssp connect --transport lp|rdp HOST:PORT [OPTIONS]\n"
    "       credssp serve --transport lp|rdp --listen ADDR:PORT [OPTIONS]\n"
    "       credssp demo [--transport lp|rdp] [--verbose]\n"
    "       credssp --help | --version\n"
    "\n"
    "Run 'credssp COMMAND --help' for the options of a command; see\n"
    "credssp(1).\n";

/* The lines of --help that several commands share. */
#define HELP_READ_SIZE \
    "  --read-size BYTES     bytes per read on the rdp stream, 1..1048576\n" \
    "                        (default 16384)\n" \
    "  --json                print one JSON object per line\n"
#define HELP_TAIL \
    "  --verbose             show every token and the mechanism's trace\n" \
    "  -h, --help            show this help and exit\n" \
    "See credssp(1).\n"

/* `credssp connect --help`: every option of connect. */
static const char connect_help[] =
    "usage: credssp connect --transport lp|rdp HOST:PORT [OPTIONS]\n"
    "Authenticate to HOST:PORT as a CredSSP client.\n"
    "\n"
    "  --transport lp|rdp    how tokens are carried: length-prefixed (lp)\n"
    "                        or as a Remote Desktop client does (rdp);\n"
    "                        required\n"
    "  --user USER           the user to authenticate as\n"
    "  --domain DOMAIN       the user's domain (needs --user)\n"
    "  --password-stdin      read the password from the first line of\n"
    "                        standard input (needs --user)\n"
    "  --mech auto|spnego|kerberos|ntlm\n"
    "                        the inner authentication (default auto)\n"
    "  --delegate            send the user's password to the server (needs\n"
    "                        --password-stdin: a ticket holds none)\n"
    "  --allow-ntlm-only-delegation\n"
    "                        allow delegation when only NTLM authenticated\n"
    "                        the server\n"
    "  --service SERVICE     service part of the target name (default\n"
    "                        TERMSRV for rdp, host for lp)\n"
    "  --tls-max 1.2|1.3     the highest TLS version to offer\n"
    "  --min-version N       the lowest CredSSP version (2..6) to accept\n"
    "  --max-version N       the highest CredSSP version (2..6) to announce\n"
    "  --timeout SECONDS     limit for the TCP connect and the whole\n"
    "                        handshake, 1..86400 (default 30)\n"
    HELP_READ_SIZE HELP_TAIL;

/* `credssp serve --help`: every option of serve. */
static const char serve_help[] =
    "usage: credssp serve --transport lp|rdp --listen ADDR:PORT [OPTIONS]\n"
    "       credssp serve --transport lp|rdp --listen-fd FD [OPTIONS]\n"
    "Authenticate CredSSP clients, one connection after another.\n"
    "\n"
    "  --transport lp|rdp    how tokens are carried: length-prefixed (lp)\n"
    "                        or as a Remote Desktop server does (rdp);\n"
    "                        required\n"
    "  --listen ADDR:PORT    the address to listen on (port 0: any free\n"
    "                        port, printed on standard error)\n"
    "  --listen-fd FD        use the inherited listening socket FD instead\n"
    "                        of opening one\n"
    "  --cert FILE           the server's TLS certificate (PEM; needs --key)\n"
    "  --key FILE            its private key (PEM; needs --cert)\n"
    "  --once                serve one connection, exit with its result\n"
    "  --store-ccache DIR    store a Kerberos ticket got with a delegated\n"
    "                        password in DIR/krb5cc_PRINCIPAL\n"
    HELP_READ_SIZE HELP_TAIL;

/* `credssp demo --help`: every option of demo. */
static const char demo_help[] =
    "usage: credssp demo [--transport lp|rdp] [--verbose]\n"
    "Run a client and a server against a throwaway KDC on 127.0.0.1.\n"
    "\n"
    "  --transport lp|rdp    how tokens are carried (default lp)\n"
    HELP_TAIL;

static int bad_usage(const char *cmd, const char *fmt, ...) CT_PRINTF(2, 3);

/*
 * Reports a command-line error on one line that points to the command's
 * --help, and returns the usage exit status.
 */
static int
bad_usage(const char *cmd, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "credssp: %s: ", cmd);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, "; see 'credssp %s --help'\n", cmd);
    return CT_EXIT_USAGE;
}

/* Parses a --transport value. */
static bool
parse_transport(const char *s, enum ct_transport *out)
{
    if (strcmp(s, "lp") == 0) {
        *out = CT_TRANSPORT_LP;
    } else if (strcmp(s, "rdp") == 0) {
        *out = CT_TRANSPORT_RDP;
    } else {
        return false;
    }
    return true;
}

/* True when s is one of the NULL-terminated words. */
static bool
one_of(const char *s, const char *const words[])
{
    size_t i;

    for (i = 0; words[i] != NULL; i++) {
        if (strcmp(s, words[i]) == 0) {
            return true;
        }
    }
    return false;
}

/*
 * Runs getopt_long over the subcommand's arguments (argv[0] is the
 * subcommand).  Returns the option, -1 at the end; reports an unknown
 * option or a missing value itself (bad_usage) and returns '?' for them.
 */
static int
next_opt(int argc, char **argv, const struct option *opts)
{
    int c = getopt_long(argc, argv, ":h", opts, NULL);
    const char *arg = argv[optind - 1];
    int len;

    if (c != '?' && c != ':') {
        return c;
    }
    /* argv[optind - 1] is the word at fault, unless getopt is inside a
     * cluster of short options; then optopt names the letter. */
    if (arg[0] != '-' || (arg[1] != '-' && optopt != 0)) {
        (void)bad_usage(argv[0], "unknown option '-%c'", optopt);
        return '?';
    }
    len = (int)strcspn(arg, "=");
    if (c == '?') {
        (void)bad_usage(argv[0], "unknown option '%.*s'", len, arg);
    } else {
        (void)bad_usage(argv[0], "option '%.*s' needs a value", len, arg);
    }
    return '?';
}

/* Parses `credssp connect ...` and runs it. */
static int
cmd_connect(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "transport", required_argument, NULL, OPT_TRANSPORT },
        { "user", required_argument, NULL, OPT_USER },
        { "domain", required_argument, NULL, OPT_DOMAIN },
        { "password-stdin", no_argument, NULL, OPT_PASSWORD_STDIN },
        { "mech", required_argument, NULL, OPT_MECH },
        { "allow-ntlm-only-delegation", no_argument, NULL,
          OPT_ALLOW_NTLM_ONLY },
        { "delegate", no_argument, NULL, OPT_DELEGATE },
        { "service", required_argument, NULL, OPT_SERVICE },
        { "tls-max", required_argument, NULL, OPT_TLS_MAX },
        { "min-version", required_argument, NULL, OPT_MIN_VERSION },
        { "max-version", required_argument, NULL, OPT_MAX_VERSION },
        { "json", no_argument, NULL, OPT_JSON },
        { "verbose", no_argument, NULL, OPT_VERBOSE },
        { "read-size", required_argument, NULL, OPT_READ_SIZE },
        { "timeout", required_argument, NULL, OPT_TIMEOUT },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 }
    };
    static const char *const mechs[] = { "auto", "spnego", "kerberos",
                                         "ntlm", NULL };
    static const char *const tls[] = { "1.2", "1.3", NULL };
    struct ct_connect_opts o;
    struct ct_hostport hp;
    struct ct_err err;
    size_t v, minv = MIN_CREDSSP_VERSION, maxv = MAX_CREDSSP_VERSION;
    int c;

    memset(&o, 0, sizeof(o));
    o.read_size = CT_DEFAULT_READ_SIZE;
    o.timeout = DEFAULT_TIMEOUT;
    while ((c = next_opt(argc, argv, longopts)) != -1) {
        switch (c) {
        case OPT_TRANSPORT:
            if (!parse_transport(optarg, &o.transport)) {
                return bad_usage("connect", "unknown transport '%s'",
                                 optarg);
            }
            break;
        case OPT_USER:
            o.user = optarg;
            break;
        case OPT_DOMAIN:
            o.domain = optarg;
            break;
        case OPT_PASSWORD_STDIN:
            o.password_stdin = true;
            break;
        case OPT_MECH:
            if (!one_of(optarg, mechs)) {
                return bad_usage("connect", "--mech: unknown mechanism "
                                 "'%s' (auto, spnego, kerberos, ntlm)",
                                 optarg);
            }
            o.mech = optarg;
            break;
        case OPT_ALLOW_NTLM_ONLY:
            o.allow_ntlm_only_delegation = true;
            break;
        case OPT_DELEGATE:
            o.delegate = true;
            break;
        case OPT_SERVICE:
            if (*optarg == '\0' || strchr(optarg, '@') != NULL) {
                return bad_usage("connect", "--service: bad service name "
                                 "'%s'", optarg);
            }
            o.service = optarg;
            break;
        case OPT_TLS_MAX:
            if (!one_of(optarg, tls)) {
                return bad_usage("connect", "--tls-max: '%s' is neither "
                                 "1.2 nor 1.3", optarg);
            }
            o.tls_max = optarg;
            break;
        case OPT_MIN_VERSION:
        case OPT_MAX_VERSION:
            if (ct_parse_size(optarg, MIN_CREDSSP_VERSION,
                              MAX_CREDSSP_VERSION, &v) != CT_OK) {
                return bad_usage("connect", "%s: '%s' is not a CredSSP "
                                 "version (%d to %d)",
                                 c == OPT_MIN_VERSION ? "--min-version"
                                                      : "--max-version",
                                 optarg, MIN_CREDSSP_VERSION,
                                 MAX_CREDSSP_VERSION);
            }
            if (c == OPT_MIN_VERSION) {
                o.min_version = optarg;
                minv = v;
            } else {
                o.max_version = optarg;
                maxv = v;
            }
            break;
        case OPT_JSON:
            o.json = true;
            break;
        case OPT_VERBOSE:
            o.verbose = true;
            break;
        case OPT_READ_SIZE:
            if (ct_parse_size(optarg, 1, CT_MAX_TOKEN, &o.read_size)
                != CT_OK) {
                return bad_usage("connect", "--read-size: '%s' is not a "
                                 "number from 1 to %u", optarg,
                                 CT_MAX_TOKEN);
            }
            break;
        case OPT_TIMEOUT:
            if (ct_parse_size(optarg, 1, MAX_TIMEOUT, &o.timeout) != CT_OK) {
                return bad_usage("connect", "--timeout: '%s' is not a "
                                 "number of seconds from 1 to %d", optarg,
                                 MAX_TIMEOUT);
            }
            break;
        case 'h':
        case OPT_HELP:
            fputs(connect_help, stdout);
            return CT_EXIT_OK;
        default:
            return CT_EXIT_USAGE;
        }
    }
    if (optind != argc - 1) {
        return bad_usage("connect", "%s", optind >= argc
                         ? "give one HOST:PORT to connect to"
                         : "give exactly one HOST:PORT");
    }
    o.target = argv[optind];
    if (ct_parse_hostport(o.target, false, &hp, &err) != CT_OK) {
        return bad_usage("connect", "%s", err.msg);
    }
    if (o.transport == CT_TRANSPORT_NONE) {
        return bad_usage("connect", "%s", "--transport lp|rdp is required");
    }
    if (o.user != NULL && *o.user == '\0') {
        return bad_usage("connect", "%s", "--user must not be empty");
    }
    if (o.domain != NULL && (*o.domain == '\0' || o.user == NULL)) {
        return bad_usage("connect", "%s",
                         "--domain needs a non-empty value and --user");
    }
    if (o.password_stdin && o.user == NULL) {
        return bad_usage("connect", "%s", "--password-stdin needs --user");
    }
    if (minv > maxv) {
        return bad_usage("connect", "--min-version %zu is above "
                         "--max-version %zu", minv, maxv);
    }
    return ct_cmd_connect(&o);
}

/* Parses `credssp serve ...` and runs it. */
static int
cmd_serve(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "transport", required_argument, NULL, OPT_TRANSPORT },
        { "listen", required_argument, NULL, OPT_LISTEN },
        { "cert", required_argument, NULL, OPT_CERT },
        { "key", required_argument, NULL, OPT_KEY },
        { "once", no_argument, NULL, OPT_ONCE },
        { "store-ccache", required_argument, NULL, OPT_STORE_CCACHE },
        { "json", no_argument, NULL, OPT_JSON },
        { "verbose", no_argument, NULL, OPT_VERBOSE },
        { "listen-fd", required_argument, NULL, OPT_LISTEN_FD },
        { "read-size", required_argument, NULL, OPT_READ_SIZE },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 }
    };
    struct ct_serve_opts o;
    struct ct_hostport hp;
    struct ct_err err;
    size_t fd;
    int c;

    memset(&o, 0, sizeof(o));
    o.listen_fd = -1;
    o.read_size = CT_DEFAULT_READ_SIZE;
    while ((c = next_opt(argc, argv, longopts)) != -1) {
        switch (c) {
        case OPT_TRANSPORT:
            if (!parse_transport(optarg, &o.transport)) {
                return bad_usage("serve", "unknown transport '%s'", optarg);
            }
            break;
        case OPT_LISTEN:
            o.listen = optarg;
            break;
        case OPT_CERT:
            o.cert = optarg;
            break;
        case OPT_KEY:
            o.key = optarg;
            break;
        case OPT_ONCE:
            o.once = true;
            break;
        case OPT_STORE_CCACHE:
            o.store_ccache = optarg;
            break;
        case OPT_JSON:
            o.json = true;
            break;
        case OPT_VERBOSE:
            o.verbose = true;
            break;
        case OPT_LISTEN_FD:
            if (ct_parse_size(optarg, 0, 65535, &fd) != CT_OK) {
                return bad_usage("serve", "--listen-fd: '%s' is not a "
                                 "descriptor number", optarg);
            }
            o.listen_fd = (int)fd;
            break;
        case OPT_READ_SIZE:
            if (ct_parse_size(optarg, 1, CT_MAX_TOKEN, &o.read_size)
                != CT_OK) {
                return bad_usage("serve", "--read-size: '%s' is not a "
                                 "number from 1 to %u", optarg,
                                 CT_MAX_TOKEN);
            }
            break;
        case 'h':
        case OPT_HELP:
            fputs(serve_help, stdout);
            return CT_EXIT_OK;
        default:
            return CT_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        return bad_usage("serve", "unexpected argument '%s'", argv[optind]);
    }
    if (o.transport == CT_TRANSPORT_NONE) {
        return bad_usage("serve", "%s", "--transport lp|rdp is required");
    }
    if (o.listen == NULL && o.listen_fd < 0) {
        return bad_usage("serve", "%s", "--listen ADDR:PORT is required");
    }
    if (o.listen != NULL &&
        ct_parse_hostport(o.listen, true, &hp, &err) != CT_OK) {
        return bad_usage("serve", "%s", err.msg);
    }
    if ((o.cert == NULL) != (o.key == NULL)) {
        return bad_usage("serve", "%s", o.cert != NULL
                         ? "--cert needs --key, the certificate's private "
                           "key"
                         : "--key needs --cert, the certificate of that "
                           "key");
    }
    return ct_cmd_serve(&o);
}

/* Parses `credssp demo ...` and runs it. */
static int
cmd_demo(int argc, char **argv)
{
    static const struct option longopts[] = {
        { "transport", required_argument, NULL, OPT_TRANSPORT },
        { "verbose", no_argument, NULL, OPT_VERBOSE },
        { "help", no_argument, NULL, OPT_HELP },
        { NULL, 0, NULL, 0 }
    };
    struct ct_demo_opts o;
    int c;

    memset(&o, 0, sizeof(o));
    o.transport = CT_TRANSPORT_LP;
    while ((c = next_opt(argc, argv, longopts)) != -1) {
        switch (c) {
        case OPT_TRANSPORT:
            if (!parse_transport(optarg, &o.transport)) {
                return bad_usage("demo", "unknown transport '%s'", optarg);
            }
            break;
        case OPT_VERBOSE:
            o.verbose = true;
            break;
        case 'h':
        case OPT_HELP:
            fputs(demo_help, stdout);
            return CT_EXIT_OK;
        default:
            return CT_EXIT_USAGE;
        }
    }
    if (optind != argc) {
        return bad_usage("demo", "unexpected argument '%s'", argv[optind]);
    }
    return ct_cmd_demo(&o);
}

/* Entry point: `credssp SUBCOMMAND [OPTIONS]`. */
int
main(int argc, char **argv)
{
    struct sigaction sa;

    /* A peer that goes away must give EPIPE, not kill us. */
    memset(&sa, 0, sizeof(sa));
    sa.sa_handler = SIG_IGN;
    (void)sigemptyset(&sa.sa_mask);
    if (sigaction(SIGPIPE, &sa, NULL) != 0) {
        perror("credssp: sigaction");
        return CT_EXIT_FAIL;
    }
    if (argc < 2) {
        fputs(usage_text, stderr);
        return CT_EXIT_USAGE;
    }
    if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
        strcmp(argv[1], "help") == 0) {
        fputs(usage_text, stdout);
        return CT_EXIT_OK;
    }
    if (strcmp(argv[1], "--version") == 0) {
        printf("credssp (gss-credssp) %s\n", TOOL_VERSION);
        return CT_EXIT_OK;
    }
    if (strcmp(argv[1], "connect") == 0) {
        return cmd_connect(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "serve") == 0) {
        return cmd_serve(argc - 1, argv + 1);
    }
    if (strcmp(argv[1], "demo") == 0) {
        return cmd_demo(argc - 1, argv + 1);
    }
    fprintf(stderr, "credssp: unknown command '%s'; see 'credssp --help'\n",
            argv[1]);
    return CT_EXIT_USAGE;
}
