/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-main.c: the fenestra viewer's entry point. */
#define G_LOG_DOMAIN "fenestra"

#include "fen-application.h"

#include <locale.h>

int
main (int argc, char *argv[])
{
  g_autoptr(FenApplication) app = NULL;

  setlocale (LC_ALL, "");
  app = fen_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
