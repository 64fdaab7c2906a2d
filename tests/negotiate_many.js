// Reads a JSON list of Accept headers on stdin; prints, in JSON, what negotiate.js chooses
// for each, as the suffix of its file ("" for 406).  The module is ES-module text for njs:
// its `export` line is dropped and the rest evaluated here.
const fs = require("fs");
const vm = require("vm");
const source = fs.readFileSync(process.argv[2], "utf8").replace(/^export default[\s\S]*$/m, "");
const context = { require };
vm.runInNewContext(source + "\nthis.choose = choose; this.SUFFIX_OF = SUFFIX_OF;", context);
const headers = JSON.parse(fs.readFileSync(0, "utf8"));
process.stdout.write(JSON.stringify(headers.map((h) => context.SUFFIX_OF[context.choose(h)] || "")));
