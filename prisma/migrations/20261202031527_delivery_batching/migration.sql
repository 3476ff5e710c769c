-- AlterTable
ALTER TABLE "destinations" ADD COLUMN     "batch" JSONB;

-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "claim_until" TIMESTAMP(3),
ADD COLUMN     "claimed_by" TEXT;

-- AlterTable
ALTER TABLE "attempts" ADD COLUMN     "batch_size" INTEGER;

