/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-series-order.c: the core's series order (fen-series-order.c) on
 * members made up here: along the normal whichever way the stack points,
 * Instance Number when a plane is missing or the planes are not parallel,
 * then the file name, and the same order whatever order they were added in.
 * Files written by GDCM and DCMTK go through the same order in
 * test-series-index. Links the core alone. */
#define G_LOG_DOMAIN "fen-test-series-order"

#include <glib.h>
#include <fenestra/fen-series-order.h>

static const double axial[6] = { 1, 0, 0, 0, 1, 0 };          /* normal +z */
static const double sagittal[6] = { 0, 1, 0, 0, 0, -1 };      /* normal -x */

static void
fen_test_member (FenSeriesMember *m, guint id, gint instance, const double *orientation,
                 double x, double z, const char *name)
{
  *m = (FenSeriesMember) { 0 };
  m->id = id;
  m->n_frames = 1;
  m->instance_number = instance;
  m->name = name;
  if (orientation != NULL)
    {
      m->has_plane = TRUE;
      m->position[0] = x;
      m->position[2] = z;
      for (int i = 0; i < 6; i++)
        m->orientation[i] = orientation[i];
    }
}

/* Adds @members in the order @perm gives and checks the ids come out as @want. */
static void
fen_test_check (const FenSeriesMember *members, guint n, const guint *perm, const guint *want,
                gboolean spatial)
{
  g_autoptr(FenSeriesOrder) order = fen_series_order_new ();

  for (guint i = 0; i < n; i++)
    fen_series_order_add (order, &members[perm[i]]);
  g_assert_cmpuint (fen_series_order_get_n_members (order), ==, n);
  for (guint i = 0; i < n; i++)
    g_assert_cmpuint (fen_series_order_get_id (order, i), ==, want[i]);
  g_assert_cmpint (fen_series_order_is_spatial (order), ==, spatial);
}

/* Every permutation of up to 5 members (Heap's algorithm). */
static void
fen_test_all_orders (const FenSeriesMember *members, guint n, const guint *want, gboolean spatial)
{
  guint perm[5], c[5] = { 0 }, i = 1;

  g_assert_cmpuint (n, <=, 5);
  for (guint k = 0; k < n; k++)
    perm[k] = k;
  fen_test_check (members, n, perm, want, spatial);
  while (i < n)
    {
      if (c[i] < i)
        {
          guint j = i % 2 == 0 ? 0 : c[i], t = perm[j];
          perm[j] = perm[i];
          perm[i] = t;
          fen_test_check (members, n, perm, want, spatial);
          c[i]++;
          i = 1;
        }
      else
        c[i++] = 0;
    }
}

static void
fen_test_along_normal (void)
{
  FenSeriesMember m[5];
  /* Instance numbers run against the positions: the positions win. */
  fen_test_member (&m[0], 10, 5, axial, 0, -20.0, "a");
  fen_test_member (&m[1], 11, 4, axial, 0, 10.0, "b");
  fen_test_member (&m[2], 12, 3, axial, 0, -5.0, "c");
  fen_test_member (&m[3], 13, 2, axial, 0, 2.5, "d");
  fen_test_member (&m[4], 14, 1, axial, 0, 40.0, "e");
  static const guint want[] = { 10, 12, 13, 11, 14 };
  fen_test_all_orders (m, 5, want, TRUE);

  /* Sagittal: the normal is -x, so the highest x comes first. */
  fen_test_member (&m[0], 1, 1, sagittal, 30.0, 0, "s1");
  fen_test_member (&m[1], 2, 2, sagittal, -10.0, 0, "s2");
  fen_test_member (&m[2], 3, 3, sagittal, 10.0, 0, "s3");
  static const guint want_sag[] = { 1, 3, 2 };
  fen_test_all_orders (m, 3, want_sag, TRUE);
}

static void
fen_test_instance_fallback (void)
{
  FenSeriesMember m[4];

  /* One member without a plane: the series goes by Instance Number. */
  fen_test_member (&m[0], 1, 3, axial, 0, -20.0, "a");
  fen_test_member (&m[1], 2, 1, axial, 0, 10.0, "b");
  fen_test_member (&m[2], 3, 2, NULL, 0, 0, "c");
  fen_test_member (&m[3], 4, 4, axial, 0, 5.0, "d");
  static const guint want[] = { 2, 3, 1, 4 };
  fen_test_all_orders (m, 4, want, FALSE);

  /* Scouts in two planes in one series: no normal to order along. */
  fen_test_member (&m[0], 1, 2, axial, 0, -20.0, "a");
  fen_test_member (&m[1], 2, 1, sagittal, 0, 10.0, "b");
  fen_test_member (&m[2], 3, 3, axial, 0, 30.0, "c");
  static const guint want_scouts[] = { 2, 1, 3 };
  fen_test_all_orders (m, 3, want_scouts, FALSE);

  /* Cosines that are no plane count as none. */
  static const double bad[6] = { 1, 0, 0, 1, 0, 0 };
  fen_test_member (&m[0], 1, 2, axial, 0, -20.0, "a");
  fen_test_member (&m[1], 2, 1, bad, 0, 10.0, "b");
  static const guint want_bad[] = { 2, 1 };
  fen_test_all_orders (m, 2, want_bad, FALSE);
}

