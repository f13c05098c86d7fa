/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-volume.c: builds a FenVolume from loaded images: checks that the
 * slices make one stack, orders them along the normal, and keeps what the
 * reformat loops need (each slice's pixels, distance and in-plane offset,
 * a table that finds the slices around a distance in O(1)). The images are
 * referenced and pinned, never copied. */
#define G_LOG_DOMAIN "fen-volume"

#include "fen-volume-private.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Row and column directions must agree within this cosine (0.5 degree). */
#define FEN_VOLUME_PARALLEL_COS 0.99996
/* Consecutive slices further apart than this x the median are a gap. */
#define FEN_VOLUME_GAP_FACTOR 1.5

G_DEFINE_QUARK (fen-volume-error-quark, fen_volume_error)

static int
fen_volume_compare_slices (const void *a, const void *b)
{
  const FenVolumeSlice *sa = a, *sb = b;

  return sa->distance < sb->distance ? -1 : sa->distance > sb->distance;
}

static int
fen_volume_compare_doubles (const void *a, const void *b)
{
  double da = *(const double *) a, db = *(const double *) b;

  return da < db ? -1 : da > db;
}

static gboolean
fen_volume_check_image (const FenImage     *first,
                        const FenImage     *image,
                        const FenPlaneGeometry *ref,
                        const FenPlaneGeometry *g,
                        guint               index,
                        GError            **error)
{
  const FenImageInfo *a = fen_image_get_info (first), *b = fen_image_get_info (image);

  if (fen_image_is_color (image) || b->samples_per_pixel != 1)
    {
      g_set_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_MIXED,
                   "slice %u (%s) is colour: only monochrome stacks are reformatted",
                   index, fen_image_get_log_name (image));
      return FALSE;
    }
  if (b->bits_allocated > 16)
    {
      g_set_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_MIXED,
                   "slice %u (%s) has %u-bit samples: only 8 and 16 bits are reformatted",
                   index, fen_image_get_log_name (image), b->bits_allocated);
      return FALSE;
    }
  if (a->rows != b->rows || a->columns != b->columns)
    {
      g_set_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_MIXED,
                   "mixed stack: slice %u (%s) is %u x %u, the first %u x %u",
                   index, fen_image_get_log_name (image), b->columns, b->rows, a->columns, a->rows);
      return FALSE;
    }
  if (a->bits_allocated != b->bits_allocated || a->bits_stored != b->bits_stored ||
      a->pixel_representation != b->pixel_representation)
    {
      g_set_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_MIXED,
                   "mixed stack: slice %u (%s) holds %u/%u-bit %s samples, the first %u/%u-bit %s",
                   index, fen_image_get_log_name (image), b->bits_stored, b->bits_allocated,
                   b->pixel_representation ? "signed" : "unsigned", a->bits_stored,
                   a->bits_allocated, a->pixel_representation ? "signed" : "unsigned");
      return FALSE;
    }
  if (fen_vec3_dot (ref->row_dir, g->row_dir) < FEN_VOLUME_PARALLEL_COS ||
      fen_vec3_dot (ref->col_dir, g->col_dir) < FEN_VOLUME_PARALLEL_COS)
    {
      g_set_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_MIXED,
                   "mixed stack: slice %u (%s) is not parallel to the first "
                   "(Image Orientation (Patient) differs by more than 0.5 degree)",
                   index, fen_image_get_log_name (image));
      return FALSE;
    }
  if (fabs (ref->spacing[0] - g->spacing[0]) > 1e-4 * ref->spacing[0] ||
      fabs (ref->spacing[1] - g->spacing[1]) > 1e-4 * ref->spacing[1])
    {
      g_set_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_MIXED,
                   "mixed stack: slice %u (%s) has Pixel Spacing %g\\%g, the first %g\\%g",
                   index, fen_image_get_log_name (image), g->spacing[0], g->spacing[1],
                   ref->spacing[0], ref->spacing[1]);
      return FALSE;
    }
  return TRUE;
}

