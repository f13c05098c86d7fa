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

add_executable(fen-pacs-fixture ${_fen_pacs}/fen-pacs-fixture.c ${CMAKE_CURRENT_SOURCE_DIR}/fen-test-dicom-writer.c)
target_include_directories(fen-pacs-fixture PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_compile_options(fen-pacs-fixture PRIVATE ${FEN_C_WARNINGS})
target_link_libraries(fen-pacs-fixture PRIVATE PkgConfig::GLIB)

# Loaded into the system's Orthanc, which has no sanitizer runtime.
add_library(fen-pacs-loopback MODULE ${_fen_pacs}/fen-pacs-loopback.c)
target_compile_options(fen-pacs-loopback PRIVATE -fno-sanitize=all)
target_link_options(fen-pacs-loopback PRIVATE -fno-sanitize=all)
target_link_libraries(fen-pacs-loopback PRIVATE dl)

add_executable(test-pacs ${_fen_pacs}/test-pacs.c ${_fen_pacs}/fen-pacs-test-env.c)
target_include_directories(test-pacs PRIVATE ${_fen_pacs})
target_compile_options(test-pacs PRIVATE ${FEN_C_WARNINGS})
target_link_libraries(test-pacs PRIVATE fenestra-net PkgConfig::JSONGLIB)

add_test(NAME test-pacs-orthanc
  COMMAND bash ${_fen_pacs}/test-pacs-orthanc.sh
          $<TARGET_FILE:fen-pacs-fixture>
          $<TARGET_FILE:fen-pacs-loopback>
          $<TARGET_FILE:test-pacs>
          $<TARGET_FILE:fenestra-cli>
          ${CMAKE_CURRENT_BINARY_DIR}/pacs-orthanc)
# libsoup's own leak of a part's headers (lsan.supp says why) is not ours.
# A suppression matches a frame of the allocation's stack, and GLib's
# g_malloc has no frame pointers: sanitized builds unwind the slow way.
set(_fen_pacs_lsan "LSAN_OPTIONS=suppressions=${_fen_pacs}/lsan.supp:print_suppressions=0;ASAN_OPTIONS=fast_unwind_on_malloc=0")
set_tests_properties(test-pacs-orthanc PROPERTIES TIMEOUT 900 LABELS "pacs"
  ENVIRONMENT "G_DEBUG=fatal-criticals;${_fen_pacs_lsan}")

# DICOMweb against a misbehaving peer served from inside the test.
add_executable(test-pacs-hostile ${_fen_pacs}/test-pacs-hostile.c ${CMAKE_CURRENT_SOURCE_DIR}/fen-test-dicom-writer.c)
target_include_directories(test-pacs-hostile PRIVATE ${CMAKE_CURRENT_SOURCE_DIR})
target_compile_options(test-pacs-hostile PRIVATE ${FEN_C_WARNINGS})
target_link_libraries(test-pacs-hostile PRIVATE fenestra-net)
add_test(NAME test-pacs-hostile COMMAND test-pacs-hostile --tap)
set_tests_properties(test-pacs-hostile PROPERTIES TIMEOUT 300 LABELS "pacs"
  ENVIRONMENT "G_DEBUG=fatal-criticals;no_proxy=127.0.0.1,localhost;NO_PROXY=127.0.0.1,localhost;${_fen_pacs_lsan}")

# Our storage SCP's acceptance rules, with DCMTK's storescu and echoscu as
# the peer (from PATH; tools/deps.sh installs dcmtk).
add_executable(test-pacs-scp ${_fen_pacs}/test-pacs-scp.c ${CMAKE_CURRENT_SOURCE_DIR}/fen-test-dicom-writer.c)
target_include_directories(test-pacs-scp PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/src/net)
target_compile_options(test-pacs-scp PRIVATE ${FEN_C_WARNINGS})
target_link_libraries(test-pacs-scp PRIVATE fenestra-net)
add_test(NAME test-pacs-scp COMMAND test-pacs-scp --tap)
set_tests_properties(test-pacs-scp PROPERTIES TIMEOUT 120 LABELS "pacs" ENVIRONMENT "G_DEBUG=fatal-criticals")

# The on-disk cache of retrieved objects, without a network: LRU, limit,
# holds across processes, a corrupt index, files deleted behind its back.
add_executable(test-pacs-cache ${_fen_pacs}/test-pacs-cache.c ${CMAKE_CURRENT_SOURCE_DIR}/fen-test-dicom-writer.c)
target_include_directories(test-pacs-cache PRIVATE ${CMAKE_CURRENT_SOURCE_DIR} ${PROJECT_SOURCE_DIR}/src/net)
target_compile_options(test-pacs-cache PRIVATE ${FEN_C_WARNINGS})
target_link_libraries(test-pacs-cache PRIVATE fenestra-net)
add_test(NAME test-pacs-cache COMMAND test-pacs-cache --tap)
set_tests_properties(test-pacs-cache PROPERTIES TIMEOUT 120 LABELS "pacs" ENVIRONMENT "G_DEBUG=fatal-criticals")

# Fetching into the store through the cache, against Orthanc as above.
add_executable(test-pacs-fetch ${_fen_pacs}/test-pacs-fetch.c ${_fen_pacs}/fen-pacs-test-env.c)
target_include_directories(test-pacs-fetch PRIVATE ${_fen_pacs})
target_compile_options(test-pacs-fetch PRIVATE ${FEN_C_WARNINGS})
target_link_libraries(test-pacs-fetch PRIVATE fenestra-net)
add_test(NAME test-pacs-fetch
  COMMAND bash ${_fen_pacs}/test-pacs-orthanc.sh
          $<TARGET_FILE:fen-pacs-fixture>
          $<TARGET_FILE:fen-pacs-loopback>
          $<TARGET_FILE:test-pacs-fetch>
          $<TARGET_FILE:fenestra-cli>
          ${CMAKE_CURRENT_BINARY_DIR}/pacs-fetch)
set_tests_properties(test-pacs-fetch PROPERTIES TIMEOUT 900 LABELS "pacs"
  ENVIRONMENT "G_DEBUG=fatal-criticals;${_fen_pacs_lsan}")

# The viewer's PACS parts that need no window: nodes in GSettings, the
# editor's DIMSE address, Authorization values, the keyring unreachable,
# errors in words. Built from the viewer's own sources.
if(TARGET fenestra)
  set(_fen_ui ${PROJECT_SOURCE_DIR}/src/ui)
  add_executable(test-pacs-ui ${_fen_pacs}/test-pacs-ui.c ${_fen_pacs}/fen-test-auth-server.c
    ${_fen_ui}/fen-pacs-node-config.c ${_fen_ui}/fen-pacs-node-editor.c ${_fen_ui}/fen-pacs-secret.c
    ${_fen_ui}/fen-pacs-errors.c ${_fen_ui}/fen-pacs-item.c)
  target_include_directories(test-pacs-ui PRIVATE ${_fen_ui} ${_fen_pacs})
  target_compile_options(test-pacs-ui PRIVATE ${FEN_C_WARNINGS})
  target_link_libraries(test-pacs-ui PRIVATE fenestra-net PkgConfig::GTK PkgConfig::SECRET PkgConfig::SOUP)
  add_dependencies(test-pacs-ui fenestra-schemas)
  add_test(NAME test-pacs-ui COMMAND test-pacs-ui --tap)
  set_tests_properties(test-pacs-ui PROPERTIES LABELS "pacs" TIMEOUT 120
    ENVIRONMENT "G_DEBUG=fatal-criticals;GSETTINGS_SCHEMA_DIR=${FEN_SCHEMA_DIR};GSETTINGS_BACKEND=memory;no_proxy=127.0.0.1,localhost;NO_PROXY=127.0.0.1,localhost")
endif()

# The same secrets with a real Secret Service: test-pacs-keyring.sh starts
# a private bus and gnome-keyring-daemon (its absence fails the test).
if(TARGET fenestra)
  add_executable(test-pacs-keyring ${_fen_pacs}/test-pacs-keyring.c ${_fen_pacs}/fen-test-auth-server.c
    ${_fen_ui}/fen-pacs-node-config.c ${_fen_ui}/fen-pacs-secret.c)
  target_include_directories(test-pacs-keyring PRIVATE ${_fen_ui} ${_fen_pacs})
  target_compile_options(test-pacs-keyring PRIVATE ${FEN_C_WARNINGS})
  target_link_libraries(test-pacs-keyring PRIVATE fenestra-net PkgConfig::GTK PkgConfig::SECRET PkgConfig::SOUP)
  add_dependencies(test-pacs-keyring fenestra-schemas)
  add_test(NAME test-pacs-keyring
    COMMAND bash ${_fen_pacs}/test-pacs-keyring.sh $<TARGET_FILE:test-pacs-keyring>
            ${CMAKE_CURRENT_BINARY_DIR}/pacs-keyring)
  set_tests_properties(test-pacs-keyring PROPERTIES LABELS "pacs" TIMEOUT 120
    ENVIRONMENT "G_DEBUG=fatal-criticals;GSETTINGS_SCHEMA_DIR=${FEN_SCHEMA_DIR};GSETTINGS_BACKEND=memory;no_proxy=127.0.0.1,localhost;NO_PROXY=127.0.0.1,localhost")
endif()
