-- CreateIndex
CREATE INDEX "attempts_started_at_idx" ON "attempts"("started_at");

