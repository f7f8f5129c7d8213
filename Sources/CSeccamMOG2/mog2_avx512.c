// The MOG2 update kernel (mog2_kernel_impl.h) compiled for AVX-512VL: the same 8-lane code, with EVEX encodings
// (32 vector registers, mask registers for the lane selections). Contraction into FMA stays off (see the kernel).
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#include "cseccam_mog2.h"

#if defined(__x86_64__) || defined(__i386__)

int cseccam_mog2_avx512_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") ? 1 : 0;
}

#define KERNEL_TARGET "avx2,avx512f,avx512vl,avx512bw,avx512dq"
#define KERNEL_ENTRY cseccam_mog2_update_avx512
#define KERNEL_MASKED_STORES 1
#include "mog2_kernel_impl.h"

#else

int cseccam_mog2_avx512_available(void) { return 0; }

void cseccam_mog2_update_avx512(float *model, uint8_t *modes, const uint8_t *sources, uint8_t *masks, size_t pixel_count,
                                size_t frame_count, const cseccam_mog2_params *params, size_t first_chunk, size_t end_chunk) {
    (void)model; (void)modes; (void)sources; (void)masks; (void)pixel_count; (void)frame_count; (void)params;
    (void)first_chunk; (void)end_chunk;
    __builtin_trap();
}

#endif
