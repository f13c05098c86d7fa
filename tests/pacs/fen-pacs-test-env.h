/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-test-env.h: what the tests run by test-pacs-orthanc.sh share:
 * the addresses and paths the script exports, and fenestra-cli pacs. */
#pragma once

#include <fenestra/fen-pacs.h>

/* The value of the environment variable @name, which the script sets;
 * aborts the test when it is missing. */
const char  *fen_env      (const char *name);
/* The archive whose address is in the environment variable @name. */
FenPacsNode *fen_node_env (const char *name);
/* Runs `fenestra-cli pacs ARGS...` (the binary in $FEN_CLI), its output in
 * @out and @err. Returns: its exit status, -1 when it did not exit. */
int          fen_run_cli  (const char *const *args, char **out, char **err);
