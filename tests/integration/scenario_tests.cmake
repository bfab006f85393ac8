# `camrig run` in CI: the failure paths (gtest) and every scenario (default suite and library)
# as its own ctest, each writing its reports under the build tree.
camrig_add_test(scenario_run_test LABEL integration TIMEOUT 300
  SOURCES scenario_run_test.cpp
  LIBS camrig_test_support nlohmann_json::nlohmann_json)
target_compile_definitions(scenario_run_test PRIVATE CAMRIG_BINARY="$<TARGET_FILE:camrig>")
add_dependencies(scenario_run_test camrig)

# Every scenario is a ctest of the default run, played with --ci (its shorter `ci:` run where it
# has one, scenarios/README.md "CI runs"); `scenario.full.<...>`, labelled `slow`, play the whole
# length (`ctest -L slow`). A run renders, encodes and analyses full-size frames on several threads,
# so each claims both cores: two at once only starve each other under ASan.
set(scenario_environment "LSAN_OPTIONS=suppressions=${CMAKE_CURRENT_SOURCE_DIR}/scenario_lsan.supp")
file(GLOB default_scenarios CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scenarios/default/*.yaml)
foreach(file IN LISTS default_scenarios)
  get_filename_component(stem ${file} NAME_WE)
  add_test(NAME scenario.${stem}
    COMMAND camrig run ${file} --ci --report-dir ${CMAKE_BINARY_DIR}/scenario-reports/${stem})
  set_tests_properties(scenario.${stem} PROPERTIES LABELS integration TIMEOUT 400 PROCESSORS 2
    ENVIRONMENT "${scenario_environment}")
endforeach()

foreach(folder IN ITEMS analytics lpr)
  file(GLOB library_scenarios CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/scenarios/${folder}/*.yaml)
  foreach(file IN LISTS library_scenarios)
    get_filename_component(stem ${file} NAME_WE)
    add_test(NAME scenario.${folder}.${stem}
      COMMAND camrig run ${file} --ci --report-dir ${CMAKE_BINARY_DIR}/scenario-reports/${folder}/${stem})
    set_tests_properties(scenario.${folder}.${stem} PROPERTIES LABELS integration TIMEOUT 400 PROCESSORS 2
      ENVIRONMENT "${scenario_environment}")
    add_test(NAME scenario.full.${folder}.${stem}
      COMMAND camrig run ${file} --report-dir ${CMAKE_BINARY_DIR}/scenario-reports/full/${folder}/${stem})
    set_tests_properties(scenario.full.${folder}.${stem} PROPERTIES LABELS "integration;slow" TIMEOUT 900 PROCESSORS 2
      ENVIRONMENT "${scenario_environment}")
  endforeach()
endforeach()
