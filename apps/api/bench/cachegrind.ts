// Reading valgrind's cachegrind output: the instructions of a run, and those of V8's optimizing compilers.

/** Instructions of one run: all of them, and those of V8's optimizing compilers. */
export interface Count {
  readonly all: number;
  readonly compiler: number;
}

/** Functions of V8's optimizing compilers (TurboFan, Maglev, Turboshaft), by their C++ names. */
const COMPILER = /v8::internal::(compiler|maglev|turboshaft)::/;

/**
 * Sum a cachegrind output file by function: every instruction, and those in the optimizing compilers.
 * Format: `fn=<name>` lines, each followed by `<line> <Ir>` lines (valgrind's cachegrind, `events: Ir`).
 * @param text - the cachegrind output
 */
export function countsOf(text: string): Count {
  let all = 0;
  let compiler = 0;
  let inCompiler = false;
  for (const line of text.split("\n")) {
    if (line.startsWith("fn=")) inCompiler = COMPILER.test(line);
    else if (line.charCodeAt(0) >= 48 && line.charCodeAt(0) <= 57) {
      const ir = Number(line.slice(line.indexOf(" ") + 1));
      all += ir;
      if (inCompiler) compiler += ir;
    }
  }
  return { all, compiler };
}
