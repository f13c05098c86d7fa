/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dimse.cc: the DIMSE half of libfenestra-net, on DCMTK's DcmSCU:
 * C-ECHO, C-FIND (Study Root, study and series level), C-GET and C-MOVE.
 * Each call opens its own association in non-blocking DIMSE mode with the
 * node's connection, ACSE and DIMSE timeouts, and releases it at the end.
 * OFCondition becomes GError here and no C++ exception leaves this file. */
#define G_LOG_DOMAIN "fen-net"

#include "fen-dimse-private.hh"

#include "dcmtk/dcmdata/dcdeftag.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmnet/diutil.h"
#include "dcmtk/oflog/oflog.h"

#include <glib/gstdio.h>

#include <new>
#include <string.h>
#include <thread>

/* PS3.8 9.3.2.2: presentation context IDs are odd numbers 1..255. */
#define FEN_DIMSE_MAX_CONTEXTS 128

void
fen_dimse_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      /* DCMTK's messages may quote element values (patient data): quiet
       * unless a developer asks, as in the DICOM loader. */
      if (g_getenv ("FEN_DCMTK_LOG") == nullptr)
        OFLog::configure (OFLogger::FATAL_LOG_LEVEL);
      g_once_init_leave (&done, 1);
    }
}

void
fen_dimse_set_error (GError **error, const FenPacsNode *node, const char *what, const OFCondition &cond)
{
  FenNetError code = FEN_NET_ERROR_PROTOCOL;
  const char *words = "the DICOM exchange with the archive failed";
  const char *text = cond.text ();

  if (cond.module () == OFM_dcmnet && cond.code () == DULC_TCPINITERROR)
    {
      code = strstr (text, "timed out") != nullptr || strstr (text, "Timeout") != nullptr
               ? FEN_NET_ERROR_TIMEOUT : FEN_NET_ERROR_CONNECT;
      words = code == FEN_NET_ERROR_TIMEOUT
                ? "the archive did not accept the connection in time"
                : "could not connect to the archive (nothing listens there, or it is unreachable)";
    }
  else if (cond == DUL_ASSOCIATIONREJECTED)
    {
      code = FEN_NET_ERROR_REJECTED;
      words = "the archive rejected the association (does it know our AE title, and is its own right?)";
    }
  else if (cond == DUL_READTIMEOUT || cond == DIMSE_NODATAAVAILABLE || cond == DIMSE_READPDVFAILED)
    {
      code = FEN_NET_ERROR_TIMEOUT;
      words = "the archive did not answer in time";
    }
  else if (cond == DUL_PEERABORTEDASSOCIATION || cond == DUL_NETWORKCLOSED ||
           cond == DUL_PEERREQUESTEDRELEASE)
    /* Some archives (Orthanc among them) accept the association of an AE
     * title they do not know and abort it at the first request. */
    words = "the archive aborted the association (does it know our AE title, and allow this request?)";
  else if (cond == DIMSE_NOVALIDPRESENTATIONCONTEXTID || cond == NET_EC_NoAcceptablePresentationContexts)
    {
      code = FEN_NET_ERROR_REJECTED;
      words = "the archive accepted none of our presentation contexts";
    }
  g_set_error (error, FEN_NET_ERROR, code, "%s %s@%s:%u: %s: %s", what, node->called_ae, node->host,
               node->port, words, text);
}

/* What we take for every storage class: uncompressed first, then the
 * compressed syntaxes the loader decodes, so the archive can send what it
 * holds without transcoding. */
