//===- MLIRGen.cpp - Elaborated graph to the nn dialect
//--------------------===//

#include "lang/MLIRGen.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Verifier.h"

#include <map>

using namespace nnc;

namespace {

class Emitter {
public:
  Emitter(mlir::MLIRContext &ctx, const Graph &graph,
          const SourceManager &sources)
      : ctx(ctx), graph(graph), sources(sources), builder(&ctx) {}

  mlir::OwningOpRef<mlir::ModuleOp> run() {
    auto module = mlir::ModuleOp::create(loc(graph.loc));
    module->setAttr("nn.model", builder.getStringAttr(graph.name));
    builder.setInsertionPointToEnd(module.getBody());
    for (auto &p : graph.params)
      declareParameter(p);

    std::vector<mlir::Type> inputTypes, outputTypes;
    for (auto &[name, id] : graph.inputs)
      inputTypes.push_back(type(graph.values[id]));
    for (auto &[name, id] : graph.outputs)
      outputTypes.push_back(type(graph.values[id]));
    auto func = mlir::func::FuncOp::create(
        builder, loc(graph.loc), graph.name,
        builder.getFunctionType(inputTypes, outputTypes));
    // Source-level names and symbolic dims, for tools and readers.
    for (size_t i = 0; i < graph.inputs.size(); ++i) {
      auto &[name, id] = graph.inputs[i];
      func.setArgAttr(i, "nn.name", builder.getStringAttr(name));
      func.setArgAttr(i, "nn.dims", dimsAttr(graph.values[id].shape));
    }
    for (size_t i = 0; i < graph.outputs.size(); ++i)
      func.setResultAttr(i, "nn.name",
                         builder.getStringAttr(graph.outputs[i].first));

    mlir::Block *entry = func.addEntryBlock();
    builder.setInsertionPointToStart(entry);
    for (size_t i = 0; i < graph.inputs.size(); ++i)
      define(graph.inputs[i].second, entry->getArgument(i));
    emitRegion(graph.body);
    std::vector<mlir::Value> results;
    for (auto &[name, id] : graph.outputs)
      results.push_back(values.at(id));
    mlir::func::ReturnOp::create(builder, loc(graph.loc), results);
    if (failed)
      return nullptr;
    return module;
  }

private:
  mlir::Location loc(SourceLoc l) {
    if (!l.isValid())
      return builder.getUnknownLoc();
    return mlir::FileLineColLoc::get(&ctx, sources.name(l.file), l.line, l.col);
  }

  mlir::Type elementType(DType t) {
    switch (t) {
    case DType::F16:
      return builder.getF16Type();
    case DType::BF16:
      return builder.getBF16Type();
    case DType::F32:
      return builder.getF32Type();
    case DType::F64:
      return builder.getF64Type();
    case DType::I1:
      return builder.getI1Type();
    case DType::I8:
      return builder.getIntegerType(8);
    case DType::I32:
      return builder.getIntegerType(32);
    case DType::I64:
      return builder.getIntegerType(64);
    }
    return builder.getF32Type();
  }

  mlir::RankedTensorType type(const TensorType &t) {
    std::vector<int64_t> shape;
    for (auto &d : t.shape)
      shape.push_back(d.isConstant() ? d.value() : mlir::ShapedType::kDynamic);
    return mlir::RankedTensorType::get(shape, elementType(t.dtype));
  }

  mlir::ArrayAttr dimsAttr(const Shape &shape) {
    std::vector<mlir::Attribute> dims;
    for (auto &d : shape)
      dims.push_back(builder.getStringAttr(d.str()));
    return builder.getArrayAttr(dims);
  }

  void declareParameter(const Parameter &p) {
    mlir::OperationState state(loc(p.loc), "nn.parameter");
    state.addAttribute("sym_name", builder.getStringAttr(p.name));
    state.addAttribute("type", mlir::TypeAttr::get(type(p.type)));
    state.addAttribute("init", builder.getStringAttr(p.init));
    if (p.init == "uniform" || p.init == "normal" || p.init == "constant")
      state.addAttribute("init_scale", builder.getF64FloatAttr(p.scale));
    if (p.buffer)
      state.addAttribute("buffer", builder.getUnitAttr());
    builder.create(state);
  }

