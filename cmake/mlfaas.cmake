# Small helpers so every folder's CMakeLists.txt reads the same way.

# mlfaas_library(NAME SOURCES a.cpp b.cpp DEPS lib1 lib2)
# Creates static library mlfaas_NAME with include root src/ (headers are included as "NAME/x.h").
function(mlfaas_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS" ${ARGN})
  add_library(mlfaas_${name} STATIC ${ARG_SOURCES})
  target_include_directories(mlfaas_${name} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(mlfaas_${name} PUBLIC ${ARG_DEPS})
  if(MLFAAS_SANITIZE AND name MATCHES "^(image|inference)$")
    target_compile_options(mlfaas_${name} PRIVATE -O1)
  endif()
endfunction()

# mlfaas_test(NAME SOURCES a_test.cpp DEPS mlfaas_x [LABELS unit])
# One GoogleTest executable registered with CTest (each TEST a separate CTest case).
function(mlfaas_test name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPS;LABELS" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE ${ARG_DEPS} mlfaas_test_support GTest::gtest GTest::gmock GTest::gtest_main)
  if(NOT ARG_LABELS)
    set(ARG_LABELS unit)
  endif()
  gtest_discover_tests(${name} PROPERTIES LABELS "${ARG_LABELS}" DISCOVERY_TIMEOUT 60
                       WORKING_DIRECTORY ${PROJECT_SOURCE_DIR})
endfunction()
