#!/usr/bin/env node
require('../dist/bird-capture.cjs');
