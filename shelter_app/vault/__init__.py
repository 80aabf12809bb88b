"""The vault: an encrypted SQLCipher database with its keyslots, lock and backups."""
