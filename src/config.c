/* SPDX-License-Identifier: MIT */
/*
 * config.c - settings: built-in defaults, credssp.conf, and per-credential
 * overrides (cred-store keys, gss_set_cred_option).
 *
 * credssp.conf holds "name = value" lines; '#' starts a comment line.  An
 * unreadable or malformed file is an error that names file and line; it
 * is never ignored.  A missing file at the default path means defaults.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "escape.h"
#include "settings.h"
#include "trace.h"
#include "tsrequest.h"

/* The build passes the file `make install` puts it in (configure's
 * --with-gss-conf-dir, by default krb5's own gss directory). */
#ifndef CS_CONFIG_FILE
#define CS_CONFIG_FILE "/etc/gss/credssp.conf"
#endif
#define DEFAULT_CONFIG CS_CONFIG_FILE

static pthread_once_t config_once = PTHREAD_ONCE_INIT;
static struct cs_settings file_settings;
static cs_err config_err;
static char config_err_text[512];

const char *
cs_config_error(void)
{
    return config_err_text[0] != '\0' ? config_err_text : NULL;
}

/* parse_version: "2".."6". */
static bool
parse_version(const char *v, uint32_t *out)
{
    if (v[0] >= '2' && v[0] <= '6' && v[1] == '\0') {
        *out = (uint32_t)(v[0] - '0');
        return true;
    }
    return false;
}

/* parse_tls_version: "1.2" or "1.3". */
static bool
parse_tls_version(const char *v, int *out)
{
    if (strcmp(v, "1.2") == 0) {
        *out = TLS1_2_VERSION;
    } else if (strcmp(v, "1.3") == 0) {
        *out = TLS1_3_VERSION;
    } else {
        return false;
    }
    return true;
}

/* parse_bool: yes/no, true/false, on/off, 1/0. */
static bool
parse_bool(const char *v, bool *out)
{
    static const char *const yes[] = { "yes", "true", "on", "1" };
    static const char *const no[] = { "no", "false", "off", "0" };
    size_t i;

    for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
        if (strcasecmp(v, yes[i]) == 0 || strcasecmp(v, no[i]) == 0) {
            *out = strcasecmp(v, yes[i]) == 0;
            return true;
        }
    }
    return false;
}

/* parse_size: a decimal count in [min, max]. */
static bool
parse_size(const char *v, size_t min, size_t max, size_t *out)
{
    char *end;
    unsigned long long n;

    if (*v < '0' || *v > '9') {
        return false;
    }
    errno = 0;
    n = strtoull(v, &end, 10);
    if (errno != 0 || *end != '\0' || n < min || n > max) {
        return false;
    }
    *out = (size_t)n;
    return true;
}

/* replace_str: sets *slot to a copy of value. */
static cs_err
replace_str(char **slot, const char *value)
{
    char *copy = strdup(value);

    if (copy == NULL) {
        return CREDSSP_S_NOMEM;
    }
    free(*slot);
    *slot = copy;
    return CS_OK;
}

/*
 * Each setting has one name: credssp.conf's, and "credssp_" before it in
 * a cred store.  These cred-store keys shipped under other names; they
 * still work there, documented as deprecated.  credssp.conf used to take
 * the same short names without documenting them: it refuses them now,
 * naming the setting.
 */
static const struct {
    const char *old, *name;
} renamed[] = {
    { "mech", "inner_mech" },
    { "allow_ntlm_only_delegation", "allow_delegation_ntlm_only" },
    { "cert", "certificate" },
    { "key", "private_key" },
};

const char *
cs_settings_renamed(const char *old)
{
    size_t i;

    for (i = 0; i < sizeof(renamed) / sizeof(renamed[0]); i++) {
        if (strcmp(old, renamed[i].old) == 0) {
            return renamed[i].name;
        }
    }
    return NULL;
}

