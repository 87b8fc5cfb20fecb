WITH s0 AS (
  SELECT * FROM "events"
    WHERE coalesce(("sourcetype" ILIKE 'aws:cloudtrail'), false)
),
s1 AS (
  SELECT * FROM s0 WHERE coalesce((CASE WHEN regexp_matches("sourceIPAddress", '^([0-9]{1,3}[.]){3}[0-9]{1,3}$|^[0-9A-Fa-f]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*$') THEN "sourceIPAddress" ELSE CAST(NULL AS VARCHAR) END IS NOT NULL), false)
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
  SELECT * FROM s5 WHERE coalesce(("City" ILIKE 'Brandenburg an der Havel'), false)
),
s7 AS (
  SELECT "_time" AS "_time", "City" AS "City", "Region" AS "Region", "Country" AS "Country", "recipientAccountId" AS "recipientAccountId", "awsRegion" AS "awsRegion", "eventSource" AS "eventSource", "eventName" AS "eventName", CASE WHEN (("errorCode" IS NOT NULL) OR (json_extract_string("responseElements", '$.ConsoleLogin') = 'Failure')) THEN 'failure' ELSE 'success' END AS "status", "errorCode" AS "errorCode", json_extract_string("userIdentity", '$.type') AS "user_type", coalesce(CASE WHEN (json_extract_string("userIdentity", '$.type') = 'IAMUser') THEN json_extract_string("userIdentity", '$.userName') WHEN ((json_extract_string("userIdentity", '$.type') = 'AssumedRole') OR (json_extract_string("userIdentity", '$.type') = 'FederatedUser')) THEN regexp_replace(json_extract_string("userIdentity", '$.arn'), '^.*/', '', 'g') WHEN (json_extract_string("userIdentity", '$.type') = 'Root') THEN 'root' WHEN (json_extract_string("userIdentity", '$.type') = 'AWSService') THEN json_extract_string("userIdentity", '$.invokedBy') WHEN (json_extract_string("userIdentity", '$.type') = 'AWSAccount') THEN regexp_replace(json_extract_string("userIdentity", '$.principalId'), '^.*:', '', 'g') END, json_extract_string("userIdentity", '$.userName'), json_extract_string("userIdentity", '$.principalId')) AS "user", json_extract_string("userIdentity", '$.arn') AS "user_arn", "sourceIPAddress" AS "src", "userAgent" AS "user_agent", "eventID" AS "eventID", "__seq" FROM s6
)
SELECT "_time", "City", "Region", "Country", "recipientAccountId", "awsRegion", "eventSource", "eventName", "status", "errorCode", "user_type", "user", "user_arn", "src", "user_agent", "eventID"
FROM s7
ORDER BY "__seq"
