// The noisy tenant's load generator, run as a process of its own (at a lower CPU priority) so its client
// work does not delay the quiet tenant's client: only the service's own work is measured. Prints the
// autocannon result as JSON.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

const [url = "", key = "", rate = "0", seconds = "10", bodyFile = ""] = process.argv.slice(2);
const body = readFileSync(bodyFile, "utf8");
const result = await autocannon({
  url,
  method: "POST",
  headers: { "x-api-key": key, "content-type": "application/json" },
  body,
  connections: 8,
  ...(Number(rate) > 0 ? { overallRate: Number(rate) } : {}),
  duration: Number(seconds),
});
process.stdout.write(
  `${JSON.stringify({ statusCodeStats: result.statusCodeStats, non2xx: result.non2xx })}\n`,
);
