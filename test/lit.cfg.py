# Lit configuration of Kiln's compiler tests: kiln-opt and kilnc over .mlir
# and .kiln files, checked with FileCheck.
import os

import lit.formats
from lit.llvm import llvm_config

config.name = "Kiln"
config.test_format = lit.formats.ShTest(not llvm_config.use_lit_shell)
config.suffixes = [".mlir", ".kiln", ".test"]
config.test_source_root = os.path.dirname(__file__)
config.test_exec_root = os.path.join(config.kiln_obj_root, "test")
config.excludes = ["CMakeLists.txt", "lit.cfg.py", "lit.site.cfg.py", "unit", "numeric"]

config.substitutions.append(("%kiln_src_root", config.kiln_src_root))

llvm_config.with_system_environment(["HOME", "TMP", "TEMP"])
# `not` and `count` at the start of a RUN line are found on PATH.
llvm_config.with_environment("PATH", config.llvm_tools_dir, append_path=True)
llvm_config.use_default_substitutions()

tool_dirs = [config.kiln_tools_dir, config.llvm_tools_dir]
llvm_config.add_tool_substitutions(["kiln-opt", "kilnc", "kiln-gpu-compile"],
                                  tool_dirs)

# test/GPU/ptxas.mlir assembles generated PTX; without CUDA's ptxas it is
# reported UNSUPPORTED (missing feature "ptxas").
ptxas = "/usr/local/cuda/bin/ptxas"
if os.path.exists(ptxas):
    config.available_features.add("ptxas")
    config.substitutions.append(("%ptxas", ptxas))
else:
    lit_config.note(ptxas + " not found: PTX assembly tests are unsupported")

# A machine with an NVIDIA driver: tests of what --device cuda says without
# one do not apply.
if os.path.exists("/dev/nvidiactl"):
    config.available_features.add("cuda-device")
