/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-memory.c: the in-process memory monitor. Operations are bracketed by
 * two snapshots (RSS, peak, heap and the bytes the store, caches and render
 * buffers hold); the last N stay in a ring for the status panel and every
 * one is appended to a JSON-lines log. Labels carry operation names and
 * image ids only: no patient data ever reaches a snapshot. */
#define G_LOG_DOMAIN "fen-memory"

#include "fenestra/fen-memory.h"

#include <json-glib/json-glib.h>

#include <fcntl.h>
#include <malloc.h>
#include <stdarg.h>
#include <string.h>
#include <unistd.h>

struct _FenMemoryMonitor
{
  /* Guards the ring, the serial and the log: operations may end on a
   * loading thread (fen_memory_monitor_make_room from a reserve hook). */
  GMutex              lock;

  /* Owned */
  FenMemoryOperation *ring;
  guint               capacity;
  guint               count;      /* operations held, <= capacity */
  guint               head;       /* slot of the next operation */
  guint64             serial;
  FILE               *log;

  /* Borrowed (a reference is held) */
  FenStore           *store;

  FenMemoryListener   listener;
  gpointer            listener_data;
  FenMemoryShedder    shedder;
  gpointer            shedder_data;

  gint64              cache_bytes;   /* atomic */
  gint64              render_bytes;  /* atomic */
  gint64              pending_bytes; /* atomic */
  gint64              budget;
  double              warning;
  double              critical;
};

static gint64
fen_memory_parse_kib (const char *status, const char *key)
{
  const char *p = strstr (status, key);

  if (p == NULL)
    return 0;
  return g_ascii_strtoll (p + strlen (key), NULL, 10) * 1024;
}

void
fen_memory_read_process (gint64 *rss, gint64 *peak_rss, gint64 *heap)
{
  char buf[4096];
  int fd = open ("/proc/self/status", O_RDONLY | O_CLOEXEC);
  gssize n = fd >= 0 ? read (fd, buf, sizeof buf - 1) : -1;

  /* Read with a stack buffer: a snapshot must not itself move the heap. */
  if (fd >= 0)
    close (fd);
  buf[MAX (n, 0)] = '\0';
  if (rss)
    *rss = fen_memory_parse_kib (buf, "VmRSS:");
  if (peak_rss)
    *peak_rss = fen_memory_parse_kib (buf, "VmHWM:");
  if (heap)
    {
      struct mallinfo2 mi = mallinfo2 ();
      *heap = (gint64) (mi.uordblks + mi.hblkhd);
    }
}

gboolean
fen_memory_reset_peak (void)
{
  /* Linux 4.0+: writing 5 to clear_refs resets VmHWM to the current RSS. */
  int fd = open ("/proc/self/clear_refs", O_WRONLY | O_CLOEXEC);
  gboolean ok;

  if (fd < 0)
    return FALSE;
  ok = write (fd, "5", 1) == 1;
  close (fd);
  return ok;
}

gint64
fen_memory_get_physical (void)
{
  long pages = sysconf (_SC_PHYS_PAGES), page = sysconf (_SC_PAGESIZE);

  return pages > 0 && page > 0 ? (gint64) pages * page : 0;
}

const char *
fen_memory_format_size (gint64 bytes, char *buf, gsize size)
{
  double v = (double) ABS (bytes);
  const char *sign = bytes < 0 ? "-" : "";

  if (v >= 1024.0 * 1024 * 1024)
    g_snprintf (buf, size, "%s%.2f GiB", sign, v / (1024.0 * 1024 * 1024));
  else if (v >= 1024.0 * 1024)
    g_snprintf (buf, size, "%s%.1f MiB", sign, v / (1024.0 * 1024));
  else if (v >= 1024.0)
    g_snprintf (buf, size, "%s%.1f KiB", sign, v / 1024.0);
  else
    g_snprintf (buf, size, "%s%" G_GINT64_FORMAT " B", sign, (gint64) v);
  return buf;
}

