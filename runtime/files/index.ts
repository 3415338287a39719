/** File drops: partner files in a landing bucket, ingested with the stream path's contract. */
export * from "./types";
export * from "./errors";
export * from "./event";
export * from "./detect";
export * from "./rows";
export * from "./layout";
export * from "./store";
export * from "./ingest";
export * from "./settings";
export * from "./handoff";
export * from "./handler";
