-- The revision an app's row describes (issue 3). Rows are written behind saves; at start-up a row
-- whose head_revision is not the repository's head is set again from git, and only those rows.
-- NULL (rows from before this column): read once from git at the next start.
ALTER TABLE apps ADD COLUMN head_revision TEXT;
