/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-geometry.c: the Image Plane maths (PS3.3 C.7.6.2.1.1) against values
 * worked out by hand: normals of axial, coronal, sagittal and oblique
 * planes, image <-> patient round trips, orientation letters, and refusals
 * of geometry that is missing or not orthonormal. */
#define G_LOG_DOMAIN "fen-test"

#include <fenestra/fenestra.h>

#include <math.h>
#include <string.h>

static void
assert_vec (const double *v, double x, double y, double z)
{
  g_assert_cmpfloat_with_epsilon (v[0], x, 1e-12);
  g_assert_cmpfloat_with_epsilon (v[1], y, 1e-12);
  g_assert_cmpfloat_with_epsilon (v[2], z, 1e-12);
}

typedef struct {
  const char *name;
  double      orientation[6];
  double      normal[3];
  const char *row_letters;   /* where the row direction points */
  const char *col_letters;
  const char *normal_letters;
} PlaneCase;

static const PlaneCase plane_cases[] = {
  /* Axial, head first supine: rows go to the patient's left, columns to the back. */
  { "axial", { 1, 0, 0, 0, 1, 0 }, { 0, 0, 1 }, "L", "P", "H" },
  /* Coronal: rows to the left, columns to the feet; the normal points posterior. */
  { "coronal", { 1, 0, 0, 0, 0, -1 }, { 0, 1, 0 }, "L", "F", "P" },
  /* Sagittal: rows to the back, columns to the feet; the normal points right. */
  { "sagittal", { 0, 1, 0, 0, 0, -1 }, { -1, 0, 0 }, "P", "F", "R" },
};

static void
test_plane_normals (gconstpointer data)
{
  const PlaneCase *c = data;
  const double pos[3] = { -120.5, 33, 12.25 }, spacing[2] = { 0.5, 0.75 };
  FenPlaneGeometry g;
  g_autoptr(GError) error = NULL;
  char letters[4];

  g_assert_true (fen_plane_geometry_init (&g, pos, c->orientation, spacing, &error));
  g_assert_no_error (error);
  assert_vec (g.normal, c->normal[0], c->normal[1], c->normal[2]);
  g_assert_cmpfloat_with_epsilon (fen_plane_geometry_get_distance (&g),
                                  c->normal[0] * pos[0] + c->normal[1] * pos[1] + c->normal[2] * pos[2],
                                  1e-12);
  fen_geometry_orientation_letters (g.row_dir, 1e-4, letters);
  g_assert_cmpstr (letters, ==, c->row_letters);
  fen_geometry_orientation_letters (g.col_dir, 1e-4, letters);
  g_assert_cmpstr (letters, ==, c->col_letters);
  fen_geometry_orientation_letters (g.normal, 1e-4, letters);
  g_assert_cmpstr (letters, ==, c->normal_letters);
}

static void
test_image_to_patient (void)
{
  /* An axial slice rotated 30 degrees about z, spacing 0.5 between rows and
   * 0.8 between columns: pixel (column 4, row 2) worked by hand from
   * C.7.6.2.1-1: S + X * 0.8 * 4 + Y * 0.5 * 2. */
  const double c30 = cos (G_PI / 6), s30 = sin (G_PI / 6);
  const double pos[3] = { 10, 20, 30 }, iop[6] = { c30, s30, 0, -s30, c30, 0 };
  const double spacing[2] = { 0.5, 0.8 };
  FenPlaneGeometry g;
  double p[3], col, row, dist;

  g_assert_true (fen_plane_geometry_init (&g, pos, iop, spacing, NULL));
  fen_plane_geometry_image_to_patient (&g, 4, 2, p);
  assert_vec (p, 10 + c30 * 3.2 - s30 * 1.0, 20 + s30 * 3.2 + c30 * 1.0, 30);

  /* Back, with an offset along the normal (z). */
  p[2] += 7.5;
  fen_plane_geometry_patient_to_image (&g, p, &col, &row, &dist);
  g_assert_cmpfloat_with_epsilon (col, 4, 1e-12);
  g_assert_cmpfloat_with_epsilon (row, 2, 1e-12);
  g_assert_cmpfloat_with_epsilon (dist, 7.5, 1e-12);
}

