/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-measure.c: `fenestra-cli measure` against a computation that shares
 * nothing with it: the image is written by GDCM's gdcmimg from raw values
 * the test keeps, its rescale set by DCMTK's dcmodify, and the reference
 * decides membership in exact integer arithmetic (every coordinate a
 * multiple of 1/2, so doubled it is an integer) over every pixel, with the
 * statistics summed in long double. */
#define G_LOG_DOMAIN "fen-test-measure"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "fen-test-spawn.h"

#define FEN_W 97
#define FEN_H 83
#define FEN_FRAMES 2

static char *fen_test_dir;
static gint16 fen_raw[FEN_FRAMES][FEN_H][FEN_W];

/* Doubled coordinates: a region given in half-pixels. */
typedef struct {
  const char *spec;
  char        kind;         /* 'e', 'r', 'p' */
  gint64      v[16];        /* doubled: e: x y rx ry; r: x y w h; p: x0 y0 x1 y1 ... */
  guint       n;            /* polygon vertices */
} FenRegion;

static const FenRegion fen_regions[] = {
  { "ellipse:48.5,41,20,13.5", 'e', { 97, 82, 40, 27 }, 0 },
  { "ellipse:0,0,7,9", 'e', { 0, 0, 14, 18 }, 0 },
  { "ellipse:96.5,82.5,0.5,0.5", 'e', { 193, 165, 1, 1 }, 0 },
  { "rect:10,20,30.5,12", 'r', { 20, 40, 61, 24 }, 0 },
  { "rect:50.5,30.5,0,0", 'r', { 101, 61, 0, 0 }, 0 },
  { "rect:-5,-5,200,200", 'r', { -10, -10, 400, 400 }, 0 },
  { "polygon:5,5,60,8,30.5,40,70,70,2,60", 'p', { 10, 10, 120, 16, 61, 80, 140, 140, 4, 120 }, 5 },
  { "polygon:0.5,0.5,40.5,0.5,0.5,40.5", 'p', { 1, 1, 81, 1, 1, 81 }, 3 },
  /* A bow tie: even-odd, crossing at (20, 20). */
  { "polygon:0,0,40,40,40,0,0,40", 'p', { 0, 0, 80, 80, 80, 0, 0, 80 }, 4 },
};

/* Centre of pixel (i, j), doubled: (2i + 1, 2j + 1). */
static gboolean
fen_ref_inside (const FenRegion *r, gint64 cx, gint64 cy)
{
  if (r->kind == 'e')
    {
      /* ((cx - x) / rx)^2 + ((cy - y) / ry)^2 <= 1, times rx^2 ry^2. */
      const gint64 dx = cx - r->v[0], dy = cy - r->v[1];
      return dx * dx * r->v[3] * r->v[3] + dy * dy * r->v[2] * r->v[2] <=
             r->v[2] * r->v[2] * r->v[3] * r->v[3];
    }
  if (r->kind == 'r')
    return cx >= MIN (r->v[0], r->v[0] + r->v[2]) && cx <= MAX (r->v[0], r->v[0] + r->v[2]) &&
           cy >= MIN (r->v[1], r->v[1] + r->v[3]) && cy <= MAX (r->v[1], r->v[1] + r->v[3]);
  gboolean inside = FALSE;
  for (guint i = 0, j = r->n - 1; i < r->n; j = i++)
    {
      const gint64 xi = r->v[2 * i], yi = r->v[2 * i + 1], xj = r->v[2 * j], yj = r->v[2 * j + 1];
      /* On the edge: collinear and within its box. */
      const gint64 cross = (xj - xi) * (cy - yi) - (yj - yi) * (cx - xi);
      if (cross == 0 && cx >= MIN (xi, xj) && cx <= MAX (xi, xj) && cy >= MIN (yi, yj) &&
          cy <= MAX (yi, yj))
        return TRUE;
      /* Crossing of the ray to the right, decided without division. */
      if ((yi > cy) != (yj > cy))
        {
          /* cx < xi + (xj - xi)(cy - yi)/(yj - yi) */
          const gint64 lhs = (cx - xi) * (yj - yi), rhs = (xj - xi) * (cy - yi);
          if ((yj - yi) > 0 ? lhs < rhs : lhs > rhs)
            inside = !inside;
        }
    }
  return inside;
}

static gint16
fen_test_value (guint x, guint y, guint f)
{
  const guint32 h = (x * 73856093u) ^ (y * 19349663u) ^ (f * 83492791u);
  return (gint16) ((gint) (h % 3001) - 1000);
}

static char *
fen_test_cli (const char *path, const char *spec, guint frame)
{
  g_autofree char *frame_arg = g_strdup_printf ("%u", frame);
  const char *argv[] = { FEN_TEST_CLI, "measure", path, "--roi", spec, "--frame", frame_arg, NULL };

  return fen_test_spawn (argv, TRUE);
}

