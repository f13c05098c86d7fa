// SPDX-License-Identifier: GPL-3.0-or-later
// fen-dicom-frames.cc: the frames of one compressed object decoded on
// several threads, each frame straight into its slot of the one buffer.
// Workers take the next frame from an atomic counter; each owns its
// scratch (indexed by worker), so no pixel and no DCMTK object passes
// between threads. DCMTK's lists are not thread-safe (getItem() moves a
// cursor): callers collect the fragments they need before the workers run.
#define G_LOG_DOMAIN "fen-dicom"

#include "fen-dicom-adapter.h"

namespace {

struct FenDicomFrames {
  const FenDicomFrameFn *fn;
  guint                  frames;
  gint                   next;     // atomic: the next frame to take
  gint                   workers;  // atomic: worker indices handed out
  gint                   failed;   // atomic: stop taking frames
  GMutex                 lock;
  GError                *error;    // under lock: the first failure
};

gpointer
fen_dicom_frames_worker (gpointer data)
{
  auto *run = static_cast<FenDicomFrames *> (data);
  const guint worker = (guint) g_atomic_int_add (&run->workers, 1);

  while (!g_atomic_int_get (&run->failed))
    {
      const gint frame = g_atomic_int_add (&run->next, 1);
      if ((guint) frame >= run->frames)
        break;
      GError *local = nullptr;
      gboolean ok;
      // No exception leaves a thread: DCMTK's new may throw.
      try
        {
          ok = (*run->fn) ((guint) frame, worker, &local);
        }
      catch (const std::exception &e)
        {
          ok = FALSE;
          g_set_error (&local, FEN_IO_ERROR, FEN_IO_ERROR_TOO_LARGE, "frame %d: %s", frame, e.what ());
        }
      if (!ok)
        {
          g_atomic_int_set (&run->failed, 1);
          g_mutex_lock (&run->lock);
          if (run->error == nullptr)
            run->error = local;
          else
            g_clear_error (&local);
          g_mutex_unlock (&run->lock);
        }
    }
  return nullptr;
}

} // namespace

guint
fen_dicom_frame_threads (const FenLoadOptions *options, guint frames)
{
  guint threads = options != nullptr ? options->frame_threads : 0;
  if (threads == 0)
    threads = g_get_num_processors ();
  return CLAMP (threads, 1u, MAX (frames, 1u));
}

gboolean
fen_dicom_decode_frames (guint frames, guint threads, const FenDicomFrameFn &fn, GError **error)
{
  FenDicomFrames run = { &fn, frames, 0, 0, 0, {}, nullptr };
  std::vector<GThread *> extra;

  g_mutex_init (&run.lock);
  threads = CLAMP (threads, 1u, MAX (frames, 1u));
  // The calling thread is one of the workers.
  for (guint t = 1; t < threads; t++)
    extra.push_back (g_thread_new ("fen-frames", fen_dicom_frames_worker, &run));
  fen_dicom_frames_worker (&run);
  for (GThread *thread : extra)
    g_thread_join (thread);
  g_mutex_clear (&run.lock);
  if (run.error != nullptr)
    {
      g_propagate_error (error, run.error);
      return FALSE;
    }
  return TRUE;
}

gboolean
fen_dicom_frame_items (DcmPixelSequence *sequence, guint frames, const char *kind,
                       std::vector<DcmPixelItem *> &items, const char *name, GError **error)
{
  items.assign (frames, nullptr);
  for (guint f = 0; f < frames; f++)
    if (sequence->getItem (items[f], f + 1).bad () || items[f] == nullptr)
      return fen_dicom_fail (error, FEN_IO_ERROR_CORRUPT, name, "%s frame %u unreadable", kind, f);
  return TRUE;
}
