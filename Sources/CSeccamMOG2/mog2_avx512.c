// The MOG2 update kernel for AVX-512 (F, VL, BW, DQ): 16 pixels per iteration in 512-bit registers, the lane
// selections in mask registers, frames in batches. The same steps, in the same order, as the AVX2 kernel
// (mog2_avx2.c) and the scalar reference MOG2Subtractor.updatePixel (DVR-SCAN.md §2.3), so the model and
// the masks are bit-identical to both (NativeMOG2Tests, RealFootageMOG2Tests).
//
// Why a kernel of its own rather than the AVX2 one compiled for AVX-512: with 16 lanes a chunk costs little more
// than with 8 and masked stores and blends are single instructions. Measured in the kernel harness (traffic, people
// and a third clip at 640x360, traffic at 1280x720; batches of 24), against the 8-lane kernel: 0.41-0.55 against
// 0.55-0.85 ms a frame at 360p, 1.69 against 2.32 ms at 720p, although more chunks leave the fast path (one lane
// in 16 not fitting mode 0 is enough). The two kernels share their structure line for line but not one
// instruction (mask registers here, vector masks there), so they are two files rather than one template behind
// a layer of macros: each reads as the instructions it runs, and each is tested against the Swift reference.
//
// Layout (cseccam_mog2.h): chunk c holds 16 pixels; mode m, field f (0 weight, 1 variance, 2 mean), lane l at
// model[c*240 + m*48 + f*16 + l], so each row is one 64-byte cache line.
//
// Bit-exactness: IEEE float32, every operation rounded separately in the reference's order. The target makes FMA
// instructions available, so contraction is switched off; never build with -ffast-math.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#include "cseccam_mog2.h"

#if defined(__x86_64__) || defined(__i386__)

#include <immintrin.h>

int cseccam_mog2_avx512_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl")
        && __builtin_cpu_supports("avx512bw") && __builtin_cpu_supports("avx512dq") ? 1 : 0;
}

#define TARGET "avx2,avx512f,avx512vl,avx512bw,avx512dq"
#define K16 __attribute__((target(TARGET), always_inline)) static inline

enum { MODES = 5, PREFETCH_CHUNKS = 6, CHUNK_FLOATS = 240 };

// Row of mode m, field f: 16 lanes, one cache line.
#define ROW(m, f) (chunk + (m) * 48 + (f) * 16)
#define LOAD(m, f) _mm512_load_ps(ROW(m, f))
#define STORE(m, f, v) _mm512_store_ps(ROW(m, f), (v))

/// A selection of the 16 lanes (one bit each).
typedef __mmask16 lanes;

typedef struct {
    __m512 alpha_t, alpha_1, prune, neg_prune, tb, bg_ratio, tg, var_init, var_min, var_max, one, zero, eps, neg_eps;
    float alpha_t_scalar;
} consts;

K16 lanes lt(__m512 a, __m512 b) { return _mm512_cmp_ps_mask(a, b, _CMP_LT_OQ); }
K16 __m512 pick(lanes m, __m512 yes, __m512 no) { return _mm512_mask_blend_ps(m, no, yes); }
K16 lanes greater_i(__m512i a, int b) { return _mm512_cmpgt_epi32_mask(a, _mm512_set1_epi32(b)); }
K16 lanes equal_i(__m512i a, int b) { return _mm512_cmpeq_epi32_mask(a, _mm512_set1_epi32(b)); }
/// Writes `v` into the selected lanes of `row` only (a masked store: the other lanes are not written at all).
K16 void store_where(float *row, lanes m, __m512 v) { _mm512_mask_store_ps(row, m, v); }

K16 void swap_slots(float *chunk, int a, int b, lanes m) {
    for (int f = 0; f < 3; f++) {
        __m512 va = LOAD(a, f), vb = LOAD(b, f);
        store_where(ROW(a, f), m, vb);
        store_where(ROW(b, f), m, va);
    }
}

// Variance update: clamp exactly like `v < min ? min : v` then `v > max ? max : v` (MAXPS/MINPS return the second
// operand when the comparison is false, NaN included).
K16 __m512 clamp_variance(__m512 v, const consts *c) {
    v = _mm512_max_ps(c->var_min, v);
    return _mm512_min_ps(c->var_max, v);
}

