WITH s0 AS NOT MATERIALIZED (
  SELECT * FROM "events"
    WHERE coalesce("sourcetype" ILIKE 'aws:cloudtrail', false)
),
s1 AS NOT MATERIALIZED (
  SELECT *, "sourceIPAddress" AS "__ip" FROM s0
),
s3 AS (
  SELECT "__ip" FROM s1
    WHERE "__ip" IS NOT NULL
),
s4 AS (
  SELECT DISTINCT * FROM s3
),
s5 AS (
  SELECT "__ip", spl_iplocation("__ip", 'en') AS "__loc" FROM s4
),
s6 AS (
  SELECT l.* EXCLUDE ("__ip"), struct_extract(r."__loc", 'city') AS "City^0", struct_extract(r."__loc", 'country') AS "Country^0", struct_extract(r."__loc", 'region') AS "Region^0", struct_extract(r."__loc", 'lat') AS "lat", struct_extract(r."__loc", 'lon') AS "lon"
    FROM s1 l LEFT JOIN s5 r ON r."__ip" = l."__ip"
),
s7 AS (
  SELECT * FROM s6 WHERE coalesce("Region^0" ILIKE 'Brandenburg', false)
),
s8 AS (
  SELECT "eventID" AS "__dk0", CASE WHEN "eventID" IS NULL THEN "__seq" END AS "__dkn", min("__seq") AS "__dfirst" FROM s7
    GROUP BY "eventID", CASE WHEN "eventID" IS NULL THEN "__seq" END
),
s9 AS (
  SELECT l.*
    FROM s7 l JOIN s8 r ON l."__seq" = r."__dfirst"
),
s11 AS (
  SELECT "_time", "City^0", "Region^0", "Country^0", "recipientAccountId", "awsRegion", "eventSource", "eventName", coalesce("errorCode", CASE WHEN "__p_responseElements.ConsoleLogin" LIKE 'Failure' THEN 'failure' ELSE 'success' END, 'success') AS "errorCode", "__p_userIdentity.type" AS "caller_type", coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId") AS "caller", coalesce("__p_userIdentity.arn", "__p_requestParameters.roleArn") AS "user_arn", "sourceIPAddress" AS "src", coalesce("userAgent", CAST(NULL AS VARCHAR)) AS "user_agent", "eventID", "__seq" FROM s9
)
SELECT "_time", "City^0", "Region^0", "Country^0", "recipientAccountId", "awsRegion", "eventSource", "eventName", "errorCode", "caller_type", "caller", "user_arn", "src", "user_agent", "eventID"
FROM s11
ORDER BY "__seq"
