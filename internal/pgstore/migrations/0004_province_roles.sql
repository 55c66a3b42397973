-- The province's users (commune '', pgstore.ProvinceScope) have the
-- province's roles, admin (quản trị), operator (biên tập) and viewer
-- (xem); a commune's users keep the station's, operator, approver and
-- viewer. Until now the province's administrator was stored as approver.
UPDATE users SET role = 'admin' WHERE commune = '' AND role = 'approver';
ALTER TABLE users ADD CONSTRAINT users_role CHECK (
    (commune = '' AND role IN ('admin', 'operator', 'viewer')) OR
    (commune <> '' AND role IN ('operator', 'approver', 'viewer')));
