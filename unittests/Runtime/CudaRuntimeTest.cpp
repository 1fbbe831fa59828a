//===- CudaRuntimeTest.cpp - mgpu* wrappers and norm's CUDA C API --------===//
//
// Without a usable CUDA device every test but the availability checks skips;
// with one, they exercise memory, copies, memsets, events and a hand-written
// PTX kernel through the same mgpu* entry points that MLIR's generated host
// code calls.
//
//===----------------------------------------------------------------------===//

#include "norm/Runtime/CudaRuntime.h"

#include "gtest/gtest.h"

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

// The ABI MLIR 22's GPU lowering calls; CUDA handles are opaque pointers.
extern "C" {
void *mgpuModuleLoadJIT(void *data, int optLevel);
void mgpuModuleUnload(void *module);
void *mgpuModuleGetFunction(void *module, const char *name);
void mgpuLaunchKernel(void *function, intptr_t gridX, intptr_t gridY,
                      intptr_t gridZ, intptr_t blockX, intptr_t blockY,
                      intptr_t blockZ, int32_t smem, void *stream,
                      void **params, void **extra, size_t paramsCount);
void *mgpuStreamCreate();
void mgpuStreamDestroy(void *stream);
void mgpuStreamSynchronize(void *stream);
void mgpuStreamWaitEvent(void *stream, void *event);
void *mgpuEventCreate();
void mgpuEventDestroy(void *event);
void mgpuEventSynchronize(void *event);
void mgpuEventRecord(void *event, void *stream);
void *mgpuMemAlloc(uint64_t sizeBytes, void *stream, bool isHostShared);
void mgpuMemFree(void *ptr, void *stream);
void mgpuMemcpy(void *dst, void *src, size_t sizeBytes, void *stream);
void mgpuMemset32(void *dst, unsigned int value, size_t count, void *stream);
void mgpuMemset16(void *dst, unsigned short value, size_t count, void *stream);
void mgpuMemHostRegisterMemRef(int64_t rank, void *descriptor,
                               int64_t elementSizeBytes);
void mgpuMemHostUnregisterMemRef(int64_t rank, void *descriptor,
                                 int64_t elementSizeBytes);
}

namespace {

// addOne(float *data, int n): data[i] += 1.0f for i < n. PTX ISA 7.0 for
// sm_70, which the driver JIT-compiles for whatever device is present.
const char *const kAddOnePtx = R"(
.version 7.0
.target sm_70
.address_size 64

.visible .entry addOne(
  .param .u64 addOne_data,
  .param .u32 addOne_n
)
{
  .reg .pred %p<2>;
  .reg .b32 %r<6>;
  .reg .f32 %f<3>;
  .reg .b64 %rd<5>;

  ld.param.u64 %rd1, [addOne_data];
  ld.param.u32 %r2, [addOne_n];
  mov.u32 %r3, %ctaid.x;
  mov.u32 %r4, %ntid.x;
  mov.u32 %r5, %tid.x;
  mad.lo.s32 %r1, %r3, %r4, %r5;
  setp.ge.s32 %p1, %r1, %r2;
  @%p1 bra DONE;
  cvta.to.global.u64 %rd2, %rd1;
  mul.wide.s32 %rd3, %r1, 4;
  add.s64 %rd4, %rd2, %rd3;
  ld.global.f32 %f1, [%rd4];
  add.f32 %f2, %f1, 0f3F800000;
  st.global.f32 [%rd4], %f2;
DONE:
  ret;
}
)";

std::string unavailableReason() {
  char reason[512] = {0};
  if (normCudaIsAvailable(reason, sizeof(reason)))
    return {};
  return reason[0] ? reason : "(no reason given)";
}

class CudaRuntime : public ::testing::Test {
protected:
  void SetUp() override {
    std::string reason = unavailableReason();
    if (!reason.empty())
      GTEST_SKIP() << "no CUDA device: " << reason;
  }
};

