// Tell RequireJS where the widget manager's AMD modules live: in the folder of this file.
// tools/site/assets.py copies this file to _static/vendor/ beside require.js and the npm layout of
// @jupyter-widgets/html-manager; embed-amd.js then loads its icon fonts from that folder
// instead of from a path relative to the page (or a CDN). The module "anywidget" (the front end
// of the widgets drawn in the browser, nnlib/widgets/live.py) is the AMD build that anywidget's
// wheel ships, copied to vendor/anywidget/index.js: without this mapping the widget manager
// would look for it on a CDN.
(function () {
  var here = document.currentScript.src.replace(/[?#].*$/, "").replace(/[^/]*$/, "");
  window.require.config({ baseUrl: here, paths: { anywidget: "anywidget/index" } });
})();
