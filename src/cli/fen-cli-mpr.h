/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-cli-mpr.h: the `mpr` command of fenestra-cli. */
#pragma once

/* Runs `fenestra-cli mpr ...` (@argv[1] is "mpr"). Returns: the exit status. */
int fen_cli_mpr_main (int argc, char **argv);
