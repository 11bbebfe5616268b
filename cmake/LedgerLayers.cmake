# The layers of ledger and what each one may include. This is the one table that both the build
# (the per-layer include roots made by ledger_layer() below) and the CTest checks
# (cmake/check_layer_includes.cmake, cmake/check_layer_roots.cmake) read; docs/architecture.md,
# "Layers and what the build enforces", explains the rule. Included by CMakeLists.txt and by
# those two scripts (cmake -P), so the data and the helper functions use no target commands
# outside ledger_layer_make_roots() and ledger_layer().

# Bottom to top. A layer is the folder src/<layer>/; src/main.cpp belongs to cli.
set(LEDGER_LAYERS util store domain app cli)

# The layers each one links (its library is ledger_<layer>), all of them below it.
set(LEDGER_LAYER_util_LINKS "")
set(LEDGER_LAYER_store_LINKS util)
set(LEDGER_LAYER_domain_LINKS util)
set(LEDGER_LAYER_app_LINKS util store domain)
set(LEDGER_LAYER_cli_LINKS util app)

# Of the layers it links, those whose internal headers (src/<layer>/*.h) it may include. A layer
# always may include its own. The CLI reaches the app layer only through include/ledger/.
set(LEDGER_LAYER_util_INTERNAL "")
set(LEDGER_LAYER_store_INTERNAL util)
set(LEDGER_LAYER_domain_INTERNAL util)
set(LEDGER_LAYER_app_INTERNAL util store domain)
set(LEDGER_LAYER_cli_INTERNAL util)

# The public headers (include/ledger/<name>), each owned by the lowest layer that uses it. A
# layer may include the public headers of itself and of every layer it reaches through LINKS,
# so the domain sees money.h but not ledger.h, and the store sees only status.h.
set(LEDGER_LAYER_util_PUBLIC
  effective_time.h
  status.h
)
set(LEDGER_LAYER_store_PUBLIC "")
set(LEDGER_LAYER_domain_PUBLIC
  commands.h
  money.h
)
set(LEDGER_LAYER_app_PUBLIC
  import_reader.h
  ledger.h
  postgres.h
)
set(LEDGER_LAYER_cli_PUBLIC
  version.h  # Generated from version.h.in into <build>/generated/ledger/.
)

# <out>: <layer> and every layer it reaches through LINKS.
function(ledger_layer_reach layer out)
  set(reach ${layer})
  set(todo ${LEDGER_LAYER_${layer}_LINKS})
  while(todo)
    list(POP_FRONT todo next)
    if(NOT next IN_LIST reach)
      list(APPEND reach ${next})
      list(APPEND todo ${LEDGER_LAYER_${next}_LINKS})
    endif()
  endwhile()
  set(${out} ${reach} PARENT_SCOPE)
endfunction()

# <out>: the layers whose src/<layer>/ headers <layer> may include (itself first).
function(ledger_layer_internal layer out)
  set(${out} ${layer} ${LEDGER_LAYER_${layer}_INTERNAL} PARENT_SCOPE)
endfunction()

# <out>: the names of the public headers <layer> may include.
function(ledger_layer_public layer out)
  ledger_layer_reach(${layer} reach)
  set(headers "")
  foreach(l IN LISTS reach)
    list(APPEND headers ${LEDGER_LAYER_${l}_PUBLIC})
  endforeach()
  set(${out} ${headers} PARENT_SCOPE)
endfunction()

# <out>: the layer owning the public header <name> (e.g. money.h), or "" if none does.
function(ledger_layer_owner name out)
  set(owner "")
  foreach(l IN LISTS LEDGER_LAYERS)
    if(name IN_LIST LEDGER_LAYER_${l}_PUBLIC)
      set(owner ${l})
    endif()
  endforeach()
  set(${out} "${owner}" PARENT_SCOPE)
endfunction()

