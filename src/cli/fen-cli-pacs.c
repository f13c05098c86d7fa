/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-cli-pacs.c: `fenestra-cli pacs echo|find|get NODE ...`, the headless
 * PACS client on libfenestra-net. `find` prints one JSON object per study or
 * series (json-glib, keys are DICOM keywords); `get` writes the objects as
 * they arrive, named by SOP Instance UID, and prints each path (with
 * --cache, through the viewer's on-disk cache: what it holds whole is not
 * fetched again). Patient data
 * goes to stdout only, which the user asked for; errors name no patient. */
#define G_LOG_DOMAIN "fen-cli"

#include "fen-cli-pacs.h"

#include <fenestra/fen-pacs.h>
#include <fenestra/fen-pacs-fetch.h>
#include <json-glib/json-glib.h>

#include <glib/gstdio.h>

#include <errno.h>
#include <stdio.h>
#include <unistd.h>
#include <string.h>

typedef struct {
  char *level;
  char *patient_name;
  char *patient_id;
  char *study_date;
  char *modality;
  char *accession;
  char *description;
  char *study;
  char *series;
  char *instance;
  char *output;
  char *cache;
} FenCliPacsOptions;

static void
fen_cli_pacs_options_clear (FenCliPacsOptions *o)
{
  g_free (o->level);
  g_free (o->patient_name);
  g_free (o->patient_id);
  g_free (o->study_date);
  g_free (o->modality);
  g_free (o->accession);
  g_free (o->description);
  g_free (o->study);
  g_free (o->series);
  g_free (o->instance);
  g_free (o->output);
  g_free (o->cache);
}

static void
fen_cli_pacs_add_string (JsonBuilder *b, const char *key, const char *value)
{
  if (value == NULL)
    return;
  json_builder_set_member_name (b, key);
  json_builder_add_string_value (b, value);
}

static void
fen_cli_pacs_add_int (JsonBuilder *b, const char *key, gint value)
{
  if (value < 0)
    return;
  json_builder_set_member_name (b, key);
  json_builder_add_int_value (b, value);
}

static void
fen_cli_pacs_print_match (const FenPacsMatch *m)
{
  g_autoptr(JsonBuilder) b = json_builder_new ();
  g_autoptr(JsonGenerator) gen = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_object (b);
  fen_cli_pacs_add_string (b, "level", m->level == FEN_PACS_LEVEL_STUDY ? "study"
                                       : m->level == FEN_PACS_LEVEL_SERIES ? "series" : "instance");
  fen_cli_pacs_add_string (b, "PatientName", m->patient_name);
  fen_cli_pacs_add_string (b, "PatientID", m->patient_id);
  fen_cli_pacs_add_string (b, "StudyInstanceUID", m->study_uid);
  fen_cli_pacs_add_string (b, "StudyDate", m->study_date);
  fen_cli_pacs_add_string (b, "StudyTime", m->study_time);
  fen_cli_pacs_add_string (b, "AccessionNumber", m->accession);
  fen_cli_pacs_add_string (b, "StudyDescription", m->study_description);
  fen_cli_pacs_add_string (b, "ModalitiesInStudy", m->modalities);
  fen_cli_pacs_add_int (b, "NumberOfStudyRelatedSeries", m->n_study_series);
  fen_cli_pacs_add_int (b, "NumberOfStudyRelatedInstances", m->n_study_instances);
  if (m->level != FEN_PACS_LEVEL_STUDY)
    {
      fen_cli_pacs_add_string (b, "SeriesInstanceUID", m->series_uid);
      fen_cli_pacs_add_string (b, "Modality", m->modality);
      fen_cli_pacs_add_string (b, "SeriesDescription", m->series_description);
      fen_cli_pacs_add_int (b, "SeriesNumber", m->series_number);
      fen_cli_pacs_add_int (b, "NumberOfSeriesRelatedInstances", m->n_series_instances);
    }
  if (m->level == FEN_PACS_LEVEL_INSTANCE)
    {
      fen_cli_pacs_add_string (b, "SOPInstanceUID", m->sop_instance_uid);
      fen_cli_pacs_add_string (b, "SOPClassUID", m->sop_class_uid);
      fen_cli_pacs_add_int (b, "InstanceNumber", m->instance_number);
    }
  json_builder_end_object (b);
  root = json_builder_get_root (b);
  json_generator_set_root (gen, root);
  text = json_generator_to_data (gen, NULL);
  printf ("%s\n", text);
}

/* FROM-TO, FROM-, -TO or one DATE, each YYYYMMDD (PS3.4 C.2.2.2.5). */
static gboolean
fen_cli_pacs_parse_dates (const char *text, char **from, char **to, GError **error)
{
  const char *dash = strchr (text, '-');

  if (dash == NULL)
    {
      *from = g_strdup (text);
      *to = g_strdup (text);
    }
  else
    {
      *from = g_strndup (text, (gsize) (dash - text));
      *to = g_strdup (dash + 1);
    }
  for (char **d = from; d != NULL; d = d == from ? to : NULL)
    if (**d != '\0' && (strlen (*d) != 8 || strspn (*d, "0123456789") != 8))
      {
        g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                     "--study-date wants YYYYMMDD, FROM-TO, FROM- or -TO, not \"%s\"", text);
        return FALSE;
      }
  if (**from == '\0' && **to == '\0')
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE, "--study-date \"%s\" has no date", text);
      return FALSE;
    }
  return TRUE;
}