static void
test_oblique_round_trip (void)
{
  /* A double-oblique plane, cosines written with six digits as scanners do. */
  const double iop[6] = { 0.866025, 0.353553, -0.353553, 0, 0.707107, 0.707107 };
  const double pos[3] = { -100, -80.25, 50 }, spacing[2] = { 0.9, 1.1 };
  FenPlaneGeometry g;
  char letters[4];

  g_assert_true (fen_plane_geometry_init (&g, pos, iop, spacing, NULL));
  g_assert_cmpfloat_with_epsilon (fen_vec3_dot (g.normal, g.normal), 1, 1e-12);
  g_assert_cmpfloat_with_epsilon (fen_vec3_dot (g.normal, g.row_dir), 0, 1e-12);
  for (double i = -3; i < 600; i += 97.5)
    for (double j = -1; j < 600; j += 131.25)
      {
        double p[3], col, row, dist;

        fen_plane_geometry_image_to_patient (&g, i, j, p);
        fen_plane_geometry_patient_to_image (&g, p, &col, &row, &dist);
        g_assert_cmpfloat_with_epsilon (col, i, 1e-9);
        g_assert_cmpfloat_with_epsilon (row, j, 1e-9);
        g_assert_cmpfloat_with_epsilon (dist, 0, 1e-9);
      }
  /* Largest component first: rows go mostly left, then back, then feet. */
  fen_geometry_orientation_letters (g.row_dir, 1e-4, letters);
  g_assert_cmpstr (letters, ==, "LPF");
  fen_geometry_orientation_letters (g.row_dir, 0.5, letters);
  g_assert_cmpstr (letters, ==, "L");
}

static void
test_letters_edge (void)
{
  const double zero[3] = { 0, 0, 0 }, right[3] = { -1, 0, 0 }, tie[3] = { 0, -0.6, 0.8 };
  char letters[4];

  fen_geometry_orientation_letters (zero, 1e-4, letters);
  g_assert_cmpstr (letters, ==, "");
  fen_geometry_orientation_letters (right, 1e-4, letters);
  g_assert_cmpstr (letters, ==, "R");
  fen_geometry_orientation_letters (tie, 1e-4, letters);
  g_assert_cmpstr (letters, ==, "HA");
}

