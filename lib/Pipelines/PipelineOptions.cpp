//===- PipelineOptions.cpp - Validate the pipelines' options --------------===//
//
// Every option of norm-lower-to-cpu and norm-lower-to-nvvm is checked before
// a pass is built: out-of-range sizes would reach the passes as nonsense
// tiles, and bad GPU targets crash or abort inside LLVM's NVPTX backend.
// The GPU chip and features are checked against that backend itself, so the
// accepted set follows the LLVM the project is built on.
//
//===----------------------------------------------------------------------===//

#include "norm/Pipelines/Pipelines.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/ADT/StringSwitch.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/MathExtras.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Triple.h"

#include <mutex>

using namespace mlir;
using llvm::StringRef;

static llvm::Error optionError(StringRef pipeline, const llvm::Twine &message) {
  return llvm::createStringError("invalid " + pipeline + " option: " + message);
}

/// Checks that `value` lies in [low, high] and, with `powerOfTwo`, is a power
/// of two.
static llvm::Error checkRange(StringRef pipeline, StringRef name, int64_t value,
                              int64_t low, int64_t high,
                              bool powerOfTwo = false) {
  if (value >= low && value <= high &&
      (!powerOfTwo || llvm::isPowerOf2_64(value)))
    return llvm::Error::success();
  return optionError(
      pipeline,
      llvm::formatv("{0}={1}: expected {2} in [{3}, {4}]", name, value,
                    powerOfTwo ? "a power of two" : "an integer", low, high));
}

llvm::Error
mlir::norm::validateCPUPipelineOptions(const CPUPipelineOptions &options) {
  constexpr StringRef kPipeline = "norm-lower-to-cpu";
  // Vector shapes that are not powers of two do not legalize for every
  // element type (X86 has no <33 x bfloat>); beyond 1024 elements a tile no
  // longer fits the register file many times over.
  if (llvm::Error error = checkRange(kPipeline, "vector-size",
                                     options.vectorSize, 1, 1024, true))
    return error;
  if (llvm::Error error =
          checkRange(kPipeline, "matmul-rows", options.matmulRows, 1, 64))
    return error;
  if (llvm::Error error = checkRange(kPipeline, "matmul-cols",
                                     options.matmulCols, 1, 1024, true))
    return error;
  if (llvm::Error error = checkRange(kPipeline, "matmul-depth",
                                     options.matmulDepth, 1, 1 << 20))
    return error;
  // Tasks are whole panels of B.
  if (options.matmulTaskCols != 0) {
    if (llvm::Error error =
            checkRange(kPipeline, "matmul-task-cols", options.matmulTaskCols,
                       options.matmulCols, 1 << 20))
      return error;
    if (options.matmulTaskCols % options.matmulCols != 0)
      return optionError(
          kPipeline, llvm::formatv("matmul-task-cols={0}: expected 0 or a "
                                   "multiple of matmul-cols ({1})",
                                   options.matmulTaskCols, options.matmulCols));
  }
  if (llvm::Error error =
          checkRange(kPipeline, "matmul-min-task-flops",
                     options.matmulMinTaskFlops, 0, int64_t(1) << 50))
    return error;
  if (llvm::Error error =
          checkRange(kPipeline, "inner-tile", options.innerTile, 1, 1 << 20))
    return error;
  if (llvm::Error error =
          checkRange(kPipeline, "streaming-min-bytes",
                     options.streamingMinBytes, 0, int64_t(1) << 50))
    return error;
  return checkRange(kPipeline, "min-task-bytes", options.minTaskBytes, 0,
                    int64_t(1) << 40);
}

