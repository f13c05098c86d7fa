/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-series-order.c: the order of a series' slices, defined once for the
 * viewer's sidebar (FenSeries), the study index and fenestra-cli. Members
 * are kept sorted; the order is a total one (the id decides last), so the
 * same members give the same order however they arrived. */
#define G_LOG_DOMAIN "fen-series-order"

#include "fenestra/fen-series-order.h"
#include "fenestra/fen-geometry.h"

#include <string.h>

/* Normals closer than this cosine (0.5 degree) are one direction: the
 * tolerance FenVolume gives a stack's row and column directions. */
#define FEN_SERIES_ORDER_PARALLEL_COS 0.99996

typedef struct {
  guint    id;
  guint    n_frames;
  gint     instance_number;
  gboolean has_plane;
  double   normal[3];
  double   distance;   /* along its own normal, mm */
  char    *name;       /* owned, nullable */
  char    *base;       /* into name: the file name */
} FenSeriesEntry;

struct _FenSeriesOrder
{
  /* Owned */
  GArray  *entries;    /* FenSeriesEntry, in series order */

  gboolean spatial;
};

void
fen_series_member_init (FenSeriesMember *member, const FenImageInfo *info, guint id, const char *name)
{
  g_return_if_fail (member != NULL && info != NULL);

  memset (member, 0, sizeof *member);
  member->id = id;
  member->n_frames = MAX (info->frames, 1u);
  member->instance_number = info->instance_number;
  member->name = name;
  if (info->has_orientation && (info->has_position || info->frame_positions != NULL))
    {
      member->has_plane = TRUE;
      memcpy (member->position, info->has_position ? info->image_position : info->frame_positions,
              sizeof member->position);
      memcpy (member->orientation, info->image_orientation, sizeof member->orientation);
    }
}

char *
fen_series_key (const char *series_uid, const char *fallback)
{
  if (series_uid != NULL && *series_uid != '\0')
    return g_strconcat ("uid:", series_uid, NULL);
  return g_strconcat ("one:", fallback ? fallback : "", NULL);
}

static void
fen_series_entry_clear (gpointer data)
{
  FenSeriesEntry *e = data;

  g_free (e->name);
}

FenSeriesOrder *
fen_series_order_new (void)
{
  FenSeriesOrder *order = g_new0 (FenSeriesOrder, 1);

  order->entries = g_array_new (FALSE, FALSE, sizeof (FenSeriesEntry));
  g_array_set_clear_func (order->entries, fen_series_entry_clear);
  order->spatial = TRUE;
  return order;
}

void
fen_series_order_free (FenSeriesOrder *order)
{
  if (order == NULL)
    return;
  g_array_unref (order->entries);
  g_free (order);
}

static gint
fen_series_order_compare (const FenSeriesEntry *a, const FenSeriesEntry *b, gboolean spatial)
{
  gint c;

  if (spatial && a->distance != b->distance)
    return a->distance < b->distance ? -1 : 1;
  if (a->instance_number != b->instance_number)
    return a->instance_number < b->instance_number ? -1 : 1;
  c = g_strcmp0 (a->base, b->base);
  if (c == 0)
    c = g_strcmp0 (a->name, b->name);
  if (c != 0)
    return c < 0 ? -1 : 1;
  return a->id < b->id ? -1 : a->id > b->id;
}

static gint
fen_series_order_compare_spatial (gconstpointer a, gconstpointer b)
{
  return fen_series_order_compare (a, b, TRUE);
}

static gint
fen_series_order_compare_plain (gconstpointer a, gconstpointer b)
{
  return fen_series_order_compare (a, b, FALSE);
}

/* Rule 1 holds when every member has a plane parallel to the first's. */
static gboolean
fen_series_order_check_spatial (const FenSeriesOrder *order)
{
  const FenSeriesEntry *first;

  if (order->entries->len == 0)
    return TRUE;
  first = &g_array_index (order->entries, FenSeriesEntry, 0);
  for (guint i = 0; i < order->entries->len; i++)
    {
      const FenSeriesEntry *e = &g_array_index (order->entries, FenSeriesEntry, i);

      if (!e->has_plane || fen_vec3_dot (first->normal, e->normal) < FEN_SERIES_ORDER_PARALLEL_COS)
        return FALSE;
    }
  return TRUE;
}

