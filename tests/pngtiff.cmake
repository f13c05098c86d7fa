# SPDX-License-Identifier: GPL-3.0-or-later
# PNG and TIFF loaders and writers. Fixtures are written at test time, by our
# writers and by libpng/libtiff directly (fen-test-raster.c). Included from
# tests/CMakeLists.txt.

foreach(name test-png-tiff test-png-tiff-robust)
  add_executable(${name} ${CMAKE_CURRENT_LIST_DIR}/${name}.c ${CMAKE_CURRENT_LIST_DIR}/fen-test-raster.c)
  target_compile_options(${name} PRIVATE ${FEN_C_WARNINGS})
  target_link_libraries(${name} PRIVATE fenestra-io fenestra-core PkgConfig::PNG PkgConfig::TIFF)
  add_test(NAME ${name} COMMAND ${name} --tap)
  set_tests_properties(${name} PROPERTIES
    ENVIRONMENT "G_DEBUG=fatal-criticals"
    # A few seconds normally; minutes under the sanitizers.
    TIMEOUT 600)
endforeach()
