// Morphology and statistics of SeccamMotion's 0/255 masks (DVR-SCAN.md §3.2–§3.4): byte min/max and counts,
// with AVX-512BW, AVX2 and plain C kernels chosen at run time. All kernels give identical results (integer ops).
#ifndef CSECCAM_MASK_H
#define CSECCAM_MASK_H

#include <stddef.h>
#include <stdint.h>

/// Kernels of the mask operations.
enum {
    CSECCAM_MASK_BEST = -1,   ///< the fastest this CPU supports
    CSECCAM_MASK_SCALAR = 0,  ///< plain C: the reference
    CSECCAM_MASK_AVX2 = 1,
    CSECCAM_MASK_AVX512 = 2,  ///< AVX-512BW
};

/// The fastest kernel this CPU supports.
int cseccam_mask_best_kernel(void);

/// Rows [row_begin, row_end) of `output` = min (`minimum` != 0) or max over the (2·radius+1)² window of `input`
/// around each pixel, the window clipped to the `width` x `height` image (pixels outside are ignored, as with
/// OpenCV's default morphology border). `input` and `output` must not overlap. Bands of rows may run concurrently.
void cseccam_mask_window(int kernel, const uint8_t *input, uint8_t *output, int width, int height,
                         int row_begin, int row_end, int radius, int minimum);

/// Statistics of a `width` x `height` mask: `*count` = number of non-zero bytes; `*inside` = number of positions
/// where both the mask and `area` are non-zero (when `area` is not NULL); the bounding rectangle of the non-zero
/// bytes in `box` (x, y, width, height), all 0 when none (only computed when `box` is not NULL).
void cseccam_mask_stats(int kernel, const uint8_t *mask, const uint8_t *area, int width, int height,
                        int64_t *count, int64_t *inside, int32_t box[4]);

/// Number of positions in [0, count) where both `a` and `b` are non-zero.
int64_t cseccam_mask_count_both(int kernel, const uint8_t *a, const uint8_t *b, size_t count);

#endif
