/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-study-index.c: the one folder walker (the viewer's folders and
 * DICOMDIRs, every fenestra-cli command that takes a folder): groups DICOM
 * objects into patients, studies and series from their headers alone (the
 * adapter reads each file up to its pixels) and puts each series in the
 * core's series order (fen-series-order.c). Objects are filed by UID, so
 * files spread over folders or named anyhow end up together, and non-image
 * objects (SR, RT plans, waveforms, presentation states) are listed by kind
 * rather than reported as failed images. PNG and TIFF files are listed for
 * the viewer, which opens them too. */
#define G_LOG_DOMAIN "fen-study-index"

#include "fenestra/fen-study-index.h"

#include <glib/gstdio.h>
#include <stdlib.h>
#include <string.h>

#include "fenestra/fen-series-order.h"
#include "fen-dicom-private.h"

/* Deeper folders than this are not entered: media and PACS exports stay
 * well inside it, and it bounds the walk. */
#define FEN_STUDY_INDEX_MAX_DEPTH 32

struct _FenStudyIndex
{
  /* Owned */
  GPtrArray  *patients;   /* FenStudyPatient */
  GHashTable *by_patient; /* key (borrowed from patient) -> FenStudyPatient */
  GHashTable *by_study;   /* study UID (borrowed) -> FenStudy */
  GHashTable *by_series;  /* series UID (borrowed) -> FenStudySeries */
  GHashTable *seen;       /* canonical paths already filed */
  GPtrArray  *problems;   /* char * */
  GPtrArray  *ignored;    /* char *: one message per file not DICOM */
  GPtrArray  *rasters;    /* char *: PNG and TIFF paths */
  GCancellable *cancellable; /* borrowed during fen_study_index_add_path() */
  guint       n_ignored;
  guint       n_objects;
  guint       n_images;
};

const char *
fen_object_kind_to_string (FenObjectKind kind)
{
  switch (kind)
    {
    case FEN_OBJECT_IMAGE:              return "image";
    case FEN_OBJECT_STRUCTURED_REPORT:  return "structured report";
    case FEN_OBJECT_RT_PLAN:            return "RT plan";
    case FEN_OBJECT_RT_STRUCTURE_SET:   return "RT structure set";
    case FEN_OBJECT_WAVEFORM:           return "waveform";
    case FEN_OBJECT_PRESENTATION_STATE: return "presentation state";
    case FEN_OBJECT_DOCUMENT:           return "document";
    case FEN_OBJECT_OTHER:
    default:                            return "other";
    }
}

/* PS3.4 B.5: the SOP Class families of the non-image objects. */
static FenObjectKind
fen_study_index_kind (const FenDicomHeader *h)
{
  static const struct { const char *prefix; FenObjectKind kind; } families[] = {
    { "1.2.840.10008.5.1.4.1.1.88.", FEN_OBJECT_STRUCTURED_REPORT },
    { "1.2.840.10008.5.1.4.1.1.481.3", FEN_OBJECT_RT_STRUCTURE_SET },
    { "1.2.840.10008.5.1.4.1.1.481.4", FEN_OBJECT_RT_PLAN },  /* beams treatment record */
    { "1.2.840.10008.5.1.4.1.1.481.5", FEN_OBJECT_RT_PLAN },
    { "1.2.840.10008.5.1.4.1.1.481.6", FEN_OBJECT_RT_PLAN },
    { "1.2.840.10008.5.1.4.1.1.481.7", FEN_OBJECT_RT_PLAN },
    { "1.2.840.10008.5.1.4.1.1.481.8", FEN_OBJECT_RT_PLAN },  /* ion plan */
    { "1.2.840.10008.5.1.4.1.1.481.9", FEN_OBJECT_RT_PLAN },
    { "1.2.840.10008.5.1.4.1.1.9.", FEN_OBJECT_WAVEFORM },
    { "1.2.840.10008.5.1.4.1.1.11.", FEN_OBJECT_PRESENTATION_STATE },
    { "1.2.840.10008.5.1.4.1.1.104.", FEN_OBJECT_DOCUMENT },
  };
  const char *uid = h->sop_class_uid ? h->sop_class_uid : "";

  for (gsize i = 0; i < G_N_ELEMENTS (families); i++)
    if (g_str_has_prefix (uid, families[i].prefix))
      return families[i].kind;
  return h->has_image ? FEN_OBJECT_IMAGE : FEN_OBJECT_OTHER;
}

