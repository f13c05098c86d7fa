/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-cli-mpr.c: `fenestra-cli mpr`, a reformatted plane of a series folder
 * (found by the study index, the viewer's walker) written to a file: the native planes of the stack (a slice, the plane
 * through a source row, the plane through a source column), optionally a
 * slab, windowed to 8 bits or --raw as 16-bit modality values. The slices
 * are loaded once each into the store and read in place (FenVolume). */
#define G_LOG_DOMAIN "fen-cli"

#include "fen-cli-mpr.h"
#include "fen-cli-util.h"

#include <fenestra/fenestra.h>

#include <math.h>
#include <stdio.h>
#include <string.h>

typedef struct {
  char     *output;
  char     *plane;
  gint      index;
  char     *slab;
  char     *window;
  gboolean  raw;
  char     *memory_log;
} FenCliMprOptions;

static void
fen_cli_mpr_options_clear (FenCliMprOptions *o)
{
  g_free (o->output);
  g_free (o->plane);
  g_free (o->slab);
  g_free (o->window);
  g_free (o->memory_log);
}

static gboolean
fen_cli_mpr_parse_slab (const char *text, FenSlabMode *mode, double *thickness, GError **error)
{
  char *end = NULL;

  *thickness = 0;
  if (text == NULL)
    {
      *mode = FEN_SLAB_NONE;
      return TRUE;
    }
  if (g_str_has_prefix (text, "mip:") || g_str_has_prefix (text, "minip:") || g_str_has_prefix (text, "avg:"))
    {
      const char *mm = strchr (text, ':') + 1;

      *mode = text[1] == 'i' && text[2] == 'p' ? FEN_SLAB_MIP
              : text[0] == 'm' ? FEN_SLAB_MINIP : FEN_SLAB_AVERAGE;
      *thickness = g_ascii_strtod (mm, &end);
      if (end != mm && *end == '\0' && isfinite (*thickness) && *thickness >= 0 && *thickness <= 10000)
        return TRUE;
    }
  else if (strcmp (text, "mip") == 0 || strcmp (text, "minip") == 0)
    {
      /* No thickness: the whole stack across the plane. */
      *mode = strcmp (text, "mip") == 0 ? FEN_SLAB_MIP : FEN_SLAB_MINIP;
      *thickness = 1e6;
      return TRUE;
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--slab wants mip, minip, mip:MM, minip:MM or avg:MM, not \"%s\"", text);
  return FALSE;
}

/* The image series of @index; what is not one is said on stderr. */
static const FenStudySeries *
fen_cli_mpr_pick_series (const FenStudyIndex *index, const char *dir, GError **error)
{
  g_autoptr(GPtrArray) all = fen_study_index_list_series (index);
  const GPtrArray *rasters = fen_study_index_get_rasters (index);
  const GPtrArray *ignored = fen_study_index_get_ignored (index);
  const FenStudySeries *found = NULL;
  guint n_series = 0;

  for (guint i = 0; i < ignored->len; i++)
    fprintf (stderr, "fenestra-cli: skipped: %s\n", (const char *) ignored->pdata[i]);
  for (guint i = 0; i < rasters->len; i++)
    fprintf (stderr, "fenestra-cli: skipped: %s: not DICOM, no slice position\n", (const char *) rasters->pdata[i]);
  for (guint r = 0; r < all->len; r++)
    {
      const FenStudySeries *series = all->pdata[r];
      gboolean images = FALSE;

      for (guint o = 0; o < series->objects->len; o++)
        {
          const FenStudyObject *object = series->objects->pdata[o];

          if (object->kind == FEN_OBJECT_IMAGE)
            images = TRUE;
          else
            fprintf (stderr, "fenestra-cli: skipped: %s: a %s, not an image\n", object->path,
                     fen_object_kind_to_string (object->kind));
        }
      if (images)
        {
          found = series;
          n_series++;
        }
    }
  if (n_series > 1)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "%s holds %u series (Series Instance UID differs): "
                   "give a folder of one series", dir, n_series);
      return NULL;
    }
  if (found == NULL)
    g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_FORMAT, "%s holds no image", dir);
  return found;
}

/* Loads the image objects of the one series under @dir (a folder, walked
 * as the viewer walks it, or a DICOMDIR: the study index) into @store, in
 * series order. A file whose header cannot be read is an error: a slice
 * would be missing. */
