-- Schema version 7: each survivor and case row carries a seal (docs/VAULT_FORMAT.md,
-- section 7.3), an HMAC under a key derived from the case key over the row's columns, so
-- that an edit made outside the application is found by the vault check.  Rows written
-- before are sealed once, at the first sign-in of an account holding the case key.
ALTER TABLE survivors ADD COLUMN row_seal TEXT;
ALTER TABLE cases ADD COLUMN row_seal TEXT;
-- A vault with no case yet (a new one) has nothing of before to seal.
INSERT INTO meta (key, value) SELECT 'row_seals', '1' WHERE NOT EXISTS (SELECT 1 FROM cases);
