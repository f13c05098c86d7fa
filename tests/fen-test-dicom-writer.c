/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-test-dicom-writer.c: a byte-level DICOM writer for tests that need
 * files DCMTK's tools will not write: hostile ones, implicit elements in an
 * explicit data set, encapsulated JPEG 2000, palettes, 1-bit and 32-bit
 * pixels. Explicit VR little endian unless told otherwise. */
#include "fen-test-dicom-writer.h"

#include <glib/gstdio.h>

#include <sys/stat.h>
#include <string.h>


void
fen_put_u16 (GByteArray *out, guint16 v)
{
  guint16 le = GUINT16_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &le, 2);
}

void
fen_put_u32 (GByteArray *out, guint32 v)
{
  guint32 le = GUINT32_TO_LE (v);
  g_byte_array_append (out, (const guint8 *) &le, 4);
}

void
fen_put_tag (GByteArray *out, guint16 group, guint16 element)
{
  fen_put_u16 (out, group);
  fen_put_u16 (out, element);
}

/* A sequence of one item holding @content, explicit lengths (PS3.5 7.5). */
void
fen_put_item_of (GByteArray *out, guint16 group, guint16 element, GByteArray *content)
{
  fen_put_explicit (out, group, element, "SQ", content->len + 8);
  fen_put_tag (out, 0xfffe, 0xe000);
  fen_put_u32 (out, content->len);
  g_byte_array_append (out, content->data, content->len);
}

/* PS3.5 7.1.2: explicit VR header. */
void
fen_put_explicit (GByteArray *out, guint16 group, guint16 element, const char *vr, guint32 len)
{
  fen_put_tag (out, group, element);
  g_byte_array_append (out, (const guint8 *) vr, 2);
  if (strstr ("OB OW SQ UN UT", vr) != NULL)
    {
      fen_put_u16 (out, 0);
      fen_put_u32 (out, len);
    }
  else
    fen_put_u16 (out, (guint16) len);
}

/* PS3.5 7.1.3: implicit VR header: tag and a 32-bit length. */
void
fen_put_implicit (GByteArray *out, guint16 group, guint16 element, guint32 len)
{
  fen_put_tag (out, group, element);
  fen_put_u32 (out, len);
}

void
fen_put_string (GByteArray *out, guint16 group, guint16 element, const char *vr, const char *s)
{
  gsize len = strlen (s), padded = len + (len & 1);
  fen_put_explicit (out, group, element, vr, (guint32) padded);
  g_byte_array_append (out, (const guint8 *) s, (guint) len);
  if (padded != len)
    g_byte_array_append (out, (const guint8 *) (strcmp (vr, "UI") == 0 ? "\0" : " "), 1);
}

void
fen_put_us (GByteArray *out, guint16 group, guint16 element, guint16 v, gboolean implicit)
{
  if (implicit)
    fen_put_implicit (out, group, element, 2);
  else
    fen_put_explicit (out, group, element, "US", 2);
  fen_put_u16 (out, v);
}

/* Preamble and meta header naming @ts_uid. */
GByteArray *
fen_part10_start_for (const char *ts_uid, const char *sop_class, const char *sop_instance)
{
  GByteArray *out = g_byte_array_new ();
  GByteArray *meta = g_byte_array_new ();
  static const guint8 version[2] = { 0, 1 };

  fen_put_explicit (meta, 0x0002, 0x0001, "OB", 2);
  g_byte_array_append (meta, version, 2);
  fen_put_string (meta, 0x0002, 0x0002, "UI", sop_class);
  fen_put_string (meta, 0x0002, 0x0003, "UI", sop_instance);
  fen_put_string (meta, 0x0002, 0x0010, "UI", ts_uid);
  g_byte_array_set_size (out, 128);
  memset (out->data, 0, 128);
  g_byte_array_append (out, (const guint8 *) "DICM", 4);
  fen_put_explicit (out, 0x0002, 0x0000, "UL", 4);
  fen_put_u32 (out, meta->len);
  g_byte_array_append (out, meta->data, meta->len);
  g_byte_array_unref (meta);
  return out;
}

GByteArray *
fen_part10_start (const char *ts_uid)
{
  return fen_part10_start_for (ts_uid, "1.2.840.10008.5.1.4.1.1.7", "1.2.826.0.1.3680043.9.9999.5.1");
}

/* An 8-bit MONOCHROME2 image module; @implicit_rows writes Rows (0028,0010)
 * without its VR, as some writers do. */
void
fen_put_image_module (GByteArray *out, guint rows, guint cols, gboolean implicit_rows)
{
  fen_put_string (out, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7");
  fen_put_string (out, 0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9.9999.5.1");
  fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
  fen_put_us (out, 0x0028, 0x0010, (guint16) rows, implicit_rows);
  fen_put_us (out, 0x0028, 0x0011, (guint16) cols, FALSE);
  fen_put_us (out, 0x0028, 0x0100, 8, FALSE);
  fen_put_us (out, 0x0028, 0x0101, 8, FALSE);
  fen_put_us (out, 0x0028, 0x0102, 7, FALSE);
  fen_put_us (out, 0x0028, 0x0103, 0, FALSE);
}

void
fen_put_pixels (GByteArray *out, guint n)
{
  fen_put_explicit (out, 0x7fe0, 0x0010, "OB", n + (n & 1));
  for (guint i = 0; i < n + (n & 1); i++)
    {
      guint8 v = (guint8) (i * 7);
      g_byte_array_append (out, &v, 1);
    }
}


char *
fen_test_write_file (const char *dir, const char *name, GByteArray *data)
{
  char *path = g_build_filename (dir, name, NULL);
  GError *error = NULL;

  g_file_set_contents (path, (const char *) data->data, data->len, &error);
  g_assert_no_error (error);
  return path;
}

void
fen_test_remove_dir (const char *dir)
{
  GStatBuf st;

  /* Links are removed, never followed. */
  if (g_lstat (dir, &st) != 0)
    return;
  if (S_ISDIR (st.st_mode))
    {
      GDir *handle = g_dir_open (dir, 0, NULL);
      const char *entry;

      while (handle != NULL && (entry = g_dir_read_name (handle)) != NULL)
        {
          g_autofree char *child = g_build_filename (dir, entry, NULL);
          fen_test_remove_dir (child);
        }
      if (handle != NULL)
        g_dir_close (handle);
      g_rmdir (dir);
    }
  else
    g_unlink (dir);
}
