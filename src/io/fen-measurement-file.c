/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-measurement-file.c: measurements as JSON per image and as CSV. */
#define G_LOG_DOMAIN "fen-measurement"

#include "fenestra/fen-measurement-file.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#define FEN_MEASUREMENT_FILE_VERSION 1
/* A file larger than this is not one of ours. */
#define FEN_MEASUREMENT_FILE_MAX (16 * 1024 * 1024)
#define FEN_MEASUREMENT_FILE_MAX_ITEMS 10000

char *
fen_measurement_file_path (const char *data_dir, const char *sop_instance_uid, GError **error)
{
  gsize len = sop_instance_uid != NULL ? strlen (sop_instance_uid) : 0;
  gboolean ok = len > 0 && len <= 64 && sop_instance_uid[0] != '.';

  for (gsize i = 0; ok && i < len; i++)
    ok = g_ascii_isdigit (sop_instance_uid[i]) || sop_instance_uid[i] == '.';
  if (!ok)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "measurements are kept per SOP Instance UID, and this image has none that is valid");
      return NULL;
    }
  g_autofree char *file = g_strconcat (sop_instance_uid, ".json", NULL);
  return g_build_filename (data_dir != NULL ? data_dir : g_get_user_data_dir (), "fenestra",
                           "measurements", file, NULL);
}

gboolean
fen_measurement_file_save (const char *data_dir, const char *sop_instance_uid,
                           GPtrArray *measurements, GError **error)
{
  g_autofree char *path = fen_measurement_file_path (data_dir, sop_instance_uid, error);

  if (path == NULL)
    return FALSE;
  if (measurements == NULL || measurements->len == 0)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved = errno;
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE, "%s: %s", path, g_strerror (saved));
          return FALSE;
        }
      return TRUE;
    }

  g_autoptr(JsonBuilder) b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, FEN_MEASUREMENT_FILE_VERSION);
  json_builder_set_member_name (b, "sop_instance_uid");
  json_builder_add_string_value (b, sop_instance_uid);
  json_builder_set_member_name (b, "measurements");
  json_builder_begin_array (b);
  for (guint i = 0; i < measurements->len; i++)
    {
      const FenMeasurement *m = measurements->pdata[i];
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, fen_measurement_kind_to_string (m->kind));
      json_builder_set_member_name (b, "frame");
      json_builder_add_int_value (b, m->frame);
      json_builder_set_member_name (b, "points");
      json_builder_begin_array (b);
      for (guint k = 0; k < 2 * m->n_points; k++)
        json_builder_add_double_value (b, m->points[k]);
      json_builder_end_array (b);
      if (m->text != NULL)
        {
          json_builder_set_member_name (b, "text");
          json_builder_add_string_value (b, m->text);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  gsize length = 0;
  g_autofree char *text = json_generator_to_data (gen, &length);
  g_autofree char *dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE, "%s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  /* g_file_set_contents: a temporary file, fsync, then rename. */
  if (!g_file_set_contents_full (path, text, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0600, error))
    {
      g_prefix_error (error, "cannot keep the measurements: ");
      return FALSE;
    }
  return TRUE;
}

static FenMeasurement *
fen_measurement_from_json (JsonNode *node, GError **error)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *kind_node = o != NULL ? json_object_get_member (o, "kind") : NULL;
  JsonNode *frame_node = o != NULL ? json_object_get_member (o, "frame") : NULL;
  JsonNode *points_node = o != NULL ? json_object_get_member (o, "points") : NULL;
  JsonNode *text_node = o != NULL ? json_object_get_member (o, "text") : NULL;
  FenMeasurementKind kind;

  if (kind_node == NULL || json_node_get_value_type (kind_node) != G_TYPE_STRING ||
      !fen_measurement_kind_from_string (json_node_get_string (kind_node), &kind) ||
      frame_node == NULL || json_node_get_value_type (frame_node) != G_TYPE_INT64 ||
      json_node_get_int (frame_node) < 0 || json_node_get_int (frame_node) > G_MAXINT32 ||
      points_node == NULL || !JSON_NODE_HOLDS_ARRAY (points_node) ||
      (text_node != NULL && json_node_get_value_type (text_node) != G_TYPE_STRING))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "a measurement is not as written");
      return NULL;
    }
  JsonArray *array = json_node_get_array (points_node);
  const guint n = json_array_get_length (array);
  if (n % 2 != 0 || n > 2 * FEN_MEASUREMENT_MAX_POINTS)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "a measurement has %u coordinates", n);
      return NULL;
    }
  g_autofree double *points = g_new (double, MAX (n, 1));
  for (guint i = 0; i < n; i++)
    {
      JsonNode *v = json_array_get_element (array, i);
      const GType t = JSON_NODE_HOLDS_VALUE (v) ? json_node_get_value_type (v) : G_TYPE_INVALID;
      if (t != G_TYPE_DOUBLE && t != G_TYPE_INT64)
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "a coordinate is not a number");
          return NULL;
        }
      points[i] = json_node_get_double (v);
    }
  return fen_measurement_new (kind, (guint) json_node_get_int (frame_node), points, n / 2,
                              text_node != NULL ? json_node_get_string (text_node) : NULL, error);
}

