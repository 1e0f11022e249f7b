//===- RoutingUtil.h - Shared by the mixture-of-experts kernels -*- C++ -*-===//
#ifndef NNC_RUNTIME_KERNELS_ROUTINGUTIL_H
#define NNC_RUNTIME_KERNELS_ROUTINGUTIL_H

#include <algorithm>
#include <cstdint>
#include <vector>

namespace nnc::rt::kernels::detail {

/// Top-k experts of each token (ties to the lower index), [N, k]. Shared so
/// that the backward recomputes exactly the forward's routing.
template <class T>
std::vector<int64_t> topExperts(const T *probs, int64_t tokens, int64_t experts,
                                int64_t k) {
  std::vector<int64_t> chosen(size_t(tokens * k));
  std::vector<uint8_t> taken(static_cast<size_t>(experts));
  for (int64_t t = 0; t < tokens; ++t) {
    const T *p = probs + t * experts;
    std::fill(taken.begin(), taken.end(), 0);
    for (int64_t slot = 0; slot < k; ++slot) {
      int64_t best = -1;
      for (int64_t e = 0; e < experts; ++e)
        if (!taken[e] && (best < 0 || p[e] > p[best]))
          best = e;
      taken[best] = 1;
      chosen[t * k + slot] = best;
    }
  }
  return chosen;
}

} // namespace nnc::rt::kernels::detail

#endif // NNC_RUNTIME_KERNELS_ROUTINGUTIL_H
