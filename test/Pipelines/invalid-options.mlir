// Every option of the named pipelines is checked before anything runs: a
// clear error and a failing exit, never a crash inside a pass or LLVM.

// RUN: not norm-opt %s --norm-lower-to-cpu='vector-size=0' 2>&1 | FileCheck %s --check-prefix=VECTOR
// VECTOR: error: invalid norm-lower-to-cpu option: vector-size=0: expected a power of two in [1, 1024]
// RUN: not norm-opt %s --norm-lower-to-cpu='vector-size=24' 2>&1 | FileCheck %s --check-prefix=VECTOR24
// VECTOR24: error: invalid norm-lower-to-cpu option: vector-size=24: expected a power of two in [1, 1024]
// RUN: not norm-opt %s --norm-lower-to-cpu='matmul-rows=-6' 2>&1 | FileCheck %s --check-prefix=ROWS
// ROWS: error: invalid norm-lower-to-cpu option: matmul-rows=-6: expected an integer in [1, 64]
// RUN: not norm-opt %s --norm-lower-to-cpu='matmul-cols=4096' 2>&1 | FileCheck %s --check-prefix=COLS
// COLS: error: invalid norm-lower-to-cpu option: matmul-cols=4096: expected a power of two in [1, 1024]
// RUN: not norm-opt %s --norm-lower-to-cpu='matmul-depth=0' 2>&1 | FileCheck %s --check-prefix=DEPTH
// DEPTH: error: invalid norm-lower-to-cpu option: matmul-depth=0: expected an integer in [1, 1048576]
// RUN: not norm-opt %s --norm-lower-to-cpu='matmul-task-cols=16' 2>&1 | FileCheck %s --check-prefix=TASKCOLS
// TASKCOLS: error: invalid norm-lower-to-cpu option: matmul-task-cols=16: expected an integer in [32, 1048576]
// RUN: not norm-opt %s --norm-lower-to-cpu='matmul-task-cols=48' 2>&1 | FileCheck %s --check-prefix=TASKMULT
// TASKMULT: error: invalid norm-lower-to-cpu option: matmul-task-cols=48: expected 0 or a multiple of matmul-cols (32)
// RUN: not norm-opt %s --norm-lower-to-cpu='inner-tile=0' 2>&1 | FileCheck %s --check-prefix=INNER
// INNER: error: invalid norm-lower-to-cpu option: inner-tile=0: expected an integer in [1, 1048576]
// RUN: not norm-opt %s --norm-lower-to-cpu='parallel=1 min-task-bytes=-1' 2>&1 | FileCheck %s --check-prefix=TASK
// TASK: error: invalid norm-lower-to-cpu option: min-task-bytes=-1: expected an integer in [0, 1099511627776]
// RUN: not norm-opt %s --norm-lower-to-cpu='matmul-min-task-flops=-1' 2>&1 | FileCheck %s --check-prefix=MINFLOPS
// MINFLOPS: error: invalid norm-lower-to-cpu option: matmul-min-task-flops=-1: expected an integer in [0, 1125899906842624]
// RUN: not norm-opt %s --norm-lower-to-cpu='streaming-min-bytes=-5' 2>&1 | FileCheck %s --check-prefix=STREAMMIN
// STREAMMIN: error: invalid norm-lower-to-cpu option: streaming-min-bytes=-5: expected an integer in [0, 1125899906842624]
// RUN: not norm-runner %s --streaming-min-bytes=-5 2>&1 | FileCheck %s --check-prefix=STREAMMIN

// RUN: not norm-opt %s --norm-lower-to-nvvm='chip=' 2>&1 | FileCheck %s --check-prefix=NOCHIP
// NOCHIP: error: invalid norm-lower-to-nvvm option: chip='': not a GPU architecture that LLVM's NVPTX backend knows ({{.*}}sm_90, sm_90a{{.*}})
// RUN: not norm-opt %s --norm-lower-to-nvvm='chip=sm_91' 2>&1 | FileCheck %s --check-prefix=CHIP
// CHIP: error: invalid norm-lower-to-nvvm option: chip='sm_91': not a GPU architecture that LLVM's NVPTX backend knows
// RUN: not norm-opt %s --norm-lower-to-nvvm='chip=gfx90a' 2>&1 | FileCheck %s --check-prefix=AMD
// AMD: error: invalid norm-lower-to-nvvm option: chip='gfx90a': not a GPU architecture
// RUN: not norm-opt %s --norm-lower-to-nvvm='features=+ptx999' 2>&1 | FileCheck %s --check-prefix=FEATURE
// FEATURE: error: invalid norm-lower-to-nvvm option: features='+ptx999': '+ptx999' is not +NAME or -NAME with NAME an NVPTX feature (ptx80, ptx86, ...)
// RUN: not norm-opt %s --norm-lower-to-nvvm='features=ptx80' 2>&1 | FileCheck %s --check-prefix=SIGN
// SIGN: error: invalid norm-lower-to-nvvm option: features='ptx80': 'ptx80' is not +NAME or -NAME
// RUN: not norm-opt %s --norm-lower-to-nvvm='chip=sm_90 features=+ptx70' 2>&1 | FileCheck %s --check-prefix=OLDPTX
// OLDPTX: error: invalid norm-lower-to-nvvm option: features='+ptx70': chip sm_90 needs PTX 7.8 or newer (+ptx78)
// RUN: not norm-opt %s --norm-lower-to-nvvm='chip=sm_100 features=+ptx80' 2>&1 | FileCheck %s --check-prefix=OLDPTX100
// OLDPTX100: error: invalid norm-lower-to-nvvm option: features='+ptx80': chip sm_100 needs PTX 8.6 or newer (+ptx86)
// RUN: not norm-opt %s --norm-lower-to-nvvm='format=elf' 2>&1 | FileCheck %s --check-prefix=FORMAT
// FORMAT: error: invalid norm-lower-to-nvvm option: format='elf': expected isa (PTX), bin (cubin), fatbin, or llvm (offloading LLVM IR)
// RUN: not norm-opt %s --norm-lower-to-nvvm='threads-per-block=48' 2>&1 | FileCheck %s --check-prefix=THREADS
// THREADS: error: invalid norm-lower-to-nvvm option: threads-per-block=48: expected a multiple of 32 (the warp size) in [32, 1024]
// RUN: not norm-opt %s --norm-lower-to-nvvm='threads-per-block=2048' 2>&1 | FileCheck %s --check-prefix=THREADS2048
// THREADS2048: error: invalid norm-lower-to-nvvm option: threads-per-block=2048: expected a multiple of 32
// RUN: not norm-opt %s --norm-lower-to-nvvm='threads-per-block=0' 2>&1 | FileCheck %s --check-prefix=THREADS0
// THREADS0: error: invalid norm-lower-to-nvvm option: threads-per-block=0: expected a multiple of 32
// RUN: not norm-opt %s --norm-lower-to-nvvm='opt-level=4' 2>&1 | FileCheck %s --check-prefix=OPT
// OPT: error: invalid norm-lower-to-nvvm option: opt-level=4: expected an integer in [0, 3]

// Valid options still lower (valid-nvvm-options.mlir for the GPU, which
// needs libdevice).
// RUN: norm-opt %s --norm-lower-to-cpu='vector-size=16 matmul-rows=4 matmul-cols=16 inner-tile=8' | FileCheck %s --check-prefix=VALID
// VALID: llvm.func @main

func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.rms_norm %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
