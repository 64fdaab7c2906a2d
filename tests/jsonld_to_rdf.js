// Expand a JSON-LD document to N-Quads with jsonld.js, the JavaScript reference processor.
// stdin: {"document": ..., "contexts": {url: context document}}; nothing is fetched.
const jsonld = require("jsonld");

let input = "";
process.stdin.on("data", (chunk) => (input += chunk));
process.stdin.on("end", async () => {
  const { document, contexts } = JSON.parse(input);
  const documentLoader = async (url) => {
    if (!(url in contexts)) throw new Error(`refusing to fetch ${url}`);
    return { contextUrl: null, documentUrl: url, document: contexts[url] };
  };
  const nquads = await jsonld.toRDF(document, { format: "application/n-quads", documentLoader });
  process.stdout.write(nquads);
});
