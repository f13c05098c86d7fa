/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-cli.c: fenestra-cli, the headless tool: the same engine as the viewer,
 * for scripts, tests and reference comparisons. */
#define G_LOG_DOMAIN "fen-cli"

#include <fenestra/fenestra.h>

#include "fen-cli-measure.h"
#include "fen-cli-util.h"
#include "fen-cli-mpr.h"
#include "fen-cli-pacs.h"

#include <errno.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

typedef struct
{
  char     *output;
  gint      frame;        /* 1-based, as dcm2pnm's +F */
  char     *window;
  gint      voi_lut;      /* 1-based item of the VOI LUT Sequence, 0 for none */
  gboolean  invert;
  gboolean  raw;
  char     *memory_log;
  gint64    max_bytes;
  char     *size;         /* wl-bench: WxH */
  gint      updates;      /* wl-bench: window changes to time */
  char     *roi;          /* measure: the region */
} FenCliOptions;

static void
fen_cli_options_clear (FenCliOptions *o)
{
  g_free (o->output);
  g_free (o->window);
  g_free (o->memory_log);
  g_free (o->size);
  g_free (o->roi);
}

static const char *
fen_cli_str (const char *s)
{
  return s != NULL && *s != '\0' ? s : "-";
}

static const char *
fen_cli_voi_name (FenVoiFunction f)
{
  switch (f)
    {
    case FEN_VOI_LINEAR_EXACT: return "LINEAR_EXACT";
    case FEN_VOI_SIGMOID:      return "SIGMOID";
    case FEN_VOI_LINEAR:
    default:                   return "LINEAR";
    }
}

static void
fen_cli_print_info (FenImage *image)
{
  const FenImageInfo *i = fen_image_get_info (image);
  gint32 lo, hi;

  fen_image_get_stored_range (image, &lo, &hi);
  printf ("Format: %s\n", fen_cli_str (i->format));
  printf ("Transfer syntax: %s\n", fen_cli_str (i->transfer_syntax));
  printf ("SOP class: %s\n", fen_cli_str (i->sop_class_uid));
  printf ("Modality: %s\n", fen_cli_str (i->modality));
  printf ("Patient name: %s\n", fen_cli_str (i->patient_name));
  printf ("Patient ID: %s\n", fen_cli_str (i->patient_id));
  printf ("Study date: %s\n", fen_cli_str (i->study_date));
  printf ("Study description: %s\n", fen_cli_str (i->study_description));
  printf ("Series description: %s\n", fen_cli_str (i->series_description));
  printf ("Series number: %d\n", i->series_number);
  printf ("Instance number: %d\n", i->instance_number);
  printf ("Study instance UID: %s\n", fen_cli_str (i->study_uid));
  printf ("Series instance UID: %s\n", fen_cli_str (i->series_uid));
  printf ("SOP instance UID: %s\n", fen_cli_str (i->instance_uid));
  printf ("Frame of reference UID: %s\n", fen_cli_str (i->frame_of_reference_uid));
  printf ("Rows: %u\nColumns: %u\nFrames: %u\n", i->rows, i->columns, i->frames);
  printf ("Samples per pixel: %u\n", i->samples_per_pixel);
  printf ("Bits allocated: %u\nBits stored: %u\nHigh bit: %u\n",
          i->bits_allocated, i->bits_stored, i->high_bit);
  printf ("Pixel representation: %u (%s)\n", i->pixel_representation,
          i->pixel_representation ? "signed" : "unsigned");
  printf ("Photometric interpretation: %s\n", fen_cli_str (i->photometric_name));
  printf ("Planar configuration: %u\n", i->planar_configuration);
  printf ("Rescale slope: %g\nRescale intercept: %g\nRescale type: %s\n",
          i->rescale_slope, i->rescale_intercept, fen_cli_str (i->rescale_type));
  for (guint w = 0; w < i->n_windows; w++)
    printf ("Window %u: center %g width %g (%s)\n", w + 1, i->windows[w].center,
            i->windows[w].width, fen_cli_str (i->windows[w].explanation));
  printf ("VOI LUT function: %s\n", fen_cli_voi_name (i->voi_function));
  for (guint v = 0; v < i->n_voi_luts; v++)
    printf ("VOI LUT %u: %u entries from %d, %u bits (%s)\n", v + 1, i->voi_luts[v].n_entries,
            i->voi_luts[v].first, i->voi_luts[v].bits, fen_cli_str (i->voi_luts[v].explanation));
  if (i->pixel_spacing[0] > 0)
    printf ("Pixel spacing: %g \\ %g mm\n", i->pixel_spacing[0], i->pixel_spacing[1]);
  if (i->has_position)
    printf ("Image position: %g \\ %g \\ %g\n", i->image_position[0], i->image_position[1],
            i->image_position[2]);
  if (i->has_orientation)
    printf ("Image orientation: %g \\ %g \\ %g \\ %g \\ %g \\ %g\n",
            i->image_orientation[0], i->image_orientation[1], i->image_orientation[2],
            i->image_orientation[3], i->image_orientation[4], i->image_orientation[5]);
  printf ("Stored value range: %d .. %d\n", lo, hi);
  printf ("Pixel bytes: %" G_GSIZE_FORMAT "\n", fen_image_get_pixel_bytes (image));
}

