/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-pacs-scp.c: our storage SCP (the receiver of C-MOVE's objects),
 * driven by DCMTK's storescu and echoscu as the peer: it takes storage from
 * the node's AE title and address, addressed to our AE title, and writes
 * each object as SOP_INSTANCE_UID.dcm with the sender's data set bytes; it
 * refuses another calling AE title, another called AE title, another
 * address, verification and a non-storage SOP class (Study Root FIND). */
#include <fenestra/fen-pacs.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <string.h>

#include "fen-net-private.h"
#include "fen-test-dicom-writer.h"

#define FEN_CT "1.2.840.10008.5.1.4.1.1.2"

typedef struct {
  FenPacsNode  *node;
  char         *dir;
  GCancellable *cancellable;
  guint         received;
  guint         refused;
  gboolean      ok;
  GError       *error;
} FenScpRun;

static gpointer
fen_scp_thread (gpointer data)
{
  FenScpRun *run = data;

  run->ok = _fen_dimse_receive (run->node, run->dir, NULL, NULL, &run->received, &run->refused,
                                run->cancellable, &run->error);
  return NULL;
}

static guint16
fen_free_port (void)
{
  g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
  g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
  g_autoptr(GSocketAddress) bound = NULL;
  g_autoptr(GSocket) s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, NULL);

  g_assert_true (g_socket_bind (s, any, FALSE, NULL));
  bound = g_socket_get_local_address (s, NULL);
  return g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
}

static char *
fen_write_object (const char *dir, const char *sop_class, const char *uid)
{
  g_autoptr(GByteArray) out = fen_part10_start_for ("1.2.840.10008.1.2.1", sop_class, uid);
  g_autofree char *name = g_strconcat ("in-", uid, ".dcm", NULL);

  fen_put_string (out, 0x0008, 0x0016, "UI", sop_class);
  fen_put_string (out, 0x0008, 0x0018, "UI", uid);
  fen_put_string (out, 0x0008, 0x0060, "CS", "CT");
  fen_put_string (out, 0x0010, 0x0010, "PN", "SCP^TEST");
  fen_put_string (out, 0x0020, 0x000d, "UI", "1.2.826.0.1.3680043.9.9999.88");
  fen_put_string (out, 0x0020, 0x000e, "UI", "1.2.826.0.1.3680043.9.9999.88.1");
  fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
  fen_put_us (out, 0x0028, 0x0010, 16, FALSE);
  fen_put_us (out, 0x0028, 0x0011, 16, FALSE);
  fen_put_us (out, 0x0028, 0x0100, 8, FALSE);
  fen_put_us (out, 0x0028, 0x0101, 8, FALSE);
  fen_put_us (out, 0x0028, 0x0102, 7, FALSE);
  fen_put_us (out, 0x0028, 0x0103, 0, FALSE);
  fen_put_pixels (out, 256);
  return fen_test_write_file (dir, name, out);
}

static gboolean
fen_run (const char *const *argv)
{
  g_autofree char *out = NULL, *err = NULL;
  g_autoptr(GError) error = NULL;
  int status = 0;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL, &out, &err, &status, &error))
    g_error ("%s: %s (install dcmtk)", argv[0], error->message);
  g_test_message ("%s -aet %s -aec %s -> %d %s", argv[0], argv[2], argv[4], status, g_strstrip (err));
  return g_spawn_check_wait_status (status, NULL);
}

static gsize
fen_dataset_offset (const char *data)
{
  const guint8 *d = (const guint8 *) data;
  return 144 + (d[140] | d[141] << 8 | d[142] << 16 | (gsize) d[143] << 24);
}

