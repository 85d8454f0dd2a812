module.exports = require("./load.cjs")("jest/environment");
