"""Drives kernels through jupyter_client, the library front ends use; the TS benches run it with /usr/bin/python3.

Reads a JSON config on stdin, writes one JSON result on stdout. The caller sets JUPYTER_PATH (kernelspecs),
JUPYTER_RUNTIME_DIR and IPYTHONDIR to temp dirs.

  {"mode": "kernel", "kernels": [{"name": "flowbook", "code": "1+1", "distinct": "1+{i}"}, ...], "starts": 5,
   "cells": 200, "warmup": 20}
      start -> first result for each kernel (rounds interleaved, so load drift hits every kernel alike), then
      trivial-cell round trips with every kernel alive, run in interleaved batches: the same cell again ("rt"),
      and, with "distinct", a new cell text each time ("rt_distinct"; {i} is the cell's number).
  {"mode": "cells", "kernels": [{"name": "flowbook"}], "cells": ["code", ...], "repeat": 3}
      each cell `repeat` times in one kernel: wall time and the cell's stdout.

Start -> first result is what start_new_kernel does (KernelManager.start_kernel, client, wait_for_ready), then
one execute up to its result. In jupyter_client 7.4.9 wait_for_ready ends with a 0.2 s iopub flush: every kernel
pays it, so it is in every figure alike; "ready_s" and "first_cell_s" split the total.
"""
import json
import os
import sys
import tempfile
import time
from queue import Empty

import jupyter_client
from jupyter_client.manager import KernelManager


def log(*args):
    print(*args, file=sys.stderr, flush=True)


class Kernel:
    """One kernel started through KernelManager, its stderr kept in a temp file for error messages."""

    def __init__(self, name, timeout):
        self.name = name
        self.timeout = timeout
        self.errlog = tempfile.TemporaryFile()
        self.km = KernelManager(kernel_name=name)
        self.kc = None

    def start(self):
        self.km.start_kernel(stdout=self.errlog, stderr=self.errlog)
        self.kc = self.km.client()
        self.kc.start_channels()
        try:
            self.kc.wait_for_ready(timeout=self.timeout)
        except RuntimeError as e:
            raise RuntimeError(f"{self.name}: {e}; stderr: {self.stderr()}") from None

    def stderr(self):
        self.errlog.seek(0)
        return self.errlog.read().decode(errors="replace")[-2000:]

    def execute(self, code, need_result=False):
        """Sends one execute_request; returns (seconds to shell reply and iopub idle, reply, iopub messages).

        need_result: also wait for the result. Deno 2.9 sometimes publishes execute_result after its idle status
        (seen in 1 of 4 starts), and a front end shows the result when it arrives.
        """
        kc = self.kc
        t0 = time.perf_counter()
        # allow_stdin as JupyterLab sends it: flowbook treats a client without stdin as a batch run and waits
        # for the cell's type check there.
        msg_id = kc.execute(code, store_history=True, allow_stdin=True)
        deadline = t0 + self.timeout
        reply = None
        iopub = []
        idle = False
        while reply is None or not idle or (need_result and not has_result(iopub)):
            left = deadline - time.perf_counter()
            if left <= 0:
                raise TimeoutError(f"{self.name}: no reply/idle for {code!r} in {self.timeout} s; stderr: {self.stderr()}")
            try:
                if reply is None:
                    m = kc.get_shell_msg(timeout=left)
                    if m["parent_header"].get("msg_id") == msg_id:
                        reply = m
                    continue
                m = kc.get_iopub_msg(timeout=left)
            except Empty:
                continue
            if m["parent_header"].get("msg_id") != msg_id:
                continue
            iopub.append(m)
            if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle":
                idle = True
        return time.perf_counter() - t0, reply, iopub

    def stop(self):
        try:
            if self.kc is not None:
                self.kc.stop_channels()
            if self.km.has_kernel:
                self.km.shutdown_kernel(now=False)
        finally:
            self.errlog.close()


def has_result(iopub):
    # tslab sends a cell's value as stdout rather than execute_result: count either as the first result.
    return any(m["msg_type"] in ("execute_result", "stream") for m in iopub)


