"""Ingest benchmark (a script, not a test): ``python bench/ingest.py [--runs N] [--worst]``.

1. Analysis of a 60-minute file against one bare ``ffmpeg -i FILE -f null -`` decode of the
   same file, alternated in the same run (target: ratio <= 1.2). The file is a generated
   programme: espeak-ng speech, a loud limited music bed and a softer one, pauses, looped
   to an hour and encoded as 128 kbit/s MP3. ``--worst`` adds a constant full-band noise
   file, the worst case for the true-peak meter (it must interpolate everything).
2. Memory of the web process (waitress, a real server in its own process) while it
   receives a 500 MB upload in 16 MB chunks, cut off halfway and resumed (target: growth
   <= 30 MB). The process's resident memory is sampled every 20 ms from /proc.

Generated audio goes to bench/out/ (gitignored) and is reused.
"""

from __future__ import annotations

import argparse
import base64
import http.client
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "bench" / "out"
PASSWORD = "a long enough password"
EMAIL = "bench@example.org"
UPLOAD_BYTES = 500 * 1000 * 1000
CHUNK = 16 * 1024 * 1024

TEXT = (
    "Good evening and welcome to the community hour. Tonight we have news from the "
    "allotments, a conversation with the lifeboat crew, and a lot of music from local bands. "
    "First, the weather: a bright start tomorrow, with showers moving in from the west by "
    "lunchtime, and a fresh breeze along the coast. The allotment society tells us that the "
    "autumn show will be held in the church hall, with prizes for the longest runner bean. "
)
LOUD = (
    "aevalsrc='0.3*sin(2*PI*220*t)+0.25*sin(2*PI*277.18*t)+0.2*sin(2*PI*329.63*t)"
    "+0.15*sin(2*PI*1760*t)*(0.5+0.5*sin(2*PI*2*t))+0.6*(random(0)-0.5)*exp(-25*mod(t,0.5))|"
    "0.3*sin(2*PI*220.5*t)+0.25*sin(2*PI*277.18*t)+0.2*sin(2*PI*415.3*t)"
    "+0.5*(random(1)-0.5)*exp(-25*mod(t+0.25,0.5))':s=44100:d=60"
)
SOFT = (
    "aevalsrc='0.2*sin(2*PI*196*t)*(0.6+0.4*sin(2*PI*0.3*t))+0.1*sin(2*PI*392*t)"
    "+0.05*sin(2*PI*3136*t)*exp(-8*mod(t,0.75))|0.2*sin(2*PI*246.9*t)*(0.6+0.4*sin(2*PI*0.25*t))"
    "+0.1*sin(2*PI*493.9*t)':s=44100:d=60"
)


def ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-y", *args], check=True)


def programme_hour() -> Path:
    target = OUT / "programme-60min.mp3"
    if target.exists():
        return target
    OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as tmp:
        t = Path(tmp)
        subprocess.run(["espeak-ng", "-w", str(t / "speech.wav"), TEXT], check=True)
        ffmpeg("-f", "lavfi", "-i", LOUD, "-af", "volume=4,alimiter=limit=0.9:level=false",
               str(t / "loud.wav"))  # fmt: skip
        ffmpeg("-f", "lavfi", "-i", SOFT, str(t / "soft.wav"))
        ffmpeg(
            "-i", str(t / "speech.wav"), "-i", str(t / "loud.wav"), "-i", str(t / "soft.wav"),
            "-filter_complex",
            "[0]aresample=44100,pan=stereo|c0=c0|c1=c0,apad=pad_dur=1.5[s];[s]asplit[s1][s2];"
            "[s1][1][s2][2]concat=n=4:v=0:a=1",
            str(t / "base.wav"),
        )  # fmt: skip
        ffmpeg("-stream_loop", "-1", "-i", str(t / "base.wav"), "-t", "3600",
               "-c:a", "libmp3lame", "-b:a", "128k", str(target))  # fmt: skip
    return target


def noise_hour() -> Path:
    target = OUT / "noise-60min.mp3"
    if not target.exists():
        OUT.mkdir(parents=True, exist_ok=True)
        ffmpeg("-f", "lavfi", "-i", "anoisesrc=r=44100:a=0.3:d=3600", "-ac", "2",
               "-c:a", "libmp3lame", "-b:a", "128k", str(target))  # fmt: skip
    return target


def cpu() -> float:
    """CPU seconds used so far by this process and its finished children."""
    mine = os.times()
    return mine.user + mine.system + mine.children_user + mine.children_system


def bare_decode(path: Path) -> tuple[float, float]:
    start, used = time.perf_counter(), cpu()
    subprocess.run(["ffmpeg", "-nostdin", "-v", "error", "-i", str(path), "-f", "null", "-"],
                   check=True)  # fmt: skip
    return time.perf_counter() - start, cpu() - used


