/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-test-util.h: synthetic images and independent reference maths for the core tests. */
#pragma once

#include <fenestra/fenestra.h>

G_BEGIN_DECLS

typedef enum {
  FEN_TEST_U8,
  FEN_TEST_S8,
  FEN_TEST_U16,   /* 12 bits stored */
  FEN_TEST_S16,   /* 16 bits stored, CT-like with rescale */
  FEN_TEST_RGB8,
} FenTestKind;

/* A deterministic image of @kind, filled with a pattern that covers the
 * type's range. Returns: (transfer full). */
FenImage *fen_test_image_new (FenTestKind kind, guint width, guint height, guint frames);

/* One pixel the slow way, straight from PS3.3 C.11.2.1.2, without the table. */
guint8    fen_test_reference_gray (const FenImage *image, gint32 stored, const FenWindowParams *w);

G_END_DECLS
