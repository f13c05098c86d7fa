/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dicom.c: the DICOM loader against files made at test time: every
 * sample layout and transfer syntax we claim, checked value for value, plus
 * hostile files that must fail cleanly and a peak-memory bound. */
#define G_LOG_DOMAIN "fen-test-dicom"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <fenestra/fenestra.h>

#include "fen-test-dicom-writer.h"

/* One fixture: what the writer puts in the header. Pixel bytes come apart. */
typedef struct {
  guint       rows, columns, frames;
  guint       samples, bits_allocated, bits_stored, high_bit;
  guint       pixel_representation, planar;
  const char *photometric;
  gboolean    no_pixels;     /* a non-image object: no Image Pixel module, no Pixel Data */
  gboolean    omit_rows;     /* leave out Rows (0028,0010) */
  gboolean    metadata;      /* write the descriptive attributes of /dicom/metadata */
} FenTestDicom;

static char *fen_test_dir;

/* Bytes are written with tests/fen-test-dicom-writer.c. */

/* Everything up to and including the Pixel Data element header, which
 * declares @pixel_len bytes: the caller appends (or withholds) them. */
static GByteArray *
fen_test_dicom_header (const FenTestDicom *d, guint32 pixel_len)
{
  GByteArray *out = g_byte_array_new ();
  GByteArray *meta = g_byte_array_new ();
  static const guint8 version[2] = { 0, 1 };
  const char *sop_class = "1.2.840.10008.5.1.4.1.1.7"; /* Secondary Capture */

  fen_put_explicit (meta, 0x0002, 0x0001, "OB", 2);
  g_byte_array_append (meta, version, 2);
  fen_put_string (meta, 0x0002, 0x0002, "UI", sop_class);
  fen_put_string (meta, 0x0002, 0x0003, "UI", "1.2.826.0.1.3680043.9.9999.1.1");
  fen_put_string (meta, 0x0002, 0x0010, "UI", "1.2.840.10008.1.2.1");
  fen_put_string (meta, 0x0002, 0x0012, "UI", "1.2.826.0.1.3680043.9.9999");

  g_byte_array_set_size (out, 128);
  memset (out->data, 0, 128);
  g_byte_array_append (out, (const guint8 *) "DICM", 4);
  fen_put_explicit (out, 0x0002, 0x0000, "UL", 4);
  fen_put_u32 (out, meta->len);
  g_byte_array_append (out, meta->data, meta->len);
  g_byte_array_unref (meta);

  if (d->metadata)
    fen_put_string (out, 0x0008, 0x0005, "CS", "ISO_IR 100");
  fen_put_string (out, 0x0008, 0x0016, "UI", sop_class);
  fen_put_string (out, 0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9.9999.1.1");
  if (d->metadata)
    {
      fen_put_string (out, 0x0008, 0x0020, "DA", "20240131");
      fen_put_string (out, 0x0008, 0x0030, "TM", "101500");
      fen_put_string (out, 0x0008, 0x0060, "CS", "CT");
      fen_put_string (out, 0x0008, 0x0080, "LO", "Hospital \xe9t\xe9"); /* Latin-1 */
      fen_put_string (out, 0x0008, 0x1030, "LO", "Study desc");
      fen_put_string (out, 0x0008, 0x103e, "LO", "Series desc");
      fen_put_string (out, 0x0010, 0x0010, "PN", "Doe^Jane");
      fen_put_string (out, 0x0010, 0x0020, "LO", "PID-42");
      fen_put_string (out, 0x0010, 0x0030, "DA", "19700101");
      fen_put_string (out, 0x0010, 0x0040, "CS", "F");
      fen_put_string (out, 0x0018, 0x0015, "CS", "CHEST");
      fen_put_string (out, 0x0018, 0x0050, "DS", "2.5");
      fen_put_string (out, 0x0020, 0x000d, "UI", "1.2.3.1");
      fen_put_string (out, 0x0020, 0x000e, "UI", "1.2.3.2");
      fen_put_string (out, 0x0020, 0x0011, "IS", "7");
      fen_put_string (out, 0x0020, 0x0013, "IS", "12");
      fen_put_string (out, 0x0020, 0x0032, "DS", "-100\\-120.5\\30");
      fen_put_string (out, 0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0");
    }
  if (d->no_pixels)
    return out; /* a non-image object: no Image Pixel module either */
  fen_put_us (out, 0x0028, 0x0002, (guint16) d->samples, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", d->photometric);
  if (d->samples == 3)
    fen_put_us (out, 0x0028, 0x0006, (guint16) d->planar, FALSE);
  if (d->frames > 1)
    {
      char frames[16];
      g_snprintf (frames, sizeof frames, "%u", d->frames);
      fen_put_string (out, 0x0028, 0x0008, "IS", frames);
    }
  if (!d->omit_rows)
    fen_put_us (out, 0x0028, 0x0010, (guint16) d->rows, FALSE);
  fen_put_us (out, 0x0028, 0x0011, (guint16) d->columns, FALSE);
  if (d->metadata)
    fen_put_string (out, 0x0028, 0x0030, "DS", "0.5\\0.25");
  fen_put_us (out, 0x0028, 0x0100, (guint16) d->bits_allocated, FALSE);
  fen_put_us (out, 0x0028, 0x0101, (guint16) d->bits_stored, FALSE);
  fen_put_us (out, 0x0028, 0x0102, (guint16) d->high_bit, FALSE);
  fen_put_us (out, 0x0028, 0x0103, (guint16) d->pixel_representation, FALSE);
  if (d->metadata)
    {
      fen_put_string (out, 0x0028, 0x1050, "DS", "40\\300");
      fen_put_string (out, 0x0028, 0x1051, "DS", "400\\1500");
      fen_put_string (out, 0x0028, 0x1055, "LO", "SOFT\\BONE");
      fen_put_string (out, 0x0028, 0x1052, "DS", "-1024");
      fen_put_string (out, 0x0028, 0x1053, "DS", "1");
      fen_put_string (out, 0x0028, 0x1054, "LO", "HU");
      fen_put_string (out, 0x0028, 0x1056, "CS", "SIGMOID");
    }
  fen_put_explicit (out, 0x7fe0, 0x0010, d->bits_allocated > 8 ? "OW" : "OB", pixel_len);
  return out;
}

static gsize
fen_test_frame_bytes (const FenTestDicom *d)
{
  return (gsize) d->rows * d->columns * d->samples * (d->bits_allocated / 8);
}

static char *
fen_test_path (const char *name)
{
  return g_build_filename (fen_test_dir, name, NULL);
}

/* Writes the file: header, then @pixels padded to even length. */
static char *
fen_test_write (const char *name, const FenTestDicom *d, const void *pixels, gsize len)
{
  char *path = fen_test_path (name);
  GByteArray *out = fen_test_dicom_header (d, (guint32) (len + (len & 1)));
  GError *error = NULL;

  if (!d->no_pixels)
    {
      g_byte_array_append (out, pixels, (guint) len);
      if (len & 1)
        g_byte_array_append (out, (const guint8 *) "\0", 1);
    }
  g_file_set_contents (path, (const char *) out->data, out->len, &error);
  g_assert_no_error (error);
  g_byte_array_unref (out);
  return path;
}

/* --- Pixel patterns and what the loader must make of them ----------------- */

/* Raw file samples: random values of the stored bits, plus garbage above the
 * high bit and below the stored bits when @garbage is set (masking must
 * remove it). Returns the raw buffer; @expected gets the values the loader
 * must produce (in memory layout: interleaved). */
static void *
fen_test_pattern (const FenTestDicom *d, guint32 seed, gboolean garbage, void **expected)
{
  const gsize frame_bytes = fen_test_frame_bytes (d);
  const gsize n = frame_bytes * d->frames / (d->bits_allocated / 8);
  const guint shift = d->high_bit + 1 - d->bits_stored;
  const guint32 mask = (1u << d->bits_stored) - 1;
  GRand *rand = g_rand_new_with_seed (seed);
  guint8 *raw = g_malloc (n * (d->bits_allocated / 8) + 1);
  guint8 *exp = g_malloc (n * (d->bits_allocated / 8) + 1);

  for (gsize i = 0; i < n; i++)
    {
      guint32 stored = (guint32) g_rand_int (rand) & mask;
      /* Make the extremes appear: they catch sign and mask errors. */
      if (i == 0)
        stored = mask;
      else if (i == 1)
        stored = 0;
      else if (i == 2)
        stored = 1u << (d->bits_stored - 1);
      guint32 word = stored << shift;
      if (garbage)
        {
          guint32 junk = g_rand_int (rand);
          guint32 keep = mask << shift;
          word = (word & keep) | (junk & ~keep);
        }
      gint32 value = (gint32) stored;
      if (d->pixel_representation == 1 && (stored & (1u << (d->bits_stored - 1))))
        value = (gint32) (stored | ~mask);
      if (d->bits_allocated == 8)
        {
          raw[i] = (guint8) word;
          exp[i] = (guint8) value;
        }
      else
        {
          ((guint16 *) raw)[i] = GUINT16_TO_LE ((guint16) word);
          ((guint16 *) exp)[i] = (guint16) value;
        }
    }
  g_rand_free (rand);

  if (d->samples == 3 && d->planar == 1)
    {
      /* The file holds planes, memory holds interleaved samples. */
      const gsize pixels = (gsize) d->rows * d->columns;
      guint8 *planes = g_malloc (frame_bytes);
      for (guint f = 0; f < d->frames; f++)
        {
          guint8 *frame = raw + f * frame_bytes;
          for (gsize p = 0; p < pixels; p++)
            for (guint s = 0; s < 3; s++)
              planes[s * pixels + p] = frame[p * 3 + s];
          memcpy (frame, planes, frame_bytes);
        }
      g_free (planes);
    }
  *expected = exp;
  return raw;
}

static guint32
fen_test_crc (const char *path)
{
  char *data = NULL;
  gsize len = 0;
  guint32 h = 2166136261u; /* FNV-1a: any change of the file changes it */
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  for (gsize i = 0; i < len; i++)
    h = (h ^ (guint8) data[i]) * 16777619u;
  g_free (data);
  return h ^ (guint32) len;
}

/* Loads @path, proving the file is untouched and any error names the file. */
static FenImage *
fen_test_load (const char *path, gsize max_bytes, GError **error)
{
  FenLoadOptions options = { .max_pixel_bytes = max_bytes };
  gboolean exists = g_file_test (path, G_FILE_TEST_EXISTS);
  guint32 before = exists ? fen_test_crc (path) : 0;
  FenImage *image = fen_dicom_load (path, &options, error);

  if (exists)
    g_assert_cmpuint (fen_test_crc (path), ==, before);
  g_assert_true ((image == NULL) == (error == NULL || *error != NULL));
  if (image == NULL && error != NULL)
    {
      char *base = g_path_get_basename (path);
      g_assert_true (g_str_has_prefix ((*error)->message, base));
      g_free (base);
    }
  return image;
}

static void
fen_test_assert_pixels (FenImage *image, const void *expected, gsize bytes, guint tolerance)
{
  const guint8 *got = fen_image_get_frame (image, 0);
  g_assert_cmpuint (fen_image_get_pixel_bytes (image), ==, bytes);
  if (tolerance == 0)
    {
      if (memcmp (got, expected, bytes) != 0)
        {
          const FenImageInfo *info = fen_image_get_info (image);
          gsize step = info->bits_allocated / 8;
          for (gsize i = 0; i < bytes; i += step)
            if (memcmp (got + i, (const guint8 *) expected + i, step) != 0)
              g_error ("sample %" G_GSIZE_FORMAT " differs: got %d, expected %d", i / step,
                       step == 1 ? got[i] : ((const gint16 *) got)[i / 2],
                       step == 1 ? ((const guint8 *) expected)[i]
                                 : ((const gint16 *) expected)[i / 2]);
        }
      return;
    }
  for (gsize i = 0; i < bytes; i++)
    {
      int diff = (int) got[i] - (int) ((const guint8 *) expected)[i];
      if ((guint) ABS (diff) > tolerance)
        g_error ("byte %" G_GSIZE_FORMAT ": got %u, expected %u (tolerance %u)",
                 i, got[i], ((const guint8 *) expected)[i], tolerance);
    }
}

/* --- Running the DCMTK tools -------------------------------------------- */

/* Runs a DCMTK tool on @in, writing @out. FALSE (and the test failed) without it. */
static gboolean
fen_test_tool (const char *tool, const char *option, const char *option2,
               const char *in, const char *out)
{
  char *exe = g_find_program_in_path (tool);
  const char *argv[8];
  int n = 0;
  int status = 0;
  char *err = NULL;
  GError *error = NULL;

  if (exe == NULL)
    {
      char *msg = g_strdup_printf ("%s (DCMTK) not installed", tool);
      g_test_fail_printf ("%s: a missing tool fails the test (tools/deps.sh installs it)", msg);
      g_free (msg);
      return FALSE;
    }
  argv[n++] = exe;
  if (option)
    argv[n++] = option;
  if (option2)
    argv[n++] = option2;
  argv[n++] = in;
  argv[n++] = out;
  argv[n] = NULL;
  g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                NULL, &err, &status, &error);
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, NULL))
    g_error ("%s %s failed: %s", tool, option ? option : "", err);
  g_free (err);
  g_free (exe);
  return TRUE;
}

