// The AVX2 MOG2 update kernel: 8 pixels per iteration, lanes masked by their own mode count, frames in batches.
// A literal vector transcription of MOG2Subtractor.updateChunk (Swift), which equals the scalar reference
// updatePixel (DVR-SCAN.md §2.3). mog2_avx512.c is the same algorithm on 16 lanes.
//
// Bit-exactness: IEEE float32, every operation rounded separately in the reference's order. Contraction into FMA is
// switched off; never build with -ffast-math.
#pragma STDC FP_CONTRACT OFF
#pragma clang fp contract(off)

#include "cseccam_mog2.h"

#if defined(__x86_64__) || defined(__i386__)

int cseccam_mog2_avx2_available(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx2") ? 1 : 0;
}

#include <immintrin.h>
#include <string.h>

#define AVX2 __attribute__((target("avx2"), always_inline)) static inline

enum { MODES = 5, PREFETCH_CHUNKS = 12 };
#define CHUNK_FLOATS 120
#define FIELD_OFFSET(m, f) ((m) * 24 + (f) * 8)

// Row of mode m, field f (0 weight, 1 variance, 2 mean): 8 lanes.
#define ROW(m, f) (chunk + FIELD_OFFSET(m, f))
#define LOAD(m, f) _mm256_load_ps(ROW(m, f))
#define STORE(m, f, v) _mm256_store_ps(ROW(m, f), (v))

typedef struct {
    __m256 alpha_t, alpha_1, prune, neg_prune, tb, bg_ratio, tg, var_init, var_min, var_max, one, zero;
    float alpha_t_scalar;
} consts;

AVX2 int any(__m256 mask) { return _mm256_movemask_ps(mask) != 0; }
AVX2 __m256 lt(__m256 a, __m256 b) { return _mm256_cmp_ps(a, b, _CMP_LT_OQ); }
AVX2 __m256 pick(__m256 mask, __m256 yes, __m256 no) { return _mm256_blendv_ps(no, yes, mask); }
AVX2 __m256 imask(__m256i m) { return _mm256_castsi256_ps(m); }
AVX2 __m256 greater_i(__m256i a, int b) { return imask(_mm256_cmpgt_epi32(a, _mm256_set1_epi32(b))); }

// Writes `v` into the `lanes` of `row` and leaves its other lanes as they are (load, blend, store).
AVX2 void store_where(float *row, __m256 lanes, __m256 v) { _mm256_store_ps(row, pick(lanes, v, _mm256_load_ps(row))); }

AVX2 void swap_slots(float *chunk, int a, int b, __m256 lanes) {
    for (int f = 0; f < 3; f++) {
        __m256 va = LOAD(a, f), vb = LOAD(b, f);
        store_where(ROW(a, f), lanes, vb);
        store_where(ROW(b, f), lanes, va);
    }
}

// Variance update: clamp exactly like `v < min ? min : v` then `v > max ? max : v` (MAXPS/MINPS return the second
// operand when the comparison is false, NaN included).
AVX2 __m256 clamp_variance(__m256 v, const consts *c) {
    v = _mm256_max_ps(c->var_min, v);
    return _mm256_min_ps(c->var_max, v);
}

/// 1 / total where |total| > FLT_EPSILON, else 0 (the weights' normalisation).
AVX2 __m256 inverse_of(__m256 total, const consts *c) {
    __m256 big = _mm256_or_ps(_mm256_cmp_ps(total, _mm256_set1_ps(__FLT_EPSILON__), _CMP_GT_OQ),
                              lt(total, _mm256_set1_ps(-__FLT_EPSILON__)));
    return _mm256_and_ps(big, _mm256_div_ps(c->one, total));
}

