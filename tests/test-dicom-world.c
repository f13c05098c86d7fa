/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dicom-world.c: DICOM files that DCMTK did not write. GDCM's gdcmimg
 * writes each source from raw pixels we know, GDCM's own encoders
 * (gdcmconv) recompress it; every decoded pixel is checked against the raw
 * input, and fenestra-cli's rendering against PS3.3's LINEAR window formula
 * and, where DCMTK can decode the file, against dcm2pnm. Then what real
 * files carry and DCMTK-made fixtures never do: a TIFF header in the
 * preamble, deflated data sets larger than a read buffer, JPEG 2000 SIZ
 * markers holding the bytes of a delimiter. The Cine Module's rates (PS3.3
 * C.7.6.5) as DCMTK's dcmodify sets them on gdcmimg's files. What the project writes (the
 * sample study) passes dicom3tools' dciodvfy. A missing tool fails the test:
 * tools/test installs them. */
#define G_LOG_DOMAIN "fen-test-dicom-world"

#include <math.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <fenestra/fenestra.h>
#include <fenestra/fen-dicom-tags.h>

#include "fen-test-dicom-writer.h"
#include "fen-test-spawn.h"

static char *fen_test_dir;

/* --- Running the independent tools ------------------------------------- */

static char *
fen_test_path (const char *name)
{
  return g_build_filename (fen_test_dir, name, NULL);
}

static FenImage *
fen_test_load (const char *path)
{
  GError *error = NULL;
  FenImage *image = fen_load_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (image);
  return image;
}

/* --- Sources written by gdcmimg from known raw pixels ------------------- */

typedef struct {
  const char *name;
  guint       columns, rows, frames, samples, depth;
  gboolean    sign;
  double      center, width; /* a window that clips at both ends */
} FenWorldSource;

static const FenWorldSource fen_sources[] = {
  { "u16", 61, 47, 3, 1, 16, FALSE, 30000.0, 20000.0 },
  { "s16", 33, 20, 1, 1, 16, TRUE, 0.0, 4000.0 }, /* gdcmimg: no signed multi-frame SOP class */
  { "u8", 31, 17, 2, 1, 8, FALSE, 100.0, 150.0 },
  { "rgb", 24, 19, 1, 3, 8, FALSE, 0.0, 0.0 }, /* GDCM's RLE encoder asserts on odd lengths */
};

static gsize
fen_source_bytes (const FenWorldSource *s)
{
  return (gsize) s->columns * s->rows * s->frames * s->samples * (s->depth / 8);
}

/* Values spread over the whole range, different in every frame. */
static guint8 *
fen_source_pixels (const FenWorldSource *s)
{
  const gsize n = fen_source_bytes (s) / (s->depth / 8);
  guint8 *raw = g_malloc (fen_source_bytes (s));

  for (gsize i = 0; i < n; i++)
    {
      const guint32 h = (guint32) (i * 2654435761u) >> 7;
      if (s->depth == 8)
        raw[i] = (guint8) (i * 7 + h);
      else if (s->sign)
        ((gint16 *) raw)[i] = (gint16) ((gint) (h % 8001) - 4000);
      else
        ((guint16 *) raw)[i] = (guint16) h;
    }
  return raw;
}

/* gdcmimg (GDCM) turns the raw pixels into a DICOM file. */
static char *
fen_source_write (const FenWorldSource *s, const guint8 *raw)
{
  g_autofree char *raw_path = g_strdup_printf ("%s/%s.raw", fen_test_dir, s->name);
  char *path = g_strdup_printf ("%s/%s-gdcmimg.dcm", fen_test_dir, s->name);
  /* gdcmimg takes a third size only for multi-frame objects. */
  g_autofree char *size = s->frames > 1 ? g_strdup_printf ("%u,%u,%u", s->columns, s->rows, s->frames)
                                        : g_strdup_printf ("%u,%u", s->columns, s->rows);
  g_autofree char *depth = g_strdup_printf ("%u", s->depth);
  g_autofree char *spp = g_strdup_printf ("%u", s->samples);

  g_assert_true (g_file_set_contents (raw_path, (const char *) raw, (gssize) fen_source_bytes (s), NULL));
  const char *argv[] = { "gdcmimg", "-i", raw_path, "-o", path, "--size", size, "--depth", depth,
                         "--sign", s->sign ? "1" : "0", "--spp", spp, NULL };
  g_free (fen_test_spawn (argv, TRUE));
  return path;
}

