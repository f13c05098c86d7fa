/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-image.c: a loaded image: copied metadata and the one pixel buffer every
 * view, measurement and render reads. Nothing else ever duplicates the buffer. */
#define G_LOG_DOMAIN "fen-image"

#include "fenestra/fen-image.h"

#include <math.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

/* Pixel buffers from this size up are mapped straight from the kernel, so
 * closing or evicting an image always gives its pages back. (glibc raises
 * its mmap threshold after such a block is freed, and later buffers would
 * then come from the heap, where a free may leave RSS where it was.) */
#define FEN_IMAGE_MMAP_THRESHOLD (256 * 1024)

struct _FenImage
{
  gatomicrefcount ref_count;
  guint           id;
  char            log_name[24];

  /* Owned */
  FenImageInfo    info;
  char           *path;
  guint8         *pixels;      /* the one buffer: all frames */
  gsize           pixel_bytes;
  gsize           frame_bytes;
  guint           bytes_per_sample;

  /* FenLoadOptions.release for the bytes its reserve hook granted, until
   * the store counts them (or the image goes without): called once. */
  void          (*release) (gsize bytes, gpointer user_data);
  gpointer        release_data;

  /* Lazily scanned value range, guarded by range_lock */
  GMutex          range_lock;
  gboolean        range_known;
  gint32          range_min;
  gint32          range_max;
  gint32          content_min;  /* the range without Pixel Padding values */
  gint32          content_max;
};

void
fen_image_info_init (FenImageInfo *info)
{
  memset (info, 0, sizeof *info);
  info->frames = 1;
  info->samples_per_pixel = 1;
  info->photometric = FEN_PHOTOMETRIC_MONOCHROME2;
  info->rescale_slope = 1.0;
  info->rescale_intercept = 0.0;
  info->voi_function = FEN_VOI_LINEAR;
}

/* Every owned string field of FenImageInfo, so copy and clear cannot forget one. */
static const gsize fen_image_info_string_offsets[] = {
  G_STRUCT_OFFSET (FenImageInfo, photometric_name),
  G_STRUCT_OFFSET (FenImageInfo, rescale_type),
  G_STRUCT_OFFSET (FenImageInfo, modality),
  G_STRUCT_OFFSET (FenImageInfo, patient_name),
  G_STRUCT_OFFSET (FenImageInfo, patient_id),
  G_STRUCT_OFFSET (FenImageInfo, patient_birth_date),
  G_STRUCT_OFFSET (FenImageInfo, patient_sex),
  G_STRUCT_OFFSET (FenImageInfo, study_date),
  G_STRUCT_OFFSET (FenImageInfo, study_time),
  G_STRUCT_OFFSET (FenImageInfo, study_description),
  G_STRUCT_OFFSET (FenImageInfo, series_description),
  G_STRUCT_OFFSET (FenImageInfo, institution_name),
  G_STRUCT_OFFSET (FenImageInfo, body_part),
  G_STRUCT_OFFSET (FenImageInfo, study_uid),
  G_STRUCT_OFFSET (FenImageInfo, series_uid),
  G_STRUCT_OFFSET (FenImageInfo, instance_uid),
  G_STRUCT_OFFSET (FenImageInfo, sop_class_uid),
  G_STRUCT_OFFSET (FenImageInfo, transfer_syntax),
  G_STRUCT_OFFSET (FenImageInfo, format),
  G_STRUCT_OFFSET (FenImageInfo, frame_of_reference_uid),
};

#define FEN_INFO_FIELD(info, offset) ((char **) ((guint8 *) (info) + (offset)))

void
fen_image_info_clear (FenImageInfo *info)
{
  for (guint i = 0; i < G_N_ELEMENTS (fen_image_info_string_offsets); i++)
    g_clear_pointer (FEN_INFO_FIELD (info, fen_image_info_string_offsets[i]), g_free);
  for (guint i = 0; i < info->n_windows; i++)
    g_free (info->windows[i].explanation);
  g_clear_pointer (&info->windows, g_free);
  info->n_windows = 0;
  for (guint i = 0; i < info->n_voi_luts; i++)
    {
      g_free (info->voi_luts[i].data);
      g_free (info->voi_luts[i].explanation);
    }
  g_clear_pointer (&info->voi_luts, g_free);
  info->n_voi_luts = 0;
  g_clear_pointer (&info->frame_values, g_free);
  g_clear_pointer (&info->frame_positions, g_free);
}

