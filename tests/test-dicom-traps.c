/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dicom-traps.c: the known traps of DCMTK 3.6.7 (issue 5, item 5), one
 * test each, on files written here byte by byte: deep sequence nesting,
 * deflated values longer than the stream, implicit VR elements inside an
 * explicit VR data set, compressed fragments kept in memory, plus the
 * regression inputs the fuzzers found; and JPEG 2000, which DCMTK 3.6.7 does
 * not decode at all (OpenJPEG does it, against opj_decompress). The no-meta guessing and uncompressed
 * YBR_FULL_422 traps are covered by test-dicom (/dicom/no-meta/..., 
 * /dicom/explicit-le/ybr-full-422). */
#define G_LOG_DOMAIN "fen-test-dicom-traps"

#include <stdio.h>
#include <string.h>
#include <gio/gio.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <fenestra/fenestra.h>

#include "fen-test-dicom-writer.h"
#include "fen-test-spawn.h"

static char *fen_test_dir;

/* Files are written where the tests make them. */
static char *
fen_write (const char *name, GByteArray *data)
{
  return fen_test_write_file (fen_test_dir, name, data);
}


static FenImage *
fen_load (const char *path, GError **error)
{
  FenLoadOptions options = { .max_pixel_bytes = (gsize) 256 << 20 };
  FenImage *image = fen_load_file (path, &options, error);

  g_assert_true ((image == NULL) == (*error != NULL));
  if (image == NULL)
    {
      g_autofree char *base = g_path_get_basename (path);
      g_assert_true (g_str_has_prefix ((*error)->message, base));
      g_test_message ("%s", (*error)->message);
    }
  return image;
}

/* --- Deep nesting ---------------------------------------------------------- */

/* @levels sequences nested inside each other, undefined lengths (explicit
 * VR) or defined lengths (implicit VR, known only by their first item). */
static void
fen_put_nested (GByteArray *out, guint levels, gboolean implicit_defined)
{
  if (!implicit_defined)
    {
      for (guint i = 0; i < levels; i++)
        {
          fen_put_explicit (out, 0x0040, 0xa730, "SQ", 0xffffffffu); /* Content Sequence */
          fen_put_tag (out, 0xfffe, 0xe000);
          fen_put_u32 (out, 0xffffffffu);
        }
      for (guint i = 0; i < levels; i++)
        {
          fen_put_tag (out, 0xfffe, 0xe00d);
          fen_put_u32 (out, 0);
          fen_put_tag (out, 0xfffe, 0xe0dd);
          fen_put_u32 (out, 0);
        }
      return;
    }
  /* Inside out: each level wraps the previous in an item and a sequence. */
  GByteArray *inner = g_byte_array_new ();
  fen_put_implicit (inner, 0x0008, 0x0100, 4); /* Code Value */
  g_byte_array_append (inner, (const guint8 *) "ABCD", 4);
  for (guint i = 0; i < levels; i++)
    {
      GByteArray *wrapped = g_byte_array_sized_new (inner->len + 16);
      fen_put_implicit (wrapped, 0x0040, 0xa730, inner->len + 8);
      fen_put_tag (wrapped, 0xfffe, 0xe000);
      fen_put_u32 (wrapped, inner->len);
      g_byte_array_append (wrapped, inner->data, inner->len);
      g_byte_array_unref (inner);
      inner = wrapped;
    }
  g_byte_array_append (out, inner->data, inner->len);
  g_byte_array_unref (inner);
}

