// Writes the README's titled code blocks (```js title="path"```) into a folder,
// so that CI runs exactly the snippets the README shows.
// Usage: node scripts/readme-snippets.cjs <out-dir> [title...]   (default: every titled block)
const fs = require("node:fs");
const path = require("node:path");

const [outDir, ...only] = process.argv.slice(2);
if (!outDir) throw new Error("usage: readme-snippets.cjs <out-dir> [title...]");
const readme = fs.readFileSync(path.join(__dirname, "..", "README.md"), "utf8");
const blocks = [...readme.matchAll(/^```\w+ title="([^"]+)"\n([\s\S]*?)^```$/gm)];
const wanted = only.length > 0 ? only : blocks.map((b) => b[1]);
for (const title of wanted) {
  const block = blocks.find((b) => b[1] === title);
  if (!block) throw new Error(`README.md has no code block titled "${title}"`);
  const file = path.join(outDir, title);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, block[2]);
  console.log(`readme-snippets: ${title}`);
}
