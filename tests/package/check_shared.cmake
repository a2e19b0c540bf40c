# check_shared.cmake: this tree built with BUILD_SHARED_LIBS=ON (and ASYNCIO_BUILD_TESTS=OFF: the
# library, the tools and the examples only), in Debug, installed into a prefix that then moves
# (check_install.cmake on that build: the layout, --version, the find_package and pkg-config
# consumers). Then, what only a shared library has:
#   - libasyncio.so.MAJOR.MINOR.PATCH, with the SONAME libasyncio.so.MAJOR.MINOR and the links
#     libasyncio.so.MAJOR.MINOR and libasyncio.so (the SOVERSION rule: tools/package/install.cmake);
#   - every installed program that needs it finds it through a RUNPATH relative to itself
#     ($ORIGIN/../lib), no installed file names an absolute folder, and the dynamic loader takes
#     it from the moved prefix, not from the build tree (which still has one);
#   - the installed asyncio-trace, run outside the build tree with a plain environment, traces an
#     installed example from the moved prefix, and the trace equals the golden one: the `at
#     FILE:LINE` of each suspension is relative (`at examples/...`) in this configuration too;
#   - the find_package consumer runs with no LD_LIBRARY_PATH (CMake's build RUNPATH).
# -D: SOURCE (this tree), BUILD (the shared build's folder: kept between runs, so a second run is
#     an incremental build), JOBS, GOLDEN (the trace of 02 on the virtual clock), WORK (scratch,
#     wiped), and what check_install.cmake takes: HELLO, VERSION, CXX, GENERATOR, LIBDIR, BINDIR,
#     INCLUDEDIR, DATADIR, DOCDIR
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

require_programs(binutils readelf)

# ---------------------------------------------------------------- build, install, consumers
run("configuring the shared build"
    COMMAND ${CMAKE_COMMAND} -S ${SOURCE} -B ${BUILD} -G ${GENERATOR} -DCMAKE_CXX_COMPILER=${CXX}
            -DCMAKE_BUILD_TYPE=Debug -DBUILD_SHARED_LIBS=ON -DASYNCIO_BUILD_TESTS=OFF -DASYNCIO_WERROR=ON
            -DCMAKE_INSTALL_BINDIR=${BINDIR} -DCMAKE_INSTALL_LIBDIR=${LIBDIR}
            -DCMAKE_INSTALL_INCLUDEDIR=${INCLUDEDIR} -DCMAKE_INSTALL_DOCDIR=${DOCDIR})
run("building the shared build" COMMAND ${CMAKE_COMMAND} --build ${BUILD} --parallel ${JOBS})

set(install_work ${WORK}/install)
run("check_install.cmake on the shared build"
    COMMAND ${CMAKE_COMMAND} -DBUILD=${BUILD} -DWORK=${install_work} -DHELLO=${HELLO} -DVERSION=${VERSION}
            -DCXX=${CXX} -DGENERATOR=${GENERATOR} -DLIBDIR=${LIBDIR} -DBINDIR=${BINDIR}
            -DINCLUDEDIR=${INCLUDEDIR} -DDATADIR=${DATADIR} -DDOCDIR=${DOCDIR}
            -P ${CMAKE_CURRENT_LIST_DIR}/check_install.cmake)
file(REAL_PATH ${install_work}/prefix prefix)  # check_install.cmake's moved prefix
set(lib ${prefix}/${LIBDIR})

# ---------------------------------------------------------------- the library and its SONAME
string(REGEX MATCH "^([0-9]+)\\.([0-9]+)\\." _ "${VERSION}")
set(soname libasyncio.so.${CMAKE_MATCH_1}.${CMAKE_MATCH_2})
if(EXISTS ${lib}/libasyncio.a)
  message(FATAL_ERROR "BUILD_SHARED_LIBS=ON installed a static ${lib}/libasyncio.a")