static void
fen_test_deep_nesting (gconstpointer data)
{
  const gboolean implicit = GPOINTER_TO_INT (data);
  const char *ts = implicit ? "1.2.840.10008.1.2" : "1.2.840.10008.1.2.1";
  GError *error = NULL;

  /* 10,000 levels overflow DCMTK 3.6.7's stack: refused before it parses. */
  GByteArray *deep = fen_part10_start (ts);
  if (implicit)
    {
      /* Implicit VR image module, then the nesting. */
      fen_put_implicit (deep, 0x0008, 0x0016, 26);
      g_byte_array_append (deep, (const guint8 *) "1.2.840.10008.5.1.4.1.1.7", 26);
    }
  else
    fen_put_image_module (deep, 4, 4, FALSE);
  fen_put_nested (deep, 10000, implicit);
  if (!implicit)
    fen_put_pixels (deep, 16);
  char *path = fen_write ("deep.dcm", deep);
  FenImage *image = fen_load (path, &error);
  g_assert_null (image);
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "nested deeper"));
  g_clear_error (&error);
  g_byte_array_unref (deep);
  g_free (path);

  /* Twenty levels are real life (structured reports nest): they load. */
  if (!implicit)
    {
      GByteArray *ok = fen_part10_start (ts);
      fen_put_image_module (ok, 4, 4, FALSE);
      fen_put_nested (ok, 20, FALSE);
      fen_put_pixels (ok, 16);
      path = fen_write ("nested-20.dcm", ok);
      image = fen_load (path, &error);
      g_assert_no_error (error);
      g_assert_cmpuint (fen_image_get_width (image), ==, 4);
      g_assert_cmpuint (((const guint8 *) fen_image_get_frame (image, 0))[3], ==, 21);
      fen_image_unref (image);
      g_byte_array_unref (ok);
      g_free (path);
    }
}

/* --- Deflate --------------------------------------------------------------- */

static GBytes *
fen_deflate_raw (const guint8 *data, gsize len)
{
  g_autoptr(GZlibCompressor) deflater = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW, 9);
  g_autoptr(GInputStream) plain = g_memory_input_stream_new_from_data (data, (gssize) len, NULL);
  g_autoptr(GInputStream) packed = g_converter_input_stream_new (plain, G_CONVERTER (deflater));
  g_autoptr(GOutputStream) sink = g_memory_output_stream_new_resizable ();
  GError *error = NULL;

  g_output_stream_splice (sink, packed, G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET, NULL, &error);
  g_assert_no_error (error);
  return g_memory_output_stream_steal_as_bytes (G_MEMORY_OUTPUT_STREAM (sink));
}

static void
fen_test_deflate (void)
{
  GError *error = NULL;
  GByteArray *set = g_byte_array_new ();
  GByteArray *file;
  GBytes *packed;
  char *path;
  FenImage *image;

  /* A good deflated file first: the walk must not refuse it. */
  fen_put_image_module (set, 4, 6, FALSE);
  fen_put_pixels (set, 24);
  file = fen_part10_start ("1.2.840.10008.1.2.1.99");
  packed = fen_deflate_raw (set->data, set->len);
  g_byte_array_append (file, g_bytes_get_data (packed, NULL), (guint) g_bytes_get_size (packed));
  path = fen_write ("deflate-ok.dcm", file);
  image = fen_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (((const guint8 *) fen_image_get_frame (image, 0))[23], ==, (guint8) (23 * 7));
  fen_image_unref (image);
  g_free (path);
  g_bytes_unref (packed);
  g_byte_array_unref (file);

  /* A 60-byte value claiming 4 GiB: DCMTK would allocate it first. */
  g_byte_array_set_size (set, 0);
  fen_put_image_module (set, 4, 6, FALSE);
  fen_put_explicit (set, 0x0009, 0x1010, "OB", 0xfffffff0u);
  for (guint i = 0; i < 60; i++)
    g_byte_array_append (set, (const guint8 *) "x", 1);
  file = fen_part10_start ("1.2.840.10008.1.2.1.99");
  packed = fen_deflate_raw (set->data, set->len);
  g_byte_array_append (file, g_bytes_get_data (packed, NULL), (guint) g_bytes_get_size (packed));
  path = fen_write ("deflate-lying.dcm", file);
  image = fen_load (path, &error);
  g_assert_null (image);
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TRUNCATED);
  g_assert_nonnull (strstr (error->message, "(0009,1010)"));
  g_clear_error (&error);
  g_free (path);
  g_bytes_unref (packed);
  g_byte_array_unref (file);
  g_byte_array_unref (set);
}

/* --- Implicit VR inside explicit VR ---------------------------------------- */

static void
fen_test_implicit_in_explicit (void)
{
  GError *error = NULL;
  GByteArray *file = fen_part10_start ("1.2.840.10008.1.2.1");

  fen_put_image_module (file, 3, 5, TRUE);
  fen_put_pixels (file, 15);
  char *path = fen_write ("implicit-in-explicit.dcm", file);
  FenImage *image = fen_load (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fen_image_get_height (image), ==, 3);
  g_assert_cmpuint (fen_image_get_width (image), ==, 5);
  g_assert_cmpuint (((const guint8 *) fen_image_get_frame (image, 0))[14], ==, 14 * 7);
  fen_image_unref (image);
  g_byte_array_unref (file);
  g_free (path);
}

