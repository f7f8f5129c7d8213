// dvr-scan's gray from 8-bit 4:2:0 planes: swscale's x86 SSSE3 YUV->BGR24 integer formula, then OpenCV's
// 15-bit BGR->gray (DVR-SCAN.md §1.1, §1.4), only at the sampled pixels.
//
// Three kernels compute the same integers: a plain C loop (the reference of the vector ones, itself tested against
// swscale on real frames), AVX2 (32 pixels per step) and AVX-512BW (64 pixels per step), both for sampling steps
// 1 and 2 (other steps use the C loop). The vector kernels use the same exact formula: every `(a*c) >> 16` of the
// C loop is a signed 16x16 multiply-high (all factors fit int16: |8Y - yo| <= 2040, |8U - 1024| <= 1024,
// |c| <= 16525), which is exactly the floor of the 32-bit product shifted by 16; the BGR->gray sum is a 32-bit
// multiply-add (at most 255 * 32768 + 16384). The chosen kernel is picked once at run time with
// __builtin_cpu_supports; no compiler flags are needed.
#include "cseccam_ffmpeg_support.h"

#include <stddef.h>

static inline int clamp255(int x) { return x < 0 ? 0 : (x > 255 ? 255 : x); }

/// Chroma terms of one U/V sample: blue from U, green from U and V, red from V.
typedef struct { int b, g, r; } chroma_terms;

typedef struct { int cy, yo, cvr, cub, cvg, cug; } coefficients;

static inline coefficients coefficients_for(int fullRange) {
    coefficients k = { fullRange ? 8192 : 9539, fullRange ? 0 : 128, fullRange ? 11485 : 13075,
                       fullRange ? 14516 : 16525, fullRange ? -5850 : -6660, fullRange ? -2819 : -3209 };
    return k;
}

static inline chroma_terms chroma_of(int u, int v, const coefficients *k) {
    int uu = 8 * u - 1024, vv = 8 * v - 1024;
    chroma_terms t = { (uu * k->cub) >> 16, ((uu * k->cug) >> 16) + ((vv * k->cvg) >> 16), (vv * k->cvr) >> 16 };
    return t;
}

static inline uint8_t gray_with(int y, chroma_terms c, const coefficients *k) {
    int yy = ((8 * y - k->yo) * k->cy) >> 16;
    int b = clamp255(yy + c.b), g = clamp255(yy + c.g), r = clamp255(yy + c.r);
    return (uint8_t)((3735 * b + 19235 * g + 9798 * r + 16384) >> 15);
}

static inline uint8_t gray_at(const uint8_t *yr, const uint8_t *ur, const uint8_t *vr, int x, const coefficients *k) {
    return gray_with(yr[x], chroma_of(ur[x >> 1], vr[x >> 1], k), k);
}

/// Output pixels [j, width) of one row with the C formula; pixel j is plane column x0 + j*step.
static inline void row_scalar(const uint8_t *yr, const uint8_t *ur, const uint8_t *vr, int x0, int step, int j,
                              int width, const coefficients *k, uint8_t *o) {
    if (step == 1) {
        // Each chroma sample serves two neighbouring pixels: compute its terms once.
        int x = x0 + j;
        if ((x & 1) && j < width) {
            o[j++] = gray_at(yr, ur, vr, x, k);
            x++;
        }
        for (; j + 1 < width; j += 2, x += 2) {
            const chroma_terms c = chroma_of(ur[x >> 1], vr[x >> 1], k);
            o[j] = gray_with(yr[x], c, k);
            o[j + 1] = gray_with(yr[x + 1], c, k);
        }
        if (j < width) o[j] = gray_at(yr, ur, vr, x, k);
    } else {
        for (; j < width; j++) o[j] = gray_at(yr, ur, vr, x0 + j * step, k);
    }
}

#if defined(__x86_64__) || defined(__i386__)
#include <immintrin.h>

// ---- AVX2: 16 pixels per 16-bit vector ----

#define AVX2_FN __attribute__((target("avx2"))) static
#define AVX2_IN __attribute__((target("avx2"), always_inline)) static inline

typedef struct { __m256i cy, yo, cvr, cub, cvg, cug, c1024, bg, r1, zero, max255; } avx2_consts;

