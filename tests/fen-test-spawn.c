/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-test-spawn.c: see fen-test-spawn.h. */
#include "fen-test-spawn.h"

char *
fen_test_spawn (const char *const *argv, gboolean must_succeed)
{
  g_autofree char *exe = g_find_program_in_path (argv[0]);
  g_autofree char *out = NULL, *err = NULL;
  GError *error = NULL;
  int status = 0;

  if (exe == NULL)
    g_error ("%s is not installed (tools/test installs it)", argv[0]);
  g_autoptr(GPtrArray) args = g_ptr_array_new ();
  g_ptr_array_add (args, exe);
  for (guint i = 1; argv[i] != NULL; i++)
    g_ptr_array_add (args, (gpointer) argv[i]);
  g_ptr_array_add (args, NULL);
  g_spawn_sync (NULL, (char **) args->pdata, NULL, G_SPAWN_DEFAULT, NULL, NULL, &out, &err,
                &status, &error);
  g_assert_no_error (error);
  if (must_succeed && !g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s%s", argv[0], out, err);
  return g_strconcat (out, err, NULL);
}
