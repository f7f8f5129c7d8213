"""Known-answer data for Tests/SeccamMotionTests, computed once with the reference OpenCV/dvr-scan.

Run with the dvr-scan venv (opencv-contrib-python 4.12.0.88, dvr-scan 1.8.2.1):
    .venv-ref/bin/python Fixtures/expected/motion/generate.py
The synthetic scene below is mirrored exactly by SyntheticScene.swift in the tests.
"""
import json
import os
import zlib

import cv2
import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
MASK32 = 0xFFFFFFFF


class Scene:
    """Deterministic noisy gray frames with moving objects and a lighting change (LCG noise)."""

    def __init__(self, width, height, seed):
        self.width, self.height, self.state = width, height, seed

    def rand(self):
        self.state = (self.state * 1664525 + 1013904223) & MASK32
        return self.state >> 24

    def frame(self, f):
        w, h = self.width, self.height
        out = np.zeros((h, w), np.uint8)
        bx = (f * 2) % (w + 10) - 10
        by = h // 4 + (f // 40) % 3
        oy = (f * 3) % (h + 8) - 8
        light = 30 if 150 <= f < 230 else 0
        for y in range(h):
            for x in range(w):
                v = 60 + (x * 3 + y * 2) % 100 + light + self.rand() % 9 - 4
                if bx <= x < bx + 8 and by <= y < by + 6:
                    v = 210 - (x - bx) * 4
                if w // 2 <= x < w // 2 + 4 and oy <= y < oy + 5 and f % 7 != 0:
                    v = 20
                if (x * 7 + y * 13 + f) % 97 == 0:
                    v = 255 - v
                out[y, x] = max(0, min(255, v))
        return out


def fnv1a(data):
    h = 0xCBF29CE484222325
    for b in bytes(data):
        h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return "%016x" % h


def subtractor_runs():
    width, height, frames = 37, 23, 300
    configs = [
        ("mog2", lambda: cv2.createBackgroundSubtractorMOG2(500, 16, False), -1),
        ("mog2-var25-lr0.02", lambda: cv2.createBackgroundSubtractorMOG2(500, 25, False), 0.02),
        ("cnt", lambda: cv2.bgsegm.createBackgroundSubtractorCNT(15, True, 900, True), -1),
        ("cnt-lr0.5", lambda: cv2.bgsegm.createBackgroundSubtractorCNT(15, True, 900, True), 0.5),
        ("cnt-lr0", lambda: cv2.bgsegm.createBackgroundSubtractorCNT(15, True, 900, True), 0),
    ]
    rows = ["config,frame,foreground,fnv1a"]
    for name, make, rate in configs:
        sub = make()
        scene = Scene(width, height, 12345)
        for f in range(frames):
            mask = sub.apply(scene.frame(f), learningRate=rate)
            rows.append(f"{name},{f},{int((mask != 0).sum())},{fnv1a(mask.tobytes())}")
    with open(os.path.join(HERE, "subtractors.csv"), "w") as fh:
        fh.write("# scene 37x23 seed 12345, 300 frames; mask = OpenCV apply(frame, learningRate)\n")
        fh.write("\n".join(rows) + "\n")


def detector_runs():
    """dvr-scan's own MotionDetector (crop, subsample, subtractor, opening, ROI score) on the scene."""
    from dvr_scan.detector import MotionDetector
    from dvr_scan.region import Point
    from dvr_scan.subtractor import SubtractorCNT, SubtractorMOG2

    width, height, frames = 64, 48, 120
    cases = [
        {"name": "default", "kind": "MOG2", "kernel": 3, "downscale": 1, "regions": []},
        {"name": "k0-df2", "kind": "MOG2", "kernel": 0, "downscale": 2, "regions": []},
        {"name": "k5-df3-cnt", "kind": "CNT", "kernel": 5, "downscale": 3, "regions": []},
        {"name": "regions", "kind": "MOG2", "kernel": 3, "downscale": 2,
         "regions": [[[5, 4], [40, 6], [30, 40]], [[64, 48], [50, 20], [64, 10]]]},
    ]
    out = []
    for case in cases:
        if case["kind"] == "MOG2":
            sub = SubtractorMOG2(kernel_size=case["kernel"])
        else:
            sub = SubtractorCNT(kernel_size=case["kernel"])
        regions = [[Point(x, y) for x, y in poly] for poly in case["regions"]]
        det = MotionDetector(sub, (width, height), case["downscale"], regions)
        scene = Scene(width, height, 777)
        scores = []
        for f in range(frames):
            gray = scene.frame(f)
            bgr = cv2.merge([gray, gray, gray])
            scores.append(float(det.update(bgr).score))
        out.append(dict(case, scores=scores))
    with open(os.path.join(HERE, "detector.json"), "w") as fh:
        json.dump({"width": width, "height": height, "seed": 777, "frames": frames, "cases": out}, fh)


def polygon_runs():
    rng = np.random.default_rng(2024)
    width, height = 41, 29
    cases = []
    fixed = [
        [[0, 0], [41, 0], [41, 29], [0, 29]],            # touches W and H
        [[5, 5], [35, 25], [35, 5], [5, 25]],            # bow tie (self-intersecting)
        [[20, 0], [41, 14], [20, 29], [0, 14]],          # diamond clipped at the borders
        [[3, 3], [3, 20], [3, 10]],                      # degenerate vertical
        [[0, 28], [41, 29], [10, 29]],                   # thin sliver along the bottom edge
    ]
    polys = fixed + [
        [[int(rng.integers(0, width + 1)), int(rng.integers(0, height + 1))]
         for _ in range(int(rng.integers(3, 9)))] for _ in range(40)]
    for poly in polys:
        mask = np.zeros((height, width), np.uint8)
        cv2.fillPoly(mask, np.array([poly], np.int32), 255, lineType=cv2.LINE_4)
        rows = ["".join("1" if v else "0" for v in row) for row in mask]
        cases.append({"points": poly, "mask": rows})
    with open(os.path.join(HERE, "polygons.json"), "w") as fh:
        json.dump({"width": width, "height": height, "cases": cases}, fh, indent=0)


def morphology_runs():
    rng = np.random.default_rng(7)
    cases = []
    for k, (w, h), density in [(3, (23, 17), 0.5), (5, (40, 9), 0.7), (7, (19, 31), 0.8), (3, (1, 5), 0.6),
                               (5, (33, 33), 0.9), (7, (5, 4), 0.9)]:
        mask = (rng.random((h, w)) < density).astype(np.uint8) * 255
        opened = cv2.morphologyEx(mask, cv2.MORPH_OPEN, np.ones((k, k), np.uint8))
        cases.append({"kernel": k, "width": w, "height": h,
                      "input": ["".join("1" if v else "0" for v in row) for row in mask],
                      "output": ["".join("1" if v else "0" for v in row) for row in opened]})
    with open(os.path.join(HERE, "morphology.json"), "w") as fh:
        json.dump({"cases": cases}, fh, indent=0)


if __name__ == "__main__":
    subtractor_runs()
    detector_runs()
    polygon_runs()
    morphology_runs()
