/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-report.c: keeps the figures of a run by name so the JSON and the
 * readable table print the same numbers. */
#define G_LOG_DOMAIN "fen-bench"

#include "fen-bench-report.h"

#include <math.h>

typedef struct {
  char    *key;
  double   value;
  gboolean is_int;
  char    *text;     /* a string value, else NULL */
} FenBenchEntry;

struct _FenBenchReport
{
  /* Owned */
  GArray     *entries;   /* FenBenchEntry, insertion order */
  GHashTable *index;     /* key (borrowed from the entry) -> position + 1 */
};

static void
fen_bench_entry_clear (gpointer data)
{
  FenBenchEntry *e = data;

  g_free (e->key);
  g_free (e->text);
}

FenBenchReport *
fen_bench_report_new (void)
{
  FenBenchReport *report = g_new0 (FenBenchReport, 1);

  report->entries = g_array_new (FALSE, TRUE, sizeof (FenBenchEntry));
  g_array_set_clear_func (report->entries, fen_bench_entry_clear);
  report->index = g_hash_table_new (g_str_hash, g_str_equal);
  return report;
}

void
fen_bench_report_free (FenBenchReport *report)
{
  if (report == NULL)
    return;
  g_hash_table_unref (report->index);
  g_array_unref (report->entries);
  g_free (report);
}

static FenBenchEntry *
fen_bench_report_slot (FenBenchReport *report, const char *key)
{
  guint pos = GPOINTER_TO_UINT (g_hash_table_lookup (report->index, key));
  FenBenchEntry fresh = { 0 };

  if (pos > 0)
    return &g_array_index (report->entries, FenBenchEntry, pos - 1);
  /* The hash table borrows the key of the entry; rebuild it because the
   * array may have moved. */
  fresh.key = g_strdup (key);
  g_array_append_val (report->entries, fresh);
  g_hash_table_remove_all (report->index);
  for (guint i = 0; i < report->entries->len; i++)
    g_hash_table_insert (report->index, g_array_index (report->entries, FenBenchEntry, i).key,
                         GUINT_TO_POINTER (i + 1));
  return &g_array_index (report->entries, FenBenchEntry, report->entries->len - 1);
}

void
fen_bench_report_set (FenBenchReport *report, const char *key, double value)
{
  FenBenchEntry *e = fen_bench_report_slot (report, key);

  e->value = value;
  e->is_int = FALSE;
  g_clear_pointer (&e->text, g_free);
}

void
fen_bench_report_set_int (FenBenchReport *report, const char *key, gint64 value)
{
  FenBenchEntry *e = fen_bench_report_slot (report, key);

  e->value = (double) value;
  e->is_int = TRUE;
  g_clear_pointer (&e->text, g_free);
}

void
fen_bench_report_set_str (FenBenchReport *report, const char *key, const char *value)
{
  FenBenchEntry *e = fen_bench_report_slot (report, key);

  e->value = NAN;
  e->is_int = FALSE;
  g_free (e->text);
  e->text = g_strdup (value);
}

void
fen_bench_report_set_times (FenBenchReport *report, const char *prefix, const FenBenchStats *stats)
{
  g_autofree char *median = g_strconcat (prefix, "_ms_median", NULL);
  g_autofree char *p95 = g_strconcat (prefix, "_ms_p95", NULL);
  g_autofree char *best = g_strconcat (prefix, "_ms_best", NULL);
  g_autofree char *n = g_strconcat (prefix, "_n", NULL);

  fen_bench_report_set (report, median, stats->median);
  fen_bench_report_set (report, p95, stats->p95);
  fen_bench_report_set (report, best, stats->best);
  fen_bench_report_set_int (report, n, stats->n);
}

void
fen_bench_report_set_stats (FenBenchReport *report, const char *prefix, const FenBenchStats *stats)
{
  g_autofree char *allocs = g_strconcat (prefix, "_allocs_per_op", NULL);

  fen_bench_report_set_times (report, prefix, stats);
  fen_bench_report_set (report, allocs, stats->n ? (double) stats->allocations / stats->n : 0);
}

double
fen_bench_report_get (FenBenchReport *report, const char *key)
{
  guint pos = GPOINTER_TO_UINT (g_hash_table_lookup (report->index, key));

  return pos > 0 ? g_array_index (report->entries, FenBenchEntry, pos - 1).value : NAN;
}

gboolean
fen_bench_report_has (FenBenchReport *report, const char *key)
{
  return g_hash_table_contains (report->index, key);
}

char *
fen_bench_report_to_json (FenBenchReport *report)
{
  GString *s = g_string_new ("{");

  for (guint i = 0; i < report->entries->len; i++)
    {
      const FenBenchEntry *e = &g_array_index (report->entries, FenBenchEntry, i);
      char num[G_ASCII_DTOSTR_BUF_SIZE];

      g_string_append_printf (s, "%s\n  \"%s\": ", i ? "," : "", e->key);
      if (e->text != NULL)
        {
          g_autofree char *escaped = g_strescape (e->text, NULL);
          g_string_append_printf (s, "\"%s\"", escaped);
        }
      else if (!isfinite (e->value))
        g_string_append (s, "null"); /* JSON has no NaN */
      else if (e->is_int)
        g_string_append_printf (s, "%" G_GINT64_FORMAT, (gint64) e->value);
      else
        g_string_append (s, g_ascii_formatd (num, sizeof num, "%.6g", e->value));
    }
  g_string_append (s, "\n}\n");
  return g_string_free (s, FALSE);
}