AVX2_IN avx2_consts avx2_consts_for(const coefficients *k) {
    avx2_consts c = { _mm256_set1_epi16((short)k->cy), _mm256_set1_epi16((short)k->yo), _mm256_set1_epi16((short)k->cvr),
                      _mm256_set1_epi16((short)k->cub), _mm256_set1_epi16((short)k->cvg), _mm256_set1_epi16((short)k->cug),
                      _mm256_set1_epi16(1024), _mm256_set1_epi32((19235 << 16) | 3735),
                      _mm256_set1_epi32((16384 << 16) | 9798), _mm256_setzero_si256(), _mm256_set1_epi16(255) };
    return c;
}

/// Chroma terms of 16 samples (16-bit lanes holding U and V bytes).
AVX2_IN void avx2_chroma(__m256i u, __m256i v, const avx2_consts *c, __m256i *cb, __m256i *cg, __m256i *cr) {
    __m256i uu = _mm256_sub_epi16(_mm256_slli_epi16(u, 3), c->c1024);
    __m256i vv = _mm256_sub_epi16(_mm256_slli_epi16(v, 3), c->c1024);
    *cb = _mm256_mulhi_epi16(uu, c->cub);
    *cg = _mm256_add_epi16(_mm256_mulhi_epi16(uu, c->cug), _mm256_mulhi_epi16(vv, c->cvg));
    *cr = _mm256_mulhi_epi16(vv, c->cvr);
}

/// Gray of 16 pixels (16-bit lanes: luma bytes and their chroma terms), as 16-bit lanes in order.
AVX2_IN __m256i avx2_gray16(__m256i y, __m256i cb, __m256i cg, __m256i cr, const avx2_consts *c) {
    __m256i yy = _mm256_mulhi_epi16(_mm256_sub_epi16(_mm256_slli_epi16(y, 3), c->yo), c->cy);
    __m256i b = _mm256_min_epi16(_mm256_max_epi16(_mm256_add_epi16(yy, cb), c->zero), c->max255);
    __m256i g = _mm256_min_epi16(_mm256_max_epi16(_mm256_add_epi16(yy, cg), c->zero), c->max255);
    __m256i r = _mm256_min_epi16(_mm256_max_epi16(_mm256_add_epi16(yy, cr), c->zero), c->max255);
    // (B, G) pairs times (3735, 19235) plus (R, 1) pairs times (9798, 16384), in 32 bits; unpack and pack stay
    // within 128-bit lanes, so the pixels come back in order.
    __m256i one = _mm256_set1_epi16(1);
    __m256i lo = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpacklo_epi16(b, g), c->bg),
                                  _mm256_madd_epi16(_mm256_unpacklo_epi16(r, one), c->r1));
    __m256i hi = _mm256_add_epi32(_mm256_madd_epi16(_mm256_unpackhi_epi16(b, g), c->bg),
                                  _mm256_madd_epi16(_mm256_unpackhi_epi16(r, one), c->r1));
    return _mm256_packs_epi32(_mm256_srai_epi32(lo, 15), _mm256_srai_epi32(hi, 15));
}

AVX2_IN void avx2_store32(uint8_t *o, __m256i g0, __m256i g1) {
    __m256i packed = _mm256_permute4x64_epi64(_mm256_packus_epi16(g0, g1), 0xD8);
    _mm256_storeu_si256((__m256i *)o, packed);
}

