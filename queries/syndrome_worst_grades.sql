-- syndrome_worst_grades: per subject, the worst grade of each CAR-T syndrome (aesi CRS or ICANS): the ASTCT grade, else the derived grade (CTCAE or severity); every event, whole follow-up, whatever TRTEMFL
-- grain: one row per subject x syndrome with an event (worst_grade null when no event of it is graded)
-- params: $subjects (varchar[] of USUBJID)
SELECT USUBJID, aesi, max(coalesce(ASTCTGR, grade)) AS worst_grade
FROM adae
WHERE list_contains($subjects, USUBJID)
  AND aesi IN ('CRS', 'ICANS')
GROUP BY USUBJID, aesi
ORDER BY USUBJID, aesi
