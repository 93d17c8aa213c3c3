// The Jupyter widgets HTML manager (1.0.x) typesets widget labels with MathJax 2's API,
// `MathJax.Hub.Queue(["Typeset", MathJax.Hub, element])`; the site serves MathJax 3, which has no
// `MathJax.Hub`, so every widget label threw "Cannot read properties of undefined (reading
// 'Queue')". This shim gives whatever object is `window.MathJax` (the configuration first, then
// MathJax 3 itself, which replaces it when it loads) a `Hub.Queue` that typesets the element with
// MathJax 3 once MathJax has started. Loaded before MathJax (tools/site/site_fixes.py).
(function () {
  function typeset(job) {
    var element = Array.isArray(job) ? job[2] : undefined;
    var mathjax = window.MathJax;
    if (!mathjax || !mathjax.startup || !mathjax.startup.promise) {
      return; // MathJax 3 typesets the whole page when it starts.
    }
    mathjax.startup.promise.then(function () {
      return mathjax.typesetPromise(element ? [element] : undefined);
    });
  }
  function addHub(mathjax) {
    if (mathjax && typeof mathjax === "object" && !mathjax.Hub) {
      Object.defineProperty(mathjax, "Hub", {
        value: { Queue: typeset },
        enumerable: false, // keep it out of MathJax 3's reading of its configuration
        configurable: true,
      });
    }
    return mathjax;
  }
  var current = addHub(window.MathJax);
  Object.defineProperty(window, "MathJax", {
    configurable: true,
    enumerable: true,
    get: function () {
      return current;
    },
    set: function (value) {
      current = addHub(value);
    },
  });
})();
