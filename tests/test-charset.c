/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-charset.c: DICOM text to UTF-8. The byte strings are the examples of
 * PS3.5 Annexes H (Japanese), I (Korean) and J/K (Chinese), byte for byte;
 * the expected strings are the standard's. Then the same bytes in files,
 * read back through every path a user sees them by: the image's info (the
 * overlays and `fenestra-cli info`), the tag browser's tree and the study
 * index (the sidebar). */
#define G_LOG_DOMAIN "fen-test-charset"

#include <string.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <fenestra/fenestra.h>
#include <fenestra/fen-charset.h>
#include <fenestra/fen-dicom-tags.h>
#include <fenestra/fen-study-index.h>

#include "fen-test-dicom-writer.h"
#include "fen-test-spawn.h"

typedef struct {
  const char *path;     /* test path */
  const char *charset;  /* (0008,0005) as stored */
  const char *bytes;    /* the value as stored */
  const char *expected; /* UTF-8 */
  FenTextKind kind;
} FenCharsetCase;

static const FenCharsetCase fen_charset_cases[] = {
  /* PS3.5 H.3.1: ISO 2022 IR 87, G0 switched between ASCII and JIS X 0208. */
  { "/charset/ps3.5/H.3.1-ir87", "\\ISO 2022 IR 87",
    "Yamada^Tarou=\033$B;3ED\033(B^\033$BB@O:\033(B=\033$B$d$^$@\033(B^\033$B$?$m$&\033(B",
    "Yamada^Tarou=\u5c71\u7530^\u592a\u90ce=\u3084\u307e\u3060^\u305f\u308d\u3046", FEN_TEXT_PN },
  /* PS3.5 H.3.2: ISO 2022 IR 13 (half-width katakana in G1, Romaji in G0)
   * with IR 87. */
  { "/charset/ps3.5/H.3.2-ir13-ir87", "ISO 2022 IR 13\\ISO 2022 IR 87",
    "\324\317\300\336^\300\333\263=\033$B;3ED\033(J^\033$BB@O:\033(J=\033$B$d$^$@\033(J^\033$B$?$m$&\033(J",
    "\uff94\uff8f\uff80\uff9e^\uff80\uff9b\uff73=\u5c71\u7530^\u592a\u90ce=\u3084\u307e\u3060^\u305f\u308d\u3046",
    FEN_TEXT_PN },
  /* PS3.5 I.2: ISO 2022 IR 149 (KS X 1001 in G1), designated again after
   * every delimiter. */
  { "/charset/ps3.5/I.2-ir149", "\\ISO 2022 IR 149",
    "Hong^Gildong=\033$)C\373\363^\033$)C\321\316\324\327=\033$)C\310\253^\033$)C\261\346\265\277",
    "Hong^Gildong=\u6d2a^\u5409\u6d1e=\ud64d^\uae38\ub3d9", FEN_TEXT_PN },
  /* PS3.5 J.1: UTF-8. */
  { "/charset/ps3.5/J.1-utf8", "ISO_IR 192",
    "Wang^XiaoDong=\xe7\x8e\x8b^\xe5\xb0\x8f\xe6\x9d\xb1=",
    "Wang^XiaoDong=\u738b^\u5c0f\u6771=", FEN_TEXT_PN },
  /* PS3.5 J.3: GB18030. */
  { "/charset/ps3.5/J.3-gb18030", "GB18030",
    "Wang^XiaoDong=\xcd\xf5^\xd0\xa1\xb6\xab=",
    "Wang^XiaoDong=\u738b^\u5c0f\u4e1c=", FEN_TEXT_PN },
  /* PS3.5 K.2: ISO 2022 IR 58 (GB 2312 in G1). */
  { "/charset/ps3.5/K.2-ir58", "\\ISO 2022 IR 58",
    "Zhang^XiaoDong=\033$)A\325\305^\033$)A\320\241\266\253=",
    "Zhang^XiaoDong=\u5f20^\u5c0f\u4e1c=", FEN_TEXT_PN },
  /* Single-byte sets without code extensions. */
  { "/charset/latin1", "ISO_IR 100", "Buc^J\xe9r\xf4me", "Buc^J\u00e9r\u00f4me", FEN_TEXT_PN },
  { "/charset/cyrillic", "ISO_IR 144", "\xbb\xee\xda\xe1\xd5\xdc\xd1\xe3\xe0\xd3",
    "\u041b\u044e\u043a\u0441\u0435\u043c\u0431\u0443\u0440\u0433", FEN_TEXT_PN },
  { "/charset/greek", "ISO_IR 126", "\xc4\xe9\xef\xed\xf5\xf3\xe9\xef\xf2",
    "\u0394\u03b9\u03bf\u03bd\u03c5\u03c3\u03b9\u03bf\u03c2", FEN_TEXT_PN },
  { "/charset/no-declaration/latin1", NULL, "Hospital \xe9t\xe9", "Hospital \u00e9t\u00e9",
    FEN_TEXT_MULTI },
  { "/charset/no-declaration/utf8", NULL, "\xc3\xa9t\xc3\xa9", "\u00e9t\u00e9", FEN_TEXT_MULTI },
  /* Code extensions of single-byte sets: Latin-1 and Greek in one value. */
  { "/charset/2022/latin1-greek", "ISO 2022 IR 100\\ISO 2022 IR 126",
    "Dupont^\xc9lise=\033-F\xc4\xe9\xef", "Dupont^\u00c9lise=\u0394\u03b9\u03bf", FEN_TEXT_PN },
  /* Value delimiters return to value 1's sets (PS3.5 6.1.2.5.3). */
  { "/charset/2022/multi-value-reset", "\\ISO 2022 IR 149",
    "\033$)C\373\363\\\373\363", "\u6d2a\\\ufffd\ufffd", FEN_TEXT_MULTI },
  /* In ST/LT/UT a backslash is text, and a line end resets the sets. */
  { "/charset/2022/text-line-end", "\\ISO 2022 IR 87",
    "\033$B;3ED\033(B\\x\r\n\033$B$d\033(B", "\u5c71\u7530\\x\r\n\u3084", FEN_TEXT_SINGLE },
  /* Invalid bytes become U+FFFD; nothing around them is dropped. */
  { "/charset/invalid/high-byte-no-g1", "\\ISO 2022 IR 87", "a\xff" "b", "a\ufffdb", FEN_TEXT_PN },
  { "/charset/invalid/cut-pair", "\\ISO 2022 IR 87", "x\033$B;", "x\ufffd", FEN_TEXT_PN },
  { "/charset/invalid/unknown-escape", "\\ISO 2022 IR 87", "a\033%Gb", "a\ufffd%Gb", FEN_TEXT_PN },
  { "/charset/invalid/unassigned-pair", "\\ISO 2022 IR 87", "\033$B\x7e\x7e\033(Bz", "\ufffdz",
    FEN_TEXT_PN },
  { "/charset/invalid/utf8", "ISO_IR 192", "ok\xc3(", "ok\ufffd(", FEN_TEXT_PN },
  { "/charset/invalid/gb18030", "GB18030", "\x81", "\ufffd", FEN_TEXT_PN },
};

