#!/usr/bin/env python3
"""Compare `seccam-engine scan` with the real dvr-scan 1.8.2.1, frame by frame.

For every video in ../shared/videos and every option set in OPTION_SETS, run
both tools and compare
  (a) the per-frame score lists: same processed frame indices, max |ours - theirs|,
      number of frames whose scores differ (exact float comparison), and
  (b) the event lists: dvr-scan's comma-separated timecode line must be identical.
Print a table, write it as Markdown (--out), exit 1 if any row differs.

Plain python3 stdlib; run from anywhere (paths are relative to the repo root).
See Benchmarks/compat/README.md.
"""
import argparse
import concurrent.futures
import datetime
import fnmatch
import glob
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
VIDEO_DIR = "../shared/videos"
VIDEO_EXTS = (".mp4", ".avi", ".mkv")
DUMP_TOOL = "../shared/tools/dvrscan_dump.py"
VENV_PYTHON = ".venv-ref/bin/python"
ENGINE = ".build/release/seccam-engine"

# Polygons as fractions of (width, height); rounded to pixels per video so they fit every size.
# A triangle covering the centre, and a (non-rectangular) quadrilateral in the lower right.
TRIANGLE = [(0.25, 0.20), (0.75, 0.20), (0.50, 0.85)]
QUAD = [(0.55, 0.55), (0.95, 0.60), (0.90, 0.95), (0.60, 0.90)]

# dvr-scan's max-threshold default: the scanner turns raw scores >= this into 0 before the
# event logic (scanner.py). dvrscan_dump.py records the raw MotionDetector score, while
# `--scores` writes the score the event logic sees, so we apply the same rule to dvr-scan's
# numbers. No option set here uses -c, so max-area/width/height stay disabled.
MAX_THRESHOLD = 255.0


def polygon_args(points, width, height):
    args = ["-a"]
    for fx, fy in points:
        args += [str(min(width - 1, round(fx * width))), str(min(height - 1, round(fy * height)))]
    return args


def option_sets(width, height):
    """(label, args) for one video; polygon coordinates depend on its size."""
    tri = polygon_args(TRIANGLE, width, height)
    quad = polygon_args(QUAD, width, height)
    return [
        ("defaults", []),
        ("-df 2", ["-df", "2"]),
        ("-k 0", ["-k", "0"]),
        ("-k 7 -df 3", ["-k", "7", "-df", "3"]),
        ("-fs 2", ["-fs", "2"]),
        ("-t 0.5 -l 1s -tb 0.5s -tp 3s", ["-t", "0.5", "-l", "1s", "-tb", "0.5s", "-tp", "3s"]),
        ("-b CNT", ["-b", "CNT"]),
        (" ".join(tri), tri),
        (" ".join(tri + quad), tri + quad),
        ("-st 5s -dt 10s", ["-st", "5s", "-dt", "10s"]),
        ("--use-pts", ["--use-pts"]),
        ("--use-pts -fs 2 -st 5s", ["--use-pts", "-fs", "2", "-st", "5s"]),
    ]


def run(cmd, timeout):
    t0 = time.monotonic()
    try:
        p = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=timeout)
        rc, out, err = p.returncode, p.stdout, p.stderr
    except subprocess.TimeoutExpired as e:
        out = e.stdout.decode(errors="replace") if isinstance(e.stdout, bytes) else (e.stdout or "")
        rc, err = "timeout", "timed out after %ss" % timeout
    return rc, out, err, time.monotonic() - t0


def read_scores(path, score_col):
    """[(frame, score)] from a CSV with a header; None if missing."""
    if not os.path.exists(path):
        return None
    rows = []
    with open(path) as f:
        header = f.readline().strip().split(",")
        fi, si = header.index("frame"), header.index(score_col)
        for line in f:
            line = line.strip()
            if line:
                cols = line.split(",")
                rows.append((int(cols[fi]), float(cols[si])))
    return rows


def timecode_line(stdout, prefix):
    """The comma-separated timecode line, or '' when no events were found."""
    lines = [l.strip() for l in stdout.splitlines() if l.strip()]
    if not lines:
        return ""
    last = lines[-1]
    if last.startswith(prefix):  # e.g. "[DVR-Scan] No motion events detected in input."
        return ""
    return last


def count_events(line):
    return len(line.split(",")) // 2 if line else 0


def short_err(err, n=3):
    lines = [l for l in err.replace("\r", "\n").splitlines() if l.strip() and "Progress:" not in l]
    return " | ".join(lines[-n:])


