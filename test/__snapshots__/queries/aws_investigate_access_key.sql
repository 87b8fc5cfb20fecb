WITH s0 AS (
  SELECT * FROM "events"
    WHERE coalesce("sourcetype" ILIKE 'aws:cloudtrail', false) AND (coalesce("__p_userIdentity.accessKeyId" ILIKE 'AKIAKVGAJJLMH55XUZRZ', false) OR CASE WHEN contains(lower(CAST("responseElements" AS VARCHAR)), 'akiakvgajjlmh55xuzrz') THEN coalesce(json_extract_string("responseElements", '$.credentials.accessKeyId') ILIKE 'AKIAKVGAJJLMH55XUZRZ', false) ELSE false END OR CASE WHEN contains(lower(CAST("responseElements" AS VARCHAR)), 'akiakvgajjlmh55xuzrz') THEN coalesce(json_extract_string("responseElements", '$.accessKey.accessKeyId') ILIKE 'AKIAKVGAJJLMH55XUZRZ', false) ELSE false END)
),
s1 AS (
  SELECT * FROM s0
    QUALIFY "eventID" IS NULL OR row_number() OVER (PARTITION BY "eventID" ORDER BY "__seq") <= 1
),
s4 AS (
  SELECT "_time", CASE WHEN lower("__p_userIdentity.accessKeyId") = lower('AKIAKVGAJJLMH55XUZRZ') THEN 'used' ELSE 'issued' END AS "key_use", "recipientAccountId", "awsRegion", "eventSource", "eventName", coalesce("errorCode", CASE WHEN json_extract_string("responseElements", '$.ConsoleLogin') LIKE 'Failure' THEN 'failure' ELSE 'success' END, 'success') AS "errorCode", "__p_userIdentity.type" AS "caller_type", coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId") AS "caller", coalesce("__p_userIdentity.arn", json_extract_string("requestParameters", '$.roleArn')) AS "user_arn", "__p_userIdentity.accessKeyId" AS "userIdentity.accessKeyId", "sourceIPAddress" AS "src", coalesce("userAgent", CAST(NULL AS VARCHAR)) AS "user_agent", "eventID", "__seq" FROM s1
)
SELECT "_time", "key_use", "recipientAccountId", "awsRegion", "eventSource", "eventName", "errorCode", "caller_type", "caller", "user_arn", "userIdentity.accessKeyId", "src", "user_agent", "eventID"
FROM s4
ORDER BY "__seq"
