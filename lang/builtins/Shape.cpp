//===- Shape.cpp - Shape manipulation and reductions ----------------------===//
//
// concat, reshape, flatten, unsqueeze, squeeze, transpose, permute, expand,
// slice, split, chunk, patchify and the mean/sum/amax/amin reductions. Sizes
// stay symbolic where a monomial can express them; element counts are
// compared as monomials so that a reshape that provably loses or invents
// elements is an error.
//
//===----------------------------------------------------------------------===//

#include "lang/SemaImpl.h"

#include <algorithm>
#include <cctype>

using namespace nnc;
using namespace nnc::sema;

namespace {

/// split/chunk produce one result per piece; bound them like other sizes
/// the elaborator limits.
constexpr int64_t kMaxPieces = 65536;

/// Whether `d` involves an opaque size (`(T + -1)`): such sizes may equal
/// other expressions, so monomial comparisons cannot prove a mismatch.
bool hasOpaque(const Dim &d) {
  for (auto &atom : d.symbols())
    for (char ch : atom)
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '_'))
        return true;
  return false;
}

/// The number of elements of `shape`, or nullopt after reporting overflow.
std::optional<Dim> elementCount(Call &c, const Shape &shape,
                                const char *param) {
  Dim n = Dim::constant(1);
  for (auto &d : shape) {
    auto m = Dim::mul(n, d);
    if (!m) {
      c.error(param,
              "the number of elements of " + shapeString(shape) + " overflows");
      return std::nullopt;
    }
    n = *m;
  }
  return n;
}

/// Reshapes through the shared node builder, after checking the shape.
Value emitReshape(Call &c, int x, const Shape &shape) {
  if (c.failed || !c.el.checkShape(shape, c.loc)) {
    c.failed = true;
    return Value::poison();
  }
  return Value::ofTensor(c.el.reshape(x, shape, c.loc));
}

/// A list of axes, normalised to [0, rank) and distinct.
std::optional<std::vector<int64_t>> axes(Call &c, const char *param,
                                         int64_t rank) {
  std::vector<int64_t> out;
  for (int64_t a : c.intList(param)) {
    if (a < -rank || a >= rank) {
      c.error(param, "dimension " + std::to_string(a) +
                         " is out of range for a tensor of rank " +
                         std::to_string(rank));
      return std::nullopt;
    }
    int64_t n = a < 0 ? a + rank : a;
    if (std::find(out.begin(), out.end(), n) != out.end()) {
      c.error(param, "dimension " + std::to_string(n) + " appears twice in " +
                         dimsString(c.intList(param)));
      return std::nullopt;
    }
    out.push_back(n);
  }
  return out;
}

/// torch.split's sizes for a chunk size: full chunks and a smaller last one.
std::optional<std::vector<int64_t>> chunkSizes(Call &c, const char *param,
                                               int64_t size, int64_t chunk) {
  if (size < 1) {
    c.error("input", "'" + c.op() + "' cannot divide an empty dimension");
    return std::nullopt;
  }
  int64_t pieces = (size + chunk - 1) / chunk;
  if (pieces > kMaxPieces) {
    c.error(param, "'" + c.op() + "' would make " + std::to_string(pieces) +
                       " pieces; at most " + std::to_string(kMaxPieces) +
                       " are supported");
    return std::nullopt;
  }
  std::vector<int64_t> sizes(pieces, chunk);
  sizes.back() = size - chunk * (pieces - 1);
  return sizes;
}

/// One `split` node with a result per piece.
Value emitSplit(Call &c, int x, int64_t axis,
                const std::vector<int64_t> &sizes) {
  std::vector<TensorType> types;
  for (int64_t s : sizes) {
    TensorType t = c.type(x);
    t.shape[axis] = Dim::constant(s);
    types.push_back(std::move(t));
  }
  auto ids = c.emit(
      "split", {x},
      {{"axis", Attr::integer(axis)}, {"sizes", Attr::integers(sizes)}}, types);
  return tensorListOrPoison(ids);
}

} // namespace

