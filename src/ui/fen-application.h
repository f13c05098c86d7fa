/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-application.h: the viewer's application: the store, the memory monitor, settings. */
#pragma once

#include "fen-types-ui.h"

#include <fenestra/fen-pacs-cache.h>

G_BEGIN_DECLS

#define FEN_APPLICATION_ID "org.fenestra.Viewer"
#define FEN_TYPE_APPLICATION (fen_application_get_type ())
G_DECLARE_FINAL_TYPE (FenApplication, fen_application, FEN, APPLICATION, GtkApplication)

FenApplication   *fen_application_new          (void);
/* Returns: (transfer none) */
FenStore         *fen_application_get_store    (FenApplication *self);
/* Returns: (transfer none) */
FenMemoryMonitor *fen_application_get_monitor  (FenApplication *self);
/* Returns: (transfer none) (nullable): NULL when the schema is not installed. */
GSettings        *fen_application_get_settings (FenApplication *self);
/* Load options under the memory budget: the reserve hook makes room (sheds
 * caches, evicts least recently viewed images) or refuses the load. */
void              fen_application_get_load_options (FenApplication *self, FenLoadOptions *options);
/* The budget's state: the monitor's held bytes plus the process's growth
 * beyond them since startup (@pressure, nullable), against the levels. */
FenMemoryState    fen_application_get_memory_state (FenApplication *self, gint64 *pressure);
/* Returns: (transfer none): the on-disk cache of retrieved PACS objects
 * (under the XDG cache folder), made at first use. */
FenPacsCache     *fen_application_get_pacs_cache (FenApplication *self);
/* A window is drawn: RSS less the held bytes is the baseline from now on. */
void              fen_application_note_baseline (FenApplication *self);

G_END_DECLS
