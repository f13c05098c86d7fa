/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-item.c: FenPacsItem, a FenPacsMatch with properties for the
 * study browser's columns (GtkPropertyExpression sorts on them). The match
 * may hold patient data: it is shown, never logged. */
#define G_LOG_DOMAIN "fen-pacs-browser"

#include "fen-pacs-item.h"

#include <string.h>

struct _FenPacsItem
{
  GObject       parent_instance;

  /* Owned */
  FenPacsMatch *match;
  char         *patient;        /* formatted for reading */
  char         *date;
  GdkTexture   *thumbnail;
  gint          n_local;
};

enum {
  PROP_0,
  PROP_PATIENT,
  PROP_PATIENT_ID,
  PROP_DATE,
  PROP_MODALITY,
  PROP_DESCRIPTION,
  PROP_ACCESSION,
  PROP_N_SERIES,
  PROP_N_IMAGES,
  PROP_SERIES_NUMBER,
  PROP_THUMBNAIL,
  PROP_N_LOCAL,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

G_DEFINE_FINAL_TYPE (FenPacsItem, fen_pacs_item, G_TYPE_OBJECT)

char *
fen_pacs_item_format_name (const char *pn)
{
  g_auto(GStrv) groups = NULL;
  g_auto(GStrv) parts = NULL;
  g_autoptr(GString) out = g_string_new (NULL);

  if (pn == NULL)
    return g_strdup ("");
  /* PS3.5 6.2.1.2: alphabetic, ideographic and phonetic groups split by
   * '='; the first is the one every archive fills. */
  groups = g_strsplit (pn, "=", 2);
  parts = g_strsplit (groups[0] != NULL ? groups[0] : "", "^", 5);
  for (guint i = 0; parts[i] != NULL; i++)
    {
      g_strstrip (parts[i]);
      if (*parts[i] == '\0')
        continue;
      if (out->len > 0)
        g_string_append (out, i == 1 ? ", " : " ");
      g_string_append (out, parts[i]);
    }
  return g_string_free (g_steal_pointer (&out), FALSE);
}

char *
fen_pacs_item_format_date (const char *da)
{
  if (da == NULL)
    return g_strdup ("");
  if (strlen (da) == 8 && strspn (da, "0123456789") == 8)
    return g_strdup_printf ("%.4s-%.2s-%.2s", da, da + 4, da + 6);
  return g_strdup (da);
}

static const char *
fen_pacs_item_or_empty (const char *s)
{
  return s != NULL ? s : "";
}

static void
fen_pacs_item_get_property (GObject *object, guint prop_id, GValue *value, GParamSpec *pspec)
{
  FenPacsItem *self = FEN_PACS_ITEM (object);
  const FenPacsMatch *m = self->match;
  gboolean study = m->level == FEN_PACS_LEVEL_STUDY;

  switch (prop_id)
    {
    case PROP_PATIENT:
      g_value_set_string (value, self->patient);
      break;
    case PROP_PATIENT_ID:
      g_value_set_string (value, fen_pacs_item_or_empty (m->patient_id));
      break;
    case PROP_DATE:
      g_value_set_string (value, self->date);
      break;
    case PROP_MODALITY:
      /* Modalities in Study are backslash-separated (PS3.5 6.4 VM > 1). */
      if (study)
        {
          g_autofree char *text = g_strdup (fen_pacs_item_or_empty (m->modalities));

          g_strdelimit (text, "\\", ' ');
          g_value_set_string (value, text);
        }
      else
        g_value_set_string (value, fen_pacs_item_or_empty (m->modality));
      break;
    case PROP_DESCRIPTION:
      g_value_set_string (value, fen_pacs_item_or_empty (study ? m->study_description : m->series_description));
      break;
    case PROP_ACCESSION:
      g_value_set_string (value, fen_pacs_item_or_empty (m->accession));
      break;
    case PROP_N_SERIES:
      g_value_set_int (value, m->n_study_series);
      break;
    case PROP_N_IMAGES:
      g_value_set_int (value, study ? m->n_study_instances : m->n_series_instances);
      break;
    case PROP_SERIES_NUMBER:
      g_value_set_int (value, m->series_number);
      break;
    case PROP_THUMBNAIL:
      g_value_set_object (value, self->thumbnail);
      break;
    case PROP_N_LOCAL:
      g_value_set_int (value, self->n_local);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
fen_pacs_item_finalize (GObject *object)
{
  FenPacsItem *self = FEN_PACS_ITEM (object);

  g_clear_pointer (&self->match, fen_pacs_match_free);
  g_clear_object (&self->thumbnail);
  g_free (self->patient);
  g_free (self->date);
  G_OBJECT_CLASS (fen_pacs_item_parent_class)->finalize (object);
}

static void
fen_pacs_item_class_init (FenPacsItemClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GParamFlags ro = G_PARAM_READABLE | G_PARAM_STATIC_STRINGS;

  object_class->get_property = fen_pacs_item_get_property;
  object_class->finalize = fen_pacs_item_finalize;
  properties[PROP_PATIENT] = g_param_spec_string ("patient", NULL, NULL, NULL, ro);
  properties[PROP_PATIENT_ID] = g_param_spec_string ("patient-id", NULL, NULL, NULL, ro);
  properties[PROP_DATE] = g_param_spec_string ("date", NULL, NULL, NULL, ro);
  properties[PROP_MODALITY] = g_param_spec_string ("modality", NULL, NULL, NULL, ro);
  properties[PROP_DESCRIPTION] = g_param_spec_string ("description", NULL, NULL, NULL, ro);
  properties[PROP_ACCESSION] = g_param_spec_string ("accession", NULL, NULL, NULL, ro);
  properties[PROP_N_SERIES] = g_param_spec_int ("n-series", NULL, NULL, -1, G_MAXINT, -1, ro);
  properties[PROP_N_IMAGES] = g_param_spec_int ("n-images", NULL, NULL, -1, G_MAXINT, -1, ro);
  properties[PROP_SERIES_NUMBER] = g_param_spec_int ("series-number", NULL, NULL, -1, G_MAXINT, -1, ro);
  properties[PROP_THUMBNAIL] = g_param_spec_object ("thumbnail", NULL, NULL, GDK_TYPE_TEXTURE,
                                                    ro | G_PARAM_EXPLICIT_NOTIFY);
  properties[PROP_N_LOCAL] = g_param_spec_int ("n-local", NULL, NULL, 0, G_MAXINT, 0, ro | G_PARAM_EXPLICIT_NOTIFY);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
fen_pacs_item_init (FenPacsItem *self)
{
}

FenPacsItem *
fen_pacs_item_new (FenPacsMatch *match)
{
  FenPacsItem *self;

  g_return_val_if_fail (match != NULL, NULL);
  self = g_object_new (FEN_TYPE_PACS_ITEM, NULL);
  self->match = match;
  self->patient = fen_pacs_item_format_name (match->patient_name);
  self->date = fen_pacs_item_format_date (match->study_date);
  return self;
}

const FenPacsMatch *
fen_pacs_item_get_match (FenPacsItem *self)
{
  g_return_val_if_fail (FEN_IS_PACS_ITEM (self), NULL);
  return self->match;
}

GdkTexture *
fen_pacs_item_get_thumbnail (FenPacsItem *self)
{
  g_return_val_if_fail (FEN_IS_PACS_ITEM (self), NULL);
  return self->thumbnail;
}

void
fen_pacs_item_set_thumbnail (FenPacsItem *self, GdkTexture *thumbnail)
{
  g_return_if_fail (FEN_IS_PACS_ITEM (self));
  if (g_set_object (&self->thumbnail, thumbnail))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_THUMBNAIL]);
}

void
fen_pacs_item_set_n_local (FenPacsItem *self, gint n_local)
{
  g_return_if_fail (FEN_IS_PACS_ITEM (self));
  if (self->n_local == n_local)
    return;
  self->n_local = n_local;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_N_LOCAL]);
}

gint
fen_pacs_item_get_n_local (FenPacsItem *self)
{
  g_return_val_if_fail (FEN_IS_PACS_ITEM (self), 0);
  return self->n_local;
}
