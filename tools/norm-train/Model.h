//===- Model.h - The language model module norm-train drives ----*- C++ -*-===//
//
// What norm-train reads from a module written by examples/lm/generate.py:
// the parameters (names, shapes, groups, initializations: the
// `norm_train.*` attributes of @eval_loss's arguments), the batch shape and
// the optimizer's constants (module attributes); and the entry functions,
// each JIT-compiled once from its own copy of the module.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_TOOLS_NORM_TRAIN_MODEL_H
#define NORM_TOOLS_NORM_TRAIN_MODEL_H

#include "norm/ExecutionEngine/JitModule.h"
#include "norm/Support/Npy.h"

#include "mlir/IR/BuiltinOps.h"
#include "llvm/Support/Error.h"

#include <memory>
#include <random>
#include <string>
#include <vector>

namespace norm {
namespace train {

llvm::Error makeError(const llvm::Twine &message);

struct Parameter {
  std::string name;  // "l0.wq"
  std::string group; // "embedding", "attention", "ffn", "norms", "head"
  std::string init;  // "normal" (with `std`), "ones", "zeros"
  double std = 0;
  std::vector<int64_t> shape;
  int64_t size = 0;
};

struct ModelInfo {
  std::string norm; // "layer" or "rms"
  ElementType type = ElementType::F32;
  std::vector<Parameter> params;
  int64_t vocab = 0, batch = 0, seq = 0, matmulFlops = 0;
  double beta1 = 0, beta2 = 0, adamEps = 0, weightDecay = 0, clip = 0;

  int64_t tokensPerStep() const { return batch * seq; }
  int64_t countParameters(llvm::StringRef group = "") const;
  /// The groups in order of first appearance.
  std::vector<std::string> getGroups() const;
};

/// Reads and checks the module's attributes and @eval_loss's signature.
llvm::Expected<ModelInfo> readModelInfo(mlir::ModuleOp module);

/// JIT-compiles `entry` from a copy of `module` and checks that it takes the
/// parameters (`copies` times: params, then Adam moments, ...) first.
llvm::Expected<std::unique_ptr<JitModule>>
compileEntry(mlir::ModuleOp module, llvm::StringRef entry,
             const JitOptions &options);

/// Fresh parameters as a newly initialized model: N(0, std) per the
/// `norm_train.std` of each, scales one, biases zero. Every tensor has its
/// own generator seeded from `seed` and its name, so two models that share
/// tensor names and shapes start equal whatever else they hold.
std::vector<NpyArray> initParameters(const ModelInfo &info, uint64_t seed);

/// Zeros shaped like each parameter (the Adam moments).
std::vector<NpyArray> zerosLike(const ModelInfo &info);

/// Reads DIR/<name>.npy for every parameter (shape checked, converted to
/// the model's type); writes them (creating DIR).
llvm::Expected<std::vector<NpyArray>> readParameters(const ModelInfo &info,
                                                     llvm::StringRef dir);
llvm::Error writeParameters(const ModelInfo &info,
                            llvm::ArrayRef<NpyArray> params,
                            llvm::StringRef dir);

/// Calls a compiled entry on `args` and returns copies of its results.
llvm::Expected<std::vector<NpyArray>> call(const JitModule &jit,
                                           llvm::ArrayRef<NpyArray> args);

/// Median seconds of one call of each entry on its arguments, over `runs`
/// rounds that call each once in turn (after one warm-up round).
llvm::Expected<std::vector<double>> timeInterleaved(
    llvm::ArrayRef<std::pair<const JitModule *, std::vector<NpyArray>>> calls,
    int runs);

/// The first element of a result as a double.
double scalar(const NpyArray &array);

} // namespace train
} // namespace norm

#endif // NORM_TOOLS_NORM_TRAIN_MODEL_H
