# ARCHITECTURE.md's "knows nothing of" column as a build rule. Every folder is compiled with the
# source root on its include path, so a header of any folder can be included from any other;
# these rules make such an include fail the build instead of waiting for a reviewer.
#
# nictune_layer(<folder> [RECURSIVE] ON <target> FORBIDS <prefix>...): before <target> is built,
# every .cpp/.hpp in <folder> (and below it with RECURSIVE) is read; an #include "<prefix>..." or
# #include <<prefix>...> stops the build naming the file, the line and the rule. The check runs
# again whenever one of those files (or a file added to the folder, at the next configure)
# changes. cmake/check_layers.cmake does the reading; tests/unit/layers shows it failing.
function(nictune_layer folder)
  cmake_parse_arguments(L "RECURSIVE" "ON" "FORBIDS" ${ARGN})
  if(NOT L_ON OR NOT L_FORBIDS)
    message(FATAL_ERROR "nictune_layer(${folder}): needs ON <target> and FORBIDS <prefix>...")
  endif()
  if(L_RECURSIVE)
    file(GLOB_RECURSE files CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${folder}/*.cpp
         ${PROJECT_SOURCE_DIR}/${folder}/*.hpp)
  else()
    file(GLOB files CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/${folder}/*.cpp
         ${PROJECT_SOURCE_DIR}/${folder}/*.hpp)
  endif()
  string(MAKE_C_IDENTIFIER "${folder}" name)
  set(list_file ${CMAKE_BINARY_DIR}/layers/${name}.files)
  set(stamp ${CMAKE_BINARY_DIR}/layers/${name}.stamp)
  string(REPLACE ";" "\n" lines "${files}")
  # Written only when the list changes, so a reconfigure alone does not rerun the check.
  file(CONFIGURE OUTPUT ${list_file} CONTENT "${lines}\n" @ONLY)
  string(REPLACE ";" "|" forbids "${L_FORBIDS}")
  # Kept for tests/unit/layers, which runs a folder's real rule on a file that breaks it.
  set_property(GLOBAL PROPERTY nictune_layer_forbids_${name} "${forbids}")
  add_custom_command(
    OUTPUT ${stamp}
    COMMAND ${CMAKE_COMMAND} -DLAYER=${folder} -DFILES=${list_file} "-DFORBIDS=${forbids}"
            -DSTAMP=${stamp} -P ${PROJECT_SOURCE_DIR}/cmake/check_layers.cmake
    DEPENDS ${files} ${list_file} ${PROJECT_SOURCE_DIR}/cmake/check_layers.cmake
    COMMENT "Layers: ${folder}/ knows nothing of ${L_FORBIDS}"
    VERBATIM)
  add_custom_target(layer_${name} DEPENDS ${stamp})
  add_dependencies(${L_ON} layer_${name})
endfunction()
