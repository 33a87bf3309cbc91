#!/usr/bin/python3
"""Run stalelab's notebooks headless with the tslab kernel and write one HTML report per notebook.

Run with Debian's /usr/bin/python3 (it has nbclient, nbconvert and nbformat):

    /usr/bin/python3 scripts/run_notebooks.py --profile quick            # every notebooks/*.ipynb
    /usr/bin/python3 scripts/run_notebooks.py --profile smoke 00-quickstart

For each notebook it writes reports/<name>.ipynb (executed, execution counts filled in, signed so
Jupyter trusts its plots), reports/<name>.html (nbconvert) and, from inside the notebook,
reports/<name>/ with the tables (CSV) and figures (plotly JSON). A failing cell stops that
notebook: its source and the error tslab printed are shown, the partial report is still written,
and the command exits 1 once all notebooks were tried. The source notebooks are never modified.
"""
from __future__ import annotations

import argparse
import html
import json
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROFILES = ("smoke", "quick", "medium", "full")


def use_project_jupyter() -> None:
    """Keep Jupyter's directories in .jupyter/ (as scripts/jupyter-env.sh does) unless already set."""
    j = ROOT / ".jupyter"
    defaults = {
        "JUPYTER_PATH": j / "share" / "jupyter",
        "JUPYTER_CONFIG_DIR": j / "config",
        "JUPYTER_DATA_DIR": j / "data",
        "JUPYTER_RUNTIME_DIR": j / "runtime",
        "IPYTHONDIR": j / "ipython",
        "XDG_CONFIG_HOME": j / "xdg-config",
        "XDG_CACHE_HOME": j / "xdg-cache",
    }
    for key, path in defaults.items():
        os.environ.setdefault(key, str(path))
        Path(os.environ[key].split(os.pathsep)[0]).mkdir(parents=True, exist_ok=True)


try:
    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
    from nbconvert import HTMLExporter
    from nbformat.sign import NotebookNotary
except ImportError as e:  # pragma: no cover - depends on the machine
    sys.stderr.write(
        f"run_notebooks: {e}.\nRun this with Debian's /usr/bin/python3 after `bash scripts/setup-jupyter.sh` "
        "(apt packages jupyter-notebook python3-nbclient python3-nbconvert python3-nbformat jupyter-client).\n"
    )
    sys.exit(2)


def cell_text(cell) -> str:
    """What a cell printed on stderr (tslab reports compile and runtime errors there, not as error outputs)."""
    parts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream" and out.get("name") == "stderr":
            parts.append(out.get("text", ""))
        elif out.get("output_type") == "error":
            parts.append(f"{out.get('ename', '')}: {out.get('evalue', '')}\n" + "\n".join(out.get("traceback", [])))
    return "".join(parts)


def fill_execution_counts(nb) -> None:
    """Number executed code cells in order where the kernel left no count, so reports read In [1], In [2]…"""
    count = 0
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        executed = cell.get("execution_count") is not None or bool(cell.get("outputs"))
        if not executed:
            continue
        count += 1
        cell.execution_count = count
        for out in cell.outputs:
            if out.get("output_type") == "execute_result":
                out["execution_count"] = count


def indent(text: str, prefix: str = "    ") -> str:
    return "".join(prefix + line for line in text.splitlines(keepends=True))


class Progress:
    """Prints one line per cell so a long quick/full run shows where it is."""

    def __init__(self, name: str, nb) -> None:
        self.name = name
        self.total = sum(1 for c in nb.cells if c.cell_type == "code")
        self.started = 0.0
        self.failed_index: int | None = None

    def on_cell_start(self, cell, cell_index: int) -> None:
        self.started = time.monotonic()
        first = (cell.source.strip().splitlines() or [""])[0][:70]
        print(f"[{self.name}] cell {cell_index}: {first}", flush=True)

    def on_cell_executed(self, cell, cell_index: int, execute_reply) -> None:
        took = time.monotonic() - self.started
        if took >= 1.0:
            print(f"[{self.name}]   done in {took:.1f} s", flush=True)

    def on_cell_error(self, cell, cell_index: int, execute_reply) -> None:
        self.failed_index = cell_index


