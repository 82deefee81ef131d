# One image for the worker, bots and trainer. The base is CUDA 11.2 + cuDNN 8, the versions
# @tensorflow/tfjs-node-gpu 4.x is built against; without a GPU the same image falls back to
# tfjs-node (CPU) or the wasm backend and says which one it uses.
FROM nvidia/cuda:11.2.2-cudnn8-runtime-ubuntu20.04

ENV DEBIAN_FRONTEND=noninteractive
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates curl gnupg \
 && curl -fsSL https://deb.nodesource.com/setup_20.x | bash - \
 && apt-get install -y --no-install-recommends nodejs \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# .npmrc skips onnxruntime-node's CUDA 12 provider download: this CUDA 11.2 image could not load it.
COPY package.json package-lock.json .npmrc ./
# The lint workspace (dev only, omitted below) must be there for npm ci to read the lockfile.
COPY tools/lint/package.json tools/lint/
# The optional native packages download libtensorflow during install; allow their scripts here.
RUN npm ci --omit=dev --include=optional --foreground-scripts --ignore-scripts=false && npm install --no-save tsx
COPY . .

ENV NODE_ENV=production
# Two malloc arenas instead of one per thread: libvips' decoding threads otherwise keep the
# freed memory of large images (docs/performance.md, bench:soak).
ENV MALLOC_ARENA_MAX=2
CMD ["npm", "start"]
