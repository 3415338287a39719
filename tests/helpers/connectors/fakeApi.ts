/**
 * The connector tests' FX rates API is the one `npm run local` runs (runtime/local/ratesApi.ts),
 * so the tests and the local run exercise the same stand-in.
 */
export type { Fault, FakeApi, FakeApiOptions, FakeStyle, FxRecord } from "../../../runtime/local/ratesApi";
export { fxRecords, startFakeApi } from "../../../runtime/local/ratesApi";