def run_one(path: Path, reports: Path, timeout: int | None, html_out: bool) -> dict:
    name = path.stem
    nb = nbformat.read(path, as_version=4)
    progress = Progress(name, nb)
    client = NotebookClient(
        nb,
        kernel_name="tslab",
        timeout=timeout,
        allow_errors=False,
        resources={"metadata": {"path": str(path.parent)}},
        on_cell_start=progress.on_cell_start,
        on_cell_executed=progress.on_cell_executed,
        on_cell_error=progress.on_cell_error,
    )
    started = time.monotonic()
    error = None
    with tempfile.TemporaryFile() as kernel_log:
        try:
            client.execute(stdout=kernel_log, stderr=kernel_log)
        except (CellExecutionError, CellTimeoutError, DeadKernelError) as e:
            error = e
        kernel_log.seek(0)
        kernel_output = kernel_log.read().decode("utf-8", "replace")
    seconds = time.monotonic() - started

    fill_execution_counts(nb)
    nb.metadata.setdefault("stalelab", {})
    nb.metadata["stalelab"].update({"profile": os.environ["STALELAB_PROFILE"], "seconds": round(seconds, 1), "ok": error is None})
    NotebookNotary().sign(nb)  # trusted: Jupyter then runs the plot scripts when the file is opened
    nbformat.write(nb, reports / f"{name}.ipynb")

    if html_out:
        body, _ = HTMLExporter().from_notebook_node(nb, resources={"metadata": {"name": name}})
        (reports / f"{name}.html").write_text(body, encoding="utf-8")

    result = {"notebook": name, "ok": error is None, "seconds": round(seconds, 1), "html": f"{name}.html" if html_out else None}
    if error is None:
        print(f"[{name}] ok in {seconds:.1f} s -> {reports / (name + '.html')}", flush=True)
        return result

    index = progress.failed_index
    cell = nb.cells[index] if index is not None else None
    lines = [f"[{name}] FAILED after {seconds:.1f} s"]
    if isinstance(error, CellTimeoutError):
        lines.append(f"  a cell ran longer than the {timeout} s limit (--timeout)")
    elif isinstance(error, DeadKernelError):
        lines.append("  the tslab kernel died (out of memory? crash?)")
    if cell is not None:
        lines.append(f"  cell {index} source:\n{indent(cell.source)}")
        printed = cell_text(cell)
        lines.append(f"  cell {index} error (tslab stderr):\n{indent(printed or '(nothing printed)')}")
    else:
        lines.append(f"  {type(error).__name__}: {error}")
    if kernel_output.strip():
        tail = "\n".join(kernel_output.strip().splitlines()[-40:])
        lines.append(f"  kernel process output (last 40 lines):\n{indent(tail)}")
    lines.append(f"  partial report: {reports / (name + '.html')}")
    print("\n".join(lines), file=sys.stderr, flush=True)
    result["failed_cell"] = index
    result["error"] = cell_text(cell) if cell is not None else str(error)
    return result


def write_index(reports: Path, profile: str, results: list[dict]) -> None:
    (reports / "summary.json").write_text(json.dumps({"profile": profile, "notebooks": results}, indent=2) + "\n")
    rows = []
    for r in results:
        status = "ok" if r["ok"] else f"FAILED (cell {r.get('failed_cell')})"
        link = f'<a href="{html.escape(r["html"])}">{html.escape(r["notebook"])}</a>' if r["html"] else html.escape(r["notebook"])
        tables = f'<a href="{html.escape(r["notebook"])}/">{html.escape(r["notebook"])}/</a>'
        rows.append(f"<tr><td>{link}</td><td>{status}</td><td>{r['seconds']}</td><td>{tables}</td></tr>")
    page = (
        "<!doctype html><meta charset='utf-8'><title>stalelab reports</title>"
        "<style>body{font-family:sans-serif;margin:2em}td,th{padding:.3em 1em;text-align:left}</style>"
        f"<h1>stalelab reports</h1><p>Profile: <b>{html.escape(profile)}</b></p>"
        "<table><tr><th>notebook</th><th>status</th><th>seconds</th><th>tables and figures</th></tr>"
        + "".join(rows)
        + "</table>"
    )
    (reports / "index.html").write_text(page, encoding="utf-8")