/* Finds gaps and the median spacing, and the table that maps a distance to
 * the last slice at or below it (bins no wider than the smallest spacing,
 * at most 8 per slice; _fen_volume_below() walks the rest). */
static void
fen_volume_index (FenVolume *v)
{
  guint n = v->n_slices;
  double lo = v->distances[0], hi = v->distances[n - 1], min_step = G_MAXDOUBLE;

  v->gaps = g_array_new (FALSE, FALSE, sizeof (FenVolumeGap));
  if (n > 1)
    {
      g_autofree double *steps = g_new (double, n - 1);

      for (guint k = 0; k + 1 < n; k++)
        {
          steps[k] = v->distances[k + 1] - v->distances[k];
          min_step = MIN (min_step, steps[k]);
        }
      qsort (steps, n - 1, sizeof (double), fen_volume_compare_doubles);
      v->slice_spacing = steps[(n - 1) / 2];
      for (guint k = 0; k + 1 < n; k++)
        {
          double step = v->distances[k + 1] - v->distances[k];

          if (step > FEN_VOLUME_GAP_FACTOR * v->slice_spacing)
            {
              FenVolumeGap gap = { k, step };
              g_array_append_val (v->gaps, gap);
            }
        }
    }
  /* Half a slice past either end is still that slice, as half a pixel past
   * a row's end is still its last pixel. A lone slice has no spacing: half
   * a millimetre, or half its thickness. */
  if (n > 1)
    v->edge = v->slice_spacing / 2;
  else
    v->edge = MAX (fen_image_get_info (v->slices[0].image)->slice_thickness, 1.0) / 2;

  v->bin_origin = lo;
  v->n_bins = n > 1 ? (guint) MIN ((hi - lo) / min_step + 1, 8.0 * n) : 1;
  v->n_bins = MAX (v->n_bins, 1u);
  v->bin_scale = n > 1 && hi > lo ? v->n_bins / (hi - lo) : 0;
  v->bins = g_new (guint, v->n_bins);
  for (guint b = 0, k = 0; b < v->n_bins; b++)
    {
      double start = lo + b / MAX (v->bin_scale, 1e-300);

      while (k + 1 < n && v->distances[k + 1] <= start)
        k++;
      v->bins[b] = v->bin_scale > 0 ? k : 0;
    }
}

