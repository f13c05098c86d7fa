/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-alloc.h: how many times the process has called the allocator. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Calls to malloc, calloc and realloc so far, by any thread or library. */
guint64 fen_bench_alloc_get_count (void);

G_END_DECLS
