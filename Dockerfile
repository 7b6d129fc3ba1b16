# syntax=docker/dockerfile:1
# layerscope image. CPU by default; `--build-arg VARIANT=cuda` builds on an NVIDIA CUDA runtime
# base with onnxruntime-node's CUDA 12 provider libraries. Stages:
#   build      compiles the TypeScript (dev dependencies live only here)
#   prod-deps  `npm ci --omit=dev --ignore-scripts` (+ the CUDA provider download for cuda)
#   base-cpu / base-cuda   the runtime bases, Node 20 on Debian slim or on the CUDA image
#   runtime    what ships: node, production node_modules, dist/, bin/, baked models, non-root
# Runs with a read-only root filesystem: the server writes nothing outside /tmp.
# No HEALTHCHECK: Kubernetes probes /v2/health/live and /v2/health/ready (helm/layerscope).

ARG VARIANT=cpu
ARG NODE_IMAGE=node:20-bookworm-slim
ARG CUDA_IMAGE=nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04

FROM ${NODE_IMAGE} AS node

# ---- build: compile TypeScript with the dev dependencies --------------------------------------
FROM ${NODE_IMAGE} AS build
WORKDIR /src
COPY package.json package-lock.json .npmrc tsconfig.json ./
# --ignore-scripts: the `prepare` script would run tsc before the sources are here.
RUN npm ci --ignore-scripts --no-audit --no-fund
COPY src ./src
RUN npx tsc -p tsconfig.json

# ---- prod-deps: production dependencies only ---------------------------------------------------
FROM ${NODE_IMAGE} AS prod-deps
ARG VARIANT
ARG TARGETARCH
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
# .npmrc sets onnxruntime-node-install=skip (bundled CPU binaries). For cuda, run onnxruntime-node's
# own install script with the CUDA 12 flag (what `npm ci --onnxruntime-node-install=cuda12` does);
# it downloads the CUDA execution provider libraries at build time. Then drop the onnxruntime
# binaries of other platforms (about 250 MB of darwin/win32/other-arch libraries).
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && if [ "$VARIANT" = "cuda" ]; then \
      ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node --onnxruntime-node-install=cuda12; \
    fi \
 && ort=node_modules/onnxruntime-node/bin/napi-v6 \
 && arch="$(if [ "$TARGETARCH" = arm64 ]; then echo arm64; else echo x64; fi)" \
 && find "$ort" -mindepth 2 -maxdepth 2 ! -path "$ort/linux/$arch" -exec rm -rf {} + \
 && test -f "$ort/linux/$arch/onnxruntime_binding.node" \
 && npm cache clean --force

# ---- runtime bases -----------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS base-cpu

FROM ${CUDA_IMAGE} AS base-cuda
# Node 20: the official binary from the Node image (same version as the build stages).
COPY --from=node /usr/local/bin/node /usr/local/bin/node
RUN node --version

# ---- runtime -----------------------------------------------------------------------------------
FROM base-${VARIANT} AS runtime
ARG VARIANT
ARG MODEL_REPOSITORY=models
LABEL org.opencontainers.image.title="layerscope" \
      org.opencontainers.image.description="ONNX model server (KServe V2 / Triton protocol) with per-layer observability" \
      org.opencontainers.image.licenses="Apache-2.0"
ENV NODE_ENV=production \
    LAYERSCOPE_VARIANT=${VARIANT}
# A fixed numeric non-root user, so Kubernetes can verify runAsNonRoot.
RUN groupadd --system --gid 10001 layerscope \
 && useradd --system --uid 10001 --gid 10001 --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin layerscope
WORKDIR /app
COPY package.json ./
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /src/dist/src ./dist/src
COPY bin ./bin
# Models baked into the image (helm: model.source=image); override with --build-arg MODEL_REPOSITORY=dir.
COPY ${MODEL_REPOSITORY} ./models
USER 10001:10001
EXPOSE 8000 8002
ENTRYPOINT ["node", "/app/bin/layerscope.js"]
CMD ["serve", "--model-repository", "/app/models"]
