-- safety_events: adverse events of the chosen subjects with only the columns the safety tables use (grades, flags, days, coding), whole follow-up
-- grain: one row per adverse event
-- params: $subjects (varchar[] of USUBJID)
SELECT USUBJID, dose_group, dose_order, subtype, AEBODSYS, AEDECOD, AETOXGR, ASTCTGR, grade,
       grade_scale, aesi, AESER, TRTEMFL, AEDLTFL, TOCIFL, STERFL, start_day, end_day
FROM adae
WHERE list_contains($subjects, USUBJID)
ORDER BY dose_order, USUBJID, AESEQ