static void
fen_test_assert_pixels (FenImage *image, const FenWorldSource *s, const guint8 *raw)
{
  const FenImageInfo *info = fen_image_get_info (image);
  const gsize frame_bytes = fen_source_bytes (s) / s->frames;

  g_assert_cmpuint (info->columns, ==, s->columns);
  g_assert_cmpuint (info->rows, ==, s->rows);
  g_assert_cmpuint (info->frames, ==, s->frames);
  g_assert_cmpuint (info->samples_per_pixel, ==, s->samples);
  for (guint f = 0; f < s->frames; f++)
    if (memcmp (fen_image_get_frame (image, f), raw + f * frame_bytes, frame_bytes) != 0)
      g_error ("frame %u differs from the raw input", f);
}

/* --- Rendering against the formula and against dcm2pnm ------------------ */

/* PS3.3 C.11.2.1.2.1, VOI LUT Function LINEAR, output range 0..255. */
static double
fen_test_linear (double x, double c, double w)
{
  if (x <= c - 0.5 - (w - 1) / 2)
    return 0.0;
  if (x > c - 0.5 + (w - 1) / 2)
    return 255.0;
  return ((x - (c - 0.5)) / (w - 1) + 0.5) * 255.0;
}

static void
fen_test_render (const char *path, const FenWorldSource *s, const guint8 *raw, const char *dcmtk)
{
  g_autofree char *png = g_strdup_printf ("%s.png", path);
  g_autofree char *frame = g_strdup_printf ("%u", s->frames);
  g_autofree char *window = g_strdup_printf ("%g,%g", s->center, s->width);
  const gsize n = (gsize) s->columns * s->rows * s->samples;
  const gsize first = (gsize) (s->frames - 1) * n;

  if (s->samples == 1)
    {
      const char *argv[] = { FEN_TEST_CLI, "render", path, "--frame", frame, "--window", window,
                             "-o", png, NULL };
      g_free (fen_test_spawn (argv, TRUE));
    }
  else
    {
      const char *argv[] = { FEN_TEST_CLI, "render", path, "--frame", frame, "-o", png, NULL };
      g_free (fen_test_spawn (argv, TRUE));
    }
  FenImage *ours = fen_test_load (png);
  const guint8 *got = fen_image_get_frame (ours, 0);
  g_assert_cmpuint (fen_image_get_info (ours)->samples_per_pixel, ==, s->samples);
  for (gsize i = 0; i < n; i++)
    {
      double x = s->depth == 8 ? raw[first + i]
                 : s->sign ? ((const gint16 *) raw)[first + i] : ((const guint16 *) raw)[first + i];
      double expected = s->samples == 1 ? fen_test_linear (x, s->center, s->width) : x;
      if (fabs (got[i] - expected) > 1.0)
        g_error ("%s pixel %" G_GSIZE_FORMAT ": %u, the formula says %.2f", path, i, got[i], expected);
    }

  if (dcmtk != NULL)
    {
      g_autofree char *ref = g_strdup_printf ("%s.dcm2pnm.png", path);
      g_autofree char *plain = g_strdup_printf ("%s.%s.dcm", path, dcmtk);
      if (*dcmtk != '\0')
        {
          const char *argv[] = { dcmtk, path, plain, NULL };
          g_free (fen_test_spawn (argv, TRUE));
          path = plain;
        }
      g_autofree char *c = g_strdup_printf ("%g", s->center), *w = g_strdup_printf ("%g", s->width);
      if (s->samples == 1)
        {
          const char *argv[] = { "dcm2pnm", "+F", frame, "+Ww", c, w, "+on", path, ref, NULL };
          g_free (fen_test_spawn (argv, TRUE));
        }
      else
        {
          const char *argv[] = { "dcm2pnm", "+F", frame, "+on", path, ref, NULL };
          g_free (fen_test_spawn (argv, TRUE));
        }
      FenImage *theirs = fen_test_load (ref);
      const guint8 *want = fen_image_get_frame (theirs, 0);
      for (gsize i = 0; i < n; i++)
        if (ABS ((int) got[i] - (int) want[i]) > 1)
          g_error ("%s pixel %" G_GSIZE_FORMAT ": %u, dcm2pnm %u", path, i, got[i], want[i]);
      fen_image_unref (theirs);
    }
  fen_image_unref (ours);
}

