//===- CudaRuntimeWrappers.cpp - mgpu* functions on the CUDA driver API --===//
//
// The host code that MLIR's gpu-to-llvm lowering and the SelectObjectAttr
// offloading handler emit calls mgpu* functions. Upstream implements them in
// libmlir_cuda_runtime, which Debian's MLIR packages do not ship; this is
// norm's own implementation, with the ABI of MLIR 22:
//
//   mgpuModuleLoad(void *blob, size_t size)       cubin or fatbin
//   mgpuModuleLoadJIT(void *ptx, int optLevel)    PTX, for the driver JIT
//   mgpuLaunchKernel(f, gx, gy, gz, bx, by, bz, i32 smem, stream, params,
//                    extra, size_t paramsCount)
//   mgpuMemAlloc(u64 size, stream, bool hostShared), ...
//
// plus the small C API of norm/Runtime/CudaRuntime.h for norm-runner.
//
// Design:
//  - libcuda is opened with dlopen on first use rather than linked, so that
//    the library (and norm-runner, which links it) loads on machines without
//    an NVIDIA driver; there the first mgpu* call prints "no CUDA
//    driver/device available: ..." and exits with status 1.
//  - The default device's primary context is retained once and made current
//    on whichever thread calls in: the JIT may run code on several threads.
//  - Every driver call is checked. The generated code has no error path, so
//    failures that would leave it computing garbage (loads, allocations,
//    launches, copies, synchronisation) abort with the call, the error name
//    and its description; failures in cleanup are reported and ignored.
//  - Streams are created blocking (not CU_STREAM_NON_BLOCKING as upstream
//    does) so that they order with the legacy default stream: events that
//    norm-runner records on the null stream then bracket the generated
//    kernels, and synchronous copies see their results.
//  - Streams and events are recycled, and device memory comes from the
//    stream-ordered allocator where the device supports it: the generated
//    code creates and destroys these on every call, and cuMemAlloc/cuMemFree
//    (which synchronises) would otherwise dominate short kernels' timings.
//
//===----------------------------------------------------------------------===//

#include "norm/Runtime/CudaRuntime.h"

#include "mlir/ExecutionEngine/CRunnerUtils.h"

#include <cuda.h>

#include <algorithm>
#include <atomic>
#include <climits>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include <dlfcn.h>

#if CUDA_VERSION < 12000
#error "norm_cuda_runtime needs the headers of CUDA 12.0 or newer"
#endif

#define NORM_CUDA_EXPORT extern "C" __attribute__((visibility("default")))

namespace {

//===----------------------------------------------------------------------===//
// Driver entry points, resolved with dlsym
//===----------------------------------------------------------------------===//

// cuda.h #defines several API names to versioned symbols (cuMemAlloc ->
// cuMemAlloc_v2); expanding before stringifying picks the symbol that a
// direct link against libcuda would use.
#define NORM_CUDA_STRINGIFY_IMPL(x) #x
#define NORM_CUDA_STRINGIFY(x) NORM_CUDA_STRINGIFY_IMPL(x)

#define NORM_CUDA_REQUIRED_FUNCTIONS(X)                                        \
  X(cuInit)                                                                    \
  X(cuDriverGetVersion)                                                        \
  X(cuGetErrorName)                                                            \
  X(cuGetErrorString)                                                          \
  X(cuDeviceGetCount)                                                          \
  X(cuDeviceGet)                                                               \
  X(cuDeviceGetName)                                                           \
  X(cuDeviceGetAttribute)                                                      \
  X(cuDevicePrimaryCtxRetain)                                                  \
  X(cuCtxGetCurrent)                                                           \
  X(cuCtxSetCurrent)                                                           \
  X(cuCtxSynchronize)                                                          \
  X(cuModuleLoadDataEx)                                                        \
  X(cuModuleUnload)                                                            \
  X(cuModuleGetFunction)                                                       \
  X(cuFuncSetAttribute)                                                        \
  X(cuLaunchKernel)                                                            \
  X(cuStreamCreate)                                                            \
  X(cuStreamDestroy)                                                           \
  X(cuStreamSynchronize)                                                       \
  X(cuStreamWaitEvent)                                                         \
  X(cuEventCreate)                                                             \
  X(cuEventDestroy)                                                            \
  X(cuEventSynchronize)                                                        \
  X(cuEventRecord)                                                             \
  X(cuMemAlloc)                                                                \
  X(cuMemAllocManaged)                                                         \
  X(cuMemFree)                                                                 \
  X(cuMemcpyAsync)                                                             \
  X(cuMemcpyHtoD)                                                              \
  X(cuMemcpyDtoH)                                                              \
  X(cuMemcpyDtoDAsync)                                                         \
  X(cuMemsetD32Async)                                                          \
  X(cuMemsetD16Async)                                                          \
  X(cuMemHostRegister)                                                         \
  X(cuMemHostUnregister)

// Absent from older drivers; checked where used.
#define NORM_CUDA_OPTIONAL_FUNCTIONS(X)                                        \
  X(cuMemAllocAsync)                                                           \
  X(cuMemFreeAsync)                                                            \
  X(cuDeviceGetDefaultMemPool)                                                 \
  X(cuMemPoolSetAttribute)                                                     \
  X(cuLaunchKernelEx)

struct DriverApi {
#define NORM_CUDA_DECLARE(fn) decltype(&::fn) fn = nullptr;
  NORM_CUDA_REQUIRED_FUNCTIONS(NORM_CUDA_DECLARE)
  NORM_CUDA_OPTIONAL_FUNCTIONS(NORM_CUDA_DECLARE)
#undef NORM_CUDA_DECLARE
  // CUDA 13's cuda.h maps cuEventElapsedTime to cuEventElapsedTime_v2, which
  // drivers before 12.8 lack; both have the same signature.
  CUresult (*cuEventElapsedTime)(float *, CUevent, CUevent) = nullptr;