/// Pixels [j, j+32) of a step-1 row; plane column cropX + j must be even.
AVX2_IN void avx2_block1(const uint8_t *yr, const uint8_t *ur, const uint8_t *vr, int x, const avx2_consts *c, uint8_t *o) {
    __m256i cb, cg, cr;
    avx2_chroma(_mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(ur + (x >> 1)))),
                _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(vr + (x >> 1)))), c, &cb, &cg, &cr);
    // Terms of sample s serve pixels 2s and 2s+1.
    __m256i bl = _mm256_unpacklo_epi16(cb, cb), bh = _mm256_unpackhi_epi16(cb, cb);
    __m256i gl = _mm256_unpacklo_epi16(cg, cg), gh = _mm256_unpackhi_epi16(cg, cg);
    __m256i rl = _mm256_unpacklo_epi16(cr, cr), rh = _mm256_unpackhi_epi16(cr, cr);
    __m256i ys = _mm256_loadu_si256((const __m256i *)(yr + x));
    __m256i g0 = avx2_gray16(_mm256_cvtepu8_epi16(_mm256_castsi256_si128(ys)),
                             _mm256_permute2x128_si256(bl, bh, 0x20), _mm256_permute2x128_si256(gl, gh, 0x20),
                             _mm256_permute2x128_si256(rl, rh, 0x20), c);
    __m256i g1 = avx2_gray16(_mm256_cvtepu8_epi16(_mm256_extracti128_si256(ys, 1)),
                             _mm256_permute2x128_si256(bl, bh, 0x31), _mm256_permute2x128_si256(gl, gh, 0x31),
                             _mm256_permute2x128_si256(rl, rh, 0x31), c);
    avx2_store32(o, g0, g1);
}

/// Pixels [j, j+32) of a step-2 row: luma at x = cropX + 2j + 2s, chroma (cropX >> 1) + j + s. The needed luma
/// bytes are the high halves of 16-bit lanes loaded from x - 1 (bytes x-1 .. x+62, all inside the row); only
/// when x == 0 are they the low halves of a load from x, which reads x+63: call that only if pixel j+32 exists.
AVX2_IN void avx2_block2(const uint8_t *yr, const uint8_t *ur, const uint8_t *vr, int cropX, int j, const avx2_consts *c,
                         uint8_t *o) {
    const int x = cropX + 2 * j;
    __m256i y0, y1;
    if (x > 0) {
        y0 = _mm256_srli_epi16(_mm256_loadu_si256((const __m256i *)(yr + x - 1)), 8);
        y1 = _mm256_srli_epi16(_mm256_loadu_si256((const __m256i *)(yr + x + 31)), 8);
    } else {
        const __m256i low_bytes = _mm256_set1_epi16(0x00FF);
        y0 = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)yr), low_bytes);
        y1 = _mm256_and_si256(_mm256_loadu_si256((const __m256i *)(yr + 32)), low_bytes);
    }
    const int s = (cropX >> 1) + j;
    __m256i u = _mm256_loadu_si256((const __m256i *)(ur + s)), v = _mm256_loadu_si256((const __m256i *)(vr + s));
    __m256i cb, cg, cr, g0, g1;
    avx2_chroma(_mm256_cvtepu8_epi16(_mm256_castsi256_si128(u)), _mm256_cvtepu8_epi16(_mm256_castsi256_si128(v)),
                c, &cb, &cg, &cr);
    g0 = avx2_gray16(y0, cb, cg, cr, c);
    avx2_chroma(_mm256_cvtepu8_epi16(_mm256_extracti128_si256(u, 1)), _mm256_cvtepu8_epi16(_mm256_extracti128_si256(v, 1)),
                c, &cb, &cg, &cr);
    g1 = avx2_gray16(y1, cb, cg, cr, c);
    avx2_store32(o, g0, g1);
}

AVX2_FN void gray_avx2(const uint8_t *yPlane, int yStride, const uint8_t *uPlane, int uStride,
                       const uint8_t *vPlane, int vStride, int cropX, int cropY, int step,
                       int width, int height, const coefficients *k, uint8_t *out) {
    const avx2_consts c = avx2_consts_for(k);
    for (int i = 0; i < height; i++) {
        const int row = cropY + i * step;
        const uint8_t *yr = yPlane + (ptrdiff_t)row * yStride;
        const uint8_t *ur = uPlane + (ptrdiff_t)(row >> 1) * uStride;
        const uint8_t *vr = vPlane + (ptrdiff_t)(row >> 1) * vStride;
        uint8_t *o = out + (ptrdiff_t)i * width;
        int j = 0;
        if (step == 1) {
            const int first = cropX & 1;   // pixels from `first` on start at even columns
            if (width - first >= 32) {
                if (first) o[0] = gray_at(yr, ur, vr, cropX, k);
                for (j = first; j + 32 <= width; j += 32) avx2_block1(yr, ur, vr, cropX + j, &c, o + j);
                // The tail: one more block ending at the row's end (or one pixel before it, to start on an even
                // column), overlapping pixels already written with the same values.
                if (j < width) {
                    int last = width - 32;
                    if ((cropX + last) & 1) last--;
                    avx2_block1(yr, ur, vr, cropX + last, &c, o + last);
                    j = last + 32;
                }
            }
        } else if (step == 2 && (width > 32 || (width == 32 && cropX > 0))) {
            for (; j + 32 <= width; j += 32) avx2_block2(yr, ur, vr, cropX, j, &c, o + j);
            if (j < width) {
                avx2_block2(yr, ur, vr, cropX, width - 32, &c, o + width - 32);
                j = width;
            }
        }
        row_scalar(yr, ur, vr, cropX, step, j, width, k, o);
    }
}

