// Loaded just before RequireJS on pages with widgets (tools/site/site_fixes.py). The widget manager's
// bundled AMD modules are named "@jupyter-widgets/base", "@jupyter-widgets/controls", ...;
// webpack loads their icon fonts from the folder of the module's URL, which RequireJS derives
// from that name: _static/vendor/@jupyter-widgets/, where there are no fonts (404s on pages whose
// widgets show icons, e.g. a play button). Map the names into html-manager/dist/, where the
// fonts are. A `require` object set before require.js loads is its initial configuration;
// tools/site/require_config.js then adds the baseUrl.
var require = (function () {
  var dist = "@jupyter-widgets/html-manager/dist";
  var paths = {};
  paths[dist] = dist; // the manager's own dist/ modules stay where they are
  ["base", "base7", "controls", "controls7", "html-manager"].forEach(function (name) {
    paths["@jupyter-widgets/" + name] = dist + "/" + name;
  });
  return { paths: paths };
})();
