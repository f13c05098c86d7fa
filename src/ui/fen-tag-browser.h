/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-tag-browser.h: a window with the current image's DICOM attributes as a searchable tree. */
#pragma once

#include "fen-types-ui.h"

G_BEGIN_DECLS

#define FEN_TYPE_TAG_BROWSER (fen_tag_browser_get_type ())
G_DECLARE_FINAL_TYPE (FenTagBrowser, fen_tag_browser, FEN, TAG_BROWSER, GtkWindow)

FenTagBrowser *fen_tag_browser_new      (GtkWindow *parent);
/* Reads @path's attributes in the background (nothing for the same path again);
 * %NULL or a non-DICOM file shows why there is nothing. */
void           fen_tag_browser_set_path (FenTagBrowser *self, const char *path);

G_END_DECLS
