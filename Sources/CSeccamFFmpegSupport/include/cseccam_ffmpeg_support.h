// Helpers for SeccamMedia that cannot be written in Swift (C variadic callbacks).
#ifndef CSECCAM_FFMPEG_SUPPORT_H
#define CSECCAM_FFMPEG_SUPPORT_H

/// Receives one complete FFmpeg log line (no trailing newline) at an AV_LOG_* level.
typedef void (*cseccam_log_sink)(int level, const char *line);

/// Routes av_log through `sink` (whole lines, assembled per thread), or back to FFmpeg's default when NULL.
void cseccam_set_log_sink(cseccam_log_sink sink);

#endif
