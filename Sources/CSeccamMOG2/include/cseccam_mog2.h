// AVX2 and AVX-512 kernels of SeccamMotion's MOG2 update (DVR-SCAN.md §2.3), bit-identical to the scalar Swift reference.
#ifndef CSECCAM_MOG2_H
#define CSECCAM_MOG2_H

#include <stddef.h>
#include <stdint.h>

/// Per-frame float32 constants of the update (DVR-SCAN.md §2.1, §2.2).
typedef struct cseccam_mog2_params {
    float alpha_t;
    float alpha_1;
    float prune;
    float var_threshold;
    float background_ratio;
    float var_threshold_gen;
    float var_init;
    float var_min;
    float var_max;
} cseccam_mog2_params;

/// 1 when the CPU and OS support AVX2, so `cseccam_mog2_update_avx2` may be called; 0 otherwise.
int cseccam_mog2_avx2_available(void);

/// Updates chunks `[first_chunk, end_chunk)` of the model with `frame_count` frames, in order, and writes their
/// mask bytes: `params[i]` are frame i's constants.
///
/// Layout (as MOG2Subtractor): chunk c holds 8 pixels; mode m, field f (0 weight, 1 variance, 2 mean), lane l is the
/// float at `model[c*120 + m*24 + f*8 + l]`; `modes` has one byte per pixel, padded to whole chunks. `sources` and
/// `masks` hold the frames back to back, `pixel_count` bytes each; lanes past `pixel_count` are updated with x = 0
/// and their mask is not written. `model` must be 32-byte aligned. Only call when `cseccam_mog2_avx2_available()`
/// returned 1.
void cseccam_mog2_update_avx2(float *model, uint8_t *modes, const uint8_t *sources, uint8_t *masks, size_t pixel_count,
                              size_t frame_count, const cseccam_mog2_params *params, size_t first_chunk,
                              size_t end_chunk);

/// 1 when the CPU and OS support AVX-512F/VL/BW/DQ (and AVX2), so `cseccam_mog2_update_avx512` may be called.
int cseccam_mog2_avx512_available(void);

/// `cseccam_mog2_update_avx2` on 16 lanes (the same results), with chunks of 16 pixels: mode m, field f, lane l of
/// chunk c is `model[c*240 + m*48 + f*16 + l]`, `modes` is padded to whole 16-pixel chunks, and `model` must be
/// 64-byte aligned. `first_chunk` and `end_chunk` count 16-pixel chunks. Only call when
/// `cseccam_mog2_avx512_available()` returned 1.
void cseccam_mog2_update_avx512(float *model, uint8_t *modes, const uint8_t *sources, uint8_t *masks,
                                size_t pixel_count, size_t frame_count, const cseccam_mog2_params *params,
                                size_t first_chunk, size_t end_chunk);

#endif
