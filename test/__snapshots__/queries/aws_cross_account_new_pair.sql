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
s6 AS (
  SELECT *, CASE WHEN "recipientAccountId" = "requesting_account" THEN 0::DOUBLE ELSE 1::DOUBLE END AS "caller_copy", "call_id" AS "__by0" FROM s3
    WHERE coalesce("cross_account" = 'yes' AND coalesce("errorCode", CASE WHEN "__p_responseElements.ConsoleLogin" LIKE 'Failure' THEN 'failure' ELSE 'success' END, 'success') = 'success' AND "_time" <= 1795824000::DOUBLE, false)
),
s7 AS (
  SELECT "__by0", min("caller_copy") AS "best_copy" FROM s6
    GROUP BY "__by0"
),
s8 AS (
  SELECT l.* EXCLUDE ("__by0"), r."best_copy" AS "best_copy"
    FROM s6 l LEFT JOIN s7 r ON l."__by0" = r."__by0"
),
s9 AS (
  SELECT * FROM s8 WHERE coalesce("caller_copy" = "best_copy" OR "call_id" IS NULL, false)
),
s10 AS (
  SELECT "call_id" AS "__dk0", CASE WHEN "call_id" IS NULL THEN "__seq" END AS "__dkn", min("__seq") AS "__dfirst" FROM s9
    GROUP BY "call_id", CASE WHEN "call_id" IS NULL THEN "__seq" END
),
s11 AS (
  SELECT l.*
    FROM s9 l JOIN s10 r ON l."__seq" = r."__dfirst"
),
s15 AS (
  SELECT * EXCLUDE ("role_account"), "role_account" AS "requested_account", coalesce("__p_userIdentity.arn", "__p_userIdentity.principalId") AS "requester", "requesting_account" AS "__by0", "role_account" AS "__by1" FROM s11
    WHERE "requesting_account" IS NOT NULL AND "role_account" IS NOT NULL
),
s16 AS (
  SELECT "__by0" AS "requesting_account", "__by1" AS "requested_account", min("_time") AS "firstTime^5", max("_time") AS "lastTime^4", count(*) AS "calls", list_sort(list_distinct(list("role_arn") FILTER (WHERE "role_arn" IS NOT NULL))) AS "roles", list_sort(list_distinct(list("requester") FILTER (WHERE "requester" IS NOT NULL))) AS "requesters", list_sort(list_distinct(list("sourceIPAddress") FILTER (WHERE "sourceIPAddress" IS NOT NULL))) AS "src", list_sort(list_distinct(list(coalesce("userAgent", CAST(NULL AS VARCHAR))) FILTER (WHERE coalesce("userAgent", CAST(NULL AS VARCHAR)) IS NOT NULL))) AS "user_agents" FROM s15
    GROUP BY "__by0", "__by1"
),
s17 AS (
  SELECT *, row_number() OVER (ORDER BY TRY_CAST("requesting_account" AS DOUBLE), "requesting_account", TRY_CAST("requested_account" AS DOUBLE), "requested_account") AS "__seq" FROM s16
),
s18 AS (
  SELECT CAST(NULL AS BIGINT) AS "__seq" WHERE false
),
s19 AS (
  SELECT * EXCLUDE ("__part") REPLACE (row_number() OVER (ORDER BY "__part", "__seq") AS "__seq") FROM (
    SELECT *, 0 AS "__part" FROM s17
    UNION ALL BY NAME
    SELECT *, 1 AS "__part" FROM s18
  )
),
s22 AS (
  SELECT "requesting_account", "requested_account", min("firstTime^5") AS "firstTime^5", max("lastTime^4") AS "lastTime^4", sum("calls") AS "calls", list_sort(list_distinct(flatten(list("roles") FILTER (WHERE "roles" IS NOT NULL)))) AS "roles", list_sort(list_distinct(flatten(list("requesters") FILTER (WHERE "requesters" IS NOT NULL)))) AS "requesters", list_sort(list_distinct(flatten(list("src") FILTER (WHERE "src" IS NOT NULL)))) AS "src", list_sort(list_distinct(flatten(list("user_agents") FILTER (WHERE "user_agents" IS NOT NULL)))) AS "user_agents" FROM s19
    WHERE "requesting_account" IS NOT NULL AND "requested_account" IS NOT NULL
    GROUP BY "requesting_account", "requested_account"
),
s23 AS (
  SELECT *, row_number() OVER (ORDER BY TRY_CAST("requesting_account" AS DOUBLE), "requesting_account", TRY_CAST("requested_account" AS DOUBLE), "requested_account") AS "__seq" FROM s22
),
s26 AS (
  SELECT "requesting_account", "requested_account", strftime(make_timestamp(CAST(CAST("firstTime^5" AS DOUBLE) * 1000000 AS BIGINT)), '%Y-%m-%dT%H:%M:%SZ') AS "firstTime^5", strftime(make_timestamp(CAST(CAST("lastTime^4" AS DOUBLE) * 1000000 AS BIGINT)), '%Y-%m-%dT%H:%M:%SZ') AS "lastTime^4", "calls", "roles", "requesters", "src", "user_agents", "__seq" FROM s23
    WHERE coalesce("firstTime^5" >= 1795737600::DOUBLE AND "firstTime^5" <= 1795824000::DOUBLE, false)
)
SELECT "requesting_account", "requested_account", "firstTime^5", "lastTime^4", "calls", "roles", "requesters", "src", "user_agents"
FROM s26
ORDER BY "__seq"
