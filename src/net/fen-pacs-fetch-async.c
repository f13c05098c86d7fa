/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-fetch-async.c: fen_pacs_fetch_async(), fen_pacs_fetch() in a
 * thread of its own. Each object's progress is copied (its image
 * referenced) into a queue that one idle source in the caller's main
 * context drains; the end of the fetch goes through the same queue, so the
 * caller hears every object before the completion, in order. */
#define G_LOG_DOMAIN "fen-net"

#include <fenestra/fen-pacs-fetch.h>

#include <string.h>

typedef struct {
  FenPacsFetchProgress p;     /* its strings, image and error owned here */
  GTask               *end;   /* the fetch is over: complete this task; the
                               * worker's reference, so that the worker never
                               * holds the last one (the task data is freed
                               * in the caller's context) */
} FenFetchEvent;

typedef struct {
  /* Owned */
  FenPacsCache     *cache;
  FenPacsNode      *node;
  char             *study_uid;
  char             *series_uid;
  FenStore         *store;
  FenLoadOptions    options;
  gboolean          has_options;
  FenPacsFetchFlags flags;
  FenPacsFetchFunc  func;
  gpointer          func_data;
  GDestroyNotify    func_data_destroy;
  GMainContext     *context;

  GMutex            lock;      /* events, scheduled */
  GQueue            events;
  gboolean          scheduled;

  FenPacsFetchStats stats;     /* written by the thread before the end event */
  gboolean          ok;
  GError           *error;
} FenFetchAsync;

static void
fen_fetch_event_free (FenFetchEvent *e)
{
  g_free ((char *) e->p.study_uid);
  g_free ((char *) e->p.series_uid);
  g_free ((char *) e->p.sop_instance_uid);
  g_free ((char *) e->p.path);
  g_clear_pointer (&e->p.image, fen_image_unref);
  if (e->p.error != NULL)
    g_error_free ((GError *) e->p.error);
  g_clear_object (&e->end);
  g_free (e);
}

static void
fen_fetch_async_free (gpointer data)
{
  FenFetchAsync *a = data;

  g_object_unref (a->cache);
  fen_pacs_node_free (a->node);
  g_free (a->study_uid);
  g_free (a->series_uid);
  g_clear_pointer (&a->store, fen_store_unref);
  if (a->func_data_destroy != NULL)
    a->func_data_destroy (a->func_data);
  g_main_context_unref (a->context);
  g_queue_clear_full (&a->events, (GDestroyNotify) fen_fetch_event_free);
  g_mutex_clear (&a->lock);
  g_clear_error (&a->error);
  g_free (a);
}

static FenPacsNode *
fen_fetch_async_copy_node (const FenPacsNode *node)
{
  FenPacsNode *copy = g_new (FenPacsNode, 1);

  *copy = *node;
  copy->called_ae = g_strdup (node->called_ae);
  copy->calling_ae = g_strdup (node->calling_ae);
  copy->host = g_strdup (node->host);
  copy->base_url = g_strdup (node->base_url);
  return copy;
}

/* In the caller's main context: every event queued so far. */
static gboolean
fen_fetch_async_dispatch (gpointer data)
{
  GTask *task = data;
  FenFetchAsync *a = g_task_get_task_data (task);

  for (;;)
    {
      FenFetchEvent *e;

      g_mutex_lock (&a->lock);
      e = g_queue_pop_head (&a->events);
      if (e == NULL)
        a->scheduled = FALSE;
      g_mutex_unlock (&a->lock);
      if (e == NULL)
        return G_SOURCE_REMOVE;
      if (e->end != NULL)
        {
          if (a->ok)
            g_task_return_boolean (task, TRUE);
          else
            g_task_return_error (task, g_steal_pointer (&a->error));
          fen_fetch_event_free (e);
          continue;
        }
      if (a->func != NULL)
        a->func (&e->p, a->func_data);
      fen_fetch_event_free (e);
    }
}

