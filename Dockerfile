# The overload image for sharded runs (see docs/distributed.md and `overload k8s`).
#   docker build -t ghcr.io/<you>/overload:0.1.0 .
# The build installs the workspace, builds it and packs the four publishable packages; the image
# installs those tarballs with npm, exactly as a user would (README, "Install").
FROM node:22-bookworm-slim AS build
WORKDIR /src
COPY . .
RUN npx -y pnpm@10.34.9 install --frozen-lockfile && npx -y pnpm@10.34.9 tarballs

FROM node:22-bookworm-slim
WORKDIR /overload
COPY --from=build /src/tarballs/ /tmp/tarballs/
RUN npm init -y >/dev/null \
  && npm install --omit=dev --no-audit --no-fund /tmp/tarballs/*.tgz \
  && rm -rf /tmp/tarballs
# Scenarios come in a ConfigMap mounted at /scenarios; they import @overload/core, which the CLI
# resolves to this installation.
USER node
ENTRYPOINT ["node", "/overload/node_modules/@overload/cli/bin/overload.js"]
