export { type AppOptions, closeApp, createApp, type Logger, makeRouter } from "./app.js";
export { assemble, buildComponents, type Components, STORE_ENV_VARIABLES } from "./components.js";
export { appOptionsFromEnv, SERVICE_ENV_VARIABLES, type ServiceSettings } from "./env.js";
export { type CounterName, Metrics, timedStore } from "./metrics.js";
