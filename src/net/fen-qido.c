/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-qido.c: reads a QIDO-RS answer, an array of data sets in the DICOM
 * JSON model (PS3.18 F.2), into FenPacsMatch. Everything from the network is
 * checked: the body's size and nesting before parsing, each value's type,
 * length and characters, the number of matches, and UIDs before they are
 * used. A malformed answer is an error, not a partial result. */
#define G_LOG_DOMAIN "fen-net"

#include "fen-net-private.h"

#include <json-glib/json-glib.h>

#include <string.h>

#define FEN_QIDO_MAX_DEPTH 16

typedef enum { FEN_QIDO_STRING, FEN_QIDO_PN, FEN_QIDO_INT } FenQidoKind;

typedef struct {
  const char  *tag;           /* PS3.18 F.2.1.1: eight upper-case hex digits */
  FenQidoKind  kind;
  gsize        offset;        /* into FenPacsMatch */
  gboolean     is_uid;
} FenQidoField;

#define S(f) G_STRUCT_OFFSET (FenPacsMatch, f)
static const FenQidoField fen_qido_fields[] = {
  { "00100010", FEN_QIDO_PN, S (patient_name), FALSE },
  { "00100020", FEN_QIDO_STRING, S (patient_id), FALSE },
  { "0020000D", FEN_QIDO_STRING, S (study_uid), TRUE },
  { "00080020", FEN_QIDO_STRING, S (study_date), FALSE },
  { "00080030", FEN_QIDO_STRING, S (study_time), FALSE },
  { "00080050", FEN_QIDO_STRING, S (accession), FALSE },
  { "00081030", FEN_QIDO_STRING, S (study_description), FALSE },
  { "00080061", FEN_QIDO_STRING, S (modalities), FALSE },
  { "00201206", FEN_QIDO_INT, S (n_study_series), FALSE },
  { "00201208", FEN_QIDO_INT, S (n_study_instances), FALSE },
  { "0020000E", FEN_QIDO_STRING, S (series_uid), TRUE },
  { "00080060", FEN_QIDO_STRING, S (modality), FALSE },
  { "0008103E", FEN_QIDO_STRING, S (series_description), FALSE },
  { "00200011", FEN_QIDO_INT, S (series_number), FALSE },
  { "00201209", FEN_QIDO_INT, S (n_series_instances), FALSE },
  { "00080016", FEN_QIDO_STRING, S (sop_class_uid), TRUE },
  { "00080018", FEN_QIDO_STRING, S (sop_instance_uid), TRUE },
  { "00200013", FEN_QIDO_INT, S (instance_number), FALSE },
};
#undef S

static gboolean
fen_qido_fail (GError **error, const char *tag, const char *why)
{
  if (tag != NULL)
    g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
                 "the archive's search answer is malformed: attribute %s %s", tag, why);
  else
    g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
                 "the archive's search answer is malformed: %s", why);
  return FALSE;
}

/* json-glib parses recursively: refuse deep nesting before it sees it. */
static gboolean
fen_qido_depth_ok (const char *data, gsize length)
{
  gboolean in_string = FALSE, escaped = FALSE;
  guint depth = 0;

  for (gsize i = 0; i < length; i++)
    {
      char c = data[i];

      if (in_string)
        {
          if (escaped)
            escaped = FALSE;
          else if (c == '\\')
            escaped = TRUE;
          else if (c == '"')
            in_string = FALSE;
        }
      else if (c == '"')
        in_string = TRUE;
      else if (c == '[' || c == '{')
        {
          if (++depth > FEN_QIDO_MAX_DEPTH)
            return FALSE;
        }
      else if ((c == ']' || c == '}') && depth > 0)
        depth--;
    }
  return TRUE;
}

static gboolean
fen_qido_text_ok (const char *s)
{
  if (strlen (s) > FEN_NET_MAX_STRING || !g_utf8_validate (s, -1, NULL))
    return FALSE;
  for (const char *p = s; *p; p++)
    if ((guchar) *p < 0x20 && *p != '\t')
      return FALSE;
  return TRUE;
}

static gboolean
fen_qido_read_value (JsonNode *item, FenQidoKind kind, GString *out, gint *number)
{
  const char *s = NULL;

  if (kind == FEN_QIDO_PN)
    {
      JsonObject *pn;

      /* PS3.18 F.2.2: a PN value is an object of component groups. */
      if (!JSON_NODE_HOLDS_OBJECT (item))
        return FALSE;
      pn = json_node_get_object (item);
      if (!json_object_has_member (pn, "Alphabetic"))
        return TRUE;
      item = json_object_get_member (pn, "Alphabetic");
    }
  if (!JSON_NODE_HOLDS_VALUE (item))
    return JSON_NODE_HOLDS_NULL (item);
  if (kind == FEN_QIDO_INT)
    {
      gint64 v;
      char *end = NULL;

      /* PS3.18 F.2.3: IS is a JSON number; some archives send a string. */
      if (json_node_get_value_type (item) == G_TYPE_INT64)
        v = json_node_get_int (item);
      else if (json_node_get_value_type (item) == G_TYPE_STRING)
        {
          s = json_node_get_string (item);
          v = g_ascii_strtoll (s, &end, 10);
          if (end == s || *end != '\0')
            return FALSE;
        }
      else
        return FALSE;
      if (v < 0 || v > G_MAXINT)
        return FALSE;
      *number = (gint) v;
      return TRUE;
    }
  if (json_node_get_value_type (item) != G_TYPE_STRING)
    return FALSE;
  s = json_node_get_string (item);
  if (!fen_qido_text_ok (s) || out->len + strlen (s) > FEN_NET_MAX_STRING)
    return FALSE;
  if (out->len > 0)
    g_string_append_c (out, '\\');
  g_string_append (out, s);
  return TRUE;
}