cs_err
cs_settings_set(struct cs_settings *s, const char *name, const char *value)
{
    if (strcmp(name, "inner_mech") == 0) {
        if (strcmp(value, "auto") == 0) {
            s->inner_mode = CS_MECH_AUTO;
        } else if (strcmp(value, "spnego") == 0) {
            s->inner_mode = CS_MECH_SPNEGO;
        } else if (strcmp(value, "kerberos") == 0) {
            s->inner_mode = CS_MECH_KERBEROS;
        } else if (strcmp(value, "ntlm") == 0) {
            s->inner_mode = CS_MECH_NTLM;
        } else {
            return CREDSSP_S_BAD_OPTION_VALUE;
        }
        return CS_OK;
    }
    if (strcmp(name, "encryption_oracle") == 0) {
        if (strcmp(value, "mitigated") == 0) {
            s->oracle = CS_ORACLE_MITIGATED;
        } else if (strcmp(value, "force-updated") == 0) {
            s->oracle = CS_ORACLE_FORCE_UPDATED;
        } else if (strcmp(value, "vulnerable") == 0) {
            s->oracle = CS_ORACLE_VULNERABLE;
        } else {
            return CREDSSP_S_BAD_OPTION_VALUE;
        }
        return CS_OK;
    }
    if (strcmp(name, "min_version") == 0) {
        return parse_version(value, &s->min_version)
                   ? CS_OK
                   : CREDSSP_S_BAD_OPTION_VALUE;
    }
    if (strcmp(name, "max_version") == 0) {
        return parse_version(value, &s->max_version)
                   ? CS_OK
                   : CREDSSP_S_BAD_OPTION_VALUE;
    }
    if (strcmp(name, "tls_max_version") == 0) {
        return parse_tls_version(value, &s->tls.max_version)
                   ? CS_OK
                   : CREDSSP_S_BAD_OPTION_VALUE;
    }
    if (strcmp(name, "tls_min_version") == 0) {
        return parse_tls_version(value, &s->tls.min_version)
                   ? CS_OK
                   : CREDSSP_S_BAD_OPTION_VALUE;
    }
    if (strcmp(name, "tls_cipher_list") == 0 ||
        strcmp(name, "tls_ciphersuites") == 0) {
        bool tls13 = strcmp(name, "tls_ciphersuites") == 0;

        if (!cs_tls_check_ciphers(value, tls13)) {
            return CREDSSP_S_BAD_OPTION_VALUE;
        }
        return replace_str(tls13 ? &s->tls.ciphersuites
                                 : &s->tls.cipher_list,
                           value);
    }
    if (strcmp(name, "verify_certificate") == 0) {
        return parse_bool(value, &s->tls.verify)
                   ? CS_OK
                   : CREDSSP_S_BAD_OPTION_VALUE;
    }
    if (strcmp(name, "restricted_admin") == 0) {
        return parse_bool(value, &s->restricted_admin)
                   ? CS_OK
                   : CREDSSP_S_BAD_OPTION_VALUE;
    }
    if (strcmp(name, "allow_other_user_delegation") == 0) {
        return parse_bool(value, &s->allow_other_user)
                   ? CS_OK
                   : CREDSSP_S_BAD_OPTION_VALUE;
    }
    if (strcmp(name, "tls_keep_buffers") == 0) {
        return parse_bool(value, &s->tls.keep_buffers)
                   ? CS_OK
                   : CREDSSP_S_BAD_OPTION_VALUE;
    }
    if (strcmp(name, "ca_file") == 0) {
        return replace_str(&s->tls.ca_file, value);
    }
    if (strcmp(name, "max_token_size") == 0) {
        return parse_size(value, 1024, CS_MAX_MAX_TOKEN, &s->max_token)
                   ? CS_OK
                   : CREDSSP_S_BAD_OPTION_VALUE;
    }
    if (strcmp(name, "max_legs") == 0) {
        size_t n;

        if (!parse_size(value, 4, 64, &n)) {
            return CREDSSP_S_BAD_OPTION_VALUE;
        }
        s->max_legs = (unsigned)n;
        return CS_OK;
    }
    if (strcmp(name, "allow_delegation_ntlm_only") == 0) {
        return replace_str(&s->ntlm_deleg, value);
    }
    if (strcmp(name, "allow_delegation") == 0) {
        return replace_str(&s->deleg, value);
    }
    if (strcmp(name, "frame_initial_token") == 0) {
        return replace_str(&s->frame_initial, value);
    }
    if (strcmp(name, "certificate") == 0) {
        return replace_str(&s->cert_file, value);
    }
    if (strcmp(name, "private_key") == 0) {
        return replace_str(&s->key_file, value);
    }
    return CREDSSP_S_UNSUPPORTED_OPTION;
}

