//===- RuntimeAbiTest.cpp - Kernel descriptors and nnc_kernel_call --------===//
//
// The descriptor parser (including malformed input and escaping), the
// result-slot checks, and nnc_kernel_call on hand-built memrefs compared
// with calling the kernels directly. The adapters themselves are exercised
// by every executor test, which runs each op through them.
//
//===----------------------------------------------------------------------===//

#include "runtime/Tensor.h"
#include "runtime/ThreadPool.h"
#include "runtime/abi/KernelDescriptor.h"
#include "runtime/abi/Kernels.h"
#include "runtime/abi/RunContext.h"
#include "runtime/abi/nnc_kernel_abi.h"
#include "runtime/kernels/Conv.h"
#include "runtime/kernels/Elementwise.h"
#include "runtime/kernels/Norm.h"

#include <gtest/gtest.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <mutex>
#include <string>
#include <vector>

using namespace nnc::rt;
using namespace nnc::rt::abi;
namespace k = nnc::rt::kernels;

namespace {

KernelDescriptor parseOk(const std::string &text) {
  std::string error;
  std::optional<KernelDescriptor> d = parseKernelDescriptor(text, error);
  EXPECT_TRUE(d.has_value()) << error;
  return d ? *d : KernelDescriptor();
}

/// Parses `text`, expecting an error that contains `what`.
void expectMalformed(const std::string &text, const std::string &what) {
  std::string error;
  EXPECT_FALSE(parseKernelDescriptor(text, error).has_value()) << text;
  EXPECT_NE(error.find(what), std::string::npos)
      << "error '" << error << "' lacks '" << what << "'";
}

/// A tensor with values 0.1 * (i % 17) - 0.8: small, signed, deterministic.
Tensor ramp(Shape shape) {
  Tensor t(DType::F32, std::move(shape));
  for (int64_t i = 0; i < t.numel(); ++i)
    t.set(i, 0.1 * double(i % 17) - 0.8);
  return t;
}

void expectIdentical(const Tensor &a, const Tensor &b) {
  ASSERT_EQ(a.typeString(), b.typeString());
  EXPECT_EQ(std::memcmp(a.raw(), b.raw(), a.bytes()), 0);
}

/// An MLIR ranked memref descriptor over `data` (element strides).
struct Memref {
  std::vector<int64_t> words;
  Memref(void *data, const Shape &sizes, std::vector<int64_t> strides = {}) {
    size_t rank = sizes.size();
    if (strides.empty()) {
      strides.assign(rank, 1);
      for (size_t d = rank; d-- > 1;)
        strides[d - 1] = strides[d] * sizes[d];
    }
    words.assign(3 + 2 * rank, 0);
    std::memcpy(&words[0], &data, sizeof(void *));
    std::memcpy(&words[1], &data, sizeof(void *));
    for (size_t d = 0; d < rank; ++d) {
      words[3 + d] = sizes[d];
      words[3 + rank + d] = strides[d];
    }
  }
  nnc_unranked_memref arg() {
    return {int64_t((words.size() - 3) / 2), words.data()};
  }
};

/// Calls nnc_kernel_call on contiguous tensors (operands, then results).
void call(const std::string &descriptor, std::vector<Tensor *> tensors) {
  std::vector<Memref> memrefs;
  for (Tensor *t : tensors)
    memrefs.emplace_back(t->raw(), t->shape());
  std::vector<nnc_unranked_memref> args;
  for (Memref &m : memrefs)
    args.push_back(m.arg());
  nnc_kernel_call(descriptor.c_str(), int64_t(args.size()), args.data());
}

} // namespace

TEST(RuntimeAbiDescriptor, ParsesEveryField) {
  KernelDescriptor d =
      parseOk("op=conv\nin=f32,bf16,i1\nout=i64,u8\n"
              "a.dilation=i:1,-2\na.eps=f:1.0000000000000001e-05"
              "\na.mode=s:tanh\na.empty=i:\n");
  EXPECT_EQ(d.op, "conv");
  EXPECT_EQ(d.operands,
            (std::vector<DType>{DType::F32, DType::BF16, DType::Bool}));
  EXPECT_EQ(d.results, (std::vector<DType>{DType::I64, DType::U8}));
  EXPECT_EQ(d.attrs.getInts("dilation"), (std::vector<int64_t>{1, -2}));
  EXPECT_EQ(d.attrs.getFloat("eps"), 1e-5);
  EXPECT_EQ(d.attrs.getString("mode"), "tanh");
  EXPECT_TRUE(d.attrs.has("empty"));
  EXPECT_TRUE(d.attrs.getInts("empty").empty());
  EXPECT_TRUE(d.attrs.getStrings("empty").empty());
  EXPECT_EQ(d.attrs.getString("empty", "x"), "");
}

