/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dimse-scp.cc: the storage SCP that receives a C-MOVE's sub-operations
 * (DCMTK DcmSCP), and the sink both C-GET and C-MOVE write through: a file
 * received in a private folder, renamed into place by SOP Instance UID. */
#define G_LOG_DOMAIN "fen-net"

#include "fen-dimse-private.hh"

#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmnet/diutil.h"

#include <glib/gstdio.h>

#include <string.h>

std::string
FenDimseSink::next_temp ()
{
  return incoming + G_DIR_SEPARATOR_S + "object-" + std::to_string (serial++);
}

bool
FenDimseSink::place (const std::string &temp, const char *sop_instance_uid)
{
  g_autofree char *final_path = NULL;
  GError *local = NULL;

  if (!_fen_net_place_instance (temp.c_str (), dir, sop_instance_uid, &final_path, &local))
    {
      if (error == NULL)
        error = local;
      else
        g_error_free (local);
      return false;
    }
  n++;
  if (func != NULL)
    func (final_path, sop_instance_uid, user_data);
  return true;
}

FenStoreScp::FenStoreScp (const FenPacsNode *node, FenDimseSink *sink,
                          std::vector<std::string> peer_addresses)
  : node_ (node), sink_ (sink), peer_addresses_ (std::move (peer_addresses))
{
  OFList<OFString> syntaxes = fen_dimse_storage_syntaxes ();

  setAETitle (node->calling_ae);
  setPort (node->store_port);
  /* Non-blocking, so the accept loop wakes every second to see stop. */
  setConnectionBlockingMode (DUL_NOBLOCK);
  setConnectionTimeout (1);
  setDIMSEBlockingMode (DIMSE_NONBLOCKING);
  setDIMSETimeout (node->timeout);
  setACSETimeout (node->timeout);
  setMaxReceivePDULength (65536);
  /* The peer's address as a number, for checkCallingHostAccepted(). */
  setHostLookupEnabled (OFFalse);
  /* Every storage SOP class with the syntaxes we take; nothing else, not
   * even verification: this SCP exists only for the sub-operations. */
  for (int i = 0; i < numberOfDcmAllStorageSOPClassUIDs; i++)
    addPresentationContext (dcmAllStorageSOPClassUIDs[i], syntaxes);
}

OFBool
FenStoreScp::checkCalledAETitleAccepted (const OFString &called)
{
  return called == node_->calling_ae;
}

OFBool
FenStoreScp::checkCallingAETitleAccepted (const OFString &calling)
{
  if (calling == node_->called_ae)
    return OFTrue;
  refused++;
  return OFFalse;
}

/* DCMTK 3.6.7 hands checkCallingHostAccepted() the *called* presentation
 * address, so the peer's address is checked here, from the request itself. */
void
FenStoreScp::notifyAssociationRequest (const T_ASC_Parameters &params, DcmSCPActionType &action)
{
  const char *from = params.DULparams.callingPresentationAddress;

  for (const std::string &a : peer_addresses_)
    if (a == from)
      return;
  refused++;
  action = DCMSCP_ACTION_REFUSE_ASSOCIATION;
}

OFBool
FenStoreScp::stopAfterConnectionTimeout ()
{
  return stop.load () || g_cancellable_is_cancelled (sink_->cancellable);
}

OFBool
FenStoreScp::stopAfterCurrentAssociation ()
{
  return stop.load ();
}

OFCondition
FenStoreScp::handleIncomingCommand (T_DIMSE_Message *msg, const DcmPresentationContextInfo &info)
{
  if (msg->CommandField != DIMSE_C_STORE_RQ)
    return DIMSE_BADCOMMANDTYPE;

  T_DIMSE_C_StoreRQ &req = msg->msg.CStoreRQ;
  std::string temp = sink_->next_temp ();
  Uint16 status = STATUS_Success;
  OFCondition cond;

  /* Received under a name of ours; the UID names the file only once it is
   * checked. The negotiated contexts admit storage classes only, and the
   * command must name one of them too. */
  cond = receiveSTORERequest (req, info.presentationContextID, OFString (temp.c_str ()));
  if (cond.bad ())
    {
      g_unlink (temp.c_str ());
      return cond;
    }
  if (!dcmIsaStorageSOPClassUID (req.AffectedSOPClassUID, ESSC_All))
    {
      g_unlink (temp.c_str ());
      status = STATUS_STORE_Refused_SOPClassNotSupported;
    }
  else if (g_cancellable_is_cancelled (sink_->cancellable))
    {
      /* An error here makes DcmSCP abort the association: the archive
       * stops sending rather than having each object refused. */
      g_unlink (temp.c_str ());
      sendSTOREResponse (info.presentationContextID, req, STATUS_STORE_Refused_OutOfResources);
      return DIMSE_ILLEGALASSOCIATION;
    }
  else if (!sink_->place (temp, req.AffectedSOPInstanceUID))
    status = STATUS_STORE_Refused_OutOfResources;
  return sendSTOREResponse (info.presentationContextID, req, status);
}
