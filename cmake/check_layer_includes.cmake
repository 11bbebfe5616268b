# Reads every #include line of src/ and include/ledger/ and fails on any that crosses the layers
# the wrong way (cmake/LedgerLayers.cmake has the table). Run by CTest as layer_includes_test:
#   cmake -DLEDGER_TREE=<project dir> -P cmake/check_layer_includes.cmake
# With -DLEDGER_EXPECT=<file>, it checks itself instead: it passes only if the places it refuses
# ("path:line", or "path" for a file in no layer) are exactly the lines of that file
# (layer_includes_selftest, on the planted tree tests/layers/fixture/).
#
# Refused:
#   - a file under src/ or include/ledger/ that belongs to no layer;
#   - "<layer>/..." (src/<layer>/) from a layer that may not include that layer's internal headers;
#   - "ledger/<name>" whose owner is a layer the including layer does not reach, or no layer;
#   - any include path with a "..", which could climb out of an include root.
# Both "..." and <...> forms count. A "..." include with no "/" names a file of the including
# file's own folder: in include/ledger/, "x.h" is checked as "ledger/x.h".

cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/LedgerLayers.cmake)

if(NOT DEFINED LEDGER_TREE)
  get_filename_component(LEDGER_TREE ${CMAKE_CURRENT_LIST_DIR}/.. ABSOLUTE)
endif()

file(GLOB_RECURSE files RELATIVE ${LEDGER_TREE} ${LEDGER_TREE}/src/* ${LEDGER_TREE}/include/ledger/*)
list(SORT files)

set(refused "")    # "path:line" (or "path") of each refusal.
set(messages "")   # The same, with the reason.
set(includes 0)
foreach(rel IN LISTS files)
  ledger_layer_of_file(${rel} layer)
  if(layer STREQUAL "")
    list(APPEND refused "${rel}")
    if(rel MATCHES "^include/ledger/")
      string(CONCAT m "${rel}: a public header of no layer: add its name to the "
             "LEDGER_LAYER_<layer>_PUBLIC list of the lowest layer that uses it "
             "(cmake/LedgerLayers.cmake)")
    else()
      list(JOIN LEDGER_LAYERS ", " layers)
      string(CONCAT m "${rel}: in no layer: code under src/ lives in src/<layer>/ (${layers}), "
             "or is src/main.cpp")
    endif()
    list(APPEND messages "${m}")
    continue()
  endif()
  ledger_layer_internal(${layer} internal)
  ledger_layer_reach(${layer} reach)

  # One list element per line: take out what CMake's lists treat specially (";", "[", "]"
  # and the "\" before them), and end every line with a space so no element is empty.
  file(READ ${LEDGER_TREE}/${rel} text)
  string(REGEX REPLACE "[][;\\\\]" "" text "${text}")
  string(REPLACE "\n" " ;" lines "${text}")
  set(number 0)
  foreach(line IN LISTS lines)
    math(EXPR number "${number} + 1")
    if(NOT line MATCHES "^[ \t]*#[ \t]*include[ \t]*([<\"])([^>\"]*)[>\"]")
      continue()
    endif()
    math(EXPR includes "${includes} + 1")
    set(quoted OFF)
    if(CMAKE_MATCH_1 STREQUAL "\"")
      set(quoted ON)
    endif()
    set(path "${CMAKE_MATCH_2}")
    set(where "${rel}:${number}")
    set(reason "")
    if(path MATCHES "(^|/)\\.\\.(/|$)")
      string(CONCAT reason "\"..\" in an include path climbs out of the include roots: name "
             "the header from its layer, as \"<layer>/file.h\" or \"ledger/file.h\"")
    elseif(quoted AND rel MATCHES "^include/ledger/" AND NOT path MATCHES "/")
      set(path "ledger/${path}")  # A public header's neighbour, checked as such below.
    endif()
    if(reason STREQUAL "" AND path MATCHES "^([^/]+)/(.+)$")
      set(first "${CMAKE_MATCH_1}")
      set(name "${CMAKE_MATCH_2}")
      if(first IN_LIST LEDGER_LAYERS AND NOT first IN_LIST internal)
        list(JOIN internal ", " allowed)
        string(CONCAT reason "${layer} includes \"${path}\", an internal header of ${first}: "
               "${layer} may include the src/ headers of ${allowed} only")
        if(first IN_LIST reach)
          string(APPEND reason ", and reaches ${first} through include/ledger/ only")
        endif()
      elseif(first STREQUAL "ledger")
        ledger_layer_owner(${name} owner)
        if(owner STREQUAL "")
          set(reason "\"${path}\" is a public header of no layer (cmake/LedgerLayers.cmake)")
        elseif(NOT owner IN_LIST reach)
          list(JOIN reach ", " reached)
          string(CONCAT reason "${layer} includes \"${path}\", a public header of ${owner}: "
                 "${layer} reaches ${reached} only")
        endif()
      endif()
    endif()
    if(NOT reason STREQUAL "")
      list(APPEND refused "${where}")
      list(APPEND messages "${where}: ${reason}")
    endif()
  endforeach()
endforeach()

list(LENGTH files file_count)
if(DEFINED LEDGER_EXPECT)
  file(STRINGS ${LEDGER_EXPECT} expected REGEX "^[^#]")
  list(SORT expected)
  list(SORT refused)
  foreach(m IN LISTS messages)
    message(NOTICE "refused: ${m}")
  endforeach()
  if(NOT refused STREQUAL expected)
    list(JOIN expected "\n  " e)
    list(JOIN refused "\n  " r)
    message(FATAL_ERROR "the check refused other places than ${LEDGER_EXPECT} lists.\n"
                        "expected:\n  ${e}\nrefused:\n  ${r}")
  endif()
  list(LENGTH refused count)
  message(STATUS "the check refused exactly the ${count} planted places")
  return()
endif()

if(messages)
  foreach(m IN LISTS messages)
    message(NOTICE "${m}")
  endforeach()
  list(LENGTH messages count)
  message(FATAL_ERROR "${count} include(s) cross the layers the wrong way (above). See "
                      "docs/architecture.md, \"Layers and what the build enforces\"")
endif()
message(STATUS "${file_count} files, ${includes} #include lines: none crosses the layers")
