# Runs PROGRAM (with SCRIPT as its one argument when given, e.g. python3 NN_name.py) and fails
# unless its stdout equals the file EXPECTED byte for byte. ATTEMPTS (default 1) runs it again
# after a mismatch: an example on real time can lose its order when a loaded machine stalls the
# process longer than the gap between two of its events (docs/02-superloop.md).
if(NOT ATTEMPTS)
  set(ATTEMPTS 1)
endif()
file(READ ${EXPECTED} expected)
foreach(attempt RANGE 1 ${ATTEMPTS})
  execute_process(COMMAND ${PROGRAM} ${SCRIPT} OUTPUT_VARIABLE actual RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "${PROGRAM} exited with status ${rc}")
  endif()
  if(actual STREQUAL expected)
    return()
  endif()
  message(STATUS "attempt ${attempt} of ${ATTEMPTS}: output differs from ${EXPECTED}")
endforeach()
message(FATAL_ERROR "output differs from ${EXPECTED}\n--- expected\n${expected}\n--- actual\n${actual}")