static void
fen_image_info_copy (FenImageInfo *dest, const FenImageInfo *src)
{
  *dest = *src;
  for (guint i = 0; i < G_N_ELEMENTS (fen_image_info_string_offsets); i++)
    {
      gsize offset = fen_image_info_string_offsets[i];
      *FEN_INFO_FIELD (dest, offset) = g_strdup (*FEN_INFO_FIELD (src, offset));
    }
  dest->windows = g_new0 (FenWindow, MAX (src->n_windows, 1));
  for (guint i = 0; i < src->n_windows; i++)
    {
      dest->windows[i].center = src->windows[i].center;
      dest->windows[i].width = src->windows[i].width;
      dest->windows[i].explanation = g_strdup (src->windows[i].explanation);
    }
  dest->voi_luts = g_new0 (FenVoiLut, MAX (src->n_voi_luts, 1));
  for (guint i = 0; i < src->n_voi_luts; i++)
    {
      dest->voi_luts[i] = src->voi_luts[i];
      dest->voi_luts[i].data = g_memdup2 (src->voi_luts[i].data,
                                          sizeof (guint16) * src->voi_luts[i].n_entries);
      dest->voi_luts[i].explanation = g_strdup (src->voi_luts[i].explanation);
    }
  dest->frame_values = src->frame_values != NULL
                       ? g_memdup2 (src->frame_values, sizeof (FenFrameValues) * src->frames)
                       : NULL;
  dest->frame_positions = src->frame_positions != NULL
                          ? g_memdup2 (src->frame_positions, sizeof (double) * 3 * src->frames)
                          : NULL;
}

void
fen_image_info_add_window (FenImageInfo *info,
                           double        center,
                           double        width,
                           const char   *explanation)
{
  info->windows = g_renew (FenWindow, info->windows, info->n_windows + 1);
  info->windows[info->n_windows].center = center;
  info->windows[info->n_windows].width = width;
  info->windows[info->n_windows].explanation = g_strdup (explanation);
  info->n_windows++;
}

/* Buffers from this size up are placed on a huge-page boundary and offered
 * to the kernel's transparent huge pages (MADV_HUGEPAGE; Debian's default
 * mode is "madvise", so nothing is huge unless asked). A loader writes every
 * byte of its buffer once, and in this VM each 4 KiB first-touch fault cost
 * more than the decoding: a 15 MB load took 6.5 ms in 4 KiB pages and 1.7 ms
 * in 2 MiB ones, the RLE copy 11.3 ms and 3.4 ms (issue 14, PERFORMANCE.md).
 * The resident bytes are the same: every page is written anyway, and the
 * ends of the buffer that do not fill a huge page stay in small pages. */
#define FEN_IMAGE_HUGE_PAGE ((gsize) 2 * 1024 * 1024)

