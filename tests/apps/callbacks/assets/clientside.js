window.dash_clientside = Object.assign({}, window.dash_clientside, {
  webdash_tests: { reverse: (value) => (value || "").split("").reverse().join("") },
});
