/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-fuzz-seeds-multipart.c: seed inputs for fuzz-multipart, written by
 * fen-fuzz-seeds --multipart DIR: WADO-RS answers as archives send them
 * (CRLF, a quoted boundary, a preamble and an epilogue, several parts), and
 * as hostile peers do (tests/pacs/test-pacs-hostile.c's cases: cut short,
 * a boundary that is not the one declared, a part of another type, a part
 * that is no DICOM file or names an invalid UID). Each file: the
 * Content-Type, a newline, the body. */
#include "fen-fuzz-seeds-multipart.h"

#include <string.h>

/* A Part 10 file of a few bytes (PS3.10 7.1): preamble, "DICM", the meta
 * header with its SOP Instance UID, and one data set element. */
static void
fen_seed_dicom (GString *out, const char *uid)
{
  gsize uid_len = strlen (uid) + (strlen (uid) & 1);
  guint8 head[12];

  for (guint i = 0; i < 128; i++)
    g_string_append_c (out, '\0');
  g_string_append (out, "DICM");
  /* (0002,0000) UL 4: the group's length after it. */
  g_string_append_len (out, "\x02\x00\x00\x00UL\x04\x00", 8);
  head[0] = (guint8) (8 + uid_len);
  head[1] = head[2] = head[3] = 0;
  g_string_append_len (out, (const char *) head, 4);
  /* (0002,0003) UI */
  g_string_append_len (out, "\x02\x00\x03\x00UI", 6);
  head[0] = (guint8) uid_len;
  head[1] = 0;
  g_string_append_len (out, (const char *) head, 2);
  g_string_append (out, uid);
  if (strlen (uid) & 1)
    g_string_append_c (out, '\0');
  /* (0008,0060) CS "OT" */
  g_string_append_len (out, "\x08\x00\x60\x00" "CS\x02\x00OT", 10);
}

static void
fen_seed_write (const char *dir, const char *name, GString *content)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  if (!g_file_set_contents (path, content->str, (gssize) content->len, &error))
    g_printerr ("%s: %s\n", path, error->message);
}

static void
fen_seed_part (GString *s, const char *boundary, const char *type, const char *uid)
{
  g_string_append_printf (s, "--%s\r\nContent-Type: %s\r\n\r\n", boundary, type);
  fen_seed_dicom (s, uid);
  g_string_append (s, "\r\n");
}

int
fen_seed_multipart (const char *dir)
{
  const char *b = "fen-b0undary";
  const char *type = "multipart/related; type=\"application/dicom\"; boundary=fen-b0undary\n";

  {
    g_autoptr(GString) s = g_string_new (type);
    fen_seed_part (s, b, "application/dicom", "1.2.3.4");
    fen_seed_part (s, b, "application/dicom", "1.2.3.5");
    g_string_append_printf (s, "--%s--\r\n", b);
    fen_seed_write (dir, "two-parts", s);
  }
  {
    g_autoptr(GString) s = g_string_new ("multipart/related; type=\"application/dicom\"; "
                                         "boundary=\"quoted:b=1\"; transfer-syntax=*\n");
    g_string_append (s, "a preamble, ignored\r\n");
    fen_seed_part (s, "quoted:b=1", "application/dicom; transfer-syntax=1.2.840.10008.1.2.1", "2.25.1");
    g_string_append (s, "--quoted:b=1--\r\nan epilogue, ignored\r\n");
    fen_seed_write (dir, "quoted-boundary", s);
  }
  {
    g_autoptr(GString) s = g_string_new (type);
    fen_seed_part (s, b, "application/dicom", "1.2.3.4");
    fen_seed_part (s, b, "application/dicom", "1.2.3.4");
    g_string_append_printf (s, "--%s--\r\n", b);
    fen_seed_write (dir, "same-uid-twice", s);
  }
  {
    g_autoptr(GString) s = g_string_new (type);
    fen_seed_part (s, b, "application/dicom", "1.2.3.4");
    g_string_append_printf (s, "--%s\r\nContent-Type: application/dicom\r\n\r\n", b);
    fen_seed_dicom (s, "1.2.3.5");
    g_string_truncate (s, s->len - 7);
    fen_seed_write (dir, "cut-short", s);
  }
  {
    g_autoptr(GString) s = g_string_new (type);
    fen_seed_part (s, "another-boundary", "application/dicom", "1.2.3.4");
    g_string_append (s, "--another-boundary--\r\n");
    fen_seed_write (dir, "wrong-boundary", s);
  }
  {
    g_autoptr(GString) s = g_string_new (type);
    g_string_append_printf (s, "--%s\r\nContent-Type: application/json\r\n\r\n{}\r\n--%s--\r\n", b, b);
    fen_seed_write (dir, "json-part", s);
  }
  {
    g_autoptr(GString) s = g_string_new (type);
    fen_seed_part (s, b, "application/dicom", "1.2.3.4");
    g_string_append_printf (s, "--%s\r\nContent-Type: application/dicom\r\n\r\nnot dicom\r\n--%s--\r\n", b, b);
    fen_seed_write (dir, "not-dicom", s);
  }
  {
    g_autoptr(GString) s = g_string_new (type);
    fen_seed_part (s, b, "application/dicom", "../../1.2");
    g_string_append_printf (s, "--%s--\r\n", b);
    fen_seed_write (dir, "path-uid", s);
  }
  {
    g_autoptr(GString) s = g_string_new ("multipart/related; type=\"application/dicom\"; boundary="
                                         "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n");
    g_string_append (s, "--x\r\n");
    fen_seed_write (dir, "long-boundary", s);
  }
  {
    g_autoptr(GString) s = g_string_new (type);
    fen_seed_write (dir, "empty-body", s);
  }
  {
    /* Lines libsoup 3.2 reads between the parts and asserts end in a line
     * feed: one far longer than its 8 KiB, one cut by the end. */
    g_autoptr(GString) s = g_string_new (type);
    g_string_append (s, "--other\r\nContent-Type: application/dicom\r\n\r\n");
    for (guint i = 0; i < 9000; i++)
      g_string_append_c (s, 'x');
    g_string_append (s, "\r\n--other--\r\n");
    fen_seed_write (dir, "long-line", s);
  }
  {
    g_autoptr(GString) s = g_string_new (type);
    g_string_append_printf (s, "--%s\r\nContent-Type: applic", b);
    fen_seed_write (dir, "headers-cut", s);
  }
  {
    g_autoptr(GString) s = g_string_new (type);
    fen_seed_part (s, b, "application/dicom", "1.2.3.4");
    g_string_append_printf (s, "--%s--", b);
    fen_seed_write (dir, "close-without-crlf", s);
  }
  return 0;
}
