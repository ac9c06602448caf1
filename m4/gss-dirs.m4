# SPDX-License-Identifier: MIT
# CS_GSS_DIRS: where the mech.d line and credssp.conf go.
#
# MIT's mechglue reads the registrations of loadable mechanisms from
# <sysconfdir>/gss/mech and <sysconfdir>/gss/mech.d/*.conf, where
# <sysconfdir> is KRB5's, compiled into libgssapi_krb5 (its MECH_CONF);
# GSS_MECH_CONFIG names another file instead.  Our own --prefix and
# --sysconfdir say nothing about it: a line under /usr/local/etc is never
# read.  So the default comes from krb5 itself:
#
#   1. a probe program linked with $GSSAPI_LIBS asks the dynamic linker
#      (dladdr) which libgssapi_krb5 file it loaded, and configure reads
#      the "/gss/mech.d/*.conf" pattern compiled into that file: the very
#      string the mechglue globs;
#   2. when that cannot be done (cross-compiling, a library without the
#      string), krb5-config --prefix: /etc for /usr, PREFIX/etc otherwise,
#      with a warning.
#
# --with-gss-mech-dir=DIR and --with-gss-conf-dir=DIR override the two
# directories: gssmechdir (the mech.d line) and gssconfdir (credssp.conf,
# which the module reads).  gssconfdir defaults to krb5's <sysconfdir>/gss,
# whatever --with-gss-mech-dir says.  CS_GSS_MECH_SOURCE says where the
# default came from (for the summary).
AC_DEFUN([CS_GSS_DIRS], [
AC_ARG_WITH([gss-mech-dir],
    [AS_HELP_STRING([--with-gss-mech-dir=DIR],
        [install the mech.d line that registers the module into DIR
         @<:@the mech.d directory the installed MIT krb5 reads, usually
         /etc/gss/mech.d@:>@])],
    [], [with_gss_mech_dir=])
AC_ARG_WITH([gss-conf-dir],
    [AS_HELP_STRING([--with-gss-conf-dir=DIR],
        [install credssp.conf into DIR, where the module reads it
         @<:@KRB5's GSS configuration directory, usually /etc/gss@:>@])],
    [], [with_gss_conf_dir=])
for cs_d in "$with_gss_mech_dir" "$with_gss_conf_dir"; do
    case $cs_d in
        ""|/*) ;;
        *) AC_MSG_ERROR([--with-gss-mech-dir and --with-gss-conf-dir take an absolute directory, not "$cs_d"]) ;;
    esac
done

cs_krb5_gssdir=
CS_GSS_MECH_SOURCE=
AS_IF([test -z "$with_gss_mech_dir" || test -z "$with_gss_conf_dir"], [
    AC_MSG_CHECKING([which libgssapi_krb5 programs load])
    cs_save_LIBS=$LIBS
    cs_save_CFLAGS=$CFLAGS
    LIBS="$GSSAPI_LIBS -ldl $LIBS"
    CFLAGS="$CFLAGS $GSSAPI_CFLAGS"
    cs_gsslib=
    AC_RUN_IFELSE([AC_LANG_SOURCE([[
#include <dlfcn.h>
#include <stdio.h>
#include <gssapi/gssapi.h>
int
main(void)
{
    OM_uint32 minor;
    gss_OID_set none = GSS_C_NO_OID_SET;
    Dl_info info;
    void *sym;
    FILE *f;

    /* A call, so that the library stays linked (--as-needed). */
    (void)gss_release_oid_set(&minor, &none);
    sym = dlsym(RTLD_DEFAULT, "gss_indicate_mechs");
    if (sym == NULL || dladdr(sym, &info) == 0 || info.dli_fname == NULL)
        return 1;
    f = fopen("conftest.lib", "w");
    if (f == NULL)
        return 1;
    fprintf(f, "%s\n", info.dli_fname);
    return fclose(f) != 0;
}
]])], [cs_gsslib=`cat conftest.lib`], [cs_gsslib=],
    [cs_gsslib=])
    rm -f conftest.lib
    LIBS=$cs_save_LIBS
    CFLAGS=$cs_save_CFLAGS
    AC_MSG_RESULT([${cs_gsslib:-unknown}])
    AS_IF([test -n "$cs_gsslib" && test -r "$cs_gsslib"], [
        AC_MSG_CHECKING([where $cs_gsslib reads mech.d])
        cs_pattern=`LC_ALL=C grep -a -o '/@<:@@<:@:graph:@:>@@:>@*/gss/mech\.d/\*\.conf' "$cs_gsslib" | sed 1q`
        AS_IF([test -n "$cs_pattern"], [
            cs_krb5_gssdir=`echo "$cs_pattern" | sed 's|/mech\.d/\*\.conf$||'`
            CS_GSS_MECH_SOURCE="read from the mech.d pattern in $cs_gsslib"
            AC_MSG_RESULT([$cs_krb5_gssdir/mech.d])
        ], [AC_MSG_RESULT([no mech.d pattern in it])])
    ])
    AS_IF([test -z "$cs_krb5_gssdir"], [
        AC_PATH_PROG([KRB5_CONFIG], [krb5-config], [])
        cs_krb5_prefix=
        AS_IF([test -n "$KRB5_CONFIG"],
            [cs_krb5_prefix=`"$KRB5_CONFIG" --prefix 2>/dev/null`])
        AS_CASE([$cs_krb5_prefix],
            [/usr|/usr/], [cs_krb5_gssdir=/etc/gss],
            [/*], [cs_krb5_gssdir=$cs_krb5_prefix/etc/gss],
            [cs_krb5_gssdir=/etc/gss])
        CS_GSS_MECH_SOURCE="guessed from krb5-config --prefix: ${cs_krb5_prefix:-not found}"
        AC_MSG_WARN([could not read MIT krb5's mech.d directory from libgssapi_krb5; guessing $cs_krb5_gssdir/mech.d (give --with-gss-mech-dir and --with-gss-conf-dir to be sure)])
    ])
])
AS_IF([test -n "$with_gss_mech_dir"], [
    gssmechdir=$with_gss_mech_dir
    CS_GSS_MECH_SOURCE="given by --with-gss-mech-dir"
], [gssmechdir=$cs_krb5_gssdir/mech.d])
AS_IF([test -n "$with_gss_conf_dir"], [gssconfdir=$with_gss_conf_dir],
    [gssconfdir=$cs_krb5_gssdir])
AC_SUBST([gssmechdir])
AC_SUBST([gssconfdir])
])
