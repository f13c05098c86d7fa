/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-make-fixture.c: writes a synthetic DICOM file for the reference test, so
 * that no binary fixture lives in the tree. The pixels go to a raw file and the
 * attributes to a DCMTK dump; dump2dcm turns both into an explicit VR little
 * endian Part 10 file. Letting DCMTK write the file (rather than hand-rolled
 * C) means the fixture is by construction something DCMTK itself accepts, and
 * every other transfer syntax is then produced by DCMTK's own converters. */
#define G_LOG_DOMAIN "fen-make-fixture"

#include <glib.h>
#include <glib/gstdio.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define FEN_FIXTURE_MAX_WINDOWS 4
/* Fixed so that every run, on every machine, produces the same pixels. */
#define FEN_FIXTURE_SEED 20240611u

/* Private UID root under 2.25 (PS3.5 B.2: UUID-derived) so fixtures never
 * collide with a real object's UIDs. */
#define FEN_FIXTURE_UID_ROOT "2.25.32938470134786239384601740124"

typedef struct {
  const char *name;
  const char *sop_class_uid;
  const char *modality;
  const char *photometric;
  guint       samples_per_pixel;
  guint       planar_configuration;
  guint       bits_allocated;
  guint       bits_stored;
  guint       pixel_representation;
  /* The stored values the content spans, both ends reached in every frame. */
  gint32      lo;
  gint32      hi;
  guint       default_frames;
  /* Random bits above the high bit, which a conforming reader must ignore
   * (PS3.5 8.1.1: only bits stored are significant). */
  gboolean    garbage_high_bits;
  gboolean    is_ct;
} FenFixtureKind;

static const FenFixtureKind fen_fixture_kinds[] = {
  { "ct-s16", "1.2.840.10008.5.1.4.1.1.2", "CT", "MONOCHROME2", 1, 0, 16, 16, 1,
    -32768, 32767, 1, FALSE, TRUE },
  { "ct-u12", "1.2.840.10008.5.1.4.1.1.2", "CT", "MONOCHROME2", 1, 0, 16, 12, 0,
    0, 4095, 1, FALSE, TRUE },
  { "ct-u16", "1.2.840.10008.5.1.4.1.1.2", "CT", "MONOCHROME2", 1, 0, 16, 16, 0,
    0, 65535, 1, FALSE, TRUE },
  /* MR content deliberately stops well short of the type range, so a
   * min-max window differs from the bits-stored range. */
  { "mr", "1.2.840.10008.5.1.4.1.1.4", "MR", "MONOCHROME2", 1, 0, 16, 16, 0,
    0, 3000, 1, FALSE, FALSE },
  { "mono1", "1.2.840.10008.5.1.4.1.1.1", "CR", "MONOCHROME1", 1, 0, 16, 12, 0,
    0, 4095, 1, FALSE, FALSE },
  { "u8", "1.2.840.10008.5.1.4.1.1.7", "OT", "MONOCHROME2", 1, 0, 8, 8, 0,
    0, 255, 1, FALSE, FALSE },
  { "rgb", "1.2.840.10008.5.1.4.1.1.7", "OT", "RGB", 3, 0, 8, 8, 0,
    0, 255, 1, FALSE, FALSE },
  { "rgb-planar", "1.2.840.10008.5.1.4.1.1.7", "OT", "RGB", 3, 1, 8, 8, 0,
    0, 255, 1, FALSE, FALSE },
  { "multiframe", "1.2.840.10008.5.1.4.1.1.7.3", "OT", "MONOCHROME2", 1, 0, 16, 12, 0,
    0, 4095, 3, FALSE, FALSE },
  { "s12-in-16", "1.2.840.10008.5.1.4.1.1.7", "OT", "MONOCHROME2", 1, 0, 16, 12, 1,
    -2048, 2047, 1, TRUE, FALSE },
  /* RT Dose (PS3.3 A.18): 32-bit unsigned doses scaled by Dose Grid
   * Scaling, frames along Grid Frame Offset Vector. */
  { "rtdose", "1.2.840.10008.5.1.4.1.1.481.2", "RTDOSE", "MONOCHROME2", 1, 0, 32, 32, 0,
    0, 2000000, 2, FALSE, FALSE },
  /* Segmentation (PS3.3 A.51), BINARY: one bit a pixel, packed eight to a
   * byte across frames (PS3.5 8.1.1). */
  { "seg", "1.2.840.10008.5.1.4.1.1.66.4", "SEG", "MONOCHROME2", 1, 0, 1, 1, 0,
    0, 1, 2, FALSE, FALSE },
};

