/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-json.h: a JSON string written by hand where the core cannot depend on
 * json-glib (the memory log) and where one value is all there is. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/**
 * fen_json_append_string:
 * Appends @text as a JSON string (RFC 8259 section 7): quote and backslash
 * escaped, control characters as \uXXXX, UTF-8 passed through; bytes that
 * are not UTF-8 become U+FFFD, so the output is always valid JSON.
 */
void fen_json_append_string (GString *out, const char *text);

G_END_DECLS
