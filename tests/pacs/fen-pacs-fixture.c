/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-fixture.c: helpers for the PACS test script.
 *   fen-pacs-fixture studies DIR   writes fen-pacs-plan.h's studies as Part 10
 *                                  files DIR/SOP_INSTANCE_UID.dcm, byte by byte
 *                                  (no DCMTK), explicit VR little endian
 *   fen-pacs-fixture ports N       prints N distinct free TCP ports on
 *                                  127.0.0.1, picked by the kernel */
#define G_LOG_DOMAIN "fen-pacs-fixture"

#include "fen-pacs-plan.h"
#include "fen-test-dicom-writer.h"

#include <gio/gio.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define FEN_EXPLICIT_LE "1.2.840.10008.1.2.1"

/* PS3.10 7.1: the meta header with its Type 1 elements. */
static GByteArray *
fen_pacs_fixture_meta (const char *sop_class, const char *sop_instance)
{
  GByteArray *out = g_byte_array_new ();
  g_autoptr(GByteArray) meta = g_byte_array_new ();
  static const guint8 version[2] = { 0, 1 };

  fen_put_explicit (meta, 0x0002, 0x0001, "OB", 2);
  g_byte_array_append (meta, version, 2);
  fen_put_string (meta, 0x0002, 0x0002, "UI", sop_class);
  fen_put_string (meta, 0x0002, 0x0003, "UI", sop_instance);
  fen_put_string (meta, 0x0002, 0x0010, "UI", FEN_EXPLICIT_LE);
  fen_put_string (meta, 0x0002, 0x0012, "UI", FEN_PACS_UID_ROOT ".9");
  fen_put_string (meta, 0x0002, 0x0013, "SH", "FEN_PACS_TEST");
  g_byte_array_set_size (out, 128);
  memset (out->data, 0, 128);
  g_byte_array_append (out, (const guint8 *) "DICM", 4);
  fen_put_explicit (out, 0x0002, 0x0000, "UL", 4);
  fen_put_u32 (out, meta->len);
  g_byte_array_append (out, meta->data, meta->len);
  return out;
}

static void
fen_pacs_fixture_write (const char *dir, guint st, guint se, guint in)
{
  const FenPacsPlanStudy *study = &fen_pacs_plan[st];
  const FenPacsPlanSeries *series = &study->series[se];
  g_autofree char *study_uid = fen_pacs_plan_study_uid (st);
  g_autofree char *series_uid = fen_pacs_plan_series_uid (st, se);
  g_autofree char *uid = fen_pacs_plan_instance_uid (st, se, in);
  g_autofree char *name = g_strconcat (uid, ".dcm", NULL);
  g_autofree char *number = g_strdup_printf ("%u", series->number);
  g_autofree char *instance = g_strdup_printf ("%u", in + 1);
  g_autofree char *position = g_strdup_printf ("-32\\-32\\%u", in);
  g_autofree char *path = NULL;
  g_autoptr(GByteArray) out = fen_pacs_fixture_meta (series->sop_class, uid);
  guint n = FEN_PACS_ROWS * FEN_PACS_COLS;

  /* Data set elements in ascending tag order (PS3.5 7.1). */
  fen_put_string (out, 0x0008, 0x0016, "UI", series->sop_class);
  fen_put_string (out, 0x0008, 0x0018, "UI", uid);
  fen_put_string (out, 0x0008, 0x0020, "DA", study->date);
  fen_put_string (out, 0x0008, 0x0021, "DA", study->date);
  fen_put_string (out, 0x0008, 0x0030, "TM", "101500");
  fen_put_string (out, 0x0008, 0x0050, "SH", study->accession);
  fen_put_string (out, 0x0008, 0x0060, "CS", series->modality);
  fen_put_string (out, 0x0008, 0x1030, "LO", study->description);
  fen_put_string (out, 0x0008, 0x103e, "LO", series->description);
  fen_put_string (out, 0x0010, 0x0010, "PN", study->patient_name);
  fen_put_string (out, 0x0010, 0x0020, "LO", study->patient_id);
  fen_put_string (out, 0x0020, 0x000d, "UI", study_uid);
  fen_put_string (out, 0x0020, 0x000e, "UI", series_uid);
  fen_put_string (out, 0x0020, 0x0010, "SH", "1");
  fen_put_string (out, 0x0020, 0x0011, "IS", number);
  fen_put_string (out, 0x0020, 0x0013, "IS", instance);
  fen_put_string (out, 0x0020, 0x0032, "DS", position);
  fen_put_string (out, 0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0");
  fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
  fen_put_us (out, 0x0028, 0x0010, FEN_PACS_ROWS, FALSE);
  fen_put_us (out, 0x0028, 0x0011, FEN_PACS_COLS, FALSE);
  fen_put_string (out, 0x0028, 0x0030, "DS", "0.5\\0.5");
  fen_put_us (out, 0x0028, 0x0100, 16, FALSE);
  fen_put_us (out, 0x0028, 0x0101, 12, FALSE);
  fen_put_us (out, 0x0028, 0x0102, 11, FALSE);
  fen_put_us (out, 0x0028, 0x0103, 0, FALSE);
  fen_put_explicit (out, 0x7fe0, 0x0010, "OW", n * 2);
  /* Different in every slice, so a mixed-up file cannot compare equal. */
  for (guint i = 0; i < n; i++)
    fen_put_u16 (out, (guint16) ((i % FEN_PACS_COLS + i / FEN_PACS_COLS * 3 + in * 17 + st * 101) & 0xfff));
  path = fen_test_write_file (dir, name, out);
}

static int
fen_pacs_fixture_studies (const char *dir)
{
  guint total = 0;

  if (g_mkdir_with_parents (dir, 0755) != 0)
    {
      g_printerr ("fen-pacs-fixture: cannot create %s\n", dir);
      return 1;
    }
  for (guint st = 0; st < G_N_ELEMENTS (fen_pacs_plan); st++)
    for (guint se = 0; se < 2 && fen_pacs_plan[st].series[se].modality != NULL; se++)
      for (guint in = 0; in < fen_pacs_plan_n_instances (&fen_pacs_plan[st].series[se]); in++, total++)
        fen_pacs_fixture_write (dir, st, se, in);
  printf ("%u\n", total);
  return 0;
}

/* All sockets stay open until every port is known, so the N differ. */
static int
fen_pacs_fixture_ports (guint n)
{
  g_autoptr(GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
      g_autoptr(GSocketAddress) bound = NULL;
      GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, &error);

      if (s == NULL || !g_socket_bind (s, any, FALSE, &error) ||
          (bound = g_socket_get_local_address (s, &error)) == NULL)
        {
          g_printerr ("fen-pacs-fixture: no free port: %s\n", error->message);
          return 1;
        }
      g_ptr_array_add (sockets, s);
      printf ("%u\n", g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound)));
    }
  return 0;
}

int
main (int argc, char **argv)
{
  if (argc == 3 && strcmp (argv[1], "studies") == 0)
    return fen_pacs_fixture_studies (argv[2]);
  if (argc == 3 && strcmp (argv[1], "ports") == 0 && atoi (argv[2]) > 0)
    return fen_pacs_fixture_ports ((guint) atoi (argv[2]));
  g_printerr ("usage: fen-pacs-fixture studies DIR | ports N\n");
  return 2;
}
