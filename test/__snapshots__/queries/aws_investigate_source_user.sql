WITH s0 AS (
  SELECT * FROM "events"
    WHERE coalesce("sourcetype" ILIKE 'aws:cloudtrail', false) AND (coalesce("__p_userIdentity.arn" ILIKE 'arn:aws:sts::111122223333:assumed-role/ops-sync-role/sync', false) OR coalesce("__p_responseElements.assumedRoleUser.arn" ILIKE 'arn:aws:sts::111122223333:assumed-role/ops-sync-role/sync', false))
),
s1 AS (
  SELECT "eventID" AS "__dk0", CASE WHEN "eventID" IS NULL THEN "__seq" END AS "__dkn", min("__seq") AS "__dfirst" FROM s0
    GROUP BY "eventID", CASE WHEN "eventID" IS NULL THEN "__seq" END
),
s2 AS (
  SELECT l.*
    FROM s0 l JOIN s1 r ON l."__seq" = r."__dfirst"
),
s5 AS (
  SELECT "_time", CASE WHEN lower("__p_responseElements.assumedRoleUser.arn") = lower('arn:aws:sts::111122223333:assumed-role/ops-sync-role/sync') THEN 'yes' ELSE 'no' END AS "session_start", "recipientAccountId", "awsRegion", "eventSource", "eventName", coalesce("errorCode", CASE WHEN "__p_responseElements.ConsoleLogin" LIKE 'Failure' THEN 'failure' ELSE 'success' END, 'success') AS "errorCode", "__p_userIdentity.type" AS "caller_type", coalesce("__p_userIdentity.arn", "__p_userIdentity.principalId") AS "requester", "__p_userIdentity.accountId" AS "requesting_account", "sourceIPAddress" AS "src", coalesce("userAgent", CAST(NULL AS VARCHAR)) AS "user_agent", "eventID", "__seq" FROM s2
)
SELECT "_time", "session_start", "recipientAccountId", "awsRegion", "eventSource", "eventName", "errorCode", "caller_type", "requester", "requesting_account", "src", "user_agent", "eventID"
FROM s5
ORDER BY "__seq"
