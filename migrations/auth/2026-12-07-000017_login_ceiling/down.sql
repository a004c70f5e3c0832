DROP TABLE account_unlocks;
DROP TABLE known_sign_ins;
