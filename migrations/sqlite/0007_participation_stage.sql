-- What the campaign page needs of the sent results, as columns computed when a student sends:
-- the stage reached (the Résultats tab counts and filters by stage in SQL) and the participant's
-- share of the analysis (a small digest, instead of re-reading every participant's knowledge).
ALTER TABLE campaign_participations ADD COLUMN stage_reached INTEGER;
ALTER TABLE campaign_participations ADD COLUMN stage_total INTEGER;
ALTER TABLE campaign_participations ADD COLUMN analysis TEXT;
UPDATE campaign_participations
   SET stage_reached = json_extract(results, '$.stage_reached'),
       stage_total = json_extract(results, '$.stage_total')
 WHERE results IS NOT NULL AND json_valid(results)
   AND json_extract(results, '$.stage_total') > 0;
