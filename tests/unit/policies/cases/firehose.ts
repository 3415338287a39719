import * as aws from "@pulumi/aws";
import * as firehose from "../../../../policies/firehose";
import { devProvider, fixture, PropsOf } from "../helpers";
import { fails, notApplicable, passes, PolicyCase } from "./types";

type StreamProps = PropsOf<aws.kinesis.FirehoseDeliveryStreamArgs>;

/** The delivery stream the ingestDelivery firehose variant declares, one thing changed per case. */
const deliveryProps = (props: Partial<StreamProps> = {}, s3: Partial<NonNullable<StreamProps["extendedS3Configuration"]>> = {}): StreamProps => ({
    name: "platform-dev-deliver-orders",
    destination: "extended_s3",
    kinesisSourceConfiguration: { kinesisStreamArn: "arn:aws:kinesis:us-east-1:123456789012:stream/platform-dev-orders-v1", roleArn: "arn:aws:iam::123456789012:role/delivery" },
    extendedS3Configuration: {
        bucketArn: "arn:aws:s3:::platform-dev-raw",
        roleArn: "arn:aws:iam::123456789012:role/delivery",
        prefix: "orders/dt=!{partitionKeyFromLambda:dt}/hour=!{partitionKeyFromLambda:hour}/",
        errorOutputPrefix: "_firehose_errors/orders/error_type=!{firehose:error-output-type}/dt=!{timestamp:yyyy-MM-dd}/hour=!{timestamp:HH}/",
        kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/lake",
        cloudwatchLoggingOptions: { enabled: true, logGroupName: "/aws/kinesisfirehose/platform-dev-deliver-orders", logStreamName: "DestinationDelivery" },
        ...s3,
    },
    ...props,
});
const delivery = (props: Partial<StreamProps> = {}, s3: Partial<NonNullable<StreamProps["extendedS3Configuration"]>> = {}) =>
    fixture(aws.kinesis.FirehoseDeliveryStream, "firehose-orders", deliveryProps(props, s3), { provider: devProvider });
const directPut = (sse: StreamProps["serverSideEncryption"]) => delivery({ kinesisSourceConfiguration: undefined, serverSideEncryption: sse });

export const firehoseCases: PolicyCase[] = [
    passes(firehose.firehoseDeliveryStreamEncryption, "a Kinesis source without server-side encryption (the stream's key applies)", delivery()),
    passes(firehose.firehoseDeliveryStreamEncryption, "Direct PUT with a customer-managed key", directPut({ enabled: true, keyType: "CUSTOMER_MANAGED_CMK", keyArn: "arn:aws:kms:us-east-1:123456789012:key/streaming" })),
    fails(firehose.firehoseDeliveryStreamEncryption, "a Kinesis source with server-side encryption enabled", delivery({ serverSideEncryption: { enabled: true, keyType: "AWS_OWNED_CMK" } }), /must be unset with a Kinesis data stream source/),
    fails(firehose.firehoseDeliveryStreamEncryption, "Direct PUT without encryption", directPut(undefined), /serverSideEncryption.enabled must be true on a delivery stream without a Kinesis source; found nothing/),
    fails(firehose.firehoseDeliveryStreamEncryption, "Direct PUT with an AWS-owned key", directPut({ enabled: true, keyType: "AWS_OWNED_CMK" }), /must use keyType CUSTOMER_MANAGED_CMK with a keyArn; found keyType "AWS_OWNED_CMK"/),

    passes(firehose.firehoseDeliveryStreamS3Cmk, "the lake key", delivery()),
    fails(firehose.firehoseDeliveryStreamS3Cmk, "no key (the bucket default or SSE-S3)", delivery({}, { kmsKeyArn: undefined }), /kmsKeyArn must name a customer-managed key; found nothing/),
    fails(firehose.firehoseDeliveryStreamS3Cmk, "the AWS-managed S3 key", delivery({}, { kmsKeyArn: "alias/aws/s3" }), /found "alias\/aws\/s3"/),
    notApplicable(firehose.firehoseDeliveryStreamS3Cmk, "an HTTP endpoint destination", delivery({ destination: "http_endpoint", extendedS3Configuration: undefined })),

    passes(firehose.firehoseDeliveryStreamErrorLogging, "error logging and an error prefix", delivery()),
    fails(firehose.firehoseDeliveryStreamErrorLogging, "logging off", delivery({}, { cloudwatchLoggingOptions: { enabled: false } }), /cloudwatchLoggingOptions must be enabled with a log group and stream; found enabled false/),
    fails(firehose.firehoseDeliveryStreamErrorLogging, "no error prefix", delivery({}, { errorOutputPrefix: undefined }), /errorOutputPrefix must name where failed records go; found nothing/),
    notApplicable(firehose.firehoseDeliveryStreamErrorLogging, "an HTTP endpoint destination", delivery({ destination: "http_endpoint", extendedS3Configuration: undefined })),
];
