"""Times warm Typst compiles of one .typ file in-process (PyPI `typst`), for `npm run bench:render`.

Usage: typst-compile.py SOURCE.typ OUT.pdf WARMUP RUNS VARIANTS.json FONT_DIR...
Prints one JSON line: {"ms": [...], "msVaried": [...], "bytes": N, "version": "..."}; writes the
last PDF of the first series to OUT.pdf. One Compiler is built once (fonts indexed); each timed run
is compile() alone, measured with time.perf_counter around the call.
- "ms": the same source every time, as the issue measured it. Typst memoizes (comemo) everything
  whose input did not change, so this is Typst at its warmest.
- "msVaried": the source of VARIANTS.json (a list of sources: the same letter for another county
  and date) rewritten before each compile, outside the timed call, so each compile sees a new letter.
"""
import json
import sys
import time
from importlib.metadata import version

import typst


def main() -> None:
    source, out, warmup, runs, variants_file, *font_dirs = sys.argv[1:]
    with open(source, encoding="utf-8") as f:
        original = f.read()
    with open(variants_file, encoding="utf-8") as f:
        variants = json.load(f)
    compiler = typst.Compiler(source, font_paths=font_dirs, ignore_system_fonts=True)
    pdf = b""
    for _ in range(int(warmup)):
        pdf = compiler.compile(format="pdf")
    ms = []
    for _ in range(int(runs)):
        t = time.perf_counter()
        pdf = compiler.compile(format="pdf")
        ms.append((time.perf_counter() - t) * 1000)
    with open(out, "wb") as f:
        f.write(pdf)
    ms_varied = []
    for i in range(int(runs)):
        with open(source, "w", encoding="utf-8") as f:
            f.write(variants[i % len(variants)])
        t = time.perf_counter()
        compiler.compile(format="pdf")
        ms_varied.append((time.perf_counter() - t) * 1000)
    with open(source, "w", encoding="utf-8") as f:
        f.write(original)
    print(json.dumps({"ms": ms, "msVaried": ms_varied, "bytes": len(pdf), "version": version("typst")}))


if __name__ == "__main__":
    main()
