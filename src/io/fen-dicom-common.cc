// SPDX-License-Identifier: GPL-3.0-or-later
// fen-dicom-common.cc: the DCMTK adapter's shared parts: codec registration,
// errors, text values through the character set in force, parsing with
// guessing, values the file does not hold, and the guards before DCMTK.
#define G_LOG_DOMAIN "fen-dicom"

#include "fen-dicom-adapter.h"

#include "dcmtk/dcmdata/dccodec.h"
#include "dcmtk/dcmdata/dcfcache.h"
#include "dcmtk/dcmdata/dcistrmf.h"
#include "dcmtk/dcmdata/dcrledrg.h"
#include "dcmtk/dcmjpeg/djdecode.h"
#include "dcmtk/dcmjpls/djdecode.h"
#include "dcmtk/oflog/oflog.h"

#include <glib/gstdio.h>

#include <cerrno>
#include <cmath>
#include <cstring>
#include "fen-dicom-scan.h"

void
fen_dicom_register_codecs (void)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      // Some writers put implicit-VR elements into explicit-VR data sets;
      // DCMTK only reads those when told to. A process-wide flag, set once
      // here before any parse can run.
      dcmAcceptUnexpectedImplicitEncoding.set (OFTrue);
      // PS3.5 6.2.2: an element written as UN whose tag the dictionary
      // knows is read with the dictionary's VR (Modality stored as UN is
      // "RTDOSE", not 52\\54\\44...). The bounded walk treats a UN value
      // that holds items as the sequence DCMTK will then parse.
      dcmEnableUnknownVRConversion.set (OFTrue);
      // The meta header ends where group 0002 ends, as the bounded walk
      // reads it, not where a (possibly lying) File Meta Information Group
      // Length says: otherwise DCMTK can take the data set, a DICOMDIR's
      // records included, for meta information the walk never saw
      // (fuzz-dicom: a leak in DCMTK's directory records).
      dcmIgnoreFileMetaInformationGroupLength.set (OFTrue);
      // DCMTK logs to stderr and its messages may quote element values, which
      // can be patient data: keep it quiet unless a developer asks for it.
      if (g_getenv ("FEN_DCMTK_LOG") == nullptr)
        OFLog::configure (OFLogger::FATAL_LOG_LEVEL);
      DcmRLEDecoderRegistration::registerCodecs ();
      DJDecoderRegistration::registerCodecs ();
      DJLSDecoderRegistration::registerCodecs ();
      g_once_init_leave (&registered, 1);
    }
}

gboolean
fen_dicom_fail (GError    **error,
                FenIoError  code,
                const char *name,
                const char *format,
                ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *cause = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, FEN_IO_ERROR, code, "%s: %s", name, cause);
  return FALSE;
}

// PS3.5 6.1.2.3: the VRs whose values Specific Character Set governs, and
// how each delimits its values (PS3.5 6.1.2.5.3).
gboolean
fen_dicom_text_kind (DcmEVR vr, FenTextKind *kind)
{
  switch (vr)
    {
    case EVR_SH: case EVR_LO: case EVR_UC:
      *kind = FEN_TEXT_MULTI;
      return TRUE;
    case EVR_PN:
      *kind = FEN_TEXT_PN;
      return TRUE;
    case EVR_ST: case EVR_LT: case EVR_UT:
      *kind = FEN_TEXT_SINGLE;
      return TRUE;
    default:
      return FALSE;
    }
}

// The Specific Character Set in force in @item: its own (0008,0005), else
// the nearest enclosing item's (PS3.3 C.12.1.1.2 lets a sequence item
// declare one of its own), else the default repertoire.
FenCharset *
fen_dicom_charset (DcmItem *item)
{
  for (DcmObject *o = item; o != nullptr; o = o->getParent ())
    {
      if (o->ident () != EVR_item && o->ident () != EVR_dataset)
        continue;
      OFString terms;
      if (static_cast<DcmItem *> (o)->findAndGetOFStringArray (DCM_SpecificCharacterSet, terms).good ())
        return fen_charset_new (terms.c_str ());
    }
  return fen_charset_new (nullptr);
}

