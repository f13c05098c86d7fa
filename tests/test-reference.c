/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-reference.c: renders synthetic DICOM files with fenestra-cli and with
 * DCMTK's dcm2pnm and requires the two 8-bit images to agree, for every
 * fixture kind in every transfer syntax DCMTK can write, with an explicit
 * window, the default window and inverted. DCMTK is the reference because it
 * is the most widely used open implementation of PS3.3 C.11; where the two
 * disagree by more than rounding, one of them is wrong and the test says
 * where. Also checks the command line contract: exit status, one-line
 * errors naming the file, and inputs left untouched.
 *
 * Needs FEN_CLI (fenestra-cli) and FEN_MAKE_FIXTURE (fen-make-fixture) in the
 * environment and dump2dcm, dcmconv, dcmcrle, dcmcjpeg, dcmcjpls, dcm2pnm,
 * dcmj2pnm and dcml2pnm on PATH; fixtures are generated into a temporary
 * directory at run time. Set FEN_REFERENCE_KEEP=1 to keep that directory. */
#define G_LOG_DOMAIN "fen-test-reference"

#include <glib.h>
#include <glib/gstdio.h>

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "fen-ref-image.h"

/* Both renderers compute the same real-valued LINEAR ramp but round it
 * differently (DCMTK truncates, PS3.3 gives no rounding rule), so one level
 * of difference is expected; anything beyond on more than 0.1% of the
 * pixels is a real disagreement. */
#define FEN_REF_MAX_LEVEL_DIFF 1
#define FEN_REF_MIN_FRACTION   0.999

typedef struct {
  char       *cli;
  char       *make_fixture;
  char       *tmpdir;
  GHashTable *fixtures; /* "kind/encoding" -> path, both owned */
} FenRefContext;

/*
 * The fixtures. Windows and rescales are chosen so that the ramp of every
 * window crosses the gradient of the content (not just its saturated ends),
 * and so that a file window, a min-max default and a non-integer slope each
 * occur. The non-integer slope comes with a wide window only: DCMTK truncates
 * modality values to integers, which a narrow window turns into tens of
 * levels (/reference/standard/ covers that against PS3.3 itself). Multi-frame
 * content reaches the same minimum and maximum in every
 * frame: DCMTK computes a min-max window over the frame it renders, Fenestra
 * over the whole image, and neither is specified by DICOM.
 */
typedef struct {
  const char        *kind;
  const char *const *gen_args;
  gboolean           color;
  guint              frames;
  gboolean           has_file_window;  /* the default is the file's first window */
  const char        *window;           /* the explicit test window, "C,W" */
} FenRefFixture;

static const char *const fen_ref_args_ct_s16[] = {
  "--rescale", "1,-1024", "--window", "-5000,20000", "--window", "40,400", NULL };
static const char *const fen_ref_args_ct_u12[] = {
  "--rescale", "1,-1024", "--window", "500,3000", "--window", "40,400", NULL };
static const char *const fen_ref_args_ct_u16[] = { "--rescale", "0.5,-1000", NULL };
static const char *const fen_ref_args_mono1[] = { "--window", "2000,4000", NULL };
static const char *const fen_ref_args_s12[] = {
  "--rescale", "2,-1", "--window", "0,2000", NULL };
static const char *const fen_ref_args_none[] = { NULL };

static const FenRefFixture fen_ref_fixtures[] = {
  { "ct-s16",     fen_ref_args_ct_s16, FALSE, 1, TRUE,  "1000,8000" },
  { "ct-u12",     fen_ref_args_ct_u12, FALSE, 1, TRUE,  "40,400" },
  { "ct-u16",     fen_ref_args_ct_u16, FALSE, 1, FALSE, "10000,20000" },
  { "mr",         fen_ref_args_none,   FALSE, 1, FALSE, "1200,1600" },
  { "mono1",      fen_ref_args_mono1,  FALSE, 1, TRUE,  "1000,1500" },
  { "u8",         fen_ref_args_none,   FALSE, 1, FALSE, "100,120" },
  /* dcm2pnm ignores windows on colour images, so colour has no window case. */
  { "rgb",        fen_ref_args_none,   TRUE,  1, FALSE, NULL },
  { "rgb-planar", fen_ref_args_none,   TRUE,  1, FALSE, NULL },
  { "multiframe", fen_ref_args_none,   FALSE, 3, FALSE, "1500,2000" },
  { "s12-in-16",  fen_ref_args_s12,    FALSE, 1, TRUE,  "-500,3000" },
};

