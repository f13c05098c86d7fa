# SPDX-License-Identifier: GPL-3.0-or-later
# fenestra-cli mpr against GDCM's tools (gdcmraw reads, gdcmconv rewrites
# RLE), and its memory on a 512 x 512 x 400 series. Included from
# tests/CMakeLists.txt. The tools come from PATH at run time: tools/deps.sh
# installs libgdcm-tools, and a missing one fails the test, naming it.
add_executable(test-cli-mpr ${CMAKE_CURRENT_LIST_DIR}/test-cli-mpr.c
               ${CMAKE_CURRENT_LIST_DIR}/fen-test-dicom-writer.c)
target_compile_options(test-cli-mpr PRIVATE ${FEN_C_WARNINGS})
target_link_libraries(test-cli-mpr PRIVATE PkgConfig::GLIB PkgConfig::TIFF m)
add_dependencies(test-cli-mpr fenestra-cli)

add_test(NAME test-cli-mpr COMMAND test-cli-mpr --tap -p /cli/mpr/raw-vs-gdcm -p /cli/mpr/refusals
         -p /cli/mpr/enhanced-multiframe)
set_tests_properties(test-cli-mpr PROPERTIES
  ENVIRONMENT "G_DEBUG=fatal-criticals;FEN_CLI=$<TARGET_FILE:fenestra-cli>"
  TIMEOUT 300 LABELS "dicom")
# Peak RSS from outside; not under sanitizers, whose shadow memory it would measure.
if(NOT FEN_SANITIZE)
  add_test(NAME test-cli-mpr-memory COMMAND test-cli-mpr --tap -p /cli/mpr/memory-512x512x400)
  set_tests_properties(test-cli-mpr-memory PROPERTIES
    ENVIRONMENT "FEN_CLI=$<TARGET_FILE:fenestra-cli>"
    TIMEOUT 300 RUN_SERIAL TRUE)
endif()