// ---- AVX-512BW: 32 pixels per 16-bit vector ----

#define AVX512_FN __attribute__((target("avx512f,avx512bw"))) static
#define AVX512_IN __attribute__((target("avx512f,avx512bw"), always_inline)) static inline

typedef struct { __m512i cy, yo, cvr, cub, cvg, cug, c1024, bg, r1, zero, max255, one, dup_lo, dup_hi, order; } avx512_consts;

AVX512_IN avx512_consts avx512_consts_for(const coefficients *k) {
    avx512_consts c;
    c.cy = _mm512_set1_epi16((short)k->cy); c.yo = _mm512_set1_epi16((short)k->yo);
    c.cvr = _mm512_set1_epi16((short)k->cvr); c.cub = _mm512_set1_epi16((short)k->cub);
    c.cvg = _mm512_set1_epi16((short)k->cvg); c.cug = _mm512_set1_epi16((short)k->cug);
    c.c1024 = _mm512_set1_epi16(1024); c.bg = _mm512_set1_epi32((19235 << 16) | 3735);
    c.r1 = _mm512_set1_epi32((16384 << 16) | 9798); c.zero = _mm512_setzero_si512();
    c.max255 = _mm512_set1_epi16(255); c.one = _mm512_set1_epi16(1);
    short lo[32], hi[32];
    for (int s = 0; s < 32; s++) { lo[s] = (short)(s >> 1); hi[s] = (short)(16 + (s >> 1)); }
    c.dup_lo = _mm512_loadu_si512(lo);
    c.dup_hi = _mm512_loadu_si512(hi);
    c.order = _mm512_set_epi64(7, 5, 3, 1, 6, 4, 2, 0);
    return c;
}

AVX512_IN void avx512_chroma(__m512i u, __m512i v, const avx512_consts *c, __m512i *cb, __m512i *cg, __m512i *cr) {
    __m512i uu = _mm512_sub_epi16(_mm512_slli_epi16(u, 3), c->c1024);
    __m512i vv = _mm512_sub_epi16(_mm512_slli_epi16(v, 3), c->c1024);
    *cb = _mm512_mulhi_epi16(uu, c->cub);
    *cg = _mm512_add_epi16(_mm512_mulhi_epi16(uu, c->cug), _mm512_mulhi_epi16(vv, c->cvg));
    *cr = _mm512_mulhi_epi16(vv, c->cvr);
}

AVX512_IN __m512i avx512_gray32(__m512i y, __m512i cb, __m512i cg, __m512i cr, const avx512_consts *c) {
    __m512i yy = _mm512_mulhi_epi16(_mm512_sub_epi16(_mm512_slli_epi16(y, 3), c->yo), c->cy);
    __m512i b = _mm512_min_epi16(_mm512_max_epi16(_mm512_add_epi16(yy, cb), c->zero), c->max255);
    __m512i g = _mm512_min_epi16(_mm512_max_epi16(_mm512_add_epi16(yy, cg), c->zero), c->max255);
    __m512i r = _mm512_min_epi16(_mm512_max_epi16(_mm512_add_epi16(yy, cr), c->zero), c->max255);
    __m512i lo = _mm512_add_epi32(_mm512_madd_epi16(_mm512_unpacklo_epi16(b, g), c->bg),
                                  _mm512_madd_epi16(_mm512_unpacklo_epi16(r, c->one), c->r1));
    __m512i hi = _mm512_add_epi32(_mm512_madd_epi16(_mm512_unpackhi_epi16(b, g), c->bg),
                                  _mm512_madd_epi16(_mm512_unpackhi_epi16(r, c->one), c->r1));
    return _mm512_packs_epi32(_mm512_srai_epi32(lo, 15), _mm512_srai_epi32(hi, 15));
}

