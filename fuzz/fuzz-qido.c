/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-qido.c: libFuzzer target for the QIDO-RS reader (_fen_qido_parse):
 * any input, read at study and at series level, ends in matches whose
 * every UID is valid and every string bounded, or in one FEN_NET_ERROR. */
#define G_LOG_DOMAIN "fen-fuzz-qido"

#include "fen-net-private.h"

#include <string.h>

int LLVMFuzzerTestOneInput (const guint8 *data, gsize size);

static void
fen_fuzz_qido_check (const FenPacsMatch *m)
{
  const char *const strings[] = { m->patient_name, m->patient_id, m->study_date, m->study_time,
                                  m->accession, m->study_description, m->modalities, m->modality,
                                  m->series_description };

  g_assert_true (m->study_uid == NULL || fen_pacs_uid_is_valid (m->study_uid));
  g_assert_true (m->series_uid == NULL || fen_pacs_uid_is_valid (m->series_uid));
  for (guint i = 0; i < G_N_ELEMENTS (strings); i++)
    g_assert_true (strings[i] == NULL ||
                   (strlen (strings[i]) <= FEN_NET_MAX_STRING && g_utf8_validate (strings[i], -1, NULL)));
  g_assert_true (m->n_study_series >= -1 && m->n_study_instances >= -1 && m->series_number >= -1 &&
                 m->n_series_instances >= -1);
}

int
LLVMFuzzerTestOneInput (const guint8 *data, gsize size)
{
  for (FenPacsLevel level = FEN_PACS_LEVEL_STUDY; level <= FEN_PACS_LEVEL_SERIES; level++)
    {
      g_autoptr(GPtrArray) matches = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_pacs_match_free);
      g_autoptr(GError) error = NULL;

      if (_fen_qido_parse ((const char *) data, size, level, matches, &error))
        {
          g_assert_no_error (error);
          g_assert_cmpuint (matches->len, <=, FEN_NET_MAX_MATCHES);
          for (guint i = 0; i < matches->len; i++)
            {
              const FenPacsMatch *m = matches->pdata[i];
              g_assert_true (level == FEN_PACS_LEVEL_STUDY ? m->study_uid != NULL : m->series_uid != NULL);
              fen_fuzz_qido_check (m);
            }
        }
      else
        {
          g_assert_nonnull (error);
          g_assert_true (error->domain == FEN_NET_ERROR);
          g_assert_nonnull (error->message);
        }
    }
  return 0;
}
