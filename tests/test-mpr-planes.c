/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-mpr-planes.c: the MPR layout's geometry (fen-mpr-planes.h) on
 * generated stacks: radiological frames and their letters, screen <->
 * patient both ways, the reformat grid a pane renders, the crosshair lines
 * and what a press grabs, moving the centre, turning the crosshair into
 * oblique planes, the native step and its clamp, and an oblique
 * acquisition getting its own pane. */
#include <fenestra/fenestra.h>

#include <math.h>
#include <string.h>

typedef struct {
  guint  width, height, n;
  double spacing[2];      /* between rows, between columns */
  double slice_spacing;
  double orientation[6];
} Stack;

static const Stack stack_axial = {
  .width = 40, .height = 30, .n = 21, .spacing = { 0.8, 0.6 }, .slice_spacing = 1.5,
  .orientation = { 1, 0, 0, 0, 1, 0 },
};

static GPtrArray *
make_images (const Stack *s)
{
  GPtrArray *images = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_image_unref);
  const double origin[3] = { -12.0, 5.0, -30.0 };
  double normal[3];

  fen_vec3_cross (s->orientation, s->orientation + 3, normal);
  for (guint k = 0; k < s->n; k++)
    {
      g_autoptr(GError) error = NULL;
      FenImageInfo info;
      FenImage *image;

      fen_image_info_init (&info);
      info.rows = s->height;
      info.columns = s->width;
      info.frames = 1;
      info.samples_per_pixel = 1;
      info.bits_allocated = 16;
      info.bits_stored = 12;
      info.high_bit = 11;
      info.photometric = FEN_PHOTOMETRIC_MONOCHROME2;
      info.rescale_slope = 1;
      info.rescale_intercept = -1024;
      info.pixel_spacing[0] = s->spacing[0];
      info.pixel_spacing[1] = s->spacing[1];
      info.has_orientation = info.has_position = TRUE;
      memcpy (info.image_orientation, s->orientation, sizeof info.image_orientation);
      for (int a = 0; a < 3; a++)
        info.image_position[a] = origin[a] + normal[a] * s->slice_spacing * k;
      image = fen_image_new (&info, 0, &error);
      g_assert_no_error (error);
      fen_image_info_clear (&info);
      memset (fen_image_get_pixels_mutable (image), 0, (gsize) s->width * s->height * 2);
      g_ptr_array_add (images, image);
    }
  return images;
}

static FenVolume *
make_volume (const Stack *s)
{
  g_autoptr(GPtrArray) images = make_images (s);
  g_autoptr(GError) error = NULL;
  FenVolume *volume = fen_volume_new (NULL, (FenImage **) images->pdata, images->len, &error);

  g_assert_no_error (error);
  return volume;
}

/* A layout with every pane @w x @h. */
static void
make_planes (FenMprPlanes *planes, const FenVolume *volume, int w, int h)
{
  fen_mpr_planes_init (planes, volume);
  for (guint p = 0; p < FEN_MPR_N_PLANES; p++)
    fen_mpr_planes_set_size (planes, p, w, h);
}

static void
assert_vec (const double a[3], double x, double y, double z)
{
  g_assert_cmpfloat_with_epsilon (a[0], x, 1e-9);
  g_assert_cmpfloat_with_epsilon (a[1], y, 1e-9);
  g_assert_cmpfloat_with_epsilon (a[2], z, 1e-9);
}

static void
assert_letters (const FenMprPlanes *planes, FenMprPlane plane, const char *l, const char *r,
                const char *t, const char *b)
{
  char out[4][4];

  fen_mpr_planes_edge_letters (planes, plane, out);
  g_assert_cmpstr (out[0], ==, l);
  g_assert_cmpstr (out[1], ==, r);
  g_assert_cmpstr (out[2], ==, t);
  g_assert_cmpstr (out[3], ==, b);
}

static void
test_init_radiological (void)
{
  g_autoptr(FenVolume) volume = make_volume (&stack_axial);
  FenMprPlanes planes;

  make_planes (&planes, volume, 400, 300);
  g_assert_cmpuint (fen_mpr_planes_get_n_planes (&planes), ==, 3);
  /* The voxel centre of pixel (20, 15) of slice 10. */
  assert_vec (planes.center, -12.0 + 20 * 0.6, 5.0 + 15 * 0.8, -30.0 + 10 * 1.5);
  /* The box's middle: half a voxel beyond the outer centres. */
  assert_vec (planes.volume_center, -12.0 + 39 * 0.6 / 2, 5.0 + 29 * 0.8 / 2, -30.0 + 20 * 1.5 / 2);
  assert_vec (planes.frames[FEN_MPR_PLANE_AXIAL].normal, 0, 0, 1);
  assert_vec (planes.frames[FEN_MPR_PLANE_CORONAL].normal, 0, 1, 0);
  assert_vec (planes.frames[FEN_MPR_PLANE_SAGITTAL].normal, -1, 0, 0);
  /* PS3.3 C.7.6.1.1.1, radiological: the patient's right on the left. */
  assert_letters (&planes, FEN_MPR_PLANE_AXIAL, "R", "L", "A", "P");
  assert_letters (&planes, FEN_MPR_PLANE_CORONAL, "R", "L", "H", "F");
  assert_letters (&planes, FEN_MPR_PLANE_SAGITTAL, "A", "P", "H", "F");
  g_assert_cmpstr (fen_mpr_plane_to_string (FEN_MPR_PLANE_SAGITTAL), ==, "Sagittal");
}

