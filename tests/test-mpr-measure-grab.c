/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-mpr-measure-grab.c: taking a plane measurement by its body and
 * moving it whole (fen_mpr_measure_hits_body(), fen_mpr_measure_move()),
 * on an axial plane and on a double-oblique one: points placed by hand in
 * the plane's own (right, down) millimetres, the expected hits worked out
 * from the shapes' equations, not from the code under test. */
#include <fenestra/fenestra.h>

#include <math.h>
#include <string.h>

typedef struct {
  FenMprFrame frame;
  double      origin[3];
} Plane;

static void
plane_axial (Plane *pl)
{
  static const FenMprFrame axial = { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };

  pl->frame = axial;
  pl->origin[0] = -40.0;
  pl->origin[1] = 12.5;
  pl->origin[2] = 31.25;
}

/* Rows turned 30 degrees about z, columns tilted 20 degrees out of the
 * slices: right = (cos 30, sin 30, 0), down = (-sin 30 cos 20,
 * cos 30 cos 20, sin 20), normal = right x down. */
static void
plane_oblique (Plane *pl)
{
  const double a = G_PI / 6, t = G_PI / 9;
  double *r = pl->frame.right, *d = pl->frame.down, *n = pl->frame.normal;

  r[0] = cos (a), r[1] = sin (a), r[2] = 0;
  d[0] = -sin (a) * cos (t), d[1] = cos (a) * cos (t), d[2] = sin (t);
  n[0] = r[1] * d[2] - r[2] * d[1];
  n[1] = r[2] * d[0] - r[0] * d[2];
  n[2] = r[0] * d[1] - r[1] * d[0];
  pl->origin[0] = 7.0;
  pl->origin[1] = -3.0;
  pl->origin[2] = 55.0;
}

/* The point (@u, @v) mm on the plane, @off mm along its normal. */
static void
at (const Plane *pl, double u, double v, double off, double p[3])
{
  for (int k = 0; k < 3; k++)
    p[k] = pl->origin[k] + u * pl->frame.right[k] + v * pl->frame.down[k] + off * pl->frame.normal[k];
}

static void
make (FenMprMeasure *m, const Plane *pl, FenMprMeasureKind kind, const double *uv, guint n)
{
  double points[3 * FEN_MPR_MEASURE_MAX_POINTS];

  g_assert_cmpuint (n, <=, FEN_MPR_MEASURE_MAX_POINTS);
  for (guint i = 0; i < n; i++)
    at (pl, uv[2 * i], uv[2 * i + 1], 0, points + 3 * i);
  g_assert_true (fen_mpr_measure_init_points (m, kind, &pl->frame, points, n));
}

static gboolean
hits (const FenMprMeasure *m, const Plane *pl, double u, double v, double off, double reach)
{
  double p[3];

  at (pl, u, v, off, p);
  return fen_mpr_measure_hits_body (m, p, reach);
}

static void
check_shapes (const Plane *pl)
{
  /* Ellipse: centre (10, 20), box corner (16, 24): radii 6 and 4 mm. */
  static const double ellipse[] = { 10, 20, 16, 24 };
  static const double rect[] = { 0, 0, 8, 5 };
  /* A U: the notch (4..6 across, 3..10 down) is outside it. */
  static const double u_shape[] = { 0, 0, 10, 0, 10, 10, 6, 10, 6, 3, 4, 3, 4, 10, 0, 10 };
  static const double line[] = { 0, 0, 20, 0 };
  /* Two lines far apart: the gap between them is not a line. */
  static const double cobb[] = { 0, 0, 10, 0, 30, 10, 40, 10 };
  static const double angle[] = { 0, 10, 0, 0, 10, 0 };
  FenMprMeasure m;

  make (&m, pl, FEN_MPR_MEASURE_ELLIPSE, ellipse, 2);
  g_assert_true (hits (&m, pl, 10, 20, 0, 1));      /* centre */
  g_assert_true (hits (&m, pl, 13, 22, 0, 0.01));   /* (3/6)^2 + (2/4)^2 = 0.5 */
  g_assert_true (hits (&m, pl, 13, 22, 25, 0.01));  /* off the plane: taken along the normal */
  g_assert_false (hits (&m, pl, 16.5, 20, 0, 0.25)); /* 6.5 from the centre, radius 6 + 0.25 */
  g_assert_true (hits (&m, pl, 16.5, 20, 0, 0.75));  /* radius 6.75 */
  g_assert_false (hits (&m, pl, 15, 23.5, 0, 0.1)); /* inside the box, outside the ellipse */

  make (&m, pl, FEN_MPR_MEASURE_RECTANGLE, rect, 2);
  g_assert_true (hits (&m, pl, 4, 2.5, 0, 0.01));
  g_assert_true (hits (&m, pl, 8.4, 5.4, 0, 0.5));
  g_assert_false (hits (&m, pl, 8.6, 2, 0, 0.5));
  g_assert_false (hits (&m, pl, 4, -0.6, 0, 0.5));

  make (&m, pl, FEN_MPR_MEASURE_POLYGON, u_shape, 8);
  g_assert_true (hits (&m, pl, 2, 5, 0, 0.01));     /* a leg of the U */
  g_assert_true (hits (&m, pl, 5, 1.5, 0, 0.01));   /* its base */
  g_assert_false (hits (&m, pl, 5, 7, 0, 0.5));     /* the notch, 1 mm from either leg */
  g_assert_true (hits (&m, pl, 5, 7, 0, 1.1));      /* within reach of a leg */
  g_assert_false (hits (&m, pl, 11, 5, 0, 0.5));
  g_assert_true (hits (&m, pl, 10.4, 5, 0, 0.5));   /* just outside its right side */

  make (&m, pl, FEN_MPR_MEASURE_DISTANCE, line, 2);
  g_assert_true (hits (&m, pl, 10, 0.9, 0, 1));
  g_assert_false (hits (&m, pl, 10, 1.1, 0, 1));
  g_assert_false (hits (&m, pl, 21.5, 0, 0, 1));    /* beyond its end */
  g_assert_true (hits (&m, pl, 20.5, 0.5, 0, 1));   /* 0.71 from its end */
  make (&m, pl, FEN_MPR_MEASURE_ARROW, line, 2);
  g_assert_true (hits (&m, pl, 5, -0.5, 0, 1));

  make (&m, pl, FEN_MPR_MEASURE_COBB, cobb, 4);
  g_assert_true (hits (&m, pl, 5, 0, 0, 0.5));
  g_assert_true (hits (&m, pl, 35, 10.2, 0, 0.5));
  g_assert_false (hits (&m, pl, 20, 5, 0, 0.5));    /* halfway between the two lines */

  make (&m, pl, FEN_MPR_MEASURE_ANGLE, angle, 3);
  g_assert_true (hits (&m, pl, 0.3, 5, 0, 0.5));
  g_assert_true (hits (&m, pl, 5, 0.3, 0, 0.5));
  g_assert_false (hits (&m, pl, 5, 5, 0, 0.5));     /* inside the angle is not its body */
}

