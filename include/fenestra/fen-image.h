/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-image.h: one loaded image: its metadata and its one pixel buffer. */
#pragma once

#include "fen-types.h"

G_BEGIN_DECLS

/**
 * FenWindow:
 * One Window Center / Window Width pair (0028,1050 / 0028,1051) with its
 * explanation (0028,1055), in modality units.
 */
typedef struct {
  double center;
  double width;
  char  *explanation; /* owned, may be NULL */
} FenWindow;

/**
 * FenVoiLut:
 * One item of the VOI LUT Sequence (0028,3010), PS3.3 C.11.2.1.1: a table
 * from modality value to display value, offered as a preset. Values below
 * @first take data[0], values past the end the last entry.
 */
typedef struct {
  gint32   first;         /* modality value mapped to data[0] */
  guint    n_entries;
  guint    bits;          /* bits per entry, 1 to 16: output range 0 .. 2^bits - 1 */
  guint16 *data;          /* owned, n_entries values */
  char    *explanation;   /* owned, may be NULL */
} FenVoiLut;

/**
 * FenFrameValues:
 * The value transforms of one frame of an enhanced multi-frame image, from
 * its functional groups: Pixel Value Transformation (PS3.3 C.7.6.16.2.9)
 * and Frame VOI LUT (C.7.6.16.2.10).
 */
typedef struct {
  double   rescale_slope;
  double   rescale_intercept;
  gboolean has_window;
  double   window_center;
  double   window_width;
} FenFrameValues;

/**
 * FenImageInfo:
 * What a loader learns from a file before the pixels are read. Loaders fill
 * one on the stack, hand it to fen_image_new() (which copies it, strings
 * included) and clear it with fen_image_info_clear().
 *
 * Pixel layout in memory, whatever the file held: frames one after the other;
 * within a frame, rows top to bottom, samples interleaved (planar
 * configuration is converted at load time); each sample an integer of
 * bits_allocated / 8 bytes in native byte order, holding the stored value
 * already masked to bits_stored and, when pixel_representation is 1,
 * sign-extended. bits_allocated is 8 or 16 (32 where noted by the loader).
 */
typedef struct {
  /* Geometry and sample layout */
  guint    rows;
  guint    columns;
  guint    frames;
  guint    samples_per_pixel;    /* 1 or 3 */
  guint    bits_allocated;       /* 8, 16 or 32 */
  guint    bits_stored;
  guint    high_bit;
  guint    pixel_representation; /* 0 unsigned, 1 two's complement */
  FenPhotometric photometric;
  char    *photometric_name;     /* as in the file, e.g. "YBR_FULL_422" */
  guint    planar_configuration; /* as in the file; memory is always interleaved */

  /* Modality LUT (PS3.3 C.11.1) */
  double   rescale_slope;        /* 1 when absent */
  double   rescale_intercept;    /* 0 when absent */
  char    *rescale_type;         /* e.g. "HU", may be NULL */

  /* VOI LUT (PS3.3 C.11.2) */
  FenWindow     *windows;        /* owned array of n_windows */
  guint          n_windows;
  FenVoiFunction voi_function;

  /* Geometry in the patient */
  double   pixel_spacing[2];     /* row spacing, column spacing in mm; 0 when unknown */
  gboolean has_position;
  double   image_position[3];    /* (0020,0032) */
  gboolean has_orientation;
  double   image_orientation[6]; /* (0020,0037) */
  double   slice_thickness;

  /* Identification: these may carry patient data and must never reach a log */
  char    *modality;
  char    *patient_name;
  char    *patient_id;
  char    *patient_birth_date;
  char    *patient_sex;
  char    *study_date;
  char    *study_time;
  char    *study_description;
  char    *series_description;
  char    *institution_name;
  char    *body_part;
  char    *study_uid;
  char    *series_uid;
  char    *instance_uid;
  char    *sop_class_uid;
  char    *transfer_syntax;      /* UID, NULL for non-DICOM */
  char    *format;               /* "DICOM", "PNG", "TIFF" */
  gint     instance_number;
  gint     series_number;

  /* Fields added after the first release stay at the end. */

  /* Pixel Padding Value (0028,0120) up to Pixel Padding Range Limit
   * (0028,0121), in stored values (PS3.3 C.7.5.1.1.2): not image content,
   * left out of the default window. */
  gboolean        has_padding;
  gint32          padding_min;
  gint32          padding_max;

  /* VOI LUT Sequence (PS3.3 C.11.2.1.1), offered next to the windows. */
  FenVoiLut      *voi_luts;      /* owned array of n_voi_luts */
  guint           n_voi_luts;

  /* Enhanced multi-frame: one entry per frame (owned), or NULL when the
   * rescale and windows above hold for every frame. */
  FenFrameValues *frame_values;

  /* Frame of Reference UID (0020,0052): images that share it share patient
   * coordinates, so slices can be matched by position across series. */
  char           *frame_of_reference_uid;

  /* Enhanced multi-frame: Image Position (Patient) of each frame from the
   * Plane Position Sequence (PS3.3 C.7.6.16.2.3), 3 x frames values (owned),
   * or NULL when the frames do not carry their own. */
  double         *frame_positions;

  /* The rate to play the frames at, in frames a second, or 0 when the file
   * names none: Recommended Display Frame Rate (0008,2144), else 1000 /
   * Frame Time (0018,1063) in ms, else Cine Rate (0018,0040) (PS3.3 C.7.6.5
   * Cine Module). Unclamped: the viewer holds it to its own range. */
  double          frame_rate;
} FenImageInfo;