/// 1 / total where |total| > FLT_EPSILON, else 0 (the weights' normalisation).
K16 __m512 inverse_of(__m512 total, const consts *c) {
    lanes big = _mm512_cmp_ps_mask(total, c->eps, _CMP_GT_OQ) | lt(total, c->neg_eps);
    return _mm512_maskz_div_ps(big, c->one, total);
}

/// The general case (any lane not fitting mode 0): returns the background lanes; updates `nmodes`. `most` is the
/// largest mode count among the lanes on entry: the mode loops run to it with every lane masked (as the AVX2 kernel).
K16 lanes update_general(float *chunk, __m512i *nmodes_io, __m512 x, int most, const consts *c) {
    __m512i nmodes = *nmodes_io;
    const __m512i one_i = _mm512_set1_epi32(1);
    lanes background = 0, fits = 0;
    __m512 total = c->zero;
    for (int mode = 0; mode < most; mode++) {
        lanes active = greater_i(nmodes, mode);
        __m512 weight = _mm512_add_ps(_mm512_mul_ps(c->alpha_1, LOAD(mode, 0)), c->prune);
        __m512i swaps = _mm512_setzero_si512();
        int swapped = 0;
        lanes unfitted = active & ~fits;
        __m512 var = LOAD(mode, 1), mean = LOAD(mode, 2);
        __m512 d = _mm512_sub_ps(mean, x);
        __m512 dist2 = _mm512_mul_ps(d, d);
        lanes bg = lt(total, c->bg_ratio) & lt(dist2, _mm512_mul_ps(c->tb, var));
        background |= unfitted & bg;
        lanes match = unfitted & lt(dist2, _mm512_mul_ps(c->tg, var));
        fits |= match;
        weight = _mm512_mask_add_ps(weight, match, weight, c->alpha_t);
        __m512 k = _mm512_div_ps(c->alpha_t, weight);
        store_where(ROW(mode, 2), match, _mm512_sub_ps(mean, _mm512_mul_ps(k, d)));
        __m512 fresh = _mm512_add_ps(var, _mm512_mul_ps(k, _mm512_sub_ps(dist2, var)));
        store_where(ROW(mode, 1), match, clamp_variance(fresh, c));
        lanes moving = match;
        for (int i = mode; i > 0; i--) {
            moving &= ~lt(weight, LOAD(i - 1, 0));
            if (!moving) break;
            swap_slots(chunk, i, i - 1, moving);
            swaps = _mm512_mask_add_epi32(swaps, moving, swaps, one_i);
            swapped = 1;
        }
        lanes pruned = active & lt(weight, c->neg_prune);
        weight = _mm512_maskz_mov_ps((lanes)~pruned, weight);
        nmodes = _mm512_mask_sub_epi32(nmodes, pruned, nmodes, one_i);
        if (!swapped) {
            store_where(ROW(mode, 0), active, weight);
        } else {
            __m512i position = _mm512_sub_epi32(_mm512_set1_epi32(mode), swaps);
            for (int j = 0; j <= mode; j++) {
                lanes here = active & equal_i(position, j);
                if (here) store_where(ROW(j, 0), here, weight);
            }
        }
        total = _mm512_mask_add_ps(total, active, total, weight);
    }
    __m512 inverse = inverse_of(total, c);
    for (int m = 0; m < most; m++) {
        store_where(ROW(m, 0), greater_i(nmodes, m), _mm512_mul_ps(LOAD(m, 0), inverse));
    }
    lanes adding = ~fits;
    if (c->alpha_t_scalar > 0 && adding) {
        lanes full = equal_i(nmodes, MODES);
        __m512i slot = _mm512_mask_mov_epi32(nmodes, full, _mm512_set1_epi32(MODES - 1));
        lanes grows = adding & ~full;
        __m512i grown = _mm512_mask_add_epi32(nmodes, grows, nmodes, one_i);
        __m512 new_weight = pick(equal_i(grown, 1), c->one, c->alpha_t);
        for (int j = 0; j < MODES; j++) {
            lanes is_slot = adding & equal_i(slot, j);
            lanes decays = adding & greater_i(grown, j + 1);
            if (!(is_slot | decays)) continue;
            __m512 w = LOAD(j, 0);
            w = _mm512_mask_mul_ps(w, decays, w, c->alpha_1);
            w = pick(is_slot, new_weight, w);
            STORE(j, 0, w);
            store_where(ROW(j, 1), is_slot, c->var_init);
            store_where(ROW(j, 2), is_slot, x);
        }
        nmodes = grown;
        lanes moving = adding;
        for (int i = MODES - 1; i >= 1; i--) {
            lanes testing = moving & greater_i(nmodes, i);
            if (!testing) continue;
            lanes stops = testing & lt(c->alpha_t, LOAD(i - 1, 0));
            moving &= ~stops;
            lanes swapping = testing & ~stops;
            if (swapping) swap_slots(chunk, i, i - 1, swapping);
        }
    }
    *nmodes_io = nmodes;
    return background;
}

