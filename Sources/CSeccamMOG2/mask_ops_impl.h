// Template of the mask kernels, included by mask_ops.c once per instruction set with these macros defined:
// FN(name) (suffixes the name), TARGET (function attributes), W (vector bytes), VEC (vector type), LOADU(p),
// STOREU(p, v), VMIN(a, b), VMAX(a, b), VOR(a, b), NONZERO(v) (uint64_t bit mask of the non-zero bytes) and
// BOTH_NONZERO(a, b). With W == 0 the vector loops are left out (the scalar kernel).

/// Min/max over the clipped horizontal window of `line` into `out` (one row).
TARGET __attribute__((always_inline)) static inline void FN(row_pass)(const uint8_t *line, uint8_t *out, int width, int radius, int minimum) {
    int x = 0;
#if W > 0
    for (; x < radius && x < width; x++) {
        const int hi = x + radius > width - 1 ? width - 1 : x + radius;
        uint8_t v = line[0];
        for (int t = 1; t <= hi; t++) v = minimum ? (line[t] < v ? line[t] : v) : (line[t] > v ? line[t] : v);
        out[x] = v;
    }
    // Vector blocks, the last one moved back to end at width - radius (overlapping, same values).
    for (int end = width - radius; x < end && end - W >= radius;) {
        if (x + W > end) x = end - W;
        VEC v = LOADU(line + x - radius);
        for (int t = 1; t <= 2 * radius; t++) {
            VEC w = LOADU(line + x - radius + t);
            v = minimum ? VMIN(v, w) : VMAX(v, w);
        }
        STOREU(out + x, v);
        x += W;
    }
#endif
    for (; x < width; x++) {
        const int lo = x - radius < 0 ? 0 : x - radius;
        const int hi = x + radius > width - 1 ? width - 1 : x + radius;
        uint8_t v = line[lo];
        for (int t = lo + 1; t <= hi; t++) v = minimum ? (line[t] < v ? line[t] : v) : (line[t] > v ? line[t] : v);
        out[x] = v;
    }
}

/// Min/max over the clipped vertical window of column x.. of row y of `input` into `line`.
TARGET __attribute__((always_inline)) static inline void FN(column_pass)(const uint8_t *input, uint8_t *line, int width, int height, int y,
                                          int radius, int minimum) {
    const int top = y - radius < 0 ? 0 : y - radius;
    const int bottom = y + radius > height - 1 ? height - 1 : y + radius;
    const uint8_t *first = input + (ptrdiff_t)top * width;
    int x = 0;
#if W > 0
    for (; x < width && width >= W; x += W) {
        if (x + W > width) x = width - W;   // the last block overlaps the previous one
        VEC v = LOADU(first + x);
        for (int row = top + 1; row <= bottom; row++) {
            VEC w = LOADU(input + (ptrdiff_t)row * width + x);
            v = minimum ? VMIN(v, w) : VMAX(v, w);
        }
        STOREU(line + x, v);
    }
#endif
    for (; x < width; x++) {
        uint8_t v = first[x];
        for (int row = top + 1; row <= bottom; row++) {
            uint8_t w = input[(ptrdiff_t)row * width + x];
            v = minimum ? (w < v ? w : v) : (w > v ? w : v);
        }
        line[x] = v;
    }
}

TARGET __attribute__((always_inline)) static inline void FN(window_with)(const uint8_t *input, uint8_t *output,
                                                                         int width, int height, int row_begin,
                                                                         int row_end, int radius, int minimum) {
    // The column pass of row y goes to one of two lines while the row pass reads the other (row y-1): reading a
    // line right after writing it would make the unaligned loads wait for the stores (failed store forwarding).
    uint8_t lines[2][width + 64];
    for (int y = row_begin; y <= row_end; y++) {
        if (y < row_end) FN(column_pass)(input, lines[y & 1], width, height, y, radius, minimum);
        if (y > row_begin) FN(row_pass)(lines[(y - 1) & 1], output + (ptrdiff_t)(y - 1) * width, width, radius, minimum);
    }
}

TARGET static void FN(window)(const uint8_t *input, uint8_t *output, int width, int height, int row_begin,
                              int row_end, int radius, int minimum) {
    // Constant `minimum` and common radii, so the compiler drops the per-vector choice and unrolls the windows.
    if (minimum) {
        if (radius == 1) FN(window_with)(input, output, width, height, row_begin, row_end, 1, 1);
        else if (radius == 2) FN(window_with)(input, output, width, height, row_begin, row_end, 2, 1);
        else if (radius == 3) FN(window_with)(input, output, width, height, row_begin, row_end, 3, 1);
        else FN(window_with)(input, output, width, height, row_begin, row_end, radius, 1);
    } else {
        if (radius == 1) FN(window_with)(input, output, width, height, row_begin, row_end, 1, 0);
        else if (radius == 2) FN(window_with)(input, output, width, height, row_begin, row_end, 2, 0);
        else if (radius == 3) FN(window_with)(input, output, width, height, row_begin, row_end, 3, 0);
        else FN(window_with)(input, output, width, height, row_begin, row_end, radius, 0);
    }
}

TARGET static int64_t FN(count_both)(const uint8_t *a, const uint8_t *b, size_t count) {
    int64_t total = 0;
    size_t i = 0;
#if W > 0
    for (; i + W <= count; i += W) total += __builtin_popcountll(BOTH_NONZERO(LOADU(a + i), LOADU(b + i)));
#endif
    for (; i < count; i++) total += (a[i] != 0) & (b[i] != 0);
    return total;
}

TARGET static void FN(stats)(const uint8_t *mask, const uint8_t *area, int width, int height, int64_t *count,
                             int64_t *inside, int32_t box[4]) {
    uint8_t columns[width];   // OR of the non-empty rows, for the box's left and right edges
    int64_t total = 0;
    int min_y = -1, max_y = -1;
    if (box) memset(columns, 0, (size_t)width);
    for (int y = 0; y < height; y++) {
        const uint8_t *row = mask + (ptrdiff_t)y * width;
        int64_t n = 0;
        int x = 0;
#if W > 0
        for (; x + W <= width; x += W) {
            VEC v = LOADU(row + x);
            uint64_t bits = NONZERO(v);
            if (bits) {
                n += __builtin_popcountll(bits);
                if (box) STOREU(columns + x, VOR(LOADU(columns + x), v));
            }
        }
#endif
        for (; x < width; x++) {
            if (row[x]) {
                n++;
                if (box) columns[x] = 1;
            }
        }
        if (n) {
            total += n;
            if (min_y < 0) min_y = y;
            max_y = y;
        }
    }
    *count = total;
    if (area && inside) *inside = FN(count_both)(mask, area, (size_t)width * (size_t)height);
    if (!box) return;
    if (total == 0) {
        box[0] = box[1] = box[2] = box[3] = 0;
        return;
    }
    int min_x = 0, max_x = width - 1;
    while (!columns[min_x]) min_x++;
    while (!columns[max_x]) max_x--;
    box[0] = min_x;
    box[1] = min_y;
    box[2] = max_x - min_x + 1;
    box[3] = max_y - min_y + 1;
}
