# SPDX-License-Identifier: GPL-3.0-or-later
# The reference test: fenestra-cli against DCMTK's dcm2pnm on fixtures that
# fen-make-fixture and DCMTK's converters write at test time (no binary
# fixtures in the tree). Included from tests/CMakeLists.txt.

add_executable(fen-make-fixture ${CMAKE_CURRENT_LIST_DIR}/fen-make-fixture.c)
target_compile_options(fen-make-fixture PRIVATE ${FEN_C_WARNINGS})
target_link_libraries(fen-make-fixture PRIVATE PkgConfig::GLIB m)

add_executable(test-reference ${CMAKE_CURRENT_LIST_DIR}/test-reference.c
                              ${CMAKE_CURRENT_LIST_DIR}/fen-ref-image.c)
target_compile_options(test-reference PRIVATE ${FEN_C_WARNINGS})
target_link_libraries(test-reference PRIVATE PkgConfig::GLIB PkgConfig::PNG m)

# The DCMTK command-line tools come from PATH at run time (tools/deps.sh
# installs them). Without one the test cannot mean anything, so it fails:
# the test is registered whether or not they are found here.
foreach(_fen_ref_tool dump2dcm dcmconv dcmcrle dcmcjpeg dcmcjpls dcm2pnm dcmj2pnm dcml2pnm)
  find_program(FEN_TOOL_${_fen_ref_tool} ${_fen_ref_tool})
  if(NOT FEN_TOOL_${_fen_ref_tool})
    message(WARNING "${_fen_ref_tool} not found: test-reference will fail (install dcmtk)")
  endif()
endforeach()

add_test(NAME test-reference COMMAND test-reference --tap)
set_tests_properties(test-reference PROPERTIES
  ENVIRONMENT "FEN_CLI=$<TARGET_FILE:fenestra-cli>;FEN_MAKE_FIXTURE=$<TARGET_FILE:fen-make-fixture>"
  # About 200 renders by each side on 256x256 images; well under a minute
  # on two cores, so the limit only catches a hang.
  TIMEOUT 300
  LABELS reference)

# The CLI's memory on open, measured from outside (peak RSS of the child).
add_executable(test-cli-memory ${CMAKE_CURRENT_LIST_DIR}/test-cli-memory.c)
target_compile_options(test-cli-memory PRIVATE ${FEN_C_WARNINGS})
target_link_libraries(test-cli-memory PRIVATE PkgConfig::GLIB)
if(NOT FEN_SANITIZE)
  add_test(NAME test-cli-memory COMMAND test-cli-memory --tap)
  set_tests_properties(test-cli-memory PROPERTIES
    ENVIRONMENT "FEN_CLI=$<TARGET_FILE:fenestra-cli>;FEN_MAKE_FIXTURE=$<TARGET_FILE:fen-make-fixture>"
    TIMEOUT 120 RUN_SERIAL TRUE)
endif()
