;; The exact-scan kernel of recsys (docs/behaviour.md §7.2): the dot product of one float64 query with
;; every row of a row-major float32 matrix, with WebAssembly SIMD. Products and sums are float64 in four
;; lanes (element j goes to lane j mod 4), combined as (l0 + l1) + (l2 + l3): exactly what the JavaScript
;; fallback `dotRowsJs` (src/kernel.ts) computes, so both give the same bits for any query. The query is
;; read as float64 (8 bytes an element, 16-byte aligned): a float64 query (a taste vector) keeps its
;; values, and it is promoted once when written rather than at every row. The dimension must be a
;; multiple of 4. Compiled by scripts/build-kernel.mjs into src/kernel-wasm.ts.
;;
;; Each lane's sum is one chain of dependent additions, so a row alone waits on the adder; the rows are
;; taken four at a time (eight independent chains, the query's values loaded once for the four), the last
;; one to three alone. A row's four values are widened two by two straight from memory (`load64_zero`,
;; then `promote_low`) rather than loaded once and shuffled: the shuffle competed with the widening for
;; the same execution port. Measured against the previous loop (one row, shuffled): 0.82× at 3,000 × 384,
;; 0.88× at 10,000, the same at 100,000 (memory-bound there); BENCHMARKS.md has the rows.
(module
  (import "env" "memory" (memory 1))

  ;; A row's dot product from its lanes: a = (l0, l1), b = (l2, l3); (l0 + l1) + (l2 + l3).
  (func $total (param $a v128) (param $b v128) (result f64)
    (f64.add
      (f64.add (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 1 (local.get $a)))
      (f64.add (f64x2.extract_lane 0 (local.get $b)) (f64x2.extract_lane 1 (local.get $b)))))

  (func (export "dotRows") (param $q i32) (param $m i32) (param $rows i32) (param $d i32) (param $out i32)
    (local $r i32) (local $j i32) (local $row i32) (local $bytes i32) (local $at i32)
    (local $x v128) (local $z v128)
    (local $a0 v128) (local $b0 v128) (local $a1 v128) (local $b1 v128)
    (local $a2 v128) (local $b2 v128) (local $a3 v128) (local $b3 v128)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $row (local.get $m))
    ;; Four rows at a time: rows r … r + 3 at $row, $row + bytes, …
    (block $quads_done
      (loop $quads
        (br_if $quads_done (i32.gt_u (i32.add (local.get $r) (i32.const 4)) (local.get $rows)))
        (local.set $a0 (f64x2.splat (f64.const 0))) (local.set $b0 (f64x2.splat (f64.const 0)))
        (local.set $a1 (f64x2.splat (f64.const 0))) (local.set $b1 (f64x2.splat (f64.const 0)))
        (local.set $a2 (f64x2.splat (f64.const 0))) (local.set $b2 (f64x2.splat (f64.const 0)))
        (local.set $a3 (f64x2.splat (f64.const 0))) (local.set $b3 (f64x2.splat (f64.const 0)))
        (local.set $j (i32.const 0))
        (block $elements_done
          (loop $elements
            (br_if $elements_done (i32.ge_u (local.get $j) (local.get $bytes)))
            ;; the query's elements j, j + 1 and j + 2, j + 3 (float64, 8 bytes each)
            (local.set $x (v128.load (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))
            (local.set $z (v128.load offset=16 (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))
            ;; each row's elements j, j + 1 (lanes 0 and 1) and j + 2, j + 3 (lanes 2 and 3), float32
            (local.set $at (i32.add (local.get $row) (local.get $j)))
            (local.set $a0 (f64x2.add (local.get $a0)
              (f64x2.mul (local.get $x) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $at))))))
            (local.set $b0 (f64x2.add (local.get $b0)
              (f64x2.mul (local.get $z) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $at))))))
            (local.set $at (i32.add (local.get $at) (local.get $bytes)))
            (local.set $a1 (f64x2.add (local.get $a1)
              (f64x2.mul (local.get $x) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $at))))))
            (local.set $b1 (f64x2.add (local.get $b1)
              (f64x2.mul (local.get $z) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $at))))))
            (local.set $at (i32.add (local.get $at) (local.get $bytes)))
            (local.set $a2 (f64x2.add (local.get $a2)
              (f64x2.mul (local.get $x) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $at))))))
            (local.set $b2 (f64x2.add (local.get $b2)
              (f64x2.mul (local.get $z) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $at))))))
            (local.set $at (i32.add (local.get $at) (local.get $bytes)))
            (local.set $a3 (f64x2.add (local.get $a3)
              (f64x2.mul (local.get $x) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $at))))))
            (local.set $b3 (f64x2.add (local.get $b3)
              (f64x2.mul (local.get $z) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $at))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $elements)))
        (local.set $at (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3))))
        (f64.store offset=0 (local.get $at) (call $total (local.get $a0) (local.get $b0)))
        (f64.store offset=8 (local.get $at) (call $total (local.get $a1) (local.get $b1)))
        (f64.store offset=16 (local.get $at) (call $total (local.get $a2) (local.get $b2)))
        (f64.store offset=24 (local.get $at) (call $total (local.get $a3) (local.get $b3)))
        (local.set $row (i32.add (local.get $row) (i32.shl (local.get $bytes) (i32.const 2))))
        (local.set $r (i32.add (local.get $r) (i32.const 4)))
        (br $quads)))
    ;; The last rows (fewer than four), one at a time.
    (block $done
      (loop $rest
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a0 (f64x2.splat (f64.const 0)))
        (local.set $b0 (f64x2.splat (f64.const 0)))
        (local.set $j (i32.const 0))
        (block $row_done
          (loop $row_elements
            (br_if $row_done (i32.ge_u (local.get $j) (local.get $bytes)))
            (local.set $x (v128.load (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))
            (local.set $z (v128.load offset=16 (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))
            (local.set $at (i32.add (local.get $row) (local.get $j)))
            (local.set $a0 (f64x2.add (local.get $a0)
              (f64x2.mul (local.get $x) (f64x2.promote_low_f32x4 (v128.load64_zero (local.get $at))))))
            (local.set $b0 (f64x2.add (local.get $b0)
              (f64x2.mul (local.get $z) (f64x2.promote_low_f32x4 (v128.load64_zero offset=8 (local.get $at))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $row_elements)))
        (f64.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3)))
          (call $total (local.get $a0) (local.get $b0)))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rest))))

  ;; The estimates' kernel (`QuantizedRows`, src/kernel.ts): the dot product of an int16 query at $q with
  ;; every int8 row at $m (`$width` values each, a multiple of 16, zero-padded), as exact int32 sums written
  ;; at $out. The caller keeps every sum within int32 (the query's values bounded by the width).
  (func (export "dotRowsInt8") (param $q i32) (param $m i32) (param $rows i32) (param $width i32) (param $out i32)
    (local $r i32) (local $j i32) (local $row i32) (local $x v128) (local $acc v128)
    (local.set $row (local.get $m))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $acc (v128.const i32x4 0 0 0 0))
        (local.set $j (i32.const 0))
        (block $row_done
          (loop $elements
            (br_if $row_done (i32.ge_u (local.get $j) (local.get $width)))
            ;; sixteen int8 values of the row, widened to int16 eight at a time, with the query's sixteen
            (local.set $x (v128.load (i32.add (local.get $row) (local.get $j))))
            (local.set $acc (i32x4.add (local.get $acc)
              (i32x4.dot_i16x8_s (i16x8.extend_low_i8x16_s (local.get $x))
                (v128.load (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))))
            (local.set $acc (i32x4.add (local.get $acc)
              (i32x4.dot_i16x8_s (i16x8.extend_high_i8x16_s (local.get $x))
                (v128.load offset=16 (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $elements)))
        (i32.store (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 2)))
          (i32.add
            (i32.add (i32x4.extract_lane 0 (local.get $acc)) (i32x4.extract_lane 1 (local.get $acc)))
            (i32.add (i32x4.extract_lane 2 (local.get $acc)) (i32x4.extract_lane 3 (local.get $acc)))))
        (local.set $row (i32.add (local.get $row) (local.get $width)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))))
