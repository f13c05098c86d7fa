/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-cine.h: the cine clock: which frame of a run is on screen at a given
 * time, at a chosen rate, looping or bouncing. GTK-free, so the pacing rule
 * is tested headless; the viewer feeds it the frame clock's times. */
#pragma once

#include "fen-types.h"

G_BEGIN_DECLS

#define FEN_CINE_MIN_FPS 1.0
#define FEN_CINE_MAX_FPS 60.0

/**
 * FenCineMode:
 * @FEN_CINE_LOOP: after the last frame, the first
 * @FEN_CINE_BOUNCE: forward to the last frame, back to the first, and so on
 *   (the end frames are shown once per pass, not twice)
 */
typedef enum {
  FEN_CINE_LOOP,
  FEN_CINE_BOUNCE,
} FenCineMode;

/**
 * FenCine:
 * A plain value. Step k of a run is due at anchor_us + k / fps seconds;
 * the frame shown is a function of the step alone. The step due at a time
 * is computed from the anchor every time, never by adding intervals, so the
 * clock does not drift; a late caller gets the step due now and the steps
 * in between count as skipped. Changing the rate re-anchors at the step
 * due then, so the run goes on from the frame on screen.
 */
typedef struct {
  /* What was asked */
  double      fps;
  guint       n_frames;
  FenCineMode mode;
  guint       first;          /* the frame shown at step 0 */

  /* The clock */
  gint64      anchor_us;      /* when anchor_step was due */
  gint64      anchor_step;
  gint64      shown_step;     /* the last step shown, -1 before the first */

  /* What happened: frames shown and skipped, when the first and last were shown */
  guint64     n_shown;
  guint64     n_skipped;
  gint64      first_shown_us;
  gint64      last_shown_us;
} FenCine;

/**
 * fen_cine_start:
 * @now_us: the time of step 0 (a monotonic clock in microseconds)
 * @fps: frames a second, clamped to [FEN_CINE_MIN_FPS, FEN_CINE_MAX_FPS]
 * @n_frames: frames in the run (at least 1)
 * @first: the frame at step 0 (clamped to the run)
 * Resets @cine, counts included.
 */
void     fen_cine_start        (FenCine *cine, gint64 now_us, double fps, guint n_frames,
                                guint first, FenCineMode mode);
/* The step due at @now_us (0 before the anchor time). */
gint64   fen_cine_step_at      (const FenCine *cine, gint64 now_us);
/* The frame shown at @step: from @first, looping or bouncing. */
guint    fen_cine_frame_for_step (const FenCine *cine, gint64 step);
/* fen_cine_frame_for_step (fen_cine_step_at (@now_us)). */
guint    fen_cine_frame_at     (const FenCine *cine, gint64 now_us);

/**
 * fen_cine_tick:
 * @frame: (out): the frame to show
 * Called at every frame of the display. Returns %TRUE when a new step is
 * due, with its frame in @frame and the counts updated (steps passed over
 * since the last one shown are counted as skipped); %FALSE when the step
 * shown is still the one due.
 */
gboolean fen_cine_tick         (FenCine *cine, gint64 now_us, guint *frame);
/* A new rate from @now_us on, continuing from the step due then. */
void     fen_cine_set_fps      (FenCine *cine, gint64 now_us, double fps);
void     fen_cine_set_mode     (FenCine *cine, gint64 now_us, FenCineMode mode);
/* The rate achieved: frames shown after the first per second between the
 * first and the last shown; 0 before two frames were shown. */
double   fen_cine_get_achieved_fps (const FenCine *cine);

G_END_DECLS
