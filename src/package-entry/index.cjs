module.exports = require("./load.cjs")("index");
