/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-rendered-frame.c: the snapshot of a CPU-rendered frame's visible
 * rectangle and the place of its widget on the surface, shared by
 * FenViewport (a slice) and FenMprPane (a plane). */
#define G_LOG_DOMAIN "fen-viewport"

#include "fen-rendered-frame.h"

void
fen_rendered_frame_snapshot (GtkSnapshot *snapshot, GdkTexture *texture, const FenPixelRect *rect, int width,
                             int height, int scale)
{
  static const GdkRGBA black = { 0, 0, 0, 1 };
  float x0, y0, x1, y1;

  g_return_if_fail (snapshot != NULL && scale > 0);
  if (texture == NULL || rect == NULL || rect->width == 0 || rect->height == 0)
    {
      gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, height));
      return;
    }
  x0 = (float) rect->x / scale;
  y0 = (float) rect->y / scale;
  x1 = (float) (rect->x + rect->width) / scale;
  y1 = (float) (rect->y + rect->height) / scale;
  if (y0 > 0)
    gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, 0, width, y0));
  if (y1 < height)
    gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, y1, width, height - y1));
  if (x0 > 0)
    gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (0, y0, x0, y1 - y0));
  if (x1 < width)
    gtk_snapshot_append_color (snapshot, &black, &GRAPHENE_RECT_INIT (x1, y0, width - x1, y1 - y0));
  gtk_snapshot_append_texture (snapshot, texture, &GRAPHENE_RECT_INIT (x0, y0, x1 - x0, y1 - y0));
}

gboolean
fen_rendered_frame_surface_place (GtkWidget *widget, double *x, double *y)
{
  GtkNative *native;
  graphene_point_t origin;
  double sx = 0, sy = 0;

  g_return_val_if_fail (GTK_IS_WIDGET (widget) && x != NULL && y != NULL, FALSE);
  native = gtk_widget_get_native (widget);
  if (native == NULL ||
      !gtk_widget_compute_point (widget, GTK_WIDGET (native), &GRAPHENE_POINT_INIT (0, 0), &origin))
    return FALSE;
  gtk_native_get_surface_transform (native, &sx, &sy);
  *x = origin.x + sx;
  *y = origin.y + sy;
  return TRUE;
}
