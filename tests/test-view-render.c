/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-view-render.c: frame N of an enhanced multi-frame image whose frames
 * each carry their own Rescale Slope / Intercept (PS3.3 C.7.6.16.2.9),
 * rendered through the viewer's path (FenView at 1:1, the frame's default
 * window, the frame's table, fen_view_render() into BGRA as the viewport
 * does) is byte for byte what `fenestra-cli render --frame N` writes. Frame
 * 0's table would draw the other frames wrong: the test checks that it
 * would have caught that. The file is written byte by byte here. */
#define G_LOG_DOMAIN "test-view-render"

#include <fenestra/fenestra.h>

#include <string.h>

#include <glib/gstdio.h>

#include "fen-test-dicom-writer.h"

#define ROWS    23
#define COLUMNS 37
#define FRAMES  3

static const double slopes[FRAMES] = { 1, 2, 0.5 };
static const double intercepts[FRAMES] = { -1024, -2048, 10 };

/* Enhanced CT: one shared window (1000 / 4000 HU, wide enough that most
 * pixels fall on the ramp in every frame) and per-frame rescale. */
static char *
fen_test_write_enhanced (const char *dir)
{
  g_autoptr(GByteArray) out = fen_part10_start_for ("1.2.840.10008.1.2.1", "1.2.840.10008.5.1.4.1.1.2.1",
                                                    "2.25.4242.11.1");
  g_autoptr(GByteArray) frames = g_byte_array_new ();
  char text[32];

  fen_put_string (out, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.2.1");
  fen_put_string (out, 0x0008, 0x0018, "UI", "2.25.4242.11.1");
  fen_put_string (out, 0x0008, 0x0060, "CS", "CT");
  fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
  g_snprintf (text, sizeof text, "%d", FRAMES);
  fen_put_string (out, 0x0028, 0x0008, "IS", text);
  fen_put_us (out, 0x0028, 0x0010, ROWS, FALSE);
  fen_put_us (out, 0x0028, 0x0011, COLUMNS, FALSE);
  fen_put_us (out, 0x0028, 0x0100, 16, FALSE);
  fen_put_us (out, 0x0028, 0x0101, 12, FALSE);
  fen_put_us (out, 0x0028, 0x0102, 11, FALSE);
  fen_put_us (out, 0x0028, 0x0103, 0, FALSE);
  fen_put_string (out, 0x0028, 0x1050, "DS", "1000");
  fen_put_string (out, 0x0028, 0x1051, "DS", "4000");
  for (guint f = 0; f < FRAMES; f++)
    {
      g_autoptr(GByteArray) groups = g_byte_array_new ();
      g_autoptr(GByteArray) pvt = g_byte_array_new ();

      g_ascii_formatd (text, sizeof text, "%g", intercepts[f]);
      fen_put_string (pvt, 0x0028, 0x1052, "DS", text);
      g_ascii_formatd (text, sizeof text, "%g", slopes[f]);
      fen_put_string (pvt, 0x0028, 0x1053, "DS", text);
      fen_put_string (pvt, 0x0028, 0x1054, "LO", "HU");
      fen_put_item_of (groups, 0x0028, 0x9145, pvt);      /* Pixel Value Transformation */
      fen_put_tag (frames, 0xfffe, 0xe000);
      fen_put_u32 (frames, groups->len);
      g_byte_array_append (frames, groups->data, groups->len);
    }
  fen_put_explicit (out, 0x5200, 0x9230, "SQ", frames->len);
  g_byte_array_append (out, frames->data, frames->len);
  fen_put_explicit (out, 0x7fe0, 0x0010, "OW", ROWS * COLUMNS * FRAMES * 2);
  for (guint f = 0; f < FRAMES; f++)
    for (guint i = 0; i < ROWS * COLUMNS; i++)
      /* 0 .. 4095, a different ramp per frame. */
      fen_put_u16 (out, (guint16) ((i * 97u + f * 1301u) % 4096));
  return fen_test_write_file (dir, "enhanced.dcm", out);
}

/* What the viewport does for a frame at 1:1 on a scale-1 screen. */
static guint8 *
fen_test_viewer_render (FenImage *image, guint frame, guint build_frame)
{
  guint w = fen_image_get_width (image), h = fen_image_get_height (image);
  g_autoptr(FenRenderer) renderer = fen_renderer_new (2, w);
  g_autoptr(FenLut) lut = fen_lut_new ();
  g_autoptr(FenPyramid) pyramid = fen_pyramid_new (image, frame);
  guint8 *out = g_malloc ((gsize) w * h * 4);
  FenWindowParams window;
  FenView view;
  guint level = 99;

  fen_view_init (&view);
  fen_view_set_image_size (&view, w, h);
  fen_view_set_output_size (&view, w, h);
  g_assert_cmpfloat (view.zoom, ==, 1.0);
  fen_window_default (image, frame, &window);
  fen_lut_build (lut, image, build_frame, &window);
  g_assert_true (fen_view_render (&view, 1, renderer, image, frame, pyramid, lut, w, h,
                                  FEN_PIXEL_BGRA8, out, (gsize) w * 4, &level));
  g_assert_cmpuint (level, ==, 0);
  return out;
}

static FenImage *
fen_test_run_cli (const char *dir, const char *input, guint frame)
{
  g_autofree char *png = g_strdup_printf ("%s/frame-%u.png", dir, frame + 1);
  g_autofree char *frame_arg = g_strdup_printf ("%u", frame + 1);
  const char *argv[] = { FEN_TEST_CLI, "render", input, "--frame", frame_arg, "-o", png, NULL };
  g_autoptr(GError) error = NULL;
  g_autofree char *err = NULL;
  FenImage *image;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, &err, &status, &error));
  g_assert_no_error (error);
  if (!g_spawn_check_wait_status (status, &error))
    g_error ("fenestra-cli render --frame %u: %s", frame + 1, err);
  image = fen_load_file (png, NULL, &error);
  g_assert_no_error (error);
  g_unlink (png);
  return image;
}

