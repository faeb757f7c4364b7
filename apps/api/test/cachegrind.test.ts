import { describe, expect, it } from "vitest";
import { countsOf } from "../bench/cachegrind.js";

describe("countsOf (the instructions benchmark's reader of cachegrind output)", () => {
  it("sums every function's instructions, and apart those of V8's optimizing compilers", () => {
    const text = [
      "desc: I1 cache:         32768 B, 64 B, 8-way associative",
      "cmd: node --single-threaded bench/instructions-target.mjs turn 500",
      "events: Ir",
      "fl=???",
      "fn=v8::internal::compiler::GraphReducer::ReduceTop()",
      "0 100",
      "12 50",
      "fn=Builtins_LoadIC",
      "0 7",
      "fl=/usr/lib/x.c",
      "fn=v8::internal::maglev::MaglevGraphBuilder::Build()",
      "3 20",
      "fn=v8::internal::Heap::Scavenge()",
      "9 1000",
      "summary: 1177",
      "",
    ].join("\n");
    expect(countsOf(text)).toEqual({ all: 1177, compiler: 170 });
  });
});
