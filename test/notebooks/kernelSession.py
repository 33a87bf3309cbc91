#!/usr/bin/python3
"""Drive one tslab kernel through a list of cells, as a person at Jupyter would, and report what each showed.

Reads JSON from stdin: {"cwd": DIR, "cells": [{"id": "a", "code": "...", "interrupt_on": "TEXT"?}, ...]}.
Cells run in order in one kernel (an id may repeat: that is a re-run of the cell). With
"interrupt_on", the kernel is interrupted (KernelManager.interrupt_kernel: SIGINT, as Jupyter's
interrupt button) once that text appears on the cell's stdout or stderr. Writes JSON to stdout:
one entry per execution with its reply status, stdout, stderr, the HTML it displayed, and
whether it was interrupted. Uses the project's Jupyter directories, like scripts/run_notebooks.py.
"""
import importlib.util
import json
import os
import queue
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("run_notebooks", ROOT / "scripts" / "run_notebooks.py")
run_notebooks = importlib.util.module_from_spec(spec)
spec.loader.exec_module(run_notebooks)
run_notebooks.use_project_jupyter()

from jupyter_client.manager import start_new_kernel  # noqa: E402

# A safety net against a hung kernel, not a measurement: the tests bound events, not time.
LIMIT = int(os.environ.get("STALELAB_KERNEL_LIMIT", "600"))


def run_cell(km, kc, cell):
    msg_id = kc.execute(cell["code"])
    out = {"id": cell["id"], "stdout": "", "stderr": "", "html": [], "markdown": [], "interrupted": False}
    marker = cell.get("interrupt_on")
    while True:
        try:
            msg = kc.get_iopub_msg(timeout=LIMIT)
        except queue.Empty:
            out["status"] = "hung"
            return out
        if msg["parent_header"].get("msg_id") != msg_id:
            continue
        kind, content = msg["msg_type"], msg["content"]
        if kind == "stream":
            out[content["name"]] += content["text"]
        elif kind in ("display_data", "execute_result"):
            data = content.get("data", {})
            if "text/html" in data:
                out["html"].append(data["text/html"])
            elif "text/markdown" in data:
                out["markdown"].append(data["text/markdown"])
            elif "text/plain" in data:
                out["stdout"] += data["text/plain"] + "\n"
        elif kind == "error":
            out["stderr"] += f"{content.get('ename')}: {content.get('evalue')}\n"
        elif kind == "status" and content["execution_state"] == "idle":
            break
        if marker and not out["interrupted"] and (marker in out["stdout"] or marker in out["stderr"]):
            km.interrupt_kernel()
            out["interrupted"] = True
    while True:
        reply = kc.get_shell_msg(timeout=LIMIT)
        if reply["parent_header"].get("msg_id") == msg_id:
            out["status"] = reply["content"]["status"]
            break
    return out


def main():
    request = json.load(sys.stdin)
    with tempfile.TemporaryFile() as kernel_log:
        km, kc = start_new_kernel(kernel_name="tslab", cwd=request["cwd"], startup_timeout=LIMIT, stdout=kernel_log, stderr=kernel_log)
        results = []
        try:
            for cell in request["cells"]:
                print(f"kernelSession: cell {cell['id']}", file=sys.stderr, flush=True)
                results.append(run_cell(km, kc, cell))
                if results[-1]["status"] == "hung":
                    kernel_log.seek(0)
                    tail = kernel_log.read().decode("utf-8", "replace")[-4000:]
                    print(f"kernelSession: cell {cell['id']} showed nothing for {LIMIT} s (kernel alive: {km.is_alive()}): "
                          f"{json.dumps(results[-1])}\nkernel output:\n{tail}", file=sys.stderr, flush=True)
                    break
        finally:
            kc.stop_channels()
            km.shutdown_kernel(now=True)
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