static double
fen_json_number (const char *json, const char *key)
{
  g_autofree char *needle = g_strdup_printf ("\"%s\":", key);
  const char *at = strstr (json, needle);
  g_assert_nonnull (at);
  at += strlen (needle);
  if (g_str_has_prefix (at, "null"))
    return NAN;
  return g_ascii_strtod (at, NULL);
}

static char *fen_test_path;

static void
fen_test_region (gconstpointer data)
{
  const FenRegion *r = data;
  /* dcmodify set Rescale Slope 0.5, Intercept -1024 (PS3.3 C.11.1). */
  const long double slope = 0.5L, intercept = -1024.0L;

  for (guint f = 0; f < FEN_FRAMES; f++)
    {
      long double sum = 0, squares = 0, lo = INFINITY, hi = -INFINITY;
      guint64 n = 0;
      for (gint64 j = 0; j < FEN_H; j++)
        for (gint64 i = 0; i < FEN_W; i++)
          if (fen_ref_inside (r, 2 * i + 1, 2 * j + 1))
            {
              const long double m = fen_raw[f][j][i] * slope + intercept;
              n++;
              sum += m;
              lo = MIN (lo, m);
              hi = MAX (hi, m);
            }
      const long double mean = n ? sum / n : 0;
      for (gint64 j = 0; j < FEN_H; j++)
        for (gint64 i = 0; i < FEN_W; i++)
          if (fen_ref_inside (r, 2 * i + 1, 2 * j + 1))
            {
              const long double d = fen_raw[f][j][i] * slope + intercept - mean;
              squares += d * d;
            }

      g_autofree char *json = fen_test_cli (fen_test_path, r->spec, f + 1);
      g_test_message ("%s frame %u: %s", r->spec, f + 1, json);
      g_assert_cmpfloat (fen_json_number (json, "n"), ==, (double) n);
      if (n == 0)
        {
          g_assert_true (isnan (fen_json_number (json, "mean")));
          continue;
        }
      g_assert_cmpfloat_with_epsilon (fen_json_number (json, "mean"), (double) mean, 1e-9);
      g_assert_cmpfloat_with_epsilon (fen_json_number (json, "sd"), (double) sqrtl (squares / n), 1e-9);
      g_assert_cmpfloat (fen_json_number (json, "min"), ==, (double) lo);
      g_assert_cmpfloat (fen_json_number (json, "max"), ==, (double) hi);
      g_assert_nonnull (strstr (json, "\"unit\":\"HU\""));
      /* No Pixel Spacing in the file: no area in mm. */
      g_assert_true (isnan (fen_json_number (json, "area_mm2")));
    }
}

static void
fen_test_refused (void)
{
  const char *bad[] = { "circle:1,2,3", "rect:1,2,3", "polygon:1,2,3,4", "ellipse:1,2,0,3", "rect:a,b,c,d" };
  for (guint i = 0; i < G_N_ELEMENTS (bad); i++)
    {
      const char *argv[] = { FEN_TEST_CLI, "measure", fen_test_path, "--roi", bad[i], NULL };
      g_autofree char *err = NULL;
      int status = 0;
      g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err,
                    &status, NULL);
      g_assert_false (g_spawn_check_wait_status (status, NULL));
      g_assert_nonnull (strstr (err, "fenestra-cli: "));
    }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  fen_test_dir = g_dir_make_tmp ("fen-test-measure-XXXXXX", NULL);

  for (guint f = 0; f < FEN_FRAMES; f++)
    for (guint y = 0; y < FEN_H; y++)
      for (guint x = 0; x < FEN_W; x++)
        fen_raw[f][y][x] = GINT16_TO_LE (fen_test_value (x, y, f));
  g_autofree char *raw = g_build_filename (fen_test_dir, "ct.raw", NULL);
  fen_test_path = g_build_filename (fen_test_dir, "ct.dcm", NULL);
  g_assert_true (g_file_set_contents (raw, (const char *) fen_raw, sizeof fen_raw, NULL));
  /* gdcmimg writes unsigned multi-frame objects only: the values are
   * stored as their 16-bit patterns and declared signed by dcmodify. */
  const char *img[] = { "gdcmimg", "-i", raw, "-o", fen_test_path, "--size", "97,83,2",
                        "--depth", "16", NULL };
  g_free (fen_test_spawn (img, TRUE));
  const char *modify[] = { "dcmodify", "-nb", "-m", "(0028,0103)=1",
                           "-i", "(0028,1052)=-1024", "-i", "(0028,1053)=0.5",
                           "-i", "(0008,0060)=CT", fen_test_path, NULL };
  g_free (fen_test_spawn (modify, TRUE));

  for (guint i = 0; i < G_N_ELEMENTS (fen_regions); i++)
    {
      g_autofree char *name = g_strdup_printf ("/measure/cli/%u", i);
      g_test_add_data_func (name, &fen_regions[i], fen_test_region);
    }
  g_test_add_func ("/measure/cli/refused", fen_test_refused);
  int status = g_test_run ();
  g_unlink (raw);
  g_unlink (fen_test_path);
  g_rmdir (fen_test_dir);
  g_free (fen_test_path);
  g_free (fen_test_dir);
  return status;
}
