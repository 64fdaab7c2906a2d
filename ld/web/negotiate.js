// ldpub's content negotiation and record routing for nginx (njs), so that the rendered site
// answers as `ldpub serve` does with no Python running.  nginx asks it only for what its
// own map of common Accept headers (filled in by `ldpub render`) does not hold, and for
// withdrawn and missing records.  `ldpub render` fills in the
// @@...@@ values below; the test suite runs this file under Node beside werkzeug (the
// app's Accept parser) over generated Accept headers and asserts both choose alike.
// Written for njs 0.7 (Debian 12): ES5 plus what njs adds, no let/const or arrows.

var OFFERED = @@OFFERED@@; // media types in the app's preference order
var SUFFIX_OF = @@SUFFIX_OF@@; // media type -> file suffix
var KEY = new RegExp("^(?:" + @@KEY@@ + ")$");
var SCOPED_PERSON = new RegExp("^(?:" + @@SCOPED_PERSON@@ + ")$");
var SHARED_PATH = new RegExp("^(?:" + @@SHARED_PATH@@ + ")$");
var SITE = "@@SITE@@"; // the folder the bodies are in
var LINK_TYPES = @@LINK_TYPES@@; // suffix -> media type, for the alternates in Link headers

var TOKEN = /^[A-Za-z0-9_!#$%&'*+\-.^`|~]+/;
var PARAMETER_KEY = /^([A-Za-z0-9_!#$%&'*+\-.^`|~]+)=/;
var Q_VALUE = /^-?[0-9]+(\.[0-9]+)?$/;
var MIME_SPLIT = /\/|[ \t]*;[ \t]*/;

function strip(text) {
    return text.replace(/^[ \t]+|[ \t]+$/g, "");
}

function unquote(value) {
    if (value.length >= 2 && value.charAt(0) === '"' && value.charAt(value.length - 1) === '"') {
        return value.slice(1, -1).replace(/\\(.)/g, "$1");
    }
    return value;
}

// Comma-separated items, commas inside quoted strings kept (werkzeug's parse_list_header).
function listItems(value) {
    var items = [], item = "", escape = false, quote = false, i, c;
    for (i = 0; i < value.length; i++) {
        c = value.charAt(i);
        if (escape) { escape = false; item += c; continue; }
        if (quote) {
            if (c === "\\") { escape = true; } else if (c === '"') { quote = false; }
            item += c;
            continue;
        }
        if (c === ",") { items.push(item); item = ""; continue; }
        if (c === '"') { quote = true; }
        item += c;
    }
    if (quote) { return []; }
    items.push(item);
    var out = [];
    for (i = 0; i < items.length; i++) {
        var stripped = strip(items[i]);
        if (stripped) { out.push(unquote(stripped)); }
    }
    return out;
}

// "type/sub; k=v; q=0.5" -> [value, [[key, value]...]] (werkzeug's parse_options_header).
function options(item) {
    var at = item.indexOf(";");
    var value = strip(at < 0 ? item : item.slice(0, at));
    var rest = strip(at < 0 ? "" : item.slice(at + 1));
    var parts = [];
    if (!value || !rest) { return [value, parts]; }
    var pos = 0;
    while (pos < rest.length) {
        var key = PARAMETER_KEY.exec(rest.slice(pos));
        if (key) {
            var name = key[1].toLowerCase();
            pos += key[0].length;
            var token = TOKEN.exec(rest.slice(pos));
            if (token) {
                parts.push([name, token[0]]);
            } else if (rest.charAt(pos) === '"') {
                var end = pos + 1, closed = false;
                while (end < rest.length) {
                    var two = rest.substr(end, 2);
                    if (two === "\\\\" || two === '\\"') { end += 2; }
                    else if (rest.charAt(end) === '"') { end += 1; closed = true; break; }
                    else { end += 1; }
                }
                if (!closed) { break; }
                parts.push([name, rest.slice(pos, end)]);
                pos = end;
            }
        }
        var delimiter = rest.indexOf(";", pos);
        if (delimiter < 0) { break; }
        pos = delimiter + 1;
        while (pos < rest.length && (rest.charAt(pos) === " " || rest.charAt(pos) === "\t")) { pos++; }
    }
    var merged = [], seen = {};
    for (var i = 0; i < parts.length; i++) {
        var k = parts[i][0], v = unquote(parts[i][1]);
        var mark = /(?:\*([0-9]+))?(\*)?$/.exec(k);
        if (mark && mark[0].length > 0) { k = k.slice(0, k.length - mark[0].length); }
        if (Object.prototype.hasOwnProperty.call(seen, k)) { merged[seen[k]][1] = v; }
        else { seen[k] = merged.length; merged.push([k, v]); }
    }
    return [value, merged];
}

function quoteValue(value) {
    if (value && TOKEN.exec(value) && TOKEN.exec(value)[0] === value) { return value; }
    return '"' + value.replace(/\\/g, "\\\\").replace(/"/g, '\\"') + '"';
}

// [[media range, q]...], most specific first, then by q (werkzeug's MIMEAccept).
function parseAccept(header) {
    var result = [], items = listItems(header);
    for (var i = 0; i < items.length; i++) {
        var parsed = options(items[i]), value = parsed[0], opts = parsed[1], q = 1, kept = [];
        var bad = false;
        for (var j = 0; j < opts.length; j++) {
            if (opts[j][0] === "q") {
                var text = strip(opts[j][1]);
                if (!Q_VALUE.test(text)) { bad = true; break; }
                q = parseFloat(text);
                if (q < 0 || q > 1) { bad = true; break; }
            } else {
                kept.push(opts[j][0] + "=" + quoteValue(opts[j][1]));
            }
        }
        if (bad) { continue; }
        result.push({ item: kept.length ? [value].concat(kept).join("; ") : value, q: q, order: i });
    }
    for (var r = 0; r < result.length; r++) { result[r].specificity = specificity(result[r].item); }
    result.sort(function (a, b) {
        var bySpecificity = compare(b.specificity, a.specificity);
        if (bySpecificity) { return bySpecificity; }
        if (a.q !== b.q) { return b.q - a.q; }
        return a.order - b.order;
    });
    return result;
}

function specificity(item) {
    var parts = item.split(MIME_SPLIT), out = [];
    for (var i = 0; i < parts.length; i++) { out.push(parts[i] !== "*" ? 1 : 0); }
    return out;
}

function compare(a, b) { // Python's tuple ordering
    for (var i = 0; i < a.length && i < b.length; i++) {
        if (a[i] !== b[i]) { return a[i] - b[i]; }
    }
    return a.length - b.length;
}

function matches(offer, item) {
    if (item.indexOf("/") < 0) { return false; }
    var mine = offer.toLowerCase().split(MIME_SPLIT);
    var theirs = item.toLowerCase().split(MIME_SPLIT);
    var params = theirs.slice(2).sort().join(";"), own = mine.slice(2).sort().join(";");
    if (theirs[0] === "*" && theirs[1] !== "*") { return false; }
    if (theirs[0] === "*" && theirs[1] === "*") { return true; }
    return theirs[0] === mine[0] && (theirs[1] === "*" || (theirs[1] === mine[1] && params === own));
}

// The media type the app would choose for this Accept header, or "" (406).
function choose(header) {
    if (!header) { return OFFERED[0]; }
    var accept = parseAccept(header), any = false, i;
    for (i = 0; i < accept.length; i++) { if (accept[i].item.indexOf("/") >= 0) { any = true; } }
    if (!any) { return OFFERED[0]; }
    var best = "", bestQ = -1, bestSpecificity = [-1];
    for (var o = 0; o < OFFERED.length; o++) {
        var found = null;
        for (i = 0; i < accept.length; i++) {
            if (matches(OFFERED[o], accept[i].item)) { found = accept[i]; break; }
        }
        if (!found || found.q <= 0 || found.q < bestQ) { continue; }
        if (found.q > bestQ || compare(found.specificity, bestSpecificity) > 0) {
            best = OFFERED[o]; bestQ = found.q; bestSpecificity = found.specificity;
        }
    }
    return best;
}

// js_set $ldpub_variant: the negotiated suffix, "" when nothing offered is acceptable.
function variant(r) {
    var chosen = choose(r.headersIn.Accept || "");
    return chosen ? SUFFIX_OF[chosen] : "";
}

function read(path) {
    try { return require("fs").readFileSync(SITE + path, "utf8"); } catch (e) { return null; }
}

// /id/thesis/{key}: 303 to its document, 410 once withdrawn, 301 once replaced (as the app).
function thesis(r) {
    var rest = r.uri.slice("/id/thesis/".length), at = rest.indexOf("/");
    var key = at < 0 ? rest : rest.slice(0, at);
    if (!KEY.test(key) || (at >= 0 && !SCOPED_PERSON.test(rest.slice(at + 1)))) {
        return missing(r);
    }
    if (at < 0 && gone(r, key, "")) { return; }
    r.return(303, "/doc/thesis/" + key); // text of a redirect is its Location
}

// A document that has no file: withdrawn (410), replaced (301), or never published (404).
// As in the app, a name of a form ldpub never mints is answered in the negotiated format,
// a well-formed one in the format its suffix asks for.
function document(r) {
    var found = /^\/doc\/(thesis\/)?(.+?)(\.(ttl|jsonld|nt|rdf|html))?$/.exec(r.uri);
    if (!found) { return missing(r); }
    var wellFormed = found[1] ? KEY.test(found[2]) : SHARED_PATH.test(found[2]);
    if (!wellFormed) { return missing(r); }
    if (found[1] && gone(r, found[2], found[3] || "")) { return; }
    missing(r, found[4]);
}

function gone(r, key, suffix) {
    var moved = read("/.gone/thesis/" + key + ".moved");
    if (moved !== null) {
        r.return(301, "/doc/thesis/" + moved.replace(/\s+$/, "") + suffix);
        return true;
    }
    var chosen = suffix ? suffix.slice(1) : (variant(r) || "ttl");
    var body = read("/.gone/thesis/" + key + "." + chosen);
    if (body === null) { return false; }
    r.headersOut["Content-Type"] = typeOf(chosen);
    varyIfNegotiated(r, suffix);
    r.return(410, body);
    return true;
}

function typeOf(suffix) {
    var type = LINK_TYPES[suffix] || "text/html";
    return type.indexOf("text/") === 0 ? type + "; charset=utf-8" : type;
}

// 404 in the format asked for by suffix, else the negotiated one (HTML for browsers).
function missing(r, suffix) {
    var chosen = suffix || variant(r) || "html";
    r.headersOut["Content-Type"] = typeOf(chosen);
    varyIfNegotiated(r, suffix);
    r.return(404, read("/.errors/404." + chosen) || "Not Found\n");
}

// Vary: Accept when the Accept header chose the format (no suffix asked, or the address
// had none before nginx negotiated it), as the app says: a cache must not give one
// client's 404 to another.
function varyIfNegotiated(r, suffix) {
    if (!suffix || r.variables.ldpub_negotiated === "1") { r.headersOut.Vary = "Accept"; }
}

// 406 listing what there is, with the alternates in Link, as the app answers one.
function notAcceptable(r) {
    var stem = r.uri, parts = [], names = [];
    for (var suffix in LINK_TYPES) {
        parts.push("<" + stem + "." + suffix + '>; rel="alternate"; type="' + LINK_TYPES[suffix] + '"');
        names.push(LINK_TYPES[suffix]);
    }
    r.headersOut.Link = parts.join(", ");
    r.headersOut.Vary = "Accept";
    r.headersOut["Content-Type"] = "text/plain; charset=utf-8";
    r.return(406, "406 Not Acceptable\n\nAvailable types: " + names.join(", ") + "\n");
}

export default { choose: choose, variant: variant, thesis: thesis, document: document,
                 missing: missing, notAcceptable: notAcceptable };
