WITH s0 AS (
  SELECT * FROM "events"
    WHERE coalesce("sourcetype" ILIKE 'aws:cloudtrail', false) AND coalesce("awsRegion" ILIKE 'eu-west-1', false)
),
s1 AS (
  SELECT "_time" AS "_time", "recipientAccountId" AS "recipientAccountId", "awsRegion" AS "awsRegion", "eventSource" AS "eventSource", "eventName" AS "eventName", CASE WHEN "errorCode" IS NOT NULL OR json_extract_string("responseElements", '$.ConsoleLogin') = 'Failure' THEN 'failure' ELSE 'success' END AS "status", "errorCode" AS "errorCode", "__p_userIdentity.type" AS "user_type", coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId") AS "user", "__p_userIdentity.arn" AS "user_arn", "__p_userIdentity.accessKeyId" AS "userIdentity.accessKeyId", "sourceIPAddress" AS "src", "userAgent" AS "user_agent", "eventID" AS "eventID", "__seq" FROM s0
)
SELECT "_time", "recipientAccountId", "awsRegion", "eventSource", "eventName", "status", "errorCode", "user_type", "user", "user_arn", "userIdentity.accessKeyId", "src", "user_agent", "eventID"
FROM s1
ORDER BY "__seq"