static gboolean
fen_cli_render (FenMemoryMonitor *monitor, FenImage *image, const FenCliOptions *o, GError **error)
{
  const char *id = fen_image_get_log_name (image);
  guint frame = (guint) (o->frame - 1);
  FenWindowParams window;
  FenMemoryOperation op;
  gboolean ok;

  if (o->frame < 1 || frame >= fen_image_get_n_frames (image))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--frame %d: the image has %u frame(s), numbered from 1",
                   o->frame, fen_image_get_n_frames (image));
      return FALSE;
    }

  if (o->raw)
    {
      fen_memory_monitor_begin (monitor, &op, "export-raw %s", id);
      ok = fen_export_modality (image, frame, o->output, error);
      fen_memory_monitor_end (monitor, &op);
      return ok;
    }

  fen_window_default (image, frame, &window);
  if (o->window != NULL && !fen_cli_parse_window (o->window, &window, error))
    return FALSE;
  if (o->voi_lut != 0)
    {
      /* PS3.3 C.11.2.1.1: a VOI LUT from the file instead of a window. */
      if (o->voi_lut < 0 || (guint) o->voi_lut > fen_image_get_info (image)->n_voi_luts)
        {
          g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                       "--voi-lut %d: the image has %u VOI LUT(s), numbered from 1",
                       o->voi_lut, fen_image_get_info (image)->n_voi_luts);
          return FALSE;
        }
      window.voi_lut = (guint) o->voi_lut;
    }
  window.invert = o->invert;

  fen_memory_monitor_begin (monitor, &op, "render %s", id);
  ok = fen_export_windowed (image, frame, &window, o->output, error);
  fen_memory_monitor_end (monitor, &op);
  return ok;
}

static gboolean
fen_cli_parse_size (const char *text, guint *width, guint *height, GError **error)
{
  char *end = NULL;
  guint64 w, h;

  if (text != NULL)
    {
      w = g_ascii_strtoull (text, &end, 10);
      if (end != text && (*end == 'x' || *end == 'X'))
        {
          const char *rest = end + 1;

          h = g_ascii_strtoull (rest, &end, 10);
          if (end != rest && *end == '\0' && w >= 1 && h >= 1 && w <= 16384 && h <= 16384)
            {
              *width = (guint) w;
              *height = (guint) h;
              return TRUE;
            }
        }
    }
  g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
               "--size wants WxH (1 to 16384 each), not \"%s\"", text != NULL ? text : "");
  return FALSE;
}

static double
fen_cli_cpu_seconds (void)
{
  struct rusage u;

  getrusage (RUSAGE_SELF, &u);
  return (double) u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 +
         (double) u.ru_stime.tv_sec + u.ru_stime.tv_usec / 1e6;
}

/* What a window/level drag costs the viewer, without the GUI: per update the
 * table is rebuilt and the whole frame rendered fitted (aspect kept, centred)
 * into a W x H BGRA8 buffer, from the pyramid level the viewer would use. */
