// Helpers for SeccamMedia that cannot be written in Swift (C variadic callbacks).
#ifndef CSECCAM_FFMPEG_SUPPORT_H
#define CSECCAM_FFMPEG_SUPPORT_H

/// Receives one complete FFmpeg log line (no trailing newline) at an AV_LOG_* level.
typedef void (*cseccam_log_sink)(int level, const char *line);

/// Routes av_log through `sink` (whole lines, assembled per thread), or back to FFmpeg's default when NULL.
void cseccam_set_log_sink(cseccam_log_sink sink);

#include <stdint.h>

/// Gray values (dvr-scan's exact formula) of the sampled pixels of 8-bit 4:2:0 planes: output pixel (i, j) is
/// plane pixel (cropX + j*step, cropY + i*step); `width` x `height` bytes are written to `out`, row-major.
void cseccam_yuv420_gray(const uint8_t *yPlane, int yStride, const uint8_t *uPlane, int uStride,
                         const uint8_t *vPlane, int vStride, int cropX, int cropY, int step,
                         int width, int height, int fullRange, uint8_t *out);

/// Kernels of the gray conversion; all give identical bytes (tests compare them on real frames).
enum {
    CSECCAM_GRAY_BEST = -1,  ///< the fastest one this CPU supports (what `cseccam_yuv420_gray` uses)
    CSECCAM_GRAY_SCALAR = 0, ///< plain C: the reference
    CSECCAM_GRAY_AVX2 = 1,   ///< 32 pixels per step, sampling steps 1 and 2 (others: plain C)
    CSECCAM_GRAY_AVX512 = 2, ///< AVX-512BW, 64 pixels per step, sampling steps 1 and 2 (others: plain C)
};

/// The fastest kernel this CPU supports.
int cseccam_gray_best_kernel(void);

/// `cseccam_yuv420_gray` with a chosen kernel (one the CPU lacks falls back to the best it has).
void cseccam_yuv420_gray_kernel(int kernel, const uint8_t *yPlane, int yStride, const uint8_t *uPlane, int uStride,
                                const uint8_t *vPlane, int vStride, int cropX, int cropY, int step,
                                int width, int height, int fullRange, uint8_t *out);

#endif