typedef struct {
  double center;
  double width;
} FenFixtureWindow;

typedef struct {
  const FenFixtureKind *kind;
  guint                 rows;
  guint                 cols;
  guint                 frames;
  FenFixtureWindow      windows[FEN_FIXTURE_MAX_WINDOWS];
  guint                 n_windows;
  gboolean              has_rescale;
  double                slope;
  double                intercept;
  const char           *output;
  gboolean              keep;
} FenFixtureOptions;

static const FenFixtureKind *
fen_fixture_kind_lookup (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fen_fixture_kinds); i++)
    if (strcmp (fen_fixture_kinds[i].name, name) == 0)
      return &fen_fixture_kinds[i];
  return NULL;
}

/* "A,B" as two doubles; C locale whatever the environment says. */
static gboolean
fen_fixture_parse_pair (const char *text, double *a, double *b)
{
  char *end = NULL;

  *a = g_ascii_strtod (text, &end);
  if (end == text || *end != ',')
    return FALSE;
  text = end + 1;
  *b = g_ascii_strtod (text, &end);
  return end != text && *end == '\0';
}

/*
 * The content of one frame as a level in [0, 1] per pixel and channel, later
 * spread over the kind's stored range. It mixes what exercises a window
 * table: a smooth gradient (every level between the ends appears, so a
 * misplaced window edge shows), a ripple (local contrast), seeded noise
 * (neighbouring values differ, so a decoder's predictor is exercised), a disk
 * at exactly the maximum and a square at exactly the minimum (so min-max
 * windows see the same extremes in every frame). Each frame runs its gradient
 * another way and moves the disk, so rendering the wrong frame cannot pass.
 */
static double
fen_fixture_level (const FenFixtureOptions *opt,
                   GRand                   *rand,
                   guint                    frame,
                   guint                    channel,
                   guint                    x,
                   guint                    y)
{
  double u = opt->cols > 1 ? (double) x / (opt->cols - 1) : 0.0;
  double v = opt->rows > 1 ? (double) y / (opt->rows - 1) : 0.0;
  double radius = MIN (opt->rows, opt->cols) / 6.0;
  double cx = opt->cols * (0.6 - 0.15 * frame);
  double cy = opt->rows * (0.4 + 0.15 * frame);
  guint square = MAX (2, MIN (opt->rows, opt->cols) / 16);
  double level;

  /* Channel and frame pick the gradient's direction. */
  switch ((frame + channel) % 3)
    {
    case 0:
      level = 0.75 * u + 0.25 * v;
      break;
    case 1:
      level = 0.2 * u + 0.8 * (1.0 - v);
      break;
    default:
      level = hypot (u - 0.5, v - 0.5) / hypot (0.5, 0.5);
      break;
    }
  level += 0.05 * sin (2 * G_PI * x / 37.0) * cos (2 * G_PI * y / 53.0);
  level += g_rand_double_range (rand, -0.01, 0.01);

  if (hypot (x + 0.5 - cx, y + 0.5 - cy) < radius)
    level = 1.0;
  if (x < square && y < square)
    level = 0.0;
  return CLAMP (level, 0.0, 1.0);
}

static gint32
fen_fixture_stored_value (const FenFixtureKind *kind, double level)
{
  double span = (double) kind->hi - (double) kind->lo;

  return kind->lo + (gint32) floor (level * span + 0.5);
}

