# Checks that the include directories each layer's targets are really compiled with let them
# find exactly the headers cmake/LedgerLayers.cmake allows, and no others. Run by CTest as
# layer_include_roots_test (tests/layers/CMakeLists.txt), with
#   -DLEDGER_CXX=<compiler> -DLEDGER_WORK=<scratch dir>
#   -DLEDGER_TARGETS=<target>=<layer>|...  -DLEDGER_INCLUDES_<target>=<dir>|<dir>|...
# the directories coming from the targets' INCLUDE_DIRECTORIES. One header of each src/<layer>/
# and every public header go into a probe file, which the compiler preprocesses with -MM -MG:
# a header it finds is listed with the folder it was found in, one it does not is listed bare.

cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/LedgerLayers.cmake)
get_filename_component(project ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)

set(candidates "")
foreach(layer IN LISTS LEDGER_LAYERS)
  file(GLOB headers RELATIVE ${project}/src ${project}/src/${layer}/*.h)
  list(SORT headers)
  if(NOT headers)
    message(FATAL_ERROR "src/${layer}/ has no header to probe")
  endif()
  list(GET headers 0 first)
  list(APPEND candidates ${first})
  foreach(name IN LISTS LEDGER_LAYER_${layer}_PUBLIC)
    list(APPEND candidates ledger/${name})
  endforeach()
endforeach()

set(probe ${LEDGER_WORK}/probe.cpp)
set(text "// Written by cmake/check_layer_roots.cmake.\n")
foreach(header IN LISTS candidates)
  string(APPEND text "#include \"${header}\"\n")
endforeach()
file(MAKE_DIRECTORY ${LEDGER_WORK})
file(WRITE ${probe} "${text}")

string(REPLACE "|" ";" targets "${LEDGER_TARGETS}")
set(failures "")
set(checked 0)
foreach(pair IN LISTS targets)
  string(REPLACE "=" ";" pair "${pair}")
  list(GET pair 0 target)
  list(GET pair 1 layer)
  string(REPLACE "|" ";" dirs "${LEDGER_INCLUDES_${target}}")
  set(flags "")
  foreach(dir IN LISTS dirs)
    list(APPEND flags -I${dir})
  endforeach()
  execute_process(COMMAND ${LEDGER_CXX} -std=c++20 -MM -MG ${flags} ${probe}
                  WORKING_DIRECTORY ${LEDGER_WORK}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE deps ERROR_VARIABLE errors)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${LEDGER_CXX} -MM -MG on the probe for ${target} failed:\n${errors}")
  endif()
  string(REGEX REPLACE "[ \t\r\n\\\\]+" ";" tokens "${deps}")

  ledger_layer_internal(${layer} internal)
  ledger_layer_public(${layer} public)
  foreach(header IN LISTS candidates)
    string(REGEX MATCH "^[^/]+" first "${header}")
    string(REGEX REPLACE "^ledger/" "" name "${header}")
    set(allowed OFF)
    if(first IN_LIST internal OR (first STREQUAL "ledger" AND name IN_LIST public))
      set(allowed ON)
    endif()
    string(REPLACE "." "\\." pattern "${header}")
    set(found OFF)
    foreach(token IN LISTS tokens)
      if(token MATCHES "/${pattern}$")
        set(found ON)
        break()
      endif()
    endforeach()
    math(EXPR checked "${checked} + 1")
    if(allowed AND NOT found)
      list(APPEND failures "${target} (${layer}) cannot find \"${header}\", which it may include")
    elseif(found AND NOT allowed)
      list(APPEND failures "${target} (${layer}) finds \"${header}\", which it may not include")
    endif()
  endforeach()
endforeach()

if(failures)
  list(JOIN failures "\n  " f)
  message(FATAL_ERROR "the include roots do not match cmake/LedgerLayers.cmake:\n  ${f}")
endif()
message(STATUS "${checked} target and header pairs: each target finds exactly what its layer "
               "may include")
