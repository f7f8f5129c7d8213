#!/usr/bin/env bash
# Regenerates the test clips in this directory (overwriting them) from lavfi
# sources only.  Deterministic: the same ffmpeg/libx264 build gives the same
# bytes (bitexact flags, no metadata, fixed noise seeds, frozen noise frames,
# single-threaded encoding and filtering).
#
# Usage: bash Fixtures/make-fixtures.sh     (from anywhere)
#
# Written against Debian 12's ffmpeg 5.1 (libx264 core 164).  See README.md
# for what each file contains.  Tests should derive frame counts and keyframe
# times with ffprobe rather than hard-coding them.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")"

FFMPEG=${FFMPEG:-ffmpeg}
command -v "$FFMPEG" >/dev/null || { echo "ffmpeg not found" >&2; exit 1; }

# Common options.
G=(-hide_banner -nostdin -v error -y -filter_complex_threads 1)
# H.264: GOP 25 (one keyframe per second at 25 fps), no B-frames, no scene-cut
# keyframes, single thread so the output does not depend on the CPU count.
X264=(-c:v libx264 -threads 1 -preset medium -g 25 -keyint_min 25 -sc_threshold 0 -bf 0)
BITEXACT=(-fflags +bitexact -flags:v +bitexact -flags:a +bitexact -map_metadata -1)

# Static luma-only uniform noise (fixed seed).  Each scene renders ONE frame,
# then trim + loop repeat that exact frame, so the background is bit-identical
# in every frame; only the encoder's reconstruction can differ between GOPs.
NOISE="noise=c0s=12:c0f=u:all_seed=4242"
# freeze <total frames>: keep frame 0 and repeat it, constant 25 fps timestamps.
freeze() { echo "trim=end_frame=1,loop=loop=$(($1 - 1)):size=1:start=0,setpts=N/(25*TB)"; }

# Frame index F = round(t*25) is used in expressions instead of overlay's `n`:
# in ffmpeg 5.1 overlay's x/y `n` is one ahead of the timeline `n` (it reads
# the already-incremented frame counter), and overlay rounds x down to the
# chroma grid (even x for 4:2:0/4:2:2), so positions are kept even explicitly.
#
# Moving-box scene, 320x240: grey noise background, 40x40 red box absent until
# frame 100 (t=4.0 s), visible on frames 100..149 moving left->right with
# x = 2*trunc((F-100)*140/49) (0, 4, 10, ... 280: touches both edges), y = 100,
# absent again from frame 150 (t=6.0 s).
BOX_BG="color=c=0x707070:s=320x240:r=25,format=yuv420p,$NOISE,$(freeze 250)"
BOX_SCENE="$BOX_BG[bg];color=c=red:s=40x40:r=25[box];[bg][box]overlay=x='2*trunc((round(t*25)-100)*140/49)':y=100:enable='between(round(t*25),100,149)':shortest=1"

# 1. static.mp4 -- frozen testsrc2 frame plus static noise texture, 4 s.
#    CRF 23 (not 28) keeps keyframe-to-keyframe flicker small (max 17 levels).
"$FFMPEG" "${G[@]}" \
  -filter_complex "testsrc2=s=320x240:r=25,format=yuv420p,$NOISE,$(freeze 100),format=yuv420p[v]" \
  -map "[v]" -frames:v 100 "${X264[@]}" -crf 23 -pix_fmt yuv420p "${BITEXACT[@]}" -movflags +faststart \
  static.mp4

# 2. moving_box.mp4 -- moving-box scene, 10 s, plus 10 s AAC mono 440 Hz sine.
#    faststart (moov before mdat) so truncated.mp4 below keeps its header.
"$FFMPEG" "${G[@]}" \
  -filter_complex "$BOX_SCENE,format=yuv420p[v];sine=frequency=440:sample_rate=48000:duration=10[a]" \
  -map "[v]" -map "[a]" "${X264[@]}" -crf 28 -pix_fmt yuv420p \
  -c:a aac -b:a 32k -ac 1 "${BITEXACT[@]}" -movflags +faststart \
  moving_box.mp4

# 3. brightness_step.mp4 -- frozen testsrc frame plus noise; luma jumps up
#    (eq brightness +0.12, about +30 levels) from frame F=75 (t=3.0 s), 6 s.
#    CRF 23 like static.mp4.
"$FFMPEG" "${G[@]}" \
  -filter_complex "testsrc=s=320x240:r=25,format=yuv420p,$NOISE,$(freeze 150),eq=brightness=0.12:enable='gte(round(t*25),75)',format=yuv420p[v]" \
  -map "[v]" -frames:v 150 "${X264[@]}" -crf 23 -pix_fmt yuv420p "${BITEXACT[@]}" -movflags +faststart \
  brightness_step.mp4

