-- The steps of a deployment (issue 7): what the deploy panel shows while it goes on and after —
-- the contract check, the tests, the install or the upload. JSON list of {"name","status","detail"}.

ALTER TABLE deployments ADD COLUMN steps TEXT NOT NULL DEFAULT '[]';