/// The general case (any lane not fitting mode 0): returns the background lanes; updates `nmodes`. `most` is the
/// largest mode count among the lanes on entry: the mode loops run to it with every lane masked, instead of testing
/// for a live lane on each mode (a data-dependent branch the CPU mispredicts; measured 8 % faster at 720p).
AVX2 __m256 update_general(float *chunk, __m256i *nmodes_io, __m256 x, int most, const consts *c) {
    __m256i nmodes = *nmodes_io;
    __m256 background = c->zero, fits = c->zero, total = c->zero;
    for (int mode = 0; mode < most; mode++) {
        __m256 active = greater_i(nmodes, mode);
        __m256 weight = _mm256_add_ps(_mm256_mul_ps(c->alpha_1, LOAD(mode, 0)), c->prune);
        __m256i swaps = _mm256_setzero_si256();
        __m256 unfitted = _mm256_andnot_ps(fits, active);
        // Computed for every mode, all lanes masked, rather than behind "any lane unfitted / matched" tests: those
        // depend on the pixels, the CPU mispredicts them, and skipping the work saved less (measured 6-9 % faster).
        __m256 var = LOAD(mode, 1), mean = LOAD(mode, 2);
        __m256 d = _mm256_sub_ps(mean, x);
        __m256 dist2 = _mm256_mul_ps(d, d);
        __m256 bg = _mm256_and_ps(lt(total, c->bg_ratio), lt(dist2, _mm256_mul_ps(c->tb, var)));
        background = _mm256_or_ps(background, _mm256_and_ps(unfitted, bg));
        __m256 match = _mm256_and_ps(unfitted, lt(dist2, _mm256_mul_ps(c->tg, var)));
        fits = _mm256_or_ps(fits, match);
        weight = pick(match, _mm256_add_ps(weight, c->alpha_t), weight);
        __m256 k = _mm256_div_ps(c->alpha_t, weight);
        store_where(ROW(mode, 2), match, _mm256_sub_ps(mean, _mm256_mul_ps(k, d)));
        __m256 fresh = _mm256_add_ps(var, _mm256_mul_ps(k, _mm256_sub_ps(dist2, var)));
        store_where(ROW(mode, 1), match, clamp_variance(fresh, c));
        __m256 moving = match;
        for (int i = mode; i > 0; i--) {
            moving = _mm256_andnot_ps(lt(weight, LOAD(i - 1, 0)), moving);
            if (!any(moving)) break;
            swap_slots(chunk, i, i - 1, moving);
            swaps = _mm256_sub_epi32(swaps, _mm256_castps_si256(moving));
        }
        __m256 pruned = _mm256_and_ps(active, lt(weight, c->neg_prune));
        weight = _mm256_andnot_ps(pruned, weight);
        nmodes = _mm256_add_epi32(nmodes, _mm256_castps_si256(pruned));
        if (_mm256_testz_si256(swaps, swaps)) {
            // No lane moved its matched mode up (the usual case): the weight goes back to slot `mode`.
            store_where(ROW(mode, 0), active, weight);
        } else {
            __m256i position = _mm256_sub_epi32(_mm256_set1_epi32(mode), swaps);
            for (int j = 0; j <= mode; j++) {
                __m256 here = _mm256_and_ps(active, imask(_mm256_cmpeq_epi32(position, _mm256_set1_epi32(j))));
                if (any(here)) store_where(ROW(j, 0), here, weight);
            }
        }
        total = pick(active, _mm256_add_ps(total, weight), total);
    }
    __m256 inverse = inverse_of(total, c);
    for (int m = 0; m < most; m++) {
        store_where(ROW(m, 0), greater_i(nmodes, m), _mm256_mul_ps(LOAD(m, 0), inverse));
    }
    __m256 adding = _mm256_xor_ps(fits, imask(_mm256_set1_epi32(-1)));
    if (c->alpha_t_scalar > 0 && any(adding)) {
        __m256i full = _mm256_cmpeq_epi32(nmodes, _mm256_set1_epi32(MODES));
        __m256i slot = _mm256_blendv_epi8(nmodes, _mm256_set1_epi32(MODES - 1), full);
        __m256i grows = _mm256_andnot_si256(full, _mm256_castps_si256(adding));
        __m256i grown = _mm256_sub_epi32(nmodes, grows);
        __m256 new_weight = pick(imask(_mm256_cmpeq_epi32(grown, _mm256_set1_epi32(1))), c->one, c->alpha_t);
        for (int j = 0; j < MODES; j++) {
            __m256 is_slot = _mm256_and_ps(adding, imask(_mm256_cmpeq_epi32(slot, _mm256_set1_epi32(j))));
            __m256 decays = _mm256_and_ps(adding, greater_i(grown, j + 1));
            if (!any(_mm256_or_ps(is_slot, decays))) continue;
            __m256 w = LOAD(j, 0);
            w = pick(decays, _mm256_mul_ps(w, c->alpha_1), w);
            w = pick(is_slot, new_weight, w);
            STORE(j, 0, w);
            STORE(j, 1, pick(is_slot, c->var_init, LOAD(j, 1)));
            STORE(j, 2, pick(is_slot, x, LOAD(j, 2)));
        }
        nmodes = grown;
        __m256 moving = adding;
        for (int i = MODES - 1; i >= 1; i--) {
            __m256 testing = _mm256_and_ps(moving, greater_i(nmodes, i));
            if (!any(testing)) continue;
            __m256 stops = _mm256_and_ps(testing, lt(c->alpha_t, LOAD(i - 1, 0)));
            moving = _mm256_andnot_ps(stops, moving);
            __m256 swapping = _mm256_andnot_ps(stops, testing);
            if (any(swapping)) swap_slots(chunk, i, i - 1, swapping);
        }
    }
    *nmodes_io = nmodes;
    return background;
}

