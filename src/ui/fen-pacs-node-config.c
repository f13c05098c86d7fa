/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-pacs-node-config.c: PACS nodes to and from the "pacs-nodes" key,
 * a(sssss): id, name, address, authentication, user name. The address is
 * the one fen_pacs_node_parse() reads, so the command line and the
 * preferences describe a node the same way and one parser checks both. */
#define G_LOG_DOMAIN "fen-pacs-browser"

#include "fen-pacs-node-config.h"

#include <string.h>

#define FEN_PACS_NODES_KEY "pacs-nodes"

FenPacsNodeConfig *
fen_pacs_node_config_new (const char *name, const char *address)
{
  FenPacsNodeConfig *c = g_new0 (FenPacsNodeConfig, 1);

  c->id = g_uuid_string_random ();
  c->name = g_strdup (name != NULL ? name : "");
  c->address = g_strdup (address != NULL ? address : "");
  c->user = g_strdup ("");
  c->auth = FEN_PACS_AUTH_NONE;
  return c;
}

FenPacsNodeConfig *
fen_pacs_node_config_copy (const FenPacsNodeConfig *config)
{
  FenPacsNodeConfig *c = g_new0 (FenPacsNodeConfig, 1);

  c->id = g_strdup (config->id);
  c->name = g_strdup (config->name);
  c->address = g_strdup (config->address);
  c->auth = config->auth;
  c->user = g_strdup (config->user);
  return c;
}

void
fen_pacs_node_config_free (FenPacsNodeConfig *config)
{
  if (config == NULL)
    return;
  g_free (config->id);
  g_free (config->name);
  g_free (config->address);
  g_free (config->user);
  g_free (config);
}

const char *
fen_pacs_auth_to_string (FenPacsAuth auth)
{
  switch (auth)
    {
    case FEN_PACS_AUTH_BASIC:
      return "basic";
    case FEN_PACS_AUTH_BEARER:
      return "bearer";
    case FEN_PACS_AUTH_NONE:
    default:
      return "none";
    }
}

FenPacsAuth
fen_pacs_auth_from_string (const char *text)
{
  if (g_strcmp0 (text, "basic") == 0)
    return FEN_PACS_AUTH_BASIC;
  if (g_strcmp0 (text, "bearer") == 0)
    return FEN_PACS_AUTH_BEARER;
  return FEN_PACS_AUTH_NONE;
}

GPtrArray *
fen_pacs_node_config_load (GSettings *settings)
{
  GPtrArray *nodes = g_ptr_array_new_with_free_func ((GDestroyNotify) fen_pacs_node_config_free);
  g_autoptr(GVariant) value = NULL;
  GVariantIter iter;
  const char *id, *name, *address, *auth, *user;

  if (settings == NULL)
    return nodes;
  value = g_settings_get_value (settings, FEN_PACS_NODES_KEY);
  g_variant_iter_init (&iter, value);
  while (g_variant_iter_next (&iter, "(&s&s&s&s&s)", &id, &name, &address, &auth, &user))
    {
      FenPacsNodeConfig *c;

      if (*id == '\0' || *address == '\0')
        continue;
      c = g_new0 (FenPacsNodeConfig, 1);
      c->id = g_strdup (id);
      c->name = g_strdup (*name != '\0' ? name : address);
      c->address = g_strdup (address);
      c->auth = fen_pacs_auth_from_string (auth);
      c->user = g_strdup (user);
      g_ptr_array_add (nodes, c);
    }
  return nodes;
}

void
fen_pacs_node_config_save (GSettings *settings, GPtrArray *nodes)
{
  GVariantBuilder builder;

  g_return_if_fail (G_IS_SETTINGS (settings));
  g_variant_builder_init (&builder, G_VARIANT_TYPE ("a(sssss)"));
  for (guint i = 0; i < nodes->len; i++)
    {
      const FenPacsNodeConfig *c = nodes->pdata[i];

      g_variant_builder_add (&builder, "(sssss)", c->id, c->name, c->address,
                             fen_pacs_auth_to_string (c->auth), c->user != NULL ? c->user : "");
    }
  g_settings_set_value (settings, FEN_PACS_NODES_KEY, g_variant_builder_end (&builder));
}

FenPacsNode *
fen_pacs_node_config_parse (const FenPacsNodeConfig *config, GError **error)
{
  g_return_val_if_fail (config != NULL, NULL);
  return fen_pacs_node_parse (config->address, error);
}

void
fen_pacs_node_config_free_secret (char *secret)
{
  if (secret == NULL)
    return;
  memset (secret, 0, strlen (secret));
  g_free (secret);
}

char *
fen_pacs_node_config_authorization (const FenPacsNodeConfig *config, const char *secret)
{
  g_autofree char *pair = NULL;
  g_autofree char *encoded = NULL;
  char *value;

  g_return_val_if_fail (config != NULL, NULL);
  if (secret == NULL || *secret == '\0' || config->auth == FEN_PACS_AUTH_NONE)
    return NULL;
  if (config->auth == FEN_PACS_AUTH_BEARER)
    return g_strconcat ("Bearer ", secret, NULL);
  /* RFC 7617 2: base64 of user-id ":" password, UTF-8. */
  pair = g_strconcat (config->user != NULL ? config->user : "", ":", secret, NULL);
  encoded = g_base64_encode ((const guchar *) pair, strlen (pair));
  value = g_strconcat ("Basic ", encoded, NULL);
  memset (pair, 0, strlen (pair));
  memset (encoded, 0, strlen (encoded));
  return value;
}
