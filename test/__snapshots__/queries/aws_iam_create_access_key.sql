WITH s0 AS (
  SELECT * FROM "events"
    WHERE coalesce("sourcetype" ILIKE 'aws:cloudtrail', false) AND coalesce("eventSource" ILIKE 'iam.amazonaws.com', false) AND coalesce("eventName" ILIKE 'CreateAccessKey', false) AND coalesce("__p_userIdentity.type" ILIKE 'IAMUser', false)
),
s1 AS (
  SELECT "eventID" AS "__dk0", CASE WHEN "eventID" IS NULL THEN "__seq" END AS "__dkn", min("__seq") AS "__dfirst" FROM s0
    GROUP BY "eventID", CASE WHEN "eventID" IS NULL THEN "__seq" END
),
s2 AS (
  SELECT l.*
    FROM s0 l JOIN s1 r ON l."__seq" = r."__dfirst"
),
s4 AS (
  SELECT *, json_extract_string("responseElements", ['$.accessKey.userName', '$.accessKey.status']) AS "__json4_0" FROM s2
    WHERE coalesce("__p_responseElements.accessKey.accessKeyId" IS NOT NULL, false)
),
s7 AS (
  SELECT "_time", "recipientAccountId", coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId") AS "caller", coalesce("__p_userIdentity.arn", "__p_requestParameters.roleArn") AS "user_arn", coalesce(("__json4_0")[1], json_extract_string("requestParameters", '$.userName'), "__p_userIdentity.userName") AS "for_user", "sourceIPAddress" AS "src", coalesce("userAgent", CAST(NULL AS VARCHAR)) AS "user_agent", "__p_responseElements.accessKey.accessKeyId" AS "new_key", ("__json4_0")[2] AS "new_key_status", "__seq" FROM s4
)
SELECT "_time", "recipientAccountId", "caller", "user_arn", "for_user", "src", "user_agent", "new_key", "new_key_status"
FROM s7
ORDER BY "__seq"