static guint8 *
fen_image_map_huge (gsize bytes)
{
  const gsize page = (gsize) sysconf (_SC_PAGESIZE);
  const gsize len = (bytes + page - 1) / page * page;
  const gsize span = len + FEN_IMAGE_HUGE_PAGE;
  guint8 *p, *aligned;
  gsize head, tail;

  if (bytes > G_MAXSIZE - 2 * FEN_IMAGE_HUGE_PAGE)
    return NULL;
  p = mmap (NULL, span, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (p == MAP_FAILED)
    return NULL;
  /* Keep the aligned part; give the address space around it back. */
  aligned = (guint8 *) (((guintptr) p + FEN_IMAGE_HUGE_PAGE - 1) & ~(FEN_IMAGE_HUGE_PAGE - 1));
  head = aligned - p;
  tail = span - head - len;
  if (head > 0)
    munmap (p, head);
  if (tail > 0)
    munmap (p + span - tail, tail);
  /* Advice only: without transparent huge pages the buffer is as before. */
  (void) madvise (aligned, bytes, MADV_HUGEPAGE);
  return aligned;
}

static guint8 *
fen_image_alloc_pixels (gsize bytes)
{
  void *p;

  if (bytes < FEN_IMAGE_MMAP_THRESHOLD)
    return g_try_malloc (bytes);
  if (bytes >= FEN_IMAGE_HUGE_PAGE)
    return fen_image_map_huge (bytes);
  /* Pages are zero and not resident until the loader writes them. */
  p = mmap (NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  return p == MAP_FAILED ? NULL : p;
}

static void
fen_image_free_pixels (guint8 *pixels, gsize bytes)
{
  if (pixels == NULL)
    return;
  if (bytes < FEN_IMAGE_MMAP_THRESHOLD)
    g_free (pixels);
  else
    munmap (pixels, bytes);
}

void
fen_image_info_add_voi_lut (FenImageInfo  *info,
                            gint32         first,
                            guint          n_entries,
                            guint          bits,
                            const guint16 *data,
                            const char    *explanation)
{
  FenVoiLut *lut;

  g_return_if_fail (n_entries > 0 && data != NULL && bits >= 1 && bits <= 16);
  info->voi_luts = g_renew (FenVoiLut, info->voi_luts, info->n_voi_luts + 1);
  lut = &info->voi_luts[info->n_voi_luts++];
  lut->first = first;
  lut->n_entries = n_entries;
  lut->bits = bits;
  lut->data = g_memdup2 (data, sizeof (guint16) * n_entries);
  lut->explanation = g_strdup (explanation);
}

gboolean
fen_image_compute_size (const FenImageInfo *info,
                        gsize               max_bytes,
                        gsize              *out_bytes,
                        GError            **error)
{
  gsize bytes = 1;
  const gsize factors[] = {
    info->rows, info->columns, info->frames, info->samples_per_pixel,
    info->bits_allocated / 8,
  };

  if (info->rows == 0 || info->columns == 0 || info->frames == 0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "image has no pixels (%u rows, %u columns, %u frames)",
                   info->rows, info->columns, info->frames);
      return FALSE;
    }
  if (info->samples_per_pixel != 1 && info->samples_per_pixel != 3)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%u samples per pixel are not supported", info->samples_per_pixel);
      return FALSE;
    }
  if (info->bits_allocated != 8 && info->bits_allocated != 16 && info->bits_allocated != 32)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%u bits allocated are not supported", info->bits_allocated);
      return FALSE;
    }
  if (info->bits_stored == 0 || info->bits_stored > info->bits_allocated ||
      info->high_bit >= info->bits_allocated || info->high_bit + 1 < info->bits_stored)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "inconsistent bits: %u allocated, %u stored, high bit %u",
                   info->bits_allocated, info->bits_stored, info->high_bit);
      return FALSE;
    }
  if (info->samples_per_pixel == 3 && info->bits_allocated != 8)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "colour images with %u bits per sample are not supported yet",
                   info->bits_allocated);
      return FALSE;
    }

  for (guint i = 0; i < G_N_ELEMENTS (factors); i++)
    {
      if (!g_size_checked_mul (&bytes, bytes, factors[i]))
        {
          g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE,
                       "image size overflows: %u x %u x %u frames",
                       info->columns, info->rows, info->frames);
          return FALSE;
        }
    }
  /* The renderer indexes frames with 32-bit row arithmetic per frame. */
  if (info->rows > G_MAXINT32 / 2 || info->columns > G_MAXINT32 / 2)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE,
                   "image dimensions too large: %u x %u", info->columns, info->rows);
      return FALSE;
    }
  if (max_bytes != 0 && bytes > max_bytes)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE,
                   "image needs %" G_GSIZE_FORMAT " bytes, more than the %" G_GSIZE_FORMAT
                   " bytes allowed", bytes, max_bytes);
      return FALSE;
    }
  *out_bytes = bytes;
  return TRUE;
}

