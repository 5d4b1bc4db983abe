-- What the campaign page needs of the sent results, as columns computed when a student sends:
-- the stage reached (the Résultats tab counts and filters by stage in SQL) and the participant's
-- share of the analysis (a small digest, instead of re-reading every participant's knowledge).
ALTER TABLE campaign_participations ADD COLUMN stage_reached integer;
ALTER TABLE campaign_participations ADD COLUMN stage_total integer;
ALTER TABLE campaign_participations ADD COLUMN analysis text;
UPDATE campaign_participations
   SET stage_reached = (results::jsonb ->> 'stage_reached')::integer,
       stage_total = (results::jsonb ->> 'stage_total')::integer
 WHERE results IS NOT NULL AND results LIKE '{%'
   AND (results::jsonb ->> 'stage_total')::integer > 0;
