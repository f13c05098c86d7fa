/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-test-dicom-writer.h: byte-level DICOM writing for the tests. */
#pragma once

#include <glib.h>

void        fen_put_u16      (GByteArray *out, guint16 v);
void        fen_put_u32      (GByteArray *out, guint32 v);
void        fen_put_tag      (GByteArray *out, guint16 group, guint16 element);
/* PS3.5 7.1.2 explicit VR header / 7.1.3 implicit VR header. */
void        fen_put_explicit (GByteArray *out, guint16 group, guint16 element, const char *vr, guint32 len);
void        fen_put_implicit (GByteArray *out, guint16 group, guint16 element, guint32 len);
void        fen_put_string   (GByteArray *out, guint16 group, guint16 element, const char *vr, const char *s);
void        fen_put_us       (GByteArray *out, guint16 group, guint16 element, guint16 v, gboolean implicit);
/* A sequence (SQ) of one item holding @content, explicit lengths. */
void        fen_put_item_of  (GByteArray *out, guint16 group, guint16 element, GByteArray *content);
/* Preamble and meta header naming @ts_uid. */
GByteArray *fen_part10_start (const char *ts_uid);
GByteArray *fen_part10_start_for (const char *ts_uid, const char *sop_class, const char *sop_instance);
/* An 8-bit MONOCHROME2 image module; @implicit_rows writes Rows without its VR. */
void        fen_put_image_module (GByteArray *out, guint rows, guint cols, gboolean implicit_rows);
/* @n bytes of pixels, value i * 7 at byte i. */
void        fen_put_pixels   (GByteArray *out, guint n);
char       *fen_test_write_file (const char *dir, const char *name, GByteArray *data);
/* Removes a fixture folder and everything below it (links not followed). */
void        fen_test_remove_dir (const char *dir);
