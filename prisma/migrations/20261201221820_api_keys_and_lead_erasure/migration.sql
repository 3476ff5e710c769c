-- AlterTable
ALTER TABLE "api_keys" ADD COLUMN     "last_used_at" TIMESTAMP(3),
ADD COLUMN     "name" TEXT NOT NULL DEFAULT 'default',
ADD COLUMN     "revoked_at" TIMESTAMP(3),
ADD COLUMN     "scope" TEXT NOT NULL DEFAULT 'full';

-- AlterTable
ALTER TABLE "leads" ADD COLUMN     "erased_at" TIMESTAMP(3);

-- CreateIndex
CREATE INDEX "leads_erased_at_created_at_idx" ON "leads"("erased_at", "created_at");

