WITH s0 AS (
  SELECT * FROM "events"
    WHERE coalesce("sourcetype" ILIKE 'aws:cloudtrail', false) AND coalesce("eventSource" ILIKE 'sts.amazonaws.com', false) AND coalesce("eventName" ILIKE 'AssumeRole', false) AND NOT coalesce("__p_userIdentity.type" ILIKE 'AWSService', false)
),
s1 AS (
  SELECT *, coalesce(json_extract_string("requestParameters", '$.roleArn'), (list_transform([json_extract_string("resources", '$[*].ARN')], __v0 -> CASE WHEN len(__v0) = 0 THEN NULL ELSE __v0 END)[1])[CASE WHEN CAST(0::DOUBLE AS BIGINT) < 0 THEN CAST(0::DOUBLE AS BIGINT) ELSE CAST(0::DOUBLE AS BIGINT) + 1 END], CASE WHEN regexp_matches("errorMessage", 'on resource: arn:aws[\w-]*:iam::\d{12}:role/') THEN regexp_replace("errorMessage", '^.*on resource: (arn:aws[\w-]*:iam::\d{12}:role/[^\s]+).*$', '\1', 'g') ELSE CAST(NULL AS VARCHAR) END) AS "role_arn" FROM s0
),
s2 AS (
  SELECT *, coalesce((list_transform([json_extract_string("resources", '$[*].accountId')], __v0 -> CASE WHEN len(__v0) = 0 THEN NULL ELSE __v0 END)[1])[CASE WHEN CAST(0::DOUBLE AS BIGINT) < 0 THEN CAST(0::DOUBLE AS BIGINT) ELSE CAST(0::DOUBLE AS BIGINT) + 1 END], CASE WHEN regexp_matches("role_arn", '^arn:aws[\w-]*:iam::\d{12}:') THEN regexp_replace("role_arn", '^arn:aws[\w-]*:iam::(\d{12}):.*$', '\1', 'g') ELSE CAST(NULL AS VARCHAR) END) AS "role_account", "__p_userIdentity.accountId" AS "requesting_account" FROM s1
),
s3 AS (
  SELECT *, CASE WHEN "requesting_account" IS NOT NULL AND "role_account" IS NOT NULL AND "requesting_account" <> "role_account" THEN 'yes' ELSE 'no' END AS "cross_account", coalesce("sharedEventID", "eventID") AS "call_id" FROM s2
),
s4 AS (
  SELECT *, "call_id" AS "__by0" FROM s3
),
s5 AS (
  SELECT "__by0", list_sort(list_distinct(list("recipientAccountId") FILTER (WHERE "recipientAccountId" IS NOT NULL))) AS "recorded_in" FROM s4 GROUP BY "__by0"
),
s6 AS (
  SELECT e.* EXCLUDE ("__by0"), g."recorded_in"
    FROM s4 e LEFT JOIN s5 g ON e."__by0" = g."__by0"
),
s7 AS (
  SELECT *, CASE WHEN "recipientAccountId" = "requesting_account" THEN 0::DOUBLE ELSE 1::DOUBLE END AS "caller_copy" FROM s6
),
s8 AS (
  SELECT * REPLACE (row_number() OVER (ORDER BY "_time" DESC NULLS LAST, "caller_copy" ASC NULLS LAST, "__seq") AS "__seq") FROM s7
),
s9 AS (
  SELECT * FROM s8 WHERE NOT ("call_id" IS NULL)
    QUALIFY row_number() OVER (PARTITION BY "call_id" ORDER BY "__seq") <= 1
),
s10 AS (
  SELECT *, coalesce("__p_userIdentity.arn", "__p_userIdentity.principalId") AS "requester", json_extract_string("requestParameters", '$.roleSessionName') AS "session_name", json_extract_string("responseElements", '$.credentials.accessKeyId') AS "issued_key" FROM s9
),
s11 AS (
  SELECT "_time" AS "_time", "requester" AS "requester", "__p_userIdentity.type" AS "user_type", "requesting_account" AS "requesting_account", "role_arn" AS "role_arn", "role_account" AS "role_account", "cross_account" AS "cross_account", "session_name" AS "session_name", "sourceIPAddress" AS "src", "userAgent" AS "user_agent", "issued_key" AS "issued_key", CASE WHEN "errorCode" IS NOT NULL OR json_extract_string("responseElements", '$.ConsoleLogin') = 'Failure' THEN 'failure' ELSE 'success' END AS "status", "errorCode" AS "errorCode", "recorded_in" AS "recorded_in", "__seq" FROM s10
),
s12 AS (
  SELECT * FROM s11 WHERE true
)
SELECT "_time", "requester", "user_type", "requesting_account", "role_arn", "role_account", "cross_account", "session_name", "src", "user_agent", "issued_key", "status", "errorCode", "recorded_in"
FROM s12
ORDER BY "__seq"