/* Little endian, as dump2dcm reads OW from a file by default (+rl). */
static guint8 *
fen_fixture_make_pixels (const FenFixtureOptions *opt, gsize *out_len)
{
  const FenFixtureKind *kind = opt->kind;
  guint spp = kind->samples_per_pixel;
  gsize bps = kind->bits_allocated / 8;
  gsize frame_samples = (gsize) opt->rows * opt->cols * spp;
  /* 1-bit samples: packed, the frames one run of bits (PS3.5 8.1.1). */
  gsize len = bps > 0 ? frame_samples * opt->frames * bps : (frame_samples * opt->frames + 7) / 8;
  guint8 *pixels;
  g_autoptr(GRand) rand = g_rand_new_with_seed (FEN_FIXTURE_SEED);
  g_autoptr(GRand) garbage = g_rand_new_with_seed (FEN_FIXTURE_SEED + 1);
  guint32 stored_mask = kind->bits_stored >= 32 ? G_MAXUINT32 : (guint32) ((1u << kind->bits_stored) - 1);

  /* DICOM values have even length (PS3.5 7.1.1). */
  pixels = g_malloc0 (len + (len & 1));

  for (guint f = 0; f < opt->frames; f++)
    for (guint y = 0; y < opt->rows; y++)
      for (guint x = 0; x < opt->cols; x++)
        for (guint c = 0; c < spp; c++)
          {
            double level = fen_fixture_level (opt, rand, f, c, x, y);
            guint32 word = (guint32) fen_fixture_stored_value (kind, level) & stored_mask;
            gsize index;

            if (kind->garbage_high_bits)
              word |= g_rand_int (garbage) & ~stored_mask;

            /* PS3.3 C.7.6.3.1.3: planar configuration 1 stores each colour
             * plane of a frame after the other. */
            if (kind->planar_configuration == 1)
              index = f * frame_samples + (gsize) c * opt->rows * opt->cols
                      + (gsize) y * opt->cols + x;
            else
              index = f * frame_samples + ((gsize) y * opt->cols + x) * spp + c;

            if (bps == 0)   /* first pixel in the least significant bit */
              pixels[index / 8] |= (guint8) ((word & 1) << (index % 8));
            else
              for (gsize b = 0; b < bps; b++)
                pixels[bps * index + b] = (guint8) ((word >> (8 * b)) & 0xff);
          }

  *out_len = len + (len & 1);
  return pixels;
}

/* A DS value (PS3.5 6.2: at most 16 characters). */
static char *
fen_fixture_format_ds (double value)
{
  char buf[G_ASCII_DTOSTR_BUF_SIZE];

  for (int digits = 10; digits > 1; digits--)
    {
      g_autofree char *format = g_strdup_printf ("%%.%dg", digits);

      g_ascii_formatd (buf, sizeof buf, format, value);
      if (strlen (buf) <= 16)
        return g_strdup (buf);
    }
  g_ascii_formatd (buf, sizeof buf, "%.1g", value);
  return g_strdup (buf);
}