FenVolume *
fen_volume_new (FenStore        *store,
                FenImage *const *images,
                guint            n_images,
                GError         **error)
{
  g_autoptr(FenVolume) v = NULL;
  FenPlaneGeometry ref;
  guint n = 0;

  g_return_val_if_fail (images != NULL || n_images == 0, NULL);

  for (guint i = 0; i < n_images; i++)
    n += fen_image_get_n_frames (images[i]);
  if (n == 0)
    {
      g_set_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_EMPTY, "no slice to make a volume of");
      return NULL;
    }

  v = g_new0 (FenVolume, 1);
  v->ref_count = 1;
  v->images = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_image_unref);
  v->slices = g_new0 (FenVolumeSlice, n);
  v->distances = g_new (double, n);

  for (guint i = 0, s = 0; i < n_images; i++)
    {
      FenImage *image = images[i];
      const FenImageInfo *info = fen_image_get_info (image);
      g_autoptr(GError) local = NULL;

      if (!fen_image_has_pixels (image))
        {
          g_set_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_EVICTED,
                       "the pixels of %s are evicted: restore them before reformatting",
                       fen_image_get_log_name (image));
          return NULL;
        }
      g_ptr_array_add (v->images, fen_image_ref (image));
      for (guint f = 0; f < info->frames; f++, s++)
        {
          FenVolumeSlice *slice = &v->slices[s];
          FenPlaneGeometry g;

          if (!fen_plane_geometry_from_info (&g, info, f, &local))
            {
              g_set_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_GEOMETRY,
                           "slice %u (%s frame %u): %s", s, fen_image_get_log_name (image),
                           f + 1, local->message);
              return NULL;
            }
          if (s == 0)
            ref = g;
          if (!fen_volume_check_image (images[0], image, &ref, &g, s, error))
            return NULL;
          slice->image = image;
          slice->frame = f;
          slice->pixels = fen_image_get_frame (image, f);
          memcpy (slice->position, g.position, sizeof slice->position);
        }
    }

  {
    const FenImageInfo *info = fen_image_get_info (images[0]);

    v->n_slices = n;
    v->width = info->columns;
    v->height = info->rows;
    if (info->bits_allocated == 16)
      v->type = info->pixel_representation ? FEN_VOLUME_S16 : FEN_VOLUME_U16;
    else
      v->type = info->pixel_representation ? FEN_VOLUME_S8 : FEN_VOLUME_U8;
    memcpy (v->row_dir, ref.row_dir, sizeof v->row_dir);
    memcpy (v->col_dir, ref.col_dir, sizeof v->col_dir);
    memcpy (v->normal, ref.normal, sizeof v->normal);
    memcpy (v->spacing, ref.spacing, sizeof v->spacing);
    fen_image_get_frame_rescale (images[0], 0, &v->slope, &v->intercept);
  }

  for (guint s = 0; s < n; s++)
    {
      FenVolumeSlice *slice = &v->slices[s];
      double slope, intercept;

      /* One rescale for the stack: the window table maps stored values,
       * and stored values are what the slabs and interpolation combine. */
      fen_image_get_frame_rescale (slice->image, slice->frame, &slope, &intercept);
      if (slope != v->slope || intercept != v->intercept)
        {
          g_set_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_MIXED,
                       "mixed stack: slice %u (%s) has rescale %g/%g, the first %g/%g",
                       s, fen_image_get_log_name (slice->image), slope, intercept,
                       v->slope, v->intercept);
          return NULL;
        }
      /* PS3.3 C.7.6.2.1.1: the slice's own position projected on the
       * normal orders it; on the row and column directions, it gives the
       * in-plane offset that tilt or drift moves it by. */
      slice->distance = fen_vec3_dot (v->normal, slice->position);
      slice->u0 = fen_vec3_dot (v->row_dir, slice->position) / v->spacing[1];
      slice->v0 = fen_vec3_dot (v->col_dir, slice->position) / v->spacing[0];
      v->bytes += fen_image_get_frame_bytes (slice->image);
    }
  qsort (v->slices, n, sizeof (FenVolumeSlice), fen_volume_compare_slices);
  for (guint s = 0; s < n; s++)
    {
      v->distances[s] = v->slices[s].distance;
      if (s > 0 && v->distances[s] - v->distances[s - 1] < 1e-3)
        {
          g_set_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_MIXED,
                       "two slices (%s and %s) lie at one position, %.3f mm along the normal",
                       fen_image_get_log_name (v->slices[s - 1].image),
                       fen_image_get_log_name (v->slices[s].image), v->distances[s]);
          return NULL;
        }
    }
  fen_volume_index (v);

  /* Pinned last: a refused volume pins nothing. */
  if (store != NULL)
    {
      v->store = fen_store_ref (store);
      for (guint i = 0; i < v->images->len; i++)
        fen_store_pin (store, fen_image_get_id (v->images->pdata[i]), TRUE);
    }
  return g_steal_pointer (&v);
}

FenVolume *
fen_volume_ref (FenVolume *volume)
{
  g_atomic_int_inc (&volume->ref_count);
  return volume;
}

void
fen_volume_unref (FenVolume *volume)
{
  if (volume == NULL || !g_atomic_int_dec_and_test (&volume->ref_count))
    return;
  if (volume->store != NULL)
    {
      for (guint i = 0; i < volume->images->len; i++)
        fen_store_pin (volume->store, fen_image_get_id (volume->images->pdata[i]), FALSE);
      fen_store_unref (volume->store);
    }
  g_ptr_array_unref (volume->images);
  g_free (volume->slices);
  g_free (volume->distances);
  g_free (volume->bins);
  if (volume->gaps != NULL)
    g_array_unref (volume->gaps);
  g_free (volume);
}

