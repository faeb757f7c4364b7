export { type AppOptions, closeApp, createApp, type Logger, makeRouter } from "./app.js";
export { assemble, buildComponents, type Components, STORE_ENV_VARIABLES } from "./components.js";
export { appOptionsFromEnv, SERVICE_ENV_VARIABLES, type ServiceSettings } from "./env.js";
export { type CounterName, Metrics, timedStore } from "./metrics.js";
export { buildService, type Service, type ServiceOptions } from "./service.js";
export { type Access, type Scope, TENANT_ENV_VARIABLES, TenantDirectory } from "./tenants.js";
