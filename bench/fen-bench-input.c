/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-input.c: writes the benchmark's inputs at run time, so no large
 * binary lives in the tree. The pixels are built here (tests/fen-make-fixture
 * stops at 4096 x 4096, short of the 8000 x 8000 case) and DCMTK's own
 * dump2dcm writes the file, so every input is by construction one DCMTK
 * accepts; dcmcrle makes the RLE copies. */
#define G_LOG_DOMAIN "fen-bench"

#include "fen-bench-input.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <string.h>
#include <unistd.h>

/* Private UID root under 2.25 (PS3.5 B.2), the same family the test
 * fixtures use, so generated objects never collide with real ones. */
#define FEN_BENCH_UID_ROOT "2.25.32938470134786239384601740125"

static inline guint32
fen_bench_xorshift (guint32 *state)
{
  guint32 x = *state;

  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *state = x;
}

/* Hounsfield units of a plausible axial slice: what a CT window is for. The
 * content only has to span air to bone with noise, so neighbouring pixels
 * differ (RLE has real work) and every window shows something. */
static void
fen_bench_input_fill (gint16 *pixels, guint rows, guint cols, guint slice)
{
  double cx = cols / 2.0, cy = rows / 2.0 + (slice % 20) * rows / 400.0;
  double ax = cols * 0.42, ay = rows * 0.34;
  guint32 state = 0x9e3779b9u ^ (slice * 2654435761u);

  for (guint y = 0; y < rows; y++)
    {
      double dy = (y + 0.5 - cy) / ay;
      gint16 *row = pixels + (gsize) y * cols;

      for (guint x = 0; x < cols; x++)
        {
          double dx = (x + 0.5 - cx) / ax;
          double r2 = dx * dx + dy * dy;
          double lx = (fabs (dx) - 0.45) / 0.3, ly = dy / 0.55;
          int noise = (int) (fen_bench_xorshift (&state) % 41) - 20;
          int hu;

          if (r2 > 1.0)
            hu = -1000;                        /* air */
          else if (r2 > 0.9)
            hu = 900 + (int) ((r2 - 0.9) * 6000); /* bone ring, up to 1500 */
          else if (lx * lx + ly * ly < 1.0)
            hu = -820;                         /* lungs */
          else
            hu = 40;                           /* soft tissue */
          row[x] = (gint16) (hu + noise);
        }
    }
}

gboolean
fen_bench_input_spawn (const char * const *argv, GError **error)
{
  g_autofree char *err = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH | G_SPAWN_STDOUT_TO_DEV_NULL,
                     NULL, NULL, NULL, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, error))
    {
      g_prefix_error (error, "%s failed (%s): ", argv[0], err ? g_strstrip (err) : "");
      return FALSE;
    }
  return TRUE;
}

