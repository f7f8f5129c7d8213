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

#endif