  /// Why the driver library cannot be used; empty if it loaded.
  std::string error;
  CUresult initResult = CUDA_ERROR_NOT_INITIALIZED;
  int driverVersion = 0;
};

std::string dlopenLibcuda(void *&handle) {
  std::vector<std::string> candidates;
  if (const char *path = std::getenv("NORM_CUDA_DRIVER_LIBRARY"))
    candidates.push_back(path);
  // libcuda.so.1 is what the driver installs; plain libcuda.so also finds
  // the toolkit's stub when LD_LIBRARY_PATH points at it.
  candidates.push_back("libcuda.so.1");
  candidates.push_back("libcuda.so");
  std::string errors;
  for (const std::string &name : candidates) {
    handle = dlopen(name.c_str(), RTLD_NOW | RTLD_LOCAL);
    if (handle)
      return {};
    const char *why = dlerror();
    errors += (errors.empty() ? "" : "; ") + std::string(why ? why : name);
  }
  return "cannot load the CUDA driver library: " + errors;
}

DriverApi &driver() {
  static DriverApi api;
  static std::once_flag once;
  std::call_once(once, [] {
    void *handle = nullptr;
    api.error = dlopenLibcuda(handle);
    if (!api.error.empty())
      return;
    std::string missing;
#define NORM_CUDA_RESOLVE_REQUIRED(fn)                                         \
  api.fn = reinterpret_cast<decltype(api.fn)>(                                 \
      dlsym(handle, NORM_CUDA_STRINGIFY(fn)));                                 \
  if (!api.fn)                                                                 \
    missing +=                                                                 \
        std::string(missing.empty() ? "" : ", ") + NORM_CUDA_STRINGIFY(fn);
#define NORM_CUDA_RESOLVE_OPTIONAL(fn)                                         \
  api.fn = reinterpret_cast<decltype(api.fn)>(                                 \
      dlsym(handle, NORM_CUDA_STRINGIFY(fn)));
    NORM_CUDA_REQUIRED_FUNCTIONS(NORM_CUDA_RESOLVE_REQUIRED)
    NORM_CUDA_OPTIONAL_FUNCTIONS(NORM_CUDA_RESOLVE_OPTIONAL)
#undef NORM_CUDA_RESOLVE_REQUIRED
#undef NORM_CUDA_RESOLVE_OPTIONAL
    for (const char *name : {"cuEventElapsedTime_v2", "cuEventElapsedTime"})
      if (!api.cuEventElapsedTime)
        api.cuEventElapsedTime =
            reinterpret_cast<decltype(api.cuEventElapsedTime)>(
                dlsym(handle, name));
    if (!api.cuEventElapsedTime)
      missing +=
          std::string(missing.empty() ? "" : ", ") + "cuEventElapsedTime";
    if (!missing.empty()) {
      api.error =
          "the CUDA driver library lacks " + missing + " (driver too old?)";
      return;
    }
    if (api.cuDriverGetVersion(&api.driverVersion) != CUDA_SUCCESS)
      api.driverVersion = 0;
    // Described by the caller: describe() needs driver() to have returned.
    api.initResult = api.cuInit(/*Flags=*/0);
  });
  return api;
}

//===----------------------------------------------------------------------===//
// Error reporting
//===----------------------------------------------------------------------===//

constexpr const char *kPrefix = "norm-cuda-runtime: ";

/// Names for the errors of a driver that cannot describe them itself (the
/// toolkit's stub libcuda, a broken installation).
std::pair<const char *, const char *> fallbackDescription(CUresult result) {
  switch (result) {
  case CUDA_ERROR_STUB_LIBRARY:
    return {"CUDA_ERROR_STUB_LIBRARY",
            "libcuda is the CUDA toolkit's stub, not an NVIDIA driver"};
  case CUDA_ERROR_NO_DEVICE:
    return {"CUDA_ERROR_NO_DEVICE", "no CUDA-capable device is detected"};
  case CUDA_ERROR_SYSTEM_DRIVER_MISMATCH:
    return {"CUDA_ERROR_SYSTEM_DRIVER_MISMATCH",
            "the driver library and the kernel driver versions differ"};
  case CUDA_ERROR_NOT_INITIALIZED:
    return {"CUDA_ERROR_NOT_INITIALIZED", "cuInit has not succeeded"};
  default:
    return {nullptr, nullptr};
  }
}

/// "CUDA_ERROR_X (description)"; works even when cuInit failed.
std::string describe(CUresult result) {
  DriverApi &api = driver();
  const char *name = nullptr, *text = nullptr;
  if (!api.cuGetErrorName || api.cuGetErrorName(result, &name) != CUDA_SUCCESS)
    name = fallbackDescription(result).first;
  if (!api.cuGetErrorString ||
      api.cuGetErrorString(result, &text) != CUDA_SUCCESS)
    text = fallbackDescription(result).second;
  std::string described =
      name ? name : "CUresult " + std::to_string(static_cast<int>(result));
  if (text)
    described += std::string(" (") + text + ")";
  return described;
}

/// Prints "<call> failed: <error>" and, when `detailFmt` is given, the
/// printf-formatted detail after it.
void vreportFailure(CUresult result, const char *call, const char *detailFmt,
                    va_list args) {
  std::fprintf(stderr, "%s%s failed: %s", kPrefix, call,
               describe(result).c_str());
  if (detailFmt) {
    std::fputs(" ", stderr);
    std::vfprintf(stderr, detailFmt, args);
  }
  std::fputc('\n', stderr);
  std::fflush(stderr);
}

/// Reports a failed call and continues; returns true on success.
__attribute__((format(printf, 3, 4))) bool
reportIfFailed(CUresult result, const char *call,
               const char *detailFmt = nullptr, ...) {
  if (result == CUDA_SUCCESS)
    return true;
  va_list args;
  va_start(args, detailFmt);
  vreportFailure(result, call, detailFmt, args);
  va_end(args);
  return false;
}

/// Reports a failed call and aborts: the caller cannot go on without it.
__attribute__((format(printf, 3, 4))) void
checkOrAbort(CUresult result, const char *call, const char *detailFmt = nullptr,
             ...) {
  if (result == CUDA_SUCCESS)
    return;
  va_list args;
  va_start(args, detailFmt);
  vreportFailure(result, call, detailFmt, args);
  va_end(args);
  std::fflush(nullptr);
  std::abort();
}

[[noreturn]] __attribute__((format(printf, 1, 2))) void fatal(const char *fmt,
                                                              ...) {
  std::fputs(kPrefix, stderr);
  va_list args;
  va_start(args, fmt);
  std::vfprintf(stderr, fmt, args);
  va_end(args);
  std::fputc('\n', stderr);
  std::fflush(nullptr);
  std::abort();
}

// `fn` is spelled as in cuda.h: the member access expands to the versioned
// symbol, the message keeps the documented name.
#define CU_CHECK(fn, ...) checkOrAbort(driver().fn(__VA_ARGS__), #fn)
#define CU_CHECK_DETAIL(fn, args, ...)                                         \
  checkOrAbort(driver().fn args, #fn, __VA_ARGS__)
#define CU_REPORT(fn, ...) reportIfFailed(driver().fn(__VA_ARGS__), #fn)

//===----------------------------------------------------------------------===//
// Devices and contexts
//===----------------------------------------------------------------------===//

struct DeviceState {
  int ordinal = 0;
  /// Null when the device cannot be used; `error` says why.
  CUcontext context = nullptr;
  std::string error;
  CUdevice device = 0;
  char name[256] = "unavailable";
  /// Whether cuMemAllocAsync/cuMemFreeAsync serve mgpuMemAlloc/mgpuMemFree.
  bool streamOrderedAlloc = false;
};

// Process-wide rather than thread_local as upstream: the JIT may run the
// generated code on threads other than the one that chose the device.
std::atomic<int> defaultDeviceOrdinal{0};

std::string describeFailure(const char *call, CUresult result) {
  return std::string(call) + " failed: " + describe(result);
}

void initDevice(DeviceState &state) {
  DriverApi &api = driver();
  if (!api.error.empty()) {
    state.error = api.error;
    return;
  }
  if (api.initResult != CUDA_SUCCESS) {
    state.error = describeFailure("cuInit", api.initResult);
    return;
  }
  int count = 0;
  if (CUresult result = api.cuDeviceGetCount(&count)) {
    state.error = describeFailure("cuDeviceGetCount", result);
    return;
  }
  if (count == 0) {
    state.error = "the driver reports no CUDA device";
    return;
  }
  if (state.ordinal < 0 || state.ordinal >= count) {
    state.error = "device " + std::to_string(state.ordinal) +
                  " requested, but there are only " + std::to_string(count);
    return;
  }
  if (CUresult result = api.cuDeviceGet(&state.device, state.ordinal)) {
    state.error = describeFailure("cuDeviceGet", result);
    return;
  }
  // The primary context is the one the CUDA runtime API shares; retaining it
  // (rather than creating our own) lets other CUDA users in the process see
  // our allocations.
  CUcontext context = nullptr;
  if (CUresult result = api.cuDevicePrimaryCtxRetain(&context, state.device)) {
    state.error = describeFailure("cuDevicePrimaryCtxRetain", result);
    return;
  }
  if (!reportIfFailed(
          api.cuDeviceGetName(state.name, sizeof(state.name), state.device),
          "cuDeviceGetName"))
    std::snprintf(state.name, sizeof(state.name), "CUDA device %d",
                  state.ordinal);

  int poolsSupported = 0;
  if (api.cuMemAllocAsync && api.cuMemFreeAsync &&
      reportIfFailed(
          api.cuDeviceGetAttribute(&poolsSupported,
                                   CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED,
                                   state.device),
          "cuDeviceGetAttribute",
          "(CU_DEVICE_ATTRIBUTE_MEMORY_POOLS_SUPPORTED)") &&
      poolsSupported) {
    state.streamOrderedAlloc = true;
    // By default the pool returns memory to the OS at every synchronisation,
    // which would make each call's allocations as slow as cuMemAlloc again.
    CUmemoryPool pool = nullptr;
    if (api.cuDeviceGetDefaultMemPool && api.cuMemPoolSetAttribute &&
        reportIfFailed(api.cuDeviceGetDefaultMemPool(&pool, state.device),
                       "cuDeviceGetDefaultMemPool")) {
      cuuint64_t threshold = UINT64_MAX;
      reportIfFailed(api.cuMemPoolSetAttribute(
                         pool, CU_MEMPOOL_ATTR_RELEASE_THRESHOLD, &threshold),
                     "cuMemPoolSetAttribute",
                     "(CU_MEMPOOL_ATTR_RELEASE_THRESHOLD)");
    }
  }
  state.context = context;
}

/// The state of device `ordinal`, initialised on first request; never null,
/// and stable for the life of the process.
const DeviceState *getDeviceState(int ordinal) {
  static std::mutex mutex;
  static std::map<int, std::unique_ptr<DeviceState>> devices;
  std::lock_guard<std::mutex> lock(mutex);
  std::unique_ptr<DeviceState> &slot = devices[ordinal];
  if (!slot) {
    slot = std::make_unique<DeviceState>();
    slot->ordinal = ordinal;
    initDevice(*slot);
  }
  return slot.get();
}

const DeviceState *getDefaultDeviceState() {
  int ordinal = defaultDeviceOrdinal.load(std::memory_order_relaxed);
  // Avoids the lock on the hot path: states are never destroyed.
  thread_local const DeviceState *cached = nullptr;
  if (!cached || cached->ordinal != ordinal)
    cached = getDeviceState(ordinal);
  return cached;
}

[[noreturn]] void exitNoDevice(const std::string &reason) {
  std::fprintf(stderr, "%sno CUDA driver/device available: %s\n", kPrefix,
               reason.c_str());
  std::fflush(nullptr);
  // _Exit: this may run inside a global constructor of JIT-compiled code or
  // on a JIT worker thread, where running static destructors is unsafe.
  std::_Exit(1);
}

/// The default device, with its primary context current on this thread.
/// Exits the process when there is none.
const DeviceState &requireDevice() {
  const DeviceState *state = getDefaultDeviceState();
  if (!state->context)
    exitNoDevice(state->error);
  CUcontext current = nullptr;
  CU_CHECK(cuCtxGetCurrent, &current);
  if (current != state->context)
    CU_CHECK(cuCtxSetCurrent, state->context);
  return *state;
}

//===----------------------------------------------------------------------===//
// Recycling of streams, events and stream-ordered allocations
//===----------------------------------------------------------------------===//

/// Keeps up to kCapacity released handles per context for reuse. Handles are
/// filed under the default device's context when released: norm picks the
/// device once, before any stream or event exists.
template <typename Handle> class HandlePool {
public:
  Handle take(CUcontext context) {
    std::lock_guard<std::mutex> lock(mutex);
    for (auto it = free.rbegin(); it != free.rend(); ++it) {
      if (it->first != context)
        continue;
      Handle handle = it->second;
      free.erase(std::next(it).base());
      return handle;
    }
    return nullptr;
  }
  /// Returns false when the pool is full and the caller must destroy it.
  bool give(CUcontext context, Handle handle) {
    std::lock_guard<std::mutex> lock(mutex);
    if (free.size() >= kCapacity)
      return false;
    free.emplace_back(context, handle);
    return true;
  }

private:
  static constexpr size_t kCapacity = 64;
  std::mutex mutex;
  std::vector<std::pair<CUcontext, Handle>> free;
};

HandlePool<CUstream> &streamPool() {
  static HandlePool<CUstream> pool;
  return pool;
}
HandlePool<CUevent> &eventPool() {
  static HandlePool<CUevent> pool;
  return pool;
}

/// Pointers from cuMemAllocAsync, which must be freed with cuMemFreeAsync
/// (cuMemFree would not wait for pending work using them).
class StreamOrderedAllocations {
public:
  void insert(void *ptr) {
    std::lock_guard<std::mutex> lock(mutex);
    pointers.insert(ptr);
  }
  bool erase(void *ptr) {
    std::lock_guard<std::mutex> lock(mutex);
    return pointers.erase(ptr) != 0;
  }

private:
  std::mutex mutex;
  std::unordered_set<void *> pointers;
};

StreamOrderedAllocations &streamOrderedAllocations() {
  static StreamOrderedAllocations allocations;
  return allocations;
}

CUdeviceptr toDevicePtr(const void *ptr) {
  return static_cast<CUdeviceptr>(reinterpret_cast<uintptr_t>(ptr));
}

void *allocate(uint64_t sizeBytes, CUstream stream, bool hostShared) {
  const DeviceState &device = requireDevice();
  if (sizeBytes == 0)
    return nullptr;
  CUdeviceptr ptr = 0;
  auto size = static_cast<unsigned long long>(sizeBytes);
  if (hostShared) {
    CU_CHECK_DETAIL(cuMemAllocManaged, (&ptr, sizeBytes, CU_MEM_ATTACH_GLOBAL),
                    "(allocating %llu bytes of managed memory)", size);
  } else if (device.streamOrderedAlloc) {
    CU_CHECK_DETAIL(cuMemAllocAsync, (&ptr, sizeBytes, stream),
                    "(allocating %llu bytes on %s)", size, device.name);
    streamOrderedAllocations().insert(reinterpret_cast<void *>(ptr));
  } else {
    CU_CHECK_DETAIL(cuMemAlloc, (&ptr, sizeBytes),
                    "(allocating %llu bytes on %s)", size, device.name);
  }
  return reinterpret_cast<void *>(ptr);
}

void deallocate(void *ptr, CUstream stream) {
  if (!ptr)
    return;
  requireDevice();
  if (streamOrderedAllocations().erase(ptr))
    CU_REPORT(cuMemFreeAsync, toDevicePtr(ptr), stream);
  else
    CU_REPORT(cuMemFree, toDevicePtr(ptr));
}

CUmodule loadModule(void *data, int optLevel, bool isPtx) {
  requireDevice();
  if (!data)
    fatal("%s: null module image",
          isPtx ? "mgpuModuleLoadJIT" : "mgpuModuleLoad");
  // Both logs: the error log says why a load failed, the info log carries
  // ptxas warnings (e.g. spills) that are worth seeing with the error.
  static constexpr size_t kLogSize = 16 * 1024;
  std::vector<char> errorLog(kLogSize, '\0'), infoLog(kLogSize, '\0');
  std::vector<CUjit_option> options = {
      CU_JIT_ERROR_LOG_BUFFER, CU_JIT_ERROR_LOG_BUFFER_SIZE_BYTES,
      CU_JIT_INFO_LOG_BUFFER, CU_JIT_INFO_LOG_BUFFER_SIZE_BYTES};
  std::vector<void *> values = {
      errorLog.data(), reinterpret_cast<void *>(uintptr_t(kLogSize)),
      infoLog.data(), reinterpret_cast<void *>(uintptr_t(kLogSize))};
  if (isPtx) {
    // The driver accepts levels 0 to 4.
    options.push_back(CU_JIT_OPTIMIZATION_LEVEL);
    values.push_back(
        reinterpret_cast<void *>(uintptr_t(std::clamp(optLevel, 0, 4))));
  }
  CUmodule module = nullptr;
  CUresult result = driver().cuModuleLoadDataEx(
      &module, data, static_cast<unsigned>(options.size()), options.data(),
      values.data());
  if (result == CUDA_SUCCESS)
    return module;
  const DeviceState &device = requireDevice();
  std::fprintf(stderr, "%scuModuleLoadDataEx failed: %s (loading %s for %s)\n",
               kPrefix, describe(result).c_str(),
               isPtx ? "PTX with the driver's JIT" : "a cubin/fatbin",
               device.name);
  // The driver may not terminate a truncated log.
  errorLog.back() = infoLog.back() = '\0';
  if (errorLog[0])
    std::fprintf(stderr, "%sJIT error log:\n%s\n", kPrefix, errorLog.data());
  if (infoLog[0])
    std::fprintf(stderr, "%sJIT info log:\n%s\n", kPrefix, infoLog.data());
  std::fflush(nullptr);
  std::abort();
}

/// cuLaunchKernel takes unsigned dimensions; MLIR passes index values.
void checkLaunchDims(const char *what, intptr_t x, intptr_t y, intptr_t z) {
  for (intptr_t dim : {x, y, z})
    if (dim <= 0 || static_cast<uintmax_t>(dim) > UINT_MAX)
      fatal("invalid kernel launch: %s dimensions (%lld, %lld, %lld)", what,
            static_cast<long long>(x), static_cast<long long>(y),
            static_cast<long long>(z));
}

/// Kernels using more than 48 KiB of dynamic shared memory must opt in.
void allowDynamicSharedMemory(const DeviceState &device, CUfunction function,
                              int32_t smem) {
  if (smem < 0)
    fatal("invalid kernel launch: %d bytes of dynamic shared memory", smem);
  if (smem <= 48 * 1024)
    return;
  int maxOptIn = 0;
  CU_CHECK(cuDeviceGetAttribute, &maxOptIn,
           CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN,
           device.device);
  if (smem > maxOptIn)
    fatal("kernel requests %d bytes of dynamic shared memory; %s allows at "
          "most %d per block",
          smem, device.name, maxOptIn);
  CU_CHECK_DETAIL(
      cuFuncSetAttribute,
      (function, CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES, smem),
      "(CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES = %d)", smem);
}

} // namespace

//===----------------------------------------------------------------------===//
// mgpu* functions called by MLIR's generated host code
//===----------------------------------------------------------------------===//

NORM_CUDA_EXPORT CUmodule mgpuModuleLoad(void *data, size_t /*size*/) {
  // cuModuleLoadDataEx finds the size in the cubin/fatbin header.
  return loadModule(data, /*optLevel=*/0, /*isPtx=*/false);
}

NORM_CUDA_EXPORT CUmodule mgpuModuleLoadJIT(void *data, int optLevel) {
  return loadModule(data, optLevel, /*isPtx=*/true);
}

NORM_CUDA_EXPORT void mgpuModuleUnload(CUmodule module) {
  // Runs from a global destructor, possibly after the driver has shut down:
  // don't initialise anything, and ignore CUDA_ERROR_DEINITIALIZED.
  if (!module)
    return;
  CUresult result = driver().cuModuleUnload(module);
  if (result != CUDA_ERROR_DEINITIALIZED)
    reportIfFailed(result, "cuModuleUnload");
}

NORM_CUDA_EXPORT CUfunction mgpuModuleGetFunction(CUmodule module,
                                                  const char *name) {
  requireDevice();
  CUfunction function = nullptr;
  CU_CHECK_DETAIL(cuModuleGetFunction, (&function, module, name),
                  "(kernel '%s')", name ? name : "<null>");
  return function;
}

// MLIR passes index-typed (intptr_t) dimensions; paramsCount is only needed
// by other runtimes.
NORM_CUDA_EXPORT void mgpuLaunchKernel(CUfunction function, intptr_t gridX,
                                       intptr_t gridY, intptr_t gridZ,
                                       intptr_t blockX, intptr_t blockY,
                                       intptr_t blockZ, int32_t smem,
                                       CUstream stream, void **params,
                                       void **extra, size_t /*paramsCount*/) {
  const DeviceState &device = requireDevice();
  checkLaunchDims("grid", gridX, gridY, gridZ);
  checkLaunchDims("block", blockX, blockY, blockZ);
  allowDynamicSharedMemory(device, function, smem);
  CU_CHECK_DETAIL(cuLaunchKernel,
                  (function, unsigned(gridX), unsigned(gridY), unsigned(gridZ),
                   unsigned(blockX), unsigned(blockY), unsigned(blockZ),
                   unsigned(smem), stream, params, extra),
                  "(grid %lld x %lld x %lld, block %lld x %lld x %lld, %d "
                  "bytes of dynamic shared memory, on %s)",
                  (long long)gridX, (long long)gridY, (long long)gridZ,
                  (long long)blockX, (long long)blockY, (long long)blockZ, smem,
                  device.name);
}

// gpu.launch_func with clusters (sm_90+).
NORM_CUDA_EXPORT void
mgpuLaunchClusterKernel(CUfunction function, intptr_t clusterX,
                        intptr_t clusterY, intptr_t clusterZ, intptr_t gridX,
                        intptr_t gridY, intptr_t gridZ, intptr_t blockX,
                        intptr_t blockY, intptr_t blockZ, int32_t smem,
                        CUstream stream, void **params, void **extra) {
  const DeviceState &device = requireDevice();
  if (!driver().cuLaunchKernelEx)
    fatal("cluster launch needs cuLaunchKernelEx, which this CUDA driver "
          "lacks");
  checkLaunchDims("cluster", clusterX, clusterY, clusterZ);
  checkLaunchDims("grid", gridX, gridY, gridZ);
  checkLaunchDims("block", blockX, blockY, blockZ);
  allowDynamicSharedMemory(device, function, smem);
  // Clusters of more than 8 blocks are "non-portable" and need an opt-in.
  if (clusterX * clusterY * clusterZ > 8)
    CU_CHECK(cuFuncSetAttribute, function,
             CU_FUNC_ATTRIBUTE_NON_PORTABLE_CLUSTER_SIZE_ALLOWED, 1);
  CUlaunchAttribute attribute;
  std::memset(&attribute, 0, sizeof(attribute));
  attribute.id = CU_LAUNCH_ATTRIBUTE_CLUSTER_DIMENSION;
  attribute.value.clusterDim.x = unsigned(clusterX);
  attribute.value.clusterDim.y = unsigned(clusterY);
  attribute.value.clusterDim.z = unsigned(clusterZ);
  CUlaunchConfig config;
  std::memset(&config, 0, sizeof(config));
  config.gridDimX = unsigned(gridX);
  config.gridDimY = unsigned(gridY);
  config.gridDimZ = unsigned(gridZ);
  config.blockDimX = unsigned(blockX);
  config.blockDimY = unsigned(blockY);
  config.blockDimZ = unsigned(blockZ);
  config.sharedMemBytes = unsigned(smem);
  config.hStream = stream;
  config.attrs = &attribute;
  config.numAttrs = 1;
  CU_CHECK_DETAIL(cuLaunchKernelEx, (&config, function, params, extra),
                  "(cluster %lld x %lld x %lld, grid %lld x %lld x %lld, "
                  "block %lld x %lld x %lld, %d bytes of dynamic shared "
                  "memory, on %s)",
                  (long long)clusterX, (long long)clusterY, (long long)clusterZ,
                  (long long)gridX, (long long)gridY, (long long)gridZ,
                  (long long)blockX, (long long)blockY, (long long)blockZ, smem,
                  device.name);
}

NORM_CUDA_EXPORT CUstream mgpuStreamCreate() {
  const DeviceState &device = requireDevice();
  if (CUstream stream = streamPool().take(device.context))
    return stream;
  CUstream stream = nullptr;
  // Blocking (CU_STREAM_DEFAULT): see the file comment.
  CU_CHECK(cuStreamCreate, &stream, CU_STREAM_DEFAULT);
  return stream;
}

NORM_CUDA_EXPORT void mgpuStreamDestroy(CUstream stream) {
  if (!stream)
    return;
  const DeviceState &device = requireDevice();
  // A recycled stream may still have work queued; its next user merely
  // queues behind it.
  if (!streamPool().give(device.context, stream))
    CU_REPORT(cuStreamDestroy, stream);
}

NORM_CUDA_EXPORT void mgpuStreamSynchronize(CUstream stream) {
  requireDevice();
  // Faults of earlier kernels surface here.
  CU_CHECK(cuStreamSynchronize, stream);
}

NORM_CUDA_EXPORT void mgpuStreamWaitEvent(CUstream stream, CUevent event) {
  requireDevice();
  CU_CHECK(cuStreamWaitEvent, stream, event, /*Flags=*/0);
}

NORM_CUDA_EXPORT CUevent mgpuEventCreate() {
  const DeviceState &device = requireDevice();
  if (CUevent event = eventPool().take(device.context))
    return event;
  CUevent event = nullptr;
  // Only used for ordering, and timing-disabled events are cheaper.
  CU_CHECK(cuEventCreate, &event, CU_EVENT_DISABLE_TIMING);
  return event;
}

NORM_CUDA_EXPORT void mgpuEventDestroy(CUevent event) {
  if (!event)
    return;
  const DeviceState &device = requireDevice();
  // Waits already queued on a recycled event keep the state they captured.
  if (!eventPool().give(device.context, event))
    CU_REPORT(cuEventDestroy, event);
}

NORM_CUDA_EXPORT void mgpuEventSynchronize(CUevent event) {
  requireDevice();
  CU_CHECK(cuEventSynchronize, event);
}

NORM_CUDA_EXPORT void mgpuEventRecord(CUevent event, CUstream stream) {
  requireDevice();
  CU_CHECK(cuEventRecord, event, stream);
}

NORM_CUDA_EXPORT void *mgpuMemAlloc(uint64_t sizeBytes, CUstream stream,
                                    bool isHostShared) {
  return allocate(sizeBytes, stream, isHostShared);
}

NORM_CUDA_EXPORT void mgpuMemFree(void *ptr, CUstream stream) {
  deallocate(ptr, stream);
}

NORM_CUDA_EXPORT void mgpuMemcpy(void *dst, void *src, size_t sizeBytes,
                                 CUstream stream) {
  requireDevice();
  if (sizeBytes == 0)
    return;
  // Unified addressing: the driver infers the direction from the pointers.
  CU_CHECK_DETAIL(cuMemcpyAsync,
                  (toDevicePtr(dst), toDevicePtr(src), sizeBytes, stream),
                  "(%zu bytes from %p to %p)", sizeBytes, src, dst);
}

NORM_CUDA_EXPORT void mgpuMemset32(void *dst, unsigned int value, size_t count,
                                   CUstream stream) {
  requireDevice();
  if (count == 0)
    return;
  CU_CHECK_DETAIL(cuMemsetD32Async, (toDevicePtr(dst), value, count, stream),
                  "(%zu words at %p)", count, dst);
}

NORM_CUDA_EXPORT void mgpuMemset16(void *dst, unsigned short value,
                                   size_t count, CUstream stream) {
  requireDevice();
  if (count == 0)
    return;
  CU_CHECK_DETAIL(cuMemsetD16Async, (toDevicePtr(dst), value, count, stream),
                  "(%zu half-words at %p)", count, dst);
}

NORM_CUDA_EXPORT void mgpuMemHostRegister(void *ptr, uint64_t sizeBytes) {
  requireDevice();
  if (!ptr || sizeBytes == 0)
    return;
  // Mapped, because gpu.host_register lets kernels access the host memory
  // directly: a failure is fatal. Registering twice is harmless.
  CUresult result =
      driver().cuMemHostRegister(ptr, sizeBytes, CU_MEMHOSTREGISTER_DEVICEMAP);
  if (result != CUDA_ERROR_HOST_MEMORY_ALREADY_REGISTERED)
    checkOrAbort(result, "cuMemHostRegister", "(%llu bytes at %p)",
                 static_cast<unsigned long long>(sizeBytes), ptr);
}

NORM_CUDA_EXPORT void mgpuMemHostUnregister(void *ptr) {
  if (!ptr)
    return;
  requireDevice();
  CU_REPORT(cuMemHostUnregister, ptr);
}

namespace {
/// Start and byte extent of the elements a memref can address (any strides,
/// not only dense ones). `descriptor` is a StridedMemRefType<char, rank>.
std::pair<char *, uint64_t> memRefRange(int64_t rank, void *descriptor,
                                        int64_t elementSizeBytes) {
  DynamicMemRefType<char> memref(UnrankedMemRefType<char>{rank, descriptor});
  char *start = memref.data + memref.offset * elementSizeBytes;
  int64_t lastElement = 0;
  for (int64_t i = 0; i < rank; ++i) {
    if (memref.sizes[i] == 0)
      return {start, 0};
    lastElement +=
        (memref.sizes[i] - 1) * std::max<int64_t>(memref.strides[i], 0);
  }
  return {start, static_cast<uint64_t>((lastElement + 1) * elementSizeBytes)};
}
} // namespace

NORM_CUDA_EXPORT void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                                                int64_t elementSizeBytes) {
  auto [start, sizeBytes] = memRefRange(rank, descriptor, elementSizeBytes);
  mgpuMemHostRegister(start, sizeBytes);
}

