/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-cli-util.h: what the headless tool's commands parse alike. */
#pragma once

#include <fenestra/fenestra.h>

G_BEGIN_DECLS

/* "CENTER,WIDTH" in modality units, WIDTH > 0, into @w (other fields kept). */
gboolean fen_cli_parse_window (const char *text, FenWindowParams *w, GError **error);

G_END_DECLS
