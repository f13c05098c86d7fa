/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-volume.c: FenVolume and the reformat renderer against a direct
 * per-voxel reference written here from the Image Plane equations (each
 * slice's own position, a linear search for the slices around a point, no
 * table, no blocks): nearest and trilinear, odd sizes, irregular spacing,
 * gantry tilt and drift, oblique planes, slabs against per-voxel max / min /
 * mean, 1 to 3 threads and several chunk sizes; the native grid of the
 * CLI's --raw; mixed stacks refused; pins held; no heap growth per update. */
#define G_LOG_DOMAIN "fen-test"

#include <fenestra/fenestra.h>

#include <malloc.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

typedef struct {
  guint  width, height, n;
  guint  bits;            /* 8 or 16 */
  gboolean is_signed;
  double spacing[2];
  double orientation[6];
  double gap_at;          /* distances grow by 1.25 mm, this much more after slice n / 2 */
  double irregular;       /* + irregular * (k % 3) mm */
  double drift[2];        /* in-plane mm per slice along row / column direction (tilt, drift) */
  double slope, intercept;
} Stack;

static const Stack stack_axial = {
  .width = 37, .height = 29, .n = 23, .bits = 16, .is_signed = TRUE,
  .spacing = { 0.7, 0.9 }, .orientation = { 1, 0, 0, 0, 1, 0 },
  .slope = 1, .intercept = -1024,
};

static gint32
pattern (guint x, guint y, guint k, const Stack *s)
{
  guint32 h = (x * 73856093u) ^ (y * 19349663u) ^ (k * 83492791u);

  h ^= h >> 13;
  h *= 0x5bd1e995u;
  h ^= h >> 15;
  if (s->bits == 8)
    return s->is_signed ? (gint32) (h & 0xff) - 128 : (gint32) (h & 0xff);
  return s->is_signed ? (gint32) (h & 0xffff) - 32768 : (gint32) (h & 0xfff);
}

static double
stack_distance (const Stack *s, guint k)
{
  return -20 + 1.25 * k + (k > s->n / 2 ? s->gap_at : 0) + s->irregular * (k % 3);
}

/* The images of @s, slice k at distance stack_distance (k), added in a
 * shuffled order so the volume has to sort them. */
static GPtrArray *
make_stack (const Stack *s, FenStore *store)
{
  GPtrArray *images = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_image_unref);
  FenPlaneGeometry g;
  const double origin[3] = { -12.3, 7.7, 0 }, one[2] = { 1, 1 };

  g_assert_true (fen_plane_geometry_init (&g, origin, s->orientation, one, NULL));
  for (guint i = 0; i < s->n; i++)
    {
      guint k = (i * 7) % s->n;  /* n is prime to 7 in every case */
      FenImageInfo info;
      FenImage *image;
      g_autoptr(GError) error = NULL;

      fen_image_info_init (&info);
      info.rows = s->height;
      info.columns = s->width;
      info.frames = 1;
      info.samples_per_pixel = 1;
      info.bits_allocated = s->bits;
      info.bits_stored = s->bits == 8 ? 8 : s->is_signed ? 16 : 12;
      info.high_bit = info.bits_stored - 1;
      info.pixel_representation = s->is_signed;
      info.photometric = FEN_PHOTOMETRIC_MONOCHROME2;
      info.rescale_slope = s->slope;
      info.rescale_intercept = s->intercept;
      info.pixel_spacing[0] = s->spacing[0];
      info.pixel_spacing[1] = s->spacing[1];
      info.has_orientation = info.has_position = TRUE;
      memcpy (info.image_orientation, s->orientation, sizeof info.image_orientation);
      for (int a = 0; a < 3; a++)
        info.image_position[a] = origin[a] + g.normal[a] * stack_distance (s, k) +
                                 g.row_dir[a] * s->drift[0] * k + g.col_dir[a] * s->drift[1] * k;
      image = fen_image_new (&info, 0, &error);
      g_assert_no_error (error);
      fen_image_info_clear (&info);
      for (guint y = 0; y < s->height; y++)
        for (guint x = 0; x < s->width; x++)
          {
            gint32 v = pattern (x, y, k, s);

            if (s->bits == 8)
              ((guint8 *) fen_image_get_pixels_mutable (image))[y * s->width + x] = (guint8) v;
            else
              ((guint16 *) fen_image_get_pixels_mutable (image))[y * s->width + x] = (guint16) v;
          }
      if (store != NULL)
        fen_store_add (store, image);
      g_ptr_array_add (images, image);
    }
  return images;
}

/* ---- The reference: every slice's own geometry, linear searches. ---- */

typedef struct {
  guint            n, width, height;
  FenImage        *images[64];
  FenPlaneGeometry g[64];
  double           d[64];
  double           edge, median;
} Ref;

