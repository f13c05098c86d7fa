/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-cli-measure.c: `fenestra-cli measure`, the viewer's region statistics
 * (fen-roi.h) for scripts and tests. */
#define G_LOG_DOMAIN "fen-cli"

#include "fen-cli-measure.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

#include <fenestra/fen-roi.h>
#include <json-glib/json-glib.h>

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

/* A statistic that has no value (the mean of no pixel, the area of an
 * image without Pixel Spacing) is null: JSON has no NaN (RFC 8259 6). */
static void
fen_cli_json_number (JsonBuilder *b, const char *key, double value)
{
  json_builder_set_member_name (b, key);
  if (isfinite (value))
    json_builder_add_double_value (b, value);
  else
    json_builder_add_null_value (b);
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

  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autofree char *unit = g_utf8_make_valid (stats.unit, -1);

  json_builder_begin_object (b);
  json_builder_set_member_name (b, "n");
  json_builder_add_int_value (b, (gint64) stats.n);
  fen_cli_json_number (b, "mean", stats.mean);
  fen_cli_json_number (b, "sd", stats.sd);
  fen_cli_json_number (b, "min", stats.min);
  fen_cli_json_number (b, "max", stats.max);
  fen_cli_json_number (b, "area_mm2", stats.area_mm2 > 0 ? stats.area_mm2 : NAN);
  json_builder_set_member_name (b, "unit");
  json_builder_add_string_value (b, unit);
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (generator, root);
  json = json_generator_to_data (generator, NULL);
  puts (json);
  return TRUE;
}
