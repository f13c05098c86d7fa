/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cine.c: the cine clock (fen-cine.h) without a display: which frame
 * is due when, looping and bouncing; a late tick skips frames instead of
 * slowing the run; ten minutes of 60 Hz ticks do not drift; a new rate or
 * mode goes on from the frame on screen. */
#define G_LOG_DOMAIN "fen-test"

#include <fenestra/fen-cine.h>

#include <math.h>

static void
test_loop (void)
{
  FenCine cine;

  /* 20 fps: step k is due at k x 50 ms; just before, the step before. */
  fen_cine_start (&cine, 1000000, 20.0, 100, 0, FEN_CINE_LOOP);
  for (gint64 k = 0; k < 250; k++)
    {
      g_assert_cmpuint (fen_cine_frame_at (&cine, 1000000 + k * 50000), ==, k % 100);
      if (k > 0)
        g_assert_cmpuint (fen_cine_frame_at (&cine, 1000000 + k * 50000 - 1), ==, (k - 1) % 100);
    }
  /* Before the start: the first frame. */
  g_assert_cmpuint (fen_cine_frame_at (&cine, 0), ==, 0);

  /* From the frame on screen, round the end. */
  fen_cine_start (&cine, 0, 20.0, 100, 97, FEN_CINE_LOOP);
  g_assert_cmpuint (fen_cine_frame_for_step (&cine, 0), ==, 97);
  g_assert_cmpuint (fen_cine_frame_for_step (&cine, 2), ==, 99);
  g_assert_cmpuint (fen_cine_frame_for_step (&cine, 3), ==, 0);
  g_assert_cmpuint (fen_cine_frame_for_step (&cine, 103), ==, 0);
  /* A first frame past the end is clamped. */
  fen_cine_start (&cine, 0, 20.0, 10, 50, FEN_CINE_LOOP);
  g_assert_cmpuint (cine.first, ==, 9);
}

static void
test_bounce (void)
{
  static const guint four[] = { 0, 1, 2, 3, 2, 1, 0, 1, 2, 3, 2, 1, 0 };
  static const guint from_two[] = { 2, 3, 2, 1, 0, 1, 2, 3 };
  FenCine cine;

  fen_cine_start (&cine, 0, 10.0, 4, 0, FEN_CINE_BOUNCE);
  for (guint k = 0; k < G_N_ELEMENTS (four); k++)
    g_assert_cmpuint (fen_cine_frame_for_step (&cine, k), ==, four[k]);
  fen_cine_start (&cine, 0, 10.0, 4, 2, FEN_CINE_BOUNCE);
  for (guint k = 0; k < G_N_ELEMENTS (from_two); k++)
    g_assert_cmpuint (fen_cine_frame_for_step (&cine, k), ==, from_two[k]);
  fen_cine_start (&cine, 0, 10.0, 2, 0, FEN_CINE_BOUNCE);
  for (guint k = 0; k < 6; k++)
    g_assert_cmpuint (fen_cine_frame_for_step (&cine, k), ==, k % 2);
  /* One frame: nothing to play, nothing to divide by. */
  fen_cine_start (&cine, 0, 10.0, 1, 0, FEN_CINE_BOUNCE);
  g_assert_cmpuint (fen_cine_frame_for_step (&cine, 5), ==, 0);
  fen_cine_start (&cine, 0, 10.0, 0, 0, FEN_CINE_LOOP);
  g_assert_cmpuint (fen_cine_frame_for_step (&cine, 5), ==, 0);
}

/* A tick 1.05 s late at 20 fps: the frame due then, 20 frames skipped. */
static void
test_late (void)
{
  FenCine cine;
  guint frame = 999;

  fen_cine_start (&cine, 0, 20.0, 100, 0, FEN_CINE_LOOP);
  g_assert_true (fen_cine_tick (&cine, 0, &frame));
  g_assert_cmpuint (frame, ==, 0);
  /* The same step again: nothing new to show. */
  g_assert_false (fen_cine_tick (&cine, 49999, &frame));
  g_assert_true (fen_cine_tick (&cine, 1050000, &frame));
  g_assert_cmpuint (frame, ==, 21);
  g_assert_cmpuint (cine.n_shown, ==, 2);
  g_assert_cmpuint (cine.n_skipped, ==, 20);
  /* Back on time at once: the next step at 1.1 s. */
  g_assert_false (fen_cine_tick (&cine, 1099999, &frame));
  g_assert_true (fen_cine_tick (&cine, 1100000, &frame));
  g_assert_cmpuint (frame, ==, 22);
  g_assert_cmpuint (cine.n_skipped, ==, 20);
  /* Shown: 3 frames, 2 intervals over 1.1 s. */
  g_assert_cmpfloat_with_epsilon (fen_cine_get_achieved_fps (&cine), 2 / 1.1, 1e-9);
}

/* Ten minutes of ticks from a 60 Hz clock whose intervals jitter by up to
 * +-2 ms: every step is shown once, none skipped, the last on time. */
