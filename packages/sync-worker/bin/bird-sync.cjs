#!/usr/bin/env node
require('../dist/bird-sync.cjs');