TEST(RuntimeAbiDescriptor, ReadersUseDefaultsForAbsentOrMismatched) {
  KernelDescriptor d =
      parseOk("op=x\nin=\nout=\na.n=i:3\na.pair=i:1,2\na.s=s:a,b");
  EXPECT_TRUE(d.operands.empty());
  EXPECT_EQ(d.attrs.getInt("missing", 7), 7);
  EXPECT_EQ(d.attrs.getInt("pair", 7), 7);    // not a single int
  EXPECT_EQ(d.attrs.getFloat("n"), 3.0);      // an int reads as a float
  EXPECT_EQ(d.attrs.getFloat("s", 2.5), 2.5); // a string does not
  EXPECT_EQ(d.attrs.getString("s", "d"), "d");
  EXPECT_EQ(d.attrs.getStrings("s"), (std::vector<std::string>{"a", "b"}));
  EXPECT_TRUE(d.attrs.getBool("n"));
  EXPECT_TRUE(d.attrs.getBool("missing", true));
  EXPECT_EQ(d.attrs.getFloats("pair"), (std::vector<double>{1, 2}));
}

TEST(RuntimeAbiDescriptor, FloatsRoundTripExactly) {
  KernelDescriptor d = parseOk(
      "op=x\nin=\nout=\na.f=f:0.10000000000000001,-0,inf,-inf,1e-300,nan");
  std::vector<double> f = d.attrs.getFloats("f");
  ASSERT_EQ(f.size(), 6u);
  EXPECT_EQ(f[0], 0.1);
  EXPECT_TRUE(f[1] == 0 && std::signbit(f[1]));
  EXPECT_EQ(f[2], INFINITY);
  EXPECT_EQ(f[3], -INFINITY);
  EXPECT_EQ(f[4], 1e-300);
  EXPECT_TRUE(std::isnan(f[5]));
}

TEST(RuntimeAbiDescriptor, StringsArePercentDecoded) {
  std::string value = "a,b=c\nd%e";
  std::string escaped = escapeDescriptorString(value);
  EXPECT_EQ(escaped, "a%2Cb%3Dc%0Ad%25e");
  KernelDescriptor d =
      parseOk("op=x\nin=\nout=\na.s=s:" + escaped + ",%2c%41,");
  EXPECT_EQ(d.attrs.getStrings("s"),
            (std::vector<std::string>{value, ",A", ""}));
}

TEST(RuntimeAbiDescriptor, MalformedDescriptorsAreErrors) {
  expectMalformed("", "expected key=value");
  expectMalformed("in=f32\nout=f32", "no 'op' line");
  expectMalformed("op=relu\nout=f32", "no 'in' line");
  expectMalformed("op=relu\nin=f32", "no 'out' line");
  expectMalformed("op=\nin=\nout=", "empty op name");
  expectMalformed("op=a\nop=b\nin=\nout=", "a second 'op'");
  expectMalformed("op=a\nin=\nin=\nout=", "a second 'in'");
  expectMalformed("op=a\nin=f32\n\nout=f32", "line 3");
  expectMalformed("op=a\nin=f33\nout=", "unknown dtype 'f33'");
  expectMalformed("op=a\nin=f32,\nout=", "unknown dtype ''");
  expectMalformed("op=a\nin=\nout=\nb.x=i:1", "unknown key 'b.x'");
  expectMalformed("op=a\nin=\nout=\na.=i:1", "unknown key 'a.'");
  expectMalformed("op=a\nin=\nout=\na.x=1", "must start with");
  expectMalformed("op=a\nin=\nout=\na.x=q:1", "unknown value kind 'q'");
  expectMalformed("op=a\nin=\nout=\na.x=i:1x", "'1x' is not a 64-bit");
  expectMalformed("op=a\nin=\nout=\na.x=i:99999999999999999999",
                  "not a 64-bit integer");
  expectMalformed("op=a\nin=\nout=\na.x=i:1,,2", "'' is not a 64-bit");
  expectMalformed("op=a\nin=\nout=\na.x=f:1.5.2", "not a number");
  expectMalformed("op=a\nin=\nout=\na.x=s:%2", "bad %-escape");
  expectMalformed("op=a\nin=\nout=\na.x=s:%zz", "bad %-escape");
  expectMalformed("op=a\nin=\nout=\na.x=i:1\na.x=i:2", "a second value");
  expectMalformed("op=a\nin=\nout=\nno equals sign", "line 4");
}

