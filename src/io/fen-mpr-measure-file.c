/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-mpr-measure-file.c: the MPR planes' measurements of a series as one
 * JSON file, beside the per-image measurement files:
 *   { "version": 1, "series_instance_uid": "...", "frame_of_reference_uid": "...",
 *     "measurements": [ { "kind": "distance", "right": [x, y, z],
 *                         "down": [x, y, z], "points": [x0, y0, z0, x1, y1, z1] } ] }
 * (kinds distance, ellipse, rectangle with 2 points, angle with 3, the
 * vertex second, cobb with 4: two lines, polygon with 3 to
 * FEN_MPR_MEASURE_MAX_POINTS: a freehand outline, arrow with 2, tail then
 * head, and its "text")
 * Everything read is checked: a UID as written, a known kind, finite
 * numbers, unit and perpendicular plane directions, a bounded count. */
#define G_LOG_DOMAIN "fen-measurement"

#include "fenestra/fen-mpr-measure-file.h"
#include "fenestra/fen-measurement-file.h"

#include <errno.h>
#include <math.h>
#include <string.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#define FEN_MPR_MEASURE_FILE_VERSION 1
/* A file larger than this is not one of ours. */
#define FEN_MPR_MEASURE_FILE_MAX (4 * 1024 * 1024)
#define FEN_MPR_MEASURE_FILE_MAX_ITEMS 10000
/* Patient coordinates beyond 100 m are no body's. */
#define FEN_MPR_MEASURE_FILE_MAX_MM 1e5

/* In FenMprMeasureKind order. */
static const char *const fen_mpr_measure_kinds[] = { "distance", "ellipse", "rectangle", "angle", "cobb", "polygon", "arrow" };

char *
fen_mpr_measure_file_path (const char *data_dir, const char *series_uid, GError **error)
{
  /* The per-image file's rules for a UID, and its folder. */
  g_autofree char *image_path = fen_measurement_file_path (data_dir, series_uid, error);

  if (image_path == NULL)
    return NULL;
  g_assert (g_str_has_suffix (image_path, ".json"));
  image_path[strlen (image_path) - strlen (".json")] = '\0';
  return g_strconcat (image_path, ".mpr.json", NULL);
}

static void
fen_mpr_measure_file_add_vector (JsonBuilder *b, const char *name, const double *v, guint n)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_array (b);
  for (guint i = 0; i < n; i++)
    json_builder_add_double_value (b, v[i]);
  json_builder_end_array (b);
}

gboolean
fen_mpr_measure_file_save (const char *data_dir, const char *series_uid, const char *frame_of_reference_uid,
                           const FenMprMeasure *measures, guint n_measures, GError **error)
{
  g_autofree char *path = fen_mpr_measure_file_path (data_dir, series_uid, error);
  g_autoptr(JsonBuilder) b = NULL;
  g_autoptr(JsonGenerator) gen = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL, *dir = NULL;
  gsize length = 0;

  g_return_val_if_fail (n_measures == 0 || measures != NULL, FALSE);
  if (path == NULL)
    return FALSE;
  if (n_measures == 0)
    {
      if (g_unlink (path) != 0 && errno != ENOENT)
        {
          int saved = errno;

          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE, "%s: %s", path, g_strerror (saved));
          return FALSE;
        }
      return TRUE;
    }

  b = json_builder_new ();
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "version");
  json_builder_add_int_value (b, FEN_MPR_MEASURE_FILE_VERSION);
  json_builder_set_member_name (b, "series_instance_uid");
  json_builder_add_string_value (b, series_uid);
  if (frame_of_reference_uid != NULL && *frame_of_reference_uid)
    {
      json_builder_set_member_name (b, "frame_of_reference_uid");
      json_builder_add_string_value (b, frame_of_reference_uid);
    }
  json_builder_set_member_name (b, "measurements");
  json_builder_begin_array (b);
  for (guint i = 0; i < n_measures; i++)
    {
      const FenMprMeasure *m = &measures[i];

      g_return_val_if_fail ((guint) m->kind < G_N_ELEMENTS (fen_mpr_measure_kinds), FALSE);
      json_builder_begin_object (b);
      json_builder_set_member_name (b, "kind");
      json_builder_add_string_value (b, fen_mpr_measure_kinds[m->kind]);
      fen_mpr_measure_file_add_vector (b, "right", m->frame.right, 3);
      fen_mpr_measure_file_add_vector (b, "down", m->frame.down, 3);
      fen_mpr_measure_file_add_vector (b, "points", &m->points[0][0], 3 * m->n_points);
      if (m->kind == FEN_MPR_MEASURE_ARROW)
        {
          json_builder_set_member_name (b, "text");
          json_builder_add_string_value (b, m->text);
        }
      json_builder_end_object (b);
    }
  json_builder_end_array (b);
  json_builder_end_object (b);

  gen = json_generator_new ();
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  json_generator_set_pretty (gen, TRUE);
  text = json_generator_to_data (gen, &length);
  dir = g_path_get_dirname (path);
  if (g_mkdir_with_parents (dir, 0700) != 0)
    {
      int saved = errno;

      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE, "%s: %s", dir, g_strerror (saved));
      return FALSE;
    }
  /* As the per-image files: a temporary file, fsync, then rename. */
  if (!g_file_set_contents_full (path, text, (gssize) length, G_FILE_SET_CONTENTS_CONSISTENT, 0600, error))
    {
      g_prefix_error (error, "cannot keep the plane measurements: ");
      return FALSE;
    }
  return TRUE;
}

