/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-tags.c: fen_dicom_read_tags(), the tag browser's tree: meta header
 * first, sequences as items with children, private tags with their
 * creator, long values cut, and the pixel data never read. */
#define G_LOG_DOMAIN "test-tags"

#include <fenestra/fenestra.h>
#include <fenestra/fen-dicom-tags.h>

#include <string.h>

#include <glib/gstdio.h>

#include "fen-test-dicom-writer.h"

#define FEN_TEST_PIXELS (512u * 1024u)

static const FenDicomTag *
fen_test_find (GPtrArray *tags, guint16 group, guint16 element)
{
  for (guint i = 0; tags != NULL && i < tags->len; i++)
    {
      const FenDicomTag *tag = g_ptr_array_index (tags, i);

      if (tag->group == group && tag->element == element)
        return tag;
    }
  return NULL;
}

static char *
fen_test_write_tags_file (const char *dir)
{
  g_autoptr(GByteArray) out = fen_part10_start ("1.2.840.10008.1.2.1");
  g_autofree char *long_text = NULL;
  GString *s = g_string_new (NULL);

  for (guint i = 0; i < 600; i++)
    g_string_append_c (s, (char) ('a' + i % 26));
  long_text = g_string_free (s, FALSE);

  fen_put_string (out, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7");
  fen_put_string (out, 0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9.9999.7.1");
  /* A sequence of two items, undefined lengths (PS3.5 7.5.2). */
  fen_put_explicit (out, 0x0008, 0x1140, "SQ", 0xffffffff);
  for (int item = 0; item < 2; item++)
    {
      fen_put_tag (out, 0xfffe, 0xe000);
      fen_put_u32 (out, 0xffffffff);
      fen_put_string (out, 0x0008, 0x1150, "UI", "1.2.840.10008.5.1.4.1.1.2");
      fen_put_string (out, 0x0008, 0x1155, "UI", item == 0 ? "1.2.3.4" : "1.2.3.5");
      fen_put_tag (out, 0xfffe, 0xe00d);
      fen_put_u32 (out, 0);
    }
  fen_put_tag (out, 0xfffe, 0xe0dd);
  fen_put_u32 (out, 0);
  fen_put_string (out, 0x0010, 0x0010, "PN", "Doe^Jane");
  fen_put_string (out, 0x0020, 0x4000, "LT", long_text);
  /* PS3.5 7.8.1: a private block reserved by its creator. */
  fen_put_string (out, 0x0029, 0x0010, "LO", "FENESTRA TEST");
  fen_put_string (out, 0x0029, 0x1001, "LO", "secret value");
  fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
  fen_put_us (out, 0x0028, 0x0010, 512, FALSE);
  fen_put_us (out, 0x0028, 0x0011, 512, FALSE);
  fen_put_us (out, 0x0028, 0x0100, 16, FALSE);
  fen_put_us (out, 0x0028, 0x0101, 16, FALSE);
  fen_put_us (out, 0x0028, 0x0102, 15, FALSE);
  fen_put_us (out, 0x0028, 0x0103, 0, FALSE);
  fen_put_explicit (out, 0x7fe0, 0x0010, "OW", FEN_TEST_PIXELS);
  g_byte_array_set_size (out, out->len + FEN_TEST_PIXELS);
  return fen_test_write_file (dir, "tags.dcm", out);
}

static void
test_tags_tree (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fen-tags-XXXXXX", NULL);
  g_autofree char *path = fen_test_write_tags_file (dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tags = fen_dicom_read_tags (path, &error);
  const FenDicomTag *tag, *seq, *item;

  g_assert_no_error (error);
  g_assert_nonnull (tags);

  /* The meta header comes first. */
  tag = g_ptr_array_index (tags, 0);
  g_assert_cmpuint (tag->group, ==, 0x0002);

  tag = fen_test_find (tags, 0x0010, 0x0010);
  g_assert_nonnull (tag);
  g_assert_cmpstr (tag->keyword, ==, "PatientName");
  g_assert_cmpstr (tag->vr, ==, "PN");
  g_assert_cmpstr (tag->value, ==, "Doe^Jane");
  g_assert_null (tag->private_creator);

  seq = fen_test_find (tags, 0x0008, 0x1140);
  g_assert_nonnull (seq);
  g_assert_cmpstr (seq->vr, ==, "SQ");
  g_assert_cmpstr (seq->keyword, ==, "ReferencedImageSequence");
  g_assert_nonnull (seq->children);
  g_assert_cmpuint (seq->children->len, ==, 2);
  item = g_ptr_array_index (seq->children, 1);
  g_assert_cmpuint (item->group, ==, 0xfffe);
  g_assert_cmpuint (item->element, ==, 0xe000);
  tag = fen_test_find (item->children, 0x0008, 0x1155);
  g_assert_nonnull (tag);
  g_assert_cmpstr (tag->value, ==, "1.2.3.5");

  /* Long text is cut to the limit, ellipsis included. */
  tag = fen_test_find (tags, 0x0020, 0x4000);
  g_assert_nonnull (tag);
  g_assert_cmpuint (g_utf8_strlen (tag->value, -1), ==, FEN_DICOM_TAG_MAX_VALUE);
  g_assert_true (g_str_has_suffix (tag->value, "\u2026"));
  g_assert_true (g_str_has_prefix (tag->value, "abcdefghijklmnopqrstuvwxyzab"));

  /* A private tag under its creator. */
  tag = fen_test_find (tags, 0x0029, 0x1001);
  g_assert_nonnull (tag);
  g_assert_cmpstr (tag->private_creator, ==, "FENESTRA TEST");
  g_assert_cmpstr (tag->value, ==, "secret value");
  tag = fen_test_find (tags, 0x0029, 0x0010);
  g_assert_nonnull (tag);
  g_assert_cmpstr (tag->value, ==, "FENESTRA TEST");

  /* Pixel data: length only. */
  tag = fen_test_find (tags, 0x7fe0, 0x0010);
  g_assert_nonnull (tag);
  g_assert_cmpuint (tag->length, ==, FEN_TEST_PIXELS);
  g_assert_cmpstr (tag->value, ==, "(pixel data, 524288 bytes, not read)");

  g_unlink (path);
  g_rmdir (dir);
}

/* The browser must not cost the image's size in memory: the pixel data of
 * a 64 MiB file is never read. */
static void
test_tags_pixels_not_read (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fen-tags-XXXXXX", NULL);
  g_autoptr(GByteArray) out = fen_part10_start ("1.2.840.10008.1.2.1");
  g_autofree char *path = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) tags = NULL;
  guint32 big = 64u * 1024 * 1024;
  FILE *fp;

  fen_put_image_module (out, 8192, 8192, FALSE);
  fen_put_explicit (out, 0x7fe0, 0x0010, "OB", big);
  path = fen_test_write_file (dir, "big.dcm", out);
  /* A sparse tail: the file holds the bytes it claims. */
  fp = g_fopen (path, "r+b");
  g_assert_nonnull (fp);
  g_assert_cmpint (fseek (fp, (long) big - 1, SEEK_END), ==, 0);
  g_assert_cmpint (fputc (0, fp), ==, 0);
  fclose (fp);

  tags = fen_dicom_read_tags (path, &error);
  g_assert_no_error (error);
  g_assert_nonnull (fen_test_find (tags, 0x7fe0, 0x0010));
  g_assert_true (g_str_has_prefix (fen_test_find (tags, 0x7fe0, 0x0010)->value, "(pixel data"));
  g_unlink (path);
  g_rmdir (dir);
}

static void
test_tags_not_dicom (void)
{
  g_autofree char *dir = g_dir_make_tmp ("fen-tags-XXXXXX", NULL);
  g_autofree char *path = g_build_filename (dir, "text.dcm", NULL);
  g_autoptr(GError) error = NULL;
  GPtrArray *tags;

  g_assert_true (g_file_set_contents (path, "hello, not a DICOM file at all", -1, NULL));
  tags = fen_dicom_read_tags (path, &error);
  g_assert_null (tags);
  g_assert_error (error, FEN_IO_ERROR, FEN_IO_ERROR_FORMAT);
  g_unlink (path);
  g_rmdir (dir);
}

int
main (int argc, char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/tags/tree", test_tags_tree);
  g_test_add_func ("/tags/pixels-not-read", test_tags_pixels_not_read);
  g_test_add_func ("/tags/not-dicom", test_tags_not_dicom);
  return g_test_run ();
}
