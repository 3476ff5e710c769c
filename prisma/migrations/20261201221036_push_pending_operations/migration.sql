-- CreateTable
CREATE TABLE "operations" (
    "id" TEXT NOT NULL,
    "account_id" TEXT NOT NULL,
    "type" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'running',
    "leads" INTEGER NOT NULL,
    "deliveries" INTEGER NOT NULL,
    "progress_leads" INTEGER NOT NULL DEFAULT 0,
    "progress_deliveries" INTEGER NOT NULL DEFAULT 0,
    "cursor" TEXT,
    "error_message" TEXT,
    "started_at" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updated_at" TIMESTAMP(3) NOT NULL,
    "finished_at" TIMESTAMP(3),

    CONSTRAINT "operations_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "operations_account_id_id_idx" ON "operations"("account_id", "id");

-- CreateIndex
CREATE INDEX "operations_status_updated_at_idx" ON "operations"("status", "updated_at");

-- AddForeignKey
ALTER TABLE "operations" ADD CONSTRAINT "operations_account_id_fkey" FOREIGN KEY ("account_id") REFERENCES "accounts"("id") ON DELETE CASCADE ON UPDATE CASCADE;


-- One running operation of a type per account: a second request finds the running one.
CREATE UNIQUE INDEX "operations_one_running_per_account" ON "operations"("account_id", "type") WHERE "status" = 'running';
