#!/usr/bin/env python3
"""seccam-engine benchmark suite (`make bench`): speed and memory of every stage and of the whole program,
against `ffmpeg -f null` (the decode limit) and dvr-scan 1.8.2.1, in one run; writes Benchmarks/RESULTS.md.

Sections (see Benchmarks/README.md for the methods):
  setup   builds seccam-bench (Benchmarks/Package.swift) and the malloc counter, makes the 1080p inputs
          (cached in Benchmarks/work/)
  micro   seccam-bench, one process per case, malloc counter preloaded: demux only, decode only,
          decode + gray, detector alone per frame (MOG2 and CNT at 4 sizes), pre-roll buffer peak bytes
  e2e     per input file, the commands run round-robin --runs times: ffmpeg -f null, probe --count-frames,
          scan -so (defaults and -df 2), scan -m copy (default mode, -d into a temp dir), dvr-scan -so
          (defaults and -df 2); wall, CPU (user+sys of the process and its threads) and peak RSS from wait4()
  long    a 10-minute 1080p H.264 file scanned with -so -df 2: the first minute (-et) and the whole file,
          progress read from a pty and RSS sampled from /proc during the whole-file run

Usage: python3 Benchmarks/bench.py [--runs 3] [--micro-runs 5] [--quick] [--skip SECTION ...] [--out FILE]
"""
import argparse, datetime, json, os, platform, pty, re, select, shutil, statistics, subprocess, sys
import tempfile, threading, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH = os.path.join(ROOT, "Benchmarks")
VIDEOS = os.path.join(os.path.dirname(ROOT), "shared", "videos")
WORK = os.path.join(BENCH, "work")
ENGINE = os.path.join(ROOT, ".build", "release", "seccam-engine")
SECCAM_BENCH = os.path.join(BENCH, ".build", "release", "seccam-bench")
MALLOC_COUNTER_SRC = os.path.join(BENCH, "malloc-counter", "malloc_counter.c")
MALLOC_COUNTER = os.path.join(WORK, "libmalloc_counter.so")
DVRSCAN = os.path.join(ROOT, ".venv-ref", "bin", "dvr-scan")
TRAFFIC = os.path.join(VIDEOS, "dvrscan_traffic_camera.mp4")
INTEL = os.path.join(VIDEOS, "intel_one-by-one-person-detection.mp4")
WARM_FIXTURE = os.path.join(ROOT, "Fixtures", "moving_box.mp4")

# Derived inputs (the recipe version is in the name, so a changed recipe never reuses a stale file).
UNIT_1080P = os.path.join(WORK, "unit_1080p_60s.v2.mp4")          # 1 min: traffic (23.04 s) + intel (36.96 s)
TRAFFIC_1080P = os.path.join(WORK, "traffic_1080p.v2.mp4")        # the unit's first 576 frames + the original audio
LONG_1080P = os.path.join(WORK, "long_1080p_10min.v2.mp4")        # the unit 10 times, stream copy

T0 = time.monotonic()


def log(text):
    print(f"[bench {time.monotonic() - T0:6.0f}s] {text}", flush=True)


def sh(cmd, **kw):
    return subprocess.run(cmd, check=True, **kw)


# MARK: - Running and measuring one command

