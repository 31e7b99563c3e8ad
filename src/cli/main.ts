#!/usr/bin/env node
console.log("converge")