/// One chunk: the fast path when every lane has a mode and fits mode 0 (no bubbling, no new mode), else the
/// general path. Returns the background lanes.
K16 lanes update_chunk(float *chunk, __m512i *nmodes_io, __m512 x, int most, const consts *c) {
    __m512i nmodes = *nmodes_io;
    __m512 var = LOAD(0, 1), mean = LOAD(0, 2);
    __m512 d = _mm512_sub_ps(mean, x);
    __m512 dist2 = _mm512_mul_ps(d, d);
    lanes match = greater_i(nmodes, 0) & lt(dist2, _mm512_mul_ps(c->tg, var));
    if (match != 0xFFFF) return update_general(chunk, nmodes_io, x, most, c);

    const __m512i one_i = _mm512_set1_epi32(1);
    lanes background = lt(dist2, _mm512_mul_ps(c->tb, var));
    __m512 weight = _mm512_add_ps(_mm512_mul_ps(c->alpha_1, LOAD(0, 0)), c->prune);
    weight = _mm512_add_ps(weight, c->alpha_t);
    __m512 k = _mm512_div_ps(c->alpha_t, weight);
    STORE(0, 2, _mm512_sub_ps(mean, _mm512_mul_ps(k, d)));
    STORE(0, 1, clamp_variance(_mm512_add_ps(var, _mm512_mul_ps(k, _mm512_sub_ps(dist2, var))), c));
    lanes pruned = lt(weight, c->neg_prune);
    weight = _mm512_maskz_mov_ps((lanes)~pruned, weight);
    nmodes = _mm512_mask_sub_epi32(nmodes, pruned, nmodes, one_i);
    __m512 w[MODES];
    w[0] = weight;
    __m512 total = _mm512_add_ps(c->zero, weight);
    for (int mode = 1; mode < most; mode++) {
        lanes active = greater_i(nmodes, mode);
        __m512 old = LOAD(mode, 0);
        weight = _mm512_add_ps(_mm512_mul_ps(c->alpha_1, old), c->prune);
        pruned = active & lt(weight, c->neg_prune);
        weight = _mm512_maskz_mov_ps((lanes)~pruned, weight);
        nmodes = _mm512_mask_sub_epi32(nmodes, pruned, nmodes, one_i);
        w[mode] = pick(active, weight, old);
        total = _mm512_mask_add_ps(total, active, total, weight);
    }
    __m512 inverse = inverse_of(total, c);
    for (int m = 0; m < most; m++) {
        lanes used = greater_i(nmodes, m);
        STORE(m, 0, _mm512_mask_mul_ps(w[m], used, w[m], inverse));
    }
    *nmodes_io = nmodes;
    return background;
}

K16 void set_constants(consts *c, const cseccam_mog2_params *p) {
    c->alpha_t = _mm512_set1_ps(p->alpha_t);
    c->alpha_1 = _mm512_set1_ps(p->alpha_1);
    c->prune = _mm512_set1_ps(p->prune);
    c->neg_prune = _mm512_set1_ps(-p->prune);
    c->tb = _mm512_set1_ps(p->var_threshold);
    c->bg_ratio = _mm512_set1_ps(p->background_ratio);
    c->tg = _mm512_set1_ps(p->var_threshold_gen);
    c->var_init = _mm512_set1_ps(p->var_init);
    c->var_min = _mm512_set1_ps(p->var_min);
    c->var_max = _mm512_set1_ps(p->var_max);
    c->one = _mm512_set1_ps(1.0f);
    c->zero = _mm512_setzero_ps();
    c->eps = _mm512_set1_ps(__FLT_EPSILON__);
    c->neg_eps = _mm512_set1_ps(-__FLT_EPSILON__);
    c->alpha_t_scalar = p->alpha_t;
}