def run_once(cmd, env=None, progress_pty=False, sample_rss=False):
    """Runs `cmd` once (stdout to a file, stderr to a file or a pty) and returns wall and CPU seconds and peak
    RSS (MiB) from wait4(); with progress_pty, the `Scanning: N` progress lines seen and when; with
    sample_rss, VmRSS of the process every 0.5 s. Raises RuntimeError if it fails."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    master = slave = None
    if progress_pty:
        master, slave = pty.openpty()
    start = time.monotonic()
    proc = subprocess.Popen(cmd, stdout=out, stderr=slave if progress_pty else err, stdin=subprocess.DEVNULL,
                            env=env)
    progress, rss_samples, stop = [], [], threading.Event()
    threads = []
    if progress_pty:
        os.close(slave)
        def read_pty():
            buf = b""
            while True:
                try:
                    ready, _, _ = select.select([master], [], [], 0.5)
                    if not ready:
                        if stop.is_set():
                            break
                        continue
                    chunk = os.read(master, 65536)
                except OSError:
                    break  # EIO: the child closed the pty
                if not chunk:
                    break
                buf += chunk
                t = time.monotonic() - start
                for m in re.finditer(rb"Scanning: (\d+)", buf):
                    progress.append((t, int(m.group(1))))
                buf = buf[-64:]  # a partial line may continue in the next chunk
                err.write(chunk)
        threads.append(threading.Thread(target=read_pty, daemon=True))
    if sample_rss:
        tick = os.sysconf("SC_CLK_TCK")
        def sample():
            while not stop.wait(0.5):
                try:
                    t = time.monotonic() - start
                    with open(f"/proc/{proc.pid}/stat") as f:
                        fields = f.read().rsplit(")", 1)[1].split()
                    cpu = (int(fields[11]) + int(fields[12])) / tick  # utime + stime, all threads
                    with open(f"/proc/{proc.pid}/status") as f:
                        rss = next(int(l.split()[1]) / 1024 for l in f if l.startswith("VmRSS:"))
                    rss_samples.append((t, rss, cpu))
                except (OSError, StopIteration, ValueError, IndexError):
                    break  # exited (a zombie has no VmRSS)
        threads.append(threading.Thread(target=sample, daemon=True))
    for t in threads:
        t.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    stop.set()
    for t in threads:
        t.join(timeout=5)
    if master is not None:
        os.close(master)
    out.seek(0)
    err.seek(0)
    stdout = out.read().decode(errors="replace")
    stderr = err.read().decode(errors="replace")
    if proc.returncode != 0:
        raise RuntimeError(f"exit {proc.returncode}: {' '.join(cmd)}\n{stderr[-3000:]}")
    return {"wall": wall, "cpu": usage.ru_utime + usage.ru_stime, "rss": usage.ru_maxrss / 1024,
            "stdout": stdout, "stderr": stderr, "progress": progress, "rss_samples": rss_samples}


def summary(values):
    return {"median": statistics.median(values), "min": min(values), "max": max(values)} if values else None


# MARK: - Setup

def cpu_info():
    model, flags = "unknown", set()
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
            elif line.startswith("flags") and not flags:
                flags = set(line.split(":", 1)[1].split())
    except OSError:
        model = platform.processor() or model
    isa = [f for f in ("sse4_2", "avx2", "avx512f", "avx512bw") if f in flags]
    mem = "?"
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    return model, isa, mem


def first_line(cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=60).stdout.strip().splitlines()[0]
    except Exception:
        return "unknown"


def build_seccam_bench():
    log("building seccam-bench (swift build -c release --package-path Benchmarks)")
    t = time.monotonic()
    sh(["swift", "build", "-c", "release", "--package-path", BENCH], stdout=subprocess.DEVNULL)
    return time.monotonic() - t


def build_malloc_counter():
    os.makedirs(WORK, exist_ok=True)
    if not os.path.exists(MALLOC_COUNTER) or os.path.getmtime(MALLOC_COUNTER) < os.path.getmtime(MALLOC_COUNTER_SRC):
        sh(["gcc", "-O2", "-Wall", "-shared", "-fPIC", "-o", MALLOC_COUNTER, MALLOC_COUNTER_SRC])


def make_file(path, cmd_for):
    """Runs cmd_for(tmp) to create `path` atomically (a killed run leaves no half-written input)."""
    if os.path.exists(path):
        return 0.0
    t = time.monotonic()
    tmp = path + ".tmp.mp4"
    log(f"making {os.path.relpath(path, ROOT)}")
    sh(cmd_for(tmp))
    os.replace(tmp, path)
    return time.monotonic() - t


def make_inputs():
    """The 1080p inputs, from ../shared/videos, cached in Benchmarks/work/. One x264 encode (veryfast, crf 23,
    keyframe every 250 frames, High profile, B-frames: a typical camera-like H.264 stream) of one minute:
    the traffic video (23.04 s) then the first 36.96 s of the intel person video, both scaled to 1920x1080 at
    25 fps, with a keyframe where the intel part starts. The 1080p traffic file is that minute's first 576
    frames (the traffic video; stream copy, cut at that keyframe) with the original AAC audio;
    the 10-minute file is the minute 10 times (concat demuxer, stream copy), so every minute has the same
    content and a flat fps means no slowdown with input length."""
    os.makedirs(WORK, exist_ok=True)
    took = make_file(UNIT_1080P, lambda tmp: [
        "ffmpeg", "-v", "error", "-y", "-i", TRAFFIC, "-t", "36.96", "-i", INTEL, "-filter_complex",
        "[0:v]scale=1920:1080,setsar=1,fps=25[a];[1:v]scale=1920:1080,setsar=1,fps=25[b];[a][b]concat=n=2:v=1:a=0[v]",
        "-map", "[v]", "-frames:v", "1500", "-an", "-c:v", "libx264", "-preset", "veryfast", "-crf", "23",
        "-g", "250", "-force_key_frames", "23.04", tmp])
    took += make_file(TRAFFIC_1080P, lambda tmp: [
        "ffmpeg", "-v", "error", "-y", "-i", UNIT_1080P, "-i", TRAFFIC, "-map", "0:v", "-map", "1:a", "-frames:v", "576", "-t", "23.04",
        "-c", "copy", tmp])
    def concat(tmp):
        listing = os.path.join(WORK, "long.txt")
        with open(listing, "w") as f:
            f.write("".join(f"file '{os.path.basename(UNIT_1080P)}'\n" for _ in range(10)))
        return ["ffmpeg", "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", listing, "-c", "copy", tmp]
    took += make_file(LONG_1080P, concat)
    return took


def video_info(path):
    out = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                          "stream=width,height,nb_frames,avg_frame_rate,codec_name,profile:format=duration",
                          "-of", "json", path], capture_output=True, text=True, check=True).stdout
    j = json.loads(out)
    s = j["streams"][0]
    num, den = (int(x) for x in s["avg_frame_rate"].split("/"))
    return {"width": s["width"], "height": s["height"], "frames": int(s.get("nb_frames") or 0),
            "fps": num / den if den else 0, "codec": f"{s['codec_name']} {s.get('profile', '')}".strip(),
            "duration": float(j["format"]["duration"])}


def warm_up(files, have_dvrscan):
    """Page cache and program start-up: each input is read once and each program started once on a small
    fixture, so no measured run pays for a cold disk or a first start."""
    for path in files:
        with open(path, "rb") as f:
            while f.read(1 << 22):
                pass
    cmds = [["ffmpeg", "-v", "error", "-i", WARM_FIXTURE, "-an", "-f", "null", "-"],
            [ENGINE, "scan", WARM_FIXTURE, "-so", "-q"], [SECCAM_BENCH, "demux", WARM_FIXTURE, "--runs", "1"]]
    if have_dvrscan:
        cmds.append([DVRSCAN, "-i", WARM_FIXTURE, "-so", "-q", "--ignore-user-config"])
    for cmd in cmds:
        run_once(cmd)


# MARK: - Sections

def micro(files, runs, quick):
    """seccam-bench cases, one process each; returns the parsed JSON lines plus each process's peak RSS."""
    env = dict(os.environ, LD_PRELOAD=MALLOC_COUNTER)
    cases = []
    for label, path in files:
        cases.append((label, ["demux", path, "--runs", str(max(runs, 5))]))
    for label, path in files:
        if label.startswith("10 min"):
            continue
        cases.append((label, ["decode", path, "--runs", str(runs)]))
        cases.append((label, ["decode", path, "--gray", "--runs", str(runs)]))
    frames = ["--warmup", "10", "--frames", "10"] if quick else ["--warmup", "30", "--frames", "50"]
    sizes = [(TRAFFIC, "4"), (TRAFFIC, "2"), (TRAFFIC, "1")] + ([] if quick else [(TRAFFIC_1080P, "1")])
    for sub in ("mog2", "cnt"):
        for path, step in sizes:
            cases.append(("detector", ["detector", path, "--subtractor", sub, "--step", step, "--runs", "5"] + frames))
    # What a CPU without AVX-512 runs: MOG2's AVX2 kernel (the same on a CPU without AVX2 is not measured).
    for path, step in [(TRAFFIC, "2"), (TRAFFIC, "1")]:
        cases.append(("detector", ["detector", path, "--subtractor", "mog2", "--step", step, "--runs", "5", "--avx2"]
                      + frames))
    if not quick:
        cases.append(("1080p traffic", ["preroll", TRAFFIC_1080P, "--tb", "10"]))
        cases.append(("10 min 1080p", ["preroll", LONG_1080P, "--tb", "10"]))
    results = []
    for label, args in cases:
        log(f"micro {args[0]} {os.path.basename(args[1])} {' '.join(args[2:])}")
        try:
            r = run_once([SECCAM_BENCH] + args, env=env)
            j = json.loads(r["stdout"].strip().splitlines()[-1])
            j.update(label=label, process_rss=r["rss"], process_wall=r["wall"])
        except Exception as e:
            j = {"case": args[0], "label": label, "error": str(e), "file": os.path.basename(args[1])}
            log(f"FAILED: {e}")
        results.append(j)
    return results