static void
test_fit_and_screen (void)
{
  g_autoptr(FenVolume) volume = make_volume (&stack_axial);
  FenMprPlanes planes;
  const double width = 40 * 0.6, height = 30 * 0.8, depth = 21 * 1.5;

  make_planes (&planes, volume, 400, 300);
  /* Axial: 24 x 24 mm in 400 x 300: the height limits, 12.5 px/mm. */
  g_assert_cmpfloat_with_epsilon (planes.views[FEN_MPR_PLANE_AXIAL].zoom, MIN (400 / width, 300 / height), 1e-9);
  /* Coronal: 24 mm wide, 31.5 mm high. */
  g_assert_cmpfloat_with_epsilon (planes.views[FEN_MPR_PLANE_CORONAL].zoom, MIN (400 / width, 300 / depth), 1e-9);
  for (guint p = 0; p < 3; p++)
    {
      double sx, sy, back[3], point[3], dist;

      /* The box's middle in the pane's middle. */
      fen_mpr_planes_to_screen (&planes, p, planes.volume_center, &sx, &sy, NULL);
      g_assert_cmpfloat_with_epsilon (sx, 200, 1e-9);
      g_assert_cmpfloat_with_epsilon (sy, 150, 1e-9);
      /* A point of the plane comes back where it was. */
      fen_mpr_planes_to_patient (&planes, p, 123.25, 45.5, point);
      fen_mpr_planes_to_screen (&planes, p, point, &sx, &sy, &dist);
      g_assert_cmpfloat_with_epsilon (sx, 123.25, 1e-9);
      g_assert_cmpfloat_with_epsilon (sy, 45.5, 1e-9);
      g_assert_cmpfloat_with_epsilon (dist, 0, 1e-9);
      fen_mpr_planes_to_patient (&planes, p, sx, sy, back);
      assert_vec (back, point[0], point[1], point[2]);
    }
  /* Axial, radiological: the first pixel (patient right, anterior) at the
   * top left, the last column's pixel at the right. */
  {
    const double first[3] = { -12.0, 5.0, 0 }, last[3] = { -12.0 + 39 * 0.6, 5.0, 0 };
    double sx0, sy0, sx1, sy1, dist;
    double zoom = planes.views[FEN_MPR_PLANE_AXIAL].zoom;

    fen_mpr_planes_to_screen (&planes, FEN_MPR_PLANE_AXIAL, first, &sx0, &sy0, &dist);
    fen_mpr_planes_to_screen (&planes, FEN_MPR_PLANE_AXIAL, last, &sx1, &sy1, NULL);
    g_assert_cmpfloat_with_epsilon (sx0, 200 - (width / 2 - 0.3) * zoom, 1e-9);
    g_assert_cmpfloat_with_epsilon (sy0, 0.4 * zoom, 1e-9);
    g_assert_cmpfloat_with_epsilon (sx1, 200 + (width / 2 - 0.3) * zoom, 1e-9);
    g_assert_cmpfloat_with_epsilon (dist, -planes.center[2], 1e-9);
  }
  /* Coronal: the head (the last slice) up. */
  {
    double top[3], bottom[3], sx, sy_top, sy_bottom;

    memcpy (top, planes.center, sizeof top);
    memcpy (bottom, planes.center, sizeof bottom);
    top[2] = -30.0 + 20 * 1.5;
    bottom[2] = -30.0;
    fen_mpr_planes_to_screen (&planes, FEN_MPR_PLANE_CORONAL, top, &sx, &sy_top, NULL);
    fen_mpr_planes_to_screen (&planes, FEN_MPR_PLANE_CORONAL, bottom, &sx, &sy_bottom, NULL);
    g_assert_cmpfloat (sy_top, <, sy_bottom);
    g_assert_cmpfloat_with_epsilon (sy_bottom - sy_top, 20 * 1.5 * planes.views[FEN_MPR_PLANE_CORONAL].zoom, 1e-9);
  }
}

