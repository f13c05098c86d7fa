/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-close-watch.h: a pass-through input stream that notices a multipart
 * body's close delimiter going by. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FEN_TYPE_CLOSE_WATCH (fen_close_watch_get_type ())
G_DECLARE_FINAL_TYPE (FenCloseWatch, fen_close_watch, FEN, CLOSE_WATCH, GFilterInputStream)

/* Returns: (transfer full): a stream reading @base unchanged */
FenCloseWatch *fen_close_watch_new        (GInputStream *base, const char *boundary);
gboolean       fen_close_watch_saw_close  (FenCloseWatch *self);
gboolean       fen_close_watch_cut_short  (FenCloseWatch *self);
gboolean       fen_close_watch_line_too_long (FenCloseWatch *self);

G_END_DECLS