void      fen_image_info_init  (FenImageInfo *info);
void      fen_image_info_clear (FenImageInfo *info);
void      fen_image_info_add_window (FenImageInfo *info,
                                     double        center,
                                     double        width,
                                     const char   *explanation);
/* Copies @data (@n_entries values) and @explanation. */
void      fen_image_info_add_voi_lut (FenImageInfo  *info,
                                      gint32         first,
                                      guint          n_entries,
                                      guint          bits,
                                      const guint16 *data,
                                      const char    *explanation);

/**
 * fen_image_compute_size:
 * @info: the metadata
 * @max_bytes: refuse anything above this (0 = no limit but address space)
 * @out_bytes: (out): the pixel buffer size
 *
 * Checks every dimension and multiplies them with overflow checks.
 * Returns: %FALSE with %FEN_IO_ERROR_CORRUPT or %FEN_IO_ERROR_TOO_LARGE.
 */
gboolean  fen_image_compute_size (const FenImageInfo *info,
                                  gsize               max_bytes,
                                  gsize              *out_bytes,
                                  GError            **error);

/**
 * FenLoadOptions:
 * @max_pixel_bytes: refuse images whose pixel buffer would be larger (0: no limit)
 * @reserve: (nullable): asked, once the size is known and checked but before
 *   the buffer is allocated, to make room for @bytes (e.g. by shedding
 *   under the memory budget); returning %FALSE with @error refuses the load.
 *   Runs on the loading thread.
 * @release: (nullable): gives back, exactly once, what @reserve granted
 *   (with @reserve_data): when the store counts the image's bytes
 *   (fen_store_add(), fen_store_restore()), or when the image is freed
 *   without that (a load that failed after its allocation). Any thread.
 * @frame_threads: threads that decode the frames of one compressed
 *   multi-frame object side by side (0: one per processor; 1: one after
 *   the other). The result is the same for every count.
 */
typedef struct {
  gsize    max_pixel_bytes;
  gboolean (*reserve) (gsize bytes, gpointer user_data, GError **error);
  gpointer reserve_data;
  void     (*release) (gsize bytes, gpointer user_data);
  guint    frame_threads;
} FenLoadOptions;

/**
 * fen_image_new_for_load:
 * What loaders call: fen_image_new() under @options (nullable): the size
 * limit, then the reserve hook, then the allocation.
 * Returns: (transfer full): the image or %NULL with @error set.
 */
FenImage *fen_image_new_for_load (const FenImageInfo   *info,
                                  const FenLoadOptions *options,
                                  GError              **error);

/**
 * fen_image_new:
 * Validates @info, copies it and allocates the image's one pixel buffer
 * (uninitialised; the loader fills every byte).
 * Returns: (transfer full): a new image with a reference count of 1, or
 * %NULL with @error set.
 */
FenImage *fen_image_new   (const FenImageInfo *info,
                           gsize               max_bytes,
                           GError            **error);
FenImage *fen_image_ref   (FenImage *image);
void      fen_image_unref (FenImage *image);

