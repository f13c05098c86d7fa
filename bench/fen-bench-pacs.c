/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-pacs.c: fenestra-bench-pacs, retrieving a study from a PACS
 * into the store (issue 13, "What it must show", second point), headless.
 * It starts Debian's Orthanc on loopback as tests/pacs does (a temporary
 * configuration and storage, free ports, the DICOMweb plugin, the loopback
 * shim), uploads a generated 300-slice 512 x 512 CT series, then measures,
 * interleaved, run after run:
 *   - DCMTK's getscu retrieving the series by C-GET (wall time): the
 *     reference;
 *   - fen_pacs_fetch() by C-GET and by WADO-RS into a fresh cache and a
 *     store: time to the first image in the store, time to the whole
 *     series in the store, and the peak RSS above the process's baseline
 *     (VmHWM, reset after start-up) as a multiple of the series' pixel
 *     bytes; each in a fresh child process so that the peak is its own;
 *   - the same series opened again from the cache (no network).
 * Run by hand (not a ctest test); see docs/PERFORMANCE-PACS.md. */
#define G_LOG_DOMAIN "fen-bench-pacs"

#include <fenestra/fenestra.h>
#include <fenestra/fen-pacs-fetch.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <libsoup/soup.h>

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "fen-test-dicom-writer.h"

#define FEN_UID_ROOT "2.25.301245977123654789012345678"
#define FEN_STUDY_UID FEN_UID_ROOT ".1"
#define FEN_SERIES_UID FEN_UID_ROOT ".2"
#define FEN_EXPLICIT_LE "1.2.840.10008.1.2.1"
#define FEN_CT_CLASS "1.2.840.10008.5.1.4.1.1.2"

typedef struct {
  guint    runs;
  guint    slices;
  guint    size;
  gboolean json;
  gboolean serve;     /* set up Orthanc, say where, wait for stdin's end */
  char    *orthanc;
  char    *plugin;
  char    *shim;
  char    *getscu;
  /* --fetch-child */
  char    *child_node;
  char    *child_root;
} FenBenchPacsOptions;

/* Generated input ------------------------------------------------------------ */

/* One CT slice, explicit VR little endian, 12 bits in 16: a ramp that differs
 * in every slice, so Orthanc stores every object uncompressed as sent. */
static void
fen_bench_pacs_write_slice (const char *dir, guint size, guint slice)
{
  g_autofree char *uid = g_strdup_printf (FEN_UID_ROOT ".3.%u", slice + 1);
  g_autofree char *name = g_strconcat (uid, ".dcm", NULL);
  g_autofree char *number = g_strdup_printf ("%u", slice + 1);
  g_autofree char *position = g_strdup_printf ("-128\\-128\\%u", slice);
  g_autoptr(GByteArray) out = fen_part10_start_for (FEN_EXPLICIT_LE, FEN_CT_CLASS, uid);
  g_autofree char *path = NULL;
  const guint n = size * size;

  /* Data set elements in ascending tag order (PS3.5 7.1). */
  fen_put_string (out, 0x0008, 0x0016, "UI", FEN_CT_CLASS);
  fen_put_string (out, 0x0008, 0x0018, "UI", uid);
  fen_put_string (out, 0x0008, 0x0020, "DA", "20260101");
  fen_put_string (out, 0x0008, 0x0060, "CS", "CT");
  fen_put_string (out, 0x0008, 0x1030, "LO", "PACS bench");
  fen_put_string (out, 0x0010, 0x0010, "PN", "BENCH^PACS");
  fen_put_string (out, 0x0010, 0x0020, "LO", "FEN-BENCH-PACS");
  fen_put_string (out, 0x0020, 0x000d, "UI", FEN_STUDY_UID);
  fen_put_string (out, 0x0020, 0x000e, "UI", FEN_SERIES_UID);
  fen_put_string (out, 0x0020, 0x0011, "IS", "1");
  fen_put_string (out, 0x0020, 0x0013, "IS", number);
  fen_put_string (out, 0x0020, 0x0032, "DS", position);
  fen_put_string (out, 0x0020, 0x0037, "DS", "1\\0\\0\\0\\1\\0");
  fen_put_us (out, 0x0028, 0x0002, 1, FALSE);
  fen_put_string (out, 0x0028, 0x0004, "CS", "MONOCHROME2");
  fen_put_us (out, 0x0028, 0x0010, (guint16) size, FALSE);
  fen_put_us (out, 0x0028, 0x0011, (guint16) size, FALSE);
  fen_put_string (out, 0x0028, 0x0030, "DS", "0.5\\0.5");
  fen_put_us (out, 0x0028, 0x0100, 16, FALSE);
  fen_put_us (out, 0x0028, 0x0101, 12, FALSE);
  fen_put_us (out, 0x0028, 0x0102, 11, FALSE);
  fen_put_us (out, 0x0028, 0x0103, 0, FALSE);
  fen_put_explicit (out, 0x7fe0, 0x0010, "OW", n * 2);
  for (guint i = 0; i < n; i++)
    fen_put_u16 (out, (guint16) ((i % size + i / size * 3 + slice * 17) & 0xfff));
  path = fen_test_write_file (dir, name, out);
}

