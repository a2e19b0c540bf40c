# common.cmake: what the package checks (check_install.cmake, check_deb.cmake, check_shared.cmake)
# share. Included first; needs -DWORK (their scratch folder).
cmake_minimum_required(VERSION 3.25)

# run(WHAT COMMAND ... [WORKING_DIRECTORY DIR] [OUTPUT VAR]): runs the command in DIR (default
# ${run_in}, which is WORK unless the check sets it); if it fails, the check fails with WHAT, the
# command line, its exit status and everything it printed. OUTPUT VAR receives its stdout.
set(run_in ${WORK})
function(run what)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "WORKING_DIRECTORY;OUTPUT" "COMMAND")
  if(NOT arg_WORKING_DIRECTORY)
    set(arg_WORKING_DIRECTORY ${run_in})
  endif()
  execute_process(COMMAND ${arg_COMMAND} WORKING_DIRECTORY ${arg_WORKING_DIRECTORY}
                  RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    list(JOIN arg_COMMAND " " shown)
    message(FATAL_ERROR "${what} failed (${rc}): ${shown}\n${out}\n${err}")
  endif()
  if(arg_OUTPUT)
    set(${arg_OUTPUT} "${out}" PARENT_SCOPE)
  endif()
endfunction()

# require_programs(PACKAGE NAME...): each NAME must be on PATH; else the check fails, naming the
# Debian package that has it (tools/dev.sh test installs them).
function(require_programs package)
  foreach(name IN LISTS ARGN)
    find_program(found_${name} ${name} NO_CACHE)
    if(NOT found_${name})
      message(FATAL_ERROR "${name} is not installed (apt-get install ${package}; tools/dev.sh test does)")
    endif()
  endforeach()
endfunction()

# outside_folder(VAR): a new, empty folder outside the build tree (under TMPDIR, else /tmp), where
# installed programs run so that nothing relative to the build tree can help them.
function(outside_folder var)
  set(tmp "$ENV{TMPDIR}")
  if(NOT tmp)
    set(tmp /tmp)
  endif()
  string(RANDOM LENGTH 10 tag)
  set(folder ${tmp}/asyncio-cpp-package-${tag})
  file(MAKE_DIRECTORY ${folder})
  set(${var} ${folder} PARENT_SCOPE)
endfunction()

# A clean environment for installed programs: no variable pointing at examples, a recorder or
# libraries elsewhere, and a PATH of the system's folders only (clean_env PATH_FIRST...: a
# command prefix; the folders given come first on PATH).
function(clean_env var)
  list(JOIN ARGN ":" first)
  if(first)
    string(APPEND first ":")
  endif()
  set(${var} ${CMAKE_COMMAND} -E env --unset=ASYNCIO_EXAMPLES_DIR --unset=ASYNCIO_TRACE_RECORDER
             --unset=LD_LIBRARY_PATH --unset=PYTHONPATH PATH=${first}/usr/bin:/bin PARENT_SCOPE)
endfunction()

if(NOT WORK)
  message(FATAL_ERROR "-DWORK=FOLDER is required")
endif()
file(REMOVE_RECURSE ${WORK})
file(MAKE_DIRECTORY ${WORK})
