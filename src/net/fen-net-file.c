/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-net-file.c: where retrieved objects land. Each arrives in a private
 * folder beside its destination and is renamed into place once complete, so
 * a reader of the destination never sees half an object; its name is its SOP
 * Instance UID, checked first, so no peer chooses a path. */
#define G_LOG_DOMAIN "fen-net"

#include "fen-net-private.h"

#include <glib/gstdio.h>

#include <errno.h>
#include <string.h>

char *
_fen_net_incoming_dir_new (const char *dir, GError **error)
{
  g_autofree char *templ = g_build_filename (dir, ".fen-incoming-XXXXXX", NULL);

  if (g_mkdtemp (templ) == NULL)
    {
      int saved = errno;
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_IO,
                   "cannot write to %s: %s", dir, g_strerror (saved));
      return NULL;
    }
  return g_steal_pointer (&templ);
}

/* Whatever is left in the incoming folder is incomplete: remove it all. */
void
_fen_net_incoming_dir_free (char *incoming)
{
  g_autoptr(GDir) d = NULL;
  const char *name;

  if (incoming == NULL)
    return;
  d = g_dir_open (incoming, 0, NULL);
  while (d != NULL && (name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (incoming, name, NULL);
      g_unlink (path);
    }
  g_rmdir (incoming);
  g_free (incoming);
}

gboolean
_fen_net_place_instance (const char *temp_path, const char *dir, const char *sop_instance_uid,
                         char **final_path, GError **error)
{
  g_autofree char *name = NULL;
  g_autofree char *path = NULL;

  if (!fen_pacs_uid_is_valid (sop_instance_uid))
    {
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
                   "the archive sent an object whose SOP Instance UID is not a valid UID");
      g_unlink (temp_path);
      return FALSE;
    }
  name = g_strconcat (sop_instance_uid, ".dcm", NULL);
  path = g_build_filename (dir, name, NULL);
  if (g_rename (temp_path, path) != 0)
    {
      int saved = errno;
      g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_IO, "cannot write %s: %s", path,
                   g_strerror (saved));
      g_unlink (temp_path);
      return FALSE;
    }
  if (final_path != NULL)
    *final_path = g_steal_pointer (&path);
  return TRUE;
}

static gboolean
fen_net_vr_has_long_length (const guint8 *vr)
{
  static const char *const long_vrs[] = { "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV",
                                          "UC", "UN", "UR", "UT", "UV" };

  for (guint i = 0; i < G_N_ELEMENTS (long_vrs); i++)
    if (vr[0] == long_vrs[i][0] && vr[1] == long_vrs[i][1])
      return TRUE;
  return FALSE;
}

/* The Media Storage SOP Instance UID from a Part 10 file's meta header
 * (PS3.10 7.1: preamble, "DICM", group 0002 in explicit VR little endian).
 * Only the first 64 KiB are read; every length is checked against them. */
gboolean
_fen_net_read_instance_uid (const char *path, char **sop_instance_uid, GError **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) in = NULL;
  g_autofree guint8 *buf = g_malloc (65536);
  gsize n = 0, pos = 132;

  in = g_file_read (file, NULL, error);
  if (in == NULL || !g_input_stream_read_all (G_INPUT_STREAM (in), buf, 65536, &n, NULL, error))
    return FALSE;
  if (n < 132 || memcmp (buf + 128, "DICM", 4) != 0)
    goto bad;
  while (pos + 8 <= n)
    {
      guint16 group = buf[pos] | buf[pos + 1] << 8;
      guint16 element = buf[pos + 2] | buf[pos + 3] << 8;
      guint64 length;

      if (group != 0x0002)
        break;
      if (fen_net_vr_has_long_length (buf + pos + 4))
        {
          if (pos + 12 > n)
            goto bad;
          length = (guint64) buf[pos + 8] | (guint64) buf[pos + 9] << 8 |
                   (guint64) buf[pos + 10] << 16 | (guint64) buf[pos + 11] << 24;
          pos += 12;
        }
      else
        {
          length = buf[pos + 6] | buf[pos + 7] << 8;
          pos += 8;
        }
      if (length > n - pos)
        goto bad;
      if (element == 0x0003)
        {
          g_autofree char *uid = g_strndup ((const char *) buf + pos, length);

          /* UI values are padded to even length with NUL (PS3.5 6.2). */
          g_strchomp (uid);
          if (!fen_pacs_uid_is_valid (uid))
            goto bad;
          *sop_instance_uid = g_steal_pointer (&uid);
          return TRUE;
        }
      pos += length;
    }
bad:
  g_set_error (error, FEN_NET_ERROR, FEN_NET_ERROR_PROTOCOL,
               "the archive sent an object that is not a DICOM file with a valid SOP Instance UID");
  return FALSE;
}