/* trim: strips blanks at both ends, in place. */
static char *
trim(char *p)
{
    char *end;

    while (*p == ' ' || *p == '\t') {
        p++;
    }
    end = p + strlen(p);
    while (end > p && (end[-1] == ' ' || end[-1] == '\t' ||
                       end[-1] == '\n' || end[-1] == '\r')) {
        *--end = '\0';
    }
    return p;
}

/* fail_text: the text of a configuration error naming file and line. */
static void
fail_text(char *text, size_t text_len, const char *path, unsigned line,
          const char *what)
{
    if (line > 0) {
        snprintf(text, text_len, "SEC_E_INTERNAL_ERROR: %s:%u: %s", path,
                 line, what);
    } else {
        snprintf(text, text_len, "SEC_E_INTERNAL_ERROR: %s: %s", path,
                 what);
    }
}

/* config_fail: records a configuration error naming file and line. */
static void
config_fail(cs_err err, const char *path, unsigned line, const char *what)
{
    config_err = err;
    fail_text(config_err_text, sizeof(config_err_text), path, line, what);
    CS_TRACE("%s", config_err_text);
}

/*
 * open_checked: the configuration file for reading, or NULL with
 * config_fail called.  The file decides where passwords may be delegated
 * and which TLS and CredSSP versions are good enough, so whoever can
 * write it holds that power: it must not be writable by group or others,
 * and must belong to root or to the effective user (checked with fstat
 * on the open descriptor, so it is the file read).  It must be a
 * regular file, or the null device, which reads empty.  A missing file at
 * the default path is no error (NULL, and config_err stays CS_OK).
 */
static FILE *
open_checked(const char *path, bool explicit_path)
{
    struct stat st;
    char why[160];
    FILE *f;
    int fd;

    /* O_NONBLOCK: a FIFO must not block the open (it is refused below);
     * reading a regular file does not notice the flag. */
    fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        if (errno != ENOENT || explicit_path) {
            config_fail(CREDSSP_S_CONFIG, path, 0, strerror(errno));
        }
        return NULL;
    }
    if (fstat(fd, &st) != 0) {
        config_fail(CREDSSP_S_CONFIG, path, 0, strerror(errno));
    } else if (S_ISCHR(st.st_mode) && st.st_rdev == makedev(1, 3)) {
        /* The null device (GSSCREDSSP_CONFIG=/dev/null: the built-in
         * defaults): anyone may write it, but it always reads empty. */
    } else if (!S_ISREG(st.st_mode)) {
        config_fail(CREDSSP_S_CONFIG, path, 0,
                    "refused: not a regular file");
    } else if ((st.st_mode & (S_IWGRP | S_IWOTH)) != 0) {
        snprintf(why, sizeof(why),
                 "refused: it is %s-writable (mode %04o); only its owner "
                 "may write it",
                 (st.st_mode & S_IWOTH) != 0 ? "world" : "group",
                 (unsigned)(st.st_mode & 07777));
        config_fail(CREDSSP_S_CONFIG, path, 0, why);
    } else if (st.st_uid != 0 && st.st_uid != geteuid()) {
        snprintf(why, sizeof(why),
                 "refused: it belongs to uid %lu, neither root nor the "
                 "effective user (uid %lu)",
                 (unsigned long)st.st_uid, (unsigned long)geteuid());
        config_fail(CREDSSP_S_CONFIG, path, 0, why);
    } else if ((f = fdopen(fd, "r")) == NULL) {
        config_fail(CREDSSP_S_CONFIG, path, 0, strerror(errno));
    } else {
        return f;
    }
    close(fd);
    return NULL;
}

