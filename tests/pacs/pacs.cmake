# SPDX-License-Identifier: GPL-3.0-or-later
# The PACS tests (included from tests/CMakeLists.txt): node parsing on its
# own, then query and retrieve against a real Orthanc that
# test-pacs-orthanc.sh starts on loopback. Orthanc and its DICOMweb plugin
# are found at run time; their absence fails the test, it is never skipped.
set(_fen_pacs ${CMAKE_CURRENT_SOURCE_DIR}/pacs)

add_executable(test-pacs-node ${_fen_pacs}/test-pacs-node.c)
target_compile_options(test-pacs-node PRIVATE ${FEN_C_WARNINGS})
target_link_libraries(test-pacs-node PRIVATE fenestra-net)
add_test(NAME test-pacs-node COMMAND test-pacs-node --tap)
set_tests_properties(test-pacs-node PROPERTIES LABELS "pacs" ENVIRONMENT "G_DEBUG=fatal-criticals")

