/**
 * Shared runtime helpers: errors, environment access, the object store abstraction (S3 and
 * in-memory), bounded concurrency and deterministic encoding. Nothing here imports `@pulumi/*`
 * or loads the AWS SDK at module scope.
 */
export * from "./errors";
export * from "./env";
export * from "./objectStore";
export * from "./memoryObjectStore";
export * from "./concurrency";
export * from "./encoding";
export * from "./http";
