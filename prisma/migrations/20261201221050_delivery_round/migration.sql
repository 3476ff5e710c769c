-- AlterTable
ALTER TABLE "deliveries" ADD COLUMN     "round" INTEGER NOT NULL DEFAULT 1;