std::vector<float> randomFloats(size_t count, unsigned seed) {
  std::mt19937 generator(seed);
  std::uniform_real_distribution<float> distribution(-100.0f, 100.0f);
  std::vector<float> values(count);
  for (float &value : values)
    value = distribution(generator);
  return values;
}

void launchAddOne(void *function, void *data, int32_t n, void *stream) {
  void *params[] = {&data, &n};
  const intptr_t block = 128;
  mgpuLaunchKernel(function, (n + block - 1) / block, 1, 1, block, 1, 1,
                   /*smem=*/0, stream, params, /*extra=*/nullptr,
                   /*paramsCount=*/2);
}

TEST(CudaRuntimeAvailability, ReportsDeviceOrReason) {
  char reason[512] = {0};
  if (normCudaIsAvailable(reason, sizeof(reason))) {
    EXPECT_STRNE(normCudaDeviceName(), "unavailable");
    EXPECT_GT(normCudaDriverVersion(), 0);
    std::printf("CUDA device: %s, driver %d\n", normCudaDeviceName(),
                normCudaDriverVersion());
  } else {
    EXPECT_NE(reason[0], '\0');
    EXPECT_STREQ(normCudaDeviceName(), "unavailable");
    // The message is truncated, not overflowed, for a short buffer.
    char tiny[4] = {'x', 'x', 'x', 'x'};
    EXPECT_EQ(normCudaIsAvailable(tiny, sizeof(tiny)), 0);
    EXPECT_EQ(tiny[3], '\0');
    std::printf("no CUDA device: %s\n", reason);
  }
}

TEST(CudaRuntimeAvailability, NoDeviceExitsWithMessage) {
  if (unavailableReason().empty())
    GTEST_SKIP() << "a CUDA device is present";
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  EXPECT_EXIT(mgpuStreamCreate(), ::testing::ExitedWithCode(1),
              "norm-cuda-runtime: no CUDA driver/device available: ");
  EXPECT_EXIT(normCudaMalloc(16), ::testing::ExitedWithCode(1),
              "no CUDA driver/device available");
}

TEST_F(CudaRuntime, Memset32AndMemset16) {
  const size_t count = 1000;
  void *stream = mgpuStreamCreate();
  void *device = mgpuMemAlloc(count * sizeof(uint32_t), stream, false);
  ASSERT_NE(device, nullptr);
  mgpuMemset32(device, 0xDEADBEEFu, count, stream);
  mgpuStreamSynchronize(stream);
  std::vector<uint32_t> words(count, 0);
  normCudaMemcpyDtoH(words.data(), device, count * sizeof(uint32_t));
  for (size_t i = 0; i < count; ++i)
    ASSERT_EQ(words[i], 0xDEADBEEFu) << "at " << i;

  // Overwrite the first half with 16-bit 0x3C00 (f16 1.0).
  mgpuMemset16(device, 0x3C00, count, stream);
  mgpuStreamSynchronize(stream);
  normCudaMemcpyDtoH(words.data(), device, count * sizeof(uint32_t));
  for (size_t i = 0; i < count / 2; ++i)
    ASSERT_EQ(words[i], 0x3C003C00u) << "at " << i;
  EXPECT_EQ(words[count / 2], 0xDEADBEEFu);

  mgpuMemFree(device, stream);
  mgpuStreamSynchronize(stream);
  mgpuStreamDestroy(stream);
}