/* Orthanc ---------------------------------------------------------------------- */

typedef struct {
  GSubprocess *process;
  char        *work;
  char        *base;        /* http://127.0.0.1:PORT */
  guint16      dicom_port;
  guint16      http_port;
} FenOrthanc;

/* N distinct free loopback ports, all sockets open until each is known. */
static gboolean
fen_bench_pacs_ports (guint16 *ports, guint n, GError **error)
{
  g_autoptr(GPtrArray) sockets = g_ptr_array_new_with_free_func (g_object_unref);

  for (guint i = 0; i < n; i++)
    {
      g_autoptr(GInetAddress) lo = g_inet_address_new_loopback (G_SOCKET_FAMILY_IPV4);
      g_autoptr(GSocketAddress) any = g_inet_socket_address_new (lo, 0);
      g_autoptr(GSocketAddress) bound = NULL;
      GSocket *s = g_socket_new (G_SOCKET_FAMILY_IPV4, G_SOCKET_TYPE_STREAM, G_SOCKET_PROTOCOL_TCP, error);

      if (s == NULL)
        return FALSE;
      g_ptr_array_add (sockets, s);
      if (!g_socket_bind (s, any, FALSE, error) || (bound = g_socket_get_local_address (s, error)) == NULL)
        return FALSE;
      ports[i] = g_inet_socket_address_get_port (G_INET_SOCKET_ADDRESS (bound));
    }
  return TRUE;
}

static gboolean
fen_bench_pacs_http (SoupSession *session, const char *method, const char *url, GBytes *body,
                     GBytes **answer, GError **error)
{
  g_autoptr(SoupMessage) msg = soup_message_new (method, url);
  g_autoptr(GBytes) got = NULL;

  if (body != NULL)
    soup_message_set_request_body_from_bytes (msg, "application/dicom", body);
  got = soup_session_send_and_read (session, msg, NULL, error);
  if (got == NULL)
    return FALSE;
  if (soup_message_get_status (msg) != SOUP_STATUS_OK)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "%s %s: HTTP %u", method, url,
                   soup_message_get_status (msg));
      return FALSE;
    }
  if (answer != NULL)
    *answer = g_steal_pointer (&got);
  return TRUE;
}

static void
fen_bench_pacs_orthanc_stop (FenOrthanc *o)
{
  if (o->process != NULL)
    {
      /* GLib's worker thread reaps it; the identifier goes once it has. */
      g_subprocess_send_signal (o->process, SIGTERM);
      for (guint i = 0; i < 100 && g_subprocess_get_identifier (o->process) != NULL; i++)
        g_usleep (G_USEC_PER_SEC / 10);
      if (g_subprocess_get_identifier (o->process) != NULL)
        g_subprocess_force_exit (o->process);
      g_subprocess_wait (o->process, NULL, NULL);
      g_clear_object (&o->process);
    }
  g_clear_pointer (&o->base, g_free);
}

