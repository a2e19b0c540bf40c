# tools/package/install.cmake: using asyncio-cpp from another project (issue 18), included by the
# top-level CMakeLists.txt after the library and before the examples and tools.
# `cmake --install` puts the headers, the library (static, or shared with BUILD_SHARED_LIBS) and
# the docs where GNUInstallDirs says; examples/ and tools/ install their own programs into
# ASYNCIO_INSTALL_DATADIR. Exports the CMake package asyncio_cpp (asyncio::asyncio), writes
# asyncio-cpp.pc, sets up `cpack -G DEB`. Tested by tests/package/. Course: README.md

include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

# Debian's spelling of the name (no '_'), used for the package, the docs and the data folder;
# the CMake package keeps the project's name, asyncio_cpp.
set(ASYNCIO_PACKAGE_NAME asyncio-cpp)
if("$CACHE{CMAKE_INSTALL_DOCDIR}" STREQUAL "")
  set(CMAKE_INSTALL_DOCDIR "${CMAKE_INSTALL_DATAROOTDIR}/doc/${ASYNCIO_PACKAGE_NAME}")
  GNUInstallDirs_get_absolute_install_dir(CMAKE_INSTALL_FULL_DOCDIR CMAKE_INSTALL_DOCDIR DOCDIR)
endif()
# The examples (built and source) and the Python recorder. An installed asyncio-trace finds them
# from its own folder through ASYNCIO_DATA_FROM_BINDIR (tools/trace/program.cpp), so the installed
# tree can move (dpkg -x, a copied prefix) and never reads the build tree.
set(ASYNCIO_INSTALL_DATADIR "${CMAKE_INSTALL_DATADIR}/${ASYNCIO_PACKAGE_NAME}")
file(RELATIVE_PATH ASYNCIO_DATA_FROM_BINDIR "${CMAKE_INSTALL_FULL_BINDIR}"
     "${CMAKE_INSTALL_FULL_DATADIR}/${ASYNCIO_PACKAGE_NAME}")
set(ASYNCIO_CMAKE_PACKAGE_DIR "${CMAKE_INSTALL_LIBDIR}/cmake/asyncio_cpp")

# With BUILD_SHARED_LIBS, an installed program finds libasyncio.so relative to itself (a RUNPATH
# $ORIGIN/../lib for bin/), so an installed prefix can move (package.shared checks it).
function(asyncio_install_rpath target destination)
  if(BUILD_SHARED_LIBS)
    file(RELATIVE_PATH to_lib "${CMAKE_INSTALL_PREFIX}/${destination}" "${CMAKE_INSTALL_FULL_LIBDIR}")
    set_target_properties(${target} PROPERTIES INSTALL_RPATH "$ORIGIN/${to_lib}")
  endif()
endfunction()

# ---------------------------------------------------------------- the version header
set(ASYNCIO_GENERATED_INCLUDE_DIR "${PROJECT_BINARY_DIR}/generated/include")
configure_file(runtime/asyncio/version.hpp.in "${ASYNCIO_GENERATED_INCLUDE_DIR}/asyncio/version.hpp" @ONLY)

# ---------------------------------------------------------------- the library and its headers
# What a program built on the runtime needs beyond its include path and libraries (C++20,
# -fstack-clash-protection, set in CMakeLists.txt) travels with the target as INTERFACE usage.
target_compile_features(asyncio PUBLIC cxx_std_20)
target_include_directories(asyncio PUBLIC
  $<BUILD_INTERFACE:${ASYNCIO_GENERATED_INCLUDE_DIR}>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}>)
# The SOVERSION rule: a shared libasyncio is libasyncio.so.MAJOR.MINOR.PATCH with the SONAME
# libasyncio.so.MAJOR.MINOR. Before 1.0 a minor release may break the ABI, as it may the API
# (find_package's SameMinorVersion below): programs linked with 0.2 then refuse to load a 0.3
# library instead of crashing in it. Tested by package.shared (tests/package/check_shared.cmake).
set_target_properties(asyncio PROPERTIES
  EXPORT_NAME asyncio
  VERSION ${PROJECT_VERSION}
  SOVERSION ${PROJECT_VERSION_MAJOR}.${PROJECT_VERSION_MINOR})

install(TARGETS asyncio EXPORT asyncio_cppTargets
  ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
  LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
  RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY runtime/asyncio DESTINATION ${CMAKE_INSTALL_INCLUDEDIR} FILES_MATCHING PATTERN "*.hpp")
install(FILES "${ASYNCIO_GENERATED_INCLUDE_DIR}/asyncio/version.hpp"
        DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/asyncio)

