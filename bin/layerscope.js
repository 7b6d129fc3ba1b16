#!/usr/bin/env node
// Entry point of the `layerscope` command; the compiled TypeScript lives in dist/ (npm run build).
import '../dist/src/main.js';
