// SPDX-License-Identifier: GPL-3.0-or-later
// fen-dicom-tags.cc: a file's attributes as a tree for the tag browser
// (fen-dicom-tags.h); the pixel data is never read.
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

#include "fenestra/fen-dicom-tags.h"
#include "fen-dicom-scan.h"

// --- Attributes as a tree, for the tag browser (fen-dicom-tags.h) ----------

namespace {

// Values above this stay on disk: the browser shows short values, and a
// large one (overlays, waveforms, private blobs) is described, not read.
constexpr Uint32 FEN_DICOM_TAGS_READ_LENGTH = 1024;
// What one file can make us build, however many items it nests.
constexpr guint FEN_DICOM_TAGS_MAX_NODES = 200000;

FenDicomTag *
fen_dicom_tags_node (DcmObject *object)
{
  // A copy: getTagName() caches the dictionary's answer in the tag.
  DcmTag tag (object->getTag ());
  FenDicomTag *node = g_new0 (FenDicomTag, 1);
  node->group = tag.getGroup ();
  node->element = tag.getElement ();
  node->length = object->getLengthField ();
  g_strlcpy (node->vr, DcmVR (object->ident ()).getValidVRName (), sizeof node->vr);
  // The dictionary lookup of a private tag goes through its creator.
  const char *creator = tag.getPrivateCreator ();
  if (creator != nullptr && *creator != '\0')
    node->private_creator = g_utf8_make_valid (creator, -1);
  const char *keyword = tag.getTagName ();
  node->keyword = g_strdup (keyword == nullptr || strcmp (keyword, DcmTag_ERROR_TagName) == 0
                            ? "Unknown" : keyword);
  return node;
}

char *
fen_dicom_tags_value (DcmElement *element)
{
  const guint32 length = element->getLengthField ();
  // Pixel Data, Float and Double Float Pixel Data (7FE0,0008-0010): never read.
  if (element->getGTag () == 0x7fe0 && element->getETag () <= 0x0010)
    return length == DCM_UndefinedLength
           ? g_strdup ("(pixel data, encapsulated, not read)")
           : g_strdup_printf ("(pixel data, %u bytes, not read)", length);
  if (!element->valueLoaded ())
    return g_strdup_printf ("(%u bytes, not read)", length);
  OFString value;
  if (element->getOFStringArray (value).bad ())
    return g_strdup ("");
  char *text = fen_dicom_decode (element->getParentItem (), element->ident (), value);
  if (text == nullptr)
    return g_strdup ("");
  if (g_utf8_strlen (text, -1) > FEN_DICOM_TAG_MAX_VALUE)
    {
      char *cut = g_utf8_substring (text, 0, FEN_DICOM_TAG_MAX_VALUE - 1);
      g_free (text);
      text = g_strconcat (cut, "\u2026", nullptr);
      g_free (cut);
    }
  return text;
}

gboolean
fen_dicom_tags_walk (DcmItem *item, GPtrArray *out, guint *nodes, const char *name, GError **error)
{
  DcmObject *object = nullptr;
  while ((object = item->nextInContainer (object)) != nullptr)
    {
      if (++*nodes > FEN_DICOM_TAGS_MAX_NODES)
        return fen_dicom_fail (error, FEN_IO_ERROR_TOO_LARGE, name,
                               "more than %u attributes", FEN_DICOM_TAGS_MAX_NODES);
      FenDicomTag *node = fen_dicom_tags_node (object);
      g_ptr_array_add (out, node);
      if (object->ident () != EVR_SQ)
        {
          node->value = fen_dicom_tags_value (static_cast<DcmElement *> (object));
          continue;
        }
      auto *sequence = static_cast<DcmSequenceOfItems *> (object);
      const unsigned long n = sequence->card ();
      node->value = g_strdup_printf ("%lu item%s", n, n == 1 ? "" : "s");
      node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_dicom_tag_free);
      unsigned long index = 0;
      DcmObject *child = nullptr;
      while ((child = sequence->nextInContainer (child)) != nullptr)
        {
          FenDicomTag *item_node = g_new0 (FenDicomTag, 1);
          item_node->group = 0xfffe;
          item_node->element = 0xe000;
          item_node->keyword = g_strdup ("Item");
          item_node->value = g_strdup_printf ("#%lu", ++index);
          item_node->length = child->getLengthField ();
          item_node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_dicom_tag_free);
          g_ptr_array_add (node->children, item_node);
          if (++*nodes > FEN_DICOM_TAGS_MAX_NODES)
            return fen_dicom_fail (error, FEN_IO_ERROR_TOO_LARGE, name,
                                   "more than %u attributes", FEN_DICOM_TAGS_MAX_NODES);
          if (!fen_dicom_tags_walk (static_cast<DcmItem *> (child), item_node->children, nodes, name, error))
            return FALSE;
        }
    }
  return TRUE;
}

GPtrArray *
fen_dicom_read_tags_internal (const char *path, const char *name, GError **error)
{
  // The bounded walk first, as for a load: depth, deflate, DICOMDIR.
  FenSniff sniff;
  gboolean is_dicomdir = FALSE;
  if (!fen_dicom_sniff_and_guard (path, name, &sniff, &is_dicomdir, error))
    return nullptr;
  const gboolean has_meta = sniff.kind == FEN_FILE_DICOM;
  if (is_dicomdir)
    {
      fen_dicom_fail (error, FEN_IO_ERROR_UNSUPPORTED, name, "a DICOMDIR: its records are not browsed");
      return nullptr;
    }
  fen_dicom_register_codecs ();

  DcmFileFormat file;
  OFCondition status = file.loadFile (OFFilename (path), EXS_Unknown, EGL_noChange,
                                      FEN_DICOM_TAGS_READ_LENGTH, ERM_autoDetect);
  DcmDataset *ds = file.getDataset ();
  GStatBuf st;
  if (g_stat (path, &st) == 0)
    {
      fen_dicom_drop_lying_values (ds, st.st_size, name);
      fen_dicom_drop_lying_values (file.getMetaInfo (), st.st_size, name);
    }
  if (!has_meta && (status.bad () || ds->card () == 0))
    {
      fen_dicom_fail (error, FEN_IO_ERROR_FORMAT, name,
                      "not a DICOM file (no DICM preamble and no readable data set)");
      return nullptr;
    }
  // A file cut short still shows what it holds: the browser is for looking.
  if (status.bad ())
    g_debug ("%s: data set read in part: %s", name, status.text ());

  g_autoptr (GPtrArray) tags = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_dicom_tag_free);
  guint nodes = 0;
  if (!fen_dicom_tags_walk (file.getMetaInfo (), tags, &nodes, name, error) ||
      !fen_dicom_tags_walk (ds, tags, &nodes, name, error))
    return nullptr;
  return static_cast<GPtrArray *> (g_steal_pointer (&tags));
}

} // namespace

void
fen_dicom_tag_free (FenDicomTag *tag)
{
  if (tag == nullptr)
    return;
  g_free (tag->keyword);
  g_free (tag->value);
  g_free (tag->private_creator);
  g_clear_pointer (&tag->children, g_ptr_array_unref);
  g_free (tag);
}

GPtrArray *
fen_dicom_read_tags (const char *path, GError **error)
{
  g_return_val_if_fail (path != nullptr, nullptr);
  g_return_val_if_fail (error == nullptr || *error == nullptr, nullptr);

  g_autofree char *name = g_path_get_basename (path);
  return fen_dicom_boundary<GPtrArray *> (name, "reading the attributes", error, nullptr, [&] () {
    return fen_dicom_read_tags_internal (path, name, error);
  });
}