TEST(RuntimeAbiKernels, SetResultChecksPreallocatedSlots) {
  KernelDescriptor d = parseOk("op=relu\nin=f32\nout=f32");
  RunContext ctx;
  std::vector<Tensor> operands{ramp({2, 3})};
  std::vector<Tensor> results{Tensor(DType::F32, {3, 2})};
  KernelCall c(d, operands, results, ctx);
  EXPECT_FALSE(c.setResult(0, ramp({2, 3})));
  EXPECT_EQ(c.error, "result 0 is f32[3, 2] but the kernel computed f32[2, 3]");
  EXPECT_FALSE(c.setResult(0, Tensor(DType::F64, {3, 2})));
  EXPECT_EQ(c.error, "result 0 is f32[3, 2] but the kernel computed f64[3, 2]");
  EXPECT_FALSE(c.setResult(1, ramp({3, 2})));
  // A matching value is copied into the caller's buffer.
  void *buffer = results[0].raw();
  ASSERT_TRUE(c.setResult(0, ramp({3, 2})));
  EXPECT_EQ(results[0].raw(), buffer);
  expectIdentical(results[0], ramp({3, 2}));
  // An empty slot takes the value itself.
  std::vector<Tensor> empty(1);
  KernelCall moved(d, operands, empty, ctx);
  Tensor value = ramp({4});
  ASSERT_TRUE(moved.setResult(0, value));
  EXPECT_EQ(empty[0].raw(), value.raw());
}

TEST(RuntimeAbiKernels, RunKernelChecksTheSignature) {
  const Kernel *conv = lookupKernel("conv");
  ASSERT_NE(conv, nullptr);
  EXPECT_EQ(lookupKernel("conv_grad_nonexistent"), nullptr);
  RunContext ctx;
  auto run = [&](const std::string &text, std::vector<Tensor> operands) {
    KernelDescriptor d = parseOk(text);
    std::vector<Tensor> results(d.results.size());
    KernelCall c(d, operands, results, ctx);
    EXPECT_FALSE(runKernel(*lookupKernel(d.op), c)) << text;
    return c.error;
  };
  std::string attrs = "\na.dilation=i:1\na.padding=i:0\na.stride=i:1";
  EXPECT_EQ(run("op=conv\nin=f32\nout=f32" + attrs, {ramp({1, 1, 4})}),
            "expected at least 2 operands, got 1");
  EXPECT_EQ(
      run("op=conv\nin=f32,f32\nout=f32", {ramp({1, 1, 4}), ramp({1, 1, 2})}),
      "the descriptor has no attribute 'stride'");
  EXPECT_EQ(run("op=conv\nin=f32,f32\nout=f32" + attrs, {ramp({1, 1, 4})}),
            "the descriptor lists 2 operands, got 1");
  EXPECT_EQ(run("op=relu\nin=f64\nout=f64", {ramp({2})}),
            "operand 0 is f32[2], the descriptor says f64");
  EXPECT_EQ(run("op=relu\nin=f32\nout=f32,f32", {ramp({2})}),
            "expected 1 results, the descriptor lists 2");
  // Two optional groups need the segment sizes, which must add up.
  EXPECT_EQ(run("op=batch_norm\nin=f32,f32,f32\nout=f32",
                {ramp({2, 3}), ramp({3}), ramp({3})}),
            "the descriptor needs operandSegmentSizes");
  EXPECT_EQ(run("op=batch_norm\nin=f32,f32,f32\nout=f32\n"
                "a.operandSegmentSizes=i:1,0,1,1",
                {ramp({2, 3}), ramp({3}), ramp({3})}),
            "operandSegmentSizes must list 5 group sizes");
  EXPECT_EQ(run("op=batch_norm\nin=f32,f32,f32\nout=f32\n"
                "a.operandSegmentSizes=i:1,2,0,1,1",
                {ramp({2, 3}), ramp({3}), ramp({3})}),
            "operand group 1 has 2 operands");
  EXPECT_EQ(run("op=batch_norm\nin=f32,f32,f32\nout=f32\n"
                "a.operandSegmentSizes=i:1,0,0,1,0",
                {ramp({2, 3}), ramp({3}), ramp({3})}),
            "operand group 4 has 0 operands");
}

