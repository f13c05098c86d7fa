/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dicom-formats.c: pixel layouts and value transforms the loader
 * converts at load time (issue 5, items 2 and 3): PALETTE COLOR (plain and
 * segmented), 1-bit, 32-bit (RT dose, narrowed with the rescale kept), 32-bit
 * RLE, Modality LUT Sequence, Presentation LUT Shape INVERSE, Pixel Padding
 * Value, VOI LUT Sequence, enhanced multi-frame per-frame values. Files are
 * written here byte by byte; values are checked against what was written and,
 * where DCMTK renders the case, the rendered output against dcm2pnm's. */
#define G_LOG_DOMAIN "fen-test-dicom-formats"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <fenestra/fenestra.h>

#include "fen-test-dicom-writer.h"

static char *fen_test_dir;

typedef struct {
  guint       rows, columns, frames, samples, bits_allocated, bits_stored;
  guint       pixel_representation;
  const char *photometric;
} FenLayout;

/* Part 10 header and the Image Pixel module of @l, with Planar
 * Configuration (0028,0006) @planar unless it is negative; the caller adds
 * extra attributes (in tag order, after 0028,0103) and then the pixels. */
static GByteArray *
fen_start_planar (const FenLayout *l, int planar)
{
  GByteArray *out = fen_part10_start ("1.2.840.10008.1.2.1");
  char frames[16];

  g_snprintf (frames, sizeof frames, "%u", l->frames);
  fen_put_string (out, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7");
  fen_put_string (out, 0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9.9999.6.1");
  fen_put_us (out, 0x0028, 0x0002, (guint16) l->samples, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", l->photometric);
  if (planar >= 0)
    fen_put_us (out, 0x0028, 0x0006, (guint16) planar, FALSE);
  if (l->frames > 1)
    fen_put_string (out, 0x0028, 0x0008, "IS", frames);
  fen_put_us (out, 0x0028, 0x0010, (guint16) l->rows, FALSE);
  fen_put_us (out, 0x0028, 0x0011, (guint16) l->columns, FALSE);
  fen_put_us (out, 0x0028, 0x0100, (guint16) l->bits_allocated, FALSE);
  fen_put_us (out, 0x0028, 0x0101, (guint16) l->bits_stored, FALSE);
  fen_put_us (out, 0x0028, 0x0102, (guint16) (l->bits_stored - 1), FALSE);
  fen_put_us (out, 0x0028, 0x0103, (guint16) l->pixel_representation, FALSE);
  return out;
}

/* As fen_start_planar(), without Planar Configuration. */
static GByteArray *
fen_start (const FenLayout *l)
{
  return fen_start_planar (l, -1);
}

static void
fen_put_words (GByteArray *out, guint16 group, guint16 element, const char *vr,
               const guint16 *words, guint n)
{
  fen_put_explicit (out, group, element, vr, n * 2);
  for (guint i = 0; i < n; i++)
    fen_put_u16 (out, words[i]);
}

static void
fen_put_pixel_bytes (GByteArray *out, const void *data, guint len, gboolean words)
{
  fen_put_explicit (out, 0x7fe0, 0x0010, words ? "OW" : "OB", len + (len & 1));
  g_byte_array_append (out, data, len);
  if (len & 1)
    g_byte_array_append (out, (const guint8 *) "", 1);
}

/* Pixel Data (7FE0,0010) from @data, then @file (freed) written as @name
 * in the test's folder. Returns: (transfer full): its path. */
static char *
fen_finish (GByteArray *file, const void *data, guint len, gboolean words, const char *name)
{
  char *path;

  fen_put_pixel_bytes (file, data, len, words);
  path = fen_test_write_file (fen_test_dir, name, file);
  g_byte_array_unref (file);
  return path;
}

/* An item (FFFE,E000) of explicit length holding @content, added to @items
 * (PS3.5 7.5). */
static void
fen_put_item (GByteArray *items, const GByteArray *content)
{
  fen_put_tag (items, 0xfffe, 0xe000);
  fen_put_u32 (items, content->len);
  g_byte_array_append (items, content->data, content->len);
}

/* A sequence of explicit length holding @items (fen_put_item's; freed). */
static void
fen_put_sequence (GByteArray *out, guint16 group, guint16 element, GByteArray *items)
{
  fen_put_explicit (out, group, element, "SQ", items->len);
  g_byte_array_append (out, items->data, items->len);
  g_byte_array_unref (items);
}

/* The path of DCMTK's tool @name, or NULL and the test failed: a missing
 * tool fails the test (tools/deps.sh installs it). */
static char *
fen_find_dcmtk (const char *name)
{
  char *exe = g_find_program_in_path (name);

  if (exe == NULL)
    g_test_fail_printf ("%s (DCMTK) not installed: a missing tool fails the test (tools/deps.sh installs it)", name);
  return exe;
}

/* Runs @argv (a tool writing a file; its standard output dropped) and
 * asserts that it exited with 0. */
static void
fen_spawn_ok (const char *const *argv)
{
  int status = 0;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, NULL);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

static FenImage *
fen_load_ok (const char *path)
{
  GError *error = NULL;
  FenImage *image = fen_load_file (path, NULL, &error);
  g_assert_no_error (error);
  return image;
}

/* --- dcm2pnm as the reference renderer ------------------------------------ */

/* Runs dcm2pnm (extra options then in, out) and reads the binary PNM it
 * writes. NULL (and the test failed) without the tool. */
static guint8 *
fen_dcm2pnm (const char *in, const char *option, guint *width, guint *height, guint *channels)
{
  /* dcmj2pnm is dcm2pnm with the JPEG decoders registered. */
  g_autofree char *exe = fen_find_dcmtk ("dcmj2pnm");
  g_autofree char *out = g_strconcat (in, ".pnm", NULL);
  g_autofree char *data = NULL;
  gsize len = 0;
  int status = 0, maxval = 0, consumed = 0;
  char magic[3] = { 0 };
  GError *error = NULL;

  if (exe == NULL)
    return NULL;
  /* @option may carry its value after a space ("+Wl 1"). */
  g_auto(GStrv) words = g_strsplit (option ? option : "--no-windowing", " ", 2);
  const char *argv[] = { exe, "--write-raw-pnm", words[0], words[1] ? words[1] : in,
                         words[1] ? in : out, words[1] ? out : NULL, NULL };
  g_autofree char *err = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("dcm2pnm %s failed: %s", in, err);
  g_assert_true (g_file_get_contents (out, &data, &len, NULL));
  g_assert_cmpint (sscanf (data, "%2s %u %u %d%n", magic, width, height, &maxval, &consumed), ==, 4);
  g_assert_cmpint (maxval, ==, 255);
  *channels = strcmp (magic, "P6") == 0 ? 3 : 1;
  consumed++; /* the one whitespace after maxval */
  g_assert_cmpuint (len - consumed, ==, (gsize) *width * *height * *channels);
  return g_memdup2 (data + consumed, len - consumed);
}

/* Renders frame 0 with @params through Fenestra's engine, 1:1, as RGB. */
static guint8 *
fen_render (FenImage *image, const FenWindowParams *params)
{
  g_autoptr(FenRenderer) renderer = fen_renderer_new (1, fen_image_get_width (image));
  g_autoptr(FenLut) lut = fen_lut_new ();
  const gsize stride = (gsize) fen_image_get_width (image) * 3;
  guint8 *out = g_malloc (stride * fen_image_get_height (image));

  fen_lut_build (lut, image, 0, params);
  g_assert_true (fen_renderer_render_full (renderer, image, 0, lut, FEN_PIXEL_RGB8, out, stride));
  return out;
}

static void
fen_assert_like_dcm2pnm (FenImage *image, const FenWindowParams *params, const char *path,
                         const char *option, guint tolerance)
{
  guint w = 0, h = 0, channels = 0;
  g_autofree guint8 *ref = fen_dcm2pnm (path, option, &w, &h, &channels);
  if (ref == NULL)
    return;
  g_autofree guint8 *got = fen_render (image, params);
  g_assert_cmpuint (w, ==, fen_image_get_width (image));
  g_assert_cmpuint (h, ==, fen_image_get_height (image));
  guint worst = 0;
  for (gsize p = 0; p < (gsize) w * h; p++)
    for (guint c = 0; c < 3; c++)
      {
        const int a = got[p * 3 + c], b = ref[p * channels + (channels == 3 ? c : 0)];
        worst = MAX (worst, (guint) ABS (a - b));
        if ((guint) ABS (a - b) > tolerance)
          g_error ("pixel %" G_GSIZE_FORMAT " channel %u: Fenestra %d, dcm2pnm %d", p, c, a, b);
      }
  g_test_message ("largest difference from dcm2pnm: %u", worst);
}

/* --- PALETTE COLOR ----------------------------------------------------------- */

static void
fen_test_palette (gconstpointer data)
{
  const gboolean segmented = GPOINTER_TO_INT (data);
  const FenLayout l = { 11, 13, 1, 1, 8, 8, 0, "PALETTE COLOR" };
  guint16 red[256], green[256], blue[256];
  guint8 indices[11 * 13];
  GRand *rand = g_rand_new_with_seed (31);

  /* Plain: arbitrary 16-bit entries. Segmented (PS3.3 C.7.9.2): red one
   * discrete entry then a linear ramp, green all discrete, blue a discrete
   * and a linear segment repeated through an indirect segment. */
  for (guint i = 0; i < 256; i++)
    {
      red[i] = segmented ? (guint16) (i == 0 ? 0 : lrint (65535.0 * i / 255)) : (guint16) g_rand_int (rand);
      green[i] = (guint16) ((i * 256) ^ 0x5500);
      guint k = i % 128;
      blue[i] = segmented ? (guint16) (k == 0 ? 65535 : lrint (65535.0 - 65535.0 * k / 127))
                          : (guint16) g_rand_int (rand);
    }
  for (gsize i = 0; i < sizeof indices; i++)
    indices[i] = (guint8) g_rand_int (rand);
  indices[0] = 0;
  indices[1] = 255;
  g_rand_free (rand);

  GByteArray *file = fen_start (&l);
  const guint16 descriptor[3] = { 256, 0, 16 };
  fen_put_words (file, 0x0028, 0x1101, "US", descriptor, 3);
  fen_put_words (file, 0x0028, 0x1102, "US", descriptor, 3);
  fen_put_words (file, 0x0028, 0x1103, "US", descriptor, 3);
  if (!segmented)
    {
      fen_put_words (file, 0x0028, 0x1201, "OW", red, 256);
      fen_put_words (file, 0x0028, 0x1202, "OW", green, 256);
      fen_put_words (file, 0x0028, 0x1203, "OW", blue, 256);
    }
  else
    {
      const guint16 seg_red[] = { 0, 1, 0, 1, 255, 65535 };
      guint16 seg_green[258] = { 0, 256 };
      memcpy (seg_green + 2, green, sizeof green);
      const guint16 seg_blue[] = { 0, 1, 65535, 1, 127, 0, 2, 2, 0, 0 };
      fen_put_words (file, 0x0028, 0x1221, "OW", seg_red, G_N_ELEMENTS (seg_red));
      fen_put_words (file, 0x0028, 0x1222, "OW", seg_green, G_N_ELEMENTS (seg_green));
      fen_put_words (file, 0x0028, 0x1223, "OW", seg_blue, G_N_ELEMENTS (seg_blue));
    }
  g_autofree char *path = fen_finish (file, indices, sizeof indices, FALSE, "palette.dcm");

  for (guint pass = 0; pass < 2; pass++)
    {
      /* Pass 1: the same file RLE-compressed (palettes often are). */
      g_autofree char *rle = g_build_filename (fen_test_dir, "palette-rle.dcm", NULL);
      g_autofree char *tool = fen_find_dcmtk ("dcmcrle");
      if (pass == 1)
        {
          if (tool == NULL)
            break;
          const char *argv[] = { tool, path, rle, NULL };
          fen_spawn_ok (argv);
        }
      FenImage *image = fen_load_ok (pass == 0 ? path : rle);
      const FenImageInfo *info = fen_image_get_info (image);
      g_assert_cmpuint (info->samples_per_pixel, ==, 3);
      g_assert_cmpint (info->photometric, ==, FEN_PHOTOMETRIC_RGB);
      g_assert_cmpstr (info->photometric_name, ==, "PALETTE COLOR");
      const guint8 *rgb = fen_image_get_frame (image, 0);
      for (gsize i = 0; i < sizeof indices; i++)
        {
          const guint8 want[3] = { red[indices[i]] >> 8, green[indices[i]] >> 8,
                                   blue[indices[i]] >> 8 };
          for (guint c = 0; c < 3; c++)
            if (ABS ((int) rgb[i * 3 + c] - (int) want[c]) > (segmented ? 1 : 0))
              g_error ("pixel %" G_GSIZE_FORMAT " channel %u: got %u, expected %u (index %u)",
                       i, c, rgb[i * 3 + c], want[c], indices[i]);
        }
      /* DCMTK 3.6.7 does not render segmented palettes ("not yet
       * supported"): those are checked against the expansion above only. */
      if (pass == 0 && !segmented)
        {
          FenWindowParams params;
          fen_window_default (image, 0, &params);
          fen_assert_like_dcm2pnm (image, &params, path, NULL, 1);
        }
      fen_image_unref (image);
    }
}

/* --- 1-bit -------------------------------------------------------------------- */

static void
fen_test_bits1 (void)
{
  /* 7 x 5 x 3 frames: 35 bits a frame, so frames 1 and 2 start mid-byte. */
  const FenLayout l = { 5, 7, 3, 1, 1, 1, 0, "MONOCHROME2" };
  const guint n = 5 * 7 * 3;
  guint8 packed[(5 * 7 * 3 + 7) / 8];
  GRand *rand = g_rand_new_with_seed (1);

  for (gsize i = 0; i < sizeof packed; i++)
    packed[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  GByteArray *file = fen_start (&l);
  g_autofree char *path = fen_finish (file, packed, sizeof packed, FALSE, "bits1.dcm");

  FenImage *image = fen_load_ok (path);
  const FenImageInfo *info = fen_image_get_info (image);
  g_assert_cmpuint (info->bits_allocated, ==, 8);
  g_assert_cmpuint (info->bits_stored, ==, 1);
  g_assert_cmpuint (info->frames, ==, 3);
  for (guint i = 0; i < n; i++)
    {
      const guint8 *frame = fen_image_get_frame (image, i / 35);
      /* PS3.5 8.1.1: the first pixel in the least significant bit. */
      g_assert_cmpuint (frame[i % 35], ==, (packed[i / 8] >> (i % 8)) & 1);
    }
  FenWindowParams params;
  fen_window_default (image, 0, &params);
  fen_assert_like_dcm2pnm (image, &params, path, "+Wm", 1);
  fen_image_unref (image);

  /* Cut: one byte short of the last frame's bits. */
  file = fen_start (&l);
  g_autofree char *cut = fen_finish (file, packed, sizeof packed - 2, FALSE, "bits1-cut.dcm");
  GError *error = NULL;
  g_assert_null (fen_load_file (cut, NULL, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TRUNCATED);
  g_clear_error (&error);
}

/* --- 32-bit ------------------------------------------------------------------- */

static void
fen_test_bits32 (gconstpointer data)
{
  const gboolean dose = GPOINTER_TO_INT (data);
  /* Dose: unsigned, up to 3,000,000 units of 1e-5 Gy: narrowed by 2^6.
   * CT-like: signed, [-1000, 40000], spans < 65,536: exact. */
  const FenLayout l = { 9, 14, 2, 1, 32, 32, dose ? 0 : 1, "MONOCHROME2" };
  const gsize n = 9 * 14 * 2;
  gint32 *values = g_new (gint32, n);
  GRand *rand = g_rand_new_with_seed (dose ? 3 : 4);

  for (gsize i = 0; i < n; i++)
    values[i] = dose ? g_rand_int_range (rand, 0, 3000001) : g_rand_int_range (rand, -1000, 40001);
  values[0] = dose ? 0 : -1000;
  values[1] = dose ? 3000000 : 40000;
  g_rand_free (rand);

  GByteArray *file = fen_start (&l);
  if (dose)
    {
      fen_put_string (file, 0x3004, 0x0002, "CS", "GY");
      fen_put_string (file, 0x3004, 0x000e, "DS", "1e-05");
    }
  else
    {
      fen_put_string (file, 0x0028, 0x1052, "DS", "-10");
      fen_put_string (file, 0x0028, 0x1053, "DS", "0.5");
    }
  for (gsize i = 0; i < n; i++)
    values[i] = GINT32_TO_LE (values[i]);
  g_autofree char *path = fen_finish (file, values, (guint) (n * 4), TRUE, "bits32.dcm");
  for (gsize i = 0; i < n; i++)
    values[i] = GINT32_FROM_LE (values[i]);

  FenImage *image = fen_load_ok (path);
  const FenImageInfo *info = fen_image_get_info (image);
  g_assert_cmpuint (info->bits_allocated, ==, 16);
  if (dose)
    g_assert_cmpstr (info->rescale_type, ==, "GY");
  /* Modality values survive the narrowing: exactly, or within one step. */
  const double step = dose ? 64 * 1e-5 : 0.0;
  for (gsize i = 0; i < n; i++)
    {
      const guint frame = (guint) (i / (9 * 14)), p = (guint) (i % (9 * 14));
      const double want = dose ? values[i] * 1e-5 : values[i] * 0.5 - 10;
      const double got = fen_image_to_modality (image, frame,
                                                fen_image_get_stored_value (image, frame, p % 14, p / 14));
      if (fabs (got - want) > step + 1e-9)
        g_error ("sample %" G_GSIZE_FORMAT ": modality %g, expected %g", i, got, want);
    }

  /* The same through RLE: four segments a sample (PS3.5 G.2). */
  g_autofree char *tool = fen_find_dcmtk ("dcmcrle");
  if (tool != NULL)
    {
      g_autofree char *rle = g_build_filename (fen_test_dir, "bits32-rle.dcm", NULL);
      const char *argv[] = { tool, path, rle, NULL };
      fen_spawn_ok (argv);
      FenImage *compressed = fen_load_ok (rle);
      g_assert_cmpmem (fen_image_get_frame (compressed, 0), fen_image_get_pixel_bytes (compressed),
                       fen_image_get_frame (image, 0), fen_image_get_pixel_bytes (image));
      g_assert_cmpfloat (fen_image_get_info (compressed)->rescale_slope, ==, info->rescale_slope);
      fen_image_unref (compressed);
    }

  /* Rendered with a min-max window, as dcm2pnm +Wm does. */
  FenWindowParams params;
  gint32 lo, hi;
  fen_image_get_stored_range (image, &lo, &hi);
  fen_window_from_stored_range (image, 0, lo, hi, &params);
  fen_assert_like_dcm2pnm (image, &params, path, "+Wm", dose ? 2 : 1);
  fen_image_unref (image);
  g_free (values);
}

/* --- Modality LUT Sequence ---------------------------------------------------- */

static void
fen_test_modality_lut (void)
{
  const FenLayout l = { 8, 9, 1, 1, 16, 12, 0, "MONOCHROME2" };
  guint16 lut[4096], pixels[8 * 9];
  GRand *rand = g_rand_new_with_seed (77);

  for (guint i = 0; i < 4096; i++)
    lut[i] = (guint16) ((i * i) >> 8); /* nonlinear, 16-bit output */
  for (guint i = 0; i < 72; i++)
    pixels[i] = (guint16) g_rand_int_range (rand, 0, 4096);
  pixels[0] = 4095;
  g_rand_free (rand);

  GByteArray *file = fen_start (&l);
  /* (0028,3000) Modality LUT Sequence, one item: descriptor, type, data. */
  GByteArray *item = g_byte_array_new ();
  const guint16 descriptor[3] = { 4096, 0, 16 };
  fen_put_words (item, 0x0028, 0x3002, "US", descriptor, 3);
  fen_put_string (item, 0x0028, 0x3004, "LO", "OD");
  fen_put_words (item, 0x0028, 0x3006, "OW", lut, 4096);
  fen_put_item_of (file, 0x0028, 0x3000, item);
  g_byte_array_unref (item);
  g_autofree char *path = fen_finish (file, pixels, sizeof pixels, TRUE, "modality-lut.dcm");

  FenImage *image = fen_load_ok (path);
  const FenImageInfo *info = fen_image_get_info (image);
  g_assert_cmpuint (info->bits_stored, ==, 16);
  g_assert_cmpfloat (info->rescale_slope, ==, 1.0);
  g_assert_cmpstr (info->rescale_type, ==, "OD");
  for (guint i = 0; i < 72; i++)
    g_assert_cmpint (fen_image_get_stored_value (image, 0, i % 9, i / 9), ==, lut[pixels[i]]);
  FenWindowParams params;
  gint32 lo, hi;
  fen_image_get_stored_range (image, &lo, &hi);
  fen_window_from_stored_range (image, 0, lo, hi, &params);
  fen_assert_like_dcm2pnm (image, &params, path, "+Wm", 1);
  fen_image_unref (image);
}

/* --- Presentation LUT Shape ------------------------------------------------- */

static void
fen_test_presentation_inverse (void)
{
  const FenLayout l = { 4, 4, 1, 1, 8, 8, 0, "MONOCHROME2" };
  guint8 pixels[16];

  for (guint i = 0; i < 16; i++)
    pixels[i] = (guint8) (i * 17);
  GByteArray *file = fen_start (&l);
  fen_put_string (file, 0x2050, 0x0020, "CS", "INVERSE");
  g_autofree char *path = fen_finish (file, pixels, sizeof pixels, FALSE, "inverse.dcm");

  FenImage *image = fen_load_ok (path);
  g_assert_cmpstr (fen_image_get_info (image)->photometric_name, ==, "MONOCHROME2");
  g_assert_cmpint (fen_image_get_info (image)->photometric, ==, FEN_PHOTOMETRIC_MONOCHROME1);
  FenWindowParams params;
  fen_window_default (image, 0, &params);
  g_autofree guint8 *out = fen_render (image, &params);
  g_assert_cmpuint (out[0], ==, 255);  /* the minimum shows white */
  g_assert_cmpuint (out[15 * 3], ==, 0);
  fen_assert_like_dcm2pnm (image, &params, path, "+Wm", 1);
  fen_image_unref (image);
}

/* --- Pixel Padding Value ------------------------------------------------------ */

static void
fen_test_padding (gconstpointer data)
{
  const gboolean range = GPOINTER_TO_INT (data);
  const FenLayout l = { 6, 10, 1, 1, 16, 16, 1, "MONOCHROME2" };
  gint16 pixels[60];

  /* Content -1000 .. 1000; a border of padding at -2000 (up to -1500). */
  for (guint i = 0; i < 60; i++)
    pixels[i] = (gint16) (i % 10 < 2 ? (range ? -2000 + (gint) i : -2000) : -1000 + (gint) (i * 2000 / 59));
  pixels[59] = 1000;
  pixels[2] = -1000;
  GByteArray *file = fen_start (&l);
  fen_put_explicit (file, 0x0028, 0x0120, "SS", 2);
  fen_put_u16 (file, (guint16) -2000);
  if (range)
    {
      fen_put_explicit (file, 0x0028, 0x0121, "SS", 2);
      fen_put_u16 (file, (guint16) -1500);
    }
  fen_put_string (file, 0x0028, 0x1052, "DS", "0");
  fen_put_string (file, 0x0028, 0x1053, "DS", "1");
  g_autofree char *path = fen_finish (file, pixels, sizeof pixels, TRUE, "padding.dcm");

  FenImage *image = fen_load_ok (path);
  const FenImageInfo *info = fen_image_get_info (image);
  g_assert_true (info->has_padding);
  g_assert_cmpint (info->padding_min, ==, -2000);
  g_assert_cmpint (info->padding_max, ==, range ? -1500 : -2000);
  gint32 lo, hi;
  fen_image_get_stored_range (image, &lo, &hi);
  g_assert_cmpint (lo, ==, -2000);
  fen_image_get_content_range (image, &lo, &hi);
  g_assert_cmpint (lo, ==, -1000);
  g_assert_cmpint (hi, ==, 1000);
  /* The default window spans the content, not the padding. */
  FenWindowParams params;
  fen_window_default (image, 0, &params);
  g_assert_cmpfloat (params.center - 0.5, ==, 0.0);
  g_assert_cmpfloat (params.width, ==, 2001.0);
  fen_image_unref (image);
}

/* --- VOI LUT Sequence --------------------------------------------------------- */

static void
fen_test_voi_lut (void)
{
  const FenLayout l = { 12, 16, 1, 1, 16, 12, 0, "MONOCHROME2" };
  guint16 pixels[12 * 16], lut[2048], lut2[256];

  for (guint i = 0; i < 12 * 16; i++)
    pixels[i] = (guint16) ((i * 4095) / (12 * 16 - 1));
  /* Modality -1024 .. 3071; the LUT covers -512 .. 1535 (sqrt, 12 bits),
   * so both clamped ends are exercised. */
  for (guint i = 0; i < 2048; i++)
    lut[i] = (guint16) lrint (sqrt (i / 2047.0) * 4095);
  for (guint i = 0; i < 256; i++)
    lut2[i] = (guint16) (255 - i);

  GByteArray *file = fen_start (&l);
  fen_put_string (file, 0x0028, 0x1052, "DS", "-1024");
  fen_put_string (file, 0x0028, 0x1053, "DS", "1");
  /* (0028,3010) VOI LUT Sequence: two items. */
  GByteArray *items = g_byte_array_new ();
  for (guint k = 0; k < 2; k++)
    {
      GByteArray *item = g_byte_array_new ();
      const guint16 d[3] = { k == 0 ? 2048 : 256, (guint16) (k == 0 ? -512 : 0), k == 0 ? 12 : 8 };
      fen_put_explicit (item, 0x0028, 0x3002, "SS", 6);
      for (guint i = 0; i < 3; i++)
        fen_put_u16 (item, d[i]);
      fen_put_string (item, 0x0028, 0x3003, "LO", k == 0 ? "SQRT" : "REVERSED");
      fen_put_words (item, 0x0028, 0x3006, "OW", k == 0 ? lut : lut2, k == 0 ? 2048 : 256);
      fen_put_item (items, item);
      g_byte_array_unref (item);
    }
  fen_put_sequence (file, 0x0028, 0x3010, items);
  g_autofree char *path = fen_finish (file, pixels, sizeof pixels, TRUE, "voi-lut.dcm");

  FenImage *image = fen_load_ok (path);
  const FenImageInfo *info = fen_image_get_info (image);
  g_assert_cmpuint (info->n_voi_luts, ==, 2);
  g_assert_cmpint (info->voi_luts[0].first, ==, -512);
  g_assert_cmpuint (info->voi_luts[0].bits, ==, 12);
  g_assert_cmpstr (info->voi_luts[0].explanation, ==, "SQRT");
  g_assert_cmpstr (info->voi_luts[1].explanation, ==, "REVERSED");
  FenWindowParams params = { 0 };
  params.voi_lut = 1;
  g_autofree guint8 *out = fen_render (image, &params);
  for (guint i = 0; i < 12 * 16; i++)
    {
      gint x = (gint) pixels[i] - 1024 + 512;
      guint16 v = lut[CLAMP (x, 0, 2047)];
      g_assert_cmpuint (out[i * 3], ==, (guint) lrint (v * 255.0 / 4095));
    }
  fen_assert_like_dcm2pnm (image, &params, path, "+Wl 1", 1);

  /* The headless tool offers the same LUT: --voi-lut 1 writes these grays. */
  if (g_getenv ("FEN_CLI") != NULL)
    {
      g_autofree char *png = g_build_filename (fen_test_dir, "voi-lut-cli.png", NULL);
      const char *argv[] = { g_getenv ("FEN_CLI"), "render", path, "-o", png, "--voi-lut", "1", NULL };
      g_autoptr(GError) error = NULL;
      int status = 0;

      g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL,
                                   NULL, NULL, &status, &error));
      g_assert_no_error (error);
      g_assert_true (g_spawn_check_wait_status (status, NULL));
      FenImage *written = fen_load_file (png, NULL, &error);
      g_assert_no_error (error);
      const guint8 *gray = fen_image_get_frame (written, 0);
      for (guint i = 0; i < 12 * 16; i++)
        g_assert_cmpuint (gray[i], ==, out[i * 3]);
      fen_image_unref (written);
      g_unlink (png);
    }
  fen_image_unref (image);
}

/* --- Enhanced multi-frame ----------------------------------------------------- */

static void
fen_test_enhanced (void)
{
  const FenLayout l = { 4, 5, 3, 1, 16, 16, 0, "MONOCHROME2" };
  const double slopes[3] = { 1, 2, 0.5 }, intercepts[3] = { -1024, -2048, 10 };
  const double centers[3] = { 40, 400, -600 }, widths[3] = { 400, 2000, 1600 };
  guint16 pixels[3 * 20];

  for (guint i = 0; i < G_N_ELEMENTS (pixels); i++)
    pixels[i] = (guint16) (i * 1000);
  GByteArray *file = fen_start (&l);
  /* Shared: Rescale Type only through the frames; per frame: rescale, window. */
  GByteArray *frames = g_byte_array_new ();
  for (guint f = 0; f < 3; f++)
    {
      GByteArray *groups = g_byte_array_new ();
      GByteArray *voi = g_byte_array_new ();
      GByteArray *pvt = g_byte_array_new ();
      char text[32];
      g_ascii_formatd (text, sizeof text, "%g", centers[f]);
      fen_put_string (voi, 0x0028, 0x1050, "DS", text);
      g_ascii_formatd (text, sizeof text, "%g", widths[f]);
      fen_put_string (voi, 0x0028, 0x1051, "DS", text);
      g_ascii_formatd (text, sizeof text, "%g", intercepts[f]);
      fen_put_string (pvt, 0x0028, 0x1052, "DS", text);
      g_ascii_formatd (text, sizeof text, "%g", slopes[f]);
      fen_put_string (pvt, 0x0028, 0x1053, "DS", text);
      fen_put_string (pvt, 0x0028, 0x1054, "LO", "HU");
      fen_put_item_of (groups, 0x0028, 0x9132, voi);      /* Frame VOI LUT */
      fen_put_item_of (groups, 0x0028, 0x9145, pvt);      /* Pixel Value Transformation */
      fen_put_item (frames, groups);
      g_byte_array_unref (groups);
      g_byte_array_unref (voi);
      g_byte_array_unref (pvt);
    }
  fen_put_sequence (file, 0x5200, 0x9230, frames);
  g_autofree char *path = fen_finish (file, pixels, sizeof pixels, TRUE, "enhanced.dcm");

  FenImage *image = fen_load_ok (path);
  const FenImageInfo *info = fen_image_get_info (image);
  g_assert_nonnull (info->frame_values);
  g_assert_cmpfloat (info->rescale_slope, ==, 1);       /* frame 0's */
  g_assert_cmpfloat (info->rescale_intercept, ==, -1024);
  g_assert_cmpuint (info->n_windows, ==, 1);
  for (guint f = 0; f < 3; f++)
    {
      FenWindowParams params;
      gint32 stored = fen_image_get_stored_value (image, f, 1, 0);
      g_assert_cmpfloat (fen_image_to_modality (image, f, stored), ==,
                         stored * slopes[f] + intercepts[f]);
      fen_window_default (image, f, &params);
      g_assert_cmpfloat (params.center, ==, centers[f]);
      g_assert_cmpfloat (params.width, ==, widths[f]);
      /* The table of frame f applies frame f's rescale. */
      g_autoptr(FenLut) lut = fen_lut_new ();
      fen_lut_build (lut, image, f, &params);
      for (guint i = 0; i < 20; i++)
        {
          gint32 v = fen_image_get_stored_value (image, f, i % 5, i / 5);
          double y = fen_voi_apply (FEN_VOI_LINEAR, v * slopes[f] + intercepts[f], centers[f],
                                    widths[f], 0, 255);
          g_assert_cmpint (ABS ((int) fen_lut_lookup (lut, v) - (int) floor (y + 0.5)), <=, 0);
        }
    }
  fen_image_unref (image);
}

/* --- 16-bit RGB ------------------------------------------------------------ */

static void
fen_test_rgb16 (gconstpointer data)
{
  const gboolean planar = GPOINTER_TO_INT (data);
  const gsize n = 7 * 9;
  guint16 *raw = g_new (guint16, n * 3 * 2);
  guint8 *want = g_new (guint8, n * 3 * 2);
  GRand *rand = g_rand_new_with_seed (planar ? 5 : 6);

  for (guint f = 0; f < 2; f++)
    for (gsize p = 0; p < n; p++)
      for (guint c = 0; c < 3; c++)
        {
          guint16 v = (guint16) g_rand_int_range (rand, 0, 4096);
          raw[f * n * 3 + (planar ? c * n + p : p * 3 + c)] = GUINT16_TO_LE (v);
          want[f * n * 3 + p * 3 + c] = (guint8) (v >> 4);
        }
  g_rand_free (rand);
  /* Planar Configuration (0028,0006) sits between Photometric
   * Interpretation and Number of Frames. */
  const FenLayout l = { 7, 9, 2, 3, 16, 12, 0, "RGB" };
  GByteArray *file = fen_start_planar (&l, planar ? 1 : 0);
  g_autofree char *path = fen_finish (file, raw, (guint) (n * 3 * 2 * 2), TRUE, "rgb16.dcm");

  g_autofree char *tool = fen_find_dcmtk ("dcmcrle");
  g_autofree char *rle = g_build_filename (fen_test_dir, "rgb16-rle.dcm", NULL);
  for (guint pass = 0; pass < (tool ? 2u : 1u); pass++)
    {
      if (pass == 1)
        {
          /* RLE: six segments a pixel (two bytes of each of three samples). */
          const char *argv[] = { tool, path, rle, NULL };
          fen_spawn_ok (argv);
        }
      FenImage *image = fen_load_ok (pass == 0 ? path : rle);
      g_assert_cmpuint (fen_image_get_info (image)->bits_allocated, ==, 8);
      g_assert_cmpmem (fen_image_get_frame (image, 0), fen_image_get_pixel_bytes (image),
                       want, n * 3 * 2);
      if (pass == 0)
        {
          FenWindowParams params;
          fen_window_default (image, 0, &params);
          fen_assert_like_dcm2pnm (image, &params, path, NULL, 1);
        }
      fen_image_unref (image);
    }
  g_free (raw);
  g_free (want);
}

/* --- YBR_FULL_422 in baseline JPEG, against dcm2pnm ---------------------- */

static void
fen_test_jpeg_ybr422 (void)
{
  guint8 rgb[24 * 32 * 3];
  g_autofree char *tool = fen_find_dcmtk ("dcmcjpeg");

  if (tool == NULL)
    return;
  for (guint y = 0; y < 24; y++)
    for (guint x = 0; x < 32; x++)
      {
        guint8 *p = rgb + (y * 32 + x) * 3;
        p[0] = (guint8) (x * 8);
        p[1] = (guint8) (y * 10);
        p[2] = (guint8) (255 - x * 4 - y * 3);
      }
  /* Planar Configuration sits inside the module. */
  const FenLayout l = { 24, 32, 1, 3, 8, 8, 0, "RGB" };
  GByteArray *file = fen_start_planar (&l, 0);
  g_autofree char *src = fen_finish (file, rgb, sizeof rgb, FALSE, "rgb-src.dcm");
  g_autofree char *path = g_build_filename (fen_test_dir, "rgb-jpeg.dcm", NULL);
  /* Baseline JPEG with 4:2:2 subsampling: the file says YBR_FULL_422. */
  const char *argv[] = { tool, "+eb", "+s2", src, path, NULL };
  fen_spawn_ok (argv);

  FenImage *image = fen_load_ok (path);
  g_assert_cmpstr (fen_image_get_info (image)->photometric_name, ==, "YBR_FULL_422");
  g_assert_cmpint (fen_image_get_info (image)->photometric, ==, FEN_PHOTOMETRIC_RGB);
  FenWindowParams params;
  fen_window_default (image, 0, &params);
  fen_assert_like_dcm2pnm (image, &params, path, NULL, 1);
  fen_image_unref (image);
}

/* --- JPEG lossless with every predictor; JPEG extended ---------------------- */

static char *
fen_write_mono16 (const char *name, guint rows, guint cols, guint bits_stored, guint16 *values)
{
  const FenLayout l = { rows, cols, 1, 1, 16, bits_stored, 0, "MONOCHROME2" };
  GByteArray *file = fen_start (&l);
  GRand *rand = g_rand_new_with_seed (rows * cols);

  for (guint i = 0; i < rows * cols; i++)
    {
      /* Smooth plus noise: every predictor sees different residuals. */
      guint v = ((i % cols) * 37 + (i / cols) * 53 + g_rand_int_range (rand, 0, 64)) &
                ((1u << bits_stored) - 1);
      values[i] = (guint16) v;
    }
  g_rand_free (rand);
  return fen_finish (file, values, rows * cols * 2, TRUE, name);
}

static void
fen_test_jpeg_predictors (void)
{
  g_autofree char *tool = fen_find_dcmtk ("dcmcjpeg");
  guint16 values[29 * 31];

  if (tool == NULL)
    return;
  g_autofree char *src = fen_write_mono16 ("predictor-src.dcm", 29, 31, 12, values);
  for (guint sv = 1; sv <= 7; sv++)
    {
      g_autofree char *path = g_strdup_printf ("%s/predictor-%u.dcm", fen_test_dir, sv);
      g_autofree char *sv_text = g_strdup_printf ("%u", sv);
      const char *argv[] = { tool, "+el", "+sv", sv_text, src, path, NULL };
      fen_spawn_ok (argv);
      FenImage *image = fen_load_ok (path);
      g_assert_cmpstr (fen_image_get_info (image)->transfer_syntax, ==, "1.2.840.10008.1.2.4.57");
      g_assert_cmpmem (fen_image_get_frame (image, 0), fen_image_get_pixel_bytes (image),
                       values, sizeof values);
      fen_image_unref (image);
    }
}

static void
fen_test_jpeg_extended (void)
{
  g_autofree char *tool = fen_find_dcmtk ("dcmcjpeg");
  guint16 values[40 * 48];

  if (tool == NULL)
    return;
  g_autofree char *src = fen_write_mono16 ("extended-src.dcm", 40, 48, 12, values);
  g_autofree char *path = g_build_filename (fen_test_dir, "extended.dcm", NULL);
  const char *argv[] = { tool, "+ee", src, path, NULL };
  fen_spawn_ok (argv);
  FenImage *image = fen_load_ok (path);
  g_assert_cmpstr (fen_image_get_info (image)->transfer_syntax, ==, "1.2.840.10008.1.2.4.51");
  /* Lossy: the reference is DCMTK's own decode, through a min-max window. */
  FenWindowParams params;
  gint32 lo, hi;
  fen_image_get_stored_range (image, &lo, &hi);
  fen_window_from_stored_range (image, 0, lo, hi, &params);
  fen_assert_like_dcm2pnm (image, &params, path, "+Wm", 1);
  fen_image_unref (image);
}

/* --- main ------------------------------------------------------------------ */

int
main (int argc, char **argv)
{
  GError *error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  fen_test_dir = g_dir_make_tmp ("fen-formats-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_data_func ("/dicom/palette/plain", GINT_TO_POINTER (FALSE), fen_test_palette);
  g_test_add_data_func ("/dicom/palette/segmented", GINT_TO_POINTER (TRUE), fen_test_palette);
  g_test_add_func ("/dicom/bits1/odd-multiframe", fen_test_bits1);
  g_test_add_data_func ("/dicom/bits32/signed-exact", GINT_TO_POINTER (FALSE), fen_test_bits32);
  g_test_add_data_func ("/dicom/bits32/rt-dose-narrowed", GINT_TO_POINTER (TRUE), fen_test_bits32);
  g_test_add_func ("/dicom/modality-lut-sequence", fen_test_modality_lut);
  g_test_add_func ("/dicom/presentation-lut/inverse", fen_test_presentation_inverse);
  g_test_add_data_func ("/dicom/padding/value", GINT_TO_POINTER (FALSE), fen_test_padding);
  g_test_add_data_func ("/dicom/padding/range", GINT_TO_POINTER (TRUE), fen_test_padding);
  g_test_add_func ("/dicom/voi-lut-sequence", fen_test_voi_lut);
  g_test_add_func ("/dicom/enhanced/per-frame-values", fen_test_enhanced);
  g_test_add_func ("/dicom/jpeg-baseline/ybr-full-422", fen_test_jpeg_ybr422);
  g_test_add_func ("/dicom/jpeg-lossless/predictors-1-to-7", fen_test_jpeg_predictors);
  g_test_add_func ("/dicom/jpeg-extended/u12", fen_test_jpeg_extended);
  g_test_add_data_func ("/dicom/rgb16/planar0", GINT_TO_POINTER (FALSE), fen_test_rgb16);
  g_test_add_data_func ("/dicom/rgb16/planar1", GINT_TO_POINTER (TRUE), fen_test_rgb16);

  status = g_test_run ();
  fen_test_remove_dir (fen_test_dir);
  g_free (fen_test_dir);
  return status;
}