static int
compare_double (const void *a, const void *b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static void
ref_init (Ref *r, GPtrArray *images)
{
  double steps[64];

  memset (r, 0, sizeof *r);
  r->n = images->len;
  g_assert_cmpuint (r->n, <=, 64);
  for (guint i = 0; i < r->n; i++)
    {
      FenImage *image = images->pdata[i];
      guint at = 0;
      FenPlaneGeometry g;

      g_assert_true (fen_plane_geometry_from_info (&g, fen_image_get_info (image), 0, NULL));
      /* Insertion by distance along the first slice's normal. */
      while (at < i && r->d[at] < fen_vec3_dot (g.normal, g.position))
        at++;
      memmove (&r->images[at + 1], &r->images[at], (i - at) * sizeof r->images[0]);
      memmove (&r->g[at + 1], &r->g[at], (i - at) * sizeof r->g[0]);
      memmove (&r->d[at + 1], &r->d[at], (i - at) * sizeof r->d[0]);
      r->images[at] = image;
      r->g[at] = g;
      r->d[at] = fen_vec3_dot (g.normal, g.position);
    }
  r->width = fen_image_get_width (r->images[0]);
  r->height = fen_image_get_height (r->images[0]);
  for (guint k = 0; k + 1 < r->n; k++)
    steps[k] = r->d[k + 1] - r->d[k];
  qsort (steps, r->n - 1, sizeof (double), compare_double);
  r->median = steps[(r->n - 2) / 2];
  r->edge = r->median / 2;
}

static gint32
ref_value (const Ref *r, guint k, gint x, gint y)
{
  return fen_image_get_stored_value (r->images[k], 0, (guint) x, (guint) y);
}

static gboolean
ref_in_slice (const Ref *r, guint k, const double X[3], FenReformatSampling s, double *out)
{
  double col, row, fx, fy, v[2][2];
  gint x0, y0;

  fen_plane_geometry_patient_to_image (&r->g[k], X, &col, &row, NULL);
  if (!(col >= -0.5 && row >= -0.5 && col < r->width - 0.5 && row < r->height - 0.5))
    return FALSE;
  if (s == FEN_REFORMAT_NEAREST)
    {
      *out = ref_value (r, k, (gint) floor (col + 0.5), (gint) floor (row + 0.5));
      return TRUE;
    }
  x0 = (gint) floor (col);
  y0 = (gint) floor (row);
  fx = col - x0;
  fy = row - y0;
  for (int b = 0; b < 2; b++)
    for (int a = 0; a < 2; a++)
      v[b][a] = ref_value (r, k, CLAMP (x0 + a, 0, (gint) r->width - 1),
                           CLAMP (y0 + b, 0, (gint) r->height - 1));
  *out = (1 - fy) * ((1 - fx) * v[0][0] + fx * v[0][1]) + fy * ((1 - fx) * v[1][0] + fx * v[1][1]);
  return TRUE;
}

static gboolean
ref_point (const Ref *r, const double X[3], FenReformatSampling s, double *out)
{
  double w = fen_vec3_dot (r->g[0].normal, X), a, b, t;
  guint k = 0;

  if (w < r->d[0] - r->edge || w > r->d[r->n - 1] + r->edge)
    return FALSE;
  if (w <= r->d[0])
    return ref_in_slice (r, 0, X, s, out);
  if (w >= r->d[r->n - 1])
    return ref_in_slice (r, r->n - 1, X, s, out);
  while (r->d[k + 1] <= w)
    k++;
  if (s == FEN_REFORMAT_NEAREST)
    return ref_in_slice (r, w - r->d[k] <= r->d[k + 1] - w ? k : k + 1, X, s, out);
  t = (w - r->d[k]) / (r->d[k + 1] - r->d[k]);
  if (!ref_in_slice (r, k, X, s, &a))
    return t == 1 && ref_in_slice (r, k + 1, X, s, out);
  if (t == 0)
    return *out = a, TRUE;
  if (!ref_in_slice (r, k + 1, X, s, &b))
    return FALSE;
  *out = a + (b - a) * t;
  return TRUE;
}

/* One output pixel: the slab's members combined, or the plane's sample. */
static gboolean
ref_pixel (const Ref *r, const FenReformat *f, guint i, guint j, double *out)
{
  const FenPlaneGeometry *p = &f->plane;
  double X[3], acc = 0, v;
  guint count = 0;

  if (f->row_origins != NULL)
    for (int a = 0; a < 3; a++)
      X[a] = f->row_origins[3 * j + a] + p->row_dir[a] * p->spacing[1] * i;
  else
    fen_plane_geometry_image_to_patient (p, i, j, X);

  if (f->slab != FEN_SLAB_NONE)
    {
      double half = f->slab_thickness / 2 + 1e-6;
      double n[3] = { p->normal[0], p->normal[1], p->normal[2] };

      fen_vec3_normalize (n);
      if (fabs (fen_vec3_dot (n, r->g[0].normal)) > 1 - 1e-9)
        {
          double w = fen_vec3_dot (r->g[0].normal, X);

          guint members = 0;

          for (guint k = 0; k < r->n; k++)
            if (fabs (r->d[k] - w) <= half && (members++, ref_in_slice (r, k, X, f->sampling, &v)))
              {
                acc = count == 0 ? v : f->slab == FEN_SLAB_MIP ? MAX (acc, v)
                      : f->slab == FEN_SLAB_MINIP ? MIN (acc, v) : acc + v;
                count++;
              }
          /* Slices in the slab but none covering the point: outside. */
          if (members > 0 && count == 0)
            return FALSE;
        }
      else
        {
          double a = fen_vec3_dot (n, r->g[0].row_dir) / r->g[0].spacing[1];
          double b = fen_vec3_dot (n, r->g[0].col_dir) / r->g[0].spacing[0];
          double c = fen_vec3_dot (n, r->g[0].normal) / r->median;
          double step = 1 / sqrt (a * a + b * b + c * c);
          gint m_max = (gint) floor (half / step);

          for (gint m = -m_max; m <= m_max; m++)
            {
              double Y[3] = { X[0] + n[0] * step * m, X[1] + n[1] * step * m, X[2] + n[2] * step * m };

              if (ref_point (r, Y, f->sampling, &v))
                {
                  acc = count == 0 ? v : f->slab == FEN_SLAB_MIP ? MAX (acc, v)
                        : f->slab == FEN_SLAB_MINIP ? MIN (acc, v) : acc + v;
                  count++;
                }
            }
          if (count == 0)
            return FALSE;
        }
      if (count > 0)
        {
          *out = f->slab == FEN_SLAB_AVERAGE ? acc / count : acc;
          return TRUE;
        }
    }
  return ref_point (r, X, f->sampling, out);
}

/* Exact for nearest, MIP and MinIP; interpolated and averaged values may
 * round the other way only when they sit on a half. Trilinear rows that
 * lie level in the stack, and the runs between two slices of rows that
 * cross them, are interpolated in fixed point (fen-reformat-level.c,
 * fen-reformat-cross.c): 32.32 coordinates restarted every 1024 columns
 * and 20-bit weights put the value within 2 R x 1.26 x 2^-21 (position)
 * + R x 2^-21 (slice weight) + 2 x 2^-20 (shifts) < 0.11 stored units of
 * the exact one for R = 65535, the widest step between two 16-bit values;
 * so a trilinear value is the nearest integer to the reference, or its
 * neighbour when the reference lies within 0.11 of a half: |got - v| is
 * at most 0.5 + 0.11, never more than 1 from round (v). */
#define FIXED_POINT_ERROR 0.11

static void
check_values (const Ref *r, const FenReformat *f, const gint32 *out, guint w, guint h, gint32 bg)
{
  guint checked = 0;
  double slack = f->sampling == FEN_REFORMAT_TRILINEAR ? FIXED_POINT_ERROR : 1e-6;

  for (guint j = 0; j < h; j++)
    for (guint i = 0; i < w; i++)
      {
        double v;
        gint32 got = out[(gsize) j * w + i];

        if (!ref_pixel (r, f, i, j, &v))
          {
            if (got != bg)
              g_error ("pixel (%u, %u): %d, expected background", i, j, got);
            continue;
          }
        checked++;
        if (got != (gint32) floor (v + 0.5) &&
            !(fabs (v - floor (v) - 0.5) < slack && fabs (got - v) <= 0.5 + slack))
          g_error ("pixel (%u, %u): %d, expected %.6f", i, j, got, v);
      }
  /* A test whose plane misses the volume would prove nothing. */
  g_assert_cmpuint (checked, >, w * h / 8);
}

typedef struct {
  const char         *name;
  Stack               stack;
  FenReformatSampling sampling;
  FenSlabMode         slab;
  double              thickness;
  /* The plane: origin, row and column directions (normalised here), spacing. */
  double              origin[3];
  double              row[3], col[3];
  double              spacing[2];
  guint               out_w, out_h;
} ReformatCase;

static void
make_plane (const ReformatCase *c, FenReformat *f)
{
  double o[6] = { c->row[0], c->row[1], c->row[2], c->col[0], c->col[1], c->col[2] };

  memset (f, 0, sizeof *f);
  /* Gram-Schmidt: the column direction made orthogonal to the row's. */
  fen_vec3_normalize (o);
  for (int a = 0; a < 3; a++)
    o[3 + a] -= fen_vec3_dot (o, c->col) / fen_vec3_dot (o, o) * o[a];
  fen_vec3_normalize (o + 3);
  g_assert_true (fen_plane_geometry_init (&f->plane, c->origin, o, c->spacing, NULL));
  f->sampling = c->sampling;
  f->slab = c->slab;
  f->slab_thickness = c->thickness;
}

static void
test_reformat_case (gconstpointer data)
{
  const ReformatCase *c = data;
  g_autoptr(GPtrArray) images = make_stack (&c->stack, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(FenVolume) volume = fen_volume_new (NULL, (FenImage **) images->pdata, images->len, &error);
  static const gsize chunks[] = { 1, 7, 1000, 1 << 20 };
  g_autofree gint32 *first = NULL;
  gsize bytes = (gsize) c->out_w * c->out_h * sizeof (gint32);
  FenReformat f;
  Ref r;

  g_assert_no_error (error);
  ref_init (&r, images);
  make_plane (c, &f);
  for (guint t = 1; t <= 3; t++)
    for (gsize ci = 0; ci < G_N_ELEMENTS (chunks); ci++)
      {
        g_autoptr(FenRenderer) renderer = fen_renderer_new (t, c->out_w);
        g_autofree gint32 *out = g_malloc (bytes);

        fen_renderer_set_chunk_pixels (renderer, chunks[ci]);
        memset (out, 0x5a, bytes);
        g_assert_true (fen_renderer_reformat_values (renderer, volume, &f, c->out_w, c->out_h,
                                                     G_MININT32, out, c->out_w));
        if (first == NULL)
          {
            /* Stored values: with a negative slope the brightest is the least. */
            FenReformat fr = f;

            if (c->stack.slope < 0 && f.slab == FEN_SLAB_MIP)
              fr.slab = FEN_SLAB_MINIP;
            check_values (&r, &fr, out, c->out_w, c->out_h, G_MININT32);
            first = g_steal_pointer (&out);
          }
        else
          g_assert_cmpmem (out, bytes, first, bytes);
      }
}

/* The 8-bit output is the window table of the values output, in every
 * format, with and without a slab; and the kept values mapped again
 * (fen_renderer_map_values(), a window change) give the same bytes. */
static void
test_reformat_through_lut (void)
{
  g_autoptr(GPtrArray) images = make_stack (&stack_axial, NULL);
  g_autoptr(FenVolume) volume = fen_volume_new (NULL, (FenImage **) images->pdata, images->len, NULL);
  g_autoptr(FenRenderer) renderer = fen_renderer_new (2, 64);
  g_autoptr(FenLut) lut = fen_lut_new ();
  /* Stored 0 (-1024 HU) is grey, not black, in this window: outside must
   * be black because it is outside, not because of the table. */
  FenWindowParams w = { .center = -200, .width = 2000, .function = FEN_VOI_LINEAR };
  const ReformatCase c = { .origin = { -15, 0.3, -9 }, .row = { 1, 0.2, 0.1 }, .col = { 0, 0.3, -1 },
                           .spacing = { 0.61, 0.53 }, .sampling = FEN_REFORMAT_TRILINEAR };
  static const FenPixelFormat formats[] = { FEN_PIXEL_GRAY8, FEN_PIXEL_RGB8, FEN_PIXEL_RGBA8, FEN_PIXEL_BGRA8 };
  guint ow = 61, oh = 47;
  g_autofree gint32 *values = g_new (gint32, ow * oh);
  FenReformat f;

  g_assert_nonnull (volume);
  make_plane (&c, &f);
  fen_lut_build (lut, images->pdata[0], 0, &w);
  g_assert_cmpuint (fen_lut_lookup (lut, 0), >, 0);
  for (int slab = 0; slab < 2; slab++)
    {
      guint outside = 0;

      f.slab = slab ? FEN_SLAB_MIP : FEN_SLAB_NONE;
      f.slab_thickness = slab ? 4.0 : 0.0;
      g_assert_true (fen_renderer_reformat_values (renderer, volume, &f, ow, oh, G_MININT32, values, ow));
      for (guint i = 0; i < ow * oh; i++)
        outside += values[i] == G_MININT32;
      /* The plane leaves the volume: both kinds of pixel are checked. */
      g_assert_cmpuint (outside, >, 0);
      g_assert_cmpuint (outside, <, ow * oh);
      for (gsize fi = 0; fi < G_N_ELEMENTS (formats); fi++)
        {
          guint bpp = fen_pixel_format_bytes (formats[fi]);
          gsize stride = ow * bpp + 3;
          g_autofree guint8 *out = g_malloc (stride * oh);
          g_autofree guint8 *mapped = g_malloc0 (stride * oh);

          g_assert_true (fen_renderer_reformat (renderer, volume, lut, &f, ow, oh, formats[fi], out, stride));
          g_assert_true (fen_renderer_map_values (renderer, lut, values, ow, G_MININT32, ow, oh, formats[fi],
                                                  mapped, stride));
          for (guint j = 0; j < oh; j++)
            g_assert_cmpmem (out + j * stride, ow * bpp, mapped + j * stride, ow * bpp);
          for (guint j = 0; j < oh; j++)
            for (guint i = 0; i < ow; i++)
              {
                gint32 v = values[j * ow + i];
                guint8 g = v == G_MININT32 ? 0 : fen_lut_lookup (lut, v);
                const guint8 *px = out + j * stride + i * bpp;

                for (guint b = 0; b < MIN (bpp, 3u); b++)
                  g_assert_cmpuint (px[b], ==, g);
                if (bpp == 4)
                  g_assert_cmpuint (px[3], ==, 255);
              }
        }
    }
}

/* The CLI's --raw grid: the plane through source row (column) N is one
 * output row per slice, top = highest position, each read at its own row
 * (column) N whatever its drift: exactly the stored values. */
static void
test_native_grid (gconstpointer data)
{
  const Stack *s = data;
  g_autoptr(GPtrArray) images = make_stack (s, NULL);
  g_autoptr(FenVolume) volume = fen_volume_new (NULL, (FenImage **) images->pdata, images->len, NULL);
  g_autoptr(FenRenderer) renderer = fen_renderer_new (2, 8);
  Ref r;

  g_assert_nonnull (volume);
  ref_init (&r, images);
  for (FenVolumeAxis axis = FEN_VOLUME_AXIS_SLICE; axis <= FEN_VOLUME_AXIS_COLUMN; axis++)
    {
      guint limit = axis == FEN_VOLUME_AXIS_SLICE ? s->n : axis == FEN_VOLUME_AXIS_ROW ? s->height : s->width;

      for (guint index = 0; index < limit; index += 5)
        {
          g_autofree double *origins = NULL;
          g_autofree gint32 *out = NULL;
          FenReformat f;
          guint w, h;

          g_assert_true (fen_reformat_init_native (&f, volume, axis, index, &w, &h, &origins));
          out = g_new (gint32, (gsize) w * h);
          g_assert_true (fen_renderer_reformat_values (renderer, volume, &f, w, h, G_MININT32, out, w));
          for (guint j = 0; j < h; j++)
            for (guint i = 0; i < w; i++)
              {
                gint32 want = axis == FEN_VOLUME_AXIS_SLICE ? ref_value (&r, index, i, j)
                              : axis == FEN_VOLUME_AXIS_ROW ? ref_value (&r, s->n - 1 - j, i, index)
                              : ref_value (&r, s->n - 1 - j, index, i);
                g_assert_cmpint (out[j * w + i], ==, want);
              }
        }
      {
        g_autofree double *origins = NULL;
        FenReformat f;
        guint w, h;

        g_assert_false (fen_reformat_init_native (&f, volume, axis, limit, &w, &h, &origins));
        g_assert_null (origins);
      }
    }
}


/* Which grids are native, and AUTO picks nearest on them, trilinear off them. */
static void
test_native_auto (void)
{
  g_autoptr(GPtrArray) images = make_stack (&stack_axial, NULL);
  g_autoptr(FenVolume) volume = fen_volume_new (NULL, (FenImage **) images->pdata, images->len, NULL);
  g_autoptr(FenRenderer) renderer = fen_renderer_new (2, 64);
  const guint w = 37, h = 29;
  g_autofree gint32 *a = g_new (gint32, w * h);
  g_autofree gint32 *b = g_new (gint32, w * h);
  FenPlaneGeometry slice;
  FenReformat f;

  g_assert_nonnull (volume);
  for (FenVolumeAxis axis = FEN_VOLUME_AXIS_SLICE; axis <= FEN_VOLUME_AXIS_COLUMN; axis++)
    {
      g_autofree double *origins = NULL;
      guint ow, oh;

      g_assert_true (fen_reformat_init_native (&f, volume, axis, 3, &ow, &oh, &origins));
      g_assert_true (fen_reformat_is_native (volume, &f, oh));
    }

  /* Slice 5 shifted by whole pixels, rows and columns swapped: native. */
  fen_volume_get_slice_geometry (volume, 5, &slice);
  memset (&f, 0, sizeof f);
  {
    double o[6] = { slice.col_dir[0], slice.col_dir[1], slice.col_dir[2],
                    slice.row_dir[0], slice.row_dir[1], slice.row_dir[2] };
    double sp[2] = { slice.spacing[1], slice.spacing[0] }, pos[3];

    fen_plane_geometry_image_to_patient (&slice, -3, 2, pos);
    g_assert_true (fen_plane_geometry_init (&f.plane, pos, o, sp, NULL));
    g_assert_true (fen_reformat_is_native (volume, &f, h));
    f.sampling = FEN_REFORMAT_NEAREST;
    g_assert_true (fen_renderer_reformat_values (renderer, volume, &f, w, h, G_MININT32, a, w));
    f.sampling = FEN_REFORMAT_AUTO;
    g_assert_true (fen_renderer_reformat_values (renderer, volume, &f, w, h, G_MININT32, b, w));
    g_assert_cmpmem (a, w * h * 4, b, w * h * 4);
    /* Trilinear on voxel centres reads the voxels too. */
    f.sampling = FEN_REFORMAT_TRILINEAR;
    g_assert_true (fen_renderer_reformat_values (renderer, volume, &f, w, h, G_MININT32, b, w));
    g_assert_cmpmem (a, w * h * 4, b, w * h * 4);

    /* A quarter pixel off, zoomed, or between slices: not native; AUTO is trilinear. */
    f.plane.position[0] += slice.row_dir[0] * slice.spacing[1] / 4;
    g_assert_false (fen_reformat_is_native (volume, &f, h));
    f.sampling = FEN_REFORMAT_TRILINEAR;
    g_assert_true (fen_renderer_reformat_values (renderer, volume, &f, w, h, G_MININT32, a, w));
    f.sampling = FEN_REFORMAT_AUTO;
    g_assert_true (fen_renderer_reformat_values (renderer, volume, &f, w, h, G_MININT32, b, w));
    g_assert_cmpmem (a, w * h * 4, b, w * h * 4);
    fen_plane_geometry_image_to_patient (&slice, -3, 2, pos);
    sp[0] /= 2;
    g_assert_true (fen_plane_geometry_init (&f.plane, pos, o, sp, NULL));
    g_assert_false (fen_reformat_is_native (volume, &f, h));
    sp[0] *= 2;
    pos[2] += 0.3;
    g_assert_true (fen_plane_geometry_init (&f.plane, pos, o, sp, NULL));
    g_assert_false (fen_reformat_is_native (volume, &f, h));
  }
}

/* ---- Refusals, gaps, pins, budget, allocation ---- */

typedef void (*StackBreaker) (FenImageInfo *info);

static void break_size (FenImageInfo *i) { i->columns = 36; }
static void break_bits (FenImageInfo *i) { i->bits_stored = 12; i->high_bit = 11; }
static void break_sign (FenImageInfo *i) { i->pixel_representation = 0; }
static void
break_tilt (FenImageInfo *i)
{
  /* Rotated 2.9 degrees in plane: still a valid orientation, not parallel rows. */
  i->image_orientation[0] = i->image_orientation[4] = sqrt (1 - 0.0025);
  i->image_orientation[1] = 0.05;
  i->image_orientation[3] = -0.05;
}
static void break_spacing (FenImageInfo *i) { i->pixel_spacing[0] = 0.75; }
static void break_rescale (FenImageInfo *i) { i->rescale_intercept = -1000; }
static void break_position (FenImageInfo *i) { i->image_position[2] = -20; }
static void break_geometry (FenImageInfo *i) { i->has_orientation = FALSE; }

typedef struct {
  const char  *name;
  StackBreaker breaker;
  gint         code;
  const char  *words;
} RefusalCase;

static void
test_refusal (gconstpointer data)
{
  const RefusalCase *c = data;
  g_autoptr(GPtrArray) images = make_stack (&stack_axial, NULL);
  g_autoptr(FenStore) store = fen_store_new ();
  const FenImageInfo *good = fen_image_get_info (images->pdata[3]);
  g_autoptr(GError) error = NULL;
  g_autoptr(FenImage) odd = NULL;
  FenImageInfo info = *good;
  FenVolume *volume;

  /* A copy of slice 3's metadata, broken one way. */
  info.windows = NULL;
  info.n_windows = 0;
  info.voi_luts = NULL;
  info.n_voi_luts = 0;
  info.image_position[2] += 0.6;
  c->breaker (&info);
  odd = fen_image_new (&info, 0, &error);
  g_assert_no_error (error);
  memset (fen_image_get_pixels_mutable (odd), 0, fen_image_get_pixel_bytes (odd));
  g_ptr_array_add (images, fen_image_ref (odd));
  for (guint i = 0; i < images->len; i++)
    fen_store_add (store, images->pdata[i]);

  volume = fen_volume_new (store, (FenImage **) images->pdata, images->len, &error);
  g_assert_null (volume);
  g_assert_error (error, FEN_VOLUME_ERROR, c->code);
  g_test_message ("%s", error->message);
  g_assert_nonnull (strstr (error->message, c->words));
  /* Refused: nothing stays pinned, so the budget may evict as before. */
  g_assert_cmpuint (fen_store_evict (store, fen_image_get_id (images->pdata[0])), >, 0);
}

static void
test_colour_refused (void)
{
  g_autoptr(FenImage) rgb = NULL;
  g_autoptr(GError) error = NULL;
  FenImageInfo info;
  FenImage *list[1];

  fen_image_info_init (&info);
  info.rows = info.columns = 4;
  info.frames = 1;
  info.samples_per_pixel = 3;
  info.bits_allocated = info.bits_stored = 8;
  info.high_bit = 7;
  info.photometric = FEN_PHOTOMETRIC_RGB;
  info.rescale_slope = 1;
  info.has_position = info.has_orientation = TRUE;
  memcpy (info.image_orientation, stack_axial.orientation, sizeof info.image_orientation);
  info.pixel_spacing[0] = info.pixel_spacing[1] = 1;
  rgb = fen_image_new (&info, 0, &error);
  g_assert_no_error (error);
  list[0] = rgb;
  g_assert_null (fen_volume_new (NULL, list, 1, &error));
  g_assert_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_MIXED);
  g_assert_nonnull (strstr (error->message, "colour"));
  g_clear_error (&error);
  g_assert_null (fen_volume_new (NULL, list, 0, &error));
  g_assert_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_EMPTY);
  fen_image_info_clear (&info);
}

