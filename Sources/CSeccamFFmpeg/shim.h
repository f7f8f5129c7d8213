// C shim for SeccamMedia: FFmpeg headers plus static inline wrappers for the
// function-like macros and macro constants that Swift's importer cannot see.
// Every symbol here is prefixed `cseccam_`. Remove a wrapper only when Swift
// can import the macro directly.
#ifndef CSECCAM_FFMPEG_SHIM_H
#define CSECCAM_FFMPEG_SHIM_H

#include <errno.h>
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libavdevice/version.h> // versions only: libavdevice is opened on demand (SeccamMedia's CaptureDevices)
#include <libavutil/avutil.h>
#include <libavutil/display.h>
#include <libavutil/error.h>
#include <libavutil/imgutils.h>
#include <libavutil/log.h>
#include <libavutil/opt.h>
#include <libavutil/pixdesc.h>
#include <libswscale/swscale.h>

/// AVERROR(e): negate a POSIX errno into FFmpeg's error space.
static inline int cseccam_averror(int e) { return AVERROR(e); }

static inline int cseccam_averror_eof(void) { return AVERROR_EOF; }
static inline int cseccam_averror_eagain(void) { return AVERROR(EAGAIN); }
static inline int cseccam_averror_exit(void) { return AVERROR_EXIT; }
static inline int cseccam_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }
static inline int cseccam_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }
static inline int cseccam_averror_demuxer_not_found(void) { return AVERROR_DEMUXER_NOT_FOUND; }
static inline int cseccam_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }
static inline int cseccam_averror_protocol_not_found(void) { return AVERROR_PROTOCOL_NOT_FOUND; }
static inline int cseccam_averror_http_unauthorized(void) { return AVERROR_HTTP_UNAUTHORIZED; }
static inline int cseccam_averror_http_forbidden(void) { return AVERROR_HTTP_FORBIDDEN; }
static inline int cseccam_averror_http_not_found(void) { return AVERROR_HTTP_NOT_FOUND; }

static inline int64_t cseccam_nopts_value(void) { return AV_NOPTS_VALUE; }
static inline int cseccam_error_max_string_size(void) { return AV_ERROR_MAX_STRING_SIZE; }

/// Compile-time library versions, compared with the running ones at startup.
static inline unsigned cseccam_compiled_avformat_version(void) { return LIBAVFORMAT_VERSION_INT; }
static inline unsigned cseccam_compiled_avcodec_version(void) { return LIBAVCODEC_VERSION_INT; }
static inline unsigned cseccam_compiled_avutil_version(void) { return LIBAVUTIL_VERSION_INT; }
static inline unsigned cseccam_compiled_swscale_version(void) { return LIBSWSCALE_VERSION_INT; }
static inline unsigned cseccam_compiled_avdevice_version(void) { return LIBAVDEVICE_VERSION_INT; }
static inline int cseccam_avdevice_major(void) { return LIBAVDEVICE_VERSION_MAJOR; }

static inline int cseccam_packet_is_key(const AVPacket *p) { return (p->flags & AV_PKT_FLAG_KEY) != 0; }
static inline int cseccam_packet_is_corrupt(const AVPacket *p) { return (p->flags & AV_PKT_FLAG_CORRUPT) != 0; }
static inline int cseccam_frame_is_key(const AVFrame *f) { return f->key_frame != 0; }

#endif
