//===- ImportONNX.cpp - The ONNX model walk -------------------------------===//
//
// Parses the ModelProto, builds the function's signature from the graph's
// inputs (then, with weightsAsArgs, its float initializers), converts the
// nodes in order through the converter table and returns the graph outputs.
//
//===----------------------------------------------------------------------===//

#include "norm/Target/ONNX/ImportONNX.h"

#include "Importer.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"
#include "norm/Dialect/Norm/IR/NormDialect.h"
#include "norm/Dialect/Norm/Transforms/Passes.h"

#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::norm;
using namespace mlir::norm::onnx_import;

namespace {
constexpr llvm::StringLiteral kNameAttr = "onnx.name";

const ConverterTable &getConverters() {
  static const ConverterTable table = [] {
    ConverterTable table;
    addElementwiseConverters(table);
    addContractionConverters(table);
    addNormalizationConverters(table);
    addShapeConverters(table);
    return table;
  }();
  return table;
}

/// The opset of the default ("" or "ai.onnx") domain.
int64_t getOpset(const onnx::ModelProto &model) {
  for (const onnx::OperatorSetIdProto &opset : model.opset_import())
    if (opset.domain().empty() || opset.domain() == "ai.onnx")
      return opset.version();
  return 1;
}

/// The type of a graph input or output: dim_params and unknown dims are
/// dynamic.
FailureOr<RankedTensorType> getValueType(const onnx::ValueInfoProto &info,
                                         Location loc) {
  if (!info.type().has_tensor_type())
    return emitError(loc) << "graph value '" << info.name()
                          << "' is not a tensor";
  const onnx::TypeProto::Tensor &tensor = info.type().tensor_type();
  Type elementType = getElementType(loc.getContext(), tensor.elem_type());
  if (!elementType)
    return emitError(loc) << "graph value '" << info.name()
                          << "' has unsupported ONNX element type "
                          << tensor.elem_type();
  if (!tensor.has_shape())
    return emitError(loc) << "graph value '" << info.name()
                          << "' has no shape (unranked tensors are not "
                             "supported)";
  SmallVector<int64_t> shape;
  for (const onnx::TensorShapeProto::Dimension &dim : tensor.shape().dim())
    shape.push_back(dim.has_dim_value() ? dim.dim_value()
                                        : ShapedType::kDynamic);
  return RankedTensorType::get(shape, elementType);
}

class GraphImporter {
public:
  GraphImporter(const onnx::ModelProto &model, ModuleOp module,
                const ImportOptions &options)
      : model(model), graph(model.graph()), options(options),
        builder(module.getBodyRegion()), table(builder),
        fileLoc(FileLineColLoc::get(builder.getStringAttr(options.fileName), 0,
                                    0)) {}

  LogicalResult import();

private:
  Location getLoc(llvm::StringRef name) {
    return NameLoc::get(builder.getStringAttr(name), fileLoc);
  }
  LogicalResult createFunction();
  LogicalResult importNode(const onnx::NodeProto &node, unsigned index);
  LogicalResult createReturn();

