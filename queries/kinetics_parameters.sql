-- kinetics_parameters: every cellular-kinetics parameter in the snapshot
-- grain: one row per PARAMCD
-- params: none
SELECT DISTINCT PARAMCD
FROM adpc
ORDER BY PARAMCD