OFList<OFString>
fen_dimse_storage_syntaxes (void)
{
  OFList<OFString> s;

  s.push_back (UID_LittleEndianExplicitTransferSyntax);
  s.push_back (UID_LittleEndianImplicitTransferSyntax);
  s.push_back (UID_BigEndianExplicitTransferSyntax);
  s.push_back (UID_DeflatedExplicitVRLittleEndianTransferSyntax);
  s.push_back (UID_JPEGProcess14SV1TransferSyntax);
  s.push_back (UID_JPEGProcess14TransferSyntax);
  s.push_back (UID_JPEGProcess1TransferSyntax);
  s.push_back (UID_JPEGProcess2_4TransferSyntax);
  s.push_back (UID_JPEGLSLosslessTransferSyntax);
  s.push_back (UID_JPEGLSLossyTransferSyntax);
  s.push_back (UID_JPEG2000LosslessOnlyTransferSyntax);
  s.push_back (UID_JPEG2000TransferSyntax);
  s.push_back (UID_RLELosslessTransferSyntax);
  return s;
}

OFList<OFString>
fen_dimse_query_syntaxes (void)
{
  OFList<OFString> s;

  s.push_back (UID_LittleEndianExplicitTransferSyntax);
  s.push_back (UID_LittleEndianImplicitTransferSyntax);
  return s;
}

static gboolean
fen_dimse_connect (FenScu &scu, const FenPacsNode *node, const char *what, GError **error)
{
  OFCondition cond = scu.initNetwork ();

  if (cond.good ())
    cond = scu.negotiateAssociation ();
  if (cond.bad ())
    {
      fen_dimse_set_error (error, node, what, cond);
      return FALSE;
    }
  return TRUE;
}

static T_ASC_PresentationContextID
fen_dimse_context (FenScu &scu, const FenPacsNode *node, const char *sop_class, const char *what,
                   GError **error)
{
  T_ASC_PresentationContextID id = scu.findAnyPresentationContextID (sop_class, "");

  if (id == 0)
    g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_REJECTED,
                 "%s %s@%s:%u: the archive does not offer this service (%s)", what,
                 node->called_ae, node->host, node->port, dcmFindNameOfUID (sop_class, sop_class));
  return id;
}

T_ASC_PresentationContextID
fen_dimse_open (FenScu &scu, const FenPacsNode *node, const char *sop_class, const char *what, GError **error)
{
  T_ASC_PresentationContextID id;

  if (!fen_dimse_connect (scu, node, what, error))
    return 0;
  id = fen_dimse_context (scu, node, sop_class, what, error);
  if (id == 0)
    scu.releaseAssociation ();
  return id;
}

static gboolean
fen_dimse_echo_impl (const FenPacsNode *node, GError **error)
{
  FenScu scu (node, nullptr);
  OFList<OFString> syntaxes;
  T_ASC_PresentationContextID id;
  OFCondition cond;

  syntaxes.push_back (UID_LittleEndianImplicitTransferSyntax);
  scu.addPresentationContext (UID_VerificationSOPClass, syntaxes);
  id = fen_dimse_open (scu, node, UID_VerificationSOPClass, "C-ECHO to", error);
  if (id == 0)
    return FALSE;
  cond = scu.sendECHORequest (id);
  if (cond.bad ())
    {
      fen_dimse_set_error (error, node, "C-ECHO to", cond);
      scu.abortAssociation ();
      return FALSE;
    }
  scu.releaseAssociation ();
  return TRUE;
}

gboolean
_fen_dimse_echo (const FenPacsNode *node, GCancellable *cancellable, GError **error)
{
  fen_dimse_init ();
  try
    {
      return fen_dimse_echo_impl (node, error);
    }
  catch (...)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_FAILED, "C-ECHO failed: out of memory");
      return FALSE;
    }
}

struct FenDimseTarget
{
  const char *study_uid;
  const char *series_uid;
  const char *sop_instance_uid;
};

static void
fen_dimse_retrieve_keys (DcmDataset &q, const FenDimseTarget &t)
{
  q.putAndInsertString (DCM_QueryRetrieveLevel, t.sop_instance_uid != nullptr ? "IMAGE"
                                                : t.series_uid != nullptr ? "SERIES" : "STUDY");
  q.putAndInsertString (DCM_StudyInstanceUID, t.study_uid);
  if (t.series_uid != nullptr)
    q.putAndInsertString (DCM_SeriesInstanceUID, t.series_uid);
  if (t.sop_instance_uid != nullptr)
    q.putAndInsertString (DCM_SOPInstanceUID, t.sop_instance_uid);
}

