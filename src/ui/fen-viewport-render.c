/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-viewport-render.c: FenViewport's frame: the table rebuilt when the
 * window changed, the render of the image's visible rectangle into a pooled
 * buffer wrapped as a texture of that rectangle, and the snapshot that puts
 * the texture where it lies with the background drawn around it by GTK. */
#define G_LOG_DOMAIN "fen-viewport"

#include "fen-viewport-private.h"
#include "fen-rendered-frame.h"

static gboolean
fen_viewport_trim_cb (gpointer user_data)
{
  FenViewport *self = user_data;

  /* Idle: keep only the buffer of the frame on screen. */
  self->trim_timeout = 0;
  fen_render_pool_trim (self->pool, 0);
  return G_SOURCE_REMOVE;
}

/* Renders the output's visible rectangle (the whole output when comparing)
 * into a pooled buffer and returns it as a texture of that rectangle's
 * size, or %NULL when the image is off the output; @rect says where it
 * lies. Only image pixels are written: the letterbox was 44 % of a fitted
 * 2800 x 2800 frame's 1920 x 1080 output, written on every window change
 * and converted again by GTK's cairo renderer on every draw (issue 14). */
GdkTexture *
_fen_viewport_render_texture (FenViewport *self, int dw, int dh, int scale, FenPixelRect *rect)
{
  g_autoptr(GBytes) bytes = NULL;
  /* The pool's buffers are the whole output's size whatever the rectangle:
   * a zoom or pan changes the rectangle every frame, and a pool of one
   * size reuses its buffers through it without allocating. */
  gsize stride = (gsize) dw * 4, size = stride * dh;
  guint8 *buffer;
  gint64 start = g_get_monotonic_time ();
  guint level = 0;
  gboolean comparing = self->compare != FEN_VIEWPORT_COMPARE_NONE && self->partner_ok;

  if (!self->lut_valid)
    {
      /* The frame's own table: an enhanced multi-frame image may rescale
       * every frame differently (PS3.3 C.7.6.16.2.9). */
      fen_lut_build (self->lut, self->image, self->frame, &self->window);
      self->lut_valid = TRUE;
    }

  *rect = (FenPixelRect) { 0, 0, (guint) dw, (guint) dh };
  if (!comparing && !fen_view_get_visible_rect (&self->view, scale, self->image, (guint) dw, (guint) dh, rect))
    return NULL;
  buffer = fen_render_pool_acquire (self->pool, size);
  if (comparing)
    {
      /* Full resolution: tell the pyramid no level is in use, so that a
       * shed may take them all. */
      g_autoptr(FenImage) base = self->pyramid ? fen_pyramid_ref_level (self->pyramid, 0) : NULL;

      _fen_viewport_render_compare (self, dw, dh, scale, buffer, stride);
    }
  else
    {
      /* A level shed meanwhile (the store made room for a loading thread)
       * is built again here, and counted by the store. Rows of the
       * rectangle's width, back to back: the texture's stride. */
      stride = (gsize) rect->width * 4;
      fen_view_render_rect (&self->view, scale, self->renderer, self->image, self->frame, self->pyramid,
                            self->lut, rect, FEN_PIXEL_BGRA8, buffer, stride, &level);
    }
  bytes = fen_render_pool_wrap (self->pool, buffer, size);
  g_clear_handle_id (&self->trim_timeout, g_source_remove);
  self->trim_timeout = g_timeout_add_seconds (2, fen_viewport_trim_cb, self);
  g_debug ("render %ux%u of %dx%d level %u%s in %.2f ms", rect->width, rect->height, dw, dh, level,
           self->compare == FEN_VIEWPORT_COMPARE_DIFFERENCE && self->partner_ok ? " difference" : "",
           (g_get_monotonic_time () - start) / 1000.0);
  /* Alpha is always 255, so premultiplied is the same bytes and is the
   * layout cairo wants without a conversion. */
  return gdk_memory_texture_new ((int) rect->width, (int) rect->height, GDK_MEMORY_B8G8R8A8_PREMULTIPLIED,
                                 bytes, stride);
}

/* The texture where it lies, and the background (opaque black, what the
 * renderer wrote around the image before) in the bands around it. */
void
_fen_viewport_snapshot_image (FenViewport *self, GtkSnapshot *snapshot, int w, int h, int scale)
{
  fen_rendered_frame_snapshot (snapshot, self->texture, &self->texture_rect, w, h, scale);
}
