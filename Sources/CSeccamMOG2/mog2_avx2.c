// AVX2 MOG2 update (the kernel is mog2_kernel_impl.h). No FMA: see there.

#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#include "cseccam_mog2.h"

#if defined(__x86_64__) || defined(__i386__)

int cseccam_mog2_avx2_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

#define KERNEL_TARGET "avx2"
#define KERNEL_ENTRY cseccam_mog2_update_avx2
#include "mog2_kernel_impl.h"

#else

int cseccam_mog2_avx2_available(void) { return 0; }

void cseccam_mog2_update_avx2(float *model, uint8_t *modes, const uint8_t *sources, uint8_t *masks, size_t pixel_count,
                              size_t frame_count, const cseccam_mog2_params *params, size_t first_chunk, size_t end_chunk) {
    (void)model; (void)modes; (void)sources; (void)masks; (void)pixel_count; (void)frame_count; (void)params;
    (void)first_chunk; (void)end_chunk;
    __builtin_trap();
}

#endif
