/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-test-auth-server.h: a loopback SoupServer in the test's own main
 * context that answers a DICOMweb echo (QIDO) only when the request's
 * Authorization is the one expected, else HTTP 401; and the echo that
 * asks it, through the viewer's own DICOMweb code. Shared by
 * test-pacs-ui and test-pacs-keyring. */
#pragma once

#include <fenestra/fen-pacs.h>
#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct {
  /* Owned */
  SoupServer *server;
  char       *url;        /* http://127.0.0.1:PORT/dicom-web */
  char       *expected;   /* the Authorization value answered with 200 */
  char       *seen;       /* the last request's Authorization, or NULL */
  guint       requests;
} FenTestAuthServer;

/* Returns: (transfer full): a server listening on a free loopback port. */
FenTestAuthServer *fen_test_auth_server_new  (const char *expected);
void               fen_test_auth_server_free (FenTestAuthServer *server);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenTestAuthServer, fen_test_auth_server_free)

/* A GAsyncReadyCallback that keeps a reference to the result in
 * *(GAsyncResult **) @user_data; fen_test_wait() iterates the default
 * main context until it is there (at most 30 s) and returns it. */
void          fen_test_done_cb (GObject *source, GAsyncResult *result, gpointer user_data);
GAsyncResult *fen_test_wait    (GAsyncResult **result);

/* fen_pacs_echo_async() on @url with @authorization (nullable), waited for. */
gboolean fen_test_auth_echo (const char *url, const char *authorization, GError **error);

G_END_DECLS