/* --- GDCM's encoders ----------------------------------------------------- */

typedef struct {
  const char *path;
  guint       source;        /* index into fen_sources */
  const char *option;        /* gdcmconv option, NULL: gdcmimg's own file */
  const char *ts_uid;
  /* How DCMTK decodes it for dcm2pnm: NULL: it cannot (JPEG 2000); "":
   * dcm2pnm reads the file itself; else the DCMTK tool that decompresses it
   * first (dcm2pnm 3.6.7 cannot tell the colour model of a frame of GDCM's
   * 16-bit JPEG lossless, which dcmdjpeg decodes). */
  const char *dcmtk;
} FenWorldCase;

static const FenWorldCase fen_cases[] = {
  { "/world/gdcm/explicit-le/u16", 0, NULL, "1.2.840.10008.1.2.1", "" },
  { "/world/gdcm/explicit-le/s16", 1, NULL, "1.2.840.10008.1.2.1", "" },
  { "/world/gdcm/explicit-le/u8", 2, NULL, "1.2.840.10008.1.2.1", "" },
  { "/world/gdcm/explicit-le/rgb", 3, NULL, "1.2.840.10008.1.2.1", "" },
  { "/world/gdcm/implicit-le/u16", 0, "--implicit", "1.2.840.10008.1.2", "" },
  { "/world/gdcm/implicit-le/rgb", 3, "--implicit", "1.2.840.10008.1.2", "" },
  { "/world/gdcm/deflated/u16", 0, "--deflated", "1.2.840.10008.1.2.1.99", "" },
  { "/world/gdcm/deflated/s16", 1, "--deflated", "1.2.840.10008.1.2.1.99", "" },
  { "/world/gdcm/rle/u16", 0, "--rle", "1.2.840.10008.1.2.5", "dcmdrle" },
  { "/world/gdcm/rle/s16", 1, "--rle", "1.2.840.10008.1.2.5", "dcmdrle" },
  { "/world/gdcm/rle/u8", 2, "--rle", "1.2.840.10008.1.2.5", "dcmdrle" },
  { "/world/gdcm/rle/rgb", 3, "--rle", "1.2.840.10008.1.2.5", "dcmdrle" },
  { "/world/gdcm/jpeg-lossless/u16", 0, "--jpeg", "1.2.840.10008.1.2.4.70", "dcmdjpeg" },
  { "/world/gdcm/jpeg-lossless/s16", 1, "--jpeg", "1.2.840.10008.1.2.4.70", "dcmdjpeg" },
  { "/world/gdcm/jpeg-lossless/u8", 2, "--jpeg", "1.2.840.10008.1.2.4.70", "dcmdjpeg" },
  { "/world/gdcm/jpeg-ls/u16", 0, "--jpegls", "1.2.840.10008.1.2.4.80", "dcmdjpls" },
  { "/world/gdcm/jpeg-ls/s16", 1, "--jpegls", "1.2.840.10008.1.2.4.80", "dcmdjpls" },
  { "/world/gdcm/jpeg-ls/u8", 2, "--jpegls", "1.2.840.10008.1.2.4.80", "dcmdjpls" },
  { "/world/gdcm/jpeg-ls/rgb", 3, "--jpegls", "1.2.840.10008.1.2.4.80", "dcmdjpls" },
  { "/world/gdcm/j2k/u16", 0, "--j2k", "1.2.840.10008.1.2.4.90", NULL },
  { "/world/gdcm/j2k/s16", 1, "--j2k", "1.2.840.10008.1.2.4.90", NULL },
  { "/world/gdcm/j2k/u8", 2, "--j2k", "1.2.840.10008.1.2.4.90", NULL },
  { "/world/gdcm/j2k/rgb", 3, "--j2k", "1.2.840.10008.1.2.4.90", NULL },
};

