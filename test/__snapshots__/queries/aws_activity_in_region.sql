WITH s0 AS (
  SELECT * FROM "events"
    WHERE (coalesce(("sourcetype" ILIKE 'aws:cloudtrail'), false) AND coalesce(("awsRegion" ILIKE 'eu-west-1'), false))
),
s1 AS (
  SELECT "_time" AS "_time", "recipientAccountId" AS "recipientAccountId", "awsRegion" AS "awsRegion", "eventSource" AS "eventSource", "eventName" AS "eventName", CASE WHEN (("errorCode" IS NOT NULL) OR (json_extract_string("responseElements", '$.ConsoleLogin') = 'Failure')) THEN 'failure' ELSE 'success' END AS "status", "errorCode" AS "errorCode", json_extract_string("userIdentity", '$.type') AS "user_type", coalesce(CASE WHEN (json_extract_string("userIdentity", '$.type') = 'IAMUser') THEN json_extract_string("userIdentity", '$.userName') WHEN ((json_extract_string("userIdentity", '$.type') = 'AssumedRole') OR (json_extract_string("userIdentity", '$.type') = 'FederatedUser')) THEN regexp_replace(json_extract_string("userIdentity", '$.arn'), '^.*/', '', 'g') WHEN (json_extract_string("userIdentity", '$.type') = 'Root') THEN 'root' WHEN (json_extract_string("userIdentity", '$.type') = 'AWSService') THEN json_extract_string("userIdentity", '$.invokedBy') WHEN (json_extract_string("userIdentity", '$.type') = 'AWSAccount') THEN regexp_replace(json_extract_string("userIdentity", '$.principalId'), '^.*:', '', 'g') END, json_extract_string("userIdentity", '$.userName'), json_extract_string("userIdentity", '$.principalId')) AS "user", json_extract_string("userIdentity", '$.arn') AS "user_arn", json_extract_string("userIdentity", '$.accessKeyId') AS "userIdentity.accessKeyId", "sourceIPAddress" AS "src", "userAgent" AS "user_agent", "eventID" AS "eventID", "__seq" FROM s0
)
SELECT "_time", "recipientAccountId", "awsRegion", "eventSource", "eventName", "status", "errorCode", "user_type", "user", "user_arn", "userIdentity.accessKeyId", "src", "user_agent", "eventID"
FROM s1
ORDER BY "__seq"
