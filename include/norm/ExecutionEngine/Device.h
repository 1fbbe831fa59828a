//===- Device.h - The GPU runtime, when the build has one ------*- C++ -*-===//
//
// The one place that knows whether norm's CUDA runtime is built in: the JIT
// and the tools reach the device only through these functions. Without the
// runtime, isAvailable explains why and the others are never reached (the
// GPU target fails before anything is put on a device).
//
//===----------------------------------------------------------------------===//

#ifndef NORM_EXECUTIONENGINE_DEVICE_H
#define NORM_EXECUTIONENGINE_DEVICE_H

#include "llvm/ADT/STLFunctionalExtras.h"
#include "llvm/Support/Error.h"

#include <cstddef>
#include <string>

namespace norm::device {

/// Whether this build has norm's CUDA runtime.
bool isBuiltIn();
/// Succeeds where GPU code can run: the runtime is built in and a device
/// answers; the error says which is missing.
llvm::Error checkAvailable();
/// The device's name, "unavailable" without one.
std::string getName();

void *allocate(size_t bytes);
void free(void *data);
void copyToDevice(void *device, const void *host, size_t bytes);
void copyToHost(void *host, const void *device, size_t bytes);
void copyOnDevice(void *destination, const void *source, size_t bytes);
void synchronize();
/// Milliseconds of device time of `work`, between events recorded on the
/// default stream around it.
float timeOnDevice(llvm::function_ref<void()> work);

} // namespace norm::device

#endif // NORM_EXECUTIONENGINE_DEVICE_H