namespace {
/// LLVM's NVPTX backend, initialized once.
const llvm::Target *getNVPTXTarget(const llvm::Triple &triple) {
  static std::once_flag initialized;
  std::call_once(initialized, [] {
    LLVMInitializeNVPTXTargetInfo();
    LLVMInitializeNVPTXTarget();
    LLVMInitializeNVPTXTargetMC();
    LLVMInitializeNVPTXAsmPrinter();
  });
  std::string error;
  return llvm::TargetRegistry::lookupTarget(triple, error);
}

/// The PTX version (as 10 * major + minor) that the backend picks for `chip`
/// when no feature names one: the oldest PTX that supports the chip. Read off
/// the `.version` line of an empty module's PTX.
std::optional<unsigned> getMinimumPTXVersion(const llvm::Target &target,
                                             const llvm::Triple &triple,
                                             StringRef chip) {
  std::unique_ptr<llvm::TargetMachine> machine(target.createTargetMachine(
      triple, chip, "", llvm::TargetOptions(), std::nullopt));
  if (!machine)
    return std::nullopt;
  llvm::LLVMContext context;
  llvm::Module module("norm-ptx-version-probe", context);
  module.setTargetTriple(triple);
  module.setDataLayout(machine->createDataLayout());
  llvm::SmallString<1024> ptx;
  llvm::raw_svector_ostream os(ptx);
  llvm::legacy::PassManager passes;
  if (machine->addPassesToEmitFile(passes, os, nullptr,
                                   llvm::CodeGenFileType::AssemblyFile))
    return std::nullopt;
  passes.run(module);
  StringRef text(ptx);
  size_t at = text.find(".version ");
  if (at == StringRef::npos)
    return std::nullopt;
  auto [major, minor] =
      text.drop_front(at + 9).take_until(llvm::isSpace).split('.');
  unsigned majorNumber, minorNumber;
  if (major.getAsInteger(10, majorNumber) ||
      minor.getAsInteger(10, minorNumber))
    return std::nullopt;
  return majorNumber * 10 + minorNumber;
}

/// Checks `features` ("+ptx80", "+ptx80,-foo", ...) against the backend's
/// feature list and the PTX version against the chip's minimum.
llvm::Error checkFeatures(const llvm::Target &target,
                          const llvm::Triple &triple,
                          const llvm::MCSubtargetInfo &subtarget,
                          StringRef chip, StringRef features) {
  constexpr StringRef kPipeline = "norm-lower-to-nvvm";
  std::optional<unsigned> ptxVersion;
  llvm::SmallVector<StringRef> entries;
  features.split(entries, ',', /*MaxSplit=*/-1, /*KeepEmpty=*/false);
  for (StringRef entry : entries) {
    entry = entry.trim();
    StringRef name = entry.drop_front();
    bool known = llvm::any_of(subtarget.getAllProcessorFeatures(),
                              [&](const llvm::SubtargetFeatureKV &feature) {
                                return name == feature.Key;
                              });
    if ((!entry.starts_with("+") && !entry.starts_with("-")) || !known)
      return optionError(kPipeline,
                         "features='" + features + "': '" + entry +
                             "' is not +NAME or -NAME with NAME an NVPTX "
                             "feature (ptx80, ptx86, ...)");
    unsigned version;
    if (entry.starts_with("+") && name.consume_front("ptx") &&
        !name.getAsInteger(10, version))
      ptxVersion = std::max(ptxVersion.value_or(0), version);
  }
  if (!ptxVersion)
    return llvm::Error::success();
  std::optional<unsigned> minimum = getMinimumPTXVersion(target, triple, chip);
  if (!minimum || *ptxVersion >= *minimum)
    return llvm::Error::success();
  return optionError(kPipeline,
                     llvm::formatv("features='{0}': chip {1} needs PTX "
                                   "{2}.{3} or newer (+ptx{4})",
                                   features, chip, *minimum / 10, *minimum % 10,
                                   *minimum));
}
} // namespace

/// Checks `chip` and `features` against LLVM's NVPTX backend.
static llvm::Error checkGPUTarget(StringRef chip, StringRef features) {
  constexpr StringRef kPipeline = "norm-lower-to-nvvm";
  llvm::Triple triple("nvptx64-nvidia-cuda");
  const llvm::Target *target = getNVPTXTarget(triple);
  if (!target)
    return optionError(kPipeline, "this LLVM has no NVPTX backend");
  // An empty chip would silently pick the backend's generic one.
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      target->createMCSubtargetInfo(triple, "", ""));
  if (chip.empty() || !subtarget->isCPUStringValid(chip)) {
    std::string known;
    for (const llvm::SubtargetSubTypeKV &cpu :
         subtarget->getAllProcessorDescriptions())
      if (StringRef(cpu.Key).starts_with("sm_"))
        known += (known.empty() ? "" : ", ") + std::string(cpu.Key);
    return optionError(kPipeline, "chip='" + chip +
                                      "': not a GPU architecture that LLVM's "
                                      "NVPTX backend knows (" +
                                      known + ")");
  }
  return checkFeatures(*target, triple, *subtarget, chip, features);
}

llvm::Error
mlir::norm::validateGPUPipelineOptions(const GPUPipelineOptions &options) {
  constexpr StringRef kPipeline = "norm-lower-to-nvvm";
  if (llvm::Error error = checkGPUTarget(options.chip, options.features))
    return error;
  // The formats gpu-module-to-binary understands.
  if (!llvm::is_contained({"isa", "assembly", "bin", "binary", "fatbin",
                           "fatbinary", "llvm", "offloading"},
                          StringRef(options.format)))
    return optionError(kPipeline,
                       "format='" + options.format +
                           "': expected isa (PTX), bin (cubin), fatbin, or "
                           "llvm (offloading LLVM IR)");
  if (options.threadsPerBlock < 32 || options.threadsPerBlock > 1024 ||
      options.threadsPerBlock % 32 != 0)
    return optionError(kPipeline,
                       llvm::formatv("threads-per-block={0}: expected a "
                                     "multiple of 32 (the warp size) in "
                                     "[32, 1024]",
                                     options.threadsPerBlock));
  return checkRange(kPipeline, "opt-level", options.optLevel, 0, 3);
}
