/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-rle.c: the streaming RLE decoder (PS3.5 Annex G). PackBits cases
 * worked by hand from G.3.1; every chunk and block size against a one-shot
 * decode; then files made by DCMTK's dcmcrle and GDCM's gdcmconv, whole,
 * cut and damaged: the damaged ones fail with a clear error and, measured in
 * a fresh process, peak no higher than the good load. */
#define G_LOG_DOMAIN "fen-test-rle"

#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <fenestra/fenestra.h>

#include "fen-rle.h"
#include "fen-test-spawn.h"


static char *fen_test_dir;

static void
fen_test_decode_all (const guint8 *in, gsize n, guint8 *out, gsize count, gsize chunk, gsize block)
{
  FenRleSegment segment;
  gsize pos = 0;

  fen_rle_segment_init (&segment, out, 1, 0);
  for (gsize at = 0; at < count; at += block)
    {
      fen_rle_segment_retarget (&segment, out + at, MIN (block, count - at));
      while (!fen_rle_segment_full (&segment))
        {
          const gsize len = MIN (chunk, n - pos);
          const gsize used = fen_rle_segment_feed (&segment, in + pos, len);
          g_assert_cmpuint (used, <=, len);
          pos += used;
          if (pos == n && !fen_rle_segment_full (&segment))
            {
              /* A run cut by the block may still complete without input. */
              fen_rle_segment_feed (&segment, in + pos, 0);
              g_assert_true (fen_rle_segment_full (&segment));
            }
        }
    }
}

/* PS3.5 G.3.1: n in 0..127 copies n + 1 bytes, -1..-127 repeats the next
 * byte -n + 1 times, -128 is no operation. */
static void
fen_test_packbits (void)
{
  static const guint8 in[] = {
    0x02, 'a', 'b', 'c',   /* literal 3 */
    0xfe, 'x',             /* repeat 3 */
    0x80,                  /* no-op */
    0x00, 'y',             /* literal 1 */
    0x81, 'z',             /* repeat 128 */
  };
  guint8 out[3 + 3 + 1 + 128 + 1];
  guint8 expected[sizeof out];

  memset (out, '#', sizeof out);
  memcpy (expected, "abcxxxy", 7);
  memset (expected + 7, 'z', 128);
  expected[135] = '#';
  fen_test_decode_all (in, sizeof in, out, 135, sizeof in, 135);
  g_assert_cmpmem (out, sizeof out, expected, sizeof expected);

  /* A run longer than the segment is clipped; a pad byte is ignored. */
  guint8 small[5] = { 0 };
  FenRleSegment segment;
  fen_rle_segment_init (&segment, small, 1, 4);
  fen_rle_segment_feed (&segment, (const guint8 *) "\xfa" "q\x00", 3);
  g_assert_true (fen_rle_segment_full (&segment));
  g_assert_cmpmem (small, 5, "qqqq\0", 5);

  /* Strided output: every other byte. */
  guint8 strided[8];
  memset (strided, '.', sizeof strided);
  fen_rle_segment_init (&segment, strided, 2, 4);
  fen_rle_segment_feed (&segment, (const guint8 *) "\x03" "ABCD", 5);
  g_assert_cmpmem (strided, 8, "A.B.C.D.", 8);
}

/* A reference PackBits encoder: replicate runs of three or more. */
static GByteArray *
fen_test_encode (const guint8 *data, gsize n)
{
  GByteArray *out = g_byte_array_new ();
  gsize i = 0;

  while (i < n)
    {
      gsize run = 1;
      while (i + run < n && run < 128 && data[i + run] == data[i])
        run++;
      if (run >= 3)
        {
          guint8 h = (guint8) (gint8) (1 - (gint) run);
          g_byte_array_append (out, &h, 1);
          g_byte_array_append (out, data + i, 1);
          i += run;
          continue;
        }
      gsize lit = 0;
      while (i + lit < n && lit < 128 &&
             !(i + lit + 2 < n && data[i + lit] == data[i + lit + 1] && data[i + lit] == data[i + lit + 2]))
        lit++;
      guint8 h = (guint8) (lit - 1);
      g_byte_array_append (out, &h, 1);
      g_byte_array_append (out, data + i, (guint) lit);
      i += lit;
    }
  return out;
}

