/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-check-lut.h: the window table against PS3.3's formula. */
#pragma once

#include <fenestra/fenestra.h>
#include "fen-bench-report.h"

G_BEGIN_DECLS

/* Sets check_lut_entries and check_lut_mismatch_entries (0 when right). */
void fen_bench_check_lut (FenBenchReport *report);

G_END_DECLS