static void
fen_study_object_free (gpointer data)
{
  FenStudyObject *o = data;
  g_free (o->path);
  g_free (o->sop_class_uid);
  g_free (o->sop_instance_uid);
  g_free (o);
}

static void
fen_study_series_free (gpointer data)
{
  FenStudySeries *s = data;
  g_free (s->series_uid);
  g_free (s->modality);
  g_free (s->description);
  g_ptr_array_unref (s->objects);
  g_free (s);
}

static void
fen_study_free (gpointer data)
{
  FenStudy *s = data;
  g_free (s->study_uid);
  g_free (s->date);
  g_free (s->description);
  g_ptr_array_unref (s->series);
  g_free (s);
}

static void
fen_study_patient_free (gpointer data)
{
  FenStudyPatient *p = data;
  g_free (p->patient_id);
  g_free (p->name);
  g_ptr_array_unref (p->studies);
  g_free (p);
}

FenStudyIndex *
fen_study_index_new (void)
{
  FenStudyIndex *index = g_new0 (FenStudyIndex, 1);

  index->patients = g_ptr_array_new_with_free_func (fen_study_patient_free);
  index->by_patient = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  index->by_study = g_hash_table_new (g_str_hash, g_str_equal);
  index->by_series = g_hash_table_new (g_str_hash, g_str_equal);
  index->seen = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  index->problems = g_ptr_array_new_with_free_func (g_free);
  index->ignored = g_ptr_array_new_with_free_func (g_free);
  index->rasters = g_ptr_array_new_with_free_func (g_free);
  return index;
}

void
fen_study_index_free (FenStudyIndex *index)
{
  if (index == NULL)
    return;
  g_hash_table_unref (index->by_series);
  g_hash_table_unref (index->by_study);
  g_hash_table_unref (index->by_patient);
  g_hash_table_unref (index->seen);
  g_ptr_array_unref (index->patients);
  g_ptr_array_unref (index->problems);
  g_ptr_array_unref (index->ignored);
  g_ptr_array_unref (index->rasters);
  g_free (index);
}

/* Objects without UIDs still belong somewhere: one placeholder per level. */
static const char *
fen_study_index_or (const char *value, const char *fallback)
{
  return value != NULL && *value != '\0' ? value : fallback;
}

static void
fen_study_index_file (FenStudyIndex *index, const char *path, FenDicomHeader *h)
{
  const char *patient_key_id = fen_study_index_or (h->patient_id, "");
  g_autofree char *patient_key = g_strdup_printf ("%s\x1f%s", patient_key_id,
                                                  fen_study_index_or (h->patient_name, ""));
  const char *study_uid = fen_study_index_or (h->study_uid, "(no study UID)");
  const char *series_uid = fen_study_index_or (h->series_uid, "(no series UID)");
  FenStudyPatient *patient = g_hash_table_lookup (index->by_patient, patient_key);
  FenStudy *study = g_hash_table_lookup (index->by_study, study_uid);
  FenStudySeries *series = g_hash_table_lookup (index->by_series, series_uid);
  FenStudyObject *object;

  if (patient == NULL)
    {
      patient = g_new0 (FenStudyPatient, 1);
      patient->patient_id = g_strdup (h->patient_id);
      patient->name = g_strdup (h->patient_name);
      patient->studies = g_ptr_array_new_with_free_func (fen_study_free);
      g_ptr_array_add (index->patients, patient);
      g_hash_table_insert (index->by_patient, g_steal_pointer (&patient_key), patient);
    }
  if (study == NULL)
    {
      /* A study UID seen under two patients stays with the first. */
      study = g_new0 (FenStudy, 1);
      study->study_uid = g_strdup (study_uid);
      study->date = g_strdup (h->study_date);
      study->description = g_strdup (h->study_description);
      study->series = g_ptr_array_new_with_free_func (fen_study_series_free);
      g_ptr_array_add (patient->studies, study);
      g_hash_table_insert (index->by_study, study->study_uid, study);
    }
  if (series == NULL)
    {
      series = g_new0 (FenStudySeries, 1);
      series->series_uid = g_strdup (series_uid);
      series->modality = g_strdup (h->modality);
      series->description = g_strdup (h->series_description);
      series->number = h->series_number;
      series->objects = g_ptr_array_new_with_free_func (fen_study_object_free);
      g_ptr_array_add (study->series, series);
      g_hash_table_insert (index->by_series, series->series_uid, series);
    }
  object = g_new0 (FenStudyObject, 1);
  object->path = g_strdup (path);
  object->kind = fen_study_index_kind (h);
  object->sop_class_uid = g_steal_pointer (&h->sop_class_uid);
  object->sop_instance_uid = g_steal_pointer (&h->sop_instance_uid);
  object->instance_number = h->instance_number;
  object->frames = h->frames;
  object->has_plane = h->has_plane;
  memcpy (object->position, h->position, sizeof object->position);
  memcpy (object->orientation, h->orientation, sizeof object->orientation);
  g_ptr_array_add (series->objects, object);
  index->n_objects++;
  if (object->kind == FEN_OBJECT_IMAGE)
    index->n_images++;
}