static void
fen_test_decode (gconstpointer data)
{
  const FenCharsetCase *tc = data;
  g_autoptr(FenCharset) cs = fen_charset_new (tc->charset);
  g_autofree char *got = fen_charset_decode (cs, tc->bytes, strlen (tc->bytes), tc->kind);

  g_assert_true (g_utf8_validate (got, -1, NULL));
  g_assert_cmpstr (got, ==, tc->expected);
}

/* --- The same bytes in files ------------------------------------------- */

static char *fen_test_dir;

/* An 8 x 8 secondary capture whose Patient's Name (PN), Series Description
 * and Institution Name (LO) are @name, under (0008,0005) @charset, in
 * explicit VR little endian, as the standard's examples would be written. */
static char *
fen_test_write_named (const char *file, const char *charset, const char *name, guint index)
{
  g_autoptr(GByteArray) out = fen_part10_start ("1.2.840.10008.1.2.1");
  g_autofree char *uid = g_strdup_printf ("1.2.826.0.1.3680043.9.9999.77.%u", index);
  g_autofree char *series = g_strdup_printf ("1.2.826.0.1.3680043.9.9999.78.%u", index);
  g_autofree char *dir = g_build_filename (fen_test_dir, file, NULL);

  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  fen_put_string (out, 0x0008, 0x0005, "CS", charset);
  fen_put_string (out, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7");
  fen_put_string (out, 0x0008, 0x0018, "UI", uid);
  fen_put_string (out, 0x0008, 0x0060, "CS", "OT");
  fen_put_string (out, 0x0008, 0x0080, "LO", name);
  fen_put_string (out, 0x0008, 0x103e, "LO", name);
  fen_put_string (out, 0x0010, 0x0010, "PN", name);
  fen_put_string (out, 0x0010, 0x0020, "LO", "ID-1");
  fen_put_string (out, 0x0020, 0x000d, "UI", "1.2.826.0.1.3680043.9.9999.79");
  fen_put_string (out, 0x0020, 0x000e, "UI", series);
  fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
  fen_put_us (out, 0x0028, 0x0010, 8, FALSE);
  fen_put_us (out, 0x0028, 0x0011, 8, FALSE);
  fen_put_us (out, 0x0028, 0x0100, 8, FALSE);
  fen_put_us (out, 0x0028, 0x0101, 8, FALSE);
  fen_put_us (out, 0x0028, 0x0102, 7, FALSE);
  fen_put_us (out, 0x0028, 0x0103, 0, FALSE);
  fen_put_pixels (out, 64);
  return fen_test_write_file (dir, "image.dcm", out);
}

static const FenDicomTag *
fen_test_find_tag (GPtrArray *tags, guint16 group, guint16 element)
{
  for (guint i = 0; i < tags->len; i++)
    {
      const FenDicomTag *tag = tags->pdata[i];
      if (tag->group == group && tag->element == element)
        return tag;
    }
  return NULL;
}

static void
fen_test_file (gconstpointer data)
{
  const FenCharsetCase *tc = data;
  const guint index = (guint) (tc - fen_charset_cases);
  g_autofree char *file = g_strdelimit (g_strdup (tc->path + 1), "/", '-');
  g_autofree char *path = fen_test_write_named (file, tc->charset, tc->bytes, index);
  g_autofree char *folder = g_path_get_dirname (path);
  GError *error = NULL;

  /* The image's info: the viewer's overlays and fenestra-cli info. */
  FenImage *image = fen_load_file (path, NULL, &error);
  g_assert_no_error (error);
  const FenImageInfo *info = fen_image_get_info (image);
  g_assert_cmpstr (info->patient_name, ==, tc->expected);
  g_assert_cmpstr (info->series_description, ==, tc->expected);
  g_assert_cmpstr (info->institution_name, ==, tc->expected);
  fen_image_unref (image);

  /* The tag browser. */
  g_autoptr(GPtrArray) tags = fen_dicom_read_tags (path, &error);
  g_assert_no_error (error);
  const FenDicomTag *pn = fen_test_find_tag (tags, 0x0010, 0x0010);
  g_assert_nonnull (pn);
  g_assert_cmpstr (pn->value, ==, tc->expected);

  /* The sidebar's study index. */
  g_autoptr(FenStudyIndex) index_ = fen_study_index_new ();
  g_assert_true (fen_study_index_add_folder (index_, folder, &error));
  g_assert_no_error (error);
  const GPtrArray *patients = fen_study_index_get_patients (index_);
  g_assert_cmpuint (patients->len, ==, 1);
  const FenStudyPatient *patient = patients->pdata[0];
  g_assert_cmpstr (patient->name, ==, tc->expected);
  const FenStudy *study = patient->studies->pdata[0];
  const FenStudySeries *series = study->series->pdata[0];
  g_assert_cmpstr (series->description, ==, tc->expected);

  /* The headless tool prints the same name. */
  const char *cli = g_getenv ("FEN_CLI");
  g_assert_nonnull (cli);
  const char *argv[] = { cli, "info", path, NULL };
  g_autofree char *out = fen_test_spawn (argv, TRUE);
  g_autofree char *line = g_strdup_printf ("Patient name: %s\n", tc->expected);
  g_assert_nonnull (strstr (out, line));
}

/* A sequence item may declare its own character set (PS3.3 C.12.1.1.2):
 * the tag browser decodes an item's values with the item's set. */
static void
fen_test_item_charset (void)
{
  g_autoptr(GByteArray) item = g_byte_array_new ();
  g_autoptr(GByteArray) out = fen_part10_start ("1.2.840.10008.1.2.1");
  const char *kanji = "\033$B;3ED\033(B";

  fen_put_string (item, 0x0008, 0x0005, "CS", "\\ISO 2022 IR 87");
  fen_put_string (item, 0x0010, 0x0010, "PN", kanji);
  fen_put_string (out, 0x0008, 0x0005, "CS", "ISO_IR 100");
  fen_put_string (out, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7");
  fen_put_string (out, 0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9.9999.80");
  fen_put_string (out, 0x0010, 0x0010, "PN", "J\xe9r\xf4me");
  /* (0040,A730) Content Sequence, one defined-length item. */
  fen_put_explicit (out, 0x0040, 0xa730, "SQ", item->len + 8);
  fen_put_tag (out, 0xfffe, 0xe000);
  fen_put_u32 (out, item->len);
  g_byte_array_append (out, item->data, item->len);
  g_autofree char *path = fen_test_write_file (fen_test_dir, "item-charset.dcm", out);

  GError *error = NULL;
  g_autoptr(GPtrArray) tags = fen_dicom_read_tags (path, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fen_test_find_tag (tags, 0x0010, 0x0010)->value, ==, "J\u00e9r\u00f4me");
  const FenDicomTag *seq = fen_test_find_tag (tags, 0x0040, 0xa730);
  g_assert_nonnull (seq);
  g_assert_cmpuint (seq->children->len, ==, 1);
  const FenDicomTag *first = seq->children->pdata[0];
  const FenDicomTag *pn = fen_test_find_tag (first->children, 0x0010, 0x0010);
  g_assert_nonnull (pn);
  g_assert_cmpstr (pn->value, ==, "\u5c71\u7530");
}

/* PS3.5 6.2.2: Modality written as UN (as some anonymisers and older
 * writers do) is read with the dictionary's VR, CS: "RTDOSE", not hex. */
static void
fen_test_un_known_tag (void)
{
  g_autoptr(GByteArray) out = fen_part10_start ("1.2.840.10008.1.2.1");

  fen_put_string (out, 0x0008, 0x0016, "UI", "1.2.840.10008.5.1.4.1.1.7");
  fen_put_string (out, 0x0008, 0x0018, "UI", "1.2.826.0.1.3680043.9.9999.81");
  fen_put_explicit (out, 0x0008, 0x0060, "UN", 6);
  g_byte_array_append (out, (const guint8 *) "RTDOSE", 6);
  fen_put_explicit (out, 0x0008, 0x103e, "UN", 10);
  g_byte_array_append (out, (const guint8 *) "Dose plan ", 10);
  fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
  fen_put_us (out, 0x0028, 0x0010, 8, FALSE);
  fen_put_us (out, 0x0028, 0x0011, 8, FALSE);
  fen_put_us (out, 0x0028, 0x0100, 8, FALSE);
  fen_put_us (out, 0x0028, 0x0101, 8, FALSE);
  fen_put_us (out, 0x0028, 0x0102, 7, FALSE);
  fen_put_us (out, 0x0028, 0x0103, 0, FALSE);
  fen_put_pixels (out, 64);
  g_autofree char *dir = g_build_filename (fen_test_dir, "un", NULL);
  g_assert_cmpint (g_mkdir_with_parents (dir, 0700), ==, 0);
  g_autofree char *path = fen_test_write_file (dir, "un.dcm", out);

  GError *error = NULL;
  FenImage *image = fen_load_file (path, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpstr (fen_image_get_info (image)->modality, ==, "RTDOSE");
  g_assert_cmpstr (fen_image_get_info (image)->series_description, ==, "Dose plan");
  fen_image_unref (image);

  g_autoptr(GPtrArray) tags = fen_dicom_read_tags (path, &error);
  g_assert_no_error (error);
  const FenDicomTag *modality = fen_test_find_tag (tags, 0x0008, 0x0060);
  g_assert_cmpstr (modality->value, ==, "RTDOSE");
  g_assert_cmpstr (modality->vr, ==, "CS");

  g_autoptr(FenStudyIndex) index = fen_study_index_new ();
  g_assert_true (fen_study_index_add_folder (index, dir, &error));
  const FenStudyPatient *patient = fen_study_index_get_patients (index)->pdata[0];
  const FenStudy *study = patient->studies->pdata[0];
  const FenStudySeries *series = study->series->pdata[0];
  g_assert_cmpstr (series->modality, ==, "RTDOSE");
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  fen_loader_init ();
  fen_test_dir = g_dir_make_tmp ("fen-test-charset-XXXXXX", NULL);

  for (gsize i = 0; i < G_N_ELEMENTS (fen_charset_cases); i++)
    {
      g_test_add_data_func (fen_charset_cases[i].path, &fen_charset_cases[i], fen_test_decode);
      /* The standard's examples again, each in a file of its own. */
      if (g_str_has_prefix (fen_charset_cases[i].path, "/charset/ps3.5/") ||
          strcmp (fen_charset_cases[i].path, "/charset/latin1") == 0 ||
          strcmp (fen_charset_cases[i].path, "/charset/cyrillic") == 0)
        {
          g_autofree char *file_path = g_strconcat ("/charset/file", fen_charset_cases[i].path + 8, NULL);
          g_test_add_data_func (file_path, &fen_charset_cases[i], fen_test_file);
        }
    }
  g_test_add_func ("/charset/file/item-own-charset", fen_test_item_charset);
  g_test_add_func ("/dicom/un/known-tag-dictionary-vr", fen_test_un_known_tag);

  int status = g_test_run ();
  fen_test_remove_dir (fen_test_dir);
  g_free (fen_test_dir);
  return status;
}
