-- adverse_events: adverse events of the chosen subjects, optionally only those starting within a window after infusion
-- grain: one row per adverse event
-- params: $subjects (varchar[] of USUBJID), $window_days (integer, null = whole follow-up)
SELECT *
FROM adae
WHERE list_contains($subjects, USUBJID)
  AND ($window_days IS NULL OR (start_day IS NOT NULL AND start_day <= $window_days))
ORDER BY dose_order, USUBJID, AESEQ
