-- endpoints: every time-to-event parameter in the snapshot, with its description and size
-- grain: one row per PARAMCD
-- params: none
SELECT PARAMCD, coalesce(any_value(PARAM), PARAMCD) AS PARAM, count(*) AS n_subjects
FROM adtte
GROUP BY PARAMCD
ORDER BY CASE PARAMCD WHEN 'OS' THEN 1 WHEN 'PFS' THEN 2 WHEN 'DOR' THEN 3 ELSE 4 END, PARAMCD
