# -*- Python -*-
import os
import shutil
import subprocess
import sys

import lit.formats
from lit.llvm import llvm_config
from lit.llvm.subst import ToolSubst

config.name = "NORM"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.norm_obj_root, "test")
config.excludes = ["CMakeLists.txt", "README.md", "lit.cfg.py", "lit.site.cfg.py", "Inputs"]

config.substitutions.append(("%PATH%", config.environment["PATH"]))
config.substitutions.append(("%shlibext", ".so"))
config.substitutions.append(("%norm_src_root", config.norm_src_root))
config.substitutions.append(("%norm_obj_root", config.norm_obj_root))
config.environment["FILECHECK_OPTS"] = "-enable-var-scope --allow-unused-prefixes=false"

llvm_config.use_default_substitutions()
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.with_environment("PATH", config.norm_tools_dir, append_path=True)

tools = [
    "norm-opt",
    "norm-translate",
    ToolSubst("norm-runner", unresolved="ignore"),
    ToolSubst("norm-differential-test", unresolved="ignore"),
    "FileCheck",
    "not",
    "llc",
    "mlir-translate",
]
llvm_config.add_tool_substitutions(tools, [config.norm_tools_dir, config.llvm_tools_dir])


def host_cpu_flags():
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("flags"):
                    return set(line.split(":", 1)[1].split())
    except OSError:
        pass
    return set()


# Tests of the CPU's own bf16 conversion instruction (the JIT uses it where
# the host has it).
if "avx512_bf16" in host_cpu_flags():
    config.available_features.add("avx512bf16")


def has_cuda_device():
    """A GPU is usable when our runtime was built and nvidia-smi sees one."""
    if not config.norm_has_cuda_runtime or not shutil.which("nvidia-smi"):
        return False
    try:
        out = subprocess.run(["nvidia-smi", "-L"], capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return out.returncode == 0 and "GPU" in out.stdout


if has_cuda_device():
    config.available_features.add("gpu")
else:
    lit_config.note("no usable CUDA device: GPU execution tests are skipped")
def find_numpy_python():
    """A Python that can import numpy, to check .npy files with numpy itself."""
    for python in [sys.executable, "/usr/bin/python3", shutil.which("python3")]:
        if python and subprocess.run([python, "-c", "import numpy"],
                                     capture_output=True).returncode == 0:
            return python
    return None


numpy_python = find_numpy_python()
if numpy_python:
    config.available_features.add("numpy")
    config.substitutions.append(("%numpy_python", numpy_python))
else:
    lit_config.note("no Python with numpy: .npy compatibility tests are skipped")


def find_torch_python():
    """Debian's python3-torch, for the PyTorch peer of the block bench."""
    for python in [sys.executable, "/usr/bin/python3"]:
        if subprocess.run([python, "-c", "import torch, numpy"],
                          capture_output=True).returncode == 0:
            return python
    return None


torch_python = find_torch_python()
if torch_python:
    config.available_features.add("torch")
    config.substitutions.append(("%torch_python", torch_python))
else:
    lit_config.note("no Python with torch (Debian's python3-torch): the "
                    "PyTorch peer script's tests are skipped")

if config.norm_has_cuda_runtime:
    config.available_features.add("cuda-runtime")


def find_cuda_toolkit():
    """The toolkit norm-lower-to-nvvm would use, if it has libdevice."""
    for root in [os.environ.get("CUDA_HOME"), os.environ.get("CUDA_PATH"), "/usr/local/cuda"]:
        if root and os.path.exists(os.path.join(root, "nvvm", "libdevice", "libdevice.10.bc")):
            return root
    return None


cuda_toolkit = find_cuda_toolkit()
# Without a real toolkit (or with --param cuda-stub=1), PTX lowering links the
# test-only libdevice stand-in that test/CMakeLists.txt builds from
# Inputs/libdevice-stub: good enough to compile, never to run, so GPU execution
# tests stay off with it and ptxas stays tied to a real toolkit.
libdevice_stub_root = os.path.join(config.test_exec_root, "cuda-stub")
if cuda_toolkit and lit_config.params.get("cuda-stub", "0") == "0":
    # Lowering to PTX needs libdevice, not a GPU.
    config.available_features.add("cuda-toolkit")
    config.environment["CUDA_HOME"] = cuda_toolkit
    ptxas = os.path.join(cuda_toolkit, "bin", "ptxas")
    if os.access(ptxas, os.X_OK):
        config.available_features.add("ptxas")
        config.substitutions.append(("%ptxas", ptxas))
elif os.path.exists(os.path.join(libdevice_stub_root, "nvvm", "libdevice", "libdevice.10.bc")):
    lit_config.note("PTX lowering tests link the libdevice stand-in " + libdevice_stub_root +
                    "; GPU execution and ptxas tests are skipped")
    config.available_features.add("cuda-toolkit")
    config.available_features.discard("gpu")
    config.environment["CUDA_HOME"] = libdevice_stub_root
else:
    lit_config.note("no CUDA toolkit with libdevice, nor the test stand-in in " +
                    libdevice_stub_root + ": PTX lowering tests are skipped")
config.substitutions.append(("%python", sys.executable))
config.substitutions.append(("%extract_ptx", sys.executable + " " +
                             os.path.join(config.test_source_root, "Inputs", "extract-ptx.py")))