FenMemoryMonitor *
fen_memory_monitor_new (guint capacity)
{
  FenMemoryMonitor *monitor = g_new0 (FenMemoryMonitor, 1);

  g_mutex_init (&monitor->lock);
  monitor->capacity = MAX (capacity, 1u);
  monitor->ring = g_new0 (FenMemoryOperation, monitor->capacity);
  monitor->budget = fen_memory_get_physical () / 2;
  monitor->warning = 0.8;
  monitor->critical = 0.9;
  return monitor;
}

void
fen_memory_monitor_free (FenMemoryMonitor *monitor)
{
  if (monitor == NULL)
    return;
  if (monitor->log != NULL)
    fclose (monitor->log);
  g_clear_pointer (&monitor->store, fen_store_unref);
  g_free (monitor->ring);
  g_mutex_clear (&monitor->lock);
  g_free (monitor);
}

void
fen_memory_monitor_set_store (FenMemoryMonitor *monitor, FenStore *store)
{
  if (store != NULL)
    fen_store_ref (store);
  g_clear_pointer (&monitor->store, fen_store_unref);
  monitor->store = store;
}

void
fen_memory_monitor_account (FenMemoryMonitor *monitor, FenMemoryAccount account, gint64 delta)
{
  gint64 *counter = account == FEN_MEMORY_CACHE ? &monitor->cache_bytes
                    : account == FEN_MEMORY_RENDER ? &monitor->render_bytes : &monitor->pending_bytes;

  /* GLib 2.74 has no 64-bit atomic add; a compare-and-swap loop does it. */
  for (;;)
    {
      gint64 old = __atomic_load_n (counter, __ATOMIC_RELAXED);
      if (__atomic_compare_exchange_n (counter, &old, old + delta, FALSE,
                                       __ATOMIC_RELAXED, __ATOMIC_RELAXED))
        break;
    }
}

gboolean
fen_memory_monitor_open_log (FenMemoryMonitor *monitor, const char *path, GError **error)
{
  FILE *log = fopen (path, "a");

  if (log == NULL)
    {
      int saved = errno;
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_WRITE,
                   "%s: cannot open the memory log: %s", path, g_strerror (saved));
      return FALSE;
    }
  if (monitor->log != NULL)
    fclose (monitor->log);
  /* Line buffered: the log is read while the program runs. */
  setvbuf (log, NULL, _IOLBF, 0);
  monitor->log = log;
  return TRUE;
}

void
fen_memory_monitor_set_listener (FenMemoryMonitor *monitor, FenMemoryListener listener, gpointer user_data)
{
  monitor->listener = listener;
  monitor->listener_data = user_data;
}

void
fen_memory_monitor_snapshot (FenMemoryMonitor *monitor, const char *label, FenMemorySnapshot *out)
{
  memset (out, 0, sizeof *out);
  g_strlcpy (out->label, label ? label : "", sizeof out->label);
  out->time_us = g_get_monotonic_time ();
  fen_memory_read_process (&out->rss, &out->peak_rss, &out->heap);
  out->store_bytes = monitor->store ? (gint64) fen_store_get_bytes (monitor->store) : 0;
  /* The store's pyramid levels, plus whatever other caches account themselves. */
  out->cache_bytes = __atomic_load_n (&monitor->cache_bytes, __ATOMIC_RELAXED) +
                     (monitor->store ? (gint64) fen_store_get_cache_bytes (monitor->store) : 0);
  out->render_bytes = __atomic_load_n (&monitor->render_bytes, __ATOMIC_RELAXED);
}

void
fen_memory_monitor_begin (FenMemoryMonitor *monitor, FenMemoryOperation *op, const char *format, ...)
{
  char label[64];
  va_list args;

  va_start (args, format);
  g_vsnprintf (label, sizeof label, format, args);
  va_end (args);

  memset (op, 0, sizeof *op);
  fen_memory_reset_peak ();
  fen_memory_monitor_snapshot (monitor, label, &op->before);
}

