/* Exercises the runtime's C API from C: tensors, kernels, errors, I/O.
 * Usage: nnc-capi-test TMPDIR. Prints "ok" and exits 0 on success. */
#include "runtime/capi/nnc_runtime.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

static int failures = 0;
#define CHECK(cond)                                                            \
  do {                                                                         \
    if (!(cond)) {                                                             \
      fprintf(stderr, "%s:%d: check failed: %s (%s)\n", __FILE__, __LINE__,  \
              #cond, nnc_last_error());                                        \
      ++failures;                                                              \
    }                                                                          \
  } while (0)

int main(int argc, char **argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: nnc-capi-test TMPDIR\n");
    return 2;
  }
  CHECK(nnc_api_version() == NNC_RUNTIME_API_VERSION);

  /* linear: y = x W^T + b, checked against a hand loop. */
  int64_t xd[2] = {2, 3}, wd[2] = {4, 3}, bd[1] = {4};
  nnc_tensor *x = nnc_tensor_create(NNC_F32, 2, xd);
  nnc_tensor *w = nnc_tensor_create(NNC_F32, 2, wd);
  nnc_tensor *b = nnc_tensor_create(NNC_F32, 1, bd);
  float *xp = nnc_tensor_data(x), *wp = nnc_tensor_data(w),
        *bp = nnc_tensor_data(b);
  for (int i = 0; i < 6; ++i)
    xp[i] = (float)(i - 2) * 0.5f;
  for (int i = 0; i < 12; ++i)
    wp[i] = (float)((i * 7) % 5 - 2) * 0.25f;
  for (int i = 0; i < 4; ++i)
    bp[i] = (float)i;
  nnc_tensor *y = nnc_linear(x, w, b);
  CHECK(y != NULL);
  if (y) {
    CHECK(nnc_tensor_rank(y) == 2 && nnc_tensor_dim(y, 0) == 2 &&
          nnc_tensor_dim(y, 1) == 4);
    const float *yp = nnc_tensor_data(y);
    for (int r = 0; r < 2; ++r)
      for (int o = 0; o < 4; ++o) {
        float expect = bp[o];
        for (int k = 0; k < 3; ++k)
          expect += xp[r * 3 + k] * wp[o * 3 + k];
        CHECK(fabsf(yp[r * 4 + o] - expect) < 1e-5f);
      }
  }

  /* Shape errors are reported, not undefined behaviour. */
  nnc_tensor *bad = nnc_linear(w, x, NULL); /* [4,3] x [2,3]^T: 3 vs 3 ok */
  CHECK(bad != NULL);
  nnc_tensor_destroy(bad);
  int64_t zd[2] = {2, 5};
  nnc_tensor *z = nnc_tensor_create(NNC_F32, 2, zd);
  CHECK(nnc_linear(z, w, b) == NULL);
  CHECK(strstr(nnc_last_error(), "does not fit") != NULL);
  CHECK(nnc_matmul(x, x) == NULL);
  CHECK(nnc_binary(NNC_ADD, x, z) == NULL);
  CHECK(strstr(nnc_last_error(), "do not broadcast") != NULL);
  CHECK(nnc_softmax(x, 2) == NULL);
  CHECK(nnc_tensor_create(NNC_F32, -1, NULL) == NULL);
  CHECK(nnc_linear(NULL, w, b) == NULL);

  /* softmax rows sum to one; relu; broadcasting add. */
  nnc_tensor *s = nnc_softmax(x, -1);
  CHECK(s != NULL);
  if (s) {
    const float *sp = nnc_tensor_data(s);
    CHECK(fabsf(sp[0] + sp[1] + sp[2] - 1.0f) < 1e-6f);
  }
  nnc_tensor *r = nnc_unary(NNC_RELU, x);
  CHECK(r && ((float *)nnc_tensor_data(r))[0] == 0.0f);
  int64_t rowd[1] = {3};
  nnc_tensor *row = nnc_tensor_create(NNC_F32, 1, rowd);
  ((float *)nnc_tensor_data(row))[1] = 10.0f;
  nnc_tensor *sum = nnc_binary(NNC_ADD, x, row);
  CHECK(sum && ((float *)nnc_tensor_data(sum))[4] == xp[4] + 10.0f);

  /* A 1x1 convolution equals a per-pixel linear map. */
  int64_t cxd[4] = {1, 3, 2, 2}, cwd[4] = {4, 3, 1, 1};
  nnc_tensor *cx = nnc_tensor_create(NNC_F32, 4, cxd);
  nnc_tensor *cw = nnc_tensor_create(NNC_F32, 4, cwd);
  for (int i = 0; i < 12; ++i) {
    ((float *)nnc_tensor_data(cx))[i] = (float)i;
    ((float *)nnc_tensor_data(cw))[i] = wp[i];
  }
  int64_t one[2] = {1, 1}, zero[2] = {0, 0};
  nnc_tensor *cy = nnc_conv(cx, cw, NULL, one, zero, one, 1);
  CHECK(cy != NULL);
  if (cy) {
    const float *cyp = nnc_tensor_data(cy), *cxp = nnc_tensor_data(cx);
    for (int o = 0; o < 4; ++o) {
      float expect = 0;
      for (int c = 0; c < 3; ++c)
        expect += wp[o * 3 + c] * cxp[c * 4 + 3];
      CHECK(fabsf(cyp[o * 4 + 3] - expect) < 1e-4f);
    }
  }
  CHECK(nnc_conv(cx, cw, NULL, one, zero, one, 2) == NULL);

  /* Pooling, normalisation and GELU. */
  int64_t k2[2] = {2, 2}, s2[2] = {2, 2};
  nnc_tensor *mp = nnc_max_pool(cx, 2, k2, s2, zero, 0);
  CHECK(mp && nnc_tensor_dim(mp, 2) == 1 &&
        ((float *)nnc_tensor_data(mp))[0] == 3.0f);
  nnc_tensor *ap = nnc_avg_pool(cx, 2, k2, s2, zero, 0, 1);
  CHECK(ap && ((float *)nnc_tensor_data(ap))[0] == 1.5f);
  int64_t k9[2] = {9, 9};
  CHECK(nnc_max_pool(cx, 2, k9, s2, zero, 0) == NULL);
  int64_t cd[1] = {3};
  nnc_tensor *mean = nnc_tensor_create(NNC_F32, 1, cd);
  nnc_tensor *var = nnc_tensor_create(NNC_F32, 1, cd);
  for (int i = 0; i < 3; ++i) {
    ((float *)nnc_tensor_data(mean))[i] = 1.0f;
    ((float *)nnc_tensor_data(var))[i] = 4.0f;
  }
  nnc_tensor *bn = nnc_batch_norm(cx, NULL, NULL, mean, var, 0.0);
  CHECK(bn && fabsf(((float *)nnc_tensor_data(bn))[5] - 2.0f) < 1e-6f);
  CHECK(nnc_batch_norm(cx, NULL, NULL, mean, x, 1e-5) == NULL);
  nnc_tensor *ln = nnc_layer_norm(x, NULL, NULL, 1e-5);
  CHECK(ln && fabsf(((float *)nnc_tensor_data(ln))[0] +
                    ((float *)nnc_tensor_data(ln))[1] +
                    ((float *)nnc_tensor_data(ln))[2]) < 1e-5f);
  nnc_tensor *g = nnc_gelu(x, 0);
  CHECK(g && ((float *)nnc_tensor_data(g))[2] == 0.0f);

  /* .npy round trip, and a missing file. */
  char path[4096];
  snprintf(path, sizeof path, "%s/y.npy", argv[1]);
  CHECK(y && nnc_npy_write(path, y) == 0);
  nnc_tensor *back = nnc_npy_read(path);
  CHECK(back && nnc_tensor_numel(back) == 8 &&
        memcmp(nnc_tensor_data(back), nnc_tensor_data(y), 32) == 0);
  snprintf(path, sizeof path, "%s/missing.npy", argv[1]);
  CHECK(nnc_npy_read(path) == NULL && strstr(nnc_last_error(), "missing.npy"));
  CHECK(nnc_safetensors_read(path) == NULL);

  nnc_tensor *all[] = {x,  w,  b,    y,   z,  s,  r,  row, sum, cx, cw,
                       cy, mp, ap, mean, var, bn, ln, g,   back};
  for (size_t i = 0; i < sizeof all / sizeof all[0]; ++i)
    nnc_tensor_destroy(all[i]);
  if (failures)
    return 1;
  printf("ok\n");
  return 0;
}
