WITH s0 AS (
  SELECT * FROM "events"
    WHERE coalesce("sourcetype" ILIKE 'aws:cloudtrail', false) AND coalesce("eventSource" ILIKE 'iam.amazonaws.com', false) AND coalesce("eventName" ILIKE 'CreateAccessKey', false) AND coalesce("__p_userIdentity.type" ILIKE 'IAMUser', false)
),
s1 AS (
  SELECT * FROM s0
    QUALIFY "eventID" IS NULL OR row_number() OVER (PARTITION BY "eventID" ORDER BY "__seq") <= 1
),
s3 AS (
  SELECT *, json_extract_string("responseElements", ['$.accessKey.userName', '$.accessKey.accessKeyId', '$.accessKey.status']) AS "__json3_0" FROM s1
    WHERE coalesce(json_extract_string("responseElements", '$.accessKey.accessKeyId') IS NOT NULL, false)
),
s6 AS (
  SELECT "_time", "recipientAccountId", coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId") AS "caller", coalesce("__p_userIdentity.arn", json_extract_string("requestParameters", '$.roleArn')) AS "user_arn", coalesce(("__json3_0")[1], json_extract_string("requestParameters", '$.userName'), "__p_userIdentity.userName") AS "for_user", "sourceIPAddress" AS "src", coalesce("userAgent", CAST(NULL AS VARCHAR)) AS "user_agent", ("__json3_0")[2] AS "new_key", ("__json3_0")[3] AS "new_key_status", "__seq" FROM s3
)
SELECT "_time", "recipientAccountId", "caller", "user_arn", "for_user", "src", "user_agent", "new_key", "new_key_status"
FROM s6
ORDER BY "__seq"
