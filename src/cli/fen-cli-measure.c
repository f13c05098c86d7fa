/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-cli-measure.c: `fenestra-cli measure`, the viewer's region statistics
 * (fen-roi.h) for scripts and tests. */
#define G_LOG_DOMAIN "fen-cli"

#include "fen-cli-measure.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <fenestra/fen-json.h>
#include <fenestra/fen-roi.h>

/* At most this many polygon vertices from the command line. */
#define FEN_CLI_MAX_VERTICES 100000

static gboolean
fen_cli_parse_numbers (const char *text, GArray *out)
{
  g_auto(GStrv) parts = g_strsplit (text, ",", -1);

  for (guint i = 0; parts[i] != NULL; i++)
    {
      char *end = NULL;
      const double v = g_ascii_strtod (parts[i], &end);
      if (end == parts[i] || *end != '\0' || !isfinite (v) || out->len >= 2 * FEN_CLI_MAX_VERTICES)
        return FALSE;
      g_array_append_val (out, v);
    }
  return TRUE;
}

static void
fen_cli_json_number (GString *out, const char *key, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_printf (out, "\"%s\":", key);
  if (isfinite (value))
    g_string_append (out, g_ascii_dtostr (buf, sizeof buf, value));
  else
    g_string_append (out, "null");
}

static gboolean
fen_cli_parse_roi (const char *spec, GArray *numbers, FenRoi *roi, GError **error)
{
  const char *colon = spec != NULL ? strchr (spec, ':') : NULL;

  if (colon != NULL && fen_cli_parse_numbers (colon + 1, numbers))
    {
      const double *v = (const double *) numbers->data;
      if (g_str_has_prefix (spec, "ellipse:") && numbers->len == 4)
        *roi = (FenRoi) { .kind = FEN_ROI_ELLIPSE, .x = v[0], .y = v[1], .rx = v[2], .ry = v[3] };
      else if (g_str_has_prefix (spec, "rect:") && numbers->len == 4)
        *roi = (FenRoi) { .kind = FEN_ROI_RECTANGLE, .x = v[0], .y = v[1], .w = v[2], .h = v[3] };
      else if (g_str_has_prefix (spec, "polygon:") && numbers->len >= 6 && numbers->len % 2 == 0)
        *roi = (FenRoi) { .kind = FEN_ROI_POLYGON, .points = v, .n_points = numbers->len / 2 };
      else
        colon = NULL;
    }
  if (colon != NULL)
    return TRUE;
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--roi wants ellipse:X,Y,RX,RY, rect:X,Y,W,H or polygon:X1,Y1,X2,Y2,X3,Y3,... "
               "in image coordinates, not \"%s\"", spec != NULL ? spec : "");
  return FALSE;
}

gboolean
fen_cli_measure (FenImage *image, gint frame, const char *spec, GError **error)
{
  g_autoptr(GArray) numbers = g_array_new (FALSE, FALSE, sizeof (double));
  FenRoi roi = { 0 };
  FenRoiStats stats;

  if (!fen_cli_parse_roi (spec, numbers, &roi, error))
    return FALSE;
  if (frame < 1 || (guint) frame > fen_image_get_n_frames (image))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--frame %d: the image has %u frame(s), numbered from 1", frame,
                   fen_image_get_n_frames (image));
      return FALSE;
    }
  if (!fen_roi_stats (image, (guint) frame - 1, &roi, &stats, error))
    return FALSE;

  g_autoptr(GString) json = g_string_new ("{");
  g_string_append_printf (json, "\"n\":%" G_GUINT64_FORMAT ",", stats.n);
  fen_cli_json_number (json, "mean", stats.mean);
  g_string_append_c (json, ',');
  fen_cli_json_number (json, "sd", stats.sd);
  g_string_append_c (json, ',');
  fen_cli_json_number (json, "min", stats.min);
  g_string_append_c (json, ',');
  fen_cli_json_number (json, "max", stats.max);
  g_string_append_c (json, ',');
  fen_cli_json_number (json, "area_mm2", stats.area_mm2 > 0 ? stats.area_mm2 : NAN);
  g_string_append (json, ",\"unit\":");
  fen_json_append_string (json, stats.unit);
  g_string_append_c (json, '}');
  puts (json->str);
  return TRUE;
}
