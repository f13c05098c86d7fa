/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs.h: query and retrieve from a PACS (libfenestra-net), over DIMSE
 * (DCMTK) or DICOMweb (libsoup 3). GTK-free. Every call here blocks on the
 * network: run it in a worker thread (a GTask), never on the GTK main loop.
 * Each call has its own association or HTTP session; nothing is shared. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define FEN_NET_ERROR (fen_net_error_quark ())

/**
 * FenNetError:
 * Why a network operation failed, in terms a user can act on. The message
 * says it in words and carries the technical cause after a colon.
 */
typedef enum {
  FEN_NET_ERROR_INVALID_NODE,   /* the node's address is malformed */
  FEN_NET_ERROR_INVALID_QUERY,  /* a query key or UID is malformed */
  FEN_NET_ERROR_CONNECT,        /* no connection: refused, unreachable, unknown host */
  FEN_NET_ERROR_TIMEOUT,        /* the peer did not answer within the timeout */
  FEN_NET_ERROR_REJECTED,       /* the peer rejected the association (AE title, context) */
  FEN_NET_ERROR_FAILED,         /* the peer reported a failure status */
  FEN_NET_ERROR_HTTP,           /* an HTTP 4xx or 5xx answer */
  FEN_NET_ERROR_PROTOCOL,       /* the peer's answer is malformed */
  FEN_NET_ERROR_TOO_LARGE,      /* an answer passed one of our size bounds */
  FEN_NET_ERROR_IO,             /* writing a retrieved object locally failed */
  FEN_NET_ERROR_CANCELLED,
} FenNetError;

GQuark fen_net_error_quark (void);

typedef enum {
  FEN_PACS_DIMSE,
  FEN_PACS_DICOMWEB,
} FenPacsProtocol;

typedef enum {
  FEN_PACS_RETRIEVE_GET,
  FEN_PACS_RETRIEVE_MOVE,
} FenPacsRetrieveMethod;

/**
 * FenPacsNode:
 * One archive. DIMSE nodes use @called_ae, @host, @port, @calling_ae and
 * @method (C-MOVE also @store_port, where our storage SCP listens); DICOMweb
 * nodes use @base_url (no trailing slash, no credentials) and, when the
 * archive asks for it, @authorization: the HTTP Authorization header's
 * value ("Basic ..." or "Bearer ..."), from the keyring, never parsed from
 * an address and never logged. Timeouts are in seconds: @connect_timeout
 * for TCP, @timeout for each ACSE/DIMSE/HTTP wait.
 */
typedef struct {
  FenPacsProtocol        protocol;
  char                  *called_ae;
  char                  *calling_ae;
  char                  *host;
  guint16                port;
  FenPacsRetrieveMethod  method;
  guint16                store_port;
  char                  *base_url;
  guint                  connect_timeout;
  guint                  timeout;
  char                  *authorization;
} FenPacsNode;

/**
 * fen_pacs_node_parse:
 * @uri: `dicom://CALLED_AE@HOST:PORT?calling=AE&method=get|move&port=N&timeout=S`
 *   or `http[s]://HOST[:PORT]/PATH` (the DICOMweb root)
 *
 * Returns: (transfer full): the node, or %NULL with @error
 *   (%FEN_NET_ERROR_INVALID_NODE) saying what is wrong
 */
FenPacsNode *fen_pacs_node_parse (const char *uri, GError **error);
/* Returns: (transfer full): a deep copy of @node, its @authorization too. */
FenPacsNode *fen_pacs_node_copy  (const FenPacsNode *node);
/* Frees @node; its @authorization is cleared first. */
void         fen_pacs_node_free  (FenPacsNode *node);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenPacsNode, fen_pacs_node_free)

typedef enum {
  FEN_PACS_LEVEL_STUDY,
  FEN_PACS_LEVEL_SERIES,
  FEN_PACS_LEVEL_INSTANCE,
} FenPacsLevel;

