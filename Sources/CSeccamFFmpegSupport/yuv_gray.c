// dvr-scan's gray from 8-bit 4:2:0 planes: swscale's x86 SSSE3 YUV->BGR24 integer formula, then OpenCV's
// 15-bit BGR->gray (DVR-SCAN.md §1.1, §1.4), only at the sampled pixels. Written in C so the compiler can
// vectorise the plain loop; the Swift table version (YUVToGrayTables) is the reference it is tested against.
#include "cseccam_ffmpeg_support.h"

static inline int clamp255(int x) { return x < 0 ? 0 : (x > 255 ? 255 : x); }

/// Chroma terms of one U/V sample: blue from U, green from U and V, red from V.
typedef struct { int b, g, r; } chroma_terms;

static inline chroma_terms chroma_of(int u, int v, int cvr, int cub, int cvg, int cug) {
    int uu = 8 * u - 1024, vv = 8 * v - 1024;
    chroma_terms t = { (uu * cub) >> 16, ((uu * cug) >> 16) + ((vv * cvg) >> 16), (vv * cvr) >> 16 };
    return t;
}

static inline uint8_t gray_with(int y, chroma_terms c, int cy, int yo) {
    int yy = ((8 * y - yo) * cy) >> 16;
    int b = clamp255(yy + c.b), g = clamp255(yy + c.g), r = clamp255(yy + c.r);
    return (uint8_t)((3735 * b + 19235 * g + 9798 * r + 16384) >> 15);
}

void cseccam_yuv420_gray(const uint8_t *yPlane, int yStride, const uint8_t *uPlane, int uStride,
                         const uint8_t *vPlane, int vStride, int cropX, int cropY, int step,
                         int width, int height, int fullRange, uint8_t *out) {
    const int cy = fullRange ? 8192 : 9539, yo = fullRange ? 0 : 128;
    const int cvr = fullRange ? 11485 : 13075, cub = fullRange ? 14516 : 16525;
    const int cvg = fullRange ? -5850 : -6660, cug = fullRange ? -2819 : -3209;
    for (int i = 0; i < height; i++) {
        const int row = cropY + i * step;
        const uint8_t *yr = yPlane + (long)row * yStride;
        const uint8_t *ur = uPlane + (long)(row >> 1) * uStride;
        const uint8_t *vr = vPlane + (long)(row >> 1) * vStride;
        uint8_t *o = out + (long)i * width;
        if (step == 1) {
            // Each chroma sample serves two neighbouring pixels: compute its terms once.
            int j = 0, x = cropX;
            if (x & 1) {
                o[j++] = gray_with(yr[x], chroma_of(ur[x >> 1], vr[x >> 1], cvr, cub, cvg, cug), cy, yo);
                x++;
            }
            for (; j + 1 < width; j += 2, x += 2) {
                const chroma_terms c = chroma_of(ur[x >> 1], vr[x >> 1], cvr, cub, cvg, cug);
                o[j] = gray_with(yr[x], c, cy, yo);
                o[j + 1] = gray_with(yr[x + 1], c, cy, yo);
            }
            if (j < width) o[j] = gray_with(yr[x], chroma_of(ur[x >> 1], vr[x >> 1], cvr, cub, cvg, cug), cy, yo);
        } else {
            for (int j = 0; j < width; j++) {
                const int x = cropX + j * step;
                o[j] = gray_with(yr[x], chroma_of(ur[x >> 1], vr[x >> 1], cvr, cub, cvg, cug), cy, yo);
            }
        }
    }
}