static int
fen_cli_pacs_find (const FenPacsNode *node, const FenCliPacsOptions *o)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) matches = NULL;
  g_autofree char *from = NULL, *to = NULL;
  FenPacsQuery q = { 0 };

  if (o->level == NULL || strcmp (o->level, "study") == 0)
    q.level = FEN_PACS_LEVEL_STUDY;
  else if (strcmp (o->level, "series") == 0)
    q.level = FEN_PACS_LEVEL_SERIES;
  else if (strcmp (o->level, "instance") == 0)
    q.level = FEN_PACS_LEVEL_INSTANCE;
  else
    {
      fprintf (stderr, "fenestra-cli: --level is study, series or instance, not \"%s\"\n", o->level);
      return 2;
    }
  if (o->study_date != NULL && !fen_cli_pacs_parse_dates (o->study_date, &from, &to, &error))
    {
      fprintf (stderr, "fenestra-cli: %s\n", error->message);
      return 2;
    }
  q.patient_name = o->patient_name;
  q.patient_id = o->patient_id;
  q.date_from = from;
  q.date_to = to;
  q.modality = o->modality;
  q.accession = o->accession;
  q.description = o->description;
  q.study_uid = o->study;
  q.series_uid = o->series;

  matches = fen_pacs_find (node, &q, NULL, &error);
  if (matches == NULL)
    {
      fprintf (stderr, "fenestra-cli: pacs find: %s\n", error->message);
      return 1;
    }
  for (guint i = 0; i < matches->len; i++)
    fen_cli_pacs_print_match (matches->pdata[i]);
  return 0;
}

static void
fen_cli_pacs_on_instance (const char *path, const char *sop_instance_uid, gpointer user_data)
{
  printf ("%s\n", path);
  fflush (stdout);
}

typedef struct {
  const char *output;
  GError     *error;
} FenCliPacsCopy;

/* FenPacsFetchFunc: the object, unchanged, from the cache into -o (a hard
 * link where the two share a file system, else a copy), through a
 * temporary name and a rename as fen_pacs_retrieve() writes. */
static void
fen_cli_pacs_on_cached (const FenPacsFetchProgress *p, gpointer user_data)
{
  FenCliPacsCopy *c = user_data;
  g_autofree char *name = g_strconcat (p->sop_instance_uid, ".dcm", NULL);
  g_autofree char *dest = g_build_filename (c->output, name, NULL);
  g_autofree char *temp = g_strconcat (c->output, "/.fen-incoming-", name, NULL);
  g_autoptr(GFile) from = g_file_new_for_path (p->path);
  g_autoptr(GFile) to = g_file_new_for_path (temp);

  if (c->error != NULL)
    return;
  if (link (p->path, temp) != 0 &&
      !g_file_copy (from, to, G_FILE_COPY_OVERWRITE | G_FILE_COPY_NOFOLLOW_SYMLINKS, NULL, NULL, NULL, &c->error))
    return;
  if (g_rename (temp, dest) != 0)
    {
      int saved = errno;
      g_set_error (&c->error, G_FILE_ERROR, g_file_error_from_errno (saved), "cannot write %s: %s", dest,
                   g_strerror (saved));
      g_unlink (temp);
      return;
    }
  printf ("%s\n", dest);
  fflush (stdout);
}

static int
fen_cli_pacs_get_cached (const FenPacsNode *node, const char *study_uid, const FenCliPacsOptions *o)
{
  g_autoptr(FenPacsCache) cache = fen_pacs_cache_new (o->cache, 0);
  g_autoptr(GError) error = NULL;
  FenCliPacsCopy copy = { o->output, NULL };
  FenPacsFetchStats stats;
  gint64 t0 = g_get_monotonic_time ();
  gboolean ok;

  if (o->instance != NULL)
    {
      fprintf (stderr, "fenestra-cli: pacs get --cache retrieves a study or a series, not one instance\n");
      return 2;
    }
  ok = fen_pacs_fetch (cache, node, study_uid, o->series, NULL, NULL, FEN_PACS_FETCH_NONE, fen_cli_pacs_on_cached,
                       &copy, &stats, NULL, &error);
  if (ok && copy.error != NULL)
    {
      error = g_steal_pointer (&copy.error);
      ok = FALSE;
    }
  g_clear_error (&copy.error);
  if (!ok)
    {
      fprintf (stderr, "fenestra-cli: pacs get: %s\n", error->message);
      return 1;
    }
  fprintf (stderr, "fenestra-cli: pacs get: %u object(s) in %.2f s, %u from the cache\n",
           stats.n_from_cache + stats.n_retrieved, (g_get_monotonic_time () - t0) / 1e6, stats.n_from_cache);
  return 0;
}