static gboolean
fen_cli_wl_bench (FenMemoryMonitor *monitor, FenImage *image, const FenCliOptions *o, GError **error)
{
  guint width, height, level, frame = (guint) (o->frame - 1);
  double pixel, cpu, wall;
  g_autoptr(FenLut) lut = NULL;
  g_autoptr(FenRenderer) renderer = NULL;
  g_autoptr(FenPyramid) pyramid = NULL;
  g_autofree guint8 *out = NULL;
  FenWindowParams start, window;
  FenMemoryOperation op;
  FenView view;
  FenPixelRect rect;
  gint64 t0;

  if (!fen_cli_parse_size (o->size, &width, &height, error))
    return FALSE;
  if (o->updates < 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--updates %d: wants at least 1", o->updates);
      return FALSE;
    }
  if (o->frame < 1 || frame >= fen_image_get_n_frames (image))
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   "--frame %d: the image has %u frame(s), numbered from 1",
                   o->frame, fen_image_get_n_frames (image));
      return FALSE;
    }

  fen_window_default (image, frame, &start);

  /* The viewer's view (FenView), fitted: the whole frame, letterboxed and
   * centred, sampled from the pyramid level the viewer would use. */
  fen_view_init (&view);
  fen_view_set_image_size (&view, fen_image_get_width (image), fen_image_get_height (image));
  fen_view_set_output_size (&view, width, height);
  pyramid = fen_pyramid_new (image, frame);

  lut = fen_lut_new ();
  renderer = fen_renderer_new (0, width);
  out = g_malloc ((gsize) width * height * 4);
  window = start;

  /* A first frame, as the viewer has on screen before a drag starts. */
  fen_lut_build (lut, image, frame, &window);
  if (!fen_view_render (&view, 1.0, renderer, image, frame, pyramid, lut, width, height,
                        FEN_PIXEL_BGRA8, out, (gsize) width * 4, &level))
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_UNSUPPORTED, "the frame could not be rendered");
      return FALSE;
    }

  /* The viewer's drag sensitivity, in modality units. */
  pixel = fen_view_window_step (&view, image, frame, start.width);

  fen_memory_monitor_begin (monitor, &op, "wl-bench %s", fen_image_get_log_name (image));
  cpu = fen_cli_cpu_seconds ();
  t0 = g_get_monotonic_time ();
  for (gint i = 1; i <= o->updates; i++)
    {
      /* Right and up, with a one-pixel wobble so that every event moves. */
      window.center = start.center + 0.6 * i * pixel;
      window.width = MAX (1.0, start.width + (i + (i % 2)) * pixel);
      fen_lut_build (lut, image, frame, &window);
      /* As the viewer: only the image's visible rectangle, into a buffer
       * of its size (the letterbox is GTK's background). */
      fen_view_get_visible_rect (&view, 1.0, image, width, height, &rect);
      fen_view_render_rect (&view, 1.0, renderer, image, frame, pyramid, lut, &rect,
                            FEN_PIXEL_BGRA8, out, (gsize) rect.width * 4, NULL);
    }
  wall = (g_get_monotonic_time () - t0) / 1e3;
  cpu = (fen_cli_cpu_seconds () - cpu) * 1e3;
  fen_memory_monitor_end (monitor, &op);

  printf ("wl-bench: %d updates, CPU %.3f ms per update, wall %.3f ms per update, %ux%u, pyramid level %u\n",
          o->updates, cpu / o->updates, wall / o->updates, width, height, level);
  return TRUE;
}

/* Patients, studies and series of a folder or DICOMDIR. Names and IDs are
 * patient data: they go to stdout, which the user asked for, never a log. */
