/* SPDX-License-Identifier: MIT */
/*
 * tool.h - internal declarations shared by the source files of the
 * `credssp` command-line program under tools/.
 *
 * The program uses the mechanism only through the standard GSSAPI and the
 * public header gssapi/gssapi_credssp.h, as any application would.  Names
 * shared between the files carry the ct_ prefix; statics carry none.
 */
#ifndef CREDSSP_TOOL_H
#define CREDSSP_TOOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_ext.h>

#define CT_WUR __attribute__((warn_unused_result))
#define CT_PRINTF(f, a) __attribute__((format(printf, f, a)))

/* The largest token either transport carries (lp frame or rdp message). */
#define CT_MAX_TOKEN (1024u * 1024u)
/* Default size of one read() on the rdp stream (--read-size). */
#define CT_DEFAULT_READ_SIZE 16384u

/* Exit statuses of the program. */
#define CT_EXIT_OK 0
#define CT_EXIT_FAIL 1
#define CT_EXIT_USAGE 2

/* Result of a step that can fail; CT_EOF only where documented. */
enum ct_rc {
    CT_OK = 0,
    CT_ERR,
    CT_EOF
};

enum ct_transport {
    CT_TRANSPORT_NONE = 0,
    CT_TRANSPORT_LP,
    CT_TRANSPORT_RDP
};

/*
 * What went wrong, recorded where it happened and printed once by the
 * command.  is_gss marks a failed GSSAPI call whose codes are kept so that
 * gss_display_status() can render them.  hint, when not empty, says what
 * to do about it; every ct_err_set*() empties it.
 */
struct ct_err {
    char msg[512];
    char hint[512];
    bool is_gss;
    OM_uint32 major;
    OM_uint32 minor;
};

/* How a command reports: its role name and output switches. */
struct ct_out {
    const char *role;           /* "client" or "server" */
    bool json;
    bool verbose;
};

/*
 * A growable NUL-terminated text.  Failure to grow is sticky: later adds do
 * nothing and ct_text_str() returns a fixed marker.  Zero-initialise.
 */
struct ct_text {
    char *data;
    size_t len;
    size_t cap;
    bool failed;
};

/* A growable byte buffer limited to CT_MAX_TOKEN bytes.  Zero-initialise. */
struct ct_bytes {
    uint8_t *data;
    size_t len;
    size_t cap;
};

/* A host and port as given on the command line, brackets removed. */
struct ct_hostport {
    char host[256];
    char port[8];
};

/* Options of `credssp connect`. */
struct ct_connect_opts {
    enum ct_transport transport;
    const char *target;         /* HOST:PORT as given */
    const char *user;
    const char *domain;
    const char *mech;
    const char *service;
    const char *tls_max;
    const char *min_version;
    const char *max_version;
    bool password_stdin;
    bool allow_ntlm_only_delegation;
    bool delegate;
    bool json;
    bool verbose;
    size_t read_size;
    size_t timeout;             /* seconds for connect and handshake */
};

/* Options of `credssp serve`. */
struct ct_serve_opts {
    enum ct_transport transport;
    const char *listen;         /* ADDR:PORT as given */
    const char *cert;
    const char *key;
    const char *store_ccache;   /* DIR for delegated users' tickets */
    int listen_fd;              /* -1 unless --listen-fd */
    bool once;
    bool json;
    bool verbose;
    size_t read_size;
};

/* Options of `credssp demo`. */
struct ct_demo_opts {
    enum ct_transport transport;
    bool verbose;
};

/* util.c: errors, texts, byte buffers, secrets. */
void ct_err_set(struct ct_err *err, const char *fmt, ...) CT_PRINTF(2, 3);
void ct_err_errno(struct ct_err *err, int errnum, const char *fmt, ...)
    CT_PRINTF(3, 4);
void ct_err_gss(struct ct_err *err, const char *call, OM_uint32 major,
                OM_uint32 minor);
void ct_err_hint(struct ct_err *err, const char *fmt, ...) CT_PRINTF(2, 3);
void ct_text_add(struct ct_text *t, const char *s, size_t len);
void ct_text_adds(struct ct_text *t, const char *s);
void ct_text_addf(struct ct_text *t, const char *fmt, ...) CT_PRINTF(2, 3);
void ct_text_add_json(struct ct_text *t, const char *s, size_t len);
void ct_text_add_safe(struct ct_text *t, const char *s, size_t len);
const char *ct_text_str(const struct ct_text *t);
void ct_text_clear(struct ct_text *t);
void ct_text_free(struct ct_text *t);
enum ct_rc ct_bytes_append(struct ct_bytes *b, const void *p, size_t len,
                           struct ct_err *err) CT_WUR;
enum ct_rc ct_bytes_reserve(struct ct_bytes *b, size_t extra,
                            struct ct_err *err) CT_WUR;
void ct_bytes_free(struct ct_bytes *b);
void ct_wipe(void *p, size_t len);
enum ct_rc ct_parse_size(const char *s, size_t min, size_t max,
                         size_t *out) CT_WUR;
void ct_put_u32le(uint8_t *b, uint32_t v);
uint32_t ct_get_u32le(const uint8_t *b);
const char *ct_transport_name(enum ct_transport t);
void ct_set_verbose_env(void);

/* net.c: sockets and whole-buffer I/O. */
enum ct_rc ct_parse_hostport(const char *s, bool allow_port0,
                             struct ct_hostport *out,
                             struct ct_err *err) CT_WUR;
enum ct_rc ct_tcp_connect(const struct ct_hostport *hp, int *fd_out,
                          struct ct_err *err) CT_WUR;
