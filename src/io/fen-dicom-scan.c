/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fen-dicom-scan.c: a bounded pre-parse of a DICOM file. DCMTK 3.6.7 parses
 * sequences recursively (about 10,000 nested sequences overflow the stack)
 * and, in a deflated data set, allocates a value's declared length before it
 * reads it (a 1 KiB file can ask for 4 GiB). This walk reads only element
 * and item headers, keeps its own small stack instead of recursing, and
 * stops those files before DCMTK sees them. Encodings follow PS3.5 7.1
 * (element headers), 7.5 (items and delimiters), A.4 (encapsulated pixel
 * data) and A.5 (deflate). */
#define G_LOG_DOMAIN "fen-dicom-scan"

#include "fen-dicom-scan.h"

#include <gio/gio.h>
#include <stdio.h>
#include <string.h>

#include "fenestra/fen-types.h"

#define FEN_SCAN_UNDEFINED G_MAXUINT64
#define FEN_SCAN_ITEM 0xe000u
#define FEN_SCAN_ITEM_END 0xe00du
#define FEN_SCAN_SEQ_END 0xe0ddu

typedef enum {
  FEN_SCAN_DATASET, /* the top level or an item: elements */
  FEN_SCAN_SEQUENCE, /* items */
  FEN_SCAN_FRAGMENTS, /* encapsulated pixel data: items of raw bytes */
} FenScanKind;

typedef struct {
  FenScanKind kind;
  guint64     end;          /* absolute stream position, or FEN_SCAN_UNDEFINED */
  gboolean    explicit_vr;
  gboolean    big_endian;
  guint32     tag;          /* a sequence's own tag, group << 16 | element */
} FenScanFrame;

typedef struct {
  GInputStream *in;         /* buffered */
  guint64       pos;        /* bytes consumed, counted from the data set start */
  gboolean      inflated;   /* lengths are not bounded by the file size */
  gboolean      broken;     /* a read failed (damaged deflate), not a clean end */
  const char   *name;
} FenScanReader;

/* Reads up to @n bytes; fewer only at the end of the stream. */
static gsize
fen_scan_read (FenScanReader *r, void *buf, gsize n)
{
  gsize got = 0;

  if (!g_input_stream_read_all (r->in, buf, n, &got, NULL, NULL))
    r->broken = TRUE;
  r->pos += got;
  return got;
}

static guint64
fen_scan_skip (FenScanReader *r, guint64 n)
{
  guint64 done = 0;

  if (r->inflated)
    {
      /* Read and drop: GConverterInputStream inherits GFilterInputStream's
       * skip(), which skips the *compressed* base stream (GLib 2.74), so a
       * long value would seem to end early and a valid file be refused. */
      guint8 sink[16384];
      while (done < n)
        {
          gsize got = fen_scan_read (r, sink, (gsize) MIN (n - done, (guint64) sizeof sink));
          if (got == 0)
            break;
          done += got;
        }
      return done;
    }
  while (done < n)
    {
      gssize step = g_input_stream_skip (r->in, (gsize) MIN (n - done, (guint64) 1 << 30),
                                         NULL, NULL);
      if (step < 0)
        r->broken = TRUE;
      if (step <= 0)
        break;
      done += (guint64) step;
    }
  r->pos += done;
  return done;
}

/* The first 4 bytes of what comes next, without consuming them. */
static gboolean
fen_scan_peek4 (FenScanReader *r, guint8 out[4])
{
  GBufferedInputStream *buffered = G_BUFFERED_INPUT_STREAM (r->in);

  while (g_buffered_input_stream_get_available (buffered) < 4)
    if (g_buffered_input_stream_fill (buffered, 4, NULL, NULL) <= 0)
      return FALSE;
  return g_buffered_input_stream_peek (buffered, out, 0, 4) == 4;
}

static guint16
fen_scan_u16 (const guint8 *p, gboolean big)
{
  return big ? (guint16) (p[0] << 8 | p[1]) : (guint16) (p[1] << 8 | p[0]);
}

static guint32
fen_scan_u32 (const guint8 *p, gboolean big)
{
  return big ? (guint32) p[0] << 24 | (guint32) p[1] << 16 | (guint32) p[2] << 8 | p[3]
             : (guint32) p[3] << 24 | (guint32) p[2] << 16 | (guint32) p[1] << 8 | p[0];
}

