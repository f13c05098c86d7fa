/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-mpr-measure.c: measurements on the MPR layout's planes. A reformatted
 * plane has no frame and no SOP Instance UID, so these are the core's
 * FenMprMeasure (patient coordinates, mm, with the plane they were drawn
 * on), kept in the layout's state for the series shown (the MPR session;
 * leaving MPR drops them). The slice view's tools that make sense on a
 * plane: distance (M), ellipse (E), rectangle (B), angle (A: a drag to
 * the vertex, then a press and drag for the second arm) and Cobb angle (C:
 * a drag for each line), freehand region (Shift+P: the outline traced
 * by the drag) and arrow (T: a drag, then its text asked at its tail), as
 * on a slice, the angle by the slices' rule
 * (fen_mpr_measure_angle_deg()); W goes back to the window drag. A pane shows the measurements its plane holds (parallel,
 * within half a native step along its normal: fen_mpr_measure_is_on_plane())
 * and hides the others; they follow its zoom and pan, drawn and labelled
 * as on a slice (yellow, the label on the overlays' dark veil). A press on
 * a shown measurement's point selects it and drags that point (the
 * ellipse's centre drags the whole); a press on its body (a line, an
 * outline or a region's inside: fen_mpr_measure_hits_body()) selects it
 * and drags it whole, whatever the tool, as on a slice; Delete removes the
 * selected one (win.delete-measurement), as on a slice. On a slab (MIP,
 * MinIP, average) a region's statistics are of the projected values the
 * panes show (fen_mpr_measure_stats_slab()), taken again when the slab
 * changes; a distance is the same on any. */
#define G_LOG_DOMAIN "fen-mpr"

#include "fen-mpr-private.h"

#include <fenestra/fen-mpr-measure-file.h>

#include <math.h>
#include <string.h>

/* Screen pixels within which a press takes a measurement's point (as a
 * slice's FEN_MEASURE_HIT_PX). */
#define FEN_MPR_MEASURE_HIT_PX 7.0
/* A shape drawn smaller than this (screen pixels) was a click: dropped. */
#define FEN_MPR_MEASURE_MIN_PX 3.0
/* A freehand outline takes a vertex each time the pointer has moved this
 * far (screen pixels), as a slice's (FEN_MEASURE_TRACE_PX). */
#define FEN_MPR_MEASURE_TRACE_PX 3.0

struct _FenMprMeasureItem
{
  FenMprMeasure m;
  FenRoiStats   stats;
  gboolean      has_stats;
};

static const GdkRGBA fen_mpr_measure_yellow = { 1.0, 0.85, 0.1, 1.0 };

static FenMprMeasureItem *
fen_mpr_measure_item (FenMprState *state, int index)
{
  return &g_array_index (state->measures, FenMprMeasureItem, index);
}

/* Whether @plane's pane shows @m: its plane, within half a native step. */
static gboolean
fen_mpr_measure_shown (const FenMprState *state, FenMprPlane plane, const FenMprMeasure *m)
{
  const double half = 0.5 * fen_mpr_planes_step (&state->planes, plane, state->volume);

  return fen_mpr_measure_is_on_plane (m, &state->planes.frames[plane], state->planes.center, half);
}

static void
fen_mpr_measure_update_stats (FenMprState *state, FenMprMeasureItem *item)
{
  g_autoptr(GError) error = NULL;

  item->has_stats = FALSE;
  if (item->m.kind != FEN_MPR_MEASURE_ELLIPSE && item->m.kind != FEN_MPR_MEASURE_RECTANGLE &&
      item->m.kind != FEN_MPR_MEASURE_POLYGON)
    return;
  /* On a slab plane, of the projected values the panes show. */
  item->has_stats = fen_mpr_measure_stats_slab (&item->m, state->volume, state->renderer, state->slab,
                                                state->slab_mm, &item->stats, &error);
  if (!item->has_stats && !g_error_matches (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT))
    g_debug ("mpr measure: no statistics: %s", error->message);
}

guint
_fen_mpr_measure_item_size (void)
{
  return sizeof (FenMprMeasureItem);
}

void
_fen_mpr_measure_clear (FenMprState *state)
{
  g_array_set_size (state->measures, 0);
  state->selected = state->active = -1;
  state->drawing = state->second_drag = state->grab_body = FALSE;
}

/* The measurement being drawn (an angle's or a Cobb angle's first line
 * drawn, waiting for the second press), dropped (another tool, a
 * delete). */
void
_fen_mpr_measure_drop_drawing (FenMprState *state)
{
  if (state->drawing && state->active >= 0 && (guint) state->active < state->measures->len)
    {
      g_array_remove_index (state->measures, (guint) state->active);
      if (state->selected == state->active)
        state->selected = -1;
    }
  state->drawing = state->second_drag = state->grab_body = FALSE;
  state->active = -1;
}

gboolean
_fen_mpr_measure_press (FenMprPane *pane, FenMprState *state, FenMprPlane plane, double x, double y)
{
  const FenMprPlanes *planes = &state->planes;
  FenMprMeasureKind kind;
  FenMprMeasureItem item = { 0 };
  double p[3], points[3 * FEN_MPR_MEASURE_MAX_POINTS];

  state->grab_body = FALSE;
  /* An angle's or a Cobb angle's second press, on the plane of its first
   * line: its last line starts there (as on a slice). */
  if (state->drawing && state->second_drag && state->active >= 0)
    {
      FenMprMeasureItem *it = fen_mpr_measure_item (state, state->active);

      if (!fen_mpr_measure_shown (state, plane, &it->m))
        {
          _fen_mpr_measure_drop_drawing (state);
          _fen_mpr_layout_redraw (_fen_mpr_pane_get_layout (pane));
          return FALSE;
        }
      fen_mpr_planes_to_patient (planes, plane, x, y, p);
      memcpy (points, it->m.points, sizeof points);
      memcpy (points + 3 * (it->m.n_points - 1), p, sizeof p);
      if (it->m.kind == FEN_MPR_MEASURE_COBB)
        memcpy (points + 6, p, sizeof p);
      fen_mpr_measure_init_points (&it->m, it->m.kind, &it->m.frame, points, it->m.n_points);
      state->active_point = (int) it->m.n_points - 1;
      _fen_mpr_layout_redraw (_fen_mpr_pane_get_layout (pane));
      return TRUE;
    }

  state->active = -1;
  /* A shown measurement's point, the nearest first: select it, drag it. */
  for (guint i = 0; i < state->measures->len; i++)
    {
      FenMprMeasureItem *it = fen_mpr_measure_item (state, (int) i);

      if (!fen_mpr_measure_shown (state, plane, &it->m))
        continue;
      for (guint k = 0; k < it->m.n_points; k++)
        {
          double sx, sy;

          fen_mpr_planes_to_screen (planes, plane, it->m.points[k], &sx, &sy, NULL);
          if (hypot (sx - x, sy - y) <= FEN_MPR_MEASURE_HIT_PX)
            {
              state->selected = state->active = (int) i;
              state->active_point = (int) k;
              _fen_mpr_layout_redraw (_fen_mpr_pane_get_layout (pane));
              _fen_mpr_layout_measures_changed (_fen_mpr_pane_get_layout (pane), FALSE);
              return TRUE;
            }
        }
    }

  /* A shown measurement's body, the selected one first (it is drawn on
   * top), then the newest: select it, drag it whole. */
  fen_mpr_planes_to_patient (planes, plane, x, y, p);
  for (int pass = 0; pass < 2; pass++)
    for (int i = (int) state->measures->len - 1; i >= 0; i--)
      {
        FenMprMeasureItem *it = fen_mpr_measure_item (state, i);
        double reach = FEN_MPR_MEASURE_HIT_PX / MAX (planes->views[plane].zoom, 1e-6);

        if ((pass == 0) != (i == state->selected) || !fen_mpr_measure_shown (state, plane, &it->m) ||
            !fen_mpr_measure_hits_body (&it->m, p, reach))
          continue;
        state->selected = state->active = i;
        state->active_point = -1;
        state->grab_body = TRUE;
        memcpy (state->grab_from, p, sizeof p);
        state->grab_start = it->m;
        _fen_mpr_layout_redraw (_fen_mpr_pane_get_layout (pane));
        _fen_mpr_layout_measures_changed (_fen_mpr_pane_get_layout (pane), FALSE);
        return TRUE;
      }

  switch (state->tool)
    {
    case FEN_VIEWPORT_TOOL_DISTANCE:  kind = FEN_MPR_MEASURE_DISTANCE; break;
    case FEN_VIEWPORT_TOOL_ELLIPSE:   kind = FEN_MPR_MEASURE_ELLIPSE; break;
    case FEN_VIEWPORT_TOOL_RECTANGLE: kind = FEN_MPR_MEASURE_RECTANGLE; break;
    case FEN_VIEWPORT_TOOL_ANGLE:     kind = FEN_MPR_MEASURE_ANGLE; break;
    case FEN_VIEWPORT_TOOL_COBB:      kind = FEN_MPR_MEASURE_COBB; break;
    case FEN_VIEWPORT_TOOL_POLYGON:   kind = FEN_MPR_MEASURE_POLYGON; break;
    case FEN_VIEWPORT_TOOL_ARROW:     kind = FEN_MPR_MEASURE_ARROW; break;
    case FEN_VIEWPORT_TOOL_NONE:
    default:
      /* No tool of the planes: the press is the window's (or the
       * crosshair's). A click elsewhere lets go of the selection. */
      if (state->selected >= 0)
        {
          state->selected = -1;
          _fen_mpr_layout_redraw (_fen_mpr_pane_get_layout (pane));
          _fen_mpr_layout_measures_changed (_fen_mpr_pane_get_layout (pane), FALSE);
        }
      return FALSE;
    }
  /* Every point at the press; the first drag moves the second (an angle's
   * third and a Cobb angle's second line follow, as on a slice). */
  fen_mpr_planes_to_patient (planes, plane, x, y, p);
  for (guint k = 0; k < FEN_MPR_MEASURE_MAX_POINTS; k++)
    memcpy (points + 3 * k, p, sizeof p);
  fen_mpr_measure_init_points (&item.m, kind, &planes->frames[plane], points, fen_mpr_measure_kind_n_points (kind));
  /* A freehand outline starts as one vertex and grows as the pointer
   * moves (fen_mpr_measure_trace()). */
  if (kind == FEN_MPR_MEASURE_POLYGON)
    item.m.n_points = 1;
  g_array_append_val (state->measures, item);
  state->selected = state->active = (int) state->measures->len - 1;
  state->active_point = 1;
  state->drawing = TRUE;
  state->second_drag = FALSE;
  _fen_mpr_layout_redraw (_fen_mpr_pane_get_layout (pane));
  return TRUE;
}

/* A freehand outline being drawn: a vertex at @p (the pane's point under
 * (@x, @y)) once the pointer is FEN_MPR_MEASURE_TRACE_PX from the last,
 * on the outline's plane; no more than FEN_MPR_MEASURE_MAX_POINTS. */
static void
fen_mpr_measure_trace (FenMprState *state, FenMprPlane plane, FenMprMeasure *m, const double p[3], double x, double y)
{
  double sx, sy, off = 0;

  fen_mpr_planes_to_screen (&state->planes, plane, m->points[m->n_points - 1], &sx, &sy, NULL);
  if (m->n_points >= FEN_MPR_MEASURE_MAX_POINTS || hypot (x - sx, y - sy) < FEN_MPR_MEASURE_TRACE_PX)
    return;
  for (int k = 0; k < 3; k++)
    off += (p[k] - m->points[0][k]) * m->frame.normal[k];
  for (int k = 0; k < 3; k++)
    m->points[m->n_points][k] = p[k] - off * m->frame.normal[k];
  m->n_points++;
}

void
_fen_mpr_measure_drag (FenMprPane *pane, FenMprState *state, FenMprPlane plane, double x, double y)
{
  FenMprMeasureItem *item;
  FenMprMeasure *m;
  double p[3], points[3 * FEN_MPR_MEASURE_MAX_POINTS];
  guint n;

  if (state->active < 0)
    return;
  item = fen_mpr_measure_item (state, state->active);
  m = &item->m;
  n = m->n_points;
  /* The point under the pointer on the pane's plane (within half a step of
   * the measurement's); fen_mpr_measure_init_points() puts it back on the
   * measurement's own. */
  fen_mpr_planes_to_patient (&state->planes, plane, x, y, p);
  if (state->grab_body)
    {
      double delta[3];

      /* Whole, along its own plane; an arrow keeps its text. */
      for (int k = 0; k < 3; k++)
        delta[k] = p[k] - state->grab_from[k];
      fen_mpr_measure_move (m, &state->grab_start, delta);
      fen_mpr_measure_update_stats (state, item);
      _fen_mpr_layout_redraw (_fen_mpr_pane_get_layout (pane));
      return;
    }
  if (state->drawing && m->kind == FEN_MPR_MEASURE_POLYGON)
    {
      fen_mpr_measure_trace (state, plane, m, p, x, y);
      _fen_mpr_layout_redraw (_fen_mpr_pane_get_layout (pane));
      return;
    }
  memcpy (points, m->points, sizeof points);
  if (state->drawing && !state->second_drag && (m->kind == FEN_MPR_MEASURE_ANGLE || m->kind == FEN_MPR_MEASURE_COBB))
    {
      /* The first line: an angle's vertex, which its third point follows
       * until the second press; a Cobb angle's second line on the first. */
      memcpy (points + 3, p, sizeof p);
      if (m->kind == FEN_MPR_MEASURE_ANGLE)
        memcpy (points + 6, p, sizeof p);
      else
        memcpy (points + 6, points, 6 * sizeof (double));
    }
  else if (m->kind == FEN_MPR_MEASURE_ELLIPSE && state->active_point == 0)
    for (int k = 0; k < 3; k++)
      {
        /* The centre moves the whole ellipse. */
        points[3 + k] += p[k] - points[k];
        points[k] = p[k];
      }
  else
    memcpy (points + 3 * CLAMP (state->active_point, 0, (int) n - 1), p, sizeof p);
  {
    /* The first point back onto the measurement's plane (the pane's may
     * lie up to half a step off it); the others are projected onto it. */
    double off = 0;

    for (int k = 0; k < 3; k++)
      off += (points[k] - m->points[0][k]) * m->frame.normal[k];
    for (int k = 0; k < 3; k++)
      points[k] -= off * m->frame.normal[k];
  }
  {
    /* Moved, not rewritten: an arrow keeps its text. */
    char text[FEN_MPR_MEASURE_TEXT_MAX];

    memcpy (text, m->text, sizeof text);
    fen_mpr_measure_init_points (m, m->kind, &m->frame, points, n);
    memcpy (m->text, text, sizeof text);
  }
  fen_mpr_measure_update_stats (state, item);
  _fen_mpr_layout_redraw (_fen_mpr_pane_get_layout (pane));
}

void
_fen_mpr_measure_release (FenMprPane *pane, FenMprState *state, FenMprPlane plane)
{
  FenMprMeasureItem *item;
  double x0, y0, x1, y1;
  gboolean two_lines;

  if (state->active < 0)
    return;
  item = fen_mpr_measure_item (state, state->active);
  two_lines = item->m.kind == FEN_MPR_MEASURE_ANGLE || item->m.kind == FEN_MPR_MEASURE_COBB;
  fen_mpr_planes_to_screen (&state->planes, plane, item->m.points[0], &x0, &y0, NULL);
  fen_mpr_planes_to_screen (&state->planes, plane, item->m.points[1], &x1, &y1, NULL);
  if (state->drawing && !state->second_drag &&
      (item->m.kind == FEN_MPR_MEASURE_POLYGON ? item->m.n_points < 3
       : item->m.kind == FEN_MPR_MEASURE_ELLIPSE || item->m.kind == FEN_MPR_MEASURE_RECTANGLE
       ? fabs (x1 - x0) < FEN_MPR_MEASURE_MIN_PX / 2 || fabs (y1 - y0) < FEN_MPR_MEASURE_MIN_PX / 2
       : hypot (x1 - x0, y1 - y0) < FEN_MPR_MEASURE_MIN_PX))
    {
      /* A click, not a drag: nothing drawn. */
      g_array_remove_index (state->measures, (guint) state->active);
      state->selected = -1;
      state->active = -1;
      state->drawing = FALSE;
      _fen_mpr_layout_redraw (_fen_mpr_pane_get_layout (pane));
      _fen_mpr_layout_measures_changed (_fen_mpr_pane_get_layout (pane), FALSE);
      return;
    }
  if (state->drawing && !state->second_drag && two_lines)
    {
      /* The first line is drawn: the next press draws the last. */
      state->second_drag = TRUE;
      _fen_mpr_layout_redraw (_fen_mpr_pane_get_layout (pane));
      return;
    }
  /* A traced outline is done: its statistics, once. */
  if (state->drawing && item->m.kind == FEN_MPR_MEASURE_POLYGON)
    fen_mpr_measure_update_stats (state, item);
  if (item->m.kind == FEN_MPR_MEASURE_DISTANCE)
    g_debug ("mpr measure: distance %.3f mm on the %s plane", fen_mpr_measure_length_mm (&item->m),
             fen_mpr_plane_to_string (plane));
  else if (two_lines)
    g_debug ("mpr measure: %s %.3f degrees on the %s plane", item->m.kind == FEN_MPR_MEASURE_ANGLE ? "angle" : "cobb",
             fen_mpr_measure_angle_deg (&item->m), fen_mpr_plane_to_string (plane));
  else if (item->has_stats)
    g_debug ("mpr measure: region n=%" G_GUINT64_FORMAT " mean=%.3f on the %s plane", item->stats.n,
             item->stats.mean, fen_mpr_plane_to_string (plane));
  {
    /* A new arrow asks for its text, as on a slice. */
    gboolean ask = state->drawing && item->m.kind == FEN_MPR_MEASURE_ARROW;
    int index = state->active;

    state->active = -1;
    state->drawing = state->second_drag = state->grab_body = FALSE;
    _fen_mpr_layout_redraw (_fen_mpr_pane_get_layout (pane));
    /* Drawn or moved. */
    _fen_mpr_layout_measures_changed (_fen_mpr_pane_get_layout (pane), TRUE);
    if (ask)
      _fen_mpr_pane_ask_text (pane, index, item->m.points[0], item->m.text);
  }
}

void
_fen_mpr_measure_set_text (FenMprState *state, int index, const char *text)
{
  FenMprMeasureItem *item;

  if (index < 0 || (guint) index >= state->measures->len)
    return;
  item = fen_mpr_measure_item (state, index);
  if (item->m.kind != FEN_MPR_MEASURE_ARROW || !fen_mpr_measure_set_text (&item->m, text))
    return;
}

gboolean
_fen_mpr_measure_delete_selected (FenMprState *state)
{
  if (state->drawing)
    {
      /* Half drawn: Delete drops it. */
      _fen_mpr_measure_drop_drawing (state);
      return TRUE;
    }
  if (state->selected < 0 || (guint) state->selected >= state->measures->len)
    return FALSE;
  g_array_remove_index (state->measures, (guint) state->selected);
  state->selected = state->active = -1;
  return TRUE;
}

void
_fen_mpr_measure_restat (FenMprState *state)
{
  for (guint i = 0; i < state->measures->len; i++)
    fen_mpr_measure_update_stats (state, fen_mpr_measure_item (state, (int) i));
}

const FenMprMeasure *
_fen_mpr_measure_get (FenMprState *state, guint index, const FenRoiStats **stats)
{
  FenMprMeasureItem *item;

  g_return_val_if_fail (index < state->measures->len, NULL);
  item = fen_mpr_measure_item (state, (int) index);
  if (stats != NULL)
    *stats = item->has_stats ? &item->stats : NULL;
  return &item->m;
}

/* An error naming the file by the series' UID, with the UID replaced by
 * the log name (the UIDs stay out of the log, as the slices' do). */
static char *
fen_mpr_measure_log_error (const GError *error, const FenMprState *state)
{
  const FenImageInfo *info = fen_image_get_info (state->first);
  GString *text = g_string_new (error->message);

  if (info->series_uid != NULL && *info->series_uid != '\0')
    g_string_replace (text, info->series_uid, fen_image_get_log_name (state->first), 0);
  return g_string_free (text, FALSE);
}

/* Where: the series (its Series Instance UID), in its frame of reference. */
static const FenImageInfo *
fen_mpr_measure_file_info (FenMprState *state)
{
  return state->first != NULL ? fen_image_get_info (state->first) : NULL;
}

void
_fen_mpr_measure_load (FenMprState *state)
{
  const FenImageInfo *info = fen_mpr_measure_file_info (state);
  g_autoptr(GError) error = NULL;
  g_autoptr(GArray) kept = NULL;

  if (info == NULL || info->series_uid == NULL)
    return;
  kept = fen_mpr_measure_file_load (NULL, info->series_uid, info->frame_of_reference_uid, &error);
  if (kept == NULL)
    {
      g_autofree char *why = fen_mpr_measure_log_error (error, state);

      g_warning ("plane measurements of %s not read: %s", fen_image_get_log_name (state->first), why);
      return;
    }
  for (guint i = 0; i < kept->len; i++)
    {
      FenMprMeasureItem item = { 0 };

      item.m = g_array_index (kept, FenMprMeasure, i);
      fen_mpr_measure_update_stats (state, &item);
      g_array_append_val (state->measures, item);
    }
  if (kept->len > 0)
    g_debug ("mpr measure: %u kept measurement(s) of %s", kept->len, fen_image_get_log_name (state->first));
}

void
_fen_mpr_measure_save (FenMprState *state)
{
  const FenImageInfo *info = fen_mpr_measure_file_info (state);
  g_autoptr(GArray) list = NULL;
  g_autoptr(GError) error = NULL;

  if (info == NULL || info->series_uid == NULL || state->drawing)
    return;
  list = g_array_sized_new (FALSE, FALSE, sizeof (FenMprMeasure), state->measures->len);
  for (guint i = 0; i < state->measures->len; i++)
    g_array_append_val (list, fen_mpr_measure_item (state, (int) i)->m);
  if (!fen_mpr_measure_file_save (NULL, info->series_uid, info->frame_of_reference_uid,
                                  (const FenMprMeasure *) (void *) list->data, list->len, &error))
    {
      g_autofree char *why = fen_mpr_measure_log_error (error, state);

      g_warning ("plane measurements of %s not kept: %s", fen_image_get_log_name (state->first), why);
    }
  else
    g_debug ("mpr measure: kept %u measurement(s) of %s", list->len, fen_image_get_log_name (state->first));
}

/* Drawing ----------------------------------------------------------------- */

static char *
fen_mpr_measure_text (const FenMprState *state, const FenMprMeasureItem *item)
{
  const FenRoiStats *stats = &item->stats;

  if (item->m.kind == FEN_MPR_MEASURE_DISTANCE)
    return g_strdup_printf ("%.1f mm", fen_mpr_measure_length_mm (&item->m));
  if (item->m.kind == FEN_MPR_MEASURE_ARROW)
    return item->m.text[0] != '\0' ? g_strdup (item->m.text) : NULL;
  if (item->m.kind == FEN_MPR_MEASURE_ANGLE || item->m.kind == FEN_MPR_MEASURE_COBB)
    {
      /* As on a slice. */
      double angle = fen_mpr_measure_angle_deg (&item->m);

      return isfinite (angle) ? g_strdup_printf ("%.1f°", angle) : NULL;
    }
  if (!item->has_stats)
    return NULL;
  if (stats->n == 0)
    return g_strdup ("no pixel inside");
  {
    const char *unit = g_str_equal (stats->unit, "none") ? "" : stats->unit;
    guint decimals = fen_image_get_value_decimals (state->first, 0);

    /* As on a slice: one decimal more than a pixel value needs. */
    return g_strdup_printf ("%.*f ± %.*f %s\n%.1f mm²", decimals + 1, stats->mean, decimals + 1, stats->sd,
                            unit, stats->area_mm2);
  }
}

static void
fen_mpr_measure_snapshot_one (FenMprPane *pane, const FenMprState *state, FenMprPlane plane, GtkSnapshot *snapshot,
                              cairo_t *cr, const FenMprMeasureItem *item, gboolean selected)
{
  const GdkRGBA *yellow = &fen_mpr_measure_yellow;
  const FenMprPlanes *planes = &state->planes;
  const FenMprMeasure *m = &item->m;
  g_autofree char *text = NULL;
  /* Screen points, 2 a vertex (a freehand outline may have many). */
  g_autofree double *xy = g_new (double, 2 * MAX (m->n_points, 1));
  double (*s)[2] = (double (*)[2]) xy;
  double lx, ly;

  for (guint k = 0; k < m->n_points; k++)
    fen_mpr_planes_to_screen (planes, plane, m->points[k], &s[k][0], &s[k][1], NULL);
  cairo_set_source_rgba (cr, yellow->red, yellow->green, yellow->blue, 1.0);
  cairo_set_line_width (cr, selected ? 2.5 : 1.5);
  switch (m->kind)
    {
    case FEN_MPR_MEASURE_ELLIPSE:
      {
        /* The measurement's axes (its frame's right and down) on screen:
         * the same as the pane's while it shows it (parallel planes), up
         * to a mirror. */
        const double rx = fabs (s[1][0] - s[0][0]), ry = fabs (s[1][1] - s[0][1]);

        if (rx > 1e-9 && ry > 1e-9)
          {
            cairo_save (cr);
            cairo_translate (cr, s[0][0], s[0][1]);
            cairo_scale (cr, rx, ry);
            cairo_arc (cr, 0, 0, 1, 0, 2 * G_PI);
            cairo_restore (cr);
            cairo_stroke (cr);
          }
        lx = s[0][0] + rx + 8;
        ly = s[0][1] - ry;
        break;
      }
    case FEN_MPR_MEASURE_RECTANGLE:
      cairo_rectangle (cr, MIN (s[0][0], s[1][0]), MIN (s[0][1], s[1][1]), fabs (s[1][0] - s[0][0]),
                       fabs (s[1][1] - s[0][1]));
      cairo_stroke (cr);
      lx = MAX (s[0][0], s[1][0]) + 8;
      ly = MIN (s[0][1], s[1][1]);
      break;
    case FEN_MPR_MEASURE_ARROW:
      {
        /* As on a slice: the head filled at the second point, the text at
         * the tail, away from what the arrow points at. */
        double angle = atan2 (s[1][1] - s[0][1], s[1][0] - s[0][0]);

        cairo_move_to (cr, s[0][0], s[0][1]);
        cairo_line_to (cr, s[1][0], s[1][1]);
        cairo_stroke (cr);
        cairo_move_to (cr, s[1][0], s[1][1]);
        cairo_line_to (cr, s[1][0] - 12 * cos (angle - 0.4), s[1][1] - 12 * sin (angle - 0.4));
        cairo_line_to (cr, s[1][0] - 12 * cos (angle + 0.4), s[1][1] - 12 * sin (angle + 0.4));
        cairo_close_path (cr);
        cairo_fill (cr);
        lx = s[0][0] + 6;
        ly = s[0][1] + 4;
        break;
      }
    case FEN_MPR_MEASURE_POLYGON:
      {
        double right = -G_MAXDOUBLE, top = G_MAXDOUBLE;

        cairo_move_to (cr, s[0][0], s[0][1]);
        for (guint k = 1; k < m->n_points; k++)
          cairo_line_to (cr, s[k][0], s[k][1]);
        if (m->n_points >= 3)
          cairo_close_path (cr);
        cairo_stroke (cr);
        for (guint k = 0; k < m->n_points; k++)
          right = MAX (right, s[k][0]), top = MIN (top, s[k][1]);
        /* The label right of the outline, at its top (as a rectangle's). */
        lx = right + 8;
        ly = top;
        break;
      }
    case FEN_MPR_MEASURE_ANGLE:
    case FEN_MPR_MEASURE_COBB:
      /* An angle: the two arms from the vertex; a Cobb angle: its two
       * lines (the second only once begun). Points as a distance's. */
      cairo_move_to (cr, s[0][0], s[0][1]);
      cairo_line_to (cr, s[1][0], s[1][1]);
      if (m->kind == FEN_MPR_MEASURE_ANGLE)
        cairo_line_to (cr, s[2][0], s[2][1]);
      else
        {
          cairo_move_to (cr, s[2][0], s[2][1]);
          cairo_line_to (cr, s[3][0], s[3][1]);
        }
      cairo_stroke (cr);
      for (guint k = 0; k < m->n_points; k++)
        {
          cairo_arc (cr, s[k][0], s[k][1], 3, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      /* The label by the vertex, or by the second line's end. */
      lx = s[m->kind == FEN_MPR_MEASURE_ANGLE ? 1 : 3][0] + 8;
      ly = s[m->kind == FEN_MPR_MEASURE_ANGLE ? 1 : 3][1] + 4;
      break;
    case FEN_MPR_MEASURE_DISTANCE:
    default:
      cairo_move_to (cr, s[0][0], s[0][1]);
      cairo_line_to (cr, s[1][0], s[1][1]);
      cairo_stroke (cr);
      for (int k = 0; k < 2; k++)
        {
          cairo_arc (cr, s[k][0], s[k][1], 3, 0, 2 * G_PI);
          cairo_fill (cr);
        }
      lx = s[1][0] + 8;
      ly = s[1][1] + 4;
      break;
    }
  /* Handles of the selected one: a square on each point it is moved by. */
  /* (A freehand outline's vertices are many: it is thicker, no more.) */
  if (selected && m->kind != FEN_MPR_MEASURE_POLYGON)
    for (guint k = 0; k < m->n_points; k++)
      {
        cairo_rectangle (cr, s[k][0] - 4, s[k][1] - 4, 8, 8);
        cairo_set_source_rgba (cr, 0, 0, 0, 1);
        cairo_fill_preserve (cr);
        cairo_set_source_rgba (cr, yellow->red, yellow->green, yellow->blue, 1.0);
        cairo_set_line_width (cr, 1.5);
        cairo_stroke (cr);
      }
  text = fen_mpr_measure_text (state, item);
  if (text != NULL)
    _fen_mpr_pane_label (pane, snapshot, text, lx, ly, 0, 0, yellow, FALSE);
}

void
_fen_mpr_measure_snapshot (FenMprPane *pane, FenMprState *state, FenMprPlane plane, GtkSnapshot *snapshot, int w,
                           int h)
{
  cairo_t *cr = NULL;

  for (guint i = 0; i < state->measures->len; i++)
    {
      const FenMprMeasureItem *item = fen_mpr_measure_item (state, (int) i);

      if (!fen_mpr_measure_shown (state, plane, &item->m))
        continue;
      /* One cairo node for every shape; the labels are nodes above it. */
      if (cr == NULL)
        cr = gtk_snapshot_append_cairo (snapshot, &GRAPHENE_RECT_INIT (0, 0, w, h));
      fen_mpr_measure_snapshot_one (pane, state, plane, snapshot, cr, item, (int) i == state->selected);
    }
  if (cr != NULL)
    cairo_destroy (cr);
}
