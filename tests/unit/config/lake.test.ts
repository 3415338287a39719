import * as assert from "assert";
import { lakeKeys, parseLake } from "../../../infra/config/lake";
import { parseClean, rejectsEach } from "./helpers";

describe("config area: lake", () => {
    it("defaults to Standard-IA after 30 days, Glacier IR after 180 and rejects kept 400 days", () => {
        assert.deepStrictEqual(parseClean(lakeKeys, parseLake), { infrequentAccessDays: 30, archiveDays: 180, noncurrentVersionDays: 30, rejectsExpirationDays: 400 });
    });

    it("accepts a longer lifecycle in storage-class order", () => {
        assert.deepStrictEqual(parseClean(lakeKeys, parseLake, { lakeInfrequentAccessDays: "60", lakeArchiveDays: "365", lakeNoncurrentVersionDays: "7", rejectsExpirationDays: "730" }), {
            infrequentAccessDays: 60,
            archiveDays: 365,
            noncurrentVersionDays: 7,
            rejectsExpirationDays: 730,
        });
    });

    rejectsEach(lakeKeys, parseLake, [
        { title: "Standard-IA before 30 days", values: { lakeInfrequentAccessDays: "29" }, problem: { key: "platform:lakeInfrequentAccessDays", expected: "an integer from 30 to 3650", found: "29", fix: "pulumi config set platform:lakeInfrequentAccessDays 30" } },
        { title: "a lake archive before infrequent access", values: { lakeArchiveDays: "31", lakeInfrequentAccessDays: "60" }, problem: { key: "platform:lakeArchiveDays", expected: "more than lakeInfrequentAccessDays (60)", found: "31", fix: "pulumi config set platform:lakeArchiveDays 365" } },
        { title: "noncurrent versions kept no day at all", values: { lakeNoncurrentVersionDays: "0" }, problem: { key: "platform:lakeNoncurrentVersionDays", expected: "an integer from 1 to 3650", found: "0", fix: "pulumi config set platform:lakeNoncurrentVersionDays 30" } },
        { title: "rejects that expire before they are archived", values: { rejectsExpirationDays: "180" }, problem: { key: "platform:rejectsExpirationDays", expected: "more than lakeArchiveDays (180)", found: "180", fix: "pulumi config set platform:rejectsExpirationDays 400" } },
    ]);
});