/* @n finite numbers of at most FEN_MPR_MEASURE_FILE_MAX_MM from member
 * @name of @o into @out. */
static gboolean
fen_mpr_measure_file_get_vector (JsonObject *o, const char *name, double *out, guint n)
{
  JsonNode *node = json_object_get_member (o, name);
  JsonArray *array;

  if (node == NULL || !JSON_NODE_HOLDS_ARRAY (node))
    return FALSE;
  array = json_node_get_array (node);
  if (json_array_get_length (array) != n)
    return FALSE;
  for (guint i = 0; i < n; i++)
    {
      JsonNode *v = json_array_get_element (array, i);
      GType t = JSON_NODE_HOLDS_VALUE (v) ? json_node_get_value_type (v) : G_TYPE_INVALID;

      if (t != G_TYPE_DOUBLE && t != G_TYPE_INT64)
        return FALSE;
      out[i] = json_node_get_double (v);
      if (!isfinite (out[i]) || fabs (out[i]) > FEN_MPR_MEASURE_FILE_MAX_MM)
        return FALSE;
    }
  return TRUE;
}

static gboolean
fen_mpr_measure_file_item (JsonNode *node, FenMprMeasure *out)
{
  JsonObject *o = JSON_NODE_HOLDS_OBJECT (node) ? json_node_get_object (node) : NULL;
  JsonNode *kind_node = o != NULL ? json_object_get_member (o, "kind") : NULL;
  FenMprFrame frame;
  g_autofree double *points = g_new (double, 3 * FEN_MPR_MEASURE_MAX_POINTS);
  JsonNode *points_node;
  int kind = -1;
  guint n;

  if (kind_node == NULL || json_node_get_value_type (kind_node) != G_TYPE_STRING)
    return FALSE;
  for (guint k = 0; k < G_N_ELEMENTS (fen_mpr_measure_kinds); k++)
    if (g_str_equal (json_node_get_string (kind_node), fen_mpr_measure_kinds[k]))
      kind = (int) k;
  if (kind < 0)
    return FALSE;
  /* As many points as the kind has (three coordinates each); a freehand
   * outline's count is its own, within its bounds. */
  n = fen_mpr_measure_kind_n_points ((FenMprMeasureKind) kind);
  points_node = json_object_get_member (o, "points");
  if (kind == FEN_MPR_MEASURE_POLYGON && points_node != NULL && JSON_NODE_HOLDS_ARRAY (points_node))
    {
      guint len = json_array_get_length (json_node_get_array (points_node));

      if (len % 3 != 0 || len / 3 < 3 || len / 3 > FEN_MPR_MEASURE_MAX_POINTS)
        return FALSE;
      n = len / 3;
    }
  if (!fen_mpr_measure_file_get_vector (o, "right", frame.right, 3) ||
      !fen_mpr_measure_file_get_vector (o, "down", frame.down, 3) ||
      !fen_mpr_measure_file_get_vector (o, "points", points, 3 * n))
    return FALSE;
  /* The plane's directions as a pane has them: unit, perpendicular (the
   * 17 significant digits JSON keeps give them back bit for bit). */
  if (fabs (fen_vec3_dot (frame.right, frame.right) - 1) > 1e-9 ||
      fabs (fen_vec3_dot (frame.down, frame.down) - 1) > 1e-9 || fabs (fen_vec3_dot (frame.right, frame.down)) > 1e-9)
    return FALSE;
  fen_vec3_cross (frame.right, frame.down, frame.normal);
  if (!fen_mpr_measure_init_points (out, (FenMprMeasureKind) kind, &frame, points, n))
    return FALSE;
  /* An arrow's text, as written (no longer than one can be). */
  if (kind == FEN_MPR_MEASURE_ARROW)
    {
      JsonNode *text = json_object_get_member (o, "text");

      if (text == NULL || json_node_get_value_type (text) != G_TYPE_STRING ||
          strlen (json_node_get_string (text)) >= FEN_MPR_MEASURE_TEXT_MAX ||
          !fen_mpr_measure_set_text (out, json_node_get_string (text)))
        return FALSE;
    }
  return TRUE;
}

