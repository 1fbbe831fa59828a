//===- Passes.td - norm code generation passes -------------*- tablegen -*-===//
//
// Passes that shape tensor code for the targets: split norm ops into rows and
// vectorize the linalg ops they decompose into.
//
//===----------------------------------------------------------------------===//

#ifndef NORM_TRANSFORMS_PASSES_TD
#define NORM_TRANSFORMS_PASSES_TD

include "mlir/Pass/PassBase.td"

def NormTileRows : Pass<"norm-tile-rows", "::mlir::func::FuncOp"> {
  let summary = "Tile norm ops into an scf.forall over rows";
  let description = [{
    Tiles every norm op along its parallel (non-normalized) dims with
    upstream `scf::tileUsingSCF` and the ops' `TilingInterface`, producing an
    `scf.forall` whose body is a norm op on one row (normalized axes are never
    split). When the innermost dim is parallel (normalized axes not trailing),
    it is tiled by `inner-tile` instead of 1 so that later vectorization runs
    along contiguous memory. The forall is the unit of parallelism: it becomes
    threads on CPU and blocks on GPU. With `min-task-bytes`, rows are grouped
    into tasks of at least that much memory traffic (the chunk size is
    computed at run time for dynamic rows), so that small tensors make one
    task and large ones many.

    Gradient ops whose normalized axes are trailing become an `scf.forall`
    over tasks of `grad-task-bytes` each, an `scf.for` over the task's rows
    inside: every row is a gradient op on one row (with the parameters in the
    compute type), whose parameter gradients are added into the task's
    partial sums; after the forall the partial sums are added in task order
    and converted to the parameters' types. The tasks depend only on the
    shape, so results do not depend on how many threads run them.
  }];
  let options = [
    Option<"innerTile", "inner-tile", "int64_t", /*default=*/"16",
           "Tile size of the innermost dim when it is not normalized">,
    Option<"minTaskBytes", "min-task-bytes", "int64_t", /*default=*/"0",
           "When > 0, each forall iteration is a chunk of rows moving at "
           "least this many bytes (walked by an inner scf.for), so that "
           "threads get enough work per task; 0: one row per iteration">,
    Option<"gradTaskBytes", "grad-task-bytes", "int64_t",
           /*default=*/"262144",
           "Memory traffic of one task of a gradient op (0: gradient ops "
           "are not tiled)">,
    Option<"gradMaxTasks", "grad-max-tasks", "int64_t", /*default=*/"256",
           "At most this many tasks per gradient op (bounds the partial "
           "parameter gradients: one per task)">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::affine::AffineDialect",
  ];
}

def NormVectorize : Pass<"norm-vectorize", "::mlir::func::FuncOp"> {
  let summary = "Tile linalg ops to vector-sized tiles and vectorize them";
  let description = [{
    Prepares linalg ops on tensors for the vector unit with upstream tiling
    and vectorization. Each op's innermost loop is tiled by `vector-size`
    (other loops by 1), with reductions over the innermost loop tiled as
    partial reductions so that the accumulator stays a vector until one final
    horizontal reduction. Contractions C[m, n] += A[m, k] B[k, n] (matmul,
    batch_matmul, generic) are tiled as GotoBLAS tiles sgemm: with
    `matmul-task-cols`, an scf.forall over tasks of that many columns (and
    single batch entries); then cache blocks of `matmul-depth` x
    `matmul-cols` of B, each copied into a contiguous panel (rows of B a
    power of two apart would share a few cache sets and a page each); then
    register blocks of `matmul-rows` x `matmul-cols` outputs, one reduction
    step at a time, vectorized to `vector.contract` and lowered to outer
    products (one FMA per row of the block and step). Loops whose step does
    not divide their range are peeled, so full blocks are static. Every
    linalg op is then vectorized; tiles of dynamic size (remainders, dynamic
    dims) use masked vectors.
  }];
  let options = [
    Option<"vectorSize", "vector-size", "int64_t", /*default=*/"32",
           "Elements per vector tile along the innermost loop">,
    Option<"matmulRows", "matmul-rows", "int64_t", /*default=*/"6",
           "Output rows of a contraction's register block">,
    Option<"matmulCols", "matmul-cols", "int64_t", /*default=*/"32",
           "Output columns of a contraction's register block">,
    Option<"matmulDepth", "matmul-depth", "int64_t", /*default=*/"256",
           "Reduction steps of a contraction's cache block (rows of a "
           "packed panel of B)">,
    Option<"matmulTaskCols", "matmul-task-cols", "int64_t", /*default=*/"0",
           "Output columns of a contraction's parallel task (scf.forall); "
           "0: no tasks">,
    Option<"matmulMinTaskFlops", "matmul-min-task-flops", "int64_t",
           /*default=*/"0",
           "Least work of a contraction's task: tasks are widened to it, "
           "and a static contraction with less than two tasks' worth runs "
           "as one">,
  ];
  let dependentDialects = [
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
    "::mlir::vector::VectorDialect",
    "::mlir::affine::AffineDialect",
    "::mlir::arith::ArithDialect",
  ];
}