endif()
if(NOT EXISTS ${lib}/libasyncio.so.${VERSION} OR IS_SYMLINK ${lib}/libasyncio.so.${VERSION})
  message(FATAL_ERROR "no file ${lib}/libasyncio.so.${VERSION}")
endif()
foreach(link IN ITEMS ${soname} libasyncio.so)
  file(READ_SYMLINK ${lib}/${link} target)  # fails if it is not a link
  file(REAL_PATH ${lib}/${link} real)
  if(NOT real STREQUAL "${lib}/libasyncio.so.${VERSION}")
    message(FATAL_ERROR "${lib}/${link} leads to ${real}, not libasyncio.so.${VERSION}")
  endif()
endforeach()

# readelf -d FILE: its dynamic section; sets <var>_needed, <var>_runpath (a list) and
# <var>_soname. An RPATH (rather than RUNPATH) would outrank LD_LIBRARY_PATH: it is refused.
function(dynamic_section var file)
  run("readelf -d ${file}" COMMAND readelf -d --wide ${file} OUTPUT out)
  string(REGEX MATCHALL "\\(NEEDED\\) *Shared library: \\[[^]]*\\]" needed "${out}")
  list(TRANSFORM needed REPLACE ".*\\[(.*)\\]" "\\1")
  string(REGEX MATCH "\\(RUNPATH\\) *Library runpath: \\[([^]]*)\\]" _ "${out}")
  string(REPLACE ":" ";" runpath "${CMAKE_MATCH_1}")
  string(REGEX MATCH "\\(SONAME\\) *Library soname: \\[([^]]*)\\]" _ "${out}")
  set(own_soname "${CMAKE_MATCH_1}")
  if(out MATCHES "\\(RPATH\\)")
    message(FATAL_ERROR "${file} has an RPATH, not a RUNPATH:\n${out}")
  endif()
  set(${var}_needed "${needed}" PARENT_SCOPE)
  set(${var}_runpath "${runpath}" PARENT_SCOPE)
  set(${var}_soname "${own_soname}" PARENT_SCOPE)
endfunction()

dynamic_section(library ${lib}/libasyncio.so.${VERSION})
if(NOT library_soname STREQUAL soname)
  message(FATAL_ERROR "libasyncio.so.${VERSION} has the SONAME '${library_soname}', expected '${soname}'")
endif()

# ---------------------------------------------------------------- RUNPATH of the installed programs
file(GLOB examples LIST_DIRECTORIES false ${prefix}/${DATADIR}/examples/[0-9][0-9]_*)
list(FILTER examples EXCLUDE REGEX "\\.[a-z]+$")  # the built ones, not NN_name.cpp/.py/.expected
list(LENGTH examples count)
if(count LESS 10)
  message(FATAL_ERROR "only ${count} built examples under ${prefix}/${DATADIR}/examples: ${examples}")
endif()
set(users "")
foreach(file IN ITEMS ${prefix}/${BINDIR}/asyncio-trace ${prefix}/${BINDIR}/asyncio-bench
                      ${lib}/libasyncio.so.${VERSION} ${examples})
  dynamic_section(elf ${file})
  foreach(entry IN LISTS elf_runpath)
    if(NOT entry MATCHES "^\\$ORIGIN(/|$)")
      message(FATAL_ERROR "${file}'s RUNPATH has '${entry}', not relative to $ORIGIN: ${elf_runpath}")
    endif()
  endforeach()
  if(NOT soname IN_LIST elf_needed)
    continue()
  endif()
  list(APPEND users ${file})
  get_filename_component(dir ${file} DIRECTORY)
  file(RELATIVE_PATH to_lib ${dir} ${lib})
  if(NOT elf_runpath STREQUAL "$ORIGIN/${to_lib}")
    message(FATAL_ERROR "${file} needs ${soname}; its RUNPATH is '${elf_runpath}', expected '$ORIGIN/${to_lib}'")
  endif()
  # The loader takes the moved prefix's library (the build tree has one as well).
  # ldd shows the path as the loader made it from $ORIGIN (bin/../lib/...).
  run("ldd ${file}" COMMAND ${CMAKE_COMMAND} -E env --unset=LD_LIBRARY_PATH ldd ${file} OUTPUT out)
  string(REGEX MATCH "\t${soname} => ([^ \n]+) " _ "${out}")
  set(loaded "${CMAKE_MATCH_1}")
  if(loaded)
    file(REAL_PATH "${loaded}" loaded)
  endif()
  if(NOT loaded STREQUAL "${lib}/libasyncio.so.${VERSION}")
    message(FATAL_ERROR "${file} does not load ${lib}/${soname}:\n${out}")
  endif()