GPtrArray *
fen_measurement_file_load (const char *data_dir, const char *sop_instance_uid, GError **error)
{
  g_autofree char *path = fen_measurement_file_path (data_dir, sop_instance_uid, error);
  g_autoptr(GPtrArray) out = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_measurement_free);
  g_autofree char *text = NULL;
  gsize length = 0;
  GStatBuf st;

  if (path == NULL)
    return NULL;
  if (g_stat (path, &st) != 0)
    return g_steal_pointer (&out); /* nothing kept for this image */
  if (st.st_size > FEN_MEASUREMENT_FILE_MAX)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE, "%s: %" G_GINT64_FORMAT " bytes is not "
                   "a measurement list", path, (gint64) st.st_size);
      return NULL;
    }
  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;

  g_autoptr(JsonParser) parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, (gssize) length, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  JsonNode *root = json_parser_get_root (parser);
  JsonObject *o = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  JsonNode *list = o != NULL ? json_object_get_member (o, "measurements") : NULL;
  JsonNode *uid = o != NULL ? json_object_get_member (o, "sop_instance_uid") : NULL;
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list) || uid == NULL ||
      json_node_get_value_type (uid) != G_TYPE_STRING ||
      g_strcmp0 (json_node_get_string (uid), sop_instance_uid) != 0 ||
      json_array_get_length (json_node_get_array (list)) > FEN_MEASUREMENT_FILE_MAX_ITEMS)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "%s: not a measurement list of this image",
                   path);
      return NULL;
    }
  JsonArray *items = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      FenMeasurement *m = fen_measurement_from_json (json_array_get_element (items, i), error);
      if (m == NULL)
        {
          g_prefix_error (error, "%s: ", path);
          return NULL;
        }
      g_ptr_array_add (out, m);
    }
  return g_steal_pointer (&out);
}

/* RFC 4180: a field with a comma, quote or line break is quoted, quotes
 * doubled. */
static void
fen_csv_field (GString *out, const char *text)
{
  if (text == NULL)
    return;
  if (strpbrk (text, ",\"\r\n") == NULL)
    {
      g_string_append (out, text);
      return;
    }
  g_string_append_c (out, '"');
  for (const char *p = text; *p != '\0'; p++)
    {
      if (*p == '"')
        g_string_append_c (out, '"');
      g_string_append_c (out, *p);
    }
  g_string_append_c (out, '"');
}

static void
fen_csv_number (GString *out, double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  g_string_append_c (out, ',');
  if (isfinite (value))
    g_string_append (out, g_ascii_formatd (buf, sizeof buf, "%.6g", value));
}

gboolean
fen_measurement_export_csv (FenImage *image, GPtrArray *measurements, const char *path,
                            GError **error)
{
  const FenImageInfo *info = fen_image_get_info (image);
  g_autoptr(GString) csv = g_string_new ("frame,kind,length_mm,angle_deg,n,mean,sd,min,max,area_mm2,unit,text\r\n");

  for (guint i = 0; i < measurements->len; i++)
    {
      const FenMeasurement *m = measurements->pdata[i];
      FenRoiStats stats = { .mean = NAN, .sd = NAN, .min = NAN, .max = NAN, .area_mm2 = NAN };
      FenRoi roi;
      gboolean region = fen_measurement_get_roi (m, &roi) &&
                        fen_roi_stats (image, m->frame, &roi, &stats, NULL);

      g_string_append_printf (csv, "%u,%s", m->frame + 1, fen_measurement_kind_to_string (m->kind));
      fen_csv_number (csv, fen_measurement_length_mm (m, info));
      fen_csv_number (csv, fen_measurement_angle_deg (m, info));
      g_string_append_c (csv, ',');
      if (region)
        g_string_append_printf (csv, "%" G_GUINT64_FORMAT, stats.n);
      fen_csv_number (csv, region ? stats.mean : NAN);
      fen_csv_number (csv, region ? stats.sd : NAN);
      fen_csv_number (csv, region ? stats.min : NAN);
      fen_csv_number (csv, region ? stats.max : NAN);
      fen_csv_number (csv, region && stats.area_mm2 > 0 ? stats.area_mm2 : NAN);
      g_string_append_c (csv, ',');
      fen_csv_field (csv, region ? stats.unit : NULL);
      g_string_append_c (csv, ',');
      fen_csv_field (csv, m->text);
      g_string_append (csv, "\r\n");
    }
  if (!g_file_set_contents_full (path, csv->str, (gssize) csv->len, G_FILE_SET_CONTENTS_CONSISTENT,
                                 0644, error))
    {
      g_prefix_error (error, "cannot write the CSV: ");
      return FALSE;
    }
  return TRUE;
}
