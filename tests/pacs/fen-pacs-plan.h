/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-plan.h: the studies the PACS tests upload to Orthanc and then
 * query and retrieve. One table, read by the generator (fen-pacs-fixture)
 * and by the tests (test-pacs), so expectations come from the same source
 * as the files. No real patient: the names are placeholders. */
#pragma once

#include <glib.h>

/* Private UID root under 2.25 (PS3.5 B.2), so nothing collides. */
#define FEN_PACS_UID_ROOT "2.25.118930256148713902740184021"
#define FEN_PACS_ROWS 128
#define FEN_PACS_COLS 128

typedef struct {
  const char *modality;
  const char *sop_class;
  const char *description;
  guint       number;
  guint       n_instances;   /* 0: the big series, FEN_PACS_BIG slices */
} FenPacsPlanSeries;

typedef struct {
  const char        *patient_name;
  const char        *patient_id;
  const char        *date;
  const char        *accession;
  const char        *description;
  FenPacsPlanSeries  series[2];
} FenPacsPlanStudy;

/* The 300-slice series the issue asks for (PS3 part 4 C-GET/C-MOVE tests). */
#define FEN_PACS_BIG 300

#define FEN_PACS_CT "1.2.840.10008.5.1.4.1.1.2"
#define FEN_PACS_MR "1.2.840.10008.5.1.4.1.1.4"
#define FEN_PACS_CR "1.2.840.10008.5.1.4.1.1.1"
#define FEN_PACS_SC "1.2.840.10008.5.1.4.1.1.7"

static const FenPacsPlanStudy fen_pacs_plan[] = {
  { "DOE^JANE", "FEN-PACS-001", "20240115", "ACC-0001", "Head CT",
    { { "CT", FEN_PACS_CT, "Axial 1 mm", 1, 0 }, { "OT", FEN_PACS_SC, "Key images", 2, 2 } } },
  { "DOE^JOHN", "FEN-PACS-002", "20240620", "ACC-0002", "Brain MR",
    { { "MR", FEN_PACS_MR, "T1 sagittal", 1, 4 }, { NULL } } },
  { "ROE^RICHARD", "FEN-PACS-003", "20251201", "ACC-0003", "Chest X-ray",
    { { "CR", FEN_PACS_CR, "PA", 1, 2 }, { NULL } } },
  { "DOE^JANET", "FEN-PACS-004", "20230301", "ACC-0004", "Follow-up CT",
    { { "CT", FEN_PACS_CT, "Axial 5 mm", 1, 3 }, { NULL } } },
};

static inline guint
fen_pacs_plan_n_instances (const FenPacsPlanSeries *s)
{
  return s->n_instances == 0 ? FEN_PACS_BIG : s->n_instances;
}

/* UIDs: ROOT.1.study, ROOT.2.study.series, ROOT.3.study.series.instance
 * (all from 1). */
static inline char *
fen_pacs_plan_study_uid (guint study)
{
  return g_strdup_printf (FEN_PACS_UID_ROOT ".1.%u", study + 1);
}

static inline char *
fen_pacs_plan_series_uid (guint study, guint series)
{
  return g_strdup_printf (FEN_PACS_UID_ROOT ".2.%u.%u", study + 1, series + 1);
}

static inline char *
fen_pacs_plan_instance_uid (guint study, guint series, guint instance)
{
  return g_strdup_printf (FEN_PACS_UID_ROOT ".3.%u.%u.%u", study + 1, series + 1, instance + 1);
}
