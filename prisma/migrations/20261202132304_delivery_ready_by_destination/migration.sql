-- DropIndex
DROP INDEX "deliveries_destination_id_status_idx";

-- CreateIndex
CREATE INDEX "deliveries_destination_id_status_id_idx" ON "deliveries"("destination_id", "status", "id");