static void
test_geometry (void)
{
  g_autoptr(FenVolume) volume = make_volume (&stack_axial);
  FenMprPlanes planes;

  make_planes (&planes, volume, 400, 300);
  for (guint p = 0; p < 3; p++)
    for (int scale = 1; scale <= 2; scale++)
      {
        FenPlaneGeometry g;

        fen_mpr_planes_get_geometry (&planes, p, scale, &g);
        g_assert_cmpfloat_with_epsilon (g.spacing[0], 1.0 / (planes.views[p].zoom * scale), 1e-12);
        for (guint i = 0; i < 3; i++)
          {
            double from_grid[3], from_screen[3];
            guint col = i * 97 % (400 * scale), row = i * 61 % (300 * scale);

            fen_plane_geometry_image_to_patient (&g, col, row, from_grid);
            fen_mpr_planes_to_patient (&planes, p, (col + 0.5) / scale, (row + 0.5) / scale, from_screen);
            assert_vec (from_grid, from_screen[0], from_screen[1], from_screen[2]);
          }
      }
}

static void
test_zoom_pan (void)
{
  g_autoptr(FenVolume) volume = make_volume (&stack_axial);
  FenMprPlanes planes;
  double before[3], after[3], start[2];

  make_planes (&planes, volume, 400, 300);
  fen_mpr_planes_to_patient (&planes, FEN_MPR_PLANE_CORONAL, 77, 210, before);
  fen_mpr_planes_zoom_about (&planes, FEN_MPR_PLANE_CORONAL, 2.5, 77, 210);
  fen_mpr_planes_to_patient (&planes, FEN_MPR_PLANE_CORONAL, 77, 210, after);
  assert_vec (after, before[0], before[1], before[2]);
  g_assert_false (planes.views[FEN_MPR_PLANE_CORONAL].fitted);
  /* A pan drags the picture with the pointer. */
  memcpy (start, planes.views[FEN_MPR_PLANE_CORONAL].pan, sizeof start);
  fen_mpr_planes_pan (&planes, FEN_MPR_PLANE_CORONAL, start, 30, -12);
  fen_mpr_planes_to_patient (&planes, FEN_MPR_PLANE_CORONAL, 77 + 30, 210 - 12, after);
  assert_vec (after, before[0], before[1], before[2]);
  /* A resize keeps a zoomed view; a fitted one follows. */
  fen_mpr_planes_set_size (&planes, FEN_MPR_PLANE_CORONAL, 800, 600);
  g_assert_cmpfloat_with_epsilon (planes.views[FEN_MPR_PLANE_CORONAL].zoom, 2.5 * MIN (400 / 24.0, 300 / 31.5), 1e-9);
  fen_mpr_planes_set_size (&planes, FEN_MPR_PLANE_AXIAL, 800, 600);
  g_assert_cmpfloat_with_epsilon (planes.views[FEN_MPR_PLANE_AXIAL].zoom, 600 / 24.0, 1e-9);
}

static void
test_one_to_one (void)
{
  g_autoptr(FenVolume) volume = make_volume (&stack_axial);
  FenMprPlanes planes;
  double before[3], after[3];

  make_planes (&planes, volume, 400, 300);
  /* Axial: 0.6 mm across (columns), 0.8 mm down (rows): 1 / 0.6 px/mm. */
  fen_mpr_planes_to_patient (&planes, FEN_MPR_PLANE_AXIAL, 200, 150, before);
  fen_mpr_planes_one_to_one (&planes, FEN_MPR_PLANE_AXIAL, volume, 1);
  g_assert_cmpfloat_with_epsilon (planes.views[FEN_MPR_PLANE_AXIAL].zoom, 1 / 0.6, 1e-9);
  g_assert_false (planes.views[FEN_MPR_PLANE_AXIAL].fitted);
  /* About the pane's centre. */
  fen_mpr_planes_to_patient (&planes, FEN_MPR_PLANE_AXIAL, 200, 150, after);
  assert_vec (after, before[0], before[1], before[2]);
  /* Coronal: 0.6 mm across, 1.5 mm (the slices) down; at scale 2 one
   * native pixel is one device pixel, half a logical pixel. */
  fen_mpr_planes_one_to_one (&planes, FEN_MPR_PLANE_CORONAL, volume, 2);
  g_assert_cmpfloat_with_epsilon (planes.views[FEN_MPR_PLANE_CORONAL].zoom, 1 / (2 * 0.6), 1e-9);
  /* Sagittal: 0.8 mm across (rows), 1.5 mm down. */
  fen_mpr_planes_one_to_one (&planes, FEN_MPR_PLANE_SAGITTAL, volume, 1);
  g_assert_cmpfloat_with_epsilon (planes.views[FEN_MPR_PLANE_SAGITTAL].zoom, 1 / 0.8, 1e-9);
  /* Again: nothing changes. */
  fen_mpr_planes_one_to_one (&planes, FEN_MPR_PLANE_SAGITTAL, volume, 1);
  g_assert_cmpfloat_with_epsilon (planes.views[FEN_MPR_PLANE_SAGITTAL].zoom, 1 / 0.8, 1e-9);
  /* F fits again. */
  fen_mpr_planes_fit (&planes, FEN_MPR_PLANE_AXIAL);
  g_assert_true (planes.views[FEN_MPR_PLANE_AXIAL].fitted);
  g_assert_cmpfloat_with_epsilon (planes.views[FEN_MPR_PLANE_AXIAL].zoom, 300 / 24.0, 1e-9);
}