NORM_CUDA_EXPORT void mgpuMemHostUnregisterMemRef(int64_t rank,
                                                  void *descriptor,
                                                  int64_t elementSizeBytes) {
  auto [start, sizeBytes] = memRefRange(rank, descriptor, elementSizeBytes);
  if (sizeBytes != 0)
    mgpuMemHostUnregister(start);
}

NORM_CUDA_EXPORT void mgpuSetDefaultDevice(int32_t device) {
  defaultDeviceOrdinal.store(device, std::memory_order_relaxed);
}

//===----------------------------------------------------------------------===//
// norm-runner's C API (norm/Runtime/CudaRuntime.h)
//===----------------------------------------------------------------------===//

NORM_CUDA_EXPORT int normCudaIsAvailable(char *errBuf, size_t errLen) {
  const DeviceState *state = getDefaultDeviceState();
  if (state->context)
    return 1;
  if (errBuf && errLen > 0)
    std::snprintf(errBuf, errLen, "%s", state->error.c_str());
  return 0;
}

NORM_CUDA_EXPORT const char *normCudaDeviceName(void) {
  return getDefaultDeviceState()->name;
}

NORM_CUDA_EXPORT int normCudaDriverVersion(void) {
  return driver().driverVersion;
}

NORM_CUDA_EXPORT void *normCudaEventCreate(void) {
  requireDevice();
  CUevent event = nullptr;
  CU_CHECK(cuEventCreate, &event, CU_EVENT_DEFAULT);
  return event;
}

