# SPDX-License-Identifier: MIT
# AX_PTHREAD_SIMPLE: sets PTHREAD_CFLAGS and PTHREAD_LIBS for glibc systems,
# where -pthread is all that is needed.
AC_DEFUN([AX_PTHREAD_SIMPLE], [
  PTHREAD_CFLAGS="-pthread"
  PTHREAD_LIBS="-pthread"
  AC_SUBST([PTHREAD_CFLAGS])
  AC_SUBST([PTHREAD_LIBS])
])