static void
test_lines_and_hits (void)
{
  g_autoptr(FenVolume) volume = make_volume (&stack_axial);
  FenMprPlanes planes;
  FenMprPlane other = FEN_MPR_N_PLANES;
  double line[4], cx, cy;

  make_planes (&planes, volume, 400, 300);
  fen_mpr_planes_to_screen (&planes, FEN_MPR_PLANE_AXIAL, planes.center, &cx, &cy, NULL);
  /* In the axial pane the coronal plane (y = centre) is a horizontal line
   * across the pane, the sagittal one (x = centre) a vertical one. */
  g_assert_true (fen_mpr_planes_get_line (&planes, FEN_MPR_PLANE_AXIAL, FEN_MPR_PLANE_CORONAL, line));
  g_assert_cmpfloat_with_epsilon (line[1], cy, 1e-9);
  g_assert_cmpfloat_with_epsilon (line[3], cy, 1e-9);
  g_assert_cmpfloat_with_epsilon (fabs (line[2] - line[0]), 400, 1e-9);
  g_assert_true (fen_mpr_planes_get_line (&planes, FEN_MPR_PLANE_AXIAL, FEN_MPR_PLANE_SAGITTAL, line));
  g_assert_cmpfloat_with_epsilon (line[0], cx, 1e-9);
  g_assert_cmpfloat_with_epsilon (fabs (line[3] - line[1]), 300, 1e-9);
  g_assert_false (fen_mpr_planes_get_line (&planes, FEN_MPR_PLANE_AXIAL, FEN_MPR_PLANE_AXIAL, line));

  g_assert_cmpint (fen_mpr_planes_hit (&planes, FEN_MPR_PLANE_AXIAL, cx + 3, cy - 4, 8, &other), ==, FEN_MPR_HIT_CENTER);
  /* On the horizontal line, far out: the coronal line's end. */
  g_assert_cmpint (fen_mpr_planes_hit (&planes, FEN_MPR_PLANE_AXIAL, cx + 120, cy + 3, 8, &other), ==, FEN_MPR_HIT_LINE);
  g_assert_cmpint (other, ==, FEN_MPR_PLANE_CORONAL);
  g_assert_cmpint (fen_mpr_planes_hit (&planes, FEN_MPR_PLANE_AXIAL, cx - 2, cy - 110, 8, &other), ==, FEN_MPR_HIT_LINE);
  g_assert_cmpint (other, ==, FEN_MPR_PLANE_SAGITTAL);
  /* On the line but near the centre (not its end), and off both lines. */
  g_assert_cmpint (fen_mpr_planes_hit (&planes, FEN_MPR_PLANE_AXIAL, cx + 30, cy, 8, &other), ==, FEN_MPR_HIT_NONE);
  g_assert_cmpint (fen_mpr_planes_hit (&planes, FEN_MPR_PLANE_AXIAL, cx + 60, cy + 60, 8, &other), ==, FEN_MPR_HIT_NONE);
}

