/** The scheduled HTTP API connector: see run.ts for its contract and handler.ts for how it is deployed. */
export * from "./errors";
export * from "./retry";
export * from "./pagination";
export * from "./checkpoint";
export * from "./auth";
export * from "./layout";
export * from "./settings";
export * from "./run";
export * from "./telemetry";
export * from "./handler";
