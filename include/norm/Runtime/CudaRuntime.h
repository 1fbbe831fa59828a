//===- CudaRuntime.h - C API of norm's CUDA runtime library -------*- C -*-===//
//
// libnorm_cuda_runtime provides the mgpu* functions that MLIR's GPU lowering
// calls, plus this small C API for norm-runner: device queries, device memory,
// copies and event timing. Handles are void* so that callers need neither
// cuda.h nor libcuda at build time; the library loads the driver itself on
// first use.
//
// Every function except normCudaIsAvailable, normCudaDeviceName and
// normCudaDriverVersion aborts the process with a message on stderr when a
// driver call fails, and exits with status 1 when no CUDA driver or device is
// present: call normCudaIsAvailable first to fail gracefully.
//
// Streams: a null stream is CUDA's legacy default stream. The streams that
// MLIR's generated code creates (mgpuStreamCreate) synchronise with it, so
// events recorded on the null stream bracket the generated kernels.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_RUNTIME_CUDARUNTIME_H
#define NORM_RUNTIME_CUDARUNTIME_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/// Returns 1 when the CUDA driver loads, initialises and the default device
/// (see mgpuSetDefaultDevice) has a usable context; otherwise returns 0 and,
/// when `errBuf` is non-null, writes a NUL-terminated reason into it (at most
/// `errLen` bytes). Never exits.
int normCudaIsAvailable(char *errBuf, size_t errLen);

/// Name of the default device, e.g. "NVIDIA H100 80GB HBM3"; "unavailable"
/// when no device can be used. The string lives as long as the process.
const char *normCudaDeviceName(void);

/// The driver's CUDA version as 1000 * major + 10 * minor (e.g. 12040), or 0
/// when no driver can be loaded.
int normCudaDriverVersion(void);

/// Timing events (created with timing enabled).
void *normCudaEventCreate(void);
/// Records `event` on `stream` (null: the legacy default stream).
void normCudaEventRecord(void *event, void *stream);
/// Waits for `end` to complete, then returns the milliseconds between the two
/// recorded events.
float normCudaEventElapsedMs(void *start, void *end);
void normCudaEventDestroy(void *event);

/// Device memory of the default device. normCudaMalloc(0) returns null;
/// normCudaFree(null) does nothing. normCudaFree also accepts pointers that
/// the generated code allocated (mgpuMemAlloc).
void *normCudaMalloc(size_t sizeBytes);
void normCudaFree(void *ptr);

/// Synchronous copies (ordered after all work previously queued on the device
/// by this library's streams).
void normCudaMemcpyHtoD(void *dst, const void *src, size_t sizeBytes);
void normCudaMemcpyDtoH(void *dst, const void *src, size_t sizeBytes);
/// Queued on the legacy default stream; bracket it with events to time it.
void normCudaMemcpyDtoD(void *dst, const void *src, size_t sizeBytes);

/// Waits for all work on the default device.
void normCudaSynchronize(void);

#ifdef __cplusplus
} // extern "C"
#endif

#endif // NORM_RUNTIME_CUDARUNTIME_H
