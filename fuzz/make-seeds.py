#!/usr/bin/env python3
"""Writes the IR fuzzers' seed corpus: every .mlir file of the test suite and
the examples, split on `// -----` like --split-input-file, with comment lines
dropped (RUN/CHECK lines only cost the fuzzer bytes). Usage:
make-seeds.py SOURCE_ROOT OUT_DIR [MAX_BYTES]"""
import hashlib
import pathlib
import sys


def main():
    root = pathlib.Path(sys.argv[1])
    out = pathlib.Path(sys.argv[2])
    max_bytes = int(sys.argv[3]) if len(sys.argv) > 3 else 16384
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    files = sorted(root.glob("test/**/*.mlir")) + sorted(root.glob("examples/**/*.mlir"))
    for path in files:
        for chunk in path.read_text().split("// -----"):
            lines = [l for l in chunk.splitlines() if not l.lstrip().startswith("//")]
            text = "\n".join(lines).strip() + "\n"
            if len(text) < 8 or len(text) > max_bytes:
                continue
            name = hashlib.sha1(text.encode()).hexdigest()
            (out / name).write_text(text)
            count += 1
    print(f"make-seeds: {count} seeds from {len(files)} files in {out}")


if __name__ == "__main__":
    main()