static void
test_move_center (void)
{
  g_autoptr(FenVolume) volume = make_volume (&stack_axial);
  FenMprPlanes planes;
  double z = 0, target[3], sx, sy;

  make_planes (&planes, volume, 400, 300);
  /* Off the box's middle along every normal first, so that a plane put
   * back through the middle shows. */
  fen_mpr_planes_scroll (&planes, FEN_MPR_PLANE_AXIAL, volume, 3);
  fen_mpr_planes_scroll (&planes, FEN_MPR_PLANE_CORONAL, volume, 2);
  z = fen_mpr_planes_get_depth (&planes, FEN_MPR_PLANE_AXIAL);
  g_assert_cmpfloat (fabs (z - planes.volume_center[2]), >, 1);
  /* Put the centre on the axial point x = -5, y = 15: the coronal plane
   * moves to y = 15, the sagittal to x = -5 (its normal is -x), the
   * axial plane stays. */
  target[0] = -5;
  target[1] = 15;
  target[2] = z;
  fen_mpr_planes_to_screen (&planes, FEN_MPR_PLANE_AXIAL, target, &sx, &sy, NULL);
  fen_mpr_planes_move_center (&planes, FEN_MPR_PLANE_AXIAL, sx, sy);
  assert_vec (planes.center, -5, 15, z);
  /* Then in the coronal pane: y stays 15. */
  target[2] = z - 6;
  fen_mpr_planes_to_screen (&planes, FEN_MPR_PLANE_CORONAL, target, &sx, &sy, NULL);
  fen_mpr_planes_move_center (&planes, FEN_MPR_PLANE_CORONAL, sx, sy);
  assert_vec (planes.center, -5, 15, z - 6);
  target[2] = z;
  fen_mpr_planes_to_screen (&planes, FEN_MPR_PLANE_CORONAL, target, &sx, &sy, NULL);
  fen_mpr_planes_move_center (&planes, FEN_MPR_PLANE_CORONAL, sx, sy);
  g_assert_cmpfloat_with_epsilon (fen_mpr_planes_get_depth (&planes, FEN_MPR_PLANE_AXIAL), z, 1e-9);
  g_assert_cmpfloat_with_epsilon (fen_mpr_planes_get_depth (&planes, FEN_MPR_PLANE_CORONAL), 15, 1e-9);
  g_assert_cmpfloat_with_epsilon (fen_mpr_planes_get_depth (&planes, FEN_MPR_PLANE_SAGITTAL), 5, 1e-9);
  /* The crosshair follows on the other panes: in the coronal pane the
   * sagittal line is the vertical through x = -5. */
  {
    double line[4], px, py;

    g_assert_true (fen_mpr_planes_get_line (&planes, FEN_MPR_PLANE_CORONAL, FEN_MPR_PLANE_SAGITTAL, line));
    fen_mpr_planes_to_screen (&planes, FEN_MPR_PLANE_CORONAL, target, &px, &py, NULL);
    g_assert_cmpfloat_with_epsilon (line[0], px, 1e-9);
    g_assert_cmpfloat_with_epsilon (line[2], px, 1e-9);
  }
}

static void
test_rotate (void)
{
  g_autoptr(FenVolume) volume = make_volume (&stack_axial);
  FenMprPlanes planes, start;
  double line[4], angle = G_PI / 6;
  const double *n;

  make_planes (&planes, volume, 400, 300);
  start = planes;
  fen_mpr_planes_rotate (&planes, FEN_MPR_PLANE_AXIAL, angle);
  /* The axial plane stays; the coronal normal (+y) turns about +z by 30
   * degrees: towards -x (clockwise on the axial screen, whose x is +x and
   * y is +y, takes +x towards +y and +y towards -x). */
  assert_vec (planes.frames[FEN_MPR_PLANE_AXIAL].normal, 0, 0, 1);
  n = planes.frames[FEN_MPR_PLANE_CORONAL].normal;
  assert_vec (n, -sin (angle), cos (angle), 0);
  n = planes.frames[FEN_MPR_PLANE_SAGITTAL].normal;
  assert_vec (n, -cos (angle), -sin (angle), 0);
  for (guint p = 0; p < 3; p++)
    {
      const FenMprFrame *f = &planes.frames[p];

      g_assert_cmpfloat_with_epsilon (fen_vec3_dot (f->right, f->down), 0, 1e-12);
      g_assert_cmpfloat_with_epsilon (fen_vec3_dot (f->right, f->right), 1, 1e-12);
      g_assert_cmpfloat_with_epsilon (fen_vec3_dot (f->down, f->down), 1, 1e-12);
    }
  g_assert_cmpfloat_with_epsilon (fen_vec3_dot (planes.frames[FEN_MPR_PLANE_CORONAL].normal,
                                                planes.frames[FEN_MPR_PLANE_SAGITTAL].normal), 0, 1e-12);
  /* In the axial pane the coronal line turned 30 degrees clockwise. */
  g_assert_true (fen_mpr_planes_get_line (&planes, FEN_MPR_PLANE_AXIAL, FEN_MPR_PLANE_CORONAL, line));
  g_assert_cmpfloat_with_epsilon (fabs (atan ((line[3] - line[1]) / (line[2] - line[0]))), angle, 1e-9);
  /* The angle of a point seen from the centre, as a drag measures it. */
  {
    double cx, cy;

    fen_mpr_planes_to_screen (&planes, FEN_MPR_PLANE_AXIAL, planes.center, &cx, &cy, NULL);
    g_assert_cmpfloat_with_epsilon (fen_mpr_planes_angle (&planes, FEN_MPR_PLANE_AXIAL, cx + 10, cy + 10), G_PI / 4, 1e-12);
  }
  /* Oblique letters: the coronal pane's right now points left and
   * posterior-ish (cos 30 x +x, sin 30 x +y): "LP". */
  {
    char out[4][4];

    fen_mpr_planes_edge_letters (&planes, FEN_MPR_PLANE_CORONAL, out);
    g_assert_cmpstr (out[1], ==, "LP");
  }
  /* And back. */
  fen_mpr_planes_rotate (&planes, FEN_MPR_PLANE_AXIAL, -angle);
  for (guint p = 0; p < 3; p++)
    for (int k = 0; k < 3; k++)
      {
        g_assert_cmpfloat_with_epsilon (planes.frames[p].right[k], start.frames[p].right[k], 1e-12);
        g_assert_cmpfloat_with_epsilon (planes.frames[p].down[k], start.frames[p].down[k], 1e-12);
      }
}

