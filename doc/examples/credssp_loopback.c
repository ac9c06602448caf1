/* SPDX-License-Identifier: MIT */
/*
 * credssp_loopback.c - both ends of a CredSSP exchange in one process,
 * through the GSSAPI alone, as an application writes them: an initiator
 * that logs on with a password and delegates it, an acceptor that frames
 * the first token it receives, then one message wrapped by the initiator
 * and unwrapped by the acceptor.  Every failure is printed with
 * gss_display_status() and ends the program with status 1.
 *
 * Build against an installed gss-credssp (gss-credssp-dev):
 *
 *     cc -o credssp_loopback credssp_loopback.c \
 *         $(pkg-config --cflags --libs gss-credssp)
 *
 * Run with USER's password on stdin; TARGET is the acceptor's host-based
 * service name, host@localhost by default, whose key the acceptor finds
 * in KRB5_KTNAME (NTLM logons are checked against NTLM_USER_FILE):
 *
 *     echo "$PASSWORD" | ./credssp_loopback USER [TARGET]
 *
 * From a build tree, against the throwaway KDC of the tests (`make check`
 * builds this file as doc/examples/credssp_loopback and runs it so):
 *
 *     mkdir /tmp/kdc
 *     CREDSSP_MODULE=$PWD/.libs/gsscredssp.so \
 *         sh tests/fixture/kdc-fixture.sh start /tmp/kdc > /tmp/kdc.env
 *     . /tmp/kdc.env
 *     echo "$CREDSSP_TEST_PASSWORD" | doc/examples/credssp_loopback alice
 *     sh tests/fixture/kdc-fixture.sh stop /tmp/kdc
 *
 * CREDSSP_MODULE makes the fixture name the module built here in the
 * GSS_MECH_CONFIG file it exports; after `make install`, leave it out.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <gssapi/gssapi.h>
#include <gssapi/gssapi_credssp.h>

/* More calls than a CredSSP exchange ever takes (about five each). */
#define MAX_LEGS 16

/* print_status: every message gss_display_status() has for CODE. */
static void
print_status(const char *label, OM_uint32 code, int type)
{
    OM_uint32 minor, msg_ctx = 0;
    gss_buffer_desc text = GSS_C_EMPTY_BUFFER;

    do {
        if (GSS_ERROR(gss_display_status(&minor, code, type,
                                         GSS_CREDSSP_MECH, &msg_ctx,
                                         &text))) {
            fprintf(stderr, "  %s: status 0x%08lx\n", label,
                    (unsigned long)code);
            return;
        }
        fprintf(stderr, "  %s: %.*s\n", label, (int)text.length,
                (const char *)text.value);
        (void)gss_release_buffer(&minor, &text);
    } while (msg_ctx != 0);
}

/* report: what failed, with the GSS major status and the mechanism's
 * minor status (CredSSP's start with the SSPI name Windows would give,
 * such as "SEC_E_LOGON_DENIED: ..."). */
static void
report(const char *what, OM_uint32 major, OM_uint32 minor)
{
    fprintf(stderr, "credssp_loopback: %s failed\n", what);
    print_status("major", major, GSS_C_GSS_CODE);
    if (minor != 0) {
        print_status("minor", minor, GSS_C_MECH_CODE);
    }
}

/* import: a name of the given type from a C string. */
static OM_uint32
import(OM_uint32 *minor, const char *text, gss_OID type, gss_name_t *out)
{
    gss_buffer_desc buf;

    buf.value = (void *)text;
    buf.length = strlen(text);
    return gss_import_name(minor, &buf, type, out);
}

/* show_delegated: the domain and user the initiator delegated.  The
 * password is the third buffer: wiped before release, never printed. */
