# One image for both processes: `node <flags> apps/api/dist/main.js` or `node <flags> apps/worker/dist/main.js`,
# with the flags of packages/config/src/process-flags.ts.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY . .
RUN npm ci --no-audit --no-fund && npm run build && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
CMD ["node", "--liftoff-only", "--max-old-space-size=1024", "--max-semi-space-size=4", "apps/api/dist/main.js"]
