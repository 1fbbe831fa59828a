//===- Device.cpp - The GPU runtime, when the build has one ---------------===//

#include "norm/ExecutionEngine/Device.h"

#include "llvm/Support/ErrorHandling.h"

#ifdef NORM_HAS_CUDA_RUNTIME
#include "norm/Runtime/CudaRuntime.h"

bool norm::device::isBuiltIn() { return true; }

llvm::Error norm::device::checkAvailable() {
  char reason[512] = {0};
  if (normCudaIsAvailable(reason, sizeof(reason)))
    return llvm::Error::success();
  return llvm::createStringError(
      llvm::Twine("no usable CUDA device for the GPU target: ") + reason);
}

std::string norm::device::getName() { return normCudaDeviceName(); }

void *norm::device::allocate(size_t bytes) { return normCudaMalloc(bytes); }

void norm::device::free(void *data) { normCudaFree(data); }

void norm::device::copyToDevice(void *device, const void *host, size_t bytes) {
  normCudaMemcpyHtoD(device, host, bytes);
}

void norm::device::copyToHost(void *host, const void *device, size_t bytes) {
  normCudaMemcpyDtoH(host, device, bytes);
}

void norm::device::copyOnDevice(void *destination, const void *source,
                                size_t bytes) {
  normCudaMemcpyDtoD(destination, source, bytes);
}

void norm::device::synchronize() { normCudaSynchronize(); }

float norm::device::timeOnDevice(llvm::function_ref<void()> work) {
  void *start = normCudaEventCreate(), *end = normCudaEventCreate();
  normCudaEventRecord(start, nullptr);
  work();
  normCudaEventRecord(end, nullptr);
  float ms = normCudaEventElapsedMs(start, end);
  normCudaEventDestroy(start);
  normCudaEventDestroy(end);
  return ms;
}

#else

bool norm::device::isBuiltIn() { return false; }

llvm::Error norm::device::checkAvailable() {
  return llvm::createStringError(
      "the GPU target needs norm's CUDA runtime, which this build lacks (no "
      "CUDA toolkit was found when it was configured)");
}

std::string norm::device::getName() { return "unavailable"; }

[[noreturn]] static void noRuntime() {
  llvm::report_fatal_error("norm was built without its CUDA runtime");
}

void *norm::device::allocate(size_t) { noRuntime(); }
void norm::device::free(void *) { noRuntime(); }
void norm::device::copyToDevice(void *, const void *, size_t) { noRuntime(); }
void norm::device::copyToHost(void *, const void *, size_t) { noRuntime(); }
void norm::device::copyOnDevice(void *, const void *, size_t) { noRuntime(); }
void norm::device::synchronize() { noRuntime(); }
float norm::device::timeOnDevice(llvm::function_ref<void()>) { noRuntime(); }

#endif