// A value as stored, as UTF-8: text VRs through the character set in force
// where the element lives (fen-charset.c), the others (ASCII by the
// standard) through the default repertoire's lenient reading.
char *
fen_dicom_decode (DcmItem *where, DcmEVR vr, const OFString &value)
{
  if (value.empty ())
    return nullptr;
  FenTextKind kind = FEN_TEXT_MULTI;
  g_autoptr (FenCharset) charset = fen_dicom_text_kind (vr, &kind) && where != nullptr
                                   ? fen_dicom_charset (where) : nullptr;
  return fen_charset_decode (charset, value.c_str (), value.length (), kind);
}

char *
fen_dicom_get_string (DcmItem *ds, const DcmTagKey &tag)
{
  DcmElement *element = nullptr;
  OFString value;
  if (ds->findAndGetElement (tag, element).bad () || element == nullptr ||
      element->getOFStringArray (value).bad ())
    return nullptr;
  return fen_dicom_decode (ds, element->ident (), value);
}

gboolean
fen_dicom_get_double (DcmItem *ds, const DcmTagKey &tag, unsigned long pos, double *out)
{
  Float64 value = 0.0;
  if (ds->findAndGetFloat64 (tag, value, pos).bad () || !std::isfinite (value))
    return FALSE;
  *out = value;
  return TRUE;
}

gint
fen_dicom_get_int (DcmItem *ds, const DcmTagKey &tag)
{
  Sint32 value = 0;
  if (ds->findAndGetSint32 (tag, value).bad ())
    return 0;
  return value;
}

// Reads a Type 1 US attribute. Returns FALSE with CORRUPT when it is absent
// and @fallback is negative, else substitutes @fallback.
gboolean
fen_dicom_get_us (DcmItem    *ds,
                  const DcmTagKey &tag,
                  const char *label,
                  long        fallback,
                  guint      *out,
                  const char *name,
                  GError    **error)
{
  Uint16 value = 0;
  OFCondition cond = ds->findAndGetUint16 (tag, value);
  if (cond.good ())
    {
      *out = value;
      return TRUE;
    }
  if (fallback >= 0)
    {
      g_debug ("%s (%04x,%04x) absent or unreadable, assuming %ld",
               label, tag.getGroup (), tag.getElement (), fallback);
      *out = (guint) fallback;
      return TRUE;
    }
  return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name,
                         "required attribute %s (%04X,%04X) is %s",
                         label, tag.getGroup (), tag.getElement (),
                         cond == EC_TagNotFound ? "missing" : "empty or unreadable");
}

gboolean
fen_dicom_is_premature_end (const OFCondition &cond)
{
  return cond == EC_StreamNotifyClient || cond == EC_EndOfStream ||
         cond == EC_InvalidStream;
}

FenDicomParse
fen_dicom_parse_once (const char *path, E_TransferSyntax xfer)
{
  FenDicomParse parse;
  parse.file.reset (new DcmFileFormat ());
  // loadFile opens the file with fopen "rb": parsing never writes to it.
  parse.status = parse.file->loadFile (OFFilename (path), xfer, EGL_noChange,
                                       FEN_DICOM_MAX_READ_LENGTH, ERM_autoDetect);
  DcmElement *element = nullptr;
  if (parse.file->getDataset ()->findAndGetElement (DCM_PixelData, element).good ())
    parse.pixel_data = element;
  return parse;
}

// A data set without meta header names no transfer syntax. DCMTK guesses
// from the first tag, and a wrong guess can end "successfully" without the
// Pixel Data, so every plain syntax is tried until one yields it.
FenDicomParse
fen_dicom_parse (const char *path, gboolean has_meta)
{
  FenDicomParse first = fen_dicom_parse_once (path, EXS_Unknown);
  if (has_meta || (first.status.good () && first.pixel_data != nullptr))
    return first;

  static const E_TransferSyntax candidates[] = {
    EXS_LittleEndianImplicit, EXS_LittleEndianExplicit, EXS_BigEndianExplicit,
  };
  for (E_TransferSyntax xfer : candidates)
    {
      FenDicomParse attempt = fen_dicom_parse_once (path, xfer);
      if (attempt.status.good () && attempt.pixel_data != nullptr)
        {
          g_debug ("data set without meta header read as %s", DcmXfer (xfer).getXferName ());
          return attempt;
        }
    }
  return first;
}