static gboolean
fen_bench_pacs_orthanc_start (FenOrthanc *o, const FenBenchPacsOptions *opt, GError **error)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_SILENCE |
                                                                        G_SUBPROCESS_FLAGS_STDERR_SILENCE);
  g_autofree char *storage = g_build_filename (o->work, "storage", NULL);
  g_autofree char *config_path = g_build_filename (o->work, "orthanc.json", NULL);
  g_autofree char *config = NULL;
  g_autofree char *url = NULL;
  guint16 ports[2];

  if (!fen_bench_pacs_ports (ports, 2, error))
    return FALSE;
  o->dicom_port = ports[0];
  o->http_port = ports[1];
  g_mkdir_with_parents (storage, 0700);
  /* As tests/pacs/test-pacs-orthanc.sh, less what the bench does not use. */
  config = g_strdup_printf ("{ \"Name\": \"fenestra-bench\", \"StorageDirectory\": \"%s\", "
                            "\"IndexDirectory\": \"%s\", \"Plugins\": [ \"%s\" ], \"HttpPort\": %u, "
                            "\"DicomPort\": %u, \"DicomAet\": \"ORTHANC\", \"DicomCheckCalledAet\": true, "
                            "\"RemoteAccessAllowed\": false, \"AuthenticationEnabled\": false, "
                            "\"DicomModalities\": { \"fenestra\": [ \"FENESTRA\", \"127.0.0.1\", 104 ] }, "
                            "\"DicomAssociationCloseDelay\": 0, \"DicomScpTimeout\": 30, \"SaveJobs\": false, "
                            "\"HttpCompressionEnabled\": false, "
                            "\"DicomWeb\": { \"Enable\": true, \"Root\": \"/dicom-web/\", \"EnableWado\": false } }\n",
                            storage, storage, opt->plugin, o->http_port, o->dicom_port);
  if (!g_file_set_contents (config_path, config, -1, error))
    return FALSE;
  /* Orthanc 1.10 binds every interface; the shim makes it loopback only. */
  g_subprocess_launcher_setenv (launcher, "LD_PRELOAD", opt->shim, TRUE);
  o->process = g_subprocess_launcher_spawn (launcher, error, opt->orthanc, config_path, NULL);
  if (o->process == NULL)
    return FALSE;
  o->base = g_strdup_printf ("http://127.0.0.1:%u", o->http_port);
  url = g_strconcat (o->base, "/system", NULL);
  for (guint i = 0; i < 240; i++)
    {
      g_autoptr(GError) local = NULL;

      if (fen_bench_pacs_http (session, "GET", url, NULL, NULL, &local))
        return TRUE;
      if (g_subprocess_get_identifier (o->process) == NULL)
        break;
      g_usleep (G_USEC_PER_SEC / 4);
    }
  g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Orthanc did not start (%s)", opt->orthanc);
  return FALSE;
}

static gboolean
fen_bench_pacs_upload (FenOrthanc *o, const char *dir, guint n, GError **error)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autofree char *url = g_strconcat (o->base, "/instances", NULL);
  g_autoptr(GDir) d = g_dir_open (dir, 0, error);
  const char *name;
  guint done = 0;

  if (d == NULL)
    return FALSE;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);
      g_autofree char *data = NULL;
      gsize len;
      g_autoptr(GBytes) body = NULL;

      if (!g_file_get_contents (path, &data, &len, error))
        return FALSE;
      body = g_bytes_new_take (g_steal_pointer (&data), len);
      if (!fen_bench_pacs_http (session, "POST", url, body, NULL, error))
        return FALSE;
      done++;
    }
  if (done != n)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "uploaded %u of %u objects", done, n);
      return FALSE;
    }
  return TRUE;
}

/* The child: one fetch, measured ----------------------------------------------- */

typedef struct {
  gint64 t0;
  gint64 first;
} FenChildClock;

static void
fen_bench_pacs_on_image (const FenPacsFetchProgress *p, gpointer user_data)
{
  FenChildClock *c = user_data;

  if (c->first == 0 && p->image != NULL)
    c->first = g_get_monotonic_time ();
}