def e2e(label, path, info, runs, pairs, have_dvrscan):
    """The end-to-end commands on one file, round-robin (run i of every command, then run i + 1), so load
    changes on a shared machine hit every command alike; `scan -so` and `scan -m copy` go on alone for
    `pairs` rounds in all (the copy overhead is a small difference). Returns {name: measurement}."""
    clip_dirs = []
    def copy_cmd(extra=()):
        def make():
            d = tempfile.mkdtemp(prefix="clips-", dir=WORK)
            clip_dirs.append(d)
            return [ENGINE, "scan", path, "-q", "-d", d] + list(extra)
        return make
    cmds = [
        ("ffmpeg", "ffmpeg -v error -i X -an -f null -", lambda: ["ffmpeg", "-v", "error", "-i", path, "-an", "-f", "null", "-"]),
        ("probe", "seccam-engine probe --count-frames X", lambda: [ENGINE, "probe", "--count-frames", path]),
        ("so", "seccam-engine scan X -so", lambda: [ENGINE, "scan", path, "-so", "-q"]),
        ("so_df2", "seccam-engine scan X -so -df 2", lambda: [ENGINE, "scan", path, "-so", "-q", "-df", "2"]),
        ("copy", "seccam-engine scan X -d TMP (-m copy)", copy_cmd()),
    ]
    if have_dvrscan:
        cmds += [
            ("dvr_so", "dvr-scan -i X -so", lambda: [DVRSCAN, "-i", path, "-so", "-q", "--ignore-user-config"]),
            ("dvr_so_df2", "dvr-scan -i X -so -df 2", lambda: [DVRSCAN, "-i", path, "-so", "-q", "--ignore-user-config", "-df", "2"]),
        ]
    res = {key: {"name": name, "wall": [], "cpu": [], "rss": [], "error": None} for key, name, _ in cmds}
    for i in range(max(runs, pairs)):
        for key, name, make in cmds:
            if res[key]["error"] or (i >= runs and key not in ("so", "copy")):
                continue
            cmd = make()
            log(f"{label} run {i + 1}: {' '.join(os.path.basename(c) if c == path else os.path.basename(c) if c.startswith(ROOT) else c for c in cmd[:7])}")
            try:
                r = run_once(cmd)
                res[key]["wall"].append(r["wall"])
                res[key]["cpu"].append(r["cpu"])
                res[key]["rss"].append(r["rss"])
                if key == "so" and i == 0:
                    res["_events"] = r["stdout"].strip()
            except RuntimeError as e:
                res[key]["error"] = str(e)
                log(f"FAILED: {e}")
            finally:
                for d in clip_dirs:
                    if key == "copy" and i == 0 and os.path.isdir(d):
                        res["_clips"] = len([f for f in os.listdir(d) if f.endswith(".mp4")])
                    shutil.rmtree(d, ignore_errors=True)
                clip_dirs.clear()
    return res