// Bytes of a value left on disk that the file really holds.
gboolean
fen_dicom_bytes_on_disk (DcmElement *element, goffset file_size, guint64 *out)
{
  const DcmInputStreamFactory *factory = element->getInputStream ();
  if (factory == nullptr || element->valueLoaded () ||
      factory->ident () != DFT_DcmInputFileStreamFactory)
    return FALSE;
  const auto *file_factory = static_cast<const DcmInputFileStreamFactory *> (factory);
  const offile_off_t offset = file_factory->getOffset ();
  guint64 present = 0;
  if (offset >= 0 && (guint64) offset < (guint64) file_size)
    present = (guint64) file_size - (guint64) offset;
  // getLengthField(): getLength() of a string loads the value to measure it.
  *out = MIN (present, (guint64) element->getLengthField ());
  return TRUE;
}

// A value larger than DCMTK's read limit stays on disk until asked for, and
// DCMTK then allocates its declared length before reading: a tiny file can
// declare a 3 GiB Patient Name (found by fuzz-dicom). Every such value that
// the file does not really hold is dropped here, nested items included
// (their depth is bounded by fen_dicom_scan()). The Pixel Data is left to
// the loader, which reports exactly how much of it is missing.
void
fen_dicom_drop_lying_values (DcmItem *item, goffset file_size, const char *name)
{
  for (unsigned long i = item->card (); i-- > 0;)
    {
      DcmElement *element = item->getElement (i);
      if (element == nullptr)
        continue;
      if (element->ident () == EVR_SQ)
        {
          auto *sequence = static_cast<DcmSequenceOfItems *> (element);
          for (unsigned long k = 0; k < sequence->card (); k++)
            fen_dicom_drop_lying_values (sequence->getItem (k), file_size, name);
          continue;
        }
      if (element->getTag () == DCM_PixelData)
        continue;
      guint64 present = 0;
      if (fen_dicom_bytes_on_disk (element, file_size, &present) &&
          present < element->getLengthField ())
        {
          g_debug ("%s: (%04x,%04x) declares %u bytes, the file holds %" G_GUINT64_FORMAT
                   ": dropped", name, element->getGTag (), element->getETag (),
                   element->getLengthField (), present);
          delete item->remove (element);
        }
    }
}

// The guards every reader runs before DCMTK sees a file, on the kind that
// fen_sniff() decided once: DCMTK would happily parse any file as a data
// set. Then the bounded walk: DCMTK 3.6.7 recurses once per nested sequence
// and allocates a deflated value's declared length up front. The walk also
// knows a DICOMDIR, whose records DCMTK leaks when they are malformed.
gboolean
fen_dicom_guard (const char *path, const char *name, const FenSniff *sniff,
                 gboolean *is_dicomdir, GError **error)
{
  if (sniff->kind != FEN_FILE_DICOM && sniff->kind != FEN_FILE_DICOM_BARE)
    return fen_dicom_fail (error, FEN_IO_ERROR_FORMAT, name,
                           "not a DICOM file (no DICM preamble and no readable data set)");
  return fen_dicom_scan_full (path, name, sniff->kind == FEN_FILE_DICOM,
                              FEN_DICOM_SCAN_MAX_DEPTH, nullptr, is_dicomdir, error);
}

// fen_dicom_guard() for a reader that was handed a path alone: the file is
// sniffed here, once.
gboolean
fen_dicom_sniff_and_guard (const char *path, const char *name, FenSniff *sniff,
                           gboolean *is_dicomdir, GError **error)
{
  return fen_sniff (path, sniff, error) && fen_dicom_guard (path, name, sniff, is_dicomdir, error);
}
