/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-close-watch.c: SoupMultipartInputStream ends its last part at the end
 * of the body whether or not the close delimiter "--BOUNDARY--" (RFC 2046
 * 5.1.1) came, so a body cut short looks complete. This stream sits under
 * it, passes every byte through and remembers whether the close delimiter
 * went by; a retrieve that ends without it ends in an error. The delimiter
 * cannot occur inside a part, by the definition of a boundary.
 *
 * It also keeps libsoup 3.2 from a critical a peer can cause: outside the
 * parts (before the first boundary, and from each boundary to the blank
 * line ending its part's headers) libsoup reads lines of at most 8 KiB and
 * asserts (g_return_val_if_fail, soup_multipart_input_stream_read_headers)
 * that each ends in a line feed, which a longer line, or a body ending
 * mid-line, breaks. So the stream follows the same lines: a line that ends
 * the body gets its line feed (the body is cut short either way, which
 * fen_close_watch_cut_short() reports), and a line longer than
 * FEN_CLOSE_WATCH_MAX_LINE is a read error, which
 * fen_close_watch_line_too_long() reports. */
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

  /* libsoup's reading outside the parts, followed (see the top) */
  char    *boundary;       /* "--" BOUNDARY, as libsoup looks for it */
  gsize    boundary_len;
  gsize   *next;           /* KMP: the longest proper border of boundary[0..i] */
  gsize    matched;        /* in a part: boundary bytes matched so far */
  int      where;
  gsize    line_len;       /* outside the parts: the current line so far */
  guint8   line_head[80];  /* its first boundary_len bytes */
  guint8   line_tail[4];   /* its last 4 bytes, newest last */
  gboolean eof_line_feed;  /* the line feed given to a body ending mid-line */
  gboolean too_long;
};

enum {
  FEN_WATCH_PREAMBLE,      /* lines before the first boundary */
  FEN_WATCH_BOUNDARY_LINE, /* the line a boundary starts */
  FEN_WATCH_HEADERS,       /* a part's header lines */
  FEN_WATCH_PART,          /* a part's content, up to the next boundary */
  FEN_WATCH_DONE,          /* after the close delimiter: never read */
};

/* Below libsoup's 8192 (RESPONSE_BLOCK_SIZE), with room to spare. */
#define FEN_CLOSE_WATCH_MAX_LINE 8000

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

static void
fen_close_watch_add_to_line (FenCloseWatch *self, const guint8 *data, gsize n)
{
  if (self->line_len < self->boundary_len)
    {
      gsize take = MIN (n, self->boundary_len - self->line_len);
      memcpy (self->line_head + self->line_len, data, take);
    }
  for (gsize i = n > 4 ? n - 4 : 0; i < n; i++)
    {
      memmove (self->line_tail, self->line_tail + 1, 3);
      self->line_tail[3] = data[i];
    }
  self->line_len += n;
}

static gboolean
fen_close_watch_line_ends (const FenCloseWatch *self, const char *end)
{
  gsize n = strlen (end);
  return self->line_len >= n && memcmp (self->line_tail + 4 - n, end, n) == 0;
}

/* A whole line (with its line feed) outside the parts, as
 * soup_multipart_input_stream_read_headers() takes it. */
static void
fen_close_watch_end_line (FenCloseWatch *self)
{
  gboolean boundary_line = self->where == FEN_WATCH_BOUNDARY_LINE ||
    (self->where == FEN_WATCH_PREAMBLE && self->line_len >= self->boundary_len &&
     memcmp (self->line_head, self->boundary, self->boundary_len) == 0);

  if (boundary_line)
    /* libsoup's test for the close delimiter: the line's end. */
    self->where = fen_close_watch_line_ends (self, "--\r\n") || fen_close_watch_line_ends (self, "--\n")
      ? FEN_WATCH_DONE : FEN_WATCH_HEADERS;
  else if (self->where == FEN_WATCH_HEADERS &&
           (self->line_len == 1 || (self->line_len == 2 && self->line_tail[2] == '\r')))
    {
      self->where = FEN_WATCH_PART;
      self->matched = 0;
    }
  self->line_len = 0;
}