/* The final response of a C-GET or C-MOVE (PS3.4 C.4.2.1.5, C.4.3.1.4). */
static gboolean
fen_dimse_check_retrieve (const FenPacsNode *node, const char *what, OFList<RetrieveResponse *> &responses,
                          const FenDimseSink &sink, GError **error)
{
  RetrieveResponse *last = responses.empty () ? nullptr : responses.back ();

  if (last == nullptr)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
                   "%s %s@%s:%u: the archive sent no final response", what, node->called_ae,
                   node->host, node->port);
      return FALSE;
    }
  if (last->m_status == STATUS_Success && last->m_numberOfFailedSubops == 0)
    return TRUE;
  if (last->m_status == STATUS_Success || last->m_status == STATUS_GET_Warning_SubOperationsCompleteOneOrMoreFailures)
    g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_FAILED,
                 "%s %s@%s:%u: %u object(s) arrived, %u could not be sent or stored", what,
                 node->called_ae, node->host, node->port, sink.n, (guint) last->m_numberOfFailedSubops);
  else
    g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_FAILED,
                 "%s %s@%s:%u: the archive could not send the objects (%u arrived): status 0x%04x (%s)",
                 what, node->called_ae, node->host, node->port, sink.n, last->m_status,
                 strcmp (what, "C-MOVE from") == 0 ? DU_cmoveStatusString (last->m_status)
                                                  : DU_cgetStatusString (last->m_status));
  return FALSE;
}

static gboolean
fen_dimse_get_impl (const FenPacsNode *node, const FenDimseTarget &target, FenDimseSink &sink,
                    GError **error)
{
  const char *model = UID_GETStudyRootQueryRetrieveInformationModel;
  const char *what = "C-GET from";
  OFList<OFString> syntaxes = fen_dimse_storage_syntaxes ();
  OFList<RetrieveResponse *> responses;
  FenScu scu (node, &sink);
  T_ASC_PresentationContextID id;
  DcmDataset q;
  OFCondition cond;
  gboolean ok;

  /* One context for the C-GET itself; the rest, within PS3.8's limit of
   * 128, for the storage classes we take the SCP role in (PS3.4 C.4.3.1). */
  scu.addPresentationContext (model, fen_dimse_query_syntaxes ());
  for (int i = 0; i < numberOfDcmLongSCUStorageSOPClassUIDs && i < FEN_DIMSE_MAX_CONTEXTS - 1; i++)
    scu.addPresentationContext (dcmLongSCUStorageSOPClassUIDs[i], syntaxes, ASC_SC_ROLE_SCP);
  id = fen_dimse_open (scu, node, model, what, error);
  if (id == 0)
    return FALSE;
  fen_dimse_retrieve_keys (q, target);
  cond = scu.sendCGETRequest (id, &q, &responses);
  if (g_cancellable_is_cancelled (sink.cancellable))
    {
      /* The store that saw the cancel ended the session; the archive may
       * still be sending, so the association is aborted, not released. */
      scu.abortAssociation ();
      for (RetrieveResponse *r : responses)
        delete r;
      _fen_net_set_cancelled (error);
      return FALSE;
    }
  if (cond.bad () && sink.error == nullptr)
    {
      fen_dimse_set_error (error, node, what, cond);
      ok = FALSE;
    }
  else
    ok = sink.error == nullptr && fen_dimse_check_retrieve (node, what, responses, sink, error);
  if (cond.bad ())
    scu.abortAssociation ();
  else
    scu.releaseAssociation ();
  for (RetrieveResponse *r : responses)
    delete r;
  return ok;
}

