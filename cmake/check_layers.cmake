# cmake -DLAYER=<folder> -DFILES=<file listing one path a line> -DFORBIDS=<prefix|prefix...>
#       [-DSTAMP=<file to touch when clean>] -P check_layers.cmake
# Fails naming every #include of a forbidden prefix (see cmake/NictuneLayers.cmake).
file(STRINGS "${FILES}" files)
if(NOT files)
  message(FATAL_ERROR "layering: ${FILES} lists no file to check for ${LAYER}/")
endif()
string(REPLACE "|" ";" forbids "${FORBIDS}")
set(found "")
foreach(file IN LISTS files)
  if(NOT EXISTS "${file}")
    continue()  # removed since the last configure; the next configure drops it
  endif()
  file(STRINGS "${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[\"<]([^\">]*)[\">].*$" "\\1" header "${line}")
    foreach(prefix IN LISTS forbids)
      string(FIND "${header}" "${prefix}" at)
      if(at EQUAL 0)
        string(APPEND found "  ${file}: #include of ${header}: ${LAYER}/ knows nothing of ${prefix}\n")
      endif()
    endforeach()
  endforeach()
endforeach()
if(found)
  message(FATAL_ERROR "layering (ARCHITECTURE.md, cmake/NictuneLayers.cmake):\n${found}"
                      "Move what both sides need down into core/, or change the rule with the "
                      "table in ARCHITECTURE.md.")
endif()
if(STAMP)
  file(TOUCH "${STAMP}")
endif()