static gboolean fen_study_index_follow_dicomdir (FenStudyIndex *index, const char *path, GError **error);

/* The real path: a file reached twice (a link, a DICOMDIR and a walk) is
 * one object. Returns: whether @path is new. */
static gboolean
fen_study_index_mark_seen (FenStudyIndex *index, const char *path)
{
  char *real = realpath (path, NULL);
  gboolean added = g_hash_table_add (index->seen, real != NULL ? g_strdup (real)
                                                               : g_canonicalize_filename (path, NULL));

  free (real);
  return added;
}

/* Reads one file's header and files it. A DICOMDIR is not an object: the
 * walk follows it (@must_be_dicom FALSE), a DICOMDIR's own record is never
 * one. */
static void
fen_study_index_add_file (FenStudyIndex *index, const char *path, gboolean must_be_dicom)
{
  g_autoptr(GError) error = NULL;
  FenDicomHeader header;

  if (!fen_study_index_mark_seen (index, path))
    return;
  if (!fen_dicom_read_header (path, &header, &error))
    {
      FenSniff sniff;

      if (!must_be_dicom && g_error_matches (error, FEN_IO_ERROR, FEN_IO_ERROR_FORMAT))
        {
          if (fen_sniff (path, &sniff, NULL) && (sniff.kind == FEN_FILE_PNG || sniff.kind == FEN_FILE_TIFF))
            g_ptr_array_add (index->rasters, g_strdup (path));
          else
            {
              index->n_ignored++;
              g_ptr_array_add (index->ignored, g_strdup (error->message));
            }
        }
      else
        g_ptr_array_add (index->problems, g_strdup (error->message));
      return;
    }
  if (g_strcmp0 (header.sop_class_uid, "1.2.840.10008.1.3.10") == 0)
    {
      g_autoptr(GError) local = NULL;

      index->n_ignored++;
      if (!must_be_dicom && !fen_study_index_follow_dicomdir (index, path, &local))
        g_ptr_array_add (index->problems, g_strdup (local->message));
    }
  else
    fen_study_index_file (index, path, &header);
  fen_dicom_header_clear (&header);
}

static gint
fen_study_index_cmp_str (const char *a, const char *b)
{
  return g_strcmp0 (a ? a : "", b ? b : "");
}

static gint
fen_study_index_cmp_patient (gconstpointer a, gconstpointer b)
{
  const FenStudyPatient *x = *(FenStudyPatient * const *) a, *y = *(FenStudyPatient * const *) b;
  gint c = fen_study_index_cmp_str (x->name, y->name);
  return c != 0 ? c : fen_study_index_cmp_str (x->patient_id, y->patient_id);
}

static gint
fen_study_index_cmp_study (gconstpointer a, gconstpointer b)
{
  const FenStudy *x = *(FenStudy * const *) a, *y = *(FenStudy * const *) b;
  gint c = fen_study_index_cmp_str (x->date, y->date);
  return c != 0 ? c : g_strcmp0 (x->study_uid, y->study_uid);
}

static gint
fen_study_index_cmp_series (gconstpointer a, gconstpointer b)
{
  const FenStudySeries *x = *(FenStudySeries * const *) a, *y = *(FenStudySeries * const *) b;
  return x->number != y->number ? (x->number < y->number ? -1 : 1)
                                : g_strcmp0 (x->series_uid, y->series_uid);
}

static gint
fen_study_index_cmp_names (gconstpointer a, gconstpointer b)
{
  return strcmp (*(char * const *) a, *(char * const *) b);
}

