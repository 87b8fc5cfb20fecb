WITH s0 AS (
  SELECT * FROM "events"
    WHERE coalesce("sourcetype" ILIKE 'aws:cloudtrail', false) AND coalesce("eventSource" ILIKE 'sts.amazonaws.com', false) AND coalesce("eventName" ILIKE 'GetSessionToken', false) AND coalesce("__p_userIdentity.type" ILIKE 'IAMUser', false)
),
s1 AS (
  SELECT *, json_extract_string("requestParameters", '$.serialNumber') AS "mfa_serial" FROM s0
),
s2 AS (
  SELECT *, CASE WHEN "mfa_serial" IS NOT NULL THEN 'yes' ELSE 'no' END AS "with_mfa", json_extract_string("requestParameters", '$.durationSeconds') AS "duration_seconds", json_extract_string("responseElements", '$.credentials.accessKeyId') AS "issued_key" FROM s1
),
s3 AS (
  SELECT "_time" AS "_time", "recipientAccountId" AS "recipientAccountId", coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId") AS "user", "__p_userIdentity.arn" AS "user_arn", "sourceIPAddress" AS "src", "userAgent" AS "user_agent", "with_mfa" AS "with_mfa", "mfa_serial" AS "mfa_serial", "duration_seconds" AS "duration_seconds", "issued_key" AS "issued_key", CASE WHEN "errorCode" IS NOT NULL OR json_extract_string("responseElements", '$.ConsoleLogin') = 'Failure' THEN 'failure' ELSE 'success' END AS "status", "errorCode" AS "errorCode", "__seq" FROM s2
),
s4 AS (
  SELECT * FROM s3 WHERE true
)
SELECT "_time", "recipientAccountId", "user", "user_arn", "src", "user_agent", "with_mfa", "mfa_serial", "duration_seconds", "issued_key", "status", "errorCode"
FROM s4
ORDER BY "__seq"
