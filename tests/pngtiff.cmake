# SPDX-License-Identifier: GPL-3.0-or-later
# PNG and TIFF loaders and writers. Fixtures are written at test time, by our
# writers and by libpng/libtiff directly. Included from tests/CMakeLists.txt.

add_executable(test-png-tiff ${CMAKE_CURRENT_LIST_DIR}/test-png-tiff.c)
target_compile_options(test-png-tiff PRIVATE ${FEN_C_WARNINGS})
target_link_libraries(test-png-tiff PRIVATE fenestra-io fenestra-core PkgConfig::PNG PkgConfig::TIFF)
add_test(NAME test-png-tiff COMMAND test-png-tiff --tap)
set_tests_properties(test-png-tiff PROPERTIES
  ENVIRONMENT "G_DEBUG=fatal-criticals"
  # A few seconds normally; minutes under the sanitizers.
  TIMEOUT 600)