NORM_CUDA_EXPORT void normCudaEventRecord(void *event, void *stream) {
  requireDevice();
  CU_CHECK(cuEventRecord, static_cast<CUevent>(event),
           static_cast<CUstream>(stream));
}

NORM_CUDA_EXPORT float normCudaEventElapsedMs(void *start, void *end) {
  requireDevice();
  CU_CHECK(cuEventSynchronize, static_cast<CUevent>(end));
  float ms = 0.0f;
  CU_CHECK(cuEventElapsedTime, &ms, static_cast<CUevent>(start),
           static_cast<CUevent>(end));
  return ms;
}

NORM_CUDA_EXPORT void normCudaEventDestroy(void *event) {
  if (!event)
    return;
  requireDevice();
  CU_REPORT(cuEventDestroy, static_cast<CUevent>(event));
}

NORM_CUDA_EXPORT void *normCudaMalloc(size_t sizeBytes) {
  const DeviceState &device = requireDevice();
  if (sizeBytes == 0)
    return nullptr;
  // Plain cuMemAlloc: usable at once from any stream, unlike a
  // stream-ordered allocation.
  CUdeviceptr ptr = 0;
  CU_CHECK_DETAIL(cuMemAlloc, (&ptr, sizeBytes), "(allocating %zu bytes on %s)",
                  sizeBytes, device.name);
  return reinterpret_cast<void *>(ptr);
}