static void
fen_memory_json_snapshot (JsonBuilder *b, const char *name, const FenMemorySnapshot *snap)
{
  json_builder_set_member_name (b, name);
  json_builder_begin_object (b);
  json_builder_set_member_name (b, "t_us");
  json_builder_add_int_value (b, snap->time_us);
  json_builder_set_member_name (b, "rss");
  json_builder_add_int_value (b, snap->rss);
  json_builder_set_member_name (b, "peak_rss");
  json_builder_add_int_value (b, snap->peak_rss);
  json_builder_set_member_name (b, "heap");
  json_builder_add_int_value (b, snap->heap);
  json_builder_set_member_name (b, "store");
  json_builder_add_int_value (b, snap->store_bytes);
  json_builder_set_member_name (b, "cache");
  json_builder_add_int_value (b, snap->cache_bytes);
  json_builder_set_member_name (b, "render");
  json_builder_add_int_value (b, snap->render_bytes);
  json_builder_end_object (b);
}

static void
fen_memory_json_int (JsonBuilder *b, const char *name, gint64 value)
{
  json_builder_set_member_name (b, name);
  json_builder_add_int_value (b, value);
}

/* One line of the log (JSON, RFC 8259, written by json-glib). A label that
 * is not UTF-8 has its bad bytes replaced by U+FFFD first: a JSON text is
 * UTF-8 (section 8.1). */
char *
fen_memory_operation_to_json (const FenMemoryOperation *op)
{
  const FenMemorySnapshot *a = &op->before, *b = &op->after;
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *label = g_utf8_make_valid (a->label, -1);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "op");
  json_builder_add_string_value (builder, label);
  fen_memory_json_int (builder, "serial", (gint64) op->serial);
  fen_memory_json_int (builder, "updates", op->n_updates);
  fen_memory_json_int (builder, "duration_us", b->time_us - a->time_us);
  fen_memory_json_snapshot (builder, "before", a);
  fen_memory_json_snapshot (builder, "after", b);
  json_builder_set_member_name (builder, "delta");
  json_builder_begin_object (builder);
  fen_memory_json_int (builder, "rss", b->rss - a->rss);
  fen_memory_json_int (builder, "heap", b->heap - a->heap);
  fen_memory_json_int (builder, "store", b->store_bytes - a->store_bytes);
  fen_memory_json_int (builder, "cache", b->cache_bytes - a->cache_bytes);
  fen_memory_json_int (builder, "render", b->render_bytes - a->render_bytes);
  fen_memory_json_int (builder, "peak_above_before", MAX (b->peak_rss, b->rss) - a->rss);
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  return json_generator_to_data (generator, NULL);
}

void
fen_memory_monitor_end (FenMemoryMonitor *monitor, FenMemoryOperation *op)
{
  FenMemoryOperation copy;
  g_autofree char *json = NULL;

  fen_memory_monitor_snapshot (monitor, op->before.label, &op->after);

  g_mutex_lock (&monitor->lock);
  op->serial = ++monitor->serial;
  monitor->ring[monitor->head] = *op;
  monitor->head = (monitor->head + 1) % monitor->capacity;
  monitor->count = MIN (monitor->count + 1, monitor->capacity);
  if (monitor->log != NULL)
    {
      json = fen_memory_operation_to_json (op);
      fputs (json, monitor->log);
      fputc ('\n', monitor->log);
    }
  copy = *op;
  g_mutex_unlock (&monitor->lock);

  /* Outside the lock, with a copy: the listener may read the ring. */
  if (monitor->listener != NULL)
    monitor->listener (monitor, &copy, monitor->listener_data);
}

void
fen_memory_monitor_mark (FenMemoryMonitor *monitor, const char *format, ...)
{
  FenMemoryOperation op;
  char label[64];
  va_list args;

  va_start (args, format);
  g_vsnprintf (label, sizeof label, format, args);
  va_end (args);

  memset (&op, 0, sizeof op);
  fen_memory_monitor_snapshot (monitor, label, &op.before);
  fen_memory_monitor_end (monitor, &op);
}

guint
fen_memory_monitor_get_n_operations (FenMemoryMonitor *monitor)
{
  guint count;

  g_mutex_lock (&monitor->lock);
  count = monitor->count;
  g_mutex_unlock (&monitor->lock);
  return count;
}

