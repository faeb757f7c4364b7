# syntax=docker/dockerfile:1
# Two images from one build: the service (target `service`, the default) and the CLI (target `cli`).
# Each is the output of `pnpm deploy --prod`: the built JavaScript and production dependencies only.

FROM node:20-bookworm-slim AS build
RUN npm install --global pnpm@10.34.9
WORKDIR /src
COPY . .
RUN pnpm install --frozen-lockfile \
 && pnpm build \
 && pnpm --filter @recsys/api deploy --prod --legacy /out/api \
 && pnpm --filter @recsys/cli deploy --prod --legacy /out/cli

FROM node:20-bookworm-slim AS cli
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build --chown=node:node /out/cli /app
USER node
ENTRYPOINT ["node", "dist/main.js"]
CMD ["--help"]

FROM node:20-bookworm-slim AS service
ENV NODE_ENV=production HOST=0.0.0.0 PORT=8000
WORKDIR /app
COPY --from=build --chown=node:node /out/api /app
USER node
EXPOSE 8000
# node is PID 1 (exec form): SIGTERM reaches the service, which stops accepting, lets in-flight requests
# finish (RECSYS_SHUTDOWN_GRACE_MS), closes the stores and exits 0.
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 8000) + '/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "dist/server.js"]
