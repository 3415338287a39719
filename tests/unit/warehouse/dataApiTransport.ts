/**
 * The in-process Data API transport the unit tests answer requests with. It lives in the product
 * (runtime/warehouse/postgresDataApi.ts), where `npm run local` serves the Data API from PostgreSQL.
 */
export {
    DataApiFault,
    respondingDataApiClient as recordingDataApiClient,
    type DataApiResponder as Responder,
    type RecordedDataApiRequest as RecordedRequest,
} from "../../../runtime/warehouse/postgresDataApi";
