#!/usr/bin/env node
require('../dist/bird.cjs');
