WITH s0 AS (
  SELECT * FROM "events"
    WHERE coalesce("sourcetype" ILIKE 'aws:cloudtrail', false) AND coalesce("eventSource" ILIKE 'sts.amazonaws.com', false) AND coalesce("eventName" ILIKE 'AssumeRole', false)
),
s1 AS (
  SELECT *, coalesce("__p_requestParameters.roleArn", (list_transform([json_extract_string("resources", '$[*].ARN')], __v0 -> CASE WHEN len(__v0) = 0 THEN NULL ELSE __v0 END)[1])[1], CASE WHEN regexp_matches("errorMessage", 'on resource: arn:aws[\w-]*:iam::\d{12}:role/') THEN regexp_replace("errorMessage", '^.*on resource: (arn:aws[\w-]*:iam::\d{12}:role/[^\s]+).*$', '\1', 'g') ELSE CAST(NULL AS VARCHAR) END) AS "role_arn" FROM s0
),
s2 AS (
  SELECT *, coalesce((list_transform([json_extract_string("resources", '$[*].accountId')], __v0 -> CASE WHEN len(__v0) = 0 THEN NULL ELSE __v0 END)[1])[1], CASE WHEN regexp_matches("role_arn", '^arn:aws[\w-]*:iam::\d{12}:') THEN regexp_replace("role_arn", '^arn:aws[\w-]*:iam::(\d{12}):.*$', '\1', 'g') ELSE CAST(NULL AS VARCHAR) END) AS "role_account", "__p_userIdentity.accountId" AS "requesting_account" FROM s1
),
s3 AS (
  SELECT *, CASE WHEN "requesting_account" IS NOT NULL AND "role_account" IS NOT NULL AND "requesting_account" <> "role_account" THEN 'yes' ELSE 'no' END AS "cross_account", coalesce("sharedEventID", "eventID") AS "call_id" FROM s2
),
s8 AS (
  SELECT "requesting_account", "role_account" AS "requested_account", min("_time") AS "firstTime^5", max("_time") AS "lastTime^4" FROM s3
    WHERE coalesce("cross_account" = 'yes' AND coalesce("errorCode", CASE WHEN "__p_responseElements.ConsoleLogin" LIKE 'Failure' THEN 'failure' ELSE 'success' END, 'success') = 'success' AND "_time" <= 1795824000::DOUBLE, false)
      AND "requesting_account" IS NOT NULL AND "role_account" IS NOT NULL
    GROUP BY "requesting_account", "role_account"
),
s9 AS (
  SELECT *, row_number() OVER (ORDER BY TRY_CAST("requesting_account" AS DOUBLE), "requesting_account", TRY_CAST("requested_account" AS DOUBLE), "requested_account") AS "__seq" FROM s8
),
s10 AS (
  SELECT CAST(NULL AS BIGINT) AS "__seq" WHERE false
),
s11 AS (
  SELECT * EXCLUDE ("__part") REPLACE (row_number() OVER (ORDER BY "__part", "__seq") AS "__seq") FROM (
    SELECT *, 0 AS "__part" FROM s9
    UNION ALL BY NAME
    SELECT *, 1 AS "__part" FROM s10
  )
),
s14 AS (
  SELECT "requesting_account", "requested_account", min("firstTime^5") AS "firstTime^5", max("lastTime^4") AS "lastTime^4" FROM s11
    WHERE "requesting_account" IS NOT NULL AND "requested_account" IS NOT NULL
    GROUP BY "requesting_account", "requested_account"
),
s15 AS (
  SELECT *, row_number() OVER (ORDER BY TRY_CAST("requesting_account" AS DOUBLE), "requesting_account", TRY_CAST("requested_account" AS DOUBLE), "requested_account") AS "__seq" FROM s14
)
SELECT "requesting_account", "requested_account", "firstTime^5", "lastTime^4"
FROM s15
ORDER BY "__seq"