static void
test_refusals (void)
{
  const double pos[3] = { 0, 0, 0 }, spacing[2] = { 1, 1 }, bad_spacing[2] = { 0, 1 };
  const double skew[6] = { 1, 0, 0, 0.1, 1, 0 }, short_vec[6] = { 0.5, 0, 0, 0, 1, 0 };
  const double axial[6] = { 1, 0, 0, 0, 1, 0 };
  FenPlaneGeometry g;
  FenImageInfo info;
  GError *error = NULL;

  g_assert_false (fen_plane_geometry_init (&g, pos, skew, spacing, &error));
  g_assert_error (error, FEN_GEOMETRY_ERROR, FEN_GEOMETRY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (fen_plane_geometry_init (&g, pos, short_vec, spacing, &error));
  g_assert_error (error, FEN_GEOMETRY_ERROR, FEN_GEOMETRY_ERROR_INVALID);
  g_clear_error (&error);
  g_assert_false (fen_plane_geometry_init (&g, pos, axial, bad_spacing, &error));
  g_assert_error (error, FEN_GEOMETRY_ERROR, FEN_GEOMETRY_ERROR_INVALID);
  g_clear_error (&error);

  fen_image_info_init (&info);
  g_assert_false (fen_plane_geometry_from_info (&g, &info, 0, &error));
  g_assert_error (error, FEN_GEOMETRY_ERROR, FEN_GEOMETRY_ERROR_MISSING);
  g_clear_error (&error);
  info.has_position = TRUE;
  info.has_orientation = TRUE;
  memcpy (info.image_orientation, axial, sizeof axial);
  g_assert_false (fen_plane_geometry_from_info (&g, &info, 0, &error));
  g_assert_error (error, FEN_GEOMETRY_ERROR, FEN_GEOMETRY_ERROR_MISSING);
  g_assert_nonnull (strstr (error->message, "Pixel Spacing"));
  g_clear_error (&error);
  info.pixel_spacing[0] = info.pixel_spacing[1] = 0.7;
  g_assert_true (fen_plane_geometry_from_info (&g, &info, 0, &error));
  g_assert_no_error (error);
  fen_image_info_clear (&info);
}

static void
test_frame_positions (void)
{
  /* A multi-frame image: each frame placed by its own Plane Position. */
  const double axial[6] = { 1, 0, 0, 0, 1, 0 };
  FenPlaneGeometry g;
  FenImageInfo info;

  fen_image_info_init (&info);
  info.frames = 3;
  info.has_orientation = TRUE;
  memcpy (info.image_orientation, axial, sizeof axial);
  info.pixel_spacing[0] = info.pixel_spacing[1] = 1;
  info.frame_positions = g_new0 (double, 9);
  for (guint f = 0; f < 3; f++)
    info.frame_positions[3 * f + 2] = -10.0 * f;
  g_assert_true (fen_plane_geometry_from_info (&g, &info, 2, NULL));
  g_assert_cmpfloat_with_epsilon (fen_plane_geometry_get_distance (&g), -20, 1e-12);
  fen_image_info_clear (&info);
  g_assert_null (info.frame_positions);
}

/* The four edges of a view: radiological convention for an axial image
 * shown as stored (patient's right on the screen's left, anterior on top);
 * flips and quarter turns move the letters with the image; sagittal,
 * coronal and oblique planes name their own axes. */
static void
test_edge_letters (void)
{
  static const struct {
    double iop[6], right[2], down[2];
    const char *left, *right_l, *top, *bottom;
  } cases[] = {
    { { 1, 0, 0, 0, 1, 0 }, { 1, 0 }, { 0, 1 }, "R", "L", "A", "P" },          /* axial */
    { { 1, 0, 0, 0, 1, 0 }, { -1, 0 }, { 0, 1 }, "L", "R", "A", "P" },         /* flipped */
    { { 1, 0, 0, 0, 1, 0 }, { 0, -1 }, { 1, 0 }, "P", "A", "R", "L" },         /* turned right */
    { { 1, 0, 0, 0, 1, 0 }, { 0.5, 0 }, { 0, 0.5 }, "R", "L", "A", "P" },      /* zoomed */
    { { 0, 1, 0, 0, 0, -1 }, { 1, 0 }, { 0, 1 }, "A", "P", "H", "F" },         /* sagittal */
    { { 1, 0, 0, 0, 0, -1 }, { 1, 0 }, { 0, 1 }, "R", "L", "H", "F" },         /* coronal */
    { { 0.866025, 0.5, 0, 0, 0, -1 }, { 1, 0 }, { 0, 1 }, "RA", "LP", "H", "F" }, /* oblique */
  };
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      char out[4][4];
      fen_geometry_edge_letters (cases[i].iop, cases[i].right, cases[i].down, out);
      g_assert_cmpstr (out[0], ==, cases[i].left);
      g_assert_cmpstr (out[1], ==, cases[i].right_l);
      g_assert_cmpstr (out[2], ==, cases[i].top);
      g_assert_cmpstr (out[3], ==, cases[i].bottom);
    }
}

static void
fen_test_plane (FenPlaneGeometry *g, double px, double py, double pz, const double iop[6], double spacing)
{
  const double pos[3] = { px, py, pz }, sp[2] = { spacing, spacing };
  GError *error = NULL;
  g_assert_true (fen_plane_geometry_init (g, pos, iop, sp, &error));
  g_assert_no_error (error);
}

/* Reference lines: a coronal and a sagittal plane cut an axial one along
 * a row and a column through pixel centres; a parallel plane or one beyond
 * the image gives none; an oblique one, a line whose points lie on it and
 * whose ends lie on the image's border. */