static GPtrArray *
fen_cli_mpr_load (FenStore *store, FenMemoryMonitor *monitor, const char *dir, GError **error)
{
  g_autoptr(GPtrArray) images = g_ptr_array_new ();
  g_autoptr(FenStudyIndex) index = fen_study_index_new ();
  const FenStudySeries *series;
  const GPtrArray *problems;
  FenLoadOptions load = { 0 };
  FenMemoryOperation op;

  if (!fen_study_index_add_path (index, dir, NULL, error))
    return NULL;
  problems = fen_study_index_get_problems (index);
  if (problems->len > 0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT, "%s%s", (const char *) problems->pdata[0],
                   problems->len > 1 ? " (and more)" : "");
      return NULL;
    }
  series = fen_cli_mpr_pick_series (index, dir, error);
  if (series == NULL)
    return NULL;

  fen_memory_monitor_begin (monitor, &op, "open series");
  for (guint i = 0; i < series->objects->len; i++)
    {
      const FenStudyObject *object = series->objects->pdata[i];
      g_autoptr(GError) local = NULL;
      FenImage *image;

      if (object->kind != FEN_OBJECT_IMAGE)
        continue;
      image = fen_load_into_store (store, object->path, &load, &local);
      if (image == NULL)
        {
          if (g_error_matches (local, FEN_IO_ERROR, FEN_IO_ERROR_NO_PIXELS))
            {
              fprintf (stderr, "fenestra-cli: skipped: %s\n", local->message);
              continue;
            }
          fen_memory_monitor_end (monitor, &op);
          g_propagate_error (error, g_steal_pointer (&local));
          return NULL;
        }
      if (images->len == 0)
        {
          /* Every slice is pinned while reformatting: say early when the
           * series (estimated from its first image) cannot be held. */
          gsize estimate = fen_image_get_pixel_bytes (image) * series->objects->len;

          if (!fen_volume_check_budget (monitor, estimate, error))
            {
              fen_memory_monitor_end (monitor, &op);
              return NULL;
            }
        }
      g_ptr_array_add (images, image);
    }
  g_snprintf (op.before.label, sizeof op.before.label, "open series %u image(s)", images->len);
  fen_memory_monitor_end (monitor, &op);
  if (images->len == 0)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_FORMAT, "%s holds no image", dir);
      return NULL;
    }
  return g_steal_pointer (&images);
}

/* 16-bit modality values (PS3.3 C.11.1: stored x slope + intercept,
 * rounded), signed when any is negative, as `render --raw` writes them. */
static gboolean
fen_cli_mpr_write_raw (const FenVolume *volume, const gint32 *values, guint w, guint h,
                       const char *path, GError **error)
{
  g_autofree guint16 *out = g_new (guint16, (gsize) w * h);
  FenImage *first = fen_volume_get_slice_image (volume, 0, NULL);
  double lo = G_MAXDOUBLE, hi = -G_MAXDOUBLE;
  FenRaster raster = { 0 };
  gboolean is_signed;

  for (gsize i = 0; i < (gsize) w * h; i++)
    {
      double v = fen_image_to_modality (first, 0, values[i]);
      lo = MIN (lo, v);
      hi = MAX (hi, v);
    }
  is_signed = lround (lo) < 0;
  if (lround (lo) < (is_signed ? G_MININT16 : 0) || lround (hi) > (is_signed ? G_MAXINT16 : G_MAXUINT16))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED,
                   "modality values %g .. %g do not fit 16 bits", lo, hi);
      return FALSE;
    }
  for (gsize i = 0; i < (gsize) w * h; i++)
    {
      long v = lround (fen_image_to_modality (first, 0, values[i]));
      out[i] = is_signed ? (guint16) (gint16) v : (guint16) v;
    }
  raster.width = w;
  raster.height = h;
  raster.channels = 1;
  raster.bits = 16;
  raster.is_signed = is_signed;
  raster.pixels = out;
  raster.stride = (gsize) w * 2;
  raster.pages = 1;
  if (g_str_has_suffix (path, ".png") && !is_signed)
    return fen_png_write (path, &raster, error);
  return fen_tiff_write (path, &raster, error);
}