  mlir::Attribute attribute(const std::string &op, const std::string &name,
                            const Attr &a) {
    switch (a.kind) {
    case Attr::Kind::Int:
      return builder.getI64IntegerAttr(a.i);
    case Attr::Kind::Float:
      return builder.getF64FloatAttr(a.f);
    case Attr::Kind::Bool:
      return builder.getBoolAttr(a.b);
    case Attr::Kind::String:
      if (op == "param" && name == "name")
        return mlir::FlatSymbolRefAttr::get(&ctx, a.s);
      return builder.getStringAttr(a.s);
    case Attr::Kind::Ints:
      return builder.getDenseI64ArrayAttr(a.ints);
    case Attr::Kind::Strings: {
      std::vector<mlir::Attribute> strs;
      for (auto &s : a.strings)
        strs.push_back(builder.getStringAttr(s));
      return builder.getArrayAttr(strs);
    }
    case Attr::Kind::Unit:
      return builder.getUnitAttr();
    case Attr::Kind::Dense: {
      auto t = type(a.denseType);
      mlir::Type et = t.getElementType();
      if (a.values.size() == 1) {
        if (mlir::isa<mlir::FloatType>(et))
          return mlir::DenseElementsAttr::get(
              t, builder.getFloatAttr(et, a.values[0]));
        return mlir::DenseElementsAttr::get(
            t, builder.getIntegerAttr(et, int64_t(a.values[0])));
      }
      std::vector<mlir::Attribute> elems;
      for (double v : a.values)
        elems.push_back(mlir::isa<mlir::FloatType>(et)
                            ? mlir::Attribute(builder.getFloatAttr(et, v))
                            : builder.getIntegerAttr(et, int64_t(v)));
      return mlir::DenseElementsAttr::get(t, elems);
    }
    }
    return {};
  }

  void define(int id, mlir::Value v) {
    values[id] = v;
    const Shape &shape = graph.values[id].shape;
    for (size_t i = 0; i < shape.size(); ++i)
      if (!shape[i].isConstant() && !dimSources.count(shape[i]))
        dimSources[shape[i]] = {v, int64_t(i)};
  }

  /// Produces an `index` value for a dimension: from a tensor that has it
  /// (tensor.dim), or as the product of its coefficient and atoms.
  mlir::Value materialize(const Dim &d, mlir::Location l) {
    if (d.isConstant())
      return mlir::arith::ConstantIndexOp::create(builder, l, d.value());
    if (auto it = dimSources.find(d); it != dimSources.end())
      return mlir::tensor::DimOp::create(builder, l, it->second.first,
                                         it->second.second);
    mlir::Value product;
    if (d.coefficient() != 1)
      product =
          mlir::arith::ConstantIndexOp::create(builder, l, d.coefficient());
    for (auto &atom : d.symbols()) {
      auto it = dimSources.find(Dim::symbol(atom));
      if (it == dimSources.end()) {
        mlir::emitError(l) << "internal error: no tensor carries the "
                              "dimension '"
                           << atom << "'";
        failed = true;
        return mlir::arith::ConstantIndexOp::create(builder, l, 1);
      }
      mlir::Value v = mlir::tensor::DimOp::create(builder, l, it->second.first,
                                                  it->second.second);
      product =
          product
              ? mlir::arith::MulIOp::create(builder, l, product, v).getResult()
              : v;
    }
    return product;
  }

  void emitRegion(const Region &region) {
    for (auto &node : region.nodes)
      emitNode(node);
  }

  void emitNode(const Node &node) {
    mlir::Location l = loc(node.loc);
    if (!node.scope.empty())
      l = mlir::NameLoc::get(builder.getStringAttr(node.scope), l);
    mlir::OperationState state(l, "nn." + node.op);
    for (int id : node.operands)
      state.operands.push_back(values.at(id));
    for (auto &d : node.sizeOperands)
      state.operands.push_back(materialize(d, l));
    for (auto &[name, a] : node.attrs)
      state.addAttribute(name, attribute(node.op, name, a));
    if (!node.segments.empty())
      state.addAttribute("operandSegmentSizes",
                         builder.getDenseI32ArrayAttr(node.segments));
    for (int id : node.results)
      state.types.push_back(type(graph.values[id]));
    for (size_t i = 0; i < node.regions.size(); ++i)
      state.addRegion();
    mlir::Operation *op = builder.create(state);

    for (size_t i = 0; i < node.regions.size(); ++i) {
      const Region &r = node.regions[i];
      mlir::Block *block = new mlir::Block();
      op->getRegion(i).push_back(block);
      mlir::OpBuilder::InsertionGuard guard(builder);
      builder.setInsertionPointToStart(block);
      // Values defined inside a candidate are not visible after it.
      auto savedSources = dimSources;
      emitRegion(r);
      mlir::OperationState yield(l, "nn.yield");
      yield.operands.push_back(values.at(r.yield));
      builder.create(yield);
      dimSources = std::move(savedSources);
    }
    for (size_t i = 0; i < node.results.size(); ++i)
      define(node.results[i], op->getResult(i));
  }

  mlir::MLIRContext &ctx;
  const Graph &graph;
  const SourceManager &sources;
  mlir::OpBuilder builder;
  std::map<int, mlir::Value> values;
  std::map<Dim, std::pair<mlir::Value, int64_t>> dimSources;
  bool failed = false;
};

} // namespace

mlir::OwningOpRef<mlir::ModuleOp>
nnc::emitModule(mlir::MLIRContext &context, const Graph &graph,
                const SourceManager &sources) {
  auto module = Emitter(context, graph, sources).run();
  if (!module)
    return nullptr;
  if (mlir::failed(mlir::verify(*module)))
    return nullptr;
  return module;
}
