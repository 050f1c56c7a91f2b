# A host built without CMake: compiles tests/consumer/consumer.cpp with the flags `pkg-config
# --cflags --libs posmode` gives for the staged install, links it and runs it.
# Usage: cmake -DPKG_CONFIG=<pkg-config> -DCXX=<compiler> "-DCXX_FLAGS=<flags>" -DSTAGE=<prefix>
#        -DSOURCE=<consumer.cpp> -DOUTPUT=<executable> -P pkg_config_consumer.cmake
file(GLOB_RECURSE pc_files "${STAGE}/*/posmode.pc")
list(LENGTH pc_files count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "expected one installed posmode.pc under ${STAGE}, found: ${pc_files}")
endif()
get_filename_component(pc_dir "${pc_files}" DIRECTORY)
execute_process(
  COMMAND ${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${pc_dir} ${PKG_CONFIG} --cflags --libs posmode
  OUTPUT_VARIABLE flags OUTPUT_STRIP_TRAILING_WHITESPACE RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "pkg-config --cflags --libs posmode failed")
endif()
# The include directory must be the staged one: nothing may come from the source tree.
string(FIND "${flags}" "-I${STAGE}" staged)
if(staged EQUAL -1)
  message(FATAL_ERROR "pkg-config's flags do not point at the install: ${flags}")
endif()
message(STATUS "pkg-config posmode: ${flags}")
separate_arguments(flag_list UNIX_COMMAND "${flags}")
separate_arguments(cxx_flag_list UNIX_COMMAND "${CXX_FLAGS}")
execute_process(
  COMMAND ${CXX} -std=c++20 ${cxx_flag_list} ${SOURCE} -o ${OUTPUT} ${flag_list}
  RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "compiling the consumer with pkg-config's flags failed")
endif()
execute_process(COMMAND ${OUTPUT} RESULT_VARIABLE rc)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the pkg-config consumer exited with ${rc}")
endif()
