//===- Model.cpp - The language model module norm-train drives ------------===//

#include "Model.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/ADT/StringSet.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/xxhash.h"

#include <algorithm>
#include <chrono>

using namespace norm;
using namespace norm::train;

llvm::Error norm::train::makeError(const llvm::Twine &message) {
  return llvm::createStringError(llvm::inconvertibleErrorCode(), message);
}

int64_t ModelInfo::countParameters(llvm::StringRef group) const {
  int64_t count = 0;
  for (const Parameter &p : params)
    if (group.empty() || p.group == group)
      count += p.size;
  return count;
}

std::vector<std::string> ModelInfo::getGroups() const {
  std::vector<std::string> groups;
  for (const Parameter &p : params)
    if (llvm::find(groups, p.group) == groups.end())
      groups.push_back(p.group);
  return groups;
}

template <typename AttrT>
static llvm::Expected<AttrT> getAttr(mlir::Operation *op, llvm::StringRef name,
                                     llvm::StringRef where) {
  auto attr = op->getAttrOfType<AttrT>(name);
  if (!attr)
    return makeError(
        llvm::formatv("{0} lacks the attribute {1} (is it a "
                      "module written by examples/lm/generate.py?)",
                      where, name));
  return attr;
}

llvm::Expected<ModelInfo> norm::train::readModelInfo(mlir::ModuleOp module) {
  ModelInfo info;
  mlir::Operation *op = module.getOperation();
  auto norm = getAttr<mlir::StringAttr>(op, "norm_train.norm", "the module");
  if (!norm)
    return norm.takeError();
  info.norm = norm->getValue().str();
  for (auto [name, field] :
       {std::pair{"norm_train.vocab", &info.vocab},
        std::pair{"norm_train.batch", &info.batch},
        std::pair{"norm_train.seq", &info.seq},
        std::pair{"norm_train.matmul_flops", &info.matmulFlops}}) {
    auto attr = getAttr<mlir::IntegerAttr>(op, name, "the module");
    if (!attr)
      return attr.takeError();
    *field = attr->getInt();
    if (*field <= 0)
      return makeError(llvm::formatv("{0} must be positive", name));
  }
  for (auto [name, field] :
       {std::pair{"norm_train.beta1", &info.beta1},
        std::pair{"norm_train.beta2", &info.beta2},
        std::pair{"norm_train.adam_eps", &info.adamEps},
        std::pair{"norm_train.weight_decay", &info.weightDecay},
        std::pair{"norm_train.clip", &info.clip}}) {
    auto attr = getAttr<mlir::FloatAttr>(op, name, "the module");
    if (!attr)
      return attr.takeError();
    *field = attr->getValueAsDouble();
  }

  auto evalLoss = module.lookupSymbol<mlir::func::FuncOp>("eval_loss");
  if (!evalLoss)
    return makeError("the module has no @eval_loss");
  unsigned numArgs = evalLoss.getNumArguments();
  if (numArgs < 2)
    return makeError("@eval_loss takes no parameters");
  llvm::StringSet<> names;
  for (unsigned i = 0; i + 1 < numArgs; ++i) {
    std::string where = llvm::formatv("@eval_loss argument #{0}", i).str();
    auto type =
        llvm::dyn_cast<mlir::RankedTensorType>(evalLoss.getArgumentTypes()[i]);
    if (!type || !type.hasStaticShape())
      return makeError(where + " is not a statically shaped tensor");
    std::optional<ElementType> elementType =
        getElementType(type.getElementType());
    if (!elementType ||
        (*elementType != ElementType::F32 && *elementType != ElementType::F64))
      return makeError(where + " is neither f32 nor f64");
    if (i == 0)
      info.type = *elementType;
    else if (*elementType != info.type)
      return makeError(where + " differs in element type from argument #0");
    Parameter p;
    auto string = [&](llvm::StringRef attr) -> llvm::Expected<std::string> {
      auto value = evalLoss.getArgAttrOfType<mlir::StringAttr>(i, attr);
      if (!value)
        return makeError(where + " lacks the attribute " + attr);
      return value.getValue().str();
    };
    for (auto [attr, field] : {std::pair{"norm_train.param", &p.name},
                               std::pair{"norm_train.group", &p.group},
                               std::pair{"norm_train.init", &p.init}}) {
      auto value = string(attr);
      if (!value)
        return value.takeError();
      *field = *value;
    }
    if (!names.insert(p.name).second)
      return makeError(where + ": parameter name '" + p.name + "' repeats");
    if (p.init == "normal") {
      auto std =
          evalLoss.getArgAttrOfType<mlir::FloatAttr>(i, "norm_train.std");
      if (!std)
        return makeError(where + " lacks the attribute norm_train.std");
      p.std = std.getValueAsDouble();
    } else if (p.init != "ones" && p.init != "zeros") {
      return makeError(where + ": unknown norm_train.init '" + p.init + "'");
    }
    p.shape.assign(type.getShape().begin(), type.getShape().end());
    p.size = type.getNumElements();
    info.params.push_back(std::move(p));
  }
  auto tokens = llvm::dyn_cast<mlir::RankedTensorType>(
      evalLoss.getArgumentTypes().back());
  if (!tokens || !tokens.getElementType().isInteger(32) ||
      tokens.getShape() != llvm::ArrayRef<int64_t>{info.batch, info.seq + 1})
    return makeError(llvm::formatv("@eval_loss's last argument must be the "
                                   "tokens, tensor<{0}x{1}xi32>",
                                   info.batch, info.seq + 1));
  return info;
}

