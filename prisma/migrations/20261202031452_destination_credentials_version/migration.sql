-- AlterTable
ALTER TABLE "destinations" ADD COLUMN     "credentials_version" INTEGER NOT NULL DEFAULT 0;

