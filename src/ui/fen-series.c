/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-series.c: FenSeries keeps the ids (never references) of the images of
 * one series, ordered along the slice normal, so closing an image in the
 * store frees it whatever the sidebar shows. */
#define G_LOG_DOMAIN "fen-series"

#include "fen-series.h"

#define FEN_THUMBNAIL_SIZE 64

typedef struct {
  guint    image_id;
  guint    n_frames;
  gboolean has_position;
  double   position;       /* along the normal, mm */
  gint     instance_number;
} FenSeriesEntry;

struct _FenSeries
{
  GObject     parent_instance;

  /* Owned */
  char       *key;
  char       *description;
  char       *modality;
  GArray     *entries;     /* FenSeriesEntry, in slice order */
  GdkTexture *thumbnail;

  gint        series_number;
};

G_DEFINE_FINAL_TYPE (FenSeries, fen_series, G_TYPE_OBJECT)

static void
fen_series_finalize (GObject *object)
{
  FenSeries *self = FEN_SERIES (object);

  g_clear_object (&self->thumbnail);
  g_clear_pointer (&self->entries, g_array_unref);
  g_free (self->key);
  g_free (self->description);
  g_free (self->modality);
  G_OBJECT_CLASS (fen_series_parent_class)->finalize (object);
}

static void
fen_series_class_init (FenSeriesClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fen_series_finalize;
}

static void
fen_series_init (FenSeries *self)
{
  self->entries = g_array_new (FALSE, FALSE, sizeof (FenSeriesEntry));
}

char *
fen_series_key_for_image (FenImage *image)
{
  const FenImageInfo *info = fen_image_get_info (image);

  if (info->series_uid != NULL && *info->series_uid != '\0')
    return g_strdup_printf ("uid:%s", info->series_uid);
  return g_strdup_printf ("img:%u", fen_image_get_id (image));
}

FenSeries *
fen_series_new (const char *key)
{
  FenSeries *self = g_object_new (FEN_TYPE_SERIES, NULL);

  self->key = g_strdup (key);
  return self;
}

const char *
fen_series_get_key (FenSeries *self)
{
  return self->key;
}

static int
fen_series_compare (const FenSeriesEntry *a, const FenSeriesEntry *b)
{
  if (a->has_position && b->has_position && a->position != b->position)
    return a->position < b->position ? -1 : 1;
  if (a->instance_number != b->instance_number)
    return a->instance_number < b->instance_number ? -1 : 1;
  return a->image_id < b->image_id ? -1 : a->image_id > b->image_id;
}

void
fen_series_add_image (FenSeries *self, FenImage *image)
{
  const FenImageInfo *info = fen_image_get_info (image);
  FenSeriesEntry e = { 0 };
  guint i;

  e.image_id = fen_image_get_id (image);
  e.n_frames = MAX (1u, fen_image_get_n_frames (image));
  e.instance_number = info->instance_number;
  if (info->has_position && info->has_orientation)
    {
      /* PS3.3 C.7.6.2.1.1: Image Orientation (Patient) holds the row and
       * column direction cosines; their cross product is the slice normal,
       * and Image Position (Patient) projected on it orders the slices. */
      const double *r = info->image_orientation, *c = info->image_orientation + 3;
      const double *p = info->image_position;
      double n[3] = { r[1] * c[2] - r[2] * c[1], r[2] * c[0] - r[0] * c[2], r[0] * c[1] - r[1] * c[0] };

      e.has_position = TRUE;
      e.position = n[0] * p[0] + n[1] * p[1] + n[2] * p[2];
    }

  for (i = 0; i < self->entries->len; i++)
    if (fen_series_compare (&e, &g_array_index (self->entries, FenSeriesEntry, i)) < 0)
      break;
  g_array_insert_val (self->entries, i, e);

  if (self->modality == NULL)
    {
      self->modality = g_strdup (info->modality ? info->modality : info->format);
      self->description = g_strdup (info->series_description && *info->series_description
                                    ? info->series_description : NULL);
      self->series_number = info->series_number;
    }
}