TEST_F(CudaRuntime, MemcpyRoundTrip) {
  const size_t count = (1 << 20) + 3;
  const size_t bytes = count * sizeof(float);
  std::vector<float> input = randomFloats(count, 42);

  // Host -> device with mgpuMemcpy on a generated-code style stream, then
  // device -> device and device -> host with the runner API on the legacy
  // stream: the streams must order with it.
  void *stream = mgpuStreamCreate();
  void *first = mgpuMemAlloc(bytes, stream, false);
  void *second = normCudaMalloc(bytes);
  ASSERT_NE(first, nullptr);
  ASSERT_NE(second, nullptr);
  mgpuMemcpy(first, input.data(), bytes, stream);
  normCudaMemcpyDtoD(second, first, bytes);
  std::vector<float> output(count, 0.0f);
  normCudaMemcpyDtoH(output.data(), second, bytes);
  EXPECT_EQ(std::memcmp(output.data(), input.data(), bytes), 0);

  // And back through the runner's host -> device and mgpuMemcpy to host.
  std::vector<float> other = randomFloats(count, 7);
  normCudaMemcpyHtoD(second, other.data(), bytes);
  mgpuMemcpy(output.data(), second, bytes, stream);
  mgpuStreamSynchronize(stream);
  EXPECT_EQ(std::memcmp(output.data(), other.data(), bytes), 0);

  normCudaFree(second);
  mgpuMemFree(first, stream);
  mgpuStreamDestroy(stream);
  normCudaSynchronize();

  // Zero-sized requests are no-ops.
  EXPECT_EQ(normCudaMalloc(0), nullptr);
  EXPECT_EQ(mgpuMemAlloc(0, nullptr, false), nullptr);
  normCudaFree(nullptr);
  mgpuMemFree(nullptr, nullptr);
}

TEST_F(CudaRuntime, HostSharedAllocationIsHostAccessible) {
  const size_t count = 256;
  auto *shared = static_cast<float *>(
      mgpuMemAlloc(count * sizeof(float), nullptr, /*isHostShared=*/true));
  ASSERT_NE(shared, nullptr);
  for (size_t i = 0; i < count; ++i)
    shared[i] = float(i);
  normCudaSynchronize();
  EXPECT_EQ(shared[count - 1], float(count - 1));
  mgpuMemFree(shared, nullptr);
}

TEST_F(CudaRuntime, EventTimingIsPositive) {
  const size_t bytes = size_t(64) << 20;
  void *source = normCudaMalloc(bytes);
  void *destination = normCudaMalloc(bytes);
  void *start = normCudaEventCreate();
  void *end = normCudaEventCreate();
  normCudaMemcpyDtoD(destination, source, bytes); // Warm up.
  normCudaEventRecord(start, nullptr);
  normCudaMemcpyDtoD(destination, source, bytes);
  normCudaEventRecord(end, nullptr);
  float ms = normCudaEventElapsedMs(start, end);
  EXPECT_GT(ms, 0.0f);
  EXPECT_LT(ms, 10000.0f);
  std::printf("64 MiB device-to-device copy: %.3f ms (%.1f GB/s)\n", ms,
              2.0 * double(bytes) / (double(ms) * 1e6));
  normCudaEventDestroy(start);
  normCudaEventDestroy(end);
  normCudaFree(source);
  normCudaFree(destination);
}

TEST_F(CudaRuntime, PtxKernelThroughModuleLoadJIT) {
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kAddOnePtx), 3);
  ASSERT_NE(module, nullptr);
  void *function = mgpuModuleGetFunction(module, "addOne");
  ASSERT_NE(function, nullptr);

  const int32_t count = 10007;
  const size_t bytes = count * sizeof(float);
  std::vector<float> input = randomFloats(count, 1);
  void *stream = mgpuStreamCreate();
  void *device = mgpuMemAlloc(bytes, stream, false);
  mgpuMemcpy(device, input.data(), bytes, stream);
  launchAddOne(function, device, count, stream);
  launchAddOne(function, device, count, stream);
  std::vector<float> output(count, 0.0f);
  mgpuMemcpy(output.data(), device, bytes, stream);
  mgpuStreamSynchronize(stream);
  for (int32_t i = 0; i < count; ++i)
    ASSERT_EQ(output[i], input[i] + 1.0f + 1.0f) << "at " << i;

  mgpuMemFree(device, stream);
  mgpuStreamDestroy(stream);
  mgpuModuleUnload(module);
}

