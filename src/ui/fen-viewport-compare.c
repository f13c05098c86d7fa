/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-viewport-compare.c: FenViewport's compare modes. A partner image is
 * set beside the one shown: the difference is computed per rendered pixel
 * (fen_renderer_render_difference()) through a window of its own, never
 * stored; flicker shows the two in turn from a timeout. Two images compare
 * pixel for pixel when they are of one size, or share a frame of
 * reference, pixel spacing and orientation (then their grids differ by a
 * shift). */
#define G_LOG_DOMAIN "fen-viewport"

#include "fen-viewport-private.h"

#include "fenestra/fen-geometry.h"

#include <math.h>
#include <string.h>


void
_fen_viewport_log_difference_window (FenViewport *self, const char *why)
{
  /* The e2e test reads this line to predict the difference's grey levels. */
  g_debug ("difference window %s: center=%.6f width=%.6f invert=%d", why,
           self->diff_window.center, self->diff_window.width, self->diff_window.invert);
}

void
_fen_viewport_render_compare (FenViewport *self, int dw, int dh, int scale, guint8 *buffer, gsize stride)
{
  FenSampling base, sb;

  /* Compared at full resolution: a pyramid level of the difference would
   * need a stored difference, which is what this never makes. The
   * partner's pixel (0, 0) lies at our (partner_dx, partner_dy). */
  fen_view_get_sampling (&self->view, scale, &base);
  sb = base;
  sb.origin_x -= self->partner_dx;
  sb.origin_y -= self->partner_dy;
  if (self->compare == FEN_VIEWPORT_COMPARE_DIFFERENCE)
    fen_renderer_render_difference (self->renderer, self->image, self->frame, self->partner,
                                    self->partner_frame, &self->diff_window, &base, &sb,
                                    (guint) dw, (guint) dh, FEN_PIXEL_BGRA8, buffer, stride);
  else if (self->flicker_partner)
    {
      if (!self->partner_lut_valid)
        {
          /* The partner under our window: flicker compares like with like. */
          fen_lut_build (self->partner_lut, self->partner, self->partner_frame, &self->window);
          self->partner_lut_valid = TRUE;
        }
      fen_renderer_render (self->renderer, self->partner, self->partner_frame, self->partner_lut, &sb,
                           (guint) dw, (guint) dh, FEN_PIXEL_BGRA8, buffer, stride);
    }
  else
    fen_renderer_render (self->renderer, self->image, self->frame, self->lut, &base,
                         (guint) dw, (guint) dh, FEN_PIXEL_BGRA8, buffer, stride);
}

gboolean
_fen_viewport_difference_at (FenViewport *self, guint x, guint y, double *value)
{
  double px = x + 0.5 - self->partner_dx, py = y + 0.5 - self->partner_dy;

  /* The partner's pixel under ours, as fen_renderer_render_difference()
   * samples it; each image through its own frame's rescale (PS3.3 C.11.1). */
  if (self->partner == NULL || !fen_image_has_pixels (self->partner) || px < 0 || py < 0 ||
      px >= fen_image_get_width (self->partner) || py >= fen_image_get_height (self->partner))
    return FALSE;
  *value = fen_image_to_modality (self->image, self->frame, fen_image_get_stored_value (self->image, self->frame, x, y)) -
           fen_image_to_modality (self->partner, self->partner_frame,
                                  fen_image_get_stored_value (self->partner, self->partner_frame, (guint) px, (guint) py));
  return TRUE;
}

void
_fen_viewport_compare_dispose (FenViewport *self)
{
  g_clear_handle_id (&self->flicker_timeout, g_source_remove);
  if (self->partner != NULL && self->store != NULL)
    fen_store_pin (self->store, fen_image_get_id (self->partner), FALSE);
  g_clear_pointer (&self->partner, fen_image_unref);
}

static gboolean
fen_viewport_flicker_cb (gpointer user_data)
{
  FenViewport *self = user_data;

  self->flicker_partner = !self->flicker_partner;
  g_debug ("flicker: %s", self->flicker_partner ? "partner" : "image");
  _fen_viewport_changed (self, TRUE);
  return G_SOURCE_CONTINUE;
}

/* Where the partner's pixel (0, 0) lies in our image, in our pixels, when
 * the two can be compared pixel for pixel; else why not. */