/* --- Round trips -------------------------------------------------------- */

typedef struct {
  const char  *name;
  FenTestDicom d;
  gboolean     garbage;
  const char  *tool;       /* NULL: load the written file itself */
  const char  *option;
  const char  *option2;
  guint        tolerance;  /* per byte, for lossy paths */
  const char  *ts_uid;     /* expected transfer syntax, NULL: do not check */
} FenTestCase;

#define MONO16(bs, hb, pr) { 64, 48, 1, 1, 16, bs, hb, pr, 0, "MONOCHROME2", FALSE, FALSE, FALSE }
#define MONO8(pr)          { 33, 17, 1, 1, 8, 8, 7, pr, 0, "MONOCHROME2", FALSE, FALSE, FALSE }
#define RGB8(pl)           { 31, 20, 1, 3, 8, 8, 7, 0, pl, "RGB", FALSE, FALSE, FALSE }
#define MULTI16            { 40, 30, 3, 1, 16, 12, 11, 0, 0, "MONOCHROME2", FALSE, FALSE, FALSE }

static const FenTestCase fen_test_cases[] = {
  { "/dicom/explicit-le/u16", MONO16 (12, 11, 0), FALSE, NULL, NULL, NULL, 0, "1.2.840.10008.1.2.1" },
  { "/dicom/explicit-le/s16", MONO16 (16, 15, 1), FALSE, NULL, NULL, NULL, 0, NULL },
  { "/dicom/explicit-le/u8", MONO8 (0), FALSE, NULL, NULL, NULL, 0, NULL },
  { "/dicom/explicit-le/s8", MONO8 (1), FALSE, NULL, NULL, NULL, 0, NULL },
  { "/dicom/explicit-le/mask-12-in-16", MONO16 (12, 11, 0), TRUE, NULL, NULL, NULL, 0, NULL },
  { "/dicom/explicit-le/signed-12", MONO16 (12, 11, 1), TRUE, NULL, NULL, NULL, 0, NULL },
  { "/dicom/explicit-le/high-bit-13", MONO16 (12, 13, 1), TRUE, NULL, NULL, NULL, 0, NULL },
  { "/dicom/explicit-le/signed-6-in-8", { 9, 7, 1, 1, 8, 6, 6, 1, 0, "MONOCHROME1", FALSE, FALSE, FALSE },
    TRUE, NULL, NULL, NULL, 0, NULL },
  { "/dicom/explicit-le/rgb-planar0", RGB8 (0), FALSE, NULL, NULL, NULL, 0, NULL },
  { "/dicom/explicit-le/rgb-planar1", RGB8 (1), FALSE, NULL, NULL, NULL, 0, NULL },
  { "/dicom/explicit-le/multiframe", MULTI16, FALSE, NULL, NULL, NULL, 0, NULL },
  { "/dicom/big-endian/u16", MULTI16, FALSE, "dcmconv", "+tb", NULL, 0, "1.2.840.10008.1.2.2" },
  { "/dicom/big-endian/s16", MONO16 (16, 15, 1), FALSE, "dcmconv", "+tb", NULL, 0, NULL },
  { "/dicom/big-endian/u8", MONO8 (0), FALSE, "dcmconv", "+tb", NULL, 0, NULL },
  { "/dicom/implicit-le/u16", MULTI16, FALSE, "dcmconv", "+ti", NULL, 0, "1.2.840.10008.1.2" },
  { "/dicom/implicit-le/rgb-planar1", RGB8 (1), FALSE, "dcmconv", "+ti", NULL, 0, NULL },
  { "/dicom/deflated/u16", MULTI16, FALSE, "dcmconv", "+td", NULL, 0, "1.2.840.10008.1.2.1.99" },
  { "/dicom/rle/u16", MULTI16, FALSE, "dcmcrle", NULL, NULL, 0, "1.2.840.10008.1.2.5" },
  { "/dicom/rle/s16", MONO16 (16, 15, 1), FALSE, "dcmcrle", NULL, NULL, 0, NULL },
  { "/dicom/rle/u8", MONO8 (0), FALSE, "dcmcrle", NULL, NULL, 0, NULL },
  { "/dicom/rle/rgb-planar0", RGB8 (0), FALSE, "dcmcrle", NULL, NULL, 0, NULL },
  { "/dicom/rle/rgb-planar1", RGB8 (1), FALSE, "dcmcrle", NULL, NULL, 0, NULL },
  { "/dicom/jpeg-lossless/u16", MULTI16, FALSE, "dcmcjpeg", "+e1", NULL, 0, "1.2.840.10008.1.2.4.70" },
  { "/dicom/jpeg-lossless/u8", MONO8 (0), FALSE, "dcmcjpeg", "+e1", NULL, 0, NULL },
  { "/dicom/jpeg-lossless/rgb", RGB8 (0), FALSE, "dcmcjpeg", "+e1", NULL, 0, NULL },
  { "/dicom/jpeg-lossless/sv6", MONO16 (12, 11, 0), FALSE, "dcmcjpeg", "+el", NULL, 0, "1.2.840.10008.1.2.4.57" },
  { "/dicom/jpeg-baseline/u8", MONO8 (0), FALSE, "dcmcjpeg", "+eb", "+q", 0, NULL },
  { "/dicom/jpeg-ls/u16", MULTI16, FALSE, "dcmcjpls", NULL, NULL, 0, "1.2.840.10008.1.2.4.80" },
  { "/dicom/jpeg-ls/u8", MONO8 (0), FALSE, "dcmcjpls", NULL, NULL, 0, NULL },
  { "/dicom/jpeg-ls/rgb-planar0", RGB8 (0), FALSE, "dcmcjpls", NULL, NULL, 0, NULL },
  { "/dicom/jpeg-ls/rgb-planar1", RGB8 (1), FALSE, "dcmcjpls", NULL, NULL, 0, NULL },
  { "/dicom/jpeg-ls/near-lossless", MONO16 (12, 11, 0), FALSE, "dcmcjpls", "+en", NULL, 0, "1.2.840.10008.1.2.4.81" },
  { "/dicom/no-meta/implicit-le", MULTI16, FALSE, "dcmconv", "-F", "+ti", 0, "1.2.840.10008.1.2" },
  { "/dicom/no-meta/explicit-le", MULTI16, FALSE, "dcmconv", "-F", "+te", 0, "1.2.840.10008.1.2.1" },
  { "/dicom/no-meta/big-endian", MULTI16, FALSE, "dcmconv", "-F", "+tb", 0, "1.2.840.10008.1.2.2" },
};

