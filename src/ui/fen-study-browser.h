/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-study-browser.h: the study browser, a window of its own: search a
 * PACS node, list its studies and their series, retrieve or open them. */
#pragma once

#include "fen-types-ui.h"

G_BEGIN_DECLS

#define FEN_TYPE_STUDY_BROWSER (fen_study_browser_get_type ())
G_DECLARE_FINAL_TYPE (FenStudyBrowser, fen_study_browser, FEN, STUDY_BROWSER, GtkWindow)

FenStudyBrowser *fen_study_browser_new (FenApplication *app);

G_END_DECLS