/* The core's series order (fen-series-order.c), the viewer's too. */
static void
fen_study_index_sort_objects (GPtrArray *objects)
{
  g_autoptr(FenSeriesOrder) order = fen_series_order_new ();
  g_autofree gpointer *sorted = g_new (gpointer, objects->len);

  for (guint i = 0; i < objects->len; i++)
    {
      const FenStudyObject *o = objects->pdata[i];
      FenSeriesMember member = { 0 };

      member.id = i;
      member.n_frames = o->frames;
      member.instance_number = o->instance_number;
      member.has_plane = o->has_plane;
      memcpy (member.position, o->position, sizeof member.position);
      memcpy (member.orientation, o->orientation, sizeof member.orientation);
      member.name = o->path;
      fen_series_order_add (order, &member);
    }
  for (guint i = 0; i < objects->len; i++)
    sorted[i] = objects->pdata[fen_series_order_get_id (order, i)];
  memcpy (objects->pdata, sorted, objects->len * sizeof (gpointer));
}

static void
fen_study_index_sort (FenStudyIndex *index)
{
  g_ptr_array_sort (index->rasters, fen_study_index_cmp_names);
  g_ptr_array_sort (index->patients, fen_study_index_cmp_patient);
  for (guint p = 0; p < index->patients->len; p++)
    {
      FenStudyPatient *patient = index->patients->pdata[p];
      g_ptr_array_sort (patient->studies, fen_study_index_cmp_study);
      for (guint s = 0; s < patient->studies->len; s++)
        {
          FenStudy *study = patient->studies->pdata[s];
          g_ptr_array_sort (study->series, fen_study_index_cmp_series);
          for (guint r = 0; r < study->series->len; r++)
            fen_study_index_sort_objects (((FenStudySeries *) study->series->pdata[r])->objects);
        }
    }
}

static gboolean
fen_study_index_cancelled (FenStudyIndex *index, GError **error)
{
  return g_cancellable_set_error_if_cancelled (index->cancellable, error);
}

static gboolean
fen_study_index_walk (FenStudyIndex *index, const char *folder, GError **error)
{
  /* An explicit stack of folders to visit: no recursion. */
  g_autoptr(GPtrArray) pending = g_ptr_array_new_with_free_func (g_free);
  g_autoptr(GArray) depths = g_array_new (FALSE, FALSE, sizeof (guint));
  guint zero = 0;
  GDir *dir;

  dir = g_dir_open (folder, 0, error);
  if (dir == NULL)
    return FALSE;
  g_dir_close (dir);
  g_ptr_array_add (pending, g_strdup (folder));
  g_array_append_val (depths, zero);

  while (pending->len > 0)
    {
      g_autofree char *current = g_ptr_array_steal_index (pending, pending->len - 1);
      guint depth = g_array_index (depths, guint, depths->len - 1);
      g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
      const char *entry;

      g_array_set_size (depths, depths->len - 1);
      dir = g_dir_open (current, 0, NULL);
      if (dir == NULL)
        {
          g_ptr_array_add (index->problems, g_strdup_printf ("%s: cannot be read", current));
          continue;
        }
      /* Hidden entries are not the user's images: a desktop's metadata, a
       * retrieve still arriving (.fen-incoming-*). */
      while ((entry = g_dir_read_name (dir)) != NULL)
        if (entry[0] != '.')
          g_ptr_array_add (names, g_strdup (entry));
      g_dir_close (dir);
      /* The same order on every file system. */
      g_ptr_array_sort (names, fen_study_index_cmp_names);
      for (guint i = 0; i < names->len; i++)
        {
          g_autofree char *path = g_build_filename (current, names->pdata[i], NULL);
          GStatBuf st;

          if (fen_study_index_cancelled (index, error))
            return FALSE;
          if (g_lstat (path, &st) != 0)
            continue;
          if (S_ISDIR (st.st_mode))
            {
              if (depth + 1 < FEN_STUDY_INDEX_MAX_DEPTH)
                {
                  guint next = depth + 1;
                  g_ptr_array_add (pending, g_steal_pointer (&path));
                  g_array_append_val (depths, next);
                }
              continue;
            }
          /* Symbolic links to files are followed, to folders not: no loops. */
          if (S_ISLNK (st.st_mode) && (g_stat (path, &st) != 0 || !S_ISREG (st.st_mode)))
            continue;
          if (S_ISREG (st.st_mode))
            fen_study_index_add_file (index, path, FALSE);
        }
    }
  return TRUE;
}