gboolean
fen_volume_check_budget (FenMemoryMonitor *monitor, gsize bytes, GError **error)
{
  gint64 budget = fen_memory_monitor_get_budget (monitor);
  char need[32], have[32];

  if (fen_memory_monitor_state_for (monitor, (gint64) MIN (bytes, (gsize) G_MAXINT64)) != FEN_MEMORY_CRITICAL)
    return TRUE;
  g_set_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_BUDGET,
               "the series needs %s held at once, past the critical level of the %s memory budget",
               fen_memory_format_size ((gint64) bytes, need, sizeof need),
               fen_memory_format_size (budget, have, sizeof have));
  return FALSE;
}

guint
fen_volume_get_width (const FenVolume *volume)
{
  return volume->width;
}

guint
fen_volume_get_height (const FenVolume *volume)
{
  return volume->height;
}

guint
fen_volume_get_n_slices (const FenVolume *volume)
{
  return volume->n_slices;
}

gsize
fen_volume_get_bytes (const FenVolume *volume)
{
  return volume->bytes;
}

void
fen_volume_get_slice_geometry (const FenVolume *volume, guint index, FenPlaneGeometry *out)
{
  g_return_if_fail (index < volume->n_slices);
  memset (out, 0, sizeof *out);
  memcpy (out->position, volume->slices[index].position, sizeof out->position);
  memcpy (out->row_dir, volume->row_dir, sizeof out->row_dir);
  memcpy (out->col_dir, volume->col_dir, sizeof out->col_dir);
  memcpy (out->normal, volume->normal, sizeof out->normal);
  memcpy (out->spacing, volume->spacing, sizeof out->spacing);
}

double
fen_volume_get_slice_distance (const FenVolume *volume, guint index)
{
  g_return_val_if_fail (index < volume->n_slices, 0);
  return volume->distances[index];
}

FenImage *
fen_volume_get_slice_image (const FenVolume *volume, guint index, guint *frame)
{
  g_return_val_if_fail (index < volume->n_slices, NULL);
  if (frame != NULL)
    *frame = volume->slices[index].frame;
  return volume->slices[index].image;
}

double
fen_volume_get_slice_spacing (const FenVolume *volume)
{
  return volume->slice_spacing;
}

const FenVolumeGap *
fen_volume_get_gaps (const FenVolume *volume, guint *n_gaps)
{
  *n_gaps = volume->gaps->len;
  return (const FenVolumeGap *) (gpointer) volume->gaps->data;
}

double
fen_volume_get_spacing_along (const FenVolume *volume, const double dir[3])
{
  double slice = volume->slice_spacing > 0 ? volume->slice_spacing : 2 * volume->edge;
  double a = fen_vec3_dot (dir, volume->row_dir) / volume->spacing[1];
  double b = fen_vec3_dot (dir, volume->col_dir) / volume->spacing[0];
  double c = fen_vec3_dot (dir, volume->normal) / slice;
  double len = sqrt (a * a + b * b + c * c);

  /* Along an axis this is that axis' spacing; obliquely, the step that
   * advances one voxel in the voxel-index metric. */
  return len > 0 ? 1.0 / len : 0;
}

FenVolumeAxis
fen_volume_axis_for_patient (const FenVolume *volume, guint patient_axis)
{
  double n = fabs (volume->normal[patient_axis]);
  double r = fabs (volume->col_dir[patient_axis]);  /* a row's plane has normal col_dir */
  double c = fabs (volume->row_dir[patient_axis]);  /* a column's plane has normal row_dir */

  g_return_val_if_fail (patient_axis < 3, FEN_VOLUME_AXIS_SLICE);
  if (n >= r && n >= c)
    return FEN_VOLUME_AXIS_SLICE;
  return r >= c ? FEN_VOLUME_AXIS_ROW : FEN_VOLUME_AXIS_COLUMN;
}
