/**
 * OpenLineage run events from every deployed stage: the typed builder (`builder.ts`), the spec
 * version and vendored schema (`spec.ts`), the lake and HTTP transports and the never-failing
 * emitter. Nothing here imports `@pulumi/*` or loads the AWS SDK at module scope.
 */
export * from "./types";
export * from "./spec";
export * from "./errors";
export * from "./builder";
export * from "./transport";
export * from "./emitter";
export * from "./settings";
