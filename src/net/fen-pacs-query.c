/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-query.c: echo and find in a GTask thread (fen-pacs-query.h), so
 * that a window never waits on the network. Each task owns deep copies of
 * what it was given: the caller's node and query may go at once. */
#define G_LOG_DOMAIN "fen-net"

#include <fenestra/fen-pacs-query.h>

typedef struct {
  FenPacsNode  *node;
  FenPacsQuery  query;
  char         *strings[10];   /* owned: what query's pointers point to */
} FenPacsQueryTask;

static void
fen_pacs_query_task_free (gpointer data)
{
  FenPacsQueryTask *t = data;

  fen_pacs_node_free (t->node);
  for (guint i = 0; i < G_N_ELEMENTS (t->strings); i++)
    g_free (t->strings[i]);
  g_free (t);
}

static FenPacsQueryTask *
fen_pacs_query_task_new (const FenPacsNode *node, const FenPacsQuery *query)
{
  FenPacsQueryTask *t = g_new0 (FenPacsQueryTask, 1);

  t->node = fen_pacs_node_copy (node);
  if (query != NULL)
    {
      const char **fields[] = { &t->query.patient_name, &t->query.patient_id, &t->query.date_from,
                                &t->query.date_to, &t->query.modality, &t->query.accession,
                                &t->query.description, &t->query.study_uid, &t->query.series_uid };

      G_STATIC_ASSERT (G_N_ELEMENTS (fields) <= G_N_ELEMENTS (t->strings));
      t->query = *query;
      for (guint i = 0; i < G_N_ELEMENTS (fields); i++)
        *fields[i] = t->strings[i] = g_strdup (*fields[i]);
    }
  return t;
}

/* A cancel seen by GTask before the thread ran is a GIO error: the caller
 * hears FEN_NET_ERROR_CANCELLED whichever way it went. */
static gboolean
fen_pacs_query_check_cancel (GTask *task, GCancellable *cancellable)
{
  if (!g_cancellable_is_cancelled (cancellable))
    return FALSE;
  g_task_return_new_error (task, FEN_NET_ERROR, FEN_NET_ERROR_CANCELLED, "cancelled");
  return TRUE;
}

static void
fen_pacs_echo_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  FenPacsQueryTask *t = task_data;
  GError *error = NULL;

  if (fen_pacs_query_check_cancel (task, cancellable))
    return;
  if (fen_pacs_echo (t->node, cancellable, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

void
fen_pacs_echo_async (const FenPacsNode *node, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (node != NULL);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fen_pacs_echo_async);
  /* The result comes from the thread, cancelled or not: GTask must not
   * answer a cancel by itself before the association is closed, nor turn
   * our FEN_NET_ERROR_CANCELLED into GIO's. */
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, fen_pacs_query_task_new (node, NULL), fen_pacs_query_task_free);
  g_task_run_in_thread (task, fen_pacs_echo_thread);
}

gboolean
fen_pacs_echo_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fen_pacs_echo_async, FALSE);
  return g_task_propagate_boolean (G_TASK (result), error);
}

static void
fen_pacs_find_thread (GTask *task, gpointer source, gpointer task_data, GCancellable *cancellable)
{
  FenPacsQueryTask *t = task_data;
  GError *error = NULL;
  GPtrArray *matches;

  if (fen_pacs_query_check_cancel (task, cancellable))
    return;
  matches = fen_pacs_find (t->node, &t->query, cancellable, &error);
  if (matches != NULL)
    g_task_return_pointer (task, matches, (GDestroyNotify) g_ptr_array_unref);
  else
    g_task_return_error (task, error);
}

void
fen_pacs_find_async (const FenPacsNode *node, const FenPacsQuery *query, GCancellable *cancellable,
                     GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (node != NULL && query != NULL);
  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, fen_pacs_find_async);
  g_task_set_return_on_cancel (task, FALSE);
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, fen_pacs_query_task_new (node, query), fen_pacs_query_task_free);
  g_task_run_in_thread (task, fen_pacs_find_thread);
}

GPtrArray *
fen_pacs_find_finish (GAsyncResult *result, GError **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == fen_pacs_find_async, NULL);
  return g_task_propagate_pointer (G_TASK (result), error);
}