static void
test_hits_axial (void)
{
  Plane pl;

  plane_axial (&pl);
  check_shapes (&pl);
}

static void
test_hits_oblique (void)
{
  Plane pl;

  plane_oblique (&pl);
  check_shapes (&pl);
}

static void
test_move (void)
{
  static const double u_shape[] = { 0, 0, 10, 0, 10, 10, 6, 10, 6, 3, 4, 3, 4, 10, 0, 10 };
  static const double line[] = { 1, 2, 13, 7 };
  FenMprMeasure m, moved;
  double delta[3], p[3], q[3];
  Plane pl;

  plane_oblique (&pl);
  make (&m, &pl, FEN_MPR_MEASURE_POLYGON, u_shape, 8);
  /* 3 mm right, -2 mm down, and 9 mm along the normal that must be dropped. */
  for (int k = 0; k < 3; k++)
    delta[k] = 3 * pl.frame.right[k] - 2 * pl.frame.down[k] + 9 * pl.frame.normal[k];
  fen_mpr_measure_move (&moved, &m, delta);
  g_assert_cmpint (moved.kind, ==, FEN_MPR_MEASURE_POLYGON);
  g_assert_cmpuint (moved.n_points, ==, 8);
  for (guint i = 0; i < 8; i++)
    {
      at (&pl, u_shape[2 * i] + 3, u_shape[2 * i + 1] - 2, 0, p);
      for (int k = 0; k < 3; k++)
        g_assert_cmpfloat_with_epsilon (moved.points[i][k], p[k], 1e-9);
    }
  for (int k = 0; k < 3; k++)
    {
      g_assert_cmpfloat_with_epsilon (moved.frame.normal[k], m.frame.normal[k], 1e-12);
      g_assert_cmpfloat_with_epsilon (moved.frame.right[k], m.frame.right[k], 1e-12);
    }
  /* The moved outline is hit where the old one was not, and not where its left leg was. */
  g_assert_true (hits (&moved, &pl, 12, 5, 0, 0.01));
  g_assert_false (hits (&moved, &pl, 1, 9.5, 0, 0.01));

  /* In place, and an arrow keeps its text and its length. */
  make (&m, &pl, FEN_MPR_MEASURE_ARROW, line, 2);
  g_assert_true (fen_mpr_measure_set_text (&m, "lesion"));
  fen_mpr_measure_move (&m, &m, delta);
  g_assert_cmpstr (m.text, ==, "lesion");
  g_assert_cmpfloat_with_epsilon (fen_mpr_measure_length_mm (&m), 13.0, 1e-9);
  at (&pl, 4, 0, 0, q);
  g_assert_true (fen_mpr_measure_is_on_plane (&m, &pl.frame, q, 1e-9));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mpr-measure-grab/hits/axial", test_hits_axial);
  g_test_add_func ("/mpr-measure-grab/hits/oblique", test_hits_oblique);
  g_test_add_func ("/mpr-measure-grab/move", test_move);
  return g_test_run ();
}
