// The Link header of a shared resource's rendered page, for nginx (njs): its paging, then
// the other representations.  (A thesis's is built by nginx itself, without a script.)
// Apart from negotiate.js because each request pays for the module it calls (njs clones it).

var SITE = "@@SITE@@";
var LINK_TYPES = @@LINK_TYPES@@; // suffix -> media type

var fs = require("fs");

function read(path) {
    try { return fs.readFileSync(SITE + path, "utf8"); } catch (e) { return null; }
}

// js_set $ldpub_links, for the representation at $uri.
function links(r) {
    var found = /^(.*)\.([a-z]+)$/.exec(r.uri);
    if (!found) { return ""; }
    var parts = [];
    if (r.uri.indexOf("/doc/") === 0) { // a shared resource: its pages
        var pages = parseInt(read(found[1] + ".pages") || "1", 10), page = parseInt(r.args.page || "1", 10);
        if (page < pages) { parts.push("<" + r.uri + "?page=" + (page + 1) + '>; rel="next"'); }
        if (page > 1) { parts.push("<" + r.uri + "?page=" + (page - 1) + '>; rel="prev"'); }
    }
    for (var suffix in LINK_TYPES) {
        if (suffix !== found[2]) {
            parts.push("<" + found[1] + "." + suffix + '>; rel="alternate"; type="' + LINK_TYPES[suffix] + '"');
        }
    }
    return parts.join(", ");
}

export default { links: links };
