#!/usr/bin/env python3
"""Prints the PTX of every gpu.binary in an MLIR file read from stdin.

gpu-module-to-binary with format=isa stores PTX as an escaped string
attribute. With --ptxas PATH, each kernel module is assembled with
`ptxas -v` instead and ptxas's report (registers, spills) is printed.
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

parser = argparse.ArgumentParser()
parser.add_argument("--ptxas")
parser.add_argument("--arch", default="sm_90")
args = parser.parse_args()

modules = []
for match in re.finditer(r'assembly = "((?:[^"\\]|\\.)*)"', sys.stdin.read()):
    ptx = re.sub(r'\\([0-9A-Fa-f]{2})', lambda m: chr(int(m.group(1), 16)),
                 match.group(1))
    modules.append(ptx.replace('\\"', '"').replace('\\\\', '\\'))
if not modules:
    sys.exit("extract-ptx: no gpu.binary with PTX assembly in the input")

for ptx in modules:
    if not args.ptxas:
        print(ptx)
        continue
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "kernel.ptx")
        with open(path, "w") as f:
            f.write(ptx)
        result = subprocess.run([args.ptxas, "-arch=" + args.arch, "-v", path,
                                 "-o", os.devnull], capture_output=True, text=True)
        sys.stdout.write(result.stdout + result.stderr)
        if result.returncode:
            sys.exit("extract-ptx: ptxas failed")