static gboolean
fen_scan_is_vr (const guint8 *p)
{
  return p[0] >= 'A' && p[0] <= 'Z' && p[1] >= 'A' && p[1] <= 'Z';
}

/* PS3.5 7.1.2: these VRs have two reserved bytes and a 32-bit length. */
static gboolean
fen_scan_vr_has_long_length (const guint8 *vr)
{
  static const char *const long_vrs[] = {
    "OB", "OD", "OF", "OL", "OV", "OW", "SQ", "SV", "UC", "UN", "UR", "UT", "UV",
  };
  for (gsize i = 0; i < G_N_ELEMENTS (long_vrs); i++)
    if (memcmp (vr, long_vrs[i], 2) == 0)
      return TRUE;
  return FALSE;
}

/* The meta header (PS3.10 7.1) is explicit VR little endian group 0002.
 * Returns the offset of the data set and the transfer syntax UID. */
static void
fen_scan_meta (FILE *fp, guint64 *data_start, char *uid, gsize uid_size, gboolean *consistent,
               guint64 *declared_end)
{
  guint64 pos = 132, group_length = G_MAXUINT64, after_length = 0;

  uid[0] = '\0';
  for (;;)
    {
      guint8 h[12];
      guint64 len;

      if (fseeko (fp, (off_t) pos, SEEK_SET) != 0 || fread (h, 1, 8, fp) != 8 ||
          fen_scan_u16 (h, FALSE) != 0x0002 || !fen_scan_is_vr (h + 4))
        break;
      if (fen_scan_vr_has_long_length (h + 4))
        {
          if (fread (h + 8, 1, 4, fp) != 4)
            break;
          len = fen_scan_u32 (h + 8, FALSE);
          pos += 12;
        }
      else
        {
          len = fen_scan_u16 (h + 6, FALSE);
          pos += 8;
        }
      if (len == 0xffffffffu)
        break;
      /* (0002,0000) File Meta Information Group Length: kept to compare. */
      if (fen_scan_u16 (h + 2, FALSE) == 0x0000 && len == 4)
        {
          guint8 v[4];
          if (fread (v, 1, 4, fp) != 4)
            break;
          group_length = fen_scan_u32 (v, FALSE);
          after_length = pos + 4;
        }
      if (fen_scan_u16 (h + 2, FALSE) == 0x0010 && len < uid_size)
        {
          if (fread (uid, 1, (size_t) len, fp) != len)
            break;
          uid[len] = '\0';
          g_strchomp (uid);
        }
      pos += len;
    }
  *data_start = pos;
  /* PS3.10 7.1: the group length counts the meta elements after it. DCMTK
   * reads a header whose length disagrees in its own way. */
  *consistent = group_length == G_MAXUINT64 || after_length + group_length == pos;
  *declared_end = group_length == G_MAXUINT64 ? pos : after_length + group_length;
}

/* Whether the deflated transfer syntax's UID stands in [from, to). */
static gboolean
fen_scan_range_names_deflate (FILE *fp, guint64 from, guint64 to)
{
  static const char deflate_uid[] = "1.2.840.10008.1.2.1.99";
  guint8 buf[4096];
  gsize n;

  to = MIN (to, from + sizeof buf);
  if (to <= from || fseeko (fp, (off_t) from, SEEK_SET) != 0)
    return FALSE;
  n = fread (buf, 1, (size_t) (to - from), fp);
  return memmem (buf, n, deflate_uid, sizeof deflate_uid - 1) != NULL;
}

/* Whether the bytes of tag (0004,1220), Directory Record Sequence, stand
 * anywhere in the file, little or big endian. Only asked of files the walk
 * could not follow, so a valid image whose pixels hold them never is. */