def start_to_first_result(spec, timeout):
    k = Kernel(spec["name"], timeout)
    try:
        t0 = time.perf_counter()
        k.start()
        ready = time.perf_counter() - t0
        cell, reply, iopub = k.execute(spec["code"], need_result=True)
        total = time.perf_counter() - t0
        if reply["content"]["status"] != "ok" or not has_result(iopub):
            raise RuntimeError(f"{spec['name']}: no result for {spec['code']!r}: {reply['content']}")
        idle_at = next(i for i, m in enumerate(iopub) if m["msg_type"] == "status" and m["content"]["execution_state"] == "idle")
        late = not has_result(iopub[:idle_at])
        return {"total_s": total, "ready_s": ready, "first_cell_s": cell, "result_after_idle": late}
    finally:
        k.stop()


def pct(xs, p):
    s = sorted(xs)
    return s[min(len(s) - 1, int(p / 100 * len(s)))]


def mode_kernel(cfg):
    timeout = cfg.get("timeout", 60)
    specs = cfg["kernels"]
    out = {s["name"]: {"starts": []} for s in specs}
    for r in range(cfg.get("starts", 5)):
        for s in specs:
            d = out[s["name"]]
            if "error" in d:
                continue
            try:
                d["starts"].append(start_to_first_result(s, timeout))
            except Exception as e:  # a peer that fails is reported, the others still run
                d["error"] = str(e)
            log(f"start {r}: {s['name']} {d['starts'][-1] if 'error' not in d else d['error']}")
    alive = {}
    try:
        for s in specs:
            k = Kernel(s["name"], timeout)
            try:
                k.start()
                for _ in range(cfg.get("warmup", 20)):
                    k.execute(s["code"])
                alive[s["name"]] = (k, s, [], [])
            except Exception as e:
                out[s["name"]]["rt_error"] = str(e)
                k.stop()
        cells, batch = cfg.get("cells", 200), cfg.get("batch", 20)
        for _ in range(0, cells, batch):
            for name, (k, s, times, distinct) in list(alive.items()):
                try:
                    for _ in range(batch):
                        times.append(k.execute(s["code"])[0])
                    for _ in range(batch if "distinct" in s else 0):
                        distinct.append(k.execute(s["distinct"].replace("{i}", str(len(distinct))))[0])
                except Exception as e:
                    out[name]["rt_error"] = str(e)
                    del alive[name]
                    k.stop()
        for name, (k, s, times, distinct) in alive.items():
            out[name].update(rt_p50_s=pct(times, 50), rt_p99_s=pct(times, 99), rt_cells=len(times))
            if distinct:
                out[name].update(rt_distinct_p50_s=pct(distinct, 50), rt_distinct_p99_s=pct(distinct, 99))
    finally:
        for k, *_ in alive.values():
            k.stop()
    for d in out.values():
        if d["starts"]:
            d["start_median_s"] = pct([x["total_s"] for x in d["starts"]], 50)
    return out


def stdout_of(iopub):
    return "".join(m["content"]["text"] for m in iopub if m["msg_type"] == "stream" and m["content"]["name"] == "stdout")


def mode_cells(cfg):
    timeout = cfg.get("timeout", 300)
    out = {}
    for s in cfg["kernels"]:
        k = Kernel(s["name"], timeout)
        runs = []
        try:
            k.start()
            for r in range(cfg.get("repeat", 3)):
                for i, code in enumerate(s["cells"]):
                    wall, reply, iopub = k.execute(code.replace("{r}", str(r)))
                    c = reply["content"]
                    err = None if c["status"] == "ok" else f"{c.get('ename')}: {c.get('evalue')}"
                    runs.append({"cell": i, "repeat": r, "wall_s": wall, "stdout": stdout_of(iopub), "error": err})
                    log(f"{s['name']} cell {i} repeat {r}: {wall:.3f} s {err or ''}")
            out[s["name"]] = {"runs": runs}
        except Exception as e:
            out[s["name"]] = {"runs": runs, "error": str(e)}
        finally:
            k.stop()
    return out


def main():
    cfg = json.load(sys.stdin)
    modes = {"kernel": mode_kernel, "cells": mode_cells}
    result = {
        "client": f"jupyter_client {jupyter_client.__version__}",
        "python": sys.version.split()[0],
        "kernels": modes[cfg["mode"]](cfg),
    }
    json.dump(result, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    main()
