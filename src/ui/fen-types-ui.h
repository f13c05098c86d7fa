/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-types-ui.h: forward declarations of the viewer's types. */
#pragma once

#include <gtk/gtk.h>
#include <fenestra/fenestra.h>

G_BEGIN_DECLS

typedef struct _FenApplication FenApplication;
typedef struct _FenMainWindow      FenMainWindow;
typedef struct _FenViewport    FenViewport;
typedef struct _FenSeries      FenSeries;
typedef struct _FenMemoryPanel FenMemoryPanel;
typedef struct _FenRenderPool  FenRenderPool;

G_END_DECLS