static gboolean
fen_scan_has_records_tag (const char *path)
{
  static const guint8 le[4] = { 0x04, 0x00, 0x20, 0x12 }, be[4] = { 0x00, 0x04, 0x12, 0x20 };
  guint8 buf[65536 + 3];
  gsize carry = 0, n;
  gboolean found = FALSE;
  FILE *fp = fopen (path, "rb");

  if (fp == NULL)
    return FALSE;
  while (!found && (n = fread (buf + carry, 1, sizeof buf - carry, fp)) > 0)
    {
      const gsize len = carry + n;
      for (gsize i = 0; i + 4 <= len && !found; i++)
        found = memcmp (buf + i, le, 4) == 0 || memcmp (buf + i, be, 4) == 0;
      /* Keep the last three bytes: a tag may straddle two reads. */
      carry = MIN (len, (gsize) 3);
      memmove (buf, buf + len - carry, carry);
    }
  fclose (fp);
  return found;
}

/* PS3.3 F.3: Directory Record Sequence (0004,1220), and in each of its
 * records Referenced File ID (0004,1500). */
#define FEN_SCAN_RECORDS 0x00041220u
#define FEN_SCAN_FILE_ID_GROUP 0x0004
#define FEN_SCAN_FILE_ID_ELEMENT 0x1500
#define FEN_SCAN_MAX_FILE_ID 1024

