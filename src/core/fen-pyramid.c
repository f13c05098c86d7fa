/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pyramid.c: box-filtered reductions of one frame, built on demand, so a
 * zoomed-out view neither aliases nor pays for the full image. Levels are
 * cache: the store holds the pyramids of what is on screen, counts their
 * levels apart from the images and sheds them first, from any thread. A
 * render takes a reference to the level it reads, so a shed on another
 * thread only drops the pyramid's own reference. */
#define G_LOG_DOMAIN "fen-pyramid"

#include "fenestra/fen-pyramid.h"

#include <math.h>

/* Levels stop once a side would drop below this: a screen never needs less. */
#define FEN_PYRAMID_MIN_SIDE 32
#define FEN_PYRAMID_MAX_LEVELS 16

struct _FenPyramid
{
  gatomicrefcount ref_count;
  /* Guards levels, in_use and last_used; held while a level is built, so
   * two renders never build the same level twice. */
  GMutex    lock;

  /* Owned */
  FenImage *base;                            /* a reference */
  FenImage *levels[FEN_PYRAMID_MAX_LEVELS];  /* [0] unused: the base */

  guint     frame;
  guint     n_possible;                      /* levels 1 .. n_possible - 1 can exist */
  guint     in_use;                          /* the level last handed out */
  gint64    last_used;                       /* monotonic time of that */
  gsize     bytes;                           /* of built levels; atomic reads */
};

FenPyramid *
fen_pyramid_new (FenImage *image, guint frame)
{
  FenPyramid *pyramid;
  guint w = fen_image_get_width (image), h = fen_image_get_height (image);

  g_return_val_if_fail (frame < fen_image_get_n_frames (image), NULL);
  pyramid = g_new0 (FenPyramid, 1);
  g_atomic_ref_count_init (&pyramid->ref_count);
  g_mutex_init (&pyramid->lock);
  pyramid->base = fen_image_ref (image);
  pyramid->last_used = g_get_monotonic_time ();
  pyramid->frame = frame;
  pyramid->n_possible = 1;
  while (pyramid->n_possible < FEN_PYRAMID_MAX_LEVELS &&
         (w >> pyramid->n_possible) >= FEN_PYRAMID_MIN_SIDE &&
         (h >> pyramid->n_possible) >= FEN_PYRAMID_MIN_SIDE)
    pyramid->n_possible++;
  return pyramid;
}

FenPyramid *
fen_pyramid_ref (FenPyramid *pyramid)
{
  g_return_val_if_fail (pyramid != NULL, NULL);
  g_atomic_ref_count_inc (&pyramid->ref_count);
  return pyramid;
}

void
fen_pyramid_unref (FenPyramid *pyramid)
{
  g_return_if_fail (pyramid != NULL);
  if (!g_atomic_ref_count_dec (&pyramid->ref_count))
    return;
  for (guint k = 1; k < FEN_PYRAMID_MAX_LEVELS; k++)
    g_clear_pointer (&pyramid->levels[k], fen_image_unref);
  fen_image_unref (pyramid->base);
  g_mutex_clear (&pyramid->lock);
  g_free (pyramid);
}

gsize
fen_pyramid_shed (FenPyramid *pyramid, gboolean keep_in_use)
{
  FenImage *dropped[FEN_PYRAMID_MAX_LEVELS] = { NULL };
  gsize freed = 0;

  g_return_val_if_fail (pyramid != NULL, 0);

  g_mutex_lock (&pyramid->lock);
  for (guint k = 1; k < FEN_PYRAMID_MAX_LEVELS; k++)
    if (pyramid->levels[k] != NULL && !(keep_in_use && k == pyramid->in_use))
      {
        freed += fen_image_get_pixel_bytes (pyramid->levels[k]);
        dropped[k] = g_steal_pointer (&pyramid->levels[k]);
      }
  __atomic_store_n (&pyramid->bytes, pyramid->bytes - freed, __ATOMIC_RELAXED);
  g_mutex_unlock (&pyramid->lock);

  /* Outside the lock: a level a render still holds lives on until it lets go. */
  for (guint k = 1; k < FEN_PYRAMID_MAX_LEVELS; k++)
    g_clear_pointer (&dropped[k], fen_image_unref);
  return freed;
}

FenImage *
fen_pyramid_get_base (FenPyramid *pyramid)
{
  return pyramid->base;
}

guint
fen_pyramid_get_frame (FenPyramid *pyramid)
{
  return pyramid->frame;
}

guint
fen_pyramid_get_n_levels (FenPyramid *pyramid)
{
  return pyramid->n_possible;
}

guint
fen_pyramid_level_for_zoom (FenPyramid *pyramid, double zoom)
{
  guint level = 0;

  if (!(zoom > 0))
    return 0;
  /* Level k is fine while it still has a pixel per output pixel: 2^k <= 1/zoom. */
  while (level + 1 < pyramid->n_possible && ldexp (1.0, (int) level + 1) * zoom <= 1.0)
    level++;
  return level;
}

