//===- RuntimeAbiEncoderTest.cpp - nn ops to kernel descriptors -----------===//
//
// The encoder (dialects/nn/NNKernelDescriptor.h) against the parser
// (runtime/abi/KernelDescriptor.h): every attribute kind round-trips,
// dialect attributes are skipped, and what has no encoding is an error that
// names the op and the attribute. The executor suite covers every nn op.
//
//===----------------------------------------------------------------------===//

#include "dialects/nn/NNDialect.h"
#include "dialects/nn/NNKernelDescriptor.h"
#include "runtime/abi/KernelDescriptor.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace nnc;

namespace {

/// Parses `body` (the ops of a function taking %x: tensor<2x3xf32> and
/// %n: index) without verifying it, and returns the first op's encoding.
class Encoder : public ::testing::Test {
protected:
  Encoder() {
    context.loadDialect<nn::NNDialect, mlir::func::FuncDialect>();
    context.allowUnregisteredDialects();
  }

  mlir::Operation *firstOp(const std::string &body) {
    mlir::ParserConfig config(&context, /*verifyAfterParse=*/false);
    module = mlir::parseSourceString<mlir::ModuleOp>(
        "func.func @f(%x: tensor<2x3xf32>, %n: index) {\n" + body +
            "\n  return\n}",
        config);
    EXPECT_TRUE(module);
    auto func = mlir::cast<mlir::func::FuncOp>(module->getBody()->front());
    return &func.getBody().front().front();
  }

  std::string encode(const std::string &body, bool dropIndex = false) {
    std::string error;
    auto text = nn::encodeKernelDescriptor(firstOp(body), error, dropIndex);
    EXPECT_TRUE(llvm::succeeded(text)) << error;
    return llvm::succeeded(text) ? *text : "";
  }

  std::string encodeError(const std::string &body) {
    std::string error;
    auto text = nn::encodeKernelDescriptor(firstOp(body), error);
    EXPECT_TRUE(llvm::failed(text)) << *text;
    return error;
  }

  mlir::MLIRContext context;
  mlir::OwningOpRef<mlir::ModuleOp> module;
};

} // namespace

TEST_F(Encoder, ConvWithInherentAttributes) {
  // `groups` is default-valued: materialised when the op is created.
  EXPECT_EQ(encode("%y = nn.conv %x, %x {dilation = array<i64: 1>, "
                   "padding = array<i64: 0>, stride = array<i64: 2>} : "
                   "(tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x4xf32>"),
            "op=conv\nin=f32,f32\nout=f32\na.dilation=i:1\n"
            "a.groups=i:1\na.padding=i:0\na.stride=i:2");
}

TEST_F(Encoder, EveryAttributeKindRoundTrips) {
  std::string text = encode(
      "%y = nn.relu %x {b = true, c = false, e = [], f = 0.1 : f64, "
      "g = 1.5 : f32, i = -3 : i64, u, ia = [1, 2], fa = [0.5, 2.0], "
      "sa = [\"p\", @q], s = \"a,b=c\\0Ad%\", r = @sym, "
      "d32 = array<i32: 4, -5>, df = array<f64: 0.25>, \"x.y\" = 1 : i64} "
      ": tensor<2x3xf32>");
  EXPECT_EQ(text,
            "op=relu\nin=f32\nout=f32\na.b=i:1\na.c=i:0\na.d32=i:4,-5\n"
            "a.df=f:0.25\na.e=i:\na.f=f:0.10000000000000001\na.fa=f:0.5,2\n"
            "a.g=f:1.5\na.i=i:-3\na.ia=i:1,2\na.r=s:sym\n"
            "a.s=s:a%2Cb%3Dc%0Ad%25\na.sa=s:p,q\na.u=i:1");
  std::string error;
  auto d = rt::abi::parseKernelDescriptor(text, error);
  ASSERT_TRUE(d) << error;
  EXPECT_EQ(d->attrs.getString("s"), "a,b=c\nd%");
  EXPECT_EQ(d->attrs.getFloat("f"), 0.1);
  EXPECT_EQ(d->attrs.getStrings("sa"), (std::vector<std::string>{"p", "q"}));
  EXPECT_FALSE(d->attrs.has("x.y"));
}

TEST_F(Encoder, IndexOperandsAreRejectedOrDropped) {
  std::string body = "%y = nn.reshape %x [%n] : tensor<2x3xf32> -> "
                     "tensor<?xf32>";
  EXPECT_EQ(encodeError(body),
            "'nn.reshape': operand 1 is not a tensor of a runtime element "
            "type");
  EXPECT_EQ(encode(body, /*dropIndex=*/true), "op=reshape\nin=f32\nout=f32");
}

TEST_F(Encoder, UnencodableAttributesAndOpsAreErrors) {
  EXPECT_EQ(encodeError("%y = nn.relu %x {t = f32} : tensor<2x3xf32>"),
            "'nn.relu': attribute 't' has no kernel descriptor encoding");
  EXPECT_EQ(encodeError("%y = nn.relu %x {m = [1, \"a\"]} : tensor<2x3xf32>"),
            "'nn.relu': attribute 'm' has no kernel descriptor encoding");
  EXPECT_EQ(encodeError("%y = nn.relu %x {v = dense<1.0> : tensor<2xf32>} : "
                        "tensor<2x3xf32>"),
            "'nn.relu': attribute 'v' has no kernel descriptor encoding");
  EXPECT_EQ(encodeError("%y = \"other.op\"(%x) : (tensor<2x3xf32>) -> "
                        "tensor<2x3xf32>"),
            "'other.op': only nn ops have kernel descriptors");
  EXPECT_EQ(encodeError("%y = \"nn.relu\"(%x) : (tensor<2x3xf32>) -> "
                        "tensor<2x3xui16>"),
            "'nn.relu': result 0 is not a tensor of a runtime element type");
}