static void
fen_test_round_trip (gconstpointer data)
{
  const FenTestCase *tc = data;
  const FenTestDicom *d = &tc->d;
  char *file = g_strdelimit (g_strdup (tc->name + 1), "/", '-');
  char *src_name = g_strconcat (file, "-src.dcm", NULL);
  char *dst_name = g_strconcat (file, ".dcm", NULL);
  void *expected = NULL;
  void *raw = fen_test_pattern (d, g_str_hash (tc->name), tc->garbage, &expected);
  const gsize bytes = fen_test_frame_bytes (d) * d->frames;
  char *src = fen_test_write (src_name, d, raw, bytes);
  char *path = NULL;
  GError *error = NULL;
  guint tolerance = tc->tolerance;
  gboolean lossy = FALSE;

  if (tc->tool != NULL)
    {
      path = fen_test_path (dst_name);
      /* Baseline JPEG takes its quality as a separate argument. */
      if (g_strcmp0 (tc->option2, "+q") == 0)
        {
          char *exe = g_find_program_in_path (tc->tool);
          if (exe == NULL)
            {
              g_test_fail_printf ("dcmcjpeg (DCMTK) not installed: a missing tool fails the test (tools/deps.sh installs it)");
              goto out;
            }
          const char *argv[] = { exe, "+eb", "+q", "100", src, path, NULL };
          int status = 0;
          g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL |
                        G_SPAWN_STDERR_TO_DEV_NULL, NULL, NULL, NULL, NULL, &status, &error);
          g_assert_no_error (error);
          g_assert_true (g_spawn_check_wait_status (status, NULL));
          g_free (exe);
          lossy = TRUE;
        }
      else if (!fen_test_tool (tc->tool, tc->option, tc->option2, src, path))
        goto out;
      if (g_strcmp0 (tc->option, "+en") == 0)
        lossy = TRUE;
    }
  else
    path = g_strdup (src);

  FenImage *image = fen_test_load (path, 0, &error);
  g_assert_no_error (error);
  const FenImageInfo *info = fen_image_get_info (image);
  g_assert_cmpuint (info->rows, ==, d->rows);
  g_assert_cmpuint (info->columns, ==, d->columns);
  g_assert_cmpuint (info->frames, ==, d->frames);
  g_assert_cmpuint (info->samples_per_pixel, ==, d->samples);
  g_assert_cmpuint (info->bits_allocated, ==, d->bits_allocated);
  g_assert_cmpuint (info->bits_stored, ==, d->bits_stored);
  g_assert_cmpuint (info->pixel_representation, ==, d->pixel_representation);
  g_assert_cmpstr (info->format, ==, "DICOM");
  g_assert_cmpstr (info->photometric_name, ==, d->photometric);
  g_assert_cmpint (info->photometric, ==,
                   d->samples == 3 ? FEN_PHOTOMETRIC_RGB
                   : strcmp (d->photometric, "MONOCHROME1") == 0 ? FEN_PHOTOMETRIC_MONOCHROME1
                   : FEN_PHOTOMETRIC_MONOCHROME2);
  if (tc->ts_uid)
    g_assert_cmpstr (info->transfer_syntax, ==, tc->ts_uid);

  if (lossy)
    {
      /* Near-lossless JPEG-LS promises |error| <= NEAR (2 by default). */
      const guint16 *got = fen_image_get_frame (image, 0);
      const gsize n = bytes / (d->bits_allocated / 8);
      for (gsize i = 0; i < n; i++)
        {
          int a = d->bits_allocated == 8 ? ((const guint8 *) got)[i] : got[i];
          int b = d->bits_allocated == 8 ? ((const guint8 *) expected)[i] : ((const guint16 *) expected)[i];
          if (ABS (a - b) > (d->bits_allocated == 8 ? 8 : 2))
            g_error ("sample %" G_GSIZE_FORMAT ": got %d, expected %d", i, a, b);
        }
    }
  else
    fen_test_assert_pixels (image, expected, bytes, tolerance);
  fen_image_unref (image);

