/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dicomdir.c: the files a DICOMDIR references (PS3.10 8.6, PS3.3 F.5),
 * read without DCMTK: DcmDicomDir writes the file back when it thinks it
 * changed, and a plain DcmFileFormat leaks the records of a malformed
 * Directory Record Sequence (found by fuzz-dicom). The bounded walk of
 * fen-dicom-scan.c reads the references. */
#define G_LOG_DOMAIN "fen-dicom"

#include "fen-dicom-private.h"

#include <string.h>

#include "fen-dicom-scan.h"
#include "fen-sniff.h"

/* PS3.10 8.5 / PS3.3 F.5.13: Referenced File ID is a path of components
 * (CS, separated by '\'), relative to the DICOMDIR's folder. Anything that
 * could leave that folder is refused. */
static char *
fen_dicomdir_resolve (const char *root, const char *value, GString *why)
{
  g_auto(GStrv) parts = g_strsplit (value, "\\", 0);
  g_autoptr(GPtrArray) clean = g_ptr_array_new ();

  for (char **p = parts; *p != NULL; p++)
    {
      g_strstrip (*p);
      if (**p == '\0' || strcmp (*p, ".") == 0 || strcmp (*p, "..") == 0 ||
          strchr (*p, '/') != NULL || g_path_is_absolute (*p))
        {
          g_string_printf (why, "Referenced File ID \"%s\" leaves the DICOMDIR's folder or has "
                           "an empty component: ignored", value);
          return NULL;
        }
      g_ptr_array_add (clean, *p);
    }
  if (clean->len == 0 || clean->len > 8)
    {
      g_string_printf (why, "Referenced File ID \"%s\" has %u components", value, clean->len);
      return NULL;
    }
  g_ptr_array_insert (clean, 0, (gpointer) root);
  g_ptr_array_add (clean, NULL);
  char *path = g_build_filenamev ((char **) clean->pdata);
  if (g_file_test (path, G_FILE_TEST_IS_REGULAR))
    return path;

  /* Media written on other systems may differ in case (PS3.12 names are
   * upper case); try the lower-case spelling before giving up. */
  g_autofree char *lower = g_ascii_strdown (path + strlen (root), -1);
  char *alt = g_strconcat (root, lower, NULL);
  g_free (path);
  if (g_file_test (alt, G_FILE_TEST_IS_REGULAR))
    return alt;
  g_free (alt);
  g_string_printf (why, "Referenced File ID \"%s\": no such file", value);
  return NULL;
}

gboolean
fen_dicom_read_dicomdir (const char *path, GPtrArray *files, GPtrArray *problems, GError **error)
{
  g_autofree char *name = g_path_get_basename (path);
  g_autoptr(GPtrArray) ids = g_ptr_array_new_with_free_func (g_free);
  gboolean has_records = FALSE;
  FenSniff sniff;

  /* DcmDicomDir would report a missing file as an empty tree. */
  if (!fen_sniff (path, &sniff, error))
    return FALSE;
  if (sniff.kind != FEN_FILE_DICOM && sniff.kind != FEN_FILE_DICOM_BARE)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_FORMAT,
                   "%s: not a DICOMDIR (not a DICOM file)", name);
      return FALSE;
    }
  if (!fen_dicom_scan_full (path, name, sniff.kind == FEN_FILE_DICOM, FEN_DICOM_SCAN_MAX_DEPTH,
                            ids, &has_records, error))
    return FALSE;
  if (!has_records)
    {
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_FORMAT,
                   "%s: not a DICOMDIR (no Directory Record Sequence)", name);
      return FALSE;
    }

  g_autofree char *root = g_path_get_dirname (path);
  g_autoptr(GString) why = g_string_new (NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  for (guint i = 0; i < ids->len; i++)
    {
      char *resolved = fen_dicomdir_resolve (root, ids->pdata[i], why);
      if (resolved == NULL)
        {
          g_ptr_array_add (problems, g_strdup_printf ("%s: reference %u: %s", name, i + 1, why->str));
          continue;
        }
      if (!g_hash_table_add (seen, g_strdup (resolved)))
        {
          g_free (resolved);
          continue;
        }
      g_ptr_array_add (files, resolved);
    }
  return TRUE;
}
