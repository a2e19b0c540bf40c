# check_install.cmake: `cmake --install` into a fresh prefix, which is then moved (nothing may
# depend on where it was installed), and two projects outside the tree built against it: hello/
# with find_package(asyncio_cpp 0.2) and with the README's pkg-config one-liner. Both must print
# the version and the sum. Also: find_package(asyncio_cpp 0.1) is refused (SameMinorVersion),
# the installed asyncio-trace --version, and the compile options the package hands on.
# -D: BUILD (the build tree), HELLO (tests/package/hello), WORK (scratch folder, wiped), VERSION,
#     CXX, GENERATOR, LIBDIR (CMAKE_INSTALL_LIBDIR), BINDIR, INCLUDEDIR, DATADIR (share/asyncio-cpp),
#     DOCDIR
cmake_minimum_required(VERSION 3.25)
include(${CMAKE_CURRENT_LIST_DIR}/common.cmake)

set(staged ${WORK}/staged)
set(prefix ${WORK}/prefix)
run("cmake --install" COMMAND ${CMAKE_COMMAND} --install ${BUILD} --prefix ${staged})

# The layout the issue asks for (a few of each kind), then the prefix moves.
foreach(file IN ITEMS
    ${INCLUDEDIR}/asyncio/asyncio.hpp ${INCLUDEDIR}/asyncio/version.hpp ${INCLUDEDIR}/asyncio/fibers.hpp
    ${LIBDIR}/cmake/asyncio_cpp/asyncio_cppConfig.cmake ${LIBDIR}/cmake/asyncio_cpp/asyncio_cppConfigVersion.cmake
    ${LIBDIR}/cmake/asyncio_cpp/asyncio_cppTargets.cmake ${LIBDIR}/pkgconfig/asyncio-cpp.pc
    ${BINDIR}/asyncio-trace ${BINDIR}/asyncio-bench
    ${DATADIR}/examples/02_superloop_async ${DATADIR}/examples/02_superloop_async.cpp
    ${DATADIR}/examples/02_superloop_async.py ${DATADIR}/examples/02_superloop_async.expected
    ${DATADIR}/examples/12_http_client ${DATADIR}/examples/http_parse.hpp
    ${DATADIR}/pytrace/asyncio_trace_recorder.py
    ${DOCDIR}/README.md ${DOCDIR}/docs/README.md ${DOCDIR}/docs/trace.md)
  if(NOT EXISTS ${staged}/${file})
    message(FATAL_ERROR "cmake --install did not install ${file}")
  endif()
endforeach()
file(GLOB library ${staged}/${LIBDIR}/libasyncio.*)
if(NOT library)
  message(FATAL_ERROR "cmake --install did not install the library into ${LIBDIR}")
endif()
file(RENAME ${staged} ${prefix})

run("asyncio-trace --version" COMMAND ${prefix}/${BINDIR}/asyncio-trace --version OUTPUT out)
if(NOT out STREQUAL "asyncio-trace ${VERSION}\n")
  message(FATAL_ERROR "asyncio-trace --version printed '${out}', expected 'asyncio-trace ${VERSION}'")
endif()

set(expected "asyncio-cpp ${VERSION} (headers ${VERSION}): 3\n")
# A shared libasyncio (BUILD_SHARED_LIBS) is found through the moved prefix.
set(run_env ${CMAKE_COMMAND} -E env "LD_LIBRARY_PATH=${prefix}/${LIBDIR}")

# ---------------------------------------------------------------- find_package
run("configuring hello/ with find_package"
    COMMAND ${CMAKE_COMMAND} -S ${HELLO} -B ${WORK}/find_package -G ${GENERATOR}
            -DCMAKE_CXX_COMPILER=${CXX} -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH=${prefix}
            -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF -DCMAKE_EXPORT_COMPILE_COMMANDS=ON)