cs_err
cs_config_parse(FILE *f, const char *path, struct cs_settings *s,
                char *text, size_t text_len)
{
    char buf[1024], why[200], shown[96];
    unsigned line = 0;
    const char *what = NULL;

    while (what == NULL && fgets(buf, sizeof(buf), f) != NULL) {
        char *p, *eq, *name, *value;
        cs_err err;

        line++;
        if (strchr(buf, '\n') == NULL && !feof(f)) {
            what = "line too long";
            break;
        }
        p = trim(buf);
        if (*p == '\0' || *p == '#') {
            continue;
        }
        eq = strchr(p, '=');
        if (eq == NULL) {
            what = "expected \"name = value\"";
            break;
        }
        *eq = '\0';
        name = trim(p);
        value = trim(eq + 1);
        err = cs_settings_set(s, name, value);
        if (err == CREDSSP_S_UNSUPPORTED_OPTION) {
            const char *now = cs_settings_renamed(name);

            (void)cs_escape(shown, sizeof(shown), name, strlen(name));
            if (now != NULL) {
                snprintf(why, sizeof(why),
                         "unknown setting \"%s\": the setting is %s",
                         shown, now);
            } else {
                snprintf(why, sizeof(why), "unknown setting \"%s\"",
                         shown);
            }
            what = why;
        } else if (err != CS_OK) {
            what = "invalid value";
        }
    }
    if (what == NULL && ferror(f)) {
        what = "read error";
    }
    if (what != NULL) {
        fail_text(text, text_len, path, line, what);
        return CREDSSP_S_CONFIG;
    }
    return CS_OK;
}

/* read_config: parses the configuration file once per process. */
static void
read_config(void)
{
#ifdef HAVE_SECURE_GETENV
    const char *env = secure_getenv("GSSCREDSSP_CONFIG");
#else
    const char *env = getenv("GSSCREDSSP_CONFIG");
#endif
    bool explicit_path = env != NULL && *env != '\0';
    const char *path = explicit_path ? env : DEFAULT_CONFIG;
    FILE *f;

    f = open_checked(path, explicit_path);
    if (f == NULL) {
        return;
    }
    config_err = cs_config_parse(f, path, &file_settings, config_err_text,
                                 sizeof(config_err_text));
    fclose(f);
    if (config_err != CS_OK) {
        CS_TRACE("%s", config_err_text);
        return;
    }
    CS_TRACE("configuration %s read", path);
}

/* dup_str: *dst = a copy of src (NULL stays NULL); false when out of
 * memory. */
static bool
dup_str(char **dst, const char *src)
{
    *dst = src != NULL ? strdup(src) : NULL;
    return src == NULL || *dst != NULL;
}

cs_err
cs_settings_copy(struct cs_settings *dst, const struct cs_settings *src)
{
    struct cs_settings s = *src;

    /* No pointer of src's may survive into s, even on failure. */
    s.ntlm_deleg = s.deleg = s.frame_initial = s.cert_file = NULL;
    s.key_file = s.tls.cipher_list = s.tls.ciphersuites = NULL;
    s.tls.ca_file = NULL;
    if (!dup_str(&s.ntlm_deleg, src->ntlm_deleg) ||
        !dup_str(&s.deleg, src->deleg) ||
        !dup_str(&s.frame_initial, src->frame_initial) ||
        !dup_str(&s.cert_file, src->cert_file) ||
        !dup_str(&s.key_file, src->key_file) ||
        !dup_str(&s.tls.cipher_list, src->tls.cipher_list) ||
        !dup_str(&s.tls.ciphersuites, src->tls.ciphersuites) ||
        !dup_str(&s.tls.ca_file, src->tls.ca_file)) {
        cs_settings_clear(&s);
        return CREDSSP_S_NOMEM;
    }
    *dst = s;
    return CS_OK;
}