static char *
fen_fixture_make_dump (const FenFixtureOptions *opt, const char *raw_path)
{
  const FenFixtureKind *kind = opt->kind;
  GString *dump = g_string_new (NULL);
  guint kind_index = (guint) (kind - fen_fixture_kinds);

  g_string_append_printf (dump, "# Fenestra reference fixture, kind %s\n", kind->name);
  g_string_append_printf (dump, "(0008,0016) UI [%s]\n", kind->sop_class_uid);
  g_string_append_printf (dump, "(0008,0018) UI [%s.%u.3]\n", FEN_FIXTURE_UID_ROOT, kind_index);
  g_string_append_printf (dump, "(0008,0060) CS [%s]\n", kind->modality);
  g_string_append (dump, "(0010,0010) PN [Fixture^Fenestra]\n");
  g_string_append (dump, "(0010,0020) LO [FEN-FIXTURE]\n");
  g_string_append_printf (dump, "(0020,000d) UI [%s.%u.1]\n", FEN_FIXTURE_UID_ROOT, kind_index);
  g_string_append_printf (dump, "(0020,000e) UI [%s.%u.2]\n", FEN_FIXTURE_UID_ROOT, kind_index);
  g_string_append_printf (dump, "(0028,0002) US %u\n", kind->samples_per_pixel);
  g_string_append_printf (dump, "(0028,0004) CS [%s]\n", kind->photometric);
  if (kind->samples_per_pixel > 1)
    g_string_append_printf (dump, "(0028,0006) US %u\n", kind->planar_configuration);
  if (opt->frames > 1 || kind->default_frames > 1)
    g_string_append_printf (dump, "(0028,0008) IS [%u]\n", opt->frames);
  g_string_append_printf (dump, "(0028,0010) US %u\n", opt->rows);
  g_string_append_printf (dump, "(0028,0011) US %u\n", opt->cols);
  g_string_append_printf (dump, "(0028,0100) US %u\n", kind->bits_allocated);
  g_string_append_printf (dump, "(0028,0101) US %u\n", kind->bits_stored);
  g_string_append_printf (dump, "(0028,0102) US %u\n", kind->bits_stored - 1);
  g_string_append_printf (dump, "(0028,0103) US %u\n", kind->pixel_representation);

  if (opt->n_windows > 0)
    {
      /* Multiple values are separated by a backslash (PS3.5 6.4). */
      GString *centers = g_string_new (NULL);
      GString *widths = g_string_new (NULL);
      GString *names = g_string_new (NULL);

      for (guint i = 0; i < opt->n_windows; i++)
        {
          g_autofree char *c = fen_fixture_format_ds (opt->windows[i].center);
          g_autofree char *w = fen_fixture_format_ds (opt->windows[i].width);
          const char *sep = i > 0 ? "\\" : "";

          g_string_append_printf (centers, "%s%s", sep, c);
          g_string_append_printf (widths, "%s%s", sep, w);
          g_string_append_printf (names, "%sWINDOW%u", sep, i + 1);
        }
      g_string_append_printf (dump, "(0028,1050) DS [%s]\n", centers->str);
      g_string_append_printf (dump, "(0028,1051) DS [%s]\n", widths->str);
      g_string_append_printf (dump, "(0028,1055) LO [%s]\n", names->str);
      g_string_free (centers, TRUE);
      g_string_free (widths, TRUE);
      g_string_free (names, TRUE);
    }

  if (opt->has_rescale || kind->is_ct)
    {
      g_autofree char *intercept = fen_fixture_format_ds (opt->has_rescale ? opt->intercept : 0.0);
      g_autofree char *slope = fen_fixture_format_ds (opt->has_rescale ? opt->slope : 1.0);

      g_string_append_printf (dump, "(0028,1052) DS [%s]\n", intercept);
      g_string_append_printf (dump, "(0028,1053) DS [%s]\n", slope);
      g_string_append_printf (dump, "(0028,1054) LO [%s]\n", kind->is_ct ? "HU" : "US");
    }

  if (strcmp (kind->modality, "RTDOSE") == 0)
    {
      /* PS3.3 C.8.8.3: dose = stored value x Dose Grid Scaling, in Gy;
       * frames at the offsets of Grid Frame Offset Vector, which Frame
       * Increment Pointer names. */
      GString *offsets = g_string_new (NULL);

      for (guint f = 0; f < opt->frames; f++)
        g_string_append_printf (offsets, "%s%u", f > 0 ? "\\" : "", 2 * f);
      g_string_append (dump, "(0028,0009) AT (3004,000c)\n");
      g_string_append (dump, "(3004,0002) CS [GY]\n");
      g_string_append (dump, "(3004,0004) CS [PHYSICAL]\n");
      g_string_append (dump, "(3004,000a) CS [PLAN]\n");
      g_string_append_printf (dump, "(3004,000c) DS [%s]\n", offsets->str);
      g_string_append (dump, "(3004,000e) DS [1e-05]\n");
      g_string_free (offsets, TRUE);
    }
  if (strcmp (kind->modality, "SEG") == 0)
    g_string_append (dump, "(0062,0001) CS [BINARY]\n");

  g_string_append_printf (dump, "(7fe0,0010) %s =%s\n",
                          kind->bits_allocated <= 8 ? "OB" : "OW", raw_path);
  return g_string_free (dump, FALSE);
}

static gboolean
fen_fixture_run_dump2dcm (const char *dump_path, const char *output, GError **error)
{
  const char *argv[] = { "dump2dcm", "--write-xfer-little", "--quiet",
                         dump_path, output, NULL };
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                     NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "dump2dcm failed (%s): ", err ? g_strstrip (err) : "");
      return FALSE;
    }
  return TRUE;
}