/* Follows @data through libsoup's reading: FALSE when a line outside the
 * parts is too long for it. */
static gboolean
fen_close_watch_follow (FenCloseWatch *self, const guint8 *data, gsize n)
{
  gsize i = 0;

  while (i < n)
    {
      if (self->where == FEN_WATCH_DONE)
        return TRUE;
      if (self->where == FEN_WATCH_PART)
        {
          /* SoupFilterInputStream's read_until: the boundary anywhere. */
          if (self->matched == 0)
            {
              const guint8 *p = memchr (data + i, self->boundary[0], n - i);
              if (p == NULL)
                return TRUE;
              i = (gsize) (p - data);
            }
          while (self->matched > 0 && data[i] != (guint8) self->boundary[self->matched])
            self->matched = self->next[self->matched - 1];
          if (data[i] == (guint8) self->boundary[self->matched])
            self->matched++;
          i++;
          if (self->matched == self->boundary_len)
            {
              self->where = FEN_WATCH_BOUNDARY_LINE;
              self->line_len = 0;
              fen_close_watch_add_to_line (self, (const guint8 *) self->boundary, self->boundary_len);
              self->matched = 0;
            }
          continue;
        }
      {
        const guint8 *lf = memchr (data + i, '\n', n - i);
        gsize end = lf != NULL ? (gsize) (lf - data) + 1 : n;

        fen_close_watch_add_to_line (self, data + i, end - i);
        i = end;
        if (self->line_len > FEN_CLOSE_WATCH_MAX_LINE)
          return FALSE;
        if (lf != NULL)
          fen_close_watch_end_line (self);
      }
    }
  return TRUE;
}

static gssize
fen_close_watch_read (GInputStream *stream, void *buffer, gsize count, GCancellable *cancellable,
                      GError **error)
{
  FenCloseWatch *self = FEN_CLOSE_WATCH (stream);
  GInputStream *base = g_filter_input_stream_get_base_stream (G_FILTER_INPUT_STREAM (stream));
  gssize n;

  if (self->too_long)
    goto too_long;
  n = g_input_stream_read (base, buffer, count, cancellable, error);
  if (n > 0)
    {
      fen_close_watch_scan (self, buffer, (gsize) n);
      if (!fen_close_watch_follow (self, buffer, (gsize) n))
        {
          self->too_long = TRUE;
          goto too_long;
        }
    }
  else if (n == 0 && count > 0)
    {
      /* The body ends mid-line outside the parts: its line feed, once. */
      if (self->where != FEN_WATCH_PART && self->where != FEN_WATCH_DONE && self->line_len > 0 &&
          !self->eof_line_feed)
        {
          self->eof_line_feed = TRUE;
          ((guint8 *) buffer)[0] = '\n';
          fen_close_watch_end_line (self);
          return 1;
        }
      self->at_eof = TRUE;
    }
  return n;

too_long:
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
               "a line of more than %d bytes outside the objects", FEN_CLOSE_WATCH_MAX_LINE);
  return -1;
}

static void
fen_close_watch_finalize (GObject *object)
{
  FenCloseWatch *self = FEN_CLOSE_WATCH (object);

  g_free (self->delimiter);
  g_free (self->window);
  g_free (self->boundary);
  g_free (self->next);
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
  self->boundary = g_strndup (self->delimiter, self->delimiter_len - 2);
  self->boundary_len = self->delimiter_len - 2;
  g_return_val_if_fail (self->boundary_len <= sizeof self->line_head, self);
  /* KMP's table, so that a boundary split across reads or overlapping
   * itself ("---x") is still found. */
  self->next = g_new0 (gsize, self->boundary_len);
  for (gsize i = 1, k = 0; i < self->boundary_len; i++)
    {
      while (k > 0 && self->boundary[i] != self->boundary[k])
        k = self->next[k - 1];
      if (self->boundary[i] == self->boundary[k])
        k++;
      self->next[i] = k;
    }
  self->where = FEN_WATCH_PREAMBLE;
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

/* A line outside the parts was longer than libsoup reads: the answer is not
 * multipart with the declared boundary. */
gboolean
fen_close_watch_line_too_long (FenCloseWatch *self)
{
  return self->too_long;
}
