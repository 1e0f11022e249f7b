//===- Graph.cpp - Message passing over COO edge lists: gather, scatter ---===//
//
// A graph layer reads node features at the edges' endpoints (gather along
// the node axis by an index [E]) and aggregates per-edge messages back onto
// the nodes (scatter with a reduction). The node count is often symbolic
// (`input x: f32[N, F]`), so scatter takes it as a dimension.
//
//===----------------------------------------------------------------------===//

#include "lang/SemaImpl.h"

using namespace nnc;
using namespace nnc::sema;

namespace {

/// Requires `param` to be a 1-D integer index tensor (an edge endpoint list).
bool checkIndex(Call &c, const char *param) {
  const TensorType &t = c.type(c.tensor(param));
  bool isInt =
      t.dtype == DType::I8 || t.dtype == DType::I32 || t.dtype == DType::I64;
  if (isInt && t.shape.size() == 1)
    return true;
  c.error(param, "'" + std::string(param) + "' of '" + c.op() +
                     "' must be a 1-D integer tensor [E] (i8, i32 or i64), "
                     "got " +
                     t.str());
  return false;
}

} // namespace

namespace nnc::sema::handlers {

Value gather(Call &c) {
  int x = c.tensor("input");
  TensorType t = c.type(x);
  if (t.shape.empty())
    return c.error("input", "'" + c.op() +
                                "' needs an input of rank 1 or "
                                "more, got a scalar " +
                                t.str());
  if (!checkIndex(c, "index"))
    return Value::poison();
  auto axis = c.axis("dim", t.shape.size());
  if (!axis)
    return Value::poison();
  int index = c.tensor("index");
  t.shape[*axis] = c.shape(index)[0];
  int id = c.emit1("gather", {x, index}, {{"axis", Attr::integer(*axis)}}, t);
  return tensorOrPoison(id);
}

Value scatter(Call &c) {
  int src = c.tensor("src");
  const TensorType &st = c.type(src);
  if (st.shape.empty() || st.dtype == DType::I1)
    return c.error("src", "'src' of '" + c.op() +
                              "' must be a tensor of numbers [E, ...], got " +
                              st.str());
  if (!checkIndex(c, "index"))
    return Value::poison();
  int index = c.tensor("index");
  const Dim &edges = c.shape(index)[0];
  if (edges != st.shape[0])
    return c.error("index", "index has " + edges.str() +
                                " entries but src has " + st.shape[0].str() +
                                " rows (" + st.str() +
                                "); scatter needs one index per row of src");
  const Dim &n = c.arg("dim_size").dim;
  if (n.isConstant() && (n.value() < 1 || n.value() > Elaborator::kMaxDim))
    return c.error("dim_size", "'dim_size' of '" + c.op() +
                                   "' must be between 1 and " +
                                   std::to_string(Elaborator::kMaxDim) +
                                   ", got " + n.str());
  if (!c.oneOf("reduce", {"sum", "mean", "max", "min"}))
    return Value::poison();
  TensorType result = st;
  result.shape[0] = n;
  // The dialect reads a static node count from the result type and takes a
  // symbolic one as an `index` operand.
  std::vector<Dim> sizes;
  if (!n.isConstant())
    sizes.push_back(n);
  auto ids = c.emit("scatter_reduce", {src, index},
                    {{"reduce", Attr::string(c.str("reduce"))}}, {result},
                    {1, 1, n.isConstant() ? 0 : 1}, std::move(sizes));
  return ids.empty() || ids[0] < 0 ? Value::poison() : Value::ofTensor(ids[0]);
}

} // namespace nnc::sema::handlers
