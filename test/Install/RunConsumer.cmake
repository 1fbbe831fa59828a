# The install-consumer test (CMakeLists.txt): cmake -D... -P RunConsumer.cmake.
# Each step starts from scratch, so that nothing of an earlier run (a header
# or library no longer installed, a stale consumer build) hides a failure.

function(run)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    list(JOIN ARGN " " command)
    message(FATAL_ERROR "install-consumer: `${command}` failed: ${rc}")
  endif()
endfunction()

set(prefix ${WORK_DIR}/prefix)
set(build ${WORK_DIR}/build)
file(REMOVE_RECURSE ${WORK_DIR})

message(STATUS "install-consumer: installing ${NORM_BINARY_DIR} into ${prefix}")
run(${CMAKE_COMMAND} --install ${NORM_BINARY_DIR} --prefix ${prefix})

message(STATUS "install-consumer: building ${CONSUMER_SOURCE_DIR}")
set(launcher)
if(CXX_COMPILER_LAUNCHER)
  set(launcher -DCMAKE_CXX_COMPILER_LAUNCHER=${CXX_COMPILER_LAUNCHER})
endif()
run(${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${build} -G ${GENERATOR}
  -DCMAKE_BUILD_TYPE=Release
  -DCMAKE_C_COMPILER=${C_COMPILER} -DCMAKE_CXX_COMPILER=${CXX_COMPILER}
  ${launcher}
  -DCMAKE_PREFIX_PATH=${prefix} -DMLIR_DIR=${MLIR_DIR})
run(${CMAKE_COMMAND} --build ${build})

# The consumer's tool, and the installed norm-opt (it finds its libraries).
set(input ${CONSUMER_SOURCE_DIR}/rms-norm.mlir)
foreach(tool ${build}/bin/consumer-opt ${prefix}/bin/norm-opt)
  message(STATUS "install-consumer: ${tool} --norm-lower-to-cpu")
  execute_process(
    COMMAND ${tool} ${input} --norm-lower-to-cpu
    COMMAND ${FILECHECK} ${input}
    RESULTS_VARIABLE results)
  if(NOT results MATCHES "^0;0$")
    message(FATAL_ERROR "install-consumer: ${tool} | FileCheck: ${results}")
  endif()
endforeach()