FenImage *
fen_image_new (const FenImageInfo *info,
               gsize               max_bytes,
               GError            **error)
{
  g_autoptr(FenImage) image = NULL;
  gsize bytes;

  g_return_val_if_fail (info != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!fen_image_compute_size (info, max_bytes, &bytes, error))
    return NULL;

  image = g_new0 (FenImage, 1);
  g_atomic_ref_count_init (&image->ref_count);
  g_mutex_init (&image->range_lock);
  g_strlcpy (image->log_name, "img-?", sizeof image->log_name);
  fen_image_info_copy (&image->info, info);
  image->bytes_per_sample = info->bits_allocated / 8;
  image->pixel_bytes = bytes;
  image->frame_bytes = bytes / info->frames;

  image->pixels = fen_image_alloc_pixels (bytes);
  if (image->pixels == NULL)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE,
                   "cannot allocate %" G_GSIZE_FORMAT " bytes for the pixels", bytes);
      return NULL;
    }
  return g_steal_pointer (&image);
}

FenImage *
fen_image_new_for_load (const FenImageInfo   *info,
                        const FenLoadOptions *options,
                        GError              **error)
{
  gsize max_bytes = options != NULL ? options->max_pixel_bytes : 0;
  gboolean reserved = options != NULL && options->reserve != NULL;
  FenImage *image;
  gsize bytes;

  if (!fen_image_compute_size (info, max_bytes, &bytes, error))
    return NULL;
  if (reserved && !options->reserve (bytes, options->reserve_data, error))
    return NULL;
  image = fen_image_new (info, max_bytes, error);
  if (reserved && options->release != NULL)
    {
      if (image == NULL)
        options->release (bytes, options->reserve_data);
      else
        {
          image->release = options->release;
          image->release_data = options->reserve_data;
        }
    }
  return image;
}

void
_fen_image_release_reservation (FenImage *image)
{
  void (*release) (gsize, gpointer) = image->release;

  /* Only the image's one holder calls this (the loader handing it to the
   * store, or the last unref): no race on the field. */
  image->release = NULL;
  if (release != NULL)
    release (image->pixel_bytes, image->release_data);
}

FenImage *
fen_image_ref (FenImage *image)
{
  g_return_val_if_fail (image != NULL, NULL);
  g_atomic_ref_count_inc (&image->ref_count);
  return image;
}

void
fen_image_unref (FenImage *image)
{
  g_return_if_fail (image != NULL);
  if (!g_atomic_ref_count_dec (&image->ref_count))
    return;
  _fen_image_release_reservation (image);
  fen_image_free_pixels (image->pixels, image->pixel_bytes);
  g_free (image->path);
  fen_image_info_clear (&image->info);
  g_mutex_clear (&image->range_lock);
  g_free (image);
}

const FenImageInfo *
fen_image_get_info (const FenImage *image)
{
  return &image->info;
}

guint
fen_image_get_id (const FenImage *image)
{
  return image->id;
}

const char *
fen_image_get_log_name (const FenImage *image)
{
  return image->log_name;
}

void
_fen_image_set_id (FenImage *image, guint id)
{
  image->id = id;
  g_snprintf (image->log_name, sizeof image->log_name, "img-%u", id);
}

const char *
fen_image_get_path (const FenImage *image)
{
  return image->path;
}

void
fen_image_set_path (FenImage *image, const char *path)
{
  g_free (image->path);
  image->path = g_strdup (path);
}

guint fen_image_get_width (const FenImage *image)    { return image->info.columns; }
guint fen_image_get_height (const FenImage *image)   { return image->info.rows; }
guint fen_image_get_n_frames (const FenImage *image) { return image->info.frames; }
guint fen_image_get_bytes_per_sample (const FenImage *image) { return image->bytes_per_sample; }
gsize fen_image_get_frame_bytes (const FenImage *image) { return image->frame_bytes; }
gsize fen_image_get_pixel_bytes (const FenImage *image) { return image->pixel_bytes; }

gboolean
fen_image_is_color (const FenImage *image)
{
  return image->info.samples_per_pixel == 3;
}

const void *
fen_image_get_frame (const FenImage *image, guint frame)
{
  g_return_val_if_fail (frame < image->info.frames, NULL);
  if (image->pixels == NULL)
    return NULL;
  return image->pixels + (gsize) frame * image->frame_bytes;
}