/* Mean of 2 x 2 samples, rounded half away from zero, per type. */
#define FEN_PYRAMID_REDUCE(TYPE, SUM)                                            \
  do {                                                                           \
    const TYPE *s = src;                                                         \
    TYPE *d = dst;                                                               \
    for (guint y = 0; y < dh; y++)                                               \
      {                                                                          \
        const TYPE *r0 = s + (gsize) (2 * y) * sw * spp;                         \
        const TYPE *r1 = r0 + (gsize) sw * spp;                                  \
        TYPE *o = d + (gsize) y * dw * spp;                                      \
        for (guint x = 0; x < dw; x++)                                           \
          for (guint c = 0; c < spp; c++)                                        \
            {                                                                    \
              gsize i = (gsize) 2 * x * spp + c;                                 \
              SUM sum = (SUM) r0[i] + r0[i + spp] + r1[i] + r1[i + spp];         \
              o[(gsize) x * spp + c] = (TYPE) (sum >= 0 ? (sum + 2) / 4          \
                                                       : -((-sum + 2) / 4));     \
            }                                                                    \
      }                                                                          \
  } while (0)

static FenImage *
fen_pyramid_reduce (FenImage *above, guint frame)
{
  const FenImageInfo *ai = fen_image_get_info (above);
  FenImageInfo info = *ai;
  FenImage *level;
  const void *src = fen_image_get_frame (above, frame);
  void *dst;
  guint sw = ai->columns, dw = ai->columns / 2, dh = ai->rows / 2;
  guint spp = ai->samples_per_pixel;

  /* An evicted base has no pixels to reduce until it is restored. */
  if (src == NULL)
    return NULL;

  /* Geometry only: the copy in fen_image_new duplicates the strings. */
  info.rows = dh;
  info.columns = dw;
  info.frames = 1;
  info.pixel_spacing[0] = ai->pixel_spacing[0] * 2;
  info.pixel_spacing[1] = ai->pixel_spacing[1] * 2;
  level = fen_image_new (&info, 0, NULL);
  if (level == NULL)
    return NULL;
  dst = fen_image_get_pixels_mutable (level);

  switch (fen_image_get_bytes_per_sample (above) * 2 + ai->pixel_representation)
    {
    case 2: FEN_PYRAMID_REDUCE (guint8, gint32); break;
    case 3: FEN_PYRAMID_REDUCE (gint8, gint32); break;
    case 4: FEN_PYRAMID_REDUCE (guint16, gint32); break;
    case 5: FEN_PYRAMID_REDUCE (gint16, gint32); break;
    case 8: FEN_PYRAMID_REDUCE (guint32, gint64); break;
    default: FEN_PYRAMID_REDUCE (gint32, gint64); break;
    }
  return level;
}

/* Called with the lock held. Returns: (transfer none). */
static FenImage *
fen_pyramid_build_level (FenPyramid *pyramid, guint level)
{
  if (level == 0)
    return pyramid->base;
  if (pyramid->levels[level] == NULL)
    {
      FenImage *above = fen_pyramid_build_level (pyramid, level - 1);
      if (above == NULL)
        return NULL;
      /* Level 1 reduces the chosen frame of the base; deeper levels have one frame. */
      pyramid->levels[level] = fen_pyramid_reduce (above, level == 1 ? pyramid->frame : 0);
      if (pyramid->levels[level] != NULL)
        __atomic_store_n (&pyramid->bytes,
                          pyramid->bytes + fen_image_get_pixel_bytes (pyramid->levels[level]),
                          __ATOMIC_RELAXED);
    }
  return pyramid->levels[level];
}

FenImage *
fen_pyramid_ref_level (FenPyramid *pyramid, guint level)
{
  FenImage *image;

  g_return_val_if_fail (pyramid != NULL, NULL);
  g_return_val_if_fail (level < pyramid->n_possible, NULL);

  g_mutex_lock (&pyramid->lock);
  image = fen_pyramid_build_level (pyramid, level);
  if (image != NULL)
    {
      fen_image_ref (image);
      pyramid->in_use = level;
    }
  pyramid->last_used = g_get_monotonic_time ();
  g_mutex_unlock (&pyramid->lock);
  return image;
}

guint
fen_pyramid_get_level_in_use (FenPyramid *pyramid)
{
  guint level;

  g_return_val_if_fail (pyramid != NULL, 0);
  g_mutex_lock (&pyramid->lock);
  level = pyramid->in_use;
  g_mutex_unlock (&pyramid->lock);
  return level;
}

gint64
fen_pyramid_get_last_used (FenPyramid *pyramid)
{
  gint64 t;

  g_return_val_if_fail (pyramid != NULL, 0);
  g_mutex_lock (&pyramid->lock);
  t = pyramid->last_used;
  g_mutex_unlock (&pyramid->lock);
  return t;
}

void
fen_pyramid_scale_sampling (guint level, const FenSampling *base, FenSampling *out)
{
  double f = ldexp (1.0, -(int) level);

  out->origin_x = base->origin_x * f;
  out->origin_y = base->origin_y * f;
  out->col_dx = base->col_dx * f;
  out->col_dy = base->col_dy * f;
  out->row_dx = base->row_dx * f;
  out->row_dy = base->row_dy * f;
}

gsize
fen_pyramid_get_bytes (FenPyramid *pyramid)
{
  g_return_val_if_fail (pyramid != NULL, 0);
  /* Without the lock: the store adds these up while a level may be building. */
  return __atomic_load_n (&pyramid->bytes, __ATOMIC_RELAXED);
}
