WITH s0 AS (
  SELECT * FROM "events"
    WHERE coalesce("sourcetype" ILIKE 'aws:cloudtrail', false) AND coalesce("eventSource" ILIKE 'iam.amazonaws.com', false) AND coalesce("eventName" ILIKE 'AttachRolePolicy', false)
),
s1 AS (
  SELECT *, CASE WHEN regexp_matches("errorMessage", 'on resource: role (?P<refused_role>[^\s]+)') THEN regexp_extract("errorMessage", 'on resource: role (?P<refused_role>[^\s]+)', 1) ELSE CAST(NULL AS VARCHAR) END AS "refused_role" FROM s0
),
s2 AS (
  SELECT *, coalesce(json_extract_string("requestParameters", '$.roleName'), "refused_role") AS "role_name", json_extract_string("requestParameters", '$.policyArn') AS "policy_arn", "__p_userIdentity.accessKeyId" AS "access_key" FROM s1
),
s3 AS (
  SELECT *, CASE WHEN "sessionCredentialFromConsole" = 'true' THEN 'console session' WHEN regexp_full_match("access_key", '(?s)AKIA.*') THEN 'long-term access key' WHEN regexp_full_match("access_key", '(?s)ASIA.*') THEN 'temporary credentials' END AS "credentials", json_extract_string("userIdentity", '$.sessionContext.attributes.creationDate') AS "session_created" FROM s2
),
s4 AS (
  SELECT "_time" AS "_time", "recipientAccountId" AS "recipientAccountId", "__p_userIdentity.type" AS "user_type", "__p_userIdentity.arn" AS "user_arn", "sourceIPAddress" AS "src", "userAgent" AS "user_agent", "access_key" AS "access_key", "credentials" AS "credentials", "__p_userIdentity.sessionContext.attributes.mfaAuthenticated" AS "mfa_auth", "session_created" AS "session_created", "role_name" AS "role_name", "policy_arn" AS "policy_arn", CASE WHEN "errorCode" IS NOT NULL OR json_extract_string("responseElements", '$.ConsoleLogin') = 'Failure' THEN 'failure' ELSE 'success' END AS "status", "errorCode" AS "errorCode", "__seq" FROM s3
),
s5 AS (
  SELECT * FROM s4 WHERE true
)
SELECT "_time", "recipientAccountId", "user_type", "user_arn", "src", "user_agent", "access_key", "credentials", "mfa_auth", "session_created", "role_name", "policy_arn", "status", "errorCode"
FROM s5
ORDER BY "__seq"