static void
test_scp_rules (void)
{
  g_autofree char *work = g_dir_make_tmp ("fen-scp-XXXXXX", NULL);
  g_autofree char *dir = g_build_filename (work, "received", NULL);
  guint16 port = fen_free_port ();
  g_autofree char *port_s = g_strdup_printf ("%u", port);
  g_autofree char *uri = g_strdup_printf ("dicom://ARCHIVE@127.0.0.1:104?calling=FENESTRA&method=move&port=%u",
                                          port);
  g_autofree char *ct = NULL, *stranger = NULL;
  g_autofree char *sent = NULL, *got = NULL, *received = NULL;
  FenScpRun run = { 0 };
  GThread *thread;
  gsize sent_len, got_len;

  g_assert_cmpint (g_mkdir (dir, 0755), ==, 0);
  ct = fen_write_object (work, FEN_CT, "1.2.826.0.1.3680043.9.9999.88.1.1");
  stranger = fen_write_object (work, FEN_CT, "1.2.826.0.1.3680043.9.9999.88.1.3");
  run.node = fen_pacs_node_parse (uri, NULL);
  run.dir = dir;
  run.cancellable = g_cancellable_new ();
  thread = g_thread_new ("scp", fen_scp_thread, &run);
  g_usleep (G_USEC_PER_SEC / 2);

  {
    /* The node, to our AE title: accepted, stored. */
    const char *good[] = { "storescu", "-aet", "ARCHIVE", "-aec", "FENESTRA", "127.0.0.1", port_s, ct, NULL };
    /* Another calling AE title, another called AE title: refused. */
    const char *bad_calling[] = { "storescu", "-aet", "STRANGER", "-aec", "FENESTRA", "127.0.0.1", port_s,
                                  stranger, NULL };
    const char *bad_called[] = { "storescu", "-aet", "ARCHIVE", "-aec", "SOMEONE", "127.0.0.1", port_s,
                                 stranger, NULL };
    /* Verification is not offered: this SCP only stores. */
    const char *echo[] = { "echoscu", "-aet", "ARCHIVE", "-aec", "FENESTRA", "127.0.0.1", port_s, NULL };
    /* A SOP class that is not a storage class: no context for it. (storescu
     * itself refuses to send one, so findscu asks.) */
    const char *not_storage[] = { "findscu", "-aet", "ARCHIVE", "-aec", "FENESTRA", "-S", "-k",
                                  "QueryRetrieveLevel=STUDY", "127.0.0.1", port_s, NULL };

    g_assert_true (fen_run (good));
    g_assert_false (fen_run (bad_calling));
    g_assert_false (fen_run (bad_called));
    g_assert_false (fen_run (echo));
    g_assert_false (fen_run (not_storage));
  }
  g_cancellable_cancel (run.cancellable);
  g_thread_join (thread);
  g_assert_no_error (run.error);
  g_assert_true (run.ok);
  g_assert_cmpuint (run.received, ==, 1);
  g_assert_cmpuint (run.refused, >=, 1);

  /* Exactly the one object, named by its UID, the data set as sent. */
  received = g_build_filename (dir, "1.2.826.0.1.3680043.9.9999.88.1.1.dcm", NULL);
  g_assert_true (g_file_get_contents (ct, &sent, &sent_len, NULL));
  g_assert_true (g_file_get_contents (received, &got, &got_len, NULL));
  g_assert_cmpuint (got_len - fen_dataset_offset (got), ==, sent_len - fen_dataset_offset (sent));
  g_assert_true (memcmp (got + fen_dataset_offset (got), sent + fen_dataset_offset (sent),
                         sent_len - fen_dataset_offset (sent)) == 0);
  {
    g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
    guint n = 0;
    while (g_dir_read_name (d) != NULL)
      n++;
    g_assert_cmpuint (n, ==, 1);
  }
  g_unlink (received);
  g_rmdir (dir);
  g_unlink (ct);
  g_unlink (stranger);
  g_rmdir (work);
  fen_pacs_node_free (run.node);
  g_object_unref (run.cancellable);
}

/* The node's address is checked too: a node at 127.0.0.2 does not accept
 * the same AE title calling from 127.0.0.1. */
static void
test_scp_address (void)
{
  g_autofree char *work = g_dir_make_tmp ("fen-scp-XXXXXX", NULL);
  guint16 port = fen_free_port ();
  g_autofree char *port_s = g_strdup_printf ("%u", port);
  g_autofree char *uri = g_strdup_printf ("dicom://ARCHIVE@127.0.0.2:104?calling=FENESTRA&method=move&port=%u",
                                          port);
  g_autofree char *ct = fen_write_object (work, FEN_CT, "1.2.826.0.1.3680043.9.9999.88.1.1");
  const char *from_elsewhere[] = { "storescu", "-aet", "ARCHIVE", "-aec", "FENESTRA", "127.0.0.1", port_s, ct,
                                   NULL };
  FenScpRun run = { 0 };
  GThread *thread;

  run.node = fen_pacs_node_parse (uri, NULL);
  run.dir = work;
  run.cancellable = g_cancellable_new ();
  thread = g_thread_new ("scp", fen_scp_thread, &run);
  g_usleep (G_USEC_PER_SEC / 2);
  g_assert_false (fen_run (from_elsewhere));
  g_cancellable_cancel (run.cancellable);
  g_thread_join (thread);
  g_assert_no_error (run.error);
  g_assert_cmpuint (run.received, ==, 0);
  g_assert_cmpuint (run.refused, ==, 1);
  g_unlink (ct);
  g_rmdir (work);
  fen_pacs_node_free (run.node);
  g_object_unref (run.cancellable);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/pacs/scp/rules", test_scp_rules);
  g_test_add_func ("/pacs/scp/address", test_scp_address);
  return g_test_run ();
}
