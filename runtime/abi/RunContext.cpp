//===- RunContext.cpp - The calling thread's current run context ----------===//

#include "runtime/abi/RunContext.h"

using namespace nnc::rt::abi;

static thread_local RunContext *installed = nullptr;

RunContext &RunContext::current() {
  static thread_local RunContext fallback;
  return installed ? *installed : fallback;
}

ScopedRunContext::ScopedRunContext(RunContext &context) : previous(installed) {
  installed = &context;
}

ScopedRunContext::~ScopedRunContext() { installed = previous; }
