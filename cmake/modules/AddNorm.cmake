# Helpers for norm's libraries and tools, in the manner of upstream's
# AddMLIR.cmake (and CIRCT's AddCIRCT.cmake): everything norm installs goes
# into its own export set, NormTargets, which NormConfig.cmake loads for
# projects that call find_package(Norm).

include_guard(GLOBAL)

# Installs `name` (a library or a tool) and adds it to the NormTargets export
# set; libraries get the installed include/ as their include directory.
function(norm_install name)
  get_target_property(type ${name} TYPE)
  set(includes)
  if(NOT type STREQUAL "EXECUTABLE")
    set(includes INCLUDES DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
  endif()
  install(TARGETS ${name}
    EXPORT NormTargets
    ARCHIVE DESTINATION lib${LLVM_LIBDIR_SUFFIX}
    LIBRARY DESTINATION lib${LLVM_LIBDIR_SUFFIX}
    RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR}
    ${includes})
  if(type STREQUAL "EXECUTABLE")
    # add_llvm_executable's install RPATH is $ORIGIN/../lib alone, which
    # suits LLVM's own tools; ours load libMLIR.so and libLLVM.so from the
    # LLVM that norm was built against.
    set_property(TARGET ${name} APPEND PROPERTY INSTALL_RPATH
                 "${LLVM_LIBRARY_DIR}")
  elseif(NORM_SANITIZE_LINK_FLAGS)
    # Code built with sanitizers needs their runtimes wherever it is linked.
    target_link_options(${name} INTERFACE
      "$<INSTALL_INTERFACE:${NORM_SANITIZE_LINK_FLAGS}>")
  endif()
endfunction()

# add_norm_library(name sources... [DEPENDS ...] [LINK_LIBS ...]): an
# add_mlir_library whose library is installed into NormTargets rather than
# into MLIR's export set (add_mlir_library's default).
function(add_norm_library name)
  add_mlir_library(${name} DISABLE_INSTALL ${ARGN})
  norm_install(${name})
endfunction()

# add_norm_tool(name sources...): an executable linked like the other tools,
# installed into bin/.
function(add_norm_tool name)
  add_llvm_executable(${name} ${ARGN})
  llvm_update_compile_flags(${name})
  norm_install(${name})
endfunction()