out:
  g_free (raw);
  g_free (expected);
  g_free (src);
  g_free (path);
  g_free (file);
  g_free (src_name);
  g_free (dst_name);
}

/* --- YBR: expected RGB from the PS3.3 C.7.6.3.1.2 inverse ----------------- */

static guint8
fen_test_clamp (double v)
{
  return v <= 0.0 ? 0 : v >= 255.0 ? 255 : (guint8) lrint (v);
}

static void
fen_test_ybr_rgb (guint8 y, guint8 cb, guint8 cr, guint8 *rgb)
{
  rgb[0] = fen_test_clamp (y + 1.402 * (cr - 128.0));
  rgb[1] = fen_test_clamp (y - 0.344136 * (cb - 128.0) - 0.714136 * (cr - 128.0));
  rgb[2] = fen_test_clamp (y + 1.772 * (cb - 128.0));
}

static void
fen_test_ybr (gconstpointer data)
{
  const gboolean sub = GPOINTER_TO_INT (data);
  FenTestDicom d = { 6, 8, 2, 3, 8, 8, 7, 0, 0, sub ? "YBR_FULL_422" : "YBR_FULL", FALSE, FALSE, FALSE };
  const gsize pixels = (gsize) d.rows * d.columns * d.frames;
  const gsize file_bytes = sub ? pixels * 2 : pixels * 3;
  guint8 *raw = g_malloc (file_bytes);
  guint8 *expected = g_malloc (pixels * 3);
  GRand *rand = g_rand_new_with_seed (7);
  GError *error = NULL;

  for (gsize i = 0; i < file_bytes; i++)
    raw[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  if (sub)
    for (gsize p = 0; p < pixels; p += 2)
      {
        const guint8 *g = raw + p * 2; /* Y1 Y2 Cb Cr */
        fen_test_ybr_rgb (g[0], g[2], g[3], expected + p * 3);
        fen_test_ybr_rgb (g[1], g[2], g[3], expected + p * 3 + 3);
      }
  else
    for (gsize p = 0; p < pixels; p++)
      fen_test_ybr_rgb (raw[p * 3], raw[p * 3 + 1], raw[p * 3 + 2], expected + p * 3);

  char *path = fen_test_write (sub ? "ybr422.dcm" : "ybr.dcm", &d, raw, file_bytes);
  FenImage *image = fen_test_load (path, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpint (fen_image_get_info (image)->photometric, ==, FEN_PHOTOMETRIC_RGB);
  fen_test_assert_pixels (image, expected, pixels * 3, 1);
  fen_image_unref (image);

  if (!sub)
    {
      /* RLE keeps YBR_FULL: the decoder reports it and we convert. */
      char *rle = fen_test_path ("ybr-rle.dcm");
      if (fen_test_tool ("dcmcrle", NULL, NULL, path, rle))
        {
          image = fen_test_load (rle, 0, &error);
          g_assert_no_error (error);
          fen_test_assert_pixels (image, expected, pixels * 3, 1);
          fen_image_unref (image);
        }
      g_free (rle);
    }
  g_free (path);
  g_free (raw);
  g_free (expected);
}

/* --- Metadata ------------------------------------------------------------ */

static void
fen_test_metadata (void)
{
  FenTestDicom d = MONO16 (16, 15, 1);
  d.metadata = TRUE;
  void *expected = NULL;
  void *raw = fen_test_pattern (&d, 3, FALSE, &expected);
  char *path = fen_test_write ("metadata.dcm", &d, raw, fen_test_frame_bytes (&d));
  GError *error = NULL;
  FenImage *image = fen_test_load (path, 0, &error);
  g_assert_no_error (error);
  const FenImageInfo *info = fen_image_get_info (image);

  g_assert_cmpfloat (info->rescale_slope, ==, 1.0);
  g_assert_cmpfloat (info->rescale_intercept, ==, -1024.0);
  g_assert_cmpstr (info->rescale_type, ==, "HU");
  g_assert_cmpuint (info->n_windows, ==, 2);
  g_assert_cmpfloat (info->windows[0].center, ==, 40.0);
  g_assert_cmpfloat (info->windows[0].width, ==, 400.0);
  g_assert_cmpstr (info->windows[0].explanation, ==, "SOFT");
  g_assert_cmpfloat (info->windows[1].center, ==, 300.0);
  g_assert_cmpfloat (info->windows[1].width, ==, 1500.0);
  g_assert_cmpstr (info->windows[1].explanation, ==, "BONE");
  g_assert_cmpint (info->voi_function, ==, FEN_VOI_SIGMOID);
  g_assert_cmpfloat (info->pixel_spacing[0], ==, 0.5);
  g_assert_cmpfloat (info->pixel_spacing[1], ==, 0.25);
  g_assert_true (info->has_position);
  g_assert_cmpfloat (info->image_position[1], ==, -120.5);
  g_assert_true (info->has_orientation);
  g_assert_cmpfloat (info->image_orientation[4], ==, 1.0);
  g_assert_cmpfloat (info->slice_thickness, ==, 2.5);
  g_assert_cmpstr (info->modality, ==, "CT");
  g_assert_cmpstr (info->patient_name, ==, "Doe^Jane");
  g_assert_cmpstr (info->patient_id, ==, "PID-42");
  g_assert_cmpstr (info->patient_birth_date, ==, "19700101");
  g_assert_cmpstr (info->patient_sex, ==, "F");
  g_assert_cmpstr (info->study_date, ==, "20240131");
  g_assert_cmpstr (info->study_time, ==, "101500");
  g_assert_cmpstr (info->study_description, ==, "Study desc");
  g_assert_cmpstr (info->series_description, ==, "Series desc");
  g_assert_cmpstr (info->institution_name, ==, "Hospital \xc3\xa9t\xc3\xa9"); /* UTF-8 now */
  g_assert_cmpstr (info->body_part, ==, "CHEST");
  g_assert_cmpstr (info->study_uid, ==, "1.2.3.1");
  g_assert_cmpstr (info->series_uid, ==, "1.2.3.2");
  g_assert_cmpstr (info->instance_uid, ==, "1.2.826.0.1.3680043.9.9999.1.1");
  g_assert_cmpstr (info->sop_class_uid, ==, "1.2.840.10008.5.1.4.1.1.7");
  g_assert_cmpint (info->instance_number, ==, 12);
  g_assert_cmpint (info->series_number, ==, 7);
  fen_test_assert_pixels (image, expected, fen_test_frame_bytes (&d), 0);
  fen_image_unref (image);

  /* Defaults when the attributes are absent. */
  FenTestDicom plain = MONO8 (0);
  char *plain_path = fen_test_write ("plain.dcm", &plain, raw, fen_test_frame_bytes (&plain));
  image = fen_test_load (plain_path, 0, &error);
  g_assert_no_error (error);
  info = fen_image_get_info (image);
  g_assert_cmpfloat (info->rescale_slope, ==, 1.0);
  g_assert_cmpfloat (info->rescale_intercept, ==, 0.0);
  g_assert_cmpuint (info->n_windows, ==, 0);
  g_assert_cmpint (info->voi_function, ==, FEN_VOI_LINEAR);
  g_assert_false (info->has_position);
  g_assert_cmpfloat (info->pixel_spacing[0], ==, 0.0);
  fen_image_unref (image);

  g_free (plain_path);
  g_free (path);
  g_free (raw);
  g_free (expected);
}

/* --- Hostile and odd files ---------------------------------------------- */

static void
fen_test_expect_error (const char *path, gsize max_bytes, FenIoError code, const char *needle)
{
  GError *error = NULL;
  FenImage *image = fen_test_load (path, max_bytes, &error);
  g_assert_null (image);
  g_assert_error (error, FEN_IO_ERROR, (gint) code);
  if (needle)
    g_assert_nonnull (strstr (error->message, needle));
  g_test_message ("%s", error->message);
  g_error_free (error);
}

static char *
fen_test_write_bytes (const char *name, const void *data, gsize len)
{
  char *path = fen_test_path (name);
  g_assert_true (g_file_set_contents (path, data, (gssize) len, NULL));
  return path;
}

static void
fen_test_truncated (void)
{
  FenTestDicom d = MULTI16;
  void *expected = NULL;
  void *raw = fen_test_pattern (&d, 11, FALSE, &expected);
  const gsize bytes = fen_test_frame_bytes (&d) * d.frames;
  char *path = fen_test_write ("full.dcm", &d, raw, bytes);
  char *data = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &data, &len, NULL));
  const gsize header = len - bytes;

  /* In the pixels: the exact numbers are in the message. */
  const gsize cuts[] = { header + 1, header + 100, header + bytes / 2, len - 2 };
  for (guint i = 0; i < G_N_ELEMENTS (cuts); i++)
    {
      char *p = fen_test_write_bytes ("cut.dcm", data, cuts[i]);
      char *msg = g_strdup_printf ("%" G_GSIZE_FORMAT " bytes expected, %" G_GSIZE_FORMAT " present",
                                   bytes, cuts[i] - header);
      fen_test_expect_error (p, 0, FEN_IO_ERROR_TRUNCATED, msg);
      g_free (msg);
      g_free (p);
    }
  /* In the header: any clean error will do. */
  const gsize head_cuts[] = { 10, 131, 132, 140, 200, header - 12, header - 1 };
  for (guint i = 0; i < G_N_ELEMENTS (head_cuts); i++)
    {
      GError *error = NULL;
      char *p = fen_test_write_bytes ("cut-head.dcm", data, head_cuts[i]);
      FenImage *image = fen_test_load (p, 0, &error);
      g_assert_null (image);
      g_assert_true (error->domain == FEN_IO_ERROR);
      g_test_message ("cut at %" G_GSIZE_FORMAT ": %s", head_cuts[i], error->message);
      /* Cut exactly before the Pixel Data element: still no NO_PIXELS. */
      if (head_cuts[i] == header - 12)
        g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TRUNCATED);
      g_error_free (error);
      g_free (p);
    }

  /* Compressed files cut short. */
  char *rle = fen_test_path ("full-rle.dcm");
  if (fen_test_tool ("dcmcrle", NULL, NULL, path, rle))
    {
      char *rdata = NULL;
      gsize rlen = 0;
      g_assert_true (g_file_get_contents (rle, &rdata, &rlen, NULL));
      for (gsize cut = rlen / 2; cut < rlen; cut += rlen / 7)
        {
          GError *error = NULL;
          char *p = fen_test_write_bytes ("cut-rle.dcm", rdata, cut);
          g_assert_null (fen_test_load (p, 0, &error));
          g_assert_true (error->domain == FEN_IO_ERROR);
          g_error_free (error);
          g_free (p);
        }
      g_free (rdata);
    }
  g_free (rle);
  g_free (data);
  g_free (path);
  g_free (raw);
  g_free (expected);
}

