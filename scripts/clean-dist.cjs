// Removes the previous build, so that a file deleted from src/ cannot linger in dist/ and ship.
require("node:fs").rmSync(require("node:path").join(__dirname, "..", "dist"), { recursive: true, force: true });
