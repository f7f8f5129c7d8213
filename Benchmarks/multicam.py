#!/usr/bin/env python3
"""N cameras on this machine (`make bench-multicam`): `seccam-engine run` with N cameras of 720p25 H.264,
detection at -df 2, 10 s pre-roll, clips on. Writes Benchmarks/MULTICAM.md.

Cameras are the shared traffic video (1280x720, 25 fps, H.264) as looped files read at their own pace (a file
camera is paced like a live one), and, for a smaller N, real RTSP cameras (../shared/tools/rtsp-serve, one
process per camera, not counted in the engine's CPU). For each N the engine warms up, then over a window:
CPU = user+sys of the engine process (all threads) from /proc/PID/stat, as % of one core per camera and as % of
the whole machine; RSS = VmRSS at the end and VmHWM (peak), total and per camera; fps per camera from
/metrics (seccam_camera_frames_decoded_total) to show every camera kept up with real time (25 fps).

Usage: python3 Benchmarks/multicam.py [--counts 1 4 8 16] [--rtsp-counts 4] [--window 30] [--warmup 10]
"""
import argparse, datetime, os, re, shutil, socket, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENGINE = os.path.join(ROOT, ".build", "release", "seccam-engine")
VIDEO = os.path.join(os.path.dirname(ROOT), "shared", "videos", "dvrscan_traffic_camera.mp4")
RTSP_SERVE = os.path.join(os.path.dirname(ROOT), "shared", "tools", "rtsp-serve")
TICKS = os.sysconf("SC_CLK_TCK")
CORES = os.cpu_count()


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid):
    fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def memory_mib(pid):
    status = open(f"/proc/{pid}/status").read()
    def kib(key):
        return int(re.search(rf"^{key}:\s+(\d+) kB", status, re.M).group(1)) / 1024
    return kib("VmRSS"), kib("VmHWM")


def frames_decoded(port):
    text = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read().decode()
    return sum(float(m.group(1)) for m in re.finditer(r'^seccam_camera_frames_decoded_total\{[^}]*\} (\S+)', text, re.M))


def measure(sources, label, window, warmup):
    work = tempfile.mkdtemp(prefix="seccam-multicam-")
    port = free_port()
    cameras = "".join(f"  - name: cam{i}\n    source: {s}\n" for i, s in enumerate(sources))
    config = os.path.join(work, "seccam.yaml")
    with open(config, "w") as f:
        f.write(f"output: {work}/out\nmetrics:\n  listen: 127.0.0.1:{port}\n"
                f"defaults:\n  downscale-factor: 2\n  time-before-event: 10s\ncameras:\n{cameras}")
    log = open(os.path.join(work, "engine.log"), "w")
    engine = subprocess.Popen([ENGINE, "run", "--config", config], stdout=log, stderr=log)
    try:
        time.sleep(warmup)
        cpu0, frames0, t0 = cpu_seconds(engine.pid), frames_decoded(port), time.monotonic()
        time.sleep(window)
        cpu1, frames1, t1 = cpu_seconds(engine.pid), frames_decoded(port), time.monotonic()
        rss, hwm = memory_mib(engine.pid)
    finally:
        engine.terminate()
        engine.wait(timeout=20)
        shutil.rmtree(work, ignore_errors=True)
    n = len(sources)
    seconds = t1 - t0
    cpu = cpu1 - cpu0
    return {
        "label": label, "n": n, "cpu_core_pct_per_camera": 100 * cpu / seconds / n,
        "machine_pct": 100 * cpu / seconds / CORES, "rss_mib": rss, "hwm_mib": hwm, "rss_per_camera": rss / n,
        "fps_per_camera": (frames1 - frames0) / seconds / n,
    }


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--counts", type=int, nargs="*", default=[1, 4, 8, 16])
    parser.add_argument("--rtsp-counts", type=int, nargs="*", default=[4])
    parser.add_argument("--window", type=float, default=30)
    parser.add_argument("--warmup", type=float, default=10)
    parser.add_argument("--out", default=os.path.join(ROOT, "Benchmarks", "MULTICAM.md"))
    args = parser.parse_args()
    load_start = " ".join(open("/proc/loadavg").read().split()[:3])
    rows = []
    for n in args.counts:
        print(f"[multicam] {n} file camera(s)…", flush=True)
        rows.append(measure([VIDEO] * n, "file, real-time, looped", args.window, args.warmup))
    for n in args.rtsp_counts:
        print(f"[multicam] {n} RTSP camera(s)…", flush=True)
        servers, urls = [], []
        for _ in range(n):
            port = free_port()
            servers.append(subprocess.Popen([RTSP_SERVE, VIDEO, "--port", str(port)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
            urls.append(f"rtsp://127.0.0.1:{port}/cam")
        time.sleep(5)
        try:
            rows.append(measure(urls, "RTSP (rtsp-serve, TCP)", args.window, args.warmup))
        finally:
            for s in servers:
                s.terminate()
                s.wait(timeout=10)
    load_end = " ".join(open("/proc/loadavg").read().split()[:3])
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# N cameras: CPU and memory (`make bench-multicam`)", "",
        f"- {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, commit {commit}, {CORES} cores; load average {load_start} at the start, "
        f"{load_end} at the end (the machine is shared: other processes inflate CPU numbers, never shrink them).",
        f"- Each camera: the shared traffic video (1280x720, 25 fps, H.264), detection at `-df 2`, 10 s pre-roll, clips on. "
        f"Warm-up {args.warmup:.0f} s, then a {args.window:.0f} s window.", "",
        "| cameras | source | CPU per camera (% of one core) | machine CPU (% of all cores) | RSS total MiB | peak RSS MiB | RSS / cameras MiB | RSS per added camera MiB | fps per camera |",
        "|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    # The process's fixed memory (runtime, FFmpeg libraries) is paid once: each camera's own cost is the
    # growth over the one-camera run of the same source kind.
    single = {r["label"]: r for r in rows if r["n"] == 1}
    for r in rows:
        base = single.get(r["label"])
        added = f"{(r['rss_mib'] - base['rss_mib']) / (r['n'] - 1):.1f}" if base and r["n"] > 1 else "—"
        lines.append(f"| {r['n']} | {r['label']} | {r['cpu_core_pct_per_camera']:.1f} | {r['machine_pct']:.1f} | {r['rss_mib']:.0f} | "
                     f"{r['hwm_mib']:.0f} | {r['rss_per_camera']:.1f} | {added} | {r['fps_per_camera']:.1f} |")
    lines += ["", "Targets (issue #6): 16 cameras at 720p25 with detection at `-df 2` under 90 % of the machine, under 30 MB (28.6 MiB) RSS per camera, "
              "counted as the memory each added camera costs (the one-camera process's runtime and libraries are paid once); "
              "fps per camera at 25 shows every camera kept up with real time.", ""]
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
