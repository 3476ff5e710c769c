-- AlterTable
ALTER TABLE "destinations" ADD COLUMN     "health_reason" TEXT,
ADD COLUMN     "health_since" TIMESTAMP(3),
ADD COLUMN     "health_state" TEXT NOT NULL DEFAULT 'active',
ADD COLUMN     "limits" JSONB,
ADD COLUMN     "pause_cooldown_ms" INTEGER,
ADD COLUMN     "resume_at" TIMESTAMP(3);

-- CreateTable
CREATE TABLE "destination_events" (
    "id" TEXT NOT NULL,
    "destination_id" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "state" TEXT NOT NULL,
    "reason" TEXT,
    "message" TEXT NOT NULL,
    "resume_at" TIMESTAMP(3),

    CONSTRAINT "destination_events_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "destination_events_destination_id_at_idx" ON "destination_events"("destination_id", "at");

-- AddForeignKey
ALTER TABLE "destination_events" ADD CONSTRAINT "destination_events_destination_id_fkey" FOREIGN KEY ("destination_id") REFERENCES "destinations"("id") ON DELETE CASCADE ON UPDATE CASCADE;