static int
fen_cli_index (const char *path)
{
  g_autoptr(FenStudyIndex) index = fen_study_index_new ();
  g_autoptr(GError) error = NULL;
  const GPtrArray *patients, *problems;
  gboolean ok = fen_study_index_add_path (index, path, NULL, &error);

  if (!ok)
    {
      fprintf (stderr, "fenestra-cli: %s\n", error->message);
      return 1;
    }
  patients = fen_study_index_get_patients (index);
  for (guint p = 0; p < patients->len; p++)
    {
      const FenStudyPatient *patient = patients->pdata[p];
      printf ("Patient %s (%s)\n", fen_cli_str (patient->name), fen_cli_str (patient->patient_id));
      for (guint s = 0; s < patient->studies->len; s++)
        {
          const FenStudy *study = patient->studies->pdata[s];
          printf ("  Study %s %s\n", fen_cli_str (study->date), fen_cli_str (study->description));
          for (guint r = 0; r < study->series->len; r++)
            {
              const FenStudySeries *series = study->series->pdata[r];
              const FenStudyObject *first = series->objects->pdata[0];
              printf ("    Series %d %s %s: %u %s object(s)\n", series->number,
                      fen_cli_str (series->modality), fen_cli_str (series->description),
                      series->objects->len, fen_object_kind_to_string (first->kind));
            }
        }
    }
  problems = fen_study_index_get_problems (index);
  for (guint i = 0; i < problems->len; i++)
    fprintf (stderr, "fenestra-cli: skipped: %s\n", (const char *) problems->pdata[i]);
  /* PNG and TIFF files are not DICOM either (the viewer opens them). */
  printf ("%u object(s), %u file(s) not DICOM, %u skipped\n", fen_study_index_get_n_objects (index),
          fen_study_index_get_n_ignored (index) + fen_study_index_get_rasters (index)->len, problems->len);
  return 0;
}

static int
fen_cli_usage (GOptionContext *context, const char *message)
{
  g_autofree char *help = g_option_context_get_help (context, TRUE, NULL);

  if (message != NULL)
    fprintf (stderr, "fenestra-cli: %s\n", message);
  fputs (help, stderr);
  return 2;
}

