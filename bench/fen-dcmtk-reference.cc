// SPDX-License-Identifier: GPL-3.0-or-later
// fen-dcmtk-reference.cc: DCMTK's DicomImage doing the job the viewer does,
// the way DCMTK's own tools do it, for fenestra-bench to measure the core
// against. Nothing in the viewer or the CLI calls it.
#define G_LOG_DOMAIN "fen-bench"

#include "dcmtk/config/osconfig.h"
#include "dcmtk/dcmdata/dctk.h"
#include "dcmtk/dcmimgle/dcmimage.h"

#include <glib.h>

#include <cstdarg>
#include <exception>
#include <cstring>
#include <memory>
#include <vector>

#include <fenestra/fen-loader.h>

#include "fen-dcmtk-reference.h"

struct _FenDcmtkReference {
  DicomImage *image;   // owned
};

namespace {

gboolean
fen_dcmtk_reference_fail (GError **error, FenIoError code, const char *name, const char *format, ...)
  G_GNUC_PRINTF (4, 5);

gboolean
fen_dcmtk_reference_fail (GError **error, FenIoError code, const char *name, const char *format, ...)
{
  va_list args;
  va_start (args, format);
  g_autofree char *cause = g_strdup_vprintf (format, args);
  va_end (args);
  g_set_error (error, FEN_IO_ERROR, code, "%s: %s", name, cause);
  return FALSE;
}

template <typename F>
gboolean
fen_dcmtk_reference_guard (const char *name, GError **error, F &&body)
{
  try
    {
      return body ();
    }
  catch (const std::exception &e)
    {
      g_clear_error (error);
      return fen_dcmtk_reference_fail (error, FEN_IO_ERROR_CORRUPT, name, "DCMTK failed: %s", e.what ());
    }
  catch (...)
    {
      g_clear_error (error);
      return fen_dcmtk_reference_fail (error, FEN_IO_ERROR_CORRUPT, name, "DCMTK failed with an unknown exception");
    }
}

} // namespace

FenDcmtkReference *
fen_dcmtk_reference_open (const char *path, GError **error)
{
  g_return_val_if_fail (path != nullptr, nullptr);

  g_autofree char *name = g_path_get_basename (path);
  FenDcmtkReference *ref = nullptr;

  fen_dicom_init ();
  fen_dcmtk_reference_guard (name, error, [&] () -> gboolean {
    std::unique_ptr<DicomImage> image (new DicomImage (path));
    if (image->getStatus () != EIS_Normal)
      return fen_dcmtk_reference_fail (error, FEN_IO_ERROR_CORRUPT, name, "DicomImage: %s",
                             DicomImage::getString (image->getStatus ()));
    if (!image->isMonochrome ())
      return fen_dcmtk_reference_fail (error, FEN_IO_ERROR_UNSUPPORTED, name,
                             "the reference renderer takes monochrome images only");
    ref = g_new0 (FenDcmtkReference, 1);
    ref->image = image.release ();
    return TRUE;
  });
  return ref;
}

void
fen_dcmtk_reference_free (FenDcmtkReference *ref)
{
  if (ref == nullptr)
    return;
  delete ref->image;
  g_free (ref);
}

guint
fen_dcmtk_reference_get_width (const FenDcmtkReference *ref)
{
  return (guint) ref->image->getWidth ();
}

guint
fen_dcmtk_reference_get_height (const FenDcmtkReference *ref)
{
  return (guint) ref->image->getHeight ();
}

gboolean
fen_dcmtk_reference_window (FenDcmtkReference *ref,
                            double             center,
                            double             width,
                            guint8            *out,
                            gsize              out_size)
{
  g_return_val_if_fail (ref != nullptr && out != nullptr, FALSE);

  // What a DCMTK-based viewer does on every drag event: a new window, then
  // the whole frame rendered again (into our buffer, so DCMTK's own output
  // allocation is not what is measured).
  return fen_dcmtk_reference_guard ("reference", nullptr, [&] () -> gboolean {
    return ref->image->setWindow (center, width) != 0 &&
           ref->image->getOutputData (out, out_size, 8, 0) != 0;
  });
}

gboolean
fen_dcmtk_reference_load_dataset (const char *path, GError **error)
{
  g_return_val_if_fail (path != nullptr, FALSE);

  g_autofree char *name = g_path_get_basename (path);

  fen_dicom_init ();
  return fen_dcmtk_reference_guard (name, error, [&] () -> gboolean {
    DcmFileFormat file;
    OFCondition cond = file.loadFile (path);
    if (cond.good ())
      cond = file.loadAllDataIntoMemory ();
    if (cond.bad ())
      return fen_dcmtk_reference_fail (error, FEN_IO_ERROR_CORRUPT, name, "DcmFileFormat: %s", cond.text ());
    return TRUE;
  });
}

gboolean
fen_dcmtk_reference_write_frames (char **slices, guint n, const char *out, GError **error)
{
  g_return_val_if_fail (slices != nullptr && n > 0 && out != nullptr, FALSE);

  g_autofree char *name = g_path_get_basename (out);

  fen_dicom_init ();
  return fen_dcmtk_reference_guard (name, error, [&] () -> gboolean {
    DcmFileFormat first;
    OFCondition cond = first.loadFile (slices[0]);
    DcmDataset *ds = first.getDataset ();
    Uint16 rows = 0, cols = 0;
    if (cond.good ())
      cond = ds->findAndGetUint16 (DCM_Rows, rows);
    if (cond.good ())
      cond = ds->findAndGetUint16 (DCM_Columns, cols);
    const gsize frame = (gsize) rows * cols;
    std::vector<Uint16> all (frame * n);
    for (guint i = 0; i < n && cond.good (); i++)
      {
        DcmFileFormat slice;
        const Uint16 *words = nullptr;
        unsigned long count = 0;
        cond = slice.loadFile (slices[i]);
        if (cond.good ())
          cond = slice.getDataset ()->findAndGetUint16Array (DCM_PixelData, words, &count);
        if (cond.good () && (words == nullptr || count != frame))
          cond = EC_IllegalParameter;
        if (cond.good ())
          memcpy (all.data () + i * frame, words, frame * sizeof (Uint16));
      }
    char frames[16];
    g_snprintf (frames, sizeof frames, "%u", n);
    if (cond.good ())
      cond = ds->putAndInsertString (DCM_NumberOfFrames, frames);
    if (cond.good ())
      cond = ds->putAndInsertUint16Array (DCM_PixelData, all.data (), (unsigned long) all.size ());
    if (cond.good ())
      cond = first.saveFile (out, EXS_LittleEndianExplicit);
    if (cond.bad ())
      return fen_dcmtk_reference_fail (error, FEN_IO_ERROR_CORRUPT, name, "multi-frame input: %s",
                                       cond.text ());
    return TRUE;
  });
}
