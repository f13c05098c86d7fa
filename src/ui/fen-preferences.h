/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-preferences.h: the preferences window; its PACS page lists the
 * nodes (add, edit, remove, test the connection). */
#pragma once

#include "fen-types-ui.h"

G_BEGIN_DECLS

#define FEN_TYPE_PREFERENCES (fen_preferences_get_type ())
G_DECLARE_FINAL_TYPE (FenPreferences, fen_preferences, FEN, PREFERENCES, GtkWindow)

/* @settings: (nullable): without settings the page says so and edits nothing. */
FenPreferences *fen_preferences_new (GtkApplication *app, GSettings *settings);

G_END_DECLS
