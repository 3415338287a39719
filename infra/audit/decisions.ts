import { AuditConfig } from "../config";
import { TableSpec } from "../catalog/decisions";
import { anyOccurrence, AlarmSpec } from "../observability/alarms";
import { BucketLifecycleRule } from "../shared/bucket";
import { policyDocument, PolicyDocument, Statement } from "../shared/iam";
import { identifierPrefix, namePrefix } from "../shared/options";

/** `<project>-<stack>-audit`: the trail, its log group and its bucket's stem. */
export function trailName(project: string, stack: string): string {
    return `${namePrefix(project, stack)}-audit`;
}

/** The trail bucket: fixed so the lake's access-log bucket can admit its logs; the account keeps it globally unique. */
export function trailBucketName(project: string, stack: string, accountId: string): string {
    return `${namePrefix(project, stack)}-audit-trail-${accountId}`;
}

/** `<project>_<stack>_audit`: the Glue database of the trail's Athena table. */
export function auditDatabaseName(project: string, stack: string): string {
    return `${identifierPrefix(project, stack)}_audit`;
}

export const trailTableName = "cloudtrail";

export interface FieldSelector {
    field: string;
    equals?: string[];
    startsWiths?: string[];
}

export interface AdvancedEventSelector {
    name: string;
    fieldSelectors: FieldSelector[];
}

/**
 * What the trail records: every management event that changes something (writes, in every
 * service: MSK, Kinesis, Redshift, Glue, Lake Formation, KMS, IAM, S3 bucket settings, CloudTrail
 * itself), and the data events on the lake's objects: writes and deletes always, reads when the
 * config asks. Read-only management events are left out: they are most of the volume (every
 * KMS Decrypt of a lake read is one) and answer no "who changed what" question.
 */
export function advancedEventSelectors(lakeBucketArns: readonly string[], audit: Pick<AuditConfig, "readDataEvents">): AdvancedEventSelector[] {
    const objects = lakeBucketArns.map((arn) => `${arn}/`);
    return [
        { name: "Management events that change the platform", fieldSelectors: [{ field: "eventCategory", equals: ["Management"] }, { field: "readOnly", equals: ["false"] }] },
        {
            name: audit.readDataEvents ? "Lake object reads, writes and deletes" : "Lake object writes and deletes",
            fieldSelectors: [
                { field: "eventCategory", equals: ["Data"] },
                { field: "resources.type", equals: ["AWS::S3::Object"] },
                ...(audit.readDataEvents ? [] : [{ field: "readOnly", equals: ["false"] }]),
                { field: "resources.ARN", startsWiths: objects },
            ],
        },
    ];
}

/** One watched change: a metric filter on the trail's log group and the alarm on its metric. */
export interface WatchedChange {
    /** Kebab-case; the metric filter's and the alarm's name. */
    readonly name: string;
    /** The metric's name in the platform's audit namespace. */
    readonly metricName: string;
    readonly description: string;
    readonly pattern: string;
}

/** The custom namespace of the trail's change metrics. */
export function auditNamespace(project: string, stack: string): string {
    return `${namePrefix(project, stack)}/Audit`;
}

function anyEvent(source: string, names: readonly string[]): string {
    return `($.eventSource = "${source}") && (${names.map((n) => `($.eventName = "${n}")`).join(" || ")})`;
}

/**
 * The changes that matter to a data platform, as CloudWatch Logs filter patterns over the trail's
 * JSON events. Bucket changes are scoped to the lake's (and the trail's own) buckets by name.
 */
