-- lab_nearest_samples: per subject, laboratory parameter and unit, the sample nearest each landmark day within a tolerance (ties: the earlier day)
-- grain: one row per subject x PARAMCD x AVALU (as recorded, blank included) x landmark; landmark, day and AVAL are null for a unit without a sample near any landmark
-- params: $subjects (varchar[] of USUBJID), $paramcds (varchar[]), $landmarks (integer[] of days since infusion), $tolerance_days (integer)
WITH samples AS (
    SELECT USUBJID, PARAMCD, AVALU, AVAL, day, dose_order
    FROM adlb
    WHERE list_contains($subjects, USUBJID)
      AND list_contains($paramcds, PARAMCD)
),
units AS (
    SELECT DISTINCT USUBJID, PARAMCD, AVALU, dose_order
    FROM samples
),
nearest AS (
    SELECT s.USUBJID, s.PARAMCD, s.AVALU, l.landmark, s.day, s.AVAL
    FROM samples AS s
    JOIN (SELECT unnest($landmarks) AS landmark) AS l
      ON abs(s.day - l.landmark) <= $tolerance_days
    QUALIFY row_number() OVER (PARTITION BY s.USUBJID, s.PARAMCD, s.AVALU, l.landmark
                               ORDER BY abs(s.day - l.landmark), s.day) = 1
)
SELECT u.USUBJID, u.PARAMCD, u.AVALU, n.landmark, n.day, n.AVAL
FROM units AS u
LEFT JOIN nearest AS n
  ON n.USUBJID = u.USUBJID AND n.PARAMCD = u.PARAMCD
 AND n.AVALU IS NOT DISTINCT FROM u.AVALU
ORDER BY u.dose_order, u.USUBJID, u.PARAMCD, u.AVALU, n.landmark
