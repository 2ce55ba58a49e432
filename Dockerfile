# syntax=docker/dockerfile:1
# Build: compile TypeScript with the dev toolchain.
FROM node:22-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# Runtime: production dependencies only, non-root.
FROM node:22-bookworm-slim AS runtime
ENV NODE_ENV=production \
    WORKERS=auto \
    PORT=8080 \
    HOST=0.0.0.0
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
COPY --from=build /app/dist ./dist
# The console page is plain files (no build step): beside the compiled console module.
COPY src/console/public ./dist/console/public
USER node
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# SIGTERM drains calls (SHUTDOWN_GRACE_MS) before exit; node runs as PID 1 and handles it itself.
CMD ["node", "dist/main.js"]
