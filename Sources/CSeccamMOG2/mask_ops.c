// Mask kernels (cseccam_mask.h): one template (mask_ops_impl.h) instantiated for plain C, AVX2 and AVX-512BW.
#include "cseccam_mask.h"

#include <string.h>

#define FN(name) name##_scalar
#define TARGET
#define W 0
#include "mask_ops_impl.h"
#undef FN
#undef TARGET
#undef W

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

#define FN(name) name##_avx2
#define TARGET __attribute__((target("avx2,popcnt")))
#define W 32
#define VEC __m256i
#define LOADU(p) _mm256_loadu_si256((const __m256i *)(p))
#define STOREU(p, v) _mm256_storeu_si256((__m256i *)(p), (v))
#define VMIN(a, b) _mm256_min_epu8((a), (b))
#define VMAX(a, b) _mm256_max_epu8((a), (b))
#define VOR(a, b) _mm256_or_si256((a), (b))
#define NONZERO(v) ((uint64_t)(uint32_t)~_mm256_movemask_epi8(_mm256_cmpeq_epi8((v), _mm256_setzero_si256())))
#define BOTH_NONZERO(a, b) (NONZERO(a) & NONZERO(b))
#include "mask_ops_impl.h"
#undef FN
#undef TARGET
#undef W
#undef VEC
#undef LOADU
#undef STOREU
#undef VMIN
#undef VMAX
#undef VOR
#undef NONZERO
#undef BOTH_NONZERO

#define FN(name) name##_avx512
#define TARGET __attribute__((target("avx512f,avx512bw,popcnt")))
#define W 64
#define VEC __m512i
#define LOADU(p) _mm512_loadu_si512((const void *)(p))
#define STOREU(p, v) _mm512_storeu_si512((void *)(p), (v))
#define VMIN(a, b) _mm512_min_epu8((a), (b))
#define VMAX(a, b) _mm512_max_epu8((a), (b))
#define VOR(a, b) _mm512_or_si512((a), (b))
#define NONZERO(v) ((uint64_t)_mm512_test_epi8_mask((v), (v)))
#define BOTH_NONZERO(a, b) ((uint64_t)_mm512_mask_test_epi8_mask(_mm512_test_epi8_mask((a), (a)), (b), (b)))
#include "mask_ops_impl.h"

int cseccam_mask_best_kernel(void) {
    static int best = -1;   // benign race: every thread computes the same value
    if (best < 0) {
        __builtin_cpu_init();
        best = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") ? CSECCAM_MASK_AVX512
             : __builtin_cpu_supports("avx2") ? CSECCAM_MASK_AVX2 : CSECCAM_MASK_SCALAR;
    }
    return best;
}
#else
int cseccam_mask_best_kernel(void) { return CSECCAM_MASK_SCALAR; }
#endif

static int resolve(int kernel) {
    const int best = cseccam_mask_best_kernel();
    return kernel < 0 || kernel > best ? best : kernel;
}

void cseccam_mask_window(int kernel, const uint8_t *input, uint8_t *output, int width, int height,
                         int row_begin, int row_end, int radius, int minimum) {
    if (width <= 0 || height <= 0) return;
    switch (resolve(kernel)) {
#if defined(__x86_64__) || defined(__i386__)
    case CSECCAM_MASK_AVX512: window_avx512(input, output, width, height, row_begin, row_end, radius, minimum); return;
    case CSECCAM_MASK_AVX2: window_avx2(input, output, width, height, row_begin, row_end, radius, minimum); return;
#endif
    default: window_scalar(input, output, width, height, row_begin, row_end, radius, minimum);
    }
}

void cseccam_mask_stats(int kernel, const uint8_t *mask, const uint8_t *area, int width, int height,
                        int64_t *count, int64_t *inside, int32_t box[4]) {
    if (width <= 0 || height <= 0) {
        *count = 0;
        if (inside) *inside = 0;
        if (box) box[0] = box[1] = box[2] = box[3] = 0;
        return;
    }
    switch (resolve(kernel)) {
#if defined(__x86_64__) || defined(__i386__)
    case CSECCAM_MASK_AVX512: stats_avx512(mask, area, width, height, count, inside, box); return;
    case CSECCAM_MASK_AVX2: stats_avx2(mask, area, width, height, count, inside, box); return;
#endif
    default: stats_scalar(mask, area, width, height, count, inside, box);
    }
}

int64_t cseccam_mask_count_both(int kernel, const uint8_t *a, const uint8_t *b, size_t count) {
    switch (resolve(kernel)) {
#if defined(__x86_64__) || defined(__i386__)
    case CSECCAM_MASK_AVX512: return count_both_avx512(a, b, count);
    case CSECCAM_MASK_AVX2: return count_both_avx2(a, b, count);
#endif
    default: return count_both_scalar(a, b, count);
    }
}
