;; The exact-scan kernel of recsys (docs/behaviour.md §7.2): the dot product of one float64 query with
;; every row of a row-major float32 matrix, with WebAssembly SIMD. Products and sums are float64 in four
;; lanes (element j goes to lane j mod 4), combined as (l0 + l1) + (l2 + l3): exactly what the JavaScript
;; fallback `dotRowsJs` (src/kernel.ts) computes, so both give the same bits for any query. The query is
;; read as float64 (8 bytes an element, 16-byte aligned): a float64 query (a taste vector) keeps its
;; values, and it is promoted once when written rather than at every row. The dimension must be a
;; multiple of 4. Compiled by scripts/build-kernel.mjs into src/kernel-wasm.ts.
(module
  (import "env" "memory" (memory 1))
  (func (export "dotRows") (param $q i32) (param $m i32) (param $rows i32) (param $d i32) (param $out i32)
    (local $r i32) (local $j i32) (local $row i32) (local $bytes i32)
    (local $a v128) (local $b v128) (local $x v128) (local $y v128) (local $z v128)
    (local.set $bytes (i32.shl (local.get $d) (i32.const 2)))
    (local.set $row (local.get $m))
    (block $done
      (loop $rows
        (br_if $done (i32.ge_u (local.get $r) (local.get $rows)))
        (local.set $a (f64x2.splat (f64.const 0)))
        (local.set $b (f64x2.splat (f64.const 0)))
        (local.set $j (i32.const 0))
        (block $row_done
          (loop $elements
            (br_if $row_done (i32.ge_u (local.get $j) (local.get $bytes)))
            ;; the query's elements j, j + 1 and j + 2, j + 3 (float64, 8 bytes each); the row's four (float32)
            (local.set $x (v128.load (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))
            (local.set $z (v128.load offset=16 (i32.add (local.get $q) (i32.shl (local.get $j) (i32.const 1)))))
            (local.set $y (v128.load (i32.add (local.get $row) (local.get $j))))
            ;; lanes 0 and 1
            (local.set $a
              (f64x2.add (local.get $a) (f64x2.mul (local.get $x) (f64x2.promote_low_f32x4 (local.get $y)))))
            ;; lanes 2 and 3
            (local.set $b
              (f64x2.add (local.get $b)
                (f64x2.mul (local.get $z)
                  (f64x2.promote_low_f32x4
                    (i8x16.shuffle 8 9 10 11 12 13 14 15 0 1 2 3 4 5 6 7 (local.get $y) (local.get $y))))))
            (local.set $j (i32.add (local.get $j) (i32.const 16)))
            (br $elements)))
        (f64.store
          (i32.add (local.get $out) (i32.shl (local.get $r) (i32.const 3)))
          (f64.add
            (f64.add (f64x2.extract_lane 0 (local.get $a)) (f64x2.extract_lane 1 (local.get $a)))
            (f64.add (f64x2.extract_lane 0 (local.get $b)) (f64x2.extract_lane 1 (local.get $b)))))
        (local.set $row (i32.add (local.get $row) (local.get $bytes)))
        (local.set $r (i32.add (local.get $r) (i32.const 1)))
        (br $rows)))))
