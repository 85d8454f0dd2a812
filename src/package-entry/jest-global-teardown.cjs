module.exports = require("./load.cjs")("jest/global-teardown");