const FenImageInfo *fen_image_get_info (const FenImage *image);
guint     fen_image_get_id            (const FenImage *image);
/* Short, patient-free name for logs: "img-7" (owned by the image). */
const char *fen_image_get_log_name    (const FenImage *image);
void      _fen_image_set_id           (FenImage *image, guint id);

const char *fen_image_get_path        (const FenImage *image);
void      fen_image_set_path          (FenImage *image, const char *path);

guint     fen_image_get_width         (const FenImage *image);
guint     fen_image_get_height        (const FenImage *image);
guint     fen_image_get_n_frames      (const FenImage *image);
guint     fen_image_get_bytes_per_sample (const FenImage *image);
gsize     fen_image_get_frame_bytes   (const FenImage *image);
gsize     fen_image_get_pixel_bytes   (const FenImage *image);
gboolean  fen_image_is_color          (const FenImage *image);

/* Pixels of one frame (borrowed, valid while the caller holds a reference). */
const void *fen_image_get_frame       (const FenImage *image, guint frame);
/* FALSE while the store has evicted the pixels (metadata stays). */
gboolean  fen_image_has_pixels        (const FenImage *image);
/* A 64-bit FNV-1a hash of the pixel buffer: proves a reload bit-identical. */
guint64   fen_image_checksum          (const FenImage *image);
/* For the store: frees the buffer (returns its size) / takes @donor's. */
gsize     _fen_image_drop_pixels      (FenImage *image);
gboolean  _fen_image_adopt_pixels     (FenImage *image, FenImage *donor);
/* For the store, once it counts the bytes: FenLoadOptions.release, once. */
void      _fen_image_release_reservation (FenImage *image);

/* For loaders only, while the image is being filled. */
void     *fen_image_get_pixels_mutable (FenImage *image);

/**
 * fen_image_get_stored_range:
 * Minimum and maximum stored value over all frames, scanned once on first
 * use and cached (thread-safe). For RGB, over all samples.
 */
void      fen_image_get_stored_range  (FenImage *image, gint32 *min, gint32 *max);
/**
 * fen_image_get_content_range:
 * As fen_image_get_stored_range() without the Pixel Padding values; the
 * stored range when every value is padding or there is none.
 */
void      fen_image_get_content_range (FenImage *image, gint32 *min, gint32 *max);
/* Smallest and largest value the sample type can hold (from bits stored). */
void      fen_image_get_type_range    (const FenImage *image, gint32 *min, gint32 *max);

/* Stored value at (x, y) of @frame, sample 0 (monochrome). */
gint32    fen_image_get_stored_value  (const FenImage *image, guint frame, guint x, guint y);
/* PS3.3 C.11.1: modality value = stored * slope + intercept, with @frame's
 * own rescale when the image has per-frame values (C.7.6.16.2.9). */
double    fen_image_to_modality       (const FenImage *image, guint frame, gint32 stored);
/**
 * fen_image_get_modality_range:
 * The image's stored range (fen_image_get_stored_range()) in @frame's
 * modality units, @lo <= @hi; for colour images the stored range itself.
 */
void      fen_image_get_modality_range (FenImage *image, guint frame, double *lo, double *hi);
/**
 * fen_image_get_unit:
 * The unit of the image's modality values for display: Rescale Type
 * (0028,1054), or "HU" for CT, whose rescaled values are Hounsfield units
 * whatever Rescale Type says (PS3.3 C.11.1.1.2); %NULL when unknown.
 * Returns: (transfer none) (nullable)
 */
const char *fen_image_get_unit        (const FenImage *image);
/**
 * fen_image_get_value_decimals:
 * Decimals that show @frame's modality values to about a thousandth of
 * their range (0 to 4): 0 for CT in HU, 2 for an RT dose of 0..60 Gy, so
 * that a window of 1.25 Gy never reads "1".
 */
guint     fen_image_get_value_decimals (FenImage *image, guint frame);
/**
 * fen_image_can_share_window:
 * Whether one window/level means the same on @a and @b, so that a link may
 * pass it from one to the other: both monochrome, one modality (0008,0060)
 * and one unit (fen_image_get_unit()). A CT window forced onto an NM,
 * RGB or RT dose image shows nothing useful.
 */
gboolean  fen_image_can_share_window  (const FenImage *a, const FenImage *b);
/* @frame's rescale (the image's when it has no per-frame values). */
void      fen_image_get_frame_rescale (const FenImage *image, guint frame,
                                       double *slope, double *intercept);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenImage, fen_image_unref)

G_END_DECLS