/*
 * Transfer syntaxes, each produced from the explicit little endian original
 * by DCMTK's own tool. DCMTK 3.6.7 encodes every fixture kind in every one of
 * these, colour included (its lossless JPEG and JPEG-LS keep RGB), so no
 * combination is skipped. For s12-in-16 DCMTK's JPEG and JPEG-LS encoders
 * keep the garbage above the high bit (they encode 16-bit precision), so
 * the loader must mask after decoding too, not only for native data.
 */
typedef struct {
  const char        *name;
  const char *const *convert;   /* argv before "in out"; NULL: the original */
  /* Debian's DCMTK 3.6.7 dcm2pnm decodes no JPEG family syntax; its
   * dcmj2pnm (JPEG) and dcml2pnm (JPEG-LS) are the same renderer with those
   * codecs registered and take the same options. */
  const char        *reference;
} FenRefEncoding;

static const char *const fen_ref_conv_implicit[] = { "dcmconv", "+ti", NULL };
static const char *const fen_ref_conv_big[] = { "dcmconv", "+tb", NULL };
static const char *const fen_ref_conv_rle[] = { "dcmcrle", NULL };
static const char *const fen_ref_conv_jpeg_sv1[] = { "dcmcjpeg", "+e1", NULL };
static const char *const fen_ref_conv_jpeg_sv6[] = { "dcmcjpeg", "+el", NULL };
static const char *const fen_ref_conv_jpls[] = { "dcmcjpls", "+el", NULL };

static const FenRefEncoding fen_ref_encodings[] = {
  { "explicit-le",   NULL,                  "dcm2pnm" },
  { "implicit-le",   fen_ref_conv_implicit, "dcm2pnm" },
  { "explicit-be",   fen_ref_conv_big,      "dcm2pnm" },
  { "rle",           fen_ref_conv_rle,      "dcm2pnm" },
  { "jpeg-lossless", fen_ref_conv_jpeg_sv1, "dcmj2pnm" }, /* process 14, selection value 1 */
  { "jpeg-sv6",      fen_ref_conv_jpeg_sv6, "dcmj2pnm" }, /* process 14, selection value 6 */
  { "jpeg-ls",       fen_ref_conv_jpls,     "dcml2pnm" },
};

typedef enum {
  FEN_REF_MODE_WINDOW,  /* --window C,W       vs +Ww C W */
  FEN_REF_MODE_DEFAULT, /* no option          vs +Wi 1, or +Wm without a file window */
  FEN_REF_MODE_INVERT,  /* --invert (default) vs the same plus +P */
} FenRefMode;

static const char *const fen_ref_mode_names[] = { "window", "default", "invert" };

typedef struct {
  FenRefContext        *ctx; /* borrowed */
  const FenRefFixture  *fixture;
  const FenRefEncoding *encoding;
  FenRefMode            mode;
} FenRefCase;

/* ---- processes ---------------------------------------------------------- */

typedef struct {
  char *out;
  char *err;
  int   wait_status;
} FenRefRun;

