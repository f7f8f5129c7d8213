/// The complete, commented example printed by `seccam-engine config example` (and shown in the README).
/// A test loads it, so it always matches what the loader accepts.
public enum ExampleConfiguration {
    public static let yaml = """
        # seccam-engine service config: `seccam-engine run --config FILE`; check it with `seccam-engine config check FILE`.
        # Durations: 90 (seconds), 1.5s, 500ms, 5m, 2h, 30d or HH:MM:SS. Sizes: 500MB, 2GiB or bytes.
        # Any value may use ${VARIABLE} to read an environment variable (keep passwords out of this file).

        # Clips and their JSON sidecars: OUTPUT/<camera>/<YYYY-MM-DD>/<camera>-<YYYYMMDDTHHMMSSZ>.mp4 (UTC)
        output: /var/lib/seccam/clips
        # Finished clips are queued here for the uploader (pending/ inflight/ done/ failed/). Omit to keep clips local.
        spool: /var/lib/seccam/spool
        # No packet for this long: the camera counts as stalled and is reconnected (backoff 1 s doubling to 60 s).
        stall-timeout: 10s
        # A camera unreachable for this long sends a camera-offline event (webhook) once, until it is back.
        offline-after: 60s

        # Prometheus /metrics and /healthz (loopback only unless you mean it).
        metrics:
          listen: 127.0.0.1:9101

        # Disk safety. Clips already uploaded are deleted first (oldest first); clips waiting for upload are
        # deleted only when free space falls below hard-floor-percent (logged as errors).
        retention:
          max-age: 30d
          max-bytes: 200GB
          min-free-percent: 5
          hard-floor-percent: 1

        # Off-site copies of every clip (S3 or S3-compatible: AWS, MinIO, SeaweedFS, B2, Wasabi; or an http(s) URL to PUT to).
        upload:
          target: s3://my-bucket/cameras
          endpoint: https://s3.eu-central-1.amazonaws.com
          region: eu-central-1
          path-style: false
          key-template: "{camera}/{date}/{file}"
          access-key-id: ${AWS_ACCESS_KEY_ID}
          secret-access-key: ${AWS_SECRET_ACCESS_KEY}
          concurrency: 2
          max-bytes-per-second: 2MB

        # JSON POST on event start and end, clip uploaded, camera offline and back; signed (HMAC-SHA256) when a
        # secret is set. With a spool, notifications wait on disk there until the receiver has them.
        webhook:
          url: http://127.0.0.1:8123/api/webhook/seccam
          secret: ${SECCAM_WEBHOOK_SECRET}

        # MQTT (Home Assistant style): events on seccam/<camera>/event, retained state on seccam/<camera>/state.
        # Omit the section and no MQTT client is started.
        mqtt:
          host: 127.0.0.1
          port: 1883
          topic-prefix: seccam

        # Detection defaults for every camera: dvr-scan's option names and defaults.
        defaults:
          bg-subtractor: MOG2        # or CNT
          threshold: 0.15            # score above which a frame has motion
          kernel-size: -1            # noise filter: -1 auto, 0 off, odd >= 3
          downscale-factor: 2        # detect on every 2nd pixel (much less CPU, same events on most cameras)
          frame-skip: 0
          min-event-length: 0.1s     # motion must last this long to start an event
          time-before-event: 1.5s    # pre-roll (clips start on the keyframe at or before it)
          time-post-event: 2.0s      # the event ends this long after the last motion
          learning-rate: -1          # -1 = auto
          variance-threshold: 16
          max-threshold: 255
          rtsp-transport: tcp        # or udp
          container: mp4             # or mkv

        cameras:
          - name: front-door
            source: rtsp://192.168.1.20:554/stream1
            username: admin
            password: ${FRONT_DOOR_PASSWORD}
            # Detect on the low-resolution sub-stream; clips are still cut from `source`.
            detect-source: rtsp://192.168.1.20:554/stream2
            threshold: 0.2
            regions:                 # only motion inside these polygons counts (coordinates of the detect stream)
              - name: path
                points: [[0, 300], [640, 300], [640, 480], [0, 480]]
              - name: gate
                threshold: 0.35      # its own threshold (ZoneMinder-style)
                points: "500 0 640 0 640 200 500 200"
          - name: garage
            source: http://192.168.1.30/mjpeg
            max-age: 7d              # this camera's uploaded clips are kept a week
            time-post-event: 5s
            thumbnails: true         # a JPEG of each event's best frame beside its clip
          - name: test-loop
            source: /srv/test/driveway.mp4
            enabled: false
        """
}