AVX512_IN void avx512_store64(uint8_t *o, __m512i g0, __m512i g1, const avx512_consts *c) {
    // packus interleaves the two inputs per 128-bit lane: [g0 q0, g1 q0, g0 q1, g1 q1, ...] in 64-bit quarters.
    _mm512_storeu_si512(o, _mm512_permutexvar_epi64(c->order, _mm512_packus_epi16(g0, g1)));
}

/// As avx2_block1, 64 pixels.
AVX512_IN void avx512_block1(const uint8_t *yr, const uint8_t *ur, const uint8_t *vr, int x, const avx512_consts *c,
                             uint8_t *o) {
    __m512i cb, cg, cr;
    avx512_chroma(_mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(ur + (x >> 1)))),
                  _mm512_cvtepu8_epi16(_mm256_loadu_si256((const __m256i *)(vr + (x >> 1)))), c, &cb, &cg, &cr);
    __m512i ys = _mm512_loadu_si512(yr + x);
    __m512i g0 = avx512_gray32(_mm512_cvtepu8_epi16(_mm512_castsi512_si256(ys)),
                               _mm512_permutexvar_epi16(c->dup_lo, cb), _mm512_permutexvar_epi16(c->dup_lo, cg),
                               _mm512_permutexvar_epi16(c->dup_lo, cr), c);
    __m512i g1 = avx512_gray32(_mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(ys, 1)),
                               _mm512_permutexvar_epi16(c->dup_hi, cb), _mm512_permutexvar_epi16(c->dup_hi, cg),
                               _mm512_permutexvar_epi16(c->dup_hi, cr), c);
    avx512_store64(o, g0, g1, c);
}

/// As avx2_block2, 64 pixels (the x == 0 load reads x+127: only if pixel j+64 exists).
AVX512_IN void avx512_block2(const uint8_t *yr, const uint8_t *ur, const uint8_t *vr, int cropX, int j,
                             const avx512_consts *c, uint8_t *o) {
    const int x = cropX + 2 * j;
    __m512i y0, y1;
    if (x > 0) {
        y0 = _mm512_srli_epi16(_mm512_loadu_si512(yr + x - 1), 8);
        y1 = _mm512_srli_epi16(_mm512_loadu_si512(yr + x + 63), 8);
    } else {
        const __m512i low_bytes = _mm512_set1_epi16(0x00FF);
        y0 = _mm512_and_si512(_mm512_loadu_si512(yr), low_bytes);
        y1 = _mm512_and_si512(_mm512_loadu_si512(yr + 64), low_bytes);
    }
    const int s = (cropX >> 1) + j;
    __m512i u = _mm512_loadu_si512(ur + s), v = _mm512_loadu_si512(vr + s);
    __m512i cb, cg, cr, g0, g1;
    avx512_chroma(_mm512_cvtepu8_epi16(_mm512_castsi512_si256(u)), _mm512_cvtepu8_epi16(_mm512_castsi512_si256(v)),
                  c, &cb, &cg, &cr);
    g0 = avx512_gray32(y0, cb, cg, cr, c);
    avx512_chroma(_mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(u, 1)), _mm512_cvtepu8_epi16(_mm512_extracti64x4_epi64(v, 1)),
                  c, &cb, &cg, &cr);
    g1 = avx512_gray32(y1, cb, cg, cr, c);
    avx512_store64(o, g0, g1, c);
}