static char *
fen_case_file (const FenWorldCase *tc, const FenWorldSource *s, const guint8 *raw)
{
  g_autofree char *src = fen_source_write (s, raw);
  if (tc->option == NULL)
    return g_steal_pointer (&src);
  g_autofree char *file = g_strdelimit (g_strdup (tc->path + 1), "/", '-');
  char *path = g_strdup_printf ("%s/%s.dcm", fen_test_dir, file);
  const char *argv[] = { "gdcmconv", tc->option, src, path, NULL };
  g_free (fen_test_spawn (argv, TRUE));
  return path;
}

static void
fen_test_gdcm (gconstpointer data)
{
  const FenWorldCase *tc = data;
  const FenWorldSource *s = &fen_sources[tc->source];
  g_autofree guint8 *raw = fen_source_pixels (s);
  g_autofree char *path = fen_case_file (tc, s, raw);

  FenImage *image = fen_test_load (path);
  g_assert_cmpstr (fen_image_get_info (image)->transfer_syntax, ==, tc->ts_uid);
  fen_test_assert_pixels (image, s, raw);
  fen_image_unref (image);
  fen_test_render (path, s, raw, tc->dcmtk);
}

/* --- The preamble (PS3.10 7.1) ------------------------------------------ */

/* A dual-personality file: a TIFF header and an empty first directory in
 * the 128-byte preamble, "DICM" after it. */