def compare(ours, theirs, by_order=False):
    """Fill in the comparison fields of a row from the two tool results. `by_order`: pair the frames by their order
    (in PTS mode dvrscan_dump.py numbers a frame by its timestamp snapped to the frame grid, not by its index)."""
    row = {}
    problems = []
    for name, r in (("ours", ours), ("dvr-scan", theirs)):
        if r["rc"] != 0:
            problems.append("%s exit %s: %s" % (name, r["rc"], short_err(r["err"])))
        if r["scores"] is None:
            problems.append("%s wrote no scores CSV" % name)
    o = ours["scores"] or []
    t = [(f, 0.0 if s >= MAX_THRESHOLD else s) for f, s in (theirs["scores"] or [])]
    if by_order and len(t) == len(o):
        t = [(f, s) for (f, _), (_, s) in zip(o, t)]
    row["frames_ours"], row["frames_theirs"] = len(o), len(t)
    of, tf = [f for f, _ in o], [f for f, _ in t]
    row["frames_equal"] = of == tf
    if not row["frames_equal"]:
        so, st = set(of), set(tf)
        problems.append("frame indices differ (only ours: %d, only dvr-scan: %d, first ours %s / dvr-scan %s)"
                        % (len(so - st), len(st - so), of[:1], tf[:1]))
    tmap = dict(t)
    diffs = [(f, abs(s - tmap[f])) for f, s in o if f in tmap and s != tmap[f]]
    row["max_diff"] = max((d for _, d in diffs), default=0.0)
    row["diff_frames"] = len(diffs)
    row["first_diff_frame"] = diffs[0][0] if diffs else None
    row["events_ours"], row["events_theirs"] = count_events(ours["timecodes"]), count_events(theirs["timecodes"])
    row["events_equal"] = ours["timecodes"] == theirs["timecodes"]
    row["timecodes_ours"], row["timecodes_theirs"] = ours["timecodes"], theirs["timecodes"]
    if diffs:
        problems.append("%d frames score differently (first at frame %d, max |diff| %r)"
                        % (len(diffs), diffs[0][0], row["max_diff"]))
    if not row["events_equal"]:
        problems.append("timecodes differ: ours '%s' vs dvr-scan '%s'" % (ours["timecodes"], theirs["timecodes"]))
    row["identical"] = not problems
    row["problems"] = problems
    return row


def fmt_frames(row):
    if row["frames_ours"] == row["frames_theirs"] and row["frames_equal"]:
        return str(row["frames_ours"])
    return "%d/%d" % (row["frames_ours"], row["frames_theirs"])


def fmt_diff(d):
    return "0" if d == 0 else "%.3g" % d


TABLE_HEAD = ["video", "options", "frames", "events (ours/theirs)", "events equal", "max |score diff|",
              "differing frames", "identical"]


def table_cells(row):
    return [row["video"], row["label"], fmt_frames(row), "%d/%d" % (row["events_ours"], row["events_theirs"]),
            "yes" if row["events_equal"] else "NO", fmt_diff(row["max_diff"]), str(row["diff_frames"]),
            "yes" if row["identical"] else "NO"]


def text_table(rows):
    cells = [TABLE_HEAD] + [table_cells(r) for r in rows]
    widths = [max(len(c[i]) for c in cells) for i in range(len(TABLE_HEAD))]
    out = []
    for n, c in enumerate(cells):
        out.append("  ".join(x.ljust(w) for x, w in zip(c, widths)).rstrip())
        if n == 0:
            out.append("  ".join("-" * w for w in widths))
    return "\n".join(out)


def md_escape(s):
    return s.replace("|", "\\|")


def markdown(rows, info, summary):
    lines = ["# seccam-engine vs dvr-scan 1.8.2.1: compatibility results", ""]
    lines.append("Generated by `%s` (see README.md in this folder)."
                 % " ".join(["python3", "Benchmarks/compat/compare.py"] + info["argv"]))
    lines.append("")
    for k in ("date", "commit", "seccam-engine", "dvr-scan", "OpenCV", "python (dvr-scan venv)", "machine",
              "runtime"):
        lines.append("- **%s**: %s" % (k, info[k]))
    lines += ["", "**%s**" % summary, ""]
    lines.append("A row is identical when both tools exit 0, process the same frame indices with exactly equal "
                 "scores (as floats), and print the same comma-separated timecode line. dvr-scan's raw scores "
                 ">= 255 (max-threshold) are read as 0, as dvr-scan's scanner does before its event logic; "
                 "`--scores` writes that post-rule score. Polygons (`-a`) are fractions of each video's size, "
                 "rounded to pixels: a triangle (25%,20%) (75%,20%) (50%,85%) over the centre and a quadrilateral "
                 "(55%,55%) (95%,60%) (90%,95%) (60%,90%) in the lower right.")
    lines.append("")
    lines.append("| " + " | ".join(md_escape(h) for h in TABLE_HEAD) + " |")
    lines.append("|" + "|".join("---" for _ in TABLE_HEAD) + "|")
    for r in rows:
        cells = [md_escape(c) for c in table_cells(r)]
        cells[1] = "`%s`" % cells[1]
        lines.append("| " + " | ".join(cells) + " |")
    bad = [r for r in rows if not r["identical"]]
    if bad:
        lines += ["", "## Rows that differ", ""]
        for r in bad:
            lines.append("- %s `%s`: %s" % (r["video"], r["label"], md_escape("; ".join(r["problems"]))))
    lines.append("")
    return "\n".join(lines)