TEST_F(CudaRuntime, EventsOrderTwoStreams) {
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kAddOnePtx), 0);
  void *function = mgpuModuleGetFunction(module, "addOne");
  const int32_t count = 4096;
  const size_t bytes = count * sizeof(float);
  std::vector<float> input = randomFloats(count, 3);

  // What gpu.wait async [%a, %b] lowers to: record on the producer, make the
  // consumer wait, destroy the event.
  void *producer = mgpuStreamCreate();
  void *consumer = mgpuStreamCreate();
  void *device = mgpuMemAlloc(bytes, producer, false);
  mgpuMemcpy(device, input.data(), bytes, producer);
  launchAddOne(function, device, count, producer);
  void *event = mgpuEventCreate();
  mgpuEventRecord(event, producer);
  mgpuStreamWaitEvent(consumer, event);
  mgpuEventDestroy(event);
  launchAddOne(function, device, count, consumer);
  void *done = mgpuEventCreate();
  mgpuEventRecord(done, consumer);
  mgpuEventSynchronize(done);
  mgpuEventDestroy(done);

  std::vector<float> output(count, 0.0f);
  normCudaMemcpyDtoH(output.data(), device, bytes);
  for (int32_t i = 0; i < count; ++i)
    ASSERT_EQ(output[i], input[i] + 2.0f) << "at " << i;

  mgpuMemFree(device, consumer);
  mgpuStreamSynchronize(consumer);
  mgpuStreamDestroy(producer);
  mgpuStreamDestroy(consumer);
  mgpuModuleUnload(module);
}

TEST_F(CudaRuntime, HostRegisteredMemRefIsKernelAccessible) {
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kAddOnePtx), 3);
  void *function = mgpuModuleGetFunction(module, "addOne");

  // A 2-D memref<?x?xf32> descriptor with an offset, as the lowering passes
  // it: {allocated, aligned, offset, sizes[2], strides[2]}.
  const int64_t rows = 37, cols = 129, offset = 5;
  std::vector<float> storage(offset + rows * cols);
  for (size_t i = 0; i < storage.size(); ++i)
    storage[i] = float(i);
  struct {
    float *allocated;
    float *aligned;
    int64_t offset;
    int64_t sizes[2];
    int64_t strides[2];
  } descriptor = {
      storage.data(), storage.data(), offset, {rows, cols}, {cols, 1}};
  mgpuMemHostRegisterMemRef(2, &descriptor, sizeof(float));
  void *stream = mgpuStreamCreate();
  launchAddOne(function, storage.data() + offset, int32_t(rows * cols), stream);
  mgpuStreamSynchronize(stream);
  mgpuMemHostUnregisterMemRef(2, &descriptor, sizeof(float));
  for (int64_t i = 0; i < offset; ++i)
    ASSERT_EQ(storage[i], float(i));
  for (size_t i = offset; i < storage.size(); ++i)
    ASSERT_EQ(storage[i], float(i) + 1.0f) << "at " << i;

  mgpuStreamDestroy(stream);
  mgpuModuleUnload(module);
}

TEST_F(CudaRuntime, InvalidPtxAbortsWithJitLog) {
  // A child process re-runs this test: CUDA does not survive fork().
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const char *badPtx = ".version 7.0\n.target sm_70\n.address_size 64\n"
                       ".visible .entry broken() { bogus.instruction; }\n";
  EXPECT_DEATH(mgpuModuleLoadJIT(const_cast<char *>(badPtx), 3),
               // POSIX regex: '.' also matches the newlines of the log.
               "cuModuleLoadDataEx failed: CUDA_ERROR_.*JIT error log");
}

TEST_F(CudaRuntime, InvalidLaunchAborts) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  void *module = mgpuModuleLoadJIT(const_cast<char *>(kAddOnePtx), 3);
  void *function = mgpuModuleGetFunction(module, "addOne");
  void *data = nullptr;
  int32_t n = 0;
  void *params[] = {&data, &n};
  // 4096 threads per block exceeds every NVIDIA GPU's limit of 1024.
  EXPECT_DEATH(mgpuLaunchKernel(function, 1, 1, 1, 4096, 1, 1, 0, nullptr,
                                params, nullptr, 2),
               "cuLaunchKernel failed: CUDA_ERROR_.*block 4096 x 1 x 1");
  mgpuModuleUnload(module);
}

} // namespace
