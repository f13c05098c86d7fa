# SPDX-License-Identifier: GPL-3.0-or-later
# The viewer's end-to-end tests: the real fenestra under Xvfb, driven with
# xdotool, judged from screenshots and the memory log. Included from
# tests/CMakeLists.txt when the GUI is built.
if(TARGET fenestra)
  add_executable(fen-e2e-phantom ${CMAKE_CURRENT_SOURCE_DIR}/e2e/fen-e2e-phantom.c
                                 ${CMAKE_CURRENT_SOURCE_DIR}/fen-test-dicom-writer.c)
  target_include_directories(fen-e2e-phantom PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
  target_compile_options(fen-e2e-phantom PRIVATE ${FEN_C_WARNINGS})
  target_link_libraries(fen-e2e-phantom PRIVATE PkgConfig::GLIB)

  find_program(FEN_XVFB Xvfb)
  find_program(FEN_XDOTOOL xdotool)
  find_program(FEN_IMPORT import)
  if(FEN_XVFB AND FEN_XDOTOOL AND FEN_IMPORT)
    add_test(NAME e2e-viewer
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test-viewer-e2e.sh
              $<TARGET_FILE:fenestra>
              $<TARGET_FILE:fen-e2e-phantom>
              $<TARGET_FILE:fen-make-fixture>
              ${FEN_SCHEMA_DIR}
              ${CMAKE_CURRENT_BINARY_DIR}/e2e-viewer
              $<TARGET_FILE:fenestra-cli>)
    set_tests_properties(e2e-viewer PROPERTIES TIMEOUT 240 RUN_SERIAL TRUE
                         SKIP_RETURN_CODE 77 LABELS "gui;e2e")
    add_test(NAME e2e-adaptive
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test-adaptive-e2e.sh
              $<TARGET_FILE:fenestra>
              $<TARGET_FILE:fen-e2e-phantom>
              ${FEN_SCHEMA_DIR}
              ${CMAKE_CURRENT_BINARY_DIR}/e2e-adaptive)
    set_tests_properties(e2e-adaptive PROPERTIES TIMEOUT 300 RUN_SERIAL TRUE
                         SKIP_RETURN_CODE 77 LABELS "gui;e2e")
    add_test(NAME e2e-compare
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test-compare-e2e.sh
              $<TARGET_FILE:fenestra>
              $<TARGET_FILE:fen-e2e-phantom>
              ${FEN_SCHEMA_DIR}
              ${CMAKE_CURRENT_BINARY_DIR}/e2e-compare)
    set_tests_properties(e2e-compare PROPERTIES TIMEOUT 240 RUN_SERIAL TRUE
                         SKIP_RETURN_CODE 77 LABELS "gui;e2e")
    add_test(NAME e2e-difference
      COMMAND bash ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test-difference-e2e.sh
              $<TARGET_FILE:fenestra>
              $<TARGET_FILE:fen-e2e-phantom>
              ${FEN_SCHEMA_DIR}
              ${CMAKE_CURRENT_BINARY_DIR}/e2e-difference)
    set_tests_properties(e2e-difference PROPERTIES TIMEOUT 240 RUN_SERIAL TRUE
                         SKIP_RETURN_CODE 77 LABELS "gui;e2e")
  else()
    message(STATUS "e2e-viewer test disabled: needs Xvfb, xdotool and ImageMagick's import")
  endif()
endif()