TEST(RuntimeAbiCall, ConvMatchesTheKernel) {
  Tensor x = ramp({1, 2, 5, 5}), w = ramp({3, 2, 3, 3}), b = ramp({3});
  Tensor expected = k::conv(x, w, b, {2, 2}, {1, 1}, {1, 1}, /*groups=*/1);
  Tensor out(DType::F32, expected.shape());
  RunContext ctx;
  ScopedRunContext scope(ctx);
  call("op=conv\nin=f32,f32,f32\nout=f32\na.dilation=i:1,1\na.groups=i:1\n"
       "a.padding=i:1,1\na.stride=i:2,2",
       {&x, &w, &b, &out});
  ASSERT_FALSE(nnc_run_failed()) << nnc_run_error();
  expectIdentical(out, expected);
}

TEST(RuntimeAbiCall, StaticLayoutsMatchFullDescriptors) {
  // conv(x, w, b) with x passed as a strided view: rows 1..5 of a 7-row
  // buffer, so its layout has an offset and a row stride of 5.
  Tensor padded = ramp({1, 2, 7, 5}), w = ramp({3, 2, 3, 3}), b = ramp({3});
  Tensor x(DType::F32, {1, 2, 5, 5});
  for (int64_t c = 0; c < 2; ++c)
    std::memcpy(x.data<float>() + c * 25, padded.data<float>() + c * 35 + 5,
                sizeof(float) * 25);
  Tensor expected = k::conv(x, w, b, {1, 1}, {1, 1}, {1, 1}, /*groups=*/1);
  Tensor out(DType::F32, expected.shape());
  const int64_t layouts[] = {
      4, 5, 1, 2, 5, 5, 70, 35, 5, 1, // x: a view of `padded`
      4, 0, 3, 2, 3, 3, 18, 9,  3, 1, // w
      1, 0, 3, 1,                     // b
      4, 0, 1, 3, 5, 5, 75, 25, 5, 1, // out
  };
  void *data[] = {padded.raw(), w.raw(), b.raw(), out.raw()};
  RunContext ctx;
  ScopedRunContext scope(ctx);
  nnc_run_begin(0, 0);
  nnc_kernel_call_static(
      "op=conv\nin=f32,f32,f32\nout=f32\na.dilation=i:1,1\na.groups=i:1\n"
      "a.padding=i:1,1\na.stride=i:1,1",
      4, layouts, data);
  ASSERT_FALSE(nnc_run_failed()) << nnc_run_error();
  expectIdentical(out, expected);
}

TEST(RuntimeAbiCall, AbsentOptionalsFollowTheSegmentSizes) {
  // batch_norm without weight but with bias: groups 1, 0, 1, 1, 1.
  Tensor x = ramp({2, 3, 4}), bias = ramp({3}), mean = ramp({3});
  Tensor var = Tensor::full(DType::F32, {3}, 0.5);
  Tensor expected = k::batchNorm(x, Tensor(), bias, mean, var, 1e-3);
  Tensor out(DType::F32, {2, 3, 4});
  RunContext ctx;
  ScopedRunContext scope(ctx);
  call("op=batch_norm\nin=f32,f32,f32,f32\nout=f32\na.epsilon=f:1e-3\n"
       "a.operandSegmentSizes=i:1,0,1,1,1",
       {&x, &bias, &mean, &var, &out});
  ASSERT_FALSE(nnc_run_failed()) << nnc_run_error();
  expectIdentical(out, expected);
}

