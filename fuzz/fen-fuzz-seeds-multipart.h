/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-fuzz-seeds-multipart.h: fuzz-multipart's seeds (fen-fuzz-seeds --multipart). */
#pragma once

#include <glib.h>

/* Writes the seeds into @dir (which exists). Returns an exit status. */
int fen_seed_multipart (const char *dir);
