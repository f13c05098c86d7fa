/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-cli-pacs.h: `fenestra-cli pacs echo|find|get`, the headless PACS
 * client. */
#pragma once

int fen_cli_pacs (int argc, char **argv);