def git(*args):
    try:
        return subprocess.run(["git"] + list(args), cwd=REPO, capture_output=True, text=True).stdout
    except OSError:
        return ""


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--videos", metavar="GLOB", help="only videos whose file name (or path) matches GLOB")
    ap.add_argument("--sets", metavar="GLOB", help="only option sets whose label matches GLOB (e.g. '--use-pts*')")
    ap.add_argument("--jobs", type=int, default=2, help="tool runs in parallel (default 2)")
    ap.add_argument("--out", default="Benchmarks/compat/RESULTS.md", help="Markdown results file")
    ap.add_argument("--no-build", action="store_true",
                    help="use the existing %s instead of running swift build first" % ENGINE)
    ap.add_argument("--timeout", type=float, default=3600, help="seconds per tool run (default 3600)")
    args = ap.parse_args()
    started = time.monotonic()
    os.chdir(REPO)

    # Inputs.
    videos = sorted(p for p in glob.glob(os.path.join(VIDEO_DIR, "*")) if p.lower().endswith(VIDEO_EXTS))
    if args.videos:
        videos = [p for p in videos
                  if fnmatch.fnmatch(os.path.basename(p), args.videos) or fnmatch.fnmatch(p, args.videos)]
    if not videos:
        sys.exit("compare.py: no videos in %s match %r" % (VIDEO_DIR, args.videos or "*"))
    for path, hint in ((VENV_PYTHON, "python3 -m venv .venv-ref && .venv-ref/bin/pip install dvr-scan==1.8.2.1"),
                       (DUMP_TOOL, "the dvr-scan dump tool from the shared tools folder")):
        if not os.path.exists(path):
            sys.exit("compare.py: %s not found (%s)" % (path, hint))
    if not shutil.which("ffprobe"):
        sys.exit("compare.py: ffprobe not found (apt-get install ffmpeg)")

    # Build, then scan with a private copy so a concurrent rebuild cannot change the binary mid-run.
    if not args.no_build:
        env = dict(os.environ)
        if os.path.isdir("/opt/swift/usr/bin"):
            env["PATH"] = "/opt/swift/usr/bin:" + env.get("PATH", "")
        print("building: swift build -c release --product seccam-engine", flush=True)
        b = subprocess.run(["swift", "build", "-c", "release", "--product", "seccam-engine"], env=env,
                           capture_output=True, text=True)
        if b.returncode != 0:
            sys.exit("compare.py: swift build failed:\n" + (b.stdout + b.stderr)[-3000:])
    if not os.path.exists(ENGINE):
        sys.exit("compare.py: %s not found (swift build -c release --product seccam-engine)" % ENGINE)
    tmp = tempfile.mkdtemp(prefix="seccam-compat-")
    engine = os.path.join(tmp, "seccam-engine")
    shutil.copy2(ENGINE, engine)

    # Environment description for the header.
    versions = subprocess.run([VENV_PYTHON, "-c", "import sys, dvr_scan, cv2; print(dvr_scan.__version__); "
                               "print(cv2.__version__); print(sys.version.split()[0])"],
                              capture_output=True, text=True).stdout.split()
    if len(versions) != 3:
        sys.exit("compare.py: cannot import dvr_scan/cv2 with %s" % VENV_PYTHON)
    # What the binary is built from: HEAD plus any uncommitted (or untracked) package sources.
    dirty = [l[3:] for l in git("status", "--porcelain", "--", "Package.swift", "Package.resolved",
                                "Sources").splitlines() if len(l) > 3]
    commit = git("rev-parse", "--short", "HEAD").strip() or "unknown"
    if dirty:
        commit += " + uncommitted changes in %s" % ", ".join("`%s`" % d for d in dirty)
    info = {
        "argv": sys.argv[1:],
        "date": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "commit": commit,
        "seccam-engine": "%s (%s, built %s)" % (
            subprocess.run([engine, "--version"], capture_output=True, text=True).stdout.strip(), ENGINE,
            datetime.datetime.fromtimestamp(os.path.getmtime(ENGINE), datetime.timezone.utc).strftime(
                "%Y-%m-%d %H:%M UTC") + (", --no-build" if args.no_build else "")),
        "dvr-scan": versions[0], "OpenCV": versions[1], "python (dvr-scan venv)": versions[2],
        "machine": "%s, %d CPUs, --jobs %d" % (os.uname().machine, os.cpu_count() or 0, args.jobs),
    }

    # The matrix.
    tasks = []  # (row dict, tool, cmd, csv path)
    rows = []
    for vi, video in enumerate(videos):
        probe = subprocess.run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                                "stream=width,height", "-of", "json", video], capture_output=True, text=True)
        stream = json.loads(probe.stdout or "{}").get("streams", [{}])[0]
        width, height = int(stream.get("width", 0)), int(stream.get("height", 0))
        if not width or not height:
            sys.exit("compare.py: ffprobe found no video size for %s" % video)
        size = os.path.getsize(video)
        for oi, (label, opts) in enumerate(option_sets(width, height)):
            if args.sets and not fnmatch.fnmatch(label, args.sets):
                continue
            row = {"video": os.path.basename(video), "label": label, "order": (vi, oi), "cost": size}
            rows.append(row)
            ours_csv = os.path.join(tmp, "%d_%d_ours.csv" % (vi, oi))
            theirs_csv = os.path.join(tmp, "%d_%d_theirs.csv" % (vi, oi))
            tasks.append((row, "ours", [engine, "scan", video, "-so", "-q", "--scores", ours_csv] + opts, ours_csv))
            tasks.append((row, "theirs", [VENV_PYTHON, DUMP_TOOL, theirs_csv, "-i", video, "-so"] + opts, theirs_csv))
    # Biggest files first, so the long runs do not end up alone at the end.
    tasks.sort(key=lambda t: -t[0]["cost"])

    print("%d videos x %d option sets = %d rows, %d tool runs, %d in parallel; temp dir %s"
          % (len(videos), len(rows) // len(videos), len(rows), len(tasks), args.jobs, tmp), flush=True)
    lock = threading.Lock()
    done = [0]

    def work(task):
        row, tool, cmd, csv = task
        rc, out, err, secs = run(cmd, args.timeout)
        try:
            scores = read_scores(csv, "score")
        except (ValueError, IndexError) as e:
            scores, err = None, err + "\nunreadable scores CSV: %s" % e
        result = {"rc": rc, "err": err, "secs": secs, "scores": scores,
                  "timecodes": timecode_line(out, "[seccam]" if tool == "ours" else "[DVR-Scan]")}
        with lock:
            row[tool] = result
            if "ours" in row and "theirs" in row:
                row.update(compare(row["ours"], row["theirs"], by_order="--use-pts" in row["label"]))
                done[0] += 1
                print("[%3d/%d] %-44s %-40s %s (ours %.1fs, dvr-scan %.1fs)%s"
                      % (done[0], len(rows), row["video"], row["label"][:40],
                         "identical" if row["identical"] else "DIFFERS",
                         row["ours"]["secs"], row["theirs"]["secs"],
                         "" if row["identical"] else "\n        " + "; ".join(row["problems"])), flush=True)

    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            for f in [pool.submit(work, t) for t in tasks]:
                f.result()
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    rows.sort(key=lambda r: r["order"])
    same = sum(r["identical"] for r in rows)
    summary = "%d of %d rows identical" % (same, len(rows))
    elapsed = time.monotonic() - started
    info["runtime"] = "%dm%02ds (seccam-engine %.0fs, dvr-scan %.0fs of tool time)" % (
        elapsed // 60, elapsed % 60, sum(r["ours"]["secs"] for r in rows), sum(r["theirs"]["secs"] for r in rows))
    print()
    print(text_table(rows))
    print()
    print(summary)
    print("runtime %s" % info["runtime"])
    out = os.path.join(REPO, args.out) if not os.path.isabs(args.out) else args.out
    os.makedirs(os.path.dirname(out) or ".", exist_ok=True)
    with open(out, "w") as f:
        f.write(markdown(rows, info, summary))
    print("wrote %s" % os.path.relpath(out, REPO))
    sys.exit(0 if same == len(rows) else 1)


if __name__ == "__main__":
    main()
