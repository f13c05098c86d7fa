/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-cli-util.c: see fen-cli-util.h. */
#define G_LOG_DOMAIN "fen-cli"

#include "fen-cli-util.h"

#include <math.h>

gboolean
fen_cli_parse_window (const char *text, FenWindowParams *w, GError **error)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", 3);
  char *end1 = NULL, *end2 = NULL;

  if (g_strv_length (parts) == 2)
    {
      w->center = g_ascii_strtod (parts[0], &end1);
      w->width = g_ascii_strtod (parts[1], &end2);
      if (end1 != parts[0] && *end1 == '\0' && end2 != parts[1] && *end2 == '\0' &&
          isfinite (w->center) && isfinite (w->width) && w->width > 0)
        return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--window wants CENTER,WIDTH with WIDTH > 0, not \"%s\"", text);
  return FALSE;
}