static void
fen_test_lying_size (void)
{
  FenTestDicom d = MONO16 (12, 11, 0);
  void *expected = NULL;
  void *raw = fen_test_pattern (&d, 5, FALSE, &expected);
  const gsize bytes = fen_test_frame_bytes (&d);
  d.rows *= 2; /* the header promises twice what the element holds */
  char *path = fen_test_write ("lying.dcm", &d, raw, bytes);
  char *msg = g_strdup_printf ("%" G_GSIZE_FORMAT " bytes expected, %" G_GSIZE_FORMAT " present",
                               bytes * 2, bytes);
  fen_test_expect_error (path, 0, FEN_IO_ERROR_TRUNCATED, msg);
  g_free (msg);
  g_free (path);

  d.rows = 65535;
  d.columns = 65535;
  d.frames = 2000000000;
  path = fen_test_write ("huge.dcm", &d, raw, bytes);
  /* Overflows 64 bits in some orders and any budget in all: refused
   * before anything is allocated. */
  fen_test_expect_error (path, (gsize) 1 << 30, FEN_IO_ERROR_TOO_LARGE, NULL);
  g_free (path);

  d.frames = 1;
  d.rows = 20000;
  d.columns = 20000;
  path = fen_test_write ("budget.dcm", &d, raw, bytes);
  fen_test_expect_error (path, (gsize) 100 << 20, FEN_IO_ERROR_TOO_LARGE, NULL);
  g_free (path);

  d.rows = 0;
  d.columns = 10;
  path = fen_test_write ("zero.dcm", &d, raw, bytes);
  fen_test_expect_error (path, 0, FEN_IO_ERROR_CORRUPT, NULL);
  g_free (path);

  d = (FenTestDicom) MONO16 (12, 11, 0);
  d.omit_rows = TRUE;
  path = fen_test_write ("no-rows.dcm", &d, raw, bytes);
  fen_test_expect_error (path, 0, FEN_IO_ERROR_CORRUPT, "Rows");
  g_free (path);

  d = (FenTestDicom) MONO16 (12, 11, 0);
  d.high_bit = 15; /* fine */
  d.bits_stored = 17;
  path = fen_test_write ("bad-bits.dcm", &d, raw, bytes);
  fen_test_expect_error (path, 0, FEN_IO_ERROR_CORRUPT, "Bits Stored");
  g_free (path);

  g_free (raw);
  g_free (expected);
}