gboolean
fen_image_has_pixels (const FenImage *image)
{
  return image->pixels != NULL;
}

guint64
fen_image_checksum (const FenImage *image)
{
  /* FNV-1a over 64-bit words: fast enough to run before every eviction. */
  const guint8 *p = image->pixels;
  guint64 hash = 0xcbf29ce484222325ull;
  gsize i = 0;

  g_return_val_if_fail (p != NULL, 0);
  for (; i + 8 <= image->pixel_bytes; i += 8)
    {
      guint64 word;
      memcpy (&word, p + i, 8);
      hash = (hash ^ word) * 0x100000001b3ull;
    }
  for (; i < image->pixel_bytes; i++)
    hash = (hash ^ p[i]) * 0x100000001b3ull;
  return hash;
}

gsize
_fen_image_drop_pixels (FenImage *image)
{
  gsize bytes = image->pixels != NULL ? image->pixel_bytes : 0;
  gint32 lo, hi;

  /* The range outlives the pixels: auto-window and drag sensitivity use it. */
  if (image->pixels != NULL)
    fen_image_get_stored_range (image, &lo, &hi);
  fen_image_free_pixels (g_steal_pointer (&image->pixels), image->pixel_bytes);
  return bytes;
}

gboolean
_fen_image_adopt_pixels (FenImage *image, FenImage *donor)
{
  const FenImageInfo *a = &image->info, *b = &donor->info;

  if (image->pixels != NULL || donor->pixels == NULL ||
      image->pixel_bytes != donor->pixel_bytes || a->rows != b->rows ||
      a->columns != b->columns || a->frames != b->frames ||
      a->samples_per_pixel != b->samples_per_pixel || a->bits_allocated != b->bits_allocated ||
      a->pixel_representation != b->pixel_representation)
    return FALSE;
  image->pixels = g_steal_pointer (&donor->pixels);
  return TRUE;
}

void *
fen_image_get_pixels_mutable (FenImage *image)
{
  return image->pixels;
}

static gint32
fen_image_sample_at (const FenImage *image, gsize index)
{
  const FenImageInfo *info = &image->info;

  switch (image->bytes_per_sample)
    {
    case 1:
      return info->pixel_representation ? ((const gint8 *) image->pixels)[index]
                                         : ((const guint8 *) image->pixels)[index];
    case 2:
      return info->pixel_representation ? ((const gint16 *) image->pixels)[index]
                                         : ((const guint16 *) image->pixels)[index];
    default:
      /* 32-bit unsigned values above G_MAXINT32 saturate: no table covers them. */
      if (info->pixel_representation)
        return ((const gint32 *) image->pixels)[index];
      return (gint32) MIN (((const guint32 *) image->pixels)[index], (guint32) G_MAXINT32);
    }
}

void
fen_image_get_stored_range (FenImage *image, gint32 *min, gint32 *max)
{
  g_mutex_lock (&image->range_lock);
  if (!image->range_known && image->pixels == NULL)
    {
      g_mutex_unlock (&image->range_lock);
      fen_image_get_type_range (image, min, max);
      return;
    }
  if (!image->range_known)
    {
      gsize n = image->pixel_bytes / image->bytes_per_sample;
      gint32 lo = G_MAXINT32, hi = G_MININT32;
      gint32 content_lo = G_MAXINT32, content_hi = G_MININT32;
      const gboolean padded = image->info.has_padding;
      const gint32 pad_min = image->info.padding_min, pad_max = image->info.padding_max;

      for (gsize i = 0; i < n; i++)
        {
          gint32 v = fen_image_sample_at (image, i);
          lo = MIN (lo, v);
          hi = MAX (hi, v);
          if (padded && v >= pad_min && v <= pad_max)
            continue;
          content_lo = MIN (content_lo, v);
          content_hi = MAX (content_hi, v);
        }
      image->range_min = lo;
      image->range_max = hi;
      /* All padding (or none of the pixels content): the whole range. */
      image->content_min = content_lo <= content_hi ? content_lo : lo;
      image->content_max = content_lo <= content_hi ? content_hi : hi;
      image->range_known = TRUE;
    }
  *min = image->range_min;
  *max = image->range_max;
  g_mutex_unlock (&image->range_lock);
}