int
main (int argc, char **argv)
{
  FenCliOptions o = { .frame = 1, .updates = 200 };
  GOptionEntry entries[] = {
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, "Write the rendered frame to FILE (.png, .tiff)", "FILE" },
    { "frame", 0, 0, G_OPTION_ARG_INT, &o.frame, "Frame to render, from 1 (default 1)", "N" },
    { "window", 0, 0, G_OPTION_ARG_STRING, &o.window, "Window in modality units", "CENTER,WIDTH" },
    { "voi-lut", 0, 0, G_OPTION_ARG_INT, &o.voi_lut, "Use the file's N-th VOI LUT instead of a window", "N" },
    { "invert", 0, 0, G_OPTION_ARG_NONE, &o.invert, "Invert the output", NULL },
    { "raw", 0, 0, G_OPTION_ARG_NONE, &o.raw, "Write modality values unwindowed as 16-bit", NULL },
    { "memory-log", 0, 0, G_OPTION_ARG_FILENAME, &o.memory_log, "Append memory snapshots to FILE as JSON lines", "FILE" },
    { "max-pixel-bytes", 0, 0, G_OPTION_ARG_INT64, &o.max_bytes, "Refuse images larger than this", "BYTES" },
    { "size", 0, 0, G_OPTION_ARG_STRING, &o.size, "wl-bench: the output size", "WxH" },
    { "updates", 0, 0, G_OPTION_ARG_INT, &o.updates, "wl-bench: window changes to time (default 200)", "N" },
    { "roi", 0, 0, G_OPTION_ARG_STRING, &o.roi, "measure: ellipse:X,Y,RX,RY, rect:X,Y,W,H or polygon:X1,Y1,...", "SHAPE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("info|index|render|measure|wl-bench FILE, or mpr SERIES_DIR, or pacs ...");
  g_autoptr(GError) error = NULL;
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(FenMemoryMonitor) monitor = fen_memory_monitor_new (64);
  FenLoadOptions load = { 0 };
  FenMemoryOperation op;
  const char *command, *path;
  FenImage *image;
  int status = 0;

  setlocale (LC_ALL, "");
  /* mpr takes a folder and options of its own (fen-cli-mpr.c). */
  if (argc > 1 && strcmp (argv[1], "mpr") == 0)
    return fen_cli_mpr_main (argc, argv);
  /* pacs has its own subcommands and options (fen-cli-pacs.c). */
  if (argc >= 2 && strcmp (argv[1], "pacs") == 0)
    {
      fen_cli_options_clear (&o);
      return fen_cli_pacs (argc - 1, argv + 1);
    }
  g_option_context_set_summary (context,
    "  info FILE              print the image's metadata\n"
    "  index FOLDER|DICOMDIR  list the patients, studies and series found\n"
    "  render FILE -o OUT     write a frame at 1:1, windowed (8-bit) or --raw (16-bit)\n"
    "  measure FILE --roi SHAPE [--frame N]\n"
    "                         statistics of the modality values in a region, as JSON\n"
    "  wl-bench FILE --size WxH [--updates N]\n"
    "                         time window changes rendered fitted, as a drag in the viewer\n"
    "  mpr SERIES_DIR|DICOMDIR --plane axial|coronal|sagittal --index N -o OUT [--slab mip|minip|avg:MM] [--raw]\n"
    "                         a reformatted plane of the one series in a folder (walked as\n"
    "                         index walks it) or DICOMDIR (mpr --help for its options)\n"
    "  pacs echo|find|get NODE ...  query and retrieve (fenestra-cli pacs --help)");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      status = fen_cli_usage (context, error->message);
      goto out;
    }
  if (argc != 3 || (strcmp (argv[1], "info") != 0 && strcmp (argv[1], "render") != 0 &&
                    strcmp (argv[1], "index") != 0 && strcmp (argv[1], "wl-bench") != 0 &&
                    strcmp (argv[1], "measure") != 0))
    {
      status = fen_cli_usage (context, "expected a command (info, index, render, measure, wl-bench, mpr or pacs) and one FILE");
      goto out;
    }
  command = argv[1];
  path = argv[2];
  if (strcmp (command, "index") == 0)
    {
      status = fen_cli_index (path);
      goto out;
    }
  if (strcmp (command, "measure") == 0 && o.roi == NULL)
    {
      status = fen_cli_usage (context, "measure needs --roi SHAPE");
      goto out;
    }
  if (strcmp (command, "render") == 0 && o.output == NULL)
    {
      status = fen_cli_usage (context, "render needs -o OUT.png or -o OUT.tiff");
      goto out;
    }
  if (strcmp (command, "wl-bench") == 0)
    {
      guint w, h;

      if (o.size == NULL)
        {
          status = fen_cli_usage (context, "wl-bench needs --size WxH");
          goto out;
        }
      if (!fen_cli_parse_size (o.size, &w, &h, &error))
        {
          status = fen_cli_usage (context, error->message);
          goto out;
        }
      if (o.updates < 1)
        {
          status = fen_cli_usage (context, "--updates wants at least 1");
          goto out;
        }
    }

  fen_memory_monitor_set_store (monitor, store);
  if (o.memory_log != NULL && !fen_memory_monitor_open_log (monitor, o.memory_log, &error))
    {
      fprintf (stderr, "fenestra-cli: %s\n", error->message);
      status = 1;
      goto out;
    }
  /* Decoders and DCMTK's dictionary first, so "open" measures the image alone. */
  fen_loader_init ();
  fen_memory_monitor_mark (monitor, "start");

  load.max_pixel_bytes = (gsize) MAX (o.max_bytes, 0);
  fen_memory_monitor_begin (monitor, &op, "open");
  image = fen_load_into_store (store, path, &load, &error);
  if (image != NULL)
    g_snprintf (op.before.label, sizeof op.before.label, "open %s", fen_image_get_log_name (image));
  fen_memory_monitor_end (monitor, &op);
  if (image == NULL)
    {
      fprintf (stderr, "fenestra-cli: %s\n", error->message);
      status = 1;
      goto out;
    }

  if (strcmp (command, "info") == 0)
    fen_cli_print_info (image);
  else if (strcmp (command, "measure") == 0)
    {
      if (!fen_cli_measure (image, o.frame, o.roi, &error))
        {
          g_autofree char *name = g_path_get_basename (path);
          fprintf (stderr, "fenestra-cli: %s: %s\n", name, error->message);
          status = 1;
        }
    }
  else if (strcmp (command, "wl-bench") == 0 ? !fen_cli_wl_bench (monitor, image, &o, &error)
                                             : !fen_cli_render (monitor, image, &o, &error))
    {
      g_autofree char *name = g_path_get_basename (path);
      fprintf (stderr, "fenestra-cli: %s: %s\n", name, error->message);
      status = 1;
    }

  fen_memory_monitor_begin (monitor, &op, "close %s", fen_image_get_log_name (image));
  fen_store_close (store, fen_image_get_id (image));
  fen_memory_monitor_end (monitor, &op);

out:
  fen_cli_options_clear (&o);
  return status;
}