gboolean
fen_dicom_scan_full (const char *path,
                     const char *name,
                     gboolean    has_meta,
                     guint       max_depth,
                     GPtrArray  *file_ids,
                     gboolean   *has_records,
                     GError    **error)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileInputStream) raw = NULL;
  g_autoptr(GInputStream) source = NULL;
  g_autoptr(GInputStream) buffered = NULL;
  g_autofree FenScanFrame *stack = NULL;
  char uid[72];
  guint64 start = 0, meta_declared_end = 0;
  gboolean meta_consistent = TRUE, deflated = FALSE, explicit_vr = TRUE, big = FALSE;
  guint top = 0, depth = 0, stack_size = 2 * max_depth + 4;
  FenScanReader r = { 0 };
  FILE *fp;

  fp = fopen (path, "rb");
  if (fp == NULL)
    return TRUE; /* the loader reports what cannot be opened */
  uid[0] = '\0';
  if (has_meta)
    fen_scan_meta (fp, &start, uid, sizeof uid, &meta_consistent, &meta_declared_end);
  /* A meta header the walk leaves early (an element of another group inside
   * the declared group length) but that names the deflated syntax further
   * on: DCMTK may still inflate the data set, from where the walk cannot
   * tell, and allocate a declared length before reading it (fuzz-dicom:
   * 3.4 GB from a 570-byte file). */
  if (has_meta && !meta_consistent && strcmp (uid, "1.2.840.10008.1.2.1.99") != 0 &&
      fen_scan_range_names_deflate (fp, start, meta_declared_end))
    {
      fclose (fp);
      g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
                   "%s: the file meta information cannot be followed and names the deflated "
                   "transfer syntax", name);
      return FALSE;
    }
  if (has_meta && uid[0] != '\0')
    {
      explicit_vr = strcmp (uid, "1.2.840.10008.1.2") != 0;
      big = strcmp (uid, "1.2.840.10008.1.2.2") == 0;
      deflated = strcmp (uid, "1.2.840.10008.1.2.1.99") == 0;
    }
  else
    {
      /* No syntax named: guess from the first element's header as DCMTK
       * does: a VR after the tag means explicit; a small group number
       * read little endian means little endian. */
      guint8 h[6];
      if (fseeko (fp, (off_t) start, SEEK_SET) == 0 && fread (h, 1, sizeof h, fp) == sizeof h)
        {
          explicit_vr = fen_scan_is_vr (h + 4);
          big = explicit_vr && fen_scan_u16 (h, FALSE) > 0xff && fen_scan_u16 (h, TRUE) <= 0xff;
        }
    }
  fclose (fp);
  /* A meta header whose group length disagrees with its elements is read
   * differently by DCMTK: if the file holds directory records, DCMTK may
   * find them where the walk does not look. */
  if (!meta_consistent && fen_scan_has_records_tag (path))
    goto damaged_dicomdir;

  raw = g_file_read (file, NULL, NULL);
  if (raw == NULL || !g_seekable_seek (G_SEEKABLE (raw), (goffset) start, G_SEEK_SET, NULL, NULL))
    return TRUE;
  if (deflated)
    {
      /* PS3.5 A.5: the data set after the meta header is raw deflate. */
      g_autoptr(GZlibDecompressor) inflater = g_zlib_decompressor_new (G_ZLIB_COMPRESSOR_FORMAT_RAW);
      source = g_converter_input_stream_new (G_INPUT_STREAM (raw), G_CONVERTER (inflater));
    }
  else
    source = g_object_ref (G_INPUT_STREAM (raw));
  buffered = g_buffered_input_stream_new_sized (source, 64 * 1024);
  r.in = buffered;
  r.inflated = deflated;
  r.name = name;

  stack = g_new (FenScanFrame, stack_size);
  stack[0] = (FenScanFrame) { FEN_SCAN_DATASET, FEN_SCAN_UNDEFINED, explicit_vr, big, 0 };
  if (has_records != NULL)
    *has_records = FALSE;

  for (;;)
    {
      FenScanFrame *frame;
      guint8 h[12];
      guint16 group, element;
      guint64 len;

      /* Leave every defined-length sequence or item that is complete. */
      while (top > 0 && stack[top].end != FEN_SCAN_UNDEFINED && r.pos >= stack[top].end)
        {
          if (stack[top].kind == FEN_SCAN_SEQUENCE)
            depth--;
          top--;
        }
      frame = &stack[top];
      if (fen_scan_read (&r, h, 8) < 8)
        goto stream_end; /* the end, or a cut */
      group = fen_scan_u16 (h, frame->big_endian);
      element = fen_scan_u16 (h + 2, frame->big_endian);

      if (group == 0xfffe)
        {
          /* Items and delimiters: tag and 32-bit length, never a VR. */
          len = fen_scan_u32 (h + 4, frame->big_endian);
          if (frame->kind == FEN_SCAN_DATASET && element == FEN_SCAN_ITEM_END && top > 0 &&
              frame->end == FEN_SCAN_UNDEFINED)
            top--;
          else if (frame->kind != FEN_SCAN_DATASET && element == FEN_SCAN_SEQ_END)
            {
              if (frame->kind == FEN_SCAN_SEQUENCE)
                depth--;
              top--;
            }
          else if (frame->kind == FEN_SCAN_FRAGMENTS && element == FEN_SCAN_ITEM &&
                   len != 0xffffffffu)
            {
              if (fen_scan_skip (&r, len) < len)
                goto stream_end;
            }
          else if (frame->kind == FEN_SCAN_SEQUENCE && element == FEN_SCAN_ITEM)
            {
              if (top + 1 >= stack_size)
                goto too_deep;
              stack[top + 1] = (FenScanFrame) {
                FEN_SCAN_DATASET, len == 0xffffffffu ? FEN_SCAN_UNDEFINED : r.pos + len,
                frame->explicit_vr, frame->big_endian, 0 };
              top++;
            }
          else
            goto off_standard; /* not what the standard allows here */
          continue;
        }
      if (frame->kind != FEN_SCAN_DATASET)
        goto off_standard;

      gboolean is_sequence = FALSE, content_implicit = !frame->explicit_vr;
      if (frame->explicit_vr && fen_scan_is_vr (h + 4))
        {
          if (fen_scan_vr_has_long_length (h + 4))
            {
              if (fen_scan_read (&r, h + 8, 4) < 4)
                goto stream_end;
              len = fen_scan_u32 (h + 8, frame->big_endian);
            }
          else
            len = fen_scan_u16 (h + 6, frame->big_endian);
          is_sequence = memcmp (h + 4, "SQ", 2) == 0;
          /* PS3.5 6.2.2: UN of undefined length holds implicit VR items. */
          content_implicit = memcmp (h + 4, "UN", 2) == 0;
          /* A defined-length UN that starts with an item is a sequence
           * DCMTK parses (recursively) once it knows the tag's real VR. */
          if (content_implicit && len != 0xffffffffu && len >= 8)
            {
              guint8 peek[4];
              is_sequence = fen_scan_peek4 (&r, peek) && fen_scan_u16 (peek, FALSE) == 0xfffe &&
                            fen_scan_u16 (peek + 2, FALSE) == FEN_SCAN_ITEM;
            }
        }
      else
        {
          /* Implicit VR, or an implicit element inside an explicit data
           * set, which DCMTK is told to accept. */
          len = fen_scan_u32 (h + 4, frame->big_endian);
          content_implicit = TRUE;
          if (len != 0xffffffffu && len >= 8)
            {
              guint8 peek[4];
              /* A defined-length sequence is known by its first item. */
              is_sequence = fen_scan_peek4 (&r, peek) &&
                            fen_scan_u16 (peek, frame->big_endian) == 0xfffe &&
                            fen_scan_u16 (peek + 2, frame->big_endian) == FEN_SCAN_ITEM;
            }
        }

      if (len == 0xffffffffu || is_sequence)
        {
          const gboolean fragments = len == 0xffffffffu && group == 0x7fe0 && element == 0x0010;
          if (top + 1 >= stack_size)
            goto too_deep;
          if (!fragments && ++depth > max_depth)
            goto too_deep;
          stack[top + 1] = (FenScanFrame) {
            fragments ? FEN_SCAN_FRAGMENTS : FEN_SCAN_SEQUENCE,
            len == 0xffffffffu ? FEN_SCAN_UNDEFINED : r.pos + len,
            !content_implicit && frame->explicit_vr,
            content_implicit ? FALSE : frame->big_endian,
            (guint32) group << 16 | element };
          top++;
          if (top == 1 && stack[1].tag == FEN_SCAN_RECORDS && has_records != NULL)
            *has_records = TRUE;
          continue;
        }
      /* A record's Referenced File ID: the top-level sequence, one item in. */
      if (file_ids != NULL && top == 2 && stack[1].tag == FEN_SCAN_RECORDS &&
          group == FEN_SCAN_FILE_ID_GROUP && element == FEN_SCAN_FILE_ID_ELEMENT &&
          len > 0 && len <= FEN_SCAN_MAX_FILE_ID)
        {
          char value[FEN_SCAN_MAX_FILE_ID + 1];
          if (fen_scan_read (&r, value, len) < len)
            goto stream_end;
          value[len] = '\0';
          /* CS pads with spaces; some writers pad with NUL. */
          g_strchomp (value);
          g_ptr_array_add (file_ids, g_strdup (value));
          continue;
        }
      if (fen_scan_skip (&r, len) < len)
        {
          if (r.inflated)
            {
              g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_TRUNCATED,
                           "%s: the deflated data set ends inside element (%04X,%04X), "
                           "which declares %" G_GUINT64_FORMAT " bytes", name, group, element, len);
              return FALSE;
            }
          return TRUE;
        }
    }