  const onnx::ModelProto &model;
  const onnx::GraphProto &graph;
  const ImportOptions &options;
  OpBuilder builder;
  ValueTable table;
  Location fileLoc;
  func::FuncOp func;
};

LogicalResult GraphImporter::createFunction() {
  llvm::StringSet<> initializerNames;
  for (const onnx::TensorProto &initializer : graph.initializer())
    initializerNames.insert(initializer.name());

  SmallVector<Type> argTypes;
  SmallVector<llvm::StringRef> argNames;
  // Inputs that are also initializers (IR version < 4) are weights.
  for (const onnx::ValueInfoProto &input : graph.input()) {
    if (initializerNames.contains(input.name()))
      continue;
    FailureOr<RankedTensorType> type = getValueType(input, fileLoc);
    if (failed(type))
      return failure();
    argTypes.push_back(*type);
    argNames.push_back(input.name());
  }
  SmallVector<std::pair<const onnx::TensorProto *, DenseElementsAttr>> weights;
  for (const onnx::TensorProto &initializer : graph.initializer()) {
    FailureOr<DenseElementsAttr> value =
        getTensorAttr(initializer, getLoc(initializer.name()));
    if (failed(value))
      return failure();
    if (options.weightsAsArgs && isa<FloatType>(value->getElementType())) {
      argTypes.push_back(value->getType());
      argNames.push_back(initializer.name());
      continue;
    }
    table.setConstant(initializer.name(), *value);
  }

  std::string name = graph.name().empty() ? "main" : graph.name();
  func = func::FuncOp::create(builder, fileLoc, name,
                              builder.getFunctionType(argTypes, {}));
  Block *entry = func.addEntryBlock();
  for (auto [i, argName] : llvm::enumerate(argNames)) {
    func.setArgAttr(i, kNameAttr, builder.getStringAttr(argName));
    table.set(argName, entry->getArgument(i));
  }
  builder.setInsertionPointToEnd(entry);
  return success();
}

LogicalResult GraphImporter::importNode(const onnx::NodeProto &node,
                                        unsigned index) {
  Location loc = getLoc(node.name().empty() ? node.op_type() : node.name());
  NodeImporter importer(node, index, getOpset(model), table, builder, loc);
  const ConverterTable &converters = getConverters();
  auto converter = converters.find(node.op_type());
  bool defaultDomain = node.domain().empty() || node.domain() == "ai.onnx";
  if (!defaultDomain || converter == converters.end()) {
    InFlightDiagnostic diag = emitError(loc) << "unsupported ONNX op '";
    if (!defaultDomain)
      diag << node.domain() << ".";
    return diag << node.op_type() << "' (node '" << node.name() << "', #"
                << index << ")";
  }
  for (int i = 0; i < node.input_size(); ++i)
    if (!node.input(i).empty() && !table.contains(node.input(i)))
      return importer.emitError()
             << "operand '" << node.input(i) << "' is not defined";
  if (failed(converter->second(importer)))
    return failure();
  for (int i = 0; i < node.output_size(); ++i)
    if (!node.output(i).empty() && !table.contains(node.output(i)))
      return importer.emitError() << "does not support result #" << i << " ('"
                                  << node.output(i) << "')";
  return success();
}

LogicalResult GraphImporter::createReturn() {
  SmallVector<Value> results;
  for (const onnx::ValueInfoProto &output : graph.output()) {
    Value value = table.lookup(output.name(), getLoc(output.name()));
    if (!value)
      return emitError(fileLoc)
             << "graph output '" << output.name() << "' is not defined";
    results.push_back(value);
  }
  func::ReturnOp::create(builder, fileLoc, results);
  func.setFunctionType(builder.getFunctionType(func.getArgumentTypes(),
                                               ValueRange(results).getTypes()));
  for (auto [i, output] : llvm::enumerate(graph.output()))
    func.setResultAttr(i, kNameAttr, builder.getStringAttr(output.name()));
  return success();
}

LogicalResult GraphImporter::import() {
  if (failed(createFunction()))
    return failure();
  for (auto [index, node] : llvm::enumerate(graph.node()))
    if (failed(importNode(node, index)))
      return failure();
  return createReturn();
}
} // namespace

void mlir::norm::registerONNXImportDialects(DialectRegistry &registry) {
  registry.insert<NormDialect, func::FuncDialect, arith::ArithDialect,
                  math::MathDialect, linalg::LinalgDialect,
                  tensor::TensorDialect>();
}

OwningOpRef<ModuleOp> mlir::norm::importONNX(llvm::StringRef bytes,
                                             MLIRContext *context,
                                             const ImportOptions &options) {
  DialectRegistry registry;
  registerONNXImportDialects(registry);
  context->appendDialectRegistry(registry);
  context->loadAllAvailableDialects();

  Location fileLoc =
      FileLineColLoc::get(StringAttr::get(context, options.fileName), 0, 0);
  onnx::ModelProto model;
  // A protobuf parse accepts many non-ONNX byte strings; a model has a
  // graph and an IR version.
  if (!model.ParseFromArray(bytes.data(), bytes.size()) || !model.has_graph() ||
      model.ir_version() <= 0) {
    emitError(fileLoc) << "not a valid ONNX model (the file is not a "
                          "serialized ModelProto with a graph)";
    return {};
  }
  OwningOpRef<ModuleOp> module = ModuleOp::create(fileLoc);
  GraphImporter importer(model, *module, options);
  if (failed(importer.import()) || failed(verify(*module)))
    return {};
  if (options.raise && failed(runPostImportPasses(*module, options)))
    return {};
  return module;
}

LogicalResult mlir::norm::runPostImportPasses(ModuleOp module,
                                              const ImportOptions &options) {
  (void)options;
  PassManager pm(module.getContext());
  // Constants folded first (norm-raise matches the mean's 1/N as one), then
  // decomposed normalizations (opset < 17 exports) raised to norm ops.
  pm.addPass(createCanonicalizerPass());
  pm.addNestedPass<func::FuncOp>(createNormRaise());
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  return pm.run(module);
}
