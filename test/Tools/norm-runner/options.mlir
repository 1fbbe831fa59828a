// Every flag is checked before any work: a clear error and exit 1.

// RUN: not norm-runner %s --random-inputs --gpu-format=elf 2>&1 | FileCheck %s --check-prefix=FORMAT
// FORMAT: for the --gpu-format option: Cannot find option named 'elf'!
// RUN: not norm-runner %s --random-inputs --bench=-1 2>&1 | FileCheck %s --check-prefix=BENCHNEG
// BENCHNEG: for the --bench option: '-1' value invalid for uint argument!
// RUN: not norm-runner %s --random-inputs --bench 2000000 2>&1 | FileCheck %s --check-prefix=BENCH
// BENCH: error: --bench 2000000: at most 1000000 runs
// RUN: not norm-runner %s --random-inputs --bench 1 --bench-warmup 2000000 2>&1 | FileCheck %s --check-prefix=WARMUP
// WARMUP: error: --bench-warmup 2000000: at most 1000000 runs
// RUN: not norm-runner %s --random-inputs -O4 2>&1 | FileCheck %s --check-prefix=OPT
// OPT: error: optimization level 4: expected 0, 1, 2 or 3
// RUN: not norm-runner %s --random-inputs --vector-size 24 2>&1 | FileCheck %s --check-prefix=VECTOR
// VECTOR: error: invalid norm-lower-to-cpu option: vector-size=24: expected a power of two in [1, 1024]
// RUN: not norm-runner %s --random-inputs --vector-size -8 2>&1 | FileCheck %s --check-prefix=VECTORNEG
// VECTORNEG: error: invalid norm-lower-to-cpu option: vector-size=-8: expected a power of two in [1, 1024]
// RUN: not norm-runner %s --random-inputs --shape 0 2>&1 | FileCheck %s --check-prefix=SHAPEINDEX
// SHAPEINDEX: error: --shape 0: expected INDEX=DIMS with an argument index

// GPU flags are checked even where no GPU can run.
// RUN: not norm-runner %s --random-inputs --target=gpu --threads-per-block 100 2>&1 | FileCheck %s --check-prefix=THREADS
// THREADS: error: invalid norm-lower-to-nvvm option: threads-per-block=100: expected a multiple of 32 (the warp size) in [32, 1024]
// RUN: not norm-runner %s --random-inputs --target=gpu --gpu-chip= 2>&1 | FileCheck %s --check-prefix=NOCHIP
// NOCHIP: error: invalid norm-lower-to-nvvm option: chip='': not a GPU architecture that LLVM's NVPTX backend knows
// RUN: not norm-runner %s --random-inputs --target=gpu --gpu-chip=sm_99 2>&1 | FileCheck %s --check-prefix=CHIP
// CHIP: error: invalid norm-lower-to-nvvm option: chip='sm_99': not a GPU architecture that LLVM's NVPTX backend knows
// RUN: not norm-runner %s --random-inputs --target=gpu --gpu-features=+ptx70 2>&1 | FileCheck %s --check-prefix=PTX
// PTX: error: invalid norm-lower-to-nvvm option: features='+ptx70': chip sm_90 needs PTX 7.8 or newer (+ptx78)
// RUN: not norm-runner %s --random-inputs --target=gpu --gpu-features=+sm_90,+bogus 2>&1 | FileCheck %s --check-prefix=FEATURE
// FEATURE: error: invalid norm-lower-to-nvvm option: features='+sm_90,+bogus': '+bogus' is not +NAME or -NAME with NAME an NVPTX feature

// More --output files than results: refused before anything runs.
// RUN: not norm-runner %s --random-inputs --output %t.a.npy --output %t.b.npy 2>&1 | FileCheck %s --check-prefix=OUTPUTS
// OUTPUTS: error: 2 --output file(s) given, but the entry returns 1 result(s)

func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = norm.rms_norm %x : tensor<4x8xf32> -> tensor<4x8xf32>
  return %y : tensor<4x8xf32>
}