static void
test_scroll (void)
{
  g_autoptr(FenVolume) volume = make_volume (&stack_axial);
  FenMprPlanes planes;
  double z, y, x;

  make_planes (&planes, volume, 400, 300);
  z = fen_mpr_planes_get_depth (&planes, FEN_MPR_PLANE_AXIAL);
  y = fen_mpr_planes_get_depth (&planes, FEN_MPR_PLANE_CORONAL);
  x = fen_mpr_planes_get_depth (&planes, FEN_MPR_PLANE_SAGITTAL);
  /* The native steps: slice spacing across the slices, the row spacing
   * along y, the column spacing along x. */
  g_assert_cmpfloat_with_epsilon (fen_mpr_planes_step (&planes, FEN_MPR_PLANE_AXIAL, volume), 1.5, 1e-9);
  g_assert_cmpfloat_with_epsilon (fen_mpr_planes_step (&planes, FEN_MPR_PLANE_CORONAL, volume), 0.8, 1e-9);
  g_assert_cmpfloat_with_epsilon (fen_mpr_planes_step (&planes, FEN_MPR_PLANE_SAGITTAL, volume), 0.6, 1e-9);
  fen_mpr_planes_scroll (&planes, FEN_MPR_PLANE_AXIAL, volume, 3);
  g_assert_cmpfloat_with_epsilon (fen_mpr_planes_get_depth (&planes, FEN_MPR_PLANE_AXIAL), z + 4.5, 1e-9);
  fen_mpr_planes_scroll (&planes, FEN_MPR_PLANE_CORONAL, volume, -2);
  g_assert_cmpfloat_with_epsilon (fen_mpr_planes_get_depth (&planes, FEN_MPR_PLANE_CORONAL), y - 1.6, 1e-9);
  /* Only the scrolled plane moved. */
  g_assert_cmpfloat_with_epsilon (fen_mpr_planes_get_depth (&planes, FEN_MPR_PLANE_SAGITTAL), x, 1e-9);
  g_assert_cmpfloat_with_epsilon (fen_mpr_planes_get_depth (&planes, FEN_MPR_PLANE_AXIAL), z + 4.5, 1e-9);
  /* Never beyond the end slices' centres. */
  fen_mpr_planes_scroll (&planes, FEN_MPR_PLANE_AXIAL, volume, 1000);
  g_assert_cmpfloat_with_epsilon (fen_mpr_planes_get_depth (&planes, FEN_MPR_PLANE_AXIAL), -30.0 + 20 * 1.5, 1e-9);
  fen_mpr_planes_scroll (&planes, FEN_MPR_PLANE_AXIAL, volume, -1000);
  g_assert_cmpfloat_with_epsilon (fen_mpr_planes_get_depth (&planes, FEN_MPR_PLANE_AXIAL), -30.0, 1e-9);
}

static void
test_oblique_acquisition (void)
{
  Stack oblique = stack_axial;
  double c = cos (G_PI / 9), s = sin (G_PI / 9);
  g_autoptr(FenVolume) volume = NULL;
  FenMprPlanes planes;

  /* Tilted 20 degrees about x: rows along x, columns down and up. */
  oblique.orientation[3] = 0;
  oblique.orientation[4] = c;
  oblique.orientation[5] = s;
  volume = make_volume (&oblique);
  make_planes (&planes, volume, 400, 300);
  g_assert_cmpuint (fen_mpr_planes_get_n_planes (&planes), ==, 4);
  assert_vec (planes.frames[FEN_MPR_PLANE_ACQUISITION].right, 1, 0, 0);
  assert_vec (planes.frames[FEN_MPR_PLANE_ACQUISITION].down, 0, c, s);
  /* The patient planes stay radiological. */
  assert_letters (&planes, FEN_MPR_PLANE_AXIAL, "R", "L", "A", "P");

  /* Within 1 degree it is not oblique. */
  oblique.orientation[4] = cos (0.5 * G_PI / 180);
  oblique.orientation[5] = sin (0.5 * G_PI / 180);
  g_clear_pointer (&volume, fen_volume_unref);
  volume = make_volume (&oblique);
  make_planes (&planes, volume, 400, 300);
  g_assert_cmpuint (fen_mpr_planes_get_n_planes (&planes), ==, 3);
}