const FenMemoryOperation *
fen_memory_monitor_get_operation (FenMemoryMonitor *monitor, guint index)
{
  const FenMemoryOperation *op;

  g_mutex_lock (&monitor->lock);
  op = index < monitor->count
       ? &monitor->ring[(monitor->head + monitor->capacity - 1 - index) % monitor->capacity]
       : NULL;
  g_mutex_unlock (&monitor->lock);
  g_return_val_if_fail (op != NULL, NULL);
  return op;
}

void
fen_memory_monitor_get_levels (FenMemoryMonitor *monitor, double *warning, double *critical)
{
  *warning = monitor->warning;
  *critical = monitor->critical;
}

void
fen_memory_monitor_set_budget (FenMemoryMonitor *monitor, gint64 budget, double warning, double critical)
{
  monitor->budget = budget;
  monitor->warning = warning;
  monitor->critical = critical;
}

gint64
fen_memory_monitor_get_budget (FenMemoryMonitor *monitor)
{
  return monitor->budget;
}

gint64
fen_memory_monitor_get_held (FenMemoryMonitor *monitor)
{
  FenMemorySnapshot now;

  fen_memory_monitor_snapshot (monitor, "", &now);
  return now.store_bytes + now.cache_bytes + now.render_bytes +
         __atomic_load_n (&monitor->pending_bytes, __ATOMIC_RELAXED);
}

FenMemoryState
fen_memory_monitor_state_for (FenMemoryMonitor *monitor, gint64 held)
{
  if (monitor->budget <= 0)
    return FEN_MEMORY_NORMAL;
  if (held >= monitor->critical * monitor->budget)
    return FEN_MEMORY_CRITICAL;
  if (held >= monitor->warning * monitor->budget)
    return FEN_MEMORY_WARNING;
  return FEN_MEMORY_NORMAL;
}

FenMemoryState
fen_memory_monitor_get_state (FenMemoryMonitor *monitor)
{
  return fen_memory_monitor_state_for (monitor, fen_memory_monitor_get_held (monitor));
}

void
fen_memory_monitor_set_shedder (FenMemoryMonitor *monitor, FenMemoryShedder shedder, gpointer user_data)
{
  monitor->shedder = shedder;
  monitor->shedder_data = user_data;
}

gboolean
fen_memory_monitor_make_room (FenMemoryMonitor *monitor, gsize incoming,
                              GArray *evicted_ids, GError **error)
{
  gint64 warning = (gint64) (monitor->warning * monitor->budget);
  gint64 critical = (gint64) (monitor->critical * monitor->budget);
  FenMemoryOperation op;
  gint64 held, cache;
  char a[32], b[32];

  if (monitor->budget <= 0)
    return TRUE;
  held = fen_memory_monitor_get_held (monitor);
  if (held + (gint64) incoming <= warning)
    return TRUE;

  /* Warning: caches go first. The store's pyramid levels are shed here, on
   * the calling thread, as far as needed and least recently used first;
   * the shedder, if any, drops the others. */
  cache = monitor->store != NULL ? (gint64) fen_store_get_cache_bytes (monitor->store) : 0;
  if (cache > 0 || monitor->shedder != NULL)
    {
      fen_memory_monitor_begin (monitor, &op, "shed caches");
      if (cache > 0)
        {
          gint64 excess = held + (gint64) incoming - warning;

          fen_store_shed_caches (monitor->store, (gsize) MAX (cache - excess, 0));
          held = fen_memory_monitor_get_held (monitor);
        }
      if (monitor->shedder != NULL && held + (gint64) incoming > warning)
        monitor->shedder (monitor, monitor->shedder_data);
      fen_memory_monitor_end (monitor, &op);
      held = fen_memory_monitor_get_held (monitor);
    }

  /* Critical: the least recently viewed images' pixels. */
  if (held + (gint64) incoming > critical && monitor->store != NULL)
    {
      gint64 others = held - (gint64) fen_store_get_bytes (monitor->store);
      gint64 target = critical - (gint64) incoming - others;

      fen_memory_monitor_begin (monitor, &op, "evict images");
      fen_store_shed (monitor->store, (gsize) MAX (target, 0), evicted_ids);
      fen_memory_monitor_end (monitor, &op);
      held = fen_memory_monitor_get_held (monitor);
    }

  if (held + (gint64) incoming > critical)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE,
                   "the image needs %s, but only %s of the memory budget is free even "
                   "after evicting every image not on screen",
                   fen_memory_format_size ((gint64) incoming, a, sizeof a),
                   fen_memory_format_size (MAX (critical - held, 0), b, sizeof b));
      return FALSE;
    }
  return TRUE;
}