endforeach()
foreach(file IN ITEMS ${prefix}/${BINDIR}/asyncio-bench ${prefix}/${DATADIR}/examples/02_superloop_async)
  if(NOT file IN_LIST users)
    message(FATAL_ERROR "${file} does not link ${soname}: is the library shared?")
  endif()
endforeach()

# ---------------------------------------------------------------- the installed programs run
outside_folder(outside)
set(run_in ${outside})
clean_env(clean_env ${prefix}/${BINDIR})

run("the installed asyncio-bench" COMMAND ${clean_env} asyncio-bench call_soon_chain --n=2000 OUTPUT out)
if(NOT out MATCHES "\"workload\": *\"call_soon_chain\"")
  message(FATAL_ERROR "the installed asyncio-bench printed:\n${out}")
endif()

# asyncio-trace finds example 02 beside itself in the moved prefix and traces it; every suspension
# is shown at a path relative to the project (`at examples/02_superloop_async.cpp:43`).
run("the installed asyncio-trace --clock virtual 02"
    COMMAND ${clean_env} asyncio-trace --clock virtual -o ${WORK}/02.txt 02)
file(READ ${WORK}/02.txt actual)
string(REGEX MATCHALL " at [^ \n]+" places "${actual}")
list(FILTER places EXCLUDE REGEX "^ at [0-9][0-9.]*,?$")  # "due at 0.2" and the like: times
set(relative ${places})
list(FILTER relative INCLUDE REGEX "^ at examples/02_superloop_async\\.cpp:[0-9]+$")
if(NOT relative OR NOT relative STREQUAL places)
  list(REMOVE_ITEM places ${relative})
  list(REMOVE_DUPLICATES places)
  message(FATAL_ERROR "in the shared Debug build, suspensions are not all shown at examples/...: ${places}")
endif()
file(READ ${GOLDEN} expected)
if(NOT actual STREQUAL expected)
  execute_process(COMMAND diff -u ${GOLDEN} ${WORK}/02.txt OUTPUT_VARIABLE diff)
  message(FATAL_ERROR "the shared build's installed asyncio-trace's trace of 02 differs from ${GOLDEN}:\n${diff}")
endif()

# The find_package consumer, built by check_install.cmake, runs without LD_LIBRARY_PATH.
set(hello ${install_work}/find_package/hello)
dynamic_section(hello ${hello})
if(NOT soname IN_LIST hello_needed)
  message(FATAL_ERROR "hello (find_package) does not link ${soname}: ${hello_needed}")
endif()
run("hello (find_package) without LD_LIBRARY_PATH" COMMAND ${clean_env} ${hello} OUTPUT out)
if(NOT out STREQUAL "asyncio-cpp ${VERSION} (headers ${VERSION}): 3\n")
  message(FATAL_ERROR "hello (find_package) printed '${out}'")
endif()

file(REMOVE_RECURSE ${outside})
list(LENGTH users n_users)
message(STATUS "BUILD_SHARED_LIBS: ${soname} in a moved prefix, found through $ORIGIN by the "
               "${n_users} installed programs that need it; the installed asyncio-trace traced 02 as the golden trace")