def analysis(path: Path) -> tuple[float, float, object]:
    from radio.media.analysis import analyse
    from radio.media.probe import probe

    start, used = time.perf_counter(), cpu()
    found = probe(path)
    result = analyse(path, sample_rate=found.sample_rate, channels=found.channels,
                     silence_threshold_db=-50.0)  # fmt: skip
    return time.perf_counter() - start, cpu() - used, result


def bench_analysis(path: Path, runs: int) -> dict[str, object]:
    import radio.media.analysis
    import radio.media.probe  # noqa: F401

    bare, ours, bare_cpu, our_cpu = [], [], [], []
    result: object = None
    for _ in range(runs):
        took, used = bare_decode(path)
        bare.append(took)
        bare_cpu.append(used)
        took, used, result = analysis(path)
        ours.append(took)
        our_cpu.append(used)
    ratios = [o / b for o, b in zip(ours, bare, strict=True)]
    return {
        "file": path.name,
        "bare_decode_s": [round(b, 2) for b in bare],
        "analysis_s": [round(o, 2) for o in ours],
        "ratio_median": round(statistics.median(ratios), 3),
        "ratio_best": round(min(ratios), 3),
        # Work done, whatever else the machine is running: both cores' seconds.
        "bare_decode_cpu_s": [round(b, 2) for b in bare_cpu],
        "analysis_cpu_s": [round(o, 2) for o in our_cpu],
        "load_average": round(os.getloadavg()[0], 2),
        "result": repr(result),
    }


# The upload half -------------------------------------------------------------------------


def serve(data_dir: Path) -> None:
    """Child mode: the web app on a free port (printed), in this process."""
    import logging

    import waitress

    from radio.accounts.passwords import Passwords, cheap_hasher
    from radio.bootstrap import build_services
    from radio.config import Settings
    from web import create_app

    logging.basicConfig(level=logging.WARNING)
    settings = Settings(data_dir=data_dir, playlists_dir=data_dir / "playlists",
                        max_upload_bytes=2 * UPLOAD_BYTES)  # fmt: skip
    services = build_services(settings, passwords=Passwords(cheap_hasher()))
    app = create_app(settings, services)
    services.accounts.add(EMAIL, "admin", PASSWORD, name="Bench")
    server = waitress.create_server(app, host="127.0.0.1", port=0, threads=4)
    print(server.effective_port, flush=True)  # type: ignore[union-attr]
    server.run()


