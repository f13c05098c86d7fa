/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-cine.c: the cine clock (include/fenestra/fen-cine.h): steps due at
 * anchor + k / fps, frames from steps, late steps skipped, never drifting. */
#define G_LOG_DOMAIN "fen-cine"

#include "fenestra/fen-cine.h"

#include <math.h>

static double
fen_cine_clamp_fps (double fps)
{
  if (!isfinite (fps))
    return FEN_CINE_MIN_FPS;
  return CLAMP (fps, FEN_CINE_MIN_FPS, FEN_CINE_MAX_FPS);
}

void
fen_cine_start (FenCine *cine, gint64 now_us, double fps, guint n_frames, guint first, FenCineMode mode)
{
  g_return_if_fail (cine != NULL);

  cine->fps = fen_cine_clamp_fps (fps);
  cine->n_frames = MAX (n_frames, 1);
  cine->mode = mode;
  cine->first = MIN (first, cine->n_frames - 1);
  cine->anchor_us = now_us;
  cine->anchor_step = 0;
  cine->shown_step = -1;
  cine->n_shown = 0;
  cine->n_skipped = 0;
  cine->first_shown_us = 0;
  cine->last_shown_us = 0;
}

gint64
fen_cine_step_at (const FenCine *cine, gint64 now_us)
{
  g_return_val_if_fail (cine != NULL, 0);

  if (now_us <= cine->anchor_us)
    return cine->anchor_step;
  /* From the anchor every time: rounding never accumulates. The product
   * stays exact in a double for any run shorter than a century at 60 fps. */
  return cine->anchor_step + (gint64) floor ((double) (now_us - cine->anchor_us) * cine->fps / 1e6);
}

guint
fen_cine_frame_for_step (const FenCine *cine, gint64 step)
{
  gint64 n, at;

  g_return_val_if_fail (cine != NULL, 0);

  n = cine->n_frames;
  if (n <= 1)
    return 0;
  at = cine->first + MAX (step, 0);
  if (cine->mode == FEN_CINE_LOOP)
    return (guint) (at % n);
  /* Bounce: 0 1 .. n-1 n-2 .. 1, then again; a period of 2 (n - 1) steps. */
  at %= 2 * (n - 1);
  return (guint) (at < n ? at : 2 * (n - 1) - at);
}

guint
fen_cine_frame_at (const FenCine *cine, gint64 now_us)
{
  return fen_cine_frame_for_step (cine, fen_cine_step_at (cine, now_us));
}

gboolean
fen_cine_tick (FenCine *cine, gint64 now_us, guint *frame)
{
  gint64 step;

  g_return_val_if_fail (cine != NULL && frame != NULL, FALSE);

  step = fen_cine_step_at (cine, now_us);
  if (step <= cine->shown_step)
    return FALSE;
  if (cine->shown_step >= 0)
    cine->n_skipped += (guint64) (step - cine->shown_step - 1);
  if (cine->n_shown == 0)
    cine->first_shown_us = now_us;
  cine->shown_step = step;
  cine->last_shown_us = now_us;
  cine->n_shown++;
  *frame = fen_cine_frame_for_step (cine, step);
  return TRUE;
}

void
fen_cine_set_fps (FenCine *cine, gint64 now_us, double fps)
{
  g_return_if_fail (cine != NULL);

  /* The step due now stays due now: the frame on screen is kept. */
  cine->anchor_step = fen_cine_step_at (cine, now_us);
  cine->anchor_us = MAX (now_us, cine->anchor_us);
  cine->fps = fen_cine_clamp_fps (fps);
}

void
fen_cine_set_mode (FenCine *cine, gint64 now_us, FenCineMode mode)
{
  gint64 step;

  g_return_if_fail (cine != NULL);
  if (mode == cine->mode)
    return;
  /* Steps are numbered afresh from the frame due now, going forward. */
  step = fen_cine_step_at (cine, now_us);
  cine->first = fen_cine_frame_for_step (cine, step);
  cine->mode = mode;
  cine->anchor_us = MAX (now_us, cine->anchor_us);
  cine->anchor_step = 0;
  cine->shown_step = cine->shown_step == step ? 0 : -1;
}

double
fen_cine_get_achieved_fps (const FenCine *cine)
{
  g_return_val_if_fail (cine != NULL, 0.0);

  if (cine->n_shown < 2 || cine->last_shown_us <= cine->first_shown_us)
    return 0.0;
  return (double) (cine->n_shown - 1) * 1e6 / (double) (cine->last_shown_us - cine->first_shown_us);
}