TEST(RuntimeAbiCall, StridedOperandsAndResults) {
  // lhs is the transpose of a row-major [3, 2] buffer; the result is
  // written through a transposed layout too.
  Tensor base = ramp({3, 2}), rhs = ramp({2, 3});
  Tensor lhs(DType::F32, {2, 3});
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      lhs.set(i * 3 + j, base.at(j * 2 + i));
  Tensor expected = k::binary(k::BinaryOp::Sub, lhs, rhs);
  Tensor outT(DType::F32, {3, 2});
  Memref a(base.raw(), {2, 3}, {1, 2}), b(rhs.raw(), {2, 3}),
      o(outT.raw(), {2, 3}, {1, 2});
  nnc_unranked_memref args[] = {a.arg(), b.arg(), o.arg()};
  RunContext ctx;
  ScopedRunContext scope(ctx);
  nnc_kernel_call("op=sub\nin=f32,f32\nout=f32", 3, args);
  ASSERT_FALSE(nnc_run_failed()) << nnc_run_error();
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      EXPECT_EQ(outT.at(j * 2 + i), expected.at(i * 3 + j));
}

TEST(RuntimeAbiCall, StochasticOpsDrawFromTheRunContext) {
  Tensor x = Tensor::full(DType::F32, {64}, 1.0);
  Tensor out(DType::F32, {64});
  RunContext ctx(/*seed=*/7, /*stochastic=*/true);
  ScopedRunContext scope(ctx);
  call("op=dropout\nin=f32\nout=f32\na.p=f:0.5\na.spatial=i:0", {&x, &out});
  ASSERT_FALSE(nnc_run_failed()) << nnc_run_error();
  // The executor's formula: the first stochastic call of a run with seed s
  // uses s * 0x9E3779B97F4A7C15 + 1.
  expectIdentical(
      out, k::dropout(x, 0.5, false, true, 7 * 0x9E3779B97F4A7C15ull + 1));
  // Not stochastic: the identity.
  ctx.reset(7, false);
  Tensor same(DType::F32, {64});
  call("op=dropout\nin=f32\nout=f32\na.p=f:0.5", {&x, &same});
  expectIdentical(same, x);
}

TEST(RuntimeAbiCall, ErrorsAreRecordedAndLaterCallsSkipped) {
  RunContext ctx;
  ScopedRunContext scope(ctx);
  Tensor x = ramp({2, 3}), wrong(DType::F32, {3, 2});
  call("op=relu\nin=f32\nout=f32", {&x, &wrong});
  ASSERT_TRUE(nnc_run_failed());
  EXPECT_STREQ(nnc_run_error(),
               "nn.relu: result 0 is f32[3, 2] but the kernel computed "
               "f32[2, 3]");
  // Once failed, calls do nothing (and the first error stays).
  Tensor out(DType::F32, {2, 3});
  call("op=relu\nin=f32\nout=f32", {&x, &out});
  expectIdentical(out, Tensor(DType::F32, {2, 3}));
  call("op=nonsense", {});
  EXPECT_NE(std::string(nnc_run_error()).find("nn.relu"), std::string::npos);
  // A new run starts clean.
  nnc_run_begin(0, 0);
  EXPECT_FALSE(nnc_run_failed());
  EXPECT_STREQ(nnc_run_error(), "");
  call("op=relu\nin=f32\nout=f32", {&x, &out});
  ASSERT_FALSE(nnc_run_failed()) << nnc_run_error();
  expectIdentical(out, k::unary(k::UnaryOp::Relu, x));
}

TEST(RuntimeAbiCall, BadCallsAreErrorsNotCrashes) {
  RunContext ctx;
  ScopedRunContext scope(ctx);
  auto expectError = [&](const std::string &what) {
    EXPECT_TRUE(nnc_run_failed());
    EXPECT_NE(std::string(nnc_run_error()).find(what), std::string::npos)
        << nnc_run_error();
    ctx.reset(0, false);
  };
  Tensor x = ramp({2}), out(DType::F32, {2});
  call("op=frobnicate\nin=f32\nout=f32", {&x, &out});
  expectError("nnc_kernel_call: no kernel for op 'nn.frobnicate'");
  call("op=relu\nin=f32\nout=f32\nbogus", {&x, &out});
  expectError("kernel descriptor line 4");
  call("op=relu\nin=f32\nout=f32", {&x});
  expectError("nn.relu: expected 2 tensors (1 operands and 1 results), got 1");
  nnc_kernel_call(nullptr, 0, nullptr);
  expectError("no kernel descriptor");
  nnc_unranked_memref bad[] = {{-1, nullptr}, {1, nullptr}};
  nnc_kernel_call("op=relu\nin=f32\nout=f32", 2, bad);
  expectError("nn.relu: operand 0 has no valid memref descriptor");
  Memref m(x.raw(), {2}), n(nullptr, {2});
  nnc_unranked_memref noData[] = {m.arg(), n.arg()};
  nnc_kernel_call("op=relu\nin=f32\nout=f32", 2, noData);
  expectError("nn.relu: result 0 has no data");
}

