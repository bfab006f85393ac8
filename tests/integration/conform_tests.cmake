# `camrig conform` against a camrig device and against a target without login; the HTML report
# rendered by headless Chromium (skipped when chromium is not installed).
camrig_add_test(conform_test LABEL integration TIMEOUT 300
  SOURCES conform_test.cpp
  LIBS camrig_test_support nlohmann_json::nlohmann_json)
target_compile_definitions(conform_test PRIVATE CAMRIG_BINARY="$<TARGET_FILE:camrig>")
add_dependencies(conform_test camrig)

find_package(OpenCV REQUIRED COMPONENTS core imgproc imgcodecs)
camrig_add_test(report_chromium_test LABEL integration TIMEOUT 200
  SOURCES report_chromium_test.cpp
  LIBS camrig_reports camrig_test_support ${OpenCV_LIBS})
target_include_directories(report_chromium_test PRIVATE ${OpenCV_INCLUDE_DIRS})
