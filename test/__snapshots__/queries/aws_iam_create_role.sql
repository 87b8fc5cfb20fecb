WITH s0 AS (
  SELECT * FROM "events"
    WHERE coalesce("sourcetype" ILIKE 'aws:cloudtrail', false) AND coalesce("eventSource" ILIKE 'iam.amazonaws.com', false) AND coalesce("eventName" ILIKE 'CreateRole', false)
),
s1 AS (
  SELECT *, coalesce(json_extract_string("requestParameters", '$.assumeRolePolicyDocument'), url_decode(json_extract_string("responseElements", '$.role.assumeRolePolicyDocument'))) AS "trust_policy" FROM s0
),
s2 AS (
  SELECT *, list_transform([json_extract_string("trust_policy", '$.Statement[*].Principal')], __v0 -> CASE WHEN len(__v0) = 0 THEN NULL ELSE __v0 END)[1] AS "principal_blocks" FROM s1
),
s3 AS (
  SELECT *, list_transform([json_extract_string("trust_policy", '$.Statement[*].Principal.AWS')], __v0 -> CASE WHEN len(__v0) = 0 THEN NULL ELSE __v0 END)[1] AS "aws_principals" FROM s2
),
s4 AS (
  SELECT *, CASE WHEN len(list_transform([list_filter("principal_blocks", __v0 -> coalesce(__v0 = '*', false))], __v1 -> CASE WHEN len(__v1) = 0 THEN NULL ELSE __v1 END)[1]) > 0::DOUBLE THEN '*' ELSE CAST(NULL AS VARCHAR) END AS "everyone" FROM s3
),
s5 AS (
  SELECT *, list_transform([flatten([coalesce("aws_principals", []), coalesce(CASE WHEN "everyone" IS NULL THEN NULL ELSE ["everyone"] END, [])])], __v0 -> CASE WHEN len(__v0) = 0 THEN NULL ELSE __v0 END)[1] AS "trusted_principals" FROM s4
),
s6 AS (
  SELECT *, array_to_string("trusted_principals", ' ') AS "principal_text" FROM s5
),
s7 AS (
  SELECT *, list_transform([regexp_extract_all("principal_text", '(?P<trusted_accounts>\b\d{12}\b|\*)', 1)], __v0 -> CASE WHEN len(__v0) = 0 THEN NULL ELSE __v0 END)[1] AS "trusted_accounts" FROM s6
),
s8 AS (
  SELECT *, list_transform([list_filter(list_transform("trusted_accounts", __v0 -> CASE WHEN __v0 <> "recipientAccountId" THEN __v0 ELSE CAST(NULL AS VARCHAR) END), __v1 -> __v1 IS NOT NULL)], __v2 -> CASE WHEN len(__v2) = 0 THEN NULL ELSE __v2 END)[1] AS "trusted_other_accounts" FROM s7
),
s9 AS (
  SELECT * REPLACE (list_filter("trusted_other_accounts", (__v0, __v1) -> list_position("trusted_other_accounts", __v0) = __v1) AS "trusted_other_accounts") FROM s8
),
s10 AS (
  SELECT * FROM s9 WHERE coalesce("trusted_other_accounts" IS NOT NULL, false)
),
s11 AS (
  SELECT *, json_extract_string("requestParameters", '$.roleName') AS "role_name", json_extract_string("requestParameters", '$.description') AS "role_description", json_extract_string("responseElements", '$.role.arn') AS "role_arn" FROM s10
),
s12 AS (
  SELECT "_time" AS "_time", "recipientAccountId" AS "recipientAccountId", "__p_userIdentity.arn" AS "user_arn", "sourceIPAddress" AS "src", "role_name" AS "role_name", "role_description" AS "role_description", "role_arn" AS "role_arn", "trusted_principals" AS "trusted_principals", "trusted_other_accounts" AS "trusted_other_accounts", CASE WHEN "errorCode" IS NOT NULL OR json_extract_string("responseElements", '$.ConsoleLogin') = 'Failure' THEN 'failure' ELSE 'success' END AS "status", "errorCode" AS "errorCode", "__seq" FROM s11
),
s13 AS (
  SELECT * FROM s12 WHERE true
)
SELECT "_time", "recipientAccountId", "user_arn", "src", "role_name", "role_description", "role_arn", "trusted_principals", "trusted_other_accounts", "status", "errorCode"
FROM s13
ORDER BY "__seq"
