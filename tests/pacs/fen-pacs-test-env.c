/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-test-env.c: see fen-pacs-test-env.h. */
#include "fen-pacs-test-env.h"

#include <sys/wait.h>

const char *
fen_env (const char *name)
{
  const char *v = g_getenv (name);

  if (v == NULL || *v == '\0')
    g_error ("%s is not set: run this test through test-pacs-orthanc.sh", name);
  return v;
}

FenPacsNode *
fen_node_env (const char *name)
{
  g_autoptr(GError) error = NULL;
  FenPacsNode *node = fen_pacs_node_parse (fen_env (name), &error);

  g_assert_no_error (error);
  return node;
}

int
fen_run_cli (const char *const *args, char **out, char **err)
{
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_ptr_array_add (argv, (gpointer) fen_env ("FEN_CLI"));
  g_ptr_array_add (argv, (gpointer) "pacs");
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  g_assert_true (g_spawn_sync (NULL, (char **) argv->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, out, err,
                               &status, &error));
  g_assert_no_error (error);
  return g_spawn_check_wait_status (status, NULL) ? 0 : (WIFEXITED (status) ? WEXITSTATUS (status) : -1);
}
