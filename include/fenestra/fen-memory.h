/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-memory.h: in-process memory monitor: snapshots around operations, budget, report. */
#pragma once

#include <stdio.h>
#include "fen-types.h"
#include "fen-store.h"

G_BEGIN_DECLS

/**
 * FenMemorySnapshot:
 * All sizes in bytes. @peak_rss is the high-water mark since the current
 * operation began (the monitor resets the kernel's mark at each begin when
 * it may), else since the process started.
 */
typedef struct {
  char   label[64];     /* operation and image id only, never patient data */
  gint64 time_us;       /* g_get_monotonic_time() */
  gint64 rss;
  gint64 peak_rss;
  gint64 heap;          /* mallinfo2: in use, arena plus mmapped */
  gint64 store_bytes;
  gint64 cache_bytes;
  gint64 render_bytes;
} FenMemorySnapshot;

/**
 * FenMemoryOperation:
 * One operation: a snapshot before, one after, and how many events it
 * grouped (a drag is one operation of many updates).
 */
typedef struct {
  FenMemorySnapshot before;
  FenMemorySnapshot after;
  guint             n_updates;
  guint64           serial;
} FenMemoryOperation;

typedef enum {
  FEN_MEMORY_CACHE,
  FEN_MEMORY_RENDER,
  /* Granted to a load (make_room passed) but not yet in the store: counted
   * as held, so that two loading threads cannot both be granted the same
   * room. */
  FEN_MEMORY_PENDING,
} FenMemoryAccount;

typedef enum {
  FEN_MEMORY_NORMAL,
  FEN_MEMORY_WARNING,
  FEN_MEMORY_CRITICAL,
} FenMemoryState;

typedef void (*FenMemoryListener) (FenMemoryMonitor         *monitor,
                                   const FenMemoryOperation *operation,
                                   gpointer                  user_data);

/* Returns: (transfer full): a monitor keeping the last @capacity operations. */
FenMemoryMonitor *fen_memory_monitor_new  (guint capacity);
void              fen_memory_monitor_free (FenMemoryMonitor *monitor);

/* @store is borrowed (a reference is taken). */
void     fen_memory_monitor_set_store   (FenMemoryMonitor *monitor, FenStore *store);
/* Cache and render-buffer bytes are counted by whoever owns them; atomic.
 * The store's pyramid levels are not accounted here: snapshots read them
 * from the store (fen_store_get_cache_bytes()). */
void     fen_memory_monitor_account     (FenMemoryMonitor *monitor, FenMemoryAccount account, gint64 delta);
/* Appends one JSON object per operation to @path while the monitor lives. */
gboolean fen_memory_monitor_open_log    (FenMemoryMonitor *monitor, const char *path, GError **error);
void     fen_memory_monitor_set_listener (FenMemoryMonitor *monitor, FenMemoryListener listener, gpointer user_data);

/* Reads RSS, peak, heap and the counters now. */
void     fen_memory_monitor_snapshot    (FenMemoryMonitor *monitor, const char *label, FenMemorySnapshot *out);

/* Starts an operation: takes the before snapshot (resets the peak mark). */
void     fen_memory_monitor_begin       (FenMemoryMonitor *monitor, FenMemoryOperation *op,
                                         const char *format, ...) G_GNUC_PRINTF (3, 4);
/* Ends it: the after snapshot, into the ring, the log and the listener.
 * Thread-safe; the listener runs on the calling thread (a GUI must hop to
 * its main thread itself). */
void     fen_memory_monitor_end         (FenMemoryMonitor *monitor, FenMemoryOperation *op);
/* begin + end at once: a mark in the log ("start", "state warning"). */
void     fen_memory_monitor_mark        (FenMemoryMonitor *monitor, const char *format, ...) G_GNUC_PRINTF (2, 3);

guint    fen_memory_monitor_get_n_operations (FenMemoryMonitor *monitor);
/* @index 0 is the newest. Returns: (transfer none): valid until @capacity
 * more operations end; read it on the thread that ends operations. */
const FenMemoryOperation *fen_memory_monitor_get_operation (FenMemoryMonitor *monitor, guint index);

/* Budget: @budget bytes, warning and critical as fractions of it. The state
 * compares the bytes the monitor holds (store + caches + render buffers) with
 * it: RSS beyond those is libraries and GTK, which shedding cannot change. */
void     fen_memory_monitor_set_budget  (FenMemoryMonitor *monitor, gint64 budget, double warning, double critical);
gint64   fen_memory_monitor_get_budget  (FenMemoryMonitor *monitor);
/* The warning and critical levels as fractions of the budget (0.8, 0.9). */
void     fen_memory_monitor_get_levels  (FenMemoryMonitor *monitor, double *warning, double *critical);
FenMemoryState fen_memory_monitor_get_state (FenMemoryMonitor *monitor);
const char *fen_memory_state_to_string  (FenMemoryState state);

/**
 * FenMemoryShedder:
 * Called by fen_memory_monitor_make_room(), on its thread, to drop caches
 * the store does not hold (the store's pyramid levels are shed before it)
 * when the held bytes are still above the warning level. Returns the bytes
 * freed by the time it returns.
 */
typedef gsize (*FenMemoryShedder) (FenMemoryMonitor *monitor, gpointer user_data);
void     fen_memory_monitor_set_shedder (FenMemoryMonitor *monitor, FenMemoryShedder shedder, gpointer user_data);

/* Bytes the monitor counts against the budget: store + caches + render
 * buffers + what loads were granted and have not handed to the store yet. */
gint64   fen_memory_monitor_get_held    (FenMemoryMonitor *monitor);
/* The state of @held bytes against the budget's levels. */
FenMemoryState fen_memory_monitor_state_for (FenMemoryMonitor *monitor, gint64 held);

/**
 * fen_memory_monitor_make_room:
 * Before a load of @incoming bytes: if the held bytes plus @incoming would
 * pass the warning level, sheds caches (the store's pyramid levels as far as
 * needed, least recently used first, then the shedder's); if they would still pass the
 * critical level, evicts the least recently viewed images that are not
 * pinned (fen_store_shed()). Each eviction round is a snapshot in the log.
 * @evicted_ids: (nullable): receives the ids evicted
 * Returns: %FALSE with %FEN_IO_ERROR_TOO_LARGE when the load cannot fit
 * below the critical level even then.
 */
gboolean fen_memory_monitor_make_room   (FenMemoryMonitor *monitor, gsize incoming,
                                         GArray *evicted_ids, GError **error);

/* Returns: (transfer full): the text report: now, budget, operations, large buffers. */
char    *fen_memory_monitor_report      (FenMemoryMonitor *monitor);
/* Returns: (transfer full): one operation as a JSON object on one line. */
char    *fen_memory_operation_to_json   (const FenMemoryOperation *op);

/* Reads the process's RSS and peak RSS (VmRSS, VmHWM) and heap in use. */
void     fen_memory_read_process        (gint64 *rss, gint64 *peak_rss, gint64 *heap);
/* Resets the kernel's peak RSS mark; FALSE where not permitted. */
gboolean fen_memory_reset_peak          (void);
/* Physical memory of the machine. */
gint64   fen_memory_get_physical        (void);
/* "14.9 MiB" into @buf. */
const char *fen_memory_format_size      (gint64 bytes, char *buf, gsize size);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenMemoryMonitor, fen_memory_monitor_free)

G_END_DECLS
