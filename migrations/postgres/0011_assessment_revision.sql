-- Every write of an assessment increments its revision. A page whose address names a revision
-- can be served from the copy the app server kept of the write that produced it: nothing newer
-- can be missed, since anything newer has another revision.
ALTER TABLE assessments ADD COLUMN revision integer NOT NULL DEFAULT 0;