gboolean
fen_bench_input_write_ct (const char *path,
                          guint       rows,
                          guint       cols,
                          guint       slice,
                          const char *series_uid,
                          GError    **error)
{
  g_autofree char *raw_path = g_strconcat (path, ".raw", NULL);
  g_autofree char *dump_path = g_strconcat (path, ".dump", NULL);
  gsize bytes = (gsize) rows * cols * 2;
  g_autofree gint16 *pixels = g_try_malloc (bytes);
  GString *dump;
  g_autofree char *dump_text = NULL;
  const char *argv[] = { "dump2dcm", "--write-xfer-little", "--quiet", dump_path, path, NULL };
  gboolean ok;

  if (pixels == NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM, "no memory for %u x %u pixels", cols, rows);
      return FALSE;
    }
  if (strpbrk (raw_path, " \t#[]") != NULL)
    {
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s: path must not contain blanks, '#' or brackets", path);
      return FALSE;
    }
  fen_bench_input_fill (pixels, rows, cols, slice);
  /* dump2dcm reads an OW file as little endian, which this host is. */
  G_STATIC_ASSERT (G_BYTE_ORDER == G_LITTLE_ENDIAN);

  dump = g_string_new ("# Fenestra benchmark input\n");
  g_string_append (dump, "(0008,0016) UI [1.2.840.10008.5.1.4.1.1.2]\n"); /* CT Image Storage */
  g_string_append_printf (dump, "(0008,0018) UI [%s.%u.%u.%u]\n", FEN_BENCH_UID_ROOT, rows, cols, slice + 1);
  g_string_append (dump, "(0008,0060) CS [CT]\n");
  g_string_append (dump, "(0010,0010) PN [Bench^Fenestra]\n");
  g_string_append (dump, "(0010,0020) LO [FEN-BENCH]\n");
  g_string_append_printf (dump, "(0020,000d) UI [%s.1]\n", FEN_BENCH_UID_ROOT);
  g_string_append_printf (dump, "(0020,000e) UI [%s.2.%s]\n", FEN_BENCH_UID_ROOT,
                          series_uid ? series_uid : "0");
  g_string_append_printf (dump, "(0020,0013) IS [%u]\n", slice + 1);
  g_string_append_printf (dump, "(0020,0032) DS [-250\\-250\\%u]\n", slice);
  g_string_append (dump, "(0020,0037) DS [1\\0\\0\\0\\1\\0]\n");
  g_string_append (dump, "(0028,0002) US 1\n");
  g_string_append (dump, "(0028,0004) CS [MONOCHROME2]\n");
  g_string_append_printf (dump, "(0028,0010) US %u\n", rows);
  g_string_append_printf (dump, "(0028,0011) US %u\n", cols);
  g_string_append (dump, "(0028,0030) DS [0.5\\0.5]\n");
  g_string_append (dump, "(0028,0100) US 16\n");
  g_string_append (dump, "(0028,0101) US 16\n");
  g_string_append (dump, "(0028,0102) US 15\n");
  g_string_append (dump, "(0028,0103) US 1\n");
  g_string_append (dump, "(0028,1050) DS [40]\n");
  g_string_append (dump, "(0028,1051) DS [400]\n");
  g_string_append (dump, "(0028,1052) DS [0]\n");
  g_string_append (dump, "(0028,1053) DS [1]\n");
  g_string_append (dump, "(0028,1054) LO [HU]\n");
  g_string_append_printf (dump, "(7fe0,0010) OW =%s\n", raw_path);
  dump_text = g_string_free (dump, FALSE);

  ok = g_file_set_contents (raw_path, (const char *) pixels, (gssize) bytes, error) &&
       g_file_set_contents (dump_path, dump_text, -1, error) &&
       fen_bench_input_spawn (argv, error);
  g_unlink (raw_path);
  g_unlink (dump_path);
  return ok;
}

gboolean
fen_bench_input_write_rle (const char *in, const char *out, GError **error)
{
  const char *argv[] = { "dcmcrle", "--quiet", in, out, NULL };

  return fen_bench_input_spawn (argv, error);
}

gboolean
fen_bench_input_write_jpeg (const char *in, const char *out, gboolean jpeg_ls, GError **error)
{
  /* JPEG lossless SV1 (dcmcjpeg +e1) or JPEG-LS lossless (dcmcjpls). */
  const char *jpeg[] = { "dcmcjpeg", "--quiet", "+e1", in, out, NULL };
  const char *ls[] = { "dcmcjpls", "--quiet", in, out, NULL };

  return fen_bench_input_spawn (jpeg_ls ? ls : jpeg, error);
}

gboolean
fen_bench_input_warm_cache (const char *path, GError **error)
{
  g_autofree char *buf = g_malloc (1 << 20);
  int fd = g_open (path, O_RDONLY | O_CLOEXEC, 0);
  gssize n;

  if (fd < 0)
    {
      int saved = errno;
      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  while ((n = read (fd, buf, 1 << 20)) > 0)
    ;
  close (fd);
  return n == 0;
}
