/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-dicom-frames.c: compressed multi-frame objects made by independent
 * encoders (DCMTK's dcmcrle, dcmcjpeg, dcmcjpls; GDCM's gdcmconv for JPEG
 * 2000), frames large enough that the streamed decoders read each in many
 * chunks. Every lossless load equals the values written, a lossy one the
 * file DCMTK's own decoder (dcmdjpeg, dcmdjpls) writes, whatever the
 * number of frame threads; a file cut inside its last frame fails with an
 * error. */
#include <string.h>

#include <glib/gstdio.h>
#include <fenestra/fenestra.h>

#include "fen-test-dicom-writer.h"
#include "fen-test-spawn.h"

/* Frames of 512 x 384 samples, noise over a ramp: about 300 KB per
 * 16-bit frame compressed, several 64 KiB chunks each. */
#define FEN_ROWS   384u
#define FEN_COLS   512u
#define FEN_FRAMES 5u

static char *fen_test_dir;

typedef struct {
  const char *name;
  guint       bits;       /* 8 or 16 allocated (12 stored for 16) */
  gboolean    lossless;
  const char *argv[6];    /* the encoder; IN and OUT appended */
  const char *syntax;     /* the transfer syntax it must produce */
  const char *decoder;    /* lossy: DCMTK's decoder, the reference */
} FenCodecCase;

static const FenCodecCase fen_cases[] = {
  { "rle-u16",          16, TRUE,  { "dcmcrle", NULL },                   "1.2.840.10008.1.2.5", NULL },
  { "rle-u8",            8, TRUE,  { "dcmcrle", NULL },                   "1.2.840.10008.1.2.5", NULL },
  { "jpeg-lossless-u16", 16, TRUE, { "dcmcjpeg", "+e1", NULL },           "1.2.840.10008.1.2.4.70", NULL },
  { "jpeg-lossless-u8",  8, TRUE,  { "dcmcjpeg", "+e1", NULL },           "1.2.840.10008.1.2.4.70", NULL },
  { "jpeg-baseline-u8",  8, FALSE, { "dcmcjpeg", "+eb", NULL },           "1.2.840.10008.1.2.4.50", "dcmdjpeg" },
  { "jpeg-extended-u12", 16, FALSE, { "dcmcjpeg", "+ee", NULL },          "1.2.840.10008.1.2.4.51", "dcmdjpeg" },
  { "jpeg-ls-u16",      16, TRUE,  { "dcmcjpls", NULL },                  "1.2.840.10008.1.2.4.80", NULL },
  { "jpeg-ls-u8",        8, TRUE,  { "dcmcjpls", NULL },                  "1.2.840.10008.1.2.4.80", NULL },
  { "jpeg-ls-near-u16", 16, FALSE, { "dcmcjpls", "+en", NULL },           "1.2.840.10008.1.2.4.81", "dcmdjpls" },
  { "j2k-u16",          16, TRUE,  { "gdcmconv", "--j2k", NULL },         "1.2.840.10008.1.2.4.90", NULL },
};

/* The source: FEN_FRAMES frames, explicit little endian, the values in
 * *@values (transfer full). */