export function watchedChanges(bucketNames: readonly string[]): WatchedChange[] {
    const buckets = bucketNames.map((b) => `($.requestParameters.bucketName = "${b}")`).join(" || ");
    return [
        {
            name: "msk-configuration-change",
            metricName: "MskConfigurationChanges",
            description: "The MSK cluster's configuration, security, connectivity or policy changed (or the cluster was deleted). Check who did it in the trail (named query 'who-changed-msk') and whether it was a reviewed change.",
            pattern: `{ ${anyEvent("kafka.amazonaws.com", ["UpdateClusterConfiguration", "UpdateSecurity", "UpdateConnectivity", "UpdateConfiguration", "CreateConfiguration", "DeleteConfiguration", "PutClusterPolicy", "DeleteClusterPolicy", "BatchAssociateScramSecret", "BatchDisassociateScramSecret", "DeleteCluster"])} }`,
        },
        {
            name: "lake-bucket-access-change",
            metricName: "LakeBucketAccessChanges",
            description: "A lake bucket's policy, public access block, ACL or ownership controls changed. Confirm it came from a deployment; anything else may open the data.",
            pattern: `{ (${anyEvent("s3.amazonaws.com", ["PutBucketPolicy", "DeleteBucketPolicy", "PutBucketPublicAccessBlock", "DeleteBucketPublicAccessBlock", "PutBucketAcl", "PutBucketOwnershipControls", "DeleteBucketOwnershipControls"])}) && (${buckets}) }`,
        },
        {
            name: "kms-key-disabled-or-deleted",
            metricName: "KmsKeysDisabledOrScheduledForDeletion",
            description: "A KMS key was disabled or scheduled for deletion: the data it encrypts becomes unreadable. Cancel the deletion (kms cancel-key-deletion) or re-enable the key unless it was intended.",
            pattern: `{ ${anyEvent("kms.amazonaws.com", ["DisableKey", "ScheduleKeyDeletion"])} }`,
        },
        {
            name: "lakeformation-permission-change",
            metricName: "LakeFormationPermissionChanges",
            description: "Lake Formation permissions, settings or registered locations changed. Check the grant against the catalog's declared access.",
            pattern: `{ ${anyEvent("lakeformation.amazonaws.com", ["GrantPermissions", "RevokePermissions", "BatchGrantPermissions", "BatchRevokePermissions", "PutDataLakeSettings", "RegisterResource", "DeregisterResource"])} }`,
        },
        {
            name: "trail-stopped",
            metricName: "TrailStoppedOrChanged",
            description: "A CloudTrail trail was stopped, deleted or had its event selectors changed: changes may go unrecorded. Restart logging (cloudtrail start-logging) and find who stopped it.",
            pattern: `{ ${anyEvent("cloudtrail.amazonaws.com", ["StopLogging", "DeleteTrail", "UpdateTrail", "PutEventSelectors"])} }`,
        },
    ];
}

/** An alarm per watched change, named `<component>-<change>`: any occurrence in five minutes notifies the alarm topic. */
export function auditAlarms(componentName: string, project: string, stack: string, changes: readonly Pick<WatchedChange, "name" | "metricName" | "description">[]): AlarmSpec[] {
    return changes.map((change) => ({
        name: `${componentName}-${change.name}`,
        stage: "audit" as const,
        description: change.description,
        namespace: auditNamespace(project, stack),
        metricName: change.metricName,
        dimensions: {},
        statistic: "Sum" as const,
        ...anyOccurrence,
    }));
}

/** Log files expire after the retention; noncurrent versions (there are none unless someone overwrites) after a day. */
export function trailLifecycleRules(audit: Pick<AuditConfig, "retentionDays">): BucketLifecycleRule[] {
    return [
        {
            id: "trail-retention",
            status: "Enabled",
            filter: { prefix: "" },
            expiration: { days: audit.retentionDays },
            noncurrentVersionExpiration: { noncurrentDays: 1 },
            abortIncompleteMultipartUpload: { daysAfterInitiation: 1 },
        },
    ];
}

/** The trail bucket's delivery statements: CloudTrail (this trail only) checks the ACL and writes under `AWSLogs/<account>/`. */
export function trailBucketStatements(bucketArn: string, trailArn: string, accountId: string): Statement[] {
    return [
        { Sid: "CloudTrailChecksBucketAcl", Effect: "Allow", Principal: { Service: "cloudtrail.amazonaws.com" }, Action: "s3:GetBucketAcl", Resource: bucketArn, Condition: { StringEquals: { "aws:SourceArn": trailArn } } },
        {
            Sid: "CloudTrailDeliversLogFiles",
            Effect: "Allow",
            Principal: { Service: "cloudtrail.amazonaws.com" },
            Action: "s3:PutObject",
            Resource: `${bucketArn}/AWSLogs/${accountId}/*`,
            Condition: { StringEquals: { "aws:SourceArn": trailArn, "s3:x-amz-acl": "bucket-owner-full-control" } },
        },
    ];
}