gboolean
fen_series_remove_image (FenSeries *self, guint image_id)
{
  for (guint i = 0; i < self->entries->len; i++)
    if (g_array_index (self->entries, FenSeriesEntry, i).image_id == image_id)
      {
        g_array_remove_index (self->entries, i);
        return TRUE;
      }
  return FALSE;
}

guint
fen_series_get_n_images (FenSeries *self)
{
  return self->entries->len;
}

guint
fen_series_get_image_id (FenSeries *self, guint index)
{
  g_return_val_if_fail (index < self->entries->len, 0);
  return g_array_index (self->entries, FenSeriesEntry, index).image_id;
}

guint
fen_series_get_n_slices (FenSeries *self)
{
  guint n = 0;

  for (guint i = 0; i < self->entries->len; i++)
    n += g_array_index (self->entries, FenSeriesEntry, i).n_frames;
  return n;
}

gboolean
fen_series_get_slice (FenSeries *self, guint slice, guint *image_id, guint *frame)
{
  for (guint i = 0; i < self->entries->len; i++)
    {
      const FenSeriesEntry *e = &g_array_index (self->entries, FenSeriesEntry, i);

      if (slice < e->n_frames)
        {
          *image_id = e->image_id;
          *frame = slice;
          return TRUE;
        }
      slice -= e->n_frames;
    }
  return FALSE;
}

int
fen_series_find_slice (FenSeries *self, guint image_id, guint frame)
{
  guint slice = 0;

  for (guint i = 0; i < self->entries->len; i++)
    {
      const FenSeriesEntry *e = &g_array_index (self->entries, FenSeriesEntry, i);

      if (e->image_id == image_id)
        return (int) (slice + MIN (frame, e->n_frames - 1));
      slice += e->n_frames;
    }
  return -1;
}

char *
fen_series_get_title (FenSeries *self)
{
  guint n = self->entries->len;
  guint slices = fen_series_get_n_slices (self);
  g_autofree char *count = slices > n ? g_strdup_printf ("%u images, %u frames", n, slices)
                                      : g_strdup_printf (n == 1 ? "%u image" : "%u images", n);

  if (self->description != NULL)
    return g_strdup_printf ("%s\n%s · %s", self->description, self->modality ? self->modality : "?", count);
  if (self->series_number > 0)
    return g_strdup_printf ("Series %d\n%s · %s", self->series_number, self->modality ? self->modality : "?", count);
  return g_strdup_printf ("%s\n%s", self->modality ? self->modality : "?", count);
}

const char *
fen_series_get_modality (FenSeries *self)
{
  return self->modality;
}

void
fen_series_render_thumbnail (FenSeries *self, FenImage *image, FenRenderer *renderer, FenLut *lut)
{
  guint w = fen_image_get_width (image), h = fen_image_get_height (image);
  double scale = (double) FEN_THUMBNAIL_SIZE / MAX (w, h);
  guint tw = MAX (1u, (guint) (w * scale)), th = MAX (1u, (guint) (h * scale));
  gsize stride = (gsize) tw * 4;
  guint8 *pixels = g_malloc (stride * th);
  g_autoptr(GBytes) bytes = NULL;
  FenWindowParams window;
  FenRect rect = { 0, 0, w, h };
  FenSampling sampling;

  /* The thumbnail is the first frame, with that frame's own values. */
  fen_window_default (image, 0, &window);
  fen_lut_build (lut, image, 0, &window);
  fen_sampling_from_rect (&sampling, &rect, tw, th);
  fen_renderer_render (renderer, image, 0, lut, &sampling, tw, th, FEN_PIXEL_BGRA8, pixels, stride);
  bytes = g_bytes_new_take (pixels, stride * th);
  g_clear_object (&self->thumbnail);
  self->thumbnail = gdk_memory_texture_new ((int) tw, (int) th, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED, bytes, stride);
}

GdkTexture *
fen_series_get_thumbnail (FenSeries *self)
{
  return self->thumbnail;
}