static void
fen_test_tiff_preamble (gconstpointer data)
{
  const gboolean big_endian = GPOINTER_TO_INT (data);
  const FenWorldSource *s = &fen_sources[0];
  g_autofree guint8 *raw = fen_source_pixels (s);
  g_autofree char *src = fen_source_write (s, raw);
  g_autofree char *bytes = NULL;
  gsize len = 0;
  static const guint8 le[14] = { 'I', 'I', 42, 0, 8, 0, 0, 0, 0, 0, 0, 0, 0, 0 };
  static const guint8 be[14] = { 'M', 'M', 0, 42, 0, 0, 0, 8, 0, 0, 0, 0, 0, 0 };

  g_assert_true (g_file_get_contents (src, &bytes, &len, NULL));
  memcpy (bytes, big_endian ? be : le, sizeof le);
  g_autofree char *path = fen_test_path (big_endian ? "tiff-preamble-mm.dcm" : "tiff-preamble-ii.dcm");
  g_assert_true (g_file_set_contents (path, bytes, (gssize) len, NULL));

  FenImage *image = fen_test_load (path);
  g_assert_cmpstr (fen_image_get_info (image)->format, ==, "DICOM");
  fen_test_assert_pixels (image, s, raw);
  fen_image_unref (image);

  /* The tag browser and the study index take the same decision. */
  GError *error = NULL;
  g_autoptr(GPtrArray) tags = fen_dicom_read_tags (path, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (tags->len, >, 5);
  const char *argv[] = { FEN_TEST_CLI, "info", path, NULL };
  g_autofree char *out = fen_test_spawn (argv, TRUE);
  g_assert_nonnull (strstr (out, "Format: DICOM\n"));
  fen_test_render (path, s, raw, "");
}

/* --- Deflate (PS3.5 A.5) larger than any read buffer --------------------- */

static void
fen_test_deflate_large (gconstpointer data)
{
  const char *writer = data;
  const FenWorldSource big = { "big16", 512, 512, 1, 1, 16, FALSE, 30000.0, 20000.0 };
  g_autofree guint8 *raw = fen_source_pixels (&big);
  g_autofree char *src = fen_source_write (&big, raw);
  g_autofree char *path = g_strdup_printf ("%s/deflated-%s.dcm", fen_test_dir, writer);

  if (strcmp (writer, "dcmconv") == 0)
    {
      const char *argv[] = { "dcmconv", "+td", src, path, NULL };
      g_free (fen_test_spawn (argv, TRUE));
    }
  else
    {
      const char *argv[] = { "gdcmconv", "--deflated", src, path, NULL };
      g_free (fen_test_spawn (argv, TRUE));
    }
  FenImage *image = fen_test_load (path);
  g_assert_cmpstr (fen_image_get_info (image)->transfer_syntax, ==, "1.2.840.10008.1.2.1.99");
  fen_test_assert_pixels (image, &big, raw);
  fen_image_unref (image);
  fen_test_render (path, &big, raw, "");
}

/* --- JPEG 2000 SIZ markers that hold a delimiter's bytes ---------------- */

/* The offset of the @nth SIZ marker's Xsiz field (ISO/IEC 15444-1 A.5.1:
 * SOC FF4F, SIZ FF51, Lsiz, Rsiz, then Xsiz). */
static gsize
fen_test_siz (const char *bytes, gsize len, guint nth)
{
  static const guint8 soc_siz[4] = { 0xff, 0x4f, 0xff, 0x51 };
  for (gsize i = 0; i + 4 <= len; i++)
    if (memcmp (bytes + i, soc_siz, 4) == 0 && nth-- == 0)
      return i + 8;
  g_error ("no SIZ marker number %u", nth);
  return 0;
}

static const guint8 fen_delimiter[4] = { 0xfe, 0xff, 0xdd, 0xe0 }; /* (FFFE,E0DD) LE */

/* Frame 1's Xsiz and frame 2's tile origin hold the sequence delimiter's
 * bytes: OpenJPEG alone computes 4 billion tiles, or an illegal origin. The
 * fragments are found by their item lengths, so the delimiter's bytes end
 * nothing; with one tile each, both frames are reconciled with Rows and
 * Columns and decode to the raw input. */
static void
fen_test_j2k_delimiter_in_siz (void)
{
  const FenWorldSource *s = &fen_sources[0];
  g_autofree guint8 *raw = fen_source_pixels (s);
  static const FenWorldCase tc = { "/world/j2k-siz", 0, "--j2k", NULL, NULL };
  g_autofree char *path = fen_case_file (&tc, s, raw);
  g_autofree char *bytes = NULL;
  gsize len = 0;

  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  memcpy (bytes + fen_test_siz (bytes, len, 1), fen_delimiter, 4);          /* Xsiz */
  memcpy (bytes + fen_test_siz (bytes, len, 2) + 24, fen_delimiter, 4);     /* XTOsiz */
  memcpy (bytes + fen_test_siz (bytes, len, 2) + 20, fen_delimiter, 4);     /* YTsiz */
  g_autofree char *bad = fen_test_path ("j2k-delimiter-in-siz.dcm");
  g_assert_true (g_file_set_contents (bad, bytes, (gssize) len, NULL));

  FenImage *image = fen_test_load (bad);
  fen_test_assert_pixels (image, s, raw);
  fen_image_unref (image);
  fen_test_render (bad, s, raw, NULL);
}

/* With several tiles nothing ties a broken SIZ to Rows and Columns: the
 * frame is refused, and the message names what disagrees. GDCM's encoder
 * writes one tile whatever it is asked, so OpenJPEG's opj_compress makes
 * the tiled codestream here, in a data set of our own writing. */
static char *
fen_test_j2k_tiled (const FenWorldSource *s, const guint8 *raw, gboolean break_siz)
{
  g_autofree char *raw_path = fen_test_path ("tiles.rawl");
  g_autofree char *j2k = fen_test_path ("tiles.j2k");
  g_autofree char *format = g_strdup_printf ("%u,%u,1,16,u", s->columns, s->rows);
  g_autofree char *cs = NULL;
  gsize cs_len = 0;

  g_assert_true (g_file_set_contents (raw_path, (const char *) raw, (gssize) fen_source_bytes (s), NULL));
  const char *argv[] = { "opj_compress", "-i", raw_path, "-o", j2k, "-F", format, "-t", "16,16", "-n", "2", NULL };
  g_free (fen_test_spawn (argv, TRUE));
  g_assert_true (g_file_get_contents (j2k, &cs, &cs_len, NULL));
  if (break_siz)
    memcpy (cs + fen_test_siz (cs, cs_len, 0), fen_delimiter, 4);

  GByteArray *file = fen_part10_start ("1.2.840.10008.1.2.4.90");
  const guint32 item = (guint32) (cs_len + (cs_len & 1));
  fen_put_string (file, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7");
  fen_put_string (file, 0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9.9999.5.1");
  fen_put_us (file, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (file, 0x0028, 0x0004, "CS", "MONOCHROME2");
  fen_put_us (file, 0x0028, 0x0010, (guint16) s->rows, FALSE);
  fen_put_us (file, 0x0028, 0x0011, (guint16) s->columns, FALSE);
  fen_put_us (file, 0x0028, 0x0100, 16, FALSE);
  fen_put_us (file, 0x0028, 0x0101, 16, FALSE);
  fen_put_us (file, 0x0028, 0x0102, 15, FALSE);
  fen_put_us (file, 0x0028, 0x0103, 0, FALSE);
  fen_put_explicit (file, 0x7fe0, 0x0010, "OB", 0xffffffffu);
  fen_put_tag (file, 0xfffe, 0xe000);
  fen_put_u32 (file, 0);
  fen_put_tag (file, 0xfffe, 0xe000);
  fen_put_u32 (file, item);
  g_byte_array_append (file, (const guint8 *) cs, (guint) cs_len);
  if (item != cs_len)
    g_byte_array_append (file, (const guint8 *) "\0", 1);
  fen_put_tag (file, 0xfffe, 0xe0dd);
  fen_put_u32 (file, 0);
  char *path = fen_test_write_file (fen_test_dir, break_siz ? "j2k-tiles-bad.dcm" : "j2k-tiles.dcm", file);
  g_byte_array_unref (file);
  return path;
}

static void
fen_test_j2k_siz_refused (void)
{
  const FenWorldSource s = { "tiles", 61, 47, 1, 1, 16, FALSE, 0, 0 };
  g_autofree guint8 *raw = fen_source_pixels (&s);

  /* The tiled file itself decodes. */
  g_autofree char *path = fen_test_j2k_tiled (&s, raw, FALSE);
  FenImage *image = fen_test_load (path);
  fen_test_assert_pixels (image, &s, raw);
  fen_image_unref (image);

  g_autofree char *bad = fen_test_j2k_tiled (&s, raw, TRUE);
  GError *error = NULL;
  image = fen_load_file (bad, NULL, &error);
  g_assert_null (image);
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
  g_assert_nonnull (strstr (error->message, "SIZ marker"));
  g_assert_nonnull (strstr (error->message, "61 x 47 frame"));
  g_assert_nonnull (strstr (error->message, "12 tiles"));
  g_clear_error (&error);
}

/* --- The Cine Module's rates (PS3.3 C.7.6.5), set by dcmodify ------------- */

typedef struct {
  const char *name;
  const char *edits[4]; /* dcmodify -i arguments, NULL-terminated */
  double      fps;      /* what FenImageInfo.frame_rate must say */
} FenWorldRate;

static const FenWorldRate fen_rates[] = {
  { "none", { NULL }, 0.0 },
  { "frame-time", { "(0018,1063)=40", NULL }, 25.0 },           /* 1000 / 40 ms */
  { "frame-time-fraction", { "(0018,1063)=33.3", NULL }, 1000.0 / 33.3 },
  { "cine-rate", { "(0018,0040)=15", NULL }, 15.0 },
  /* The recommended display rate comes first, then Frame Time. */
  { "all-three", { "(0008,2144)=12", "(0018,1063)=40", "(0018,0040)=30", NULL }, 12.0 },
  { "time-before-cine-rate", { "(0018,1063)=50", "(0018,0040)=30", NULL }, 20.0 },
  /* A zero Frame Time is no rate: the next attribute is used. */
  { "zero-frame-time", { "(0018,1063)=0", "(0018,0040)=8", NULL }, 8.0 },
};

static void
fen_test_frame_rate (gconstpointer data)
{
  const FenWorldRate *rate = data;
  g_autofree char *name = g_strdup_printf ("rate-%s", rate->name);
  const FenWorldSource s = { name, 31, 17, 3, 1, 8, FALSE, 0, 0 };
  g_autofree guint8 *raw = fen_source_pixels (&s);
  g_autofree char *path = fen_source_write (&s, raw);
  const char *argv[16] = { "dcmodify", "-nb" };
  guint n = 2;

  for (guint i = 0; rate->edits[i] != NULL; i++)
    {
      argv[n++] = "-i";
      argv[n++] = rate->edits[i];
    }
  argv[n++] = path;
  argv[n] = NULL;
  if (rate->edits[0] != NULL)
    g_free (fen_test_spawn (argv, TRUE));

  FenImage *image = fen_test_load (path);
  g_assert_cmpfloat_with_epsilon (fen_image_get_info (image)->frame_rate, rate->fps, 1e-9);
  g_assert_cmpuint (fen_image_get_n_frames (image), ==, 3);
  fen_image_unref (image);
}

/* --- What the project writes -------------------------------------------- */

static void
fen_test_sample_validates (void)
{
  g_autofree char *dir = fen_test_path ("sample");
  const char *make[] = { FEN_TEST_MAKE_SAMPLE, dir, NULL };
  g_free (fen_test_spawn (make, TRUE));

  for (guint i = 0; i < 24; i += 23)
    {
      g_autofree char *file = g_strdup_printf ("%s/ct-%02u.dcm", dir, i);
      const char *argv[] = { "dciodvfy", file, NULL };
      g_autofree char *report = fen_test_spawn (argv, TRUE);
      /* dciodvfy exits 0 either way: its report says. */
      g_assert_null (strstr (report, "Error"));
      g_assert_nonnull (strstr (report, "CTImage"));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  fen_loader_init ();
  fen_test_dir = g_dir_make_tmp ("fen-test-world-XXXXXX", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (fen_cases); i++)
    g_test_add_data_func (fen_cases[i].path, &fen_cases[i], fen_test_gdcm);
  g_test_add_data_func ("/world/preamble/tiff-little-endian", GINT_TO_POINTER (FALSE),
                        fen_test_tiff_preamble);
  g_test_add_data_func ("/world/preamble/tiff-big-endian", GINT_TO_POINTER (TRUE),
                        fen_test_tiff_preamble);
  g_test_add_data_func ("/world/deflated/large/dcmconv", "dcmconv", fen_test_deflate_large);
  g_test_add_data_func ("/world/deflated/large/gdcmconv", "gdcmconv", fen_test_deflate_large);
  g_test_add_func ("/world/j2k/delimiter-bytes-in-siz", fen_test_j2k_delimiter_in_siz);
  g_test_add_func ("/world/j2k/broken-siz-several-tiles-refused", fen_test_j2k_siz_refused);
  g_test_add_func ("/world/written/sample-passes-dciodvfy", fen_test_sample_validates);
  for (gsize i = 0; i < G_N_ELEMENTS (fen_rates); i++)
    {
      g_autofree char *path = g_strdup_printf ("/world/cine/%s", fen_rates[i].name);
      g_test_add_data_func (path, &fen_rates[i], fen_test_frame_rate);
    }

  int status = g_test_run ();
  fen_test_remove_dir (fen_test_dir);
  g_free (fen_test_dir);
  return status;
}