TEST(RuntimeAbiCall, DescriptorsAreCachedByAddressButCheckedByText) {
  // The same buffer reused for another descriptor must not hit the cache.
  RunContext ctx;
  ScopedRunContext scope(ctx);
  Tensor x = ramp({5}), out(DType::F32, {5});
  char text[64];
  std::strcpy(text, "op=relu\nin=f32\nout=f32");
  Memref a(x.raw(), {5}), o(out.raw(), {5});
  nnc_unranked_memref args[] = {a.arg(), o.arg()};
  nnc_kernel_call(text, 2, args);
  expectIdentical(out, k::unary(k::UnaryOp::Relu, x));
  std::strcpy(text, "op=neg\nin=f32\nout=f32");
  nnc_kernel_call(text, 2, args);
  ASSERT_FALSE(nnc_run_failed()) << nnc_run_error();
  expectIdentical(out, k::unary(k::UnaryOp::Neg, x));
}

// Kernels allocate their outputs in the buffers compiled code gives them:
// each target once, exact dtype and shape only, zero-filled when asked.
TEST(RuntimeAbi, AllocationTargets) {
  using nnc::rt::DType;
  using nnc::rt::Tensor;
  std::vector<float> memory(6, 7.0f);
  Tensor slot = Tensor::view(DType::F32, {2, 3}, memory.data());
  {
    nnc::rt::ScopedAllocationTargets targets({slot});
    Tensor other = Tensor::uninitialized(DType::F32, {3, 2});
    EXPECT_NE(other.raw(), memory.data());
    Tensor zeros(DType::F32, {2, 3});
    EXPECT_EQ(zeros.raw(), memory.data());
    EXPECT_EQ(memory[5], 0.0f);
    Tensor again = Tensor::uninitialized(DType::F32, {2, 3});
    EXPECT_NE(again.raw(), memory.data());
  }
  Tensor after = Tensor::uninitialized(DType::F32, {2, 3});
  EXPECT_NE(after.raw(), memory.data());
}

namespace {
/// What nnc_parallel_for's body saw: one mark per outer iteration, and the
/// chunks it was called with.
struct ChunkLog {
  std::vector<std::atomic<int>> visits;
  std::mutex mutex;
  std::vector<std::pair<int64_t, int64_t>> chunks;
  explicit ChunkLog(int64_t extent) : visits(extent) {}
};

void recordChunk(void *args, int64_t begin, int64_t end) {
  auto *log = *static_cast<ChunkLog **>(args);
  for (int64_t i = begin; i < end; ++i)
    ++log->visits[i];
  std::lock_guard<std::mutex> lock(log->mutex);
  log->chunks.emplace_back(begin, end);
}
} // namespace

TEST(RuntimeAbiParallelFor, CoversTheRangeOnceInChunksOfAtLeastTheGrain) {
  int threadsBefore = numThreads();
  for (int threads : {1, 2, 4}) {
    setNumThreads(threads);
    for (auto [extent, grain] :
         {std::pair<int64_t, int64_t>{100, 7}, {3, 5}, {64, 1}, {1, 1}}) {
      ChunkLog log(extent);
      ChunkLog *args[] = {&log};
      nnc_parallel_for(recordChunk, args, extent, grain);
      for (int64_t i = 0; i < extent; ++i)
        EXPECT_EQ(log.visits[i].load(), 1)
            << "iteration " << i << " of " << extent << ", " << threads
            << " threads";
      for (auto [begin, end] : log.chunks)
        EXPECT_TRUE(end - begin >= grain || end == extent)
            << "[" << begin << ", " << end << ") with grain " << grain;
      if (threads == 1 || extent <= grain)
        EXPECT_EQ(log.chunks.size(), 1u);
    }
  }
  setNumThreads(threadsBefore);
}
