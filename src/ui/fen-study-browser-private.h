/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-study-browser-private.h: FenStudyBrowser's state, shared by
 * fen-study-browser.c (nodes, search, the two lists) and
 * fen-study-browser-retrieve.c (retrieve and open, progress, cancel). */
#pragma once

#include "fen-study-browser.h"
#include "fen-application.h"
#include "fen-pacs-item.h"
#include "fen-pacs-node-config.h"

#include <fenestra/fen-pacs.h>

G_BEGIN_DECLS

struct _FenStudyBrowser
{
  GtkWindow           parent_instance;

  /* Owned */
  GPtrArray          *nodes;              /* FenPacsNodeConfig, as the dropdown lists them */
  GtkStringList      *node_names;
  GListStore         *studies;            /* FenPacsItem, level study */
  GListStore         *series;             /* FenPacsItem, level series, of the selected study */
  GtkSingleSelection *study_selection;
  GtkSingleSelection *series_selection;
  GCancellable       *cancellable;        /* cancelled at dispose: every call still running */
  GCancellable       *search_cancellable; /* the study search running, or NULL */
  GCancellable       *series_cancellable; /* the series find running, or NULL */
  GCancellable       *retrieve_cancellable; /* the retrieve running, or NULL */
  FenPacsNode        *node;               /* the node the lists came from */
  char               *node_id;            /* and its id (the cache keys on it) */
  gint64              search_start_us;    /* when the search running began */
  gpointer            retrieve;           /* fen-study-browser-retrieve.c's fetch running, or NULL */
  FenRenderer        *thumb_renderer;     /* the series' thumbnails, made at first use */
  FenLut             *thumb_lut;

  /* Borrowed */
  FenApplication     *app;
  GSettings          *settings;
  GtkDropDown        *node_dropdown;
  GtkEntry           *name_entry;
  GtkEntry           *id_entry;
  GtkEntry           *from_entry;
  GtkEntry           *to_entry;
  GtkEntry           *modality_entry;
  GtkEntry           *accession_entry;
  GtkEntry           *description_entry;
  GtkWidget          *search_button;
  GtkRevealer        *error_revealer;
  GtkLabel           *error_label;
  GtkExpander        *details_expander;
  GtkLabel           *details_label;
  GtkColumnView      *study_view;
  GtkColumnView      *series_view;
  GtkLabel           *status_label;
  GtkProgressBar     *progress_bar;
  GtkWidget          *cancel_button;
};

/* fen-study-browser.c */
/* Shows @error in words with its message behind Details; a cancel is not
 * an error and shows nothing. */
void  _fen_study_browser_show_error     (FenStudyBrowser *self, const GError *error);
void  _fen_study_browser_set_status     (FenStudyBrowser *self, const char *text);
/* Enables the actions for what is selected and running. */
void  _fen_study_browser_update_actions (FenStudyBrowser *self);
/* Returns: (transfer none) (nullable): the selected study / series item. */
FenPacsItem *_fen_study_browser_get_study  (FenStudyBrowser *self);
FenPacsItem *_fen_study_browser_get_series (FenStudyBrowser *self);

/* Returns: (transfer full): a cancellable for one call, cancelled when the
 * window closes. */
GCancellable *_fen_study_browser_new_cancellable (FenStudyBrowser *self);

/* fen-study-browser-retrieve.c */
/* Retrieves the selected series (or the whole study when none is
 * selected); with @open, each image shows in the viewer's main window as
 * it arrives. */
void  _fen_study_browser_retrieve       (FenStudyBrowser *self, gboolean open);
void  _fen_study_browser_cancel_retrieve (FenStudyBrowser *self);
/* The series list changed: marks which series are already local (cache)
 * and their thumbnails. */
void  _fen_study_browser_series_listed  (FenStudyBrowser *self);
void  _fen_study_browser_retrieve_dispose (FenStudyBrowser *self);

G_END_DECLS