static void
test_no_drift (gconstpointer data)
{
  const double fps = *(const double *) data;
  const gint64 start = 123456789, minutes = 10;
  FenCine cine;
  GRand *rand = g_rand_new_with_seed (42);
  gint64 t = start;
  guint frame, last = 0;
  guint64 shown = 0;

  fen_cine_start (&cine, start, fps, 37, 5, FEN_CINE_LOOP);
  while (t < start + minutes * 60 * G_USEC_PER_SEC)
    {
      if (fen_cine_tick (&cine, t, &frame))
        {
          /* Always the frame due; in order when ticks outpace steps. */
          g_assert_cmpuint (frame, ==, fen_cine_frame_at (&cine, t));
          if (fps <= 30.0)
            g_assert_cmpuint (frame, ==, (5 + shown) % 37);
          shown++;
          last = frame;
        }
      t += 16667 + g_rand_int_range (rand, -2000, 2001);
    }
  /* Every step due by the last tick, shown or skipped: the clock is the
   * anchor's. */
  g_assert_cmpint ((gint64) (shown + cine.n_skipped), ==, fen_cine_step_at (&cine, cine.last_shown_us) + 1);
  g_assert_cmpint (fen_cine_step_at (&cine, t), ==,
                   (gint64) floor ((double) (t - start) * fps / 1e6));
  g_assert_cmpuint (last, ==, fen_cine_frame_at (&cine, cine.last_shown_us));
  /* Ticks at least every 18.7 ms outpace steps up to 30 fps: none
   * skipped, the rate achieved the rate asked. */
  if (fps <= 30.0)
    {
      g_assert_cmpuint (cine.n_skipped, ==, 0);
      g_assert_cmpfloat (fabs (fen_cine_get_achieved_fps (&cine) - fps), <, fps * 1e-3);
    }
  g_rand_free (rand);
}

static void
test_set_fps (void)
{
  FenCine cine;
  guint frame;

  fen_cine_start (&cine, 0, 20.0, 100, 0, FEN_CINE_LOOP);
  g_assert_true (fen_cine_tick (&cine, 0, &frame));
  g_assert_true (fen_cine_tick (&cine, 1025000, &frame));
  g_assert_cmpuint (frame, ==, 20);
  /* Half the rate from 1.025 s: frame 20 stays, 21 is due 100 ms later. */
  fen_cine_set_fps (&cine, 1025000, 10.0);
  g_assert_false (fen_cine_tick (&cine, 1124999, &frame));
  g_assert_true (fen_cine_tick (&cine, 1125000, &frame));
  g_assert_cmpuint (frame, ==, 21);
  g_assert_cmpuint (cine.n_skipped, ==, 19);

  /* Out of range rates are clamped to 1..60 fps. */
  fen_cine_set_fps (&cine, 1125000, 0.0);
  g_assert_cmpfloat (cine.fps, ==, FEN_CINE_MIN_FPS);
  fen_cine_set_fps (&cine, 1125000, 1000.0);
  g_assert_cmpfloat (cine.fps, ==, FEN_CINE_MAX_FPS);
  fen_cine_set_fps (&cine, 1125000, NAN);
  g_assert_cmpfloat (cine.fps, ==, FEN_CINE_MIN_FPS);
}

static void
test_set_mode (void)
{
  FenCine cine;
  guint frame;

  /* Looping at frame 3 of 5, then bouncing: 3, 4, 3, 2, ... */
  fen_cine_start (&cine, 0, 10.0, 5, 0, FEN_CINE_LOOP);
  g_assert_true (fen_cine_tick (&cine, 300000, &frame));
  g_assert_cmpuint (frame, ==, 3);
  fen_cine_set_mode (&cine, 300000, FEN_CINE_BOUNCE);
  g_assert_false (fen_cine_tick (&cine, 350000, &frame));
  g_assert_true (fen_cine_tick (&cine, 400000, &frame));
  g_assert_cmpuint (frame, ==, 4);
  g_assert_true (fen_cine_tick (&cine, 500000, &frame));
  g_assert_cmpuint (frame, ==, 3);
  g_assert_true (fen_cine_tick (&cine, 600000, &frame));
  g_assert_cmpuint (frame, ==, 2);
  /* The counts run on across the change. */
  g_assert_cmpuint (cine.n_shown, ==, 4);
  g_assert_cmpuint (cine.n_skipped, ==, 0);
}

int
main (int argc, char **argv)
{
  static const double rates[] = { 1.0, 20.0, 24.0, 25.0, 30.0, 60.0 };

  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cine/loop", test_loop);
  g_test_add_func ("/cine/bounce", test_bounce);
  g_test_add_func ("/cine/late-tick-skips", test_late);
  for (guint i = 0; i < G_N_ELEMENTS (rates); i++)
    {
      g_autofree char *path = g_strdup_printf ("/cine/no-drift/%g-fps", rates[i]);
      g_test_add_data_func_full (path, g_memdup2 (&rates[i], sizeof rates[i]), test_no_drift, g_free);
    }
  g_test_add_func ("/cine/set-fps", test_set_fps);
  g_test_add_func ("/cine/set-mode", test_set_mode);
  return g_test_run ();
}