# <out>: the layer of the source file <rel> (a path relative to the project), or "" if it is in
# no layer. include/ledger/<name> belongs to the layer owning <name> (version.h.in: version.h).
function(ledger_layer_of_file rel out)
  set(layer "")
  if(rel STREQUAL "src/main.cpp")
    set(layer cli)
  elseif(rel MATCHES "^src/([^/]+)/")
    if(CMAKE_MATCH_1 IN_LIST LEDGER_LAYERS)
      set(layer ${CMAKE_MATCH_1})
    endif()
  elseif(rel MATCHES "^include/ledger/([^/]+)$")
    string(REGEX REPLACE "\\.in$" "" name "${CMAKE_MATCH_1}")
    ledger_layer_owner(${name} layer)
  endif()
  set(${out} "${layer}" PARENT_SCOPE)
endfunction()

# Makes <build>/layer_include/<layer>/ for every layer: the only include root of that layer's
# code. It holds a symbolic link to src/<dir>/ for each layer whose internal headers the layer
# may include, and ledger/ with a link to each public header it may include. So
# `#include "store/log_reader.h"` in src/domain/ finds no file and the build fails there. Made
# anew at every configure; removing a link never touches what it points at.
function(ledger_layer_make_roots)
  foreach(l IN LISTS LEDGER_LAYERS)
    foreach(name IN LISTS LEDGER_LAYER_${l}_PUBLIC)
      if(NOT EXISTS ${PROJECT_SOURCE_DIR}/include/ledger/${name}
         AND NOT EXISTS ${PROJECT_SOURCE_DIR}/include/ledger/${name}.in)
        message(FATAL_ERROR "cmake/LedgerLayers.cmake: LEDGER_LAYER_${l}_PUBLIC names "
                            "${name}, which is not in include/ledger/")
      endif()
    endforeach()
  endforeach()
  # CONFIGURE_DEPENDS: a new public header re-runs the configure, which then asks for its layer.
  file(GLOB public CONFIGURE_DEPENDS RELATIVE ${PROJECT_SOURCE_DIR}/include/ledger
       ${PROJECT_SOURCE_DIR}/include/ledger/*)
  foreach(file IN LISTS public)
    ledger_layer_of_file(include/ledger/${file} owner)
    if(owner STREQUAL "")
      message(FATAL_ERROR "include/ledger/${file} belongs to no layer: add it to the "
                          "LEDGER_LAYER_<layer>_PUBLIC list of the lowest layer that uses it, "
                          "in cmake/LedgerLayers.cmake")
    endif()
  endforeach()

  foreach(layer IN LISTS LEDGER_LAYERS)
    set(root ${CMAKE_BINARY_DIR}/layer_include/${layer})
    file(REMOVE_RECURSE ${root})
    file(MAKE_DIRECTORY ${root}/ledger)
    ledger_layer_internal(${layer} dirs)
    foreach(dir IN LISTS dirs)
      file(CREATE_LINK ${PROJECT_SOURCE_DIR}/src/${dir} ${root}/${dir} SYMBOLIC)
    endforeach()
    ledger_layer_public(${layer} headers)
    foreach(name IN LISTS headers)
      set(file ${PROJECT_SOURCE_DIR}/include/ledger/${name})
      if(NOT EXISTS ${file})
        set(file ${CMAKE_BINARY_DIR}/generated/ledger/${name})
      endif()
      file(CREATE_LINK ${file} ${root}/ledger/${name} SYMBOLIC)
    endforeach()
  endforeach()
endfunction()

# Puts <target> (a library or executable of the layer <layer>) in that layer: its only include
# root is <build>/layer_include/<layer>/, and it links the libraries of the layers in LINKS.
function(ledger_layer target layer)
  if(NOT layer IN_LIST LEDGER_LAYERS)
    message(FATAL_ERROR "ledger_layer(${target} ${layer}): no such layer")
  endif()
  target_include_directories(${target} PRIVATE ${CMAKE_BINARY_DIR}/layer_include/${layer})
  get_target_property(type ${target} TYPE)
  set(scope PUBLIC)
  if(type STREQUAL "EXECUTABLE")
    set(scope PRIVATE)
  endif()
  foreach(below IN LISTS LEDGER_LAYER_${layer}_LINKS)
    target_link_libraries(${target} ${scope} ledger_${below})
  endforeach()
endfunction()
