import { batchCases } from "./batch";
import { catalogCases } from "./catalog";
import { dmsCases } from "./dms";
import { ec2Cases } from "./ec2";
import { emrCases } from "./emr";
import { firehoseCases } from "./firehose";
import { governanceCases } from "./governance";
import { iamCases } from "./iam";
import { kinesisCases } from "./kinesis";
import { kmsCases } from "./kms";
import { lambdaCases } from "./lambda";
import { messagingCases } from "./messaging";
import { mskCases } from "./msk";
import { mwaaCases } from "./mwaa";
import { observabilityCases } from "./observability";
import { queryCases } from "./query";
import { redshiftCases } from "./redshift";
import { s3Cases } from "./s3";
import { PolicyCase } from "./types";

export const allCases: PolicyCase[] = [
    ...batchCases,
    ...catalogCases,
    ...dmsCases,
    ...ec2Cases,
    ...emrCases,
    ...firehoseCases,
    ...governanceCases,
    ...iamCases,
    ...kinesisCases,
    ...kmsCases,
    ...lambdaCases,
    ...messagingCases,
    ...mskCases,
    ...mwaaCases,
    ...observabilityCases,
    ...queryCases,
    ...redshiftCases,
    ...s3Cases,
];
