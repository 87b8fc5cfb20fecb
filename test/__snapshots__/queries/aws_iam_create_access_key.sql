WITH s0 AS (
  SELECT * FROM "events"
    WHERE (coalesce(("sourcetype" ILIKE 'aws:cloudtrail'), false) AND coalesce(("eventSource" ILIKE 'iam.amazonaws.com'), false) AND coalesce(("eventName" ILIKE 'CreateAccessKey'), false) AND coalesce((json_extract_string("userIdentity", '$.type') ILIKE 'IAMUser'), false))
),
s1 AS (
  SELECT * FROM s0 WHERE coalesce((json_extract_string("responseElements", '$.accessKey.accessKeyId') IS NOT NULL), false)
),
s2 AS (
  SELECT *, (coalesce(json_extract_string("responseElements", '$.accessKey.userName'), json_extract_string("requestParameters", '$.userName'), json_extract_string("userIdentity", '$.userName'))) AS "for_user", (json_extract_string("responseElements", '$.accessKey.accessKeyId')) AS "new_key", (json_extract_string("responseElements", '$.accessKey.status')) AS "new_key_status" FROM s1
),
s3 AS (
  SELECT "_time" AS "_time", "recipientAccountId" AS "recipientAccountId", coalesce(CASE WHEN (json_extract_string("userIdentity", '$.type') = 'IAMUser') THEN json_extract_string("userIdentity", '$.userName') WHEN ((json_extract_string("userIdentity", '$.type') = 'AssumedRole') OR (json_extract_string("userIdentity", '$.type') = 'FederatedUser')) THEN regexp_replace(json_extract_string("userIdentity", '$.arn'), '^.*/', '', 'g') WHEN (json_extract_string("userIdentity", '$.type') = 'Root') THEN 'root' WHEN (json_extract_string("userIdentity", '$.type') = 'AWSService') THEN json_extract_string("userIdentity", '$.invokedBy') WHEN (json_extract_string("userIdentity", '$.type') = 'AWSAccount') THEN regexp_replace(json_extract_string("userIdentity", '$.principalId'), '^.*:', '', 'g') END, json_extract_string("userIdentity", '$.userName'), json_extract_string("userIdentity", '$.principalId')) AS "user", json_extract_string("userIdentity", '$.arn') AS "user_arn", "for_user" AS "for_user", "sourceIPAddress" AS "src", "userAgent" AS "user_agent", "new_key" AS "new_key", "new_key_status" AS "new_key_status", "__seq" FROM s2
),
s4 AS (
  SELECT * FROM s3 WHERE true
)
SELECT "_time", "recipientAccountId", "user", "user_arn", "for_user", "src", "user_agent", "new_key", "new_key_status"
FROM s4
ORDER BY "__seq"