enum ct_rc ct_tcp_listen(const struct ct_hostport *hp, int *fd_out,
                         struct ct_err *err) CT_WUR;
void ct_sock_name(int fd, bool peer, char *buf, size_t len);
enum ct_rc ct_set_timeouts(int fd, int seconds, struct ct_err *err) CT_WUR;
void ct_deadline_start(unsigned long seconds);
enum ct_rc ct_read_full(int fd, void *buf, size_t len,
                        struct ct_err *err) CT_WUR;
enum ct_rc ct_read_some(int fd, void *buf, size_t max, size_t *got,
                        struct ct_err *err) CT_WUR;
enum ct_rc ct_write_full(int fd, const void *buf, size_t len,
                         struct ct_err *err) CT_WUR;
bool ct_stranger_text(int fd, const uint8_t *head, size_t n,
                      const char *expected, struct ct_err *err);

/* lp.c: the lp transport's framing. */
enum ct_rc ct_lp_send(int fd, const void *p, size_t len,
                      struct ct_err *err) CT_WUR;
enum ct_rc ct_lp_recv(int fd, struct ct_bytes *tok,
                      struct ct_err *err) CT_WUR;

/* x224.c: the rdp transport's X.224 exchange. */
size_t ct_x224_build_request(uint8_t *buf, size_t buf_len,
                             const char *cookie_user);
enum ct_rc ct_x224_parse_request(const uint8_t *p, size_t len,
                                 bool *have_neg, uint32_t *protocols,
                                 struct ct_err *err) CT_WUR;
enum ct_rc ct_x224_parse_confirm(const uint8_t *p, size_t len,
                                 bool *hybrid_ex, struct ct_err *err) CT_WUR;
enum ct_rc ct_x224_client(int fd, const char *cookie_user,
                          const struct ct_out *out, bool *hybrid_ex,
                          struct ct_err *err) CT_WUR;
enum ct_rc ct_x224_server(int fd, const struct ct_out *out,
                          bool *hybrid_ex, struct ct_err *err) CT_WUR;

/* earlyauth.c: the Early User Authorization Result of HYBRID_EX
 * ([MS-RDPBCGR] 2.2.10.2): four bytes, AUTHZ_SUCCESS (0) or ACCESS_DENIED (5), sent by
 * the server over the TLS channel (gss_wrap) once CredSSP completed. */
enum ct_rc ct_early_auth_send(int fd, gss_ctx_id_t ctx, uint32_t result,
                              const struct ct_out *out,
                              struct ct_err *err) CT_WUR;
enum ct_rc ct_early_auth_recv(int fd, gss_ctx_id_t ctx,
                              const struct ct_out *out,
                              struct ct_err *err) CT_WUR;

/*
 * tokenloop.c: the token exchange on either transport.
 *
 * One call of gss_init_sec_context or gss_accept_sec_context on the input
 * (NULL for none).  The output token is the mechanism's, released by the
 * caller with gss_release_buffer().
 */
typedef OM_uint32 (*ct_step_fn)(void *arg, const gss_buffer_desc *in,
                                gss_buffer_desc *out, OM_uint32 *minor);

/* The GSS side of a token loop. */
struct ct_stepper {
    const char *call;           /* name of the GSS function, for errors */
    bool initiator;             /* we produce the first token */
    ct_step_fn step;
    void *arg;
};

/* The transport side of a token loop. */
struct ct_link {
    int fd;
    enum ct_transport transport;
    size_t read_size;
};

enum ct_rc ct_token_loop(const struct ct_link *link,
                         const struct ct_stepper *st,
                         const struct ct_out *out,
                         struct ct_err *err) CT_WUR;

/* gssutil.c: status texts and context/credential inquiries. */
void ct_status_text(struct ct_text *t, OM_uint32 code, int type);
void ct_hint_registration(struct ct_err *err);

/* What a completed context tells about itself; "unknown" when it won't. */
struct ct_ctx_info {
    struct ct_text version;
    struct ct_text inner_mech;
    struct ct_text tls_version;
    struct ct_text cipher;
};

enum ct_deleg_type {
    CT_DELEG_NONE = 0,
    CT_DELEG_PASSWORD,
    CT_DELEG_EMPTY,
    CT_DELEG_UNKNOWN
};

/* The delegated credential as the acceptor saw it; never the password. */
struct ct_deleg_info {
    enum ct_deleg_type type;
    struct ct_text domain;
    struct ct_text user;
};

void ct_ctx_info_get(gss_ctx_id_t ctx, struct ct_ctx_info *info);
void ct_ctx_info_free(struct ct_ctx_info *info);
void ct_deleg_info_get(gss_cred_id_t deleg, struct ct_deleg_info *info);
void ct_deleg_info_free(struct ct_deleg_info *info);

/* report.c: what the commands print. */
void ct_verbose(const struct ct_out *out, const char *fmt, ...)
    CT_PRINTF(2, 3);
void ct_report_error(const struct ct_out *out, const struct ct_err *err);
void ct_report_stored(const struct ct_out *out, const char *principal,
                      const char *ccache);
void ct_report_client(const struct ct_out *out, const char *target,
                      const struct ct_ctx_info *info, OM_uint32 ret_flags);
void ct_report_server(const struct ct_out *out, const char *peer,
                      const char *user, const struct ct_ctx_info *info,
                      const struct ct_deleg_info *deleg);

/* The subcommands; each returns the process exit status. */
int ct_cmd_connect(const struct ct_connect_opts *opts);
int ct_cmd_serve(const struct ct_serve_opts *opts);
int ct_cmd_demo(const struct ct_demo_opts *opts);

#endif /* CREDSSP_TOOL_H */