/// One chunk: the fast path when every lane has a mode and fits mode 0 (no bubbling, no new mode), else the
/// general path. Returns the background lanes. `most`: as for `update_general`.
AVX2 __m256 update_chunk(float *chunk, __m256i *nmodes_io, __m256 x, int most, const consts *c) {
    __m256i nmodes = *nmodes_io;
    __m256 var = LOAD(0, 1), mean = LOAD(0, 2);
    __m256 d = _mm256_sub_ps(mean, x);
    __m256 dist2 = _mm256_mul_ps(d, d);
    __m256 match = _mm256_and_ps(greater_i(nmodes, 0), lt(dist2, _mm256_mul_ps(c->tg, var)));
    if (_mm256_movemask_ps(match) != 0xFF) return update_general(chunk, nmodes_io, x, most, c);

    // Mode 0 fits in every lane: totalWeight is 0 < TB there, so background is dist2 < Tb*var.
    __m256 background = lt(dist2, _mm256_mul_ps(c->tb, var));
    __m256 weight = _mm256_add_ps(_mm256_mul_ps(c->alpha_1, LOAD(0, 0)), c->prune);
    weight = _mm256_add_ps(weight, c->alpha_t);
    __m256 k = _mm256_div_ps(c->alpha_t, weight);
    STORE(0, 2, _mm256_sub_ps(mean, _mm256_mul_ps(k, d)));
    STORE(0, 1, clamp_variance(_mm256_add_ps(var, _mm256_mul_ps(k, _mm256_sub_ps(dist2, var))), c));
    __m256 pruned = lt(weight, c->neg_prune);
    weight = _mm256_andnot_ps(pruned, weight);
    nmodes = _mm256_add_epi32(nmodes, _mm256_castps_si256(pruned));
    __m256 w[MODES];
    w[0] = weight;
    __m256 total = _mm256_add_ps(c->zero, weight);
    for (int mode = 1; mode < most; mode++) {
        __m256 active = greater_i(nmodes, mode);
        __m256 old = LOAD(mode, 0);
        weight = _mm256_add_ps(_mm256_mul_ps(c->alpha_1, old), c->prune);
        pruned = _mm256_and_ps(active, lt(weight, c->neg_prune));
        weight = _mm256_andnot_ps(pruned, weight);
        nmodes = _mm256_add_epi32(nmodes, _mm256_castps_si256(pruned));
        w[mode] = pick(active, weight, old);
        total = pick(active, _mm256_add_ps(total, weight), total);
    }
    __m256 inverse = inverse_of(total, c);
    for (int m = 0; m < most; m++) {
        __m256 used = greater_i(nmodes, m);
        STORE(m, 0, pick(used, _mm256_mul_ps(w[m], inverse), w[m]));
    }
    *nmodes_io = nmodes;
    return background;
}

AVX2 void set_constants(consts *c, const cseccam_mog2_params *p) {
    c->alpha_t = _mm256_set1_ps(p->alpha_t);
    c->alpha_1 = _mm256_set1_ps(p->alpha_1);
    c->prune = _mm256_set1_ps(p->prune);
    c->neg_prune = _mm256_set1_ps(-p->prune);
    c->tb = _mm256_set1_ps(p->var_threshold);
    c->bg_ratio = _mm256_set1_ps(p->background_ratio);
    c->tg = _mm256_set1_ps(p->var_threshold_gen);
    c->var_init = _mm256_set1_ps(p->var_init);
    c->var_min = _mm256_set1_ps(p->var_min);
    c->var_max = _mm256_set1_ps(p->var_max);
    c->one = _mm256_set1_ps(1.0f);
    c->zero = _mm256_setzero_ps();
    c->alpha_t_scalar = p->alpha_t;
}

