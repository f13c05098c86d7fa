/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fenestra.h: the whole public API of the core. */
#pragma once

#include "fen-types.h"
#include "fen-image.h"
#include "fen-loader.h"
#include "fen-writer.h"
#include "fen-export.h"
#include "fen-store.h"
#include "fen-lut.h"
#include "fen-render.h"
#include "fen-memory.h"
#include "fen-pyramid.h"
#include "fen-roi.h"
#include "fen-measurement.h"
#include "fen-geometry.h"
#include "fen-volume.h"
#include "fen-series-order.h"
#include "fen-reformat.h"
#include "fen-view.h"
#include "fen-cine.h"
#include "fen-study-index.h"
#include "fen-load-queue.h"