static void
test_reference_line (void)
{
  static const double axial[6] = { 1, 0, 0, 0, 1, 0 };
  static const double coronal[6] = { 1, 0, 0, 0, 0, -1 };
  static const double sagittal[6] = { 0, 1, 0, 0, 0, -1 };
  FenPlaneGeometry shown, other;
  double line[4];

  fen_test_plane (&shown, -100, -100, 0, axial, 0.5);
  fen_test_plane (&other, -100, -20, 50, coronal, 0.7);
  g_assert_true (fen_plane_geometry_reference_line (&shown, 400, 400, &other, line));
  /* y = -20 mm is row 160, whose centre is at 160.5. */
  g_assert_cmpfloat_with_epsilon (line[1], 160.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (line[3], 160.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (fabs (line[2] - line[0]), 400, 1e-9);

  fen_test_plane (&other, 10, -100, 50, sagittal, 0.7);
  g_assert_true (fen_plane_geometry_reference_line (&shown, 400, 400, &other, line));
  g_assert_cmpfloat_with_epsilon (line[0], 220.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (line[2], 220.5, 1e-9);

  fen_test_plane (&other, -100, -100, 5, axial, 0.5);
  g_assert_false (fen_plane_geometry_reference_line (&shown, 400, 400, &other, line));
  fen_test_plane (&other, -100, 500, 50, coronal, 0.7);
  g_assert_false (fen_plane_geometry_reference_line (&shown, 400, 400, &other, line));

  /* Oblique: turned 30 degrees about z and tilted 20 about x. */
  const double c30 = cos (G_PI / 6), s30 = sin (G_PI / 6), c20 = cos (G_PI / 9), s20 = sin (G_PI / 9);
  const double oblique[6] = { c30, s30, 0, -s30 * s20, c30 * s20, -c20 };
  fen_test_plane (&other, 3, -7, 11, oblique, 0.8);
  g_assert_true (fen_plane_geometry_reference_line (&shown, 400, 400, &other, line));
  for (int k = 0; k <= 10; k++)
    {
      const double x = line[0] + (line[2] - line[0]) * k / 10.0, y = line[1] + (line[3] - line[1]) * k / 10.0;
      double p[3], col, row, distance;
      fen_plane_geometry_image_to_patient (&shown, x - 0.5, y - 0.5, p);
      fen_plane_geometry_patient_to_image (&other, p, &col, &row, &distance);
      g_assert_cmpfloat (fabs (distance), <, 1e-6);
    }
  for (int e = 0; e < 2; e++)
    {
      const double x = line[2 * e], y = line[2 * e + 1];
      g_assert_true (fabs (x) < 1e-9 || fabs (x - 400) < 1e-9 || fabs (y) < 1e-9 || fabs (y - 400) < 1e-9);
    }
}

/* Slices of two series side by side: the normal and the position along it
 * need no Pixel Spacing; a frame is placed by its own position. */
static void
test_slice_location (void)
{
  /* Coronal: row direction +x, column direction -z; the normal is
   * x cross -z = +y (C.7.6.2.1.1), so the position is y. */
  const double coronal[6] = { 1, 0, 0, 0, 0, -1 };
  FenImageInfo info;
  double n[3], p[3];

  fen_image_info_init (&info);
  g_assert_false (fen_geometry_slice_location (&info, 0, n, p));
  info.has_position = TRUE;
  info.image_position[0] = 4;
  info.image_position[1] = -37.5;
  info.image_position[2] = 9;
  g_assert_false (fen_geometry_slice_location (&info, 0, n, p));  /* no orientation */
  info.has_orientation = TRUE;
  memcpy (info.image_orientation, coronal, sizeof coronal);
  g_assert_true (fen_geometry_slice_location (&info, 0, n, p));   /* no spacing needed */
  assert_vec (n, 0, 1, 0);
  assert_vec (p, 4, -37.5, 9);
  g_assert_cmpfloat_with_epsilon (fen_vec3_dot (n, p), -37.5, 1e-12);

  info.frames = 2;
  info.frame_positions = g_new0 (double, 6);
  info.frame_positions[1] = 2.5;
  info.frame_positions[4] = 7.25;
  g_assert_true (fen_geometry_slice_location (&info, 1, n, p));
  assert_vec (p, 0, 7.25, 0);
  g_assert_true (fen_geometry_slice_location (&info, 0, n, p));
  assert_vec (p, 0, 2.5, 0);

  info.image_orientation[3] = 0.5;   /* not orthogonal any more */
  g_assert_false (fen_geometry_slice_location (&info, 0, n, p));
  fen_image_info_clear (&info);
}

static void
test_same_frame_of_reference (void)
{
  FenImageInfo a, b;

  fen_image_info_init (&a);
  fen_image_info_init (&b);
  g_assert_false (fen_geometry_same_frame_of_reference (&a, &b));   /* neither has one */
  a.frame_of_reference_uid = g_strdup ("1.2.3");
  g_assert_false (fen_geometry_same_frame_of_reference (&a, &b));
  g_assert_false (fen_geometry_same_frame_of_reference (&b, &a));
  b.frame_of_reference_uid = g_strdup ("1.2.3");
  g_assert_true (fen_geometry_same_frame_of_reference (&a, &b));
  g_free (b.frame_of_reference_uid);
  b.frame_of_reference_uid = g_strdup ("1.2.30");
  g_assert_false (fen_geometry_same_frame_of_reference (&a, &b));
  g_free (a.frame_of_reference_uid);
  a.frame_of_reference_uid = g_strdup ("");
  g_free (b.frame_of_reference_uid);
  b.frame_of_reference_uid = g_strdup ("");
  g_assert_false (fen_geometry_same_frame_of_reference (&a, &b));  /* empty names nothing */
  fen_image_info_clear (&a);
  fen_image_info_clear (&b);
}

/* Two grids in one plane orientation: the shift between them in the first
 * one's pixels, worked by hand from C.7.6.2.1-1. */
static void
test_grid_offset (void)
{
  const double axial[6] = { 1, 0, 0, 0, 1, 0 };
  const double sagittal[6] = { 0, 1, 0, 0, 0, -1 };
  const double a_pos[3] = { -100, -80, 12 }, b_pos[3] = { -97, -79, -40 };
  const double s[2] = { 0.5, 0.75 };   /* rows 0.5 mm apart, columns 0.75 */
  const double other_s[2] = { 0.5, 0.7502 };
  FenPlaneGeometry a, b;
  double dx = 0, dy = 0;

  g_assert_true (fen_plane_geometry_init (&a, a_pos, axial, s, NULL));
  g_assert_true (fen_plane_geometry_init (&b, b_pos, axial, s, NULL));
  /* b's first pixel is 3 mm along +x (columns, 0.75 mm: 4) and 1 mm
   * along +y (rows, 0.5 mm: 2) from a's; the 52 mm along z is ignored. */
  g_assert_true (fen_plane_geometry_grid_offset (&a, &b, &dx, &dy));
  g_assert_cmpfloat_with_epsilon (dx, 4, 1e-12);
  g_assert_cmpfloat_with_epsilon (dy, 2, 1e-12);
  g_assert_true (fen_plane_geometry_grid_offset (&b, &a, &dx, &dy));
  g_assert_cmpfloat_with_epsilon (dx, -4, 1e-12);
  g_assert_cmpfloat_with_epsilon (dy, -2, 1e-12);

  g_assert_true (fen_plane_geometry_init (&b, b_pos, axial, other_s, NULL));
  g_assert_false (fen_plane_geometry_grid_offset (&a, &b, &dx, &dy));   /* spacing differs */
  g_assert_true (fen_plane_geometry_init (&b, b_pos, sagittal, s, NULL));
  g_assert_false (fen_plane_geometry_grid_offset (&a, &b, &dx, &dy));   /* orientation differs */
}

/* The 3D cursor: the nearest slice of a stack for a patient point and the
 * point's projection on it, worked by hand from C.7.6.2.1-1. Every stack
 * has 40 x 40 pixels 0.5 mm apart; @positions are the slices' offsets
 * along the stack axis (z for axial, y for coronal, x for sagittal). */
typedef struct {
  const char *name;
  double      orientation[6];
  guint       n;
  double      offsets[6];
  double      point[3];
  gboolean    found;
  guint       slice;
  double      x, y, distance;
} LocateCase;

static const LocateCase locate_cases[] = {
  /* Axial z = 0, 2.5 ... 10, first pixel at (-10, -10): (0, 5) is column
   * 20, row 30 (centres at +0.5); z 6 is 1 mm above slice 2 (z 5). */
  { "axial/inside", { 1, 0, 0, 0, 1, 0 }, 5, { 0, 2.5, 5, 7.5, 10 }, { 0, 5, 6 }, TRUE, 2, 20.5, 30.5, 1 },
  /* Half the end spacing (1.25 mm) beyond the last slice counts; more does not. */
  { "axial/last-plus-half", { 1, 0, 0, 0, 1, 0 }, 5, { 0, 2.5, 5, 7.5, 10 }, { 0, 5, 11.25 }, TRUE, 4, 20.5, 30.5, 1.25 },
  { "axial/past-the-last", { 1, 0, 0, 0, 1, 0 }, 5, { 0, 2.5, 5, 7.5, 10 }, { 0, 5, 11.3 }, FALSE, 0, 0, 0, 0 },
  { "axial/first-minus-half", { 1, 0, 0, 0, 1, 0 }, 5, { 0, 2.5, 5, 7.5, 10 }, { 0, 5, -1.25 }, TRUE, 0, 20.5, 30.5, -1.25 },
  { "axial/before-the-first", { 1, 0, 0, 0, 1, 0 }, 5, { 0, 2.5, 5, 7.5, 10 }, { 0, 5, -1.3 }, FALSE, 0, 0, 0, 0 },
  /* Any order: the index is the array's. z 6 is nearest z 5, index 4 here. */
  { "axial/unordered", { 1, 0, 0, 0, 1, 0 }, 5, { 10, 0, 7.5, 2.5, 5 }, { 0, 5, 6 }, TRUE, 4, 20.5, 30.5, 1 },
  /* Half way: the first of the two in the array's order. */
  { "axial/tie", { 1, 0, 0, 0, 1, 0 }, 5, { 0, 2.5, 5, 7.5, 10 }, { 0, 0, 1.25 }, TRUE, 0, 20.5, 20.5, 1.25 },
  /* x 10.3 is column 40.6, centre 41.1: right of the image's edge at 40. */
  { "axial/outside-the-image", { 1, 0, 0, 0, 1, 0 }, 5, { 0, 2.5, 5, 7.5, 10 }, { 10.3, 5, 5 }, FALSE, 0, 0, 0, 0 },
  /* The edges belong to the image: (9.75, -10.25) is (40, 0). */
  { "axial/on-the-edge", { 1, 0, 0, 0, 1, 0 }, 5, { 0, 2.5, 5, 7.5, 10 }, { 9.75, -10.25, 5 }, TRUE, 2, 40, 0, 0 },
  /* Two echoes at each position: the end spacing is 2.5, not 0. */
  { "axial/repeated-positions", { 1, 0, 0, 0, 1, 0 }, 4, { 0, 0, 2.5, 2.5 }, { 0, 5, 3.7 }, TRUE, 2, 20.5, 30.5, 1.2 },
  { "axial/repeated-past", { 1, 0, 0, 0, 1, 0 }, 4, { 0, 0, 2.5, 2.5 }, { 0, 5, 3.8 }, FALSE, 0, 0, 0, 0 },
  /* A localizer: one slice takes the projection of any point. */
  { "axial/single", { 1, 0, 0, 0, 1, 0 }, 1, { 0 }, { 0, 5, 100 }, TRUE, 0, 20.5, 30.5, 100 },
  /* Coronal, y = -4 ... 4, first pixel at (-10, y, 20), rows to the feet:
   * (0, 1.1, 6) is 0.9 mm anterior of y 2 (index 3), column 20, row
   * (20 - 6) / 0.5 = 28. */
  { "coronal/inside", { 1, 0, 0, 0, 0, -1 }, 5, { -4, -2, 0, 2, 4 }, { 0, 1.1, 6 }, TRUE, 3, 20.5, 28.5, -0.9 },
  /* Sagittal, normal -x: slices at x = 4, 2, 0, -2, -4 (ascending along
   * the normal), first pixel at (x, -10, 20): (1.1, 0, 6) is 0.9 mm along
   * the normal from x 2 (index 1), column 20, row 28. */
  { "sagittal/inside", { 0, 1, 0, 0, 0, -1 }, 5, { 4, 2, 0, -2, -4 }, { 1.1, 0, 6 }, TRUE, 1, 20.5, 28.5, 0.9 },
};

static void
locate_stack (const double orientation[6], guint n, const double *offsets, FenPlaneGeometry *planes)
{
  const double spacing[2] = { 0.5, 0.5 };

  for (guint i = 0; i < n; i++)
    {
      double pos[3];

      if (orientation[2] == 0 && orientation[5] == 0)   /* axial */
        pos[0] = -10, pos[1] = -10, pos[2] = offsets[i];
      else if (orientation[0] == 1)                     /* coronal */
        pos[0] = -10, pos[1] = offsets[i], pos[2] = 20;
      else                                              /* sagittal */
        pos[0] = offsets[i], pos[1] = -10, pos[2] = 20;
      g_assert_true (fen_plane_geometry_init (&planes[i], pos, orientation, spacing, NULL));
    }
}

static void
test_locate (gconstpointer data)
{
  const LocateCase *c = data;
  FenPlaneGeometry planes[6];
  FenGeometryLocation where = { 99, -1, -1, -1 };

  locate_stack (c->orientation, c->n, c->offsets, planes);
  g_assert_cmpint (fen_geometry_locate (planes, c->n, 40, 40, c->point, &where), ==, c->found);
  if (!c->found)
    {
      g_assert_cmpuint (where.slice, ==, 99);   /* left alone */
      return;
    }
  g_assert_cmpuint (where.slice, ==, c->slice);
  g_assert_cmpfloat_with_epsilon (where.x, c->x, 1e-9);
  g_assert_cmpfloat_with_epsilon (where.y, c->y, 1e-9);
  g_assert_cmpfloat_with_epsilon (where.distance, c->distance, 1e-9);
}

/* No stack, or planes of two orientations: nowhere to put the cursor. */
static void
test_locate_refusals (void)
{
  const double axial[6] = { 1, 0, 0, 0, 1, 0 }, coronal[6] = { 1, 0, 0, 0, 0, -1 };
  const double zero[1] = { 0 }, point[3] = { 0, 0, 1 }, below[3] = { 0, 0, -0.5 };
  FenPlaneGeometry planes[2];
  FenGeometryLocation where;

  locate_stack (axial, 1, zero, &planes[0]);
  locate_stack (coronal, 1, zero, &planes[1]);
  g_assert_false (fen_geometry_locate (planes, 0, 40, 40, point, &where));
  g_assert_false (fen_geometry_locate (planes, 2, 40, 40, point, &where));
  /* Each alone takes the point (on the coronal at y 0, row (20 - 1) / 0.5);
   * z -0.5 is row 41, centre 41.5: below the image. */
  g_assert_true (fen_geometry_locate (&planes[1], 1, 40, 40, point, &where));
  g_assert_cmpfloat_with_epsilon (where.y, 38.5, 1e-9);
  g_assert_false (fen_geometry_locate (&planes[1], 1, 40, 40, below, &where));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (plane_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/geometry/normal/%s", plane_cases[i].name);
      g_test_add_data_func (path, &plane_cases[i], test_plane_normals);
    }
  g_test_add_func ("/geometry/image-to-patient", test_image_to_patient);
  g_test_add_func ("/geometry/oblique-round-trip", test_oblique_round_trip);
  g_test_add_func ("/geometry/letters/edge", test_letters_edge);
  g_test_add_func ("/geometry/refusals", test_refusals);
  g_test_add_func ("/geometry/frame-positions", test_frame_positions);
  g_test_add_func ("/geometry/letters/view-edges", test_edge_letters);
  g_test_add_func ("/geometry/reference-line", test_reference_line);
  g_test_add_func ("/geometry/slice-location", test_slice_location);
  g_test_add_func ("/geometry/same-frame-of-reference", test_same_frame_of_reference);
  g_test_add_func ("/geometry/grid-offset", test_grid_offset);
  for (gsize i = 0; i < G_N_ELEMENTS (locate_cases); i++)
    {
      g_autofree char *path = g_strdup_printf ("/geometry/locate/%s", locate_cases[i].name);
      g_test_add_data_func (path, &locate_cases[i], test_locate);
    }
  g_test_add_func ("/geometry/locate/refusals", test_locate_refusals);
  return g_test_run ();
}