/* Prints "first_ms=... all_ms=... peak=... pixels=... network=..." */
static int
fen_bench_pacs_child (const FenBenchPacsOptions *opt)
{
  g_autoptr(FenPacsNode) node = NULL;
  g_autoptr(FenPacsCache) cache = NULL;
  g_autoptr(FenStore) store = fen_store_new ();
  g_autoptr(GError) error = NULL;
  FenChildClock clock = { 0, 0 };
  FenPacsFetchStats stats;
  gint64 rss, peak, heap, base, t1;

  node = fen_pacs_node_parse (opt->child_node, &error);
  if (node == NULL)
    {
      g_printerr ("%s\n", error->message);
      return 1;
    }
  cache = fen_pacs_cache_new (opt->child_root, 0);
  /* Start-up out of the figure: the decoders and DCMTK's dictionary, the
   * network libraries (an echo), and the cache's index. */
  fen_loader_init ();
  if (!fen_pacs_echo (node, NULL, &error))
    {
      g_printerr ("echo: %s\n", error->message);
      return 1;
    }
  fen_pacs_cache_get_size (cache, NULL);
  if (!fen_memory_reset_peak ())
    {
      g_printerr ("cannot reset VmHWM (/proc/self/clear_refs)\n");
      return 1;
    }
  fen_memory_read_process (&base, &peak, &heap);
  clock.t0 = g_get_monotonic_time ();
  if (!fen_pacs_fetch (cache, node, FEN_STUDY_UID, FEN_SERIES_UID, store, NULL, FEN_PACS_FETCH_NONE,
                       fen_bench_pacs_on_image, &clock, &stats, NULL, &error))
    {
      g_printerr ("fetch: %s\n", error->message);
      return 1;
    }
  t1 = g_get_monotonic_time ();
  fen_memory_read_process (&rss, &peak, &heap);
  printf ("first_ms=%.1f all_ms=%.1f peak=%" G_GINT64_FORMAT " pixels=%" G_GSIZE_FORMAT
          " network=%u loaded=%u\n",
          (clock.first - clock.t0) / 1000.0, (t1 - clock.t0) / 1000.0, peak - base, fen_store_get_bytes (store),
          stats.n_network_calls, stats.n_loaded);
  return 0;
}

/* The parent ----------------------------------------------------------------------- */

typedef struct {
  double first_ms;
  double all_ms;
  double peak_ratio;
  double network;
  double loaded;
} FenFetchFigures;

static gboolean
fen_bench_pacs_run_child (const char *self, const char *node, const char *root, FenFetchFigures *out,
                          GError **error)
{
  const char *argv[] = { self, "--fetch-child", node, "--cache-root", root, NULL };
  g_autofree char *text = NULL, *err = NULL;
  int status;
  double pixels = 0, peak = 0;
  g_auto(GStrv) fields = NULL;

  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_DEFAULT, NULL, NULL, &text, &err, &status, error))
    return FALSE;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "the fetch failed: %s", err);
      return FALSE;
    }
  fields = g_strsplit_set (g_strstrip (text), " =", -1);
  for (guint i = 0; fields[i] != NULL && fields[i + 1] != NULL; i += 2)
    {
      double v = g_ascii_strtod (fields[i + 1], NULL);

      if (g_str_equal (fields[i], "first_ms"))
        out->first_ms = v;
      else if (g_str_equal (fields[i], "all_ms"))
        out->all_ms = v;
      else if (g_str_equal (fields[i], "peak"))
        peak = v;
      else if (g_str_equal (fields[i], "pixels"))
        pixels = v;
      else if (g_str_equal (fields[i], "network"))
        out->network = v;
      else if (g_str_equal (fields[i], "loaded"))
        out->loaded = v;
    }
  out->peak_ratio = pixels > 0 ? peak / pixels : 0;
  return TRUE;
}

static gboolean
fen_bench_pacs_getscu (const FenBenchPacsOptions *opt, const FenOrthanc *o, const char *out_dir,
                       double *ms, GError **error)
{
  g_autofree char *port = g_strdup_printf ("%u", o->dicom_port);
  g_autofree char *od = g_strdup (out_dir);
  const char *argv[] = { opt->getscu, "-aet", "FENESTRA", "-aec", "ORTHANC", "127.0.0.1", port, "-S",
                         "-k", "QueryRetrieveLevel=SERIES", "-k", "StudyInstanceUID=" FEN_STUDY_UID,
                         "-k", "SeriesInstanceUID=" FEN_SERIES_UID, "-od", od, NULL };
  g_autofree char *err = NULL;
  gint64 t0 = g_get_monotonic_time ();
  int status;

  g_mkdir_with_parents (out_dir, 0700);
  if (!g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_STDOUT_TO_DEV_NULL, NULL, NULL, NULL, &err, &status,
                     error))
    return FALSE;
  *ms = (g_get_monotonic_time () - t0) / 1000.0;
  if (!g_spawn_check_wait_status (status, NULL))
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED, "getscu failed: %s", err);
      return FALSE;
    }
  return TRUE;
}