def NormStreamingStores : Pass<"norm-streaming-stores", "::mlir::func::FuncOp"> {
  let summary = "Write large function results with non-temporal stores";
  let description = [{
    A norm reads its input once and writes its output once; with ordinary
    stores every output cache line is first read from memory
    (write-allocate), so a third of the traffic is wasted. On bufferized
    code, this pass rewrites each `vector.transfer_write` of a full, unmasked,
    contiguous vector into a buffer that the function returns (allocated by
    `memref.alloc`, at least `min-bytes` large or dynamically sized) into a
    `vector.store` with `nontemporal = true` and 64-byte alignment. It only
    does so where that alignment is provable from the allocation's alignment,
    the static strides and the offsets (constants or loop induction variables
    with aligned bounds and steps); other writes are left alone. Results that
    the function consumes itself are not returned buffers and keep cached
    stores.
  }];
  let options = [
    Option<"minBytes", "min-bytes", "int64_t",
           /*default=*/"::mlir::norm::kDefaultStreamingMinBytes",
           "Smallest statically sized result buffer written with "
           "non-temporal stores">,
  ];
  let dependentDialects = ["::mlir::vector::VectorDialect"];
}

def NormAccumulateWithFMA
    : Pass<"norm-accumulate-with-fma", "::mlir::func::FuncOp"> {
  let summary = "Accumulate products in loops with fused multiply-adds";
  let description = [{
    Marks `acc + a * b`, where `acc` is an iteration argument of the
    enclosing `scf.for` and the product has no other use, contractible
    (`fastmath<contract>` on the multiply and the add): the sums of squares
    and centered squares of the statistics passes and the products summed by
    the gradients. LLVM then fuses each pair into an FMA where the target
    has one: one rounding instead of two (never less accurate) and one
    instruction instead of two on the vector ports that bf16 conversions
    also need. Flags rather than `math.fma`: on x86 CPUs without FMA (before
    Haswell) a `math.fma` becomes one libm call per lane, the flags leave
    the multiply and the add. Without the flags LLVM does not contract them:
    arith ops carry none by default.
  }];
}