def preroll_rss(path):
    """One run each of -so and -m copy with -tb 10s: the process-level memory cost of clips with a 10 s pre-roll."""
    out = {}
    for key, extra in (("so_tb10", ["-so"]), ("copy_tb10", None)):
        d = tempfile.mkdtemp(prefix="clips-", dir=WORK)
        cmd = [ENGINE, "scan", path, "-q", "-tb", "10s"] + (extra or ["-d", d])
        log(f"pre-roll RSS: {' '.join(cmd[1:])}")
        try:
            r = run_once(cmd)
            out[key] = {"wall": r["wall"], "cpu": r["cpu"], "rss": r["rss"],
                        "clips": len([f for f in os.listdir(d) if f.endswith(".mp4")])}
        except RuntimeError as e:
            out[key] = {"error": str(e)}
            log(f"FAILED: {e}")
        shutil.rmtree(d, ignore_errors=True)
    return out


def long_input(path, info):
    """-so -df 2 on the 10-minute file: the first minute (-et 00:01:00) and the whole file, once each. The
    whole-file run's stderr is a pty, so the engine draws its progress line (frames read) and we time every
    minute of input; its RSS is sampled every 0.5 s."""
    fps = info["fps"]
    out = {"frames": info["frames"], "seconds": info["duration"]}
    log("long input: first minute (-so -df 2 -et 00:01:00)")
    try:
        r = run_once([ENGINE, "scan", path, "-so", "-q", "-df", "2", "-et", "00:01:00"])
        out["minute"] = {"wall": r["wall"], "cpu": r["cpu"], "rss": r["rss"], "frames": int(round(60 * fps))}
        log("long input: whole file (-so -df 2), progress from a pty, RSS sampled")
        r = run_once([ENGINE, "scan", path, "-so", "-q", "-df", "2"], progress_pty=True, sample_rss=True)
        out["whole"] = {"wall": r["wall"], "cpu": r["cpu"], "rss": r["rss"], "frames": info["frames"]}
        # Per minute of input: when the progress line first reached each multiple of 60 s of frames.
        per_minute, prev_t, prev_f, prev_c = [], 0.0, 0, 0.0
        marks = [int(round(60 * fps * m)) for m in range(1, int(info["duration"] // 60) + 1)]
        for m, target in enumerate(marks, 1):
            hit = next(((t, f) for t, f in r["progress"] if f >= target), None)
            if m == len(marks) and (hit is None or hit[1] < target):
                hit = (r["wall"], target)  # the last progress line may come before the end
            if hit is None:
                break
            t, f = hit
            rss = max((s[1] for s in r["rss_samples"] if s[0] <= t), default=None)
            # CPU seconds at t: the last sample at or before t (the final minute ends with the process: wait4's).
            cpu = r["cpu"] if m == len(marks) else max((s[2] for s in r["rss_samples"] if s[0] <= t), default=None)
            per_minute.append({"minute": m, "fps": (f - prev_f) / (t - prev_t) if t > prev_t else None,
                               "cpu_fps": (f - prev_f) / (cpu - prev_c) if cpu is not None and cpu > prev_c else None,
                               "elapsed": t, "cpu": cpu, "rss": rss})
            prev_t, prev_f, prev_c = t, f, cpu if cpu is not None else prev_c
        out["per_minute"] = per_minute
        out["progress_lines"] = len(r["progress"])
    except RuntimeError as e:
        out["error"] = str(e)
        log(f"FAILED: {e}")
    return out


# MARK: - Report

def fmt(x, digits=2):
    return "—" if x is None else f"{x:.{digits}f}"


def spread(s, digits=2):
    return "—" if not s else f"{s['median']:.{digits}f} ({s['min']:.{digits}f}–{s['max']:.{digits}f})"


def ratio(a, b):
    return a / b if a is not None and b else None


def verdict(value, target, lower_is_better=True):
    if value is None:
        return "not measured"
    return "met" if (value <= target if lower_is_better else value >= target) else "**not met**"


def med(res, key, field):
    r = res.get(key)
    return statistics.median(r[field]) if r and r[field] else None


def paired_overhead(res):
    """Median over rounds of CPU(copy)/CPU(-so) − 1, each pair measured back to back."""
    a, b = res.get("copy"), res.get("so")
    if not a or not b or not a["cpu"] or not b["cpu"]:
        return None
    pairs = [c / s - 1 for c, s in zip(a["cpu"], b["cpu"])]
    return statistics.median(pairs) if pairs else None


def write_report(out_path, ctx):
    L = []
    model, isa, mem = ctx["cpu"]
    e2e_res, micro_res, long_res = ctx["e2e"], ctx["micro"], ctx["long"]
    L += ["# Benchmark results", "",
          f"- Machine: {model}, {os.cpu_count()} logical cores ({', '.join(isa) or 'no SIMD flags read'}), {mem} RAM; "
          f"Linux {platform.release()}; load average {ctx['load_start']} at the start, {ctx['load_end']} at the end "
          "(the machine is shared: numbers are noisy).",
          f"- Commit {ctx['commit']}{' (working tree had uncommitted changes)' if ctx['dirty'] else ''}; "
          f"{ctx['date']}; {ctx['swift']}; {ctx['ffmpeg']}; dvr-scan {ctx['dvrscan'] or 'not installed (.venv-ref missing): its columns are skipped'}.",
          f"- `make bench` (`python3 Benchmarks/bench.py`{' ' + ' '.join(ctx['argv']) if ctx['argv'] else ''}) took "
          f"{ctx['total'] / 60:.1f} min in this script: setup {ctx['setup']:.0f} s (seccam-bench build {ctx['build']:.0f} s, "
          f"input files {ctx['inputs']:.0f} s), micro {ctx['t_micro']:.0f} s, end to end {ctx['t_e2e']:.0f} s, "
          f"long input {ctx['t_long']:.0f} s. End-to-end commands: {ctx['runs']} runs each, round-robin ({ctx['pairs']} for "
          "`scan -so` and `scan -m copy`); "
          f"micro-benchmarks: 1 warm-up + {ctx['micro_runs']} runs (detector: 5 runs).", ""]

    # Headline
    L += ["## Headline", "",
          "| metric | value | target | |", "|---|---:|---:|---|"]
    heads = []
    for label, res in e2e_res:
        ff_cpu = med(res, "ffmpeg", "cpu")
        heads.append((f"decode CPU vs ffmpeg, {label} (`probe --count-frames` / `ffmpeg -f null`)",
                      ratio(med(res, "probe", "cpu"), ff_cpu), 1.1, "x"))
        heads.append((f"scan wall vs dvr-scan at defaults, {label} (`scan -so` / `dvr-scan -so`)",
                      ratio(med(res, "so", "wall"), med(res, "dvr_so", "wall")), 0.2, "x"))
        heads.append((f"scan CPU at -df 2 vs ffmpeg decode, {label} (`scan -so -df 2` / `ffmpeg -f null`)",
                      ratio(med(res, "so_df2", "cpu"), ff_cpu), 1.25, "x"))
        ov = paired_overhead(res)
        heads.append((f"`scan -m copy` CPU overhead over `scan -so`, {label} (median of same-round pairs)",
                      None if ov is None else 100 * ov, 3.0, "%"))
    if long_res.get("whole") and long_res.get("minute"):
        w, m = long_res["whole"], long_res["minute"]
        flat_cpu = (w["frames"] / w["cpu"]) / (m["frames"] / m["cpu"])
        flat_wall = (w["frames"] / w["wall"]) / (m["frames"] / m["wall"])
        heads.append((f"long input fps per CPU second, whole 10 min / first minute (1080p, -so -df 2; by wall "
                      f"time: {flat_wall:.2f})", flat_cpu, 0.95, "x≥"))
        heads.append(("long input peak RSS growth, whole 10 min − first minute (MiB)", w["rss"] - m["rss"], 16, "MiB"))
    for name, value, target, unit in heads:
        if unit == "%":
            L.append(f"| {name} | {fmt(value, 1)} % | ≤ {target:g} % | {verdict(value, target)} |")
        elif unit == "x≥":
            L.append(f"| {name} | {fmt(value)} | ≥ {target:g} | {verdict(value, target, lower_is_better=False)} |")
        elif unit == "MiB":
            L.append(f"| {name} | {fmt(value, 1)} | ≤ {target:g} | {verdict(value, target)} |")
        else:
            L.append(f"| {name} | {fmt(value)}x | ≤ {target:g}x | {verdict(value, target)} |")
    det = [m for m in micro_res if m.get("case") == "detector" and "error" not in m]
    if det:
        worst = max((m["allocs_per_frame"] or {}).get("max", 0) if m.get("allocs_per_frame") else 0 for m in det)
        counted = all(m.get("allocation_counter") for m in det)
        L.append(f"| detector heap allocations per frame, worst of {len(det)} cases | "
                 f"{fmt(worst, 2) if counted else 'not counted'} | 0 | {verdict(worst if counted else None, 0)} |")
    L += ["", "Ratios are of medians measured in the same run. A scan/dvr-scan wall ratio of 0.20 means 5 times "
          "as fast. Long-input flatness is judged on frames per CPU second, which other processes on a shared "
          "machine disturb far less than wall time (both are in the long-input table); its target (≥ 0.95) and "
          "the RSS growth bound (16 MiB) are this harness's own reading of \"flat\" and \"does not grow\".", ""]

    # End to end
    L += ["## End to end (whole processes)", "",
          "Wall time, CPU time (user + sys of the process and all its threads and waited-for children) and peak RSS "
          "come from `wait4()`. Cells are median (min–max) over the runs; RSS is the maximum. `vs ffmpeg` divides by "
          "the `ffmpeg -v error -i X -an -f null -` row of the same file; `vs dvr-scan` divides by `dvr-scan -so` "
          "with the same options (for `-m copy`: `dvr-scan -so` at defaults, since dvr-scan's own `-m copy` runs an "
          "ffmpeg process per event and is not what we compare). fps = frames / median wall.", ""]
    for label, res in e2e_res:
        info = ctx["info"][label]
        L += [f"### {label}: {os.path.basename(ctx['paths'][label])} ({info['width']}x{info['height']}, {info['codec']}, "
              f"{info['frames']} frames, {info['duration']:.2f} s)", "",
              "| command | runs | wall s | CPU s | peak RSS MiB | fps | wall vs ffmpeg | CPU vs ffmpeg | wall vs dvr-scan | CPU vs dvr-scan |",
              "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
        ff_w, ff_c = med(res, "ffmpeg", "wall"), med(res, "ffmpeg", "cpu")
        partner = {"so": "dvr_so", "so_df2": "dvr_so_df2", "copy": "dvr_so"}
        for key in ("ffmpeg", "probe", "so", "so_df2", "copy", "dvr_so", "dvr_so_df2"):
            r = res.get(key)
            if not r:
                continue
            if r["error"] and not r["wall"]:
                L.append(f"| {r['name']} | 0 | failed: {r['error'].splitlines()[0][:120]} | | | | | | | |")
                continue
            w, c = statistics.median(r["wall"]), statistics.median(r["cpu"])
            p = partner.get(key)
            dw = ratio(w, med(res, p, "wall")) if p else None
            dc = ratio(c, med(res, p, "cpu")) if p else None
            L.append(f"| {r['name']} | {len(r['wall'])} | {spread(summary(r['wall']))} | {spread(summary(r['cpu']))} | {max(r['rss']):.1f} | "
                     f"{info['frames'] / w:.0f} | {fmt(None if key == 'ffmpeg' else ratio(w, ff_w))} | "
                     f"{fmt(None if key == 'ffmpeg' else ratio(c, ff_c))} | {fmt(dw)} | {fmt(dc)} |")
        ov = paired_overhead(res)
        so_c, cp_c = med(res, "so", "cpu"), med(res, "copy", "cpu")
        L += ["", f"`-m copy` vs `-so` CPU: {fmt(cp_c)} s vs {fmt(so_c)} s: overhead "
              f"{fmt(None if ov is None else 100 * ov, 1)} % (median of the {len(res['copy']['cpu'])} same-round pairs), "
              f"{fmt(None if not so_c else 100 * (cp_c / so_c - 1), 1)} % (ratio of medians); "
              f"{res.get('_clips', '?')} clip(s) written per run. Events found by `scan -so`: `{res.get('_events', '?')}`.", ""]
        if not ctx["have_dvrscan"]:
            L += ["dvr-scan rows skipped: `.venv-ref/bin/dvr-scan` is missing (`make ref-venv` creates it).", ""]

    # Pre-roll buffer
    pre = [m for m in micro_res if m.get("case") == "preroll"]
    if pre or ctx.get("preroll_rss"):
        L += ["### Pre-roll packet buffer, 1080p, `-tb 10s`", ""]
        for m in pre:
            if "error" in m:
                L.append(f"- {m['label']}: failed: {m['error'].splitlines()[0]}")
                continue
            L.append(f"- {m['label']} ({m['file']}, {m['mean_bitrate_bps'] / 1e6:.2f} Mbit/s, keyframe every "
                     f"≤ {m['keyframe_interval_frames_max']} frames): `PacketBuffer.peakBytes` = "
                     f"**{m['peak_bytes'] / 2**20:.2f} MiB** (retention {m['retention_s']:.2f} s; byte bound "
                     f"{m['max_bytes_limit'] / 2**20:.0f} MiB) over {m['input_seconds']:.0f} s of input.")
        L += ["", "`peakBytes` is read from the public `ClipRecorder.buffer` of a recorder built with the retention "
              "`ScanSession` uses for `-m copy` (`-tb` + minimum event length + one frame, + 1 s) and fed every packet "
              "(video and audio) of the file by `seccam-bench preroll`, with no clip open: the steady-state pre-roll. "
              "`ScanSession` keeps its clip output internal, so the buffer inside a real scan is not reachable; the "
              "process-level cost of the same setting is below.", ""]
        pr = ctx.get("preroll_rss") or {}
        if "so_tb10" in pr and "copy_tb10" in pr and "error" not in pr["so_tb10"] and "error" not in pr["copy_tb10"]:
            a, b = pr["so_tb10"], pr["copy_tb10"]
            L += [f"- Peak RSS, 1080p traffic, one run each: `scan -so -tb 10s` {a['rss']:.1f} MiB, `scan -m copy -tb 10s` "
                  f"{b['rss']:.1f} MiB ({b['clips']} clip(s)): difference **{b['rss'] - a['rss']:+.1f} MiB** "
                  f"(buffer, muxer and clip writing together; single runs, so a few MiB are noise).", ""]

    # Long input
    L += ["## Long input: 10 minutes of 1080p H.264, `scan -so -df 2`", ""]
    if "error" in long_res:
        L += [f"Failed: {long_res['error'].splitlines()[0]}", ""]
    elif long_res.get("whole"):
        info = ctx["info"]["10 min 1080p"]
        L += [f"{os.path.basename(LONG_1080P)}: {info['width']}x{info['height']} {info['codec']}, {info['frames']} frames, "
              f"{info['duration']:.0f} s; one minute of footage (the 1080p traffic video, then 36.96 s of the intel "
              "person video) repeated 10 times by stream copy, so every minute has the same content. Each run once.", "",
              "| run | frames | wall s | CPU s | fps (wall) | fps (CPU) | peak RSS MiB |", "|---|---:|---:|---:|---:|---:|---:|"]
        for name, key in (("first minute (`-et 00:01:00`)", "minute"), ("whole 10 minutes", "whole")):
            r = long_res[key]
            L.append(f"| {name} | {r['frames']} | {r['wall']:.1f} | {r['cpu']:.1f} | {r['frames'] / r['wall']:.1f} | "
                     f"{r['frames'] / r['cpu']:.1f} | {r['rss']:.1f} |")
        pm = long_res.get("per_minute") or []
        if pm:
            L += ["", f"Within the whole-file run (progress line on a pty, {long_res.get('progress_lines', 0)} updates; "
                  "RSS sampled every 0.5 s):", "",
                  "| minute of input | " + " | ".join(str(p["minute"]) for p in pm) + " |",
                  "|---|" + "---:|" * len(pm),
                  "| fps (wall) | " + " | ".join(fmt(p["fps"], 1) for p in pm) + " |",
                  "| fps (CPU) | " + " | ".join(fmt(p.get("cpu_fps"), 1) for p in pm) + " |",
                  "| RSS MiB so far | " + " | ".join(fmt(p["rss"], 1) for p in pm) + " |"]
        L.append("")
    else:
        L += ["Skipped.", ""]

    # Micro
    L += ["## Micro-benchmarks (`seccam-bench`, in process)", "",
          "`Benchmarks/Package.swift` (depends on the root package by path; products SeccamEngine and SeccamMotion), "
          "one process per case. Each case runs once untimed (warm-up), then times its runs with CLOCK_MONOTONIC "
          "(wall) and CLOCK_PROCESS_CPUTIME_ID (CPU of all threads: FFmpeg's decoder threads, the detector's band "
          "worker). Heap allocations are counted by `Benchmarks/malloc-counter` (LD_PRELOAD; every malloc, calloc, "
          "realloc, memalign, posix_memalign, aligned_alloc, valloc call of the process, all threads) between the "
          "start and the end of the timed part, divided by the items processed. Peak RSS is the process's "
          "(`wait4()`), which for the detector includes the decoded gray frames it holds.", ""]
    rows = [m for m in micro_res if m.get("case") in ("demux", "decode", "decode+gray")]
    if rows:
        L += ["| case | file | items/run | wall s per run | CPU s per run | ms/item (wall) | ms/item (CPU) | items/s | allocs/item | peak RSS MiB |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
        for m in rows:
            if "error" in m:
                L.append(f"| {m['case']} | {m['label']} | failed: {m['error'].splitlines()[0][:100]} | | | | | | | |")
                continue
            u = m["unit"]
            allocs = m.get(f"allocs_per_{u}")
            L.append(f"| {m['case']} ({u}s) | {m['label']} | {m['items_per_run']} | {spread(m['wall_s'], 3)} | "
                     f"{spread(m['cpu_s'], 3)} | {m[f'wall_ms_per_{u}']['median']:.3f} | {m[f'cpu_ms_per_{u}']['median']:.3f} | "
                     f"{m[f'{u}s_per_s']:.0f} | {fmt(allocs['median'] if allocs else None, 1)} | {m['process_rss']:.1f} |")
        L.append("")
    if det or any(m.get("case") == "detector" for m in micro_res):
        L += ["Detector alone: `MotionDetector.process` (subtractor, morphological opening with the default kernel "
              "for that width, score) on gray frames of the traffic video at that size (subsampled from the 720p "
              "file, or the 1080p file), decoded before timing; 30 frames of warm-up (the model learns), then 5 runs "
              "of 50 consecutive frames.", "",
              "| subtractor | size | kernel | ms/frame (wall) median (min–max) | ms/frame (CPU) median (min–max) | frames/s | allocs/frame (max over runs) | bytes/frame | peak RSS MiB |",
              "|---|---|---:|---:|---:|---:|---:|---:|---:|"]
        for m in micro_res:
            if m.get("case") != "detector":
                continue
            if "error" in m:
                L.append(f"| failed | {m['file']} | {m['error'].splitlines()[0][:100]} | | | | | | |")
                continue
            a = m.get("allocs_per_frame")
            L.append(f"| {m['subtractor']} | {m['size']} | {m['kernel_size']} | {spread(m['wall_ms_per_frame'], 3)} | "
                     f"{spread(m['cpu_ms_per_frame'], 3)} | {m['frames_per_s']:.0f} | "
                     f"{fmt(a['max'] if a else None, 2)} | {fmt(m.get('alloc_bytes_per_frame'), 0)} | {m['process_rss']:.1f} |")
        L.append("")

    L += ["## Not measured", ""] + [f"- {n}" for n in ctx["notes"]] + [""]
    with open(out_path, "w") as f:
        f.write("\n".join(L))


# MARK: - Main

def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--runs", type=int, default=3, help="runs of each end-to-end command (default 3)")
    ap.add_argument("--copy-pairs", type=int, default=5, help="back-to-back runs of scan -so and scan -m copy (default 5)")
    ap.add_argument("--micro-runs", type=int, default=3, help="timed runs of the demux/decode micro-benchmarks")
    ap.add_argument("--out", default=os.path.join(BENCH, "RESULTS.md"))
    ap.add_argument("--quick", action="store_true", help="720p only, 1 run, small detector cases, no long input")
    ap.add_argument("--skip", nargs="*", default=[], choices=["micro", "e2e", "long"], help="sections to leave out")
    a = ap.parse_args()
    if os.path.isdir("/opt/swift/usr/bin") and shutil.which("swift") is None:
        os.environ["PATH"] = "/opt/swift/usr/bin:" + os.environ["PATH"]
    if not os.path.exists(ENGINE):
        sys.exit("bench: build the engine first (swift build -c release, or make bench)")
    runs = 1 if a.quick else a.runs
    micro_runs = 1 if a.quick else a.micro_runs
    have_dvrscan = os.path.exists(DVRSCAN)
    load_start = " ".join(open("/proc/loadavg").read().split()[:3])

    t = time.monotonic()
    build = build_seccam_bench()
    build_malloc_counter()
    inputs = 0.0 if a.quick else make_inputs()
    files = [("720p traffic", TRAFFIC)]
    if not a.quick:
        files += [("1080p traffic", TRAFFIC_1080P)]
    long_files = [] if a.quick else [("10 min 1080p", LONG_1080P)]
    paths = dict(files + long_files)
    info = {label: video_info(p) for label, p in files + long_files}
    warm_up([p for _, p in files + long_files], have_dvrscan)
    setup = time.monotonic() - t

    t = time.monotonic()
    micro_res = [] if "micro" in a.skip else micro(files + long_files, micro_runs, a.quick)
    t_micro = time.monotonic() - t

    t = time.monotonic()
    e2e_res, preroll = [], {}
    if "e2e" not in a.skip:
        for label, path in files:
            e2e_res.append((label, e2e(label, path, info[label], runs, 1 if a.quick else a.copy_pairs, have_dvrscan)))
        if not a.quick:
            preroll = preroll_rss(TRAFFIC_1080P)
    t_e2e = time.monotonic() - t

    t = time.monotonic()
    long_res = {} if a.quick or "long" in a.skip else long_input(LONG_1080P, info["10 min 1080p"])
    t_long = time.monotonic() - t

    notes = [
        "Allocations of the end-to-end commands (only the in-process stages are counted; FFmpeg's decoder alone "
        "allocates per frame, see `decode`).",
        "`-m encode`, `--thumbnails`, the multi-camera `run` service and RTSP input: not benchmarked.",
        "dvr-scan's own `-m copy` (an ffmpeg process per event) and its default OpenCV re-encode mode.",
        "The pre-roll buffer inside a running `ScanSession` (its clip output is internal): measured on the public "
        "`ClipRecorder` fed the same packets instead, plus the RSS difference of whole scans.",
        "Statistical significance: a few runs on a shared 2-core machine; differences of a few percent (the copy "
        "overhead above all) are within the noise. Re-run with `--runs 7 --copy-pairs 11` on an idle machine to settle them.",
    ]
    if not have_dvrscan:
        notes.append("dvr-scan: `.venv-ref` is absent, so no dvr-scan rows or ratios.")
    if a.quick:
        notes.append("--quick: 720p only, 1 run, no 1080p rows, no long input.")
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    if not commit:
        # Not a git checkout (e.g. a `git archive` export measured away from a busy shared tree): say so.
        commit = os.environ.get("SECCAM_BENCH_COMMIT", "unknown (not a git checkout)")
    dirty = bool(subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--untracked-files=no"],
                                capture_output=True, text=True).stdout.strip())
    dvr_version = None
    if have_dvrscan:
        r = subprocess.run([DVRSCAN, "--version"], capture_output=True, text=True)
        dvr_version = next((l.split()[-1] for l in (r.stdout + r.stderr).splitlines() if l.startswith("DVR-Scan")), "?")
    ctx = {
        "cpu": cpu_info(), "load_start": load_start, "load_end": " ".join(open("/proc/loadavg").read().split()[:3]),
        "commit": commit, "dirty": dirty, "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "swift": first_line(["swift", "--version"]), "ffmpeg": " ".join(first_line(["ffmpeg", "-version"]).split()[:3]),
        "dvrscan": dvr_version, "argv": sys.argv[1:], "total": time.monotonic() - T0, "setup": setup, "build": build,
        "inputs": inputs, "t_micro": t_micro, "t_e2e": t_e2e, "t_long": t_long, "runs": runs, "pairs": max(runs, 1 if a.quick else a.copy_pairs), "micro_runs": micro_runs,
        "e2e": e2e_res, "micro": micro_res, "long": long_res, "preroll_rss": preroll, "info": info, "paths": paths,
        "have_dvrscan": have_dvrscan, "notes": notes,
    }
    write_report(a.out, ctx)
    with open(os.path.join(WORK, "last-results.json"), "w") as f:
        json.dump({k: v for k, v in ctx.items() if k not in ("notes",)}, f, indent=1, default=str)
    log(f"wrote {os.path.relpath(a.out, ROOT)} ({ctx['total'] / 60:.1f} min)")
    failed = [m for m in micro_res if "error" in m] + [r for _, res in e2e_res for k, r in res.items()
                                                        if not k.startswith("_") and r["error"]] + \
             ([long_res] if "error" in long_res else [])
    if failed:
        sys.exit(f"bench: {len(failed)} measurement(s) failed; see {os.path.relpath(a.out, ROOT)}")


if __name__ == "__main__":
    main()