/* The addresses the archive may call us from, for our SCP's check. */
static std::vector<std::string>
fen_dimse_peer_addresses (const FenPacsNode *node, GError **error)
{
  g_autoptr(GResolver) resolver = g_resolver_get_default ();
  g_autoptr(GError) local = NULL;
  GList *list = g_resolver_lookup_by_name (resolver, node->host, NULL, &local);
  std::vector<std::string> out;

  if (list == NULL)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_CONNECT,
                   "the archive's host name %s is unknown: %s", node->host, local->message);
      return out;
    }
  for (GList *l = list; l != NULL; l = l->next)
    {
      g_autofree char *text = g_inet_address_to_string (G_INET_ADDRESS (l->data));
      out.push_back (text);
    }
  g_resolver_free_addresses (list);
  return out;
}

static gboolean
fen_dimse_move_impl (const FenPacsNode *node, const FenDimseTarget &target, FenDimseSink &sink,
                     GError **error)
{
  const char *model = UID_MOVEStudyRootQueryRetrieveInformationModel;
  const char *what = "C-MOVE from";
  std::vector<std::string> peers = fen_dimse_peer_addresses (node, error);
  OFList<RetrieveResponse *> responses;
  FenScu scu (node, nullptr, sink.cancellable);
  T_ASC_PresentationContextID id;
  DcmDataset q;
  OFCondition cond;
  gboolean ok;

  if (peers.empty ())
    return FALSE;
  FenStoreScp scp (node, &sink, peers);
  /* Listening before the C-MOVE goes out, so no sub-operation finds the
   * port closed. DcmSCP::openListenPort() switches off DCMTK's automatic
   * input data correction for the whole process; the DICOM loader reads
   * with it on, and our SCP writes bit-preserving, so it is put back. */
  OFBool correction = dcmEnableAutomaticInputDataCorrection.get ();
  cond = scp.openListenPort ();
  dcmEnableAutomaticInputDataCorrection.set (correction);
  if (cond.bad ())
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_IO,
                   "cannot receive the archive's objects on port %u (in use, or not ours to open): %s",
                   node->store_port, cond.text ());
      return FALSE;
    }
  std::thread listener ([&scp] () { scp.acceptAssociations (); });

  scu.addPresentationContext (model, fen_dimse_query_syntaxes ());
  id = fen_dimse_open (scu, node, model, what, error);
  ok = id != 0;
  if (ok)
    {
      fen_dimse_retrieve_keys (q, target);
      /* The destination is our own AE title: the archive must know it
       * with our address and storage port. */
      cond = scu.sendMOVERequest (id, node->calling_ae, &q, &responses);
      if (cond.bad ())
        {
          fen_dimse_set_error (error, node, what, cond);
          scu.abortAssociation ();
          ok = FALSE;
        }
      else
        scu.releaseAssociation ();
    }
  scp.stop = true;
  listener.join ();

  if (ok && sink.error == nullptr)
    ok = fen_dimse_check_retrieve (node, what, responses, sink, error);
  else if (ok)
    ok = FALSE;
  if (ok && sink.n == 0 && scp.refused > 0)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_REJECTED,
                   "%s %s@%s:%u: our storage SCP refused %u association(s) that were not from the archive",
                   what, node->called_ae, node->host, node->port, scp.refused.load ());
      ok = FALSE;
    }
  for (RetrieveResponse *r : responses)
    delete r;
  return ok;
}

/* Where arriving objects go: a private incoming folder in @dir (returned;
 * _fen_net_incoming_dir_free() it), each handed to @func once in place. */
static char *
fen_dimse_sink_begin (FenDimseSink &sink, const char *dir, FenPacsInstanceFunc func, gpointer user_data,
                      GCancellable *cancellable, GError **error)
{
  char *incoming = _fen_net_incoming_dir_new (dir, error);

  if (incoming == nullptr)
    return nullptr;
  sink.dir = dir;
  sink.incoming = incoming;
  sink.func = func;
  sink.user_data = user_data;
  sink.cancellable = cancellable;
  return incoming;
}

