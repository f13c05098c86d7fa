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
  target_link_libraries(fen-e2e-phantom PRIVATE PkgConfig::GLIB)

  add_test(NAME e2e-viewer
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test-viewer-e2e.sh
            $<TARGET_FILE:fenestra>
            $<TARGET_FILE:fen-e2e-phantom>
            $<TARGET_FILE:fen-make-fixture>
            ${FEN_SCHEMA_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/e2e-viewer
            $<TARGET_FILE:fenestra-cli>)
  set_tests_properties(e2e-viewer PROPERTIES TIMEOUT 240 RUN_SERIAL TRUE LABELS "gui;e2e")
  add_test(NAME e2e-adaptive
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test-adaptive-e2e.sh
            $<TARGET_FILE:fenestra>
            $<TARGET_FILE:fen-e2e-phantom>
            ${FEN_SCHEMA_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/e2e-adaptive)
  set_tests_properties(e2e-adaptive PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE LABELS "gui;e2e")
  add_test(NAME e2e-compare
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test-compare-e2e.sh
            $<TARGET_FILE:fenestra>
            $<TARGET_FILE:fen-e2e-phantom>
            ${FEN_SCHEMA_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/e2e-compare)
  set_tests_properties(e2e-compare PROPERTIES TIMEOUT 240 RUN_SERIAL TRUE LABELS "gui;e2e")
  add_test(NAME e2e-difference
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test-difference-e2e.sh
            $<TARGET_FILE:fenestra>
            $<TARGET_FILE:fen-e2e-phantom>
            ${FEN_SCHEMA_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/e2e-difference)
  set_tests_properties(e2e-difference PROPERTIES TIMEOUT 240 RUN_SERIAL TRUE LABELS "gui;e2e")
  add_test(NAME e2e-reading
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test-reading-e2e.sh
            $<TARGET_FILE:fenestra>
            $<TARGET_FILE:fen-e2e-phantom>
            ${FEN_SCHEMA_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/e2e-reading
            $<TARGET_FILE:fen-make-sample>
            $<TARGET_FILE:fen-make-fixture>)
  set_tests_properties(e2e-reading PROPERTIES TIMEOUT 240 RUN_SERIAL TRUE LABELS "gui;e2e")
  add_test(NAME e2e-orientation
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test-orientation-e2e.sh
            $<TARGET_FILE:fenestra>
            ${FEN_SCHEMA_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/e2e-orientation
            $<TARGET_FILE:fen-make-sample>)
  set_tests_properties(e2e-orientation PROPERTIES TIMEOUT 120 RUN_SERIAL TRUE LABELS "gui;e2e")
  # Open Folder through the file chooser: the one walker (nested, hidden).
  add_test(NAME e2e-folder
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test-folder-e2e.sh
            $<TARGET_FILE:fenestra>
            $<TARGET_FILE:fen-e2e-phantom>
            ${FEN_SCHEMA_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/e2e-folder)
  set_tests_properties(e2e-folder PROPERTIES TIMEOUT 120 RUN_SERIAL TRUE LABELS "gui;e2e")
  # Cine: a 100-slice series at 20 fps, from the log and from the screen.
  add_test(NAME e2e-cine
    COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test-cine-e2e.sh
            $<TARGET_FILE:fenestra>
            $<TARGET_FILE:fen-e2e-phantom>
            ${FEN_SCHEMA_DIR}
            ${CMAKE_CURRENT_BINARY_DIR}/e2e-cine)
  set_tests_properties(e2e-cine PROPERTIES TIMEOUT 120 RUN_SERIAL TRUE LABELS "gui;e2e")
endif()
