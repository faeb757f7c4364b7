import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  describeActivityStoreContract,
  describeContentStoreContract,
  describeEventBufferContract,
  describeFeedbackStoreContract,
  describeServedLogContract,
  describeSettingsStoreContract,
  describeTenantStoreContract,
  describeUserModelStoreContract,
} from "./contract/index.js";
import { InMemoryActivityStore } from "./in-memory-activity.js";
import { InMemoryContentStore } from "./in-memory-content-store.js";
import { InMemoryEventBuffer } from "./in-memory-event-buffer.js";
import { InMemoryFeedbackStore, InMemoryServedLog } from "./in-memory-feedback.js";
import { InMemorySettingsStore } from "./in-memory-settings.js";
import { InMemoryUserModelStore } from "./in-memory-user-model-store.js";
import { FileTenantStore, InMemoryTenantStore } from "./tenant-stores.js";

describeContentStoreContract({
  name: "InMemoryContentStore (random sampling)",
  create: async (p) => InMemoryContentStore.fromPoints(p),
});
describeContentStoreContract({
  name: "InMemoryContentStore (ascending sampling)",
  create: async (p) => InMemoryContentStore.fromPoints(p, { sampling: "ascending" }),
});
describeEventBufferContract({ name: "InMemoryEventBuffer", create: async () => new InMemoryEventBuffer() });
describeUserModelStoreContract({
  name: "InMemoryUserModelStore",
  create: async () => new InMemoryUserModelStore(),
});
describeFeedbackStoreContract({
  name: "InMemoryFeedbackStore",
  create: async () => new InMemoryFeedbackStore(),
});
describeServedLogContract({ name: "InMemoryServedLog", create: async () => new InMemoryServedLog() });
describeSettingsStoreContract({
  name: "InMemorySettingsStore",
  create: async () => new InMemorySettingsStore(),
});
describeActivityStoreContract({
  name: "InMemoryActivityStore",
  create: async () => new InMemoryActivityStore(),
});
describeTenantStoreContract({ name: "InMemoryTenantStore", create: async () => new InMemoryTenantStore() });
const tenantDir = mkdtempSync(join(tmpdir(), "recsys-tenants-"));
describeTenantStoreContract({
  name: "FileTenantStore",
  create: async () => new FileTenantStore(join(tenantDir, "registry", "tenants.json")),
  destroy: async () => rmSync(tenantDir, { recursive: true, force: true }),
});