NORM_CUDA_EXPORT void normCudaFree(void *ptr) {
  deallocate(ptr, /*stream=*/nullptr);
}

NORM_CUDA_EXPORT void normCudaMemcpyHtoD(void *dst, const void *src,
                                         size_t sizeBytes) {
  requireDevice();
  if (sizeBytes == 0)
    return;
  CU_CHECK_DETAIL(cuMemcpyHtoD, (toDevicePtr(dst), src, sizeBytes),
                  "(%zu bytes from %p to %p)", sizeBytes, src, dst);
}

NORM_CUDA_EXPORT void normCudaMemcpyDtoH(void *dst, const void *src,
                                         size_t sizeBytes) {
  requireDevice();
  if (sizeBytes == 0)
    return;
  CU_CHECK_DETAIL(cuMemcpyDtoH, (dst, toDevicePtr(src), sizeBytes),
                  "(%zu bytes from %p to %p)", sizeBytes, src, dst);
}

NORM_CUDA_EXPORT void normCudaMemcpyDtoD(void *dst, const void *src,
                                         size_t sizeBytes) {
  requireDevice();
  if (sizeBytes == 0)
    return;
  CU_CHECK_DETAIL(cuMemcpyDtoDAsync,
                  (toDevicePtr(dst), toDevicePtr(src), sizeBytes,
                   /*hStream=*/nullptr),
                  "(%zu bytes from %p to %p)", sizeBytes, src, dst);
}

NORM_CUDA_EXPORT void normCudaSynchronize(void) {
  requireDevice();
  checkOrAbort(driver().cuCtxSynchronize(), "cuCtxSynchronize");
}