static void
test_gaps_and_pins (void)
{
  Stack s = stack_axial;
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(GError) error = NULL;
  const FenVolumeGap *gaps;
  FenVolume *volume;
  guint n_gaps;
  guint id;

  s.gap_at = 3.0;  /* one missing-slice gap of 4.25 mm in 1.25 mm spacing */
  images = make_stack (&s, store);
  volume = fen_volume_new (store, (FenImage **) images->pdata, images->len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fen_volume_get_n_slices (volume), ==, s.n);
  g_assert_cmpfloat_with_epsilon (fen_volume_get_slice_spacing (volume), 1.25, 1e-9);
  gaps = fen_volume_get_gaps (volume, &n_gaps);
  g_assert_cmpuint (n_gaps, ==, 1);
  g_assert_cmpuint (gaps[0].index, ==, s.n / 2);
  g_assert_cmpfloat_with_epsilon (gaps[0].spacing, 4.25, 1e-9);
  for (guint k = 0; k + 1 < s.n; k++)
    g_assert_cmpfloat (fen_volume_get_slice_distance (volume, k), <, fen_volume_get_slice_distance (volume, k + 1));
  g_assert_cmpuint (fen_volume_get_bytes (volume), ==, (gsize) s.n * s.width * s.height * 2);

  /* Pinned while the volume lives: eviction frees nothing. */
  id = fen_image_get_id (images->pdata[0]);
  g_assert_cmpuint (fen_store_evict (store, id), ==, 0);
  g_assert_cmpuint (fen_store_shed (store, 0, NULL), ==, 0);
  fen_volume_unref (volume);
  g_assert_cmpuint (fen_store_evict (store, id), >, 0);

  /* An evicted slice is refused with a clear word, not read. */
  volume = fen_volume_new (store, (FenImage **) images->pdata, images->len, &error);
  g_assert_null (volume);
  g_assert_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_EVICTED);
}

