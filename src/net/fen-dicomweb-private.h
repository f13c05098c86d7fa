/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dicomweb-private.h: the WADO-RS multipart reader of fen-dicomweb.c,
 * apart from the HTTP exchange, so that the multipart fuzzer
 * (fuzz/fuzz-multipart.c) drives it from memory. Needs libsoup 3. */
#pragma once

#include <libsoup/soup.h>

#include "fen-net-private.h"

G_BEGIN_DECLS

/**
 * _fen_dicomweb_read_parts:
 * @msg: the answer's message: its response headers' Content-Type (with the
 *   boundary) is what is parsed against
 * @body: the answer's body
 * @incoming: a private folder inside @dir (_fen_net_incoming_dir_new())
 * @n_retrieved: (inout): counts each object placed in @dir
 *
 * Reads `multipart/related; type="application/dicom"` one part at a time:
 * each part into a file in @incoming, then checked (a whole part, a DICOM
 * file with a valid SOP Instance UID) and renamed to `UID.dcm` in @dir.
 * Returns: %FALSE with a %FEN_NET_ERROR when the answer is malformed, cut
 *   short or fails to arrive; the objects placed before stay.
 */
gboolean _fen_dicomweb_read_parts (SoupMessage *msg, GInputStream *body, const char *incoming,
                                   const char *dir, const FenPacsNode *node, FenPacsInstanceFunc func,
                                   gpointer user_data, guint *n_retrieved, GCancellable *cancellable,
                                   GError **error);

G_END_DECLS
