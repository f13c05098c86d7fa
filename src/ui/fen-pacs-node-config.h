/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-node-config.h: the PACS nodes the user configured, as the
 * "pacs-nodes" settings key keeps them (name, address, how to sign in).
 * Secrets are not here: fen-pacs-secret.h keeps them in the Secret
 * Service under the node's id. */
#pragma once

#include "fen-types-ui.h"

#include <fenestra/fen-pacs.h>

G_BEGIN_DECLS

typedef enum {
  FEN_PACS_AUTH_NONE,
  FEN_PACS_AUTH_BASIC,    /* user name + password (RFC 7617) */
  FEN_PACS_AUTH_BEARER,   /* a token (RFC 6750) */
} FenPacsAuth;

typedef struct {
  char        *id;        /* stable, random: names the node's secret */
  char        *name;      /* what the user calls it */
  char        *address;   /* fen_pacs_node_parse()'s one line */
  FenPacsAuth  auth;      /* DICOMweb only */
  char        *user;      /* for basic authentication, else "" */
} FenPacsNodeConfig;

FenPacsNodeConfig *fen_pacs_node_config_new  (const char *name, const char *address);
FenPacsNodeConfig *fen_pacs_node_config_copy (const FenPacsNodeConfig *config);
void               fen_pacs_node_config_free (FenPacsNodeConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (FenPacsNodeConfig, fen_pacs_node_config_free)

const char *fen_pacs_auth_to_string   (FenPacsAuth auth);
FenPacsAuth fen_pacs_auth_from_string (const char *text);

/**
 * fen_pacs_node_config_load:
 * @settings: (nullable): without settings there are no nodes
 *
 * Returns: (transfer full) (element-type FenPacsNodeConfig): the nodes in
 *   the order kept; entries with an empty id or address are skipped
 */
GPtrArray *fen_pacs_node_config_load (GSettings *settings);
/* Writes @nodes (FenPacsNodeConfig) in their order. */
void       fen_pacs_node_config_save (GSettings *settings, GPtrArray *nodes);

/* The HTTP Authorization value for @config with @secret (the password or
 * token): "Basic base64(user:password)" (RFC 7617) or "Bearer token" (RFC
 * 6750); NULL for no authentication or no secret. Free it with
 * fen_pacs_node_config_free_secret(). */
char *fen_pacs_node_config_authorization (const FenPacsNodeConfig *config, const char *secret);
/* Clears @secret's bytes, then frees it (g_malloc'd memory). */
void  fen_pacs_node_config_free_secret   (char *secret);

/* Returns: (transfer full): @config's address parsed, or NULL with @error. */
FenPacsNode *fen_pacs_node_config_parse (const FenPacsNodeConfig *config, GError **error);

G_END_DECLS
