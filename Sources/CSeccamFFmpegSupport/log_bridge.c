// av_log -> one callback per complete line. FFmpeg often builds a line with several av_log calls,
// so partial lines are collected in a per-thread buffer (as moonfire-ffmpeg does) and control
// characters are replaced the way av_log_default_callback does.
#include "cseccam_ffmpeg_support.h"
#include <stdarg.h>
#include <string.h>
#include <libavutil/log.h>

static cseccam_log_sink current_sink;
static _Thread_local char pending[2048];
static _Thread_local size_t pending_length;
static _Thread_local int print_prefix = 1;

static void bridge_callback(void *avcl, int level, const char *fmt, va_list args) {
    cseccam_log_sink sink = current_sink;
    if (sink == NULL || level > av_log_get_level()) return;
    char part[1024];
    av_log_format_line2(avcl, level, fmt, args, part, sizeof part, &print_prefix);
    size_t n = strlen(part);
    for (size_t i = 0; i < n; i++) {
        char c = part[i];
        if (c == '\n' || pending_length == sizeof pending - 1) {
            pending[pending_length] = 0;
            if (pending_length > 0) sink(level, pending);
            pending_length = 0;
            if (c == '\n') continue;
        }
        pending[pending_length++] = (c < 0x08 || (c > 0x0D && c < 0x20)) ? '?' : c;
    }
}

void cseccam_set_log_sink(cseccam_log_sink sink) {
    current_sink = sink;
    av_log_set_callback(sink ? bridge_callback : av_log_default_callback);
}
