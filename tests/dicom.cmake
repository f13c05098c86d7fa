# SPDX-License-Identifier: GPL-3.0-or-later
# The DICOM loader's tests (included from tests/CMakeLists.txt). Fixtures are
# written at test time; the transfer-syntax cases run DCMTK's command-line
# tools (dcmconv, dcmcrle, dcmcjpeg, dcmcjpls) and skip when they are absent.
# fenestra-io carries fenestra-core with it (PUBLIC link).
fen_add_test(test-dicom fenestra-io fen-test-dicom-writer.c)
set_tests_properties(test-dicom PROPERTIES TIMEOUT 600 LABELS "dicom")

# DCMTK 3.6.7's known traps and the fuzzers' regression inputs (fuzz/regressions).
fen_add_test(test-dicom-traps fenestra-io fen-test-dicom-writer.c fen-test-spawn.c)
set_tests_properties(test-dicom-traps PROPERTIES TIMEOUT 600 LABELS "dicom"
  ENVIRONMENT "G_DEBUG=fatal-criticals;FEN_FUZZ_REGRESSIONS=${PROJECT_SOURCE_DIR}/fuzz/regressions;ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:max_allocation_size_mb=1024")

# Layouts and value transforms converted at load time, against dcm2pnm.
fen_add_test(test-dicom-formats fenestra-io fen-test-dicom-writer.c)
set_tests_properties(test-dicom-formats PROPERTIES TIMEOUT 300 LABELS "dicom"
  ENVIRONMENT "G_DEBUG=fatal-criticals;FEN_CLI=$<TARGET_FILE:fenestra-cli>")

# Folders and DICOMDIRs as patients, studies and series (dcmmkdir at test time).
fen_add_test(test-study-index fenestra-io fen-test-dicom-writer.c)
set_tests_properties(test-study-index PROPERTIES TIMEOUT 120 LABELS "dicom")

# Text: PS3.5's character set examples byte for byte, through every path a
# user reads them (info, tag tree, study index, fenestra-cli info).
fen_add_test(test-charset fenestra-io fen-test-dicom-writer.c fen-test-spawn.c)
set_tests_properties(test-charset PROPERTIES TIMEOUT 120 LABELS "dicom"
  ENVIRONMENT "G_DEBUG=fatal-criticals;FEN_CLI=$<TARGET_FILE:fenestra-cli>")

# Files DCMTK did not write: GDCM's writer and encoders, TIFF preambles,
# large deflated data sets, broken JPEG 2000 SIZ markers; the sample study
# through dciodvfy (dicom3tools).
fen_add_test(test-dicom-world fenestra-io fen-test-dicom-writer.c fen-test-spawn.c)
target_compile_definitions(test-dicom-world PRIVATE
  FEN_TEST_CLI="$<TARGET_FILE:fenestra-cli>"
  FEN_TEST_MAKE_SAMPLE="$<TARGET_FILE:fen-make-sample>")
add_dependencies(test-dicom-world fenestra-cli fen-make-sample)
set_tests_properties(test-dicom-world PROPERTIES TIMEOUT 300 LABELS "dicom")

# The streaming RLE decoder, and RLE files whole, cut and damaged.
fen_add_test(test-rle fenestra-io fen-test-spawn.c)
target_include_directories(test-rle PRIVATE ${PROJECT_SOURCE_DIR}/src/io)
set_tests_properties(test-rle PROPERTIES TIMEOUT 120 LABELS "dicom")

# Compressed multi-frame objects (dcmcrle, dcmcjpeg, dcmcjpls, gdcmconv):
# frames decoded on 1 to 8 threads give the values written; cut files fail.
fen_add_test(test-dicom-frames fenestra-io fen-test-dicom-writer.c fen-test-spawn.c)
set_tests_properties(test-dicom-frames PROPERTIES TIMEOUT 300 LABELS "dicom"
  ENVIRONMENT "G_DEBUG=fatal-criticals")

# fenestra-cli measure against an exact integer reference on a GDCM-written,
# dcmodify-rescaled image.
fen_add_test(test-measure fenestra-core fen-test-spawn.c)
target_link_libraries(test-measure PRIVATE m)
target_compile_definitions(test-measure PRIVATE FEN_TEST_CLI="$<TARGET_FILE:fenestra-cli>")
add_dependencies(test-measure fenestra-cli)
set_tests_properties(test-measure PROPERTIES TIMEOUT 120 LABELS "dicom")

# A series loaded on 1 to 4 threads, viewing order, cancel.
fen_add_test(test-load-queue fenestra-io fen-test-dicom-writer.c)
set_tests_properties(test-load-queue PROPERTIES TIMEOUT 120 LABELS "dicom")

# Measurements as a TID 1500 report: dciodvfy validates it, dsrdump reads it.
fen_add_test(test-sr fenestra-io fen-test-spawn.c)
target_compile_definitions(test-sr PRIVATE FEN_TEST_MAKE_SAMPLE="$<TARGET_FILE:fen-make-sample>")
add_dependencies(test-sr fen-make-sample)
set_tests_properties(test-sr PROPERTIES TIMEOUT 120 LABELS "dicom")

# The one walker and the one series order on files GDCM (gdcmimg) and
# DCMTK (dcmodify, dcmmkdir) wrote: a mixed folder, nested slices, a DICOMDIR.
fen_add_test(test-series-index fenestra-io fen-test-dicom-writer.c)
target_compile_definitions(test-series-index PRIVATE FEN_TEST_CLI="$<TARGET_FILE:fenestra-cli>")
add_dependencies(test-series-index fenestra-cli)
set_tests_properties(test-series-index PROPERTIES TIMEOUT 120 LABELS "dicom")

# Plane (MPR) measurements as a TID 1500 report in a Comprehensive 3D SR
# object: dciodvfy validates it, dsrdump reads its values and SCOORD3D back.
fen_add_test(test-sr-mpr fenestra-io fen-test-spawn.c)
target_link_libraries(test-sr-mpr PRIVATE m)
target_compile_definitions(test-sr-mpr PRIVATE FEN_TEST_MAKE_SAMPLE="$<TARGET_FILE:fen-make-sample>")
add_dependencies(test-sr-mpr fen-make-sample)
set_tests_properties(test-sr-mpr PROPERTIES TIMEOUT 120 LABELS "dicom")
