# Runs asyncio-trace (TOOL) with ARGS (a ;-list) writing its trace to a file, and fails unless
# the file equals GOLDEN byte for byte and the exit status equals STATUS (default 0).
# To regenerate a golden file after a deliberate change: cmake -DUPDATE=ON ... -P check_trace.cmake
# (or run the same asyncio-trace command by hand with -o GOLDEN).
if(NOT DEFINED STATUS)
  set(STATUS 0)
endif()
set(actual_file ${OUT_DIR}/${NAME}.actual)
execute_process(COMMAND ${TOOL} -o ${actual_file} ${ARGS}
                RESULT_VARIABLE rc OUTPUT_QUIET ERROR_VARIABLE err)
if(NOT rc STREQUAL STATUS)
  message(FATAL_ERROR "asyncio-trace ${ARGS} exited with ${rc}, expected ${STATUS}\n${err}")
endif()
if(UPDATE)
  file(COPY_FILE ${actual_file} ${GOLDEN})
endif()
file(READ ${GOLDEN} expected)
file(READ ${actual_file} actual)
# A JSON Lines stream's callback_end carries the callback's real duration (format v2), which
# differs each run even on the virtual clock: compared as R.
string(REGEX REPLACE "\"real\":[0-9.]+" "\"real\":R" expected "${expected}")
string(REGEX REPLACE "\"real\":[0-9.]+" "\"real\":R" actual "${actual}")
if(NOT actual STREQUAL expected)
  execute_process(COMMAND diff -u ${GOLDEN} ${actual_file} OUTPUT_VARIABLE diff)
  message(FATAL_ERROR "trace differs from ${GOLDEN}:\n${diff}")
endif()
