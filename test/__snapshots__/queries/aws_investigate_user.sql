WITH s0 AS (
  SELECT * FROM "events"
    WHERE coalesce("sourcetype" ILIKE 'aws:cloudtrail', false)
),
s1 AS (
  SELECT *, coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId") AS "caller", "__p_userIdentity.type" AS "caller_type" FROM s0
),
s2 AS (
  SELECT * FROM s1 WHERE coalesce("caller" ILIKE 'sync', false)
),
s3 AS (
  SELECT "eventID" AS "__dk0", CASE WHEN "eventID" IS NULL THEN "__seq" END AS "__dkn", min("__seq") AS "__dfirst" FROM s2
    GROUP BY "eventID", CASE WHEN "eventID" IS NULL THEN "__seq" END
),
s4 AS (
  SELECT l.*
    FROM s2 l JOIN s3 r ON l."__seq" = r."__dfirst"
),
s6 AS (
  SELECT "_time", "recipientAccountId", "awsRegion", "eventSource", "eventName", coalesce("errorCode", CASE WHEN "__p_responseElements.ConsoleLogin" LIKE 'Failure' THEN 'failure' ELSE 'success' END, 'success') AS "errorCode", "__p_userIdentity.type" AS "caller_type", coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId") AS "caller", coalesce("__p_userIdentity.arn", "__p_requestParameters.roleArn") AS "user_arn", "__p_userIdentity.accessKeyId" AS "userIdentity.accessKeyId", "sourceIPAddress" AS "src", coalesce("userAgent", CAST(NULL AS VARCHAR)) AS "user_agent", "eventID", "__seq" FROM s4
)
SELECT "_time", "recipientAccountId", "awsRegion", "eventSource", "eventName", "errorCode", "caller_type", "caller", "user_arn", "userIdentity.accessKeyId", "src", "user_agent", "eventID"
FROM s6
ORDER BY "__seq"
