/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-main.c: the fenestra viewer's entry point. */
#define G_LOG_DOMAIN "fenestra"

#include "fen-application.h"

#include <locale.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif

int
main (int argc, char *argv[])
{
  g_autoptr(FenApplication) app = NULL;

  setlocale (LC_ALL, "");
#ifdef __GLIBC__
  /* Frame-sized buffers (ours, and the surfaces the cairo renderer makes from
   * each texture) and image buffers must go back to the kernel when freed.
   * A fixed threshold stops glibc from raising it after the first large free
   * and then keeping every later frame-sized block in the heap. */
  mallopt (M_MMAP_THRESHOLD, 1024 * 1024);
#endif
  app = fen_application_new ();
  return g_application_run (G_APPLICATION (app), argc, argv);
}
