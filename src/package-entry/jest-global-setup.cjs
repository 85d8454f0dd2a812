module.exports = require("./load.cjs")("jest/global-setup");
