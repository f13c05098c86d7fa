/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dimse-private.hh: what the DIMSE C++ units share: the OFCondition to
 * GError mapping, the transfer syntaxes we take, and our storage SCP for
 * C-MOVE. C++ only; the C world sees fen-net-private.h. */
#pragma once

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dcuid.h"
#include "dcmtk/dcmnet/scp.h"
#include "dcmtk/dcmnet/scu.h"
#include "dcmtk/ofstd/oflist.h"

#include <atomic>
#include <string>
#include <vector>

#include <glib/gstdio.h>

#include "fen-net-private.h"

void fen_dimse_init (void);
void fen_dimse_set_error (GError **error, const FenPacsNode *node, const char *what,
                          const OFCondition &cond);
OFList<OFString> fen_dimse_storage_syntaxes (void);

/* What a retrieve writes to: objects arrive in @incoming and are renamed
 * into @dir by SOP Instance UID; the first local failure is kept. */
struct FenDimseSink
{
  const char         *dir = nullptr;
  std::string         incoming;
  FenPacsInstanceFunc func = nullptr;
  gpointer            user_data = nullptr;
  guint               n = 0;
  GError             *error = nullptr;
  GCancellable       *cancellable = nullptr;
  guint               serial = 0;

  std::string next_temp ();
  bool place (const std::string &temp, const char *sop_instance_uid);
};

/* Our storage SCP for C-MOVE: listens on the node's store port, accepts
 * associations only from the node (its AE title and address) addressed to
 * our AE title, and only storage SOP classes; each object is received
 * straight to a file, unchanged. */
class FenStoreScp : public DcmSCP
{
public:
  FenStoreScp (const FenPacsNode *node, FenDimseSink *sink, std::vector<std::string> peer_addresses);

  std::atomic<bool> stop { false };
  std::atomic<guint> refused { 0 };

protected:
  OFCondition handleIncomingCommand (T_DIMSE_Message *msg, const DcmPresentationContextInfo &info) override;
  OFBool checkCalledAETitleAccepted (const OFString &called) override;
  OFBool checkCallingAETitleAccepted (const OFString &calling) override;
  void notifyAssociationRequest (const T_ASC_Parameters &params, DcmSCPActionType &action) override;
  OFBool stopAfterConnectionTimeout () override;
  OFBool stopAfterCurrentAssociation () override;

private:
  const FenPacsNode        *node_;
  FenDimseSink             *sink_;
  std::vector<std::string>  peer_addresses_;
};

/* The SCU for one call. During a C-GET it stores what arrives through the
 * sink, under names of its own (the UID names the file only once checked). */
class FenScu : public DcmSCU
{
public:
  FenScu (const FenPacsNode *node, FenDimseSink *sink, GCancellable *cancellable = nullptr)
    : sink_ (sink), cancellable_ (cancellable)
  {
    setAETitle (node->calling_ae);
    setPeerAETitle (node->called_ae);
    setPeerHostName (node->host);
    setPeerPort (node->port);
    setConnectionTimeout ((Sint32) node->connect_timeout);
    setACSETimeout (node->timeout);
    setDIMSETimeout (node->timeout);
    setDIMSEBlockingMode (DIMSE_NONBLOCKING);
    setMaxReceivePDULength (65536);
    setStorageMode (DCMSCU_STORAGE_BIT_PRESERVING);
  }

  guint cancelled_stores = 0;
  bool  cancel_sent = false;

protected:
  /* C-MOVE: on cancel, ask the archive to stop (PS3.4 C.4.2.2.3) and wait
   * for its final response. */
  OFCondition
  handleMOVEResponse (const T_ASC_PresentationContextID pres_id, RetrieveResponse *response,
                      OFBool &wait_for_next) override
  {
    OFCondition cond = DcmSCU::handleMOVEResponse (pres_id, response, wait_for_next);

    if (wait_for_next && !cancel_sent && g_cancellable_is_cancelled (cancellable_))
      {
        sendCANCELRequest (pres_id);
        cancel_sent = true;
      }
    return cond;
  }

  OFCondition
  handleSTORERequestFile (T_ASC_PresentationContextID *pres_id, const OFString &,
                          T_DIMSE_C_StoreRQ *request) override
  {
    if (sink_ == nullptr)
      return DIMSE_BADCOMMANDTYPE;
    std::string temp = sink_->next_temp ();
    OFCondition cond = DcmSCU::handleSTORERequestFile (pres_id, OFString (temp.c_str ()), request);

    if (cond.bad ())
      return cond;
    if (!dcmIsaStorageSOPClassUID (request->AffectedSOPClassUID, ESSC_All) ||
        g_cancellable_is_cancelled (sink_->cancellable))
      {
        g_unlink (temp.c_str ());
        cancelled_stores++;
        return EC_IllegalCall;
      }
    if (!sink_->place (temp, request->AffectedSOPInstanceUID))
      return EC_IllegalCall;
    return EC_Normal;
  }

  /* The base class logs it; the sink already did the work. */
  void notifyInstanceStored (const OFString &, const OFString &, const OFString &) const override {}

private:
  FenDimseSink *sink_;
  GCancellable *cancellable_;
};


/* Initialises the network, negotiates the association and finds the
 * accepted context for @sop_class; 0 with @error (the association, if any,
 * released) when one of them fails. @what names the call in messages
 * ("C-GET from"). */
T_ASC_PresentationContextID fen_dimse_open (FenScu &scu, const FenPacsNode *node, const char *sop_class,
                                            const char *what, GError **error);
OFList<OFString> fen_dimse_query_syntaxes (void);
