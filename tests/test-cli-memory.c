/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-memory.c: what opening an image costs fenestra-cli, measured from
 * outside. The peak RSS of `fenestra-cli info` (the kernel's ru_maxrss of the
 * child) on a 2800 x 2800 16-bit image, minus its peak on a 2 x 2 image (the
 * tool's own baseline: libraries, DCMTK's dictionary, parsing), must stay
 * within 1.15 x the extra pixel bytes: one buffer, no second copy. */
#define G_LOG_DOMAIN "fen-test"

#include <glib.h>
#include <glib/gstdio.h>

#include <fcntl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

static void
make_fixture (const char *path, guint side)
{
  g_autofree char *rows = g_strdup_printf ("%u", side);
  const char *argv[] = { g_getenv ("FEN_MAKE_FIXTURE"), "--kind", "ct-s16", "--rows", rows,
                         "--cols", rows, "-o", path, NULL };
  g_autoptr(GError) error = NULL;
  int status = 0;

  g_assert_true (g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL,
                               NULL, NULL, &status, &error));
  g_assert_no_error (error);
  g_assert_true (g_spawn_check_wait_status (status, NULL));
}

/* Peak RSS in bytes of one run of `fenestra-cli info PATH`. */
static gint64
peak_of_run (const char *path)
{
  struct rusage usage;
  int status = 0;
  pid_t pid = fork ();

  g_assert_cmpint (pid, >=, 0);
  if (pid == 0)
    {
      int null = open ("/dev/null", O_WRONLY);
      dup2 (null, STDOUT_FILENO);
      execl (g_getenv ("FEN_CLI"), "fenestra-cli", "info", path, (char *) NULL);
      _exit (127);
    }
  g_assert_cmpint (wait4 (pid, &status, 0, &usage), ==, pid);
  g_assert_true (WIFEXITED (status) && WEXITSTATUS (status) == 0);
  return (gint64) usage.ru_maxrss * 1024;
}

static gint64
best_peak (const char *path)
{
  gint64 best = G_MAXINT64;

  /* The least of a few runs: the machine is shared, the file is cached. */
  for (int i = 0; i < 5; i++)
    best = MIN (best, peak_of_run (path));
  return best;
}

static void
test_open_peak (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fen-cli-memory-XXXXXX", NULL);
  g_autofree char *small = g_build_filename (dir, "small.dcm", NULL);
  g_autofree char *big = g_build_filename (dir, "big.dcm", NULL);
  const gint64 pixels = 2800 * 2800 * 2, small_pixels = 2 * 2 * 2;
  gint64 base, peak;
  double ratio;

  if (g_getenv ("FEN_CLI") == NULL || g_getenv ("FEN_MAKE_FIXTURE") == NULL)
    {
      g_test_skip ("FEN_CLI and FEN_MAKE_FIXTURE are set by ctest");
      return;
    }
  make_fixture (small, 2);
  make_fixture (big, 2800);
  base = best_peak (small);
  peak = best_peak (big);
  ratio = (double) (peak - base) / (double) (pixels - small_pixels);
  g_test_message ("RESULT peak %.2f MiB, baseline %.2f MiB, above baseline %.2f MiB "
                  "for %.2f MiB of pixels: %.3f x",
                  peak / 1048576.0, base / 1048576.0, (peak - base) / 1048576.0,
                  pixels / 1048576.0, ratio);
  g_assert_cmpfloat (ratio, <=, 1.15);

  g_unlink (small);
  g_unlink (big);
  g_rmdir (dir);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/cli/open-peak-2800", test_open_peak);
  return g_test_run ();
}