llvm::Expected<std::unique_ptr<JitModule>>
norm::train::compileEntry(mlir::ModuleOp module, llvm::StringRef entry,
                          const JitOptions &options) {
  if (!module.lookupSymbol<mlir::func::FuncOp>(entry))
    return makeError("the module has no @" + entry);
  mlir::OwningOpRef<mlir::ModuleOp> copy(module.clone());
  auto jit = JitModule::compile(*copy, entry, options);
  if (!jit)
    return makeError("@" + entry + ": " + llvm::toString(jit.takeError()));
  return jit;
}

static NpyArray filled(const ModelInfo &info, const Parameter &p,
                       llvm::function_ref<double()> value) {
  std::vector<double> values(p.size);
  for (double &v : values)
    v = value();
  return fromDoubles(info.type, p.shape, values);
}

std::vector<NpyArray> norm::train::initParameters(const ModelInfo &info,
                                                  uint64_t seed) {
  std::vector<NpyArray> params;
  for (const Parameter &p : info.params) {
    std::mt19937_64 rng(seed ^ llvm::xxh3_64bits(p.name));
    std::normal_distribution<double> normal(0.0, p.std);
    double constant = p.init == "ones" ? 1.0 : 0.0;
    params.push_back(filled(
        info, p, [&] { return p.init == "normal" ? normal(rng) : constant; }));
  }
  return params;
}

std::vector<NpyArray> norm::train::zerosLike(const ModelInfo &info) {
  std::vector<NpyArray> zeros;
  for (const Parameter &p : info.params)
    zeros.push_back(filled(info, p, [] { return 0.0; }));
  return zeros;
}

static std::string parameterPath(llvm::StringRef dir, const Parameter &p) {
  llvm::SmallString<256> path(dir);
  llvm::sys::path::append(path, p.name + ".npy");
  return std::string(path);
}

llvm::Expected<std::vector<NpyArray>>
norm::train::readParameters(const ModelInfo &info, llvm::StringRef dir) {
  std::vector<NpyArray> params;
  for (const Parameter &p : info.params) {
    std::string path = parameterPath(dir, p);
    auto array = readNpy(path);
    if (!array)
      return array.takeError();
    if (array->shape != p.shape)
      return makeError(llvm::formatv("{0}: shape {1}, but parameter '{2}' is "
                                     "{3}",
                                     path, formatNpyShape(array->shape), p.name,
                                     formatNpyShape(p.shape)));
    if (array->type != ElementType::F32 && array->type != ElementType::F64)
      return makeError(path + ": expected f32 or f64 data");
    params.push_back(convertArray(*array, info.type));
  }
  return params;
}

llvm::Error norm::train::writeParameters(const ModelInfo &info,
                                         llvm::ArrayRef<NpyArray> params,
                                         llvm::StringRef dir) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir))
    return makeError("cannot create " + dir + ": " + ec.message());
  for (auto [p, array] : llvm::zip_equal(info.params, params))
    if (llvm::Error error = writeNpy(parameterPath(dir, p), array))
      return error;
  return llvm::Error::success();
}

llvm::Expected<std::vector<NpyArray>>
norm::train::call(const JitModule &jit, llvm::ArrayRef<NpyArray> args) {
  auto prepared = jit.prepare(args);
  if (!prepared)
    return prepared.takeError();
  (*prepared)->invoke();
  return (*prepared)->getResults();
}

llvm::Expected<std::vector<double>> norm::train::timeInterleaved(
    llvm::ArrayRef<std::pair<const JitModule *, std::vector<NpyArray>>> calls,
    int runs) {
  std::vector<std::unique_ptr<PreparedCall>> prepared;
  for (const auto &[jit, args] : calls) {
    auto call = jit->prepare(args);
    if (!call)
      return call.takeError();
    (*call)->invoke();
    prepared.push_back(std::move(*call));
  }
  std::vector<std::vector<double>> seconds(calls.size());
  for (int r = 0; r < runs; ++r)
    for (auto [call, times] : llvm::zip_equal(prepared, seconds)) {
      auto start = std::chrono::steady_clock::now();
      call->invoke();
      times.push_back(std::chrono::duration<double>(
                          std::chrono::steady_clock::now() - start)
                          .count());
    }
  std::vector<double> medians;
  for (std::vector<double> &times : seconds) {
    std::nth_element(times.begin(), times.begin() + runs / 2, times.end());
    medians.push_back(times[runs / 2]);
  }
  return medians;
}

double norm::train::scalar(const NpyArray &array) {
  return array.type == ElementType::F64
             ? reinterpret_cast<const double *>(array.data.data())[0]
             : reinterpret_cast<const float *>(array.data.data())[0];
}