/* A reformat of the plane a pane renders samples where the layout says:
 * a one-voxel bright mark lands on the device pixel to_screen() gives. */
static void
test_render_mark (void)
{
  g_autoptr(GPtrArray) images = make_images (&stack_axial);
  g_autoptr(FenVolume) volume = NULL;
  g_autoptr(FenRenderer) renderer = fen_renderer_new (2, 400);
  g_autofree gint32 *values = g_new (gint32, 400 * 300);
  FenMprPlanes planes;
  FenReformat f = { 0 };
  const guint mx = 25, my = 9, mk = 10;
  double mark[3], sx, sy;
  FenPlaneGeometry g;

  /* Slice mk is the middle one (the centre's): the axial pane shows it. */
  ((guint16 *) fen_image_get_pixels_mutable (images->pdata[mk]))[my * stack_axial.width + mx] = 3000;
  volume = fen_volume_new (NULL, (FenImage **) images->pdata, images->len, NULL);
  g_assert_nonnull (volume);
  make_planes (&planes, volume, 400, 300);
  fen_volume_get_slice_geometry (volume, mk, &g);
  fen_plane_geometry_image_to_patient (&g, mx, my, mark);
  fen_mpr_planes_get_geometry (&planes, FEN_MPR_PLANE_AXIAL, 1, &f.plane);
  f.sampling = FEN_REFORMAT_NEAREST;
  g_assert_true (fen_renderer_reformat_values (renderer, volume, &f, 400, 300, -1, values, 400));
  fen_mpr_planes_to_screen (&planes, FEN_MPR_PLANE_AXIAL, mark, &sx, &sy, NULL);
  g_assert_cmpint (values[(int) sy * 400 + (int) sx], ==, 3000);
  /* One voxel is 0.6 x 0.8 mm: 7.5 x 10 px at 12.5 px/mm; 20 px away it is gone. */
  g_assert_cmpint (values[(int) sy * 400 + (int) sx + 20], ==, 0);
  /* Outside the box: the background. */
  g_assert_cmpint (values[0], ==, -1);
}

/* The visible rectangle of a pane: every output pixel outside it is
 * background, and rendering it alone gives the same values as the whole
 * output gives there (any plane, zoom, pan, slab, sampling, scale). */
typedef struct {
  const char         *path;
  FenMprPlane         plane;
  double              turn;     /* radians about the axial normal first */
  double              zoom;     /* factor about the pane's centre */
  double              pan[2];   /* a drag, logical pixels */
  int                 scale;
  FenReformatSampling sampling;
  FenSlabMode         slab;
} VisibleCase;

static const VisibleCase visible_cases[] = {
  { "/mpr-planes/visible/axial-fitted", FEN_MPR_PLANE_AXIAL, 0, 1, { 0, 0 }, 1, FEN_REFORMAT_AUTO, FEN_SLAB_NONE },
  { "/mpr-planes/visible/coronal-small", FEN_MPR_PLANE_CORONAL, 0, 0.4, { 0, 0 }, 1, FEN_REFORMAT_AUTO, FEN_SLAB_NONE },
  { "/mpr-planes/visible/sagittal-panned", FEN_MPR_PLANE_SAGITTAL, 0, 0.7, { 230, -90 }, 1, FEN_REFORMAT_TRILINEAR, FEN_SLAB_NONE },
  { "/mpr-planes/visible/oblique-trilinear", FEN_MPR_PLANE_CORONAL, 0.5, 0.6, { 0, 0 }, 1, FEN_REFORMAT_TRILINEAR, FEN_SLAB_NONE },
  { "/mpr-planes/visible/oblique-mip", FEN_MPR_PLANE_SAGITTAL, -0.7, 0.5, { -40, 20 }, 1, FEN_REFORMAT_AUTO, FEN_SLAB_MIP },
  { "/mpr-planes/visible/axial-average-scale2", FEN_MPR_PLANE_AXIAL, 0.3, 0.5, { 60, 0 }, 2, FEN_REFORMAT_AUTO, FEN_SLAB_AVERAGE },
  { "/mpr-planes/visible/zoomed-in", FEN_MPR_PLANE_CORONAL, 0, 3, { 0, 0 }, 1, FEN_REFORMAT_AUTO, FEN_SLAB_NONE },
};