static int
show_delegated(gss_cred_id_t deleg)
{
    OM_uint32 major, minor;
    gss_buffer_set_t set = GSS_C_NO_BUFFER_SET;

    major = gss_inquire_cred_by_oid(&minor, deleg,
                                    GSS_CREDSSP_CRED_DELEGATED_PASSWORD,
                                    &set);
    if (GSS_ERROR(major)) {
        report("gss_inquire_cred_by_oid", major, minor);
        return 1;
    }
    if (set == GSS_C_NO_BUFFER_SET || set->count != 3) {
        printf("acceptor: the initiator delegated no password\n");
    } else {
        printf("acceptor: delegated password of %.*s\\%.*s\n",
               (int)set->elements[0].length,
               (const char *)set->elements[0].value,
               (int)set->elements[1].length,
               (const char *)set->elements[1].value);
        explicit_bzero(set->elements[2].value, set->elements[2].length);
    }
    (void)gss_release_buffer_set(&minor, &set);
    return 0;
}

int
main(int argc, char **argv)
{
    OM_uint32 major, minor, tmp, iflags = 0, aflags = 0;
    gss_OID_set_desc mechs = { 1, GSS_CREDSSP_MECH };
    gss_name_t user = GSS_C_NO_NAME, target = GSS_C_NO_NAME;
    gss_name_t peer = GSS_C_NO_NAME;
    gss_cred_id_t icred = GSS_C_NO_CREDENTIAL, acred = GSS_C_NO_CREDENTIAL;
    gss_cred_id_t deleg = GSS_C_NO_CREDENTIAL;
    gss_ctx_id_t ictx = GSS_C_NO_CONTEXT, actx = GSS_C_NO_CONTEXT;
    gss_buffer_desc to_init = GSS_C_EMPTY_BUFFER;
    gss_buffer_desc to_acc = GSS_C_EMPTY_BUFFER;
    gss_buffer_desc framed = GSS_C_EMPTY_BUFFER;
    gss_buffer_desc pw, text = GSS_C_EMPTY_BUFFER;
    gss_buffer_desc msg, wrapped = GSS_C_EMPTY_BUFFER;
    gss_buffer_desc unwrapped = GSS_C_EMPTY_BUFFER;
    char password[256];
    int init_done = 0, acc_done = 0, legs, ret = 1;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "usage: credssp_loopback USER [TARGET] "
                "< password\n");
        return 2;
    }
    if (fgets(password, sizeof(password), stdin) == NULL) {
        fprintf(stderr, "credssp_loopback: no password on stdin\n");
        return 2;
    }
    password[strcspn(password, "\r\n")] = '\0';

    /* The initiator: USER with a password, for the CredSSP mechanism. */
    major = import(&minor, argv[1], GSS_C_NT_USER_NAME, &user);
    if (GSS_ERROR(major)) {
        report("gss_import_name (user)", major, minor);
        goto cleanup;
    }
    pw.value = password;
    pw.length = strlen(password);
    major = gss_acquire_cred_with_password(&minor, user, &pw,
                                           GSS_C_INDEFINITE, &mechs,
                                           GSS_C_INITIATE, &icred, NULL,
                                           NULL);
    explicit_bzero(password, sizeof(password));
    if (GSS_ERROR(major)) {
        report("gss_acquire_cred_with_password", major, minor);
        goto cleanup;
    }

    /* The acceptor needs an explicit CredSSP credential: the mechglue
     * gives GSS_C_NO_CREDENTIAL only to default mechanisms. */
    major = gss_acquire_cred(&minor, GSS_C_NO_NAME, GSS_C_INDEFINITE,
                             &mechs, GSS_C_ACCEPT, &acred, NULL, NULL);
    if (GSS_ERROR(major)) {
        report("gss_acquire_cred (acceptor)", major, minor);
        goto cleanup;
    }
    major = import(&minor, argc > 2 ? argv[2] : "host@localhost",
                   GSS_C_NT_HOSTBASED_SERVICE, &target);
    if (GSS_ERROR(major)) {
        report("gss_import_name (target)", major, minor);
        goto cleanup;
    }

    /* Tokens go back and forth until both sides are complete.  The
     * initiator's last call completes AND returns a token (the
     * credentials), which the acceptor still needs. */
    for (legs = 0; legs < MAX_LEGS && !acc_done; legs++) {
        if (!init_done) {
            major = gss_init_sec_context(&minor, icred, &ictx, target,
                                         GSS_CREDSSP_MECH,
                                         GSS_C_DELEG_FLAG |
                                         GSS_C_MUTUAL_FLAG, 0,
                                         GSS_C_NO_CHANNEL_BINDINGS,
                                         &to_init, NULL, &to_acc, &iflags,
                                         NULL);
            (void)gss_release_buffer(&tmp, &to_init);
            if (GSS_ERROR(major)) {
                report("gss_init_sec_context", major, minor);
                goto cleanup;
            }
            init_done = major == GSS_S_COMPLETE;
        }
        if (to_acc.length == 0) {
            break;
        }
        /* MIT's mechglue routes a first token by its RFC 2743 header,
         * which CredSSP's bare TLS ClientHello lacks. */
        if (actx == GSS_C_NO_CONTEXT) {
            major = gss_credssp_frame_token(&minor, &to_acc, &framed);
            (void)gss_release_buffer(&tmp, &to_acc);
            if (GSS_ERROR(major)) {
                report("gss_credssp_frame_token", major, minor);
                goto cleanup;
            }
            to_acc = framed;
            framed.value = NULL;
            framed.length = 0;
        }
        major = gss_accept_sec_context(&minor, &actx, acred, &to_acc,
                                       GSS_C_NO_CHANNEL_BINDINGS, &peer,
                                       NULL, &to_init, &aflags, NULL,
                                       &deleg);
        (void)gss_release_buffer(&tmp, &to_acc);
        if (GSS_ERROR(major)) {
            report("gss_accept_sec_context", major, minor);
            goto cleanup;
        }
        acc_done = major == GSS_S_COMPLETE;
    }
    if (!init_done || !acc_done) {
        fprintf(stderr, "credssp_loopback: no completion after %d legs\n",
                legs);
        goto cleanup;
    }
    printf("initiator: complete, delegation %s\n",
           (iflags & GSS_C_DELEG_FLAG) ? "done" : "not done");

    major = gss_display_name(&minor, peer, &text, NULL);
    if (GSS_ERROR(major)) {
        report("gss_display_name", major, minor);
        goto cleanup;
    }
    printf("acceptor: authenticated %.*s\n", (int)text.length,
           (const char *)text.value);
    if ((aflags & GSS_C_DELEG_FLAG) && deleg != GSS_C_NO_CREDENTIAL &&
        show_delegated(deleg) != 0) {
        goto cleanup;
    }

    /* Message protection: a TLS record over the context's channel. */
    msg.value = (void *)"hello from the initiator";
    msg.length = strlen(msg.value);
    major = gss_wrap(&minor, ictx, 1, GSS_C_QOP_DEFAULT, &msg, NULL,
                     &wrapped);
    if (GSS_ERROR(major)) {
        report("gss_wrap", major, minor);
        goto cleanup;
    }
    major = gss_unwrap(&minor, actx, &wrapped, &unwrapped, NULL, NULL);
    if (GSS_ERROR(major)) {
        report("gss_unwrap", major, minor);
        goto cleanup;
    }
    printf("acceptor: unwrapped \"%.*s\" (%zu bytes on the wire)\n",
           (int)unwrapped.length, (const char *)unwrapped.value,
           wrapped.length);
    ret = 0;

cleanup:
    explicit_bzero(password, sizeof(password));
    (void)gss_release_buffer(&tmp, &unwrapped);
    (void)gss_release_buffer(&tmp, &wrapped);
    (void)gss_release_buffer(&tmp, &text);
    (void)gss_release_buffer(&tmp, &to_init);
    (void)gss_release_buffer(&tmp, &to_acc);
    (void)gss_delete_sec_context(&tmp, &ictx, GSS_C_NO_BUFFER);
    (void)gss_delete_sec_context(&tmp, &actx, GSS_C_NO_BUFFER);
    (void)gss_release_cred(&tmp, &deleg);
    (void)gss_release_cred(&tmp, &icred);
    (void)gss_release_cred(&tmp, &acred);
    (void)gss_release_name(&tmp, &peer);
    (void)gss_release_name(&tmp, &target);
    (void)gss_release_name(&tmp, &user);
    return ret;
}