void
fen_image_get_content_range (FenImage *image, gint32 *min, gint32 *max)
{
  gint32 lo, hi;

  /* The first call scans both ranges. */
  fen_image_get_stored_range (image, &lo, &hi);
  g_mutex_lock (&image->range_lock);
  if (image->range_known)
    {
      lo = image->content_min;
      hi = image->content_max;
    }
  g_mutex_unlock (&image->range_lock);
  *min = lo;
  *max = hi;
}

void
fen_image_get_type_range (const FenImage *image, gint32 *min, gint32 *max)
{
  guint bits = MIN (image->info.bits_stored, 31u);

  if (image->info.pixel_representation)
    {
      *min = -(gint32) (1u << (bits - 1));
      *max = (gint32) ((1u << (bits - 1)) - 1);
    }
  else
    {
      *min = 0;
      *max = (gint32) ((1u << bits) - 1);
    }
}

gint32
fen_image_get_stored_value (const FenImage *image, guint frame, guint x, guint y)
{
  const FenImageInfo *info = &image->info;
  gsize index;

  g_return_val_if_fail (frame < info->frames && x < info->columns && y < info->rows, 0);
  if (image->pixels == NULL)
    return 0;
  index = ((gsize) frame * info->rows + y) * info->columns * info->samples_per_pixel
          + (gsize) x * info->samples_per_pixel;
  return fen_image_sample_at (image, index);
}

void
fen_image_get_frame_rescale (const FenImage *image, guint frame, double *slope, double *intercept)
{
  const FenImageInfo *info = &image->info;

  if (info->frame_values != NULL && frame < info->frames)
    {
      *slope = info->frame_values[frame].rescale_slope;
      *intercept = info->frame_values[frame].rescale_intercept;
      return;
    }
  *slope = info->rescale_slope;
  *intercept = info->rescale_intercept;
}

double
fen_image_to_modality (const FenImage *image, guint frame, gint32 stored)
{
  double slope, intercept;

  /* PS3.3 C.11.1.1.2: Rescale Slope and Intercept; C.7.6.16.2.9: an
   * enhanced multi-frame image's are the frame's own. */
  fen_image_get_frame_rescale (image, frame, &slope, &intercept);
  return stored * slope + intercept;
}

void
fen_image_get_modality_range (FenImage *image, guint frame, double *lo, double *hi)
{
  gint32 min, max;
  double a, b;

  fen_image_get_stored_range (image, &min, &max);
  if (fen_image_is_color (image))
    {
      *lo = min;
      *hi = max;
      return;
    }
  a = fen_image_to_modality (image, frame, min);
  b = fen_image_to_modality (image, frame, max);
  *lo = MIN (a, b);
  *hi = MAX (a, b);
}

const char *
fen_image_get_unit (const FenImage *image)
{
  const FenImageInfo *info = &image->info;

  /* PS3.3 C.11.1.1.2: CT values after rescale are Hounsfield units. */
  if (g_strcmp0 (info->modality, "CT") == 0)
    return "HU";
  return info->rescale_type != NULL && *info->rescale_type != '\0' ? info->rescale_type : NULL;
}

guint
fen_image_get_value_decimals (FenImage *image, guint frame)
{
  double lo, hi, step;

  fen_image_get_modality_range (image, frame, &lo, &hi);
  step = (hi - lo) / 1000.0;
  if (!(step > 0) || !isfinite (step) || step >= 1)
    return 0;
  return (guint) MIN (4.0, ceil (-log10 (step)));
}

gboolean
fen_image_can_share_window (const FenImage *a, const FenImage *b)
{
  if (a == b)
    return TRUE;
  if (fen_image_is_color (a) || fen_image_is_color (b))
    return FALSE;
  return g_strcmp0 (a->info.modality, b->info.modality) == 0 &&
         g_strcmp0 (fen_image_get_unit (a), fen_image_get_unit (b)) == 0;
}
