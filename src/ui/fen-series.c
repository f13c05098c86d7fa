/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-series.c: FenSeries, the sidebar's GObject over the core's series
 * model (FenSeriesOrder): the ids (never references) of the images of one
 * series in series order, so closing an image in the store frees it
 * whatever the sidebar shows, plus what the sidebar shows of it. */
#define G_LOG_DOMAIN "fen-series"

#include "fen-series.h"

#define FEN_THUMBNAIL_SIZE 64

struct _FenSeries
{
  GObject         parent_instance;

  /* Owned */
  char           *key;
  char           *description;
  char           *modality;
  FenSeriesOrder *order;       /* image ids, in series order */
  GdkTexture     *thumbnail;

  gint            series_number;
};

G_DEFINE_FINAL_TYPE (FenSeries, fen_series, G_TYPE_OBJECT)

static void
fen_series_finalize (GObject *object)
{
  FenSeries *self = FEN_SERIES (object);

  g_clear_object (&self->thumbnail);
  g_clear_pointer (&self->order, fen_series_order_free);
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
  self->order = fen_series_order_new ();
}

char *
fen_series_key_for_image (FenImage *image)
{
  g_autofree char *id = g_strdup_printf ("img-%u", fen_image_get_id (image));

  return fen_series_key (fen_image_get_info (image)->series_uid, id);
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

void
fen_series_add_image (FenSeries *self, FenImage *image)
{
  const FenImageInfo *info = fen_image_get_info (image);
  FenSeriesMember member;

  /* The order is the core's (fen-series-order.c), the one the study index
   * and fenestra-cli use. */
  fen_series_member_init (&member, info, fen_image_get_id (image), fen_image_get_path (image));
  member.n_frames = MAX (1u, fen_image_get_n_frames (image));
  fen_series_order_add (self->order, &member);

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
  return fen_series_order_remove (self->order, image_id);
}

guint
fen_series_get_n_images (FenSeries *self)
{
  return fen_series_order_get_n_members (self->order);
}

guint
fen_series_get_image_id (FenSeries *self, guint index)
{
  return fen_series_order_get_id (self->order, index);
}

guint
fen_series_get_n_slices (FenSeries *self)
{
  return fen_series_order_get_n_slices (self->order);
}

gboolean
fen_series_get_slice (FenSeries *self, guint slice, guint *image_id, guint *frame)
{
  return fen_series_order_get_slice (self->order, slice, image_id, frame);
}

int
fen_series_find_slice (FenSeries *self, guint image_id, guint frame)
{
  return fen_series_order_find_slice (self->order, image_id, frame);
}

char *
fen_series_get_title (FenSeries *self)
{
  guint n = fen_series_get_n_images (self);
  guint slices = fen_series_get_n_slices (self);
  g_autofree char *count = slices > n ? g_strdup_printf (n == 1 ? "%u image, %u frames" : "%u images, %u frames",
                                                         n, slices)
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
