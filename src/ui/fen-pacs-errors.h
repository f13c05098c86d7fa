/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-errors.h: a FenNetError in words a user can act on, for the
 * study browser and the preferences; the error's own message (the
 * technical cause) stays available as the details. */
#pragma once

#include "fen-types-ui.h"

G_BEGIN_DECLS

/* Returns: (transfer full): one or two sentences for @error, which need
 * not be a FEN_NET_ERROR (then its message, capitalised). */
char *fen_pacs_error_to_words (const GError *error);

G_END_DECLS
