#!/usr/bin/env python3
"""
batch.py - run many raw S/370 images in ONE Hercules 3.13 process (the S/370 differential
test's oracle driver; the single-program equivalent is ../shared/tools/hercules/run_s370.py).

usage: batch.py DIR COUNT RANGE...

For k in 0..COUNT-1 it runs DIR/k.bin: the image is loaded at absolute 0 (so it carries its
own restart PSW at 0 and new PSWs), then

    sysclear ; loadcore DIR/k.bin 0 ; restart ; (wait for HHCCP011I, or stop after 2 s)
    psw ; r RANGE...

and prints, per program:

    PROG k
    STATUS WAIT|TIMEOUT|ERROR
    PSW xxxxxxxx xxxxxxxx
    MEM aaaaaaaa <32 hex digits>     (16 bytes per line, each RANGE = START-END, hex)
    END k

Hercules runs in panel mode with stdin+stderr on a private pty (the panel's screen is read
and discarded) and stdout on a pipe (the hardcopy log, parsed here). Each command is typed
only after the previous one's echo is in the log: the 3.13 panel drops a second command
that arrives in the same read(). If Hercules dies, it is started again for the next
program. No sockets are opened; the process is killed (by its PID) at the end.
"""
import os, pty, re, select, subprocess, sys, tempfile, time

HERCULES = os.environ.get("HERCULES", "hercules")
TS = re.compile(rb"^\d\d:\d\d:\d\d ", re.M)
CONFIG = """ARCHMODE  S/370
MAINSIZE  2
NUMCPU    1
MAXCPU    1
CPUMODEL  3033
CPUSERIAL 000001
CPUVERID  FD
OSTAILOR  NULL
000E 1403 /dev/null
"""


class Herc:
    def __init__(self, work):
        cnf = os.path.join(work, "h.cnf")
        with open(cnf, "w") as f:
            f.write(CONFIG)
        rc = os.path.join(work, "empty.rc")
        open(rc, "w").close()
        self.m, s = pty.openpty()
        self.p = subprocess.Popen([HERCULES, "-f", cnf], cwd=work, stdin=s, stderr=s,
                                  stdout=subprocess.PIPE, start_new_session=True,
                                  env=dict(os.environ, HERCULES_RC=rc))
        os.close(s)
        self.out = self.p.stdout.fileno()
        self.buf = b""
        self.dead = False
        self.ok = self.wait_for(b"HHCPN013I", 15)

    def pump(self, timeout):
        fds = [self.m] + ([] if self.dead else [self.out])
        r, _, _ = select.select(fds, [], [], max(0.0, timeout))
        if self.m in r:
            try:
                os.read(self.m, 1 << 16)
            except OSError:
                pass
        if self.out in r:
            chunk = os.read(self.out, 1 << 16)
            if chunk:
                self.buf += chunk
            else:
                self.dead = True

    def wait_for(self, pat, timeout, start=0):
        end = time.monotonic() + timeout
        while self.buf.find(pat, start) < 0:
            if self.dead or time.monotonic() >= end:
                return False
            self.pump(min(0.05, end - time.monotonic()))
        return True

    def cmd(self, c, timeout=5.0):
        mark = len(self.buf)
        os.write(self.m, c.encode() + b"\r")
        return self.wait_for(c.encode(), timeout, mark)

    def close(self):
        if self.p.poll() is None:
            self.p.kill()
        self.p.wait()
        self.p.stdout.close()
        os.close(self.m)


def run_one(h, image, ranges, k):
    h.buf = b""
    for c in ("sysclear", f"loadcore {image} 0", f"* GO {k}", "restart"):
        if not h.cmd(c):
            return "ERROR", ""
        if c.startswith("loadcore") and not h.wait_for(b"bytes read from " + image.encode(), 5):
            return "ERROR", ""
    go = h.buf.rfind(f"* GO {k}".encode())
    if h.wait_for(b"HHCCP011I", 0.5, go):
        status = "WAIT"
        # The wait message's PSW line comes separately: let it arrive first.
        w = h.buf.find(b"HHCCP011I", go)
        h.wait_for(b"PSW=", 1.0, w)
        h.wait_for(b"\n", 1.0, h.buf.find(b"PSW=", w))
    else:
        status = "TIMEOUT"
        h.cmd("stop")
        time.sleep(0.02)
    h.cmd(f"* DUMP {k}")
    h.cmd("psw")
    for lo, hi in ranges:
        p = lo & ~0xF
        while p <= hi:
            q = min(hi, p + 0x3E00 - 1)
            h.cmd(f"r {p:X}-{q:X}")
            p = q + 1
    end = f"* END {k}"
    h.cmd(end)
    h.wait_for(b"\n", 1, h.buf.rfind(end.encode()))
    if end.encode() not in h.buf:
        return "ERROR", ""
    return status, TS.sub(b"", h.buf).decode("latin-1")


def parse(log):
    lines = log.splitlines()
    try:
        i0 = max(i for i, l in enumerate(lines) if l.lstrip().startswith("* DUMP"))
    except ValueError:
        return []
    out = []
    for l in lines[i0:]:
        m = re.match(r"^\s*PSW=([0-9A-F]{8}) ([0-9A-F]{8})", l)
        if m:
            out.append(f"PSW {m.group(1)} {m.group(2)}")
            break
    mem = {}
    for l in lines[i0:]:
        m = re.match(r"^R:([0-9A-F]{8}):K:([0-9A-F]{2})=((?:[0-9A-F]{8} ?){1,4})", l)
        if m:
            mem[int(m.group(1), 16)] = m.group(3).replace(" ", "")
    out += [f"MEM {a:08X} {mem[a]}" for a in sorted(mem)]
    return out


def main():
    d, count = sys.argv[1], int(sys.argv[2])
    ranges = []
    for r in sys.argv[3:]:
        a, b = r.split("-")
        ranges.append((int(a, 16), int(b, 16)))
    work = tempfile.mkdtemp(prefix="hercbatch_")
    h = None
    try:
        for k in range(count):
            if h is None or h.dead or not h.ok:
                if h is not None:
                    h.close()
                h = Herc(work)
            image = os.path.abspath(os.path.join(d, f"{k}.bin"))
            for attempt in range(3):
                status, log = run_one(h, image, ranges, k)
                lines = parse(log) if status != "ERROR" else []
                # A restart old PSW other than zero means the sysclear was lost (the
                # 3.13 panel drops commands now and then): run it again in a new Hercules.
                first = next((l for l in lines if l.startswith("MEM 00000000 ")), None)
                ok = status != "ERROR" and (first is None or first[13 + 16:13 + 32] == "0" * 16)
                if ok or attempt == 2:
                    break
                h.close()
                h = Herc(work)
            if os.environ.get("BATCH_DEBUG") == str(k):
                sys.stderr.write(log)
            print(f"PROG {k}")
            print(f"STATUS {status}")
            if status != "ERROR":
                print("\n".join(lines))
            print(f"END {k}", flush=True)
            if status == "ERROR":
                h.close()
                h = None
    finally:
        if h is not None:
            h.close()
        for f in os.listdir(work):
            os.unlink(os.path.join(work, f))
        os.rmdir(work)


if __name__ == "__main__":
    main()