static void
test_visible (gconstpointer data)
{
  const VisibleCase *c = data;
  g_autoptr(GPtrArray) images = make_images (&stack_axial);
  g_autoptr(FenVolume) volume = NULL;
  g_autoptr(FenRenderer) renderer = fen_renderer_new (2, 1000);
  const guint w = 400 * c->scale, h = 300 * c->scale;
  g_autofree gint32 *full = g_new (gint32, (gsize) w * h);
  g_autofree gint32 *part = NULL;
  FenMprPlanes planes;
  FenReformat f = { 0 };
  FenPixelRect rect;
  double start[2];
  guint inside = 0;

  /* A pattern with no two neighbours alike, so that an output shifted by
   * a pixel differs. */
  for (guint k = 0; k < images->len; k++)
    {
      guint16 *px = fen_image_get_pixels_mutable (images->pdata[k]);

      for (guint i = 0; i < stack_axial.width * stack_axial.height; i++)
        px[i] = (guint16) (100 + (k * 131 + i * 37 + (i / stack_axial.width) * 11) % 3000);
    }
  volume = fen_volume_new (NULL, (FenImage **) images->pdata, images->len, NULL);
  g_assert_nonnull (volume);
  make_planes (&planes, volume, 400, 300);
  if (c->turn != 0)
    fen_mpr_planes_rotate (&planes, FEN_MPR_PLANE_AXIAL, c->turn);
  fen_mpr_planes_zoom_about (&planes, c->plane, c->zoom, 200, 150);
  memcpy (start, planes.views[c->plane].pan, sizeof start);
  fen_mpr_planes_pan (&planes, c->plane, start, c->pan[0], c->pan[1]);

  f.sampling = c->sampling;
  f.slab = c->slab;
  f.slab_thickness = 4.0;
  fen_mpr_planes_get_geometry (&planes, c->plane, c->scale, &f.plane);
  g_assert_true (fen_renderer_reformat_values (renderer, volume, &f, w, h, -1, full, w));
  g_assert_true (fen_mpr_planes_get_visible (&planes, c->plane, volume, c->scale, w, h, &rect, &f.plane));
  g_assert_cmpuint (rect.x + rect.width, <=, w);
  g_assert_cmpuint (rect.y + rect.height, <=, h);
  for (guint j = 0; j < h; j++)
    for (guint i = 0; i < w; i++)
      {
        gboolean in = i >= rect.x && i < rect.x + rect.width && j >= rect.y && j < rect.y + rect.height;

        if (!in)
          g_assert_cmpint (full[(gsize) j * w + i], ==, -1);
        else if (full[(gsize) j * w + i] != -1)
          inside++;
      }
  /* Tight: the volume fills most of it (a turned box fills at least half
   * of its bounding rectangle). */
  g_assert_cmpuint (inside, >, (guint) rect.width * rect.height / 2);

  part = g_new (gint32, (gsize) rect.width * rect.height);
  g_assert_true (fen_renderer_reformat_values (renderer, volume, &f, rect.width, rect.height, -1, part, rect.width));
  for (guint j = 0; j < rect.height; j++)
    g_assert_cmpmem (part + (gsize) j * rect.width, rect.width * sizeof (gint32),
                     full + (gsize) (rect.y + j) * w + rect.x, rect.width * sizeof (gint32));
}

static void
test_visible_off (void)
{
  g_autoptr(FenVolume) volume = make_volume (&stack_axial);
  FenMprPlanes planes;
  FenPixelRect rect;
  double start[2];

  make_planes (&planes, volume, 400, 300);
  memcpy (start, planes.views[FEN_MPR_PLANE_AXIAL].pan, sizeof start);
  /* Panned right out of the pane. */
  fen_mpr_planes_pan (&planes, FEN_MPR_PLANE_AXIAL, start, 700, 0);
  g_assert_false (fen_mpr_planes_get_visible (&planes, FEN_MPR_PLANE_AXIAL, volume, 1, 400, 300, &rect, NULL));
  g_assert_cmpuint (rect.width, ==, 0);
  g_assert_cmpuint (rect.height, ==, 0);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/mpr-planes/init/radiological", test_init_radiological);
  g_test_add_func ("/mpr-planes/fit-and-screen", test_fit_and_screen);
  g_test_add_func ("/mpr-planes/geometry", test_geometry);
  g_test_add_func ("/mpr-planes/zoom-pan", test_zoom_pan);
  g_test_add_func ("/mpr-planes/one-to-one", test_one_to_one);
  g_test_add_func ("/mpr-planes/lines-and-hits", test_lines_and_hits);
  g_test_add_func ("/mpr-planes/move-center", test_move_center);
  g_test_add_func ("/mpr-planes/rotate", test_rotate);
  g_test_add_func ("/mpr-planes/scroll", test_scroll);
  g_test_add_func ("/mpr-planes/oblique-acquisition", test_oblique_acquisition);
  g_test_add_func ("/mpr-planes/render-mark", test_render_mark);
  for (guint i = 0; i < G_N_ELEMENTS (visible_cases); i++)
    g_test_add_data_func (visible_cases[i].path, &visible_cases[i], test_visible);
  g_test_add_func ("/mpr-planes/visible/off", test_visible_off);
  return g_test_run ();
}