GArray *
fen_mpr_measure_file_load (const char *data_dir, const char *series_uid, const char *frame_of_reference_uid,
                           GError **error)
{
  g_autofree char *path = fen_mpr_measure_file_path (data_dir, series_uid, error);
  g_autoptr(GArray) out = g_array_new (FALSE, TRUE, sizeof (FenMprMeasure));
  g_autoptr(JsonParser) parser = NULL;
  g_autofree char *text = NULL;
  JsonObject *o;
  JsonNode *root, *list, *uid, *version, *frame;
  JsonArray *items;
  gsize length = 0;
  GStatBuf st;

  if (path == NULL)
    return NULL;
  if (g_stat (path, &st) != 0)
    return g_steal_pointer (&out); /* nothing kept for this series */
  if (st.st_size > FEN_MPR_MEASURE_FILE_MAX)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE, "%s: %" G_GINT64_FORMAT " bytes is not a "
                   "list of plane measurements", path, (gint64) st.st_size);
      return NULL;
    }
  if (!g_file_get_contents (path, &text, &length, error))
    return NULL;
  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, text, (gssize) length, error))
    {
      g_prefix_error (error, "%s: ", path);
      return NULL;
    }
  root = json_parser_get_root (parser);
  o = root != NULL && JSON_NODE_HOLDS_OBJECT (root) ? json_node_get_object (root) : NULL;
  list = o != NULL ? json_object_get_member (o, "measurements") : NULL;
  uid = o != NULL ? json_object_get_member (o, "series_instance_uid") : NULL;
  version = o != NULL ? json_object_get_member (o, "version") : NULL;
  frame = o != NULL ? json_object_get_member (o, "frame_of_reference_uid") : NULL;
  if (list == NULL || !JSON_NODE_HOLDS_ARRAY (list) || uid == NULL || json_node_get_value_type (uid) != G_TYPE_STRING ||
      g_strcmp0 (json_node_get_string (uid), series_uid) != 0 || version == NULL ||
      json_node_get_value_type (version) != G_TYPE_INT64 || json_node_get_int (version) != FEN_MPR_MEASURE_FILE_VERSION ||
      (frame != NULL && json_node_get_value_type (frame) != G_TYPE_STRING) ||
      json_array_get_length (json_node_get_array (list)) > FEN_MPR_MEASURE_FILE_MAX_ITEMS)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "%s: not a list of plane measurements of this series",
                   path);
      return NULL;
    }
  /* Patient coordinates mean something only in their frame of reference. */
  if (g_strcmp0 (frame != NULL ? json_node_get_string (frame) : NULL,
                 frame_of_reference_uid != NULL && *frame_of_reference_uid ? frame_of_reference_uid : NULL) != 0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "%s: the plane measurements are in another frame "
                   "of reference than the series", path);
      return NULL;
    }
  items = json_node_get_array (list);
  for (guint i = 0; i < json_array_get_length (items); i++)
    {
      FenMprMeasure m;

      if (!fen_mpr_measure_file_item (json_array_get_element (items, i), &m))
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "%s: plane measurement %u is not as written",
                       path, i + 1);
          return NULL;
        }
      g_array_append_val (out, m);
    }
  return g_steal_pointer (&out);
}
