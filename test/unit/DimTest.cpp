//===- DimTest.cpp - Symbolic dimension arithmetic ------------------------===//

#include "lang/Dim.h"

#include <gtest/gtest.h>

using nnc::Dim;

TEST(Dim, ConstantsFold) {
  auto d = Dim::mul(Dim::constant(6), Dim::constant(7));
  ASSERT_TRUE(d);
  EXPECT_TRUE(d->isConstant());
  EXPECT_EQ(d->value(), 42);
  EXPECT_EQ(Dim::floorDiv(Dim::constant(-7), Dim::constant(2))->value(), -4);
  EXPECT_FALSE(Dim::floorDiv(Dim::constant(INT64_MIN), Dim::constant(-1)));
  EXPECT_EQ(Dim::mod(Dim::constant(INT64_MIN), Dim::constant(-1)).value(), 0);
  EXPECT_EQ(Dim::mod(Dim::constant(-7), Dim::constant(2)).value(), 1);
}

TEST(Dim, MonomialsCompareStructurally) {
  auto a = Dim::mul(Dim::symbol("T"), Dim::constant(2));
  auto b = Dim::mul(Dim::constant(2), Dim::symbol("T"));
  ASSERT_TRUE(a && b);
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->str(), "2*T");
  auto bt = Dim::mul(Dim::symbol("B"), Dim::symbol("T"));
  auto tb = Dim::mul(Dim::symbol("T"), Dim::symbol("B"));
  EXPECT_EQ(*bt, *tb);
  EXPECT_NE(*bt, Dim::symbol("B"));
}

TEST(Dim, ExactDivision) {
  auto bt64 = Dim::mul(*Dim::mul(Dim::symbol("B"), Dim::symbol("T")),
                       Dim::constant(64));
  auto q = Dim::divExact(*bt64, *Dim::mul(Dim::symbol("B"), Dim::constant(8)));
  ASSERT_TRUE(q);
  EXPECT_EQ(q->str(), "8*T");
  EXPECT_FALSE(Dim::divExact(Dim::constant(10), Dim::constant(3)));
  EXPECT_FALSE(Dim::divExact(Dim::constant(10), Dim::constant(0)));
  // A symbolic quotient that is not a monomial becomes an opaque size.
  auto opaque = Dim::divExact(Dim::symbol("T"), Dim::constant(2));
  ASSERT_TRUE(opaque);
  EXPECT_FALSE(opaque->isConstant());
}

TEST(Dim, OverflowIsReported) {
  EXPECT_FALSE(Dim::mul(Dim::constant(INT64_MAX), Dim::constant(2)));
  EXPECT_FALSE(Dim::add(Dim::constant(INT64_MAX), Dim::constant(1)));
}

TEST(Dim, AdditionOfLikeTerms) {
  auto a =
      Dim::add(Dim::symbol("T"), *Dim::mul(Dim::symbol("T"), Dim::constant(2)));
  ASSERT_TRUE(a);
  EXPECT_EQ(a->str(), "3*T");
  auto z = Dim::add(Dim::symbol("T"), *Dim::neg(Dim::symbol("T")));
  ASSERT_TRUE(z);
  EXPECT_TRUE(z->isConstant());
  EXPECT_EQ(z->value(), 0);
}