const char *
fen_memory_state_to_string (FenMemoryState state)
{
  switch (state)
    {
    case FEN_MEMORY_WARNING:  return "warning";
    case FEN_MEMORY_CRITICAL: return "critical";
    case FEN_MEMORY_NORMAL:
    default:                  return "normal";
    }
}

char *
fen_memory_monitor_report (FenMemoryMonitor *monitor)
{
  GString *s = g_string_new (NULL);
  FenMemorySnapshot now;
  char a[32], b[32], c[32], d[32], e[32], f[32];

  fen_memory_monitor_snapshot (monitor, "report", &now);
  g_string_append_printf (s, "Fenestra memory report\n\n"
                          "RSS %s (peak %s), heap %s\n"
                          "store %s, caches %s, render buffers %s\n",
                          fen_memory_format_size (now.rss, a, sizeof a),
                          fen_memory_format_size (now.peak_rss, b, sizeof b),
                          fen_memory_format_size (now.heap, c, sizeof c),
                          fen_memory_format_size (now.store_bytes, d, sizeof d),
                          fen_memory_format_size (now.cache_bytes, e, sizeof e),
                          fen_memory_format_size (now.render_bytes, f, sizeof f));
  g_string_append_printf (s, "budget %s (warning %.0f%%, critical %.0f%%): %s\n",
                          fen_memory_format_size (monitor->budget, a, sizeof a),
                          monitor->warning * 100, monitor->critical * 100,
                          fen_memory_state_to_string (fen_memory_monitor_get_state (monitor)));

  g_string_append (s, "\nOperations (newest first)\n");
  g_string_append_printf (s, "%-32s %8s %10s %12s %12s %12s %12s\n",
                          "operation", "updates", "ms", "ΔRSS", "Δheap", "Δstore", "peak above");
  for (guint i = 0; i < monitor->count; i++)
    {
      const FenMemoryOperation *op = fen_memory_monitor_get_operation (monitor, i);
      const FenMemorySnapshot *x = &op->before, *y = &op->after;

      g_string_append_printf (s, "%-32s %8u %10.1f %12s %12s %12s %12s\n",
                              x->label, op->n_updates, (y->time_us - x->time_us) / 1000.0,
                              fen_memory_format_size (y->rss - x->rss, a, sizeof a),
                              fen_memory_format_size (y->heap - x->heap, b, sizeof b),
                              fen_memory_format_size (y->store_bytes - x->store_bytes, c, sizeof c),
                              fen_memory_format_size (MAX (y->peak_rss, y->rss) - x->rss, d, sizeof d));
    }

  g_string_append (s, "\nLarge buffers (largest first)\n");
  if (monitor->store != NULL)
    {
      g_autoptr(GArray) buffers = fen_store_list_buffers (monitor->store);

      for (guint i = 0; i < buffers->len; i++)
        {
          const FenBufferInfo *info = &g_array_index (buffers, FenBufferInfo, i);
          g_string_append_printf (s, "%-32s %12s\n", info->owner,
                                  fen_memory_format_size ((gint64) info->bytes, a, sizeof a));
        }
    }
  if (now.cache_bytes > 0)
    g_string_append_printf (s, "%-32s %12s\n", "caches", fen_memory_format_size (now.cache_bytes, a, sizeof a));
  if (now.render_bytes > 0)
    g_string_append_printf (s, "%-32s %12s\n", "render buffers", fen_memory_format_size (now.render_bytes, a, sizeof a));
  return g_string_free (s, FALSE);
}
