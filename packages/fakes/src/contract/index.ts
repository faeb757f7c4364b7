export { type ContentStoreContractOptions, describeContentStoreContract } from "./content-store-contract.js";
export { describeEventBufferContract, type EventBufferContractOptions } from "./event-buffer-contract.js";
export {
  describeActivityStoreContract,
  describeFeedbackStoreContract,
  describeServedLogContract,
  describeSettingsStoreContract,
  type StoreContractOptions,
} from "./feedback-contract.js";
export { describeTenantStoreContract } from "./tenant-store-contract.js";
export {
  describeUserModelStoreContract,
  type UserModelStoreContractOptions,
} from "./user-model-store-contract.js";
export { CONTRACT_CENTRE, CONTRACT_POINTS } from "./world.js";
