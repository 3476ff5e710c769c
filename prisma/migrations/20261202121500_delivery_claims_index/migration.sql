-- A batch claimant lets go of its claims by claimant (releaseAllClaims, after every batch call):
-- without an index that is a scan of every delivery. Only claimed rows are indexed, a handful at a time.
CREATE INDEX "deliveries_claimed_by_idx" ON "deliveries"("claimed_by") WHERE "claimed_by" IS NOT NULL;