/// Updates chunks [first_chunk, end_chunk) with one frame. `prefetch`: fetch mode 0's rows of the chunks ahead
/// (the hardware prefetcher does not keep up; prefetches never fault).
K16 void update_chunks(float *model, uint8_t *modes, const uint8_t *source, uint8_t *mask, size_t pixel_count,
                       size_t first_chunk, size_t end_chunk, const consts *c, int prefetch) {
    for (size_t index = first_chunk; index < end_chunk; index++) {
        size_t first = index * 16;
        size_t valid = pixel_count - first < 16 ? pixel_count - first : 16;
        __m128i pixels;
        if (valid == 16) pixels = _mm_loadu_si128((const __m128i *)(source + first));
        else pixels = _mm_maskz_loadu_epi8((__mmask16)((1u << valid) - 1), source + first);
        __m512 x = _mm512_cvtepi32_ps(_mm512_cvtepu8_epi32(pixels));
        __m128i mode_bytes = _mm_loadu_si128((const __m128i *)(modes + first));
        __m512i nmodes = _mm512_cvtepu8_epi32(mode_bytes);
        if (prefetch) {
            const char *ahead = (const char *)(model + (index + PREFETCH_CHUNKS) * CHUNK_FLOATS);
            _mm_prefetch(ahead, _MM_HINT_T0);
            _mm_prefetch(ahead + 64, _MM_HINT_T0);
            _mm_prefetch(ahead + 128, _MM_HINT_T0);
        }
        __m128i most_v = _mm_max_epu8(mode_bytes, _mm_srli_si128(mode_bytes, 8));
        most_v = _mm_max_epu8(most_v, _mm_srli_si128(most_v, 4));
        most_v = _mm_max_epu8(most_v, _mm_srli_si128(most_v, 2));
        most_v = _mm_max_epu8(most_v, _mm_srli_si128(most_v, 1));
        int most = _mm_cvtsi128_si32(most_v) & 0xFF;
        lanes background = update_chunk(model + index * CHUNK_FLOATS, &nmodes, x, most, c);
        // Mode counts back to bytes; the mask byte is 255 where the lane is not background.
        _mm_storeu_si128((__m128i *)(modes + first), _mm512_cvtepi32_epi8(nmodes));
        __m128i out = _mm_movm_epi8((__mmask16)~background);
        if (valid == 16) _mm_storeu_si128((__m128i *)(mask + first), out);
        else _mm_mask_storeu_epi8(mask + first, (__mmask16)((1u << valid) - 1), out);
    }
}

/// A batch goes through the model a tile of 32 chunks (512 pixels, 30 KB of model) at a time, every frame through
/// the tile before the next tile, as in the AVX2 kernel: the tile is fetched from memory once per batch.
__attribute__((target(TARGET)))
void cseccam_mog2_update_avx512(float *model, uint8_t *modes, const uint8_t *sources, uint8_t *masks, size_t pixel_count,
                                size_t frame_count, const cseccam_mog2_params *params, size_t first_chunk, size_t end_chunk) {
    enum { TILE_CHUNKS = 32 };
    consts c;
    for (size_t tile = first_chunk; tile < end_chunk; tile += TILE_CHUNKS) {
        size_t tile_end = end_chunk - tile > TILE_CHUNKS ? tile + TILE_CHUNKS : end_chunk;
        for (size_t frame = 0; frame < frame_count; frame++) {
            set_constants(&c, &params[frame]);
            update_chunks(model, modes, sources + frame * pixel_count, masks + frame * pixel_count, pixel_count,
                          tile, tile_end, &c, frame == 0);
        }
    }
}

#else

int cseccam_mog2_avx512_available(void) { return 0; }

void cseccam_mog2_update_avx512(float *model, uint8_t *modes, const uint8_t *sources, uint8_t *masks, size_t pixel_count,
                                size_t frame_count, const cseccam_mog2_params *params, size_t first_chunk, size_t end_chunk) {
    (void)model; (void)modes; (void)sources; (void)masks; (void)pixel_count; (void)frame_count; (void)params;
    (void)first_chunk; (void)end_chunk;
    __builtin_trap();
}

#endif
