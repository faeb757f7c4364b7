export { type AppOptions, createApp, type Logger, makeRouter } from "./app.js";
export { assemble, buildComponents, type Components } from "./components.js";
export { appOptionsFromEnv, type ServiceSettings } from "./env.js";
export { Metrics } from "./metrics.js";