static void
fen_test_unsupported (void)
{
  guint8 pixels[96] = { 0 };
  /* 32-bit monochrome and PALETTE COLOR are supported now
   * (test-dicom-formats); 32-bit colour and YBR_PARTIAL_420 are not. */
  FenTestDicom d32 = { 2, 2, 1, 3, 32, 32, 31, 0, 0, "RGB", FALSE, FALSE, FALSE };
  char *path = fen_test_write ("rgb32.dcm", &d32, pixels, 48);
  fen_test_expect_error (path, 0, FEN_IO_ERROR_UNSUPPORTED, "32-bit");
  g_free (path);

  FenTestDicom partial = { 4, 4, 1, 3, 8, 8, 7, 0, 0, "YBR_PARTIAL_420", FALSE, FALSE, FALSE };
  path = fen_test_write ("partial.dcm", &partial, pixels, 48);
  fen_test_expect_error (path, 0, FEN_IO_ERROR_UNSUPPORTED, "YBR_PARTIAL_420");
  g_free (path);

  /* 16-bit RGB loads now (reduced to 8 bits); 16-bit YBR does not. */
  FenTestDicom ybr16 = { 2, 2, 1, 3, 16, 16, 15, 0, 0, "YBR_FULL", FALSE, FALSE, FALSE };
  path = fen_test_write ("ybr16.dcm", &ybr16, pixels, 24);
  fen_test_expect_error (path, 0, FEN_IO_ERROR_UNSUPPORTED, "16-bit YBR_FULL");
  g_free (path);
}