# ---------------------------------------------------------------- find_package(asyncio_cpp)
install(EXPORT asyncio_cppTargets NAMESPACE asyncio:: DESTINATION ${ASYNCIO_CMAKE_PACKAGE_DIR})
configure_package_config_file(tools/package/asyncio_cppConfig.cmake.in
  "${PROJECT_BINARY_DIR}/package/asyncio_cppConfig.cmake"
  INSTALL_DESTINATION ${ASYNCIO_CMAKE_PACKAGE_DIR})
# 0.2.x satisfies find_package(asyncio_cpp 0.2): before 1.0 a minor release may break the API.
write_basic_package_version_file("${PROJECT_BINARY_DIR}/package/asyncio_cppConfigVersion.cmake"
  VERSION ${PROJECT_VERSION} COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/package/asyncio_cppConfig.cmake"
              "${PROJECT_BINARY_DIR}/package/asyncio_cppConfigVersion.cmake"
        DESTINATION ${ASYNCIO_CMAKE_PACKAGE_DIR})

# ---------------------------------------------------------------- pkg-config: asyncio-cpp.pc
# The prefix is found from the .pc file's own folder, so a moved prefix still works. Debian ships
# no .pc for Boost, so Libs names -lboost_context and -pthread itself.
set(ASYNCIO_PC_DIR "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
if(IS_ABSOLUTE "${CMAKE_INSTALL_LIBDIR}")
  set(ASYNCIO_PC_PREFIX "${CMAKE_INSTALL_PREFIX}")
else()
  file(RELATIVE_PATH up "/prefix/${ASYNCIO_PC_DIR}" "/prefix")
  string(REGEX REPLACE "/$" "" up "${up}")
  set(ASYNCIO_PC_PREFIX "\${pcfiledir}/${up}")
endif()
foreach(dir IN ITEMS LIBDIR INCLUDEDIR)
  if(IS_ABSOLUTE "${CMAKE_INSTALL_${dir}}")
    set(ASYNCIO_PC_${dir} "${CMAKE_INSTALL_${dir}}")
  else()
    set(ASYNCIO_PC_${dir} "\${prefix}/${CMAKE_INSTALL_${dir}}")
  endif()
endforeach()
set(ASYNCIO_PC_CFLAGS "-std=c++20")
if(CMAKE_CXX_COMPILER_ID MATCHES "GNU|Clang")
  string(APPEND ASYNCIO_PC_CFLAGS " -fstack-clash-protection")
endif()
if(NOT ASYNCIO_TRACE_HOOKS)
  string(APPEND ASYNCIO_PC_CFLAGS " -DASYNCIO_NO_TRACE_HOOKS=1")
endif()
if(ASYNCIO_SANITIZE)
  string(APPEND ASYNCIO_PC_CFLAGS " -DASYNCIO_SANITIZE=1")
endif()
configure_file(tools/package/asyncio-cpp.pc.in "${PROJECT_BINARY_DIR}/package/asyncio-cpp.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/package/asyncio-cpp.pc" DESTINATION ${ASYNCIO_PC_DIR})

# ---------------------------------------------------------------- the docs
install(FILES README.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}/docs)

# ---------------------------------------------------------------- cpack -G DEB
# A placeholder until the project has a maintainer to name: whoever builds a package to hand out
# sets theirs with -DASYNCIO_PACKAGE_CONTACT="Name <address>" (README.md says so). There is no
# copyright file either: the project states no licence yet.
set(ASYNCIO_PACKAGE_CONTACT "asyncio-cpp maintainers <maintainers@asyncio-cpp.invalid>"
    CACHE STRING "The Maintainer field of the Debian package")
set(CPACK_PACKAGE_NAME ${ASYNCIO_PACKAGE_NAME})
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "asyncio-cpp")
set(CPACK_PACKAGE_CONTACT "${ASYNCIO_PACKAGE_CONTACT}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "CPython's asyncio rebuilt in C++20 on stackful fibers, with a loop tracer")
set(CPACK_PACKAGE_DESCRIPTION
    "The asyncio-cpp runtime (headers, library, CMake package, pkg-config file), asyncio-trace,\
 which prints every pass of a program's event loop, asyncio-bench, the course's examples\
 (built and source) and the course itself.")
set(CPACK_GENERATOR DEB)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
# The programs' shared libraries (libc6, libstdc++6, libboost-context1.74.0, ...) come from
# dpkg-shlibdeps; the headers' users also need Boost.Context's headers and a C++20 compiler.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libboost-context-dev (>= 1.74), g++ (>= 4:12)")
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "cmake (>= 3.25), pkg-config")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3 (>= 3.11)")  # asyncio-trace PROGRAM.py
set(CPACK_SOURCE_GENERATOR TGZ)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/" "/build/")
include(CPack)
