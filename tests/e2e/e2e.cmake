# SPDX-License-Identifier: GPL-3.0-or-later
# The viewer's end-to-end tests: the real fenestra under Xvfb, driven with
# xdotool, judged from screenshots and the memory log. Included from
# tests/CMakeLists.txt when the GUI is built. Always registered: a missing
# tool (Xvfb, xdotool, ImageMagick, tesseract) fails the test, it is never
# skipped (tools/test installs them through tools/deps.sh).
if(TARGET fenestra)
  add_executable(fen-e2e-phantom ${CMAKE_CURRENT_SOURCE_DIR}/e2e/fen-e2e-phantom.c
                                 ${CMAKE_CURRENT_SOURCE_DIR}/fen-test-dicom-writer.c)
  target_include_directories(fen-e2e-phantom PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_options(fen-e2e-phantom PRIVATE ${FEN_C_WARNINGS})
  target_link_libraries(fen-e2e-phantom PRIVATE PkgConfig::GLIB m)

  # fen_add_e2e(NAME TIMEOUT ARG...): e2e-NAME runs tests/e2e/test-NAME-e2e.sh
  # with ARG... (each script's header names them). Serial: every script has
  # its own Xvfb, but its timings and RSS figures want the machine alone.
  function(fen_add_e2e name timeout)
    add_test(NAME e2e-${name}
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test-${name}-e2e.sh ${ARGN})
    set_tests_properties(e2e-${name} PROPERTIES TIMEOUT ${timeout} RUN_SERIAL TRUE LABELS "gui;e2e")
  endfunction()

  set(work ${CMAKE_CURRENT_BINARY_DIR})
  fen_add_e2e(viewer 240 $<TARGET_FILE:fenestra> $<TARGET_FILE:fen-e2e-phantom> $<TARGET_FILE:fen-make-fixture>
                         ${FEN_SCHEMA_DIR} ${work}/e2e-viewer $<TARGET_FILE:fenestra-cli>)
  fen_add_e2e(adaptive 300 $<TARGET_FILE:fenestra> $<TARGET_FILE:fen-e2e-phantom> ${FEN_SCHEMA_DIR} ${work}/e2e-adaptive)
  fen_add_e2e(compare 240 $<TARGET_FILE:fenestra> $<TARGET_FILE:fen-e2e-phantom> ${FEN_SCHEMA_DIR} ${work}/e2e-compare)
  fen_add_e2e(difference 240 $<TARGET_FILE:fenestra> $<TARGET_FILE:fen-e2e-phantom> ${FEN_SCHEMA_DIR} ${work}/e2e-difference)
  fen_add_e2e(reading 240 $<TARGET_FILE:fenestra> $<TARGET_FILE:fen-e2e-phantom> ${FEN_SCHEMA_DIR} ${work}/e2e-reading
                          $<TARGET_FILE:fen-make-sample> $<TARGET_FILE:fen-make-fixture>)
  fen_add_e2e(orientation 120 $<TARGET_FILE:fenestra> ${FEN_SCHEMA_DIR} ${work}/e2e-orientation $<TARGET_FILE:fen-make-sample>)
  # Reference lines and the 3D cursor in a 1x2 of an axial and a coronal series.
  fen_add_e2e(reference 120 $<TARGET_FILE:fenestra> $<TARGET_FILE:fen-e2e-phantom> ${FEN_SCHEMA_DIR} ${work}/e2e-reference)
  # Measurements that stay: region statistics read from the side panel.
  fen_add_e2e(measure 180 $<TARGET_FILE:fenestra> $<TARGET_FILE:fen-e2e-phantom> $<TARGET_FILE:fenestra-cli>
                          ${FEN_SCHEMA_DIR} ${work}/e2e-measure)
  # Open Folder through the file chooser: the one walker (nested, hidden).
  fen_add_e2e(folder 120 $<TARGET_FILE:fenestra> $<TARGET_FILE:fen-e2e-phantom> ${FEN_SCHEMA_DIR} ${work}/e2e-folder)
  # Cine: a 100-slice series at 20 fps, from the log and from the screen.
  fen_add_e2e(cine 120 $<TARGET_FILE:fenestra> $<TARGET_FILE:fen-e2e-phantom> ${FEN_SCHEMA_DIR} ${work}/e2e-cine)
  # MPR: a 256 x 256 x 120 volume with a bone cube (and tilted 20 degrees), crosshair drags and turns, slabs, letters, store delta 0.
  fen_add_e2e(mpr 180 $<TARGET_FILE:fenestra> $<TARGET_FILE:fen-e2e-phantom> ${FEN_SCHEMA_DIR} ${work}/e2e-mpr)
  # Measurements on the MPR planes: a distance across the cube and regions inside it, read by OCR.
  fen_add_e2e(mpr-measure 240 $<TARGET_FILE:fenestra> $<TARGET_FILE:fen-e2e-phantom> ${FEN_SCHEMA_DIR} ${work}/e2e-mpr-measure)
  # The study browser against a real Orthanc (tests/pacs starts it): search,
  # open a 300-slice series, its first slice on screen before the rest.
  fen_add_e2e(pacs-browser 600 $<TARGET_FILE:fenestra> ${FEN_SCHEMA_DIR} ${work}/e2e-pacs-browser
                               $<TARGET_FILE:fen-pacs-fixture> $<TARGET_FILE:fen-pacs-loopback> $<TARGET_FILE:fenestra-cli>)
endif()