static gboolean
fen_fixture_write (const FenFixtureOptions *opt, GError **error)
{
  g_autofree char *raw_path = g_strconcat (opt->output, ".raw", NULL);
  g_autofree char *dump_path = g_strconcat (opt->output, ".dump", NULL);
  g_autofree guint8 *pixels = NULL;
  g_autofree char *dump = NULL;
  gsize len = 0;
  gboolean ok;

  /* dump2dcm's "=file" syntax ends the name at the first blank. */
  if (strpbrk (raw_path, " \t#[]") != NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s: output path must not contain blanks, '#' or brackets",
                   opt->output);
      return FALSE;
    }

  pixels = fen_fixture_make_pixels (opt, &len);
  dump = fen_fixture_make_dump (opt, raw_path);
  if (!g_file_set_contents (raw_path, (const char *) pixels, (gssize) len, error)
      || !g_file_set_contents (dump_path, dump, -1, error))
    return FALSE;

  ok = fen_fixture_run_dump2dcm (dump_path, opt->output, error);
  if (!opt->keep)
    {
      g_unlink (raw_path);
      g_unlink (dump_path);
    }
  return ok;
}

int
main (int argc, char **argv)
{
  g_autofree char *kind_name = NULL;
  g_autofree char *output = NULL;
  g_autofree char *rescale = NULL;
  g_auto(GStrv) windows = NULL;
  int rows = 256, cols = 256, frames = 0;
  gboolean keep = FALSE;
  GOptionEntry entries[] = {
    { "kind", 0, 0, G_OPTION_ARG_STRING, &kind_name,
      "ct-s16|ct-u12|ct-u16|mr|mono1|u8|rgb|rgb-planar|multiframe|s12-in-16", "KIND" },
    { "rows", 0, 0, G_OPTION_ARG_INT, &rows, "Rows (default 256)", "N" },
    { "cols", 0, 0, G_OPTION_ARG_INT, &cols, "Columns (default 256)", "N" },
    { "frames", 0, 0, G_OPTION_ARG_INT, &frames, "Frames (default 3 for multiframe, else 1)", "N" },
    { "window", 0, 0, G_OPTION_ARG_STRING_ARRAY, &windows,
      "Window Center/Width in modality units; repeat for more windows", "C,W" },
    { "rescale", 0, 0, G_OPTION_ARG_STRING, &rescale, "Rescale Slope and Intercept", "SLOPE,INTERCEPT" },
    { "keep", 0, 0, G_OPTION_ARG_NONE, &keep, "Keep the intermediate .raw and .dump files", NULL },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &output, "Output DICOM file", "FILE" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- write a synthetic DICOM fixture");
  g_autoptr(GError) error = NULL;
  FenFixtureOptions opt = { 0 };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("fen-make-fixture: %s\n", error->message);
      return 2;
    }
  if (kind_name == NULL || output == NULL)
    {
      g_printerr ("fen-make-fixture: --kind and -o are required\n");
      return 2;
    }

  opt.kind = fen_fixture_kind_lookup (kind_name);
  if (opt.kind == NULL)
    {
      g_printerr ("fen-make-fixture: unknown kind '%s'\n", kind_name);
      return 2;
    }
  /* Rows and Columns are US (PS3.3 C.7.6.3); keep frames small enough that
   * the pixel data length fits its 32-bit length field. */
  if (rows < 1 || rows > 4096 || cols < 1 || cols > 4096 || frames < 0 || frames > 64)
    {
      g_printerr ("fen-make-fixture: rows and columns must be 1..4096, frames 1..64\n");
      return 2;
    }
  opt.rows = (guint) rows;
  opt.cols = (guint) cols;
  opt.frames = frames > 0 ? (guint) frames : opt.kind->default_frames;
  opt.output = output;
  opt.keep = keep;

  for (guint i = 0; windows != NULL && windows[i] != NULL; i++)
    {
      if (i >= FEN_FIXTURE_MAX_WINDOWS
          || !fen_fixture_parse_pair (windows[i], &opt.windows[i].center, &opt.windows[i].width)
          || opt.windows[i].width < 1.0)
        {
          g_printerr ("fen-make-fixture: bad --window '%s' (at most %d, width >= 1)\n",
                      windows[i], FEN_FIXTURE_MAX_WINDOWS);
          return 2;
        }
      opt.n_windows = i + 1;
    }

  if (rescale != NULL)
    {
      if (!fen_fixture_parse_pair (rescale, &opt.slope, &opt.intercept) || opt.slope == 0.0)
        {
          g_printerr ("fen-make-fixture: bad --rescale '%s'\n", rescale);
          return 2;
        }
      opt.has_rescale = TRUE;
    }

  if (!fen_fixture_write (&opt, &error))
    {
      g_printerr ("fen-make-fixture: %s\n", error->message);
      return 1;
    }
  return 0;
}
