# Fails if a posmode library references I/O or process-ending functions: a library linked into a
# trading engine must not print, abort or exit behind the host's back (STYLE.md, library hygiene).
# Usage: cmake -DNM=<nm> -DLIBRARY=<archive> -P check_library_hygiene.cmake
execute_process(COMMAND ${NM} --undefined-only --demangle ${LIBRARY}
  OUTPUT_VARIABLE symbols RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "nm failed on ${LIBRARY}")
endif()
set(forbidden printf fprintf puts fputs fwrite putchar perror abort exit _exit quick_exit
  "std::cout" "std::cerr" "std::clog" "std::terminate")
set(found "")
foreach(name ${forbidden})
  string(REGEX MATCH "(^|\n) +U ${name}(@[^\n]*)?(\n|$)" hit "${symbols}")
  if(hit)
    list(APPEND found ${name})
  endif()
endforeach()
if(found)
  message(FATAL_ERROR "${LIBRARY} references forbidden symbols: ${found}")
endif()
message(STATUS "${LIBRARY}: no I/O or process-ending symbols")