static int
fen_bench_pacs_compare_doubles (gconstpointer a, gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;
  return x < y ? -1 : x > y;
}

static double
fen_bench_pacs_median (GArray *values)
{
  if (values->len == 0)
    return NAN;
  g_array_sort (values, fen_bench_pacs_compare_doubles);
  return values->len % 2 ? g_array_index (values, double, values->len / 2)
                         : (g_array_index (values, double, values->len / 2 - 1) +
                            g_array_index (values, double, values->len / 2)) / 2;
}

enum { FEN_GETSCU, FEN_FETCH_GET, FEN_FETCH_WADO, FEN_FETCH_CACHED, FEN_N_ROWS };
static const char *const fen_row_names[FEN_N_ROWS] = { "getscu", "fetch_cget", "fetch_wado", "fetch_cached" };
static const char *const fen_row_labels[FEN_N_ROWS] = {
  "getscu (DCMTK), C-GET", "fen_pacs_fetch, C-GET", "fen_pacs_fetch, WADO-RS", "fen_pacs_fetch, from the cache"
};

static int
fen_bench_pacs_parent (const FenBenchPacsOptions *opt, const char *self)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *work = g_dir_make_tmp ("fenestra-bench-pacs-XXXXXX", &error);
  g_autofree char *input = NULL;
  FenOrthanc o = { 0 };
  GArray *first[FEN_N_ROWS], *all[FEN_N_ROWS], *peak[FEN_N_ROWS];
  const double pixel_bytes = (double) opt->slices * opt->size * opt->size * 2;
  gint64 t0;
  int status = 1;

  if (work == NULL)
    {
      g_printerr ("fenestra-bench-pacs: %s\n", error->message);
      return 1;
    }
  for (guint r = 0; r < FEN_N_ROWS; r++)
    {
      first[r] = g_array_new (FALSE, FALSE, sizeof (double));
      all[r] = g_array_new (FALSE, FALSE, sizeof (double));
      peak[r] = g_array_new (FALSE, FALSE, sizeof (double));
    }
  o.work = work;
  input = g_build_filename (work, "input", NULL);
  g_mkdir_with_parents (input, 0700);
  g_printerr ("writing %u slices of %u x %u ...\n", opt->slices, opt->size, opt->size);
  for (guint i = 0; i < opt->slices; i++)
    fen_bench_pacs_write_slice (input, opt->size, i);
  if (!fen_bench_pacs_orthanc_start (&o, opt, &error))
    goto out;
  t0 = g_get_monotonic_time ();
  if (!fen_bench_pacs_upload (&o, input, opt->slices, &error))
    goto out;
  g_printerr ("Orthanc on 127.0.0.1 (DICOM %u, HTTP %u), %u objects uploaded in %.1f s\n", o.dicom_port,
              o.http_port, opt->slices, (g_get_monotonic_time () - t0) / 1e6);
  if (opt->serve)
    {
      char line[256];

      /* For bench/fen-gui-pacs.sh: the ports and UIDs on one line, then
       * Orthanc serves until our stdin ends (the script's end, however). */
      printf ("%u %u %s %s\n", o.dicom_port, o.http_port, FEN_STUDY_UID, FEN_SERIES_UID);
      fflush (stdout);
      while (fgets (line, sizeof line, stdin) != NULL)
        ;
      status = 0;
      goto out;
    }

  for (guint run = 0; run < opt->runs; run++)
    {
      g_autofree char *get_uri = g_strdup_printf ("dicom://ORTHANC@127.0.0.1:%u?calling=FENESTRA&method=get&timeout=60",
                                                  o.dicom_port);
      g_autofree char *web_uri = g_strdup_printf ("%s/dicom-web", o.base);
      g_autofree char *scu_dir = g_strdup_printf ("%s/getscu-%u", work, run);
      g_autofree char *get_root = g_strdup_printf ("%s/cache-get-%u", work, run);
      g_autofree char *web_root = g_strdup_printf ("%s/cache-web-%u", work, run);
      FenFetchFigures f = { 0 };
      double ms;

      g_printerr ("run %u of %u: getscu", run + 1, opt->runs);
      if (!fen_bench_pacs_getscu (opt, &o, scu_dir, &ms, &error))
        goto out;
      g_array_append_val (all[FEN_GETSCU], ms);
      g_printerr (" %.0f ms, C-GET", ms);
      if (!fen_bench_pacs_run_child (self, get_uri, get_root, &f, &error))
        goto out;
      g_array_append_val (first[FEN_FETCH_GET], f.first_ms);
      g_array_append_val (all[FEN_FETCH_GET], f.all_ms);
      g_array_append_val (peak[FEN_FETCH_GET], f.peak_ratio);
      g_printerr (" %.0f ms, WADO-RS", f.all_ms);
      if (!fen_bench_pacs_run_child (self, web_uri, web_root, &f, &error))
        goto out;
      g_array_append_val (first[FEN_FETCH_WADO], f.first_ms);
      g_array_append_val (all[FEN_FETCH_WADO], f.all_ms);
      g_array_append_val (peak[FEN_FETCH_WADO], f.peak_ratio);
      g_printerr (" %.0f ms, cached", f.all_ms);
      /* The WADO-RS cache again: complete now, so no network call. */
      if (!fen_bench_pacs_run_child (self, web_uri, web_root, &f, &error))
        goto out;
      if (f.network != 0)
        {
          g_set_error (&error, G_IO_ERROR, G_IO_ERROR_FAILED, "the cached fetch made %.0f network calls",
                       f.network);
          goto out;
        }
      g_array_append_val (first[FEN_FETCH_CACHED], f.first_ms);
      g_array_append_val (all[FEN_FETCH_CACHED], f.all_ms);
      g_array_append_val (peak[FEN_FETCH_CACHED], f.peak_ratio);
      g_printerr (" %.0f ms\n", f.all_ms);
    }

  {
    const double scu = fen_bench_pacs_median (all[FEN_GETSCU]);

    if (opt->json)
      {
        printf ("{\"slices\":%u,\"size\":%u,\"pixel_bytes\":%.0f,\"runs\":%u", opt->slices, opt->size, pixel_bytes,
                opt->runs);
        for (guint r = 0; r < FEN_N_ROWS; r++)
          {
            printf (",\"%s_all_ms\":%.1f", fen_row_names[r], fen_bench_pacs_median (all[r]));
            if (r != FEN_GETSCU)
              printf (",\"%s_first_ms\":%.1f,\"%s_peak_ratio\":%.3f,\"%s_vs_getscu\":%.3f", fen_row_names[r],
                      fen_bench_pacs_median (first[r]), fen_row_names[r], fen_bench_pacs_median (peak[r]),
                      fen_row_names[r], fen_bench_pacs_median (all[r]) / scu);
          }
        printf ("}\n");
      }
    else
      {
        printf ("%u slices of %u x %u, %.1f MB of pixels; medians of %u runs\n", opt->slices, opt->size,
                opt->size, pixel_bytes / 1e6, opt->runs);
        printf ("%-34s %12s %12s %10s %12s\n", "", "first image", "whole", "vs getscu", "peak/pixels");
        for (guint r = 0; r < FEN_N_ROWS; r++)
          if (r == FEN_GETSCU)
            printf ("%-34s %12s %9.0f ms %10s %12s\n", fen_row_labels[r], "-", scu, "1.00", "-");
          else
            printf ("%-34s %9.0f ms %9.0f ms %10.2f %12.3f\n", fen_row_labels[r],
                    fen_bench_pacs_median (first[r]), fen_bench_pacs_median (all[r]),
                    fen_bench_pacs_median (all[r]) / scu, fen_bench_pacs_median (peak[r]));
      }
  }
  status = 0;