static void
test_budget (void)
{
  g_autoptr(FenMemoryMonitor) monitor = fen_memory_monitor_new (8);
  g_autoptr(GError) error = NULL;

  fen_memory_monitor_set_budget (monitor, 1000 * 1000, 0.8, 0.9);
  g_assert_true (fen_volume_check_budget (monitor, 800 * 1000, &error));
  g_assert_no_error (error);
  g_assert_false (fen_volume_check_budget (monitor, 950 * 1000, &error));
  g_assert_error (error, FEN_VOLUME_ERROR, FEN_VOLUME_ERROR_BUDGET);
  g_assert_nonnull (strstr (error->message, "budget"));
}

static void
test_multiframe (void)
{
  /* One image of 5 frames, each placed by its own Plane Position, listed
   * from the top down: the volume orders them bottom up. */
  g_autoptr(FenImage) image = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(FenVolume) volume = NULL;
  FenImageInfo info;
  guint frame;

  fen_image_info_init (&info);
  info.rows = 3;
  info.columns = 4;
  info.frames = 5;
  info.samples_per_pixel = 1;
  info.bits_allocated = info.bits_stored = 8;
  info.high_bit = 7;
  info.photometric = FEN_PHOTOMETRIC_MONOCHROME2;
  info.rescale_slope = 1;
  info.has_orientation = TRUE;
  memcpy (info.image_orientation, stack_axial.orientation, sizeof info.image_orientation);
  info.pixel_spacing[0] = info.pixel_spacing[1] = 1;
  info.frame_positions = g_new0 (double, 15);
  for (guint f = 0; f < 5; f++)
    info.frame_positions[3 * f + 2] = 10.0 - 2.5 * f;
  image = fen_image_new (&info, 0, &error);
  g_assert_no_error (error);
  fen_image_info_clear (&info);
  volume = fen_volume_new (NULL, &image, 1, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (fen_volume_get_n_slices (volume), ==, 5);
  g_assert_true (fen_volume_get_slice_image (volume, 0, &frame) == image);
  g_assert_cmpuint (frame, ==, 4);
  g_assert_cmpfloat_with_epsilon (fen_volume_get_slice_distance (volume, 4), 10, 1e-12);
  g_assert_cmpint (fen_volume_axis_for_patient (volume, 2), ==, FEN_VOLUME_AXIS_SLICE);
  g_assert_cmpint (fen_volume_axis_for_patient (volume, 1), ==, FEN_VOLUME_AXIS_ROW);
  g_assert_cmpint (fen_volume_axis_for_patient (volume, 0), ==, FEN_VOLUME_AXIS_COLUMN);
}

static void
test_no_allocation (void)
{
  Stack s = stack_axial;
  g_autoptr(GPtrArray) images = NULL;
  g_autoptr(FenVolume) volume = NULL;
  g_autoptr(FenRenderer) renderer = fen_renderer_new (2, 640);
  g_autoptr(FenLut) lut = fen_lut_new ();
  const ReformatCase c = { .origin = { -15, 0.3, -9 }, .row = { 1, 0.2, 0.1 }, .col = { 0, 0.3, -1 },
                           .spacing = { 0.1, 0.1 }, .sampling = FEN_REFORMAT_TRILINEAR,
                           .slab = FEN_SLAB_MIP, .thickness = 4 };
  g_autofree guint8 *out = g_malloc (640 * 480 * 4);
  struct mallinfo2 before, after;
  FenReformat f;

  s.width = 101;
  s.height = 97;
  images = make_stack (&s, NULL);
  volume = fen_volume_new (NULL, (FenImage **) images->pdata, images->len, NULL);
  make_plane (&c, &f);
  for (int i = 0; i < 5; i++)
    {
      FenWindowParams w = { .center = 40 + i, .width = 400 };
      fen_lut_build (lut, images->pdata[0], 0, &w);
      fen_renderer_reformat (renderer, volume, lut, &f, 640, 480, FEN_PIXEL_BGRA8, out, 640 * 4);
    }
  before = mallinfo2 ();
  for (int i = 0; i < 60; i++)
    {
      FenWindowParams w = { .center = 40 + i, .width = 400 + i };

      f.plane.position[2] = -9 + 0.1 * i;
      f.slab = (FenSlabMode) (i % 4);
      f.sampling = (FenReformatSampling) (i % 2);
      fen_lut_build (lut, images->pdata[0], 0, &w);
      g_assert_true (fen_renderer_reformat (renderer, volume, lut, &f, 640, 480, FEN_PIXEL_BGRA8, out, 640 * 4));
    }
  after = mallinfo2 ();
  g_test_message ("heap in use before %zu after %zu", before.uordblks, after.uordblks);
  g_assert_cmpuint (after.uordblks + after.hblkhd, ==, before.uordblks + before.hblkhd);
}

int
main (int argc, char **argv)
{
  static Stack irregular, tilted, u8s, u16s, sagittal_stack;
  static ReformatCase cases[28];
  static const RefusalCase refusals[] = {
    { "size", break_size, FEN_VOLUME_ERROR_MIXED, "37 x 29" },
    { "bits", break_bits, FEN_VOLUME_ERROR_MIXED, "12/16-bit" },
    { "sign", break_sign, FEN_VOLUME_ERROR_MIXED, "unsigned" },
    { "not-parallel", break_tilt, FEN_VOLUME_ERROR_MIXED, "not parallel" },
    { "spacing", break_spacing, FEN_VOLUME_ERROR_MIXED, "Pixel Spacing" },
    { "rescale", break_rescale, FEN_VOLUME_ERROR_MIXED, "rescale" },
    { "same-position", break_position, FEN_VOLUME_ERROR_MIXED, "one position" },
    { "no-orientation", break_geometry, FEN_VOLUME_ERROR_GEOMETRY, "Image Orientation" },
  };
  guint n = 0;

  g_test_init (&argc, &argv, NULL);

  irregular = stack_axial;
  irregular.irregular = 0.4;
  irregular.gap_at = 2.0;
  tilted = stack_axial;
  tilted.drift[0] = 0.13;   /* drift along rows */
  tilted.drift[1] = 0.31;   /* a gantry tilt of about 14 degrees */
  u8s = stack_axial;
  u8s.bits = 8;
  u8s.is_signed = FALSE;
  u8s.slope = 1;
  u8s.intercept = 0;
  u16s = stack_axial;
  u16s.is_signed = FALSE;
  u16s.slope = -1;          /* MIP of a negative slope is the least stored value */
  u16s.intercept = 4095;
  sagittal_stack = stack_axial;
  memcpy (sagittal_stack.orientation, (double[6]) { 0, 1, 0, 0, 0, -1 }, sizeof sagittal_stack.orientation);

#define ADD(...) cases[n++] = (ReformatCase) { __VA_ARGS__ }
  /* Coronal-like (through rows) and sagittal-like (through columns) planes,
   * an axial plane between slices, and oblique ones; origins and spacings
   * chosen off the half-pixel grid. */
  ADD ("nearest/coronal", stack_axial, FEN_REFORMAT_NEAREST, FEN_SLAB_NONE, 0,
       { -13.01, 17.03, 10.1 }, { 1, 0, 0 }, { 0, 0, -1 }, { 0.43, 0.37 }, 79, 71);
  ADD ("nearest/sagittal", stack_axial, FEN_REFORMAT_NEAREST, FEN_SLAB_NONE, 0,
       { 2.03, 6.01, 10.1 }, { 0, 1, 0 }, { 0, 0, -1 }, { 0.51, 0.2913 }, 83, 53);
  ADD ("nearest/axial-between", irregular, FEN_REFORMAT_NEAREST, FEN_SLAB_NONE, 0,
       { -14.01, 6.03, -3.3 }, { 1, 0, 0 }, { 0, 1, 0 }, { 0.33, 0.47 }, 97, 67);
  ADD ("nearest/oblique-irregular", irregular, FEN_REFORMAT_NEAREST, FEN_SLAB_NONE, 0,
       { -15.3, 3.1, -8.7 }, { 1, 0.3, 0.2 }, { 0.1, 0.4, -1 }, { 0.41, 0.39 }, 77, 69);
  ADD ("nearest/oblique-tilted-u8", tilted, FEN_REFORMAT_NEAREST, FEN_SLAB_NONE, 0,
       { -15.3, 15.1, -2.7 }, { 1, -0.2, 0.3 }, { 0.2, 0.2, -1 }, { 0.41, 0.39 }, 73, 71);
  cases[n - 1].stack.bits = 8;
  ADD ("trilinear/coronal-irregular", irregular, FEN_REFORMAT_TRILINEAR, FEN_SLAB_NONE, 0,
       { -13.01, 17.03, 10.1 }, { 1, 0, 0 }, { 0, 0, -1 }, { 0.43, 0.37 }, 79, 71);
  ADD ("trilinear/oblique-tilted", tilted, FEN_REFORMAT_TRILINEAR, FEN_SLAB_NONE, 0,
       { -15.3, 3.1, -8.7 }, { 1, 0.3, 0.2 }, { 0.1, 0.4, -1 }, { 0.41, 0.39 }, 77, 69);
  ADD ("trilinear/sagittal-stack-oblique", sagittal_stack, FEN_REFORMAT_TRILINEAR, FEN_SLAB_NONE, 0,
       { -7.3, 1.1, 2.7 }, { 0.2, 1, 0.1 }, { 0.3, 0.1, -1 }, { 0.33, 0.39 }, 61, 59);
  ADD ("trilinear/u8", u8s, FEN_REFORMAT_TRILINEAR, FEN_SLAB_NONE, 0,
       { -15.3, 3.1, -8.7 }, { 1, 0.3, 0.2 }, { 0.1, 0.4, -1 }, { 0.41, 0.39 }, 31, 29);
  /* Oblique planes whose rows stay level in the stack (rows turned about
   * the normal, columns tilted): the slices are found once per row. */
  ADD ("nearest/oblique-level-rows", tilted, FEN_REFORMAT_NEAREST, FEN_SLAB_NONE, 0,
       { -14.3, 9.1, 6.7 }, { 1, 0.5, 0 }, { 0.2, 0.3, -1 }, { 0.41, 0.39 }, 71, 67);
  ADD ("trilinear/oblique-level-rows", irregular, FEN_REFORMAT_TRILINEAR, FEN_SLAB_NONE, 0,
       { -14.3, 9.1, 6.7 }, { 1, 0.5, 0 }, { 0.2, 0.3, -1 }, { 0.41, 0.39 }, 71, 67);
  /* The same with drift: each slice of a pair read at its own place. */
  ADD ("trilinear/oblique-level-rows-tilted", tilted, FEN_REFORMAT_TRILINEAR, FEN_SLAB_NONE, 0,
       { -14.3, 9.1, 6.7 }, { 1, 0.5, 0 }, { 0.2, 0.3, -1 }, { 0.41, 0.39 }, 71, 67);
  ADD ("slab/mip-axial-irregular", irregular, FEN_REFORMAT_NEAREST, FEN_SLAB_MIP, 5,
       { -14.01, 6.03, -3.3 }, { 1, 0, 0 }, { 0, 1, 0 }, { 0.33, 0.47 }, 97, 67);
  ADD ("slab/minip-axial-tilted", tilted, FEN_REFORMAT_TRILINEAR, FEN_SLAB_MINIP, 4,
       { -14.01, 6.03, -3.3 }, { 1, 0, 0 }, { 0, 1, 0 }, { 0.33, 0.47 }, 97, 67);
  ADD ("slab/avg-axial", stack_axial, FEN_REFORMAT_NEAREST, FEN_SLAB_AVERAGE, 3.1,
       { -14.01, 6.03, -3.3 }, { 1, 0, 0 }, { 0, 1, 0 }, { 0.33, 0.47 }, 97, 67);
  ADD ("slab/mip-coronal", stack_axial, FEN_REFORMAT_NEAREST, FEN_SLAB_MIP, 3,
       { -13.01, 17.03, 10.1 }, { 1, 0, 0 }, { 0, 0, -1 }, { 0.43, 0.37 }, 79, 71);
  /* Separable slabs combine whole member rows (fen_reformat_row_slab()). */
  ADD ("slab/mip-coronal-trilinear", irregular, FEN_REFORMAT_TRILINEAR, FEN_SLAB_MIP, 3,
       { -13.01, 17.03, 10.1 }, { 1, 0, 0 }, { 0, 0, -1 }, { 0.43, 0.37 }, 79, 71);
  ADD ("slab/minip-sagittal-tilted", tilted, FEN_REFORMAT_TRILINEAR, FEN_SLAB_MINIP, 2.6,
       { -3.07, 1.09, 12.13 }, { 0, 1, 0 }, { 0, 0, -1 }, { 0.43, 0.37 }, 67, 73);
  ADD ("slab/mip-oblique-level-rows", irregular, FEN_REFORMAT_TRILINEAR, FEN_SLAB_MIP, 2.2,
       { -14.3, 9.1, 6.7 }, { 1, 0.5, 0 }, { 0.2, 0.3, -1 }, { 0.41, 0.39 }, 71, 67);
  ADD ("slab/minip-oblique", tilted, FEN_REFORMAT_TRILINEAR, FEN_SLAB_MINIP, 2.5,
       { -15.3, 3.1, -8.7 }, { 1, 0.3, 0.2 }, { 0.1, 0.4, -1 }, { 0.41, 0.39 }, 77, 69);
  ADD ("slab/avg-oblique", irregular, FEN_REFORMAT_TRILINEAR, FEN_SLAB_AVERAGE, 2.5,
       { -15.3, 3.1, -8.7 }, { 1, 0.3, 0.2 }, { 0.1, 0.4, -1 }, { 0.41, 0.39 }, 77, 69);
  ADD ("slab/mip-negative-slope", u16s, FEN_REFORMAT_NEAREST, FEN_SLAB_MIP, 4,
       { -14.01, 6.03, -3.3 }, { 1, 0, 0 }, { 0, 1, 0 }, { 0.33, 0.47 }, 97, 67);
  ADD ("slab/thin-falls-back", stack_axial, FEN_REFORMAT_TRILINEAR, FEN_SLAB_MIP, 0.2,
       { -14.01, 6.03, -3.3 }, { 1, 0, 0 }, { 0, 1, 0 }, { 0.33, 0.47 }, 53, 41);
#undef ADD
  for (guint i = 0; i < n; i++)
    {
      g_autofree char *path = g_strdup_printf ("/volume/reformat/%s", cases[i].name);
      g_test_add_data_func (path, &cases[i], test_reformat_case);
    }
  g_test_add_func ("/volume/reformat/through-lut", test_reformat_through_lut);
  g_test_add_data_func ("/volume/native/regular", &stack_axial, test_native_grid);
  g_test_add_data_func ("/volume/native/irregular", &irregular, test_native_grid);
  g_test_add_data_func ("/volume/native/tilted", &tilted, test_native_grid);
  g_test_add_func ("/volume/native/auto-sampling", test_native_auto);
  for (gsize i = 0; i < G_N_ELEMENTS (refusals); i++)
    {
      g_autofree char *path = g_strdup_printf ("/volume/refuse/%s", refusals[i].name);
      g_test_add_data_func (path, &refusals[i], test_refusal);
    }
  g_test_add_func ("/volume/refuse/colour-and-empty", test_colour_refused);
  g_test_add_func ("/volume/gaps-and-pins", test_gaps_and_pins);
  g_test_add_func ("/volume/budget", test_budget);
  g_test_add_func ("/volume/multiframe", test_multiframe);
  g_test_add_func ("/volume/no-allocation", test_no_allocation);
  return g_test_run ();
}