static char *
fen_write_source (guint bits, guint8 **values, gsize *n_bytes)
{
  const gsize n = (gsize) FEN_ROWS * FEN_COLS * FEN_FRAMES;
  const gsize bytes = n * (bits / 8);
  GByteArray *out = fen_part10_start ("1.2.840.10008.1.2.1");
  GRand *rand = g_rand_new_with_seed (bits);
  guint8 *data = g_malloc (bytes);
  const guint stored = bits == 16 ? 12 : 8;
  g_autofree char *name = g_strdup_printf ("source-%u.dcm", bits);
  char frames[8];

  g_snprintf (frames, sizeof frames, "%u", FEN_FRAMES);
  for (gsize i = 0; i < n; i++)
    {
      const gsize x = i % FEN_COLS, y = (i / FEN_COLS) % FEN_ROWS, f = i / ((gsize) FEN_ROWS * FEN_COLS);
      const guint v = ((guint) (x * 5 + y * 3 + f * 97) + (guint) g_rand_int_range (rand, 0, 200)) &
                      ((1u << stored) - 1);
      if (bits == 16)
        ((guint16 *) data)[i] = (guint16) v;
      else
        data[i] = (guint8) v;
    }
  g_rand_free (rand);
  fen_put_string (out, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7.3");
  fen_put_string (out, 0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9.9999.14.1");
  fen_put_string (out, 0x0008, 0x0060, "CS", "OT");
  fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
  fen_put_string (out, 0x0028, 0x0008, "IS", frames);
  fen_put_us (out, 0x0028, 0x0010, FEN_ROWS, FALSE);
  fen_put_us (out, 0x0028, 0x0011, FEN_COLS, FALSE);
  fen_put_us (out, 0x0028, 0x0100, (guint16) bits, FALSE);
  fen_put_us (out, 0x0028, 0x0101, (guint16) stored, FALSE);
  fen_put_us (out, 0x0028, 0x0102, (guint16) (stored - 1), FALSE);
  fen_put_us (out, 0x0028, 0x0103, 0, FALSE);
  fen_put_explicit (out, 0x7fe0, 0x0010, bits == 16 ? "OW" : "OB", (guint32) bytes);
  g_byte_array_append (out, data, (guint) bytes);
  char *path = fen_test_write_file (fen_test_dir, name, out);
  g_byte_array_unref (out);
  *values = data;
  *n_bytes = bytes;
  return path;
}

static FenImage *
fen_load_threads (const char *path, guint threads)
{
  FenLoadOptions options = { 0 };
  GError *error = NULL;

  options.frame_threads = threads;
  FenImage *image = fen_load_file (path, &options, &error);
  g_assert_no_error (error);
  return image;
}

static void
fen_test_codec (gconstpointer data)
{
  const FenCodecCase *c = data;
  g_autofree guint8 *values = NULL;
  gsize n_bytes;
  g_autofree char *src = fen_write_source (c->bits, &values, &n_bytes);
  g_autofree char *out = g_strdup_printf ("%s/%s.dcm", fen_test_dir, c->name);
  const char *argv[8];
  guint n = 0;

  for (; c->argv[n] != NULL; n++)
    argv[n] = c->argv[n];
  argv[n++] = src;
  argv[n++] = out;
  argv[n] = NULL;
  g_free (fen_test_spawn (argv, TRUE));

  FenImage *serial = fen_load_threads (out, 1);
  g_assert_cmpstr (fen_image_get_info (serial)->transfer_syntax, ==, c->syntax);
  g_assert_cmpuint (fen_image_get_info (serial)->frames, ==, FEN_FRAMES);
  g_assert_cmpuint (fen_image_get_pixel_bytes (serial), ==, n_bytes);
  if (c->lossless)
    g_assert_cmpmem (fen_image_get_frame (serial, 0), n_bytes, values, n_bytes);
  else
    {
      g_autofree char *plain = g_strdup_printf ("%s/%s-dcmtk.dcm", fen_test_dir, c->name);
      const char *decode[] = { c->decoder, out, plain, NULL };
      g_free (fen_test_spawn (decode, TRUE));
      FenImage *reference = fen_load_threads (plain, 1);
      g_assert_cmpmem (fen_image_get_frame (serial, 0), n_bytes,
                       fen_image_get_frame (reference, 0), fen_image_get_pixel_bytes (reference));
      fen_image_unref (reference);
    }
  /* Every thread count, the same bytes: 2 and 4 split the five frames
   * unevenly, 8 leaves threads without one. */
  for (guint threads = 2; threads <= 8; threads *= 2)
    {
      FenImage *parallel = fen_load_threads (out, threads);
      g_assert_cmpmem (fen_image_get_frame (parallel, 0), n_bytes,
                       fen_image_get_frame (serial, 0), n_bytes);
      fen_image_unref (parallel);
    }
  fen_image_unref (serial);

  /* Cut inside the last frame: an error, on one thread and on several. */
  g_autofree char *bytes = NULL;
  gsize length;
  g_assert_true (g_file_get_contents (out, &bytes, &length, NULL));
  g_autofree char *cut = g_strdup_printf ("%s/%s-cut.dcm", fen_test_dir, c->name);
  g_assert_true (g_file_set_contents (cut, bytes, (gssize) (length - length / (3 * FEN_FRAMES)), NULL));
  for (guint threads = 1; threads <= 4; threads *= 4)
    {
      FenLoadOptions options = { 0 };
      GError *error = NULL;

      options.frame_threads = threads;
      FenImage *image = fen_load_file (cut, &options, &error);
      g_assert_null (image);
      g_assert_nonnull (error);
      g_clear_error (&error);
    }
}

/* A JPEG stream of another size than the data set says (dcmodify changed
 * Columns after dcmcjpeg): refused with an error naming both sizes, on one
 * thread and on several, never decoded into the frame at the wrong width
 * with the rest of the slot unwritten. DCMTK's dcm2pnm refuses it too. */
static void
fen_test_jpeg_size_mismatch (void)
{
  g_autofree guint8 *values = NULL;
  gsize n_bytes;
  g_autofree char *src = fen_write_source (16, &values, &n_bytes);
  g_autofree char *out = g_strdup_printf ("%s/mismatch.dcm", fen_test_dir);
  g_autofree char *columns = g_strdup_printf ("(0028,0011)=%u", FEN_COLS * 2);
  const char *encode[] = { "dcmcjpeg", "+e1", src, out, NULL };
  const char *modify[] = { "dcmodify", "-nb", "-m", columns, out, NULL };

  g_free (fen_test_spawn (encode, TRUE));
  g_free (fen_test_spawn (modify, TRUE));
  for (guint threads = 1; threads <= 4; threads *= 4)
    {
      FenLoadOptions options = { 0 };
      g_autoptr(GError) error = NULL;

      options.frame_threads = threads;
      FenImage *image = fen_load_file (out, &options, &error);
      g_assert_null (image);
      g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT);
      g_assert_nonnull (strstr (error->message, "512 x 384"));
    }
}

int
main (int argc, char **argv)
{
  GError *error = NULL;
  int status;

  g_test_init (&argc, &argv, NULL);
  fen_test_dir = g_dir_make_tmp ("fen-frames-XXXXXX", &error);
  g_assert_no_error (error);
  for (guint i = 0; i < G_N_ELEMENTS (fen_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/frames/%s", fen_cases[i].name);
      g_test_add_data_func (path, &fen_cases[i], fen_test_codec);
    }
  g_test_add_func ("/frames/jpeg-size-mismatch", fen_test_jpeg_size_mismatch);
  status = g_test_run ();
  fen_test_remove_dir (fen_test_dir);
  g_free (fen_test_dir);
  return status;
}