static gboolean
fen_viewport_partner_offset (FenViewport *self, double *dx, double *dy, const char **why)
{
  const FenImageInfo *a, *b;
  FenPlaneGeometry ga, gb;

  *dx = *dy = 0;
  if (self->partner == NULL)
    {
      *why = "Difference and flicker compare this pane with another:\nshow a second image in the 1 × 2 layout (Alt+2)";
      return FALSE;
    }
  if (fen_image_is_color (self->image) || fen_image_is_color (self->partner))
    {
      *why = "Difference and flicker compare monochrome images only";
      return FALSE;
    }
  if (fen_image_get_width (self->image) == fen_image_get_width (self->partner) &&
      fen_image_get_height (self->image) == fen_image_get_height (self->partner))
    return TRUE;

  /* Different sizes: in one frame of reference with one orientation and
   * pixel spacing, the two grids differ by a shift (fen-geometry). */
  a = fen_image_get_info (self->image);
  b = fen_image_get_info (self->partner);
  *why = "These two images differ in size and do not share a frame of reference\n"
         "and pixel spacing: there is no pixel-for-pixel difference";
  return fen_geometry_same_frame_of_reference (a, b) &&
         fen_plane_geometry_from_info (&ga, a, self->frame, NULL) &&
         fen_plane_geometry_from_info (&gb, b, self->partner_frame, NULL) &&
         fen_plane_geometry_grid_offset (&ga, &gb, dx, dy);
}

static void
fen_viewport_update_partner (FenViewport *self)
{
  const char *why = "";

  self->partner_ok = self->image != NULL && fen_viewport_partner_offset (self, &self->partner_dx, &self->partner_dy, &why);
  self->compare_message = self->partner_ok ? "" : why;
  self->partner_lut_valid = FALSE;
}

void
fen_viewport_set_partner (FenViewport *self, FenImage *partner, guint frame)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));

  if (partner == self->partner && frame == self->partner_frame)
    {
      /* Our own image or frame may have changed since. */
      gboolean was = self->partner_ok;

      fen_viewport_update_partner (self);
      if (was != self->partner_ok)
        _fen_viewport_changed (self, TRUE);
      return;
    }
  if (partner != NULL)
    {
      fen_image_ref (partner);
      if (self->store != NULL)
        fen_store_pin (self->store, fen_image_get_id (partner), TRUE);
    }
  if (self->partner != NULL && self->store != NULL)
    fen_store_pin (self->store, fen_image_get_id (self->partner), FALSE);
  g_clear_pointer (&self->partner, fen_image_unref);
  self->partner = partner;
  self->partner_frame = frame;
  fen_viewport_update_partner (self);
  if (self->compare != FEN_VIEWPORT_COMPARE_NONE)
    g_debug ("compare %s with %s: %s", self->image ? fen_image_get_log_name (self->image) : "none",
             partner ? fen_image_get_log_name (partner) : "none", self->partner_ok ? "pixel for pixel" : "refused");
  _fen_viewport_changed (self, TRUE);
}

void
fen_viewport_set_compare (FenViewport *self, FenViewportCompare mode)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));

  if (mode == self->compare)
    return;
  self->compare = mode;
  g_clear_handle_id (&self->flicker_timeout, g_source_remove);
  self->flicker_partner = FALSE;
  if (mode == FEN_VIEWPORT_COMPARE_FLICKER)
    {
      if (self->partner_lut == NULL)
        self->partner_lut = fen_lut_new ();
      self->partner_lut_valid = FALSE;
      self->flicker_timeout = g_timeout_add (FEN_VIEWPORT_FLICKER_MS, fen_viewport_flicker_cb, self);
    }
  if (mode == FEN_VIEWPORT_COMPARE_DIFFERENCE && self->image != NULL)
    {
      /* A window centred on "no difference", a quarter of the larger value
       * range wide: small changes stand out, large ones saturate. */
      double lo, hi, range;

      fen_image_get_modality_range (self->image, self->frame, &lo, &hi);
      range = hi - lo;
      if (self->partner != NULL && !fen_image_is_color (self->partner))
        {
          fen_image_get_modality_range (self->partner, self->partner_frame, &lo, &hi);
          range = MAX (range, hi - lo);
        }
      memset (&self->diff_window, 0, sizeof self->diff_window);
      self->diff_window.center = 0;
      self->diff_window.width = MAX (1.0, round (range / 4.0));
      self->diff_window.function = FEN_VOI_LINEAR;
      _fen_viewport_log_difference_window (self, "default");
    }
  if (mode == FEN_VIEWPORT_COMPARE_NONE)
    fen_viewport_set_partner (self, NULL, 0);
  g_debug ("compare mode %s", mode == FEN_VIEWPORT_COMPARE_DIFFERENCE ? "difference"
                              : mode == FEN_VIEWPORT_COMPARE_FLICKER ? "flicker" : "none");
  if (mode != FEN_VIEWPORT_COMPARE_NONE)
    g_debug ("compare %s with %s: %s", self->image ? fen_image_get_log_name (self->image) : "none",
             self->partner ? fen_image_get_log_name (self->partner) : "none",
             self->partner_ok ? "pixel for pixel" : "refused");
  _fen_viewport_changed (self, TRUE);
}

FenViewportCompare
fen_viewport_get_compare (FenViewport *self)
{
  g_return_val_if_fail (FEN_IS_VIEWPORT (self), FEN_VIEWPORT_COMPARE_NONE);
  return self->compare;
}

void
fen_viewport_get_difference_window (FenViewport *self, FenWindowParams *out)
{
  g_return_if_fail (FEN_IS_VIEWPORT (self));
  *out = self->diff_window;
}