static void
test_frame_matches_cli (gconstpointer data)
{
  guint frame = GPOINTER_TO_UINT (data);
  g_autoptr(GError) error = NULL;
  g_autofree char *dir = g_dir_make_tmp ("fen-view-render-XXXXXX", &error);
  g_autofree char *path = NULL;
  g_autoptr(FenImage) image = NULL;
  g_autoptr(FenImage) cli = NULL;
  g_autofree guint8 *viewer = NULL;
  g_autofree guint8 *wrong = NULL;
  const guint8 *gray;
  guint n = ROWS * COLUMNS, differ = 0;

  g_assert_no_error (error);
  path = fen_test_write_enhanced (dir);
  image = fen_load_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fen_image_get_info (image)->frame_values);
  g_assert_cmpuint (fen_image_get_n_frames (image), ==, FRAMES);

  viewer = fen_test_viewer_render (image, frame, frame);
  cli = fen_test_run_cli (dir, path, frame);
  g_assert_cmpuint (fen_image_get_width (cli), ==, COLUMNS);
  g_assert_cmpuint (fen_image_get_height (cli), ==, ROWS);
  gray = fen_image_get_frame (cli, 0);
  for (guint i = 0; i < n; i++)
    {
      if (viewer[i * 4] != gray[i] || viewer[i * 4 + 1] != gray[i] || viewer[i * 4 + 2] != gray[i])
        g_error ("frame %u pixel %u: viewer %u, fenestra-cli %u", frame + 1, i, viewer[i * 4], gray[i]);
    }

  /* Frame 0's table on this frame: what the viewer drew before. */
  wrong = fen_test_viewer_render (image, frame, 0);
  for (guint i = 0; i < n; i++)
    differ += wrong[i * 4] != gray[i];
  if (frame == 0)
    g_assert_cmpuint (differ, ==, 0);
  else
    g_assert_cmpuint (differ, >, n / 2);
  g_test_message ("frame %u (slope %g, intercept %g): %u pixels identical to fenestra-cli; "
                  "frame 0's table differs on %u", frame + 1, slopes[frame], intercepts[frame], n, differ);
  fen_test_remove_dir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  fen_loader_init ();
  for (guint f = 0; f < FRAMES; f++)
    {
      g_autofree char *name = g_strdup_printf ("/view-render/enhanced-per-frame-rescale/frame-%u", f + 1);
      g_test_add_data_func (name, GUINT_TO_POINTER (f), test_frame_matches_cli);
    }
  return g_test_run ();
}
