/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-render-simd.c: the table apply of a 16-bit monochrome render, eight
 * pixels at a time with AVX2, chosen at run time (__builtin_cpu_supports),
 * so the build stays baseline x86-64. Per eight pixels: the column map
 * loaded, the samples gathered (or loaded, when contiguous), the table
 * entries gathered, each byte spread to B, G and R by a byte shuffle and
 * alpha set, one 32-byte store. The scalar loop in fen-render.c does the
 * same per pixel; both write the same bytes (test-render checks). Whether
 * it pays is measured by fenestra-bench (docs/PERFORMANCE.md). */
#define G_LOG_DOMAIN "fen-render"

#include "fen-render-simd.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

static inline void
fen_render_simd_scalar (const guint8 *table, const guint16 *src, const gint32 *map, gsize k, guint8 *out)
{
  guint8 v = table[src[map != NULL ? (gsize) map[k] : k]];
  guint32 word = 0xff000000u | (guint32) v * 0x010101u;

  memcpy (out + 4 * k, &word, 4);
}

__attribute__ ((target ("avx2"))) static void
fen_render_simd_gray16_gather (const guint8  *table,
                             const guint16 *src,
                             const gint32  *map,
                             gsize          n,
                             gsize          n_avail,
                             guint8        *out)
{
  /* Byte 0 of each 32-bit lane to bytes 0, 1 and 2 (B, G, R); byte 3 zero,
   * then alpha ORed in. The shuffle works within 128-bit halves, which is
   * where each lane's byte 0 is. */
  const __m256i spread = _mm256_setr_epi8 (0, 0, 0, -128, 4, 4, 4, -128, 8, 8, 8, -128, 12, 12, 12, -128,
                                           0, 0, 0, -128, 4, 4, 4, -128, 8, 8, 8, -128, 12, 12, 12, -128);
  const __m256i alpha = _mm256_set1_epi32 ((int) 0xff000000u);
  const __m256i low16 = _mm256_set1_epi32 (0xffff);
  gsize k = 0;

  if (map == NULL)
    for (; k + 8 <= n; k += 8)
      {
        __m256i idx = _mm256_cvtepu16_epi32 (_mm_loadu_si128 ((const __m128i *) (src + k)));
        __m256i v = _mm256_i32gather_epi32 ((const int *) table, idx, 1);

        v = _mm256_or_si256 (_mm256_shuffle_epi8 (v, spread), alpha);
        _mm256_storeu_si256 ((__m256i *) (out + 4 * k), v);
      }
  else
    for (; k + 8 <= n; k += 8)
      {
        /* A 32-bit gather reads the sample and the one after it: not past
         * the frame's last sample. The map is monotonic, so its ends bound
         * the eight. */
        gint32 hi = MAX (map[k], map[k + 7]);
        __m256i idx, s, v;

        if ((gsize) hi + 1 >= n_avail)
          break;
        idx = _mm256_loadu_si256 ((const __m256i *) (map + k));
        s = _mm256_and_si256 (_mm256_i32gather_epi32 ((const int *) src, idx, 2), low16);
        v = _mm256_i32gather_epi32 ((const int *) table, s, 1);
        v = _mm256_or_si256 (_mm256_shuffle_epi8 (v, spread), alpha);
        _mm256_storeu_si256 ((__m256i *) (out + 4 * k), v);
      }
  for (; k < n; k++)
    fen_render_simd_scalar (table, src, map, k, out);
}

/* The other way: the table entries looked up one by one as in the scalar
 * loop (no gathers), eight of them packed into a 64-bit word, spread to
 * eight BGRA pixels by one byte shuffle and stored as 32 bytes. Saves the
 * scalar loop's multiply and the 64-bit stores, keeps its loads. */
__attribute__ ((target ("avx2"))) static void
fen_render_simd_gray16_expand (const guint8  *table,
                               const guint16 *src,
                               const gint32  *map,
                               gsize          n,
                               gsize          n_avail,
                               guint8        *out)
{
  /* Bytes 0-3 of the word to pixels 0-3 in the low half, bytes 4-7 to
   * pixels 4-7 in the high half (the word is broadcast to both halves). */
  const __m256i spread = _mm256_setr_epi8 (0, 0, 0, -128, 1, 1, 1, -128, 2, 2, 2, -128, 3, 3, 3, -128,
                                           4, 4, 4, -128, 5, 5, 5, -128, 6, 6, 6, -128, 7, 7, 7, -128);
  const __m256i alpha = _mm256_set1_epi32 ((int) 0xff000000u);
  gsize k = 0;

  (void) n_avail;
#define FEN_EXPAND_LOOP(INDEX)                                                           \
  for (; k + 8 <= n; k += 8)                                                             \
    {                                                                                    \
      guint64 w = 0;                                                                     \
      __m256i v;                                                                         \
      for (guint t = 0; t < 8; t++)                                                      \
        w |= (guint64) table[src[INDEX]] << (8 * t);                                     \
      v = _mm256_set1_epi64x ((long long) w);                                            \
      v = _mm256_or_si256 (_mm256_shuffle_epi8 (v, spread), alpha);                      \
      _mm256_storeu_si256 ((__m256i *) (out + 4 * k), v);                                \
    }
  if (map == NULL)
    FEN_EXPAND_LOOP (k + t)
  else
    FEN_EXPAND_LOOP (map[k + t])
#undef FEN_EXPAND_LOOP
  for (; k < n; k++)
    fen_render_simd_scalar (table, src, map, k, out);
}

FenRenderGray16Func
_fen_render_simd_gray16 (FenRenderSimd simd)
{
  __builtin_cpu_init ();
  if (!__builtin_cpu_supports ("avx2"))
    return NULL;
  switch (simd)
    {
    case FEN_RENDER_SIMD_GATHER: return fen_render_simd_gray16_gather;
    case FEN_RENDER_SIMD_EXPAND: return fen_render_simd_gray16_expand;
    case FEN_RENDER_SIMD_SCALAR:
    default:                     return NULL;
    }
}

#else

FenRenderGray16Func
_fen_render_simd_gray16 (FenRenderSimd simd)
{
  return NULL;
}

#endif