static void
fen_test_not_image (void)
{
  FenTestDicom d = MONO8 (0);
  d.no_pixels = TRUE;
  char *path = fen_test_write ("no-pixels.dcm", &d, NULL, 0);
  fen_test_expect_error (path, 0, FEN_IO_ERROR_NO_PIXELS, "Pixel Data");
  g_free (path);

  path = fen_test_write_bytes ("empty.dcm", "", 0);
  fen_test_expect_error (path, 0, FEN_IO_ERROR_FORMAT, NULL);
  g_free (path);

  const char text[] = "This is a plain text file, certainly not a DICOM data set.\n";
  path = fen_test_write_bytes ("text.txt", text, sizeof text - 1);
  fen_test_expect_error (path, 0, FEN_IO_ERROR_FORMAT, NULL);
  g_free (path);

  guint8 noise[5000];
  GRand *rand = g_rand_new_with_seed (99);
  for (gsize i = 0; i < sizeof noise; i++)
    noise[i] = (guint8) g_rand_int (rand);
  g_rand_free (rand);
  path = fen_test_write_bytes ("noise.bin", noise, sizeof noise);
  GError *error = NULL;
  g_assert_null (fen_test_load (path, 0, &error));
  g_assert_true (error->domain == FEN_IO_ERROR);
  g_error_free (error);
  g_free (path);

  path = fen_test_path ("does-not-exist.dcm");
  fen_test_expect_error (path, 0, FEN_IO_ERROR_OPEN, NULL);
  g_free (path);
}

/* Random byte corruption: every outcome is an image or an error, never a
 * crash (run it under -DFEN_SANITIZE=ON to catch what does not crash). */
static void
fen_test_fuzz (gconstpointer data)
{
  const char *tool = data;
  FenTestDicom d = { 24, 20, 2, 1, 16, 12, 11, 0, 0, "MONOCHROME2", FALSE, FALSE, TRUE };
  if (g_strcmp0 (tool, "dcmcjpeg") == 0)
    d = (FenTestDicom) { 24, 20, 2, 3, 8, 8, 7, 0, 0, "RGB", FALSE, FALSE, TRUE };
  void *expected = NULL;
  void *raw = fen_test_pattern (&d, 21, FALSE, &expected);
  char *path = fen_test_write ("fuzz-src.dcm", &d, raw, fen_test_frame_bytes (&d) * d.frames);
  char *base = path;
  char *converted = NULL;
  guint n_images = 0, n_errors = 0;

  if (tool != NULL)
    {
      converted = fen_test_path ("fuzz-conv.dcm");
      if (!fen_test_tool (tool, NULL, NULL, path, converted))
        goto out;
      base = converted;
    }
  char *orig = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (base, &orig, &len, NULL));
  const guint iterations = g_test_slow () ? 3000 : 400;
  for (guint seed = 1; seed <= iterations; seed++)
    {
      GRand *rand = g_rand_new_with_seed (seed);
      char *copy = g_memdup2 (orig, len);
      guint flips = 1 + g_rand_int_range (rand, 0, 8);
      gsize new_len = len;
      for (guint i = 0; i < flips; i++)
        {
          /* Aim at the data set half of the time: that is where lengths live. */
          gsize at = g_rand_boolean (rand) ? g_rand_int_range (rand, 128, MIN ((gint) len, 600))
                                           : g_rand_int_range (rand, 0, (gint) len);
          copy[at] = (char) g_rand_int (rand);
        }
      if (g_rand_int_range (rand, 0, 5) == 0)
        new_len = g_rand_int_range (rand, 0, (gint) len);
      char *p = fen_test_write_bytes ("fuzz.dcm", copy, new_len);
      GError *error = NULL;
      FenImage *image = fen_test_load (p, (gsize) 64 << 20, &error);
      if (image)
        {
          /* Touch every byte: a short buffer shows under ASan. */
          const guint8 *px = fen_image_get_frame (image, 0);
          guint sum = 0;
          for (gsize i = 0; i < fen_image_get_pixel_bytes (image); i++)
            sum += px[i];
          (void) sum;
          fen_image_unref (image);
          n_images++;
        }
      else
        {
          g_assert_true (error->domain == FEN_IO_ERROR);
          g_error_free (error);
          n_errors++;
        }
      g_free (p);
      g_free (copy);
      g_rand_free (rand);
    }
  g_test_message ("%u images, %u errors", n_images, n_errors);
  g_free (orig);
