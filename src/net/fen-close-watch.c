/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-close-watch.c: SoupMultipartInputStream ends its last part at the end
 * of the body whether or not the close delimiter "--BOUNDARY--" (RFC 2046
 * 5.1.1) came, so a body cut short looks complete. This stream sits under
 * it, passes every byte through and remembers whether the close delimiter
 * went by; a retrieve that ends without it ends in an error. The delimiter
 * cannot occur inside a part, by the definition of a boundary. */
#define G_LOG_DOMAIN "fen-net"

#include "fen-close-watch.h"

#include <string.h>

struct _FenCloseWatch
{
  GFilterInputStream parent_instance;

  /* Owned */
  char    *delimiter;      /* "--" BOUNDARY "--" */
  gsize    delimiter_len;
  guint8  *window;         /* the last delimiter_len - 1 bytes seen */
  gsize    window_len;
  gboolean saw_close;
  gboolean at_eof;
};

G_DEFINE_FINAL_TYPE (FenCloseWatch, fen_close_watch, G_TYPE_FILTER_INPUT_STREAM)

static void
fen_close_watch_scan (FenCloseWatch *self, const guint8 *data, gsize n)
{
  gsize keep = self->delimiter_len - 1;
  guint8 seam[256];
  gsize head = MIN (n, keep), seam_len = self->window_len + head;

  if (self->saw_close || n == 0)
    return;
  /* In the new bytes, then across the seam with what came before. */
  if (memmem (data, n, self->delimiter, self->delimiter_len) != NULL)
    self->saw_close = TRUE;
  memcpy (seam, self->window, self->window_len);
  memcpy (seam + self->window_len, data, head);
  if (memmem (seam, seam_len, self->delimiter, self->delimiter_len) != NULL)
    self->saw_close = TRUE;
  /* The window becomes the last keep bytes of seam + data. */
  if (n >= keep)
    {
      memcpy (self->window, data + n - keep, keep);
      self->window_len = keep;
    }
  else
    {
      gsize total = self->window_len + n, drop = total > keep ? total - keep : 0;

      memmove (self->window, seam + drop, total - drop);
      self->window_len = total - drop;
    }
}

static gssize
fen_close_watch_read (GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable,
                      GError **error)
{
  FenCloseWatch *self = FEN_CLOSE_WATCH (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
  gssize n = g_input_stream_read (base, buffer, count, cancellable, error);

  if (n > 0)
    fen_close_watch_scan (self, buffer, (gsize) n);
  else if (n == 0 && count > 0)
    self->at_eof = TRUE;
  return n;
}

static void
fen_close_watch_finalize (GObject *object)
{
  FenCloseWatch *self = FEN_CLOSE_WATCH (object);

  g_free (self->delimiter);
  g_free (self->window);
  G_OBJECT_CLASS (fen_close_watch_parent_class)->finalize (object);
}

static void
fen_close_watch_class_init (FenCloseWatchClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = fen_close_watch_finalize;
  G_INPUT_STREAM_CLASS (klass)->read_fn = fen_close_watch_read;
}

static void
fen_close_watch_init (FenCloseWatch *self)
{
}

FenCloseWatch *
fen_close_watch_new (GInputStream *base, const char *boundary)
{
  FenCloseWatch *self = g_object_new (FEN_TYPE_CLOSE_WATCH, "base-stream", base, NULL);

  /* libsoup accepts a boundary given with or without its leading "--";
   * RFC 2046 5.1.1 bounds it to 70 characters, the seam buffer to 128. */
  self->delimiter = g_str_has_prefix (boundary, "--") ? g_strconcat (boundary, "--", NULL)
                                                      : g_strconcat ("--", boundary, "--", NULL);
  self->delimiter_len = strlen (self->delimiter);
  self->window = g_malloc (self->delimiter_len);
  return self;
}

gboolean
fen_close_watch_saw_close (FenCloseWatch *self)
{
  return self->saw_close;
}

/* The body ended without its close delimiter: whatever part was being read
 * is cut short. */
gboolean
fen_close_watch_cut_short (FenCloseWatch *self)
{
  return self->at_eof && !self->saw_close;
}