static void
fen_series_order_resort (FenSeriesOrder *order)
{
  order->spatial = fen_series_order_check_spatial (order);
  g_array_sort (order->entries, order->spatial ? fen_series_order_compare_spatial
                                               : fen_series_order_compare_plain);
}

void
fen_series_order_add (FenSeriesOrder *order, const FenSeriesMember *member)
{
  FenSeriesEntry e = { 0 };
  const char *slash;
  guint i;

  g_return_if_fail (order != NULL && member != NULL);

  e.id = member->id;
  e.n_frames = MAX (member->n_frames, 1u);
  e.instance_number = member->instance_number;
  e.name = g_strdup (member->name);
  slash = e.name != NULL ? strrchr (e.name, G_DIR_SEPARATOR) : NULL;
  e.base = slash != NULL ? (char *) slash + 1 : e.name;
  if (member->has_plane)
    {
      /* PS3.3 C.7.6.2.1.1, through fen-geometry: the slice normal is the
       * cross product of the direction cosines, and the position along it
       * orders the slices. Cosines that are not a plane give no position. */
      static const double unit[2] = { 1.0, 1.0 };
      FenPlaneGeometry g;

      if (fen_plane_geometry_init (&g, member->position, member->orientation, unit, NULL))
        {
          e.has_plane = TRUE;
          memcpy (e.normal, g.normal, sizeof e.normal);
          e.distance = fen_plane_geometry_get_distance (&g);
        }
    }

  if (order->spatial &&
      (!e.has_plane ||
       (order->entries->len > 0 &&
        fen_vec3_dot (g_array_index (order->entries, FenSeriesEntry, 0).normal, e.normal) < FEN_SERIES_ORDER_PARALLEL_COS)))
    {
      /* The series loses its order along the normal: all by rule 2 on. */
      g_array_append_val (order->entries, e);
      fen_series_order_resort (order);
      return;
    }
  for (i = 0; i < order->entries->len; i++)
    if (fen_series_order_compare (&e, &g_array_index (order->entries, FenSeriesEntry, i), order->spatial) < 0)
      break;
  g_array_insert_val (order->entries, i, e);
}

gboolean
fen_series_order_remove (FenSeriesOrder *order, guint id)
{
  g_return_val_if_fail (order != NULL, FALSE);

  for (guint i = 0; i < order->entries->len; i++)
    if (g_array_index (order->entries, FenSeriesEntry, i).id == id)
      {
        g_array_remove_index (order->entries, i);
        /* The member that broke rule 1 may have been this one. */
        if (!order->spatial)
          fen_series_order_resort (order);
        return TRUE;
      }
  return FALSE;
}

gboolean
fen_series_order_is_spatial (const FenSeriesOrder *order)
{
  return order->spatial && order->entries->len > 0;
}

guint
fen_series_order_get_n_members (const FenSeriesOrder *order)
{
  return order->entries->len;
}

guint
fen_series_order_get_id (const FenSeriesOrder *order, guint index)
{
  g_return_val_if_fail (index < order->entries->len, 0);
  return g_array_index (order->entries, FenSeriesEntry, index).id;
}

guint
fen_series_order_get_n_slices (const FenSeriesOrder *order)
{
  guint n = 0;

  for (guint i = 0; i < order->entries->len; i++)
    n += g_array_index (order->entries, FenSeriesEntry, i).n_frames;
  return n;
}

gboolean
fen_series_order_get_slice (const FenSeriesOrder *order, guint slice, guint *id, guint *frame)
{
  for (guint i = 0; i < order->entries->len; i++)
    {
      const FenSeriesEntry *e = &g_array_index (order->entries, FenSeriesEntry, i);

      if (slice < e->n_frames)
        {
          *id = e->id;
          *frame = slice;
          return TRUE;
        }
      slice -= e->n_frames;
    }
  return FALSE;
}

int
fen_series_order_find_slice (const FenSeriesOrder *order, guint id, guint frame)
{
  guint slice = 0;

  for (guint i = 0; i < order->entries->len; i++)
    {
      const FenSeriesEntry *e = &g_array_index (order->entries, FenSeriesEntry, i);

      if (e->id == id)
        return (int) (slice + MIN (frame, e->n_frames - 1));
      slice += e->n_frames;
    }
  return -1;
}
