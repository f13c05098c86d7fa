/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-loopback.c: an LD_PRELOAD shim for the Orthanc the PACS tests
 * start. Orthanc 1.10 has no bind address setting and listens on every
 * interface; the tests must only ever expose it on loopback, so every bind
 * to the wildcard address becomes a bind to 127.0.0.1 (::1 for IPv6). Built
 * without sanitizers: it is loaded into a program that has none. */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <dlfcn.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/socket.h>

int bind (int fd, const struct sockaddr *addr, socklen_t len);

int
bind (int fd, const struct sockaddr *addr, socklen_t len)
{
  int (*real_bind) (int, const struct sockaddr *, socklen_t) =
    (int (*) (int, const struct sockaddr *, socklen_t)) dlsym (RTLD_NEXT, "bind");

  if (addr != NULL && addr->sa_family == AF_INET && len >= sizeof (struct sockaddr_in))
    {
      struct sockaddr_in v4;

      memcpy (&v4, addr, sizeof v4);
      if (v4.sin_addr.s_addr == htonl (INADDR_ANY))
        {
          v4.sin_addr.s_addr = htonl (INADDR_LOOPBACK);
          return real_bind (fd, (const struct sockaddr *) &v4, sizeof v4);
        }
    }
  else if (addr != NULL && addr->sa_family == AF_INET6 && len >= sizeof (struct sockaddr_in6))
    {
      struct sockaddr_in6 v6;

      memcpy (&v6, addr, sizeof v6);
      if (memcmp (&v6.sin6_addr, &in6addr_any, sizeof in6addr_any) == 0)
        {
          v6.sin6_addr = in6addr_loopback;
          return real_bind (fd, (const struct sockaddr *) &v6, sizeof v6);
        }
    }
  return real_bind (fd, addr, len);
}