static void
fen_test_chunks (void)
{
  const gsize n = 5000;
  g_autofree guint8 *data = g_malloc (n);
  GRand *rand = g_rand_new_with_seed (7);

  /* Runs and noise mixed, as CT high and low bytes are. */
  for (gsize i = 0; i < n; i++)
    data[i] = (i / 300) % 2 ? (guint8) g_rand_int_range (rand, 0, 256) : (guint8) (i / 97);
  g_rand_free (rand);
  g_autoptr(GByteArray) packed = fen_test_encode (data, n);
  static const gsize chunks[] = { 1, 2, 3, 7, 64, 100000 };
  static const gsize blocks[] = { 1, 5, 129, 1000, 5000 };
  g_autofree guint8 *out = g_malloc (n);

  for (gsize c = 0; c < G_N_ELEMENTS (chunks); c++)
    for (gsize b = 0; b < G_N_ELEMENTS (blocks); b++)
      {
        memset (out, 0xa5, n);
        fen_test_decode_all (packed->data, packed->len, out, n, chunks[c], blocks[b]);
        if (memcmp (out, data, n) != 0)
          g_error ("chunk %" G_GSIZE_FORMAT ", block %" G_GSIZE_FORMAT ": output differs",
                   chunks[c], blocks[b]);
      }
}

static void
fen_test_header (void)
{
  guint8 head[64] = { 0 };
  FenRleHeader header;
  GError *error = NULL;

  head[0] = 2;
  head[4] = 64;
  head[8] = 100;
  g_assert_true (fen_rle_parse_header (head, 200, &header, &error));
  g_assert_cmpuint (header.segments, ==, 2);
  g_assert_cmpuint (header.offsets[2], ==, 200);
  /* Out of order, past the end, too many segments, too short. */
  head[8] = 60;
  g_assert_false (fen_rle_parse_header (head, 200, &header, &error));
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
  g_clear_error (&error);
  head[8] = 250;
  g_assert_false (fen_rle_parse_header (head, 200, &header, &error));
  g_clear_error (&error);
  head[0] = 16;
  g_assert_false (fen_rle_parse_header (head, 200, &header, &error));
  g_clear_error (&error);
  g_assert_false (fen_rle_parse_header (head, 63, &header, &error));
  g_clear_error (&error);
}

/* --- Files ------------------------------------------------------------- */

/* 8 MiB of pixels: the peak RSS read from /proc moves by some tens of
 * pages from run to run (the kernel's per-CPU RSS counters), which a 2 MiB
 * image made a tenth of the 1.10 gate. */
#define FEN_TEST_SIZE 2048
#define FEN_TEST_SIZE_ARG "2048,2048"

/* A 2048 x 2048 16-bit CT-like image from gdcmimg, RLE by @tool. */
static char *
fen_test_rle_file (const char *tool, guint16 **raw_out)
{
  const gsize n = (gsize) FEN_TEST_SIZE * FEN_TEST_SIZE;
  guint16 *raw = g_new (guint16, n);
  for (gsize i = 0; i < n; i++)
    {
      const gsize x = i % FEN_TEST_SIZE, y = i / FEN_TEST_SIZE;
      const gsize dx = x - FEN_TEST_SIZE / 2, dy = y - FEN_TEST_SIZE / 2, r = FEN_TEST_SIZE * 2 / 5;
      raw[i] = dx * dx + dy * dy < r * r ? (guint16) (1000 + (x * 7 + y * 3) % 90) : 0;
    }
  g_autofree char *raw_path = g_build_filename (fen_test_dir, "ct.raw", NULL);
  g_autofree char *src = g_build_filename (fen_test_dir, "ct.dcm", NULL);
  char *out = g_strdup_printf ("%s/ct-%s.dcm", fen_test_dir, tool);
  g_assert_true (g_file_set_contents (raw_path, (const char *) raw, (gssize) (n * 2), NULL));
  const char *img[] = { "gdcmimg", "-i", raw_path, "-o", src, "--size", FEN_TEST_SIZE_ARG, "--depth", "16", NULL };
  g_free (fen_test_spawn (img, TRUE));
  if (strcmp (tool, "dcmcrle") == 0)
    {
      const char *argv[] = { "dcmcrle", src, out, NULL };
      g_free (fen_test_spawn (argv, TRUE));
    }
  else
    {
      const char *argv[] = { "gdcmconv", "--rle", src, out, NULL };
      g_free (fen_test_spawn (argv, TRUE));
    }
  *raw_out = raw;
  return out;
}

/* In a fresh process: peak RSS above the baseline while loading @path. */
static gint64
fen_test_peak_of_load (const char *path, gboolean expect_ok)
{
  g_autofree char *warm = g_build_filename (fen_test_dir, "ct.dcm", NULL);
  GError *error = NULL;
  FenImage *image = fen_load_file (warm, NULL, &error);
  g_assert_no_error (error);
  fen_image_unref (image);
  if (!fen_memory_reset_peak ())
    g_error ("cannot reset the peak RSS mark (/proc/self/clear_refs)");
  gint64 rss0 = 0, peak0 = 0, heap0 = 0, rss1 = 0, peak1 = 0, heap1 = 0;
  fen_memory_read_process (&rss0, &peak0, &heap0);
  image = fen_load_file (path, NULL, &error);
  fen_memory_read_process (&rss1, &peak1, &heap1);
  if (expect_ok)
    {
      g_assert_no_error (error);
      fen_image_unref (image);
    }
  else
    {
      g_assert_null (image);
      g_assert_nonnull (error);
      g_printerr ("# %s\n", error->message);
      g_assert_true (error->code == FEN_IO_ERROR_TRUNCATED || error->code == FEN_IO_ERROR_CORRUPT);
      g_clear_error (&error);
    }
  return peak1 - rss0;
}

