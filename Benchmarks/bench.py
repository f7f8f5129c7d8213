#!/usr/bin/env python3
"""Speed and memory of seccam-engine against `ffmpeg -f null` (the decode limit) and dvr-scan, on the same
files in the same run. Each command runs --runs times after one warm-up; we report the median wall time,
the median CPU time (user+sys of the process and its threads) and the peak RSS (max over runs), all read
from wait4()'s rusage. Writes a Markdown table (default Benchmarks/RESULTS.md).

Usage: python3 Benchmarks/bench.py [--runs 3] [--out Benchmarks/RESULTS.md] [--quick]
"""
import argparse, datetime, os, platform, shutil, statistics, subprocess, sys, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VIDEOS = os.path.join(os.path.dirname(ROOT), "shared", "videos")
WORK = os.path.join(ROOT, "Benchmarks", "work")
ENGINE = os.path.join(ROOT, ".build", "release", "seccam-engine")
DVRSCAN = os.path.join(ROOT, ".venv-ref", "bin", "dvr-scan")


def measure(cmd, runs):
    """Median wall and CPU seconds and max peak RSS (MiB) of `cmd` over `runs` runs after a warm-up."""
    walls, cpus, rss = [], [], []
    for i in range(runs + 1):
        start = time.monotonic()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        err = proc.stderr.read().decode(errors="replace")
        if os.waitstatus_to_exitcode(status) != 0:
            sys.exit(f"bench: command failed ({status}): {' '.join(cmd)}\n{err}")
        if i == 0:
            continue  # warm-up: file cache, lazy binding
        walls.append(wall)
        cpus.append(usage.ru_utime + usage.ru_stime)
        rss.append(usage.ru_maxrss / 1024)
    return statistics.median(walls), statistics.median(cpus), max(rss)


def ensure_1080p(source):
    """A 1080p H.264 clip made from the 720p traffic video (same content, scaled), built once."""
    os.makedirs(WORK, exist_ok=True)
    out = os.path.join(WORK, "traffic_camera_1080p.mp4")
    if not os.path.exists(out):
        subprocess.run(["ffmpeg", "-v", "error", "-y", "-i", source, "-vf", "scale=1920:1080", "-c:v", "libx264",
                        "-preset", "veryfast", "-crf", "23", "-c:a", "copy", out], check=True)
    return out


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--out", default=os.path.join(ROOT, "Benchmarks", "RESULTS.md"))
    ap.add_argument("--quick", action="store_true", help="720p only, one run")
    a = ap.parse_args()
    runs = 1 if a.quick else a.runs
    if not os.path.exists(ENGINE):
        sys.exit("bench: build first (swift build -c release)")
    have_dvrscan = os.path.exists(DVRSCAN)
    traffic = os.path.join(VIDEOS, "dvrscan_traffic_camera.mp4")
    files = [("720p traffic", traffic)]
    if not a.quick:
        files.append(("1080p traffic", ensure_1080p(traffic)))

    rows = []
    def row(label, name, cmd, baseline=None):
        wall, cpu, rss = measure(cmd, runs)
        rows.append((label, name, wall, cpu, rss, baseline))
        print(f"{label:16} {name:34} wall {wall:7.2f} s  cpu {cpu:7.2f} s  rss {rss:7.1f} MiB", flush=True)
        return wall, cpu

    for label, path in files:
        ff_wall, ff_cpu = row(label, "ffmpeg -an -f null (decode)", ["ffmpeg", "-v", "error", "-i", path, "-an", "-f", "null", "-"])
        row(label, "engine demux+decode", [ENGINE, "probe", "--count-frames", path], (ff_wall, ff_cpu))
        for opts in ([], ["-df", "2"]):
            suffix = " ".join(opts) or "defaults"
            ours = row(label, f"engine scan -so {suffix}", [ENGINE, "scan", path, "-so", "-q"] + opts, (ff_wall, ff_cpu))
            if have_dvrscan:
                row(label, f"dvr-scan -so {suffix}", [DVRSCAN, "-i", path, "-so", "-q", "--ignore-user-config"] + opts, ours)

    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    lines = [
        "# Benchmark results", "",
        f"Machine: {cpu_model()}, {os.cpu_count()} cores; commit {commit}; {datetime.date.today()}; "
        f"median of {runs} run(s) after a warm-up; `python3 Benchmarks/bench.py`.", "",
        "Ratios: engine rows are divided by the `ffmpeg -an -f null` row of the same file; dvr-scan rows by the "
        "engine scan with the same options (so a ratio of 6.0 means dvr-scan took 6 times as long)." +
        ("" if have_dvrscan else " dvr-scan was not installed (.venv-ref), so its rows are missing."), "",
        "| file | command | wall s | CPU s | peak RSS MiB | wall ratio | CPU ratio |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for label, name, wall, cpu, rss, base in rows:
        ratio = f"{wall / base[0]:.2f} | {cpu / base[1]:.2f}" if base else "— | —"
        lines.append(f"| {label} | {name} | {wall:.2f} | {cpu:.2f} | {rss:.1f} | {ratio} |")
    with open(a.out, "w") as f:
        f.write("\n".join(lines) + "\n")
    print(f"wrote {a.out}")


if __name__ == "__main__":
    main()
