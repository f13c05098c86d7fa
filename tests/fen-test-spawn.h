/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-test-spawn.h: running the independent tools the tests compare with. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Peak memory means nothing under AddressSanitizer's allocator. */
#if defined(__SANITIZE_ADDRESS__)
#define FEN_TEST_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define FEN_TEST_UNDER_ASAN 1
#endif
#endif
#ifndef FEN_TEST_UNDER_ASAN
#define FEN_TEST_UNDER_ASAN 0
#endif

/**
 * fen_test_spawn:
 * @argv: argv[0] a tool on PATH (or an absolute path), then its arguments
 * @must_succeed: fail the test unless the tool exits 0
 *
 * A missing tool fails the test: tools/test installs every one.
 * Returns: (transfer full): the tool's standard output and error, joined.
 */
char *fen_test_spawn (const char *const *argv, gboolean must_succeed);

G_END_DECLS
