/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-ref-image.c: PNG and PNM readers for test-reference (fen-ref-image.h). */
#define G_LOG_DOMAIN "fen-test-reference"

#include "fen-ref-image.h"

#include <png.h>
#include <stdio.h>
#include <string.h>

void
fen_ref_image_clear (FenRefImage *image)
{
  g_clear_pointer (&image->pixels, g_free);
}

/* Reads an 8-bit gray or RGB PNG as stored: no gamma or colour conversion,
 * so that what is compared is exactly what Fenestra wrote. Any other bit
 * depth or colour type is an error, because the CLI promises 8-bit output. */
gboolean
fen_ref_read_png (const char *path, FenRefImage *image, GError **error)
{
  FILE *fp = fopen (path, "rb");
  png_structp png = NULL;
  png_infop info = NULL;
  /* Written after setjmp, read after a longjmp: must be volatile. */
  guint8 *volatile pixels = NULL;
  png_bytep *volatile rows = NULL;
  png_uint_32 width, height;
  int depth, color_type, interlace;
  gsize stride;
  guint channels;

  if (fp == NULL)
    {
      int saved = errno;

      g_set_error (error, G_FILE_ERROR, g_file_error_from_errno (saved),
                   "%s: %s", path, g_strerror (saved));
      return FALSE;
    }
  png = png_create_read_struct (PNG_LIBPNG_VER_STRING, NULL, NULL, NULL);
  info = png != NULL ? png_create_info_struct (png) : NULL;
  if (info == NULL)
    {
      png_destroy_read_struct (&png, NULL, NULL);
      fclose (fp);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_NOMEM, "%s: libpng setup failed", path);
      return FALSE;
    }
  if (setjmp (png_jmpbuf (png)))
    {
      png_destroy_read_struct (&png, &info, NULL);
      fclose (fp);
      g_free (pixels);
      g_free (rows);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL, "%s: not a readable PNG", path);
      return FALSE;
    }

  png_init_io (png, fp);
  png_read_info (png, info);
  png_get_IHDR (png, info, &width, &height, &depth, &color_type, &interlace, NULL, NULL);
  if (depth != 8 || (color_type != PNG_COLOR_TYPE_GRAY && color_type != PNG_COLOR_TYPE_RGB))
    {
      png_destroy_read_struct (&png, &info, NULL);
      fclose (fp);
      g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
                   "%s: PNG is %d-bit colour type %d, not 8-bit gray or RGB",
                   path, depth, color_type);
      return FALSE;
    }
  if (interlace != PNG_INTERLACE_NONE)
    png_set_interlace_handling (png);
  png_read_update_info (png, info);

  channels = color_type == PNG_COLOR_TYPE_RGB ? 3 : 1;
  stride = (gsize) width * channels;
  pixels = g_malloc ((gsize) height * stride);
  rows = g_new (png_bytep, height);
  for (png_uint_32 y = 0; y < height; y++)
    rows[y] = pixels + y * stride;
  png_read_image (png, rows);
  png_read_end (png, NULL);

  png_destroy_read_struct (&png, &info, NULL);
  fclose (fp);
  g_free (rows);

  image->width = width;
  image->height = height;
  image->channels = channels;
  image->pixels = pixels;
  return TRUE;
}

/* One header field of a binary PNM: skips blanks and '#' comments. */
static gboolean
fen_ref_pnm_field (const guint8 **p, const guint8 *end, guint *value)
{
  guint64 v = 0;
  gboolean digits = FALSE;

  while (*p < end)
    {
      if (**p == '#')
        while (*p < end && **p != '\n')
          (*p)++;
      else if (g_ascii_isspace (**p))
        (*p)++;
      else
        break;
    }
  while (*p < end && g_ascii_isdigit (**p) && v < G_MAXUINT)
    {
      v = v * 10 + (guint) (**p - '0');
      (*p)++;
      digits = TRUE;
    }
  *value = (guint) v;
  return digits && v <= G_MAXUINT;
}

/* Reads the raw PGM (P5) or PPM (P6) that dcm2pnm +op writes. */
gboolean
fen_ref_read_pnm (const char *path, FenRefImage *image, GError **error)
{
  g_autofree char *data = NULL;
  gsize len = 0;
  const guint8 *p, *end;
  guint width, height, maxval, channels;
  gsize size;

  if (!g_file_get_contents (path, &data, &len, error))
    return FALSE;
  p = (const guint8 *) data;
  end = p + len;
  if (len < 2 || p[0] != 'P' || (p[1] != '5' && p[1] != '6'))
    goto bad;
  channels = p[1] == '6' ? 3 : 1;
  p += 2;
  if (!fen_ref_pnm_field (&p, end, &width) || !fen_ref_pnm_field (&p, end, &height)
      || !fen_ref_pnm_field (&p, end, &maxval) || maxval != 255)
    goto bad;
  /* Exactly one blank separates the header from the samples. */
  if (p >= end || !g_ascii_isspace (*p))
    goto bad;
  p++;
  size = (gsize) width * height * channels;
  if (width == 0 || height == 0 || (gsize) (end - p) < size)
    goto bad;

  image->width = width;
  image->height = height;
  image->channels = channels;
  image->pixels = g_memdup2 (p, size);
  return TRUE;

bad:
  g_set_error (error, G_FILE_ERROR, G_FILE_ERROR_INVAL,
               "%s: not an 8-bit binary PGM/PPM", path);
  return FALSE;
}
