-- Webhook apps that answer the caller (issue 7): a hook with `respond` waits for its run and
-- answers with what the app wrote to $TC_OUT_PATH/response.json, kept with the run.

ALTER TABLE webhooks ADD COLUMN respond INTEGER NOT NULL DEFAULT 0 CHECK (respond IN (0, 1));
ALTER TABLE runs ADD COLUMN response TEXT;                 -- JSON {"status","headers"?,"body"?}