/* --- Fragments kept in memory ------------------------------------------------ */


/* Frames of noise (nearly incompressible), so the compressed fragments are
 * as large as the pixels: kept in memory, they double the peak. */
static void
fen_test_fragments (gconstpointer data)
{
  const char *tool = data;
  const guint rows = 512, cols = 512, frames = 24;
  g_autofree char *exe = g_find_program_in_path (tool);

  if (exe == NULL)
    {
      g_test_fail_printf ("DCMTK tool not installed: a missing tool fails the test (tools/deps.sh installs it)");
      return;
    }
  if (FEN_TEST_UNDER_ASAN)
    {
      g_test_skip ("peak memory means nothing under AddressSanitizer");
      return;
    }
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 0, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }

  GByteArray *file = fen_part10_start ("1.2.840.10008.1.2.1");
  char frames_text[8];
  g_snprintf (frames_text, sizeof frames_text, "%u", frames);
  fen_put_string (file, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7");
  fen_put_string (file, 0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9.9999.5.1");
  fen_put_us (file, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (file, 0x0028, 0x0004, "CS", "MONOCHROME2");
  fen_put_string (file, 0x0028, 0x0008, "IS", frames_text);
  fen_put_us (file, 0x0028, 0x0010, (guint16) rows, FALSE);
  fen_put_us (file, 0x0028, 0x0011, (guint16) cols, FALSE);
  fen_put_us (file, 0x0028, 0x0100, 16, FALSE);
  fen_put_us (file, 0x0028, 0x0101, 16, FALSE);
  fen_put_us (file, 0x0028, 0x0102, 15, FALSE);
  fen_put_us (file, 0x0028, 0x0103, 0, FALSE);
  const gsize bytes = (gsize) rows * cols * frames * 2;
  fen_put_explicit (file, 0x7fe0, 0x0010, "OW", (guint32) bytes);
  GRand *rand = g_rand_new_with_seed (5);
  for (gsize i = 0; i < bytes / 4; i++)
    {
      guint32 v = g_rand_int (rand);
      g_byte_array_append (file, (const guint8 *) &v, 4);
    }
  g_rand_free (rand);
  g_autofree char *src = fen_write ("noise-src.dcm", file);
  g_byte_array_unref (file);
  g_autofree char *path = g_build_filename (fen_test_dir, "noise-compressed.dcm", NULL);
  const char *argv[] = { exe, src, path, NULL };
  int status = 0;
  GError *error = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, NULL,
                &status, &error);
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
  g_unlink (src);

  /* Warm up DCMTK's dictionary and codecs on a small file of the same kind. */
  GByteArray *small = fen_part10_start ("1.2.840.10008.1.2.1");
  fen_put_image_module (small, 8, 8, FALSE);
  fen_put_pixels (small, 64);
  g_autofree char *small_path = fen_write ("warm.dcm", small);
  g_byte_array_unref (small);
  FenImage *warm = fen_load (small_path, &error);
  g_assert_no_error (error);
  fen_image_unref (warm);

  if (!fen_memory_reset_peak ())
    {
      g_test_skip ("cannot reset the peak RSS mark here");
      return;
    }
  gint64 rss0 = 0, peak0 = 0, heap0 = 0, rss1 = 0, peak1 = 0, heap1 = 0;
  fen_memory_read_process (&rss0, &peak0, &heap0);
  FenImage *image = fen_load (path, &error);
  g_assert_no_error (error);
  fen_memory_read_process (&rss1, &peak1, &heap1);
  const double ratio = (double) (peak1 - rss0) / (double) bytes;
  g_printerr ("# %s: peak above baseline %.3f x pixel bytes\n", tool, ratio);
  /* One compressed frame (1/24 of the pixels) plus DCMTK's scratch. */
  g_assert_cmpfloat (ratio, <=, 1.25);
  fen_image_unref (image);
}

/* --- JPEG 2000 via OpenJPEG ------------------------------------------------ */

typedef struct {
  const char *name;
  guint       rows, columns, frames, samples, bits_allocated, bits_stored;
  guint       pixel_representation;   /* what the data set says */
  gboolean    codestream_unsigned;    /* signed values written as an unsigned codestream */
  const char *photometric;
  gboolean    lossy;                  /* -I -r 8: compare with opj_decompress */
  guint       split;                  /* fragments per frame */
} FenJ2kCase;

static const FenJ2kCase fen_j2k_cases[] = {
  { "/dicom/jpeg2000/lossless/s16", 37, 29, 1, 1, 16, 16, 1, FALSE, "MONOCHROME2", FALSE, 1 },
  { "/dicom/jpeg2000/lossless/u12", 33, 40, 1, 1, 16, 12, 0, FALSE, "MONOCHROME2", FALSE, 1 },
  { "/dicom/jpeg2000/lossless/u8-mono1", 32, 35, 1, 1, 8, 8, 0, FALSE, "MONOCHROME1", FALSE, 1 },
  { "/dicom/jpeg2000/lossless/rgb-rct", 29, 37, 1, 3, 8, 8, 0, FALSE, "YBR_RCT", FALSE, 1 },
  { "/dicom/jpeg2000/lossless/multiframe", 32, 33, 3, 1, 16, 12, 0, FALSE, "MONOCHROME2", FALSE, 1 },
  { "/dicom/jpeg2000/lossless/fragmented", 40, 33, 1, 1, 16, 16, 1, FALSE, "MONOCHROME2", FALSE, 3 },
  { "/dicom/jpeg2000/lossless/multiframe-fragmented", 32, 32, 2, 1, 8, 8, 0, FALSE, "MONOCHROME2", FALSE, 2 },
  { "/dicom/jpeg2000/lossless/signed-in-unsigned-codestream", 33, 33, 1, 1, 16, 12, 1, TRUE, "MONOCHROME2", FALSE, 1 },
  { "/dicom/jpeg2000/lossy/s16", 37, 29, 1, 1, 16, 16, 1, FALSE, "MONOCHROME2", TRUE, 1 },
  { "/dicom/jpeg2000/lossy/rgb-ict", 40, 36, 1, 3, 8, 8, 0, FALSE, "YBR_ICT", TRUE, 1 },
};

static gboolean
fen_run (const char *const *argv)
{
  int status = 0;
  GError *error = NULL;
  g_autofree char *err = NULL;

  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                NULL, NULL, NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s failed: %s", argv[0], err);
  return TRUE;
}

static void
fen_test_jpeg2000 (gconstpointer data)
{
  const FenJ2kCase *tc = data;
  const gsize n = (gsize) tc->rows * tc->columns * tc->samples; /* samples per frame */
  const guint bytes = tc->bits_allocated / 8;
  const gboolean is_signed = tc->pixel_representation && !tc->codestream_unsigned;
  const guint32 mask = (1u << tc->bits_stored) - 1;
  g_autofree char *compress = g_find_program_in_path ("opj_compress");
  g_autofree char *decompress = g_find_program_in_path ("opj_decompress");
  GByteArray *file, *codestreams[4] = { NULL };
  GRand *rand = g_rand_new_with_seed (g_str_hash (tc->name));
  gint32 *expected = g_new (gint32, n * tc->frames);
  GError *error = NULL;

  if (compress == NULL || decompress == NULL)
    {
      g_test_fail_printf ("opj_compress / opj_decompress not installed: a missing tool fails the test (tools/deps.sh installs it)");
      g_rand_free (rand);
      g_free (expected);
      return;
    }

  for (guint f = 0; f < tc->frames; f++)
    {
      /* Raw input for opj_compress: planar, little endian, one frame. */
      g_autofree char *raw = g_strdup_printf ("%s/j2k-%u.rawl", fen_test_dir, f);
      g_autofree char *j2k = g_strdup_printf ("%s/j2k-%u.j2k", fen_test_dir, f);
      g_autofree char *ref = g_strdup_printf ("%s/j2k-%u-ref.rawl", fen_test_dir, f);
      g_autofree char *format = g_strdup_printf ("%u,%u,%u,%u,%c", tc->columns, tc->rows,
                                                 tc->samples, tc->bits_stored,
                                                 is_signed ? 's' : 'u');
      guint8 *planar = g_malloc (n * bytes);
      for (gsize i = 0; i < n; i++)
        {
          const gsize pixel = i % (n / tc->samples), sample = i / (n / tc->samples);
          const guint x = pixel % tc->columns, y = pixel / tc->columns;
          /* Smooth plus noise, both ends of the range present. */
          guint32 v = (guint32) ((x * 977 + y * 613 + f * 101 + sample * 37) & mask);
          v ^= g_rand_int (rand) & (mask >> 3);
          if (i == 0)
            v = mask;
          if (i == 1)
            v = 0;
          if (i == 2)
            v = 1u << (tc->bits_stored - 1);
          gint32 value = (gint32) v;
          if (tc->pixel_representation && (v & (1u << (tc->bits_stored - 1))))
            value = (gint32) (v | ~mask);
          expected[f * n + pixel * tc->samples + sample] = value;
          if (bytes == 1)
            planar[i] = (guint8) v;
          else
            {
              guint16 le = GUINT16_TO_LE ((guint16) value & (is_signed ? 0xffff : mask));
              memcpy (planar + 2 * i, &le, 2);
            }
        }
      g_assert_true (g_file_set_contents (raw, (const char *) planar, (gssize) (n * bytes), NULL));
      g_free (planar);
      if (tc->lossy)
        {
          const char *argv[] = { compress, "-i", raw, "-o", j2k, "-F", format, "-n", "3",
                                 "-I", "-r", "8", NULL };
          fen_run (argv);
          /* The reference decoder's values replace the original's. */
          const char *dargv[] = { decompress, "-i", j2k, "-o", ref, NULL };
          fen_run (dargv);
          g_autofree char *out = NULL;
          gsize len = 0;
          g_assert_true (g_file_get_contents (ref, &out, &len, NULL));
          g_assert_cmpuint (len, ==, n * bytes);
          for (gsize i = 0; i < n; i++)
            {
              const gsize pixel = i % (n / tc->samples), sample = i / (n / tc->samples);
              gint32 v = bytes == 1 ? ((guint8 *) out)[i]
                       : is_signed ? GINT16_FROM_LE (((gint16 *) out)[i])
                       : GUINT16_FROM_LE (((guint16 *) out)[i]);
              expected[f * n + pixel * tc->samples + sample] = v;
            }
        }
      else
        {
          const char *argv[] = { compress, "-i", raw, "-o", j2k, "-F", format, "-n", "3", NULL };
          fen_run (argv);
        }
      g_autofree char *cs = NULL;
      gsize cs_len = 0;
      g_assert_true (g_file_get_contents (j2k, &cs, &cs_len, NULL));
      codestreams[f] = g_byte_array_new ();
      g_byte_array_append (codestreams[f], (const guint8 *) cs, (guint) cs_len);
    }
  g_rand_free (rand);

  /* PS3.5 A.4: encapsulated, an empty offset table, then the fragments. */
  file = fen_part10_start (tc->lossy ? "1.2.840.10008.1.2.4.91" : "1.2.840.10008.1.2.4.90");
  char frames_text[8];
  g_snprintf (frames_text, sizeof frames_text, "%u", tc->frames);
  fen_put_string (file, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7");
  fen_put_string (file, 0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9.9999.5.1");
  fen_put_us (file, 0x0028, 0x0002, (guint16) tc->samples, FALSE);
  fen_put_string (file, 0x0028, 0x0004, "CS", tc->photometric);
  if (tc->frames > 1)
    fen_put_string (file, 0x0028, 0x0008, "IS", frames_text);
  fen_put_us (file, 0x0028, 0x0010, (guint16) tc->rows, FALSE);
  fen_put_us (file, 0x0028, 0x0011, (guint16) tc->columns, FALSE);
  fen_put_us (file, 0x0028, 0x0100, (guint16) tc->bits_allocated, FALSE);
  fen_put_us (file, 0x0028, 0x0101, (guint16) tc->bits_stored, FALSE);
  fen_put_us (file, 0x0028, 0x0102, (guint16) (tc->bits_stored - 1), FALSE);
  fen_put_us (file, 0x0028, 0x0103, (guint16) tc->pixel_representation, FALSE);
  fen_put_explicit (file, 0x7fe0, 0x0010, "OB", 0xffffffffu);
  fen_put_tag (file, 0xfffe, 0xe000);
  fen_put_u32 (file, 0);
  for (guint f = 0; f < tc->frames; f++)
    {
      GByteArray *cs = codestreams[f];
      if (cs->len & 1)
        g_byte_array_append (cs, (const guint8 *) "\0", 1); /* after EOC: ignored */
      /* Split on even boundaries; only the first piece starts with SOC. */
      guint piece = (cs->len / tc->split) & ~1u;
      for (guint k = 0; k < tc->split; k++)
        {
          guint from = k * piece, to = k + 1 == tc->split ? cs->len : (k + 1) * piece;
          fen_put_tag (file, 0xfffe, 0xe000);
          fen_put_u32 (file, to - from);
          g_byte_array_append (file, cs->data + from, to - from);
        }
      g_byte_array_unref (cs);
    }
  fen_put_tag (file, 0xfffe, 0xe0dd);
  fen_put_u32 (file, 0);

  g_autofree char *path = fen_write ("j2k.dcm", file);
  g_byte_array_unref (file);
  FenImage *image = fen_load (path, &error);
  g_assert_no_error (error);
  const FenImageInfo *info = fen_image_get_info (image);
  g_assert_cmpuint (info->frames, ==, tc->frames);
  g_assert_cmpuint (info->samples_per_pixel, ==, tc->samples);
  g_assert_cmpint (info->photometric, ==,
                   tc->samples == 3 ? FEN_PHOTOMETRIC_RGB
                   : strcmp (tc->photometric, "MONOCHROME1") == 0 ? FEN_PHOTOMETRIC_MONOCHROME1
                   : FEN_PHOTOMETRIC_MONOCHROME2);
  for (guint f = 0; f < tc->frames; f++)
    {
      const void *got = fen_image_get_frame (image, f);
      for (gsize i = 0; i < n; i++)
        {
          gint32 v = bytes == 1 ? (tc->pixel_representation ? ((const gint8 *) got)[i]
                                                              : ((const guint8 *) got)[i])
                   : tc->pixel_representation ? ((const gint16 *) got)[i]
                   : ((const guint16 *) got)[i];
          if (v != expected[f * n + i])
            g_error ("frame %u sample %" G_GSIZE_FORMAT ": got %d, expected %d",
                     f, i, v, expected[f * n + i]);
        }
    }
  fen_image_unref (image);
  g_free (expected);
}

static void
fen_test_jpeg2000_hostile (void)
{
  /* A codestream that lies about its size, and one that is cut: clean errors. */
  g_autofree char *compress = g_find_program_in_path ("opj_compress");
  if (compress == NULL)
    {
      g_test_fail_printf ("opj_compress not installed: a missing tool fails the test (tools/deps.sh installs it)");
      return;
    }
  g_autofree char *raw = g_build_filename (fen_test_dir, "h.rawl", NULL);
  g_autofree char *j2k = g_build_filename (fen_test_dir, "h.j2k", NULL);
  guint8 px[40 * 40] = { 0 };
  for (guint i = 0; i < sizeof px; i++)
    px[i] = (guint8) (i * 13);
  g_assert_true (g_file_set_contents (raw, (const char *) px, sizeof px, NULL));
  const char *argv[] = { compress, "-i", raw, "-o", j2k, "-F", "40,40,1,8,u", "-n", "3", NULL };
  fen_run (argv);
  g_autofree char *cs = NULL;
  gsize cs_len = 0;
  g_assert_true (g_file_get_contents (j2k, &cs, &cs_len, NULL));

  const struct { guint rows, cut; FenIoError code; const char *needle; } cases[] = {
    { 80, 0, FEN_IO_ERROR_CORRUPT, "40 x 40 pixels for a 40 x 80 frame" },
    { 40, 60, FEN_IO_ERROR_CORRUPT, "JPEG 2000" },
    { 40, 6, FEN_IO_ERROR_CORRUPT, "JPEG 2000" },
  };
  for (guint c = 0; c < G_N_ELEMENTS (cases); c++)
    {
      GByteArray *file = fen_part10_start ("1.2.840.10008.1.2.4.90");
      guint len = cases[c].cut ? cases[c].cut : (guint) cs_len;
      len += len & 1;
      fen_put_string (file, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7");
      fen_put_us (file, 0x0028, 0x0002, 1, FALSE);
      fen_put_string (file, 0x0028, 0x0004, "CS", "MONOCHROME2");
      fen_put_us (file, 0x0028, 0x0010, (guint16) cases[c].rows, FALSE);
      fen_put_us (file, 0x0028, 0x0011, 40, FALSE);
      fen_put_us (file, 0x0028, 0x0100, 8, FALSE);
      fen_put_us (file, 0x0028, 0x0101, 8, FALSE);
      fen_put_us (file, 0x0028, 0x0102, 7, FALSE);
      fen_put_us (file, 0x0028, 0x0103, 0, FALSE);
      fen_put_explicit (file, 0x7fe0, 0x0010, "OB", 0xffffffffu);
      fen_put_tag (file, 0xfffe, 0xe000);
      fen_put_u32 (file, 0);
      fen_put_tag (file, 0xfffe, 0xe000);
      fen_put_u32 (file, len);
      g_byte_array_append (file, (const guint8 *) cs, MIN (len, (guint) cs_len));
      if (len > cs_len)
        g_byte_array_append (file, (const guint8 *) "\0", 1);
      fen_put_tag (file, 0xfffe, 0xe0dd);
      fen_put_u32 (file, 0);
      g_autofree char *path = fen_write ("j2k-hostile.dcm", file);
      g_byte_array_unref (file);
      GError *error = NULL;
      FenImage *image = fen_load (path, &error);
      g_assert_null (image);
      g_assert_error (error, FEN_IO_ERROR, (gint) cases[c].code);
      g_assert_nonnull (strstr (error->message, cases[c].needle));
      g_clear_error (&error);
    }
}

/* --- Values larger than the file ------------------------------------------- */

/* DCMTK leaves values over 4 KiB on disk and allocates their declared length
 * when asked for them: a 1 KiB file declared a 3 GiB string (fuzz-dicom).
 * Under AddressSanitizer this test runs with max_allocation_size_mb=1024
 * (tests/dicom.cmake), so such an allocation fails it. */
static void
fen_test_lying_value (void)
{
  GError *error = NULL;
  GByteArray *file = fen_part10_start ("1.2.840.10008.1.2.1");

  fen_put_string (file, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7");
  fen_put_string (file, 0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9.9999.5.1");
  /* Patient Name as UN, 3 GiB declared, 40 bytes present. */
  fen_put_explicit (file, 0x0010, 0x0010, "UN", 0xc0000000u);
  for (guint i = 0; i < 40; i++)
    g_byte_array_append (file, (const guint8 *) "A", 1);
  g_autofree char *dir = g_build_filename (fen_test_dir, "lying-value", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0755), ==, 0);
  g_autofree char *path = fen_test_write_file (dir, "lying-value.dcm", file);
  g_byte_array_unref (file);

  g_autoptr(FenStudyIndex) index = fen_study_index_new ();
  g_assert_true (fen_study_index_add_folder (index, dir, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (fen_study_index_get_n_objects (index), ==, 1);
  const FenStudyPatient *patient = g_ptr_array_index ((GPtrArray *) fen_study_index_get_patients (index), 0);
  g_assert_null (patient->name);

  /* The image loader: the file ends before any pixels, a clean error. */
  g_assert_null (fen_load (path, &error));
  g_assert_true (error->domain == FEN_IO_ERROR);
  g_clear_error (&error);
}

/* --- A JPEG stream DCMTK would scan forever ------------------------------ */

/* DCMTK 3.6.7 hunts the JPEG frame header marker by marker and never moves
 * past a TEM marker (FF01): the file must be refused, not hang the loader
 * (found by fuzz-dicom). Run in a subprocess with a time limit. */
static void
fen_test_jpeg_tem (void)
{
  if (!g_test_subprocess ())
    {
      g_test_trap_subprocess (NULL, 30 * G_USEC_PER_SEC, G_TEST_SUBPROCESS_INHERIT_STDERR);
      g_test_trap_assert_passed ();
      return;
    }
  static const guint8 stream[] = { 0xff, 0xd8, 0xff, 0x01, 0x00, 0x10, 0xff, 0xc0,
                                   0x00, 0x0b, 0x08, 0x00, 0x04, 0x00, 0x04, 0x01 };
  GError *error = NULL;
  GByteArray *file = fen_part10_start ("1.2.840.10008.1.2.4.50");
  fen_put_image_module (file, 4, 4, FALSE);
  fen_put_explicit (file, 0x7fe0, 0x0010, "OB", 0xffffffffu);
  fen_put_tag (file, 0xfffe, 0xe000);
  fen_put_u32 (file, 0);
  fen_put_tag (file, 0xfffe, 0xe000);
  fen_put_u32 (file, sizeof stream);
  g_byte_array_append (file, stream, sizeof stream);
  fen_put_tag (file, 0xfffe, 0xe0dd);
  fen_put_u32 (file, 0);
  g_autofree char *path = fen_write ("jpeg-tem.dcm", file);
  g_byte_array_unref (file);

  g_assert_null (fen_load (path, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "TEM"));
  g_clear_error (&error);
}

/* --- Regression inputs from the fuzzers ----------------------------------- */

static void
fen_test_regressions (void)
{
  const char *dir = g_getenv ("FEN_FUZZ_REGRESSIONS");
  const char *sub[] = { "dicom", "png", "tiff" };
  guint n = 0;

  if (dir == NULL)
    {
      g_test_skip ("FEN_FUZZ_REGRESSIONS not set");
      return;
    }
  for (guint s = 0; s < G_N_ELEMENTS (sub); s++)
    {
      g_autofree char *path = g_build_filename (dir, sub[s], NULL);
      GDir *handle = g_dir_open (path, 0, NULL);
      const char *entry;
      if (handle == NULL)
        continue;
      while ((entry = g_dir_read_name (handle)) != NULL)
        {
          g_autofree char *file = g_build_filename (path, entry, NULL);
          GError *error = NULL;
          FenLoadOptions options = { .max_pixel_bytes = (gsize) 64 << 20 };
          FenImage *image = fen_load_file (file, &options, &error);
          g_assert_true ((image == NULL) == (error != NULL));
          if (image)
            fen_image_unref (image);
          else
            g_assert_true (error->domain == FEN_IO_ERROR);
          g_clear_error (&error);
          n++;
        }
      g_dir_close (handle);
      /* The study index's header reader, on every input of the folder. */
      g_autoptr(FenStudyIndex) index = fen_study_index_new ();
      g_assert_true (fen_study_index_add_folder (index, path, NULL));
    }
  g_test_message ("%u regression inputs", n);
}

/* --- main ------------------------------------------------------------------ */

int
main (int argc, char **argv)
{
  GError *error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  fen_test_dir = g_dir_make_tmp ("fen-traps-XXXXXX", &error);
  g_assert_no_error (error);

  g_test_add_data_func ("/dicom/trap/deep-nesting/explicit-undefined", GINT_TO_POINTER (FALSE),
                        fen_test_deep_nesting);
  g_test_add_data_func ("/dicom/trap/deep-nesting/implicit-defined", GINT_TO_POINTER (TRUE),
                        fen_test_deep_nesting);
  g_test_add_func ("/dicom/trap/deflate-lying-length", fen_test_deflate);
  g_test_add_func ("/dicom/trap/implicit-in-explicit", fen_test_implicit_in_explicit);
  g_test_add_data_func ("/dicom/trap/fragments-compacted/jpeg-ls", "dcmcjpls", fen_test_fragments);
  g_test_add_data_func ("/dicom/trap/fragments-compacted/rle", "dcmcrle", fen_test_fragments);
  g_test_add_func ("/dicom/trap/fuzz-regressions", fen_test_regressions);
  g_test_add_func ("/dicom/trap/value-longer-than-file", fen_test_lying_value);
  g_test_add_func ("/dicom/trap/jpeg-tem-marker", fen_test_jpeg_tem);
  for (guint i = 0; i < G_N_ELEMENTS (fen_j2k_cases); i++)
    g_test_add_data_func (fen_j2k_cases[i].name, &fen_j2k_cases[i], fen_test_jpeg2000);
  g_test_add_func ("/dicom/jpeg2000/hostile", fen_test_jpeg2000_hostile);

  status = g_test_run ();
  fen_test_remove_dir (fen_test_dir);
  g_free (fen_test_dir);
  return status;
}