class Client:
    def __init__(self, port: int) -> None:
        self.port = port
        self.cookie = ""
        self.token = ""

    def request(
        self, method: str, path: str, body: object = None, headers: dict[str, str] | None = None
    ) -> tuple[int, dict[str, str], bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
        try:
            sent = {"Cookie": self.cookie, "X-CSRFToken": self.token, **(headers or {})}
            conn.request(method, path, body=body, headers=sent)  # type: ignore[arg-type]
            response = conn.getresponse()
            answer = response.read()
            for key, value in response.getheaders():
                if key.lower() == "set-cookie" and value.startswith("session="):
                    self.cookie = value.split(";", 1)[0]
            return response.status, dict(response.getheaders()), answer
        finally:
            conn.close()

    def login(self) -> None:
        _, _, page = self.request("GET", "/login")
        token = re.search(rb'csrf_token" type="hidden" value="([^"]+)"', page)
        assert token, "no CSRF token on the login page"
        form = urlencode({"email": EMAIL, "password": PASSWORD, "csrf_token": token.group(1)})
        status, _, _ = self.request(
            "POST", "/login", form.encode(), {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert status == 302, status
        _, _, page = self.request("GET", "/logout")
        token = re.search(rb'csrf_token" type="hidden" value="([^"]+)"', page)
        assert token, "no CSRF token after logging in"
        self.token = token.group(1).decode()


class Sampler(threading.Thread):
    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak = 0
        self.running = True

    def rss(self) -> int:
        text = Path(f"/proc/{self.pid}/status").read_text()
        found = re.search(r"VmRSS:\s+(\d+) kB", text)
        return int(found.group(1)) * 1024 if found else 0

    def run(self) -> None:
        while self.running:
            self.peak = max(self.peak, self.rss())
            time.sleep(0.02)


def upload_file(source: Path) -> Path:
    """500 MB of WAV (about 47 minutes), so that the finished upload analyses for real."""
    target = OUT / "upload-500MB.wav"
    if not target.exists() or target.stat().st_size != UPLOAD_BYTES:
        ffmpeg("-i", str(source), "-c:a", "pcm_s16le", "-f", "wav", str(target))
        with target.open("r+b") as fp:
            fp.truncate(UPLOAD_BYTES)
    return target


def chunk_of(path: Path, offset: int, size: int) -> object:
    """A file-like window over ``path`` (http.client streams it without loading it)."""
    fp = path.open("rb")
    fp.seek(offset)

    class Window:
        left = size

        def read(self, n: int = -1) -> bytes:
            if self.left <= 0:
                fp.close()
                return b""
            data = fp.read(self.left if n < 0 else min(n, self.left))
            self.left -= len(data)
            return data

    return Window()


def bench_upload(source: Path) -> dict[str, object]:
    data = upload_file(source)
    with tempfile.TemporaryDirectory() as tmp:
        child = subprocess.Popen([sys.executable, __file__, "--serve", tmp],
                                 stdout=subprocess.PIPE, text=True)  # fmt: skip
        try:
            assert child.stdout is not None
            port = int(child.stdout.readline())
            client = Client(port)
            client.login()
            sampler = Sampler(child.pid)
            time.sleep(0.5)
            baseline = sampler.rss()
            sampler.start()
            tus = {"Tus-Resumable": "1.0.0"}
            meta = "filename " + base64.b64encode(b"bench.wav").decode()
            status, headers, body = client.request(
                "POST", "/api/uploads", None,
                {**tus, "Upload-Length": str(UPLOAD_BYTES), "Upload-Metadata": meta},
            )  # fmt: skip
            assert status == 201, body
            url = headers["Location"]
            offset, dropped = 0, False
            started = time.perf_counter()
            while offset < UPLOAD_BYTES:
                size = min(CHUNK, UPLOAD_BYTES - offset)
                if not dropped and offset >= UPLOAD_BYTES // 2:
                    dropped = True
                    cut_off(port, client, url, data, offset, size)
                    _, headers, _ = client.request("HEAD", url, None, tus)
                    offset = int(headers["Upload-Offset"])
                    continue
                status, headers, body = client.request(
                    "PATCH", url, chunk_of(data, offset, size),
                    {**tus, "Upload-Offset": str(offset), "Content-Length": str(size),
                     "Content-Type": "application/offset+octet-stream"},
                )  # fmt: skip
                if offset + size < UPLOAD_BYTES:
                    assert status == 204, body
                    offset = int(headers["Upload-Offset"])
                    receiving_peak = sampler.peak
                else:
                    assert status == 204, body
                    offset = UPLOAD_BYTES
            total = time.perf_counter() - started
            _, _, state = client.request("GET", url)
            sampler.running = False
            sampler.join()
            result = json.loads(state)
            return {
                "uploaded_bytes": UPLOAD_BYTES,
                "chunk_bytes": CHUNK,
                "dropped_at_half_and_resumed": dropped,
                "baseline_rss_mb": round(baseline / 2**20, 1),
                "growth_while_receiving_mb": round((receiving_peak - baseline) / 2**20, 1),
                "growth_including_final_analysis_mb": round((sampler.peak - baseline) / 2**20, 1),
                "seconds_upload_and_analysis": round(total, 1),
                "status": result["status"],
                "duration_s": (result.get("result") or {}).get("item", {}).get("duration_s"),
            }
        finally:
            child.terminate()
            child.wait(timeout=10)


def cut_off(port: int, client: Client, url: str, data: Path, offset: int, size: int) -> None:
    """Send half of a chunk and drop the connection."""
    with socket.create_connection(("127.0.0.1", port)) as raw:
        head = (
            f"PATCH {url} HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: {client.cookie}\r\n"
            f"X-CSRFToken: {client.token}\r\nTus-Resumable: 1.0.0\r\n"
            f"Upload-Offset: {offset}\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Content-Length: {size}\r\n\r\n"
        )
        raw.sendall(head.encode())
        with data.open("rb") as fp:
            fp.seek(offset)
            raw.sendall(fp.read(size // 2))
    time.sleep(0.5)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--worst", action="store_true", help="also the constant-noise file")
    parser.add_argument("--skip-upload", action="store_true")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.serve)
        return 0
    for program in ("ffmpeg", "espeak-ng"):
        if shutil.which(program) is None:
            print(f"{program} is not installed", file=sys.stderr)
            return 1
    report: dict[str, object] = {"cpus": os.cpu_count(), "load_before": os.getloadavg()[0]}
    hour = programme_hour()
    report["analysis"] = [bench_analysis(hour, args.runs)]
    if args.worst:
        report["analysis"].append(bench_analysis(noise_hour(), args.runs))  # type: ignore[attr-defined]
    if not args.skip_upload:
        report["upload"] = bench_upload(hour)
    print(json.dumps(report, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