static gboolean
fen_cli_mpr_run (FenCliMprOptions *o, const char *dir, GError **error)
{
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(FenMemoryMonitor) monitor = fen_memory_monitor_new (16);
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(FenVolume) volume = NULL;
  g_autoptr(FenRenderer) renderer = NULL;
  g_autofree double *origins = NULL;
  g_autofree gint32 *values = NULL;
  g_autofree char *lower = g_ascii_strdown (o->output, -1);
  FenVolumeAxis axis;
  FenReformat reformat;
  FenMemoryOperation op;
  guint patient_axis, w, h, n_gaps;
  gboolean ok;

  if (g_strcmp0 (o->plane, "axial") == 0)
    patient_axis = 2;
  else if (g_strcmp0 (o->plane, "coronal") == 0)
    patient_axis = 1;
  else if (g_strcmp0 (o->plane, "sagittal") == 0)
    patient_axis = 0;
  else
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--plane wants axial, coronal or sagittal");
      return FALSE;
    }
  if (!g_str_has_suffix (lower, ".png") && !g_str_has_suffix (lower, ".tif") &&
      !g_str_has_suffix (lower, ".tiff"))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE,
                   "%s: the file name must end in .png, .tif or .tiff", o->output);
      return FALSE;
    }

  fen_memory_monitor_set_store (monitor, store);
  if (o->memory_log != NULL && !fen_memory_monitor_open_log (monitor, o->memory_log, error))
    return FALSE;
  fen_loader_init ();
  fen_memory_monitor_mark (monitor, "start");
  images = fen_cli_mpr_load (store, monitor, dir, error);
  if (images == NULL)
    return FALSE;
  volume = fen_volume_new (store, (FenImage **) images->pdata, images->len, error);
  if (volume == NULL)
    return FALSE;
  fen_volume_get_gaps (volume, &n_gaps);
  if (n_gaps > 0)
    fprintf (stderr, "fenestra-cli: warning: %u gap(s) in the slice spacing (median %.3g mm)\n",
             n_gaps, fen_volume_get_slice_spacing (volume));

  axis = fen_volume_axis_for_patient (volume, patient_axis);
  if (o->index < 0 || !fen_reformat_init_native (&reformat, volume, axis, (guint) o->index, &w, &h, &origins))
    {
      guint limit = axis == FEN_VOLUME_AXIS_SLICE ? fen_volume_get_n_slices (volume)
                    : axis == FEN_VOLUME_AXIS_ROW ? fen_volume_get_height (volume)
                    : fen_volume_get_width (volume);
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--index %d: the %s plane has indices 0 to %u", o->index, o->plane, limit - 1);
      return FALSE;
    }
  if (!fen_cli_mpr_parse_slab (o->slab, &reformat.slab, &reformat.slab_thickness, error))
    return FALSE;

  renderer = fen_renderer_new (0, w);
  fen_memory_monitor_begin (monitor, &op, "mpr %s %d", o->plane, o->index);
  if (o->raw)
    {
      values = g_new (gint32, (gsize) w * h);
      ok = fen_renderer_reformat_values (renderer, volume, &reformat, w, h, 0, values, w) &&
           fen_cli_mpr_write_raw (volume, values, w, h, o->output, error);
    }
  else
    {
      FenImage *first = fen_volume_get_slice_image (volume, 0, NULL);
      g_autoptr(FenLut) lut = fen_lut_new ();
      g_autofree guint8 *gray = g_malloc ((gsize) w * h);
      FenWindowParams window;
      FenRaster raster = { 0 };

      fen_window_default (first, 0, &window);
      ok = o->window == NULL || fen_cli_parse_window (o->window, &window, error);
      if (ok)
        {
          fen_lut_build (lut, first, 0, &window);
          ok = fen_renderer_reformat (renderer, volume, lut, &reformat, w, h, FEN_PIXEL_GRAY8, gray, w);
          raster.width = w;
          raster.height = h;
          raster.channels = 1;
          raster.bits = 8;
          raster.pixels = gray;
          raster.stride = w;
          raster.pages = 1;
          ok = ok && (g_str_has_suffix (lower, ".png") ? fen_png_write (o->output, &raster, error)
                                                       : fen_tiff_write (o->output, &raster, error));
        }
    }
  fen_memory_monitor_end (monitor, &op);
  if (!ok && error != NULL && *error == NULL)
    g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED, "the plane could not be rendered");
  return ok;
}

int
fen_cli_mpr_main (int argc, char **argv)
{
  FenCliMprOptions o = { .index = -1 };
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, "Write the plane to FILE (.png, .tiff)", "FILE" },
    { "plane", 0, 0, G_OPTION_ARG_STRING, &o.plane, "axial, coronal or sagittal", "PLANE" },
    { "index", 0, 0, G_OPTION_ARG_INT, &o.index, "Slice, source row or source column, from 0", "N" },
    { "slab", 0, 0, G_OPTION_ARG_STRING, &o.slab, "mip, minip, mip:MM, minip:MM or avg:MM", "MODE" },
    { "window", 0, 0, G_OPTION_ARG_STRING, &o.window, "Window in modality units", "CENTER,WIDTH" },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &o.raw, "Write modality values unwindowed as 16-bit", NULL },
    { "memory-log", 0, 0, G_OPTION_ARG_FILENAME, &o.memory_log, "Append memory snapshots to FILE as JSON lines", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("mpr SERIES_DIR|DICOMDIR");
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_option_context_set_summary (context,
    "  The native planes of a series: axial, coronal or sagittal (the stack's\n"
    "  slice, source-row or source-column plane nearest that patient plane).\n"
    "  A row or column plane has one output row per slice, the highest\n"
    "  position along the slice normal on top, nearest sampling.");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    status = 2;
  else if (argc != 3 || o.output == NULL || o.plane == NULL || o.index < 0)
    {
      g_set_error (&error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   "mpr needs SERIES_DIR, --plane, --index N and -o OUT");
      status = 2;
    }
  if (status == 0 && !fen_cli_mpr_run (&o, argv[2], &error))
    status = 1;
  if (status != 0)
    {
      if (status == 2)
        {
          g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);
          fprintf (stderr, "fenestra-cli: %s\n%s", error->message, help);
        }
      else
        fprintf (stderr, "fenestra-cli: %s\n", error->message);
    }
  fen_cli_mpr_options_clear (&o);
  return status;
}