namespace nnc::sema::handlers {

Value concat(Call &c) {
  const auto &elems = c.arg("tensors").elems;
  std::vector<int> ids;
  for (auto &e : elems)
    ids.push_back(e.tensor);
  TensorType first = c.type(ids[0]);
  int64_t rank = first.shape.size();
  if (rank == 0)
    return c.error("tensors", "'concat' cannot join rank-0 tensors");
  auto axis = c.axis("dim", rank);
  if (!axis)
    return Value::poison();
  Shape shape = first.shape;
  for (size_t i = 1; i < ids.size(); ++i) {
    const TensorType &t = c.type(ids[i]);
    std::string which = "tensor " + std::to_string(i) + " (" + t.str() +
                        ") and tensor 0 (" + first.str() + ")";
    if (t.dtype != first.dtype)
      return c.error("tensors", "'concat' needs one element type, but " +
                                    which + " differ");
    if (int64_t(t.shape.size()) != rank)
      return c.error("tensors", "'concat' needs tensors of one rank, but " +
                                    which + " differ");
    for (int64_t d = 0; d < rank; ++d)
      if (d != *axis && t.shape[d] != first.shape[d])
        return c.error("tensors",
                       "'concat' along dimension " + std::to_string(*axis) +
                           ": " + which + " differ in dimension " +
                           std::to_string(d) + " (" + t.shape[d].str() +
                           " vs " + first.shape[d].str() + ")");
    auto sum = Dim::add(shape[*axis], t.shape[*axis]);
    if (!sum)
      return c.error("tensors", "concatenated size overflows");
    shape[*axis] = *sum;
  }
  return Value::ofTensor(c.emit1(
      "concat", ids, {{"axis", Attr::integer(*axis)}}, {first.dtype, shape}));
}

Value reshape(Call &c) {
  int x = c.tensor("input");
  TensorType t = c.type(x);
  const auto &entries = c.arg("shape").elems;
  Shape shape;
  int inferred = -1;
  for (size_t i = 0; i < entries.size(); ++i) {
    const Dim &d = entries[i].dim;
    if (d == Dim::constant(-1)) {
      if (inferred >= 0)
        return c.error("shape", "only one dimension of the new shape can be "
                                "-1, but dimensions " +
                                    std::to_string(inferred) + " and " +
                                    std::to_string(i) + " are");
      inferred = i;
      shape.push_back(d);
      continue;
    }
    if (d.coefficient() < 1)
      return c.error("shape", "dimension " + std::to_string(i) +
                                  " of the new shape is " + d.str() +
                                  "; sizes must be positive (or -1 to infer "
                                  "one)");
    shape.push_back(d);
  }
  auto total = elementCount(c, t.shape, "input");
  if (!total)
    return Value::poison();
  std::string into =
      "cannot reshape " + t.str() + " into " + shapeString(shape);
  if (inferred >= 0) {
    Shape known = shape;
    known.erase(known.begin() + inferred);
    auto rest = elementCount(c, known, "shape");
    if (!rest)
      return Value::poison();
    auto size = Dim::divExact(*total, *rest);
    bool exact = size && Dim::mul(*size, *rest) == *total;
    // An inexact quotient of plain symbols (10*B / 3) is provably not a
    // monomial size; with opaque sizes involved it may still be right.
    if (!size || (!exact && !hasOpaque(*total) && !hasOpaque(*rest)))
      return c.error("shape", into + ": " + total->str() +
                                  " elements cannot be divided into rows of " +
                                  rest->str());
    shape[inferred] = *size;
  } else {
    auto count = elementCount(c, shape, "shape");
    if (!count)
      return Value::poison();
    if (*count != *total && !hasOpaque(*count) && !hasOpaque(*total))
      return c.error("shape", into + ": the input has " + total->str() +
                                  " elements, the new shape " + count->str());
  }
  return emitReshape(c, x, shape);
}

Value flatten(Call &c) {
  int x = c.tensor("input");
  TensorType t = c.type(x);
  int64_t rank = t.shape.size();
  // torch.flatten of a rank-0 tensor gives one element.
  if (rank == 0)
    return emitReshape(c, x, {Dim::constant(1)});
  auto start = c.axis("start_dim", rank);
  auto end = c.axis("end_dim", rank);
  if (!start || !end)
    return Value::poison();
  if (*start > *end)
    return c.error("start_dim", "start_dim " + std::to_string(*start) +
                                    " comes after end_dim " +
                                    std::to_string(*end) + " (input " +
                                    t.str() + ")");
  if (*start == *end)
    return c.arg("input");
  Shape merged(t.shape.begin() + *start, t.shape.begin() + *end + 1);
  auto size = elementCount(c, merged, "input");
  if (!size)
    return Value::poison();
  Shape shape(t.shape.begin(), t.shape.begin() + *start);
  shape.push_back(*size);
  shape.insert(shape.end(), t.shape.begin() + *end + 1, t.shape.end());
  return emitReshape(c, x, shape);
}

Value unsqueeze(Call &c) {
  int x = c.tensor("input");
  Shape shape = c.shape(x);
  int64_t rank = shape.size();
  int64_t d = c.integer("dim");
  // The new dim may go anywhere from before the first to after the last.
  if (d < -(rank + 1) || d > rank)
    return c.error("dim", "dimension " + std::to_string(d) +
                              " is out of range for unsqueeze of a tensor of "
                              "rank " +
                              std::to_string(rank) +
                              " (valid: " + std::to_string(-(rank + 1)) +
                              " to " + std::to_string(rank) + ")");
  if (d < 0)
    d += rank + 1;
  shape.insert(shape.begin() + d, Dim::constant(1));
  return emitReshape(c, x, shape);
}

Value squeeze(Call &c) {
  int x = c.tensor("input");
  TensorType t = c.type(x);
  auto d = c.axis("dim", t.shape.size());
  if (!d)
    return Value::poison();
  if (t.shape[*d] != Dim::constant(1))
    return c.error("dim", "cannot squeeze dimension " + std::to_string(*d) +
                              " of " + t.str() + ": its size is " +
                              t.shape[*d].str() + ", not 1");
  t.shape.erase(t.shape.begin() + *d);
  return emitReshape(c, x, t.shape);
}

Value transpose(Call &c) {
  int x = c.tensor("input");
  int64_t rank = c.rank(x);
  auto a = c.axis("dim0", rank);
  auto b = c.axis("dim1", rank);
  if (!a || !b)
    return Value::poison();
  if (*a == *b)
    return c.arg("input");
  std::vector<int64_t> perm(rank);
  for (int64_t i = 0; i < rank; ++i)
    perm[i] = i;
  std::swap(perm[*a], perm[*b]);
  return Value::ofTensor(c.el.permute(x, perm, c.loc));
}

Value permute(Call &c) {
  int x = c.tensor("input");
  int64_t rank = c.rank(x);
  auto perm = axes(c, "dims", rank);
  if (!perm)
    return Value::poison();
  if (int64_t(perm->size()) != rank)
    return c.error("dims", "'dims' of 'permute' has " +
                               std::to_string(perm->size()) +
                               " entries, but the input " + c.type(x).str() +
                               " has rank " + std::to_string(rank));
  return Value::ofTensor(c.el.permute(x, *perm, c.loc));
}

Value expand(Call &c) {
  int x = c.tensor("input");
  TensorType t = c.type(x);
  const auto &sizes = c.arg("size").elems;
  int64_t rank = t.shape.size(), n = sizes.size();
  if (n < rank)
    return c.error("size", "'size' of 'expand' has " + std::to_string(n) +
                               " entries, fewer than the rank of the input " +
                               t.str());
  // Input dims align with the trailing entries, as in broadcasting.
  int64_t lead = n - rank;
  Shape shape;
  for (int64_t i = 0; i < n; ++i) {
    const Dim &s = sizes[i].dim;
    if (s == Dim::constant(-1)) {
      if (i < lead)
        return c.error("size", "-1 cannot size the new leading dimension " +
                                   std::to_string(i) + " of 'expand'");
      shape.push_back(t.shape[i - lead]);
      continue;
    }
    if (s.coefficient() < 1)
      return c.error("size", "entry " + std::to_string(i) + " of 'size' is " +
                                 s.str() +
                                 "; sizes must be positive (or -1 to keep "
                                 "the input's)");
    if (i >= lead) {
      const Dim &d = t.shape[i - lead];
      if (d != s && d != Dim::constant(1))
        return c.error("size", "cannot expand dimension " +
                                   std::to_string(i - lead) + " of " + t.str() +
                                   " from " + d.str() + " to " + s.str() +
                                   "; only size-1 dimensions can grow");
    }
    shape.push_back(s);
  }
  if (shape == t.shape)
    return c.arg("input");
  std::vector<Dim> dynamic;
  for (auto &d : shape)
    if (!d.isConstant())
      dynamic.push_back(d);
  t.shape = shape;
  auto r = c.emit("expand", {x}, {}, {t}, {}, dynamic);
  return r.empty() || r[0] < 0 ? Value::poison() : Value::ofTensor(r[0]);
}

Value slice(Call &c) {
  int x = c.tensor("input");
  TensorType t = c.type(x);
  auto axis = c.axis("dim", t.shape.size());
  auto step = c.intIn("step", 1);
  if (!axis || !step)
    return Value::poison();
  int64_t start = c.integer("start");
  // No size exceeds kMaxDim, so a larger end means "to the end", which
  // keeps the size arithmetic of symbolic dims from overflowing.
  int64_t end = c.isNone("end") || c.integer("end") > Elaborator::kMaxDim
                    ? INT64_MAX
                    : c.integer("end");
  const Dim &d = t.shape[*axis];
  bool empty = !d.isConstant() && start >= 0 && end >= 0 && end <= start;
  if (!empty) {
    int y = c.el.sliceAxis(x, *axis, start, end, *step, c.loc);
    const Dim &size = c.shape(y)[*axis];
    if (!(size.isConstant() && size.value() <= 0))
      return Value::ofTensor(y);
  }
  return c.error("start",
                 "slice [" + std::to_string(start) + ":" +
                     (end == INT64_MAX ? std::string() : std::to_string(end)) +
                     ":" + std::to_string(*step) +
                     "] selects no elements of dimension " +
                     std::to_string(*axis) + " of " + t.str());
}

Value split(Call &c) {
  int x = c.tensor("input");
  auto axis = c.axis("dim", c.rank(x));
  if (!axis)
    return Value::poison();
  auto size = c.staticDim(x, *axis, "input", "the dimension to split");
  if (!size)
    return Value::poison();
  const char *param = "split_size_or_sections";
  if (c.arg(param).isInt()) {
    auto chunk = c.intIn(param, 1);
    if (!chunk)
      return Value::poison();
    auto sizes = chunkSizes(c, param, *size, *chunk);
    return sizes ? emitSplit(c, x, *axis, *sizes) : Value::poison();
  }
  std::vector<int64_t> sizes = c.intList(param);
  if (int64_t(sizes.size()) > kMaxPieces)
    return c.error(param, "'split' into " + std::to_string(sizes.size()) +
                              " pieces; at most " + std::to_string(kMaxPieces) +
                              " are supported");
  // At most kMaxPieces sizes of at most kMaxDim: the sum cannot overflow.
  int64_t sum = 0;
  for (int64_t s : sizes) {
    if (s < 1 || s > Elaborator::kMaxDim)
      return c.error(param, "split sizes " + dimsString(sizes) +
                                " must be from 1 to " +
                                std::to_string(Elaborator::kMaxDim));
    sum += s;
  }
  if (sum != *size)
    return c.error(param, "split sizes " + dimsString(sizes) + " add up to " +
                              std::to_string(sum) + ", but dimension " +
                              std::to_string(*axis) + " of " + c.type(x).str() +
                              " has size " + std::to_string(*size));
  return emitSplit(c, x, *axis, sizes);
}

Value chunk(Call &c) {
  int x = c.tensor("input");
  auto chunks = c.intIn("chunks", 1);
  auto axis = c.axis("dim", c.rank(x));
  if (!chunks || !axis)
    return Value::poison();
  auto size = c.staticDim(x, *axis, "input", "the dimension to chunk");
  if (!size)
    return Value::poison();
  // torch.chunk: pieces of ceil(size / chunks), possibly fewer of them.
  int64_t each = std::max<int64_t>(1, (*size + *chunks - 1) / *chunks);
  auto sizes = chunkSizes(c, "chunks", *size, each);
  return sizes ? emitSplit(c, x, *axis, *sizes) : Value::poison();
}

Value patchify(Call &c) {
  if (!c.requireFloat("input"))
    return Value::poison();
  int x = c.tensor("input");
  TensorType t = c.type(x);
  if (t.shape.size() != 4)
    return c.error("input",
                   "'patchify' expects images [N, C, H, W], got " + t.str());
  std::vector<int64_t> patch = c.ints("patch_size", 2);
  if (c.failed)
    return Value::poison();
  for (int64_t p : patch)
    if (p < 1 || p > Elaborator::kMaxDim)
      return c.error("patch_size", "patch_size " + dimsString(patch) +
                                       " must have positive entries");
  const char *names[] = {"height", "width"};
  int64_t patches = 1;
  for (int i = 0; i < 2; ++i) {
    auto size =
        c.staticDim(x, 2 + i, "input", std::string("the image ") + names[i]);
    if (!size)
      return Value::poison();
    if (*size % patch[i] != 0)
      return c.error("patch_size", std::string("image ") + names[i] + " " +
                                       std::to_string(*size) +
                                       " is not divisible by patch size " +
                                       std::to_string(patch[i]));
    patches *= *size / patch[i];
  }
  auto features = Dim::mul(t.shape[1], Dim::constant(patch[0] * patch[1]));
  if (!features)
    return c.error("patch_size", "patch feature size overflows");
  t.shape = {t.shape[0], Dim::constant(patches), *features};
  return Value::ofTensor(
      c.emit1("patchify", {x}, {{"patch_size", Attr::integers(patch)}}, t));
}

Value reduce(Call &c) {
  int x = c.tensor("input");
  TensorType t = c.type(x);
  const std::string &name = c.op();
  const char *op = name == "mean"   ? "reduce_mean"
                   : name == "sum"  ? "reduce_sum"
                   : name == "amax" ? "reduce_max"
                                    : "reduce_min";
  if (name == "mean" && !c.requireFloat("input"))
    return Value::poison();
  if (t.dtype == DType::I1)
    return c.error("input", "'" + name + "' is not defined on i1 tensors");
  auto dims = axes(c, "dim", t.shape.size());
  if (!dims)
    return Value::poison();
  bool keep = c.flag("keepdim");
  Shape shape;
  for (int64_t i = 0; i < int64_t(t.shape.size()); ++i) {
    bool reduced = std::find(dims->begin(), dims->end(), i) != dims->end();
    if (!reduced)
      shape.push_back(t.shape[i]);
    else if (keep)
      shape.push_back(Dim::constant(1));
  }
  t.shape = shape;
  return Value::ofTensor(c.emit1(
      op, {x},
      {{"dims", Attr::integers(*dims)}, {"keepdim", Attr::boolean(keep)}}, t));
}

} // namespace nnc::sema::handlers