# 4. moving_box_mjpeg.avi -- the moving-box scene (rendered again, not
#    transcoded), video only, MJPEG full-range yuvj420p in AVI.
"$FFMPEG" "${G[@]}" \
  -filter_complex "$BOX_SCENE,format=yuvj420p[v]" \
  -map "[v]" -frames:v 250 -c:v mjpeg -q:v 5 -pix_fmt yuvj420p "${BITEXACT[@]}" \
  moving_box_mjpeg.avi

# 5. moving_box.mkv -- stream copy of moving_box.mp4 (H.264 + AAC) to Matroska.
"$FFMPEG" "${G[@]}" -i moving_box.mp4 \
  -map 0 -c copy "${BITEXACT[@]}" \
  moving_box.mkv

# 6. truncated.mp4 -- first 40% of the bytes of moving_box.mp4: header (moov)
#    intact, media data cut short.
size=$(stat -c %s moving_box.mp4)
head -c $((size * 40 / 100)) moving_box.mp4 > truncated.mp4

# 7. moving_box_720p.mp4 + moving_box_180p.mp4 -- one 16:9 scene, encoded as a
#    1280x720 main stream and a 320x180 sub-stream (area downscale of the same
#    frames).  Background: 320x180 noise upscaled 4x (bicubic); box 160x160 at
#    720p (40x40 at 180p), y = 280 (70), x = 8*trunc((F-100)*140/49) (0 .. 1120,
#    i.e. exactly 4x the 320x240 positions; 180p x = 720p x / 4),
#    visible on frames 100..149 exactly as in moving_box.mp4.
"$FFMPEG" "${G[@]}" \
  -filter_complex "color=c=0x707070:s=320x180:r=25,format=yuv420p,$NOISE,scale=1280:720:flags=bicubic,$(freeze 250)[bg];color=c=red:s=160x160:r=25[box];[bg][box]overlay=x='8*trunc((round(t*25)-100)*140/49)':y=280:enable='between(round(t*25),100,149)':shortest=1,format=yuv420p,split[hi][lo0];[lo0]scale=320:180:flags=area,format=yuv420p[lo]" \
  -map "[hi]" -frames:v 250 "${X264[@]}" -crf 30 -pix_fmt yuv420p "${BITEXACT[@]}" -movflags +faststart \
  moving_box_720p.mp4 \
  -map "[lo]" -frames:v 250 "${X264[@]}" -crf 28 -pix_fmt yuv420p "${BITEXACT[@]}" -movflags +faststart \
  moving_box_180p.mp4

# 8. moving_box_yuv422.mp4 -- 3 s, yuv422p (H.264 High 4:2:2); same background
#    and box, visible on frames 25..49 (t=1.0 s .. 2.0 s), x = 2*trunc((F-25)*140/24)
#    (0 .. 280).
"$FFMPEG" "${G[@]}" \
  -filter_complex "color=c=0x707070:s=320x240:r=25,format=yuv422p,$NOISE,$(freeze 75)[bg];color=c=red:s=40x40:r=25[box];[bg][box]overlay=x='2*trunc((round(t*25)-25)*140/24)':y=100:enable='between(round(t*25),25,49)':shortest=1:format=yuv422,format=yuv422p[v]" \
  -map "[v]" -frames:v 75 "${X264[@]}" -crf 28 -pix_fmt yuv422p "${BITEXACT[@]}" -movflags +faststart \
  moving_box_yuv422.mp4

# 9. moving_box_rot90.mp4 -- stream copy of moving_box.mp4 whose display matrix says
#    "turn 90 degrees" (ffmpeg 5.1's `rotate` stream tag; newer ffmpeg spells it
#    `-display_rotation 90` before -i). Players, OpenCV and dvr-scan show it 240x320.
"$FFMPEG" "${G[@]}" -i moving_box.mp4 \
  -map 0 -c copy -metadata:s:v:0 rotate=90 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact \
  moving_box_rot90.mp4

ls -l static.mp4 moving_box.mp4 brightness_step.mp4 moving_box_mjpeg.avi moving_box.mkv \
  truncated.mp4 moving_box_720p.mp4 moving_box_180p.mp4 moving_box_yuv422.mp4 moving_box_rot90.mp4