cs_err
cs_settings_load(struct cs_settings *s)
{
    pthread_once(&config_once, read_config);
    if (config_err != CS_OK) {
        return config_err;
    }
    return cs_settings_copy(s, &file_settings);
}

void
cs_settings_clear(struct cs_settings *s)
{
    free(s->ntlm_deleg);
    free(s->deleg);
    free(s->frame_initial);
    free(s->cert_file);
    free(s->key_file);
    free(s->tls.cipher_list);
    free(s->tls.ciphersuites);
    free(s->tls.ca_file);
    memset(s, 0, sizeof(*s));
}

uint32_t
cs_settings_min_version(const struct cs_settings *s, enum cs_role role)
{
    if (s->min_version != 0) {
        return s->min_version;
    }
    /* Encryption Oracle Remediation ([MS-CSSP] 5.1): "mitigated", the
     * Windows default since May 2018, makes initiators require version 5
     * and lets acceptors take any; "force-updated" requires 5 of both,
     * "vulnerable" of neither. */
    switch (s->oracle) {
    case CS_ORACLE_FORCE_UPDATED:
        return 5;
    case CS_ORACLE_VULNERABLE:
        return CS_VERSION_MIN;
    case CS_ORACLE_MITIGATED:
        break;
    }
    return role == CS_INITIATOR ? 5 : CS_VERSION_MIN;
}

uint32_t
cs_settings_max_version(const struct cs_settings *s)
{
    return s->max_version != 0 ? s->max_version : CS_VERSION_MAX;
}

cs_err
cs_settings_check(const struct cs_settings *s, enum cs_role role)
{
    static const char *const oracle[] = {
        [CS_ORACLE_MITIGATED] = "mitigated",
        [CS_ORACLE_FORCE_UPDATED] = "force-updated",
        [CS_ORACLE_VULNERABLE] = "vulnerable",
    };
    uint32_t lo = cs_settings_min_version(s, role);
    uint32_t hi = cs_settings_max_version(s);

    if (lo > hi && s->min_version != 0) {
        cs_err_set_detail(CREDSSP_S_BAD_OPTION_VALUE,
                          "SEC_E_INVALID_PARAMETER: min_version %u is above "
                          "max_version %u: no CredSSP version is left",
                          (unsigned)lo, (unsigned)hi);
        return CREDSSP_S_BAD_OPTION_VALUE;
    }
    if (lo > hi) {
        cs_err_set_detail(CREDSSP_S_BAD_OPTION_VALUE,
                          "SEC_E_INVALID_PARAMETER: max_version %u is below "
                          "version %u, which encryption_oracle = %s requires "
                          "of an %s (set min_version, or encryption_oracle = "
                          "vulnerable, to allow older versions)",
                          (unsigned)hi, (unsigned)lo, oracle[s->oracle],
                          role == CS_INITIATOR ? "initiator" : "acceptor");
        return CREDSSP_S_BAD_OPTION_VALUE;
    }
    if (s->tls.min_version != 0 && s->tls.max_version != 0 &&
        s->tls.min_version > s->tls.max_version) {
        cs_err_set_detail(CREDSSP_S_BAD_OPTION_VALUE,
                          "SEC_E_INVALID_PARAMETER: tls_min_version 1.3 is "
                          "above tls_max_version 1.2");
        return CREDSSP_S_BAD_OPTION_VALUE;
    }
    return CS_OK;
}