file(STRINGS ${WORK}/find_package/CMakeCache.txt found REGEX "^asyncio_cpp_DIR:")
if(NOT found STREQUAL "asyncio_cpp_DIR:PATH=${prefix}/${LIBDIR}/cmake/asyncio_cpp")
  message(FATAL_ERROR "find_package found another asyncio_cpp: ${found}")
endif()
run("building hello/ with find_package" COMMAND ${CMAKE_COMMAND} --build ${WORK}/find_package)
# The target carries what every program on the runtime needs (C++20, stack-clash probes).
file(READ ${WORK}/find_package/compile_commands.json commands)
foreach(flag IN ITEMS "++20" "-fstack-clash-protection" " ${prefix}/${INCLUDEDIR} ")
  string(FIND "${commands}" "${flag}" at)
  if(at EQUAL -1)
    message(FATAL_ERROR "hello.cpp was compiled without ${flag} from asyncio::asyncio:\n${commands}")
  endif()
endforeach()
run("running hello (find_package)" COMMAND ${run_env} ${WORK}/find_package/hello OUTPUT out)
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "hello (find_package) printed '${out}', expected '${expected}'")
endif()

# A project asking for 0.1 is refused: before 1.0 each minor version may break the API.
file(WRITE ${WORK}/too_old/CMakeLists.txt
     "cmake_minimum_required(VERSION 3.25)\nproject(too_old LANGUAGES NONE)\nfind_package(asyncio_cpp 0.1 REQUIRED)\n")
execute_process(COMMAND ${CMAKE_COMMAND} -S ${WORK}/too_old -B ${WORK}/too_old/build -DCMAKE_PREFIX_PATH=${prefix}
                        -DCMAKE_FIND_USE_PACKAGE_REGISTRY=OFF
                RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
if(rc EQUAL 0 OR NOT err MATCHES "asyncio_cppConfig.cmake, version: ${VERSION}")
  message(FATAL_ERROR "find_package(asyncio_cpp 0.1) was not refused (exit ${rc}):\n${out}\n${err}")
endif()

# ---------------------------------------------------------------- pkg-config
find_program(PKG_CONFIG pkg-config)
if(NOT PKG_CONFIG)
  message(FATAL_ERROR "pkg-config is not installed (apt-get install pkg-config; tools/dev.sh test does)")
endif()
set(ENV{PKG_CONFIG_PATH} ${prefix}/${LIBDIR}/pkgconfig)
run("pkg-config --modversion" COMMAND ${PKG_CONFIG} --modversion asyncio-cpp OUTPUT out)
if(NOT out STREQUAL "${VERSION}\n")
  message(FATAL_ERROR "pkg-config --modversion asyncio-cpp printed '${out}', expected '${VERSION}'")
endif()
run("pkg-config --cflags" COMMAND ${PKG_CONFIG} --cflags asyncio-cpp OUTPUT out)
file(REAL_PATH ${prefix}/${INCLUDEDIR} real_include)
string(REGEX MATCH "-I([^ \n]+)" include_flag "${out}")
file(REAL_PATH "${CMAKE_MATCH_1}" real_flag)
if(NOT real_flag STREQUAL real_include)
  message(FATAL_ERROR "pkg-config --cflags asyncio-cpp does not follow the moved prefix: ${out}")
endif()
file(COPY ${HELLO}/hello.cpp ${HELLO}/build_with_pkg_config.sh DESTINATION ${WORK}/pkg_config)
run("building hello with pkg-config (hello/build_with_pkg_config.sh)"
    COMMAND sh build_with_pkg_config.sh WORKING_DIRECTORY ${WORK}/pkg_config)
run("running hello (pkg-config)" COMMAND ${run_env} ${WORK}/pkg_config/hello OUTPUT out)
if(NOT out STREQUAL expected)
  message(FATAL_ERROR "hello (pkg-config) printed '${out}', expected '${expected}'")
endif()
message(STATUS "installed into a moved prefix; hello built with find_package and with pkg-config: ${expected}")
