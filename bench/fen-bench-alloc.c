/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-bench-alloc.c: counts calls into the allocator, so the benchmark can
 * show that a window update makes none at all; heap in use before and after
 * would miss an allocation freed again before the second reading. The
 * executable's malloc, calloc and realloc interpose glibc's for every
 * library in the process and forward to glibc's own entry points, so memory
 * still comes from and goes back to the one allocator. The counter is the
 * one global of the benchmark: what it counts belongs to the process. */
#define G_LOG_DOMAIN "fen-bench"

#include "fen-bench-alloc.h"

#include <stdlib.h>

extern void *__libc_malloc (size_t size);
extern void *__libc_calloc (size_t n, size_t size);
extern void *__libc_realloc (void *ptr, size_t size);

static guint64 fen_bench_alloc_count;

static inline void
fen_bench_alloc_note (void)
{
  __atomic_fetch_add (&fen_bench_alloc_count, 1, __ATOMIC_RELAXED);
}

void *
malloc (size_t size)
{
  fen_bench_alloc_note ();
  return __libc_malloc (size);
}

void *
calloc (size_t n, size_t size)
{
  fen_bench_alloc_note ();
  return __libc_calloc (n, size);
}

void *
realloc (void *ptr, size_t size)
{
  fen_bench_alloc_note ();
  return __libc_realloc (ptr, size);
}

guint64
fen_bench_alloc_get_count (void)
{
  return __atomic_load_n (&fen_bench_alloc_count, __ATOMIC_RELAXED);
}