static void
fen_test_file (gconstpointer data)
{
  const char *tool = data;
  g_autofree guint16 *raw = NULL;
  g_autofree char *path = fen_test_rle_file (tool, &raw);
  GError *error = NULL;

  FenImage *image = fen_load_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fen_image_get_info (image)->transfer_syntax, ==, "1.2.840.10008.1.2.5");
  g_assert_cmpmem (fen_image_get_frame (image, 0), FEN_TEST_SIZE * FEN_TEST_SIZE * 2,
                   raw, FEN_TEST_SIZE * FEN_TEST_SIZE * 2);
  fen_image_unref (image);

  /* Damaged copies: cut in the middle of the second segment, and the
   * second segment's runs overwritten with no-ops (it ends short). */
  g_autofree char *bytes = NULL;
  gsize len = 0;
  g_assert_true (g_file_get_contents (path, &bytes, &len, NULL));
  g_autofree char *cut = g_strdup_printf ("%s.cut.dcm", path);
  g_assert_true (g_file_set_contents (cut, bytes, (gssize) (len - len / 4), NULL));
  g_autofree char *noop = g_strdup_printf ("%s.noop.dcm", path);
  memset (bytes + len - len / 3, 0x80, len / 3 - 16);
  g_assert_true (g_file_set_contents (noop, bytes, (gssize) len, NULL));

  if (FEN_TEST_UNDER_ASAN)
    {
      /* Peak memory means nothing under AddressSanitizer: errors only. */
      const char *bad[] = { cut, noop };
      for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
        {
          g_assert_null (fen_load_file (bad[i], NULL, &error));
          g_assert_nonnull (error);
          g_clear_error (&error);
        }
      return;
    }
  const char *cases[] = { path, cut, noop };
  gint64 peaks[3];
  for (guint i = 0; i < 3; i++)
    {
      /* Each load in a fresh process, so one peak cannot hide another. */
      g_autofree char *out = NULL;
      const char *argv[] = { g_get_prgname (), "--peak-of", cases[i], i == 0 ? "ok" : "fail", NULL };
      out = fen_test_spawn (argv, TRUE);
      peaks[i] = g_ascii_strtoll (out, NULL, 10);
      g_assert_cmpint (peaks[i], >, 0);
    }
  const double pixels = (double) FEN_TEST_SIZE * FEN_TEST_SIZE * 2;
  g_printerr ("# %s peaks above baseline: good %.3f x, cut %.3f x, damaged %.3f x the pixel bytes\n",
              tool, peaks[0] / pixels, peaks[1] / pixels, peaks[2] / pixels);
  /* The good load holds the pixels and a few chunks, no compressed frame. */
  g_assert_cmpfloat (peaks[0] / pixels, <=, 1.10);
  g_assert_cmpint (peaks[1], <=, peaks[0] + 256 * 1024);
  g_assert_cmpint (peaks[2], <=, peaks[0] + 256 * 1024);
}

int
main (int argc, char **argv)
{
  if (argc == 4 && strcmp (argv[1], "--peak-of") == 0)
    {
      /* The child of fen_test_file(): one load, its peak on stdout. */
      fen_loader_init ();
      g_autofree char *dir = g_path_get_dirname (argv[2]);
      fen_test_dir = dir;
      printf ("%" G_GINT64_FORMAT "\n", fen_test_peak_of_load (argv[2], strcmp (argv[3], "ok") == 0));
      return 0;
    }
  g_test_init (&argc, &argv, NULL);
  g_set_prgname (argv[0]);
  fen_loader_init ();
  fen_test_dir = g_dir_make_tmp ("fen-test-rle-XXXXXX", NULL);

  g_test_add_func ("/rle/segment/packbits", fen_test_packbits);
  g_test_add_func ("/rle/segment/chunks-and-blocks", fen_test_chunks);
  g_test_add_func ("/rle/header", fen_test_header);
  g_test_add_data_func ("/rle/file/dcmcrle", "dcmcrle", fen_test_file);
  g_test_add_data_func ("/rle/file/gdcmconv", "gdcmconv", fen_test_file);

  int status = g_test_run ();
  GDir *dir = g_dir_open (fen_test_dir, 0, NULL);
  const char *entry;
  while (dir != NULL && (entry = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *f = g_build_filename (fen_test_dir, entry, NULL);
      g_unlink (f);
    }
  if (dir != NULL)
    g_dir_close (dir);
  g_rmdir (fen_test_dir);
  g_free (fen_test_dir);
  return status;
}