out:
  g_free (converted);
  g_free (path);
  g_free (raw);
  g_free (expected);
}

/* --- Memory --------------------------------------------------------------- */

#if defined(__SANITIZE_ADDRESS__)
#define FEN_TEST_UNDER_ASAN 1
#else
#define FEN_TEST_UNDER_ASAN 0
#endif

static void
fen_test_memory (void)
{
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

  /* Child: a clean process whose peak covers the load alone. The fixture is
   * streamed out in small pieces so writing it leaves no large heap behind. */
  FenTestDicom d = { 2800, 2800, 1, 1, 16, 12, 11, 0, 0, "MONOCHROME2", FALSE, FALSE, FALSE };
  const gsize bytes = fen_test_frame_bytes (&d);
  char *path = fen_test_path ("big.dcm");
  GByteArray *header = fen_test_dicom_header (&d, (guint32) bytes);
  FILE *fp = g_fopen (path, "wb");
  g_assert_nonnull (fp);
  g_assert_cmpuint (fwrite (header->data, 1, header->len, fp), ==, header->len);
  g_byte_array_unref (header);
  guint16 row[2800];
  for (guint y = 0; y < d.rows; y++)
    {
      for (guint x = 0; x < d.columns; x++)
        row[x] = GUINT16_TO_LE ((guint16) ((x * 7 + y * 13) & 0x0fff));
      g_assert_cmpuint (fwrite (row, 2, d.columns, fp), ==, d.columns);
    }
  fclose (fp);

  /* Warm up: DCMTK's dictionary and codecs are loaded once per process. */
  FenTestDicom small = MONO8 (0);
  guint8 small_px[33 * 17] = { 0 };
  char *small_path = fen_test_write ("warm.dcm", &small, small_px, sizeof small_px);
  GError *error = NULL;
  FenImage *warm = fen_dicom_load (small_path, NULL, &error);
  g_assert_no_error (error);
  fen_image_unref (warm);

  if (!fen_memory_reset_peak ())
    {
      g_test_skip ("cannot reset the peak RSS mark here");
      g_free (small_path);
      g_free (path);
      return;
    }
  gint64 rss0 = 0, peak0 = 0, heap0 = 0;
  fen_memory_read_process (&rss0, &peak0, &heap0);
  FenImage *image = fen_dicom_load (path, NULL, &error);
  g_assert_no_error (error);
  gint64 rss1 = 0, peak1 = 0, heap1 = 0;
  fen_memory_read_process (&rss1, &peak1, &heap1);

  const guint16 *px = fen_image_get_frame (image, 0);
  g_assert_cmpuint (px[2799 + 2799 * 2800], ==, (2799 * 7 + 2799 * 13) & 0x0fff);
  const double ratio = (double) (peak1 - rss0) / (double) bytes;
  g_test_message ("pixel bytes %" G_GSIZE_FORMAT ", peak above baseline %" G_GINT64_FORMAT
                  " (%.3f x)", bytes, peak1 - rss0, ratio);
  g_printerr ("# peak RSS above baseline: %.3f x pixel bytes\n", ratio);
  g_assert_cmpfloat (ratio, <=, 1.15);
  fen_image_unref (image);
  g_free (small_path);
  g_free (path);
}

/* --- main ------------------------------------------------------------------ */

int
main (int argc, char **argv)
{
  GError *error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  fen_test_dir = g_dir_make_tmp ("fen-dicom-XXXXXX", &error);
  g_assert_no_error (error);

  for (guint i = 0; i < G_N_ELEMENTS (fen_test_cases); i++)
    g_test_add_data_func_full (fen_test_cases[i].name, (gpointer) &fen_test_cases[i], fen_test_round_trip, NULL);
  g_test_add_data_func_full ("/dicom/explicit-le/ybr-full", GINT_TO_POINTER (FALSE), fen_test_ybr, NULL);
  g_test_add_data_func_full ("/dicom/explicit-le/ybr-full-422", GINT_TO_POINTER (TRUE), fen_test_ybr, NULL);
  g_test_add_func ("/dicom/metadata", fen_test_metadata);
  g_test_add_func ("/dicom/robust/truncated", fen_test_truncated);
  g_test_add_func ("/dicom/robust/lying-size", fen_test_lying_size);
  g_test_add_func ("/dicom/robust/unsupported", fen_test_unsupported);
  g_test_add_func ("/dicom/robust/not-image", fen_test_not_image);
  g_test_add_data_func_full ("/dicom/robust/fuzz/explicit-le", NULL, fen_test_fuzz, NULL);
  g_test_add_data_func_full ("/dicom/robust/fuzz/rle", "dcmcrle", fen_test_fuzz, NULL);
  g_test_add_data_func_full ("/dicom/robust/fuzz/jpeg-lossless", "dcmcjpeg", fen_test_fuzz, NULL);
  g_test_add_data_func_full ("/dicom/robust/fuzz/jpeg-ls", "dcmcjpls", fen_test_fuzz, NULL);
  g_test_add_func ("/dicom/memory/peak", fen_test_memory);

  status = g_test_run ();
  fen_test_remove_dir (fen_test_dir);
  g_free (fen_test_dir);
  return status;
}