stream_end:
  /* The data set ended, or a read failed. A plain file's cut is DCMTK's to
   * report (unless it hides directory records, below); a deflated stream
   * that fails to inflate is refused here, since DCMTK, reading in smaller
   * pieces, could get a header further and then allocate its declared
   * length. */
  if (!r.inflated && top > 0 && fen_scan_has_records_tag (path))
    goto damaged_dicomdir;
  if (!(r.inflated && r.broken))
    return TRUE;
  g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
               "%s: the deflated data set is damaged", name);
  return FALSE;

off_standard:
  /* Outside PS3.5's structure the walk cannot follow the file. In a plain
   * file DCMTK decides (its lengths are bounded by the file size); in a
   * deflated one it would allocate whatever length comes next before
   * reading it (fuzzing found 3.4 GB from a 705-byte file), so refuse. */
  if (!r.inflated && !fen_scan_has_records_tag (path))
    return TRUE;
  if (!r.inflated)
    goto damaged_dicomdir;
  g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
               "%s: the deflated data set leaves the DICOM element structure", name);
  return FALSE;

damaged_dicomdir:
  /* DCMTK 3.6.7 leaks the records of a malformed Directory Record Sequence
   * wherever it meets one, its meta header included when it reads that
   * differently from the walk (fuzz-dicom). A file the walk cannot follow
   * that holds the sequence's tag is a damaged DICOMDIR: not for DCMTK. */
  g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
               "%s: a damaged DICOMDIR (its structure cannot be followed)", name);
  return FALSE;

too_deep:
  g_set_error (error, FEN_IO_ERROR, FEN_IO_ERROR_CORRUPT,
               "%s: sequences nested deeper than %u levels", name, max_depth);
  return FALSE;
}