def check_library() -> None:
    """The notebooks `import … from 'stalelab'`: Node resolves it through package.json `exports` to the
    compiled dist/, tslab's type checker through the node_modules/stalelab link (scripts/link-self.mjs)."""
    if not (ROOT / "dist" / "index.js").exists():
        sys.exit("run_notebooks: dist/index.js is missing; the notebooks import 'stalelab', which is the compiled dist/: run `npm run build` first")
    if not (ROOT / "node_modules" / "stalelab").exists():
        sys.exit("run_notebooks: node_modules/stalelab is missing (tslab type-checks `import … from 'stalelab'` through it): "
                 "run `node scripts/link-self.mjs` (`npm ci` runs it)")


def resolve_notebooks(names: list[str], folder: Path) -> list[Path]:
    if not names:
        found = sorted(p for p in folder.glob("*.ipynb") if not p.name.startswith("_"))
        if not found:
            sys.exit(f"run_notebooks: no notebooks in {folder}")
        return found
    paths = []
    for n in names:
        p = Path(n)
        if not p.suffix:
            p = folder / f"{n}.ipynb"
        if not p.exists():
            sys.exit(f"run_notebooks: {p} does not exist")
        paths.append(p.resolve())
    return paths


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("notebooks", nargs="*", help="names (00-quickstart) or paths; default: every notebooks/*.ipynb")
    parser.add_argument("--profile", default=os.environ.get("STALELAB_PROFILE") or "quick", choices=PROFILES)
    parser.add_argument("--reports", default=str(ROOT / "reports"), help="output folder (default: reports/)")
    parser.add_argument("--timeout", type=int, default=3600, help="seconds one cell may run (default 3600)")
    parser.add_argument("--no-html", action="store_true", help="skip the nbconvert HTML")
    parser.add_argument("--fail-fast", action="store_true", help="stop at the first failing notebook")
    args = parser.parse_args()

    use_project_jupyter()
    reports = Path(args.reports).resolve()
    reports.mkdir(parents=True, exist_ok=True)
    os.environ["STALELAB_PROFILE"] = args.profile
    os.environ["STALELAB_REPORTS_DIR"] = str(reports)

    from jupyter_client.kernelspec import KernelSpecManager

    if "tslab" not in KernelSpecManager().find_kernel_specs():
        sys.exit("run_notebooks: no 'tslab' kernel registered; run `bash scripts/setup-jupyter.sh` first")

    check_library()
    paths = resolve_notebooks(args.notebooks, ROOT / "notebooks")
    print(f"run_notebooks: profile {args.profile}, {len(paths)} notebook(s) -> {reports}", flush=True)
    started = time.monotonic()
    results = []
    for p in paths:
        results.append(run_one(p, reports, args.timeout, not args.no_html))
        if args.fail_fast and not results[-1]["ok"]:
            break
    write_index(reports, args.profile, results)
    failed = [r["notebook"] for r in results if not r["ok"]]
    total = time.monotonic() - started
    if failed:
        print(f"run_notebooks: {len(failed)} notebook(s) failed: {', '.join(failed)} ({total:.1f} s)", file=sys.stderr)
        return 1
    print(f"run_notebooks: all {len(results)} notebook(s) ran in {total:.1f} s; open {reports / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
