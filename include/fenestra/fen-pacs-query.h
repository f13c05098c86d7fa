/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-query.h: fen_pacs_echo() and fen_pacs_find() off the caller's
 * thread, for a front end's main loop: each runs in a GTask thread on a
 * copy of the node and the query, and completes in the thread-default main
 * context of the caller. GTK-free. */
#pragma once

#include <fenestra/fen-pacs.h>

G_BEGIN_DECLS

/**
 * fen_pacs_echo_async:
 * @node: copied; the caller may free it at once
 * @cancellable: (nullable): cancels the echo (the error is
 *   %FEN_NET_ERROR_CANCELLED)
 */
void     fen_pacs_echo_async  (const FenPacsNode *node, GCancellable *cancellable,
                               GAsyncReadyCallback callback, gpointer user_data);
gboolean fen_pacs_echo_finish (GAsyncResult *result, GError **error);

/**
 * fen_pacs_find_async:
 * @node: copied
 * @query: copied, with its strings
 */
void       fen_pacs_find_async  (const FenPacsNode *node, const FenPacsQuery *query,
                                 GCancellable *cancellable, GAsyncReadyCallback callback,
                                 gpointer user_data);
/**
 * fen_pacs_find_finish:
 *
 * Returns: (transfer full) (element-type FenPacsMatch): the matches, or
 *   %NULL with @error
 */
GPtrArray *fen_pacs_find_finish (GAsyncResult *result, GError **error);

G_END_DECLS