static int
fen_cli_pacs_get (const FenPacsNode *node, const char *study_uid, const FenCliPacsOptions *o)
{
  g_autoptr(GError) error = NULL;
  gint64 t0 = g_get_monotonic_time ();
  guint n = 0;

  if (o->output == NULL)
    {
      fprintf (stderr, "fenestra-cli: pacs get needs -o DIR\n");
      return 2;
    }
  if (g_mkdir_with_parents (o->output, 0755) != 0)
    {
      fprintf (stderr, "fenestra-cli: cannot create %s\n", o->output);
      return 1;
    }
  if (o->cache != NULL)
    return fen_cli_pacs_get_cached (node, study_uid, o);
  if (!fen_pacs_retrieve (node, study_uid, o->series, o->instance, o->output, fen_cli_pacs_on_instance, NULL, &n,
                          NULL, &error))
    {
      fprintf (stderr, "fenestra-cli: pacs get: %s (%u object(s) arrived complete)\n", error->message, n);
      return 1;
    }
  fprintf (stderr, "fenestra-cli: pacs get: %u object(s) in %.2f s\n", n,
           (g_get_monotonic_time () - t0) / 1e6);
  return 0;
}

int
fen_cli_pacs (int argc, char **argv)
{
  FenCliPacsOptions o = { 0 };
  GOptionEntry entries[] = {
    { "level", 0, 0, G_OPTION_ARG_STRING, &o.level, "find: study (default), series, or instance (with --study, --series)", "LEVEL" },
    { "patient-name", 0, 0, G_OPTION_ARG_STRING, &o.patient_name, "find: patient name, * and ? as wildcards", "NAME" },
    { "patient-id", 0, 0, G_OPTION_ARG_STRING, &o.patient_id, "find: patient ID", "ID" },
    { "study-date", 0, 0, G_OPTION_ARG_STRING, &o.study_date, "find: YYYYMMDD or a range FROM-TO, FROM-, -TO", "DATES" },
    { "modality", 0, 0, G_OPTION_ARG_STRING, &o.modality, "find: modality (in study, or of the series)", "CS" },
    { "accession", 0, 0, G_OPTION_ARG_STRING, &o.accession, "find: accession number", "NUMBER" },
    { "description", 0, 0, G_OPTION_ARG_STRING, &o.description, "find: study (or series) description", "TEXT" },
    { "study", 0, 0, G_OPTION_ARG_STRING, &o.study, "find: only this Study Instance UID", "UID" },
    { "series", 0, 0, G_OPTION_ARG_STRING, &o.series, "find (instance level), get: this series", "UID" },
    { "instance", 0, 0, G_OPTION_ARG_STRING, &o.instance, "get: only this instance of --series", "UID" },
    { "output", 'o', 0, G_OPTION_ARG_FILENAME, &o.output, "get: the folder to write to", "DIR" },
    { "cache", 0, 0, G_OPTION_ARG_FILENAME, &o.cache, "get: through the on-disk cache in DIR (the viewer's: ~/.cache/fenestra/pacs)", "DIR" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("echo|find|get NODE [STUDY_UID]");
  g_autoptr(GError) error = NULL;
  g_autoptr(FenPacsNode) node = NULL;
  const char *command;
  int status = 2;

  g_option_context_set_summary (context,
    "  echo NODE                          C-ECHO, or a QIDO request for DICOMweb\n"
    "  find NODE [--level study|series|instance] [keys]   one JSON object per match\n"
    "  get NODE STUDY_UID [--series UID [--instance UID]] [--cache DIR] -o DIR\n"
    "                                     objects named by SOP Instance UID\n"
    "NODE is dicom://CALLED_AE@HOST:PORT?calling=AE&method=get|move&port=N\n"
    "     or http[s]://HOST:PORT/PATH (the DICOMweb root)");
  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      fprintf (stderr, "fenestra-cli: %s\n", error->message);
      goto out;
    }
  if (argc < 3)
    {
      fprintf (stderr, "fenestra-cli: usage: fenestra-cli pacs echo|find|get NODE [STUDY_UID] ...\n");
      goto out;
    }
  command = argv[1];
  node = fen_pacs_node_parse (argv[2], &error);
  if (node == NULL)
    {
      fprintf (stderr, "fenestra-cli: %s\n", error->message);
      goto out;
    }
  if (strcmp (command, "echo") == 0 && argc == 3)
    {
      if (!fen_pacs_echo (node, NULL, &error))
        {
          fprintf (stderr, "fenestra-cli: pacs echo: %s\n", error->message);
          status = 1;
        }
      else
        {
          printf ("echo: %s answered\n", argv[2]);
          status = 0;
        }
    }
  else if (strcmp (command, "find") == 0 && argc == 3)
    status = fen_cli_pacs_find (node, &o);
  else if (strcmp (command, "get") == 0 && argc == 4)
    status = fen_cli_pacs_get (node, argv[3], &o);
  else
    fprintf (stderr, "fenestra-cli: usage: fenestra-cli pacs echo NODE | find NODE [keys] | "
                     "get NODE STUDY_UID [--series UID] -o DIR\n");
out:
  fen_cli_pacs_options_clear (&o);
  return status;
}
