/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-net-private.h: what the DIMSE (C++) and DICOMweb (C) halves of
 * libfenestra-net share: the two back ends, the atomic placing of a
 * retrieved object, the QIDO JSON reader and the Part 10 header reader.
 * C linkage throughout, so the C++ adapter can call and be called. */
#pragma once

#include <fenestra/fen-pacs.h>

G_BEGIN_DECLS

/* Bounds on what a peer may send: checked before anything is allocated. */
#define FEN_NET_MAX_MATCHES      100000
#define FEN_NET_MAX_QIDO_BYTES   (64u * 1024 * 1024)
#define FEN_NET_MAX_STRING       1024
#define FEN_NET_MAX_OBJECT_BYTES (G_GUINT64_CONSTANT (4) * 1024 * 1024 * 1024)

/* fen-dimse.cc (DCMTK) */
gboolean   _fen_dimse_echo     (const FenPacsNode *node, GCancellable *cancellable, GError **error);
GPtrArray *_fen_dimse_find     (const FenPacsNode *node, const FenPacsQuery *query,
                                GCancellable *cancellable, GError **error);
gboolean   _fen_dimse_retrieve (const FenPacsNode *node, const char *study_uid,
                                const char *series_uid, const char *sop_instance_uid, const char *dir,
                                FenPacsInstanceFunc func, gpointer user_data, guint *n_retrieved,
                                GCancellable *cancellable, GError **error);

/* Our storage SCP on its own, with the same rules as during a C-MOVE (the
 * node's AE title and address only, storage classes only), until
 * @cancellable is cancelled: for objects the node pushes, and for the tests
 * that check those rules with DCMTK's storescu and echoscu. */
gboolean   _fen_dimse_receive  (const FenPacsNode *node, const char *dir,
                                FenPacsInstanceFunc func, gpointer user_data,
                                guint *n_received, guint *n_refused,
                                GCancellable *cancellable, GError **error);

/* fen-dicomweb.c (libsoup 3) */
gboolean   _fen_dicomweb_echo     (const FenPacsNode *node, GCancellable *cancellable, GError **error);
GPtrArray *_fen_dicomweb_find     (const FenPacsNode *node, const FenPacsQuery *query,
                                   GCancellable *cancellable, GError **error);
gboolean   _fen_dicomweb_retrieve (const FenPacsNode *node, const char *study_uid,
                                   const char *series_uid, const char *sop_instance_uid, const char *dir,
                                   FenPacsInstanceFunc func, gpointer user_data, guint *n_retrieved,
                                   GCancellable *cancellable, GError **error);

/* fen-pacs.c */
void _fen_net_set_cancelled (GError **error);

/* fen-net-file.c */
char    *_fen_net_incoming_dir_new (const char *dir, GError **error);
void     _fen_net_incoming_dir_free (char *incoming);
gboolean _fen_net_place_instance (const char *temp_path, const char *dir, const char *sop_instance_uid,
                                  char **final_path, GError **error);
gboolean _fen_net_read_instance_uid (const char *path, char **sop_instance_uid, GError **error);

/* fen-qido.c: a QIDO-RS answer (PS3.18 F.2, the DICOM JSON model) appended
 * to @matches. */
gboolean _fen_qido_parse (const char *data, gsize length, FenPacsLevel level,
                          GPtrArray *matches, GError **error);

G_END_DECLS