/**
 * FenPacsQuery:
 * Matching keys (Study Root, PS3.4 C.6.2); %NULL or "" means any. Patient
 * name may hold the wildcards `*` and `?` (PS3.4 C.2.2.2.4). Dates are
 * YYYYMMDD, either end may be %NULL (an open range, PS3.4 C.2.2.2.5).
 * @description matches the study's at study level, the series' at series
 * level; @modality matches Modalities in Study at study level. A series
 * query without @study_uid first finds the studies, then their series. An
 * instance query needs @study_uid and @series_uid and matches nothing else.
 */
typedef struct {
  FenPacsLevel  level;
  const char   *patient_name;
  const char   *patient_id;
  const char   *date_from;
  const char   *date_to;
  const char   *modality;
  const char   *accession;
  const char   *description;
  const char   *study_uid;
  const char   *series_uid;
} FenPacsQuery;

/**
 * FenPacsMatch:
 * One study, series or instance found. Strings are %NULL when the archive
 * did not return them; numbers are -1. The series fields are set at series
 * and instance level, the instance fields at instance level.
 */
typedef struct {
  FenPacsLevel level;
  char *patient_name;
  char *patient_id;
  char *study_uid;
  char *study_date;
  char *study_time;
  char *accession;
  char *study_description;
  char *modalities;          /* Modalities in Study, backslash-separated */
  gint  n_study_series;
  gint  n_study_instances;
  char *series_uid;
  char *modality;
  char *series_description;
  gint  series_number;
  gint  n_series_instances;
  char *sop_instance_uid;
  char *sop_class_uid;
  gint  instance_number;
} FenPacsMatch;

FenPacsMatch *fen_pacs_match_new  (FenPacsLevel level);
void          fen_pacs_match_free (FenPacsMatch *match);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenPacsMatch, fen_pacs_match_free)

/**
 * FenPacsInstanceFunc:
 * @path: the retrieved file, already in its final place, named by its SOP
 *   Instance UID
 * @sop_instance_uid: its SOP Instance UID
 *
 * Called once per instance as it arrives, in the thread that retrieves.
 */
typedef void (*FenPacsInstanceFunc) (const char *path, const char *sop_instance_uid,
                                     gpointer user_data);

/**
 * fen_pacs_echo:
 * C-ECHO, or for DICOMweb a QIDO request for at most one study.
 */
gboolean fen_pacs_echo (const FenPacsNode *node, GCancellable *cancellable, GError **error);

/**
 * fen_pacs_find:
 *
 * Returns: (transfer full) (element-type FenPacsMatch): the matches, or
 *   %NULL with @error
 */
GPtrArray *fen_pacs_find (const FenPacsNode *node, const FenPacsQuery *query,
                          GCancellable *cancellable, GError **error);

/**
 * fen_pacs_retrieve:
 * @series_uid: (nullable): one series, or %NULL for the whole study
 * @sop_instance_uid: (nullable): one instance of @series_uid, or %NULL
 * @dir: an existing folder; each object is written there unchanged as
 *   `SOP_INSTANCE_UID.dcm`, through a temporary file and a rename
 * @func: (nullable): called per instance as it arrives
 * @n_retrieved: (out) (optional): how many objects arrived
 *
 * Retrieves by C-GET or C-MOVE (the node's method) or WADO-RS. Objects that
 * arrived before an error stay in @dir, complete.
 */
gboolean fen_pacs_retrieve (const FenPacsNode *node, const char *study_uid,
                            const char *series_uid, const char *sop_instance_uid, const char *dir,
                            FenPacsInstanceFunc func, gpointer user_data,
                            guint *n_retrieved, GCancellable *cancellable, GError **error);

/**
 * fen_pacs_uid_is_valid:
 * A UID as PS3.5 9.1 allows: 1 to 64 digits and dots, components without
 * leading zeros. Every UID from the network is checked before it names a
 * file.
 */
gboolean fen_pacs_uid_is_valid (const char *uid);

G_END_DECLS