AVX512_FN void gray_avx512(const uint8_t *yPlane, int yStride, const uint8_t *uPlane, int uStride,
                           const uint8_t *vPlane, int vStride, int cropX, int cropY, int step,
                           int width, int height, const coefficients *k, uint8_t *out) {
    const avx512_consts c = avx512_consts_for(k);
    for (int i = 0; i < height; i++) {
        const int row = cropY + i * step;
        const uint8_t *yr = yPlane + (ptrdiff_t)row * yStride;
        const uint8_t *ur = uPlane + (ptrdiff_t)(row >> 1) * uStride;
        const uint8_t *vr = vPlane + (ptrdiff_t)(row >> 1) * vStride;
        uint8_t *o = out + (ptrdiff_t)i * width;
        int j = 0;
        if (step == 1) {
            const int first = cropX & 1;
            if (width - first >= 64) {
                if (first) o[0] = gray_at(yr, ur, vr, cropX, k);
                for (j = first; j + 64 <= width; j += 64) avx512_block1(yr, ur, vr, cropX + j, &c, o + j);
                if (j < width) {
                    int last = width - 64;
                    if ((cropX + last) & 1) last--;
                    avx512_block1(yr, ur, vr, cropX + last, &c, o + last);
                    j = last + 64;
                }
            }
        } else if (step == 2 && (width > 64 || (width == 64 && cropX > 0))) {
            for (; j + 64 <= width; j += 64) avx512_block2(yr, ur, vr, cropX, j, &c, o + j);
            if (j < width) {
                avx512_block2(yr, ur, vr, cropX, width - 64, &c, o + width - 64);
                j = width;
            }
        }
        row_scalar(yr, ur, vr, cropX, step, j, width, k, o);
    }
}

int cseccam_gray_best_kernel(void) {
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw")) return CSECCAM_GRAY_AVX512;
    if (__builtin_cpu_supports("avx2")) return CSECCAM_GRAY_AVX2;
    return CSECCAM_GRAY_SCALAR;
}

#else

int cseccam_gray_best_kernel(void) { return CSECCAM_GRAY_SCALAR; }

#endif

static void gray_scalar(const uint8_t *yPlane, int yStride, const uint8_t *uPlane, int uStride,
                        const uint8_t *vPlane, int vStride, int cropX, int cropY, int step,
                        int width, int height, const coefficients *k, uint8_t *out) {
    for (int i = 0; i < height; i++) {
        const int row = cropY + i * step;
        row_scalar(yPlane + (ptrdiff_t)row * yStride, uPlane + (ptrdiff_t)(row >> 1) * uStride,
                   vPlane + (ptrdiff_t)(row >> 1) * vStride, cropX, step, 0, width, k, out + (ptrdiff_t)i * width);
    }
}

void cseccam_yuv420_gray_kernel(int kernel, const uint8_t *yPlane, int yStride, const uint8_t *uPlane, int uStride,
                                const uint8_t *vPlane, int vStride, int cropX, int cropY, int step,
                                int width, int height, int fullRange, uint8_t *out) {
    const coefficients k = coefficients_for(fullRange);
#if defined(__x86_64__) || defined(__i386__)
    static int best = -1;   // benign race: every thread computes the same value
    if (best < 0) best = cseccam_gray_best_kernel();
    if (kernel == CSECCAM_GRAY_BEST || kernel > best) kernel = best;
    if (kernel == CSECCAM_GRAY_AVX512) {
        gray_avx512(yPlane, yStride, uPlane, uStride, vPlane, vStride, cropX, cropY, step, width, height, &k, out);
        return;
    }
    if (kernel == CSECCAM_GRAY_AVX2) {
        gray_avx2(yPlane, yStride, uPlane, uStride, vPlane, vStride, cropX, cropY, step, width, height, &k, out);
        return;
    }
#else
    (void)kernel;
#endif
    gray_scalar(yPlane, yStride, uPlane, uStride, vPlane, vStride, cropX, cropY, step, width, height, &k, out);
}

void cseccam_yuv420_gray(const uint8_t *yPlane, int yStride, const uint8_t *uPlane, int uStride,
                         const uint8_t *vPlane, int vStride, int cropX, int cropY, int step,
                         int width, int height, int fullRange, uint8_t *out) {
    cseccam_yuv420_gray_kernel(CSECCAM_GRAY_BEST, yPlane, yStride, uPlane, uStride, vPlane, vStride, cropX, cropY,
                               step, width, height, fullRange, out);
}