/// Updates chunks [first_chunk, end_chunk) with one frame. `prefetch`: fetch the model of the chunks ahead.
AVX2 void update_chunks(float *model, uint8_t *modes, const uint8_t *source, uint8_t *mask, size_t pixel_count,
                                size_t first_chunk, size_t end_chunk, const consts *c, int prefetch) {
    const __m256i foreground_bytes = _mm256_set1_epi32(255);
    for (size_t index = first_chunk; index < end_chunk; index++) {
        size_t first = index * 8;
        size_t valid = pixel_count - first < 8 ? pixel_count - first : 8;
        uint64_t pixels = 0;
        if (valid == 8) memcpy(&pixels, source + first, 8);
        else memcpy(&pixels, source + first, valid);
        __m256 x = _mm256_cvtepi32_ps(_mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)pixels)));
        uint64_t mode_bytes;
        memcpy(&mode_bytes, modes + first, 8);
        __m256i nmodes = _mm256_cvtepu8_epi32(_mm_cvtsi64_si128((long long)mode_bytes));
        if (prefetch) {
            // The hardware prefetcher does not keep up with the sparse lines touched per chunk: fetch the lines
            // of weight 0, variance 0 and mean 0 some chunks ahead (prefetches never fault).
            const char *ahead = (const char *)(model + (index + PREFETCH_CHUNKS) * CHUNK_FLOATS);
            _mm_prefetch(ahead, _MM_HINT_T0);
            _mm_prefetch(ahead + 64, _MM_HINT_T0);
        }
        // Largest of the 8 mode counts (bytes): a horizontal max in three steps.
        __m128i most_v = _mm_cvtsi64_si128((long long)mode_bytes);
        most_v = _mm_max_epu8(most_v, _mm_srli_epi64(most_v, 32));
        most_v = _mm_max_epu8(most_v, _mm_srli_epi64(most_v, 16));
        most_v = _mm_max_epu8(most_v, _mm_srli_epi64(most_v, 8));
        int most = _mm_cvtsi128_si32(most_v) & 0xFF;
        __m256 background = update_chunk(model + index * CHUNK_FLOATS, &nmodes, x, most, c);
        // Pack lanes to bytes: nmodes fits a byte; the mask is 255 where not background.
        __m256i out = _mm256_andnot_si256(_mm256_castps_si256(background), foreground_bytes);
        __m256i both = _mm256_packus_epi32(nmodes, out);           // [n0..3 o0..3 | n4..7 o4..7] as u16
        both = _mm256_permute4x64_epi64(both, 0xD8);                // [n0..3 n4..7 | o0..3 o4..7]
        __m128i bytes = _mm_packus_epi16(_mm256_castsi256_si128(both), _mm256_extracti128_si256(both, 1));
        // bytes: [n0..7 | o0..7]
        uint64_t packed_modes = (uint64_t)_mm_cvtsi128_si64(bytes);
        uint64_t packed_mask = (uint64_t)_mm_extract_epi64(bytes, 1);
        memcpy(modes + first, &packed_modes, 8);
        if (valid == 8) memcpy(mask + first, &packed_mask, 8);
        else memcpy(mask + first, &packed_mask, valid);
    }
}

/// The frames of a batch go through the model a tile of TILE_CHUNKS chunks at a time: every frame updates the
/// tile before the next tile starts, so its model (30 KB) is fetched from memory once per batch instead of once
/// per frame and stays in L1 for the later frames. Each pixel still sees its frames in order, so the results
/// are those of one frame at a time. Measured on 640x360 traffic: 0.56 ms a frame alone, 0.44 in batches of 16,
/// 0.40 in batches of 24; tiles of 16, 32 or 128 chunks were no faster.
__attribute__((target("avx2")))
void cseccam_mog2_update_avx2(float *model, uint8_t *modes, const uint8_t *sources, uint8_t *masks, size_t pixel_count,
                  size_t frame_count, const cseccam_mog2_params *params, size_t first_chunk, size_t end_chunk) {
    enum { TILE_CHUNKS = 64 };
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

int cseccam_mog2_avx2_available(void) { return 0; }

void cseccam_mog2_update_avx2(float *model, uint8_t *modes, const uint8_t *sources, uint8_t *masks, size_t pixel_count,
                              size_t frame_count, const cseccam_mog2_params *params, size_t first_chunk, size_t end_chunk) {
    (void)model; (void)modes; (void)sources; (void)masks; (void)pixel_count; (void)frame_count; (void)params;
    (void)first_chunk; (void)end_chunk;
    __builtin_trap();
}

#endif
