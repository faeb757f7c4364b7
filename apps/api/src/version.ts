import { readFileSync } from "node:fs";

/** The service's version: the `version` of this package's package.json. */
export const PACKAGE_VERSION: string = (
  JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }
).version;