def NormUnorderedWidening
    : Pass<"norm-unordered-widening", "::mlir::func::FuncOp"> {
  let summary = "Widen bf16 with shifts where the lane order does not matter";
  let description = [{
    A bf16 is the upper half of an f32. Read as i32 lanes, a vector of bf16
    gives its even elements as f32 by a left shift by 16 and its odd ones
    by masking the low half: two integer ops per 32 elements instead of the
    two zero-extending shuffles and two shifts of an in-order widening, and
    no shuffle, on the port that the narrowing of the output pass needs.
    The widened vector then holds the elements in the order (0, 2, 4, ...,
    1, 3, 5, ...).

    This pass rewrites `arith.extf` from a 1-D vector of bf16 to f32 in an
    `scf.for` body that way where the order is provably harmless: every
    value computed from it is lane-wise (with lane-invariant values: splats,
    broadcasts of one element, or other such values) and ends in loop
    accumulators that start lane-invariant and are, after the loop, only
    reduced across all their lanes. Those are the statistics passes of a
    row (sums, squares, centered squares, maxima); output passes keep the
    in-order widening.
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::vector::VectorDialect"];
}

def NormExpandMath : Pass<"norm-expand-math", "::mlir::func::FuncOp"> {
  let summary = "Expand math ops that have no good LLVM lowering";
  let description = [{
    `math.erf` (the exact GELU of imported models) has no LLVM intrinsic,
    so `convert-math-to-llvm` leaves it behind; `math.exp`, `math.tanh`,
    `math.log` and the other transcendental functions become LLVM
    intrinsics that the backend scalarizes into one libm call per vector
    lane (the tiny block's softmax and SwiGLU made 896 `expf` calls). This
    pass rewrites them, on scalars and vectors alike, with upstream's
    polynomial approximations (`populateMathPolynomialApproximationPatterns`
    for f32, f16 and bf16 computed in f32; f64 keeps libm) into arith and
    math ops that lower to vector instructions. Measured against f64 libm:
    exp within 4.2e-8 relative over [-87, 88], tanh within 4.1e-9
    (test/Integration/CPU/math-approximations.mlir). `math.sqrt` and
    `math.rsqrt` are instructions and stay.

    With `bf16`, `arith.extf` from and `arith.truncf` to `bf16` become
    integer arithmetic too (upstream's `populateExpandBFloat16Patterns`:
    shifts, and round-to-nearest-even on the bits). LLVM 22 narrows f32 to
    bfloat with one scalar library call per element (`__truncsfbf2`) on CPUs
    without `avx512bf16` or `avxneconvert`; the integer form vectorizes.
  }];
  let options = [
    Option<"bf16", "bf16", "bool", /*default=*/"false",
           "Also expand bf16 extensions and truncations to integer "
           "arithmetic">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def NormReassociateReductions
    : Pass<"norm-reassociate-reductions", "::mlir::func::FuncOp"> {
  let summary = "Let horizontal vector reductions combine lanes as a tree";
  let description = [{
    Adds the `reassoc` fast-math flag to floating-point `vector.reduction`
    ops of kind add and mul. Their lanes already hold partial sums that were
    accumulated in a lane-wise (not sequential) order, so combining them in a
    tree changes nothing of substance, while the strict order LLVM must
    otherwise keep is a serial chain of scalar adds per row (64 dependent
    additions for a 64-lane accumulator).
  }];
}

def NormPrefetchNextRow : Pass<"norm-prefetch-next-row", "::mlir::func::FuncOp"> {
  let summary = "Prefetch the next row while the current one is processed";
  let description = [{
    A norm walks each row several times: the first pass streams it from
    memory, the later ones read it back from cache. While the later passes
    run, no demand misses reach memory and the hardware prefetchers stop, so
    the memory pipe drains at every row. On bufferized code, this pass adds
    `memref.prefetch`es (one per 64-byte line) of the same columns of the
    next row next to every contiguous vector read of a function argument
    (rank >= 2, read along its innermost dim), so that memory keeps
    streaming. Prefetches past the last row are harmless (they never fault).

    Where a row has an output pass (a loop that writes vectors), rows of
    `every-pass-below` bytes or more are prefetched from that loop only: the
    statistics passes then find the row in cache, and prefetching from them
    as well ran two rows ahead and cost 10-40% of the bandwidth of rows of
    8-32 KiB. Shorter rows (and rows of dynamic length) are prefetched from
    every pass, which was 3-10% faster for rows of 2-4 KiB, whose output
    pass alone is too short to cover the memory latency
    (docs/performance.md, "2026-11-30: prefetching from the output pass").
    Prefetches from an output pass alone target L2 (`locality<2>`, x86
    `prefetcht1`), where the next row does not evict the current one from
    L1. In an interleaved A/B against `locality<3>` that was faster on most
    rows of 16-32 KiB and on the DRAM-bound shapes (by up to 30%), slower
    on one (bf16 LayerNorm 4096x4096 on one thread). Prefetches from every
    pass keep `locality<3>`: `locality<2>` cost rows of 2-4 KiB 9-17%
    (docs/performance.md, "2026-11-30 (14:00)").
  }];
  let options = [
    Option<"everyPassBelow", "every-pass-below", "int64_t", "8192",
           "Rows shorter than this many bytes are prefetched from every pass "
           "that reads them, longer ones only from their output pass">,
  ];
  let dependentDialects = ["arith::ArithDialect", "memref::MemRefDialect"];
}

def NormScalarTransfers : Pass<"norm-scalar-transfers", "::mlir::func::FuncOp"> {
  let summary = "Lower single-element vector transfers to scalar loads and stores";
  let description = [{
    Per-row values read by one-row tiles become 0-d or one-element
    `vector.transfer_read`s, sometimes of strided views (one element per
    row of the input), which the LLVM lowering of vector transfers cannot
    handle. This pass rewrites them into `memref.load` plus a broadcast (a
    masked one into a load guarded by its one-bit mask), and single-element
    writes into `memref.store` with upstream's scalar transfer patterns.
    Float extensions and truncations of one-element vectors and of splats
    become scalar ones too (LLVM's X86 backend cannot extend `<1 x bfloat>`
    or a splat of a bfloat).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect",
                           "::mlir::vector::VectorDialect"];
}

def NormHalfVectorStores
    : Pass<"norm-half-vector-stores", "::mlir::LLVM::LLVMFuncOp"> {
  let summary = "Store bf16 and f16 vectors as i16 vectors where LLVM needs it";
  let description = [{
    Works around two gaps of LLVM 22's X86 backend for vectors of `bfloat`
    and `half`:

    - A masked store whose constant mask keeps a single lane of a 32-lane
      half becomes a scalar store, and a scalar `bfloat` store cannot be
      selected: a bf16 row of 33 elements with 64-element vector tiles
      aborted the JIT ("Cannot select: store (s16)"). Each
      `llvm.intr.masked.store` of a `bf16` vector stores the same bits as an
      `i16` vector instead, which every path of the backend handles.
    - There are no non-temporal store patterns for `bfloat` and `half`
      vectors: a non-temporal `llvm.store` of one was emitted as an ordinary
      store, paying the write-allocate read that `norm-streaming-stores`
      exists to avoid. Each such store writes the same bits as an `i16`
      vector instead. Instruction selection folds a plain bitcast back into
      the store, so the bits are or-ed with a zero that LLVM cannot see
      through (a volatile load of a stack slot holding 0, done once per
      call): one integer `or` per vector, and `vmovntdq` is selected.
  }];
}

def NormPairedBF16Narrowing
    : Pass<"norm-paired-bf16-narrowing", "::mlir::LLVM::LLVMFuncOp"> {
  let summary = "Narrow f32 vectors to bf16 with vcvtne2ps2bf16 (AVX512-BF16)";
  let description = [{
    LLVM 22 narrows a vector of f32 to bf16 16 lanes at a time on x86 with
    AVX512-BF16: one `vcvtneps2bf16` per 512-bit register (two micro-ops)
    and a `vinserti64x4` to join two halves. `vcvtne2ps2bf16` narrows two
    registers into one in two micro-ops: 4 instead of 5 micro-ops per 32
    lanes, all on the ports that the output pass of a bf16 row saturates.
    This pass rewrites each `llvm.fptrunc` from a fixed vector of f32 whose
    length is 32 times a power of two into calls of
    `llvm.x86.avx512bf16.cvtne2ps2bf16.512`, concatenated.

    Both instructions round to nearest even and flush subnormals (the
    instruction that LLVM selects for `fptrunc` does the same), so the
    results are bitwise those of the code they replace. Run it only for
    targets with AVX512-BF16: `norm-lower-to-cpu` does so with
    `x86-avx512bf16`, which the JIT sets from the host.
  }];
}

def NormInlineAllocaScopes
    : Pass<"norm-inline-alloca-scopes", "::mlir::func::FuncOp"> {
  let summary = "Inline the bodies of memref.alloca_scope ops";
  let description = [{
    `convert-scf-to-openmp` wraps the body of each parallel loop in a
    `memref.alloca_scope`, whose region must stay one block; the loops
    inside it are lowered to branches later (`convert-scf-to-cf`), which
    would break it. This pass moves each scope's body in front of it and
    replaces its results with the values it yields. The stack does not grow
    per iteration: norm's per-row buffers have static sizes, and
    `norm-hoist-static-allocas` later moves them to the entry block of their
    `omp.parallel` region (one per thread), rejecting any other.
  }];
}

def NormHoistStaticAllocas
    : Pass<"norm-hoist-static-allocas", "::mlir::LLVM::LLVMFuncOp"> {
  let summary = "Move fixed-size stack allocations into the entry block";
  let description = [{
    Per-row scratch buffers promoted to the stack, and the descriptors some
    lowerings spill, become `llvm.alloca`s wherever they were created, often
    inside the row loop. An `alloca` outside the entry block allocates anew
    on every execution and is only freed when the function returns, so a
    loop over millions of rows grows the frame until the stack overflows.
    This pass moves every `llvm.alloca` whose element count is a constant
    into the entry block of its allocation scope, as C compilers place
    their locals: one slot per function call, reused by every iteration
    (which also lets LLVM's SROA keep them in registers). The scope is the
    function, or the region of an enclosing `omp.parallel`, which every
    thread runs: each thread gets its own slot, none is shared. An `alloca`
    of run-time size outside the entry block is an error: nothing bounds
    its growth.
  }];
}

def NormGPUSerialReductions
    : Pass<"norm-gpu-serial-reductions", "::mlir::func::FuncOp"> {
  let summary = "Give linalg ops without a parallel loop a unit one";
  let description = [{
    `convert-linalg-to-parallel-loops` turns a linalg op on buffers whose
    loops are all reductions (a sum over a whole tensor, a rank-0 result:
    the statistics of a single row, the gradient of a fully broadcast
    parameter) into plain host loops, which cannot read GPU memory. This
    pass gives such ops a leading parallel loop of size 1 (the outputs get a
    leading unit dim), so that they become one GPU thread's loop. Named ops
    are generalized first.
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect"];
}

def NormGPUTileParallelLoops
    : Pass<"norm-gpu-tile-parallel-loops", "::mlir::func::FuncOp"> {
  let summary = "Split host scf.parallel loops into blocks of threads";
  let description = [{
    Tiles every outermost `scf.parallel` of a host function (what
    `convert-linalg-to-parallel-loops` makes of linalg ops other than norms)
    by `block-size` along its innermost dim and 1 along the others, with
    constant inner bounds and a bounds guard, so that
    `gpu-map-parallel-loops{mapping-policy=innermost-first}` maps the inner
    loop to the threads of a block (consecutive threads touch consecutive
    elements, which coalesces) and the outer one to the grid.
  }];
  let options = [
    Option<"blockSize", "block-size", "int64_t", /*default=*/"256",
           "Threads per block along the innermost dim">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

def NormGPUDeviceMemory
    : Pass<"norm-gpu-device-memory", "::mlir::func::FuncOp"> {
  let summary = "Place the buffers of host code in GPU memory";
  let description = [{
    For a bufferized host function whose work all happens in `gpu.launch`
    ops, and whose buffer arguments are device memory: rewrites
    `memref.alloc` into `gpu.alloc`, `memref.dealloc` into `gpu.dealloc` and
    `memref.copy` into `gpu.memcpy` (run `gpu-async-region` afterwards).
    A dense constant (`memref.get_global`, host memory) is copied into a
    device buffer where it is taken, freed before the function returns
    unless returned. Host code that would read or write a buffer itself (a
    loop left outside any launch) is an error naming the op.
  }];
  let dependentDialects = ["::mlir::gpu::GPUDialect"];
}

def NormCheckLibdevice : Pass<"norm-check-libdevice", "::mlir::ModuleOp"> {
  let summary = "Fail early, and clearly, when CUDA's libdevice is missing";
  let description = [{
    GPU kernels call libdevice for rsqrt; without it the PTX keeps an
    unresolved `__nv_rsqrtf` that only fails at module load. This pass
    checks that `<cuda-path>/nvvm/libdevice/libdevice.10.bc` exists and
    emits an error naming the path and how to set it otherwise.
  }];
  let options = [
    Option<"cudaPath", "cuda-path", "std::string", /*default=*/"",
           "CUDA toolkit root">,
  ];
}

def NormCheckElementTypes
    : Pass<"norm-check-element-types", "::mlir::ModuleOp"> {
  let summary = "Reject float types the LLVM and NVVM lowerings cannot compile";
  let description = [{
    The pipelines lower arithmetic to LLVM, which has f16, bf16, f32 and f64
    but none of the other MLIR float types (the f8, f6 and f4 families,
    tf32, f80, f128): upstream's arith-to-llvm maps an f8 to an i8 and then
    emits invalid LLVM IR for it. This pass runs first and emits an error at
    the first op with such a type in an operand, a result or a block
    argument (also as the element type of a shaped or complex type), naming
    the type and the ones supported.
  }];
}

#endif // NORM_TRANSFORMS_PASSES_TD