static gboolean
fen_study_index_follow_dicomdir (FenStudyIndex *index, const char *path, GError **error)
{
  g_autoptr(GPtrArray) files = g_ptr_array_new_with_free_func (g_free);

  if (!fen_dicom_read_dicomdir (path, files, index->problems, error))
    return FALSE;
  for (guint i = 0; i < files->len; i++)
    {
      if (fen_study_index_cancelled (index, error))
        return FALSE;
      fen_study_index_add_file (index, files->pdata[i], TRUE);
    }
  return TRUE;
}

gboolean
fen_study_index_add_folder (FenStudyIndex *index, const char *folder, GError **error)
{
  g_return_val_if_fail (index != NULL && folder != NULL, FALSE);
  if (!fen_study_index_walk (index, folder, error))
    return FALSE;
  fen_study_index_sort (index);
  return TRUE;
}

gboolean
fen_study_index_add_dicomdir (FenStudyIndex *index, const char *path, GError **error)
{
  g_return_val_if_fail (index != NULL && path != NULL, FALSE);
  if (!fen_study_index_follow_dicomdir (index, path, error))
    return FALSE;
  fen_study_index_sort (index);
  return TRUE;
}

gboolean
fen_study_index_add_path (FenStudyIndex *index, const char *path, GCancellable *cancellable,
                          GError **error)
{
  g_autoptr(GError) local = NULL;
  FenDicomHeader header;
  gboolean ok;

  g_return_val_if_fail (index != NULL && path != NULL, FALSE);
  index->cancellable = cancellable;
  if (g_file_test (path, G_FILE_TEST_IS_DIR))
    ok = fen_study_index_walk (index, path, error);
  else if (fen_dicom_read_header (path, &header, &local) &&
           g_strcmp0 (header.sop_class_uid, "1.2.840.10008.1.3.10") == 0)
    {
      fen_dicom_header_clear (&header);
      ok = fen_study_index_follow_dicomdir (index, path, error);
    }
  else if (local == NULL)
    {
      /* One DICOM object: filed with the header just read. */
      if (fen_study_index_mark_seen (index, path))
        fen_study_index_file (index, path, &header);
      fen_dicom_header_clear (&header);
      ok = TRUE;
    }
  else
    {
      /* One file that is not DICOM: listed or a problem, as in a folder,
       * except that a file the user named is never silently ignored. */
      guint ignored = index->n_ignored;

      fen_study_index_add_file (index, path, FALSE);
      if (index->n_ignored > ignored)
        {
          index->n_ignored = ignored;
          g_ptr_array_add (index->problems, g_ptr_array_steal_index (index->ignored, index->ignored->len - 1));
        }
      ok = TRUE;
    }
  index->cancellable = NULL;
  fen_study_index_sort (index);
  return ok;
}

const GPtrArray *
fen_study_index_get_patients (const FenStudyIndex *index)
{
  return index->patients;
}

GPtrArray *
fen_study_index_list_series (const FenStudyIndex *index)
{
  const GPtrArray *patients = fen_study_index_get_patients (index);
  GPtrArray *out = g_ptr_array_new ();

  for (guint p = 0; p < patients->len; p++)
    {
      const FenStudyPatient *patient = patients->pdata[p];

      for (guint s = 0; s < patient->studies->len; s++)
        {
          const FenStudy *study = patient->studies->pdata[s];

          for (guint r = 0; r < study->series->len; r++)
            g_ptr_array_add (out, study->series->pdata[r]);
        }
    }
  return out;
}

const GPtrArray *
fen_study_index_get_problems (const FenStudyIndex *index)
{
  return index->problems;
}

guint
fen_study_index_get_n_ignored (const FenStudyIndex *index)
{
  return index->n_ignored;
}

guint
fen_study_index_get_n_objects (const FenStudyIndex *index)
{
  return index->n_objects;
}

guint
fen_study_index_get_n_images (const FenStudyIndex *index)
{
  return index->n_images;
}

const GPtrArray *
fen_study_index_get_ignored (const FenStudyIndex *index)
{
  return index->ignored;
}

const GPtrArray *
fen_study_index_get_rasters (const FenStudyIndex *index)
{
  return index->rasters;
}