/** What CloudTrail's delivery role may do: write events into streams of the trail's log group, nothing else. */
export function trailLogsPolicy(logGroupArn: string): PolicyDocument {
    return policyDocument({ Sid: "DeliverTrailEvents", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${logGroupArn}:log-stream:*` });
}

/** Regions the trail's table projects (a multi-region trail writes a folder per region that has events). */
export const trailRegions: readonly string[] = [
    "us-east-1", "us-east-2", "us-west-1", "us-west-2", "ca-central-1", "sa-east-1",
    "eu-west-1", "eu-west-2", "eu-west-3", "eu-central-1", "eu-central-2", "eu-north-1", "eu-south-1", "eu-south-2",
    "ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-southeast-1", "ap-southeast-2", "ap-south-1", "ap-east-1", "me-south-1", "me-central-1", "af-south-1",
];

const identity = "struct<type:string,principalid:string,arn:string,accountid:string,invokedby:string,accesskeyid:string,username:string,sessioncontext:struct<attributes:struct<mfaauthenticated:string,creationdate:string>,sessionissuer:struct<type:string,principalid:string,arn:string,accountid:string,username:string>,sourceidentity:string>>";

/**
 * The Athena table over the trail's log files (the layout CloudTrail writes:
 * `AWSLogs/<account>/CloudTrail/<region>/<yyyy>/<MM>/<dd>/`), with partition projection over
 * region and day so no partition is ever added by hand.
 */
export function trailTable(bucket: string, accountId: string): TableSpec {
    const location = `s3://${bucket}/AWSLogs/${accountId}/CloudTrail/`;
    const text = (name: string, comment: string) => ({ name, type: "string", comment });
    return {
        name: trailTableName,
        description: "CloudTrail events of the account: management writes and the lake's object data events",
        location,
        columns: [
            text("eventversion", "Event format version"),
            { name: "useridentity", type: identity, comment: "Who made the request" },
            text("eventtime", "When (ISO-8601, UTC)"),
            text("eventsource", "The service, e.g. kafka.amazonaws.com"),
            text("eventname", "The API action"),
            text("awsregion", "Region of the request"),
            text("sourceipaddress", "Caller's IP address or service"),
            text("useragent", "Caller's client"),
            text("errorcode", "Error code, when the request failed"),
            text("errormessage", "Error message, when the request failed"),
            text("requestparameters", "Request parameters (JSON)"),
            text("responseelements", "Response elements (JSON)"),
            text("additionaleventdata", "Additional data (JSON)"),
            text("requestid", "Request id"),
            text("eventid", "Event id"),
            { name: "resources", type: "array<struct<arn:string,accountid:string,type:string>>", comment: "Resources the request touched" },
            text("eventtype", "AwsApiCall, AwsServiceEvent, ..."),
            text("apiversion", "API version"),
            text("readonly", "true for read-only requests"),
            text("recipientaccountid", "Account that received the event"),
            text("serviceeventdetails", "Service event details (JSON)"),
            text("sharedeventid", "Shared event id"),
            text("vpcendpointid", "VPC endpoint used, if any"),
            text("eventcategory", "Management or Data"),
        ],
        partitionKeys: [
            { name: "region", type: "string", comment: "Region folder of the log file" },
            { name: "event_day", type: "string", comment: "Day folder of the log file, yyyy/MM/dd (UTC)" },
        ],
        format: "json",
        parameters: {
            classification: "cloudtrail",
            "projection.enabled": "true",
            "projection.region.type": "enum",
            "projection.region.values": trailRegions.join(","),
            "projection.event_day.type": "date",
            "projection.event_day.format": "yyyy/MM/dd",
            "projection.event_day.range": "2024/01/01,NOW",
            "projection.event_day.interval": "1",
            "projection.event_day.interval.unit": "DAYS",
            "storage.location.template": `${location}\${region}/\${event_day}/`,
        },
    };
}

/** The trail's storage descriptor formats: CloudTrail's input format (one JSON document of Records per file). */
export const trailFormats = {
    inputFormat: "com.amazon.emr.cloudtrail.CloudTrailInputFormat",
    outputFormat: "org.apache.hadoop.hive.ql.io.HiveIgnoreKeyTextOutputFormat",
    serializationLibrary: "org.apache.hive.hcatalog.data.JsonSerDe",
} as const;

export interface AuditQuerySpec {
    readonly name: string;
    readonly description: string;
    readonly sql: string;
}

const lastDays = (days: number) => `"event_day" >= date_format(current_date - interval '${days}' day, '%Y/%m/%d')`;

/** The audit trail's named queries: who changed the MSK cluster, who deleted objects in curated. */
export function auditQueries(database: string, curatedBucket: string): AuditQuerySpec[] {
    const table = `"${database}"."${trailTableName}"`;
    return [
        {
            name: "who-changed-msk",
            description: "Who changed the MSK cluster (configuration, security, connectivity, policies, brokers, storage) in the last 30 days",
            sql: [
                `SELECT eventtime, useridentity.arn AS principal, eventname, awsregion, sourceipaddress, errorcode, requestparameters`,
                `FROM ${table}`,
                `WHERE ${lastDays(30)}`,
                `  AND eventsource = 'kafka.amazonaws.com'`,
                `  AND readonly = 'false'`,
                `ORDER BY eventtime DESC`,
            ].join("\n"),
        },
        {
            name: "who-deleted-curated-objects",
            description: "Who deleted objects in the curated zone in the last 7 days (the Spark job's partition replacements included)",
            sql: [
                `SELECT eventtime, useridentity.arn AS principal, eventname, json_extract_scalar(requestparameters, '$.key') AS object_key, sourceipaddress`,
                `FROM ${table}`,
                `WHERE ${lastDays(7)}`,
                `  AND eventsource = 's3.amazonaws.com'`,
                `  AND eventname IN ('DeleteObject', 'DeleteObjects')`,
                `  AND json_extract_scalar(requestparameters, '$.bucketName') = '${curatedBucket}'`,
                `ORDER BY eventtime DESC`,
            ].join("\n"),
        },
    ];
}
