// Sizes that do not fit: every dim, element count and byte count is
// overflow-checked, and what the machine cannot hold is refused before it is
// allocated. A clear error and exit 1, never a crash.

// Dims and their products in --shape.
// RUN: not norm-runner %s --random-inputs --shape 0=9223372036854775807x2 2>&1 | FileCheck %s --check-prefix=PRODUCT
// PRODUCT: error: --shape 0=9223372036854775807x2: shape '9223372036854775807x2': the number of elements overflows 64 bits
// RUN: not norm-runner %s --random-inputs --shape 0=4294967296x4294967296 2>&1 | FileCheck %s --check-prefix=WRAPS
// WRAPS: error: --shape 0=4294967296x4294967296: shape '4294967296x4294967296': the number of elements overflows 64 bits
// RUN: not norm-runner %s --random-inputs --shape 0=99999999999999999999x8 2>&1 | FileCheck %s --check-prefix=DIM
// DIM: error: --shape 0=99999999999999999999x8: shape '99999999999999999999x8': dim 99999999999999999999 is too large
// RUN: not norm-runner %s --random-inputs --shape 0=-4x8 2>&1 | FileCheck %s --check-prefix=NEGATIVE
// NEGATIVE: error: --shape 0=-4x8: malformed shape '-4x8': expected non-negative dims like 4096x4096
// RUN: not norm-runner %s --random-inputs --shape 0=4x 2>&1 | FileCheck %s --check-prefix=EMPTYDIM
// EMPTYDIM: error: --shape 0=4x: malformed shape '4x'
// Elements that fit int64 but bytes that do not (f32: 4 bytes each).
// RUN: not norm-runner %s --random-inputs --shape 0=288230376151711744x8 2>&1 | FileCheck %s --check-prefix=BYTES
// BYTES: error: argument #0: shape (288230376151711744, 8) is too large
// Bytes that fit but exceed the machine (32 TiB).
// RUN: not norm-runner %s --random-inputs --shape 0=1099511627776x8 2>&1 | FileCheck %s --check-prefix=MEMORY
// MEMORY: error: the arguments need 35184372088832 bytes, more than the {{[0-9]+}} bytes of physical memory
// The static dims still have to match.
// RUN: not norm-runner %s --random-inputs --shape 0=4x9 2>&1 | FileCheck %s --check-prefix=STATIC
// STATIC: error: argument #0 expects shape [?, 8] (tensor<?x8xf32>), got [4, 9]

// Argument indices near and past INT64_MAX.
// RUN: not norm-runner %s --random-inputs --shape 9223372036854775807=4x8 2>&1 | FileCheck %s --check-prefix=SHAPEINDEX
// SHAPEINDEX: error: --shape 9223372036854775807=4x8: the entry has 1 argument(s)
// RUN: not norm-runner %s --random-inputs --shape 99999999999999999999=4x8 2>&1 | FileCheck %s --check-prefix=SHAPEINDEX2
// SHAPEINDEX2: error: --shape 99999999999999999999=4x8: argument index 99999999999999999999 is too large
// RUN: not norm-runner %s --input 9223372036854775807=%t.npy 2>&1 | FileCheck %s --check-prefix=INPUTINDEX
// INPUTINDEX: error: --input 9223372036854775807={{.*}}: the entry has 1 argument(s)
// RUN: not norm-runner %s --input 18446744073709551615=%t.npy 2>&1 | FileCheck %s --check-prefix=INPUTINDEX2
// INPUTINDEX2: error: --input 18446744073709551615={{.*}}: the entry has 1 argument(s)
// RUN: not norm-runner %s --input 18446744073709551616=%t.npy 2>&1 | FileCheck %s --check-prefix=INPUTINDEX3
// INPUTINDEX3: error: --input 18446744073709551616={{.*}}: argument index 18446744073709551616 is too large

// .npy headers with absurd shapes: checked against the file's size before
// anything is allocated.
// RUN: %python -c "import sys; h = b\"{'descr': '<f4', 'fortran_order': False, 'shape': (4611686018427387904, 8), }\"; sys.stdout.buffer.write(b'\x93NUMPY\x01\x00' + len(h).to_bytes(2, 'little') + h + bytes(16))" > %t.overflow.npy
// RUN: not norm-runner %s --input %t.overflow.npy 2>&1 | FileCheck %s --check-prefix=NPYOVERFLOW
// NPYOVERFLOW: error: '{{.*}}overflow.npy' is not a valid .npy file: shape (4611686018427387904, 8) is too large
// RUN: %python -c "import sys; h = b\"{'descr': '<f4', 'fortran_order': False, 'shape': (1099511627776, 8), }\"; sys.stdout.buffer.write(b'\x93NUMPY\x01\x00' + len(h).to_bytes(2, 'little') + h + bytes(16))" > %t.huge.npy
// RUN: not norm-runner %s --input %t.huge.npy 2>&1 | FileCheck %s --check-prefix=NPYHUGE
// NPYHUGE: error: '{{.*}}huge.npy' is not a valid .npy file: expected 35184372088832 bytes of data for dtype '<f4' and shape (1099511627776, 8), found 16

// Zero rows are fine.
// RUN: norm-runner %s --random-inputs --shape 0=0x8 --summary | FileCheck %s --check-prefix=EMPTY
// EMPTY: result #0: tensor<?x8xf32> shape [0, 8] first [] sum 0 mean|x| 0

func.func @main(%x: tensor<?x8xf32>) -> tensor<?x8xf32> {
  %y = norm.rms_norm %x : tensor<?x8xf32> -> tensor<?x8xf32>
  return %y : tensor<?x8xf32>
}
