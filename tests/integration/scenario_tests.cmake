# `camrig run` in CI: the failure paths (gtest) and every scenario of the default suite as its
# own ctest, each writing its reports under the build tree.
camrig_add_test(scenario_run_test LABEL integration TIMEOUT 300
  SOURCES scenario_run_test.cpp
  LIBS camrig_test_support nlohmann_json::nlohmann_json)
target_compile_definitions(scenario_run_test PRIVATE CAMRIG_BINARY="$<TARGET_FILE:camrig>")
add_dependencies(scenario_run_test camrig)

# A default scenario with a minute of 1080p plate reading claims both cores and carries `slow`.
set(slow_default_scenarios lprapi_outage)
file(GLOB default_scenarios CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scenarios/default/*.yaml)
foreach(file IN LISTS default_scenarios)
  get_filename_component(stem ${file} NAME_WE)
  add_test(NAME scenario.${stem}
    COMMAND camrig run ${file} --report-dir ${CMAKE_BINARY_DIR}/scenario-reports/${stem})
  set_tests_properties(scenario.${stem} PROPERTIES LABELS integration TIMEOUT 240
    ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/scenario_lsan.supp")
  if(stem IN_LIST slow_default_scenarios)
    set_tests_properties(scenario.${stem} PROPERTIES LABELS "integration;slow" TIMEOUT 900 PROCESSORS 2)
  endif()
endforeach()

# The scenario library, one ctest each, labelled `slow`: a run renders, encodes and analyses
# full-size frames on several threads, so each claims both cores (two at once only starve each
# other under ASan); `ctest --preset asan -L slow` runs them, the default test run leaves them out.
foreach(folder IN ITEMS analytics lpr)
  file(GLOB library_scenarios CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scenarios/${folder}/*.yaml)
  foreach(file IN LISTS library_scenarios)
    get_filename_component(stem ${file} NAME_WE)
    add_test(NAME scenario.${folder}.${stem}
      COMMAND camrig run ${file} --report-dir ${CMAKE_BINARY_DIR}/scenario-reports/${folder}/${stem})
    set_tests_properties(scenario.${folder}.${stem} PROPERTIES LABELS "integration;slow" TIMEOUT 400 PROCESSORS 2
      ENVIRONMENT "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/scenario_lsan.supp")
  endforeach()
endforeach()