static void
fen_ref_run_clear (FenRefRun *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (FenRefRun, fen_ref_run_clear)

static char *
fen_ref_argv_to_string (const char *const *argv)
{
  g_autoptr(GString) s = g_string_new (NULL);

  for (guint i = 0; argv[i] != NULL; i++)
    {
      g_autofree char *quoted = g_shell_quote (argv[i]);

      g_string_append_printf (s, "%s%s", i > 0 ? " " : "", quoted);
    }
  return g_string_free (g_steal_pointer (&s), FALSE);
}

/* Runs @argv to completion; only a failure to start is an error. */
static gboolean
fen_ref_spawn (const char *const *argv, FenRefRun *run, GError **error)
{
  return g_spawn_sync (NULL, (char **) argv, NULL, G_SPAWN_SEARCH_PATH, NULL, NULL,
                       &run->out, &run->err, &run->wait_status, error);
}

static gboolean
fen_ref_exited_ok (const FenRefRun *run)
{
  return WIFEXITED (run->wait_status) && WEXITSTATUS (run->wait_status) == 0;
}

/* Runs @argv and requires exit status 0. */
static gboolean
fen_ref_run_ok (const char *const *argv, GError **error)
{
  g_auto(FenRefRun) run = { 0 };

  if (!fen_ref_spawn (argv, &run, error))
    return FALSE;
  if (!fen_ref_exited_ok (&run))
    {
      g_autofree char *cmd = fen_ref_argv_to_string (argv);

      g_set_error (error, G_SPAWN_EXIT_ERROR, run.wait_status,
                   "`%s` failed (wait status %d): %s", cmd, run.wait_status,
                   run.err != NULL ? g_strstrip (run.err) : "");
      return FALSE;
    }
  return TRUE;
}

/* ---- fixtures ----------------------------------------------------------- */

/* Returns (transfer none) the path of @fixture in @encoding, generating it on
 * first use so that running one test path alone still works. */
static const char *
fen_ref_get_fixture (FenRefContext        *ctx,
                     const FenRefFixture  *fixture,
                     const FenRefEncoding *encoding,
                     GError              **error)
{
  g_autofree char *key = g_strdup_printf ("%s/%s", fixture->kind, encoding->name);
  g_autofree char *path = NULL;
  const char *cached = g_hash_table_lookup (ctx->fixtures, key);

  if (cached != NULL)
    return cached;

  if (encoding->convert == NULL)
    {
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *file = g_strdup_printf ("%s.dcm", fixture->kind);

      path = g_build_filename (ctx->tmpdir, file, NULL);
      g_ptr_array_add (argv, ctx->make_fixture);
      g_ptr_array_add (argv, (char *) "--kind");
      g_ptr_array_add (argv, (char *) fixture->kind);
      for (guint i = 0; fixture->gen_args[i] != NULL; i++)
        g_ptr_array_add (argv, (char *) fixture->gen_args[i]);
      g_ptr_array_add (argv, (char *) "-o");
      g_ptr_array_add (argv, path);
      g_ptr_array_add (argv, NULL);
      if (!fen_ref_run_ok ((const char *const *) argv->pdata, error))
        return NULL;
    }
  else
    {
      const char *original = fen_ref_get_fixture (ctx, fixture, &fen_ref_encodings[0], error);
      g_autoptr(GPtrArray) argv = g_ptr_array_new ();
      g_autofree char *file = g_strdup_printf ("%s.%s.dcm", fixture->kind, encoding->name);

      if (original == NULL)
        return NULL;
      path = g_build_filename (ctx->tmpdir, file, NULL);
      for (guint i = 0; encoding->convert[i] != NULL; i++)
        g_ptr_array_add (argv, (char *) encoding->convert[i]);
      g_ptr_array_add (argv, (char *) original);
      g_ptr_array_add (argv, path);
      g_ptr_array_add (argv, NULL);
      if (!fen_ref_run_ok ((const char *const *) argv->pdata, error))
        return NULL;
    }

  cached = path;
  g_hash_table_insert (ctx->fixtures, g_steal_pointer (&key), g_steal_pointer (&path));
  return cached;
}

/* ---- comparison --------------------------------------------------------- */

typedef struct {
  guint  max_diff;
  double fraction_within; /* pixels whose every channel is within the tolerance */
  double fraction_equal;  /* pixels identical in every channel */
  guint  worst_x, worst_y;
  guint  worst_ours, worst_ref; /* channel values at the worst pixel */
} FenRefStats;

static void
fen_ref_compare (const FenRefImage *ours, const FenRefImage *ref, FenRefStats *stats)
{
  gsize n = (gsize) ours->width * ours->height;
  gsize within = 0, equal = 0;

  memset (stats, 0, sizeof *stats);
  for (gsize i = 0; i < n; i++)
    {
      guint pixel_max = 0;

      for (guint c = 0; c < ours->channels; c++)
        {
          guint a = ours->pixels[i * ours->channels + c];
          guint b = ref->pixels[i * ref->channels + c];
          guint d = a > b ? a - b : b - a;

          if (d > pixel_max)
            pixel_max = d;
          if (d > stats->max_diff)
            {
              stats->max_diff = d;
              stats->worst_x = (guint) (i % ours->width);
              stats->worst_y = (guint) (i / ours->width);
              stats->worst_ours = a;
              stats->worst_ref = b;
            }
        }
      if (pixel_max <= FEN_REF_MAX_LEVEL_DIFF)
        within++;
      if (pixel_max == 0)
        equal++;
    }
  stats->fraction_within = n > 0 ? (double) within / n : 1.0;
  stats->fraction_equal = n > 0 ? (double) equal / n : 1.0;
}

static char *
fen_ref_file_checksum (const char *path)
{
  g_autofree char *data = NULL;
  gsize len = 0;

  if (!g_file_get_contents (path, &data, &len, NULL))
    return NULL;
  return g_compute_checksum_for_data (G_CHECKSUM_SHA256, (const guchar *) data, len);
}

/* ---- the reference cases ------------------------------------------------ */

static void
fen_ref_check_frame (const FenRefCase *tc, const char *input, guint frame)
{
  FenRefContext *ctx = tc->ctx;
  const FenRefFixture *fx = tc->fixture;
  g_autofree char *stem = g_strdup_printf ("%s.%s.%s.f%u", fx->kind, tc->encoding->name,
                                           fen_ref_mode_names[tc->mode], frame);
  g_autofree char *ours_name = g_strconcat (stem, ".fen.png", NULL);
  g_autofree char *ref_name = g_strconcat (stem, ".dcmtk.pnm", NULL);
  g_autofree char *ours_path = g_build_filename (ctx->tmpdir, ours_name, NULL);
  g_autofree char *ref_path = g_build_filename (ctx->tmpdir, ref_name, NULL);
  /* fenestra-cli --frame and dcm2pnm +F both count from 1. */
  g_autofree char *frame_arg = g_strdup_printf ("%u", frame + 1);
  g_auto(GStrv) window = NULL;
  g_autoptr(GPtrArray) fen_argv = g_ptr_array_new ();
  g_autoptr(GPtrArray) ref_argv = g_ptr_array_new ();
  g_autofree char *sum_before = fen_ref_file_checksum (input);
  g_autofree char *sum_after = NULL;
  g_auto(FenRefRun) run = { 0 };
  g_auto(FenRefImage) ours = { 0 };
  g_auto(FenRefImage) ref = { 0 };
  g_autoptr(GError) error = NULL;
  FenRefStats stats;

  g_ptr_array_add (fen_argv, ctx->cli);
  g_ptr_array_add (fen_argv, (char *) "render");
  g_ptr_array_add (fen_argv, (char *) input);
  g_ptr_array_add (fen_argv, (char *) "-o");
  g_ptr_array_add (fen_argv, ours_path);

  g_ptr_array_add (ref_argv, (char *) tc->encoding->reference);
  g_ptr_array_add (ref_argv, (char *) "--quiet");
  g_ptr_array_add (ref_argv, (char *) "+op");

  if (fx->frames > 1)
    {
      g_ptr_array_add (fen_argv, (char *) "--frame");
      g_ptr_array_add (fen_argv, frame_arg);
      g_ptr_array_add (ref_argv, (char *) "+F");
      g_ptr_array_add (ref_argv, frame_arg);
    }

  if (tc->mode == FEN_REF_MODE_WINDOW)
    {
      window = g_strsplit (fx->window, ",", 2);
      g_ptr_array_add (fen_argv, (char *) "--window");
      g_ptr_array_add (fen_argv, (char *) fx->window);
      g_ptr_array_add (ref_argv, (char *) "+Ww");
      g_ptr_array_add (ref_argv, window[0]);
      g_ptr_array_add (ref_argv, window[1]);
    }
  else if (!fx->color)
    {
      /* Fenestra's default: the first window in the file, else the min-max
       * of the modality values, which is what DCMTK's +Wm computes (a window
       * of center (min + max + 1) / 2 and width max - min + 1, so that the
       * LINEAR ramp of PS3.3 C.11.2.1.2 spans exactly [min, max]). */
      if (fx->has_file_window)
        {
          g_ptr_array_add (ref_argv, (char *) "+Wi");
          g_ptr_array_add (ref_argv, (char *) "1");
        }
      else
        g_ptr_array_add (ref_argv, (char *) "+Wm");
    }
  if (tc->mode == FEN_REF_MODE_INVERT)
    {
      g_ptr_array_add (fen_argv, (char *) "--invert");
      g_ptr_array_add (ref_argv, (char *) "+P");
    }
  g_ptr_array_add (ref_argv, (char *) input);
  g_ptr_array_add (ref_argv, ref_path);
  g_ptr_array_add (fen_argv, NULL);
  g_ptr_array_add (ref_argv, NULL);

  g_assert_nonnull (sum_before);
  fen_ref_spawn ((const char *const *) fen_argv->pdata, &run, &error);
  g_assert_no_error (error);
  if (!fen_ref_exited_ok (&run))
    {
      g_autofree char *cmd = fen_ref_argv_to_string ((const char *const *) fen_argv->pdata);

      g_test_message ("`%s` failed (wait status %d): %s", cmd, run.wait_status, run.err);
      g_test_fail ();
      return;
    }
  sum_after = fen_ref_file_checksum (input);
  g_assert_cmpstr (sum_after, ==, sum_before);

  fen_ref_run_ok ((const char *const *) ref_argv->pdata, &error);
  g_assert_no_error (error);

  fen_ref_read_png (ours_path, &ours, &error);
  g_assert_no_error (error);
  fen_ref_read_pnm (ref_path, &ref, &error);
  g_assert_no_error (error);

  g_assert_cmpuint (ours.channels, ==, fx->color ? 3 : 1);
  g_assert_cmpuint (ours.channels, ==, ref.channels);
  g_assert_cmpuint (ours.width, ==, ref.width);
  g_assert_cmpuint (ours.height, ==, ref.height);

  fen_ref_compare (&ours, &ref, &stats);
  g_test_message ("RESULT %s/%s/%s frame %u: max diff %u, within %d: %.4f%%, equal %.2f%%"
                  " (worst at %u,%u: fenestra %u, dcmtk %u)",
                  fx->kind, tc->encoding->name, fen_ref_mode_names[tc->mode], frame,
                  stats.max_diff, FEN_REF_MAX_LEVEL_DIFF, 100.0 * stats.fraction_within,
                  100.0 * stats.fraction_equal,
                  stats.worst_x, stats.worst_y, stats.worst_ours, stats.worst_ref);
  if (stats.fraction_within < FEN_REF_MIN_FRACTION)
    {
      g_autofree char *fen_cmd = fen_ref_argv_to_string ((const char *const *) fen_argv->pdata);
      g_autofree char *ref_cmd = fen_ref_argv_to_string ((const char *const *) ref_argv->pdata);

      g_test_message ("disagreement: `%s` vs `%s`", fen_cmd, ref_cmd);
      g_test_fail ();
    }
}

static void
fen_ref_test_case (gconstpointer data)
{
  const FenRefCase *tc = data;
  g_autoptr(GError) error = NULL;
  const char *input = fen_ref_get_fixture (tc->ctx, tc->fixture, tc->encoding, &error);

  g_assert_no_error (error);
  for (guint frame = 0; frame < tc->fixture->frames; frame++)
    fen_ref_check_frame (tc, input, frame);
}

/* ---- the command line contract ------------------------------------------ */

/* Renders @path and requires failure: a non-zero exit (not a crash) and
 * exactly one line on stderr that names the file. */
static void
fen_ref_expect_render_error (FenRefContext *ctx, const char *path)
{
  g_autofree char *out = g_build_filename (ctx->tmpdir, "error-out.png", NULL);
  const char *argv[] = { ctx->cli, "render", path, "-o", out, NULL };
  g_autofree char *name = g_path_get_basename (path);
  g_auto(FenRefRun) run = { 0 };
  g_autoptr(GError) error = NULL;
  g_autofree char *shown = NULL;
  const char *newline;

  fen_ref_spawn (argv, &run, &error);
  g_assert_no_error (error);
  shown = g_strdup (run.err);
  g_test_message ("stderr for %s: %s", path, g_strchomp (shown));
  g_assert_true (WIFEXITED (run.wait_status));
  g_assert_cmpint (WEXITSTATUS (run.wait_status), !=, 0);
  /* The loader names the path as given, the renderer its base name. */
  g_assert_nonnull (strstr (run.err, name));
  newline = strchr (run.err, '\n');
  g_assert_nonnull (newline);
  g_assert_cmpint (newline[1], ==, '\0');
}

static void
fen_ref_test_missing (gconstpointer data)
{
  FenRefContext *ctx = (FenRefContext *) data;
  g_autofree char *path = g_build_filename (ctx->tmpdir, "does-not-exist.dcm", NULL);

  fen_ref_expect_render_error (ctx, path);
}

static void
fen_ref_test_garbage (gconstpointer data)
{
  FenRefContext *ctx = (FenRefContext *) data;
  g_autofree char *path = g_build_filename (ctx->tmpdir, "garbage.dcm", NULL);
  g_autoptr(GRand) rand = g_rand_new_with_seed (7);
  guint8 bytes[4096];
  g_autoptr(GError) error = NULL;

  for (gsize i = 0; i < sizeof bytes; i++)
    bytes[i] = (guint8) g_rand_int_range (rand, 0, 256);
  g_file_set_contents (path, (const char *) bytes, sizeof bytes, &error);
  g_assert_no_error (error);
  fen_ref_expect_render_error (ctx, path);
}

static void
fen_ref_test_empty (gconstpointer data)
{
  FenRefContext *ctx = (FenRefContext *) data;
  g_autofree char *path = g_build_filename (ctx->tmpdir, "empty.dcm", NULL);
  g_autoptr(GError) error = NULL;

  g_file_set_contents (path, "", 0, &error);
  g_assert_no_error (error);
  fen_ref_expect_render_error (ctx, path);
}

static const FenRefEncoding *
fen_ref_encoding_lookup (const char *name)
{
  for (gsize i = 0; i < G_N_ELEMENTS (fen_ref_encodings); i++)
    if (strcmp (fen_ref_encodings[i].name, name) == 0)
      return &fen_ref_encodings[i];
  g_assert_not_reached ();
}

/* Cuts ct-s16 in @encoding to @keep of its length and expects an error. */
static void
fen_ref_check_truncated (FenRefContext *ctx, const char *encoding, double keep, const char *name)
{
  g_autoptr(GError) error = NULL;
  const char *original = fen_ref_get_fixture (ctx, &fen_ref_fixtures[0],
                                              fen_ref_encoding_lookup (encoding), &error);
  g_autofree char *data = NULL;
  g_autofree char *path = g_build_filename (ctx->tmpdir, name, NULL);
  gsize len = 0;

  g_assert_no_error (error);
  g_file_get_contents (original, &data, &len, &error);
  g_assert_no_error (error);
  g_file_set_contents (path, data, (gssize) (len * keep), &error);
  g_assert_no_error (error);
  fen_ref_expect_render_error (ctx, path);
}

static void
fen_ref_test_truncated_header (gconstpointer data)
{
  /* 300 bytes end inside the data set's attributes, before Pixel Data. */
  FenRefContext *ctx = (FenRefContext *) data;
  g_autoptr(GError) error = NULL;
  const char *original = fen_ref_get_fixture (ctx, &fen_ref_fixtures[0],
                                              &fen_ref_encodings[0], &error);
  g_autofree char *contents = NULL;
  g_autofree char *path = g_build_filename (ctx->tmpdir, "truncated-header.dcm", NULL);
  gsize len = 0;

  g_assert_no_error (error);
  g_file_get_contents (original, &contents, &len, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (len, >, 300);
  g_file_set_contents (path, contents, 300, &error);
  g_assert_no_error (error);
  fen_ref_expect_render_error (ctx, path);
}

static void
fen_ref_test_truncated_pixels (gconstpointer data)
{
  fen_ref_check_truncated ((FenRefContext *) data, "explicit-le", 0.6, "truncated-pixels.dcm");
}

static void
fen_ref_test_truncated_rle (gconstpointer data)
{
  fen_ref_check_truncated ((FenRefContext *) data, "rle", 0.6, "truncated-rle.dcm");
}

static void
fen_ref_test_truncated_jpeg_ls (gconstpointer data)
{
  fen_ref_check_truncated ((FenRefContext *) data, "jpeg-ls", 0.6, "truncated-jpeg-ls.dcm");
}

/* `info` succeeds, says something, and leaves the file alone. */
static void
fen_ref_test_info (gconstpointer data)
{
  const FenRefCase *tc = data;
  g_autoptr(GError) error = NULL;
  const char *input = fen_ref_get_fixture (tc->ctx, tc->fixture, tc->encoding, &error);
  g_autofree char *sum_before = NULL;
  g_autofree char *sum_after = NULL;
  g_auto(FenRefRun) run = { 0 };

  g_assert_no_error (error);
  sum_before = fen_ref_file_checksum (input);
  {
    const char *argv[] = { tc->ctx->cli, "info", input, NULL };

    fen_ref_spawn (argv, &run, &error);
  }
  g_assert_no_error (error);
  g_assert_true (fen_ref_exited_ok (&run));
  g_assert_cmpuint (strlen (run.out), >, 0);
  sum_after = fen_ref_file_checksum (input);
  g_assert_cmpstr (sum_after, ==, sum_before);
}

/* ---- against the standard itself --------------------------------------- */

/*
 * Where DCMTK is known to depart from PS3.3, comparing with it proves
 * nothing, so these cases compute the expected output from the standard and
 * only report how far dcm2pnm is from it. DCMTK 3.6.7 keeps modality values
 * in an integer type (DiMonoInputPixelTemplate::rescale casts
 * stored * slope + intercept to it, truncating toward zero), whereas
 * PS3.3 C.11.1.2 defines the modality value as the real m * SV + b and
 * C.11.2.1.2 windows that real value. With a non-integer slope or intercept
 * and a narrow window the two differ by tens of levels.
 */
typedef struct {
  FenRefContext *ctx; /* borrowed */
  const char    *name;
  const char    *kind;
  const char    *rescale;     /* "SLOPE,INTERCEPT" */
  const char    *window;      /* "C,W" */
  guint          bits_stored; /* of the kind, to decode the raw file */
  gboolean       is_signed;
} FenRefExactCase;

static const FenRefExactCase fen_ref_exact_cases[] = {
  { NULL, "mr-half-slope-narrow",  "mr",        "0.5,0.25",  "100,20",  16, FALSE },
  { NULL, "mr-half-slope-width-7", "mr",        "0.5,0.25",  "100.5,7", 16, FALSE },
  { NULL, "s12-negative-fraction", "s12-in-16", "0.5,-0.25", "-50,20",  12, TRUE },
};

/* PS3.3 C.11.2.1.2.1 LINEAR onto [0, 255], rounded to the nearest level. */
static guint8
fen_ref_exact_linear (double x, double c, double w)
{
  double y;

  if (x <= c - 0.5 - (w - 1) / 2)
    return 0;
  if (x > c - 0.5 + (w - 1) / 2)
    return 255;
  y = ((x - (c - 0.5)) / (w - 1) + 0.5) * 255.0;
  return (guint8) CLAMP (floor (y + 0.5), 0, 255);
}

static void
fen_ref_test_exact (gconstpointer data)
{
  const FenRefExactCase *tc = data;
  FenRefContext *ctx = tc->ctx;
  g_autofree char *file = g_strdup_printf ("exact-%s.dcm", tc->name);
  g_autofree char *dcm = g_build_filename (ctx->tmpdir, file, NULL);
  g_autofree char *raw_path = g_strconcat (dcm, ".raw", NULL);
  g_autofree char *ours_path = g_strconcat (dcm, ".fen.png", NULL);
  g_autofree char *ref_path = g_strconcat (dcm, ".dcmtk.pnm", NULL);
  g_auto(GStrv) rescale = g_strsplit (tc->rescale, ",", 2);
  g_auto(GStrv) window = g_strsplit (tc->window, ",", 2);
  double slope = g_ascii_strtod (rescale[0], NULL);
  double intercept = g_ascii_strtod (rescale[1], NULL);
  double center = g_ascii_strtod (window[0], NULL);
  double width = g_ascii_strtod (window[1], NULL);
  const char *gen_argv[] = { ctx->make_fixture, "--kind", tc->kind, "--rescale", tc->rescale,
                             "--keep", "-o", dcm, NULL };
  const char *fen_argv[] = { ctx->cli, "render", dcm, "-o", ours_path,
                             "--window", tc->window, NULL };
  const char *ref_argv[] = { "dcm2pnm", "--quiet", "+op", "+Ww", window[0], window[1],
                             dcm, ref_path, NULL };
  g_autofree char *raw = NULL;
  g_auto(FenRefImage) ours = { 0 };
  g_auto(FenRefImage) ref = { 0 };
  g_autoptr(GError) error = NULL;
  guint32 mask = (1u << tc->bits_stored) - 1;
  guint ours_max = 0, ref_max = 0;
  guint8 ref_expected = 0;
  gsize ref_off = 0, n;
  gsize raw_len = 0;

  fen_ref_run_ok (gen_argv, &error);
  g_assert_no_error (error);
  fen_ref_run_ok (fen_argv, &error);
  g_assert_no_error (error);
  fen_ref_run_ok (ref_argv, &error);
  g_assert_no_error (error);
  g_file_get_contents (raw_path, &raw, &raw_len, &error);
  g_assert_no_error (error);
  fen_ref_read_png (ours_path, &ours, &error);
  g_assert_no_error (error);
  fen_ref_read_pnm (ref_path, &ref, &error);
  g_assert_no_error (error);

  n = (gsize) ours.width * ours.height;
  g_assert_cmpuint (ours.channels, ==, 1);
  g_assert_cmpuint (raw_len, >=, 2 * n);
  for (gsize i = 0; i < n; i++)
    {
      /* The raw file holds what the generator wrote, garbage bits and all:
       * mask to bits stored and sign-extend from the high bit (PS3.5 8.1.1). */
      guint32 word = ((guint8) raw[2 * i] | ((guint32) (guint8) raw[2 * i + 1] << 8)) & mask;
      gint32 stored = tc->is_signed && (word >> (tc->bits_stored - 1)) ? (gint32) word - (gint32) (mask + 1)
                                                                        : (gint32) word;
      /* PS3.3 C.11.1.2: the modality value is real; no rounding. */
      guint8 expected = fen_ref_exact_linear (stored * slope + intercept, center, width);
      guint d_ours = (guint) ABS ((int) ours.pixels[i] - (int) expected);
      guint d_ref = (guint) ABS ((int) ref.pixels[i] - (int) expected);

      ours_max = MAX (ours_max, d_ours);
      if (d_ref > ref_max)
        {
          ref_max = d_ref;
          ref_off = i;
          ref_expected = expected;
        }
    }
  g_test_message ("EXACT %s: rescale %s window %s: fenestra max diff %u from PS3.3;"
                  " dcm2pnm max diff %u (at %" G_GSIZE_FORMAT ",%" G_GSIZE_FORMAT
                  ": dcmtk %u, PS3.3 %u, fenestra %u)",
                  tc->name, tc->rescale, tc->window, ours_max, ref_max,
                  ref_off % ours.width, ref_off / ours.width, ref.pixels[ref_off],
                  ref_expected, ours.pixels[ref_off]);
  g_assert_cmpuint (ours_max, <=, FEN_REF_MAX_LEVEL_DIFF);
}

/* ---- set-up ------------------------------------------------------------- */

static void
fen_ref_remove_tree (const char *dir)
{
  g_autoptr(GDir) d = g_dir_open (dir, 0, NULL);
  const char *name;

  if (d == NULL)
    return;
  while ((name = g_dir_read_name (d)) != NULL)
    {
      g_autofree char *path = g_build_filename (dir, name, NULL);

      g_unlink (path);
    }
  g_rmdir (dir);
}

static FenRefCase *
fen_ref_case_new (FenRefContext        *ctx,
                  const FenRefFixture  *fixture,
                  const FenRefEncoding *encoding,
                  FenRefMode            mode)
{
  FenRefCase *tc = g_new0 (FenRefCase, 1);

  tc->ctx = ctx;
  tc->fixture = fixture;
  tc->encoding = encoding;
  tc->mode = mode;
  return tc;
}

int
main (int argc, char **argv)
{
  static const char *const tools[] = {
    "dump2dcm", "dcmconv", "dcmcrle", "dcmcjpeg", "dcmcjpls",
    "dcm2pnm", "dcmj2pnm", "dcml2pnm" };
  FenRefContext ctx = { 0 };
  g_autoptr(GError) error = NULL;
  int result;

  g_test_init (&argc, &argv, NULL);

  ctx.cli = g_strdup (g_getenv ("FEN_CLI"));
  ctx.make_fixture = g_strdup (g_getenv ("FEN_MAKE_FIXTURE"));
  if (ctx.cli == NULL || ctx.make_fixture == NULL)
    {
      g_printerr ("test-reference: set FEN_CLI and FEN_MAKE_FIXTURE (ctest does)\n");
      return 1;
    }
  for (gsize i = 0; i < G_N_ELEMENTS (tools); i++)
    {
      g_autofree char *found = g_find_program_in_path (tools[i]);

      if (found == NULL)
        {
          g_printerr ("test-reference: %s not found on PATH (install dcmtk)\n", tools[i]);
          return 1;
        }
    }

  ctx.tmpdir = g_dir_make_tmp ("fen-reference-XXXXXX", &error);
  g_assert_no_error (error);
  ctx.fixtures = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (gsize f = 0; f < G_N_ELEMENTS (fen_ref_fixtures); f++)
    for (gsize e = 0; e < G_N_ELEMENTS (fen_ref_encodings); e++)
      for (FenRefMode m = FEN_REF_MODE_WINDOW; m <= FEN_REF_MODE_INVERT; m++)
        {
          const FenRefFixture *fx = &fen_ref_fixtures[f];
          g_autofree char *path = NULL;

          if (m == FEN_REF_MODE_WINDOW && fx->window == NULL)
            continue;
          path = g_strdup_printf ("/reference/%s/%s/%s", fx->kind,
                                  fen_ref_encodings[e].name, fen_ref_mode_names[m]);
          g_test_add_data_func_full (path, fen_ref_case_new (&ctx, fx, &fen_ref_encodings[e], m),
                                     fen_ref_test_case, g_free);
        }

  for (gsize f = 0; f < G_N_ELEMENTS (fen_ref_fixtures); f++)
    {
      g_autofree char *path = g_strdup_printf ("/cli/info/%s", fen_ref_fixtures[f].kind);

      g_test_add_data_func_full (path, fen_ref_case_new (&ctx, &fen_ref_fixtures[f],
                                                         &fen_ref_encodings[0],
                                                         FEN_REF_MODE_DEFAULT),
                                 fen_ref_test_info, g_free);
    }
  for (gsize i = 0; i < G_N_ELEMENTS (fen_ref_exact_cases); i++)
    {
      FenRefExactCase *tc = g_memdup2 (&fen_ref_exact_cases[i], sizeof *tc);
      g_autofree char *path = g_strdup_printf ("/reference/standard/%s", tc->name);

      tc->ctx = &ctx;
      g_test_add_data_func_full (path, tc, fen_ref_test_exact, g_free);
    }
  g_test_add_data_func ("/cli/error/missing", &ctx, fen_ref_test_missing);
  g_test_add_data_func ("/cli/error/empty", &ctx, fen_ref_test_empty);
  g_test_add_data_func ("/cli/error/garbage", &ctx, fen_ref_test_garbage);
  g_test_add_data_func ("/cli/error/truncated-header", &ctx, fen_ref_test_truncated_header);
  g_test_add_data_func ("/cli/error/truncated-pixels", &ctx, fen_ref_test_truncated_pixels);
  g_test_add_data_func ("/cli/error/truncated-rle", &ctx, fen_ref_test_truncated_rle);
  g_test_add_data_func ("/cli/error/truncated-jpeg-ls", &ctx, fen_ref_test_truncated_jpeg_ls);

  result = g_test_run ();

  if (g_getenv ("FEN_REFERENCE_KEEP") != NULL)
    g_printerr ("test-reference: kept %s\n", ctx.tmpdir);
  else
    fen_ref_remove_tree (ctx.tmpdir);
  g_hash_table_unref (ctx.fixtures);
  g_free (ctx.tmpdir);
  g_free (ctx.cli);
  g_free (ctx.make_fixture);
  return result;
}
