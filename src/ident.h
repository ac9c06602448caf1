/* SPDX-License-Identifier: MIT */
/*
 * ident.h - who the inner mechanism authenticated, and whether delegated
 * credentials are that user's (README, "Delegated credentials and the
 * authenticated user"; gsscredssp(8), DELEGATION).
 *
 * The names involved:
 *  - Kerberos authenticates a principal, displayed "user@REALM" (krb5's
 *    escapes: "\@", "\/", "\\");
 *  - NTLM (gss-ntlmssp) a user in a domain, displayed "DOMAIN\user", or
 *    "user" when the client named no domain;
 *  - TSPasswordCreds name a domainName and a userName as the client typed
 *    them: a NetBIOS domain, a DNS domain or none, and a user name that
 *    may itself be a UPN "user@dns.domain" or "DOMAIN\user".
 */
#ifndef CS_IDENT_H
#define CS_IDENT_H

#include "inner.h"

enum cs_ident_kind {
    CS_IDENT_NONE = 0,            /* no name, or one we cannot read */
    CS_IDENT_KRB5,
    CS_IDENT_NTLM,
    CS_IDENT_ANON                 /* an anonymous name (GSS_C_NT_ANONYMOUS) */
};

/* The authenticated identity, parsed. */
struct cs_ident {
    enum cs_ident_kind kind;
    char *text;                   /* the display text (NUL-free) */
    char *user;                   /* unescaped; NULL: matches no user */
    char *domain;                 /* NTLM domain ("" for none), or the
                                   * realm as displayed (escaped) */
};

/* cs_ident_anonymous: whether an acceptor's completed inner context
 * authenticated nobody in particular: the inner mech said
 * GSS_C_ANON_FLAG, or named the peer with an anonymous name (MIT's krb5
 * does only the latter, for anonymous PKINIT). */
bool cs_ident_anonymous(const struct cs_inner *ic);

/* cs_ident_parse: an identity from a display text of the given kind
 * (gss-ntlmssp's trailing NUL already removed). */
cs_err cs_ident_parse(enum cs_ident_kind kind, const char *text,
                      size_t len, struct cs_ident *out) CS_WUR;

/* cs_ident_from_inner: the identity an acceptor's completed inner
 * context authenticated. */
cs_err cs_ident_from_inner(const struct cs_inner *ic,
                           struct cs_ident *out) CS_WUR;

void cs_ident_clear(struct cs_ident *id);

/*
 * cs_ident_match: whether delegated credentials naming domain and user
 * (as TSPasswordCreds or a smart card's hints carry them) are the
 * authenticated user's:
 *  - the user names are equal without regard to case (Unicode simple
 *    case mapping, both ways: cs_text_equal_nocase), after a UPN suffix
 *    ("user@dns.domain") or a "DOMAIN\" prefix in the user field is taken
 *    as its domain;
 *  - each domain named (the domain field, the UPN suffix) is the one the
 *    inner mechanism authenticated: equal without regard to case, or the
 *    same domain in the other form, a dot-less NetBIOS name being the
 *    DNS name's first label (Active Directory's default);
 *  - no domain at all claims nothing and matches.
 * An identity without a user (anonymous, several name components) matches
 * nothing.
 */
bool cs_ident_match(const struct cs_ident *id, const char *domain,
                    const char *user);

/*
 * cs_ident_names: what a delegated password credential is used as, made
 * from the authenticated identity and never from a domain the client
 * named:
 *  *name_out   the initiator name for a further CredSSP hop: the
 *              authenticated name when matched; otherwise the delegated
 *              user in the authenticated realm (user@REALM) or NTLM domain
 *              (DOMAIN\user);
 *  *princ_out  the Kerberos principal gss_store_cred_into gets a ticket
 *              for: the authenticated principal when matched (Kerberos);
 *              the delegated user in the authenticated realm otherwise;
 *              after NTLM, the user alone, so that krb5 puts it in the
 *              server's default realm.
 */
cs_err cs_ident_names(const struct cs_ident *id, bool matched,
                      const char *user, char **name_out,
                      char **princ_out) CS_WUR;

/* cs_text_equal_nocase: whether two UTF-8 texts are equal when every
 * character is compared by its simple upper- and lower-case mappings
 * (both must agree: Turkish dotless i is not i, the Kelvin sign is not
 * K).  Texts that are not UTF-8 compare byte for byte. */
bool cs_text_equal_nocase(const char *a, const char *b);

#endif /* CS_IDENT_H */
