USE dbz_golden;
INSERT INTO types (id, c_int, c_varchar, c_json, c_bigint_u, c_decimal, c_blob, c_datetime6, c_timestamp6, c_time6)
  VALUES (4, 1, 'four', '{"a": 1}', 18446744073709551615, 1.5, x'ff00', '2024-03-01 01:02:03.000004', '2024-03-01 01:02:03.000004', '01:02:03.000004');
UPDATE types SET c_varchar = 'four-updated', c_int = 2 WHERE id = 4;
DELETE FROM types WHERE id = 4;
UPDATE multi SET v = v + 1;
BEGIN;
INSERT INTO multi VALUES (3, 'c', 40);
UPDATE multi SET v = v * 2 WHERE id1 = 1;
COMMIT;
UPDATE multi SET id2 = 'z' WHERE id1 = 2;
UPDATE bulk SET v = CONCAT(v, '+');
ALTER TABLE types ADD COLUMN c_added VARCHAR(20) NOT NULL DEFAULT 'new';
INSERT INTO types (id, c_added) VALUES (5, 'five');
UPDATE types SET c_added = 'one' WHERE id = 1;