static void
fen_fetch_async_post (GTask *task, FenFetchEvent *e)
{
  FenFetchAsync *a = g_task_get_task_data (task);
  gboolean schedule;

  g_mutex_lock (&a->lock);
  g_queue_push_tail (&a->events, e);
  schedule = !a->scheduled;
  a->scheduled = TRUE;
  g_mutex_unlock (&a->lock);
  if (schedule)
    {
      g_autoptr(GSource) source = g_idle_source_new ();

      g_source_set_priority (source, G_PRIORITY_DEFAULT);
      g_source_set_callback (source, fen_fetch_async_dispatch, g_object_ref (task), g_object_unref);
      g_source_set_static_name (source, "[fenestra] fen_pacs_fetch_async");
      g_source_attach (source, a->context);
    }
}

/* FenPacsFetchFunc, on the fetch's loading thread. */
static void
fen_fetch_async_progress (const FenPacsFetchProgress *p, gpointer user_data)
{
  FenFetchEvent *e = g_new0 (FenFetchEvent, 1);

  e->p = *p;
  e->p.image = p->image != NULL ? fen_image_ref (p->image) : NULL;
  e->p.error = p->error != NULL ? g_error_copy (p->error) : NULL;
  e->p.study_uid = g_strdup (p->study_uid);
  e->p.series_uid = g_strdup (p->series_uid);
  e->p.sop_instance_uid = g_strdup (p->sop_instance_uid);
  e->p.path = g_strdup (p->path);
  fen_fetch_async_post (user_data, e);
}

static gpointer
fen_fetch_async_thread (gpointer data)
{
  GTask *task = data;
  FenFetchAsync *a = g_task_get_task_data (task);
  FenFetchEvent *end = g_new0 (FenFetchEvent, 1);

  a->ok = fen_pacs_fetch (a->cache, a->node, a->study_uid, a->series_uid, a->store,
                          a->has_options ? &a->options : NULL, a->flags,
                          a->func != NULL ? fen_fetch_async_progress : NULL, task, &a->stats,
                          g_task_get_cancellable (task), &a->error);
  end->end = task;
  fen_fetch_async_post (task, end);
  return NULL;
}

void
fen_pacs_fetch_async (FenPacsCache *cache, const FenPacsNode *node, const char *study_uid,
                      const char *series_uid, FenStore *store, const FenLoadOptions *load_options,
                      FenPacsFetchFlags flags, FenPacsFetchFunc func, gpointer func_data,
                      GDestroyNotify func_data_destroy, GCancellable *cancellable,
                      GAsyncReadyCallback callback, gpointer user_data)
{
  g_autoptr(GTask) task = NULL;
  FenFetchAsync *a;

  g_return_if_fail (FEN_IS_PACS_CACHE (cache) && node != NULL && study_uid != NULL);
  a = g_new0 (FenFetchAsync, 1);
  a->cache = g_object_ref (cache);
  a->node = fen_fetch_async_copy_node (node);
  a->study_uid = g_strdup (study_uid);
  a->series_uid = g_strdup (series_uid);
  a->store = store != NULL ? fen_store_ref (store) : NULL;
  a->has_options = load_options != NULL;
  if (load_options != NULL)
    a->options = *load_options;
  a->flags = flags;
  a->func = func;
  a->func_data = func_data;
  a->func_data_destroy = func_data_destroy;
  a->context = g_main_context_ref_thread_default ();
  g_mutex_init (&a->lock);
  g_queue_init (&a->events);

  task = g_task_new (cache, cancellable, callback, user_data);
  g_task_set_source_tag (task, fen_pacs_fetch_async);
  g_task_set_name (task, "[fenestra] fen_pacs_fetch_async");
  /* The fetch reports a cancel as FEN_NET_ERROR_CANCELLED itself. */
  g_task_set_check_cancellable (task, FALSE);
  g_task_set_task_data (task, a, fen_fetch_async_free);
  g_thread_unref (g_thread_new ("fen-pacs-fetch", fen_fetch_async_thread, g_steal_pointer (&task)));
}

gboolean
fen_pacs_fetch_finish (GAsyncResult *result, FenPacsFetchStats *stats, GError **error)
{
  GTask *task = G_TASK (result);
  FenFetchAsync *a;

  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (task) == fen_pacs_fetch_async, FALSE);
  a = g_task_get_task_data (task);
  if (stats != NULL)
    *stats = a->stats;
  return g_task_propagate_boolean (task, error);
}