static gboolean
fen_qido_read_field (JsonObject *dataset, const FenQidoField *f, FenPacsMatch *m, GError **error)
{
  JsonNode *node = json_object_get_member (dataset, f->tag);
  JsonObject *attr;
  JsonArray *values;
  g_autoptr(GString) text = g_string_new (NULL);
  gint number = -1;
  guint n;

  if (node == NULL)
    return TRUE;
  if (!JSON_NODE_HOLDS_OBJECT (node))
    return fen_qido_fail (error, f->tag, "is not an object");
  attr = json_node_get_object (node);
  if (!json_object_has_member (attr, "Value"))
    return TRUE;                        /* present, empty: PS3.18 F.2.5 */
  if (!JSON_NODE_HOLDS_ARRAY (json_object_get_member (attr, "Value")))
    return fen_qido_fail (error, f->tag, "has a Value that is not an array");
  values = json_object_get_array_member (attr, "Value");
  n = json_array_get_length (values);
  if (n > 64 || (f->kind == FEN_QIDO_INT && n > 1))
    return fen_qido_fail (error, f->tag, "has too many values");
  for (guint i = 0; i < n; i++)
    if (!fen_qido_read_value (json_array_get_element (values, i), f->kind, text, &number))
      return fen_qido_fail (error, f->tag, "has a value of the wrong type, too long or with control characters");

  if (f->kind == FEN_QIDO_INT)
    G_STRUCT_MEMBER (gint, m, f->offset) = number;
  else if (text->len > 0)
    {
      if (f->is_uid && !fen_pacs_uid_is_valid (text->str))
        return fen_qido_fail (error, f->tag, "is not a valid UID");
      g_free (G_STRUCT_MEMBER (char *, m, f->offset));
      G_STRUCT_MEMBER (char *, m, f->offset) = g_strdup (text->str);
    }
  return TRUE;
}

gboolean
_fen_qido_parse (const char *data, gsize length, FenPacsLevel level, GPtrArray *matches,
                 GError **error)
{
  g_autoptr(JsonParser) parser = NULL;
  g_autoptr(GError) local = NULL;
  JsonNode *root;
  JsonArray *array;
  guint n;

  if (length > FEN_NET_MAX_QIDO_BYTES)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_TOO_LARGE,
                   "the archive's search answer is larger than %u MiB", FEN_NET_MAX_QIDO_BYTES >> 20);
      return FALSE;
    }
  /* PS3.18 8.3.4.4: no match may be an empty body (204) rather than []. */
  if (length == 0)
    return TRUE;
  if (!fen_qido_depth_ok (data, length))
    return fen_qido_fail (error, NULL, "it is nested too deeply");
  parser = json_parser_new_immutable ();
  if (!json_parser_load_from_data (parser, data, (gssize) length, &local))
    return fen_qido_fail (error, NULL, local->message);
  root = json_parser_get_root (parser);
  if (root == NULL || !JSON_NODE_HOLDS_ARRAY (root))
    return fen_qido_fail (error, NULL, "it is not a JSON array of data sets");
  array = json_node_get_array (root);
  n = json_array_get_length (array);
  if (n > FEN_NET_MAX_MATCHES || matches->len + n > FEN_NET_MAX_MATCHES)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_TOO_LARGE,
                   "the archive returned more than %u matches; narrow the search", FEN_NET_MAX_MATCHES);
      return FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      JsonNode *item = json_array_get_element (array, i);
      g_autoptr(FenPacsMatch) m = fen_pacs_match_new (level);

      if (!JSON_NODE_HOLDS_OBJECT (item))
        return fen_qido_fail (error, NULL, "an element of the array is not a data set");
      for (guint f = 0; f < G_N_ELEMENTS (fen_qido_fields); f++)
        if (!fen_qido_read_field (json_node_get_object (item), &fen_qido_fields[f], m, error))
          return FALSE;
      if (m->study_uid == NULL && level == FEN_PACS_LEVEL_STUDY)
        return fen_qido_fail (error, NULL, "a study has no Study Instance UID");
      if (m->series_uid == NULL && level == FEN_PACS_LEVEL_SERIES)
        return fen_qido_fail (error, NULL, "a series has no Series Instance UID");
      if (m->sop_instance_uid == NULL && level == FEN_PACS_LEVEL_INSTANCE)
        return fen_qido_fail (error, NULL, "an instance has no SOP Instance UID");
      g_ptr_array_add (matches, g_steal_pointer (&m));
    }
  return TRUE;
}