gboolean
_fen_dimse_retrieve (const FenPacsNode *node, const char *study_uid, const char *series_uid,
                     const char *sop_instance_uid, const char *dir, FenPacsInstanceFunc func, gpointer user_data, guint *n_retrieved,
                     GCancellable *cancellable, GError **error)
{
  FenDimseSink sink;
  FenDimseTarget target = { study_uid, series_uid, sop_instance_uid };
  char *incoming;
  gboolean ok = FALSE;

  fen_dimse_init ();
  if (g_cancellable_is_cancelled (cancellable))
    {
      _fen_net_set_cancelled (error);
      return FALSE;
    }
  incoming = fen_dimse_sink_begin (sink, dir, func, user_data, cancellable, error);
  if (incoming == nullptr)
    return FALSE;
  try
    {
      ok = node->method == FEN_PACS_RETRIEVE_MOVE ? fen_dimse_move_impl (node, target, sink, error)
                                                  : fen_dimse_get_impl (node, target, sink, error);
    }
  catch (...)
    {
      if (error != nullptr && *error == nullptr)
        g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_FAILED, "the retrieve failed: out of memory");
      ok = FALSE;
    }
  _fen_net_incoming_dir_free (incoming);
  *n_retrieved = sink.n;
  if (sink.error != nullptr)
    {
      if (error != nullptr && *error == nullptr)
        g_propagate_error (error, sink.error);
      else
        g_error_free (sink.error);
      ok = FALSE;
    }
  /* Whatever else went wrong after a cancel, the cancel is what the caller
   * asked for and what it is told. */
  if (g_cancellable_is_cancelled (cancellable))
    {
      g_clear_error (error);
      _fen_net_set_cancelled (error);
      ok = FALSE;
    }
  if (ok && sink.n == 0)
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_FAILED, "the archive found nothing to send for %s",
                   sop_instance_uid != nullptr ? sop_instance_uid
                   : series_uid != nullptr ? series_uid : study_uid);
      ok = FALSE;
    }
  return ok;
}

gboolean
_fen_dimse_receive (const FenPacsNode *node, const char *dir, FenPacsInstanceFunc func,
                    gpointer user_data, guint *n_received, guint *n_refused,
                    GCancellable *cancellable, GError **error)
{
  FenDimseSink sink;
  char *incoming;
  gboolean ok = TRUE;

  g_return_val_if_fail (cancellable != nullptr, FALSE);
  fen_dimse_init ();
  *n_received = *n_refused = 0;
  incoming = fen_dimse_sink_begin (sink, dir, func, user_data, cancellable, error);
  if (incoming == nullptr)
    return FALSE;
  try
    {
      std::vector<std::string> peers = fen_dimse_peer_addresses (node, error);

      if (peers.empty ())
        ok = FALSE;
      else
        {
          FenStoreScp scp (node, &sink, peers);
          OFBool correction = dcmEnableAutomaticInputDataCorrection.get ();
          OFCondition cond = scp.openListenPort ();

          dcmEnableAutomaticInputDataCorrection.set (correction);
          if (cond.bad ())
            {
              g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_IO,
                           "cannot receive objects on port %u (in use, or not ours to open): %s",
                           node->store_port, cond.text ());
              ok = FALSE;
            }
          else
            scp.acceptAssociations ();
          *n_refused = scp.refused.load ();
        }
    }
  catch (...)
    {
      if (error != nullptr && *error == nullptr)
        g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_FAILED, "the storage SCP failed: out of memory");
      ok = FALSE;
    }
  _fen_net_incoming_dir_free (incoming);
  *n_received = sink.n;
  if (sink.error != nullptr)
    {
      if (ok && error != nullptr && *error == nullptr)
        g_propagate_error (error, sink.error);
      else
        g_error_free (sink.error);
      ok = FALSE;
    }
  return ok;
}
