WITH s0 AS (
  SELECT * FROM "events"
    WHERE coalesce("sourcetype" ILIKE 'aws:cloudtrail', false)
),
s1 AS (
  SELECT * FROM s0 WHERE coalesce(CASE WHEN regexp_matches("sourceIPAddress", '^([0-9]{1,3}[.]){3}[0-9]{1,3}$|^[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*$') THEN "sourceIPAddress" ELSE CAST(NULL AS VARCHAR) END IS NOT NULL, false)
),
s2 AS (
  SELECT *, CASE WHEN regexp_matches("sourceIPAddress", '^([0-9]{1,3}[.]){3}[0-9]{1,3}$|^[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*$') THEN "sourceIPAddress" ELSE CAST(NULL AS VARCHAR) END AS "__ip" FROM s1
),
s3 AS (
  SELECT DISTINCT "__ip" FROM s2 WHERE "__ip" IS NOT NULL
),
s4 AS (
  SELECT "__ip", spl_iplocation("__ip", 'en') AS "__loc" FROM s3
),
s5 AS (
  SELECT r.* EXCLUDE ("__ip"), struct_extract(l."__loc", 'city') AS "City", struct_extract(l."__loc", 'country') AS "Country", struct_extract(l."__loc", 'region') AS "Region", struct_extract(l."__loc", 'lat') AS "lat", struct_extract(l."__loc", 'lon') AS "lon"
    FROM s2 r LEFT JOIN s4 l ON l."__ip" = r."__ip"
),
s6 AS (
  SELECT * FROM s5 WHERE coalesce("Country" ILIKE 'Germany', false)
),
s7 AS (
  SELECT "_time" AS "_time", "City" AS "City", "Region" AS "Region", "Country" AS "Country", "recipientAccountId" AS "recipientAccountId", "awsRegion" AS "awsRegion", "eventSource" AS "eventSource", "eventName" AS "eventName", CASE WHEN "errorCode" IS NOT NULL OR json_extract_string("responseElements", '$.ConsoleLogin') = 'Failure' THEN 'failure' ELSE 'success' END AS "status", "errorCode" AS "errorCode", "__p_userIdentity.type" AS "user_type", coalesce(CASE WHEN "__p_userIdentity.type" = 'IAMUser' THEN "__p_userIdentity.userName" WHEN "__p_userIdentity.type" = 'AssumedRole' OR "__p_userIdentity.type" = 'FederatedUser' THEN regexp_replace("__p_userIdentity.arn", '^.*/', '', 'g') WHEN "__p_userIdentity.type" = 'Root' THEN 'root' WHEN "__p_userIdentity.type" = 'AWSService' THEN "__p_userIdentity.invokedBy" WHEN "__p_userIdentity.type" = 'AWSAccount' THEN regexp_replace("__p_userIdentity.principalId", '^.*:', '', 'g') END, "__p_userIdentity.userName", "__p_userIdentity.principalId") AS "user", "__p_userIdentity.arn" AS "user_arn", "sourceIPAddress" AS "src", "userAgent" AS "user_agent", "eventID" AS "eventID", "__seq" FROM s6
)
SELECT "_time", "City", "Region", "Country", "recipientAccountId", "awsRegion", "eventSource", "eventName", "status", "errorCode", "user_type", "user", "user_arn", "src", "user_agent", "eventID"
FROM s7
ORDER BY "__seq"