out:
  if (error != NULL)
    g_printerr ("\nfenestra-bench-pacs: %s\n", error->message);
  fen_bench_pacs_orthanc_stop (&o);
  fen_test_remove_dir (work);
  for (guint r = 0; r < FEN_N_ROWS; r++)
    {
      g_array_unref (first[r]);
      g_array_unref (all[r]);
      g_array_unref (peak[r]);
    }
  return status;
}

/* The DICOMweb plugin of Debian's orthanc-dicomweb, as the tests find it. */
static char *
fen_bench_pacs_find_plugin (void)
{
  g_autofree char *out = NULL;
  g_auto(GStrv) lines = NULL;

  if (!g_spawn_command_line_sync ("dpkg -L orthanc-dicomweb", &out, NULL, NULL, NULL) || out == NULL)
    return NULL;
  lines = g_strsplit (out, "\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "/libOrthancDicomWeb.so") != NULL && g_file_test (lines[i], G_FILE_TEST_IS_REGULAR))
      return g_strdup (lines[i]);
  return NULL;
}

int
main (int argc, char **argv)
{
  FenBenchPacsOptions opt = { .runs = 2, .slices = 300, .size = 512 };
  GOptionEntry entries[] = {
    { "runs", 'r', 0, G_OPTION_ARG_INT, &opt.runs, "Interleaved runs (default 2)", "N" },
    { "slices", 0, 0, G_OPTION_ARG_INT, &opt.slices, "Slices in the series (default 300)", "N" },
    { "size", 0, 0, G_OPTION_ARG_INT, &opt.size, "Rows and columns (default 512)", "N" },
    { "json", 0, 0, G_OPTION_ARG_NONE, &opt.json, "One JSON object on stdout", NULL },
    { "serve", 0, 0, G_OPTION_ARG_NONE, &opt.serve,
      "Only start Orthanc with the series: print \"DICOM_PORT HTTP_PORT STUDY_UID SERIES_UID\", serve until stdin ends",
      NULL },
    { "orthanc", 0, 0, G_OPTION_ARG_FILENAME, &opt.orthanc, "Orthanc (default: PATH, /usr/sbin)", "PATH" },
    { "plugin", 0, 0, G_OPTION_ARG_FILENAME, &opt.plugin, "Orthanc's DICOMweb plugin", "PATH" },
    { "getscu", 0, 0, G_OPTION_ARG_FILENAME, &opt.getscu, "DCMTK's getscu (default: PATH)", "PATH" },
    { "fetch-child", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_STRING, &opt.child_node, NULL, NULL },
    { "cache-root", 0, G_OPTION_FLAG_HIDDEN, G_OPTION_ARG_FILENAME, &opt.child_root, NULL, NULL },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- PACS retrieve into the store vs getscu");
  g_autoptr(GError) error = NULL;
  g_autofree char *self = NULL;
  int status;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("fenestra-bench-pacs: %s\n", error->message);
      return 2;
    }
  if (opt.child_node != NULL)
    return fen_bench_pacs_child (&opt);
  if (opt.runs == 0 || opt.slices == 0 || opt.size < 16 || opt.size > 4096)
    {
      g_printerr ("fenestra-bench-pacs: --runs and --slices at least 1, --size 16 to 4096\n");
      return 2;
    }
  if (opt.orthanc == NULL)
    opt.orthanc = g_find_program_in_path ("Orthanc");
  if (opt.orthanc == NULL && g_file_test ("/usr/sbin/Orthanc", G_FILE_TEST_IS_EXECUTABLE))
    opt.orthanc = g_strdup ("/usr/sbin/Orthanc");
  if (opt.plugin == NULL)
    opt.plugin = fen_bench_pacs_find_plugin ();
  if (opt.getscu == NULL)
    opt.getscu = g_find_program_in_path ("getscu");
  opt.shim = g_strdup (FEN_BENCH_LOOPBACK);
  if (opt.orthanc == NULL || opt.plugin == NULL || opt.getscu == NULL)
    {
      g_printerr ("fenestra-bench-pacs: needs Orthanc, its DICOMweb plugin and DCMTK's getscu "
                  "(Debian: orthanc, orthanc-dicomweb, dcmtk)\n");
      return 1;
    }
  self = g_file_read_link ("/proc/self/exe", NULL);
  /* Loopback never goes through a proxy the environment may name. */
  g_setenv ("no_proxy", "127.0.0.1,localhost", TRUE);
  g_setenv ("NO_PROXY", "127.0.0.1,localhost", TRUE);
  status = fen_bench_pacs_parent (&opt, self != NULL ? self : argv[0]);
  g_free (opt.orthanc);
  g_free (opt.plugin);
  g_free (opt.getscu);
  g_free (opt.shim);
  return status;
}
