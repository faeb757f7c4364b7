import {
  describeContentStoreContract,
  describeEventBufferContract,
  describeUserModelStoreContract,
} from "./contract/index.js";
import { FakeContentStore } from "./fake-content-store.js";
import { FakeEventSource } from "./fake-event-source.js";
import { InMemoryUserModelStore } from "./in-memory-user-model-store.js";

describeContentStoreContract({
  name: "FakeContentStore (random sampling)",
  create: async (p) => FakeContentStore.fromPoints(p),
});
describeContentStoreContract({
  name: "FakeContentStore (ascending sampling)",
  create: async (p) => FakeContentStore.fromPoints(p, { sampling: "ascending" }),
});
describeEventBufferContract({ name: "FakeEventSource", create: async () => new FakeEventSource() });
describeUserModelStoreContract({
  name: "InMemoryUserModelStore",
  create: async () => new InMemoryUserModelStore(),
});
