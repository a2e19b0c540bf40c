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
if(NOT actual STREQUAL expected)
  execute_process(COMMAND diff -u ${GOLDEN} ${actual_file} OUTPUT_VARIABLE diff)
  message(FATAL_ERROR "trace differs from ${GOLDEN}:\n${diff}")
endif()
