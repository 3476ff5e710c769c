-- CreateIndex
CREATE INDEX "deliveries_status_id_idx" ON "deliveries"("status", "id");

