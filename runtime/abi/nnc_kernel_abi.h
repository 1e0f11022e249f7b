/*===- nnc_kernel_abi.h - The entry point compiled code calls kernels by ---===*
 *
 * Compiled models evaluate every nn op that is not generated code through
 * one function, nnc_kernel_call, passing the op's kernel descriptor (a
 * constant string, see runtime/abi/KernelDescriptor.h) and its tensors as
 * MLIR unranked memrefs; or nnc_kernel_call_static, the same call with the
 * tensors' layouts in a constant table. Generated loop nests run on the
 * runtime's threads through nnc_parallel_for.
 *
 * Errors never abort: they are recorded in the calling thread's run context
 * (the innermost rt::abi::ScopedRunContext, or a per-thread default), and
 * once a context holds an error every later nnc_kernel_call on it does
 * nothing, so a compiled function runs to its end and the caller checks
 * nnc_run_failed() once.
 *
 *===----------------------------------------------------------------------===*/
#ifndef NNC_RUNTIME_ABI_NNC_KERNEL_ABI_H
#define NNC_RUNTIME_ABI_NNC_KERNEL_ABI_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* MLIR's unranked memref ABI. `descriptor` points to the ranked descriptor,
 * in 8-byte words: {void *allocated; void *aligned; int64_t offset;
 * int64_t sizes[rank]; int64_t strides[rank];}. Element (i0, i1, ...) is at
 * aligned + (offset + sum(ik * strides[k])) * element size. */
typedef struct {
  int64_t rank;
  void *descriptor;
} nnc_unranked_memref;

/* Evaluates the op `descriptor` describes. `args` are its tensor operands in
 * order, then its results, which the caller has allocated with their static
 * shapes (and which are overwritten). Operands may be strided; results that
 * are not row-major contiguous are written back element by element.
 * Descriptors are parsed once and cached by address (thread-safe). */
void nnc_kernel_call(const char *descriptor, int64_t num_args,
                     const nnc_unranked_memref *args);

/* nnc_kernel_call for operands whose layouts are known when the caller is
 * compiled (compiled models have static shapes), with less code at each
 * call site: `layouts` is a constant table holding, for each operand in
 * order, {rank, offset, sizes[rank], strides[rank]}, and data[i] is the i-th
 * operand's aligned pointer. */
void nnc_kernel_call_static(const char *descriptor, int64_t num_args,
                            const int64_t *layouts, void *const *data);

/* A chunk [begin, end) of a generated loop nest's outer loop; `args` holds
 * the loop nest's operands, one 8-byte slot each. */
typedef void (*nnc_parallel_body)(void *args, int64_t begin, int64_t end);

/* Runs body(args, begin, end) over disjoint chunks covering [0, extent), each
 * at least `grain` long, on the runtime's thread pool (the caller takes
 * part); returns when all are done. */
void nnc_parallel_for(nnc_parallel_body body, void *args, int64_t extent,
                      int64_t grain);

/* memref.copy between non-contiguous buffers, which MLIR lowers to this call
 * (the libmlir_c_runner_utils symbol; the runtime has its own so that
 * compiled models need no MLIR library). */
void memrefCopy(int64_t element_size, nnc_unranked_memref *source,
                nnc_unranked_memref *target);

/* Starts a run on the calling thread's context: clears its error and
 * stochastic-call counter, and sets the seed and whether stochastic ops
 * (dropout) sample masks (non-zero) or are the identity (zero). */
void nnc_run_begin(uint64_t seed, int stochastic);
/* Whether a kernel call on the calling thread's context failed. */
int nnc_run_failed(void);
/* The first error of the calling thread's context ("" if none), e.g.
 * "nn.relu: result 0 is f32[3, 2] but the kernel computed f32[2, 3]".
 * Valid until the next nnc_run_begin on the thread. */
const char *nnc_run_error(void);

#ifdef __cplusplus
}
#endif

#endif /* NNC_RUNTIME_ABI_NNC_KERNEL_ABI_H */
