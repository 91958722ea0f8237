-- findings_by_rule: how many data-quality findings the build recorded, per rule
-- grain: one row per rule
-- params: none
SELECT rule, count(*) AS n
FROM findings
GROUP BY rule
ORDER BY n DESC, rule
