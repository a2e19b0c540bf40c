# check_deb.cmake: `cpack -G DEB`, the package's fields, then `dpkg -x` into a throwaway root and
# the installed asyncio-trace run from a folder outside the build tree, with a plain PATH and
# ASYNCIO_EXAMPLES_DIR and ASYNCIO_TRACE_RECORDER unset: it must find its examples and recorder
# under the root's share/asyncio-cpp. Its trace of example 02 must equal the golden one, and with
# one installed example (and then the recorder) removed it must miss them, though the build
# tree still has them.
# -D: BUILD (the build tree), CPACK, WORK (scratch folder, wiped), VERSION, CONTACT (the build's
#     ASYNCIO_PACKAGE_CONTACT, the Maintainer field), GOLDEN (the trace of 02 on the
#     virtual clock), PYTHON (optional: a CPython 3.11+, to trace an installed example's twin)
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

require_programs(dpkg-dev dpkg dpkg-deb dpkg-shlibdeps)
# The folder the installed tool runs in: outside the build tree.
outside_folder(outside)
set(run_in ${outside})

run("cpack -G DEB" COMMAND ${CMAKE_COMMAND} -E chdir ${BUILD} ${CPACK} -G DEB -B ${WORK}/cpack OUTPUT log)
file(GLOB debs ${WORK}/cpack/*.deb)
list(LENGTH debs count)
if(NOT count EQUAL 1)
  message(FATAL_ERROR "cpack -G DEB made ${count} .deb files in ${WORK}/cpack:\n${log}")
endif()

# The fields: Maintainer is the configured ASYNCIO_PACKAGE_CONTACT; Depends has what the
# headers' users need and, from dpkg-shlibdeps, the programs' shared libraries.
run("dpkg-deb -f" COMMAND dpkg-deb -f ${debs} Package Version Maintainer Depends OUTPUT fields)
foreach(want IN ITEMS "Package: asyncio-cpp\n" "Version: ${VERSION}\n" "Maintainer: ${CONTACT}\n"
                      "libboost-context-dev (>= 1.74)"
                      "g++ (>= 4:12)" "libc6 (>= " "libstdc++6 (>= ")
  string(FIND "${fields}" "${want}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "the package's control fields lack '${want}':\n${fields}")
  endif()
endforeach()

set(root ${WORK}/root)
run("dpkg -x" COMMAND dpkg -x ${debs} ${root})
set(tool ${root}/usr/bin/asyncio-trace)
set(share ${root}/usr/share/asyncio-cpp)
clean_env(clean_env ${root}/usr/bin)

run("asyncio-trace --version" COMMAND ${clean_env} asyncio-trace --version OUTPUT out)
if(NOT out STREQUAL "asyncio-trace ${VERSION}\n")
  message(FATAL_ERROR "the installed asyncio-trace --version printed '${out}'")
endif()

# An installed example by its number, on the virtual clock: the same trace as the build tree's.
run("the installed asyncio-trace --clock virtual 02"
    COMMAND ${clean_env} asyncio-trace --clock virtual -o ${WORK}/02.txt 02)
file(READ ${GOLDEN} expected)
file(READ ${WORK}/02.txt actual)
if(NOT actual STREQUAL expected)
  execute_process(COMMAND diff -u ${GOLDEN} ${WORK}/02.txt OUTPUT_VARIABLE diff)
  message(FATAL_ERROR "the installed asyncio-trace's trace of 02 differs from ${GOLDEN}:\n${diff}")
endif()

# It lists the root's examples, not the build tree's: one removed from the root is gone.
run("asyncio-trace --list" COMMAND ${clean_env} asyncio-trace --list OUTPUT before)
file(REMOVE ${share}/examples/13_callbacks_vs_await)
run("asyncio-trace --list" COMMAND ${clean_env} asyncio-trace --list OUTPUT after)
if(NOT before MATCHES "02_superloop_async\n" OR NOT before MATCHES "13_callbacks_vs_await\n"
   OR after MATCHES "13_callbacks_vs_await")
  message(FATAL_ERROR "asyncio-trace --list does not follow the installed examples:\n"
                      "before removing one:\n${before}after:\n${after}")
endif()

# A Python example runs under the root's recorder; without it, the tool says it has none.
if(PYTHON)
  run("the installed asyncio-trace on an installed example's Python twin"
      COMMAND ${clean_env} asyncio-trace --python ${PYTHON} --clock virtual ${share}/examples/02_superloop_async.py
      OUTPUT out)
  if(NOT out MATCHES "^Pass 1 \\(t=0\\.000000\\)\n" OR NOT out MATCHES "\n      \\| tick  0: led on\n")
    message(FATAL_ERROR "the installed asyncio-trace's trace of 02_superloop_async.py:\n${out}")
  endif()
  file(REMOVE ${share}/pytrace/asyncio_trace_recorder.py)
  execute_process(COMMAND ${clean_env} asyncio-trace --python ${PYTHON} --clock virtual
                          ${share}/examples/02_superloop_async.py
                  WORKING_DIRECTORY ${outside} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(rc EQUAL 0 OR NOT err MATCHES "cannot find the Python recorder")
    message(FATAL_ERROR "without its installed recorder asyncio-trace did not say so (exit ${rc}):\n${err}")
  endif()
endif()

file(REMOVE_RECURSE ${outside})
message(STATUS "${debs}: installed with dpkg -x, its asyncio-trace ran its own examples and recorder")
