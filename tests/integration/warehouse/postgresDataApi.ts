/**
 * The Redshift Data API served by PostgreSQL. The tests use the product's local warehouse adapter
 * (the same one `npm run local` loads through), so what they prove holds for that path too.
 */
export { postgresDataApi, type PostgresDataApiOptions as EmulatorOptions } from "../../../runtime/warehouse/postgresDataApi";