static void
fen_test_name_fallback (void)
{
  FenSeriesMember m[4];

  /* No plane, no Instance Number: the file name, then the whole path,
   * then the id. */
  fen_test_member (&m[0], 1, 0, NULL, 0, 0, "/x/b/IM2");
  fen_test_member (&m[1], 2, 0, NULL, 0, 0, "/x/a/IM10");
  fen_test_member (&m[2], 3, 0, NULL, 0, 0, "/x/a/IM2");
  fen_test_member (&m[3], 4, 0, NULL, 0, 0, NULL);
  static const guint want[] = { 4, 2, 3, 1 };
  fen_test_all_orders (m, 4, want, FALSE);

  /* Two at one position: Instance Number decides between them. */
  fen_test_member (&m[0], 1, 2, axial, 0, 5.0, "a");
  fen_test_member (&m[1], 2, 1, axial, 0, 5.0, "b");
  fen_test_member (&m[2], 3, 9, axial, 0, 1.0, "c");
  static const guint want_tie[] = { 3, 2, 1 };
  fen_test_all_orders (m, 3, want_tie, TRUE);
}

static void
fen_test_slices_and_remove (void)
{
  g_autoptr(FenSeriesOrder) order = fen_series_order_new ();
  FenSeriesMember m[3];
  guint id = 0, frame = 0;

  fen_test_member (&m[0], 7, 1, axial, 0, 0.0, "a");
  m[0].n_frames = 3;
  fen_test_member (&m[1], 8, 2, axial, 0, 9.0, "b");
  fen_test_member (&m[2], 9, 3, NULL, 0, 0, "c");
  for (guint i = 0; i < 3; i++)
    fen_series_order_add (order, &m[i]);
  g_assert_false (fen_series_order_is_spatial (order));
  g_assert_cmpuint (fen_series_order_get_n_slices (order), ==, 5);
  g_assert_true (fen_series_order_get_slice (order, 2, &id, &frame));
  g_assert_cmpuint (id, ==, 7);
  g_assert_cmpuint (frame, ==, 2);
  g_assert_true (fen_series_order_get_slice (order, 3, &id, &frame));
  g_assert_cmpuint (id, ==, 8);
  g_assert_cmpuint (frame, ==, 0);
  g_assert_false (fen_series_order_get_slice (order, 5, &id, &frame));
  g_assert_cmpint (fen_series_order_find_slice (order, 8, 0), ==, 3);
  g_assert_cmpint (fen_series_order_find_slice (order, 7, 99), ==, 2);
  g_assert_cmpint (fen_series_order_find_slice (order, 1, 0), ==, -1);

  /* Without the member that had no plane, the order is spatial again. */
  g_assert_true (fen_series_order_remove (order, 9));
  g_assert_false (fen_series_order_remove (order, 9));
  g_assert_true (fen_series_order_is_spatial (order));
  g_assert_cmpuint (fen_series_order_get_id (order, 0), ==, 7);
  g_assert_cmpuint (fen_series_order_get_n_slices (order), ==, 4);
}

static void
fen_test_key (void)
{
  g_autofree char *a = fen_series_key ("1.2.3", "/x/IM1");
  g_autofree char *b = fen_series_key ("1.2.3", "/y/IM9");
  g_autofree char *c = fen_series_key (NULL, "/x/IM1");
  g_autofree char *d = fen_series_key ("", "/x/IM2");

  g_assert_cmpstr (a, ==, b);
  g_assert_cmpstr (a, !=, c);
  g_assert_cmpstr (c, !=, d);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/series-order/along-normal", fen_test_along_normal);
  g_test_add_func ("/series-order/instance-fallback", fen_test_instance_fallback);
  g_test_add_func ("/series-order/name-fallback", fen_test_name_fallback);
  g_test_add_func ("/series-order/slices-and-remove", fen_test_slices_and_remove);
  g_test_add_func ("/series-order/key", fen_test_key);
  return g_test_run ();
}
